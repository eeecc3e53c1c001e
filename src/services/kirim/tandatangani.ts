/**
 * SOP step tandatangani (the Kasi's signature): the Kasi decrypts the draft with the Kasi's own key, in
 * memory, checks the sandiman's signature, may read the document, and builds the final kriptogram: the same
 * content (same boundary, so the sandiman's signature still fits) with both signatures, encrypted to every
 * recipient and the archive key, archived as a new file the row points to only in the transaction that
 * records the signature.
 */
import { SandiError } from '../../errors.js';
import type { KeyInfo } from '../../ports.js';
import type { KriptogramKeluar } from '../../domain/records-keluar.js';
import { documentInput, encryptedSpool, type KirimCtx } from './context.js';
import { claimOrBusy, requireState, row } from './claims.js';
import { OUT, finalName } from './files.js';
import { ownSigningKey, sendSecrets, unlockKey } from './keys.js';
import { numberAndSend } from './nomori-kirim.js';
import { openDraft } from './paraf.js';
import { rowView, type DraftView, type KirimReport, type ParafRecord, type UnlockedKey } from './types.js';

/** The Kasi's signature: the final kriptogram (both signatures) archived, the row ditandatangani. */
export async function sign(
  c: KirimCtx,
  r: KriptogramKeluar,
  kasi: KeyInfo,
  kasiKey: UnlockedKey,
  confirm?: (d: DraftView) => Promise<boolean>,
  // single-operator run: the document and the initial are still in memory, no need to decrypt the draft
  // (the sandiman's signature is checked again by encryptKriptogram before anything is written)
  inMemory?: { doc: Buffer; record: ParafRecord; sandimanArmored: string },
): Promise<KriptogramKeluar> {
  const { config, keys, now, progress, kasiActor } = c;
  requireState(r, ['diparaf']);
  let opened = inMemory;
  if (!opened) {
    const d = await openDraft(c, r, kasiKey);
    if (confirm) {
      const ok = await confirm({ row: rowView(r), fileName: d.record.fileName, subject: d.record.headers.subject, bytes: d.doc.length, paraf: d.paraf, document: d.doc });
      if (!ok) throw new SandiError('CANCELLED', 'common.cancelled');
    }
    opened = d;
  }
  const { doc, record, sandimanArmored } = opened;
  const recipientKeys: string[] = [];
  for (const x of r.recipients) {
    if (!x.fingerprint) throw new SandiError('DATA', 'kirim.recipientWithoutKey', { email: x.email });
    recipientKeys.push((await keys.requireUsableKey(x.fingerprint, 'encrypt')).publicArmored);
  }
  recipientKeys.push((await keys.requireUsableKey(config.archiveKey, 'encrypt')).publicArmored);
  const spooled = await encryptedSpool(c, {
    input: documentInput(doc),
    fileName: record.fileName,
    headers: record.headers,
    boundary: record.boundary,
    recipientKeys,
    signingKeys: [kasiKey],
    presetSignatures: [{ body: Buffer.from(record.paraf, 'base64'), publicArmored: sandimanArmored }],
    armor: true,
    date: now(),
  });
  const kriptogramSha256 = spooled.sha256;
  // a new name: the row points to it only through the transaction below (on the office database the name
  // is committed by that same transaction); if that is refused (the row moved meanwhile, e.g. batal), this
  // run takes back its own new name and nothing else
  const { arsip } = c.io;
  const name = finalName(r.id, kriptogramSha256);
  let created: boolean;
  try {
    created = (await spooled.archive(name)).result === 'written';
  } finally {
    spooled.remove();
  }
  c.io.crashPoint('final-tertulis');
  let signed: KriptogramKeluar;
  try {
    signed = c.registers().write((u) => u.kriptogramKeluar.setStatus(r.id, 'ditandatangani', { signer: kasi.userId, signerFpr: kasi.fingerprint, kriptogramSha256 }, now(), kasiActor));
  } catch (e) {
    if (created) {
      try {
        arsip.abandon(name);
      } catch {
        /* the register's refusal is what to report; the file is nobody's either way */
      }
    }
    throw e;
  }
  // files of earlier attempts at this row's signature (a run killed after writing its file) are nobody's:
  // the row now points to this one, and this run holds the row's claim
  const attempt = new RegExp(`^${OUT}/${r.id}-[0-9a-f]{16}\\.asc$`);
  for (const n of arsip.list(`${OUT}/${r.id}-`)) {
    if (!attempt.test(n) || n === name) continue;
    try {
      arsip.abandon(n, { leftByKilledRun: true });
    } catch {
      /* gone meanwhile; a leftover nobody points to is harmless */
    }
  }
  progress('ditandatangani', r.id);
  c.io.crashPoint('ditandatangani');
  return signed;
}

/** The Kasi reads the draft (in memory) and signs; with `kirim`, the kriptogram is then numbered and sent. */
export async function tandatangani(c: KirimCtx, id: number, opts: { kirim?: boolean; confirm?: (d: DraftView) => Promise<boolean> } = {}): Promise<KirimReport> {
  requireState(row(c, id), ['diparaf']);
  const kasi = await ownSigningKey(c, 'kasi');
  const kasiKey = await unlockKey(c, kasi, 'kasi');
  if (opts.kirim) await sendSecrets(c);
  // claimed, then the state read again under the claim: another run may have signed it meanwhile
  const { row: r0, claim } = claimOrBusy(c, id);
  try {
    const r = await sign(c, r0, kasi, kasiKey, opts.confirm);
    if (!opts.kirim) return { row: rowView(r), waiting: 'sandiman', sent: null };
    const { row: done, sent } = await numberAndSend(c, r);
    return { row: rowView(done), waiting: null, sent };
  } finally {
    claim.release();
  }
}
