/**
 * `sandi db salin --ke URL` (issue 15 §4): a SQLite office made by `sandi demo`, plus a few rows of each kind
 * written through the register port, copied into an empty PostgreSQL office schema by the real CLI; the copy
 * has the same rows (hashes), the same audit chain head, passes the audit checks; the home then points at it.
 * A second copy into the now non-empty target is refused; a failure mid-copy leaves the target without a row
 * and with every guard trigger enabled. The archive folder goes into the database's archive too (every name,
 * the same SHA-256 and size, temporary files left out): after the move the home reads its checkpoints from the
 * database with its arsip/ folder moved away; a run refused after the archive copy is resumed by the next one.
 * One private PostgreSQL for the file.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { openStore } from '../../src/adapters/sqlite/store.js';
import { sqliteRegisters } from '../../src/adapters/sqlite/registers/port.js';
import { hashedRows } from '../../src/adapters/sqlite/audit-binding.js';
import { openPgSync, type PgSync } from '../../src/adapters/postgres/sync-client.js';
import { openPgStore, pgHashedRows } from '../../src/adapters/postgres/store.js';
import { migratePg } from '../../src/adapters/postgres/migrate.js';
import { ROWID_COLUMN } from '../../src/adapters/postgres/schema.js';
import { SALIN_TABLES, compareOffices } from '../../src/adapters/postgres/salin.js';
import { DEFAULT_FORMATS } from '../../src/domain/numbering.js';
import { folderArsip } from '../../src/adapters/arsip-folder.js';
import { startPostgres, type PgServer } from '../helpers/postgres.js';

const BIN = resolve('bin/sandi.js');
const AT = new Date('2026-11-10T03:00:00Z');
const SM = { format: DEFAULT_FORMATS.surat_masuk, timeZone: 'Asia/Jakarta' };

let server: PgServer;
let dir: string;
let home: string;

const sandi = (args: string[], h = home): { status: number | null; stdout: string; stderr: string } => {
  const r = spawnSync(process.execPath, [BIN, '--home', h, ...args], {
    encoding: 'utf8',
    env: { ...process.env, ...server.env, SANDI_DB: '', SANDI_NO_INPUT: '1', SANDI_LANG: 'id' },
    timeout: 60_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
};

const connect = (database: string): PgSync =>
  openPgSync({ host: server.host, port: server.port, user: server.adminUser, password: server.adminPassword, database, sslmode: 'disable' });

/** Rows of each kind the demo does not make: incoming mail with steps and a date, a fetch position, a complaint and its step, annotations. */
function moreRows(dbPath: string, raw: { sha256: string; size: number }): void {
  const store = openStore(dbPath);
  try {
    const r = sqliteRegisters(store);
    r.write((u) => {
      const m = u.suratMasuk.register(
        {
          operator: 'sandi',
          diterimaAt: '2026-11-10T01:00:00.000Z',
          pengirim: 'Setda <setda@example.go.id>',
          perihal: 'Undangan Rapat',
          rawSha256: raw.sha256,
          rawSize: raw.size,
          source: { sumber: 'imap', folder: 'INBOX', uidvalidity: 4_000_000_000, uid: 5 },
        },
        SM,
        AT,
      );
      u.posisiFolder.set('kantor', 'INBOX', { uidvalidity: 4_000_000_000, lastUid: 5 }, AT);
      u.suratMasuk.recordLetterDate(m.id, '2026-11-09');
      u.suratMasuk.setStatus(m.id, 'dicetak', AT, 'sandi');
      u.suratMasuk.addStep(m.id, 'cetak', { printer: 'lp0' }, AT, 'sandi');
      u.suratMasuk.classify(m.id, { sifat: 'Rahasia', alasan: 'isi rahasia', actor: 'kasi' }, AT);
      const a = u.anotasi.annotate({ buku: 'surat_masuk', baris: m.id, actor: 'kasi', catatan: 'dibahas Senin' }, AT);
      u.anotasi.annotate({ buku: 'surat_masuk', baris: m.id, actor: 'kasi', catatan: 'salah ketik', koreksi: { kolom: 'perihal', nilai: 'Undangan Rapat Koordinasi' }, mengoreksi: a.id }, AT);
    });
    r.write((u) => {
      const c = u.aduan.register(
        { tahun: 2026, sumber: 'catat', kanal: 'lapor', nomorPelacakan: 'LPR-1', jenis: 'pengaduan', kategori: null, judul: 'Jalan rusak', kronologi: null, diterimaAt: AT, kerahasiaan: 'anonim', pelaporTerenkripsi: null, lampiran: [] },
        AT,
        'sandi',
      );
      u.aduan.recordStep(c.id, { aksi: 'disposisi', from: 'diterima', to: 'didisposisi', catatan: 'ke PU', opd: { unit: 'Dinas PU', email: null } }, AT, 'sandi');
    });
  } finally {
    store.close();
  }
}

