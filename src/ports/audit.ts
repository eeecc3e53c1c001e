/**
 * The ports of the audit service: a read-only view of the hash-chained audit log and of the register rows bound
 * to it, the signed checkpoints in the office archive (arsip/audit/), the archive keys that sign them, and the OpenPGP
 * signing and checking of a checkpoint. Types only: src/app/audit.ts wires the adapters.
 */
import type { AuditRow, Checkpoint } from '../domain/audit.js';

/** A read-only view of one home's database, open until close(). */
export interface AuditView {
  /** false when the file is not a sandi database (no audit log) */
  hasLog(): boolean;
  /** every archive key the office has had (revoked or expired ones still vouch for old checkpoints) */
  archiveFingerprints(): string[];
  /** the newest unrevoked archive key whose secret part this home holds: the one that signs */
  signingArchiveKey(): { fingerprint: string; userId: string } | undefined;
  /** the newest row of the chain */
  head(): { id: number; hash: string } | undefined;
  /** the chain from row `id` on, in id order */
  segmentFrom(id: number): { id: number; hash: string; prevHash: string }[];
  /** every row of the chain, in id order, streamed */
  rows(): Iterable<AuditRow>;
  /** the highest id the database ever issued (null when it cannot tell) */
  highestIssuedId(): number | null;
  /** the tables whose rows the chain binds */
  boundTables(): string[];
  /** each row of a bound table with its hash, streamed */
  hashedRows(table: string): Iterable<{ rowid: number; hash: string }>;
  /** a row's key or number, for a finding */
  describeRow(table: string, rowid: number): string;
  /** search-index rows that disagree with their register: [table, rowid] */
  searchIndexMismatches(): [string, number][];
  close(): void;
}

export interface CheckpointFile {
  id: number;
  path: string;
}

/**
 * The signed checkpoints of an office: names audit/titik-<id>.asc of its archive (src/ports/arsip.ts) — the
 * home's folder on SQLite, the office database on PostgreSQL. `path` and `folder` are for messages only.
 */
export interface CheckpointFiles {
  readonly folder: string;
  /** in id order */
  list(): CheckpointFile[];
  read(f: CheckpointFile): string;
  /** never replaces an existing one: written false when one for `id` exists already */
  write(id: number, armored: string): { written: boolean; path: string };
}

export type CheckpointVerdict =
  | { ok: true; checkpoint: Checkpoint; signer: string }
  /** not a checkpoint, a signature that does not verify, or one made by a key that is not an archive key */
  | { ok: false; reason: 'unreadable' | 'badSignature' | 'unknownSigner'; signer: string | null };

/** OpenPGP over checkpoints. */
export interface CheckpointSigner {
  verify(armored: string, archivePublicKeys: readonly string[]): Promise<CheckpointVerdict>;
  /** unlock the archive key with `passphrase` (PERMISSION when wrong) and sign `c` at `date` */
  sign(c: Checkpoint, secretArmored: string, passphrase: string, label: { fingerprint: string; userId: string }, date: Date): Promise<string>;
}

export interface AuditPorts {
  /** the database file, for messages */
  database: string;
  /** whether the database file exists (nothing is created to check it) */
  exists(): boolean;
  /** a read-only view of the database */
  open(): AuditView;
  checkpoints: CheckpointFiles;
  /** the public armor of a stored key, or null when its file is absent */
  publicKey(fingerprint: string): string | null;
  secretKey(fingerprint: string): string;
  signer: CheckpointSigner;
}
