/**
 * Library errors of the mail adapters (nodemailer, imapflow, node:net/tls) → SandiError. Shared by smtp.ts
 * and imap.ts so that the same failure (refused connection, untrusted certificate, wrong password) reads
 * and exits the same way whichever protocol met it. Parameters never carry a password: only the protocol,
 * host, port, user, a library or OpenSSL error code, or the server's own reply line.
 */
import { readFile } from 'node:fs/promises';
import { SandiError } from '../../errors.js';

export type MailProtocol = 'SMTP' | 'IMAP';

export interface Endpoint {
  protocol: MailProtocol;
  host: string;
  port: number;
  user?: string;
  /** connection timeout used, for the message */
  timeoutMs?: number;
}

/** Errors Node's TLS layer raises when the peer's certificate cannot be trusted (OpenSSL verify codes). */
const CERT_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'CERT_REVOKED',
  'CERT_SIGNATURE_FAILURE',
  'INVALID_CA',
  'HOSTNAME_MISMATCH',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EDNS', 'EADDRNOTAVAIL']);
const TIMEOUT_CODES = new Set(['ETIMEDOUT', 'ETIMEOUT', 'CONNECT_TIMEOUT', 'GREETING_TIMEOUT', 'ESOCKETTIMEDOUT', 'UPGRADE_TIMEOUT']);
/**
 * The connection went away: the socket (reset, broken pipe, closed), nodemailer's ECONNECTION/ESOCKET, and
 * every code imapflow 2.10 rejects a command or a download with once its connection is gone: NoConnection
 * (closed, BYE, closed while a command, a lock or a download chunk waited), EConnectionClosed (no socket
 * left), StateLogout (the connection already logged out), ClosedAfterConnect* (closed during the greeting),
 * and Node's ERR_STREAM_PREMATURE_CLOSE (a stream torn down with the socket).
 */
const LOST_CODES = new Set([
  'ECONNRESET',
  'EPIPE',
  'ECONNECTION',
  'ECONNABORTED',
  'ESOCKET',
  'NoConnection',
  'EConnectionClosed',
  'StateLogout',
  'ClosedAfterConnectTLS',
  'ClosedAfterConnectText',
  'ERR_STREAM_PREMATURE_CLOSE',
]);

interface LibError {
  code?: unknown;
  message?: unknown;
  cause?: unknown;
  reason?: unknown;
  responseCode?: unknown;
  response?: unknown;
  authenticationFailed?: unknown;
  serverResponseCode?: unknown;
  responseText?: unknown;
  errors?: unknown;
}

/** The chain of error codes of `e` and its causes (nodemailer and imapflow wrap the socket error). */
function codes(e: unknown, depth = 0): string[] {
  if (e === null || typeof e !== 'object' || depth > 4) return [];
  const err = e as LibError;
  // nodemailer keeps the socket's code in `originalCode` and puts its own ('ESOCKET', 'ETLS') in `code`.
  const original = (e as { originalCode?: unknown }).originalCode;
  const own = [err.code, original].filter((c): c is string => typeof c === 'string');
  const nested = Array.isArray(err.errors) ? err.errors.flatMap((x) => codes(x, depth + 1)) : [];
  return [...own, ...codes(err.cause, depth + 1), ...nested];
}

function messageOf(e: unknown): string {
  if (e !== null && typeof e === 'object' && typeof (e as LibError).message === 'string') return (e as LibError).message as string;
  return String(e);
}

/** Remove every occurrence of the secrets from a text that may reach the operator or a log. */
export function redact(text: string, secrets: (string | undefined)[]): string {
  let out = text;
  for (const s of secrets) if (s !== undefined && s.length > 0) out = out.split(s).join('***');
  return out;
}

/**
 * Classify a connection-level failure (socket, TLS, timeout, authentication). Returns undefined when the
 * error is none of these, so the caller can map protocol-specific replies itself.
 */
export function mapConnectionError(e: unknown, ep: Endpoint, secrets: (string | undefined)[] = []): SandiError | undefined {
  if (e instanceof SandiError) return e;
  const cs = codes(e);
  const msg = redact(messageOf(e), secrets);
  const base = { protocol: ep.protocol, host: ep.host, port: ep.port };
  const err = e as LibError;

  const cert = cs.find((c) => CERT_CODES.has(c));
  if (cert !== undefined) return new SandiError('UNAVAILABLE', 'mail.tlsUntrusted', { ...base, reason: cert }, { hint: 'mail.tlsUntrusted.hint', cause: e });

  const unreachable = cs.find((c) => UNREACHABLE_CODES.has(c));
  if (unreachable !== undefined) return new SandiError('UNAVAILABLE', 'mail.unreachable', { ...base, reason: unreachable }, { hint: 'mail.unreachable.hint', cause: e });

  if (cs.some((c) => TIMEOUT_CODES.has(c)) || /timed? ?out/i.test(msg)) {
    const seconds = Math.round((ep.timeoutMs ?? 0) / 1000);
    return new SandiError('TEMPFAIL', 'mail.timeout', { ...base, seconds }, { hint: 'mail.timeout.hint', cause: e });
  }

  if (
    err.authenticationFailed === true ||
    cs.includes('EAUTH') ||
    err.serverResponseCode === 'AUTHENTICATIONFAILED' ||
    (cs.length === 0 && /authenticat/i.test(msg))
  ) {
    return new SandiError('PERMISSION', 'mail.authFailed', { ...base, user: ep.user ?? '' }, { hint: 'mail.authFailed.hint', cause: e });
  }
  if (cs.includes('ENOAUTH')) return new SandiError('CONFIG', 'mail.authMissing', base, { cause: e });

  // nodemailer sends STARTTLS even when it is not advertised (requireTLS) and fails with the server's
  // refusal; imapflow says so in its message.
  const refusedStarttls = (e as { command?: unknown }).command === 'STARTTLS' && typeof err.responseCode === 'number';
  if (refusedStarttls || (/STARTTLS/i.test(msg) && /not|support|advertis/i.test(msg) && !cs.some((c) => c.startsWith('ERR_SSL')))) {
    return new SandiError('UNAVAILABLE', 'mail.tlsNotOffered', base, { hint: 'mail.tlsNotOffered.hint', cause: e });
  }
  const tls = cs.find((c) => c === 'ETLS' || c === 'EPROTO' || c.startsWith('ERR_SSL') || c.startsWith('ERR_TLS'));
  if (tls !== undefined) return new SandiError('UNAVAILABLE', 'mail.tlsFailed', { ...base, reason: tls }, { hint: 'mail.tlsFailed.hint', cause: e });

  const lost = cs.find((c) => LOST_CODES.has(c));
  if (lost !== undefined) return new SandiError('TEMPFAIL', 'mail.connectionLost', { ...base, reason: lost }, { hint: 'mail.connectionLost.hint', cause: e });
  return undefined;
}

/** Read a CA certificate file named in the account configuration. */
export async function readCaFile(path: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (e) {
    const reason = e !== null && typeof e === 'object' && typeof (e as LibError).code === 'string' ? ((e as LibError).code as string) : messageOf(e);
    throw new SandiError('CONFIG', 'mail.caFileUnreadable', { path, reason }, { cause: e });
  }
}
