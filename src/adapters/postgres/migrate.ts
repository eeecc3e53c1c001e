/**
 * Applying the PostgreSQL migrations (./schema.ts): each in one transaction, recorded in schema_version.
 * Runs as the schema's owner role (`sandi init --db URL` as the owner), never as an officer's role. Two
 * workstations migrating at the same moment are serialised by a transaction-scoped advisory lock; the version
 * is read again under it.
 */
import { SandiError } from '../../errors.js';
import { checkSchemaName, pgMigrations, PG_SCHEMA_VERSION } from './schema.js';
import { grantsSql, OFFICE_GROUPS, groupRole } from './roles.js';
import { mapPgError, type PgSync } from './sql.js';

/** The advisory lock key of the migrations (any fixed 64-bit number; 'sandi' + 'm'). */
const MIGRATION_LOCK = 0x73616e6469006d;


/** The schema version the database has reached (0: none yet). */
export function pgSchemaVersion(pg: PgSync, schema: string): number {
  const t = pg.query<{ t: string | null }>('SELECT to_regclass($1) AS t', [`${checkSchemaName(schema)}.schema_version`]).rows[0]?.t ?? null;
  if (t === null) return 0;
  return Number(pg.query<{ v: number | string | null }>(`SELECT max(version) AS v FROM ${schema}.schema_version`).rows[0]?.v ?? 0);
}

/**
 * Bring `schema` to the newest version; refuses a database newer than this sandi, and a role that may not
 * change the schema (an officer's: PERMISSION, say who should run it). When the office's group roles exist
 * (./roles.ts, `sandi db peran`) and this role owns the schema, their grants are (re)applied, in a transaction
 * of their own after the migrations. An officer's connection on an up-to-date schema changes nothing.
 * Returns the version reached.
 */
export function migratePg(pg: PgSync, schema = 'sandi', opts: { rolePrefix?: string } = {}): number {
  checkSchemaName(schema);
  const found = pgSchemaVersion(pg, schema);
  if (found > PG_SCHEMA_VERSION) throw new SandiError('CONFIG', 'store.tooNew', { path: schema, found, supported: PG_SCHEMA_VERSION });
  for (const m of [...pgMigrations].sort((a, b) => a.version - b.version)) {
    if (m.version <= found) continue;
    try {
      pg.transaction(() => {
        pg.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
        pg.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
        pg.query(`SET LOCAL search_path TO ${schema}`);
        pg.query(`CREATE TABLE IF NOT EXISTS schema_version (version integer PRIMARY KEY, name text NOT NULL, applied_at text NOT NULL)`);
        if (pgSchemaVersion(pg, schema) >= m.version) return;
        pg.query(m.sql.replaceAll('@SCHEMA@', schema));
        pg.query('INSERT INTO schema_version (version, name, applied_at) VALUES ($1, $2, $3)', [m.version, m.name, new Date().toISOString()]);
      });
    } catch (e) {
      if ((e as { code?: unknown }).code === '42501') {
        throw new SandiError('PERMISSION', 'store.pgMigrateNotOwner', { schema, found, supported: PG_SCHEMA_VERSION, reason: (e as Error).message }, { cause: e });
      }
      throw mapPgError(e);
    }
  }
  const owns = pg.query<{ owns: boolean }>(
    "SELECT pg_has_role(current_user, nspowner, 'USAGE') AS owns FROM pg_namespace WHERE nspname = $1",
    [schema],
  ).rows[0]?.owns === true;
  const prefix = opts.rolePrefix ?? 'sandi';
  const roles = OFFICE_GROUPS.map((g) => groupRole(g, prefix));
  const have = Number(pg.query<{ n: number | string }>('SELECT count(*) AS n FROM pg_roles WHERE rolname = ANY($1)', [roles]).rows[0]?.n ?? 0);
  if (owns && have === roles.length) pg.transaction(() => pg.query(grantsSql({ prefix, schema })));
  return Math.max(found, PG_SCHEMA_VERSION);
}
