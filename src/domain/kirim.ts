/**
 * Pure rules of the outgoing kriptogram service (`sandi kirim`, SOP seed 001): who a row waits for, what
 * `lanjut` (resume) does with a row in each state, whether a failed send certainly left nothing on the
 * server, and the small formats of the outer mail (Message-ID, the office's UTC offset).
 */
import type { OutgoingStatus } from './outgoing-state.js';

/** Who must act next on a row, in the office's words. */
export type Giliran = 'sandiman' | 'kasi' | 'periksa' | null;

/** Who a row in `status` waits for: the sandiman (initial, number, send), the Kasi (signature), a check (tidak_pasti), nobody. */
export function waitingFor(status: OutgoingStatus): Giliran {
  switch (status) {
    case 'terdaftar':
    case 'ditandatangani':
    case 'bernomor':
      return 'sandiman';
    case 'diparaf':
      return 'kasi';
    case 'tidak_pasti':
      return 'periksa';
    case 'terkirim':
    case 'batal':
      return null;
  }
}

/** What `sandi kirim lanjut` does with a row. */
export type ResumeAction =
  | 'paraf-selesai' // terdaftar with a complete draft on disk: record the initial
  | 'perlu-dokumen' // terdaftar without a draft: the document is needed again (or batal)
  | 'tunggu-kasi' // diparaf: only the Kasi can go on
  | 'beri-nomor-kirim' // ditandatangani: number, then send
  | 'kirim' // bernomor: send (the Message-ID is fixed already)
  | 'periksa' // tidak_pasti: find out whether it went out before anything is sent again
  | 'selesai'; // terkirim or batal

export function resumeAction(status: OutgoingStatus, draftOnDisk: boolean): ResumeAction {
  switch (status) {
    case 'terdaftar':
      return draftOnDisk ? 'paraf-selesai' : 'perlu-dokumen';
    case 'diparaf':
      return 'tunggu-kasi';
    case 'ditandatangani':
      return 'beri-nomor-kirim';
    case 'bernomor':
      return 'kirim';
    case 'tidak_pasti':
      return 'periksa';
    case 'terkirim':
    case 'batal':
      return 'selesai';
  }
}

/**
 * Whether `lanjut` may number or send a kriptogram row in `status` in this run, so every secret a send
 * needs (the mailbox password) is resolved before the first row moves: signed, numbered and uncertain rows,
 * and an initialled one when one person holds both roles (the Kasi signs it in the same run).
 */
export function resumeSends(status: OutgoingStatus, singleOperator: boolean): boolean {
  return status === 'ditandatangani' || status === 'bernomor' || status === 'tidak_pasti' || (status === 'diparaf' && singleOperator);
}

/**
 * What `lanjut` does with an ordinary letter (register surat_keluar): registering numbers it and fixes its
 * Message-ID in one transaction, so what can be left is a numbered letter to send or an uncertain send to check.
 */
export function letterResumeAction(status: OutgoingStatus): 'kirim' | 'periksa' | 'selesai' {
  return status === 'bernomor' ? 'kirim' : status === 'tidak_pasti' ? 'periksa' : 'selesai';
}

/**
 * Whether a row still needs its copy in the Sent folder looked up (and appended when missing): it is sent,
 * it has a Message-ID to look it up by, and no copy is recorded for it yet (`copyRecorded`).
 */
export function needsSentCopy(r: { status: OutgoingStatus; messageId: string | null }, copyRecorded: boolean): boolean {
  return r.status === 'terkirim' && r.messageId !== null && !copyRecorded;
}

/**
 * Whether a failed SMTP send certainly transferred nothing, by the message key of the mapped error: the
 * server was not reached, TLS was not trusted, login was refused, or the server answered with a refusal
 * (4xx/5xx). A timeout or a dropped connection may have happened after the message data: uncertain.
 */
export function sendFailureIsCertain(messageKey: string): boolean {
  return (
    messageKey === 'mail.unreachable' ||
    messageKey === 'mail.tlsUntrusted' ||
    messageKey === 'mail.tlsFailed' ||
    messageKey === 'mail.tlsNotOffered' ||
    messageKey === 'mail.authFailed' ||
    messageKey === 'mail.authMissing' ||
    messageKey === 'mail.caFileUnreadable' ||
    messageKey === 'mail.passwordMissing' ||
    messageKey === 'mail.smtpRejected' ||
    messageKey === 'mail.smtpDeferred'
  );
}

