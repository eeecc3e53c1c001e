/**
 * What the terima steps (src/services/terima/) use of the outside world, typed by what they call: the
 * registers (src/ports/registers.ts), the archive of raw mail, the message parser (one in this thread, and a
 * pool of worker threads for a fetch run), the IMAP mailbox as a fetch reads it, the local Maildirs, mail
 * sending, the kriptogram crypto (src/ports/kriptogram.ts), the parts of a decrypted kriptogram, PDF text,
 * the print pack and the printer, atomic file writes, in-memory sinks and the fetch lock. Built from the
 * adapters by src/app/terima.ts (the IMAP client, SMTP, openpgp and the print pack loaded only when a step
 * calls them); a test hands fakes.
 *
 * Types only: nothing here imports a library or an adapter. The data types below were the adapters' own;
 * the adapters now take them from here.
 */
import type { Readable, Writable } from 'node:stream';
import type { KopSurat } from '../domain/kop-surat.js';
import type { ByteSink, Claim, ImapLogin, LocalMaildirs, MailSender } from './mail.js';
import type { KriptogramCrypto } from './kriptogram.js';
import type { Registers } from './registers.js';

// ------------------------------------------------------------------ implemented by src/adapters/mail/terima-parser.ts
export interface ParsedAttachment {
  name: string;
  type: string;
  size: number;
  sha256: string;
  /** kept only when asked for (PDFs for the print pack) */
  content?: Buffer;
}

export interface ParsedIncoming {
  from: string | null;
  to: string[];
  cc: string[];
  subject: string | null;
  date: Date | null;
  messageId: string | null;
  /** the text body; for HTML-only mail, the HTML rendered to text */
  text: string | null;
  html: boolean;
  attachments: ParsedAttachment[];
  /** whether it looks encrypted (PGP/MIME structure, or an armored block in the text): then read it as a kriptogram */
  pgp: boolean;
  /** catalog keys under terima.w.* */
  warnings: string[];
  /** SHA-256 of the raw bytes parsed, when the parser was given them whole (a fetch's parse thread hashes them for the archive) */
  rawSha256?: string;
}


// ------------------------------------------------------------------ implemented by src/adapters/archive.ts
export interface ArchivedMessage {
  sha256: string;
  size: number;
  path: string;
  /** false when these bytes were already in the archive */
  stored: boolean;
}

export interface ArchiveCheck {
  sha256: string;
  path: string;
  ok: boolean;
  /** what was found instead: the actual hash, or 'missing' */
  found?: string;
}

export interface MessageArchive {
  readonly dir: string;
  /**
   * Stream `source` into the archive; resolves once the bytes are durable under their hash (with
   * `deferDirSync`: once `flush()` has returned after it).
   */
  put(
    source: Readable | AsyncIterable<Uint8Array> | Uint8Array,
    options?: {
      deferDirSync?: boolean;
      /** for a Uint8Array: its SHA-256 computed elsewhere (the parse thread); null or not a hash: computed here */
      sha256?: Promise<string | null>;
    },
  ): Promise<ArchivedMessage>;
  /** fsync every folder a deferred `put` touched since the last flush (in parallel). */
  flush(): Promise<void>;
  /** Path of an archived message (whether or not it exists). */
  pathOf(sha256: string): string;
  has(sha256: string): boolean;
  /** A read stream of the archived bytes; NOT_FOUND when absent. */
  open(sha256: string): Readable;
  /** Re-hash one archived message. */
  verify(sha256: string): Promise<ArchiveCheck>;
  /** Every archived message, re-hashed. */
  verifyAll(): AsyncGenerator<ArchiveCheck>;
  /**
   * The temporary files in <dir>/tmp (each holds raw mail being archived), with the process that wrote it:
   * `alive` false means that process is gone (killed mid-write) and the file is a leftover.
   */
  tempFiles(): TempFile[];
  /**
   * Remove the leftovers among tempFiles() (their writer is gone, or it is this process's PID reused by a
   * dead writer — never a file this process has open). The caller holds the lock that keeps every other
   * writer out. Returns the paths removed.
   */
  removeStaleTemp(): string[];
}

