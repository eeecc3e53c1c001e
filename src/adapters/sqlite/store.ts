/**
 * The SQLite store (better-sqlite3): one file, WAL, synchronous=FULL, foreign keys on, migrations on open.
 * Writes go through `write()` (BEGIN IMMEDIATE, so a number allocation never races another process) and
 * record an audit event in the same transaction.
 */
import Database, { type Db as DriverDb } from './driver.js';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { SandiError } from '../../errors.js';
import { migrations } from './migrations.js';
import { privateDatabaseFile } from '../private-modes.js';
import type { AuditRow } from '../../domain/audit.js';
import { appendAuditEvent, installChangeCapture, takeChangedRows } from './audit-binding.js';

export type Db = DriverDb;

export interface AuditEvent {
  actor: string;
  action: string;
  entity: string;
  entityId?: string | null;
  data?: unknown;
}

export interface Store {
  readonly db: Db;
  readonly path: string;
  /** Run fn in BEGIN IMMEDIATE; its audit events are chained and committed with it, or not at all. */
  write<T>(fn: (tx: WriteTx) => T): T;
  /** Audit rows in id order, streamed. */
  auditRows(): IterableIterator<AuditRow>;
  /** The highest audit id SQLite has ever issued (sqlite_sequence), or null if none: detects a cut-off tail. */
  auditHighestIssuedId(): number | null;
  close(): void;
}

export interface WriteTx {
  readonly db: Db;
  /**
   * Append one event to the hash-chained audit log; `at` comes from the caller's clock. The events of a
   * transaction are chained when its work is done, the last one carrying the hashes of every register row
   * the transaction changed (src/adapters/sqlite/audit-binding.ts).
   */
  audit(at: Date, event: AuditEvent): void;
  /** Next gapless number of a register for a year (1, 2, 3, ...). */
  nextNumber(buku: string, tahun: number): number;
}

const BUSY_TIMEOUT_MS = 10_000;

/** Run fn again after a short, growing sleep while SQLite answers SQLITE_BUSY, up to `budgetMs` in all. */
function retryWhileBusy<T>(fn: () => T, budgetMs: number): T {
  const deadline = Date.now() + budgetMs;
  const sleeper = new Int32Array(new SharedArrayBuffer(4));
  for (let pause = 2; ; pause = Math.min(pause * 2, 100)) {
    try {
      return fn();
    } catch (e) {
      const busy = e instanceof Database.SqliteError && e.code.startsWith('SQLITE_BUSY');
      if (!busy || Date.now() + pause > deadline) throw e;
      Atomics.wait(sleeper, 0, 0, pause + Math.random() * pause);
    }
  }
}

export const SCHEMA_VERSION = migrations.reduce((m, x) => Math.max(m, x.version), 0);

export function openStore(path: string, opts: { readonly?: boolean } = {}): Store {
  let db: Db;
  try {
    if (!opts.readonly) mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    privateDatabaseFile(path, !opts.readonly); // 0600 before SQLite makes it (or its -wal/-shm) with the umask's mode
    db = new Database(path, { readonly: opts.readonly ?? false, fileMustExist: opts.readonly ?? false });
  } catch (e) {
    throw new SandiError('IO', 'store.openFailed', { path, reason: (e as Error).message }, { cause: e });
  }
  try {
    db.pragma('foreign_keys = ON');
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    // Temporary tables (the audit binding's change capture) and statement journals in memory: in a file
    // (SQLite's default, an unnamed file in /var/tmp) they were 8,900 of the 14,000 page writes of a
    // 1,000-message fetch (issue 16). They hold a few rows per transaction.
    db.pragma('temp_store = MEMORY');
    if (!opts.readonly) {
      // Switching a fresh file to WAL upgrades a read transaction to a write one, and SQLite does not call the
      // busy handler for that upgrade (it could deadlock): a second process creating the same database at
      // the same moment gets SQLITE_BUSY at once. Retry that step for as long as busy_timeout would wait.
      retryWhileBusy(() => db.pragma('journal_mode = WAL'), BUSY_TIMEOUT_MS);
      db.pragma('synchronous = FULL');
      migrate(db, path);
    }
  } catch (e) {
    db.close();
    if (e instanceof SandiError) throw e;
    if (e instanceof Database.SqliteError && e.code.startsWith('SQLITE_BUSY')) throw mapSqliteError(e); // TEMPFAIL: try again
    throw new SandiError('IO', 'store.openFailed', { path, reason: (e as Error).message }, { cause: e });
  }

  if (!opts.readonly) {
    try {
      installChangeCapture(db);
    } catch (e) {
      db.close();
      throw mapSqliteError(e);
    }
  }
  const getSeq = db.prepare<[string, number], { terakhir: number }>('SELECT terakhir FROM nomor_urut WHERE buku = ? AND tahun = ?');
  const insertSeq = db.prepare('INSERT INTO nomor_urut (buku, tahun, terakhir) VALUES (?, ?, 1)');
  const bumpSeq = db.prepare('UPDATE nomor_urut SET terakhir = terakhir + 1 WHERE buku = ? AND tahun = ?');

  // Events of the running (outermost) write, chained at its end so that the last one can carry the settled
  // hashes of every row the write changed.
  let pending: { at: Date; event: AuditEvent }[] = [];
  let depth = 0;
  const flush = (): void => {
    const rows = takeChangedRows(db);
    const events = pending;
    pending = [];
    if (events.length === 0 && rows.length === 0) return;
    // rows changed with no event of their own (a write outside write(), or a step that records none): bound
    // under an event that says so, never silently
    if (events.length === 0) events.push({ at: new Date(), event: { actor: 'sandi', action: 'audit.baris', entity: 'audit_log', data: {} } });
    events.forEach((e, i) => appendAuditEvent(db, e.at, e.event, i === events.length - 1 ? rows : null));
  };

  const tx: WriteTx = {
    db,
    audit(at, event) {
      pending.push({ at, event });
    },
    nextNumber(buku, tahun) {
      const row = getSeq.get(buku, tahun);
      if (!row) {
        insertSeq.run(buku, tahun);
        return 1;
      }
      bumpSeq.run(buku, tahun);
      return row.terakhir + 1;
    },
  };

  // a database opened read-only may predate migration 8
  const hasRowsColumn = db.prepare<[], { n: number }>("SELECT count(*) AS n FROM pragma_table_info('audit_log') WHERE name = 'rows'").get()?.n === 1;

  return {
    db,
    path,
    write<T>(fn: (t: WriteTx) => T): T {
      const outer = depth === 0;
      try {
        return db
          .transaction((t: WriteTx) => {
            depth++;
            try {
              const result = fn(t);
              if (outer) flush();
              return result;
            } finally {
              depth--;
            }
          })
          .immediate(tx);
      } catch (e) {
        if (outer) pending = [];
        throw mapSqliteError(e);
      }
    },
    *auditRows() {
      const it = db
        .prepare<[], { id: number; at: string; actor: string; action: string; entity: string; entity_id: string | null; data: string; prev_hash: string; hash: string; rows: string | null }>(
          `SELECT id, at, actor, action, entity, entity_id, data, prev_hash, hash, ${hasRowsColumn ? 'rows' : 'NULL AS rows'} FROM audit_log ORDER BY id`,
        )
        .iterate();
      for (const r of it) {
        yield { id: r.id, at: r.at, actor: r.actor, action: r.action, entity: r.entity, entityId: r.entity_id, data: r.data, prevHash: r.prev_hash, hash: r.hash, rows: r.rows };
      }
    },
    auditHighestIssuedId() {
      try {
        const r = db.prepare<[], { seq: number }>("SELECT seq FROM sqlite_sequence WHERE name = 'audit_log'").get();
        return r?.seq ?? null;
      } catch {
        return null; // a database without sqlite_sequence has never issued an AUTOINCREMENT id
      }
    },
    close() {
      // rows changed outside write() since the last write are bound before the connection goes
      try {
        if (!opts.readonly && db.open) db.transaction(flush).immediate();
      } catch {
        /* best effort: `audit periksa` reports such rows as unrecorded */
      }
      db.close();
    },
  };
}

