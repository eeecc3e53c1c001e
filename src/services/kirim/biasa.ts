/**
 * Ordinary letters (`sandi kirim --biasa`, register surat_keluar): SOP register in the outgoing mail register,
 * send the scanned letter, note the time sent. They reuse the sending half of the kriptogram flow: the MIME
 * part (and detached signature) archived first, then one transaction registers, signs, numbers and fixes the
 * Message-ID, then the same send.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { SandiError } from '../../errors.js';
import type { KeyInfo } from '../../ports.js';
import { biasaSifatAllowed, makeMessageId } from '../../domain/kirim.js';
import { isDerajat } from '../../domain/records.js';
import { documentPart } from '../../domain/surat-biasa.js';
import type { PidLock } from '../../adapters/pid-lock.js';
import { NOT_FINAL, sha256, type KirimCtx } from './context.js';
import { claimIn, requireState } from './claims.js';
import { documentOf } from './dokumen.js';
import { letterPaths, writeNewFile } from './files.js';
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
  const { app, o, config, keys, store, now, progress, lettersDir, letterNumbering, fromEmail } = c;
  const sifat = input.sifat ?? 'Biasa';
  const derajat = input.derajat ?? 'Biasa';
  if (!biasaSifatAllowed(sifat)) throw new SandiError('DATA', 'kirim.biasaSifat', { value: String(sifat) });
  if (!isDerajat(derajat)) throw new SandiError('DATA', 'store.badDerajat', { value: String(derajat) });
  if (input.perihal.trim().length === 0) throw new SandiError('USAGE', 'store.fieldRequired', { field: 'perihal' });
  if (input.kepada.length === 0) throw new SandiError('USAGE', 'store.noRecipients');
  for (const e of input.kepada) {
    if (!/^[^\s@<>,"]+@[^\s@<>,"]+\.[^\s@<>,"]+$/.test(e)) throw new SandiError('DATA', 'kirim.badEmail', { value: e });
    // local delivery: refuse an address that is not one plain Maildir folder name before anything is written
    if (!config.mailbox) c.io.maildirIn(app.paths.maildir, e);
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
  const paths = letterPaths(c, dokSha, signer?.key.fingerprint ?? null);
  mkdirSync(lettersDir, { recursive: true, mode: 0o700 });
  // the same document bytes keep the part first archived (only the attachment's name could differ)
  // (never replaced: a letter registered meanwhile may point to it, and its signature covers it)
  if (!existsSync(paths.part)) writeNewFile(paths.part, documentPart(doc.fileName, doc.data), true);
  if (signer && paths.sig && !existsSync(paths.sig)) {
    const { signDetached } = await c.io.detachedSigner();
    const sig = await signDetached(
      readFileSync(paths.part),
      { unlockedArmored: signer.unlocked.armored, fingerprint: signer.key.fingerprint, userId: signer.key.userId },
      now(),
    );
    writeNewFile(paths.sig, Buffer.from(`${JSON.stringify(sig)}\n`, 'utf8'), true);
  }
  const messageId = makeMessageId(randomBytes(16).toString('hex'), fromEmail);
  let claim: PidLock | null = null;
  const numbered = store.write((tx) => {
    const reg = c.io.registerOutgoingLetter(
      tx,
      { operator: o.actor, recipients, perihal: input.perihal, sifat, derajat, dokumenSha256: dokSha, permohonan: input.permohonan, assignedBy: input.assignedBy ?? null },
      now(),
    );
    if (signer) c.io.setOutgoingLetterStatus(tx, reg.id, 'ditandatangani', { signer: signer.key.userId, signerFpr: signer.key.fingerprint }, now(), o.actor);
    c.io.assignOutgoingLetterNumber(tx, reg.id, letterNumbering, now(), o.actor);
    c.io.setOutgoingMessageId(tx, 'surat_keluar', reg.id, messageId, now(), o.actor);
    // claimed with its registration: a `lanjut` running meanwhile does not send it too
    claim = claimIn(c, 'surat_keluar', reg.id);
    if (!claim) throw new SandiError('TEMPFAIL', 'kirim.rowBusy', { id: reg.id }, { hint: 'kirim.rowBusy.hint' });
    return c.io.getOutgoingLetter(tx.db, reg.id);
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
  const { store } = c;
  return [...c.io.listOutgoingLetters(store, all ? {} : { status: NOT_FINAL })].map(letterView);
}

/** Cancel an ordinary letter before it is sent, with the reason. */
export function batalBiasa(c: KirimCtx, id: number, alasan: string): LetterView {
  const { o, store, now } = c;
  if (alasan.trim().length === 0) throw new SandiError('USAGE', 'store.fieldRequired', { field: 'alasan' });
  const r = c.io.getOutgoingLetter(store, id);
  requireState(r, ['terdaftar', 'ditandatangani', 'bernomor']);
  return letterView(store.write((tx) => c.io.setOutgoingLetterStatus(tx, id, 'batal', { alasan }, now(), o.actor)));
}