export interface TempFile {
  path: string;
  /** the writer's process id, from the name; null when the name has none */
  pid: number | null;
  alive: boolean;
  size: number;
  mtime: Date;
}


// ------------------------------------------------------------------ implemented by src/adapters/mail/parse-pool.ts
/** A whole message, or the archived file of a streamed one with its last bytes (for the closing boundary). */
export type ParseSource = Buffer | { path: string; tail: Buffer };

export interface MessageParser {
  /**
   * Parse a message. For one held whole, `onSha256` (when given) gets its SHA-256 as soon as it is known —
   * before the parse ends, so that its archive write need not wait for the parse — or null when it is not
   * known before the parse ends (then the result's rawSha256, if any, is all there is).
   */
  parse(source: ParseSource, onSha256?: (sha256: string | null) => void): Promise<ParsedIncoming>;
  /** stop the worker (pending parses are rejected); safe to call twice */
  close(): Promise<void>;
}


// ------------------------------------------------------------------ implemented by src/adapters/bagian-kriptogram.ts
export interface BagianKriptogram {
  /** a file name safe to write (safeFileName) */
  nama: string;
  /** MIME type */
  jenis: string;
  /** false for the letter's own text (isi.txt / isi.html), true for an attachment */
  lampiran: boolean;
  isi: Buffer;
}


// ------------------------------------------------------------------ implemented by src/adapters/pdf-text.ts
export interface PdfTextResult {
  /** the text (UTF-8), or null when there is none or the PDF could not be read */
  text: string | null;
  /** pdftotext is not installed: the caller warns once */
  missing: boolean;
  /** pdftotext took longer than the time limit and was killed */
  timedOut?: boolean;
}

export interface PdfTextOptions {
  /** pages read from the start (default 2: the number is in the letter's head) */
  pages?: number;
  /** time limit in ms (default 15 s); a PDF that takes longer has no text */
  timeoutMs?: number;
  /** output kept at most (default 256 KiB); the rest is dropped */
  maxChars?: number;
  /** the program (default `pdftotext` on PATH) */
  program?: string;
}


// ------------------------------------------------------------------ implemented by src/adapters/pdf-font.ts
export interface PdfFontFiles {
  regular: string;
  bold: string;
  mono: string;
}


// ------------------------------------------------------------------ implemented by src/adapters/print.ts
export interface KartuKendali {
  /** the office letterhead at the top of each cover sheet */
  kop?: KopSurat;
  /** without `kop`: the office name alone heads the cover sheet */
  instansi?: string;
  nomorAgenda: string;
  diterimaAt: string;
  pengirim: string;
  nomorSurat: string | null;
  tanggalSurat: string | null;
  perihal: string | null;
  isiRingkas: string | null;
  kepada: string[];
  tembusan: string[];
  sifat: string;
  derajat: string;
  lampiran: string[];
  paraf: string[];
}

export interface PrintCopy {
  penerima: string;
  /** courier route for this copy, e.g. "ajudan" */
  jalur: string;
}

export interface PrintPackInput {
  kartu: KartuKendali;
  copies: PrintCopy[];
  /** the message body as text */
  isi: string;
  pdfLampiran: { name: string; content: Buffer }[];
  /** labels in the operator's language */
  label: (key: string, params?: Record<string, string | number>) => string;
  /** font files instead of DejaVu Sans (config.json "pdf") */
  fonts?: Partial<PdfFontFiles>;
}

export interface PrintPack {
  pdf: Uint8Array;
  pages: number;
  /** pages of the first copy (the others differ only when a recipient's name wraps onto another line) */
  pagesPerCopy: number;
  /** pages of each copy, in order */
  copyPages: number[];
  /** attachments that could not be added (not a readable PDF) */
  skipped: string[];
  /** the standard fonts were used (text outside WinAnsi folded or '?'): the font file and why */
  fontFallback: { file: string; reason: string } | null;
}

// ------------------------------------------------------------------ the IMAP mailbox, as a fetch reads it

