/**
 * OpenPGP key handling (openpgp.js v6): generate, read, describe, revoke, unlock. The only key-handling code that
 * imports openpgp. Keys are v4 (Ed25519 legacy primary + Cv25519 encryption subkey) because GnuPG 2.2 reads
 * neither v6 keys nor the messages made for them. Every openpgp failure becomes a SandiError; a passphrase never
 * appears in one.
 */
import * as openpgp from 'openpgp';
import { SandiError } from '../../errors.js';
import type { KeyAlgorithm } from '../../domain/kunci.js';
import type { GenerateKeyInput, ParsedKey, RevocationKind } from '../../ports/kunci.js';

/** Settings every key operation uses: v4 keys only, openpgp.js's own weak-key rejections kept. */
const KEY_CONFIG: openpgp.PartialConfig = { v6Keys: false };

// The key data types are the port's (src/ports/kunci.ts): this module is one implementation of KeyCrypto.
export type { GenerateKeyInput, ParsedKey, RevocationKind };

const REVOCATION_FLAG: Record<RevocationKind, openpgp.enums.reasonForRevocation> = {
  diganti: openpgp.enums.reasonForRevocation.keySuperseded,
  bocor: openpgp.enums.reasonForRevocation.keyCompromised,
  pensiun: openpgp.enums.reasonForRevocation.keyRetired,
  lain: openpgp.enums.reasonForRevocation.noReason,
};

const ARMOR_BLOCK = /-----BEGIN PGP (PUBLIC|PRIVATE) KEY BLOCK-----[\s\S]*?-----END PGP \1 KEY BLOCK-----/g;

function dataError(key: string, params: Record<string, string>, cause: unknown): SandiError {
  return new SandiError('DATA', key, { ...params, reason: cause instanceof Error ? cause.message : String(cause) }, { cause });
}

/**
 * Read every key in a file's content: one or more armored blocks (public or private), or binary key packets.
 * A file that holds the public and the secret form of the same key yields it once, as the secret key.
 */
export async function readKeyFile(content: string | Uint8Array, source: string, now: Date): Promise<ParsedKey[]> {
  const keys: openpgp.Key[] = [];
  try {
    const text = typeof content === 'string' ? content : looksArmored(content) ? new TextDecoder().decode(content) : null;
    if (text !== null) {
      const blocks = text.match(ARMOR_BLOCK) ?? [];
      if (blocks.length === 0) throw new Error('no OpenPGP key block found');
      for (const b of blocks) keys.push(...(await openpgp.readKeys({ armoredKeys: b, config: KEY_CONFIG })));
    } else {
      keys.push(...(await openpgp.readKeys({ binaryKeys: content as Uint8Array, config: KEY_CONFIG })));
    }
  } catch (e) {
    throw dataError('kunci.unreadableKeyFile', { path: source }, e);
  }
  const byFpr = new Map<string, openpgp.Key>();
  for (const k of keys) {
    const fpr = k.getFingerprint().toUpperCase();
    const prev = byFpr.get(fpr);
    if (!prev) byFpr.set(fpr, k);
    else byFpr.set(fpr, k.isPrivate() ? await k.update(prev, now) : await prev.update(k, now));
  }
  const out: ParsedKey[] = [];
  for (const k of byFpr.values()) out.push(await describe(k, now));
  return out;
}

function looksArmored(bytes: Uint8Array): boolean {
  const head = new TextDecoder().decode(bytes.subarray(0, 2048));
  return head.includes('-----BEGIN PGP ');
}

/** Describe one armored key (as stored by sandi) at `now`. */
export async function describeArmored(armored: string, now: Date, source = 'key'): Promise<ParsedKey> {
  let key: openpgp.Key;
  try {
    key = await openpgp.readKey({ armoredKey: armored, config: KEY_CONFIG });
  } catch (e) {
    throw dataError('kunci.unreadableKeyFile', { path: source }, e);
  }
  return describe(key, now);
}

async function succeeds(p: () => Promise<unknown>): Promise<boolean> {
  try {
    await p();
    return true;
  } catch {
    return false;
  }
}

