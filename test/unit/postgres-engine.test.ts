/**
 * Choosing the engine (issue 15 §1), pure: --db beats SANDI_DB beats config.json "db" beats the home's SQLite;
 * the PostgreSQL URL's parts, defaults and refusals (a password inside it above all, never echoed); libpq's
 * ~/.pgpass rules; the password sources in order; the classification of connection faults.
 */
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { chooseEngine, matchPgpass, parseDbUrl, parsePgpass, redactDbUrl } from '../../src/config/db.js';
import { resolveDbPassword, type DbPasswordWarning } from '../../src/config/db-password.js';
import { withoutSecrets } from '../../src/config/child-env.js';
import { pgFaultError, pgFaultKind } from '../../src/adapters/postgres/connect.js';
import { validateConfig } from '../../src/config/config.js';
import { SandiError } from '../../src/errors.js';

const base = { env: {}, osUser: 'petugas' };
const flag = { ...base, source: 'flag' as const };

function refusal(fn: () => unknown): SandiError {
  try {
    fn();
  } catch (e) {
    if (e instanceof SandiError) return e;
    throw e;
  }
  throw new Error('nothing thrown');
}

describe('the PostgreSQL URL', () => {
  it('gives host, port, user, database and TLS options; defaults 5432, TLS off on loopback and verify-full elsewhere', () => {
    expect(parseDbUrl('postgresql://sandiman1@db.kominfo.go.id:6543/kantor?sslmode=verify-ca&sslrootcert=/etc/sandi/ca.crt&connect_timeout=5', flag)).toEqual({
      host: 'db.kominfo.go.id',
      port: 6543,
      user: 'sandiman1',
      database: 'kantor',
      sslmode: 'verify-ca',
      sslrootcert: '/etc/sandi/ca.crt',
      connectTimeoutMs: 5000,
    });
    expect(parseDbUrl('postgres://kasi@db.kominfo.go.id/sandi', flag)).toMatchObject({ port: 5432, sslmode: 'verify-full' });
    expect(parseDbUrl('postgresql://kasi@127.0.0.1:5433/sandi', flag)).toMatchObject({ sslmode: 'disable' });
    expect(parseDbUrl('postgresql://kasi@[::1]:5433/sandi', flag)).toMatchObject({ host: '::1', sslmode: 'disable' });
    // percent-encoded names; without a user: PGUSER, else the OS user (libpq's defaults)
    expect(parseDbUrl('postgresql://sandi%40kota@h/buku%20agenda', flag)).toMatchObject({ user: 'sandi@kota', database: 'buku agenda' });
    expect(parseDbUrl('postgresql://h/sandi', flag).user).toBe('petugas');
    expect(parseDbUrl('postgresql://h/sandi', { ...flag, env: { PGUSER: 'adum' } }).user).toBe('adum');
  });

  it('refuses a password inside it (65 from --db and SANDI_DB, 78 from config.json) without echoing it', () => {
    const e = refusal(() => parseDbUrl('postgresql://kasi:Rahasia-Sekali-9@db.kota.go.id/sandi', flag));
    expect(e).toMatchObject({ code: 'DATA', key: 'db.url.password', hint: 'db.url.password.hint' });
    expect(e.exitCode).toBe(65);
    expect(e.params['where']).toBe('--db');
    expect(JSON.stringify(e.params)).not.toContain('Rahasia-Sekali-9');
    expect(e.params['url']).toBe('postgresql://kasi:***@db.kota.go.id/sandi');
    expect(refusal(() => parseDbUrl('postgresql://kasi:x@h/sandi', { ...base, source: 'env' })).params['where']).toBe('SANDI_DB');
    const c = refusal(() => parseDbUrl('postgresql://kasi:x@h/sandi', { ...base, source: 'config', file: '/rumah/config.json' }));
    expect(c.code).toBe('CONFIG');
    expect(c.params['where']).toContain('/rumah/config.json');
  });

  it('refuses what it cannot use, naming the problem', () => {
    const key = (url: string): string => refusal(() => parseDbUrl(url, flag)).key;
    expect(key('mysql://a@h/db')).toBe('db.url.scheme');
    expect(key('bukan url')).toBe('db.url.invalid');
    expect(key('postgresql://a@h')).toBe('db.url.noDatabase');
    expect(key('postgresql://a@h/')).toBe('db.url.noDatabase');
    expect(key('postgresql://a@h/db?sslmode=prefer')).toBe('db.url.sslmode');
    expect(key('postgresql://a@h/db?sslmode=allow')).toBe('db.url.sslmode');
    expect(key('postgresql://a@h/db?password=x')).toBe('db.url.unknownParam');
    expect(key('postgresql://a@h/db?connect_timeout=0')).toBe('db.url.param');
    expect(refusal(() => parseDbUrl('postgresql://a@h/db?sslmod=require', flag)).params['known']).toContain('sslmode');
  });

  it('is shown without password or query', () => {
    expect(redactDbUrl('postgresql://a:b@h:1/db?sslrootcert=/x')).toBe('postgresql://a:***@h:1/db');
    expect(redactDbUrl('postgresql://a:b c@h/db')).not.toContain('b c');
    expect(redactDbUrl('bukan url')).toBe('bukan url');
  });
});

