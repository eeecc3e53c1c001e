/**
 * The PostgreSQL side of the composition root: the office database connected, its registers, agenda books,
 * key register and audit view. Loaded only when a home's engine is PostgreSQL (src/app/postgres.ts
 * loadPostgresOffice: the CLI's preAction hook, `db salin`), so a SQLite home — and `--version`, `--help` —
 * never loads a PostgreSQL adapter module.
 */
import { hostname } from 'node:os';
import { SandiError } from '../errors.js';
import type { Engine } from '../config/db.js';
import { pgpassFile, resolveDbPassword, type DbPasswordWarning } from '../config/db-password.js';
import type { HomePaths } from '../config/home.js';
import type { AuditPorts, CheckpointFiles } from '../ports/audit.js';
import { keyFiles } from '../adapters/keystore.js';
import { connectPostgres } from '../adapters/postgres/connect.js';
import type { PgSync } from '../adapters/postgres/sync-client.js';
import { openPgStore, type PgStore } from '../adapters/postgres/store.js';
import { migratePg, pgSchemaVersion } from '../adapters/postgres/migrate.js';
import { pgAuditView } from '../adapters/postgres/audit-view.js';
import { openPgArsip, type PgArsip } from '../adapters/postgres/arsip.js';
import { auditPorts } from './audit.js';
import { arsipCheckpoints } from '../adapters/audit-checkpoints.js';

export { pgAgendaBooks } from '../adapters/postgres/agenda.js';
export { pgKunciStore } from '../adapters/postgres/kunci.js';
export { pgClaimHolder, pgRowClaims, tryPgClaim } from '../adapters/postgres/claim.js';
export { pgAttachmentArchive, pgMessageArchive } from '../adapters/postgres/message-archive.js';

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

const arsipOfStore = new WeakMap<PgStore, PgArsip>();

/**
 * The office archive in the database (src/adapters/postgres/arsip.ts) on the office store's connection: one
 * per store, so that its pending names join that store's units of work (the register rows naming them).
 */
export function officeArsip(store: PgStore): PgArsip {
  let a = arsipOfStore.get(store);
  if (a === undefined) {
    a = openPgArsip(store);
    arsipOfStore.set(store, a);
  }
  return a;
}

/** The environment variable that bounds the waits on the office database (seconds; see dbTimeouts). */
export const DB_LOCK_TIMEOUT_ENV = 'SANDI_DB_LOCK_TIMEOUT';

/**
 * The bounds of a command's waits on the office database (src/adapters/postgres/sync-client.ts): a unit waits at
 * most `lock` for another workstation's lock (then 75, nothing kept); a query without any answer for
 * `lock` + half of it (at least 1 s more: a lock wait ends with the server's answer first) means a silent
 * network (then 69, the connection dropped); the server ends a session left idle inside a unit after as long,
 * releasing its locks. 60 s by default, SANDI_DB_LOCK_TIMEOUT (seconds) otherwise.
 */
export function dbTimeouts(env: NodeJS.ProcessEnv): { lockTimeoutMs: number; queryTimeoutMs: number; idleInTransactionTimeoutMs: number; keepAliveDelayMs: number } {
  const raw = (env[DB_LOCK_TIMEOUT_ENV] ?? '').trim();
  const seconds = raw === '' ? 60 : Number(raw);
  if (!Number.isFinite(seconds) || seconds < 0.5 || seconds > 3600) {
    throw new SandiError('CONFIG', 'db.timeoutInvalid', { name: DB_LOCK_TIMEOUT_ENV, value: raw, min: '0.5', max: '3600' });
  }
  const lockTimeoutMs = Math.round(seconds * 1000);
  const queryTimeoutMs = lockTimeoutMs + Math.max(1000, Math.round(lockTimeoutMs / 2));
  return { lockTimeoutMs, queryTimeoutMs, idleInTransactionTimeoutMs: queryTimeoutMs, keepAliveDelayMs: Math.min(30_000, queryTimeoutMs) };
}

/** Connect to the office database (password from PGPASSWORD, the password file, db.passwordCommand). */
export function openOfficeDatabase(
  engine: Extract<Engine, { kind: 'postgresql' }>,
  env: NodeJS.ProcessEnv,
  warn: (w: DbPasswordWarning) => void = () => undefined,
): { db: PgSync; passwordSource: string } {
  const timeouts = dbTimeouts(env);
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
      ...timeouts,
    },
    { passwordSource, pgpassFile: pgpassFile(env) },
  );
  return { db, passwordSource };
}

/**
 * The signed checkpoints of the office on PostgreSQL: names of its archive in the database (audit/titik-<id>.asc,
 * written `visible: 'now'` and never replaced), so every workstation checks the same ones.
 */
export function pgCheckpoints(arsip: PgArsip): CheckpointFiles {
  return arsipCheckpoints(arsip, (name) => `${arsip.where} ${name}`);
}

/**
 * The audit ports of a home whose registers are the office database on PostgreSQL: the chain, the rows and the
 * signed checkpoints from the database (`database` names it as shown), the keys from this home.
 */
export function pgAuditPorts(paths: Pick<HomePaths, 'database' | 'archive' | 'keys'>, store: () => PgStore): AuditPorts {
  const ports = auditPorts(paths);
  const keys = keyFiles(paths.keys);
  let cps: CheckpointFiles | undefined;
  // made on first use: the store connects lazily
  const checkpoints = (): CheckpointFiles => (cps ??= pgCheckpoints(officeArsip(store())));
  return {
    ...ports,
    get database() {
      return store().path;
    },
    exists: () => true,
    open: () => pgAuditView(store(), (f) => keys.hasSecret(f)),
    checkpoints: {
      get folder() {
        return checkpoints().folder;
      },
      list: () => checkpoints().list(),
      read: (f) => checkpoints().read(f),
      write: (id, armored) => checkpoints().write(id, armored),
    },
  };
}
