/**
 * A synchronous PostgreSQL client, so that PostgreSQL can stand behind the same synchronous register ports as
 * better-sqlite3. `pg` (node-postgres) runs in a worker thread that holds the connection (sync-worker.ts); this
 * thread posts each request over a MessageChannel and sleeps with Atomics.wait on a SharedArrayBuffer until the
 * worker has answered, then takes the answer with receiveMessageOnPort — the technique of the `synckit` package,
 * written out here (about 100 lines) because a connection is state that lives between calls, needs an explicit
 * close, and its errors must keep every pg field (SQLSTATE, constraint, …), none of which synckit's
 * function-call shape gives without wrapping it anyway. A CLI process is one user's one command: blocking the
 * main thread during a query is what better-sqlite3 does too.
 *
 * The worker is unref'd: it never keeps the process alive, and it dies with the process (the server then sees
 * the connection drop and rolls back any open transaction). close() ends the connection and the thread.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { MessageChannel, Worker, receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import { SYNC_WORKER_SOURCE } from './sync-worker.js';

/** libpq's sslmode values sandi accepts (allow/prefer would silently fall back to plain text: refused earlier). */
export type PgSslMode = 'disable' | 'require' | 'verify-ca' | 'verify-full';

export interface PgConnectionOptions {
  host: string;
  port: number;
  user: string;
  database: string;
  /** resolved at the last moment (PGPASSWORD, ~/.pgpass, passwordCommand); never logged, never in an error */
  password?: string | undefined;
  sslmode: PgSslMode;
  /** a CA certificate file (PEM) for verify-ca / verify-full; without it verify-full uses the system's CAs */
  sslrootcert?: string | undefined;
  /** shown in pg_stat_activity (default "sandi") */
  applicationName?: string | undefined;
  /** give up connecting after this long (default 10 s) */
  connectTimeoutMs?: number | undefined;
  /**
   * A network that goes silent (no FIN, no RST: a cable pulled, a NAT forgetting the flow) would leave a query
   * waiting for TCP's keepalive, about 2 hours. The bounds (none when not given):
   * - lockTimeoutMs: the server's lock_timeout for this session — a unit waiting for another workstation's
   *   lock (the unit lock, a migration) gets 55P03 after this long, and nothing of it is kept;
   * - queryTimeoutMs: no answer to a query within this long (give it more than lockTimeoutMs, so a legitimate
   *   lock wait ends with the server's answer first) → the connection is dropped and the query fails with
   *   SANDI_NO_ANSWER; the server rolls the open transaction back (idleInTransactionTimeoutMs below, or when it
   *   notices the connection gone);
   * - idleInTransactionTimeoutMs: the server's idle_in_transaction_session_timeout — a session whose client went
   *   silent inside a unit is ended by the server, its locks released, after this long;
   * - keepAliveDelayMs: TCP keepalive probes start after this long idle (default 60 s).
   */
  lockTimeoutMs?: number | undefined;
  queryTimeoutMs?: number | undefined;
  idleInTransactionTimeoutMs?: number | undefined;
  keepAliveDelayMs?: number | undefined;
}

export interface PgQueryResult<R> {
  rows: R[];
  rowCount: number;
}

/**
 * How one query runs (./sql.ts streamQuery uses them for a cursor's pages):
 * - `rowMode: 'array'`: each row an array of the values in select-list order (cheaper to build and to pass
 *   between the threads than an object per row);
 * - `ahead: N` (a `FETCH` of N rows): when the answer is a full page (N rows), the worker sends the same statement again at
 *   once and keeps its answer for the next identical request, so the server and the worker make the next page
 *   while this thread works on this one. The statement is sent before any later request of this thread, so it
 *   runs where the next FETCH would have run (a request in between waits for it); its error, if any, is the
 *   answer of that next request. `forget: sql`: drop what is kept for `sql` (the cursor is being closed).
 */
export interface PgQueryOptions {
  rowMode?: 'array';
  /**
   * 'json': the rows cross from the worker as one JSON text instead of a structured clone (measured cheaper for
   * pages of many short values: bench/postgres.mjs). Only for rows without bytea (a Buffer has no JSON form).
   */
  transport?: 'json';
  ahead?: number;
  forget?: string;
}

