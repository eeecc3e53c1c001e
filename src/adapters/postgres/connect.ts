/**
 * Opening the office database on PostgreSQL for a command: the synchronous client (sync-client.ts) connected,
 * or a SandiError that names the server (host:port), the user and the database and says what to do — never the
 * password. The faults of issue 15 §3:
 *   unreachable (refused, timed out, no route, unknown host, server starting or full) → UNAVAILABLE 69
 *   password refused (28P01), no such role or no pg_hba entry (28000), no password to give → PERMISSION 77
 *   database missing (3D000)                                                       → CONFIG 78
 *   TLS demanded but invalid (certificate not trusted, wrong name, no TLS on the server), CA file unreadable → CONFIG 78
 * anything else                                                                        → UNAVAILABLE 69 with its reason.
 * And once connected, the connection lost in the middle of the command (server crashed or restarted, backend
 * terminated, network cut, the worker thread gone, no answer within the query bound on a silent network)
 * → UNAVAILABLE 69 naming the server, on every query and unit of work of the client connectPostgres returns —
 * never a raw pg error that the CLI would report as internal (70). A wait for another workstation's lock that
 * outlasts lock_timeout (55P03) → TEMPFAIL 75 naming the server: nothing of the unit kept, try again.
 */
import { SandiError, type ErrorCode } from '../../errors.js';
import { openPgSync, PgError, type PgConnectionOptions, type PgErrorFields, type PgQueryOptions, type PgSync } from './sync-client.js';

export type PgFaultKind = 'unreachable' | 'auth' | 'passwordMissing' | 'databaseMissing' | 'tls' | 'caUnreadable' | 'other';

const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNRESET', 'EPIPE', '57P03', '53300', '08006', '08001']);
const TLS_CODES =
  /^(SELF_SIGNED_CERT_IN_CHAIN|DEPTH_ZERO_SELF_SIGNED_CERT|UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT(_LOCALLY)?|CERT_\w+|ERR_TLS_\w+|ERR_SSL_\w+|ERR_OSSL_\w+|HOSTNAME_MISMATCH|INVALID_CA|SANDI_TLS)$/;

/** Which fault a connection error is (pure: the error's code and message only). */
export function pgFaultKind(e: PgErrorFields & { message: string }): PgFaultKind {
  const code = e.code ?? '';
  if (code === 'SANDI_SSLROOTCERT_UNREADABLE') return 'caUnreadable';
  if (code === '28P01' || code === '28000') return 'auth';
  if (code === '3D000') return 'databaseMissing';
  if (TLS_CODES.test(code) || /does not support SSL|certificate|self[- ]signed|TLS|SSL/i.test(e.message)) return 'tls';
  // pg asks for the password only when the server wants one: none was given
  if (/client password must be a string|password authentication failed.*no password|SASL:.*password/i.test(e.message)) return 'passwordMissing';
  if (UNREACHABLE_CODES.has(code) || /timeout|terminated unexpectedly|Connection terminated|connect ECONN/i.test(e.message)) return 'unreachable';
  return 'other';
}

export interface PgConnectContext {
  /** where the password came from, for the messages: "PGPASSWORD", a .pgpass path, "db.passwordCommand" */
  passwordSource: string;
  /** the password file that was looked at (for the "no password" message) */
  pgpassFile: string;
}

/** The SandiError of a connection fault: the server, user and database named; the password never. */
export function pgFaultError(e: PgErrorFields & { message: string }, o: PgConnectionOptions, ctx: PgConnectContext): SandiError {
  const where = { host: o.host, port: o.port, user: o.user, database: o.database };
  const reason = (e.code !== undefined && !/^[0-9A-Z]{5}$/.test(e.code) ? `${e.code}: ` : '') + oneLine(e.message, o.password);
  const make = (code: ErrorCode, key: string, params: Record<string, string | number>): SandiError =>
    new SandiError(code, key, { ...where, ...params }, { hint: `${key}.hint`, cause: e });
  switch (pgFaultKind(e)) {
    case 'unreachable':
      return make('UNAVAILABLE', 'db.unreachable', { reason });
    case 'auth':
      return make('PERMISSION', 'db.authFailed', { source: ctx.passwordSource });
    case 'passwordMissing':
      return make('PERMISSION', 'db.passwordMissing', { pgpass: ctx.pgpassFile });
    case 'databaseMissing':
      return make('CONFIG', 'db.databaseMissing', {});
    case 'tls':
      return make('CONFIG', 'db.tls', { reason, sslmode: o.sslmode, ca: o.sslrootcert ?? '-' });
    case 'caUnreadable':
      return make('CONFIG', 'db.caUnreadable', { file: o.sslrootcert ?? '-', reason });
    default:
      return make('UNAVAILABLE', 'db.failed', { reason });
  }
}

