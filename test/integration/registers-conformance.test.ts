/**
 * The register port's conformance suite: the same tests against SQLite and PostgreSQL (issue 15 §2). Numbering
 * 1..N gapless per book and year, legal and illegal moves, set-once fields, append-only enforced by the
 * database itself (raw SQL refused), the audit chain and its row bindings valid after writes, a rolled back unit
 * leaving no row, number or event — and, engine against engine, the same writes giving byte-identical audit
 * hashes (what `db salin` will compare). On PostgreSQL only: officers' group roles enforced by the server, and
 * several processes numbering at once giving exactly 1..N.
 *
 * One private PostgreSQL for the file (test/helpers/postgres.ts), a fresh database per test.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore, type Store } from '../../src/adapters/sqlite/store.js';
import { sqliteRegisters } from '../../src/adapters/sqlite/registers/port.js';
import { hashedRows } from '../../src/adapters/sqlite/audit-binding.js';
import { openPgSync, type PgSync } from '../../src/adapters/postgres/sync-client.js';
import { migratePg } from '../../src/adapters/postgres/migrate.js';
import { openPgStore, pgHashedRows, auditDbUsers, type PgStore } from '../../src/adapters/postgres/store.js';
import { pgRegisters } from '../../src/adapters/postgres/registers.js';
import { peranSql } from '../../src/adapters/postgres/roles.js';
import { STREAM_PAGE } from '../../src/adapters/postgres/sql.js';
import { PG_SCHEMA_VERSION, ROWID_COLUMN } from '../../src/adapters/postgres/schema.js';
import { verifyChain, type RowBinding } from '../../src/domain/audit.js';
import { DEFAULT_FORMATS } from '../../src/domain/numbering.js';
import type { Registers, UnitOfWork } from '../../src/ports/registers.js';
import type { NewSuratMasuk } from '../../src/domain/records-masuk.js';
import { SandiError } from '../../src/errors.js';
import { startPostgres, type PgServer } from '../helpers/postgres.js';

const AT = new Date('2026-11-10T03:00:00Z');
const KRIP = { format: DEFAULT_FORMATS.kriptogram_keluar, timeZone: 'Asia/Jakarta' };
const SM = { format: DEFAULT_FORMATS.surat_masuk, timeZone: 'Asia/Jakarta' };

interface Office {
  registers: Registers;
  store: Store | PgStore;
  /** run SQL outside sandi (sqlite3, psql); throws what the database says */
  raw(sql: string): void;
  /** every row of a bound table with its content hash */
  hashed(table: string): { rowid: number; hash: string }[];
  close(): void;
}

let server: PgServer | undefined;
let dbs = 0;
const cleanups: (() => void)[] = [];

const connect = (database: string, user?: { user: string; password: string }): PgSync => {
  if (!server) throw new Error('no server');
  return openPgSync({ host: server.host, port: server.port, user: user?.user ?? server.adminUser, password: user?.password ?? server.adminPassword, database, sslmode: 'disable' });
};

let template: string | undefined;

/** A new office database at the newest schema: a copy of one migrated once for the file (CREATE DATABASE … TEMPLATE). */
function freshPgDatabase(): string {
  if (!server) throw new Error('no server');
  if (template === undefined) {
    template = 'konf_template';
    server.createDatabase(template);
    const pg = connect(template);
    try {
      migratePg(pg);
    } finally {
      pg.close();
    }
  }
  const name = `konf_${++dbs}`;
  server.psql(`CREATE DATABASE ${name} TEMPLATE ${template}`);
  return name;
}

const engines: { name: string; open(): Office }[] = [
  {
    name: 'SQLite',
    open() {
      const dir = mkdtempSync(join(tmpdir(), 'sandi-konf-'));
      const store = openStore(join(dir, 'sandi.db'));
      const close = (): void => {
        if (store.db.open) store.close();
        rmSync(dir, { recursive: true, force: true });
      };
      cleanups.push(close);
      return {
        registers: sqliteRegisters(store),
        store,
        raw: (sql) => void store.db.exec(sql),
        hashed: (t) => [...hashedRows(store.db, t)],
        close,
      };
    },
  },
  {
    name: 'PostgreSQL',
    open() {
      const pg = connect(freshPgDatabase());
      const store = openPgStore(pg);
      const close = (): void => {
        if (!pg.closed) store.close();
      };
      cleanups.push(close);
      return { registers: pgRegisters(store), store, raw: (sql) => void pg.query(sql), hashed: (t) => [...pgHashedRows(store, t)], close };
    },
  },
];

