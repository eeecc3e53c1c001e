/**
 * Kriptogram encrypt: build the kriptogram in one streaming pass — PKESKs, one SEIPDv1 packet (AES-CFB,
 * SHA-1 MDC) holding the one-pass signatures, the literal data (the protected-headers entity) and the
 * signatures. Moved from kriptogram.ts unchanged (issue 14 item 4).
 */
import * as openpgp from 'openpgp';
import { createHash, randomBytes, type Hash } from 'node:crypto';
import { WriteStream } from 'node:fs';
import type { Writable } from 'node:stream';
import { SandiError } from '../../errors.js';
import type { EncryptKriptogramOptions, EncryptKriptogramResult } from '../../ports/kriptogram.js';
import { encodeProtectedEntity } from '../../formats/protected-headers.js';
import { ArmorWriter, packet, PartialBodyWriter, TAG } from './packets.js';
import { endAndFlush, releaseNow, writeAll } from './kriptogram-spool.js';
import { OffThreadHasher } from './kriptogram-hasher.js';
import { KEEPS_NO_CHUNKS } from './kriptogram-file.js';
import { AES_BITS, CONFIG, NODE_HASH } from './kriptogram-settings.js';
import { checkRecipient, fpr, prepareSigner, readPublic, reason, uid, unlock, type Signer } from './kriptogram-keys.js';
import { onePassSignature, readPresetSignature, signDigest, verifyOne, type DocumentDigests, type OnePassFields } from './kriptogram-signatures.js';

/**
 * The signature hashes over the document, kept on this (the encrypting) thread. The hash worker has AES-CFB
 * and the MDC's SHA-1 (~0.8 CPU-s for a 256 MiB document); this thread reads, base64-encodes, hashes for
 * the signatures and writes (~0.8 CPU-s): the two cores carry about the same load. With every hash on the
 * worker it had ~1.1 s of work against ~0.75 s here, this thread idle a third of the time (issue 16).
 */
class MainThreadDigests implements DocumentDigests {
  private readonly hashes = new Map<string, Hash>();

  add(algo: string): void {
    if (!this.hashes.has(algo)) this.hashes.set(algo, createHash(algo));
  }

  hasAlgorithm(algo: string): boolean {
    return this.hashes.has(algo);
  }

  update(data: Uint8Array): void {
    for (const h of this.hashes.values()) h.update(data);
  }

  /** Digest of (document bytes ‖ suffix) with `algo`; the running hash goes on. */
  literalDigest(algo: string, suffix: Uint8Array): Promise<Buffer> {
    const h = this.hashes.get(algo);
    if (h === undefined) return Promise.reject(new Error(`no hash ${algo}`));
    return Promise.resolve(h.copy().update(suffix).digest());
  }
}

class OutputSink {
  bytes = 0;
  private readonly armor: ArmorWriter | null;

  constructor(
    private readonly out: Writable,
    armor: boolean,
  ) {
    this.armor = armor ? new ArmorWriter() : null;
    this.fileOut = (out instanceof WriteStream && Object.getPrototypeOf(out) === WriteStream.prototype) || (out as Partial<Record<typeof KEEPS_NO_CHUNKS, boolean>>)[KEEPS_NO_CHUNKS] === true;
  }

  private readonly fileOut: boolean;

  /**
   * `spent`: buffers the parts are slices of, nothing else referring to them; with a file stream (which keeps
   * no reference to a written chunk) their memory is handed back once written, not at the next collection.
   */
  async write(parts: Buffer[], spent: Buffer[] = []): Promise<void> {
    if (parts.length === 0) return;
    if (this.armor === null) {
      for (const p of parts) this.bytes += p.length;
      const release = this.fileOut && spent.length > 0 ? () => spent.forEach(releaseNow) : undefined;
      await writeAll(this.out, parts, release);
      return;
    }
    const b = this.armor.push(parts.length === 1 ? parts[0]! : Buffer.concat(parts));
    for (const c of spent) releaseNow(c);
    this.bytes += b.length;
    await writeAll(this.out, b);
  }

  async end(): Promise<void> {
    if (this.armor !== null) {
      const b = this.armor.end();
      this.bytes += b.length;
      await writeAll(this.out, b);
    }
    await endAndFlush(this.out);
  }
}

