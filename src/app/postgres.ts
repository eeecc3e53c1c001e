/**
 * Composition of the engine choice (src/config/db.ts) for a home: which database the command works on. Light on
 * purpose (every command that opens a home loads it): the PostgreSQL side — the connection, the office store,
 * its adapters — is src/app/postgres-office.ts, loaded by loadPostgresOffice only when the engine is PostgreSQL.
 */
import { existsSync, readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { loadConfig } from '../config/config.js';
import { chooseEngine, type DbConfig, type Engine } from '../config/db.js';
import { homePaths, resolveHome, type HomePaths } from '../config/home.js';
import type { SandiConfig } from '../config/config.js';

/** The PostgreSQL side of the composition root (src/app/postgres-office.ts). */
export type PostgresOffice = typeof import('./postgres-office.js');

let office: PostgresOffice | undefined;

/** Load the PostgreSQL side of the composition root (once a process). */
export async function loadPostgresOffice(): Promise<PostgresOffice> {
  office ??= await import('./postgres-office.js');
  return office;
}

/**
 * The PostgreSQL side, loaded before: openApp is synchronous, so whoever opens a home on PostgreSQL loads it
 * first (the CLI's preAction hook through preparePostgres; an embedding program with loadPostgresOffice).
 */
export function postgresOffice(): PostgresOffice {
  if (office === undefined) throw new Error('the PostgreSQL side of sandi is not loaded: await loadPostgresOffice() (src/app/postgres.ts) before opening a home on PostgreSQL');
  return office;
}

/**
 * Before a command: load the PostgreSQL side when the engine of the home (--home as given, else SANDI_HOME, else
 * the default) is PostgreSQL. A choice that does not resolve (a bad URL, a broken config.json) loads nothing:
 * the command reports it when it opens the home.
 */
export async function preparePostgres(homeFlag: string | undefined, source: EngineSource): Promise<void> {
  let kind: Engine['kind'];
  try {
    kind = resolveEngine(homePaths(resolveHome(homeFlag, source.env ?? process.env)), source).kind;
  } catch {
    return;
  }
  if (kind === 'postgresql') await loadPostgresOffice();
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


