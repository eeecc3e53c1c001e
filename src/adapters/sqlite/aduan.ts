/**
 * The complaint register (aduan) and its hand-over events (aduan_langkah): typed register functions. Every
 * write records its audit event in the same transaction. The reporter's identity is an opaque encrypted blob
 * here; it never goes into an audit event.
 */
import type { Db, WriteTx } from './store.js';
import type { AduanAction, AduanStatus } from '../../domain/aduan.js';
import { ADUAN_REGISTER } from '../../domain/registers/aduan.js';
import { rowMapper, selectList } from './registers/row-mapper.js';
import { nomorAduan } from '../../domain/aduan.js';
import { StaleAduan, type Aduan, type LangkahAduan, type NewAduan, type StepWrite } from '../../domain/records-aduan.js';

// the record types live in src/domain/records-aduan.ts; re-exported so existing importers keep working
export type { Aduan, LampiranAduan, LangkahAduan, NewAduan, StepWrite } from '../../domain/records-aduan.js';
export { StaleAduan } from '../../domain/records-aduan.js';

type DbLike = Db | { readonly db: Db };
const dbOf = (d: DbLike): Db => ('prepare' in d ? d : d.db);

type AduanRow = Record<string, unknown>;

/** The record's columns (the reporter's identity only as whether there is one) and the mapper, from the description. */
const COLS = selectList(ADUAN_REGISTER);
const fromRow = rowMapper<Aduan>(ADUAN_REGISTER);

/** Register a complaint (status diterima) with its first event and audit event. */
export function registerAduan(tx: WriteTx, row: NewAduan, at: Date, actor: string): Aduan {
  const urut = tx.nextNumber('aduan', row.tahun);
  const nomor = nomorAduan(urut, row.tahun);
  const diterima = row.diterimaAt.toISOString();
  const info = tx.db
    .prepare(
      `INSERT INTO aduan (nomor, tahun, urut, registered_at, operator, sumber, kanal, nomor_pelacakan, jenis, kategori, judul, kronologi,
         diterima_at, kerahasiaan, pelapor_terenkripsi, lampiran, status, status_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'diterima', ?)`,
    )
    .run(
      nomor, row.tahun, urut, at.toISOString(), actor, row.sumber, row.kanal, row.nomorPelacakan, row.jenis, row.kategori, row.judul,
      row.kronologi, diterima, row.kerahasiaan, row.pelaporTerenkripsi === null ? null : Buffer.from(row.pelaporTerenkripsi),
      JSON.stringify(row.lampiran), diterima,
    );
  const id = Number(info.lastInsertRowid);
  tx.db
    .prepare("INSERT INTO aduan_langkah (aduan_id, aksi, dari_status, ke_status, at, actor, data) VALUES (?, 'catat', NULL, 'diterima', ?, ?, ?)")
    .run(id, at.toISOString(), actor, JSON.stringify({ sumber: row.sumber, lampiran: row.lampiran.length }));
  tx.audit(at, {
    actor,
    action: row.sumber === 'impor' ? 'aduan.impor' : 'aduan.catat',
    entity: 'aduan',
    entityId: nomor,
    data: { kanal: row.kanal, nomorPelacakan: row.nomorPelacakan, jenis: row.jenis, kerahasiaan: row.kerahasiaan, diterimaAt: diterima, lampiran: row.lampiran.map((l) => l.sha256) },
  });
  return getAduan(tx.db, id);
}

export function getAduan(d: DbLike, id: number): Aduan {
  const r = dbOf(d).prepare<[number], AduanRow>(`SELECT ${COLS} FROM aduan WHERE id = ?`).get(id);
  if (!r) throw new Error(`aduan ${id} vanished`);
  return fromRow(r);
}

/** A complaint by register number (ADU/001/2026), row id, or channel tracking id (with `kanal` when ambiguous). */
export function findAduan(d: DbLike, ref: string, kanal?: string): Aduan[] {
  const db = dbOf(d);
  const byNomor = db.prepare<[string], AduanRow>(`SELECT ${COLS} FROM aduan WHERE nomor = ?`).get(ref);
  if (byNomor) return [fromRow(byNomor)];
  const rows =
    kanal === undefined
      ? db.prepare<[string], AduanRow>(`SELECT ${COLS} FROM aduan WHERE nomor_pelacakan = ? ORDER BY id`).all(ref)
      : db.prepare<[string, string], AduanRow>(`SELECT ${COLS} FROM aduan WHERE nomor_pelacakan = ? AND kanal = ? ORDER BY id`).all(ref, kanal);
  if (rows.length > 0) return rows.map(fromRow);
  if (/^\d+$/.test(ref)) {
    const r = db.prepare<[number], AduanRow>(`SELECT ${COLS} FROM aduan WHERE id = ?`).get(Number(ref));
    if (r) return [fromRow(r)];
  }
  return [];
}

