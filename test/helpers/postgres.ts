/**
 * A real PostgreSQL for tests: a private cluster from Debian's `postgresql` package, initialised into a temporary
 * folder (initdb), listening on 127.0.0.1 on a free port (and a unix socket inside that folder, never
 * /var/run/postgresql), started per test file and stopped after. The system's own cluster, if any, is not touched.
 *
 * initdb and the server refuse to run as root, so as root they run as the `postgres` OS user (runuser), in a
 * folder that user owns; as an ordinary user they run as that user. An admin role (superuser) gets a generated
 * password; host connections authenticate with scram-sha-256, the socket in the private folder with trust (for
 * the helper's own psql). fsync, synchronous_commit and full_page_writes are off: a test cluster is thrown away.
 *
 * Every failure says exactly what failed: which binary is missing (and where it was looked for), or which step
 * (initdb, pg_ctl start, psql) exited with what and the tail of its log, so the next Debian drift is a one-line fix.
 *
 *   const pg = await startPostgres();
 *   try { pg.psql('select 1'); ... pg.url('sandi') ... pg.env ... } finally { await pg.stop(); }
 *
 * Options: `tls: true` also serves TLS with a self-signed certificate (CN=localhost, SAN DNS:localhost,
 * IP:127.0.0.1) in `caFile`. SANDI_PG_BIN overrides the binaries' folder; SANDI_KEEP_POSTGRES=1 keeps the folder.
 */
import { execFileSync, spawn, spawnSync, type ChildProcess, type SpawnSyncReturns } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, chmodSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './mailstack.js';

export interface PgServer {
  host: string;
  port: number;
  /** the superuser role of this cluster (not "postgres": tests must not depend on the default name) */
  adminUser: string;
  adminPassword: string;
  /** the database created at start for the tests ("sandi") */
  database: string;
  /** postgresql://admin@127.0.0.1:PORT/db — never with the password in it (sandi refuses passwords in URLs) */
  url(db?: string): string;
  /** environment for libpq clients and sandi: PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE (+ PGSSLMODE=disable) */
  env: NodeJS.ProcessEnv;
  /** the self-signed certificate the server presents, when started with `tls: true` */
  caFile?: string;
  /** the cluster's temporary folder (data, socket, log) */
  dir: string;
  /** the folder of the server binaries used (e.g. /usr/lib/postgresql/15/bin) */
  bin: string;
  /** Run SQL with psql as the admin (over TCP, with the password); returns stdout (unaligned, tuples only). */
  psql(sql: string, opts?: { db?: string; user?: string; password?: string }): string;
  /** CREATE DATABASE name (owned by the admin). */
  createDatabase(name: string): void;
  /** The server log so far, for failure messages. */
  logs(): string;
  /** Crash the server: `pg_ctl stop -m immediate` (no checkpoint, every backend killed, like a power cut). */
  crash(): void;
  /** Start the crashed or stopped server again on the same port and data folder (it recovers from its WAL). */
  restart(): void;
  /** Stop the server (fast shutdown) and remove the temporary folder. Safe to call twice, and after a failed start. */
  stop(): Promise<void>;
}

export interface PgServerOptions {
  tls?: boolean;
  keep?: boolean;
}

const ADMIN = 'sandi_admin';
const DATABASE = 'sandi';

/** The newest /usr/lib/postgresql/<ver>/bin holding initdb, pg_ctl, postgres and psql (or SANDI_PG_BIN). */
export function findPostgresBin(): { bin: string } | { missing: string } {
  const override = process.env['SANDI_PG_BIN'];
  const candidates: string[] = [];
  if (override !== undefined && override !== '') candidates.push(override);
  else {
    const root = '/usr/lib/postgresql';
    const versions = existsSync(root) ? readdirSync(root).filter((v) => /^\d+(\.\d+)?$/.test(v)) : [];
    versions.sort((a, b) => Number(b) - Number(a));
    for (const v of versions) candidates.push(join(root, v, 'bin'));
    if (candidates.length === 0) return { missing: `no PostgreSQL server under ${root}/<version>/bin (Debian package postgresql)` };
  }
  const need = ['initdb', 'pg_ctl', 'postgres', 'psql'];
  let lastMissing = '';
  for (const bin of candidates) {
    const missing = need.filter((b) => !existsSync(join(bin, b)));
    if (missing.length === 0) return { bin };
    lastMissing = missing.map((b) => join(bin, b)).join(', ');
  }
  return { missing: lastMissing };
}

/**
 * Null when this machine can run a private cluster, else what is missing (for describeWith's skip message).
 * As root the `postgres` OS user (created by Debian's package) and runuser are needed too.
 */
export function postgresMissing(): string | null {
  const found = findPostgresBin();
  if ('missing' in found) return found.missing;
  if (isRoot()) {
    if (osUser('postgres') === null) return 'the OS user "postgres" (initdb refuses root; Debian package postgresql creates it)';
    if (!existsSync('/usr/sbin/runuser') && !existsSync('/sbin/runuser')) return 'runuser (util-linux)';
  }
  if (!existsSync('/usr/bin/openssl')) return '/usr/bin/openssl (for the TLS certificate)';
  return null;
}

