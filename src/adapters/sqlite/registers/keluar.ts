/**
 * What the two outgoing books (kriptogram_keluar, surat_keluar) share: the list filter,
 * the state moves with what each records, the numbering of a signed row and the Message-ID fixed before the
 * first SMTP byte. Each write appends its audit event in the caller's transaction.
 */
import { SandiError } from '../../../errors.js';
import type { WriteTx } from '../store.js';
import { canTransition, type OutgoingBuku, type OutgoingStatus } from '../../../domain/outgoing-state.js';
import type { Numbering, Sifat } from '../../../domain/records.js';
import type { OutgoingFilter, OutgoingStatusFields } from '../../../domain/records-keluar.js';
import { allocateNumber, iso, nonEmpty, rowOf, run, stmt, str, text } from './shared.js';

export function whereOf(f: OutgoingFilter): { sql: string; params: unknown[] } {
  const clauses: string[] = [];
  const params: unknown[] = [];
  if (f.status !== undefined) {
    const list = typeof f.status === 'string' ? [f.status] : [...f.status];
    clauses.push(`status IN (${list.map(() => '?').join(', ')})`);
    params.push(...list);
  }
  if (f.from) {
    clauses.push('registered_at >= ?');
    params.push(f.from);
  }
  if (f.to) {
    clauses.push('registered_at < ?');
    params.push(f.to);
  }
  return { sql: clauses.length > 0 ? `WHERE ${clauses.join(' AND ')}` : '', params };
}

export function moveOutgoing(tx: WriteTx, buku: OutgoingBuku, id: number, to: OutgoingStatus, f: OutgoingStatusFields, at: Date, actor: string): void {
  nonEmpty('actor', actor);
  const cur = rowOf(tx.db, buku, id);
  const from = cur['status'] as OutgoingStatus;
  if (!canTransition(buku, from, to)) throw new SandiError('CONFLICT', 'store.illegalTransition', { buku, id, from, to });
  const set: Record<string, unknown> = { status: to };
  switch (to) {
    case 'diparaf':
      Object.assign(set, { diparaf_at: iso(at), diparaf_oleh: actor, paraf_fpr: f.parafFpr ?? null, draf_sha256: f.drafSha256 ?? null });
      break;
    case 'ditandatangani':
      Object.assign(set, { ditandatangani_at: iso(at), signer: f.signer ?? actor, signer_fpr: f.signerFpr ?? null });
      if (buku === 'kriptogram_keluar') set['kriptogram_sha256'] = f.kriptogramSha256 ?? null;
      break;
    case 'bernomor':
      // only back from tidak_pasti (the operator established nothing went out); numbering is assignNumber's
      if (cur['nomor'] === null) throw new SandiError('CONFLICT', 'store.useAssignNumber', { buku, id });
      break;
    case 'tidak_pasti':
    case 'terkirim': {
      const mid = f.messageId ?? str(cur['message_id']);
      if (!mid) throw new SandiError('DATA', 'store.fieldRequired', { field: 'messageId' });
      if (cur['message_id'] !== null && f.messageId && f.messageId !== cur['message_id']) {
        throw new SandiError('CONFLICT', 'store.conflict.set_once', { buku, id, field: 'message_id' });
      }
      set['message_id'] = mid;
      if (to === 'terkirim') Object.assign(set, { sent_at: iso(at), server_reply: f.serverReply ?? null });
      break;
    }
    case 'batal':
      Object.assign(set, { batal_at: iso(at), batal_oleh: actor, batal_alasan: nonEmpty('alasan', f.alasan) });
      break;
    case 'terdaftar':
      break;
  }
  const cols = Object.keys(set);
  run(buku, id, () =>
    stmt(tx.db, `UPDATE ${buku} SET ${cols.map((c) => `${c} = ?`).join(', ')} WHERE id = ?`).run(...cols.map((c) => set[c]), id),
  );
  const { status: _s, ...data } = set;
  void _s;
  tx.audit(at, { actor, action: `${buku}.${to}`, entity: buku, entityId: String(id), data: { from, ...data } });
}

export function numberOutgoing(tx: WriteTx, buku: OutgoingBuku, id: number, numbering: Numbering, at: Date, actor: string): void {
  nonEmpty('actor', actor);
  const cur = rowOf(tx.db, buku, id);
  const from = cur['status'] as OutgoingStatus;
  if (cur['nomor'] !== null) throw new SandiError('CONFLICT', 'store.alreadyNumbered', { buku, id, nomor: text(cur['nomor']) });
  if (!canTransition(buku, from, 'bernomor')) throw new SandiError('CONFLICT', 'store.illegalTransition', { buku, id, from, to: 'bernomor' });
  const n = allocateNumber(tx, buku, numbering, at, cur['sifat'] as Sifat);
  run(buku, id, () =>
    stmt(tx.db, `UPDATE ${buku} SET status = 'bernomor', tahun = ?, urut = ?, nomor = ?, bernomor_at = ? WHERE id = ?`).run(n.tahun, n.urut, n.nomor, iso(at), id),
  );
  tx.audit(at, { actor, action: `${buku}.bernomor`, entity: buku, entityId: String(id), data: { from, ...n } });
}

/**
 * Fix the Message-ID of a numbered row before the first SMTP byte (the outbox record), so that a resumed
 * run can find out whether the message went out. Set once; setting the same value again is a no-op.
 */
export function setOutgoingMessageId(tx: WriteTx, buku: OutgoingBuku, id: number, messageId: string, at: Date, actor: string): void {
  nonEmpty('messageId', messageId);
  const cur = rowOf(tx.db, buku, id);
  if (cur['message_id'] === messageId) return;
  if (cur['message_id'] !== null) throw new SandiError('CONFLICT', 'store.conflict.set_once', { buku, id, field: 'message_id' });
  const status = cur['status'] as OutgoingStatus;
  if (status !== 'bernomor') throw new SandiError('CONFLICT', 'store.notInState', { buku, id, status, expected: 'bernomor' });
  run(buku, id, () => stmt(tx.db, `UPDATE ${buku} SET message_id = ? WHERE id = ?`).run(messageId, id));
  tx.audit(at, { actor, action: `${buku}.message_id`, entity: buku, entityId: String(id), data: { messageId } });
}
