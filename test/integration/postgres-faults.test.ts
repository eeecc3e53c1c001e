/**
 * Reaching the office database (issue 15 §3) against a real private PostgreSQL with TLS: what answers when all
 * is right, and each fault as the operator meets it — the server unreachable (69), the password refused or
 * missing (77), the database missing (78), TLS demanded but the CA wrong (78) — naming host:port, user and
 * database, never the password. Also: the password from a .pgpass file (ignored with a warning when others may
 * read it), and `sandi periksa --db` showing its line.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openApp } from '../../src/app.js';
import { loadPostgresOffice } from '../../src/app/postgres.js';
import { SandiError } from '../../src/errors.js';
import type { DbPasswordWarning } from '../../src/config/db-password.js';
import { sandi } from '../helpers/cli.js';
import { describeWith } from '../helpers/gate.js';
import { freePort } from '../helpers/mailstack.js';
import { postgresMissing, startPostgres, type PgServer } from '../helpers/postgres.js';

// openApp on PostgreSQL uses the PostgreSQL side of the composition root, loaded first (the CLI's preAction hook does it)
await loadPostgresOffice();

const missing = postgresMissing();

describeWith(`a private PostgreSQL (${missing ?? ''})`, missing === null, 'office database on PostgreSQL: connection faults', () => {
  let pg: PgServer;
  let dir: string;
  let wrongCa: string;

  beforeAll(async () => {
    pg = await startPostgres({ tls: true });
    dir = mkdtempSync(join(tmpdir(), 'sandi-pgfault-'));
    // a CA that did not sign the server's certificate
    wrongCa = join(dir, 'ca-lain.crt');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2', '-subj', '/CN=CA Lain', '-keyout', join(dir, 'ca-lain.key'), '-out', wrongCa], { stdio: 'ignore' });
  });
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await pg?.stop();
  });

  /** probeDatabase() of a fresh home with `db` and `env`; the error when it fails. */
  function probe(db: string, env: NodeJS.ProcessEnv, warnings: DbPasswordWarning[] = []) {
    const app = openApp(mkdtempSync(join(dir, 'rumah-')), undefined, { db, env: { PGPASSFILE: join(dir, 'tidak-ada'), ...env }, warnDb: (w) => warnings.push(w) });
    try {
      return app.probeDatabase();
    } finally {
      app.close();
    }
  }
  function fault(db: string, env: NodeJS.ProcessEnv): SandiError {
    try {
      probe(db, env);
    } catch (e) {
      if (e instanceof SandiError) return e;
      throw e;
    }
    throw new Error('connected');
  }
  const url = (q = '', db = 'sandi'): string => `postgresql://${pg.adminUser}@127.0.0.1:${pg.port}/${db}${q}`;

  it('connects: plain on loopback by default, TLS with verify-full and the right CA', () => {
    expect(probe(url(), { PGPASSWORD: pg.adminPassword })).toEqual({
      kind: 'postgresql',
      display: url(),
      serverVersion: expect.stringMatching(/^\d+/) as string,
      sessionUser: pg.adminUser,
      ssl: false,
      passwordSource: 'PGPASSWORD',
    });
    expect(probe(url(`?sslmode=verify-full&sslrootcert=${pg.caFile!}`), { PGPASSWORD: pg.adminPassword })).toMatchObject({ ssl: true });
  });

  it('password refused: 77, naming server, user and database, never the password', () => {
    const e = fault(url(), { PGPASSWORD: 'Salah-Sekali-77' });
    expect([e.key, e.exitCode]).toEqual(['db.authFailed', 77]);
    expect(e.params).toMatchObject({ host: '127.0.0.1', port: pg.port, user: pg.adminUser, database: 'sandi', source: 'PGPASSWORD' });
    expect(JSON.stringify(e.params)).not.toContain('Salah-Sekali-77');
  });

  it('no password anywhere while the server asks for one: 77 saying where to put it', () => {
    const e = fault(url(), {});
    expect([e.key, e.exitCode]).toEqual(['db.passwordMissing', 77]);
    expect(e.params['pgpass']).toBe(join(dir, 'tidak-ada'));
  });

  it('server unreachable (a closed port): 69', async () => {
    const closed = await freePort();
    const e = fault(`postgresql://${pg.adminUser}@127.0.0.1:${closed}/sandi`, { PGPASSWORD: pg.adminPassword });
    expect([e.key, e.exitCode]).toEqual(['db.unreachable', 69]);
    expect(e.params).toMatchObject({ host: '127.0.0.1', port: closed });
    expect(String(e.params['reason'])).toContain('ECONNREFUSED');
  });

  it('database missing: 78', () => {
    const e = fault(url('', 'tidak_ada'), { PGPASSWORD: pg.adminPassword });
    expect([e.key, e.exitCode]).toEqual(['db.databaseMissing', 78]);
    expect(e.params['database']).toBe('tidak_ada');
  });

  it('TLS demanded but the CA is wrong (verify-full), or the CA file unreadable: 78, nothing sent', () => {
    const e = fault(url(`?sslmode=verify-full&sslrootcert=${wrongCa}`), { PGPASSWORD: pg.adminPassword });
    expect([e.key, e.exitCode]).toEqual(['db.tls', 78]);
    expect(e.params).toMatchObject({ sslmode: 'verify-full', ca: wrongCa, host: '127.0.0.1' });
    expect(JSON.stringify(e.params)).not.toContain(pg.adminPassword);
    const gone = fault(url(`?sslmode=verify-ca&sslrootcert=${join(dir, 'tidak-ada.crt')}`), { PGPASSWORD: pg.adminPassword });
    expect([gone.key, gone.exitCode]).toEqual(['db.caUnreadable', 78]);
  });

  it('takes the password from a .pgpass file, and ignores one that others may read (with a warning)', () => {
    const file = join(dir, 'pgpass');
    writeFileSync(file, `127.0.0.1:${pg.port}:sandi:${pg.adminUser}:${pg.adminPassword.replace(/[:\\]/g, '\\$&')}\n`);
    chmodSync(file, 0o600);
    expect(probe(url(), { PGPASSFILE: file })).toMatchObject({ kind: 'postgresql', passwordSource: file });
    chmodSync(file, 0o640);
    const warnings: DbPasswordWarning[] = [];
    expect(() => probe(url(), { PGPASSFILE: file }, warnings)).toThrow(SandiError);
    expect(warnings).toEqual([{ key: 'db.pgpass.tooOpen', params: { file, mode: '0640' } }]);
  });

  it('sandi periksa --db shows the database line; a refused password is that line GAGAL with 77, password unshown', () => {
    const home = mkdtempSync(join(dir, 'rumah-cli-'));
    const ok = sandi(['--home', home, '--json', '--db', url(), 'periksa'], { env: { PGPASSWORD: pg.adminPassword, PGPASSFILE: join(dir, 'tidak-ada') } });
    const checks = ok.json<{ checks: { check: string; status: string; findings: { key: string; message: string }[]; exitCode?: number }[] }>().checks;
    const line = checks.find((c) => c.check === 'basis-data')!;
    expect(line).toMatchObject({ status: 'ok', findings: [{ key: 'periksa.db.postgres.plain' }] });
    expect(line.findings[0]!.message).toContain(`masuk sebagai ${pg.adminUser}`);
    // the office schema is not made in this database: keys and audit wait, never the home's SQLite instead
    expect(checks.find((c) => c.check === 'kunci')).toMatchObject({ status: 'dilewati', findings: [{ key: 'periksa.skipped.postgres' }] });

    const bad = sandi(['--home', home, '--db', url(), 'periksa'], { env: { PGPASSWORD: 'Salah-Sekali-77', PGPASSFILE: join(dir, 'tidak-ada') } });
    expect(bad.stdout).toMatch(new RegExp(`GAGAL +basis data +Server basis data 127\\.0\\.0\\.1:${pg.port} menolak login pengguna ${pg.adminUser} ke basis data sandi`));
    expect(bad.stdout + bad.stderr).not.toContain('Salah-Sekali-77');
    const json = sandi(['--home', home, '--json', '--db', url(), 'periksa'], { env: { PGPASSWORD: 'Salah-Sekali-77', PGPASSFILE: join(dir, 'tidak-ada') } });
    expect(json.json<{ checks: { check: string; exitCode?: number }[] }>().checks.find((c) => c.check === 'basis-data')?.exitCode).toBe(77);
  });

  it('agenda on a database without the office schema: 78 naming the schema and who makes it, nothing written to the home', () => {
    const home = mkdtempSync(join(dir, 'rumah-agenda-'));
    const r = sandi(['--home', home, '--db', url(), 'agenda', 'masuk', 'daftar'], { env: { PGPASSWORD: pg.adminPassword } });
    expect(r.code).toBe(78);
    expect(r.stderr).toContain('Skema sandi');
    expect(r.stderr).toContain('pemilik');
    expect(execFileSync('ls', ['-A', home], { encoding: 'utf8' })).toBe('');
  });
});
