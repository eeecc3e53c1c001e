/**
 * Ports of the key service (`sandi kunci`, services/kunci/): the key register (what the office decided about a
 * key: role, revocation) with the address book, the key files, and the OpenPGP key operations. The SQLite
 * adapter is adapters/sqlite/kunci.ts, the files adapters/keystore.ts, the crypto adapters/openpgp/keys.ts;
 * src/app/kunci.ts wires them. Nothing here imports a library.
 */
import type { AddressEntry, KeyRole } from '../ports.js';
import type { KeyAlgorithm } from '../domain/kunci.js';

// ------------------------------------------------------------------------------------------ register

/** One row of the key register: the office's decisions about a key whose material is in the key files. */
export interface KunciRecord {
  fingerprint: string;
  role: KeyRole;
  /** the user id when the key was stored (the key file's own user id wins when shown) */
  userId: string;
  name: string | null;
  hasSecret: boolean;
  /** ISO */
  keyCreated: string;
  /** ISO: when sandi stored it */
  addedAt: string;
  /** ISO: when the office revoked it; null = not revoked here */
  revokedAt: string | null;
}

/** An event for the hash-chained audit log, appended in the same unit of work as the change it records. */
export interface AuditNote {
  actor: string;
  action: string;
  entity: string;
  entityId: string;
  data: unknown;
}

/** Reads of the key register and the address book; every change goes through `write` (one unit of work). */
export interface KunciStore {
  key(fingerprint: string): KunciRecord | undefined;
  /** Every key, oldest first. */
  keys(): KunciRecord[];
  /** Keys of `role` not revoked in the register, newest first. */
  unrevokedOfRole(role: KeyRole): KunciRecord[];
  /** Fingerprints of keys whose user id holds `<email>` (case-insensitive). */
  fingerprintsForEmail(email: string): string[];
  address(email: string): AddressEntry | undefined;
  /** The address book, by unit then e-mail. */
  addresses(): AddressEntry[];
  /** Run `fn` as one unit of work: its changes and audit events are kept together, or none of them. */
  write<T>(fn: (tx: KunciStoreTx) => T): T;
}

/** What a unit of work on the key register can do. */
export interface KunciStoreTx {
  /** An unrevoked arsip key other than `except`, stored at or after `since` (ISO): another process's. */
  newerArchiveKey(except: string, since: string): string | undefined;
  addKey(record: KunciRecord): void;
  updateKey(fingerprint: string, change: Pick<KunciRecord, 'role' | 'userId' | 'hasSecret'>): void;
  /** Mark a key revoked at `at` (ISO), unless it already is. */
  markRevoked(fingerprint: string, at: string): void;
  address(email: string): AddressEntry | undefined;
  addAddress(entry: AddressEntry, addedAt: string): void;
  updateAddress(entry: AddressEntry): void;
  removeAddress(email: string): void;
  audit(at: Date, note: AuditNote): void;
}

// ------------------------------------------------------------------------------------------ key files

/** The key material under <home>/kunci: one public and, for own keys, one secret file per fingerprint. */
export interface KeyFiles {
  readonly dir: string;
  publicPath(fingerprint: string): string;
  secretPath(fingerprint: string): string;
  hasPublic(fingerprint: string): boolean;
  hasSecret(fingerprint: string): boolean;
  readPublic(fingerprint: string): string;
  /** Refuses (PERMISSION) a secret file or key folder that group/others can access. */
  readSecret(fingerprint: string): string;
  writePublic(fingerprint: string, armored: string): void;
  writeSecret(fingerprint: string, armored: string): void;
}

/** Writing an exported key where the operator asked: atomically, exactly `mode`; `exclusive` never replaces. */
export type ExportFileWriter = (path: string, content: string, mode: number, opts: { exclusive?: boolean }) => void;

// ------------------------------------------------------------------------------------------ key crypto

/** A key as plain data, evaluated at one moment (`now`). */
export interface ParsedKey {
  fingerprint: string; // upper-case hex
  version: number;
  userId: string; // primary user id ('' when the key has none)
  email: string | null;
  name: string | null;
  created: string; // ISO
  expires: string | null; // ISO; null = never
  /** revoked by a revocation signature inside the key */
  revoked: boolean;
  /** has a valid encryption-capable (sub)key now, or had one before it expired / was revoked */
  canEncrypt: boolean;
  canSign: boolean;
  /** encryption / signing would work at `now` (not expired, not revoked) */
  encryptUsableNow: boolean;
  signUsableNow: boolean;
  parts: KeyAlgorithm[];
  isSecret: boolean;
  /** every secret key packet is passphrase-protected (or a GnuPG stub) */
  secretProtected: boolean;
  publicArmored: string;
  secretArmored: string | null;
}

export interface GenerateKeyInput {
  name: string;
  email: string;
  comment?: string | undefined;
  passphrase: string;
  /** seconds from creation; 0 = never expires */
  lifetimeSeconds: number;
  date: Date;
}

export type RevocationKind = 'diganti' | 'bocor' | 'pensiun' | 'lain';

export interface MergedKey {
  publicArmored: string;
  secretArmored: string | null;
  publicChanged: boolean;
  secretChanged: boolean;
}

/** The OpenPGP key operations the key service needs; every failure is a SandiError naming the key. */
export interface KeyCrypto {
  /** Every key in a file's content (armored blocks or binary packets). */
  readKeyFile(content: string | Uint8Array, source: string, now: Date): Promise<ParsedKey[]>;
  describeArmored(armored: string, now: Date, source?: string): Promise<ParsedKey>;
  generateOfficeKey(input: GenerateKeyInput, now: Date): Promise<ParsedKey>;
  /** Sign a revocation with the unlocked key and attach it to the stored (still protected) secret key. */
  revokeOwnKey(
    secretArmored: string,
    passphrase: string,
    label: { fingerprint: string; userId: string },
    reason: { kind: RevocationKind; text: string },
    date: Date,
  ): Promise<{ publicArmored: string; secretArmored: string }>;
  mergeKeys(storedArmored: string, incomingArmored: string, now: Date): Promise<MergedKey>;
  /** Does `passphrase` unlock the secret key? PERMISSION naming the key (never the passphrase) when not. */
  checkPassphrase(secretArmored: string, passphrase: string, label: { fingerprint: string; userId: string }): Promise<void>;
}

/** Everything the key service is built from (src/app/kunci.ts makes the real ones). */
export interface KunciPorts {
  store: KunciStore;
  files: KeyFiles;
  crypto: KeyCrypto;
  writeExport: ExportFileWriter;
}
