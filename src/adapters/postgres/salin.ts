/**
 * `sandi db salin`: copying a home's SQLite office into an EMPTY PostgreSQL office schema, in one transaction,
 * and comparing the two before that transaction commits (issue 15 §4).
 *
 * - Every table of the PostgreSQL schema (./schema.ts) except schema_version and the chain head audit_kepala is
 *   copied from the SQLite table of the same name, row by row in row id order, ids kept: `id` as it is, the
 *   SQLite rowid into `sandi_rowid` (the row id the audit chain binds). The identity sequences are then moved
 *   past the highest id (and past SQLite's sqlite_sequence), the chain head set to the last event.
 * - The append-only guards would refuse the copy: a register row may only be inserted in its first state, a
 *   step only while its letter is in the state the step needs, an audit event only by the chain trigger. The
 *   copy disables the user triggers of the tables (ALTER TABLE … DISABLE TRIGGER USER, which only the tables'
 *   owner may do) INSIDE the copy transaction and enables them again before it commits. ALTER TABLE is
 *   transactional and holds an ACCESS EXCLUSIVE lock until the end of the transaction: no other session ever
 *   sees a table without its guards — it waits — and a rollback (any failure, the client killed) restores them.
 *   Constraints (CHECK, UNIQUE, foreign keys: internal triggers, not USER ones) stay in force during the copy.
 *   Nothing in the schema gains a bypass that outlives the copy (no setting the guards would honour later).
 * - The comparison runs in the same transaction, after the guards are back: the same row count per table, the
 *   same content hash of every bound row (../../domain/audit.ts rowHash, as `audit periksa` computes it), the
 *   same audit events (id and hash) and chain head. Any difference rolls everything back.
 * FTS5 search tables (SQLite only, agenda cari) are not copied: PostgreSQL has no search index yet. The
 * archive files are copied before, through the archive port (src/app/salin.ts), not by this transaction.
 */
import { SandiError } from '../../errors.js';
import type { Db } from '../sqlite/store.js';
import { boundTablesIn, hashedRows } from '../sqlite/audit-binding.js';
import type { AuditView } from '../../ports/audit.js';
import { ROWID_COLUMN } from './schema.js';
import { ARSIP_TABLES } from './arsip-schema.js';
import { query, sqliteShaped, type PgSync } from './sql.js';
import { pgHashedRows, type PgStore } from './store.js';

/** The tables copied, in an order that respects the foreign keys (keys before the address book, letters before their steps). */
export const SALIN_TABLES: readonly string[] = ['audit_log', ...Object.keys(ROWID_COLUMN)];
/**
 * Tables of the PostgreSQL schema that are not copied here: its own version table, the chain head (set from
 * the log), the office archive's tables (./arsip-schema.ts), which `db salin` fills through the archive
 * port before this copy, name by name (src/app/salin.ts), and the lock rows of kirim's claims (./claim.ts: no
 * office data, made on demand).
 */
const NOT_COPIED = new Set<string>(['schema_version', 'audit_kepala', 'kirim_klaim', ...ARSIP_TABLES]);
/** The writers' advisory lock of ./store.ts: no sandi unit of work writes while the copy runs. */
const UNIT_LOCK = 0x73616e64690061;
/** One `db salin` at a time into a database ('sandi' + 's'), held by the session for the whole run. */
const SALIN_LOCK = 0x73616e64690073;
/** PostgreSQL takes at most 65535 parameters per statement. */
const MAX_PARAMS = 30_000;

export interface SalinCounts {
  /** rows copied per table */
  tables: Record<string, number>;
  /** the chain head after the copy (null: no event) */
  head: { id: number; hash: string } | null;
}

/** Columns of a table of the office schema, in order. */
function pgColumns(pg: PgSync, schema: string, table: string): { name: string; identity: boolean }[] {
  return query<{ column_name: string; is_identity: string }>(
    pg,
    'SELECT column_name, is_identity FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2 ORDER BY ordinal_position',
    [schema, table],
  ).rows.map((r) => ({ name: r.column_name, identity: r.is_identity === 'YES' }));
}