export function findByTracking(d: DbLike, kanal: string, nomorPelacakan: string): Aduan | null {
  const r = dbOf(d).prepare<[string, string], AduanRow>(`SELECT ${COLS} FROM aduan WHERE kanal = ? AND nomor_pelacakan = ?`).get(kanal, nomorPelacakan);
  return r ? fromRow(r) : null;
}

export function* listAduan(d: DbLike, filter: { statuses?: readonly AduanStatus[] } = {}): IterableIterator<Aduan> {
  const db = dbOf(d);
  const it =
    filter.statuses === undefined
      ? db.prepare<[], AduanRow>(`SELECT ${COLS} FROM aduan ORDER BY id`).iterate()
      : db.prepare<string[], AduanRow>(`SELECT ${COLS} FROM aduan WHERE status IN (${filter.statuses.map(() => '?').join(', ')}) ORDER BY id`).iterate(...filter.statuses);
  for (const r of it) yield fromRow(r);
}

/** The encrypted identity of a complaint, or null (anonymous). */
export function pelaporBlob(d: DbLike, id: number): Uint8Array | null {
  const r = dbOf(d).prepare<[number], { b: Buffer | null }>('SELECT pelapor_terenkripsi AS b FROM aduan WHERE id = ?').get(id);
  return r?.b ? new Uint8Array(r.b) : null;
}

export function listLangkahAduan(d: DbLike, aduanId: number): LangkahAduan[] {
  return dbOf(d)
    .prepare<[number], { id: number; aksi: AduanAction | 'catat'; dari_status: AduanStatus | null; ke_status: AduanStatus; at: string; actor: string; catatan: string | null; opd: string | null; data: string }>(
      'SELECT id, aksi, dari_status, ke_status, at, actor, catatan, opd, data FROM aduan_langkah WHERE aduan_id = ? ORDER BY id',
    )
    .all(aduanId)
    .map((r) => ({ id: r.id, aksi: r.aksi, dariStatus: r.dari_status, keStatus: r.ke_status, at: r.at, actor: r.actor, catatan: r.catatan, opd: r.opd, data: JSON.parse(r.data) as Record<string, unknown> }));
}

/**
 * Record one hand-over: the status change (guarded: the row must still be in `from`, so a concurrent change
 * is a conflict, not a lost update), the event row and the audit event.
 */
export function recordAduanStep(tx: WriteTx, id: number, s: StepWrite, at: Date, actor: string): Aduan {
  const ditundaDari = s.to === 'ditunda' ? s.from : null;
  const opdSet = s.opd ?? null;
  const res = tx.db
    .prepare(
      `UPDATE aduan SET status = ?, status_at = ?, ditunda_dari = ?, opd = COALESCE(?, opd), opd_email = CASE WHEN ? IS NULL THEN opd_email ELSE ? END
       WHERE id = ? AND status = ?`,
    )
    .run(s.to, at.toISOString(), ditundaDari, opdSet?.unit ?? null, opdSet?.unit ?? null, opdSet?.email ?? null, id, s.from);
  if (res.changes !== 1) throw new StaleAduan(id);
  tx.db
    .prepare('INSERT INTO aduan_langkah (aduan_id, aksi, dari_status, ke_status, at, actor, catatan, opd, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)')
    .run(id, s.aksi, s.from, s.to, at.toISOString(), actor, s.catatan, opdSet?.unit ?? null, JSON.stringify(s.data ?? {}));
  const a = getAduan(tx.db, id);
  tx.audit(at, {
    actor,
    action: `aduan.${s.aksi}`,
    entity: 'aduan',
    entityId: a.nomor,
    data: { dari: s.from, ke: s.to, catatan: s.catatan, opd: opdSet?.unit ?? null, ...(s.data ?? {}) },
  });
  return a;
}

/** An OPD from the address book, by e-mail or unit name (case-insensitive); several when the name is shared. */
export function findUnit(d: DbLike, ref: string): { unit: string; email: string }[] {
  return dbOf(d)
    .prepare<[string, string], { unit: string; email: string }>('SELECT unit, email FROM buku_alamat WHERE email = ? COLLATE NOCASE OR unit = ? COLLATE NOCASE ORDER BY email')
    .all(ref, ref);
}
