/**
 * SOP step paraf (the sandiman's initial): the sandiman's key signs the document inside a draft kriptogram
 * encrypted to the archive key and the Kasi's key(s) only, with a fixed MIME boundary; a second small
 * kriptogram (the paraf record) keeps that boundary, the file name, the protected headers and the signature
 * packet. Both are written before the row exists (daftar.ts registers it). `openDraft` is the Kasi's side:
 * both decrypted in memory, hashes and the sandiman's signature checked.
 */
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { SandiError } from '../../errors.js';
import type { KeyInfo, ProtectedHeaders, SignerReport } from '../../ports.js';
import type { KriptogramKeluar } from '../../domain/records-keluar.js';
import { permohonanRef } from '../../domain/kirim.js';
import { documentInput, encryptedBytes, encryptedSpool, sha256, type KirimCtx } from './context.js';
import { draftNames, readArchived, readSidecar, shownAt } from './files.js';
import { kasiEncryptionKeys } from './keys.js';
import type { DraftSidecar, KirimInput, ParafRecord, UnlockedKey } from './types.js';

/** The initial: the draft kriptogram and the paraf record, written encrypted (before the row exists); the sidecar last. */
export async function writeDraft(c: KirimCtx, doc: Buffer, input: { fileName: string; headers: ProtectedHeaders }, sandiman: KeyInfo, sandimanKey: UnlockedKey, archiveArmored: string, finalRecipients: string[]): Promise<{ sidecar: DraftSidecar; record: ParafRecord }> {
  const { now } = c;
  const recipientKeys = [archiveArmored, ...(await kasiEncryptionKeys(c))];
  const signingKeys = [sandimanKey];
  const boundary = `=_sandi_${randomBytes(12).toString('hex')}`;
  // the initial is reused in the final kriptogram: it names the final recipients and the archive key
  const draft = await encryptedSpool(c, { input: documentInput(doc), fileName: input.fileName, headers: input.headers, boundary, recipientKeys, signingKeys, date: now(), intendedRecipients: finalRecipients });
  try {
    const sig = draft.result.signatures[0];
    if (!sig) throw new SandiError('INTERNAL', 'common.internal', { detail: 'draft has no signature' });
    const record: ParafRecord = { v: 1, boundary, fileName: input.fileName, headers: input.headers, paraf: sig.toString('base64') };
    const { bytes: paraf } = await encryptedBytes(c, {
      input: Readable.from([Buffer.from(JSON.stringify(record), 'utf8')]),
      fileName: 'paraf.json',
      headers: { subject: 'paraf' },
      recipientKeys,
      signingKeys,
      date: now(),
    });
    const sidecar: DraftSidecar = { v: 2, parafFpr: sandiman.fingerprint, drafSha256: draft.sha256, parafSha256: sha256(paraf) };
    const n = draftNames(sidecar.drafSha256);
    // archived before the row exists (on the office database: with the unit of work that registers it)
    c.io.arsip.writeSync(n.paraf, paraf);
    await draft.archive(n.draf);
    c.io.arsip.writeSync(n.sidecar, Buffer.from(`${JSON.stringify(sidecar)}\n`, 'utf8'));
    return { sidecar, record };
  } finally {
    draft.remove();
  }
}

/** Decrypt the draft and the paraf record with the Kasi's key, in memory; check hashes and the sandiman's signature. */
export async function openDraft(c: KirimCtx, r: KriptogramKeluar, kasiKey: UnlockedKey): Promise<{ doc: Buffer; record: ParafRecord; paraf: SignerReport; sandimanArmored: string }> {
  const { keys, now } = c;
  const s = readSidecar(c, r.drafSha256, r.id);
  const n = draftNames(r.drafSha256 ?? 'tidak-ada');
  if (!s || !c.io.arsip.exists(n.draf) || !c.io.arsip.exists(n.paraf)) throw new SandiError('NOT_FOUND', 'kirim.draftMissing', { id: r.id, path: shownAt(c, n.draf) });
  // the sandiman's key is the one recorded in the register at the initial; the clear sidecar must agree
  if (!r.parafFpr || s.parafFpr !== r.parafFpr || s.drafSha256 !== r.drafSha256) throw new SandiError('INTEGRITY', 'kirim.draftChanged', { id: r.id, path: shownAt(c, n.sidecar) });
  // the draft (a 256 MiB document's is ~350 MB) is checked and decrypted in chunks, never read whole
  const parafBytes = readArchived(c, n.paraf, r.id);
  if (c.io.arsip.stat(n.draf)?.sha256 !== r.drafSha256 || sha256(parafBytes) !== s.parafSha256) throw new SandiError('INTEGRITY', 'kirim.draftChanged', { id: r.id, path: shownAt(c, n.draf) });
  const sandimanArmored = keys.loadPublicArmored(r.parafFpr);
  const decryptionKeys = [kasiKey];
  const recSink = c.io.memorySink();
  await c.io.crypto.decrypt({ input: Readable.from([parafBytes]), output: recSink, decryptionKeys, verificationKeys: [sandimanArmored], requiredSigners: 1, date: now() });
  const record = JSON.parse(recSink.bytes().toString('utf8')) as ParafRecord;
  const docSink = c.io.memorySink();
  // the initial names the final recipients, not the Kasi who opens the draft
  const res = await c.io.crypto.decrypt({ input: Readable.from(c.io.arsip.open(n.draf)), output: docSink, decryptionKeys, verificationKeys: [sandimanArmored], requiredSigners: 1, date: now(), checkIntendedRecipients: false });
  const paraf = res.signers[0];
  if (!paraf) throw new SandiError('SIGNATURE', 'kriptogram.unsigned');
  return { doc: docSink.bytes(), record, paraf, sandimanArmored };
}

/** The protected headers of the draft and the final kriptogram (see the header comment: no number). */
export function protectedHeaders(input: KirimInput): ProtectedHeaders {
  const permohonan = permohonanRef(input.permohonan);
  return { subject: input.perihal, classification: input.sifat, ...(permohonan ? { Permohonan: permohonan } : {}) };
}
