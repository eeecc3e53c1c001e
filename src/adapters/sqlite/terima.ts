/**
 * The fetch position of `sandi terima` per mailbox account and folder (table terima_folder, migration 4),
 * and lookups of incoming register rows by their agenda number.
 */
import type { Statement } from 'better-sqlite3';
import type { WriteTx } from './store.js';
import { stmt } from './statements.js';
import { annotate, getIncoming, getIncomingKriptogram, type DbLike, type KriptogramMasuk, type SuratMasuk } from './registers.js';
import { isDerajat, isSifat, type Derajat, type Sifat } from '../../domain/records.js';
import type { FolderPosition } from '../../domain/records-masuk.js';

// the record type lives in src/domain/records-masuk.ts; re-exported so existing importers keep working
export type { FolderPosition } from '../../domain/records-masuk.js';

const dbOf = (x: DbLike) => ('prepare' in x ? x : x.db);

/** Where the last run stopped in `folder` of `akun`, or null when it was never fetched. */
export function getFolderPosition(db: DbLike, akun: string, folder: string): FolderPosition | null {
  const r = stmt<[string, string], { uidvalidity: number; last_uid: number }>(dbOf(db), 'SELECT uidvalidity, last_uid FROM terima_folder WHERE akun = ? AND folder = ?').get(akun, folder);
  return r ? { uidvalidity: r.uidvalidity, lastUid: r.last_uid } : null;
}

/**
 * Record that every message up to `lastUid` under `uidvalidity` is registered (or was a duplicate). Call it in
 * the same transaction as the registration, so a crash never skips a message nor counts one twice.
 */
export function setFolderPosition(tx: WriteTx, akun: string, folder: string, pos: FolderPosition, at: Date): void {
  let st = upserts.get(tx.db);
  if (st === undefined) {
    st = tx.db.prepare<[string, string, number, number, string]>(
      `INSERT INTO terima_folder (akun, folder, uidvalidity, last_uid, updated_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (akun, folder) DO UPDATE SET uidvalidity = excluded.uidvalidity, last_uid = excluded.last_uid, updated_at = excluded.updated_at`,
    );
    upserts.set(tx.db, st);
  }
  st.run(akun, folder, pos.uidvalidity, pos.lastUid, at.toISOString());
}

/**
 * Start the position of `folder` again at `pos` under the SAME UIDVALIDITY: the one way back past the
 * forward-only trigger, for a server whose UIDs went back (its UIDNEXT at or below the recorded position:
 * restored from a backup, index rebuilt). The row is replaced, not updated; the content hash and Message-ID
 * keep what is registered already from being registered again.
 */
export function restartFolderPosition(tx: WriteTx, akun: string, folder: string, pos: FolderPosition, at: Date): void {
  tx.db.prepare<[string, string]>('DELETE FROM terima_folder WHERE akun = ? AND folder = ?').run(akun, folder);
  setFolderPosition(tx, akun, folder, pos, at);
}

/** the position upsert, prepared once per connection (it runs once per registered batch) */
const upserts = new WeakMap<WriteTx['db'], Statement<[string, string, number, number, string]>>();

/** An incoming letter by agenda number (or row id given as digits), or null. */
export function findIncomingByRef(db: DbLike, ref: string): SuratMasuk | null {
  const d = dbOf(db);
  const r = /^\d+$/.test(ref)
    ? d.prepare<[number], { id: number }>('SELECT id FROM surat_masuk WHERE id = ?').get(Number(ref))
    : d.prepare<[string], { id: number }>('SELECT id FROM surat_masuk WHERE nomor = ?').get(ref);
  return r ? getIncoming(d, r.id) : null;
}

/** An incoming kriptogram by agenda number (or row id given as digits), or null. */
export function findIncomingKriptogramByRef(db: DbLike, ref: string): KriptogramMasuk | null {
  const d = dbOf(db);
  const r = /^\d+$/.test(ref)
    ? d.prepare<[number], { id: number }>('SELECT id FROM kriptogram_masuk WHERE id = ?').get(Number(ref))
    : d.prepare<[string], { id: number }>('SELECT id FROM kriptogram_masuk WHERE nomor = ?').get(ref);
  return r ? getIncomingKriptogram(d, r.id) : null;
}

