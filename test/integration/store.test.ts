/**
 * The store on real SQLite files: pragmas, migrations, append-only triggers, state transitions (SQL and
 * domain agree), gapless numbering (also across processes), time-zone rollover, the audit chain.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import Database, { SQLITE_DRIVER, type Db } from '../../src/adapters/sqlite/driver.js';
import { openStore, SCHEMA_VERSION, type Store } from '../../src/adapters/sqlite/store.js';
import { REGISTER_PROTECTION } from '../../src/adapters/sqlite/migrations.js';
import * as reg from '../../src/adapters/sqlite/registers.js';
import { verifyChain } from '../../src/domain/audit.js';
import { DEFAULT_FORMATS } from '../../src/domain/numbering.js';
import { OUTGOING_STATUSES, OUTGOING_TRANSITIONS } from '../../src/domain/outgoing-state.js';
import { KRIPTOGRAM_MASUK_TRANSITIONS, SURAT_MASUK_TRANSITIONS } from '../../src/domain/incoming-state.js';
import { SandiError } from '../../src/errors.js';

const ROOT = resolve(import.meta.dirname, '../..');
const NUM: reg.Numbering = { format: DEFAULT_FORMATS.kriptogram_keluar, timeZone: 'Asia/Jakarta' };
const NOV = new Date('2026-11-10T03:00:00Z');

let dirs: string[] = [];
let stores: Store[] = [];

function tmpDb(): string {
  const d = mkdtempSync(join(tmpdir(), 'sandi-store-'));
  dirs.push(d);
  return join(d, 'sandi.db');
}

function open(path = tmpDb()): Store {
  const s = openStore(path);
  stores.push(s);
  return s;
}

afterEach(() => {
  for (const s of stores) {
    try {
      s.close();
    } catch {
      /* already closed */
    }
  }
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  stores = [];
  dirs = [];
});

function sandiErr(fn: () => unknown): SandiError {
  try {
    fn();
  } catch (e) {
    if (e instanceof SandiError) return e;
    throw e;
  }
  throw new Error('expected a SandiError');
}

function sqlErr(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof Database.SqliteError) return `${e.code} ${e.message}`;
    throw e;
  }
  throw new Error('expected the database to refuse');
}

const recipients = [{ email: 'sekretariat@dinkes.example.go.id', unit: 'Dinas Kesehatan', fingerprint: 'A'.repeat(40) }];

function registerBiasa(s: Store, at = NOV, perihal = 'Undangan rapat koordinasi'): reg.KriptogramKeluar {
  return s.write((tx) => reg.registerOutgoing(tx, { sandiman: 'budi', recipients, sifat: 'Biasa', derajat: 'Segera', perihal, permohonan: { nomor: '005/123/DINKES', tanggal: '2026-11-09', unit: 'Dinas Kesehatan' }, assignedBy: 'Kasi Persandian' }, at));
}

function signed(s: Store, at = NOV): reg.KriptogramKeluar {
  const r = registerBiasa(s, at);
  s.write((tx) => reg.setOutgoingStatus(tx, r.id, 'diparaf', { parafFpr: 'B'.repeat(40), drafSha256: 'c'.repeat(64) }, at, 'budi'));
  return s.write((tx) => reg.setOutgoingStatus(tx, r.id, 'ditandatangani', { signerFpr: 'D'.repeat(40), kriptogramSha256: 'e'.repeat(64) }, at, 'Kasi Persandian'));
}

function chainOk(s: Store): number {
  const result = verifyChain(s.auditRows(), { highestIssuedId: s.auditHighestIssuedId() });
  expect(result).toMatchObject({ ok: true });
  return result.rows;
}