export interface PgSync {
  query<R = Record<string, unknown>>(sql: string, params?: readonly unknown[], opts?: PgQueryOptions): PgQueryResult<R>;
  /** BEGIN, fn, COMMIT; ROLLBACK when fn throws (and the error rethrown). A nested call is an error. */
  transaction<T>(fn: () => T): T;
  /** End the connection and the worker thread. Safe to call twice. */
  close(): void;
  /**
   * A second connection with the same options (server, role, password, TLS), for work that must not share this
   * one's transactions (kirim's row claims: ./claim.ts).
   */
  another(): PgSync;
  readonly closed: boolean;
}

/** The fields pg and Node put on an error, kept across the thread boundary. */
export interface PgErrorFields {
  /** SQLSTATE (e.g. 23505, 28P01, 3D000) for a server error; ECONNREFUSED, SELF_SIGNED_CERT_IN_CHAIN… for a client one */
  code?: string;
  severity?: string;
  detail?: string;
  hint?: string;
  position?: string;
  where?: string;
  schema?: string;
  table?: string;
  column?: string;
  dataType?: string;
  constraint?: string;
  routine?: string;
  errno?: number;
  syscall?: string;
  address?: string;
  port?: number;
}

/** An error from the server or from the connection, with the pg fields preserved. */
export class PgError extends Error implements PgErrorFields {
  code?: string;
  severity?: string;
  detail?: string;
  hint?: string;
  position?: string;
  where?: string;
  schema?: string;
  table?: string;
  column?: string;
  dataType?: string;
  constraint?: string;
  routine?: string;
  errno?: number;
  syscall?: string;
  address?: string;
  port?: number;
  constructor(message: string, fields: PgErrorFields & { name?: string; stack?: string }) {
    super(message);
    this.name = 'PgError';
    for (const [k, v] of Object.entries(fields)) {
      if (k === 'name' || k === 'message' || v === undefined) continue;
      if (k === 'stack') this.stack = `${this.stack ?? ''}\n  --- in the PostgreSQL worker:\n${String(v)}`;
      else (this as Record<string, unknown>)[k] = v;
    }
  }
}

const requireHere = createRequire(import.meta.url);
const WORKER_START_MS = 20_000;

interface Answer {
  result?: { rows?: unknown[]; json?: string; rowCount?: number };
  error?: PgErrorFields & { name?: string; message: string; stack?: string };
  fatal?: boolean;
}

/** A structured clone turns a Buffer into a plain Uint8Array: give bytea values their Buffer face back. */
function revive(rows: unknown[]): void {
  for (const row of rows) {
    if (row === null || typeof row !== 'object') continue;
    const r = row as Record<string, unknown>;
    for (const k of Object.keys(r)) {
      const v = r[k];
      if (v instanceof Uint8Array && !Buffer.isBuffer(v)) r[k] = Buffer.from(v.buffer, v.byteOffset, v.byteLength);
    }
  }
}

/**
 * Connect (synchronously: a refused connection, a wrong password, a missing database or a bad certificate throws
 * a PgError here) and return the client.
 */
