/**
 * Which database holds the office's registers (issue 15 §1), decided without I/O:
 *   --db URL, else SANDI_DB, else `db` in config.json, else the home's SQLite file (sandi.db).
 * A PostgreSQL URL is `postgresql://user@host:port/dbname?sslmode=…&sslrootcert=…`. A password inside it is
 * refused (it would sit in shell history, argv and config backups): the password comes from PGPASSWORD,
 * ~/.pgpass or `db.passwordCommand` (src/config/db-password.ts), at the moment of connecting.
 *
 * Every refusal is a SandiError naming the problem: DATA (65) for --db / SANDI_DB, CONFIG (78) for config.json.
 * A URL is shown only through redactDbUrl (password and query left out).
 */
import { SandiError } from '../errors.js';

export type DbSslMode = 'disable' | 'require' | 'verify-ca' | 'verify-full';
export const DB_SSL_MODES: readonly DbSslMode[] = ['disable', 'require', 'verify-ca', 'verify-full'];
/** The URL query parameters understood (libpq's names). */
export const DB_URL_PARAMS = ['sslmode', 'sslrootcert', 'connect_timeout', 'application_name'] as const;

export type DbSource = 'flag' | 'env' | 'config';

/** config.json `db` (src/config/schema.ts). */
export interface DbConfig {
  url: string;
  sslmode?: DbSslMode;
  /** PEM file of the CA that signed the server's certificate; relative paths are from the home folder */
  sslrootcert?: string;
  /** a program (argv, never a shell) that prints the database password on its first line */
  passwordCommand?: string[];
}

/** Where and as whom to connect: everything but the password. */
export interface PgTarget {
  host: string;
  port: number;
  user: string;
  database: string;
  sslmode: DbSslMode;
  sslrootcert?: string;
  connectTimeoutMs?: number;
  applicationName?: string;
}

export type Engine =
  | { kind: 'sqlite'; path: string }
  | {
      kind: 'postgresql';
      /** where the choice came from: --db, SANDI_DB or config.json */
      source: DbSource;
      /** postgresql://user@host:port/db — for messages (never a password) */
      display: string;
      options: PgTarget;
      passwordCommand?: string[];
    };

export const DB_ENV = 'SANDI_DB';

const LOOPBACK = new Set(['localhost', '127.0.0.1', '::1', '[::1]']);

/** The URL as it may be shown: scheme, user, host, port and database; never the password nor the query. */
export function redactDbUrl(url: string): string {
  try {
    const u = new URL(url);
    const user = u.username !== '' ? `${u.username}${u.password !== '' ? ':***' : ''}@` : '';
    return `${u.protocol}//${user}${u.host}${u.pathname}`;
  } catch {
    // not a URL at all: show what cannot hold a password (nothing after a colon that follows the scheme)
    const cut = url.replace(/^([a-z]+:\/\/)?([^@/]*@)?/i, (_m, s: string | undefined, cred: string | undefined) => `${s ?? ''}${cred !== undefined ? `${cred.split(':')[0]}${cred.includes(':') ? ':***' : ''}@` : ''}`);
    return cut.length > 120 ? `${cut.slice(0, 117)}...` : cut;
  }
}

export function pgDisplay(t: Pick<PgTarget, 'host' | 'port' | 'user' | 'database'>): string {
  const host = t.host.includes(':') ? `[${t.host}]` : t.host;
  return `postgresql://${encodeURIComponent(t.user)}@${host}:${t.port}/${encodeURIComponent(t.database)}`;
}

interface ParseContext {
  source: DbSource;
  /** libpq's defaults: PGUSER, else the OS user */
  env: NodeJS.ProcessEnv;
  osUser: string;
  /** for config.json: the file (named in errors) */
  file?: string;
}

function refuse(ctx: ParseContext, key: string, params: Record<string, string>, hint = 'db.url.hint'): SandiError {
  const where = ctx.source === 'flag' ? '--db' : ctx.source === 'env' ? DB_ENV : `${ctx.file ?? 'config.json'} "db.url"`;
  return new SandiError(ctx.source === 'config' ? 'CONFIG' : 'DATA', key, { where, ...params }, { hint });
}

