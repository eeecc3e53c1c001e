/**
 * The kriptogram crypto as services use it: encrypt and sign a document into a kriptogram, decrypt and
 * verify one. Implemented by src/adapters/openpgp/kriptogram.ts (issue 14 items 1 and 3).
 *
 * Like src/ports.ts this imports no library: `node:stream` gives only the types of the input and output
 * streams (a type-only import, erased at build).
 */
import type { Readable, Writable } from 'node:stream';
import type { DecryptResult, ProtectedHeaders, SignerReport } from '../ports.js';

export interface UnlockableKey {
  armored: string;
  passphrase?: string;
}

export interface EncryptKriptogramOptions {
  input: Readable;
  /** receives the kriptogram; it is ended when done */
  output: Writable;
  fileName: string;
  headers: ProtectedHeaders;
  /** armored public keys: the recipients AND the office archive key (the caller includes it) */
  recipientKeys: string[];
  /** one or more: the sandiman's initial, the Kasi's signature */
  signingKeys: UnlockableKey[];
  armor?: boolean;
  date?: Date;
  /**
   * MIME boundary of the protected-headers entity (default: random). Given together with the same input,
   * file name and headers, the signed content is byte-identical, so a signature made earlier still fits.
   */
  boundary?: string;
  /**
   * Signatures made earlier over exactly this content (e.g. the sandiman's initial on the draft, added
   * when the Kasi signs): each is checked against the content and its signer's public key before it is
   * written, and comes first among the signatures. Bodies as returned in `signatures`.
   */
  presetSignatures?: { body: Uint8Array; publicArmored: string }[];
  /**
   * Fingerprints (primary keys) the signatures name as Intended Recipients (default: every recipient key's).
   * A draft whose signature is reused later names the final recipients and the archive key here.
   */
  intendedRecipients?: string[];
}

export interface EncryptKriptogramResult {
  bytesIn: number;
  bytesOut: number;
  /** the signature packet bodies written, in order (presets first) */
  signatures: Buffer[];
}

export interface DecryptKriptogramOptions {
  input: Readable;
  /** receives the document ONLY after integrity and signature checks passed; ended when done */
  output: Writable;
  decryptionKeys: UnlockableKey[];
  /** the address book's public keys */
  verificationKeys: string[];
  /** default true: every signature must be good, and there must be at least one (or requiredSigners) */
  requireSignature?: boolean;
  /** at least this many good signatures */
  requiredSigners?: number;
  /** where the encrypted spool lives while checks run (default: the OS temp folder) */
  tmpDir?: string;
  date?: Date;
  /** bound on decompressed content of compressed input (default MAX_DECOMPRESSED_BYTES) */
  maxDecompressedBytes?: number;
  /**
   * Default true: a signature that names Intended Recipients must name one of our decryption keys, else it
   * is `forwarded` and refused. False only for the office's own draft, whose initial names the final recipients.
   */
  checkIntendedRecipients?: boolean;
  /**
   * Default false: `output` gets the document (the first attachment part). True: it gets the whole decrypted
   * MIME entity as sent (every part: a covering text, several attachments), for the caller to take apart;
   * the protected headers are read from it all the same.
   */
  wholeEntity?: boolean;
}

/**
 * The kriptogram crypto, as services call it today: kirim encrypts the draft with the sandiman's initial,
 * the paraf record, the encrypted subject and the final kriptogram (the Kasi's signature after the preset
 * initial), and decrypts the draft to check the initial; terima decrypts and verifies an incoming
 * kriptogram and encrypts its subject to the archive key; demo reads as the recipient. Inspecting without
 * keeping the document (does it open, who signed) is `decrypt` into an output that only counts bytes.
 */
export interface KriptogramCrypto {
  /**
   * Encrypt the document, with protected headers, to every recipient key, signed by every signing key after
   * the preset signatures (each checked first); one streaming pass into `output`, which is ended.
   */
  encrypt(o: EncryptKriptogramOptions): Promise<EncryptKriptogramResult>;
  /**
   * Decrypt and verify. The document reaches `output` only after the integrity check and every signature
   * check passed; on a refusal (a SandiError) `output` receives nothing. A refusal over the signatures is
   * also a KriptogramSignatureRefusal.
   */
  decrypt(o: DecryptKriptogramOptions): Promise<DecryptResult>;
}

/** A refusal over the signatures carries every signer's report (terima records them with the refusal). */
export interface KriptogramSignatureRefusal {
  readonly signers: SignerReport[];
}
