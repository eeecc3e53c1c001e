/**
 * The outgoing ordinary letter register (surat_keluar, `sandi kirim --biasa`): register, read, list, move,
 * number. Every write changes one row and appends one audit event in the caller's write transaction.
 */
import { SandiError } from '../../../errors.js';
import type { WriteTx } from '../store.js';
import type { OutgoingStatus } from '../../../domain/outgoing-state.js';
import { isDerajat, type Numbering } from '../../../domain/records.js';
import { SURAT_KELUAR_REGISTER } from '../../../domain/registers/surat-keluar.js';
import type { NewSuratKeluar, OutgoingFilter, OutgoingStatusFields, SuratKeluar } from '../../../domain/records-keluar.js';
import { checkRecipients, dbOf, iso, nonEmpty, rowOf, run, stmt, type DbLike } from './shared.js';
import { moveOutgoing, numberOutgoing, whereOf } from './keluar.js';
import { rowMapper } from './row-mapper.js';

/** A row as a record, generated from the register's description. */
const toSuratKeluar = rowMapper<SuratKeluar>(SURAT_KELUAR_REGISTER);

/** Register a new outgoing ordinary letter (sandi kirim --biasa), status terdaftar. */
export function registerOutgoingLetter(tx: WriteTx, row: NewSuratKeluar, at: Date): SuratKeluar {
  const buku = 'surat_keluar';
  const sifat = row.sifat ?? 'Biasa';
  const derajat = row.derajat ?? 'Biasa';
  if (sifat !== 'Biasa' && sifat !== 'Terbatas') throw new SandiError('DATA', 'store.badSifat', { value: String(sifat) });
  if (!isDerajat(derajat)) throw new SandiError('DATA', 'store.badDerajat', { value: String(derajat) });
  nonEmpty('operator', row.operator);
  const perihal = nonEmpty('perihal', row.perihal);
  const recipients = checkRecipients(row.recipients);
  const p = row.permohonan ?? {};
  const info = run(buku, undefined, () =>
    stmt(
      tx.db,
      `INSERT INTO surat_keluar (registered_at, operator, recipients, sifat, derajat, perihal, dokumen_sha256,
         permohonan_nomor, permohonan_tanggal, permohonan_unit, assigned_by)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(iso(at), row.operator, recipients, sifat, derajat, perihal, row.dokumenSha256 ?? null, p.nomor ?? null, p.tanggal ?? null, p.unit ?? null, row.assignedBy ?? null),
  );
  const id = Number(info.lastInsertRowid);
  tx.audit(at, {
    actor: row.operator,
    action: `${buku}.terdaftar`,
    entity: buku,
    entityId: String(id),
    data: { recipients: row.recipients, sifat, derajat, perihal, dokumenSha256: row.dokumenSha256 ?? null, permohonan: p, assignedBy: row.assignedBy ?? null },
  });
  return getOutgoingLetter(tx.db, id);
}

/** One outgoing ordinary letter by id; NOT_FOUND when there is none. */
export function getOutgoingLetter(db: DbLike, id: number): SuratKeluar {
  return toSuratKeluar(rowOf(dbOf(db), 'surat_keluar', id));
}

/** Outgoing ordinary letters in id order, streamed. */
export function* listOutgoingLetters(db: DbLike, filter: OutgoingFilter = {}): IterableIterator<SuratKeluar> {
  const w = whereOf(filter);
  for (const r of dbOf(db).prepare(`SELECT * FROM surat_keluar ${w.sql} ORDER BY id`).iterate(...w.params)) {
    yield toSuratKeluar(r as Record<string, unknown>);
  }
}

/** Move an outgoing ordinary letter to its next state (as setOutgoingStatus). */
export function setOutgoingLetterStatus(tx: WriteTx, id: number, to: OutgoingStatus, fields: OutgoingStatusFields, at: Date, actor: string): SuratKeluar {
  moveOutgoing(tx, 'surat_keluar', id, to, fields, at, actor);
  return getOutgoingLetter(tx.db, id);
}

/** Number an outgoing ordinary letter in its own register (as assignOutgoingNumber). */
export function assignOutgoingLetterNumber(tx: WriteTx, id: number, numbering: Numbering, at: Date, actor: string): SuratKeluar {
  numberOutgoing(tx, 'surat_keluar', id, numbering, at, actor);
  return getOutgoingLetter(tx.db, id);
}
