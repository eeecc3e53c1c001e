/**
 * The register functions' SQL on PostgreSQL. The register adapters (../sqlite/registers/*, ../sqlite/terima.ts,
 * ../sqlite/aduan.ts) speak plain SQL through a small statement interface — prepare(sql) → get / all / run /
 * iterate with `?` parameters — and PostgreSQL's schema (./schema.ts) gives the few SQLite names they use
 * (json_extract, json_valid, COLLATE nocase). This module is that statement interface over a synchronous
 * PostgreSQL connection (PgSync, ./sync-client.ts), so the same register code runs on both engines and the
 * conformance suite (test/integration/registers-conformance.test.ts) holds them to the same behaviour:
 * - `?` becomes `$1…$n` (outside quoted text); `? IS [NOT] NULL` is typed `::text` (PostgreSQL cannot infer it);
 * - the column `user` (a reserved word in PostgreSQL: CURRENT_USER) is quoted;
 * - an INSERT returns the new row's id (`lastInsertRowid`), and `changes` is the row count;
 * - rows come back as SQLite gives them: integers as numbers (the bigint UIDs too), booleans as 1/0;
 * - errors become the SandiErrors of the SQLite store: a guard's 'sandi:<kind>:<table>[.<column>]' is
 *   CONFLICT store.conflict.<kind>, a unique/foreign key/check violation CONFLICT, a privilege the officer's
 *   group lacks (a grant, a step policy) PERMISSION, a serialisation failure, deadlock or lock timeout TEMPFAIL.
 */
import { SandiError } from '../../errors.js';

import type { PgQueryOptions, PgSync } from './sync-client.js';

/** The synchronous PostgreSQL connection (./sync-client.ts): pg in a worker thread behind Atomics.wait. */
export type { PgSync } from './sync-client.js';

/** The part of a better-sqlite3 statement the register functions use. */
export interface PgStatement {
  get(...params: unknown[]): Record<string, unknown> | undefined;
  all(...params: unknown[]): Record<string, unknown>[];
  run(...params: unknown[]): { changes: number; lastInsertRowid: number };
  iterate(...params: unknown[]): IterableIterator<Record<string, unknown>>;
}

export interface PgDb {
  prepare(sql: string): PgStatement;
  readonly pg: PgSync;
}

/** Tables whose rows have an integer `id` (an INSERT returns it). */
const ID_TABLES = new Set([
  'kriptogram_keluar', 'surat_keluar', 'surat_masuk', 'surat_masuk_langkah', 'kriptogram_masuk', 'kriptogram_masuk_langkah',
  'anotasi', 'akun_rotasi', 'aduan', 'aduan_langkah', 'audit_log',
]);

/** bigint columns (IMAP UIDVALIDITY/UID, sizes), read back as numbers like SQLite's INTEGER. */
const BIGINT_COLUMNS = new Set(['uidvalidity', 'uid', 'last_uid', 'raw_size']);

/**
 * A statement of the register code as PostgreSQL reads it, in one pass that leaves quoted text and identifiers alone:
 * - SQLite's `?` parameters become `$n` (`? IS NULL` gets a type: `$n::text`);
 * - SQLite's column names that are reserved words in PostgreSQL are quoted: the register code writes `user`
 *   (akun_sandi, akun_rotasi) bare, which SQLite takes as the column and PostgreSQL as CURRENT_USER — a syntax error
 *   in a column list, and worse in a WHERE clause (`WHERE user = ?` compares the login role, not the column).
 *   Longer words (`session_user`, `users`) are left alone.
 */
export function toPgSql(sql: string): string {
  let n = 0;
  let out = '';
  for (let i = 0; i < sql.length; i++) {
    const c = sql[i] as string;
    if (c === "'" || c === '"') {
      const end = sql.indexOf(c, i + 1);
      const stop = end < 0 ? sql.length : end + 1;
      out += sql.slice(i, stop);
      i = stop - 1;
    } else if (c === '?') {
      n++;
      out += /^\s+IS\s+(NOT\s+)?NULL\b/i.test(sql.slice(i + 1)) ? `$${n}::text` : `$${n}`;
    } else if (/[A-Za-z_]/.test(c)) {
      const word = /^[A-Za-z_][A-Za-z0-9_$]*/.exec(sql.slice(i))?.[0] ?? c;
      out += word.toLowerCase() === 'user' ? '"user"' : word;
      i += word.length - 1;
    } else {
      out += c;
    }
  }
  return out;
}

/** A value of column `k` as SQLite would give it (numbers for integers, 1/0 for booleans). */
export function sqliteValue(k: string, v: unknown): unknown {
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'string' && BIGINT_COLUMNS.has(k) && /^-?\d+$/.test(v)) return Number(v);
  if (typeof v === 'bigint') return Number(v);
  return v;
}

/** A row as SQLite would give it (numbers for integers, 1/0 for booleans); the `sandi_rowid` column is left out. */
export function sqliteShaped(r: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(r)) {
    if (k === 'sandi_rowid') continue;
    out[k] = sqliteValue(k, v);
  }
  return out;
}

const param = (v: unknown): unknown => (typeof v === 'boolean' ? (v ? 1 : 0) : typeof v === 'bigint' ? v.toString() : v);

