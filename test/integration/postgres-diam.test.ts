/**
 * A network that goes silent under a command (no FIN, no RST: a cable pulled, a NAT forgetting the flow) must not
 * freeze the officer's command for TCP's two hours, and must not break a legitimate wait for another
 * workstation's lock (issue 15). With SANDI_DB_LOCK_TIMEOUT=2 (seconds; the composition root reads it):
 * - a silent path in the middle of a unit (its COMMIT never reaches the server): the command ends with 69 naming
 *   the server within the 3 s query bound; the server ends the session it can no longer hear from after the same
 *   3 s idle inside the unit, so nothing of the unit is kept and its lock is free for the next command;
 * - a unit that waits for another session's unit lock and gets it: completes (the wait is not cut short);
 * - a unit whose wait outlasts the lock bound: 75 naming the server, "another workstation is writing", nothing kept.
 * The silent path is test/helpers/silent-proxy.ts between the CLI and a private PostgreSQL.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { peranSql } from '../../src/adapters/postgres/roles.js';
import { BIN, sandi, type CliResult } from '../helpers/cli.js';
import { describeWith } from '../helpers/gate.js';
import { postgresMissing, startPostgres, type PgServer } from '../helpers/postgres.js';
import { silentProxy, type SilentProxy } from '../helpers/silent-proxy.js';

const missing = postgresMissing();
const KEYS = resolve(import.meta.dirname, '../../keys.example');
const PASSWORD = 'uji-diam-2026';
/** the unit lock of src/adapters/postgres/store.ts (UNIT_LOCK, as the JavaScript number it is sent as) */
const UNIT_LOCK = '32476749080625250';

/** The CLI spawned without blocking this process's event loop (the proxy lives in it). */
function sandiAsync(args: string[], env: NodeJS.ProcessEnv): Promise<CliResult & { ms: number }> {
  const t0 = Date.now();
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { PATH: process.env['PATH'], HOME: process.env['HOME'], ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    const killer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('error', fail);
    child.on('close', (code) => {
      clearTimeout(killer);
      done({ code: code ?? -1, stdout, stderr, ms: Date.now() - t0, json: <T,>() => JSON.parse(stdout) as T });
    });
  });
}

