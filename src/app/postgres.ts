/**
 * Composition of the engine choice (src/config/db.ts) for a home: which database the command works on, and
 * the PostgreSQL connection when that is the office database (password looked up now, faults as SandiErrors
 * naming server, user and database: src/adapters/postgres/connect.ts).
 */
import { existsSync, readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { SandiError } from '../errors.js';
import { loadConfig } from '../config/config.js';
import { chooseEngine, type DbConfig, type Engine } from '../config/db.js';
import { pgpassFile, resolveDbPassword, type DbPasswordWarning } from '../config/db-password.js';
import { homePaths, type HomePaths } from '../config/home.js';
import { connectPostgres } from '../adapters/postgres/connect.js';
import type { PgSync } from '../adapters/postgres/sync-client.js';

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

/**
 * Refuse (69) when the registers' database is PostgreSQL: they are not there yet. Cheap when nothing chooses
 * PostgreSQL (no --db, no SANDI_DB, no "db" in config.json): config.json is then not even parsed.
 */
export function refuseRegistersOnPostgres(home: string, source: EngineSource): void {
  const env = source.env ?? process.env;
  const paths = homePaths(home);
  const chosen = (source.db ?? '').trim() !== '' || (env['SANDI_DB'] ?? '').trim() !== '' || (existsSync(paths.config) && /"db"\s*:/.test(readFileSync(paths.config, 'utf8')));
  if (!chosen) return;
  const engine = resolveEngine(paths, source);
  if (engine.kind === 'postgresql') throw notYetOnPostgres(engine);
}

/** How the choice was made, as the operator typed or wrote it. */
export const ENGINE_SOURCE_LABEL = { flag: '--db', env: 'SANDI_DB', config: 'config.json "db"' } as const;

/** The refusal of a command that needs the registers while they are not on PostgreSQL yet (exit 69). */
export function notYetOnPostgres(engine: Extract<Engine, { kind: 'postgresql' }>): SandiError {
  return new SandiError('UNAVAILABLE', 'db.notYet', { db: engine.display, source: ENGINE_SOURCE_LABEL[engine.source] }, { hint: 'db.notYet.hint' });
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
      applicationName: o.applicationName,
      connectTimeoutMs: o.connectTimeoutMs,
    },
    { passwordSource, pgpassFile: pgpassFile(env) },
  );
  return { db, passwordSource };
}
