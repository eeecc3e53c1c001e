/**
 * Ports the kirim and terima services (and the demo's read-back) share: the local Maildirs, mail sending (SMTP submission), the IMAP
 * login, a held lock (a row's claim, a run's lock) and an in-memory sink. Implemented by
 * src/adapters/maildir.ts, src/adapters/mail/smtp.ts, src/adapters/pid-lock.ts, src/adapters/memory-sink.ts;
 * wired by src/app/kirim.ts and src/app/terima.ts.
 *
 * Types only: nothing here imports a library or an adapter (`node:stream` gives a type).
 */
import type { Writable } from 'node:stream';

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
  /** the file's modification time (a Maildir's delivery time) */
  mtime: Date;
}

/** The office's local Maildirs (a home without a mail server delivers into them). */
export interface LocalMaildirs {
  /** The Maildir of `name` (an address) under `base`, created when missing; DATA for a name that is no address. */
  maildirIn(base: string, name: string): string;
  /** Deliver `raw` into `dir` (tmp → new); the file name. */
  deliver(dir: string, raw: Buffer, now: Date, opts?: { base?: string }): string;
  /** Its messages (new/ and cur/), in delivery order. */
  list(dir: string): MaildirEntry[];
  read(m: MaildirEntry): Buffer;
}

/** A local Maildir as a reader sees it (what `sandi demo` reads back from a recipient unit's mailbox). */
export type MaildirReader = Pick<LocalMaildirs, 'list' | 'read'>;

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