beforeAll(async () => {
  server = await startPostgres();
}, 120_000);

afterAll(async () => {
  for (const c of cleanups.splice(0)) c();
  await server?.stop();
});

/** A Biasa kriptogram registered, initialled, signed and numbered, in one unit. */
function numberOne(u: UnitOfWork, perihal = 'Undangan'): { id: number; nomor: string | null } {
  const r = u.kriptogramKeluar.register({ sandiman: 'sandi', recipients: [{ email: 'dinkes@example.go.id', unit: 'Dinas Kesehatan' }], sifat: 'Biasa', derajat: 'Segera', perihal }, AT);
  u.kriptogramKeluar.setStatus(r.id, 'diparaf', { parafFpr: 'A'.repeat(40), drafSha256: 'b'.repeat(64) }, AT, 'sandi');
  u.kriptogramKeluar.setStatus(r.id, 'ditandatangani', { signer: 'kasi', signerFpr: 'C'.repeat(40), kriptogramSha256: 'd'.repeat(64) }, AT, 'kasi');
  const n = u.kriptogramKeluar.assignNumber(r.id, KRIP, AT, 'sandi');
  return { id: n.id, nomor: n.nomor };
}

const letter = (uid: number): NewSuratMasuk => ({
  operator: 'sandi',
  diterimaAt: '2026-11-10T01:00:00.000Z',
  pengirim: 'Setda <setda@example.go.id>',
  perihal: 'Undangan Rapat',
  rawSha256: uid.toString(16).padStart(64, '0'),
  rawSize: 100,
  source: { sumber: 'imap', folder: 'INBOX', uidvalidity: 4_000_000_000, uid },
});

const codeOf = (fn: () => unknown): string => {
  try {
    fn();
  } catch (e) {
    return e instanceof SandiError ? `${e.code} ${e.key}` : `raw: ${(e as Error).message}`;
  }
  return 'no error';
};

/** The same SOP writes on any engine: outgoing, incoming with steps and a correction, a complaint. */
function officeDay(r: Registers): void {
  r.write((u) => numberOne(u));
  r.write((u) => {
    const m = u.suratMasuk.register(letter(5), SM, AT);
    u.posisiFolder.set('kantor', 'INBOX', { uidvalidity: 4_000_000_000, lastUid: 5 }, AT);
    u.suratMasuk.recordLetterDate(m.id, '2026-11-09');
    u.suratMasuk.setStatus(m.id, 'dicetak', AT, 'sandi');
    u.suratMasuk.addStep(m.id, 'cetak', { printer: 'lp0' }, AT, 'sandi');
    u.suratMasuk.setNotes(m.id, { isiRingkas: 'rapat koordinasi' }, AT, 'sandi');
    u.suratMasuk.classify(m.id, { sifat: 'Rahasia', alasan: 'isi rahasia', actor: 'kasi' }, AT);
  });
  r.write((u) =>
    u.aduan.register(
      { tahun: 2026, sumber: 'catat', kanal: 'lapor', nomorPelacakan: 'LPR-1', jenis: 'pengaduan', kategori: null, judul: 'Jalan rusak', kronologi: null, diterimaAt: AT, kerahasiaan: 'anonim', pelaporTerenkripsi: null, lampiran: [] },
      AT,
      'sandi',
    ),
  );
}

/** The newest binding of every bound row in the chain, compared with the rows as they are: the list of mismatches. */
function bindingMismatches(o: Office): string[] {
  const newest = new Map<string, string | null>();
  for (const a of o.store.auditRows()) {
    if (a.rows === null || a.rows === undefined) continue;
    for (const [t, rid, h] of JSON.parse(a.rows) as RowBinding[]) newest.set(`${t}:${rid}`, h);
  }
  const out: string[] = [];
  for (const t of Object.keys(ROWID_COLUMN)) {
    for (const r of o.hashed(t)) {
      if (newest.get(`${t}:${r.rowid}`) !== r.hash) out.push(`${t}:${r.rowid}`);
      newest.delete(`${t}:${r.rowid}`);
    }
  }
  for (const [k, h] of newest) if (h !== null) out.push(`${k} (gone)`);
  return out;
}

