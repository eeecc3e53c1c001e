/**
 * The office's books as typed functions over the SQLite store. Every write takes the WriteTx of
 * `store.write()` (BEGIN IMMEDIATE), changes one register row and appends one audit event in the same
 * transaction, so a change is either fully recorded or not at all. Illegal moves are refused here with a
 * clear CONFLICT before SQL is touched; the triggers of migration 2 refuse them again underneath.
 *
 * Times are stored as UTC ISO 8601; the year and month of a number are those of the office's time zone.
 */
import { SandiError } from '../../errors.js';
import type { WriteTx } from './store.js';
import { allocateNumber, blob, dbOf, iso, nonEmpty, num, parseJson, rowOf, run, sha256, stmt, str, text, type DbLike } from './registers/shared.js';
import {
  canMoveKriptogramMasuk,
  canMoveSuratMasuk,
  type KriptogramMasukStatus,
  type SuratMasukLangkah,
  type SuratMasukStatus,
} from '../../domain/incoming-state.js';
import { BUKU, isDerajat, isSifat, type Buku, type Derajat, type Numbering, type Sifat } from '../../domain/records.js';
import type { IncomingCommon, IncomingMessageFields, IncomingSource, KriptogramMasuk, Lampiran, LangkahRow, NewKriptogramMasuk, NewSuratMasuk, SuratMasuk } from '../../domain/records-masuk.js';
import type { Anotasi, NewAnotasi } from '../../domain/records-anotasi.js';

export { allocateNumber, type DbLike } from './registers/shared.js';
export { setOutgoingMessageId } from './registers/keluar.js';
export { assignOutgoingNumber, findOutgoingByNumber, getOutgoing, listOutgoing, registerOutgoing, setOutgoingStatus } from './registers/kriptogram-keluar.js';
export { assignOutgoingLetterNumber, getOutgoingLetter, listOutgoingLetters, registerOutgoingLetter, setOutgoingLetterStatus } from './registers/surat-keluar.js';
// the record types live in src/domain/; re-exported so existing importers keep working
export type { Numbering } from '../../domain/records.js';
export type { KriptogramKeluar, NewKriptogramKeluar, NewSuratKeluar, OutgoingFilter, OutgoingStatusFields, Recipient, RequestLetter, SuratKeluar } from '../../domain/records-keluar.js';
export type { IncomingSource, KriptogramMasuk, Lampiran, LangkahRow, NewKriptogramMasuk, NewSuratMasuk, SuratMasuk } from '../../domain/records-masuk.js';
export type { Anotasi, NewAnotasi } from '../../domain/records-anotasi.js';

// ------------------------------------------------------------------------------------------- incoming

function incomingCommon(r: Record<string, unknown>): IncomingCommon {
  return {
    id: Number(r['id']),
    nomor: String(r['nomor']),
    tahun: Number(r['tahun']),
    urut: Number(r['urut']),
    registeredAt: String(r['registered_at']),
    operator: String(r['operator']),
    diterimaAt: String(r['diterima_at']),
    pengirim: String(r['pengirim']),
    kepada: parseJson<string[]>(r['kepada'], []),
    peringatan: parseJson<string[]>(r['peringatan'], []),
    rawSha256: String(r['raw_sha256']),
    rawSize: Number(r['raw_size']),
    messageId: str(r['message_id']),
    sumber: r['sumber'] as IncomingCommon['sumber'],
    folder: str(r['folder']),
    uidvalidity: num(r['uidvalidity']),
    uid: num(r['uid']),
  };
}

function toSuratMasuk(r: Record<string, unknown>): SuratMasuk {
  return {
    ...incomingCommon(r),
    tembusan: parseJson<string[]>(r['tembusan'], []),
    nomorSurat: str(r['nomor_surat']),
    tanggalSurat: str(r['tanggal_surat']),
    perihal: str(r['perihal']),
    isiRingkas: str(r['isi_ringkas']),
    sifat: r['sifat'] as Sifat,
    derajat: r['derajat'] as Derajat,
    lampiran: parseJson<Lampiran[]>(r['lampiran'], []),
    keterangan: str(r['keterangan']),
    status: r['status'] as SuratMasukStatus,
    dicetakAt: str(r['dicetak_at']),
    diparafAt: str(r['diparaf_at']),
    diantarAt: str(r['diantar_at']),
    selesaiAt: str(r['selesai_at']),
  };
}