describe('openStore', () => {
  it('sets WAL, synchronous=FULL and foreign keys, and migrates to the current version', () => {
    const path = tmpDb();
    const s = open(path);
    expect(s.db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(s.db.pragma('synchronous', { simple: true })).toBe(2);
    expect(s.db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(s.db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    expect(SCHEMA_VERSION).toBeGreaterThanOrEqual(2);
    // WAL is a property of the file: another connection sees it too
    const raw = new Database(path, { readonly: true });
    expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
    raw.close();
  });

  it('keeps its temporary tables and statement journals in memory, not in files (issue 16)', () => {
    // the change-capture TEMP table and triggers (audit binding) wrote ~9,000 pages per 1,000 fetched
    // messages into an unnamed file in /var/tmp: 65% of the register's writes
    const s = open();
    expect(s.db.pragma('temp_store', { simple: true })).toBe(2);
  });

  it('reopens an existing database without migrating twice', () => {
    const path = tmpDb();
    const a = open(path);
    registerBiasa(a);
    a.close();
    const b = open(path);
    expect(b.db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    expect(reg.getOutgoing(b, 1).perihal).toBe('Undangan rapat koordinasi');
  });

  it('refuses a database made by a newer sandi', () => {
    const path = tmpDb();
    open(path).db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    const e = sandiErr(() => openStore(path));
    expect(e.key).toBe('store.tooNew');
  });
});

describe('schema protection', () => {
  it('classifies every column of every register exactly once', () => {
    const s = open();
    for (const p of Object.values(REGISTER_PROTECTION)) {
      const cols = (s.db.prepare(`SELECT name FROM pragma_table_info(?)`).all(p.table) as { name: string }[]).map((c) => c.name);
      expect(cols.length).toBeGreaterThan(5);
      for (const c of cols) {
        const classes = [p.fixed.includes(c), c in p.fill, (p.once ?? []).includes(c), c === 'status'].filter(Boolean).length;
        expect(classes, `${p.table}.${c}`).toBe(1);
      }
      for (const c of [...p.fixed, ...Object.keys(p.fill), ...(p.once ?? [])]) expect(cols, `${p.table}.${c} exists`).toContain(c);
    }
  });

  it('keeps the transition tables of the migration equal to the domain ones', () => {
    const nonEmpty = (t: Readonly<Record<string, readonly string[]>>) => Object.fromEntries(Object.entries(t).filter(([, v]) => v.length > 0));
    expect(REGISTER_PROTECTION['kriptogram_keluar']?.transitions).toEqual(nonEmpty(OUTGOING_TRANSITIONS.kriptogram_keluar));
    expect(REGISTER_PROTECTION['surat_keluar']?.transitions).toEqual(nonEmpty(OUTGOING_TRANSITIONS.surat_keluar));
    expect(REGISTER_PROTECTION['surat_masuk']?.transitions).toEqual(nonEmpty(SURAT_MASUK_TRANSITIONS));
    expect(REGISTER_PROTECTION['kriptogram_masuk']?.transitions).toEqual(nonEmpty(KRIPTOGRAM_MASUK_TRANSITIONS));
  });

  it('refuses DELETE on every register, the audit log, the sequences and the annotations', () => {
    const s = open();
    const k = signed(s);
    s.write((tx) => reg.assignOutgoingNumber(tx, k.id, NUM, NOV, 'budi'));
    const sm = registerIncomingLetter(s);
    s.write((tx) => reg.addIncomingStep(tx, sm.id, 'cetak', {}, NOV, 'adum'));
    s.write((tx) => reg.annotate(tx, { buku: 'kriptogram_keluar', baris: k.id, actor: 'kasi', catatan: 'catatan' }, NOV));
    s.write((tx) => reg.registerOutgoingLetter(tx, { operator: 'budi', recipients, perihal: 'Surat biasa' }, NOV));
    registerIncomingKripto(s);
    for (const table of ['kriptogram_keluar', 'surat_keluar', 'surat_masuk', 'kriptogram_masuk', 'surat_masuk_langkah', 'anotasi', 'audit_log', 'nomor_urut']) {
      expect(sqlErr(() => s.db.prepare(`DELETE FROM ${table}`).run()), table).toMatch(/SQLITE_CONSTRAINT_TRIGGER/);
    }
  });

  it('refuses UPDATE of fields fixed at registration', () => {
    const s = open();
    const k = registerBiasa(s);
    for (const [col, value] of [['sifat', 'Terbatas'], ['perihal', 'Lain'], ['registered_at', '2020-01-01T00:00:00.000Z'], ['sandiman', 'eve'], ['recipients', '[{"email":"x@y"}]'], ['id', 99]] as const) {
      expect(sqlErr(() => s.db.prepare(`UPDATE kriptogram_keluar SET ${col} = ? WHERE id = ?`).run(value, k.id)), col).toMatch(/sandi:settled:kriptogram_keluar/);
    }
    const sm = registerIncomingLetter(s);
    for (const [col, value] of [['pengirim', 'x'], ['raw_sha256', 'f'.repeat(64)], ['nomor', 'SM/999/XI/2026'], ['urut', 999], ['perihal', 'x'], ['uid', 5]] as const) {
      expect(sqlErr(() => s.db.prepare(`UPDATE surat_masuk SET ${col} = ? WHERE id = ?`).run(value, sm.id)), col).toMatch(/sandi:settled:surat_masuk/);
    }
    expect(sqlErr(() => s.db.prepare(`UPDATE audit_log SET actor = 'eve' WHERE id = 1`).run())).toMatch(/append-only/);
  });

  it('lets a state field be set once, only by its own step; a number never changes or clears', () => {
    const s = open();
    const k = signed(s);
    // numbering fields while staying 'ditandatangani'
    expect(sqlErr(() => s.db.prepare(`UPDATE kriptogram_keluar SET nomor = 'X', tahun = 2026, urut = 9, bernomor_at = 'now' WHERE id = ?`).run(k.id))).toMatch(/wrong_state/);
    s.write((tx) => reg.assignOutgoingNumber(tx, k.id, NUM, NOV, 'budi'));
    expect(sqlErr(() => s.db.prepare(`UPDATE kriptogram_keluar SET nomor = 'KRIP/999/XI/2026' WHERE id = ?`).run(k.id))).toMatch(/set_once:kriptogram_keluar.nomor/);
    expect(sqlErr(() => s.db.prepare(`UPDATE kriptogram_keluar SET nomor = NULL WHERE id = ?`).run(k.id))).toMatch(/set_once:kriptogram_keluar.nomor/);
    expect(sqlErr(() => s.db.prepare(`UPDATE kriptogram_keluar SET signer = 'eve' WHERE id = ?`).run(k.id))).toMatch(/set_once:kriptogram_keluar.signer/);
    expect(sqlErr(() => s.db.prepare(`UPDATE kriptogram_keluar SET diparaf_at = NULL WHERE id = ?`).run(k.id))).toMatch(/set_once/);
    expect(sqlErr(() => s.db.prepare(`UPDATE kriptogram_keluar SET batal_alasan = 'x' WHERE id = ?`).run(k.id))).toMatch(/wrong_state/);
    s.write((tx) => reg.setOutgoingMessageId(tx, 'kriptogram_keluar', k.id, '<a@sandi>', NOV, 'budi'));
    expect(sqlErr(() => s.db.prepare(`UPDATE kriptogram_keluar SET message_id = '<b@sandi>' WHERE id = ?`).run(k.id))).toMatch(/set_once:kriptogram_keluar.message_id/);
    // through the typed API: a clear CONFLICT
    const e = sandiErr(() => s.write((tx) => reg.setOutgoingMessageId(tx, 'kriptogram_keluar', k.id, '<b@sandi>', NOV, 'budi')));
    expect(e.code).toBe('CONFLICT');
    expect(e.exitCode).toBe(81);
  });

  it('refuses rows inserted in a later state, and a clear subject for Rahasia', () => {
    const s = open();
    expect(sqlErr(() => s.db.prepare(`INSERT INTO kriptogram_keluar (registered_at, sandiman, recipients, sifat, derajat, perihal, status) VALUES ('t', 'b', '[{"email":"a"}]', 'Biasa', 'Biasa', 'p', 'terkirim')`).run())).toMatch(/insert_state/);
    expect(sqlErr(() => s.db.prepare(`INSERT INTO kriptogram_keluar (registered_at, sandiman, recipients, sifat, derajat, perihal) VALUES ('t', 'b', '[{"email":"a"}]', 'Rahasia', 'Biasa', 'rahasia negara')`).run())).toMatch(/CHECK/);
    expect(sandiErr(() => s.write((tx) => reg.registerOutgoing(tx, { sandiman: 'b', recipients, sifat: 'Rahasia', derajat: 'Kilat', perihal: 'rahasia' }, NOV))).key).toBe('store.subjectMustBeEncrypted');
    const r = s.write((tx) => reg.registerOutgoing(tx, { sandiman: 'b', recipients, sifat: 'Sangat Rahasia', derajat: 'Kilat', perihalTerenkripsi: Buffer.from('-----BEGIN PGP MESSAGE-----') }, NOV));
    expect(r.perihal).toBeNull();
    expect(r.perihalTerenkripsi?.toString()).toBe('-----BEGIN PGP MESSAGE-----');
    // the audit event records only a hash of the encrypted subject
    const last = [...s.auditRows()].at(-1);
    expect(last?.data).toContain('perihalTerenkripsiSha256');
    expect(last?.data).not.toContain('BEGIN PGP');
  });

  it('maps trigger errors inside store.write into CONFLICT', () => {
    const s = open();
    const k = registerBiasa(s);
    const e = sandiErr(() => s.write((tx) => tx.db.prepare('DELETE FROM kriptogram_keluar WHERE id = ?').run(k.id)));
    expect(e.code).toBe('CONFLICT');
    expect(e.key).toBe('store.conflict.append_only');
    expect(e.params['buku']).toBe('kriptogram_keluar');
  });
});

// ------------------------------------------------------------------------ SQL and domain transitions agree

function fieldsFor(table: string, to: string, cur: Record<string, unknown>, k: number): Record<string, unknown> {
  const now = '2026-11-10T03:00:00.000Z';
  switch (`${table}:${to}`) {
    case 'kriptogram_keluar:diparaf':
      return { diparaf_at: now, diparaf_oleh: 'budi' };
    case 'kriptogram_keluar:ditandatangani':
    case 'surat_keluar:ditandatangani':
      return { ditandatangani_at: now, signer: 'kasi' };
    case 'kriptogram_keluar:bernomor':
    case 'surat_keluar:bernomor':
      return cur['nomor'] === null ? { tahun: 2026, urut: k, nomor: `N/${k}`, bernomor_at: now } : {};
    case 'kriptogram_keluar:tidak_pasti':
    case 'surat_keluar:tidak_pasti':
      return cur['message_id'] === null ? { message_id: `<m${k}@sandi>` } : {};
    case 'kriptogram_keluar:terkirim':
    case 'surat_keluar:terkirim':
      return { ...(cur['message_id'] === null ? { message_id: `<m${k}@sandi>` } : {}), sent_at: now };
    case 'kriptogram_keluar:batal':
    case 'surat_keluar:batal':
      return { batal_at: now, batal_oleh: 'budi', batal_alasan: 'permohonan ditarik' };
    case 'surat_masuk:dicetak':
      return { dicetak_at: now };
    case 'surat_masuk:diparaf':
      return { diparaf_at: now };
    case 'surat_masuk:diantar':
      return { diantar_at: now };
    case 'surat_masuk:selesai':
    case 'kriptogram_masuk:selesai':
      return { selesai_at: now };
    case 'kriptogram_masuk:terbaca':
      return { terbaca_at: now, penanda_tangan: '[]', sifat: 'Rahasia' };
    case 'kriptogram_masuk:ditolak':
      return { ditolak_at: now, ditolak_alasan: 'tanda tangan buruk' };
    default:
      return {};
  }
}

let counter = 0;
function tryMove(db: Db, table: string, id: number, to: string): boolean {
  const cur = db.prepare(`SELECT * FROM ${table} WHERE id = ?`).get(id) as Record<string, unknown>;
  const set = { status: to, ...fieldsFor(table, to, cur, ++counter) };
  const cols = Object.keys(set);
  try {
    db.prepare(`UPDATE ${table} SET ${cols.map((c) => `${c} = ?`).join(', ')} WHERE id = ?`).run(...cols.map((c) => set[c as keyof typeof set]), id);
    return true;
  } catch (e) {
    if (e instanceof Database.SqliteError && e.code.startsWith('SQLITE_CONSTRAINT')) return false;
    throw e;
  }
}

function pathTo(table: Readonly<Record<string, readonly string[]>>, initial: string, target: string): string[] {
  const queue: string[][] = [[initial]];
  while (queue.length > 0) {
    const p = queue.shift() as string[];
    const last = p[p.length - 1] as string;
    if (last === target) return p.slice(1);
    for (const n of table[last] ?? []) if (!p.includes(n)) queue.push([...p, n]);
  }
  throw new Error(`${target} unreachable`);
}

describe('state transitions: SQL triggers and domain tables agree', () => {
  const books: [string, Readonly<Record<string, readonly string[]>>, readonly string[], (s: Store) => number][] = [
    ['kriptogram_keluar', OUTGOING_TRANSITIONS.kriptogram_keluar, OUTGOING_STATUSES, (s) => registerBiasa(s).id],
    ['surat_keluar', OUTGOING_TRANSITIONS.surat_keluar, OUTGOING_STATUSES.filter((x) => x !== 'diparaf'), (s) => s.write((tx) => reg.registerOutgoingLetter(tx, { operator: 'budi', recipients, perihal: 'Surat' }, NOV)).id],
    ['surat_masuk', SURAT_MASUK_TRANSITIONS, Object.keys(SURAT_MASUK_TRANSITIONS), (s) => registerIncomingLetter(s).id],
    ['kriptogram_masuk', KRIPTOGRAM_MASUK_TRANSITIONS, Object.keys(KRIPTOGRAM_MASUK_TRANSITIONS), (s) => registerIncomingKripto(s).id],
  ];
  it.each(books)('%s', (table, transitions, states, create) => {
    const s = open();
    let checked = 0;
    for (const from of states) {
      for (const to of [...states, ...(table.startsWith('kriptogram_keluar') ? [] : ['diparaf'])]) {
        if (to === from) continue;
        const id = create(s);
        for (const step of pathTo(transitions, 'terdaftar', from)) expect(tryMove(s.db, table, id, step), `${table}: path ${step}`).toBe(true);
        const legal = (transitions[from] ?? []).includes(to);
        expect(tryMove(s.db, table, id, to), `${table}: ${from} → ${to}`).toBe(legal);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(10);
  });

  it('the typed API refuses illegal moves with CONFLICT naming both states', () => {
    const s = open();
    const k = registerBiasa(s);
    const e = sandiErr(() => s.write((tx) => reg.setOutgoingStatus(tx, k.id, 'terkirim', { messageId: '<x@y>' }, NOV, 'budi')));
    expect(e.code).toBe('CONFLICT');
    expect(e.params).toMatchObject({ from: 'terdaftar', to: 'terkirim', id: k.id });
  });

  it('an unknown send (tidak_pasti) cannot be cancelled until resolved', () => {
    const s = open();
    const k = signed(s);
    s.write((tx) => reg.assignOutgoingNumber(tx, k.id, NUM, NOV, 'budi'));
    s.write((tx) => reg.setOutgoingStatus(tx, k.id, 'tidak_pasti', { messageId: '<k1@sandi>' }, NOV, 'budi'));
    expect(sandiErr(() => s.write((tx) => reg.setOutgoingStatus(tx, k.id, 'batal', { alasan: 'x' }, NOV, 'budi'))).key).toBe('store.illegalTransition');
    // the operator established that nothing went out: back to bernomor, keeping number and Message-ID
    const back = s.write((tx) => reg.setOutgoingStatus(tx, k.id, 'bernomor', {}, NOV, 'budi'));
    expect(back).toMatchObject({ status: 'bernomor', nomor: 'KRIP/001/XI/2026', messageId: '<k1@sandi>' });
    const sent = s.write((tx) => reg.setOutgoingStatus(tx, k.id, 'terkirim', { serverReply: '250 2.0.0 Ok: queued as ABC' }, NOV, 'budi'));
    expect(sent).toMatchObject({ status: 'terkirim', sentAt: NOV.toISOString(), serverReply: '250 2.0.0 Ok: queued as ABC' });
  });
});

// -------------------------------------------------------------------------------------------- numbering

describe('numbering', () => {
  it('runs the whole outgoing flow and numbers gaplessly in the configured format', () => {
    const s = open();
    const numbers: string[] = [];
    for (let i = 0; i < 5; i++) {
      const k = signed(s);
      numbers.push(s.write((tx) => reg.assignOutgoingNumber(tx, k.id, NUM, NOV, 'budi')).nomor ?? '');
    }
    expect(numbers).toEqual(['KRIP/001/XI/2026', 'KRIP/002/XI/2026', 'KRIP/003/XI/2026', 'KRIP/004/XI/2026', 'KRIP/005/XI/2026']);
    const row = reg.getOutgoing(s, 3);
    expect(row).toMatchObject({ status: 'bernomor', tahun: 2026, urut: 3, diparafOleh: 'budi', signer: 'Kasi Persandian', permohonan: { nomor: '005/123/DINKES' } });
    expect(reg.findOutgoingByNumber(s, 'KRIP/004/XI/2026')?.id).toBe(4);
    expect([...reg.listOutgoing(s, { status: 'bernomor' })]).toHaveLength(5);
    expect(chainOk(s)).toBe(5 * 4);
  });

  it('a transaction that throws after taking a number leaves no gap', () => {
    const s = open();
    const a = signed(s);
    const b = signed(s);
    expect(() =>
      s.write((tx) => {
        reg.assignOutgoingNumber(tx, a.id, NUM, NOV, 'budi');
        throw new Error('power cut before commit');
      }),
    ).toThrow('power cut');
    expect(reg.getOutgoing(s, a.id)).toMatchObject({ status: 'ditandatangani', nomor: null });
    expect(s.write((tx) => reg.assignOutgoingNumber(tx, b.id, NUM, NOV, 'budi')).nomor).toBe('KRIP/001/XI/2026');
    expect(s.write((tx) => reg.assignOutgoingNumber(tx, a.id, NUM, NOV, 'budi')).nomor).toBe('KRIP/002/XI/2026');
    chainOk(s);
  });

  it('a bad format fails before the sequence moves', () => {
    const s = open();
    const k = signed(s);
    const e = sandiErr(() => s.write((tx) => reg.assignOutgoingNumber(tx, k.id, { ...NUM, format: 'KRIP/{nomor}/{tahun}', configKey: 'penomoran.kriptogramKeluar' }, NOV, 'budi')));
    expect(e).toMatchObject({ code: 'CONFIG', key: 'store.numbering.unknownToken' });
    expect(e.params['token']).toBe('{nomor}');
    const noUnit = sandiErr(() => s.write((tx) => reg.assignOutgoingNumber(tx, k.id, { ...NUM, format: '{urut}/{unit}/{tahun}' }, NOV, 'budi')));
    expect(noUnit.key).toBe('store.numbering.noUnit');
    expect(s.db.prepare('SELECT count(*) AS n FROM nomor_urut').get()).toEqual({ n: 0 });
    expect(s.write((tx) => reg.assignOutgoingNumber(tx, k.id, { ...NUM, format: '{sifat}.{urut}/{unit}/{tahun}', unitCode: 'DKIS' }, NOV, 'budi')).nomor).toBe('B.1/DKIS/2026');
  });

  it('a number is never given twice; a cancelled row keeps its number', () => {
    const s = open();
    const k = signed(s);
    s.write((tx) => reg.assignOutgoingNumber(tx, k.id, NUM, NOV, 'budi'));
    expect(sandiErr(() => s.write((tx) => reg.assignOutgoingNumber(tx, k.id, NUM, NOV, 'budi'))).key).toBe('store.alreadyNumbered');
    const cancelled = s.write((tx) => reg.setOutgoingStatus(tx, k.id, 'batal', { alasan: 'Kasi menarik permohonan' }, NOV, 'Kasi Persandian'));
    expect(cancelled).toMatchObject({ status: 'batal', nomor: 'KRIP/001/XI/2026', batalAlasan: 'Kasi menarik permohonan', batalOleh: 'Kasi Persandian' });
    const next = signed(s);
    expect(s.write((tx) => reg.assignOutgoingNumber(tx, next.id, NUM, NOV, 'budi')).nomor).toBe('KRIP/002/XI/2026');
    expect(sandiErr(() => s.write((tx) => reg.setOutgoingStatus(tx, next.id, 'batal', { alasan: '  ' }, NOV, 'budi'))).key).toBe('store.fieldRequired');
  });

  it('rolls the year over by the office time zone, not UTC', () => {
    const s = open();
    const lastOf2026 = signed(s);
    const firstOf2027 = signed(s);
    const papua = signed(s);
    expect(s.write((tx) => reg.assignOutgoingNumber(tx, lastOf2026.id, NUM, new Date('2026-12-31T16:59:00Z'), 'budi')).nomor).toBe('KRIP/001/XII/2026');
    const n2027 = s.write((tx) => reg.assignOutgoingNumber(tx, firstOf2027.id, NUM, new Date('2026-12-31T17:30:00Z'), 'budi'));
    expect(n2027).toMatchObject({ nomor: 'KRIP/001/I/2027', tahun: 2027, urut: 1 });
    // 15:30Z is still 2026 in Jakarta but already 2027 in Jayapura
    expect(s.write((tx) => reg.assignOutgoingNumber(tx, papua.id, { ...NUM, timeZone: 'Asia/Jayapura' }, new Date('2026-12-31T15:30:00Z'), 'budi')).nomor).toBe('KRIP/002/I/2027');
  });

  it('numbers outgoing ordinary letters in their own register', () => {
    const s = open();
    const k = signed(s);
    s.write((tx) => reg.assignOutgoingNumber(tx, k.id, NUM, NOV, 'budi'));
    const l = s.write((tx) => reg.registerOutgoingLetter(tx, { operator: 'budi', recipients, perihal: 'Laporan bulanan' }, NOV));
    const n = s.write((tx) => reg.assignOutgoingLetterNumber(tx, l.id, { format: DEFAULT_FORMATS.surat_keluar, timeZone: 'Asia/Jakarta' }, NOV, 'budi'));
    expect(n.nomor).toBe('SK/001/XI/2026');
    s.write((tx) => reg.setOutgoingMessageId(tx, 'surat_keluar', l.id, '<l1@sandi>', NOV, 'budi'));
    expect(s.write((tx) => reg.setOutgoingLetterStatus(tx, l.id, 'terkirim', {}, NOV, 'budi')).status).toBe('terkirim');
  });
});

// -------------------------------------------------------------------------------------- concurrency

describe('numbering across processes', () => {
  beforeAll(() => {
    if (!existsSync(join(ROOT, 'dist/adapters/sqlite/registers.js'))) throw new Error('dist/ is not built: run `npm run build` (npm test does it) first');
  }, 120_000);

  it('opening waits for another process that holds the write lock of a new database (the switch to WAL is retried)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sandi-conc-'));
    dirs.push(dir);
    const dbPath = join(dir, 'sandi.db');
    // Another process creates the file in rollback mode and keeps a write transaction open for 400 ms.
    // SQLite refuses the read-to-write upgrade of `journal_mode = WAL` at once (no busy handler) while it does.
    const holder = spawn(
      process.execPath,
      [
        '-e',
        `const D = require(${JSON.stringify(join(ROOT, 'node_modules', SQLITE_DRIVER))});
         const db = new D(process.argv[1]);
         db.exec('CREATE TABLE t (x); BEGIN IMMEDIATE; INSERT INTO t VALUES (1)');
         process.stdout.write('held\\n');
         setTimeout(() => { db.exec('COMMIT'); db.close(); }, 400);`,
        dbPath,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const exited = new Promise<number | null>((done) => holder.on('close', done));
    await new Promise<void>((ready) => holder.stdout.once('data', () => ready()));
    const s = openStore(dbPath);
    try {
      expect(s.db.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(s.db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    } finally {
      s.close();
    }
    expect(await exited).toBe(0);
  }, 30_000);

  it('4 processes numbering at once get exactly 1..N, no duplicates, no gaps, and an intact chain', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sandi-conc-'));
    dirs.push(dir);
    const dbPath = join(dir, 'sandi.db');
    const script = join(dir, 'child.mjs');
    const dist = (p: string) => pathToFileURL(join(ROOT, 'dist', p)).href;
    writeFileSync(
      script,
      `import { openStore } from ${JSON.stringify(dist('adapters/sqlite/store.js'))};
       import * as r from ${JSON.stringify(dist('adapters/sqlite/registers.js'))};
       const [db, n, who] = process.argv.slice(2);
       const s = openStore(db);
       const at = new Date('2026-11-10T03:00:00Z');
       const recipients = [{ email: 'a@dinkes.example.go.id', unit: 'Dinkes' }];
       for (let i = 0; i < Number(n); i++) {
         const row = s.write((tx) => r.registerOutgoing(tx, { sandiman: who, recipients, sifat: 'Terbatas', derajat: 'Biasa', perihal: who + ' ' + i }, at));
         s.write((tx) => r.setOutgoingStatus(tx, row.id, 'diparaf', {}, at, who));
         s.write((tx) => r.setOutgoingStatus(tx, row.id, 'ditandatangani', {}, at, 'kasi'));
         s.write((tx) => r.assignOutgoingNumber(tx, row.id, { format: 'KRIP/{urut:3}/{bulan}/{tahun}', timeZone: 'Asia/Jakarta' }, at, who));
       }
       s.close();`,
    );
    const workers = 4;
    const perWorker = 25;
    // all start on a database that does not exist yet: creation and migration race too
    const results = await Promise.all(
      Array.from({ length: workers }, (_, w) =>
        new Promise<{ code: number | null; stderr: string }>((done) => {
          const child = spawn(process.execPath, [script, dbPath, String(perWorker), `sandiman${w}`], { stdio: ['ignore', 'ignore', 'pipe'] });
          let stderr = '';
          child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
          child.on('close', (code) => done({ code, stderr }));
        }),
      ),
    );
    for (const r of results) expect(r, r.stderr).toMatchObject({ code: 0 });
    const s = open(dbPath);
    const rows = s.db.prepare('SELECT urut, nomor, sandiman FROM kriptogram_keluar ORDER BY urut').all() as { urut: number; nomor: string; sandiman: string }[];
    const total = workers * perWorker;
    expect(rows.map((r) => r.urut)).toEqual(Array.from({ length: total }, (_, i) => i + 1));
    expect(new Set(rows.map((r) => r.nomor)).size).toBe(total);
    expect(new Set(rows.map((r) => r.sandiman)).size).toBe(workers);
    expect(chainOk(s)).toBe(total * 4);
  }, 120_000);
});

// ------------------------------------------------------------------------------------------ incoming

let rawCounter = 0;
function sha(): string {
  return (++rawCounter).toString(16).padStart(64, '0');
}

function registerIncomingLetter(s: Store, over: Partial<reg.NewSuratMasuk> = {}): reg.SuratMasuk {
  return s.write((tx) =>
    reg.registerIncoming(
      tx,
      {
        operator: 'sandi@kominfo',
        diterimaAt: '2026-11-10T01:00:00.000Z',
        pengirim: 'Sekretariat Daerah <setda@example.go.id>',
        kepada: ['kominfo@example.go.id'],
        tembusan: ['kadis@example.go.id'],
        perihal: 'Undangan Rapat',
        nomorSurat: '005/77/SETDA',
        lampiran: [{ name: 'undangan.pdf', type: 'application/pdf', size: 1234, sha256: 'a'.repeat(64) }],
        rawSha256: sha(),
        rawSize: 4096,
        messageId: `<m${rawCounter}@example.go.id>`,
        source: { sumber: 'imap', folder: 'INBOX', uidvalidity: 1700000000, uid: rawCounter },
        ...over,
      },
      { format: DEFAULT_FORMATS.surat_masuk, timeZone: 'Asia/Jakarta' },
      NOV,
    ),
  );
}

function registerIncomingKripto(s: Store): reg.KriptogramMasuk {
  return s.write((tx) =>
    reg.registerIncomingKriptogram(
      tx,
      { operator: 'sandi@kominfo', diterimaAt: NOV.toISOString(), pengirim: 'persandian@prov.example.go.id', subjekLuar: 'KRIP/014/XI/2026', rawSha256: sha(), rawSize: 9000, source: { sumber: 'eml', folder: '/media/usb' } },
      { format: DEFAULT_FORMATS.kriptogram_masuk, timeZone: 'Asia/Jakarta' },
      NOV,
    ),
  );
}

describe('incoming registers and annotations', () => {
  it('registers, numbers, dedupes and moves an incoming letter through its steps', () => {
    const s = open();
    const a = registerIncomingLetter(s);
    const b = registerIncomingLetter(s);
    expect([a.nomor, b.nomor]).toEqual(['SM/001/XI/2026', 'SM/002/XI/2026']);
    expect(a).toMatchObject({ pengirim: 'Sekretariat Daerah <setda@example.go.id>', tembusan: ['kadis@example.go.id'], sumber: 'imap', folder: 'INBOX', status: 'terdaftar' });
    expect(reg.findIncomingDuplicate(s, { rawSha256: a.rawSha256 })).toMatchObject({ buku: 'surat_masuk', id: a.id, by: 'sha256' });
    expect(reg.findIncomingDuplicate(s, { rawSha256: 'f'.repeat(64), source: { sumber: 'imap', folder: 'INBOX', uidvalidity: 1700000000, uid: b.uid ?? 0 } })).toMatchObject({ id: b.id, by: 'source' });
    expect(reg.findIncomingDuplicate(s, { rawSha256: 'f'.repeat(64), messageId: b.messageId })).toMatchObject({ id: b.id, by: 'message_id' });
    expect(reg.findIncomingDuplicate(s, { rawSha256: 'f'.repeat(64), messageId: '<none@x>' })).toBeNull();
    // registering the same archived message twice is refused, and takes no number
    const dup = sandiErr(() => registerIncomingLetter(s, { rawSha256: a.rawSha256 }));
    expect(dup).toMatchObject({ code: 'CONFLICT', key: 'store.conflict.unique' });
    expect(dup.params['field']).toBe('raw_sha256');
    expect(registerIncomingLetter(s).nomor).toBe('SM/003/XI/2026');

    s.write((tx) => reg.addIncomingStep(tx, a.id, 'teruskan', { to: ['kadis@example.go.id'] }, NOV, 'budi'));
    s.write((tx) => reg.addIncomingStep(tx, a.id, 'cetak', { copies: 3 }, NOV, 'budi'));
    expect(s.write((tx) => reg.setIncomingStatus(tx, a.id, 'dicetak', NOV, 'budi')).dicetakAt).toBe(NOV.toISOString());
    expect(sandiErr(() => s.write((tx) => reg.setIncomingStatus(tx, a.id, 'selesai', NOV, 'budi'))).key).toBe('store.illegalTransition');
    expect(reg.listIncomingSteps(s, a.id).map((x) => x.langkah)).toEqual(['teruskan', 'cetak']);
    expect(s.write((tx) => reg.setIncomingNotes(tx, a.id, { isiRingkas: 'Rapat tanggal 12' }, NOV, 'adum')).isiRingkas).toBe('Rapat tanggal 12');
    expect(sandiErr(() => s.write((tx) => reg.setIncomingNotes(tx, a.id, { isiRingkas: 'lain' }, NOV, 'adum'))).key).toBe('store.conflict.set_once');
    expect([...reg.listIncoming(s)]).toHaveLength(3);
    chainOk(s);
  });

  it('records an incoming kriptogram read or refused', () => {
    const s = open();
    const k = registerIncomingKripto(s);
    expect(k).toMatchObject({ nomor: 'KM/001/XI/2026', status: 'terdaftar', sifat: null });
    const read = s.write((tx) => reg.recordIncomingKriptogramRead(tx, k.id, { sifat: 'Rahasia', perihalTerenkripsi: Buffer.from('enc'), nomorPengirim: 'KRIP/014/XI/2026', penandaTangan: [{ keyId: 'ABC', status: 'good' }] }, NOV, 'budi'));
    expect(read).toMatchObject({ status: 'terbaca', sifat: 'Rahasia', penandaTangan: [{ keyId: 'ABC', status: 'good' }] });
    const bad = registerIncomingKripto(s);
    expect(s.write((tx) => reg.rejectIncomingKriptogram(tx, bad.id, { alasan: 'tanda tangan tidak sah' }, NOV, 'budi')).status).toBe('ditolak');
    expect(sandiErr(() => s.write((tx) => reg.closeIncomingKriptogram(tx, bad.id, NOV, 'budi'))).key).toBe('store.illegalTransition');
  });

  it('corrections are annotations; annotations are append-only and must point at a real row and column', () => {
    const s = open();
    const m = registerIncomingLetter(s);
    const note = s.write((tx) => reg.annotate(tx, { buku: 'surat_masuk', baris: m.id, actor: 'adum', catatan: 'Perihal salah ketik', koreksi: { kolom: 'perihal', nilai: 'Undangan Rapat Koordinasi' } }, NOV));
    expect(note).toMatchObject({ jenis: 'koreksi', kolom: 'perihal', nilai: 'Undangan Rapat Koordinasi' });
    const fix = s.write((tx) => reg.annotate(tx, { buku: 'surat_masuk', baris: m.id, actor: 'kasi', catatan: 'Koreksi atas koreksi', koreksi: { kolom: 'perihal', nilai: 'Undangan Rapat Kerja' }, mengoreksi: note.id }, NOV));
    expect(fix.mengoreksi).toBe(note.id);
    expect(reg.listAnnotations(s, 'surat_masuk', m.id)).toHaveLength(2);
    expect(reg.getIncoming(s, m.id).perihal).toBe('Undangan Rapat'); // the original stays
    expect(sandiErr(() => s.write((tx) => reg.annotate(tx, { buku: 'surat_masuk', baris: m.id, actor: 'x', catatan: 'c', koreksi: { kolom: 'tidak_ada', nilai: 1 } }, NOV))).key).toBe('store.conflict.bad_column');
    expect(sandiErr(() => s.write((tx) => reg.annotate(tx, { buku: 'surat_masuk', baris: 999, actor: 'x', catatan: 'c' }, NOV))).code).toBe('NOT_FOUND');
    expect(sqlErr(() => s.db.prepare(`UPDATE anotasi SET catatan = 'x'`).run())).toMatch(/append_only/);
    expect(sqlErr(() => s.db.prepare(`INSERT INTO anotasi (buku, baris, at, actor, jenis, catatan) VALUES ('surat_masuk', 999, 't', 'a', 'catatan', 'c')`).run())).toMatch(/no_target/);
  });
});
