/**
 * What the kirim steps (src/services/kirim/) use of the outside world, typed by what they call: the registers
 * (src/ports/registers.ts), the kriptogram crypto (src/ports/kriptogram.ts), the local Maildirs, the
 * archive's atomic file writes, in-memory sinks, the row claims (PID lock files), and (loaded only when a step
 * needs them, so a read-only command never opens SMTP or IMAP nor loads openpgp) key unlocking, SMTP, the
 * IMAP Sent folder and detached signatures. Built from the adapters by src/app/kirim.ts; a test hands fakes.
 *
 * Types only: nothing here imports a library or an adapter.
 */
import type { Writable } from 'node:stream';
import type { DetachedSignature } from '../domain/surat-biasa.js';
import type { KriptogramCrypto } from './kriptogram.js';
import type { Registers } from './registers.js';

/** A held lock (a claim on a row, a run's lock): released once, by its holder. */
export interface Claim {
  release(): void;
}

/** A stream that keeps what is written to it in memory; `bytes()` joins it once it is ended. */
export interface ByteSink extends Writable {
  bytes(): Buffer;
}

/** One message of a local Maildir. */
export interface MaildirEntry {
  /** path relative to the Maildir: new/NAME or cur/NAME:2,FLAGS */
  id: string;
  path: string;
  size: number;
  mtime: Date;
}

/** The office's local Maildirs (a home without a mail server delivers into them). */
export interface LocalMaildirs {
  /** The Maildir of `name` (an address) under `base`, created when missing; DATA for a name that is no address. */
  maildirIn(base: string, name: string): string;
  /** Deliver `raw` into `dir` (tmp → new); the file name. */
  deliver(dir: string, raw: Buffer, now: Date, opts?: { base?: string }): string;
  /** Its messages, in delivery order. */
  list(dir: string): MaildirEntry[];
  read(m: MaildirEntry): Buffer;
}

/** The settings of one SMTP submission; the password resolved by the caller at the moment of use. */
export interface SmtpSubmission {
  host: string;
  port: number;
  security: 'starttls' | 'tls';
  user: string;
  password: string;
  caFile?: string;
}

/** One message handed to the submission server. */
export interface OutgoingMail {
  from: string;
  to: string[];
  raw: Buffer;
  messageId: string;
  dsn?: { envid: string; notify?: ('SUCCESS' | 'FAILURE' | 'DELAY')[] };
}

/** The server's answer: its final reply, who it accepted and refused. */
export interface SubmissionResult {
  messageId: string;
  response: string;
  accepted: string[];
  rejected: string[];
  /** the server's reply to each refused recipient (RCPT TO), in the order refused; code null when it had none */
  rejectedReplies: { address: string; response: string; code: number | null }[];
}

/** Mail sending (SMTP submission). Failures are SandiError (mail.* keys) that say whether nothing went out. */
export interface MailSender {
  sendRaw(settings: SmtpSubmission, mail: OutgoingMail): Promise<SubmissionResult>;
}

/** The settings of one IMAP login; the password resolved by the caller at the moment of use. */
export interface ImapLogin {
  host: string;
  port: number;
  security: 'starttls' | 'tls';
  user: string;
  password: string;
  caFile?: string;
}

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

/** The kirim service's ports. */
export interface KirimPorts {
  /** the register port over the home's store (opened on first use) */
  registers(): Registers;
  /** the audit log's events, oldest first (which Sent copies are recorded) */
  auditEntries(): Iterable<AuditEntry>;
  crypto: KriptogramCrypto;
  maildirs: LocalMaildirs;
  writeFileAtomic(path: string, content: string | Uint8Array, mode: number): void;
  memorySink(): ByteSink;
  /** claim a row by its lock file: null when a live process holds it */
  tryClaim(path: string): Claim | null;
  unlocker(): Promise<KeyUnlocker>;
  mailSender(): Promise<MailSender>;
  sentFolder(): Promise<SentFolderConnector>;
  detachedSigner(): Promise<DetachedSigner>;
}
