/**
 * The incoming kriptogram register (kriptogram_masuk) and the SOP step events of one that was read
 * (kriptogram_masuk_langkah): register with the next number, read, refuse, steps, close. Every write appends
 * its audit event in the caller's write transaction.
 */
import { SandiError } from '../../../errors.js';
import type { WriteTx } from '../store.js';
import { canMoveKriptogramMasuk, type KriptogramMasukStatus, type SuratMasukLangkah } from '../../../domain/incoming-state.js';
import { isSifat, type Numbering, type Sifat } from '../../../domain/records.js';
import { KRIPTOGRAM_MASUK_REGISTER } from '../../../domain/registers/kriptogram-masuk.js';
import type { KriptogramMasuk, LangkahRow, NewKriptogramMasuk } from '../../../domain/records-masuk.js';
import { allocateNumber, dbOf, iso, nonEmpty, rowOf, run, sha256, stmt, type DbLike } from './shared.js';
import { checkMessageFields, sourceCols } from './masuk.js';
import { rowMapper } from './row-mapper.js';

/** A row as a record, generated from the register's description. */
const toKriptogramMasuk = rowMapper<KriptogramMasuk>(KRIPTOGRAM_MASUK_REGISTER);

/** Register an incoming kriptogram in its own register (numbered like registerIncoming). */
export function registerIncomingKriptogram(tx: WriteTx, row: NewKriptogramMasuk, numbering: Numbering, at: Date): KriptogramMasuk {
  const buku = 'kriptogram_masuk';
  checkMessageFields(row);
  const n = allocateNumber(tx, buku, numbering, at, null);
  const [sumber, folder, uidvalidity, uid] = sourceCols(row.source);
  const info = run(buku, undefined, () =>
    stmt(
      tx.db,
      `INSERT INTO kriptogram_masuk (nomor, tahun, urut, registered_at, operator, diterima_at, pengirim, kepada, subjek_luar,
         peringatan, raw_sha256, raw_size, message_id, sumber, folder, uidvalidity, uid)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      n.nomor, n.tahun, n.urut, iso(at), row.operator, row.diterimaAt, row.pengirim, JSON.stringify(row.kepada ?? []),
      row.subjekLuar ?? null, JSON.stringify(row.peringatan ?? []), row.rawSha256, row.rawSize, row.messageId ?? null,
      sumber, folder, uidvalidity, uid,
    ),
  );
  const id = Number(info.lastInsertRowid);
  const { operator, ...data } = row;
  tx.audit(at, { actor: operator, action: `${buku}.terdaftar`, entity: buku, entityId: String(id), data: { ...n, ...data } });
  return getIncomingKriptogram(tx.db, id);
}

/** One incoming kriptogram by id; NOT_FOUND when there is none. */
export function getIncomingKriptogram(db: DbLike, id: number): KriptogramMasuk {
  return toKriptogramMasuk(rowOf(dbOf(db), 'kriptogram_masuk', id));
}

/** Record that an incoming kriptogram was decrypted and its signatures checked (status terbaca). */
export function recordIncomingKriptogramRead(
  tx: WriteTx,
  id: number,
  result: { sifat?: Sifat | null; perihalTerenkripsi?: Uint8Array | null; nomorPengirim?: string | null; penandaTangan: unknown },
  at: Date,
  actor: string,
): KriptogramMasuk {
  const buku = 'kriptogram_masuk';
  nonEmpty('actor', actor);
  const from = rowOf(tx.db, buku, id)['status'] as KriptogramMasukStatus;
  if (!canMoveKriptogramMasuk(from, 'terbaca')) throw new SandiError('CONFLICT', 'store.illegalTransition', { buku, id, from, to: 'terbaca' });
  if (result.sifat != null && !isSifat(result.sifat)) throw new SandiError('DATA', 'store.badSifat', { value: String(result.sifat) });
  const enc = result.perihalTerenkripsi ? Buffer.from(result.perihalTerenkripsi) : null;
  run(buku, id, () =>
    stmt(tx.db, `UPDATE kriptogram_masuk SET status = 'terbaca', terbaca_at = ?, sifat = ?, perihal_terenkripsi = ?, nomor_pengirim = ?, penanda_tangan = ? WHERE id = ?`).run(
      iso(at), result.sifat ?? null, enc, result.nomorPengirim ?? null, JSON.stringify(result.penandaTangan ?? []), id,
    ),
  );
  tx.audit(at, {
    actor,
    action: `${buku}.terbaca`,
    entity: buku,
    entityId: String(id),
    data: { sifat: result.sifat ?? null, nomorPengirim: result.nomorPengirim ?? null, penandaTangan: result.penandaTangan ?? [], perihalTerenkripsiSha256: enc ? sha256(enc) : null },
  });
  return getIncomingKriptogram(tx.db, id);
}

/** Record that an incoming kriptogram was refused (integrity or signature failure), with the reason. */
export function rejectIncomingKriptogram(tx: WriteTx, id: number, r: { alasan: string; penandaTangan?: unknown }, at: Date, actor: string): KriptogramMasuk {
  const buku = 'kriptogram_masuk';
  nonEmpty('actor', actor);
  const alasan = nonEmpty('alasan', r.alasan);
  const from = rowOf(tx.db, buku, id)['status'] as KriptogramMasukStatus;
  if (!canMoveKriptogramMasuk(from, 'ditolak')) throw new SandiError('CONFLICT', 'store.illegalTransition', { buku, id, from, to: 'ditolak' });
  const signers = r.penandaTangan === undefined ? null : JSON.stringify(r.penandaTangan);
  run(buku, id, () =>
    stmt(tx.db, `UPDATE kriptogram_masuk SET status = 'ditolak', ditolak_at = ?, ditolak_alasan = ?, penanda_tangan = ? WHERE id = ?`).run(iso(at), alasan, signers, id),
  );
  tx.audit(at, { actor, action: `${buku}.ditolak`, entity: buku, entityId: String(id), data: { alasan, penandaTangan: r.penandaTangan ?? null } });
  return getIncomingKriptogram(tx.db, id);
}

/** One SOP step event of an incoming kriptogram that was read (cetak, paraf, antar, tandaterima, arsip); migration 10. */
export function addIncomingKriptogramStep(tx: WriteTx, id: number, langkah: Exclude<SuratMasukLangkah, 'teruskan'>, data: unknown, at: Date, actor: string): Omit<LangkahRow, 'suratMasukId'> {
  const buku = 'kriptogram_masuk_langkah';
  nonEmpty('actor', actor);
  const status = rowOf(tx.db, 'kriptogram_masuk', id)['status'] as KriptogramMasukStatus;
  if (status !== 'terbaca') throw new SandiError('CONFLICT', 'store.illegalTransition', { buku: 'kriptogram_masuk', id, from: status, to: langkah });
  const info = run(buku, id, () =>
    stmt(tx.db, 'INSERT INTO kriptogram_masuk_langkah (kriptogram_masuk_id, langkah, at, actor, data) VALUES (?, ?, ?, ?, ?)').run(id, langkah, iso(at), actor, JSON.stringify(data ?? {})),
  );
  tx.audit(at, { actor, action: `kriptogram_masuk.langkah.${langkah}`, entity: 'kriptogram_masuk', entityId: String(id), data: data ?? {} });
  return { id: Number(info.lastInsertRowid), langkah, at: iso(at), actor, data: data ?? {} };
}

/** The SOP step events of an incoming kriptogram, oldest first (none before migration 10). */
export function listIncomingKriptogramSteps(db: DbLike, id: number): Omit<LangkahRow, 'suratMasukId'>[] {
  return (stmt(dbOf(db), 'SELECT * FROM kriptogram_masuk_langkah WHERE kriptogram_masuk_id = ? ORDER BY id').all(id) as Record<string, unknown>[]).map((r) => ({
    id: Number(r['id']),
    langkah: r['langkah'] as SuratMasukLangkah,
    at: String(r['at']),
    actor: String(r['actor']),
    data: JSON.parse(String(r['data'])) as unknown,
  }));
}

/** Close an incoming kriptogram that was read (status selesai). */
export function closeIncomingKriptogram(tx: WriteTx, id: number, at: Date, actor: string): KriptogramMasuk {
  const buku = 'kriptogram_masuk';
  const from = rowOf(tx.db, buku, id)['status'] as KriptogramMasukStatus;
  if (!canMoveKriptogramMasuk(from, 'selesai')) throw new SandiError('CONFLICT', 'store.illegalTransition', { buku, id, from, to: 'selesai' });
  run(buku, id, () => stmt(tx.db, `UPDATE kriptogram_masuk SET status = 'selesai', selesai_at = ? WHERE id = ?`).run(iso(at), id));
  tx.audit(at, { actor, action: `${buku}.selesai`, entity: buku, entityId: String(id), data: { from } });
  return getIncomingKriptogram(tx.db, id);
}
