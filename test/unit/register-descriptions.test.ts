/**
 * Each register is described once (src/domain/registers/); these tests hold the description to the real SQLite
 * schema of a freshly migrated temp database and to the domain:
 * - every column of every register table (PRAGMA table_info) is described exactly once, with its kind and
 *   nullability, and every described column exists;
 * - the transitions are the domain's own tables, and the triggers the database runs are the ones generated from
 *   the description (migrations 2 and 5); the complaint register's hand-written triggers (migration 7, frozen)
 *   are probed move by move against the domain's table;
 * - the export columns are the catalog's, and a plain export column is a table column of the same kind;
 * - a row read through the store's generated mapper carries every described field with the row's value.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from '../../src/adapters/sqlite/driver.js';
import { openStore, type Store } from '../../src/adapters/sqlite/store.js';
import { migrations } from '../../src/adapters/sqlite/migrations.js';
import { appendOnlyTriggers } from '../../src/adapters/sqlite/triggers.js';
import { ADUAN_FIXED_V7, ADUAN_STATUS_PAIRS_V7 } from '../../src/adapters/sqlite/migration-007-aduan.js';
import { REGISTERS } from '../../src/adapters/sqlite/agenda-registers.js';
import * as reg from '../../src/adapters/sqlite/registers.js';
import { registerAduan, type Aduan } from '../../src/adapters/sqlite/aduan.js';
import { sqliteAkunStore } from '../../src/adapters/sqlite/akun.js';
import {
  ADUAN_REGISTER,
  ADUAN_STATUS_TRANSITIONS,
  AKUN_ROTASI_REGISTER,
  KRIPTOGRAM_KELUAR_REGISTER,
  KRIPTOGRAM_MASUK_REGISTER,
  MIGRATION_2_REGISTERS,
  REGISTER_DEFINITIONS,
  SURAT_KELUAR_REGISTER,
  SURAT_MASUK_REGISTER,
  type RegisterDefinition,
  type TableColumn,
} from '../../src/domain/registers/index.js';
import { REGISTER_CATALOG } from '../../src/domain/register-catalog.js';
import { KRIPTOGRAM_KELUAR_TRANSITIONS, OUTGOING_STATUSES, SURAT_KELUAR_TRANSITIONS } from '../../src/domain/outgoing-state.js';
import { KRIPTOGRAM_MASUK_STATUSES, KRIPTOGRAM_MASUK_TRANSITIONS, SURAT_MASUK_STATUSES, SURAT_MASUK_TRANSITIONS } from '../../src/domain/incoming-state.js';
import { ADUAN_STATUSES, legalStatusPairs } from '../../src/domain/aduan.js';
import { ROTASI_TRANSITIONS, type RotasiRow } from '../../src/domain/akun.js';
import type { KriptogramKeluar, SuratKeluar } from '../../src/domain/records-keluar.js';
import type { KriptogramMasuk, SuratMasuk } from '../../src/domain/records-masuk.js';
import { DEFAULT_FORMATS } from '../../src/domain/numbering.js';

let dir: string;
let store: Store;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'sandi-regdesc-'));
  store = openStore(join(dir, 'sandi.db'));
});
afterAll(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

interface PragmaColumn {
  name: string;
  type: string;
  notnull: number;
  pk: number;
}
const tableInfo = (table: string): PragmaColumn[] => store.db.prepare(`SELECT name, type, "notnull", pk FROM pragma_table_info(?)`).all(table) as PragmaColumn[];
const createSql = (table: string): string => (store.db.prepare(`SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?`).get(table) as { sql: string }).sql;
const SQL_TYPE: Readonly<Record<TableColumn['kind'], string>> = { text: 'TEXT', time: 'TEXT', json: 'TEXT', integer: 'INTEGER', bool: 'INTEGER', blob: 'BLOB' };
const nonEmpty = (t: Readonly<Record<string, readonly string[]>>) => Object.fromEntries(Object.entries(t).filter(([, v]) => v.length > 0));
const byTable = (d: RegisterDefinition): [string, RegisterDefinition] => [d.table, d];

describe('every register table is described once', () => {
  it.each(REGISTER_DEFINITIONS.map(byTable))('%s: each real column exactly once, with its kind and nullability; no described column is missing', (table, d) => {
    const real = tableInfo(table);
    expect(real.length).toBeGreaterThan(5);
    expect(d.columns.map((c) => c.name).sort()).toEqual(real.map((c) => c.name).sort());
    for (const r of real) {
      const described = d.columns.filter((c) => c.name === r.name);
      expect(described, `${table}.${r.name}`).toHaveLength(1);
      const c = described[0] as TableColumn;
      expect(SQL_TYPE[c.kind], `${table}.${r.name} kind`).toBe(r.type);
      // an INTEGER PRIMARY KEY is the rowid: never NULL, though PRAGMA reports notnull 0
      expect(c.nullable, `${table}.${r.name} nullable`).toBe(r.pk === 0 && r.notnull === 0);
      // a JSON column is one the table checks with json_valid
      expect(c.kind === 'json', `${table}.${r.name} json`).toBe(createSql(table).includes(`json_valid(${r.name})`));
    }
  });

  it.each(REGISTER_DEFINITIONS.map(byTable))('%s: every column has one protection, exactly one is the status', (table, d) => {
    const p = d.protection;
    const classes = (name: string) =>
      [p.fixed.includes(name), name in p.fill, (p.once ?? []).includes(name), (p.mutable ?? []).includes(name), name === 'status'].filter(Boolean).length;
    for (const c of d.columns) expect(classes(c.name), `${table}.${c.name}`).toBe(1);
    expect(d.columns.filter((c) => c.rule === 'status').map((c) => c.name)).toEqual(['status']);
    expect(p.table).toBe(table);
  });
});

describe('transitions: the domain tables are the ones the triggers enforce', () => {
  it('each description holds the domain table itself, and its protection the same moves', () => {
    const expected: [RegisterDefinition, Readonly<Record<string, readonly string[]>>][] = [
      [KRIPTOGRAM_KELUAR_REGISTER, KRIPTOGRAM_KELUAR_TRANSITIONS],
      [SURAT_KELUAR_REGISTER, SURAT_KELUAR_TRANSITIONS],
      [SURAT_MASUK_REGISTER, SURAT_MASUK_TRANSITIONS],
      [KRIPTOGRAM_MASUK_REGISTER, KRIPTOGRAM_MASUK_TRANSITIONS],
      [AKUN_ROTASI_REGISTER, ROTASI_TRANSITIONS],
      [ADUAN_REGISTER, ADUAN_STATUS_TRANSITIONS],
    ];
    for (const [d, domain] of expected) {
      expect(d.transitions, d.table).toBe(domain);
      expect(d.protection.transitions, d.table).toEqual(nonEmpty(domain));
    }
  });

  it.each([...MIGRATION_2_REGISTERS, AKUN_ROTASI_REGISTER].map(byTable))('%s: the triggers in the migrated database are those generated from the description', (table, d) => {
    const generated = appendOnlyTriggers(d.protection)
      .split(/;\n\s*(?=CREATE TRIGGER)/)
      .map((t) => t.replace(/;$/, ''));
    const inDb = (store.db.prepare(`SELECT sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ? AND name NOT LIKE '%\\_cari\\_%' ESCAPE '\\'`).all(table) as { sql: string }[]).map((r) => r.sql);
    expect(generated.length).toBeGreaterThanOrEqual(4);
    expect(inDb.sort()).toEqual(generated.sort());
  });

  it("aduan: migration 7's frozen triggers keep exactly the description's fixed columns and the domain's status pairs", () => {
    expect(ADUAN_REGISTER.protection.fixed).toEqual(ADUAN_FIXED_V7);
    expect(ADUAN_REGISTER.protection.initial).toBe('diterima');
    const key = (p: readonly [string, string]) => `${p[0]}>${p[1]}`;
    const described = Object.entries(ADUAN_STATUS_TRANSITIONS).flatMap(([from, tos]) => tos.map((to) => [from, to] as const));
    expect(described.map(key).sort()).toEqual(ADUAN_STATUS_PAIRS_V7.map(key).sort());
    expect(described.map(key).sort()).toEqual(legalStatusPairs().map(key).sort());
  });

  it('aduan: every from → to move on a real row passes the triggers exactly when the domain allows it', () => {
    let n = 0;
    const newRow = (): number => {
      n++;
      const info = store.db
        .prepare(
          `INSERT INTO aduan (nomor, tahun, urut, registered_at, operator, sumber, kanal, nomor_pelacakan, jenis, judul, diterima_at, kerahasiaan, status, status_at)
           VALUES (?, 1999, ?, '2026-11-19T03:00:00.000Z', 'op', 'catat', 'probe', ?, 'pengaduan', 'Probe', '2026-11-19T03:00:00.000Z', 'anonim', 'diterima', '2026-11-19T03:00:00.000Z')`,
        )
        .run(`PRB/${n}`, n, `P-${n}`);
      return Number(info.lastInsertRowid);
    };
    const move = (id: number, from: string, to: string): boolean => {
      try {
        store.db.prepare(`UPDATE aduan SET status = ?, ditunda_dari = ?, opd = coalesce(opd, 'Dinas Probe') WHERE id = ?`).run(to, to === 'ditunda' ? from : null, id);
        return true;
      } catch (e) {
        if (e instanceof Database.SqliteError && e.message.includes('sandi:transition:aduan')) return false;
        throw e;
      }
    };
    const pathTo = (target: string): string[] => {
      const queue: string[][] = [['diterima']];
      for (let p = queue.shift(); p !== undefined; p = queue.shift()) {
        const last = p[p.length - 1] as string;
        if (last === target) return p;
        for (const next of ADUAN_STATUS_TRANSITIONS[last as keyof typeof ADUAN_STATUS_TRANSITIONS]) if (!p.includes(next)) queue.push([...p, next]);
      }
      throw new Error(`${target} unreachable`);
    };
    let checked = 0;
    for (const from of ADUAN_STATUSES) {
      for (const to of ADUAN_STATUSES) {
        if (to === from) continue;
        const id = newRow();
        const path = pathTo(from);
        for (let i = 1; i < path.length; i++) expect(move(id, path[i - 1] as string, path[i] as string), `path to ${from}`).toBe(true);
        expect(move(id, from, to), `${from} → ${to}`).toBe(ADUAN_STATUS_TRANSITIONS[from].includes(to));
        checked++;
      }
    }
    expect(checked).toBe(ADUAN_STATUSES.length * (ADUAN_STATUSES.length - 1));
  });

  it("the statuses each register lists are the domain's", () => {
    expect(KRIPTOGRAM_KELUAR_REGISTER.agenda.statuses).toEqual(OUTGOING_STATUSES);
    expect(SURAT_KELUAR_REGISTER.agenda.statuses).toEqual(OUTGOING_STATUSES.filter((s) => s !== 'diparaf'));
    expect(SURAT_MASUK_REGISTER.agenda.statuses).toEqual(SURAT_MASUK_STATUSES);
    expect(KRIPTOGRAM_MASUK_REGISTER.agenda.statuses).toEqual(KRIPTOGRAM_MASUK_STATUSES);
    expect(ADUAN_REGISTER.agenda.statuses).toEqual(ADUAN_STATUSES);
  });
});

describe('export columns', () => {
  it("the catalog is the descriptions' agenda part, and the store exports the same columns", () => {
    const withAgenda = REGISTER_DEFINITIONS.filter((d) => d.agenda !== null);
    expect(REGISTER_CATALOG).toEqual(withAgenda.map((d) => d.agenda));
    REGISTER_CATALOG.forEach((c, i) => expect(c, c.buku).toBe(withAgenda[i]?.agenda));
    REGISTERS.forEach((r, i) => expect(r.columns.map(({ name, kind, doc }) => ({ name, kind, doc })), r.buku).toEqual(REGISTER_CATALOG[i]?.columns));
  });

  it.each(REGISTERS.map((r) => [r.table, r] as const))('%s: a column exported as read is a table column of the same kind; none is confidential', (table, r) => {
    const d = REGISTER_DEFINITIONS.find((x) => x.table === table) as RegisterDefinition;
    const real = new Map(tableInfo(table).map((c) => [c.name, c]));
    for (const e of r.columns) {
      if (e.sql !== e.name) continue;
      const c = d.columns.find((x) => x.name === e.name);
      expect(c, `${table}.${e.name} is a table column`).toBeDefined();
      expect(real.has(e.name), `${table}.${e.name} in the schema`).toBe(true);
      expect(e.kind, `${table}.${e.name}`).toBe(c?.kind);
      expect(c?.confidential, `${table}.${e.name}`).toBeUndefined();
    }
  });
});

// ---------------------------------------------------------------------------------------- row mapping

/**
 * The record types' fields, checked by the compiler (`satisfies`: none missing, none extra), so the
 * description's fields are held to the types services use, not to themselves.
 */