/** A message on one line, short, and without the password should a library ever quote it. */
function oneLine(message: string, password: string | undefined): string {
  let m = message.replace(/\s+/g, ' ').trim();
  if (password !== undefined && password.length > 0) m = m.split(password).join('***');
  return m.length > 200 ? `${m.slice(0, 197)}...` : m;
}

/** SQLSTATEs and client codes of a connection that broke after it was made. */
const LOST_CODES = new Set(['57P01', '57P02', '57P03', '08000', '08003', '08006', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ECONNREFUSED', 'SANDI_WORKER', 'SANDI_NO_ANSWER']);

/** Whether an error of a connected client means the connection is gone (pure: code and message only). */
export function pgConnectionLost(e: PgErrorFields & { message: string }): boolean {
  if (e.code !== undefined && LOST_CODES.has(e.code)) return true;
  return /Connection terminated|terminated unexpectedly|connection error and is not queryable|Client was closed and is not queryable|server closed the connection/i.test(e.message);
}

/** The SandiError of a connection lost mid-command: the server, user and database named; the password never. */
export function pgConnectionLostError(e: PgErrorFields & { message: string }, o: PgConnectionOptions): SandiError {
  const reason = (e.code !== undefined && !/^[0-9A-Z]{5}$/.test(e.code) ? `${e.code}: ` : '') + oneLine(e.message, o.password);
  return new SandiError('UNAVAILABLE', 'db.connectionLost', { host: o.host, port: o.port, user: o.user, database: o.database, reason }, { hint: 'db.connectionLost.hint', cause: e });
}

/** The SandiError of a lock wait that outlasted lock_timeout: another workstation is writing. */
export function pgLockTimeoutError(e: PgErrorFields & { message: string }, o: PgConnectionOptions): SandiError {
  const seconds = o.lockTimeoutMs === undefined ? '?' : String(o.lockTimeoutMs / 1000);
  return new SandiError('TEMPFAIL', 'db.busy', { host: o.host, port: o.port, database: o.database, seconds }, { hint: 'db.busy.hint', cause: e });
}

/** The client with a lost connection's errors turned into the 69 the user sees, a lock wait's end into 75. */
function withConnectionFaults(db: PgSync, o: PgConnectionOptions, ctx: PgConnectContext): PgSync {
  const mapped = (e: unknown): unknown =>
    !(e instanceof PgError) ? e : pgConnectionLost(e) ? pgConnectionLostError(e, o) : e.code === '55P03' && o.lockTimeoutMs !== undefined ? pgLockTimeoutError(e, o) : e;
  return {
    query<R = Record<string, unknown>>(sql: string, params?: readonly unknown[], opts?: PgQueryOptions) {
      try {
        return db.query<R>(sql, params, opts);
      } catch (e) {
        throw mapped(e);
      }
    },
    transaction<T>(fn: () => T): T {
      try {
        return db.transaction(fn);
      } catch (e) {
        throw mapped(e);
      }
    },
    close: () => db.close(),
    another: () => connectPostgres(o, ctx),
    get closed() {
      return db.closed;
    },
  };
}

/** Connect, or throw the fault's SandiError; the client's later connection losses are SandiErrors too (69). */
export function connectPostgres(o: PgConnectionOptions, ctx: PgConnectContext): PgSync {
  let db: PgSync;
  try {
    db = openPgSync(o);
  } catch (e) {
    if (e instanceof PgError) throw pgFaultError(e, o, ctx);
    throw e;
  }
  return withConnectionFaults(db, o, ctx);
}
