/**
 * What the two incoming books (surat_masuk, kriptogram_masuk) share: the checks of a
 * received message, where it came from, and the duplicate lookup across both registers.
 */
import { SandiError } from '../../../errors.js';
import type { IncomingMessageFields, IncomingSource } from '../../../domain/records-masuk.js';
import { dbOf, nonEmpty, stmt, type DbLike } from './shared.js';

export function checkMessageFields(row: IncomingMessageFields): void {
  nonEmpty('operator', row.operator);
  nonEmpty('pengirim', row.pengirim);
  if (!/^[0-9a-f]{64}$/.test(row.rawSha256)) throw new SandiError('DATA', 'store.badSha256', { value: row.rawSha256 });
  if (!Number.isInteger(row.rawSize) || row.rawSize < 0) throw new SandiError('DATA', 'store.fieldRequired', { field: 'rawSize' });
}

export function sourceCols(s: IncomingSource): [string, string | null, number | null, number | null] {
  return s.sumber === 'imap' ? ['imap', s.folder, s.uidvalidity, s.uid] : [s.sumber, s.folder ?? null, null, null];
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
