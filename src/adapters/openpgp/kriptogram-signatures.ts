/**
 * Kriptogram signatures: signing over the document digest computed in the streaming pass (with Intended
 * Recipient subpackets), the one-pass signature packets, checking each signature into a signer report,
 * and the refusal over the reports (SignatureRefusal).
 * Moved from kriptogram.ts unchanged (issue 14 item 4).
 */
import * as openpgp from 'openpgp';
import { SandiError } from '../../errors.js';
import type { SignatureStatus, SignerReport } from '../../ports.js';
import type { KriptogramSignatureRefusal } from '../../ports/kriptogram.js';
import { packet, PacketFormatError, TAG } from './packets.js';
import type { OffThreadHasher } from './kriptogram-hasher.js';

/**
 * Where the running document hashes live: the hash worker (OffThreadHasher: decrypt) or the encrypting
 * thread itself (encrypt's MainThreadDigests, which leaves the worker AES-CFB and the MDC).
 */
export type DocumentDigests = Pick<OffThreadHasher, 'hasAlgorithm' | 'literalDigest'>;
import { CONFIG, FULL_CONFIG, NODE_HASH, SECURITY_CONFIG } from './kriptogram-settings.js';
import { fpr, readPublic, reason, uid, type Signer } from './kriptogram-keys.js';

/**
 * The parts of openpgp.js's SignaturePacket that let us sign / verify over a digest we computed
 * ourselves in one streaming pass. `hashed` is what openpgp.js itself uses for one-pass signatures;
 * the gpg interop and tamper tests fail if a future version changes this.
 */
export interface DigestHooks {
  toHash: (...args: unknown[]) => unknown;
  hash: (...args: unknown[]) => Promise<Uint8Array>;
  hashed?: Promise<Uint8Array>;
}

function v4Trailer(signatureData: Uint8Array): Buffer {
  const t = Buffer.alloc(6);
  t[0] = 4;
  t[1] = 0xff;
  t.writeUInt32BE(signatureData.length, 2);
  return t;
}

/** Digest of (document ‖ signatureData ‖ v4 trailer) from the running document hash. */
export async function finalDigest(hasher: DocumentDigests, hashAlgorithm: number, signatureData: Uint8Array, text = false): Promise<Uint8Array> {
  const name = NODE_HASH[hashAlgorithm];
  if (name === undefined) throw new Error(`hash ${hashAlgorithm} not supported`);
  return new Uint8Array(await hasher.literalDigest(text ? `text:${name}` : name, Buffer.concat([signatureData, v4Trailer(signatureData)])));
}

/**
 * The signature over the document, with a hashed Intended Recipient Fingerprint subpacket (RFC 9580
 * 5.2.3.36, non-critical as for v4 signatures) for every key the kriptogram is encrypted to, so a reader
 * can tell a kriptogram addressed to it from one re-encrypted to it by a recipient (surreptitious forwarding).
 */
export async function signDigest(s: Signer, hasher: DocumentDigests, date: Date, recipients: string[]): Promise<Uint8Array> {
  const sig = new openpgp.SignaturePacket();
  sig.signatureType = openpgp.enums.signature.binary;
  sig.publicKeyAlgorithm = s.publicKeyAlgorithm;
  sig.hashAlgorithm = s.hashAlgorithm;
  // openpgp.js writes no Intended Recipient subpackets: append ours to its hashed area (2-octet length first)
  const extra = intendedRecipientSubpackets(recipients);
  const own = sig as unknown as { writeHashedSubPackets(): Uint8Array };
  const writeHashed = own.writeHashedSubPackets.bind(sig);
  own.writeHashedSubPackets = () => {
    const base = Buffer.from(writeHashed());
    const area = Buffer.concat([base.subarray(2), extra]);
    const len = Buffer.alloc(2);
    len.writeUInt16BE(area.length);
    return Buffer.concat([len, area]);
  };
  const hooks = sig as unknown as DigestHooks;
  // the document is already in dataHash; only the signature's own trailer remains to be hashed
  hooks.toHash = () => undefined;
  hooks.hash = () => {
    if (sig.signatureData === null) throw new Error('signature data missing');
    return finalDigest(hasher, s.hashAlgorithm, sig.signatureData);
  };
  const sign = sig.sign.bind(sig) as unknown as (key: unknown, data: unknown, date: Date, detached: boolean, config: openpgp.Config) => Promise<void>;
  await sign(s.keyPacket, undefined, date, false, FULL_CONFIG);
  delete (hooks as Partial<DigestHooks>).toHash;
  delete (hooks as Partial<DigestHooks>).hash;
  if (sig.version !== 4) throw new Error(`unexpected signature version ${sig.version}`);
  return (sig as unknown as { write(): Uint8Array }).write();
}

