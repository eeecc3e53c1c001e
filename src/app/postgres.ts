/**
 * Composition of the engine choice (src/config/db.ts) for a home: which database the command works on, and
 * the PostgreSQL connection when that is the office database (password looked up now, faults as SandiErrors
 * naming server, user and database: src/adapters/postgres/connect.ts).
 */
import { existsSync, readFileSync } from 'node:fs';
import { hostname, userInfo } from 'node:os';
import { loadConfig } from '../config/config.js';
import { chooseEngine, type DbConfig, type Engine } from '../config/db.js';
import { pgpassFile, resolveDbPassword, type DbPasswordWarning } from '../config/db-password.js';
import type { HomePaths } from '../config/home.js';
import { connectPostgres } from '../adapters/postgres/connect.js';
import type { PgSync } from '../adapters/postgres/sync-client.js';
import { openPgStore, type PgStore } from '../adapters/postgres/store.js';
import { openPgArsip, type PgArsip } from '../adapters/postgres/arsip.js';
import { migratePg, pgSchemaVersion } from '../adapters/postgres/migrate.js';
import type { SandiConfig } from '../config/config.js';

/** Migrate the office schema when it is behind (the owner's role may; an officer's gets PERMISSION). */
export function prepareOfficeDatabase(pg: PgSync, schema = 'sandi'): { created: boolean; version: number } {
  const before = pgSchemaVersion(pg, schema);
  const version = migratePg(pg, schema);
  return { created: before === 0, version };
}

/** config.json with the office database chosen by --db/SANDI_DB (the URL as shown: never a password). */
export function withOfficeDb(config: SandiConfig, engine: Engine): SandiConfig {
  if (engine.kind !== 'postgresql' || engine.source === 'config' || config.db !== undefined) return config;
  const o = engine.options;
  return {
    ...config,
    db: {
      url: engine.display,
      sslmode: o.sslmode,
      ...(o.sslrootcert !== undefined ? { sslrootcert: o.sslrootcert } : {}),
      ...(engine.passwordCommand !== undefined ? { passwordCommand: engine.passwordCommand } : {}),
    },
  };
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

export interface EngineSource {
  /** --db */
  db?: string | undefined;
  env?: NodeJS.ProcessEnv | undefined;
}

function osUser(): string {
  try {
    return userInfo().username;
  } catch {
    return 'sandi';
  }
}

/**
 * config.json's `db`. A config.json that does not load is that command's own error to report (init --timpa
 * repairs one); but when the broken file plainly names a `db`, the error is raised here, never a quiet SQLite.
 */
function configDb(paths: HomePaths): DbConfig | undefined {
  if (!existsSync(paths.config)) return undefined;
  try {
    return loadConfig(paths.config).db;
  } catch (e) {
    let raw: unknown = null;
    try {
      raw = JSON.parse(readFileSync(paths.config, 'utf8').replace(/^\uFEFF/, ''));
    } catch {
      /* not JSON: see below */
    }
    const namesDb = raw !== null && typeof raw === 'object' ? 'db' in raw : /"db"\s*:/.test(readFileSync(paths.config, 'utf8'));
    if (namesDb) throw e;
    return undefined;
  }
}

export function resolveEngine(paths: HomePaths, source: EngineSource): Engine {
  const env = source.env ?? process.env;
  const flagOrEnv = (source.db ?? '').trim() !== '' || (env['SANDI_DB'] ?? '').trim() !== '';
  return chooseEngine({
    flag: source.db,
    env,
    config: flagOrEnv ? undefined : configDb(paths),
    configFile: paths.config,
    sqlitePath: paths.database,
    home: paths.root,
    osUser: osUser(),
  });
}

/** How the choice was made, as the operator typed or wrote it. */
export const ENGINE_SOURCE_LABEL = { flag: '--db', env: 'SANDI_DB', config: 'config.json "db"' } as const;


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
