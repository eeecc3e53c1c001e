/**
 * What the kirim steps (src/services/kirim/) use of the outside world, typed by what they call: the registers
 * (src/ports/registers.ts), the kriptogram crypto (src/ports/kriptogram.ts), the local Maildirs, the
 * office archive (src/ports/arsip.ts: drafts, kriptograms, letters' parts), in-memory sinks, the row claims (PID lock files), and (loaded only when a step
 * needs them, so a read-only command never opens SMTP or IMAP) the kriptogram crypto, key unlocking, SMTP,
 * the IMAP Sent folder and detached signatures. Built from the adapters by src/app/kirim.ts; a test hands fakes.
 *
 * Types only: nothing here imports a library or an adapter. The ports kirim shares with terima (Maildirs,
 * mail sending, the IMAP login, claims, sinks) are in ./mail.ts.
 */
import type { Writable } from 'node:stream';
import type { DetachedSignature } from '../domain/surat-biasa.js';
import type { ArsipStore } from './arsip.js';
import type { ByteSink, Claim, ImapLogin, LocalMaildirs, MailSender } from './mail.js';
import type { KriptogramCrypto } from './kriptogram.js';
import type { Registers } from './registers.js';

/** The Sent folder of the office mailbox, as kirim uses it: find it, look a message up, file a copy. */
export interface SentFolderSession {
  findSpecialUse(use: '\\Sent'): Promise<string | null>;
  /** UIDs of the messages of `folder` with this Message-ID */
  searchByMessageId(folder: string, messageId: string): Promise<number[]>;
  append(folder: string, raw: Buffer, options?: { flags?: string[] }): Promise<unknown>;
  close(): Promise<void>;
}

export interface SentFolderConnector {
  connect(login: ImapLogin): Promise<SentFolderSession>;
}

/** Unlocks a secret key with its passphrase, in memory only (kunci.wrongPassphrase for a wrong one). */
export type KeyUnlocker = (secretArmored: string, passphrase: string, label: { fingerprint: string; userId: string }) => Promise<string>;

/** A detached signature over an ordinary letter's archived MIME part. */
export type DetachedSigner = (data: Uint8Array, key: { unlockedArmored: string; fingerprint: string; userId: string }, date: Date) => Promise<DetachedSignature>;

/** An event of the audit log, as read back. */
export interface AuditEntry {
  action: string;
  entity: string;
  entityId: string | null;
}

/**
 * Points of the flow where the crash tests kill the process (test/integration/kirim-crash.test.ts):
 * draf-tertulis (encrypted draft written, nothing registered), diparaf (registered and initialled),
 * final-tertulis (final kriptogram written, signature not recorded), ditandatangani, bernomor, tidak_pasti
 * (just before the first byte is delivered), pengiriman (one recipient's copy delivered, not the others),
 * sebelum-dicatat (delivered or accepted by the server, terkirim not recorded). The list: CRASH_POINTS of
 * src/services/kirim/context.ts.
 */
export type CrashPoint = 'draf-tertulis' | 'diparaf' | 'final-tertulis' | 'ditandatangani' | 'bernomor' | 'tidak_pasti' | 'pengiriman' | 'sebelum-dicatat';

/**
 * A private temporary file for a kriptogram too large to hold in memory (a draft or final kriptogram of a
 * 256 MiB document): the encrypt streams into `output`, hashed on the way; `read` gives it back in chunks
 * (into the archive, under a name that needs the hash); `remove` deletes it (safe more than once). Ciphertext
 * only.
 */
export interface KriptogramSpool {
  /** receives the kriptogram; ended by the writer */
  readonly output: Writable;
  /** SHA-256 (hex) and size of what `output` received, once it is finished */
  written(): { sha256: string; size: number };
  /** the content in chunks, once `output` is finished */
  read(): AsyncIterable<Buffer>;
  remove(): void;
}

/** The kirim service's ports. */
export interface KirimPorts {
  /** the register port over the home's store (opened on first use) */
  registers(): Registers;
  /** the audit log's events, oldest first (which Sent copies are recorded) */
  auditEntries(): Iterable<AuditEntry>;
  crypto: KriptogramCrypto;
  maildirs: LocalMaildirs;
  /**
   * The office archive: drafts, paraf records and sidecars, final kriptograms, ordinary letters' parts and
   * signatures, by their names under kriptogram-keluar/ and surat-keluar/ (the home's folder, or the office
   * database on PostgreSQL, where a name is committed with the next unit of work of the registers).
   */
  arsip: ArsipStore;
  memorySink(): ByteSink;
  /** a new private temporary file for a large kriptogram (see KriptogramSpool) */
  spool(): KriptogramSpool;
  /** claim a row by its lock file: null when a live process holds it */
  tryClaim(path: string): Claim | null;
  unlocker(): Promise<KeyUnlocker>;
  mailSender(): Promise<MailSender>;
  sentFolder(): Promise<SentFolderConnector>;
  detachedSigner(): Promise<DetachedSigner>;
  /**
   * The flow has reached `point`: the real port does nothing, unless a crash test asked to be killed there
   * (src/app/kirim.ts, SANDI_TEST_CRASH_AT). No step reads that variable itself.
   */
  crashPoint(point: CrashPoint): void;
}