/** What a one-pass signature packet announces about the signature that follows the data. */
export interface OnePassFields {
  hashAlgorithm: number;
  publicKeyAlgorithm: number;
  keyId: Uint8Array;
}

export interface PresetInfo extends OnePassFields {
  key: openpgp.PublicKey;
}

export async function readPresetSignature(p: { body: Uint8Array; publicArmored: string }, index: number, intended: Set<string>): Promise<PresetInfo> {
  const key = await readPublic(p.publicArmored, index);
  let sig: openpgp.SignaturePacket;
  try {
    const obj = await openpgp.readSignature({ binarySignature: packet(TAG.SIGNATURE, Buffer.from(p.body)), config: CONFIG });
    sig = obj.packets[0] as openpgp.SignaturePacket;
  } catch (e) {
    throw new SandiError('SIGNATURE', 'kriptogram.presetSignatureBad', { keyId: '', userId: uid(key), status: 'bad' }, { cause: e });
  }
  if (
    sig.version !== 4 ||
    sig.signatureType !== openpgp.enums.signature.binary ||
    sig.hashAlgorithm === null ||
    sig.publicKeyAlgorithm === null ||
    NODE_HASH[sig.hashAlgorithm] === undefined
  ) {
    throw new SandiError('SIGNATURE', 'kriptogram.presetSignatureBad', { keyId: sig.issuerKeyID.toHex().toUpperCase(), userId: uid(key), status: 'bad' });
  }
  // an initial that names other recipients would make every reader call this kriptogram forwarded
  const named = intendedRecipientsOf(sig);
  if (named.length > 0 && (named.length !== intended.size || !named.every((f) => intended.has(f)))) {
    throw new SandiError('SIGNATURE', 'kriptogram.presetRecipientsDiffer', { keyId: sig.issuerKeyID.toHex().toUpperCase(), userId: uid(key) });
  }
  return { key, hashAlgorithm: sig.hashAlgorithm, publicKeyAlgorithm: sig.publicKeyAlgorithm, keyId: (sig.issuerKeyID as unknown as { write(): Uint8Array }).write() };
}

export function onePassSignature(s: OnePassFields, last: boolean): Buffer {
  return packet(
    TAG.ONE_PASS_SIGNATURE,
    Buffer.concat([Buffer.from([3, openpgp.enums.signature.binary, s.hashAlgorithm, s.publicKeyAlgorithm]), s.keyId, Buffer.from([last ? 1 : 0])]),
  );
}

export interface OnePass {
  type: number;
  hashAlgorithm: number;
  publicKeyAlgorithm: number;
  keyId: string;
}

export function signatureTypeRefused(keyId: Uint8Array | null, type: number): SandiError {
  return new SandiError('SIGNATURE', 'kriptogram.signatureType', {
    keyId: keyId === null ? '?' : Buffer.from(keyId).toString('hex').toUpperCase(),
    type: type.toString(16).padStart(2, '0'),
  });
}

/** Document signatures we check: binary (0x00) over the bytes as they are, text (0x01) over them as canonical text. */
export const DOCUMENT_SIGNATURES = new Set<number>([openpgp.enums.signature.binary, openpgp.enums.signature.text]);