/** A folder of the mailbox (LIST). */
export interface MailboxFolder {
  path: string;
  flags: string[];
}

/** One message being downloaded. */
export interface FetchedMessage {
  mailbox: string;
  uid: number;
  uidValidity: bigint;
  size: number;
  /** the message exactly as stored; read it to the end (or destroy it) to release the folder */
  content: Readable;
}

/** A logged-in IMAP session. Failures are SandiError (mail.* keys: connectionLost, timeout, ...). */
export interface MailboxReader {
  /** the folder by its path (INBOX in any case), or null when there is none or it cannot be selected */
  findMailbox(path: string): Promise<MailboxFolder | null>;
  /** the messages after `afterUid`, with the folder's UIDVALIDITY */
  listSince(mailbox: string, afterUid: number): Promise<{ uidValidity: bigint; uidNext: number | null; messages: { uid: number; size: number; internalDate: Date | null }[] }>;
  fetchRaw(mailbox: string, uid: number, options?: { chunkSize?: number }): Promise<FetchedMessage>;
  fetchRawMany(mailbox: string, uids: readonly number[]): Promise<{ uidValidity: bigint; messages: { uid: number; raw: Buffer }[] }>;
  /**
   * The caller is done with these bytes from fetchRawMany (archived and parsed; nothing reads them again): the
   * reader may free their memory now rather than at the runtime's next full collection.
   */
  release(raws: readonly Buffer[]): void;
  moveMessage(mailbox: string, uid: number | readonly number[], destination: string): Promise<void>;
  close(): Promise<void>;
}

/** The IMAP login and a timeout per command. */
export interface MailboxLogin extends ImapLogin {
  timeoutMs?: number;
}

export interface MailboxConnector {
  connect(login: MailboxLogin): Promise<MailboxReader>;
}

// ------------------------------------------------------------------ the port

/** The terima service's ports. */
export interface TerimaPorts {
  /** the register port over the home's store (opened on first use) */
  registers(): Registers;
  /** the archive of raw mail in `dir` (<home>/arsip/surat-masuk) */
  archive(dir: string): MessageArchive;
  /** parse one message in this thread (`keepPdf`: keep the PDF attachments' bytes; `tail`: the last bytes, for the closing boundary) */
  parseIncoming(raw: Readable | Buffer, opts?: { keepPdf?: boolean; tail?: Buffer }): Promise<ParsedIncoming>;
  /** a parser for one fetch run, on `threads` worker threads (0: this thread) */
  messageParser(o: { threads: number }): MessageParser;
  /** the IMAP client, loaded on first use */
  mailbox(): Promise<MailboxConnector>;
  maildirs: LocalMaildirs;
  /** SMTP, loaded on first use */
  mailSender(): Promise<MailSender>;
  /** openpgp, loaded on first use */
  crypto: KriptogramCrypto;
  /** the protected Subject and every part of a decrypted kriptogram entity; and writing them as new files */
  bagian(): Promise<{ pisahkan(entity: Buffer, namaDokumen: string): Promise<{ subject: string | null; bagian: BagianKriptogram[] }>; tulis(dir: string, bagian: readonly BagianKriptogram[]): string[] }>;
  pdfText(pdf: Uint8Array): Promise<PdfTextResult>;
  /** the print pack (pdf-lib) and the printer (CUPS `lp`), loaded on first use */
  printer(): Promise<{
    buildPrintPack: (input: PrintPackInput) => Promise<PrintPack>;
    /** send the PDF to CUPS with `lp` as one job; lp's reply */
    print: (file: string, printer: string, title: string, env: NodeJS.ProcessEnv) => Promise<string>;
    /** the job ids of lp's reply */
    jobIds: (reply: string) => string[];
  }>;
  writeFileAtomic(path: string, content: string | Uint8Array, mode: number): void;
  memorySink(): ByteSink;
  /** a stream that only counts the bytes written to it */
  countingSink(): Writable & { readonly bytes: number };
  /** the office's fetch lock (one fetch at a time): `busyKey` the message when another run holds it */
  lock(path: string, busyKey: string): Promise<Claim>;
}