/** Parse a PostgreSQL URL (or refuse it, saying what is wrong and where it came from). */
export function parseDbUrl(url: string, ctx: ParseContext): PgTarget {
  const shown = redactDbUrl(url);
  let u: URL;
  try {
    u = new URL(url.trim());
  } catch {
    throw refuse(ctx, 'db.url.invalid', { url: shown });
  }
  if (u.protocol !== 'postgresql:' && u.protocol !== 'postgres:') throw refuse(ctx, 'db.url.scheme', { url: shown, scheme: u.protocol.replace(/:$/, '') });
  if (u.password !== '') throw refuse(ctx, 'db.url.password', { url: shown }, 'db.url.password.hint');
  const host = u.hostname.replace(/^\[(.*)\]$/, '$1');
  if (host === '') throw refuse(ctx, 'db.url.noHost', { url: shown });
  const port = u.port === '' ? 5432 : Number(u.port);
  const decode = (s: string): string => {
    try {
      return decodeURIComponent(s);
    } catch {
      throw refuse(ctx, 'db.url.invalid', { url: shown });
    }
  };
  const database = decode(u.pathname.replace(/^\//, ''));
  if (database === '' || database.includes('/')) throw refuse(ctx, 'db.url.noDatabase', { url: shown });
  const user = u.username !== '' ? decode(u.username) : ctx.env['PGUSER'] || ctx.osUser;
  const target: PgTarget = { host, port, user, database, sslmode: LOOPBACK.has(host) ? 'disable' : 'verify-full' };
  for (const [name, value] of u.searchParams) {
    switch (name) {
      case 'sslmode':
        target.sslmode = sslMode(value, ctx, shown);
        break;
      case 'sslrootcert':
        if (value === '') throw refuse(ctx, 'db.url.param', { url: shown, param: name, value, expected: 'a file path' });
        target.sslrootcert = value;
        break;
      case 'connect_timeout': {
        const s = Number(value);
        if (!Number.isInteger(s) || s < 1 || s > 600) throw refuse(ctx, 'db.url.param', { url: shown, param: name, value, expected: '1..600' });
        target.connectTimeoutMs = s * 1000;
        break;
      }
      case 'application_name':
        target.applicationName = value;
        break;
      default:
        throw refuse(ctx, 'db.url.unknownParam', { url: shown, param: name, known: DB_URL_PARAMS.join(', ') });
    }
  }
  return target;
}

function sslMode(value: string, ctx: ParseContext, shown: string): DbSslMode {
  if ((DB_SSL_MODES as readonly string[]).includes(value)) return value as DbSslMode;
  // allow/prefer fall back to plain text without a word: the office database is reached with TLS or, on
  // loopback, deliberately without
  throw refuse(ctx, 'db.url.sslmode', { url: shown, value, expected: DB_SSL_MODES.join(' | ') });
}

export interface EngineInput {
  /** --db */
  flag?: string | undefined;
  env: NodeJS.ProcessEnv;
  /** config.json's `db`, when config.json exists and has one */
  config?: DbConfig | undefined;
  configFile?: string;
  /** the home's SQLite file */
  sqlitePath: string;
  /** the home folder (relative sslrootcert paths in config.json are from it) */
  home: string;
  osUser: string;
}

/** --db, else SANDI_DB, else config.json `db`, else the home's SQLite file. */
export function chooseEngine(input: EngineInput): Engine {
  const flag = input.flag !== undefined && input.flag.trim() !== '' ? input.flag : undefined;
  const fromEnv = input.env[DB_ENV] !== undefined && input.env[DB_ENV].trim() !== '' ? input.env[DB_ENV] : undefined;
  const base = { env: input.env, osUser: input.osUser };
  if (flag !== undefined) return postgres(parseDbUrl(flag, { ...base, source: 'flag' }), 'flag');
  if (fromEnv !== undefined) return postgres(parseDbUrl(fromEnv, { ...base, source: 'env' }), 'env');
  const c = input.config;
  if (c !== undefined) {
    const target = parseDbUrl(c.url, { ...base, source: 'config', ...(input.configFile !== undefined ? { file: input.configFile } : {}) });
    if (c.sslmode !== undefined) target.sslmode = c.sslmode;
    if (c.sslrootcert !== undefined) target.sslrootcert = c.sslrootcert.startsWith('/') ? c.sslrootcert : `${input.home.replace(/\/+$/, '')}/${c.sslrootcert}`;
    return postgres(target, 'config', c.passwordCommand);
  }
  return { kind: 'sqlite', path: input.sqlitePath };
}

function postgres(options: PgTarget, source: DbSource, passwordCommand?: string[]): Engine {
  return { kind: 'postgresql', source, display: pgDisplay(options), options, ...(passwordCommand !== undefined ? { passwordCommand } : {}) };
}

// ---- ~/.pgpass (libpq's rules) -----------------------------------------------------------------------------

export interface PgpassEntry {
  host: string;
  port: string;
  database: string;
  user: string;
  password: string;
}

/**
 * hostname:port:database:username:password per line; `*` matches anything in the first four fields; `\:` is a
 * colon and `\\` a backslash inside a field; lines starting with # and lines with fewer than five fields are
 * ignored (libpq ignores them too). Anything after a fifth unescaped colon belongs to the password (libpq).
 */
export function parsePgpass(text: string): PgpassEntry[] {
  const out: PgpassEntry[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/\r$/, '');
    if (line === '' || line.startsWith('#')) continue;
    const fields: string[] = [];
    let cur = '';
    for (let i = 0; i < line.length; i++) {
      const ch = line[i]!;
      if (ch === '\\' && i + 1 < line.length) {
        cur += line[++i]!;
      } else if (ch === ':' && fields.length < 4) {
        fields.push(cur);
        cur = '';
      } else cur += ch;
    }
    fields.push(cur);
    if (fields.length < 5) continue;
    const [host, port, database, user, password] = fields as [string, string, string, string, string];
    out.push({ host, port, database, user, password });
  }
  return out;
}

/** The first entry matching the connection (libpq: first match wins; `localhost` also matches a socket). */
export function matchPgpass(entries: readonly PgpassEntry[], t: Pick<PgTarget, 'host' | 'port' | 'database' | 'user'>): string | null {
  const eq = (pattern: string, value: string): boolean => pattern === '*' || pattern === value;
  const hit = entries.find((e) => eq(e.host, t.host) && eq(e.port, String(t.port)) && eq(e.database, t.database) && eq(e.user, t.user));
  return hit === undefined ? null : hit.password;
}

/** libpq ignores a password file readable by group or others (and says so). */
export function pgpassTooOpen(mode: number): boolean {
  return (mode & 0o077) !== 0;
}
