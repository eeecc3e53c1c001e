/**
 * The office database on PostgreSQL as a store with the SQLite store's shape (../sqlite/store.ts Store):
 * `write(fn)` is one transaction whose register rows, numbers and audit events commit together or not at all.
 *
 * - Units of work that write are serialised, as the register port asks (SQLite: BEGIN IMMEDIATE): each takes
 *   a transaction-scoped advisory lock first, held until its commit or rollback, so a unit reads what every
 *   unit before it committed (READ COMMITTED: each statement sees what committed before it) and its checks
 *   (the state a row is in, whether it has a number) still hold when it writes, whichever workstation runs it.
 * - Numbers: the counter row of (buku, tahun) moved by `UPDATE … RETURNING` inside the unit (the year's first
 *   number inserts the row); a rollback gives the number back (never a sequence: a rolled back sequence value
 *   would be a gap). The row lock would serialise numbering even without the unit lock.
 * - The audit chain: the unit's events are appended at its end under the same lock, the head read after it, so
 *   writers from any number of workstations make one chain; the server's audit_log_chain trigger refuses an
 *   event that does not continue the head (a writer outside sandi included), and records session_user.
 * - The audit binding: the rows the unit changed (noted by ./schema.ts's triggers in this session's TEMP table)
 *   are hashed as they stand at the end and carried by the unit's last event, as on SQLite.
 */
import { SandiError } from '../../errors.js';
import { rowHash, type AuditRow, type RowBinding } from '../../domain/audit.js';
import { appendAuditEvent } from '../sqlite/audit-binding.js';
import type { AuditEvent, Db, Store, WriteTx } from '../sqlite/store.js';
import { checkSchemaName, PG_SCHEMA_VERSION, ROWID_COLUMN } from './schema.js';
import { pgSchemaVersion } from './migrate.js';
import { withOfficerGroups } from './roles.js';
import { mapPgError, pgDb, query, sqliteShaped, streamQuery, type PgDb, type PgSync } from './sql.js';

/** The advisory lock key of a writing unit of work and of the audit chain ('sandi' + 'a'). */
const UNIT_LOCK = 0x73616e64690061;

/**
 * Work another adapter of this connection adds to each unit of work (the archive's pending names, ./arsip.ts):
 * `begin` runs right after BEGIN and the unit lock, inside the unit's transaction (a throw rolls the unit back);
 * `end` after the commit (true) or the rollback (false).
 */
export interface PgUnitHook {
  begin(): void;
  end(committed: boolean): void;
}

export interface PgStore extends Store {
  readonly pg: PgSync;
  readonly schema: string;
  /** Run `hook` in every later unit of work of this store. */
  addUnitHook(hook: PgUnitHook): void;
  /** True while a unit of work (`write(fn)`) is open on this connection. */
  inUnit(): boolean;
}

/** The register code is written against better-sqlite3's Db; PgDb offers the part of it that code uses. */
const asDb = (d: PgDb): Db => d as unknown as Db;

/**
 * Open the office schema on a connection. The schema must be at this sandi's version (the owner migrates it:
 * ./migrate.ts); an officer's connection never changes the schema.
 */
