/**
 * Incoming kriptogram: read (decrypt with the office archive key, verify the signatures against the key
 * store and address book) at arrival, later by `sandi terima baca`, or on the next fetch when an earlier run
 * left them unread. A message at fault is refused for good (ditolak, with the reason); anything this office
 * can fix leaves it registered and unread.
 */
import { Readable, type Writable } from 'node:stream';
import { SandiError } from '../../errors.js';
import type { SignerReport } from '../../ports.js';
import type { KriptogramMasuk } from '../../domain/records-masuk.js';
import { extractArmored } from '../../formats/pgpmime.js';
import { normaliseSifat, rejectsKriptogram } from '../../domain/terima.js';
import { nomorDariSubjekLuar } from '../../domain/numbering.js';
import { kunciService } from '../kunci.js';
import { reasonParams, type TerimaCtx } from './konteks.js';
import type { Arrival, SignerView } from './types.js';

export function arrivalOfKriptogram(ctx: TerimaCtx, id: number): Arrival {
  const row = ctx.registers().kriptogramMasuk.findByRef(String(id));
  if (!row) throw new SandiError('INTERNAL', 'common.internal', { detail: `kriptogram_masuk ${id} vanished` });
  return kriptogramArrival(row);
}

export function kriptogramArrival(row: KriptogramMasuk, extra: string[] = []): Arrival {
  return {
    buku: 'kriptogram_masuk',
    id: row.id,
    nomor: row.nomor,
    pengirim: row.pengirim,
    perihal: row.subjekLuar,
    lampiran: 0,
    peringatan: [...row.peringatan, ...extra],
    status: row.status,
    rawSha256: row.rawSha256,
    ...(Array.isArray(row.penandaTangan) ? { penandaTangan: row.penandaTangan as SignerView[] } : {}),
  };
}


/**
 * Decrypt and verify an incoming kriptogram with the office archive key and the address book. The
 * plaintext goes to `output` only when given (and only after every check passed); otherwise it is counted
 * and dropped. Integrity or signature failures reject the row with the reason; a missing passphrase
 * leaves it unread with a warning.
 */
export async function readKriptogramRow(ctx: TerimaCtx, id: number, strict: boolean, output?: Writable, wholeEntity = false): Promise<{ arrival: Arrival; headers?: { subject: string; classification?: string; registerNumber?: string }; fileName?: string }> {
  const row = ctx.registers().kriptogramMasuk.findByRef(String(id));
  if (!row) throw new SandiError('NOT_FOUND', 'terima.notFound', { ref: String(id) });
  const keys = kunciService(ctx.app, ctx.opts.actor);
  let passphrase: string;
  let armoredSecret: string;
  try {
    if (!ctx.opts.passphrases) throw new SandiError('USAGE', 'kunci.passphraseMissing', { key: ctx.config.archiveKey, envRole: 'SANDI_PASSPHRASE_ARSIP' });
    const info = await keys.info(ctx.config.archiveKey);
    armoredSecret = keys.loadSecretArmored(ctx.config.archiveKey);
    passphrase = await ctx.opts.passphrases.get(info);
  } catch (e) {
    if (strict) throw e;
    return { arrival: kriptogramArrival(row, ['terima.w.notRead']) };
  }
  const payload = await extractArmored(ctx.archive.open(row.rawSha256));
  if (!payload) throw new SandiError('DATA', 'terima.notKriptogram', { nomor: row.nomor });
  const verificationKeys: string[] = [];
  const units = new Map<string, string>();
  for (const a of keys.listAddresses()) units.set(a.fingerprint, a.unit);
  // One unreadable key file must not stop every kriptogram from being read: skip it, say so.
  for (const fpr of keys.fingerprints()) {
    try {
      await keys.info(fpr);
      verificationKeys.push(keys.loadPublicArmored(fpr));
    } catch (e) {
      if (!(e instanceof SandiError)) throw e;
      ctx.warn('terima.w.keySkipped', { fingerprint: fpr, ...reasonParams(e) });
    }
  }
  const sink = output ?? ctx.io.countingSink();
  const at = () => ctx.app.clock.now();
  try {
    const res = await ctx.io.crypto.decrypt({
      input: Readable.from([payload.armored]),
      output: sink,
      decryptionKeys: [{ armored: armoredSecret, passphrase }],
      verificationKeys,
      requiredSigners: ctx.terima.tandaTanganMinimal,
      wholeEntity,
    });
    const signers = res.signers.map((s: SignerReport): SignerView => ({ ...s, unit: s.fingerprint ? (units.get(s.fingerprint) ?? null) : null }));
    if (row.status !== 'terdaftar') return { arrival: kriptogramArrival(row), headers: res.headers, fileName: res.fileName };
    // the protected subject is kept, encrypted to the archive key only
    const enc = ctx.io.memorySink();
    await ctx.io.crypto.encrypt({
      input: Readable.from([Buffer.from(res.headers.subject, 'utf8')]),
      output: enc,
      fileName: 'perihal.txt',
      headers: { subject: 'perihal' },
      recipientKeys: [keys.loadPublicArmored(ctx.config.archiveKey)],
      signingKeys: [{ armored: armoredSecret, passphrase }],
    });
    // the parser already matches the four classifications case-insensitively; also accept "Sangat_Rahasia"
    const spelled = res.headers.classification ?? (typeof res.headers['sifat'] === 'string' ? res.headers['sifat'] : null);
    const sifat = spelled === null ? null : normaliseSifat(spelled);
    // an unknown one is not a reason to leave the letter unread: recorded without it, and said
    if (spelled !== null && sifat === null) ctx.warn('terima.w.sifatUnknown', { nomor: row.nomor, value: spelled });
    const updated = ctx.registers().write((u) =>
      u.kriptogramMasuk.recordRead(
        row.id,
        { sifat: sifat, perihalTerenkripsi: enc.bytes(), nomorPengirim: res.headers.registerNumber ?? nomorDariSubjekLuar(row.subjekLuar), penandaTangan: signers },
        at(),
        ctx.opts.actor,
      ),
    );
    return { arrival: kriptogramArrival(updated), headers: res.headers, fileName: res.fileName };
  } catch (e) {
    // Rejected for good only when the message itself is at fault (integrity, a bad signature, not a
    // kriptogram). Anything this office can fix (the signer's key not imported yet, a key file, the archive
    // key, an unknown classification) leaves it registered and unread, so `sandi terima baca` can read it later.
    if (e instanceof SandiError && rejectsKriptogram(e.code, e.key)) {
      if (row.status === 'terdaftar') {
        const alasan = `${e.key} ${JSON.stringify(e.params)}`;
        // a refusal over the signatures records every signer's report (status kedaluwarsa, forwarded, …)
        const refused = (e as { signers?: SignerReport[] }).signers;
        const penandaTangan = refused?.map((s): SignerView => ({ ...s, unit: s.fingerprint ? (units.get(s.fingerprint) ?? null) : null }));
        const updated = ctx.registers().write((u) => u.kriptogramMasuk.reject(row.id, { alasan, ...(penandaTangan === undefined ? {} : { penandaTangan }) }, at(), ctx.opts.actor));
        if (strict) throw e;
        return { arrival: kriptogramArrival(updated) };
      }
      throw e;
    }
    if (strict) throw e;
    if (e instanceof SandiError) {
      ctx.warn('terima.w.notReadYet', { nomor: row.nomor, ...reasonParams(e) });
      return { arrival: kriptogramArrival(row, ['terima.w.notReadFixable']) };
    }
    return { arrival: kriptogramArrival(row, ['terima.w.notRead']) };
  }
}