function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

function osUser(name: string): { uid: number; gid: number } | null {
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${name}:`));
  if (line === undefined) return null;
  const f = line.split(':');
  return { uid: Number(f[2]), gid: Number(f[3]) };
}

function readIfExists(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

function tail(text: string, lines = 30): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

/** Run a server binary as the cluster's OS user (postgres when root). */
function asOwner(bin: string, args: string[], opts: { env?: NodeJS.ProcessEnv; timeoutMs?: number; input?: string } = {}): SpawnSyncReturns<string> {
  const [cmd, argv] = isRoot() ? ['runuser', ['-u', 'postgres', '--', bin, ...args]] : [bin, args];
  return spawnSync(cmd, argv, {
    encoding: 'utf8',
    env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', LC_ALL: 'C', ...opts.env },
    timeout: opts.timeoutMs ?? 60_000,
    input: opts.input ?? '',
    cwd: '/',
  });
}

function describeRun(what: string, r: SpawnSyncReturns<string>, log?: { path: string; text: string }): string {
  const how = r.error !== undefined ? `could not run: ${r.error.message}` : r.signal !== null ? `killed by ${r.signal}` : `exit ${r.status}`;
  const parts = [`postgres helper: ${what} failed (${how})`];
  if (r.stdout.trim() !== '') parts.push(`--- stdout\n${tail(r.stdout)}`);
  if (r.stderr.trim() !== '') parts.push(`--- stderr\n${tail(r.stderr)}`);
  if (log !== undefined) parts.push(`--- ${log.path} (tail)\n${tail(log.text) || '(empty)'}`);
  return parts.join('\n');
}

/** Start a private cluster (about 1-2 s, most of it initdb); call stop() in afterAll. */
export async function startPostgres(options: PgServerOptions = {}): Promise<PgServer> {
  const missing = postgresMissing();
  if (missing !== null) throw new Error(`postgres helper: cannot start a private PostgreSQL: missing ${missing}`);
  const { bin } = findPostgresBin() as { bin: string };
  const keep = options.keep === true || process.env['SANDI_KEEP_POSTGRES'] === '1';
  const dir = mkdtempSync(join(tmpdir(), 'sandi-pg-'));
  const data = join(dir, 'data');
  const sock = join(dir, 'sock');
  const logFile = join(dir, 'server.log');
  const pwFile = join(dir, 'pwfile');
  const adminPassword = randomBytes(18).toString('base64url');
  const host = '127.0.0.1';
  const owner = isRoot() ? osUser('postgres') : null;
  const logs = (): string => `--- ${logFile}\n${tail(readIfExists(logFile), 60)}`;

  let started = false;
  let stopped = false;
  let watchdog: ChildProcess | undefined;
  const stop = (): Promise<void> => {
    if (stopped) return Promise.resolve();
    stopped = true;
    if (watchdog?.pid !== undefined) {
      try {
        process.kill(watchdog.pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
    if (started) {
      const r = asOwner(join(bin, 'pg_ctl'), ['stop', '-D', data, '-m', 'fast', '-w', '-t', '20'], { timeoutMs: 30_000 });
      if (r.status !== 0) asOwner(join(bin, 'pg_ctl'), ['stop', '-D', data, '-m', 'immediate', '-w', '-t', '10'], { timeoutMs: 15_000 });
    }
    if (!keep) rmSync(dir, { recursive: true, force: true });
    return Promise.resolve();
  };

  try {
    mkdirSync(sock);
    writeFileSync(pwFile, `${adminPassword}\n`, { mode: 0o600 });
    if (owner !== null) {
      for (const p of [dir, sock, pwFile]) chownSync(p, owner.uid, owner.gid);
    }
    chmodSync(dir, 0o700);

    const init = asOwner(join(bin, 'initdb'), [
      '-D', data, '-U', ADMIN, `--pwfile=${pwFile}`, '--auth-local=trust', '--auth-host=scram-sha-256',
      '--encoding=UTF8', '--no-locale', '--no-sync', '--no-instructions',
    ]);
    if (init.status !== 0) throw new Error(describeRun(`${join(bin, 'initdb')} -D ${data}`, init));
    rmSync(pwFile, { force: true });

    let port = await freePort();
    const conf = [
      '',
      '# sandi test cluster (test/helpers/postgres.ts)',
      `listen_addresses = '${host}'`,
      `unix_socket_directories = '${sock}'`,
      "password_encryption = 'scram-sha-256'",
      'fsync = off',
      'synchronous_commit = off',
      'full_page_writes = off',
      'shared_buffers = 32MB',
      'max_connections = 60',
      "log_destination = 'stderr'",
      "log_min_messages = 'warning'",
      "timezone = 'UTC'",
    ];
    let caFile: string | undefined;
    if (options.tls === true) {
      const key = join(data, 'server.key');
      const crt = join(data, 'server.crt');
      const r = spawnSync('/usr/bin/openssl', [
        'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=localhost',
        '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1', '-keyout', key, '-out', crt,
      ], { encoding: 'utf8', timeout: 30_000 });
      if (r.status !== 0) throw new Error(describeRun('openssl req (the server certificate)', r));
      if (owner !== null) for (const p of [key, crt]) chownSync(p, owner.uid, owner.gid);
      chmodSync(key, 0o600);
      caFile = join(dir, 'ca.crt');
      writeFileSync(caFile, readFileSync(crt));
      conf.push('ssl = on', "ssl_cert_file = 'server.crt'", "ssl_key_file = 'server.key'");
    }
    appendFileSync(join(data, 'postgresql.conf'), `${conf.join('\n')}\n`);

    // the free port may be taken between freePort() releasing it and the server binding it: one retry
    for (let attempt = 1; ; attempt++) {
      const r = asOwner(join(bin, 'pg_ctl'), ['start', '-D', data, '-l', logFile, '-w', '-t', '30', '-o', `-p ${port}`], { timeoutMs: 45_000 });
      if (r.status === 0) {
        started = true;
        break;
      }
      started = existsSync(join(data, 'postmaster.pid'));
      const log = readIfExists(logFile);
      if (attempt === 1 && /could not bind|address already in use/i.test(log)) {
        port = await freePort();
        continue;
      }
      // pg_ctl may have left a half-started postmaster behind
      asOwner(join(bin, 'pg_ctl'), ['stop', '-D', data, '-m', 'immediate', '-w', '-t', '10'], { timeoutMs: 15_000 });
      throw new Error(describeRun(`${join(bin, 'pg_ctl')} start -D ${data} -o "-p ${port}"`, r, { path: logFile, text: log }));
    }

    // last resort when the test process dies without stop(): no cluster outlives the test run
    const pgCtlStop = `${isRoot() ? 'runuser -u postgres -- ' : ''}'${join(bin, 'pg_ctl')}' stop -D '${data}' -m immediate -w -t 10`;
    watchdog = spawn('sh', ['-c', `while kill -0 ${process.pid} 2>/dev/null; do sleep 1; done; ${pgCtlStop} >/dev/null 2>&1; ${keep ? 'true' : `rm -rf '${dir}'`}`], {
      detached: true,
      stdio: 'ignore',
    });
    watchdog.unref();

    const env: NodeJS.ProcessEnv = {
      PGHOST: host,
      PGPORT: String(port),
      PGUSER: ADMIN,
      PGPASSWORD: adminPassword,
      PGDATABASE: DATABASE,
      PGSSLMODE: 'disable',
      PGCONNECT_TIMEOUT: '10',
    };
    const psql = (sql: string, opts: { db?: string; user?: string; password?: string } = {}): string => {
      const args = ['-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-h', host, '-p', String(port), '-U', opts.user ?? ADMIN, '-d', opts.db ?? DATABASE, '-f', '-'];
      const r = spawnSync(join(bin, 'psql'), args, {
        encoding: 'utf8',
        input: sql,
        timeout: 60_000,
        env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', LC_ALL: 'C', ...env, PGPASSWORD: opts.password ?? adminPassword },
      });
      if (r.status !== 0) throw new Error(`${describeRun(`psql -d ${opts.db ?? DATABASE} -U ${opts.user ?? ADMIN}`, r)}\n--- sql\n${sql}\n${logs()}`);
      return r.stdout;
    };
    const createDatabase = (name: string): void => {
      if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`postgres helper: database name ${JSON.stringify(name)} is not a plain identifier`);
      psql(`CREATE DATABASE ${name}`, { db: 'postgres' });
    };
    createDatabase(DATABASE);

    const crash = (): void => {
      const r = asOwner(join(bin, 'pg_ctl'), ['stop', '-D', data, '-m', 'immediate', '-w', '-t', '20'], { timeoutMs: 30_000 });
      if (r.status !== 0) throw new Error(describeRun(`${join(bin, 'pg_ctl')} stop -m immediate -D ${data}`, r, { path: logFile, text: readIfExists(logFile) }));
    };
    const restart = (): void => {
      const r = asOwner(join(bin, 'pg_ctl'), ['start', '-D', data, '-l', logFile, '-w', '-t', '30', '-o', `-p ${port}`], { timeoutMs: 45_000 });
      if (r.status !== 0) throw new Error(describeRun(`${join(bin, 'pg_ctl')} start -D ${data} -o "-p ${port}" (restart)`, r, { path: logFile, text: readIfExists(logFile) }));
    };

    return {
      host,
      port,
      crash,
      restart,
      adminUser: ADMIN,
      adminPassword,
      database: DATABASE,
      url: (db = DATABASE) => `postgresql://${ADMIN}@${host}:${port}/${db}`,
      env,
      ...(caFile !== undefined ? { caFile } : {}),
      dir,
      bin,
      psql,
      createDatabase,
      logs,
      stop,
    };
  } catch (e) {
    await stop().catch(() => undefined);
    throw e;
  }
}

/** Whether a postmaster still runs for `dir` (its data/postmaster.pid names a live process). */
export function postmasterAlive(dir: string): boolean {
  const pid = Number(readIfExists(join(dir, 'data', 'postmaster.pid')).split('\n')[0]);
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    execFileSync('kill', ['-0', String(pid)], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