type Fields<T> = { [K in keyof Required<T>]: 1 | Readonly<Record<string, 1>> };
const RECORD_FIELDS: Readonly<Record<string, object>> = {
  kriptogram_keluar: {
    id: 1, registeredAt: 1, sandiman: 1, recipients: 1, sifat: 1, derajat: 1, perihal: 1, perihalTerenkripsi: 1,
    permohonan: { nomor: 1, tanggal: 1, unit: 1 }, assignedBy: 1, status: 1, diparafAt: 1, diparafOleh: 1, parafFpr: 1,
    drafSha256: 1, ditandatanganiAt: 1, signer: 1, signerFpr: 1, kriptogramSha256: 1, tahun: 1, urut: 1, nomor: 1,
    bernomorAt: 1, messageId: 1, sentAt: 1, serverReply: 1, batalAt: 1, batalOleh: 1, batalAlasan: 1,
  } satisfies Fields<KriptogramKeluar>,
  surat_keluar: {
    id: 1, registeredAt: 1, operator: 1, recipients: 1, perihal: 1, sifat: 1, derajat: 1, dokumenSha256: 1,
    permohonan: { nomor: 1, tanggal: 1, unit: 1 }, assignedBy: 1, status: 1, ditandatanganiAt: 1, signer: 1, signerFpr: 1,
    tahun: 1, urut: 1, nomor: 1, bernomorAt: 1, messageId: 1, sentAt: 1, serverReply: 1, batalAt: 1, batalOleh: 1, batalAlasan: 1,
  } satisfies Fields<SuratKeluar>,
  surat_masuk: {
    id: 1, nomor: 1, tahun: 1, urut: 1, registeredAt: 1, operator: 1, diterimaAt: 1, pengirim: 1, kepada: 1, peringatan: 1,
    rawSha256: 1, rawSize: 1, messageId: 1, sumber: 1, folder: 1, uidvalidity: 1, uid: 1, tembusan: 1, nomorSurat: 1,
    tanggalSurat: 1, perihal: 1, isiRingkas: 1, sifat: 1, derajat: 1, lampiran: 1, keterangan: 1, status: 1, dicetakAt: 1,
    diparafAt: 1, diantarAt: 1, selesaiAt: 1,
  } satisfies Fields<SuratMasuk>,
  kriptogram_masuk: {
    id: 1, nomor: 1, tahun: 1, urut: 1, registeredAt: 1, operator: 1, diterimaAt: 1, pengirim: 1, kepada: 1, peringatan: 1,
    rawSha256: 1, rawSize: 1, messageId: 1, sumber: 1, folder: 1, uidvalidity: 1, uid: 1, subjekLuar: 1, status: 1,
    terbacaAt: 1, sifat: 1, perihalTerenkripsi: 1, nomorPengirim: 1, penandaTangan: 1, ditolakAt: 1, ditolakAlasan: 1, selesaiAt: 1,
  } satisfies Fields<KriptogramMasuk>,
  aduan: {
    id: 1, nomor: 1, tahun: 1, urut: 1, registeredAt: 1, operator: 1, sumber: 1, kanal: 1, nomorPelacakan: 1, jenis: 1,
    kategori: 1, judul: 1, kronologi: 1, diterimaAt: 1, kerahasiaan: 1, adaPelapor: 1, lampiran: 1, status: 1, statusAt: 1,
    ditundaDari: 1, opd: 1, opdEmail: 1,
  } satisfies Fields<Aduan>,
  akun_rotasi: {
    id: 1, user: 1, adapter: 1, status: 1, baru_id: 1, lama_id: 1, dimulai_at: 1, diset_at: 1, teruji_at: 1, selesai_at: 1,
    ditolak_at: 1, alasan: 1,
  } satisfies Fields<RotasiRow>,
};
const fieldPaths = (o: object, prefix = ''): string[] =>
  Object.entries(o).flatMap(([k, v]) => (typeof v === 'object' ? fieldPaths(v as object, `${prefix}${k}.`) : [`${prefix}${k}`]));