/** PostgreSQL errors (SQLSTATE in `code`) as the store's SandiErrors; anything else unchanged. */
export function mapPgError(e: unknown): unknown {
  if (e instanceof SandiError || !(e instanceof Error)) return e;
  const code = (e as { code?: unknown }).code;
  if (typeof code !== 'string' || !/^[0-9A-Z]{5}$/.test(code)) return e;
  const detail = e.message;
  const m = /sandi:(\w+):(\w+)(?:\.(\w+))?/.exec(detail);
  if (m) return new SandiError('CONFLICT', `store.conflict.${m[1] ?? 'check'}`, { buku: m[2] ?? '-', id: '-', field: m[3] ?? '-' }, { cause: e });
  const x = e as { table?: string; column?: string; constraint?: string; detail?: string };
  if (code === '23505') {
    const col = /Key \(([^)]*)\)/.exec(x.detail ?? '')?.[1] ?? x.constraint ?? '-';
    return new SandiError('CONFLICT', 'store.conflict.unique', { buku: x.table ?? '-', id: '-', field: col }, { cause: e });
  }
  if (code === '23503') return new SandiError('CONFLICT', 'store.conflict.foreignKey', { buku: x.table ?? '-', id: '-' }, { cause: e });
  if (code.startsWith('23')) return new SandiError('CONFLICT', 'store.conflict.check', { buku: x.table ?? '-', id: '-', detail }, { cause: e });
  // the grants and step policies of the office roles (./roles.ts): this officer's group may not record it
  if (code === '42501') return new SandiError('PERMISSION', 'store.pgNotAllowed', { user: '-', groups: '-', reason: detail }, { cause: e });
  if (code === '40001' || code === '40P01' || code === '55P03') return new SandiError('TEMPFAIL', 'store.busy', { reason: detail }, { cause: e });
  return e;
}

/** Run one query, its errors mapped. */
export function query<R = Record<string, unknown>>(pg: PgSync, sql: string, params: readonly unknown[] = [], opts?: PgQueryOptions): { rows: R[]; rowCount: number } {
  try {
    return pg.query<R>(sql, params.map(param), opts);
  } catch (e) {
    throw mapPgError(e);
  }
}

/** Rows fetched per round trip by streamQuery (a page of a register is a few hundred kB at most). */
export const STREAM_PAGE = 1000;
let cursors = 0;

/**
 * The rows of one query as a stream: a server-side cursor fetched `page` rows at a time, so a list of 200,000
 * rows never sits in this process at once. The cursor is WITH HOLD: it works inside or outside a unit of work,
 * and other queries (and units of work) may run on the connection between two pages. While this thread works
 * on a page the connection's worker already fetches the next (PgQueryOptions.ahead: at most one page ahead).
 * The server keeps the result until the cursor is closed — when the rows are all read, or when the consumer
 * stops early (break, return(), an error: the generator's finally), else at the end of the session.
 * `opts`: PgQueryOptions' rowMode and transport, for every page.
 */
export function streamQuery<R = Record<string, unknown>>(pg: PgSync, sql: string, params?: readonly unknown[], page?: number): Generator<R>;
export function streamQuery(pg: PgSync, sql: string, params: readonly unknown[], page: number, opts: { rowMode: 'array'; transport?: 'json' }): Generator<unknown[]>;
export function* streamQuery(pg: PgSync, sql: string, params: readonly unknown[] = [], page = STREAM_PAGE, opts: Pick<PgQueryOptions, 'rowMode' | 'transport'> = {}): Generator<unknown> {
  if (!/^\s*(SELECT|WITH|VALUES)\b/i.test(sql)) {
    yield* query(pg, sql, params, opts).rows; // a statement that writes cannot be a cursor's query
    return;
  }
  const name = `sandi_cursor_${++cursors}`;
  const fetch = `FETCH FORWARD ${page} FROM ${name}`;
  query(pg, `DECLARE ${name} NO SCROLL CURSOR WITH HOLD FOR ${sql}`, params);
  try {
    for (;;) {
      const got = query(pg, fetch, [], { ...opts, ahead: page }).rows;
      for (const r of got) yield r;
      if (got.length < page) break;
    }
  } finally {
    if (!pg.closed) {
      try {
        query(pg, `CLOSE ${name}`, [], { forget: fetch });
      } catch {
        /* an aborted transaction closed it already */
      }
    }
  }
}

/** The statement interface over one connection; statements are only text here (the server caches plans). */
export function pgDb(pg: PgSync): PgDb {
  const cache = new Map<string, PgStatement>();
  const prepare = (sqlText: string): PgStatement => {
    const hit = cache.get(sqlText);
    if (hit) return hit;
    let sql = toPgSql(sqlText);
    const insert = /^\s*INSERT\s+INTO\s+(\w+)/i.exec(sql);
    const returnsId = insert !== null && ID_TABLES.has((insert[1] ?? '').toLowerCase()) && !/\bRETURNING\b/i.test(sql);
    if (returnsId) sql = `${sql.trimEnd().replace(/;$/, '')} RETURNING id`;
    const all = (...params: unknown[]): Record<string, unknown>[] => query<Record<string, unknown>>(pg, sql, params).rows.map(sqliteShaped);
    const st: PgStatement = {
      get: (...params) => all(...params)[0],
      all,
      run: (...params) => {
        const r = query<{ id?: number }>(pg, sql, params);
        return { changes: r.rowCount, lastInsertRowid: returnsId ? Number(r.rows[0]?.id ?? 0) : 0 };
      },
      // a list of a whole register streams (a server-side cursor, STREAM_PAGE rows a round trip)
      iterate: function* (...params) {
        for (const r of streamQuery<Record<string, unknown>>(pg, sql, params)) yield sqliteShaped(r);
      },
    };
    cache.set(sqlText, st);
    return st;
  };
  return { prepare, pg };
}