async function describe(key: openpgp.Key, now: Date): Promise<ParsedKey> {
  const fingerprint = key.getFingerprint().toUpperCase();
  let userId = '';
  let email: string | null = null;
  let name: string | null = null;
  try {
    const primary = await key.getPrimaryUser(now, undefined, openpgp.config);
    userId = primary.user.userID?.userID ?? '';
    email = primary.user.userID?.email || null;
    name = primary.user.userID?.name || null;
  } catch {
    // expired or revoked keys have no valid primary user now: show the first user id anyway
    const first = key.users.find((u) => u.userID !== null)?.userID;
    userId = first?.userID ?? key.getUserIDs()[0] ?? '';
    email = first?.email || null;
    name = first?.name || null;
  }
  const created = key.getCreationTime();
  let expires: string | null = null;
  try {
    const exp = await key.getExpirationTime();
    if (exp instanceof Date) expires = exp.toISOString();
  } catch {
    expires = null;
  }
  const revoked = await key.isRevoked(undefined, undefined, now).catch(() => false);
  const encryptUsableNow = await succeeds(() => key.getEncryptionKey(undefined, now));
  const signUsableNow = await succeeds(() => key.getSigningKey(undefined, now));
  // Capability regardless of expiry and revocation: a copy without its revocation signatures, asked now and at
  // the time the newest (sub)key was made (when a well-formed key's self-signatures are valid and unexpired).
  let canEncrypt = encryptUsableNow;
  let canSign = signUsableNow;
  if (!canEncrypt || !canSign) {
    const bare = await openpgp.readKey({ binaryKey: key.toPublic().write(), config: KEY_CONFIG });
    bare.revocationSignatures = [];
    for (const sub of bare.subkeys) sub.revocationSignatures = [];
    const capDate = new Date(Math.max(...bare.getKeys().map((k) => k.getCreationTime().getTime())) + 1000);
    for (const when of [now, capDate]) {
      canEncrypt ||= await succeeds(() => bare.getEncryptionKey(undefined, when));
      canSign ||= await succeeds(() => bare.getSigningKey(undefined, when));
    }
  }
  const parts: KeyAlgorithm[] = key.getKeys().map((k) => {
    const info = k.getAlgorithmInfo();
    const part: KeyAlgorithm = { algorithm: info.algorithm };
    if (info.bits !== undefined) part.bits = info.bits;
    if (info.curve !== undefined) part.curve = info.curve;
    return part;
  });
  const isSecret = key.isPrivate();
  const secretProtected = isSecret
    ? key.getKeys().every((k) => {
        const p = k.keyPacket as openpgp.SecretKeyPacket | openpgp.PublicKeyPacket;
        if (!('isDummy' in p)) return true;
        return p.isDummy() || !p.isDecrypted();
      })
    : true;
  return {
    fingerprint,
    version: key.keyPacket.version,
    userId,
    email,
    name,
    created: created.toISOString(),
    expires,
    revoked,
    canEncrypt,
    canSign,
    encryptUsableNow,
    signUsableNow,
    parts,
    isSecret,
    secretProtected,
    publicArmored: key.toPublic().armor(),
    secretArmored: isSecret ? key.armor() : null,
  };
}

/**
 * Generate an office key: v4, Ed25519 (legacy) primary for signing and certification, Cv25519 subkey for
 * encryption, the secret parts protected with the passphrase (iterated+salted S2K, which GnuPG 2.2 reads).
 */
export async function generateOfficeKey(input: GenerateKeyInput, now: Date): Promise<ParsedKey> {
  try {
    const { privateKey } = await openpgp.generateKey({
      type: 'ecc',
      curve: 'curve25519Legacy',
      userIDs: [{ name: input.name, email: input.email, ...(input.comment ? { comment: input.comment } : {}) }],
      passphrase: input.passphrase,
      keyExpirationTime: input.lifetimeSeconds,
      date: input.date,
      format: 'object',
      config: KEY_CONFIG,
    });
    return await describe(privateKey, now);
  } catch (e) {
    // generateKey errors are about the inputs (user id, expiry); the passphrase is never part of them
    throw new SandiError('DATA', 'kunci.generateFailed', { reason: e instanceof Error ? e.message : String(e) }, { cause: e });
  }
}

