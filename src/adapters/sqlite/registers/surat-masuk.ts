/**
 * The incoming letter register (surat_masuk) and its SOP step events (surat_masuk_langkah): register with
 * the next agenda number, read, list, move, notes, steps. Every write appends its audit event in the
 * caller's write transaction.
 */
import { SandiError } from '../../../errors.js';
import type { WriteTx } from '../store.js';
import { canMoveSuratMasuk, type SuratMasukLangkah, type SuratMasukStatus } from '../../../domain/incoming-state.js';
import { isDerajat, isSifat, type Numbering } from '../../../domain/records.js';
import { filledIn } from '../../../domain/registers/define.js';
import { SURAT_MASUK_REGISTER } from '../../../domain/registers/surat-masuk.js';
import type { LangkahRow, NewSuratMasuk, SuratMasuk } from '../../../domain/records-masuk.js';
import { allocateNumber, dbOf, iso, nonEmpty, rowOf, run, stmt, type DbLike } from './shared.js';
import { checkMessageFields, sourceCols } from './masuk.js';
import { rowMapper } from './row-mapper.js';

/** A row as a record, generated from the register's description. */
const toSuratMasuk = rowMapper<SuratMasuk>(SURAT_MASUK_REGISTER);

/**
 * Register an incoming letter: takes the next gapless agenda number of the year (office time zone, at
 * `at`) and records the message, its archive hash and where it came from, in one transaction.
 * The raw message must already be in the archive. A duplicate (same hash, or same IMAP source) is CONFLICT;
 * use findIncomingDuplicate first to skip it quietly.
 */