describe('choosing the engine', () => {
  const input = { env: {} as NodeJS.ProcessEnv, sqlitePath: '/rumah/sandi.db', home: '/rumah', osUser: 'petugas' };
  const config = { url: 'postgresql://kasi@db.kota.go.id/sandi', sslrootcert: 'ca/kantor.crt', passwordCommand: ['pass', 'show', 'sandi-db'] };

  it('--db, else SANDI_DB, else config.json "db", else the home SQLite', () => {
    expect(chooseEngine(input)).toEqual({ kind: 'sqlite', path: '/rumah/sandi.db' });
    const fromConfig = chooseEngine({ ...input, config });
    expect(fromConfig).toMatchObject({ kind: 'postgresql', source: 'config', display: 'postgresql://kasi@db.kota.go.id:5432/sandi', passwordCommand: ['pass', 'show', 'sandi-db'] });
    // a relative CA file is from the home folder
    expect(fromConfig.kind === 'postgresql' && fromConfig.options.sslrootcert).toBe('/rumah/ca/kantor.crt');
    const fromEnv = chooseEngine({ ...input, config, env: { SANDI_DB: 'postgresql://adum@db2/kantor' } });
    expect(fromEnv).toMatchObject({ kind: 'postgresql', source: 'env', display: 'postgresql://adum@db2:5432/kantor' });
    const fromFlag = chooseEngine({ ...input, config, env: { SANDI_DB: 'postgresql://adum@db2/kantor' }, flag: 'postgresql://caraka@db3/x' });
    expect(fromFlag).toMatchObject({ kind: 'postgresql', source: 'flag', display: 'postgresql://caraka@db3:5432/x' });
    expect(chooseEngine({ ...input, env: { SANDI_DB: '  ' } }).kind).toBe('sqlite');
  });

  it('--db takes a value: the word after it is not the command group', async () => {
    const { groupsFor } = await import('../../src/cli/index.js');
    expect(groupsFor(['--db', 'postgresql://kasi@db/sandi', 'agenda', 'masuk', 'daftar'])).toEqual(['agenda']);
  });

  it('config.json "db" is checked by the schema, and its passwordCommand is not taken for a secret', () => {
    const raw = { version: 1, office: { name: 'Diskominfo', unitCode: 'DKI' }, archiveKey: 'A'.repeat(40), db: { ...config, sslmode: 'verify-full' } };
    expect(validateConfig(raw, 'config.json').db).toEqual({ ...config, sslmode: 'verify-full' });
    expect(refusal(() => validateConfig({ ...raw, db: { url: 'postgresql://a@h/d', sslmode: 'prefer' } }, 'config.json')).params['key']).toBe('db.sslmode');
    expect(refusal(() => validateConfig({ ...raw, db: { url: 'postgresql://a@h/d', password: 'x' } }, 'config.json')).key).toBe('config.secretInFile');
  });
});