const ZONE_OFFSETS: Readonly<Record<string, number>> = { 'Asia/Jakarta': 420, 'Asia/Makassar': 480, 'Asia/Jayapura': 540 };

/** Minutes east of UTC of the office's zone (Indonesia has no daylight saving time). */
export function utcOffsetMinutes(timeZone: string): number {
  return ZONE_OFFSETS[timeZone] ?? 0;
}

/** The domain of an e-mail address, or a reserved fallback for local delivery. */
export function domainOf(email: string | null | undefined): string {
  const at = email?.lastIndexOf('@') ?? -1;
  return email && at > 0 && at < email.length - 1 ? email.slice(at + 1).toLowerCase() : 'sandi.invalid';
}

/** A Message-ID from 16+ random bytes (hex, given by the caller) and the sender's domain. */
export function makeMessageId(randomHex: string, fromEmail: string | null | undefined): string {
  return `<sandi.${randomHex}@${domainOf(fromEmail)}>`;
}

/** Whether the raw bytes of a message carry this Message-ID header (Maildir check on resume). */
export function hasMessageId(raw: Buffer, messageId: string): boolean {
  const headEnd = raw.indexOf('\r\n\r\n');
  const head = raw.subarray(0, headEnd < 0 ? Math.min(raw.length, 64 * 1024) : headEnd).toString('latin1');
  const want = messageId.trim().toLowerCase();
  return head.split(/\r?\n/).some((l) => /^message-id:/i.test(l) && l.slice(l.indexOf(':') + 1).trim().toLowerCase() === want);
}

/** How often and how long a temporary SMTP refusal (4xx) is retried before the row is left waiting. */
export interface RetryPolicy {
  /** attempts in all, the first one included */
  attempts: number;
  firstDelayMs: number;
  maxDelayMs: number;
  /** no retry starts after this much time since the first attempt */
  maxTotalMs: number;
}

/** Default: 4 attempts, 2 s, 4 s, 8 s apart, never longer than a minute in all. */
export const SMTP_RETRY: RetryPolicy = { attempts: 4, firstDelayMs: 2_000, maxDelayMs: 30_000, maxTotalMs: 60_000 };

/** Whether a failed send is worth trying again shortly: the server deferred it (4xx), nothing was sent. */
export function isTemporarySendFailure(messageKey: string): boolean {
  return messageKey === 'mail.smtpDeferred';
}

/**
 * The wait before the next attempt after `failures` failed attempts (exponential from firstDelayMs, capped
 * at maxDelayMs), or null when the policy allows no more: the attempts are used up, or the wait would end
 * past maxTotalMs since the first attempt (`elapsedMs`).
 */
export function retryDelay(p: RetryPolicy, failures: number, elapsedMs: number): number | null {
  if (failures < 1 || failures >= p.attempts) return null;
  const delay = Math.min(p.maxDelayMs, p.firstDelayMs * 2 ** (failures - 1));
  return elapsedMs + delay > p.maxTotalMs ? null : delay;
}

/**
 * The request letter's reference as carried in the protected headers ("005/77/SETDA, 2026-11-20,
 * Sekretariat Daerah"), or null when none was recorded.
 */
export function permohonanRef(p: { nomor?: string | null; tanggal?: string | null; unit?: string | null }): string | null {
  const parts = [p.nomor, p.tanggal, p.unit].map((x) => x?.trim() ?? '').filter((x) => x.length > 0);
  return parts.length > 0 ? parts.join(', ') : null;
}

/**
 * Whether `sandi kirim --biasa` (an ordinary letter, sent in clear) may carry this classification: Biasa only.
 * Terbatas and above are exempted documents and go as a kriptogram.
 */
export function biasaSifatAllowed(sifat: string): sifat is 'Biasa' {
  return sifat === 'Biasa';
}

/** What `lanjut --sudah-terkirim/--belum-terkirim` means; null when the flags are not usable (see the key). */
export function lanjutDecision(
  id: number | undefined,
  flags: { sudah: boolean; belum: boolean },
): { ok: true; keputusan: 'sudah' | 'belum' | null } | { ok: false; key: 'kirim.lanjutBothFlags' | 'kirim.lanjutFlagNeedsId' } {
  if (flags.sudah && flags.belum) return { ok: false, key: 'kirim.lanjutBothFlags' };
  if ((flags.sudah || flags.belum) && id === undefined) return { ok: false, key: 'kirim.lanjutFlagNeedsId' };
  return { ok: true, keputusan: flags.sudah ? 'sudah' : flags.belum ? 'belum' : null };
}