describe.each(engines)('register port on $name', (engine) => {
  it('numbers 1..N gapless per book and year; a unit that throws leaves no row, number or event', () => {
    const o = engine.open();
    const r = o.registers;
    expect([1, 2, 3].map(() => r.write((u) => numberOne(u)).nomor)).toEqual(['KRIP/001/XI/2026', 'KRIP/002/XI/2026', 'KRIP/003/XI/2026']);
    const events = [...o.store.auditRows()].length;
    expect(() =>
      r.write((u) => {
        numberOne(u);
        u.suratMasuk.register(letter(41), SM, AT);
        u.posisiFolder.set('kantor', 'INBOX', { uidvalidity: 7, lastUid: 41 }, AT);
        u.audit(AT, { actor: 'sandi', action: 'uji.gagal', entity: 'kriptogram_keluar' });
        throw new Error('the SMTP step failed');
      }),
    ).toThrow('the SMTP step failed');
    expect([...r.kriptogramKeluar.list()]).toHaveLength(3);
    expect([...r.suratMasuk.list()]).toHaveLength(0);
    expect(r.posisiFolder.get('kantor', 'INBOX')).toBeNull();
    expect([...o.store.auditRows()]).toHaveLength(events);
    expect(r.write((u) => numberOne(u)).nomor).toBe('KRIP/004/XI/2026');
    expect(r.write((u) => u.suratMasuk.register(letter(41), SM, AT)).nomor).toBe('SM/001/XI/2026');
    // another year starts again at 1; the incoming book is its own sequence
    const next = new Date('2027-01-05T03:00:00Z');
    expect(r.write((u) => u.suratMasuk.register({ ...letter(42), rawSha256: 'e'.repeat(64) }, SM, next)).nomor).toBe('SM/001/I/2027');
    expect([...r.kriptogramKeluar.list()].map((k) => k.urut)).toEqual([1, 2, 3, 4]);
  });

  it('refuses illegal moves and a set-once field set again, with the same errors', () => {
    const o = engine.open();
    const r = o.registers;
    const id = r.write((u) => u.kriptogramKeluar.register({ sandiman: 'sandi', recipients: [{ email: 'a@example.go.id', unit: 'Dinas A' }], sifat: 'Biasa', derajat: 'Biasa', perihal: 'x' }, AT).id);
    expect(codeOf(() => r.write((u) => u.kriptogramKeluar.assignNumber(id, KRIP, AT, 'sandi')))).toBe('CONFLICT store.illegalTransition');
    expect(codeOf(() => r.write((u) => u.kriptogramKeluar.setStatus(id, 'terkirim', { messageId: '<m@x>' }, AT, 'sandi')))).toBe('CONFLICT store.illegalTransition');
    const n = r.write((u) => numberOne(u));
    r.write((u) => u.kriptogramKeluar.setMessageId(n.id, '<a@kantor>', AT, 'sandi'));
    r.write((u) => u.kriptogramKeluar.setMessageId(n.id, '<a@kantor>', AT, 'sandi')); // the same again: a no-op
    expect(codeOf(() => r.write((u) => u.kriptogramKeluar.setMessageId(n.id, '<b@kantor>', AT, 'sandi')))).toBe('CONFLICT store.conflict.set_once');
    expect(codeOf(() => r.write((u) => u.kriptogramKeluar.setMessageId(id, '<a@kantor>', AT, 'sandi')))).toBe('CONFLICT store.notInState');
    const m = r.write((u) => u.suratMasuk.register(letter(9), SM, AT));
    r.write((u) => u.suratMasuk.setNotes(m.id, { keterangan: 'satu' }, AT, 'sandi'));
    expect(codeOf(() => r.write((u) => u.suratMasuk.setNotes(m.id, { keterangan: 'dua' }, AT, 'sandi')))).toMatch(/^CONFLICT /);
    // the database's own guard, reached past the adapter's checks: a duplicate message is CONFLICT unique
    expect(codeOf(() => r.write((u) => u.suratMasuk.register(letter(9), SM, AT)))).toBe('CONFLICT store.conflict.unique');
    expect(r.suratMasuk.get(m.id).keterangan).toBe('satu');
  });

  it('is append-only in the database itself: raw UPDATE, DELETE and emptying a register are refused', () => {
    const o = engine.open();
    officeDay(o.registers);
    const msg = (sql: string): string => {
      try {
        o.raw(sql);
        return 'accepted';
      } catch (e) {
        return /sandi:\w+:\w+(\.\w+)?|append-only|never deleted|only moves forward/.exec((e as Error).message)?.[0] ?? (e as Error).message;
      }
    };
    expect(msg("UPDATE kriptogram_keluar SET perihal = 'diubah'")).toBe('sandi:settled:kriptogram_keluar');
    expect(msg("UPDATE kriptogram_keluar SET nomor = 'KRIP/999/XI/2026'")).toBe('sandi:set_once:kriptogram_keluar.nomor');
    expect(msg("UPDATE kriptogram_keluar SET status = 'terdaftar'")).toBe('sandi:transition:kriptogram_keluar');
    expect(msg('DELETE FROM kriptogram_keluar')).toBe('sandi:append_only:kriptogram_keluar');
    expect(msg('DELETE FROM surat_masuk_langkah')).toBe('sandi:append_only:surat_masuk_langkah');
    expect(msg("UPDATE anotasi SET catatan = 'lain'")).toBe('sandi:append_only:anotasi');
    expect(msg("UPDATE aduan SET judul = 'lain'")).toBe('sandi:settled:aduan');
    expect(msg("UPDATE audit_log SET actor = 'lain'")).toBe('append-only');
    expect(msg('DELETE FROM audit_log')).toBe('append-only');
    expect(msg('UPDATE nomor_urut SET terakhir = terakhir + 5')).toBe('only moves forward');
    expect(msg("UPDATE terima_folder SET last_uid = 1")).toBe('sandi:backwards:terima_folder');
    expect(msg("INSERT INTO kriptogram_masuk_langkah (kriptogram_masuk_id, langkah, at, actor) VALUES (1, 'cetak', 'x', 'y')")).toBe('sandi:wrong_state:kriptogram_masuk_langkah');
    expect(msg("INSERT INTO anotasi (buku, baris, at, actor, jenis, catatan) VALUES ('surat_masuk', 999, 'x', 'y', 'catatan', 'z')")).toBe('sandi:no_target:anotasi');
    expect(msg("INSERT INTO anotasi (buku, baris, at, actor, jenis, kolom, nilai, catatan) VALUES ('surat_masuk', 1, 'x', 'y', 'koreksi', 'status', '1', 'z')")).toBe('sandi:bad_column:anotasi');
    expect(msg("INSERT INTO kriptogram_keluar (registered_at, sandiman, recipients, sifat, derajat, perihal, status) VALUES ('x', 'y', '[1]', 'Biasa', 'Biasa', 'p', 'terkirim')")).toBe('sandi:insert_state:kriptogram_keluar');
    if (engine.name === 'PostgreSQL') {
      for (const t of ['kriptogram_keluar', 'surat_masuk', 'surat_masuk_langkah', 'anotasi', 'aduan', 'nomor_urut']) {
        expect(msg(`TRUNCATE ${t} CASCADE`)).toBe(`sandi:append_only:${t}`);
      }
      expect(msg('TRUNCATE audit_log CASCADE')).toBe('sandi:append_only:audit_log');
    }
    expect([...o.registers.kriptogramKeluar.list()]).toHaveLength(1);
  });

  it('keeps one valid audit chain that binds every row it wrote', () => {
    const o = engine.open();
    officeDay(o.registers);
    const rows = [...o.store.auditRows()];
    expect(verifyChain(rows, { highestIssuedId: o.store.auditHighestIssuedId() })).toMatchObject({ ok: true });
    expect(rows.length).toBeGreaterThan(8);
    expect(bindingMismatches(o)).toEqual([]);
  });

  it('the incoming kriptogram SOP, complaints and look-ups behave the same', () => {
    const o = engine.open();
    const r = o.registers;
    const km = r.write((u) => u.kriptogramMasuk.register({ ...letter(77), subjekLuar: 'KRIP/010/XI/2026', messageId: '<k@setda>' }, { format: DEFAULT_FORMATS.kriptogram_masuk, timeZone: 'Asia/Jakarta' }, AT));
    expect(codeOf(() => r.write((u) => u.kriptogramMasuk.addStep(km.id, 'cetak', {}, AT, 'sandi')))).toBe('CONFLICT store.illegalTransition');
    r.write((u) => u.kriptogramMasuk.recordRead(km.id, { sifat: 'Rahasia', perihalTerenkripsi: new Uint8Array([1, 2, 3]), nomorPengirim: 'KRIP/010/XI/2026', penandaTangan: [{ fpr: 'A'.repeat(40), ok: true }] }, AT, 'sandi'));
    r.write((u) => u.kriptogramMasuk.addStep(km.id, 'paraf', { tingkat: 'kasi' }, AT, 'kasi'));
    r.write((u) => u.kriptogramMasuk.close(km.id, AT, 'adum'));
    const read = r.kriptogramMasuk.get(km.id);
    expect(read).toMatchObject({ status: 'selesai', sifat: 'Rahasia', penandaTangan: [{ fpr: 'A'.repeat(40), ok: true }] });
    expect([...(read.perihalTerenkripsi ?? [])]).toEqual([1, 2, 3]);
    expect(r.kriptogramMasuk.listSteps(km.id).map((l) => l.langkah)).toEqual(['paraf']);
    expect(r.findIncomingDuplicate({ rawSha256: 'f'.repeat(64), messageId: '<k@setda>' })).toMatchObject({ buku: 'kriptogram_masuk', id: km.id, by: 'message_id' });
    expect(r.findIncomingDuplicate({ rawSha256: letter(77).rawSha256 })).toMatchObject({ by: 'sha256' });
    const rej = r.write((u) => u.kriptogramMasuk.register({ ...letter(78) }, { format: DEFAULT_FORMATS.kriptogram_masuk, timeZone: 'Asia/Jakarta' }, AT));
    expect(r.write((u) => u.kriptogramMasuk.reject(rej.id, { alasan: 'tanda tangan tidak sah' }, AT, 'sandi')).status).toBe('ditolak');
    expect(codeOf(() => r.write((u) => u.kriptogramMasuk.close(rej.id, AT, 'sandi')))).toMatch(/^CONFLICT /);

    // a complaint: a step guarded against a concurrent change (the row must still be in `from`)
    const a = r.write((u) =>
      u.aduan.register(
        { tahun: 2026, sumber: 'catat', kanal: 'lapor', nomorPelacakan: 'LPR-9', jenis: 'pengaduan', kategori: null, judul: 'Lampu jalan', kronologi: null, diterimaAt: AT, kerahasiaan: 'rahasia', pelaporTerenkripsi: new Uint8Array([9]), lampiran: [] },
        AT,
        'sandi',
      ),
    );
    expect(a).toMatchObject({ nomor: 'ADU/001/2026', adaPelapor: true, status: 'diterima' });
    r.write((u) => u.aduan.recordStep(a.id, { aksi: 'disposisi', from: 'diterima', to: 'didisposisi', catatan: null, opd: { unit: 'Dinas PU', email: null } }, AT, 'kasi'));
    expect(codeOf(() => r.write((u) => u.aduan.recordStep(a.id, { aksi: 'tunda', from: 'diterima', to: 'ditunda', catatan: null }, AT, 'kasi')))).toBe('raw: aduan 1 changed concurrently');
    expect(r.aduan.get(a.id)).toMatchObject({ status: 'didisposisi', opd: 'Dinas PU', opdEmail: null });
    expect(r.aduan.find('LPR-9').map((x) => x.id)).toEqual([a.id]);
    expect([...(r.aduan.pelaporBlob(a.id) ?? [])]).toEqual([9]);

    // the address book is case-insensitive on both engines (SQLite COLLATE NOCASE, PostgreSQL ICU nocase)
    o.raw(`INSERT INTO kunci (fingerprint, role, user_id, name, has_secret, key_created, added_at) VALUES ('${'B'.repeat(40)}', 'penerima', 'u', NULL, 0, 'k', 'a')`);
    o.raw(`INSERT INTO buku_alamat (email, unit, unit_code, fingerprint, added_at) VALUES ('dinkes@example.go.id', 'Dinas Kesehatan', 'DINKES', '${'B'.repeat(40)}', 'a')`);
    expect(r.aduan.findUnit('DINKES@Example.go.id')).toEqual([{ unit: 'Dinas Kesehatan', email: 'dinkes@example.go.id' }]);
    expect(r.aduan.findUnit('dinas kesehatan')).toHaveLength(1);

    // a correction of the classification applies (json_extract on both engines); the annotation is listed
    const m = r.write((u) => u.suratMasuk.register(letter(80), SM, AT));
    r.write((u) => u.suratMasuk.classify(m.id, { derajat: 'Kilat', alasan: 'mendesak', actor: 'kasi' }, AT));
    expect(r.suratMasuk.classification(m.id)).toEqual({ sifat: 'Biasa', derajat: 'Kilat', dikoreksi: true });
    expect(r.anotasi.list('surat_masuk', m.id).map((x) => x.jenis)).toEqual(['koreksi']);
    expect(r.suratMasuk.lastId()).toBe(m.id);
    expect(verifyChain([...o.store.auditRows()])).toMatchObject({ ok: true });
  });
});