function toKriptogramMasuk(r: Record<string, unknown>): KriptogramMasuk {
  return {
    ...incomingCommon(r),
    subjekLuar: str(r['subjek_luar']),
    status: r['status'] as KriptogramMasukStatus,
    terbacaAt: str(r['terbaca_at']),
    sifat: (r['sifat'] as Sifat | null) ?? null,
    perihalTerenkripsi: blob(r['perihal_terenkripsi']),
    nomorPengirim: str(r['nomor_pengirim']),
    penandaTangan: r['penanda_tangan'] === null || r['penanda_tangan'] === undefined ? null : JSON.parse(text(r['penanda_tangan'])),
    ditolakAt: str(r['ditolak_at']),
    ditolakAlasan: str(r['ditolak_alasan']),
    selesaiAt: str(r['selesai_at']),
  };
}

function checkMessageFields(row: IncomingMessageFields): void {
  nonEmpty('operator', row.operator);
  nonEmpty('pengirim', row.pengirim);
  if (!/^[0-9a-f]{64}$/.test(row.rawSha256)) throw new SandiError('DATA', 'store.badSha256', { value: row.rawSha256 });
  if (!Number.isInteger(row.rawSize) || row.rawSize < 0) throw new SandiError('DATA', 'store.fieldRequired', { field: 'rawSize' });
}

function sourceCols(s: IncomingSource): [string, string | null, number | null, number | null] {
  return s.sumber === 'imap' ? ['imap', s.folder, s.uidvalidity, s.uid] : [s.sumber, s.folder ?? null, null, null];
}

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

/** One incoming letter by id; NOT_FOUND when there is none. */
export function getIncoming(db: DbLike, id: number): SuratMasuk {
  return toSuratMasuk(rowOf(dbOf(db), 'surat_masuk', id));
}

