/**
 * Prepared statements cached per connection (keyed by the connection object, so a closed database's
 * statements go with it). Compiling a statement costs more than running most of the register's one-row
 * statements: `terima` runs several per message (issue 16). Works for the PostgreSQL statement shim too
 * (../postgres/sql.ts), whose `prepare` is only text. Never for a statement that is iterated: one being
 * iterated is busy until its iterator ends.
 */
import type Database from 'better-sqlite3';

/** Anything with better-sqlite3's `prepare(sql)`. */
interface Preparer {
  prepare(sql: string): unknown;
}

const cache = new WeakMap<Preparer, Map<string, unknown>>();

/** `db.prepare(sql)`, compiled once per connection. */
export function stmt<P extends unknown[] | object = unknown[], R = unknown>(db: Preparer, sql: string): Database.Statement<P, R> {
  let m = cache.get(db);
  if (!m) {
    m = new Map();
    cache.set(db, m);
  }
  let s = m.get(sql);
  if (s === undefined) {
    s = db.prepare(sql);
    m.set(sql, s);
  }
  return s as Database.Statement<P, R>;
}