describe('~/.pgpass (libpq rules) and the password sources', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sandi-pgpass-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const target = { host: 'db.kota.go.id', port: 5432, database: 'sandi', user: 'kasi', sslmode: 'verify-full' as const };

  it('matches the first line whose fields equal the connection or are *; \\: and \\\\ are escapes', () => {
    const entries = parsePgpass(['# komentar', 'db.kota.go.id:5432:lain:kasi:bukan', 'db.kota.go.id:*:sandi:kasi:sa\\:ndi\\\\1:ekor', '*:*:*:*:cadangan', 'rusak:baris'].join('\n'));
    expect(entries).toHaveLength(3);
    expect(matchPgpass(entries, target)).toBe('sa:ndi\\1:ekor');
    expect(matchPgpass(entries, { ...target, user: 'adum' })).toBe('cadangan');
    expect(matchPgpass(parsePgpass('h\\:x:5432:sandi:kasi:p'), { ...target, host: 'h:x' })).toBe('p');
    expect(matchPgpass(parsePgpass('db.kota.go.id:5433:sandi:kasi:p\r\n'), target)).toBeNull();
  });

  it('PGPASSWORD first, then the password file (ignored with a warning when others may read it), then passwordCommand', () => {
    const file = join(dir, 'pgpass');
    writeFileSync(file, 'db.kota.go.id:5432:sandi:kasi:dari-berkas\n', { mode: 0o600 });
    chmodSync(file, 0o600);
    const warnings: DbPasswordWarning[] = [];
    const warn = (w: DbPasswordWarning): void => void warnings.push(w);
    expect(resolveDbPassword(target, { PGPASSWORD: 'dari-env', PGPASSFILE: file }, undefined, warn)).toEqual({ password: 'dari-env', source: 'PGPASSWORD' });
    expect(resolveDbPassword(target, { PGPASSFILE: file }, ['false'], warn)).toEqual({ password: 'dari-berkas', source: 'pgpass', file });
    expect(warnings).toEqual([]);
    chmodSync(file, 0o644);
    expect(resolveDbPassword(target, { PGPASSFILE: file, PATH: process.env['PATH'] ?? '' }, ['printf', 'dari-perintah\\nbaris-dua'], warn)).toEqual({ password: 'dari-perintah', source: 'perintah' });
    expect(warnings).toEqual([{ key: 'db.pgpass.tooOpen', params: { file, mode: '0644' } }]);
    expect(resolveDbPassword(target, { PGPASSFILE: join(dir, 'tidak-ada') }, undefined)).toEqual({ password: undefined, source: 'tanpa' });
    const failed = refusal(() => resolveDbPassword(target, { PGPASSFILE: join(dir, 'tidak-ada'), PATH: process.env['PATH'] ?? '' }, ['false']));
    expect(failed).toMatchObject({ code: 'CONFIG', key: 'db.passwordCommandFailed', params: { command: 'false', reason: 'exit 1' } });
  });

  it('PGPASSWORD is not handed to the programs sandi runs (password commands, lp)', () => {
    expect(withoutSecrets({ PATH: '/bin', PGPASSWORD: 'x', PGPASSFILE: '/p', PGUSER: 'kasi' })).toEqual({ PATH: '/bin', PGPASSFILE: '/p', PGUSER: 'kasi' });
  });
});

describe('connection faults', () => {
  const o = { host: 'db.kota.go.id', port: 5432, user: 'kasi', database: 'sandi', password: 'Rahasia-9', sslmode: 'verify-full' as const, sslrootcert: '/etc/ca.crt' };
  const ctx = { passwordSource: '/home/kasi/.pgpass', pgpassFile: '/home/kasi/.pgpass' };

  it('sorts each error into its fault: unreachable 69, password 77, database 78, TLS 78', () => {
    const cases: [Record<string, string>, string, string, number][] = [
      [{ code: 'ECONNREFUSED', message: 'connect ECONNREFUSED 10.0.0.5:5432' }, 'unreachable', 'db.unreachable', 69],
      [{ message: 'Connection terminated due to connection timeout' }, 'unreachable', 'db.unreachable', 69],
      [{ code: 'ENOTFOUND', message: 'getaddrinfo ENOTFOUND db.kota.go.id' }, 'unreachable', 'db.unreachable', 69],
      [{ code: '57P03', message: 'the database system is starting up' }, 'unreachable', 'db.unreachable', 69],
      [{ code: '28P01', message: 'password authentication failed for user "kasi"' }, 'auth', 'db.authFailed', 77],
      [{ code: '28000', message: 'role "kasi" does not exist' }, 'auth', 'db.authFailed', 77],
      [{ message: 'SASL: SCRAM-SERVER-FIRST-MESSAGE: client password must be a string' }, 'passwordMissing', 'db.passwordMissing', 77],
      [{ code: '3D000', message: 'database "sandi" does not exist' }, 'databaseMissing', 'db.databaseMissing', 78],
      [{ code: 'SELF_SIGNED_CERT_IN_CHAIN', message: 'self-signed certificate in certificate chain' }, 'tls', 'db.tls', 78],
      [{ code: 'ERR_TLS_CERT_ALTNAME_INVALID', message: "Hostname/IP does not match certificate's altnames" }, 'tls', 'db.tls', 78],
      [{ message: 'The server does not support SSL connections' }, 'tls', 'db.tls', 78],
      [{ code: 'SANDI_SSLROOTCERT_UNREADABLE', message: 'cannot read' }, 'caUnreadable', 'db.caUnreadable', 78],
      [{ code: '42501', message: 'permission denied for database sandi' }, 'other', 'db.failed', 69],
    ];
    for (const [err, kind, key, exit] of cases) {
      expect(pgFaultKind(err as { message: string }), err.message).toBe(kind);
      const s = pgFaultError(err as { message: string }, o, ctx);
      expect([s.key, s.exitCode], err.message).toEqual([key, exit]);
      expect(s.params).toMatchObject({ host: 'db.kota.go.id', port: 5432, user: 'kasi', database: 'sandi' });
    }
  });

  it('never puts the password into the message, even when a library quotes it', () => {
    const s = pgFaultError({ code: 'XX000', message: 'weird failure near "Rahasia-9"' }, o, ctx);
    expect(JSON.stringify(s.params)).not.toContain('Rahasia-9');
  });
});