/**
 * How far ahead of our clock a signature may be dated and still be checked as of now (as GnuPG does): the
 * signer's clock may run fast. Beyond it the signature is checked as of its own date and reported `future`.
 */
export const CLOCK_SKEW_MS = 10 * 60 * 1000;

/** Intended Recipient Fingerprint signature subpacket (RFC 9580 5.2.3.36) */
const SUBPACKET_INTENDED_RECIPIENT = 35;

function statusFromError(e: unknown): SignatureStatus {
  const m = reason(e);
  if (/Could not find signing key/i.test(m)) return 'unknown';
  if (/revoked/i.test(m)) return 'revoked';
  if (/expired/i.test(m)) return 'kedaluwarsa';
  return 'bad';
}

/** The fingerprints a signature names in hashed Intended Recipient subpackets (upper-case hex). */
function intendedRecipientsOf(sig: openpgp.SignaturePacket): string[] {
  const subs = (sig as unknown as { unknownSubpackets: { type: number; body: Uint8Array }[] }).unknownSubpackets ?? [];
  return subs.filter((p) => p.type === SUBPACKET_INTENDED_RECIPIENT && p.body.length > 1).map((p) => Buffer.from(p.body.subarray(1)).toString('hex').toUpperCase());
}

/** One hashed, non-critical Intended Recipient Fingerprint subpacket per key (v4: version 4 + 20 octets). */
function intendedRecipientSubpackets(fingerprints: string[]): Buffer {
  return Buffer.concat(
    fingerprints.map((f) => {
      const body = Buffer.concat([Buffer.from([4]), Buffer.from(f, 'hex')]);
      return Buffer.concat([Buffer.from([body.length + 1, SUBPACKET_INTENDED_RECIPIENT]), body]);
    }),
  );
}

/** When the signer's key or its signing subkey expires, whichever is first; null: never (or unknown). */
async function expiryOf(signerKey: openpgp.PublicKey, keyId: openpgp.KeyID): Promise<Date | null> {
  const times: (Date | number | null)[] = [await signerKey.getExpirationTime(undefined, FULL_CONFIG).catch(() => null)];
  const sub = signerKey.getKeys(keyId)[0];
  if (sub !== undefined && sub !== signerKey) times.push(await (sub as openpgp.Subkey).getExpirationTime(new Date(), FULL_CONFIG).catch(() => null));
  const dates = times.filter((t): t is Date => t instanceof Date);
  if (dates.length === 0) return null;
  return new Date(Math.min(...dates.map((d) => d.getTime())));
}

