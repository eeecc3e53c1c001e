/**
 * Interfaces between services and the outside world. Services depend on these; adapters implement them;
 * src/app.ts wires them together. Nothing here imports a library.
 */
/** Time source, injected so domain rules and tests never read the clock implicitly. */
export interface Clock {
  now(): Date;
}

// ---------------------------------------------------------------------------------------------- keys

/** Role of a key in the office. `arsip` = the office archive key every kriptogram is also encrypted to. */
export type KeyRole = 'arsip' | 'sandiman' | 'kasi' | 'penerima';

export interface KeyInfo {
  fingerprint: string; // upper-case hex, v4: 40 chars
  userId: string; // primary user id, e.g. "Sandiman Diskominfo <sandi@kominfo.example.go.id>"
  role: KeyRole;
  created: string; // ISO 8601
  expires: string | null; // ISO 8601 or null = never
  revoked: boolean;
  canEncrypt: boolean;
  canSign: boolean;
  hasSecret: boolean;
  algorithm: string; // e.g. "ed25519Legacy/curve25519Legacy", "rsa3072"
}

/** An address-book entry: a recipient unit (OPD) and its mailbox, bound to a public key. */
export interface AddressEntry {
  email: string;
  unit: string; // unit name, e.g. "Dinas Kesehatan"
  unitCode: string | null;
  fingerprint: string;
}

/** Where a passphrase comes from; resolved at the moment of use, never cached or logged. */
export interface PassphraseSource {
  /** Ask for the passphrase of the named key (label shown to the operator). Throws if it cannot ask. */
  get(forKey: KeyInfo): Promise<string>;
  /** How many tries a wrong passphrase gets from this source: 3 at a prompt (like gpg), 1 from a file or the environment (default 1). */
  tries?(forKey: KeyInfo): number;
}

// ------------------------------------------------------------------------------------------ kriptogram

export type Classification = 'Biasa' | 'Terbatas' | 'Rahasia' | 'Sangat Rahasia';

/** Headers carried inside the encrypted part only (protected headers). */
export interface ProtectedHeaders {
  subject: string;
  registerNumber?: string;
  classification?: Classification;
  [extra: string]: string | undefined;
}

/**
 * good: valid, key valid at the claimed signing time and now. kedaluwarsa: the signer's key (or signing
 * subkey) has expired by now (see validAtCreated). future: valid, but dated more than CLOCK_SKEW ahead of
 * our clock. forwarded: valid, but its hashed Intended Recipient fingerprints do not name our key.
 * hashRefused: not checked, its hash is refused by policy (MD5, RIPEMD-160, SHA-1) or too weak for the key type.
 */
export type SignatureStatus = 'good' | 'bad' | 'unknown' | 'kedaluwarsa' | 'revoked' | 'future' | 'forwarded' | 'hashRefused';

export interface SignerReport {
  keyId: string; // 16 hex chars, upper case
  fingerprint: string | null; // null when the key is not known
  userId: string | null;
  status: SignatureStatus;
  /** signature creation time, ISO: the signer's claim (its own clock), not a fact we observed */
  created: string | null;
  /** kedaluwarsa: when the key expired (ISO), null when unknown */
  keyExpired?: string | null;
  /** kedaluwarsa: whether the key was valid at `created` (the claimed time) */
  validAtCreated?: boolean;
  /** the Intended Recipient fingerprints (RFC 9580 5.2.3.36) the signature names, when it names any */
  intendedRecipients?: string[];
  /** hashRefused: the hash algorithm's name */
  hash?: string;
}

export interface DecryptResult {
  headers: ProtectedHeaders;
  fileName: string;
  signers: SignerReport[];
  bytes: number;
}