describe('SQLite and PostgreSQL side by side', () => {
  it('the same writes give the same rows and a byte-identical audit chain head', () => {
    const lite = engines[0]?.open();
    const pg = engines[1]?.open();
    if (!lite || !pg) throw new Error('engines');
    officeDay(lite.registers);
    officeDay(pg.registers);
    const head = (o: Office): string | undefined => [...o.store.auditRows()].at(-1)?.hash;
    expect(head(pg)).toBe(head(lite));
    for (const t of Object.keys(ROWID_COLUMN)) expect(pg.hashed(t), t).toEqual(lite.hashed(t));
  });
});

describe('PostgreSQL only', () => {
  it("officers' roles: the server refuses what a group may not record, and records who connected", () => {
    if (!server) throw new Error('no server');
    const name = `peran_${++dbs}`;
    const password = 'uji-peran-1';
    // the roles as `sandi db peran` prints them (this cluster's admin is a superuser; the SQL needs only CREATEROLE)
    const sql = peranSql({ officers: [{ role: 'budi', groups: ['sandiman'] }, { role: 'siti', groups: ['kasi'] }] })
      .split('\n')
      .filter((l) => !l.startsWith('--') && !l.startsWith('GRANT sandi_pemilik TO CURRENT_USER') && l.trim() !== '')
      .join('\n');
    server.psql(sql);
    server.psql(`ALTER ROLE budi PASSWORD '${password}'; ALTER ROLE siti PASSWORD '${password}'; ALTER ROLE sandi_pemilik PASSWORD '${password}';`);
    server.psql(`CREATE DATABASE ${name} OWNER sandi_pemilik`);
    // an officer cannot create the schema: PERMISSION, saying the owner must; nothing half made
    const early = connect(name, { user: 'budi', password });
    expect(codeOf(() => migratePg(early))).toBe('PERMISSION store.pgMigrateNotOwner');
    expect(early.query("SELECT count(*)::int AS n FROM pg_namespace WHERE nspname = 'sandi'").rows).toEqual([{ n: 0 }]);
    const owner = connect(name, { user: 'sandi_pemilik', password });
    migratePg(owner); // as the owner; the groups exist, so their grants are applied
    owner.close();
    // on an up-to-date schema an officer's migrate changes nothing and does not fail
    expect(migratePg(early)).toBe(PG_SCHEMA_VERSION);
    early.close();

    const budi = openPgStore(connect(name, { user: 'budi', password }));
    const siti = openPgStore(connect(name, { user: 'siti', password }));
    cleanups.push(() => budi.pg.closed || budi.close(), () => siti.pg.closed || siti.close());
    const rb = pgRegisters(budi);
    const rs = pgRegisters(siti);
    const id = rb.write((u) => {
      const k = u.kriptogramKeluar.register({ sandiman: 'budi', recipients: [{ email: 'a@example.go.id', unit: 'Dinas A' }], sifat: 'Biasa', derajat: 'Biasa', perihal: 'x' }, AT);
      u.kriptogramKeluar.setStatus(k.id, 'diparaf', { parafFpr: 'A'.repeat(40) }, AT, 'budi');
      return k.id;
    });
    // the sandiman cannot record the Kasi's signature; the Kasi can, and cannot register
    expect(codeOf(() => rb.write((u) => u.kriptogramKeluar.setStatus(id, 'ditandatangani', { signer: 'kasi' }, AT, 'budi')))).toBe('PERMISSION store.pgNotAllowed');
    rs.write((u) => u.kriptogramKeluar.setStatus(id, 'ditandatangani', { signer: 'siti' }, AT, 'siti'));
    expect(codeOf(() => rs.write((u) => u.kriptogramKeluar.register({ sandiman: 'siti', recipients: [{ email: 'a@example.go.id', unit: 'Dinas A' }], sifat: 'Biasa', derajat: 'Biasa', perihal: 'y' }, AT)))).toBe('PERMISSION store.pgNotAllowed');
    // incoming: the sandiman registers and prints; only the Kasi records the paraf (step policy and column grant)
    const m = rb.write((u) => {
      const x = u.suratMasuk.register(letter(12), SM, AT);
      u.suratMasuk.setStatus(x.id, 'dicetak', AT, 'budi');
      u.suratMasuk.addStep(x.id, 'cetak', {}, AT, 'budi');
      return x;
    });
    expect(codeOf(() => rb.write((u) => u.suratMasuk.addStep(m.id, 'paraf', {}, AT, 'budi')))).toBe('PERMISSION store.pgNotAllowed');
    expect(codeOf(() => rb.write((u) => u.suratMasuk.setStatus(m.id, 'diparaf', AT, 'budi')))).toBe('PERMISSION store.pgNotAllowed');
    // the refusal names the officer's role and the groups it is actually in, not every group of the office
    const refused = (() => {
      try {
        rb.write((u) => u.suratMasuk.addStep(m.id, 'paraf', {}, AT, 'budi'));
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(refused).toBeInstanceOf(SandiError);
    expect((refused as SandiError).params).toMatchObject({ user: 'budi', groups: 'sandi_sandiman' });
    rs.write((u) => {
      u.suratMasuk.addStep(m.id, 'paraf', { tingkat: 'kasi' }, AT, 'siti');
      u.suratMasuk.setStatus(m.id, 'diparaf', AT, 'siti');
    });
    expect(rb.suratMasuk.get(m.id).status).toBe('diparaf');
    expect(rb.write((u) => u.kriptogramKeluar.assignNumber(id, KRIP, AT, 'budi')).nomor).toBe('KRIP/001/XI/2026');
    expect(() => budi.pg.query('DELETE FROM kriptogram_keluar')).toThrow(/permission denied/);
    // each event names the database role that wrote it, as the server saw it
    const who = [...auditDbUsers(budi).values()];
    expect(who).toEqual(['budi', 'budi', 'siti', 'budi', 'budi', 'budi', 'siti', 'siti', 'budi']);
    expect(verifyChain([...budi.auditRows()])).toMatchObject({ ok: true });
    // an ordinary letter: the sandiman signs it (README, SOP; as on SQLite) — kirim --biasa --tandatangani
    const biasa = rb.write((u) => {
      const l = u.suratKeluar.register({ operator: 'budi', recipients: [{ email: 'a@example.go.id', unit: 'Dinas A' }], perihal: 'biasa' }, AT);
      return u.suratKeluar.setStatus(l.id, 'ditandatangani', { signer: 'budi', signerFpr: 'B'.repeat(40) }, AT, 'budi');
    });
    expect(biasa).toMatchObject({ status: 'ditandatangani', signer: 'budi', signerFpr: 'B'.repeat(40) });
  });

  it('migrations: versioned in schema_version, applied once; opening a store never migrates; a newer schema is refused', () => {
    if (!server) throw new Error('no server');
    const name = `migrasi_${++dbs}`;
    server.createDatabase(name);
    const pg = connect(name);
    cleanups.push(() => pg.closed || pg.close());
    expect(codeOf(() => openPgStore(pg))).toBe('CONFIG store.pgNotMigrated');
    expect(migratePg(pg)).toBe(PG_SCHEMA_VERSION);
    expect(migratePg(pg)).toBe(PG_SCHEMA_VERSION); // again: nothing to do
    expect(pg.query<{ version: number }>('SELECT version FROM sandi.schema_version ORDER BY version').rows.map((r) => r.version)).toEqual(
      Array.from({ length: PG_SCHEMA_VERSION }, (_, i) => i + 1),
    );
    pg.query("INSERT INTO sandi.schema_version VALUES (99, 'dari sandi yang lebih baru', 'x')");
    expect(codeOf(() => migratePg(pg))).toBe('CONFIG store.tooNew');
    expect(codeOf(() => openPgStore(pg))).toBe('CONFIG store.tooNew');
  });

  it('a whole register listed streams through a server-side cursor, a page at a time; stopping early closes it', () => {
    const pg = connect(freshPgDatabase());
    const store = openPgStore(pg);
    cleanups.push(() => pg.closed || store.close());
    const n = 5 * STREAM_PAGE + 7;
    pg.query(
      `INSERT INTO kriptogram_keluar (registered_at, sandiman, recipients, sifat, derajat, perihal)
         SELECT '2026-11-10T03:00:00.000Z', 'sandi', '[{"email":"a@example.go.id","unit":"A"}]', 'Biasa', 'Biasa', 'p' || g FROM generate_series(1, $1) g`,
      [n],
    );
    const openCursors = (): number => Number(pg.query<{ n: string }>('SELECT count(*) AS n FROM pg_cursors').rows[0]?.n ?? 0);
    const it = pgRegisters(store).kriptogramKeluar.list();
    expect(it.next().value?.id).toBe(1);
    // one page in this process, the rest on the server behind the cursor
    expect(openCursors()).toBe(1);
    let seen = 1;
    let last = 1;
    for (const r of it) {
      expect(r.id).toBe(last + 1);
      last = r.id;
      if (++seen === 2 * STREAM_PAGE + 3) break;
    }
    expect(openCursors()).toBe(0);
    expect([...pgRegisters(store).kriptogramKeluar.list()].length).toBe(n);
    expect(openCursors()).toBe(0);
  });

  it('serialises units of work that write, as the port asks: a second workstation waits for the first unit to end', () => {
    const name = freshPgDatabase();
    const a = openPgStore(connect(name));
    const bPg = connect(name);
    const b = openPgStore(bPg);
    cleanups.push(() => a.pg.closed || a.close(), () => b.pg.closed || b.close());
    bPg.query("SET lock_timeout = '300ms'"); // instead of waiting (one thread holds both connections here)
    const ra = pgRegisters(a);
    const rb = pgRegisters(b);
    const seen = ra.write((u) => {
      numberOne(u);
      // another book, another workstation: it still waits for this unit (here: gives up, TEMPFAIL, nothing written)
      return codeOf(() => rb.write((v) => v.suratMasuk.register(letter(3), SM, AT)));
    });
    expect(seen).toBe('TEMPFAIL store.busy');
    expect([...rb.suratMasuk.list()]).toHaveLength(0);
    expect(rb.write((v) => v.suratMasuk.register(letter(3), SM, AT)).nomor).toBe('SM/001/XI/2026');
    expect(verifyChain([...b.auditRows()])).toMatchObject({ ok: true });
  });

  it('several processes numbering at once on one database: exactly 1..N, one chain', async () => {
    if (!server) throw new Error('no server');
    const dist = join(process.cwd(), 'dist/adapters/postgres/store.js');
    if (!existsSync(dist)) throw new Error('run `npm run build` first: the writer processes run dist/');
    const name = freshPgDatabase();
    const script = `
      const { openPgSync } = await import(${JSON.stringify(join(process.cwd(), 'dist/adapters/postgres/sync-client.js'))});
      const { openPgStore } = await import(${JSON.stringify(dist)});
      const { pgRegisters } = await import(${JSON.stringify(join(process.cwd(), 'dist/adapters/postgres/registers.js'))});
      const o = JSON.parse(process.argv[1]);
      const store = openPgStore(openPgSync(o.conn));
      const r = pgRegisters(store);
      const at = new Date('2026-11-10T03:00:00Z');
      const out = [];
      for (let i = 0; i < o.n; i++) {
        out.push(r.write((u) => {
          const k = u.kriptogramKeluar.register({ sandiman: 'w' + o.w, recipients: [{ email: 'a@example.go.id', unit: 'Dinas A' }], sifat: 'Biasa', derajat: 'Biasa', perihal: 'p' + i }, at);
          u.kriptogramKeluar.setStatus(k.id, 'diparaf', {}, at, 'w' + o.w);
          u.kriptogramKeluar.setStatus(k.id, 'ditandatangani', { signer: 'kasi' }, at, 'kasi');
          return u.kriptogramKeluar.assignNumber(k.id, { format: '{urut:3}/{tahun}', timeZone: 'Asia/Jakarta' }, at, 'w' + o.w).urut;
        }));
      }
      store.close();
      process.stdout.write(JSON.stringify(out));`;
    const conn = { host: server.host, port: server.port, user: server.adminUser, password: server.adminPassword, database: name, sslmode: 'disable' };
    const WRITERS = 4;
    const EACH = 25;
    const results = await Promise.all(
      Array.from({ length: WRITERS }, (_, w) =>
        new Promise<number[]>((resolve, reject) => {
          const p = spawn(process.execPath, ['--input-type=module', '-e', script, JSON.stringify({ conn, w, n: EACH })], { stdio: ['ignore', 'pipe', 'pipe'] });
          let out = '';
          let err = '';
          p.stdout.on('data', (d: Buffer) => (out += d.toString()));
          p.stderr.on('data', (d: Buffer) => (err += d.toString()));
          p.on('close', (code) => (code === 0 ? resolve(JSON.parse(out) as number[]) : reject(new Error(`writer ${w} exited ${String(code)}: ${err}`))));
        }),
      ),
    );
    const all = results.flat().sort((a, b) => a - b);
    expect(all).toEqual(Array.from({ length: WRITERS * EACH }, (_, i) => i + 1));
    const pg = connect(name);
    try {
      const store = openPgStore(pg);
      expect(verifyChain([...store.auditRows()], { highestIssuedId: store.auditHighestIssuedId() })).toMatchObject({ ok: true });
      expect([...store.auditRows()]).toHaveLength(WRITERS * EACH * 4);
    } finally {
      pg.close();
    }
  }, 120_000);
});