it.each(REGISTER_DEFINITIONS.map(byTable))("%s: the described fields are the record type's fields", (table, d) => {
  expect(d.columns.flatMap((c) => (c.field === null ? [] : [c.field])).sort()).toEqual(fieldPaths(RECORD_FIELDS[table] ?? {}).sort());
});

const AT = new Date('2026-11-10T03:00:00Z');
const recipients = [{ email: 'sekretariat@dinkes.example.go.id', unit: 'Dinas Kesehatan', fingerprint: 'A'.repeat(40) }];
let raw = 0;
const sha = () => (++raw).toString(16).padStart(64, '0');

/** The value a described column's field must carry for the SQLite value `v`. */
function expectedValue(c: TableColumn, v: unknown): unknown {
  if (c.presence) return v === 1;
  if (v === null) return null;
  if (c.kind === 'json') return JSON.parse(v as string) as unknown;
  if (c.kind === 'blob') return Buffer.from(v as Uint8Array);
  return v;
}

function at(o: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((x, k) => (x as Record<string, unknown>)[k], o);
}

function leafKeys(o: Record<string, unknown>, prefix = ''): string[] {
  return Object.entries(o).flatMap(([k, v]) =>
    v !== null && typeof v === 'object' && !Array.isArray(v) && !Buffer.isBuffer(v) && !k.startsWith('penanda') ? leafKeys(v as Record<string, unknown>, `${prefix}${k}.`) : [`${prefix}${k}`],
  );
}