export function openPgSync(options: PgConnectionOptions): PgSync {
  let ca: string | undefined;
  if (options.sslrootcert !== undefined && options.sslmode !== 'disable') {
    try {
      ca = readFileSync(options.sslrootcert, 'utf8');
    } catch (e) {
      throw new PgError(`cannot read the CA certificate file ${options.sslrootcert}: ${(e as Error).message}`, { code: 'SANDI_SSLROOTCERT_UNREADABLE' });
    }
  }
  // flag[0]: 1 = an answer is on the port; flag[1]: the worker's life (0 not started, 1 running, 2 ending)
  const flag = new Int32Array(new SharedArrayBuffer(8));
  const { port1, port2 } = new MessageChannel();
  const here: MessagePort = port1;
  const worker = new Worker(SYNC_WORKER_SOURCE, {
    eval: true,
    workerData: {
      pgUrl: pathToFileURL(requireHere.resolve('pg')).href,
      port: port2,
      flag,
      options: {
        host: options.host,
        port: options.port,
        user: options.user,
        database: options.database,
        password: options.password,
        sslmode: options.sslmode,
        ca,
        applicationName: options.applicationName ?? 'sandi',
        connectTimeoutMs: options.connectTimeoutMs ?? 10_000,
        lockTimeoutMs: options.lockTimeoutMs,
        idleInTransactionTimeoutMs: options.idleInTransactionTimeoutMs,
        keepAliveDelayMs: options.keepAliveDelayMs ?? 60_000,
      },
    },
    transferList: [port2],
    resourceLimits: { maxOldGenerationSizeMb: 128, maxYoungGenerationSizeMb: 8 },
  });
  worker.unref();
  here.unref();
  // errors of the thread itself reach here only when this thread's event loop runs (after the command): the
  // requests learn of them from their answers; this listener only keeps them from being unhandled
  worker.on('error', () => undefined);

  let closed = false;
  let inTransaction = false;
  const answerWithin = options.queryTimeoutMs;

  const request = (req: { op: 'connect' | 'close' } | { op: 'query'; sql: string; params: readonly unknown[]; opts?: PgQueryOptions | undefined }): NonNullable<Answer['result']> => {
    if (closed) throw new PgError('the PostgreSQL connection is closed', { code: 'SANDI_CLOSED' });
    Atomics.store(flag, 0, 0);
    here.postMessage(req);
    const since = Date.now();
    for (;;) {
      // the worker answers on the port first, then wakes us: whatever woke us, the port says whether it is done
      Atomics.wait(flag, 0, 0, 250);
      const got = receiveMessageOnPort(here);
      if (got === undefined) {
        const life = Atomics.load(flag, 1);
        if (life === 2 || (life === 0 && Date.now() - since > WORKER_START_MS)) {
          shutdown();
          throw new PgError(life === 2 ? 'the PostgreSQL worker thread ended without answering' : `the PostgreSQL worker thread did not start within ${WORKER_START_MS / 1000} s`, { code: 'SANDI_WORKER' });
        }
        // a silent network: stop waiting, drop the connection (the thread and its socket go)
        if (answerWithin !== undefined && req.op !== 'connect' && Date.now() - since > answerWithin) {
          shutdown();
          throw new PgError(`no answer from the server within ${answerWithin / 1000} s (the network to it may be down)`, { code: 'SANDI_NO_ANSWER' });
        }
        continue;
      }
      const a = got.message as Answer;
      if (a.error !== undefined) {
        if (a.fatal === true) shutdown();
        const { message, ...fields } = a.error;
        throw new PgError(message, fields);
      }
      return a.result ?? {};
    }
  };

  const shutdown = (): void => {
    closed = true;
    here.close();
    void worker.terminate();
  };

  try {
    request({ op: 'connect' });
  } catch (e) {
    shutdown();
    throw e;
  }

  const query = <R>(sql: string, params: readonly unknown[] = [], opts?: PgQueryOptions): PgQueryResult<R> => {
    const r = request({ op: 'query', sql, params, opts });
    const rows = r.json !== undefined ? (JSON.parse(r.json) as unknown[]) : (r.rows ?? []);
    if (r.json === undefined) revive(rows);
    return { rows: rows as R[], rowCount: r.rowCount ?? 0 };
  };

  return {
    query,
    transaction<T>(fn: () => T): T {
      if (inTransaction) throw new Error('PgSync.transaction: already in a transaction (nested transactions are not supported)');
      inTransaction = true;
      try {
        query('BEGIN');
        let result: T;
        try {
          result = fn();
          if (result instanceof Promise) throw new Error('PgSync.transaction: the function must be synchronous (it returned a Promise)');
        } catch (e) {
          // the connection may be gone: the server rolls back on its own then, and the first error is the one that matters
          try {
            query('ROLLBACK');
          } catch {
            /* see above */
          }
          throw e;
        }
        query('COMMIT');
        return result;
      } finally {
        inTransaction = false;
      }
    },
    close(): void {
      if (closed) return;
      try {
        request({ op: 'close' });
      } catch {
        /* closing a broken connection */
      } finally {
        shutdown();
      }
    },
    another: () => openPgSync(options),
    get closed() {
      return closed;
    },
  };
}
