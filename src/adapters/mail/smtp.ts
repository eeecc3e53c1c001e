/**
 * SMTP submission through nodemailer: hand the server a message that is already built (raw bytes, e.g. a
 * PGP/MIME kriptogram) with an explicit envelope. One connection per call, no pool: a send is rare and
 * must report exactly what the server answered. TLS is always on (STARTTLS required, or implicit TLS) and
 * certificates are always checked; a private CA can be trusted with `caFile`.
 */
import type { Readable } from 'node:stream';
import nodemailer from 'nodemailer';
import { SandiError } from '../../errors.js';
import { mapConnectionError, readCaFile, redact, type Endpoint } from './errors.js';

export interface SmtpSettings {
  host: string;
  port: number;
  /** 'starttls': plain connect, STARTTLS required (587); 'tls': TLS from the first byte (465) */
  security: 'starttls' | 'tls';
  user: string;
  /** resolved by the caller at the moment of use; never stored by this adapter */
  password: string;
  /** PEM file of a CA (or the server's self-signed certificate) to trust in addition to the system store */
  caFile?: string;
  /** name the certificate must carry when `host` is an IP address or an alias */
  servername?: string;
  /** EHLO name; default: nodemailer's (the machine's host name) */
  clientName?: string;
  /** connect + greeting timeout, ms (default 30 000); the data phase gets 10x this */
  timeoutMs?: number;
}

export interface SendRawInput {
  /** envelope sender (MAIL FROM) */
  from: string;
  /** envelope recipients (RCPT TO): every To and Cc, plus any Bcc */
  to: string[];
  /** the complete message, CRLF line endings */
  raw: Buffer | Readable;
  /** the Message-ID written in `raw`; reported back so the caller can register it */
  messageId: string;
  /** ask for delivery status notifications (RFC 3461) when the server offers DSN; `envid` names the send */
  dsn?: { envid: string; notify?: ('SUCCESS' | 'FAILURE' | 'DELAY')[] };
}

export interface SendResult {
  messageId: string;
  /** the server's final reply, e.g. "250 2.0.0 Ok: queued as 4Xyz" */
  response: string;
  accepted: string[];
  rejected: string[];
  /** the server's reply to each refused recipient (RCPT TO), in the order refused */
  rejectedReplies: RecipientReply[];
}

/** A recipient the server refused, with its reply to RCPT TO (e.g. "554 5.7.1 <x@y>: Relay access denied"). */
export interface RecipientReply {
  address: string;
  response: string;
  /** the reply code (554, 450, ...); null when the server's reply had none */
  code: number | null;
}

/** The per-recipient refusals nodemailer collected (on a result, or on the error when all were refused). */
export function recipientReplies(x: unknown, secrets: (string | undefined)[] = []): RecipientReply[] {
  const list = (x as { rejectedErrors?: unknown } | null | undefined)?.rejectedErrors;
  if (!Array.isArray(list)) return [];
  return list.map((e: { recipient?: unknown; response?: unknown; responseCode?: unknown; message?: unknown }) => ({
    address: typeof e.recipient === 'string' ? e.recipient : '',
    response: redact(typeof e.response === 'string' ? e.response : typeof e.message === 'string' ? e.message : '', secrets),
    code: typeof e.responseCode === 'number' ? e.responseCode : null,
  }));
}

const DEFAULT_TIMEOUT_MS = 30_000;

/**
 * One unpooled nodemailer transport with the house TLS rules: TLS always (implicit or STARTTLS required),
 * certificates always checked (plus an optional private CA), TLS 1.2 or newer, no logging (it would print
 * the AUTH exchange). `socketTimeout` bounds the data phase.
 */
export async function createSmtpTransport(settings: SmtpSettings, timeout: number, socketTimeout: number) {
  const ca = settings.caFile === undefined ? undefined : await readCaFile(settings.caFile);
  return nodemailer.createTransport({
    host: settings.host,
    port: settings.port,
    secure: settings.security === 'tls',
    requireTLS: settings.security === 'starttls',
    ...(settings.clientName === undefined ? {} : { name: settings.clientName }),
    auth: { user: settings.user, pass: settings.password },
    tls: {
      rejectUnauthorized: true,
      minVersion: 'TLSv1.2',
      ...(ca === undefined ? {} : { ca }),
      ...(settings.servername === undefined ? {} : { servername: settings.servername }),
    },
    connectionTimeout: timeout,
    greetingTimeout: timeout,
    socketTimeout,
    logger: false,
    debug: false,
  });
}

/**
 * Send one raw message. Resolves when the server accepted it for at least one recipient (the others are
 * listed in `rejected`); rejects with a SandiError otherwise: UNAVAILABLE (cannot connect, TLS not
 * trusted), TEMPFAIL (timeout, connection lost, 4xx), PERMISSION (login refused), DATA (5xx).
 */
export async function sendRaw(settings: SmtpSettings, input: SendRawInput): Promise<SendResult> {
  const timeout = settings.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const ep: Endpoint = { protocol: 'SMTP', host: settings.host, port: settings.port, user: settings.user, timeoutMs: timeout };
  const transport = await createSmtpTransport(settings, timeout, timeout * 10);
  try {
    const info = await transport.sendMail({
      envelope: { from: input.from, to: input.to },
      raw: input.raw,
      // nodemailer adds RET/ENVID/NOTIFY only when the server announces the DSN extension
      ...(input.dsn === undefined ? {} : { dsn: { id: input.dsn.envid, return: 'headers' as const, notify: input.dsn.notify ?? ['FAILURE', 'DELAY'], recipient: input.from } }),
    });
    return {
      messageId: input.messageId,
      response: String(info.response),
      accepted: info.accepted.map(String),
      rejected: info.rejected.map(String),
      rejectedReplies: recipientReplies(info, [settings.password]),
    };
  } catch (e) {
    throw mapSmtpError(e, ep, [settings.password]);
  } finally {
    transport.close();
  }
}

/** Map a nodemailer failure to a SandiError (exported for the scripted-server tests). */
export function mapSmtpError(e: unknown, ep: Endpoint, secrets: (string | undefined)[] = []): SandiError {
  const connection = mapConnectionError(e, ep, secrets);
  if (connection !== undefined) return connection;
  const err = (e ?? {}) as { responseCode?: unknown; response?: unknown; message?: unknown; code?: unknown };
  const refused = recipientReplies(e, secrets);
  // every recipient refused: name each with its own reply (they may differ), not only the last
  const response =
    refused.length > 1
      ? refused.map((r) => `${r.address}: ${r.response}`).join('; ')
      : redact(typeof err.response === 'string' ? err.response : String(err.message ?? e), secrets);
  if (typeof err.responseCode === 'number') {
    if (err.responseCode >= 500) return new SandiError('DATA', 'mail.smtpRejected', { response }, { hint: 'mail.smtpRejected.hint', cause: e });
    if (err.responseCode >= 400) return new SandiError('TEMPFAIL', 'mail.smtpDeferred', { response }, { hint: 'mail.smtpDeferred.hint', cause: e });
  }
  return new SandiError(
    'UNAVAILABLE',
    'mail.serverError',
    { protocol: ep.protocol, host: ep.host, port: ep.port, operation: 'send', reason: typeof err.code === 'string' ? `${err.code}: ${response}` : response },
    { cause: e },
  );
}
