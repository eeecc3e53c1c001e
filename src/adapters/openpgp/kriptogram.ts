/**
 * The kriptogram: make and read the encrypted, signed OpenPGP message that carries a classified document.
 *
 * Format (chosen so that GnuPG 2.2 reads it without special flags): v4 keys, PKESK v3 per recipient,
 * one SEIPDv1 packet (AES with the OpenPGP CFB prefix and a SHA-1 MDC; never AEAD/SEIPDv2), no
 * compression, inside it one-pass-signature packets, one binary literal data packet holding the
 * protected-headers MIME entity (src/formats/protected-headers.ts), and one signature per signing key.
 *
 * Division of labour: openpgp.js does everything that touches keys — reading and checking them,
 * wrapping/unwrapping the session key (PKESK), and making/verifying the signatures (over a digest we
 * feed it). The bulk layer — packet framing, AES-CFB, the MDC, the signature hash over the document —
 * runs on node:crypto streams here, because openpgp.js holds a whole SEIPDv1 plaintext in memory until
 * the MDC is checked (unless unauthenticated streaming is allowed, which sandi never does).
 *
 * Reading never releases unauthenticated plaintext: it goes into an encrypted spool
 * (kriptogram-spool.ts), and only after the MDC and every signature check pass is it written to the
 * caller's output. Every refusal leaves the output untouched and the spool deleted.
 *
 * This module is the facade; the code is in one module per concern (issue 14 item 4):
 * - kriptogram-settings.ts   SECURITY_CONFIG (passed to every openpgp.js call), bounds, hash/cipher tables
 * - kriptogram-keys.ts       reading and unlocking keys; checking a recipient's or a signer's key for new work
 * - kriptogram-signatures.ts signing over our digest, one-pass packets, verifyOne, SignatureRefusal
 * - kriptogram-encrypt.ts    encryptKriptogram: build the kriptogram in one streaming pass
 * - kriptogram-decrypt.ts    decryptKriptogram: read it, spool, check, then release
 * The contract (options, result, the KriptogramCrypto interface) is the port's: src/ports/kriptogram.ts.
 */

import type { KriptogramCrypto } from '../../ports/kriptogram.js';
import { decryptKriptogram } from './kriptogram-decrypt.js';
import { encryptKriptogram } from './kriptogram-encrypt.js';

// The modules by concern (issue 14 item 4); callers import from here.
export { MAX_DECOMPRESSED_BYTES, MIN_RSA_BITS_NEW_WORK, SECURITY_CONFIG } from './kriptogram-settings.js';
export { CLOCK_SKEW_MS, SignatureRefusal } from './kriptogram-signatures.js';
export { encryptKriptogram } from './kriptogram-encrypt.js';
export { decryptKriptogram } from './kriptogram-decrypt.js';
// the contract lives in the port; re-exported for the callers that import it from here
export type { DecryptKriptogramOptions, EncryptKriptogramOptions, EncryptKriptogramResult, UnlockableKey } from '../../ports/kriptogram.js';

/** The openpgp implementation of the kriptogram port (src/ports/kriptogram.ts); `satisfies` has tsc prove it fits. */
export const openpgpKriptogram = { encrypt: encryptKriptogram, decrypt: decryptKriptogram } satisfies KriptogramCrypto;
