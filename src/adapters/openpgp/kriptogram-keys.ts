/**
 * Kriptogram keys: reading public keys, unlocking private ones, and checking a recipient's or a signer's
 * key for new work (RSA strength, usable subkeys, the document hash a signer uses).
 * Moved from kriptogram.ts unchanged (issue 14 item 4).
 */
import * as openpgp from 'openpgp';
import { SandiError } from '../../errors.js';
import type { UnlockableKey } from '../../ports/kriptogram.js';
import { CONFIG, FULL_CONFIG, MIN_RSA_BITS_NEW_WORK, NODE_HASH } from './kriptogram-settings.js';

export function fpr(key: openpgp.Key): string {
  return key.getFingerprint().toUpperCase();
}

export function uid(key: openpgp.Key): string {
  return key.getUserIDs()[0] ?? '';
}

export function reason(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function checkRsaBits(key: openpgp.Key | openpgp.Subkey, owner: openpgp.Key): void {
  const info = key.getAlgorithmInfo();
  if (info.algorithm.startsWith('rsa') && (info.bits ?? 0) < MIN_RSA_BITS_NEW_WORK) {
    throw new SandiError('KEY_REFUSED', 'kriptogram.keyTooWeak', {
      fingerprint: fpr(owner),
      userId: uid(owner),
      bits: info.bits ?? 0,
      min: MIN_RSA_BITS_NEW_WORK,
    });
  }
}

export async function readPublic(armored: string, index: number): Promise<openpgp.Key> {
  try {
    return await openpgp.readKey({ armoredKey: armored, config: CONFIG });
  } catch (e) {
    throw new SandiError('DATA', 'kriptogram.keyUnreadable', { index: index + 1, reason: reason(e) }, { cause: e });
  }
}

export async function unlock(k: UnlockableKey, index: number): Promise<openpgp.PrivateKey> {
  let key: openpgp.PrivateKey;
  try {
    key = await openpgp.readPrivateKey({ armoredKey: k.armored, config: CONFIG });
  } catch (e) {
    throw new SandiError('DATA', 'kriptogram.keyUnreadable', { index: index + 1, reason: reason(e) }, { cause: e });
  }
  if (key.isDecrypted()) return key;
  if (k.passphrase === undefined) {
    throw new SandiError('PERMISSION', 'kriptogram.passphraseNeeded', { fingerprint: fpr(key), userId: uid(key) });
  }
  try {
    return await openpgp.decryptKey({ privateKey: key, passphrase: k.passphrase, config: CONFIG });
  } catch (e) {
    throw new SandiError('PERMISSION', 'kriptogram.wrongPassphrase', { fingerprint: fpr(key), userId: uid(key) }, { cause: e });
  }
}

export interface Signer {
  key: openpgp.PrivateKey;
  keyPacket: openpgp.SecretKeyPacket | openpgp.SecretSubkeyPacket;
  hashAlgorithm: number;
  publicKeyAlgorithm: number;
  keyId: Uint8Array; // 8 bytes
}

/** Signature algorithms for which RFC 9580 asks only for a digest of at least 256 bits (§5.2.3.3, §5.2.3.4). */
const SHA256_SUFFICES = new Set<number>([openpgp.enums.publicKey.eddsaLegacy, openpgp.enums.publicKey.ed25519]);

/**
 * The hash for a new document signature. openpgp.js picks SHA-512 for Ed25519 keys (the curve's "preferred"
 * hash), which is allowed but not required: for these keys RFC 9580 demands at least 256 bits, and SHA-256
 * is what SECURITY_CONFIG prefers — it runs about 2.3x faster here (SHA-NI), and the document hash is the
 * largest cost of signing and verifying a big kriptogram. Any other choice (RSA, ECDSA, Ed448) stays
 * openpgp.js's.
 */
function documentHash(publicKeyAlgorithm: number, chosen: number): number {
  return SHA256_SUFFICES.has(publicKeyAlgorithm) ? openpgp.enums.hash.sha256 : chosen;
}

export async function prepareSigner(key: openpgp.PrivateKey, date: Date): Promise<Signer> {
  let signing: openpgp.PrivateKey | openpgp.Subkey;
  let probe: openpgp.SignaturePacket;
  try {
    signing = (await key.getSigningKey(undefined, date, undefined, FULL_CONFIG));
    // openpgp.js picks the hash from the key's preferences; ask it once on empty data so the one-pass
    // signature packet written before the document names the same algorithm as the final signature
    const dry = await openpgp.sign({
      message: await openpgp.createMessage({ binary: new Uint8Array(0) }),
      signingKeys: key,
      detached: true,
      format: 'object',
      date,
      config: CONFIG,
    });
    probe = dry.packets[0] as openpgp.SignaturePacket;
  } catch (e) {
    if (e instanceof SandiError) throw e;
    throw new SandiError('KEY_REFUSED', 'kriptogram.signingKeyRefused', { fingerprint: fpr(key), userId: uid(key), reason: reason(e) }, { cause: e });
  }
  checkRsaBits(key, key);
  checkRsaBits(signing, key);
  if (probe.hashAlgorithm === null || probe.publicKeyAlgorithm === null || NODE_HASH[probe.hashAlgorithm] === undefined) {
    throw new SandiError('KEY_REFUSED', 'kriptogram.signingKeyRefused', { fingerprint: fpr(key), userId: uid(key), reason: 'hash' });
  }
  return {
    key,
    keyPacket: signing.keyPacket as openpgp.SecretKeyPacket | openpgp.SecretSubkeyPacket,
    hashAlgorithm: documentHash(probe.publicKeyAlgorithm, probe.hashAlgorithm),
    publicKeyAlgorithm: probe.publicKeyAlgorithm,
    keyId: (signing.getKeyID() as unknown as { write(): Uint8Array }).write(),
  };
}

export async function checkRecipient(key: openpgp.Key, date: Date): Promise<void> {
  let enc: openpgp.Key | openpgp.Subkey;
  try {
    enc = await key.getEncryptionKey(undefined, date, undefined, FULL_CONFIG);
  } catch (e) {
    throw new SandiError('KEY_REFUSED', 'kriptogram.recipientKeyRefused', { fingerprint: fpr(key), userId: uid(key), reason: reason(e) }, { cause: e });
  }
  checkRsaBits(key, key);
  checkRsaBits(enc, key);
}
