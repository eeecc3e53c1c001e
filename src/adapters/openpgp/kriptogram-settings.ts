/**
 * Kriptogram settings: the algorithm and policy configuration every openpgp.js call gets, the bounds on
 * new work and on decompression, and the hash / cipher name tables the streaming layer uses.
 * Moved from kriptogram.ts unchanged (issue 14 item 4).
 */
import * as openpgp from 'openpgp';

/** Bound on decompressed content when reading compressed input (GnuPG compresses by default). */
export const MAX_DECOMPRESSED_BYTES = 2 * 1024 ** 3;

/** Smallest RSA modulus accepted for new work (encrypting to, signing with). Reading accepts openpgp's floor. */
export const MIN_RSA_BITS_NEW_WORK = 3072;

/**
 * The openpgp.js configuration sandi relies on; passed explicitly to every openpgp.js call so a change of
 * library defaults cannot weaken it. test/unit/kriptogram-config.test.ts pins it.
 */
export const SECURITY_CONFIG = Object.freeze({
  /** never hand out plaintext of a message without integrity protection */
  allowUnauthenticatedMessages: false,
  /** never stream SEIPDv1 plaintext before its MDC is checked */
  allowUnauthenticatedStream: false,
  /** refuse malformed and unknown packets instead of skipping them */
  ignoreMalformedPackets: false,
  ignoreUnsupportedPackets: false,
  enforceGrammar: true,
  /** openpgp's reading floor; new work demands MIN_RSA_BITS_NEW_WORK */
  minRSABits: 2047,
  /** bound for any decompression openpgp.js itself might do */
  maxDecompressedMessageSize: MAX_DECOMPRESSED_BYTES,
  rejectHashAlgorithms: new Set<openpgp.enums.hash>([openpgp.enums.hash.md5, openpgp.enums.hash.ripemd]),
  rejectMessageHashAlgorithms: new Set<openpgp.enums.hash>([
    openpgp.enums.hash.md5,
    openpgp.enums.hash.ripemd,
    openpgp.enums.hash.sha1,
  ]),
  rejectPublicKeyAlgorithms: new Set<openpgp.enums.publicKey>([openpgp.enums.publicKey.elgamal, openpgp.enums.publicKey.dsa]),
  rejectCurves: new Set<openpgp.enums.curve>([openpgp.enums.curve.secp256k1]),
  /** GnuPG 2.2 reads neither AEAD (SEIPDv2) nor v6 keys */
  aeadProtect: false,
  v6Keys: false,
  preferredSymmetricAlgorithm: openpgp.enums.symmetric.aes256,
  /** SHA-256: strong enough for every key sandi accepts, and hardware-accelerated (SHA-NI) where SHA-512 is not */
  preferredHashAlgorithm: openpgp.enums.hash.sha256,
  /** compression before encryption leaks length patterns; documents are mostly PDFs anyway */
  preferredCompressionAlgorithm: openpgp.enums.compression.uncompressed,
  allowInsecureDecryptionWithSigningKeys: false,
  allowInsecureVerificationWithReformattedKeys: false,
  allowMissingKeyFlags: false,
  /**
   * RSA: a PKESK whose PKCS#1 padding or checksum is bad yields a random session key instead of an error,
   * so a forged one ends like any modified kriptogram, at the MDC (no Bleichenbacher oracle; issue 17 §2)
   */
  constantTimePKCS1Decryption: true,
} satisfies openpgp.PartialConfig);

export const CONFIG: openpgp.PartialConfig = SECURITY_CONFIG;
/** openpgp.js's methods on keys want a full Config: the library defaults overridden by ours. */
export const FULL_CONFIG: openpgp.Config = { ...openpgp.config, ...SECURITY_CONFIG };

export const NODE_HASH: Partial<Record<number, string>> = {
  [openpgp.enums.hash.sha1]: 'sha1',
  [openpgp.enums.hash.sha224]: 'sha224',
  [openpgp.enums.hash.sha256]: 'sha256',
  [openpgp.enums.hash.sha384]: 'sha384',
  [openpgp.enums.hash.sha512]: 'sha512',
  [openpgp.enums.hash.sha3_256]: 'sha3-256',
  [openpgp.enums.hash.sha3_512]: 'sha3-512',
};

export const AES_BITS: Partial<Record<string, number>> = { aes128: 128, aes192: 192, aes256: 256 };