/**
 * Decrypt a stored secret key with its passphrase. A wrong passphrase is PERMISSION naming the key (`label`),
 * never the passphrase. Callers that sign or decrypt get the openpgp object directly.
 */
export async function unlockPrivateKey(secretArmored: string, passphrase: string, label: { fingerprint: string; userId: string }): Promise<openpgp.PrivateKey> {
  let key: openpgp.PrivateKey;
  try {
    key = await openpgp.readPrivateKey({ armoredKey: secretArmored, config: KEY_CONFIG });
  } catch (e) {
    throw dataError('kunci.unreadableKeyFile', { path: label.fingerprint }, e);
  }
  try {
    return await openpgp.decryptKey({ privateKey: key, passphrase });
  } catch {
    // openpgp's own text is dropped on purpose: the message names the key, never anything typed by the operator.
    throw new SandiError('PERMISSION', 'kunci.wrongPassphrase', { fingerprint: label.fingerprint, userId: label.userId }, { hint: 'kunci.wrongPassphrase.hint' });
  }
}

/**
 * Revoke an own key: sign a key revocation with the unlocked key, then attach that signature to the stored
 * (still encrypted) secret key, so the secret material on disk stays protected exactly as before.
 */
export async function revokeOwnKey(
  secretArmored: string,
  passphrase: string,
  label: { fingerprint: string; userId: string },
  reason: { kind: RevocationKind; text: string },
  date: Date,
): Promise<{ publicArmored: string; secretArmored: string }> {
  const unlocked = await unlockPrivateKey(secretArmored, passphrase, label);
  try {
    const signed = await openpgp.revokeKey({
      key: unlocked,
      reasonForRevocation: { flag: REVOCATION_FLAG[reason.kind], string: reason.text },
      date,
      format: 'object',
    });
    const certificate: unknown = await signed.publicKey.getRevocationCertificate(date);
    if (typeof certificate !== 'string') throw new Error('no revocation certificate produced');
    const stored = await openpgp.readPrivateKey({ armoredKey: secretArmored, config: KEY_CONFIG });
    const revoked = await openpgp.revokeKey({ key: stored, revocationCertificate: certificate, date, format: 'object' });
    return { publicArmored: revoked.publicKey.armor(), secretArmored: revoked.privateKey.armor() };
  } catch (e) {
    throw new SandiError('INTERNAL', 'common.internal', { detail: `revocation failed: ${e instanceof Error ? e.message : String(e)}` }, { cause: e });
  }
}

/**
 * Merge what an imported copy adds (revocations, new self-signatures, subkeys, the secret part) into the stored
 * key. Returns the merged armor and whether the public or the secret packets changed (compared as bytes, so a
 * different armor layout of the same key is no change).
 */
export async function mergeKeys(
  storedArmored: string,
  incomingArmored: string,
  now: Date,
): Promise<{ publicArmored: string; secretArmored: string | null; publicChanged: boolean; secretChanged: boolean }> {
  try {
    const stored = await openpgp.readKey({ armoredKey: storedArmored, config: KEY_CONFIG });
    const incoming = await openpgp.readKey({ armoredKey: incomingArmored, config: KEY_CONFIG });
    const merged = incoming.isPrivate() ? await incoming.update(stored, now) : await stored.update(incoming, now);
    const same = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((x, i) => x === b[i]);
    return {
      publicArmored: merged.toPublic().armor(),
      secretArmored: merged.isPrivate() ? merged.armor() : null,
      publicChanged: !same(stored.toPublic().write(), merged.toPublic().write()),
      secretChanged: merged.isPrivate() && (!stored.isPrivate() || !same(stored.write(), merged.write())),
    };
  } catch (e) {
    throw dataError('kunci.mergeFailed', {}, e);
  }
}