export function openPgStore(pg: PgSync, opts: { schema?: string; path?: string } = {}): PgStore {
  const schema = checkSchemaName(opts.schema ?? 'sandi');
  const version = pgSchemaVersion(pg, schema);
  if (version > PG_SCHEMA_VERSION) throw new SandiError('CONFIG', 'store.tooNew', { path: schema, found: version, supported: PG_SCHEMA_VERSION });
  if (version < PG_SCHEMA_VERSION) throw new SandiError('CONFIG', 'store.pgNotMigrated', { schema, found: version, supported: PG_SCHEMA_VERSION });
  query(pg, `SET search_path TO ${schema}`);
  query(pg, 'CREATE TEMP TABLE IF NOT EXISTS sandi_changed (tbl text NOT NULL, rid bigint NOT NULL, PRIMARY KEY (tbl, rid))');
  const d = pgDb(pg);
  const db = asDb(d);

  let pending: { at: Date; event: AuditEvent }[] = [];
  const hooks: PgUnitHook[] = [];
  let depth = 0;
  let savepoint = 0;

  const takeChangedRows = (): RowBinding[] => {
    const changed = query<{ tbl: string; rid: string | number }>(pg, 'DELETE FROM pg_temp.sandi_changed RETURNING tbl, rid').rows
      .map((r) => ({ tbl: r.tbl, rid: Number(r.rid) }))
      .sort((a, b) => (a.tbl < b.tbl ? -1 : a.tbl > b.tbl ? 1 : a.rid - b.rid));
    return changed.map(({ tbl, rid }) => {
      const col = ROWID_COLUMN[tbl] ?? 'id';
      const row = d.prepare(`SELECT * FROM ${tbl} WHERE ${col} = ?`).get(rid);
      return [tbl, rid, row === undefined ? null : rowHash(tbl, rid, row)];
    });
  };

  const flush = (): void => {
    const rows = takeChangedRows();
    const events = pending;
    pending = [];
    if (events.length === 0 && rows.length === 0) return;
    if (events.length === 0) events.push({ at: new Date(), event: { actor: 'sandi', action: 'audit.baris', entity: 'audit_log', data: {} } });
    query(pg, 'SELECT pg_advisory_xact_lock($1)', [UNIT_LOCK]); // already held inside write(); close() needs it
    events.forEach((e, i) => appendAuditEvent(db, e.at, e.event, i === events.length - 1 ? rows : null));
  };

  const tx: WriteTx = {
    db,
    audit(at, event) {
      pending.push({ at, event });
    },
    nextNumber(buku, tahun) {
      // UPDATE first: the row lock serialises this book's numbering until commit. The first number of a year
      // inserts the row; a concurrent first insert loses (ON CONFLICT DO NOTHING) and updates instead. Not an
      // upsert: its INSERT would draw a sandi_rowid each time and the row ids would drift from SQLite's.
      for (;;) {
        const up = query<{ terakhir: number }>(pg, 'UPDATE nomor_urut SET terakhir = terakhir + 1 WHERE buku = $1 AND tahun = $2 RETURNING terakhir', [buku, tahun]);
        if (up.rows[0] !== undefined) return Number(up.rows[0].terakhir);
        const ins = query<{ terakhir: number }>(pg, 'INSERT INTO nomor_urut (buku, tahun, terakhir) VALUES ($1, $2, 1) ON CONFLICT DO NOTHING RETURNING terakhir', [buku, tahun]);
        if (ins.rows[0] !== undefined) return 1;
      }
    },
  };

  const inTransaction = <T>(fn: () => T): T => {
    try {
      return pg.transaction(fn);
    } catch (e) {
      throw mapPgError(e);
    }
  };

  return {
    db,
    pg,
    schema,
    path: opts.path ?? schema,
    addUnitHook(hook) {
      hooks.push(hook);
    },
    inUnit: () => depth > 0,
    write<T>(fn: (t: WriteTx) => T): T {
      if (depth > 0) {
        // a unit inside a unit: a savepoint, as better-sqlite3 nests transactions
        const name = `sandi_${++savepoint}`;
        query(pg, `SAVEPOINT ${name}`);
        depth++;
        try {
          const result = fn(tx);
          query(pg, `RELEASE SAVEPOINT ${name}`);
          return result;
        } catch (e) {
          query(pg, `ROLLBACK TO SAVEPOINT ${name}`);
          throw mapPgError(e);
        } finally {
          depth--;
        }
      }
      let begun = 0;
      try {
        const result = inTransaction(() => {
          query(pg, 'SELECT pg_advisory_xact_lock($1)', [UNIT_LOCK]);
          depth++;
          try {
            for (const h of hooks) {
              begun++;
              h.begin();
            }
            const r = fn(tx);
            flush();
            return r;
          } finally {
            depth--;
          }
        });
        for (const h of hooks) h.end(true);
        return result;
      } catch (e) {
        for (const h of hooks.slice(0, begun)) h.end(false);
        pending = [];
        // after the rollback: a refusal names this officer's role and actual groups (./roles.ts)
        throw withOfficerGroups(mapPgError(e), pg);
      }
    },
    *auditRows() {
      const rows = streamQuery<{ id: number; at: string; actor: string; action: string; entity: string; entity_id: string | null; data: string; prev_hash: string; hash: string; rows: string | null }>(
        pg,
        'SELECT id, at, actor, action, entity, entity_id, data, prev_hash, hash, rows FROM audit_log ORDER BY id',
      );
      for (const r of rows) {
        yield { id: r.id, at: r.at, actor: r.actor, action: r.action, entity: r.entity, entityId: r.entity_id, data: r.data, prevHash: r.prev_hash, hash: r.hash, rows: r.rows } satisfies AuditRow;
      }
    },
    auditHighestIssuedId() {
      const id = query<{ id: number }>(pg, 'SELECT id FROM audit_kepala').rows[0]?.id ?? 0;
      return id > 0 ? id : null;
    },
    close() {
      try {
        inTransaction(flush);
      } catch {
        /* best effort, as on SQLite: `audit periksa` reports such rows as unrecorded */
      }
      pg.close();
    },
  };
}

/** Every row of a bound table with its content hash, in row id order (as ../sqlite/audit-binding.ts hashedRows). */
export function* pgHashedRows(store: PgStore, table: string): Generator<{ rowid: number; hash: string }> {
  const col = ROWID_COLUMN[table];
  if (col === undefined) return;
  for (const r of streamQuery<Record<string, unknown>>(store.pg, `SELECT * FROM ${table} ORDER BY ${col}`)) {
    const rowid = Number(r[col]);
    yield { rowid, hash: rowHash(table, rowid, sqliteShaped(r)) };
  }
}

/** The database roles that wrote each audit event (session_user), by event id. */
export function auditDbUsers(store: PgStore): Map<number, string> {
  return new Map(query<{ id: number; db_user: string }>(store.pg, 'SELECT id, db_user FROM audit_log ORDER BY id').rows.map((r) => [r.id, r.db_user]));
}