const sqliteHashes = (dbPath: string): Record<string, { rowid: number; hash: string }[]> => {
  const s = openStore(dbPath, { readonly: true });
  try {
    return Object.fromEntries(Object.keys(ROWID_COLUMN).map((t) => [t, [...hashedRows(s.db, t)]]));
  } finally {
    s.close();
  }
};

const countRows = (pg: PgSync): number =>
  SALIN_TABLES.reduce((n, t) => n + Number(pg.query<{ n: string }>(`SELECT count(*) AS n FROM sandi.${t}`).rows[0]?.n ?? 0), 0);

beforeAll(async () => {
  server = await startPostgres();
  dir = mkdtempSync(join(tmpdir(), 'sandi-salin-'));
  const demo = spawnSync(process.execPath, [BIN, 'demo'], { cwd: dir, encoding: 'utf8', env: { ...process.env, SANDI_DB: '', SANDI_HOME: '', SANDI_NO_INPUT: '1' }, timeout: 60_000 });
  expect(demo.status, demo.stderr).toBe(0);
  home = join(dir, '.sandi-demo');
  // the archive beyond the demo's kriptogram, draft and checkpoint: a raw message of three chunks, a complaint
  // attachment, an ordinary letter's part, and a killed write's temporary file (not a name: never copied)
  const put = (name: string, data: Buffer): void => {
    const p = join(home, 'arsip', ...name.split('/'));
    mkdirSync(join(p, '..'), { recursive: true, mode: 0o700 });
    writeFileSync(p, data, { mode: 0o600 });
  };
  const raw = Buffer.alloc((2 << 20) + 12345, 'Subject: Undangan Rapat\r\n\r\nisi ');
  const rawSha = createHash('sha256').update(raw).digest('hex');
  put(`surat-masuk/${rawSha.slice(0, 2)}/${rawSha}.eml`, raw);
  moreRows(join(home, 'sandi.db'), { sha256: rawSha, size: raw.length });
  put('aduan/bb/' + 'b'.repeat(64) + '.eml', Buffer.from('lampiran aduan'));
  put('surat-keluar/' + 'c'.repeat(64) + '.part', Buffer.from('bagian surat'));
  put(`surat-masuk/${rawSha.slice(0, 2)}/.${rawSha}.eml.999.abcdef.tmp`, Buffer.from('separuh'));
}, 180_000);

/** The home's archive as names → SHA-256 and size (temporary files are not names). */
const folderNames = (arsip: string): Record<string, string> => {
  const a = folderArsip(arsip);
  return Object.fromEntries(a.list('').map((n) => [n, `${a.stat(n)!.sha256} ${a.stat(n)!.size}`]));
};
const dbNames = (pg: PgSync): Record<string, string> =>
  Object.fromEntries(
    pg.query<{ name: string; sha256: string; size: string }>('SELECT n.name, c.sha256, c.size FROM sandi.arsip_nama n JOIN sandi.arsip_isi c USING (sha256) ORDER BY n.name').rows.map((r) => [r.name, `${r.sha256} ${r.size}`]),
  );

afterAll(async () => {
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  await server?.stop();
});