export async function verifyOne(
  body: Buffer,
  hasher: DocumentDigests,
  keys: openpgp.PublicKey[],
  date: Date,
  /** fingerprints (primary and subkeys) of the keys we decrypted with; undefined: no recipient check */
  ours?: Set<string>,
): Promise<SignerReport> {
  let sigObj: openpgp.Signature;
  try {
    sigObj = await openpgp.readSignature({ binarySignature: packet(TAG.SIGNATURE, body), config: CONFIG });
  } catch {
    return { keyId: '', fingerprint: null, userId: null, status: 'bad', created: null };
  }
  const sig = sigObj.packets[0] as openpgp.SignaturePacket;
  const keyId = sig.issuerKeyID.toHex().toUpperCase();
  const signerKey = keys.find((k) => k.getKeys(sig.issuerKeyID).length > 0) ?? null;
  const intended = intendedRecipientsOf(sig);
  const report: SignerReport = {
    keyId,
    fingerprint: signerKey === null ? null : fpr(signerKey),
    userId: signerKey === null ? null : uid(signerKey),
    status: 'bad',
    created: sig.created === null ? null : sig.created.toISOString(),
    ...(intended.length > 0 ? { intendedRecipients: intended } : {}),
  };
  // Only a document signature is a signature over the document: binary (0x00) over the raw literal bytes,
  // text (0x01) over them as canonical text (LF → CRLF, hashed apart). Any other type (a key certification
  // 0x13 whose "document" is key+user ID bytes, …) must never count as good.
  if (sig.signatureType === null || !DOCUMENT_SIGNATURES.has(sig.signatureType)) return report;
  const text = sig.signatureType === openpgp.enums.signature.text;
  if (signerKey === null) return { ...report, status: 'unknown' };
  // a hash refused by policy (MD5, RIPEMD-160, SHA-1 for documents) or too weak for the key type is said as such
  const hashLabel = sig.hashAlgorithm === null ? '?' : (openpgp.enums.read(openpgp.enums.hash, sig.hashAlgorithm) as string | undefined)?.toUpperCase() ?? String(sig.hashAlgorithm);
  if (sig.hashAlgorithm !== null && SECURITY_CONFIG.rejectMessageHashAlgorithms.has(sig.hashAlgorithm)) return { ...report, status: 'hashRefused', hash: hashLabel };
  const hashName = sig.hashAlgorithm === null ? undefined : NODE_HASH[sig.hashAlgorithm];
  const hashed = hashName === undefined ? undefined : text ? `text:${hashName}` : hashName;
  if (sig.version !== 4 || hashed === undefined || !hasher.hasAlgorithm(hashed) || sig.signatureData === null) return report;
  const digest = finalDigest(hasher, sig.hashAlgorithm!, sig.signatureData, text);
  digest.catch(() => undefined);
  (sig as unknown as DigestHooks).hashed = digest;
  // checked as of now + the allowed skew; a signature dated beyond that is checked as of its own date
  const skewed = new Date(date.getTime() + CLOCK_SKEW_MS);
  const ahead = sig.created !== null && sig.created > skewed;
  const expired = async (validAtCreated: boolean): Promise<SignerReport> => {
    const at = await expiryOf(signerKey, sig.issuerKeyID);
    return { ...report, status: 'kedaluwarsa', keyExpired: at === null ? null : at.toISOString(), validAtCreated };
  };
  try {
    const res = await openpgp.verify({
      message: await openpgp.createMessage({ binary: new Uint8Array(0) }),
      signature: sigObj,
      verificationKeys: keys,
      date: ahead ? sig.created! : skewed,
      expectSigned: false,
      format: 'binary',
      config: CONFIG,
    });
    const v = res.signatures[0];
    if (v === undefined) return report;
    await v.verified;
  } catch (e) {
    if (/Hash algorithm too weak|Insecure (message )?hash/i.test(reason(e))) return { ...report, status: 'hashRefused', hash: hashLabel };
    const status = statusFromError(e);
    // the key had expired by the time the signature claims: the signature itself is sound (checked first)
    if (status === 'kedaluwarsa') return expired(false);
    return { ...report, status };
  }
  // good at signing time; a key revoked since is still reported (revocation usually means compromise)
  if (await signerKey.isRevoked(undefined as never, undefined, date, FULL_CONFIG).catch(() => false)) return { ...report, status: 'revoked' };
  const signing = signerKey.getKeys(sig.issuerKeyID)[0];
  if (signing !== undefined && signing !== signerKey && 'isRevoked' in signing) {
    const sub = signing as openpgp.Subkey;
    if (await sub.isRevoked(undefined as never, undefined as never, date, FULL_CONFIG).catch(() => false)) return { ...report, status: 'revoked' };
  }
  // valid when the signer says it signed, but the key has expired since: never `good`
  const expiry = await expiryOf(signerKey, sig.issuerKeyID);
  if (expiry !== null && expiry <= date) return expired(true);
  // signed for named recipients, and we are not among them: someone re-encrypted it to us
  if (ours !== undefined && intended.length > 0 && !intended.some((f) => ours.has(f))) return { ...report, status: 'forwarded' };
  if (ahead) return { ...report, status: 'future' };
  return { ...report, status: 'good' };
}

/**
 * Each one-pass signature packet announces the signature that follows the data, in reverse order (RFC 9580
 * 5.4): the one nearest the data goes with the first signature after it. Type, hash and public-key
 * algorithm and issuer key id must agree, or the packets were swapped or edited.
 */
