/**
 * The outgoing kriptogram register (kriptogram_keluar): register, read, list, move, number. Every write
 * changes one row and appends one audit event in the caller's write transaction.
 */
import { SandiError } from '../../../errors.js';
import type { WriteTx } from '../store.js';
import type { OutgoingStatus } from '../../../domain/outgoing-state.js';
import { isDerajat, isSifat, subjectMustBeEncrypted, type Numbering } from '../../../domain/records.js';
import { KRIPTOGRAM_KELUAR_REGISTER } from '../../../domain/registers/kriptogram-keluar.js';
import type { KriptogramKeluar, NewKriptogramKeluar, OutgoingFilter, OutgoingStatusFields } from '../../../domain/records-keluar.js';
import { checkRecipients, dbOf, iso, nonEmpty, rowOf, run, sha256, stmt, type DbLike } from './shared.js';
import { moveOutgoing, numberOutgoing, whereOf } from './keluar.js';
import { rowMapper } from './row-mapper.js';

/** A row as a record, generated from the register's description. */
const toKriptogramKeluar = rowMapper<KriptogramKeluar>(KRIPTOGRAM_KELUAR_REGISTER);

/**
 * Register a new outgoing kriptogram (status terdaftar). The subject goes to `perihal` for Biasa and
 * Terbatas, and must come already encrypted (`perihalTerenkripsi`) for Rahasia and Sangat Rahasia.
 */
export function registerOutgoing(tx: WriteTx, row: NewKriptogramKeluar, at: Date): KriptogramKeluar {
  const buku = 'kriptogram_keluar';
  if (!isSifat(row.sifat)) throw new SandiError('DATA', 'store.badSifat', { value: String(row.sifat) });
  if (!isDerajat(row.derajat)) throw new SandiError('DATA', 'store.badDerajat', { value: String(row.derajat) });
  nonEmpty('sandiman', row.sandiman);
  const recipients = checkRecipients(row.recipients);
  let perihal: string | null = null;
  let enc: Buffer | null = null;
  if (subjectMustBeEncrypted(row.sifat)) {
    if (row.perihal) throw new SandiError('DATA', 'store.subjectMustBeEncrypted', { sifat: row.sifat });
    if (!row.perihalTerenkripsi || row.perihalTerenkripsi.length === 0) throw new SandiError('DATA', 'store.fieldRequired', { field: 'perihalTerenkripsi' });
    enc = Buffer.from(row.perihalTerenkripsi);
  } else {
    if (row.perihalTerenkripsi) throw new SandiError('DATA', 'store.subjectClearOnly', { sifat: row.sifat });
    perihal = nonEmpty('perihal', row.perihal);
  }
  const p = row.permohonan ?? {};
  const info = run(buku, undefined, () =>
    stmt(
      tx.db,
      `INSERT INTO kriptogram_keluar (registered_at, sandiman, recipients, sifat, derajat, perihal, perihal_terenkripsi,
         permohonan_nomor, permohonan_tanggal, permohonan_unit, assigned_by)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(iso(at), row.sandiman, recipients, row.sifat, row.derajat, perihal, enc, p.nomor ?? null, p.tanggal ?? null, p.unit ?? null, row.assignedBy ?? null),
  );
  const id = Number(info.lastInsertRowid);
  tx.audit(at, {
    actor: row.sandiman,
    action: `${buku}.terdaftar`,
    entity: buku,
    entityId: String(id),
    data: {
      recipients: row.recipients,
      sifat: row.sifat,
      derajat: row.derajat,
      perihal,
      perihalTerenkripsiSha256: enc ? sha256(enc) : null,
      permohonan: { nomor: p.nomor ?? null, tanggal: p.tanggal ?? null, unit: p.unit ?? null },
      assignedBy: row.assignedBy ?? null,
    },
  });
  return getOutgoing(tx.db, id);
}

/** One outgoing kriptogram by id; NOT_FOUND when there is none. */
export function getOutgoing(db: DbLike, id: number): KriptogramKeluar {
  return toKriptogramKeluar(rowOf(dbOf(db), 'kriptogram_keluar', id));
}

/** An outgoing kriptogram by its register number, or null. */
export function findOutgoingByNumber(db: DbLike, nomor: string): KriptogramKeluar | null {
  const r = stmt(dbOf(db), 'SELECT * FROM kriptogram_keluar WHERE nomor = ?').get(nomor) as Record<string, unknown> | undefined;
  return r ? toKriptogramKeluar(r) : null;
}

/** Outgoing kriptogram rows in id order, streamed. */
export function* listOutgoing(db: DbLike, filter: OutgoingFilter = {}): IterableIterator<KriptogramKeluar> {
  const w = whereOf(filter);
  for (const r of dbOf(db).prepare(`SELECT * FROM kriptogram_keluar ${w.sql} ORDER BY id`).iterate(...w.params)) {
    yield toKriptogramKeluar(r as Record<string, unknown>);
  }
}

/**
 * Move an outgoing kriptogram to its next state, recording what that state fills in (see
 * OutgoingStatusFields) and one audit event. Numbering is `assignOutgoingNumber`, not this.
 */
export function setOutgoingStatus(tx: WriteTx, id: number, to: OutgoingStatus, fields: OutgoingStatusFields, at: Date, actor: string): KriptogramKeluar {
  moveOutgoing(tx, 'kriptogram_keluar', id, to, fields, at, actor);
  return getOutgoing(tx.db, id);
}

/**
 * Number a signed outgoing kriptogram: the next gapless number of the year in the office's time zone,
 * taken inside this transaction together with its audit event (rolled back together, so no gap).
 */
export function assignOutgoingNumber(tx: WriteTx, id: number, numbering: Numbering, at: Date, actor: string): KriptogramKeluar {
  numberOutgoing(tx, 'kriptogram_keluar', id, numbering, at, actor);
  return getOutgoing(tx.db, id);
}