/** One incoming kriptogram by id; NOT_FOUND when there is none. */
export function getIncomingKriptogram(db: DbLike, id: number): KriptogramMasuk {
  return toKriptogramMasuk(rowOf(dbOf(db), 'kriptogram_masuk', id));
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

/**
 * The register row an incoming message was already registered as, in either incoming register: same
 * archive hash, same IMAP source (folder + UIDVALIDITY + UID), or same Message-ID (checked in that order).
 */
export function findIncomingDuplicate(
  db: DbLike,
  q: { rawSha256: string; messageId?: string | null; source?: IncomingSource },
): { buku: 'surat_masuk' | 'kriptogram_masuk'; id: number; nomor: string; by: 'sha256' | 'source' | 'message_id' } | null {
  const d = dbOf(db);
  for (const buku of ['surat_masuk', 'kriptogram_masuk'] as const) {
    const r = stmt(d, `SELECT id, nomor FROM ${buku} WHERE raw_sha256 = ?`).get(q.rawSha256) as { id: number; nomor: string } | undefined;
    if (r) return { buku, ...r, by: 'sha256' };
  }
  if (q.source?.sumber === 'imap') {
    for (const buku of ['surat_masuk', 'kriptogram_masuk'] as const) {
      const r = stmt(d, `SELECT id, nomor FROM ${buku} WHERE folder = ? AND uidvalidity = ? AND uid = ?`).get(q.source.folder, q.source.uidvalidity, q.source.uid) as
        | { id: number; nomor: string }
        | undefined;
      if (r) return { buku, ...r, by: 'source' };
    }
  }
  if (q.messageId) {
    for (const buku of ['surat_masuk', 'kriptogram_masuk'] as const) {
      const r = stmt(d, `SELECT id, nomor FROM ${buku} WHERE message_id = ? ORDER BY id LIMIT 1`).get(q.messageId) as { id: number; nomor: string } | undefined;
      if (r) return { buku, ...r, by: 'message_id' };
    }
  }
  return null;
}

const SURAT_MASUK_TIME: Record<SuratMasukStatus, string | null> = {
  terdaftar: null,
  dicetak: 'dicetak_at',
  diparaf: 'diparaf_at',
  diantar: 'diantar_at',
  selesai: 'selesai_at',
};

/** Move an incoming letter to its next status (the furthest SOP step reached), with an audit event. */
export function setIncomingStatus(tx: WriteTx, id: number, to: SuratMasukStatus, at: Date, actor: string): SuratMasuk {
  const buku = 'surat_masuk';
  nonEmpty('actor', actor);
  const from = rowOf(tx.db, buku, id)['status'] as SuratMasukStatus;
  if (!canMoveSuratMasuk(from, to)) throw new SandiError('CONFLICT', 'store.illegalTransition', { buku, id, from, to });
  const col = SURAT_MASUK_TIME[to];
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

// ------------------------------------------------------------------------------------------ annotations

function toAnotasi(r: Record<string, unknown>): Anotasi {
  return {
    id: Number(r['id']),
    buku: r['buku'] as Buku,
    baris: Number(r['baris']),
    at: String(r['at']),
    actor: String(r['actor']),
    jenis: r['jenis'] as Anotasi['jenis'],
    kolom: str(r['kolom']),
    nilai: r['nilai'] === null ? null : (JSON.parse(text(r['nilai'])) as unknown),
    nilaiTerenkripsi: blob(r['nilai_terenkripsi']),
    catatan: String(r['catatan']),
    mengoreksi: num(r['mengoreksi']),
  };
}

/**
 * Annotate a register row: a note, or a correction of one column. Registers are never edited; readers
 * show the latest correction of a column next to the original value.
 */
export function annotate(tx: WriteTx, a: NewAnotasi, at: Date): Anotasi {
  if (!(BUKU as readonly string[]).includes(a.buku)) throw new SandiError('DATA', 'store.badBuku', { value: String(a.buku) });
  nonEmpty('actor', a.actor);
  const catatan = nonEmpty('catatan', a.catatan);
  const k = a.koreksi;
  if (k && k.nilai === undefined && !k.nilaiTerenkripsi) throw new SandiError('DATA', 'store.fieldRequired', { field: 'koreksi.nilai' });
  const enc = k?.nilaiTerenkripsi ? Buffer.from(k.nilaiTerenkripsi) : null;
  rowOf(tx.db, a.buku, a.baris);
  const info = run(a.buku, a.baris, () =>
    stmt(tx.db, 'INSERT INTO anotasi (buku, baris, at, actor, jenis, kolom, nilai, nilai_terenkripsi, catatan, mengoreksi) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)').run(
      a.buku, a.baris, iso(at), a.actor, k ? 'koreksi' : 'catatan', k?.kolom ?? null,
      k && k.nilai !== undefined ? JSON.stringify(k.nilai) : null, enc, catatan, a.mengoreksi ?? null,
    ),
  );
  const id = Number(info.lastInsertRowid);
  tx.audit(at, {
    actor: a.actor,
    action: `anotasi.${k ? 'koreksi' : 'catatan'}`,
    entity: a.buku,
    entityId: String(a.baris),
    data: { anotasi: id, catatan, kolom: k?.kolom ?? null, nilai: k?.nilai ?? null, nilaiTerenkripsiSha256: enc ? sha256(enc) : null, mengoreksi: a.mengoreksi ?? null },
  });
  return toAnotasi(stmt(tx.db, 'SELECT * FROM anotasi WHERE id = ?').get(id) as Record<string, unknown>);
}

/** The annotations of one register row, oldest first. */
export function listAnnotations(db: DbLike, buku: Buku, baris: number): Anotasi[] {
  if (!(BUKU as readonly string[]).includes(buku)) throw new SandiError('DATA', 'store.badBuku', { value: String(buku) });
  return (stmt(dbOf(db), 'SELECT * FROM anotasi WHERE buku = ? AND baris = ? ORDER BY id').all(buku, baris) as Record<string, unknown>[]).map(toAnotasi);
}