export async function matchOnePass(onePass: OnePass[], trailing: Buffer[]): Promise<void> {
  for (const [i, body] of trailing.entries()) {
    const ops = onePass[onePass.length - 1 - i];
    if (ops === undefined) throw new PacketFormatError('malformed', 'signature without a one-pass signature packet');
    let sig: openpgp.SignaturePacket | null = null;
    try {
      sig = (await openpgp.readSignature({ binarySignature: packet(TAG.SIGNATURE, body), config: CONFIG })).packets[0] as openpgp.SignaturePacket;
    } catch {
      continue; // unreadable: verifyOne reports it bad
    }
    const keyId = sig.issuerKeyID.toHex().toUpperCase();
    const announced: (number | null)[] = [ops.type, ops.hashAlgorithm, ops.publicKeyAlgorithm];
    const actual: (number | null)[] = [sig.signatureType, sig.hashAlgorithm, sig.publicKeyAlgorithm];
    if (announced.some((v, j) => v !== actual[j]) || keyId !== ops.keyId) {
      throw new SandiError('SIGNATURE', 'kriptogram.onePassMismatch', { keyId, position: i + 1 });
    }
  }
}

/** A refusal over the signatures, with every signer's report (terima records them with the refusal). */
export class SignatureRefusal extends SandiError implements KriptogramSignatureRefusal {
  constructor(
    key: string,
    params: Record<string, string | number>,
    readonly signers: SignerReport[],
  ) {
    super('SIGNATURE', key, params, key === 'kriptogram.signerExpired' ? { hint: `${key}.hint` } : {});
  }
}

export function refuseFor(signers: SignerReport[], requireSignature: boolean, requiredSigners: number): void {
  const describe = (s: SignerReport): { keyId: string; userId: string } => ({ keyId: s.keyId, userId: s.userId ?? '?' });
  const refuse = (key: string, params: Record<string, string | number> = {}): never => {
    throw new SignatureRefusal(key, params, signers);
  };
  const bad = signers.find((s) => s.status === 'bad');
  if (bad !== undefined) refuse('kriptogram.badSignature', describe(bad));
  const weak = signers.find((s) => s.status === 'hashRefused');
  if (weak !== undefined) refuse('kriptogram.hashRefused', { ...describe(weak), hash: weak.hash ?? '?' });
  const forwarded = signers.find((s) => s.status === 'forwarded');
  if (forwarded !== undefined) refuse('kriptogram.forwarded', { ...describe(forwarded), recipients: (forwarded.intendedRecipients ?? []).join(', ') });
  if (!requireSignature && requiredSigners === 0) return;
  if (signers.length === 0) refuse('kriptogram.unsigned');
  if (requireSignature) {
    const unknown = signers.find((s) => s.status === 'unknown');
    if (unknown !== undefined) refuse('kriptogram.unknownSigner', describe(unknown));
    const revoked = signers.find((s) => s.status === 'revoked');
    if (revoked !== undefined) refuse('kriptogram.signerRevoked', describe(revoked));
    const expired = signers.find((s) => s.status === 'kedaluwarsa');
    if (expired !== undefined) {
      refuse(expired.validAtCreated === true ? 'kriptogram.signerExpired' : 'kriptogram.signerExpiredAtSigning', {
        ...describe(expired),
        expired: expired.keyExpired ?? '?',
        created: expired.created ?? '?',
      });
    }
  }
  // distinct signers: the same key signing twice is still one signer; a signature dated ahead of our clock
  // (beyond the skew) still counts: it is sound, and its status says how it was dated
  const good = new Set(signers.filter((s) => s.status === 'good' || s.status === 'future').map((s) => s.fingerprint)).size;
  const need = Math.max(requireSignature ? 1 : 0, requiredSigners);
  if (good < need) refuse('kriptogram.notEnoughSigners', { good, required: need });
}