function expectMapped(d: RegisterDefinition, record: unknown, select = '*'): number {
  const row = store.db.prepare(`SELECT ${select} FROM ${d.table} WHERE id = ?`).get((record as { id: number }).id) as Record<string, unknown>;
  const fields = d.columns.filter((c) => c.field !== null);
  expect(leafKeys(record as Record<string, unknown>).sort(), `${d.table}: the record's fields are the described ones`).toEqual(fields.map((c) => c.field).sort());
  let nonNull = 0;
  for (const c of fields) {
    expect(at(record, c.field as string), `${d.table}.${c.name} → ${c.field}`).toEqual(expectedValue(c, row[c.name]));
    if (row[c.name] !== null) nonNull++;
  }
  return nonNull;
}

describe('row → record, generated from the description', () => {
  it('kriptogram_keluar and surat_keluar, numbered, sent and cancelled', () => {
    const num = { format: DEFAULT_FORMATS.kriptogram_keluar, timeZone: 'Asia/Jakarta' };
    const k = store.write((tx) => reg.registerOutgoing(tx, { sandiman: 'budi', recipients, sifat: 'Rahasia', derajat: 'Segera', perihalTerenkripsi: new Uint8Array([1, 2, 3]), permohonan: { nomor: '005/1', tanggal: '2026-11-09', unit: 'Dinkes' }, assignedBy: 'Kasi' }, AT));
    store.write((tx) => reg.setOutgoingStatus(tx, k.id, 'diparaf', { parafFpr: 'B'.repeat(40), drafSha256: 'c'.repeat(64) }, AT, 'budi'));
    store.write((tx) => reg.setOutgoingStatus(tx, k.id, 'ditandatangani', { signerFpr: 'D'.repeat(40), kriptogramSha256: 'e'.repeat(64) }, AT, 'kasi'));
    store.write((tx) => reg.assignOutgoingNumber(tx, k.id, num, AT, 'budi'));
    store.write((tx) => reg.setOutgoingStatus(tx, k.id, 'terkirim', { messageId: '<k@sandi>', serverReply: '250 ok' }, AT, 'budi'));
    // every column filled but the clear subject (Rahasia) and the cancellation
    expect(expectMapped(KRIPTOGRAM_KELUAR_REGISTER, reg.getOutgoing(store, k.id))).toBe(KRIPTOGRAM_KELUAR_REGISTER.columns.length - 4);
    const s = store.write((tx) => reg.registerOutgoingLetter(tx, { operator: 'ani', recipients, perihal: 'Surat', dokumenSha256: 'f'.repeat(64), permohonan: { nomor: '1', tanggal: '2', unit: '3' }, assignedBy: 'x' }, AT));
    store.write((tx) => reg.setOutgoingLetterStatus(tx, s.id, 'batal', { alasan: 'salah alamat' }, AT, 'ani'));
    expectMapped(SURAT_KELUAR_REGISTER, reg.getOutgoingLetter(store, s.id));
  });

  it('surat_masuk and kriptogram_masuk, read and moved', () => {
    const m = store.write((tx) =>
      reg.registerIncoming(
        tx,
        { operator: 'op', diterimaAt: AT.toISOString(), pengirim: 'setda@example.go.id', kepada: ['a@x'], tembusan: ['b@x'], perihal: 'Undangan', isiRingkas: 'ringkas', nomorSurat: '005/77', tanggalSurat: '9 November 2026', keterangan: 'ket', lampiran: [{ name: 'u.pdf', type: 'application/pdf', size: 12, sha256: 'a'.repeat(64) }], peringatan: ['p'], rawSha256: sha(), rawSize: 40, messageId: '<m@x>', source: { sumber: 'imap', folder: 'INBOX', uidvalidity: 7, uid: 9 } },
        { format: DEFAULT_FORMATS.surat_masuk, timeZone: 'Asia/Jakarta' },
        AT,
      ),
    );
    for (const to of ['dicetak', 'diparaf', 'diantar', 'selesai'] as const) store.write((tx) => reg.setIncomingStatus(tx, m.id, to, AT, 'op'));
    expect(expectMapped(SURAT_MASUK_REGISTER, reg.getIncoming(store, m.id))).toBe(SURAT_MASUK_REGISTER.columns.length);
    const k = store.write((tx) =>
      reg.registerIncomingKriptogram(tx, { operator: 'op', diterimaAt: AT.toISOString(), pengirim: 'p@x', subjekLuar: 'KRIP/1', rawSha256: sha(), rawSize: 9, source: { sumber: 'eml', folder: '/media/usb' } }, { format: DEFAULT_FORMATS.kriptogram_masuk, timeZone: 'Asia/Jakarta' }, AT),
    );
    store.write((tx) => reg.recordIncomingKriptogramRead(tx, k.id, { sifat: 'Rahasia', perihalTerenkripsi: new Uint8Array([9]), nomorPengirim: 'KRIP/9', penandaTangan: [{ fpr: 'A'.repeat(40), ok: true }] }, AT, 'op'));
    expectMapped(KRIPTOGRAM_MASUK_REGISTER, reg.getIncomingKriptogram(store, k.id));
    const r = store.write((tx) => reg.registerIncomingKriptogram(tx, { operator: 'op', diterimaAt: AT.toISOString(), pengirim: 'p@x', rawSha256: sha(), rawSize: 9, source: { sumber: 'eml' } }, { format: DEFAULT_FORMATS.kriptogram_masuk, timeZone: 'Asia/Jakarta' }, AT));
    store.write((tx) => reg.rejectIncomingKriptogram(tx, r.id, { alasan: 'tanda tangan tidak sah' }, AT, 'op'));
    expectMapped(KRIPTOGRAM_MASUK_REGISTER, reg.getIncomingKriptogram(store, r.id));
  });

  it('aduan (the identity only as whether there is one) and akun_rotasi', () => {
    const base = { sumber: 'catat', kanal: 'laporgub', jenis: 'pengaduan', kategori: 'jalan', judul: 'Jalan rusak', kronologi: 'k', diterimaAt: AT, lampiran: [{ nama: 'f.jpg', sha256: 'a'.repeat(64), ukuran: 3 }], tahun: 2026 } as const;
    const a: Aduan = store.write((tx) => registerAduan(tx, { ...base, nomorPelacakan: 'LG-M1', kerahasiaan: 'rahasia', pelaporTerenkripsi: new Uint8Array([0xc1]), lampiran: [...base.lampiran] }, AT, 'op'));
    const b: Aduan = store.write((tx) => registerAduan(tx, { ...base, nomorPelacakan: 'LG-M2', kerahasiaan: 'anonim', pelaporTerenkripsi: null, lampiran: [] }, AT, 'op'));
    const select = ADUAN_REGISTER.columns.map((c) => (c.presence ? `(${c.name} IS NOT NULL) AS ${c.name}` : c.name)).join(', ');
    expectMapped(ADUAN_REGISTER, a, select);
    expectMapped(ADUAN_REGISTER, b, select);
    expect([a.adaPelapor, b.adaPelapor]).toEqual([true, false]);
    const akun = sqliteAkunStore(() => store);
    const id = akun.write((tx) => tx.startRotation({ user: 'u@kominfo.test', adapter: 'manual', baruId: '1'.repeat(32), lamaId: '2'.repeat(32), at: AT.toISOString() }));
    akun.write((tx) => tx.moveRotation(id, 'tersimpan', 'ditolak', AT.toISOString(), 'ditolak server'));
    expectMapped(AKUN_ROTASI_REGISTER, akun.rotation(id));
  });
});

it('the released migrations are the ones this database was built with', () => {
  expect(store.db.pragma('user_version', { simple: true })).toBe(migrations.length);
});