/** Incoming kriptogram rows, in id order. */
export function listIncomingKriptogram(db: DbLike, filter: { status?: string } = {}): KriptogramMasuk[] {
  const d = dbOf(db);
  const rows = filter.status
    ? d.prepare<[string], { id: number }>('SELECT id FROM kriptogram_masuk WHERE status = ? ORDER BY id').all(filter.status)
    : d.prepare<[], { id: number }>('SELECT id FROM kriptogram_masuk ORDER BY id').all();
  return rows.map((r) => getIncomingKriptogram(d, r.id));
}

/** The highest incoming-letter row id so far (0 when none): a run's starting mark. */
export function lastIncomingLetterId(db: DbLike): number {
  return dbOf(db).prepare<[], { id: number | null }>('SELECT max(id) AS id FROM surat_masuk').get()?.id ?? 0;
}

/** Incoming-letter row ids above `id`, in order: what was registered since a starting mark. */
export function incomingLetterIdsAfter(db: DbLike, id: number): number[] {
  return dbOf(db)
    .prepare<[number], { id: number }>('SELECT id FROM surat_masuk WHERE id > ? ORDER BY id')
    .all(id)
    .map((r) => r.id);
}

/** Record the calendar date (YYYY-MM-DD) an incoming letter's written date means (migration 9), in the registration's transaction. */
export function recordLetterDate(tx: WriteTx, suratMasukId: number, tanggal: string): void {
  stmt<[number, string]>(tx.db, 'INSERT INTO surat_masuk_tanggal (surat_masuk_id, tanggal) VALUES (?, ?)').run(suratMasukId, tanggal);
}

/** The calendar date read from an incoming letter's written date, or null. */
export function letterDate(db: DbLike, suratMasukId: number): string | null {
  return dbOf(db).prepare<[number], { tanggal: string }>('SELECT tanggal FROM surat_masuk_tanggal WHERE surat_masuk_id = ?').get(suratMasukId)?.tanggal ?? null;
}

/**
 * The classification and urgency that apply to an incoming letter: the latest correction of each column
 * (anotasi koreksi, `sandi terima klasifikasi`), else the value it was registered with.
 */
export function incomingClassification(db: DbLike, suratMasukId: number): { sifat: Sifat; derajat: Derajat; dikoreksi: boolean } {
  const row = getIncoming(dbOf(db), suratMasukId);
  const latest = (kolom: string): unknown =>
    dbOf(db)
      .prepare<[number, string], { v: unknown }>(
        "SELECT json_extract(nilai, '$') AS v FROM anotasi WHERE buku = 'surat_masuk' AND baris = ? AND jenis = 'koreksi' AND kolom = ? ORDER BY id DESC LIMIT 1",
      )
      .get(suratMasukId, kolom)?.v;
  const s = latest('sifat');
  const d = latest('derajat');
  return { sifat: isSifat(s) ? s : row.sifat, derajat: isDerajat(d) ? d : row.derajat, dikoreksi: s !== undefined || d !== undefined };
}

/** Record a classification (and/or urgency) correction of an incoming letter: one anotasi koreksi per column, with the reason. */
export function classifyIncoming(tx: WriteTx, suratMasukId: number, k: { sifat?: Sifat; derajat?: Derajat; alasan: string; actor: string }, at: Date): void {
  if (k.sifat !== undefined) annotate(tx, { buku: 'surat_masuk', baris: suratMasukId, actor: k.actor, catatan: k.alasan, koreksi: { kolom: 'sifat', nilai: k.sifat } }, at);
  if (k.derajat !== undefined) annotate(tx, { buku: 'surat_masuk', baris: suratMasukId, actor: k.actor, catatan: k.alasan, koreksi: { kolom: 'derajat', nilai: k.derajat } }, at);
}