export function registerIncoming(tx: WriteTx, row: NewSuratMasuk, numbering: Numbering, at: Date): SuratMasuk {
  const buku = 'surat_masuk';
  checkMessageFields(row);
  const sifat = row.sifat ?? 'Biasa';
  const derajat = row.derajat ?? 'Biasa';
  if (!isSifat(sifat)) throw new SandiError('DATA', 'store.badSifat', { value: String(sifat) });
  if (!isDerajat(derajat)) throw new SandiError('DATA', 'store.badDerajat', { value: String(derajat) });
  const n = allocateNumber(tx, buku, numbering, at, sifat);
  const [sumber, folder, uidvalidity, uid] = sourceCols(row.source);
  const info = run(buku, undefined, () =>
    stmt(
      tx.db,
      `INSERT INTO surat_masuk (nomor, tahun, urut, registered_at, operator, diterima_at, pengirim, kepada, tembusan,
         nomor_surat, tanggal_surat, perihal, isi_ringkas, sifat, derajat, lampiran, keterangan, peringatan,
         raw_sha256, raw_size, message_id, sumber, folder, uidvalidity, uid)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      n.nomor, n.tahun, n.urut, iso(at), row.operator, row.diterimaAt, row.pengirim, JSON.stringify(row.kepada ?? []),
      JSON.stringify(row.tembusan ?? []), row.nomorSurat ?? null, row.tanggalSurat ?? null, row.perihal ?? null,
      row.isiRingkas ?? null, sifat, derajat, JSON.stringify(row.lampiran ?? []), row.keterangan ?? null,
      JSON.stringify(row.peringatan ?? []), row.rawSha256, row.rawSize, row.messageId ?? null, sumber, folder, uidvalidity, uid,
    ),
  );
  const id = Number(info.lastInsertRowid);
  const { operator, ...data } = row;
  tx.audit(at, { actor: operator, action: `${buku}.terdaftar`, entity: buku, entityId: String(id), data: { ...n, ...data } });
  return getIncoming(tx.db, id);
}

/** One incoming letter by id; NOT_FOUND when there is none. */
export function getIncoming(db: DbLike, id: number): SuratMasuk {
  return toSuratMasuk(rowOf(dbOf(db), 'surat_masuk', id));
}

/** Incoming letters in id order, streamed. */
export function* listIncoming(db: DbLike, filter: { from?: string; to?: string; status?: SuratMasukStatus } = {}): IterableIterator<SuratMasuk> {
  const clauses: string[] = [];
  const params: unknown[] = [];
  if (filter.status) {
    clauses.push('status = ?');
    params.push(filter.status);
  }
  if (filter.from) {
    clauses.push('registered_at >= ?');
    params.push(filter.from);
  }
  if (filter.to) {
    clauses.push('registered_at < ?');
    params.push(filter.to);
  }
  const where = clauses.length > 0 ? `WHERE ${clauses.join(' AND ')}` : '';
  for (const r of dbOf(db).prepare(`SELECT * FROM surat_masuk ${where} ORDER BY id`).iterate(...params)) {
    yield toSuratMasuk(r as Record<string, unknown>);
  }
}

/** The time column an incoming letter's status fills once (none for terdaftar), from the register's description. */
const timeColumn = (to: SuratMasukStatus): string | null => filledIn(SURAT_MASUK_REGISTER, to).find((c) => c.kind === 'time')?.name ?? null;

/** Move an incoming letter to its next status (the furthest SOP step reached), with an audit event. */
export function setIncomingStatus(tx: WriteTx, id: number, to: SuratMasukStatus, at: Date, actor: string): SuratMasuk {
  const buku = 'surat_masuk';
  nonEmpty('actor', actor);
  const from = rowOf(tx.db, buku, id)['status'] as SuratMasukStatus;
  if (!canMoveSuratMasuk(from, to)) throw new SandiError('CONFLICT', 'store.illegalTransition', { buku, id, from, to });
  const col = timeColumn(to);
  run(buku, id, () => stmt(tx.db, `UPDATE surat_masuk SET status = ?${col ? `, ${col} = ?` : ''} WHERE id = ?`).run(...(col ? [to, iso(at), id] : [to, id])));
  tx.audit(at, { actor, action: `${buku}.${to}`, entity: buku, entityId: String(id), data: { from } });
  return getIncoming(tx.db, id);
}

/** Fill the summary (isi ringkas) or remarks of an incoming letter; each only once (then: annotate). */
export function setIncomingNotes(tx: WriteTx, id: number, notes: { isiRingkas?: string; keterangan?: string }, at: Date, actor: string): SuratMasuk {
  const buku = 'surat_masuk';
  const cur = rowOf(tx.db, buku, id);
  const set: Record<string, string> = {};
  if (notes.isiRingkas !== undefined) set['isi_ringkas'] = nonEmpty('isiRingkas', notes.isiRingkas);
  if (notes.keterangan !== undefined) set['keterangan'] = nonEmpty('keterangan', notes.keterangan);
  for (const c of Object.keys(set)) {
    if (cur[c] !== null) throw new SandiError('CONFLICT', 'store.conflict.set_once', { buku, id, field: c });
  }
  const cols = Object.keys(set);
  if (cols.length === 0) return toSuratMasuk(cur);
  run(buku, id, () => stmt(tx.db, `UPDATE surat_masuk SET ${cols.map((c) => `${c} = ?`).join(', ')} WHERE id = ?`).run(...cols.map((c) => set[c]), id));
  tx.audit(at, { actor, action: `${buku}.catatan`, entity: buku, entityId: String(id), data: set });
  return getIncoming(tx.db, id);
}

/** Record one SOP step event of an incoming letter (forward, print, an initial, courier, receipt, filing). */
export function addIncomingStep(tx: WriteTx, suratMasukId: number, langkah: SuratMasukLangkah, data: unknown, at: Date, actor: string): LangkahRow {
  const buku = 'surat_masuk_langkah';
  nonEmpty('actor', actor);
  rowOf(tx.db, 'surat_masuk', suratMasukId);
  const info = run(buku, suratMasukId, () =>
    stmt(tx.db, 'INSERT INTO surat_masuk_langkah (surat_masuk_id, langkah, at, actor, data) VALUES (?, ?, ?, ?, ?)').run(
      suratMasukId, langkah, iso(at), actor, JSON.stringify(data ?? {}),
    ),
  );
  tx.audit(at, { actor, action: `surat_masuk.langkah.${langkah}`, entity: 'surat_masuk', entityId: String(suratMasukId), data: data ?? {} });
  return { id: Number(info.lastInsertRowid), suratMasukId, langkah, at: iso(at), actor, data: data ?? {} };
}

/** The step events of an incoming letter, oldest first. */
export function listIncomingSteps(db: DbLike, suratMasukId: number): LangkahRow[] {
  return (stmt(dbOf(db), 'SELECT * FROM surat_masuk_langkah WHERE surat_masuk_id = ? ORDER BY id').all(suratMasukId) as Record<string, unknown>[]).map((r) => ({
    id: Number(r['id']),
    suratMasukId: Number(r['surat_masuk_id']),
    langkah: r['langkah'] as SuratMasukLangkah,
    at: String(r['at']),
    actor: String(r['actor']),
    data: JSON.parse(String(r['data'])) as unknown,
  }));
}
