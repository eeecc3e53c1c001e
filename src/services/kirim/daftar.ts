/**
 * SOP step daftar (register): every input and key (and the passphrases) checked before anything is written,
 * the encrypted draft with the sandiman's initial written (paraf.ts), then the row registered and the initial
 * recorded in one transaction. In single-operator mode the same run goes on: the Kasi signs, and it is
 * numbered and sent.
 */
import { Readable } from 'node:stream';
import { SandiError } from '../../errors.js';
import type { KeyInfo } from '../../ports.js';
import { isDerajat, isSifat, subjectMustBeEncrypted } from '../../domain/records.js';
import type { Claim as PidLock } from '../../ports/mail.js';
import { type KirimCtx } from './context.js';
import { claimIn } from './claims.js';
import { documentOf } from './dokumen.js';
import { kasiEncryptionKeys, ownSigningKey, sendSecrets, unlockKey } from './keys.js';
import { numberAndSend } from './nomori-kirim.js';
import { protectedHeaders, writeDraft } from './paraf.js';
import { sign } from './tandatangani.js';
import { rowView, type KirimInput, type KirimReport, type UnlockedKey } from './types.js';

/**
 * What a send needs before anyone is asked anything: the archive key, a Kasi key to encrypt the draft to,
 * the sandiman's own signing key (and the Kasi's in single-operator mode). NOT_FOUND names the one missing.
 */
export async function siap(c: KirimCtx): Promise<void> {
  const { config, keys, singleOperator } = c;
  await keys.requireUsableKey(config.archiveKey, 'encrypt');
  await kasiEncryptionKeys(c);
  await ownSigningKey(c, 'sandiman');
  if (singleOperator) await ownSigningKey(c, 'kasi');
}

/**
 * Start a kriptogram: check every input and key (and the passphrases) before anything is written, write
 * the encrypted draft with the sandiman's initial, then register and record the initial in one
 * transaction. In single-operator mode the Kasi signs at once, and it is numbered and sent.
 */
export async function mulai(c: KirimCtx, input: KirimInput): Promise<KirimReport> {
  const { o, config, keys, now, progress, singleOperator } = c;
  if (!isSifat(input.sifat)) throw new SandiError('DATA', 'store.badSifat', { value: String(input.sifat) });
  if (!isDerajat(input.derajat)) throw new SandiError('DATA', 'store.badDerajat', { value: String(input.derajat) });
  if (input.perihal.trim().length === 0) throw new SandiError('USAGE', 'store.fieldRequired', { field: 'perihal' });
  if (input.kepada.length === 0) throw new SandiError('USAGE', 'store.noRecipients');
  // the document is held once, until the final kriptogram is made (dropped before the send: see below)
  let doc: { fileName: string; data: Buffer } | null = documentOf(input.dokumen);
  const recipients = await keys.lookupRecipients(input.kepada);
  const archive = await keys.requireUsableKey(config.archiveKey, 'encrypt');
  await kasiEncryptionKeys(c);
  const sandiman = await ownSigningKey(c, 'sandiman');
  const sandimanKey = await unlockKey(c, sandiman, 'sandiman');
  let kasi: { key: KeyInfo; unlocked: UnlockedKey } | null = null;
  if (singleOperator) {
    const key = await ownSigningKey(c, 'kasi');
    kasi = { key, unlocked: await unlockKey(c, key, 'kasi') };
    // it is numbered and sent in this run: the mailbox password too, before anything is written
    await sendSecrets(c);
  }
  progress('diperiksa', null);

  let perihalTerenkripsi: Buffer | null = null;
  if (subjectMustBeEncrypted(input.sifat)) {
    const sink = c.io.memorySink();
    await c.io.crypto.encrypt({
      input: Readable.from([Buffer.from(input.perihal, 'utf8')]),
      output: sink,
      fileName: 'perihal.txt',
      headers: { subject: 'perihal' },
      recipientKeys: [archive.publicArmored],
      signingKeys: [sandimanKey],
      date: now(),
    });
    perihalTerenkripsi = sink.bytes();
  }
  const headers = protectedHeaders(input);
  const finalRecipients = [...recipients.map((x) => x.fingerprint), archive.fingerprint];
  const { sidecar, record } = await writeDraft(c, doc.data, { fileName: doc.fileName, headers }, sandiman, sandimanKey, archive.publicArmored, finalRecipients);
  c.io.crashPoint('draf-tertulis');
  let claim: PidLock | null = null;
  let r = c.registers().write((u) => {
    const reg = u.kriptogramKeluar.register(
      {
        sandiman: o.actor,
        recipients: recipients.map((x) => ({ email: x.email, unit: x.unit, unitCode: x.unitCode, fingerprint: x.fingerprint })),
        sifat: input.sifat,
        derajat: input.derajat,
        perihal: perihalTerenkripsi ? null : input.perihal,
        perihalTerenkripsi,
        permohonan: input.permohonan,
        assignedBy: input.assignedBy ?? null,
      },
      now(),
    );
    const paraf = u.kriptogramKeluar.setStatus(reg.id, 'diparaf', { parafFpr: sidecar.parafFpr, drafSha256: sidecar.drafSha256 }, now(), o.actor);
    // single operator: this run goes on with the row, claimed in the transaction that registers it, so a
    // `lanjut` running meanwhile leaves it alone
    if (kasi) {
      claim = claimIn(c, 'kriptogram_keluar', reg.id);
      if (!claim) throw new SandiError('TEMPFAIL', 'kirim.rowBusy', { id: reg.id }, { hint: 'kirim.rowBusy.hint' });
    }
    return paraf;
  });
  const held = claim as PidLock | null;
  try {
    progress('terdaftar', r.id);
    progress('diparaf', r.id);
    c.io.crashPoint('diparaf');
    if (!kasi) return { row: rowView(r), waiting: 'kasi', sent: null };

    // handed over, not held through the send (the outer mail is built from the archive): with a 256 MiB
    // document that is 256 MB less at the send's peak
    const handOver = (): Buffer => {
      const data = doc?.data ?? Buffer.alloc(0);
      doc = null;
      return data;
    };
    r = await sign(c, r, kasi.key, kasi.unlocked, undefined, { doc: handOver(), record, sandimanArmored: keys.loadPublicArmored(sandiman.fingerprint) });
    const { row: done, sent } = await numberAndSend(c, r);
    return { row: rowView(done), waiting: null, sent };
  } finally {
    held?.release();
  }
}