// ---------------------------------------------------------------------------- sources

/**
 * Read the incoming kriptogram still `terdaftar` (registered by a run that was killed, or stopped, before
 * it read them; or unread for a reason this office has fixed since). Without the archive key's passphrase
 * they stay unread, as at arrival: tried once, not per row.
 */
export async function resumeUnread(ctx: TerimaCtx): Promise<Arrival[]> {
  if (!ctx.opts.passphrases) return [];
  const out: Arrival[] = [];
  for (const k of ctx.registers().kriptogramMasuk.list({ status: 'terdaftar' })) {
    let arrival: Arrival;
    try {
      ({ arrival } = await readKriptogramRow(ctx, k.id, false));
    } catch (e) {
      // one row that cannot be read now (its archived copy missing, say) must not stop every later fetch
      if (!(e instanceof SandiError)) throw e;
      ctx.warn('terima.w.notReadYet', { nomor: k.nomor, ...reasonParams(e) });
      continue;
    }
    if (arrival.peringatan.includes('terima.w.notRead')) break; // no passphrase at hand: the rest neither
    out.push(arrival);
  }
  return out;
}

/** Decrypt and verify an incoming kriptogram; its plaintext goes to `output` only when given. */
export async function baca(ctx: TerimaCtx, ref: string, output?: Writable) {
  const row = ctx.registers().kriptogramMasuk.findByRef(ref);
  if (!row) throw new SandiError('NOT_FOUND', 'terima.notFound', { ref });
  return readKriptogramRow(ctx, row.id, true, output);
}

/**
 * Like baca, with the protected Subject and every part of the letter (its text and each attachment), in
 * memory; with `keluaran`, each part is also written there as a new file (`berkas`), never over one.
 */
export async function bacaBagian(ctx: TerimaCtx, ref: string, keluaran?: string) {
  const row = ctx.registers().kriptogramMasuk.findByRef(ref);
  if (!row) throw new SandiError('NOT_FOUND', 'terima.notFound', { ref });
  const sink = ctx.io.memorySink();
  const r = await readKriptogramRow(ctx, row.id, true, sink, true);
  const bagian = await ctx.io.bagian();
  const p = await bagian.pisahkan(sink.bytes(), r.fileName ?? 'dokumen');
  const berkas = keluaran === undefined ? [] : bagian.tulis(keluaran, p.bagian);
  return { ...r, subject: r.headers?.subject ?? p.subject, bagian: p.bagian.map((b, i) => ({ ...b, berkas: berkas[i] ?? null })) };
}