/**
 * Encrypt `input` (the document) with protected headers to every recipient key, signed by every signing
 * key. Writes a binary (or armored) OpenPGP message to `output` in one streaming pass.
 */
export async function encryptKriptogram(o: EncryptKriptogramOptions): Promise<EncryptKriptogramResult> {
  const date = o.date ?? new Date();
  const presets = o.presetSignatures ?? [];
  if (o.recipientKeys.length === 0) throw new SandiError('USAGE', 'kriptogram.noRecipients');
  if (o.signingKeys.length + presets.length === 0) throw new SandiError('USAGE', 'kriptogram.noSigners');
  // the worker boots (~30 ms) while the keys are read and unlocked, instead of after (issue 16)
  // a 4 MiB queue to the worker (not 8): the batches come back as ciphertext (see OffThreadHasher)
  const hasher = new OffThreadHasher(4 * 1024 * 1024);
  try {
    return await encryptWith(o, date, presets, hasher);
  } finally {
    await hasher.close();
  }
}

async function encryptWith(
  o: EncryptKriptogramOptions,
  date: Date,
  presets: NonNullable<EncryptKriptogramOptions['presetSignatures']>,
  hasher: OffThreadHasher,
): Promise<EncryptKriptogramResult> {
  const recipients = await Promise.all(o.recipientKeys.map(readPublic));
  const intended = (o.intendedRecipients ?? recipients.map(fpr)).map((f) => f.toUpperCase());
  const presetInfo = await Promise.all(presets.map((p, i) => readPresetSignature(p, i, new Set(intended))));

  for (const r of recipients) await checkRecipient(r, date);
  const signers: Signer[] = [];
  for (const [i, k] of o.signingKeys.entries()) signers.push(await prepareSigner(await unlock(k, i), date));

  let sessionKey: openpgp.SessionKey;
  let pkesks: Uint8Array;
  try {
    sessionKey = await openpgp.generateSessionKey({ encryptionKeys: recipients, date, config: CONFIG });
    pkesks = await openpgp.encryptSessionKey({ ...sessionKey, encryptionKeys: recipients, format: 'binary', date, config: CONFIG });
  } catch (e) {
    throw new SandiError('KEY_REFUSED', 'kriptogram.recipientKeyRefused', { fingerprint: '', userId: '', reason: reason(e) }, { cause: e });
  }
  const bits = AES_BITS[sessionKey.algorithm];
  if (bits === undefined || sessionKey.data.length * 8 !== bits || pkesks[0] === undefined) {
    throw new SandiError('INTERNAL', 'kriptogram.internal', { detail: `session key ${sessionKey.algorithm}` });
  }

  const sink = new OutputSink(o.output, o.armor === true);
  await sink.write([Buffer.from(pkesks)]);
  // one running hash per distinct algorithm over the document; each signer finishes its own copy
  const digests = new MainThreadDigests();
  for (const s of signers) digests.add(NODE_HASH[s.hashAlgorithm]!);
  for (const p of presetInfo) digests.add(NODE_HASH[p.hashAlgorithm]!);

  // AES-CFB runs on the worker, beside the MDC's SHA-1, over the bytes it gets for the MDC (this thread
  // reads, base64-encodes, hashes for the signatures, frames and writes)
  const seipd = new PartialBodyWriter(TAG.SEIPD);
  const key = Buffer.from(sessionKey.data);
  hasher.encryptStart(`aes-${bits}-cfb`, key);
  key.fill(0);
  // the worker's ciphertext, framed and written; each chunk's own buffer is spent once written (the framing
  // keeps no reference: it copies what is left over)
  const writeCiphertext = async (): Promise<void> => {
    const spent = hasher.takeCiphertext();
    const out: Buffer[] = [];
    for (const c of spent) out.push(...seipd.push(c));
    await sink.write(out, spent);
  };
  const literal = new PartialBodyWriter(TAG.LITERAL);
  await sink.write(seipd.push(Buffer.from([1])));

  const encryptInner = async (parts: Buffer[]): Promise<void> => {
    for (const plain of parts) {
      if (plain.length === 0) continue;
      await hasher.mdc(plain);
    }
    await writeCiphertext();
  };
  // The literal packet's body, framed: each body byte is hashed for the MDC (on the worker) and — past the
  // packet's own 6-byte header (format, name length, date), which no signature covers — for the signatures
  // (here); the framing (tag, partial lengths) for the MDC only.
  let literalHeaderLeft = 6;
  const encryptLiteral = async (parts: Buffer[]): Promise<void> => {
    for (const plain of parts) {
      if (plain.length === 0) continue;
      if (literal.framing.has(plain)) await hasher.mdc(plain);
      else {
        const skip = Math.min(literalHeaderLeft, plain.length);
        if (skip > 0) await hasher.mdc(plain.subarray(0, skip));
        literalHeaderLeft -= skip;
        if (skip < plain.length) {
          const body = plain.subarray(skip);
          digests.update(body);
          await hasher.mdc(body);
        }
      }
    }
    await writeCiphertext();
  };

  const prefix = randomBytes(16);
  const inner: Buffer[] = [prefix, prefix.subarray(14, 16)];
  // one-pass signatures in reverse order of the final signatures; the last one before the data has flag 1
  const ops: OnePassFields[] = [...presetInfo, ...signers];
  for (let i = ops.length - 1; i >= 0; i--) inner.push(onePassSignature(ops[i]!, i === 0));
  const litHeader = Buffer.alloc(6);
  litHeader[0] = 0x62; // 'b'
  litHeader[1] = 0; // no file name: the name travels in the protected headers
  litHeader.writeUInt32BE(Math.floor(date.getTime() / 1000), 2);
  await encryptInner(inner);
  await encryptLiteral(literal.push(litHeader));

  let bytesIn = 0;
  async function* counted(): AsyncGenerator<Uint8Array> {
    for await (const chunk of o.input as AsyncIterable<Uint8Array>) {
      bytesIn += chunk.length;
      yield chunk;
    }
  }
  const boundary = o.boundary ?? `=_sandi_${randomBytes(12).toString('hex')}`;
  for await (const piece of encodeProtectedEntity(counted(), { headers: o.headers, fileName: o.fileName, boundary })) {
    await encryptLiteral(literal.push(piece));
    // the encoder's fresh buffer is spent (hashed here, copied for the worker; a push of at least one
    // partial body copies what it keeps): its memory goes back now rather than at the next collection
    if (piece.length >= literal.size) releaseNow(piece);
  }
  // the rest of the document goes to the hashes before any signature is checked or made
  await encryptLiteral(literal.end());
  if (literalHeaderLeft !== 0) throw new SandiError('INTERNAL', 'kriptogram.internal', { detail: 'literal header' });
  const sigs: Buffer[] = [];
  const bodies: Buffer[] = [];
  for (const [i, p] of presets.entries()) {
    const report = await verifyOne(Buffer.from(p.body), digests, [presetInfo[i]!.key], date);
    if (report.status !== 'good') {
      throw new SandiError('SIGNATURE', 'kriptogram.presetSignatureBad', { keyId: report.keyId, userId: report.userId ?? '?', status: report.status });
    }
    bodies.push(Buffer.from(p.body));
    sigs.push(packet(TAG.SIGNATURE, Buffer.from(p.body)));
  }
  for (const s of signers) {
    let body: Uint8Array;
    try {
      body = await signDigest(s, digests, date, intended);
    } catch (e) {
      throw new SandiError('KEY_REFUSED', 'kriptogram.signingKeyRefused', { fingerprint: fpr(s.key), userId: uid(s.key), reason: reason(e) }, { cause: e });
    }
    bodies.push(Buffer.from(body));
    sigs.push(packet(TAG.SIGNATURE, body));
  }
  await encryptInner(sigs);
  const mdcTrailer = Buffer.from([0xd3, 0x14]);
  const rest: Buffer[] = [];
  for (const c of await hasher.encryptFinish(mdcTrailer)) rest.push(...seipd.push(c));
  await sink.write([...rest, ...seipd.end()]);
  await sink.end();
  return { bytesIn, bytesOut: sink.bytes, signatures: bodies };
}