const until = async (what: string, ok: () => boolean, ms: number): Promise<void> => {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`not within ${ms} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
};

describeWith(`a private PostgreSQL (${missing ?? ''})`, missing === null, 'the office database behind a network that goes silent', () => {
  let server: PgServer;
  let dir: string;
  let proxy: SilentProxy;
  let env: NodeJS.ProcessEnv;
  const url = (port: number) => `postgresql://budi@127.0.0.1:${port}/kantor`;
  const rows = (sql: string): string[] => server.psql(sql, { db: 'kantor' }).split('\n').filter((l) => l !== '');
  const impor = (port: number, slug: 'dinkes' | 'disdik', unit: string, code: string) =>
    ['--db', url(port), 'kunci', 'impor', join(KEYS, `${slug}.pub.asc`), '--peran', 'penerima', '--email', `persandian@${slug}.demo.sandi.invalid`, '--unit', unit, '--kode-unit', code];

  beforeAll(async () => {
    server = await startPostgres();
    dir = mkdtempSync(join(tmpdir(), 'sandi-pgdiam-'));
    const sql = peranSql({ officers: [{ role: 'budi', groups: ['sandiman'] }] })
      .split('\n')
      .filter((l) => !l.startsWith('--') && !l.startsWith('GRANT sandi_pemilik TO CURRENT_USER') && l.trim() !== '')
      .join('\n');
    server.psql(sql);
    server.psql(`ALTER ROLE budi PASSWORD '${PASSWORD}'; ALTER ROLE sandi_pemilik PASSWORD '${PASSWORD}';`);
    server.psql('CREATE DATABASE kantor OWNER sandi_pemilik');
    env = { SANDI_HOME: join(dir, 'rumah-budi'), SANDI_OPERATOR: 'budi', PGPASSWORD: PASSWORD, PGPASSFILE: join(dir, 'tidak-ada'), SANDI_DB_LOCK_TIMEOUT: '2' };
    const siapkan = sandi(['--db', `postgresql://sandi_pemilik@127.0.0.1:${server.port}/kantor`, 'db', 'siapkan'], { env: { ...env, SANDI_HOME: join(dir, 'admin') } });
    expect(siapkan.code, siapkan.stderr).toBe(0);
    proxy = await silentProxy({ host: '127.0.0.1', port: server.port });
  }, 60_000);
  afterAll(async () => {
    await proxy?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
    await server?.stop();
  });

  it('the path goes silent as a unit commits: 69 naming the server within the bound; the server drops the unit and its lock', async () => {
    const events = rows('SELECT count(*) FROM sandi.audit_log');
    // silent from the moment the client sends the unit's COMMIT (after it wrote the key row): the server never sees it
    let wrote = false;
    proxy.silenceWhen = (chunk) => {
      const text = chunk.toString('latin1');
      if (/INSERT INTO kunci/i.test(text)) wrote = true;
      return wrote && /\bCOMMIT\b/.test(text);
    };
    const r = await sandiAsync(impor(proxy.port, 'dinkes', 'Dinas Kesehatan', 'DINKES'), env);
    expect(proxy.silent, 'the proxy went silent at the COMMIT').toBe(true);
    expect(r.code, r.stderr).toBe(69);
    expect(r.stderr).toContain(`127.0.0.1:${proxy.port}`);
    expect(r.stderr).toMatch(/terputus di tengah perintah/);
    // the query bound (3 s) and the process's start, never TCP's hours
    expect(r.ms).toBeLessThan(12_000);

    // the server ends the session that went quiet inside the unit (idle_in_transaction_session_timeout, 3 s)
    await until('the server ends the silent session', () => rows("SELECT count(*) FROM pg_stat_activity WHERE usename = 'budi'")[0] === '0', 10_000);
    expect(rows("SELECT count(*) FROM sandi.kunci WHERE user_id LIKE '%dinkes%'")).toEqual(['0']);
    expect(rows('SELECT count(*) FROM sandi.audit_log')).toEqual(events);

    // its unit lock is free: the same command straight to the server completes at once
    const again = await sandiAsync(impor(server.port, 'dinkes', 'Dinas Kesehatan', 'DINKES'), env);
    expect(again.code, again.stderr).toBe(0);
    expect(rows("SELECT count(*) FROM sandi.kunci WHERE user_id LIKE '%dinkes%'")).toEqual(['1']);
  }, 30_000);

  it('a unit that waits for another session\'s unit lock gets it; one that waits longer than the bound is 75, nothing kept', async () => {
    const holder = new pg.Client({ host: '127.0.0.1', port: server.port, user: server.adminUser, password: server.adminPassword, database: 'kantor' });
    holder.on('error', () => undefined); // ended with the server when a failed test leaves it open
    await holder.connect();
    const waiting = (): boolean =>
      rows(`SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a USING (pid) WHERE l.locktype = 'advisory' AND NOT l.granted AND a.usename = 'budi'`)[0] === '1';
    try {
      // another workstation's unit holds the lock; this one waits, and gets it when that one commits
      await holder.query('BEGIN');
      await holder.query('SELECT pg_advisory_xact_lock($1::bigint)', [UNIT_LOCK]);
      const pending = sandiAsync(impor(server.port, 'disdik', 'Dinas Pendidikan', 'DISDIK'), env);
      await until('the command waits on the unit lock (has UNIT_LOCK in src/adapters/postgres/store.ts changed?)', waiting, 10_000);
      await new Promise((r) => setTimeout(r, 500));
      await holder.query('COMMIT');
      const waited = await pending;
      expect(waited.code, waited.stderr).toBe(0);
      expect(rows("SELECT count(*) FROM sandi.kunci WHERE user_id LIKE '%disdik%'")).toEqual(['1']);

      // held past the 2 s bound: 75, the message says another workstation is writing, nothing written
      const events = rows('SELECT count(*) FROM sandi.audit_log');
      await holder.query('BEGIN');
      await holder.query('SELECT pg_advisory_xact_lock($1::bigint)', [UNIT_LOCK]);
      const busy = await sandiAsync([...impor(server.port, 'dinkes', 'Dinas Kesehatan', 'DINKES').slice(0, 4), join(KEYS, 'kasi.pub.asc'), '--peran', 'kasi'], env);
      expect(busy.code, busy.stderr).toBe(75);
      expect(busy.stderr).toMatch(/Komputer kerja lain \(atau proses sandi lain\) sedang menulis di basis data kantor kantor \(127\.0\.0\.1:\d+\) dan tidak selesai dalam 2 detik/);
      expect(busy.ms).toBeLessThan(12_000);
      await holder.query('COMMIT');
      expect(rows("SELECT count(*) FROM sandi.kunci WHERE user_id LIKE '%kasi%'")).toEqual(['0']);
      expect(rows('SELECT count(*) FROM sandi.audit_log')).toEqual(events);
    } finally {
      await holder.end();
    }
  }, 30_000);
});
