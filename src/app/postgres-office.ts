/**
 * The PostgreSQL side of the composition root: the office database connected, its registers, agenda books,
 * key register and audit view. Loaded only when a home's engine is PostgreSQL (src/app/postgres.ts
 * loadPostgresOffice: the CLI's preAction hook, `db salin`), so a SQLite home — and `--version`, `--help` —
 * never loads a PostgreSQL adapter module.
 */
import { hostname } from 'node:os';
import type { Engine } from '../config/db.js';
import { pgpassFile, resolveDbPassword, type DbPasswordWarning } from '../config/db-password.js';
import type { HomePaths } from '../config/home.js';
import type { AuditPorts } from '../ports/audit.js';
import { keyFiles } from '../adapters/keystore.js';
import { connectPostgres } from '../adapters/postgres/connect.js';
import type { PgSync } from '../adapters/postgres/sync-client.js';
import { openPgStore, type PgStore } from '../adapters/postgres/store.js';
import { migratePg, pgSchemaVersion } from '../adapters/postgres/migrate.js';
import { pgAuditView } from '../adapters/postgres/audit-view.js';
import { auditPorts } from './audit.js';

export { pgAgendaBooks } from '../adapters/postgres/agenda.js';
export { pgKunciStore } from '../adapters/postgres/kunci.js';
export { pgClaimHolder, tryPgClaim } from '../adapters/postgres/claim.js';

/** Migrate the office schema when it is behind (the owner's role may; an officer's gets PERMISSION). */
export function prepareOfficeDatabase(pg: PgSync, schema = 'sandi'): { created: boolean; version: number } {
  const before = pgSchemaVersion(pg, schema);
  const version = migratePg(pg, schema);
  return { created: before === 0, version };
}

/**
 * The office's registers on PostgreSQL (schema `sandi`, migrated by its owner: `sandi init --db URL`). The
 * store's name in messages is the URL as shown (never a password).
 */
export function openOfficeStore(pg: PgSync, engine: Extract<Engine, { kind: 'postgresql' }>): PgStore {
  return openPgStore(pg, { path: engine.display });
}

/** Connect to the office database (password from PGPASSWORD, the password file, db.passwordCommand). */
export function openOfficeDatabase(
  engine: Extract<Engine, { kind: 'postgresql' }>,
  env: NodeJS.ProcessEnv,
  warn: (w: DbPasswordWarning) => void = () => undefined,
): { db: PgSync; passwordSource: string } {
  const pw = resolveDbPassword(engine.options, env, engine.passwordCommand, warn);
  const passwordSource = pw.source === 'PGPASSWORD' ? 'PGPASSWORD' : pw.source === 'pgpass' ? (pw.file ?? pgpassFile(env)) : pw.source === 'perintah' ? 'db.passwordCommand' : '-';
  const o = engine.options;
  const db = connectPostgres(
    {
      host: o.host,
      port: o.port,
      user: o.user,
      database: o.database,
      password: pw.password,
      sslmode: o.sslmode,
      sslrootcert: o.sslrootcert,
      // the workstation, for whoever sees this session (pg_stat_activity; terima's busy message names it)
      applicationName: o.applicationName ?? `sandi@${hostname()}`,
      connectTimeoutMs: o.connectTimeoutMs,
    },
    { passwordSource, pgpassFile: pgpassFile(env) },
  );
  return { db, passwordSource };
}

/**
 * The audit ports of a home whose registers are the office database on PostgreSQL: the chain and rows from the
 * database (`database` names it as shown), the checkpoints and keys from this home.
 */
export function pgAuditPorts(paths: Pick<HomePaths, 'database' | 'archive' | 'keys'>, store: () => PgStore): AuditPorts {
  const ports = auditPorts(paths);
  const keys = keyFiles(paths.keys);
  return {
    ...ports,
    get database() {
      return store().path;
    },
    exists: () => true,
    open: () => pgAuditView(store(), (f) => keys.hasSecret(f)),
  };
}
