/**
 * Ordinary letters (`sandi kirim --biasa`, register surat_keluar): SOP register in the outgoing mail register,
 * send the scanned letter, note the time sent. They reuse the sending half of the kriptogram flow: the MIME
 * part (and detached signature) archived first, then one transaction registers, signs, numbers and fixes the
 * Message-ID, then the same send.
 */
import { randomBytes } from 'node:crypto';
import { SandiError } from '../../errors.js';
import type { KeyInfo } from '../../ports.js';
import { biasaSifatAllowed, makeMessageId } from '../../domain/kirim.js';
import { isDerajat } from '../../domain/records.js';
import { documentPart } from '../../domain/surat-biasa.js';
import type { Claim as PidLock } from '../../ports/mail.js';
import { NOT_FINAL, sha256, type KirimCtx } from './context.js';
import { claimIn, requireState } from './claims.js';
import { documentOf } from './dokumen.js';
import { letterNames } from './files.js';
import { ownSigningKey, sendSecrets, unlockKey } from './keys.js';
import { send } from './nomori-kirim.js';
import { letterView, type BiasaInput, type BiasaReport, type LetterView, type UnlockedKey } from './types.js';

/**
 * Send an ordinary letter in clear (SOP: register in the outgoing mail register, send the scanned letter,
 * note the time sent). The document part (and the optional detached signature) is archived first; then
 * one transaction registers, records the signature, numbers the letter and fixes its Message-ID; then
 * it is sent like a kriptogram (tidak_pasti before the first byte, terkirim with the time sent).
 */
export async function kirimBiasa(c: KirimCtx, input: BiasaInput): Promise<BiasaReport> {
  const { app, o, config, keys, now, progress, letterNumbering, fromEmail } = c;
  const sifat = input.sifat ?? 'Biasa';
  const derajat = input.derajat ?? 'Biasa';
  if (!biasaSifatAllowed(sifat)) throw new SandiError('DATA', 'kirim.biasaSifat', { value: String(sifat) });
  if (!isDerajat(derajat)) throw new SandiError('DATA', 'store.badDerajat', { value: String(derajat) });
  if (input.perihal.trim().length === 0) throw new SandiError('USAGE', 'store.fieldRequired', { field: 'perihal' });
  if (input.kepada.length === 0) throw new SandiError('USAGE', 'store.noRecipients');
  for (const e of input.kepada) {
    if (!/^[^\s@<>,"]+@[^\s@<>,"]+\.[^\s@<>,"]+$/.test(e)) throw new SandiError('DATA', 'kirim.badEmail', { value: e });
    // local delivery: refuse an address that is not one plain Maildir folder name before anything is written
    if (!config.mailbox) c.io.maildirs.maildirIn(app.paths.maildir, e);
  }
  const doc = documentOf(input.dokumen);
  const book = new Map(keys.listAddresses().map((a) => [a.email.toLowerCase(), a]));
  const recipients = input.kepada.map((email) => {
    const a = book.get(email.toLowerCase());
    return { email, unit: a?.unit ?? email, unitCode: a?.unitCode ?? null };
  });
  let signer: { key: KeyInfo; unlocked: UnlockedKey } | null = null;
  if (input.tandatangani) {
    const key = await ownSigningKey(c, 'sandiman');
    signer = { key, unlocked: await unlockKey(c, key, 'sandiman') };
  }
  // registering numbers it: every secret the send needs first
  await sendSecrets(c);
  progress('diperiksa', null);

  const dokSha = sha256(doc.data);
  const names = letterNames(dokSha, signer?.key.fingerprint ?? null);
  const { arsip } = c.io;
  // the same document bytes keep the part first archived (only the attachment's name could differ)
  // (never replaced: a letter registered meanwhile may point to it, and its signature covers it)
  if (!arsip.exists(names.part)) arsip.writeSync(names.part, documentPart(doc.fileName, doc.data), { keepExisting: true });
  if (signer && names.sig && !arsip.exists(names.sig)) {
    const signDetached = await c.io.detachedSigner();
    const sig = await signDetached(
      arsip.readSync(names.part),
      { unlockedArmored: signer.unlocked.armored, fingerprint: signer.key.fingerprint, userId: signer.key.userId },
      now(),
    );
    arsip.writeSync(names.sig, Buffer.from(`${JSON.stringify(sig)}\n`, 'utf8'), { keepExisting: true });
  }
  const messageId = makeMessageId(randomBytes(16).toString('hex'), fromEmail);
  let claim: PidLock | null = null;
  const numbered = c.registers().write((u) => {
    const reg = u.suratKeluar.register(
      { operator: o.actor, recipients, perihal: input.perihal, sifat, derajat, dokumenSha256: dokSha, permohonan: input.permohonan, assignedBy: input.assignedBy ?? null },
      now(),
    );
    if (signer) u.suratKeluar.setStatus(reg.id, 'ditandatangani', { signer: signer.key.userId, signerFpr: signer.key.fingerprint }, now(), o.actor);
    u.suratKeluar.assignNumber(reg.id, letterNumbering, now(), o.actor);
    u.suratKeluar.setMessageId(reg.id, messageId, now(), o.actor);
    // claimed with its registration: a `lanjut` running meanwhile does not send it too
    claim = claimIn(c, 'surat_keluar', reg.id);
    if (!claim) throw new SandiError('TEMPFAIL', 'kirim.rowBusy', { id: reg.id }, { hint: 'kirim.rowBusy.hint' });
    return u.suratKeluar.get(reg.id);
  });
  const held = claim as PidLock | null;
  try {
    progress('surat-terdaftar', numbered.id);
    progress('bernomor', numbered.id);
    const { row: done, sent } = await send(c, numbered);
    return { row: letterView(done), sent };
  } finally {
    held?.release();
  }
}

/** Rows of the outgoing mail register (ordinary letters) that are not finished, or all of them. */
export function statusBiasa(c: KirimCtx, all = false): LetterView[] {
  return [...c.registers().suratKeluar.list(all ? {} : { status: NOT_FINAL })].map(letterView);
}

/** Cancel an ordinary letter before it is sent, with the reason. */
export function batalBiasa(c: KirimCtx, id: number, alasan: string): LetterView {
  const { o, now } = c;
  if (alasan.trim().length === 0) throw new SandiError('USAGE', 'store.fieldRequired', { field: 'alasan' });
  const r = c.registers().suratKeluar.get(id);
  requireState(r, ['terdaftar', 'ditandatangani', 'bernomor']);
  return letterView(c.registers().write((u) => u.suratKeluar.setStatus(id, 'batal', { alasan }, now(), o.actor)));
}