describe('sandi db salin', () => {
  it('copies every table with the same rows and chain head, verifies both sides, points the home at it; a second copy is refused', () => {
    server.createDatabase('kantor');
    const before = sqliteHashes(join(home, 'sandi.db'));
    const src = openStore(join(home, 'sandi.db'), { readonly: true });
    const srcHead = src.db.prepare('SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1').get() as { id: number; hash: string };
    const srcCounts = Object.fromEntries(SALIN_TABLES.map((t) => [t, (src.db.prepare(`SELECT count(*) AS n FROM ${t}`).get() as { n: number }).n]));
    src.close();
    for (const t of ['kunci', 'buku_alamat', 'kriptogram_keluar', 'surat_masuk', 'surat_masuk_langkah', 'surat_masuk_tanggal', 'anotasi', 'aduan', 'aduan_langkah', 'terima_folder', 'nomor_urut', 'audit_log']) {
      expect(srcCounts[t], t).toBeGreaterThan(0);
    }

    const files = folderNames(join(home, 'arsip'));
    expect(Object.keys(files).length).toBe(8);

    const r = sandi(['--json', 'db', 'salin', '--ke', server.url('kantor'), '--pengguna', 'budi']);
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as {
      tables: Record<string, number>;
      head: { id: number; hash: string };
      copy: { registerRows: number; checkpoints: number };
      config: { url: string };
      arsip: { files: number; written: number; same: number };
      staysInHome: string[];
    };
    expect(out.tables).toEqual(srcCounts);
    expect(out.head).toEqual(srcHead);
    // the archive: every name with the file's SHA-256 and size, no temporary file; checked on the copy's own checkpoint
    expect(out.arsip).toMatchObject({ files: 8, written: 8, same: 0 });
    expect(out.copy.checkpoints).toBe(1);
    expect(out.staysInHome).toEqual([join(home, 'kunci')]);

    const pg = connect('kantor');
    try {
      const store = openPgStore(pg);
      expect(dbNames(pg)).toEqual(files);
      for (const t of Object.keys(ROWID_COLUMN)) expect([...pgHashedRows(store, t)], t).toEqual(before[t]);
      expect(pg.query('SELECT id, hash FROM audit_kepala').rows[0]).toEqual(srcHead);
      // the guards are back: an UPDATE of a settled row and a DELETE are refused by the server, and the chain continues only at its head
      expect(() => pg.query("UPDATE kriptogram_keluar SET nomor = 'X' WHERE id = 1")).toThrow(/sandi:/);
      expect(() => pg.query('DELETE FROM aduan_langkah')).toThrow(/sandi:append_only/);
      expect(pg.query("SELECT count(*) AS n FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'sandi' AND NOT t.tgisinternal AND t.tgenabled = 'D'").rows[0]).toEqual({ n: 0 });
      // the comparison db salin makes before committing finds nothing on the copy, and does find a row changed behind it
      const src2 = openStore(join(home, 'sandi.db'), { readonly: true });
      try {
        expect(compareOffices(src2.db, store)).toEqual([]);
        pg.query('BEGIN');
        pg.query('ALTER TABLE sandi.aduan DISABLE TRIGGER USER');
        pg.query("UPDATE sandi.aduan SET judul = 'diubah' WHERE id = 1");
        expect(compareOffices(src2.db, store).map((d) => `${d.table} ${d.what} ${d.detail}`)).toEqual(['aduan row rowid 1']);
        pg.query('ROLLBACK');
      } finally {
        src2.close();
      }
      // identities continue after the ids kept
      expect(Number(pg.query("SELECT nextval(pg_get_serial_sequence('sandi.anotasi', 'id')) AS v").rows[0]?.['v'])).toBeGreaterThan(srcCounts['anotasi'] ?? 0);
    } finally {
      pg.close();
    }
    const cfg = JSON.parse(readFileSync(join(home, 'config.json'), 'utf8')) as { db: { url: string; sslmode: string } };
    expect(cfg.db.url).toBe(`postgresql://budi@${server.host}:${server.port}/kantor`);
    expect(cfg.db.url).not.toContain(server.adminPassword);
    expect(readFileSync(join(home, 'config.json'), 'utf8')).not.toContain(server.adminPassword);

    // the home now reads its archive from the database: its arsip/ folder moved away, audit periksa still
    // verifies the demo's signed checkpoint (read from the database's archive) against the copied chain
    renameSync(join(home, 'arsip'), join(dir, 'arsip-lama'));
    const periksa = sandi(['--json', '--db', server.url('kantor'), 'audit', 'periksa']);
    expect(periksa.status, periksa.stderr).toBe(0);
    const titik = Object.keys(files).find((n) => n.startsWith('audit/titik-'))!;
    expect(JSON.parse(periksa.stdout)).toMatchObject({ ok: true, lastId: srcHead.id, checkpoints: { verified: 1, newest: { id: Number(titik.slice(12, 24)) } } });
    // and terima's raw mail: arsip-periksa re-hashes the registered letter's message from the database
    const arsipPeriksa = sandi(['--json', '--db', server.url('kantor'), 'terima', 'arsip-periksa']);
    expect(arsipPeriksa.status, arsipPeriksa.stderr).toBe(0);
    expect(JSON.parse(arsipPeriksa.stdout)).toMatchObject({ diperiksa: 1, rusak: [], hilang: [] });

    // a second home (a copy of the SQLite office, before the move) into the same, now filled, target: refused, target unchanged
    const again = mkdtempSync(join(tmpdir(), 'sandi-salin2-'));
    try {
      cpSync(home, again, { recursive: true });
      const c = JSON.parse(readFileSync(join(again, 'config.json'), 'utf8')) as Record<string, unknown>;
      delete c['db'];
      writeFileSync(join(again, 'config.json'), JSON.stringify(c), { mode: 0o600 });
      const r2 = sandi(['db', 'salin', '--ke', server.url('kantor')], again);
      expect(r2.status).toBe(65);
      expect(r2.stderr).toMatch(/tidak kosong/);
      const pg2 = connect('kantor');
      try {
        expect(countRows(pg2)).toBe(Object.values(srcCounts).reduce((a, b) => a + b, 0));
      } finally {
        pg2.close();
      }
    } finally {
      rmSync(again, { recursive: true, force: true });
    }
  }, 120_000);

  it("an officer's role (not the schema's owner) is refused with 77, before reading anything, and nothing is written", () => {
    server.psql("CREATE ROLE budi LOGIN PASSWORD 'rahasia-budi'", { db: 'postgres' });
    server.createDatabase('petugas');
    const pg = connect('petugas');
    try {
      migratePg(pg); // the owner (here the admin) made the schema
      const work = mkdtempSync(join(tmpdir(), 'sandi-salin4-'));
      try {
        cpSync(home, work, { recursive: true });
        const c = JSON.parse(readFileSync(join(work, 'config.json'), 'utf8')) as Record<string, unknown>;
        delete c['db'];
        writeFileSync(join(work, 'config.json'), JSON.stringify(c), { mode: 0o600 });
        const r = spawnSync(process.execPath, [BIN, '--home', work, 'db', 'salin', '--ke', `postgresql://budi@${server.host}:${server.port}/petugas`], {
          encoding: 'utf8',
          env: { ...process.env, ...server.env, PGPASSWORD: 'rahasia-budi', SANDI_DB: '', SANDI_NO_INPUT: '1', SANDI_LANG: 'id' },
          timeout: 60_000,
        });
        expect(r.status, r.stderr).toBe(77);
        expect(r.stderr).toMatch(/bukan pemilik skema sandi/);
        expect(countRows(pg)).toBe(0);
        expect(JSON.parse(readFileSync(join(work, 'config.json'), 'utf8'))).not.toHaveProperty('db');
      } finally {
        rmSync(work, { recursive: true, force: true });
      }
    } finally {
      pg.close();
    }
  }, 60_000);

  it('a row the target refuses mid-copy leaves no register row in the target and every guard enabled; the next run resumes the archive', () => {
    server.createDatabase('gagal');
    const pg = connect('gagal');
    try {
      // the owner migrated the schema beforehand; a late table is made to refuse the second annotation
      const work = mkdtempSync(join(tmpdir(), 'sandi-salin3-'));
      try {
        cpSync(home, work, { recursive: true });
        cpSync(join(dir, 'arsip-lama'), join(work, 'arsip'), { recursive: true }); // the archive as it was before the move
        const c = JSON.parse(readFileSync(join(work, 'config.json'), 'utf8')) as Record<string, unknown>;
        delete c['db'];
        writeFileSync(join(work, 'config.json'), JSON.stringify(c), { mode: 0o600 });
        migratePg(pg);
        pg.query('ALTER TABLE sandi.anotasi ADD CONSTRAINT uji_tolak CHECK (id < 2)');
        const r = sandi(['db', 'salin', '--ke', server.url('gagal')], work);
        expect(r.status, r.stderr).toBe(81);
        expect(r.stderr).toMatch(/anotasi/);
        expect(countRows(pg)).toBe(0);
        expect(pg.query('SELECT id FROM sandi.audit_kepala').rows[0]).toEqual({ id: 0 });
        expect(pg.query("SELECT count(*) AS n FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'sandi' AND NOT t.tgisinternal AND t.tgenabled = 'D'").rows[0]).toEqual({ n: 0 });
        // the home is not pointed at a database that holds nothing
        expect(JSON.parse(readFileSync(join(work, 'config.json'), 'utf8'))).not.toHaveProperty('db');
        // the archive was copied before the registers (name by name): it stays, complete and verified, and the
        // next run — the refusal settled — resumes: every name found with the same bytes, none written twice
        const files = folderNames(join(work, 'arsip'));
        expect(dbNames(pg)).toEqual(files);
        pg.query('ALTER TABLE sandi.anotasi DROP CONSTRAINT uji_tolak');
        const again = sandi(['--json', 'db', 'salin', '--ke', server.url('gagal')], work);
        expect(again.status, again.stderr).toBe(0);
        expect(JSON.parse(again.stdout)).toMatchObject({ arsip: { files: Object.keys(files).length, written: 0, same: Object.keys(files).length }, copy: { checkpoints: 1 } });
        expect(countRows(pg)).toBeGreaterThan(0);
        expect(dbNames(pg)).toEqual(files);
      } finally {
        rmSync(work, { recursive: true, force: true });
      }
    } finally {
      pg.close();
    }
  }, 120_000);
});