/** Row counts of every table of the office schema that holds office data (schema_version and the head aside). */
export function pgRowCounts(pg: PgSync, schema: string): Record<string, number> {
  const tables = query<{ t: string }>(pg, "SELECT table_name AS t FROM information_schema.tables WHERE table_schema = $1 AND table_type = 'BASE TABLE' ORDER BY 1", [schema]).rows.map((r) => r.t);
  const out: Record<string, number> = {};
  for (const t of tables) {
    if (NOT_COPIED.has(t)) continue;
    out[t] = Number(query<{ n: number | string }>(pg, `SELECT count(*) AS n FROM ${schema}.${t}`).rows[0]?.n ?? 0);
  }
  return out;
}

/**
 * Whether the connected role owns the office schema and may alter its tables (owns them, or is a member of the
 * owning role): null when the schema does not exist yet. Reads only the catalogs, which every role may read.
 */
export function pgOwnsSchema(pg: PgSync, schema: string): boolean | null {
  const r = query<{ owns: boolean; tables: boolean | null }>(
    pg,
    `SELECT pg_has_role(current_user, n.nspowner, 'USAGE') AS owns,
            (SELECT bool_and(pg_has_role(current_user, c.relowner, 'USAGE')) FROM pg_class c WHERE c.relnamespace = n.oid AND c.relkind = 'r') AS tables
       FROM pg_namespace n WHERE n.nspname = $1`,
    [schema],
  ).rows[0];
  if (r === undefined) return null;
  return r.owns && r.tables !== false;
}

/** Wait until no other `db salin` runs into this database, and keep it so until the connection closes. */
export function lockSalin(pg: PgSync): void {
  query(pg, 'SELECT pg_advisory_lock($1)', [SALIN_LOCK]);
}

/**
 * The register tables of the office schema that hold rows, as "table (n)", and 'audit_kepala' when the chain
 * has a head: empty when no office is there yet. The archive's tables do not count (see NOT_COPIED).
 */
export function pgOfficeFilled(pg: PgSync, schema: string): string[] {
  const filled = Object.entries(pgRowCounts(pg, schema)).filter(([, n]) => n > 0).map(([t, n]) => `${t} (${n})`);
  const head = Number(query<{ id: number }>(pg, `SELECT id FROM ${schema}.audit_kepala`).rows[0]?.id ?? 0);
  return head !== 0 && filled.length === 0 ? ['audit_kepala'] : filled;
}

const setTriggers = (pg: PgSync, schema: string, tables: readonly string[], on: boolean): void => {
  for (const t of tables) query(pg, `ALTER TABLE ${schema}.${t} ${on ? 'ENABLE' : 'DISABLE'} TRIGGER USER`);
};

/**
 * Copy the SQLite office `src` into `schema` on `pg`. Runs inside the caller's open transaction (the caller
 * commits after comparing, or rolls back): refuses (DATA, db.salin.notEmpty) a target with any row.
 */