/**
 * Map a better-sqlite3 error into a SandiError: the register triggers raise 'sandi:<kind>:<table>[.<column>]',
 * which becomes CONFLICT 'store.conflict.<kind>'; UNIQUE/CHECK/FOREIGN KEY failures become CONFLICT too;
 * a busy database is TEMPFAIL (try again). SandiErrors and other errors pass through unchanged.
 */
export function mapSqliteError(e: unknown, context: { buku?: string; id?: number | string } = {}): unknown {
  if (!(e instanceof Database.SqliteError)) return e;
  const code = e.code;
  const id = context.id === undefined ? '-' : String(context.id);
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
    return new SandiError('TEMPFAIL', 'store.busy', { reason: e.message }, { cause: e });
  }
  if (code.startsWith('SQLITE_CONSTRAINT')) {
    const m = /sandi:(\w+):(\w+)(?:\.(\w+))?/.exec(e.message);
    if (m) {
      return new SandiError('CONFLICT', `store.conflict.${m[1] ?? 'check'}`, { buku: m[2] ?? context.buku ?? '-', id, field: m[3] ?? '-' }, { cause: e });
    }
    const u = /UNIQUE constraint failed: (\w+)\.(\w+)/.exec(e.message);
    if (u) return new SandiError('CONFLICT', 'store.conflict.unique', { buku: u[1] ?? '-', id, field: u[2] ?? '-' }, { cause: e });
    if (code === 'SQLITE_CONSTRAINT_FOREIGNKEY') {
      return new SandiError('CONFLICT', 'store.conflict.foreignKey', { buku: context.buku ?? '-', id }, { cause: e });
    }
    return new SandiError('CONFLICT', 'store.conflict.check', { buku: context.buku ?? '-', id, detail: e.message }, { cause: e });
  }
  if (code.startsWith('SQLITE_READONLY')) {
    return new SandiError('IO', 'store.readonly', { reason: e.message }, { cause: e });
  }
  if (code.startsWith('SQLITE_FULL') || code.startsWith('SQLITE_IOERR')) {
    return new SandiError('IO', 'store.ioFailed', { reason: e.message }, { cause: e });
  }
  return e;
}

function migrate(db: Db, path: string): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > SCHEMA_VERSION) {
    throw new SandiError('CONFIG', 'store.tooNew', { path, found: current, supported: SCHEMA_VERSION });
  }
  // Applied in version order whatever the array order, so a migration listed late is never skipped.
  for (const m of [...migrations].sort((a, b) => a.version - b.version)) {
    if (m.version <= current) continue;
    // Re-read the version under the write lock: another process may have migrated meanwhile.
    db.transaction(() => {
      const now = db.pragma('user_version', { simple: true }) as number;
      if (m.version <= now) return;
      db.exec(m.sql);
      m.run?.(db);
      db.pragma(`user_version = ${m.version}`);
    }).immediate();
  }
}