export function copyOffice(src: Db, pg: PgSync, schema: string, opts: { batch?: number } = {}): SalinCounts {
  query(pg, 'SELECT pg_advisory_xact_lock($1)', [UNIT_LOCK]);
  const all = [...SALIN_TABLES, 'audit_kepala'];
  // lock first, then look: a workstation writing now waits for the copy, and cannot slip a row in after the check
  query(pg, `LOCK TABLE ${all.map((t) => `${schema}.${t}`).join(', ')} IN ACCESS EXCLUSIVE MODE`);
  const extra = Object.keys(pgRowCounts(pg, schema)).filter((t) => !SALIN_TABLES.includes(t));
  if (extra.length > 0) throw new Error(`db salin: the PostgreSQL schema has tables this copy does not know: ${extra.join(', ')}`);
  const filled = pgOfficeFilled(pg, schema);
  if (filled.length > 0) throw new SandiError('DATA', 'db.salin.notEmpty', { schema, tables: filled.join(', ') }, { hint: 'db.salin.notEmpty.hint' });
  const srcTables = new Set(src.prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'table'").all().map((r) => r.name));
  const missing = SALIN_TABLES.filter((t) => !srcTables.has(t));
  if (missing.length > 0) throw new SandiError('DATA', 'db.salin.sourceSchema', { tables: missing.join(', ') });
  const seqs = new Map(src.prepare<[], { name: string; seq: number }>('SELECT name, seq FROM sqlite_sequence').all().map((r) => [r.name, Number(r.seq)]));

  setTriggers(pg, schema, all, false);
  const tables: Record<string, number> = {};
  for (const t of SALIN_TABLES) {
    const cols = pgColumns(pg, schema, t);
    const srcCols = src.prepare<[], { name: string }>(`SELECT name FROM pragma_table_info('${t}')`).all().map((r) => r.name);
    const unknown = srcCols.filter((c) => !cols.some((p) => p.name === c));
    if (unknown.length > 0) throw new SandiError('DATA', 'db.salin.sourceSchema', { tables: `${t}: ${unknown.join(', ')}` });
    const rowidCol = cols.some((c) => c.name === 'sandi_rowid') ? 'sandi_rowid' : null;
    const names = [...srcCols, ...(rowidCol === null ? [] : [rowidCol])];
    const per = Math.max(1, Math.min(opts.batch ?? 500, Math.floor(MAX_PARAMS / names.length)));
    const colSql = names.map((c) => `"${c}"`).join(', ');
    const select = src.prepare<[], Record<string, unknown>>(`SELECT ${srcCols.map((c) => `"${c}"`).join(', ')}${rowidCol === null ? '' : ', rowid AS sandi_rowid'} FROM main."${t}" ORDER BY rowid`);
    let batch: unknown[][] = [];
    let n = 0;
    const flush = (): void => {
      if (batch.length === 0) return;
      const params: unknown[] = [];
      const values = batch.map((row) => `(${row.map((v) => (params.push(v), `$${params.length}`)).join(', ')})`);
      query(pg, `INSERT INTO ${schema}.${t} (${colSql}) VALUES ${values.join(', ')}`, params);
      n += batch.length;
      batch = [];
    };
    for (const r of select.iterate()) {
      batch.push(names.map((c) => r[c] ?? null));
      if (batch.length >= per) flush();
    }
    flush();
    tables[t] = n;
    // identities past the highest id kept, and past SQLite's AUTOINCREMENT high-water mark
    for (const c of cols.filter((x) => x.identity)) {
      const max = Number(query<{ m: number | null }>(pg, `SELECT max(${c.name}) AS m FROM ${schema}.${t}`).rows[0]?.m ?? 0);
      const to = Math.max(max, c.name === 'id' ? (seqs.get(t) ?? 0) : 0);
      if (to > 0) query(pg, `SELECT setval(pg_get_serial_sequence($1, $2), $3, true)`, [`${schema}.${t}`, c.name, to]);
    }
  }
  const last = query<{ id: number; hash: string }>(pg, `SELECT id, hash FROM ${schema}.audit_log ORDER BY id DESC LIMIT 1`).rows[0];
  if (last !== undefined) query(pg, `UPDATE ${schema}.audit_kepala SET id = $1, hash = $2 WHERE satu`, [last.id, last.hash]);
  setTriggers(pg, schema, all, true);
  return { tables, head: last === undefined ? null : { id: last.id, hash: last.hash } };
}

export interface SalinDifference {
  table: string;
  what: 'count' | 'row' | 'event' | 'head';
  detail: string;
}

/**
 * Compare the copy with its source: row counts per table, every bound row's content hash, every audit event's
 * id and hash, the chain head. Returns the differences (at most `limit`), none when the copy is faithful.
 */
export function compareOffices(src: Db, store: PgStore, limit = 20): SalinDifference[] {
  const out: SalinDifference[] = [];
  const add = (d: SalinDifference): boolean => (out.push(d), out.length >= limit);
  const counts = pgRowCounts(store.pg, store.schema);
  for (const t of SALIN_TABLES) {
    const a = Number(src.prepare<[], { n: number }>(`SELECT count(*) AS n FROM main."${t}"`).get()?.n ?? 0);
    if (a !== counts[t] && add({ table: t, what: 'count', detail: `${a} ≠ ${String(counts[t])}` })) return out;
  }
  for (const t of boundTablesIn(src)) {
    const b = pgHashedRows(store, t)[Symbol.iterator]();
    for (const a of hashedRows(src, t)) {
      const x = b.next();
      if (x.done === true || x.value.rowid !== a.rowid || x.value.hash !== a.hash) {
        if (add({ table: t, what: 'row', detail: `rowid ${a.rowid}` })) return out;
        break;
      }
    }
  }
  const pgEvents = store.auditRows()[Symbol.iterator]();
  for (const e of src.prepare<[], { id: number; hash: string }>('SELECT id, hash FROM audit_log ORDER BY id').iterate()) {
    const x = pgEvents.next();
    if (x.done === true || x.value.id !== e.id || x.value.hash !== e.hash) {
      if (add({ table: 'audit_log', what: 'event', detail: `id ${e.id}` })) return out;
      break;
    }
  }
  const sh = src.prepare<[], { id: number; hash: string }>('SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1').get();
  const ph = query<{ id: number; hash: string }>(store.pg, `SELECT id, hash FROM ${store.schema}.audit_kepala`).rows[0];
  if ((sh?.id ?? 0) !== (ph?.id ?? 0) || (sh !== undefined && sh.hash !== ph?.hash)) add({ table: 'audit_kepala', what: 'head', detail: `${sh?.id ?? 0} ≠ ${ph?.id ?? 0}` });
  return out;
}

/** The audit service's view (src/ports/audit.ts) of an office schema on PostgreSQL, over an open store. */
export function pgAuditView(store: PgStore): AuditView {
  const one = <R>(sql: string, params: unknown[] = []): R | undefined => query<R>(store.pg, sql, params).rows[0];
  return {
    hasLog: () => one<{ t: string | null }>('SELECT to_regclass($1) AS t', [`${store.schema}.audit_log`])?.t != null,
    archiveFingerprints: () => query<{ fingerprint: string }>(store.pg, "SELECT fingerprint FROM kunci WHERE role = 'arsip'").rows.map((r) => r.fingerprint),
    signingArchiveKey() {
      const r = one<{ fingerprint: string; user_id: string }>("SELECT fingerprint, user_id FROM kunci WHERE role = 'arsip' AND revoked_at IS NULL AND has_secret = 1 ORDER BY added_at DESC LIMIT 1");
      return r === undefined ? undefined : { fingerprint: r.fingerprint, userId: r.user_id };
    },
    head: () => one<{ id: number; hash: string }>('SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1'),
    segmentFrom: (id) => query<{ id: number; hash: string; prevHash: string }>(store.pg, 'SELECT id, hash, prev_hash AS "prevHash" FROM audit_log WHERE id >= $1 ORDER BY id', [id]).rows,
    rows: () => store.auditRows(),
    highestIssuedId: () => store.auditHighestIssuedId(),
    boundTables: () => Object.keys(ROWID_COLUMN),
    hashedRows: (table) => pgHashedRows(store, table),
    describeRow(table, rowid) {
      const col = ROWID_COLUMN[table] ?? 'id';
      const r = one<Record<string, unknown>>(`SELECT * FROM ${table} WHERE ${col} = $1`, [rowid]);
      if (r === undefined) return `rowid=${rowid}`;
      const shaped = sqliteShaped(r);
      const nomor = shaped['nomor'];
      return typeof nomor === 'string' ? `${col}=${rowid} nomor=${nomor}` : `${col}=${rowid}`;
    },
    searchIndexMismatches: () => [],
    close: () => undefined,
  };
}
