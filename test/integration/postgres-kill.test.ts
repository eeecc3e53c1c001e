/**
 * The office database killed under the CLI (issue 15 §3): one private PostgreSQL, two sandiman workstations.
 *  - the server crashes (pg_ctl stop -m immediate) while a unit of work is open: the unit's error is the 69 the
 *    user sees naming host:port (not an internal error), nothing of the unit is left after the restart, no number
 *    taken, the audit chain valid, the next command works;
 *  - while the server is down a command exits 69 naming host:port within seconds, writes nothing and never
 *    falls back to the home's SQLite file;
 *  - a process killed during a send (its connection dropped after delivering, before recording): the row is
 *    left for recovery, and `kirim lanjut` at the OTHER workstation resolves it with no second message.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { listMaildir } from '../../src/adapters/maildir.js';
import { peranSql } from '../../src/adapters/postgres/roles.js';
import { openApp } from '../../src/app.js';
import { loadPostgresOffice } from '../../src/app/postgres.js';
import { SandiError } from '../../src/errors.js';
import { sandi, type CliResult } from '../helpers/cli.js';
import { cutProxy } from '../helpers/cut-proxy.js';
import { describeWith } from '../helpers/gate.js';
import { postgresMissing, postmasterAlive, startPostgres, type PgServer } from '../helpers/postgres.js';

// openApp on PostgreSQL uses the PostgreSQL side of the composition root, loaded first (the CLI's preAction hook does it)
await loadPostgresOffice();

const missing = postgresMissing();
const KEYS = resolve(import.meta.dirname, '../../keys.example');
const manifest = JSON.parse(readFileSync(join(KEYS, 'manifest.json'), 'utf8')) as {
  keys: { slug: string; role: string; fingerprint: string; email: string; passphrase: string; unit: string | null; unitCode: string | null }[];
};
const key = (slug: string) => manifest.keys.find((k) => k.slug === slug)!;
const PASSWORD = 'uji-mati-2026';

describeWith(`a private PostgreSQL (${missing ?? ''})`, missing === null, 'the office database killed under the CLI', () => {
  let pg: PgServer;
  let dir: string;
  let homeA: string;
  let homeC: string;
  let envA: NodeJS.ProcessEnv;
  let envC: NodeJS.ProcessEnv;
  let doc: string;
  const url = (user: string) => `postgresql://${user}@127.0.0.1:${pg.port}/kantor`;
  const envOf = (home: string, operator: string): NodeJS.ProcessEnv => ({ SANDI_HOME: home, SANDI_OPERATOR: operator, PGPASSWORD: PASSWORD, PGPASSFILE: join(dir, 'tidak-ada'), PGCONNECT_TIMEOUT: '3' });
  const ok = (r: CliResult, what: string): CliResult => {
    expect(r.code, `${what}\n${r.stderr}\n${r.stdout}`).toBe(0);
    return r;
  };
  const pgRows = (sql: string): string[] => pg.psql(sql, { db: 'kantor' }).split('\n').filter((l) => l !== '');
  const kirim = (env: NodeJS.ProcessEnv, perihal: string, extra: NodeJS.ProcessEnv = {}) =>
    sandi(['kirim', doc, '--biasa', '--no-input', '--json', '--kepada', key('dinkes').email, '--perihal', perihal], {
      env: { ...env, SANDI_PASSPHRASE_SANDIMAN: key('sandiman').passphrase, ...extra },
    });

  beforeAll(() => {
    return (async () => {
      pg = await startPostgres();
      dir = mkdtempSync(join(tmpdir(), 'sandi-pgmati-'));
      homeA = join(dir, 'rumah-budi');
      homeC = join(dir, 'rumah-rina');
      envA = envOf(homeA, 'budi');
      envC = envOf(homeC, 'rina');
      const sql = peranSql({ officers: [{ role: 'budi', groups: ['sandiman'] }, { role: 'rina', groups: ['sandiman'] }] })
        .split('\n')
        .filter((l) => !l.startsWith('--') && !l.startsWith('GRANT sandi_pemilik TO CURRENT_USER') && l.trim() !== '')
        .join('\n');
      pg.psql(sql);
      pg.psql(`ALTER ROLE budi PASSWORD '${PASSWORD}'; ALTER ROLE rina PASSWORD '${PASSWORD}'; ALTER ROLE sandi_pemilik PASSWORD '${PASSWORD}';`);
      pg.psql('CREATE DATABASE kantor OWNER sandi_pemilik');
      ok(sandi(['--db', url('sandi_pemilik'), 'db', 'siapkan'], { env: envOf(join(dir, 'admin'), 'admin') }), 'db siapkan');
      // both workstations share one archive folder and one local Maildir (as an office shares a network folder)
      const shared = join(dir, 'arsip-kantor');
      const mail = join(dir, 'maildir-kantor');
      mkdirSync(shared, { mode: 0o700 });
      mkdirSync(mail, { mode: 0o700 });
      for (const [home, env] of [[homeA, envA], [homeC, envC]] as const) {
        const db = ['--db', url(env['SANDI_OPERATOR']!)];
        ok(sandi([...db, 'kunci', 'impor', join(KEYS, 'arsip.sec.asc'), '--peran', 'arsip'], { env }), `${home}: arsip`);
        ok(sandi([...db, 'kunci', 'impor', join(KEYS, 'sandiman.sec.asc'), '--peran', 'sandiman'], { env }), `${home}: sandiman`);
        ok(sandi([...db, 'kunci', 'impor', join(KEYS, 'kasi.pub.asc'), '--peran', 'kasi'], { env }), `${home}: kasi`);
        const d = key('dinkes');
        ok(sandi([...db, 'kunci', 'impor', join(KEYS, 'dinkes.pub.asc'), '--peran', 'penerima', '--email', d.email, '--unit', d.unit!, '--kode-unit', d.unitCode!], { env }), `${home}: dinkes`);
        ok(sandi([...db, 'init', '--no-input', '--nama-kantor', 'Diskominfo Contoh', '--kode-unit', 'DKI', '--kunci-arsip', key('arsip').fingerprint, '--izinkan-kunci-demo'], { env }), `${home}: init`);
        for (const [sub, target] of [['arsip', shared], ['maildir', mail]] as const) {
          rmSync(join(home, sub), { recursive: true, force: true });
          symlinkSync(target, join(home, sub));
        }
      }
      doc = join(dir, 'surat.txt');
      writeFileSync(doc, 'Surat biasa.\n');
      ok(kirim(envA, 'Pertama'), 'the first letter');
    })();
  }, 90_000);
  afterAll(async () => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    await pg?.stop();
  });

  it('the server killed inside an open unit of work: 69 naming host:port, nothing of the unit after the restart', () => {
    const before = pgRows('SELECT count(*) FROM sandi.audit_log').join();
    const app = openApp(homeA, undefined, { env: envA });
    let thrown: unknown;
    const since = Date.now();
    try {
      app.registers().write((uow) => {
        uow.anotasi.annotate({ buku: 'surat_keluar', baris: 1, actor: 'budi', catatan: 'setengah jalan' }, new Date());
        uow.audit(new Date(), { actor: 'budi', action: 'uji.setengah', entity: 'surat_keluar', entityId: '1' });
        pg.crash();
        uow.anotasi.annotate({ buku: 'surat_keluar', baris: 1, actor: 'budi', catatan: 'sesudah mati' }, new Date());
      });
    } catch (e) {
      thrown = e;
    } finally {
      app.close();
    }
    expect(Date.now() - since).toBeLessThan(15_000);
    expect(thrown).toBeInstanceOf(SandiError);
    expect(thrown).toMatchObject({ exitCode: 69, params: { host: '127.0.0.1', port: pg.port } });

    // while the server is down: 69 naming host:port, within seconds, nothing written, no SQLite file
    const t0 = Date.now();
    const down = kirim(envA, 'Saat server mati');
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(down.code, down.stderr).toBe(69);
    expect(down.stderr).toContain(`127.0.0.1:${pg.port}`);
    expect(existsSync(join(homeA, 'sandi.db'))).toBe(false);

    pg.restart();
    expect(pgRows('SELECT count(*) FROM sandi.anotasi')).toEqual(['0']);
    expect(pgRows('SELECT count(*) FROM sandi.audit_log').join()).toBe(before);
    expect(pgRows("SELECT count(*) FROM sandi.audit_log WHERE action = 'uji.setengah'")).toEqual(['0']);
    ok(sandi(['audit', 'periksa', '--json'], { env: envA }), 'audit periksa after the crash');
    // the next command works and takes the next number: none was lost
    ok(kirim(envA, 'Sesudah pulih'), 'kirim after the restart');
    expect(pgRows('SELECT urut FROM sandi.surat_keluar ORDER BY urut').map(Number)).toEqual([1, 2]);
  }, 60_000);

  it('the server killed while another process waits inside a unit of work: it ends within seconds with 69', async () => {
    if (!postmasterAlive(pg.dir)) pg.restart();
    const signal = join(dir, 'unit-terbuka');
    const child = spawn(process.execPath, [resolve(import.meta.dirname, '../helpers/pg-unit-holder.mjs'), homeA, signal], {
      env: { PATH: process.env['PATH'], HOME: process.env['HOME'], ...envA },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number>((done) => child.on('close', (code) => done(code ?? -1)));
    try {
      for (const t0 = Date.now(); !existsSync(signal); ) {
        if (Date.now() - t0 > 15_000) throw new Error(`the holder never opened its unit:\n${out}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      await new Promise((r) => setTimeout(r, 200)); // it is now inside pg_sleep, on Atomics.wait
      pg.crash();
      const killedAt = Date.now();
      const code = await Promise.race([exited, new Promise<number>((r) => setTimeout(() => r(-2), 15_000))]);
      const took = Date.now() - killedAt;
      expect(code, out).toBe(69);
      expect(out).toContain('db.connectionLost');
      expect(took).toBeLessThan(5_000);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      pg.restart();
    }
    expect(pgRows('SELECT count(*) FROM sandi.anotasi')).toEqual(['0']);
    ok(sandi(['audit', 'periksa', '--json'], { env: envA }), 'audit periksa after the crash');
  }, 40_000);

  it('the network cut (RST) in the middle of a response inside a unit of work: 69 within seconds, nothing kept', async () => {
    if (!postmasterAlive(pg.dir)) pg.restart();
    // the proxy runs on this thread's event loop: the holder is another process (its thread blocks on Atomics.wait)
    const proxy = await cutProxy({ host: '127.0.0.1', port: pg.port }, () => ({ afterBytes: 400_000, how: 'reset' }));
    try {
      const t0 = Date.now();
      const child = spawn(process.execPath, [resolve(import.meta.dirname, '../helpers/pg-unit-holder.mjs'), homeA, join(dir, 'unit-besar'), 'besar'], {
        env: { PATH: process.env['PATH'], HOME: process.env['HOME'], ...envA, SANDI_DB: `postgresql://budi@127.0.0.1:${proxy.port}/kantor?sslmode=disable` },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr.on('data', (d: Buffer) => (out += d.toString()));
      const code = await Promise.race([new Promise<number>((done) => child.on('close', (c) => done(c ?? -1))), new Promise<number>((r) => setTimeout(() => r(-2), 20_000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
      expect(proxy.cuts, out).toBeGreaterThan(0);
      expect(code, out).toBe(69);
      expect(out).toContain('db.connectionLost');
      expect(Date.now() - t0).toBeLessThan(10_000);
    } finally {
      await proxy.close();
    }
    expect(pgRows('SELECT count(*) FROM sandi.anotasi')).toEqual(['0']);
  }, 40_000);

  it('a backend terminated inside an open unit of work (network cut, administrator): 69, nothing of the unit kept', () => {
    if (!postmasterAlive(pg.dir)) pg.restart();
    const before = pgRows('SELECT count(*) FROM sandi.audit_log').join();
    const app = openApp(homeC, undefined, { env: envC });
    let thrown: unknown;
    try {
      app.registers().write((uow) => {
        uow.anotasi.annotate({ buku: 'surat_keluar', baris: 1, actor: 'rina', catatan: 'setengah jalan' }, new Date());
        pg.psql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = 'rina'");
        uow.anotasi.annotate({ buku: 'surat_keluar', baris: 1, actor: 'rina', catatan: 'sesudah putus' }, new Date());
      });
    } catch (e) {
      thrown = e;
    } finally {
      app.close();
    }
    expect(thrown).toBeInstanceOf(SandiError);
    expect(thrown).toMatchObject({ exitCode: 69, key: 'db.connectionLost', params: { host: '127.0.0.1', port: pg.port, user: 'rina' } });
    expect(pgRows('SELECT count(*) FROM sandi.anotasi')).toEqual(['0']);
    expect(pgRows('SELECT count(*) FROM sandi.audit_log').join()).toBe(before);
    ok(sandi(['audit', 'periksa', '--json'], { env: envC }), 'audit periksa after the cut');
  }, 30_000);

  it('a live kirim whose session drops right after delivering: 69, the row tidak_pasti, lanjut elsewhere sends no second copy', () => {
    if (!postmasterAlive(pg.dir)) pg.restart();
    const perihal = 'Sesi putus saat kirim';
    const r = spawnSync(process.execPath, [resolve(import.meta.dirname, '../helpers/pg-send-cut.mjs'), homeA, doc, key('dinkes').email, perihal], {
      env: { PATH: process.env['PATH'], HOME: process.env['HOME'], ...envA, SANDI_PASSPHRASE_SANDIMAN: key('sandiman').passphrase },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(r.status, `${r.stdout}\n${r.stderr}`).toBe(69);
    expect(r.stdout).toContain('db.connectionLost');
    const [state] = pgRows(`SELECT status FROM sandi.surat_keluar WHERE perihal = '${perihal}'`);
    expect(state).toBe('tidak_pasti');
    ok(sandi(['kirim', 'lanjut', '--json'], { env: envC }), 'lanjut at the other workstation');
    expect(pgRows(`SELECT status FROM sandi.surat_keluar WHERE perihal = '${perihal}'`)).toEqual(['terkirim']);
    const [mid] = pgRows(`SELECT message_id FROM sandi.surat_keluar WHERE perihal = '${perihal}'`);
    for (const box of readdirSync(join(dir, 'maildir-kantor'))) {
      const copies = listMaildir(join(dir, 'maildir-kantor', box)).filter((m) => readFileSync(m.path, 'utf8').includes(mid!));
      expect(copies.length, box).toBe(1);
    }
    ok(sandi(['audit', 'periksa', '--json'], { env: envC }), 'audit periksa after the cut send');
  }, 40_000);

  it('a process dropped during a send: kirim lanjut at the other workstation sends it once', () => {
    if (!postmasterAlive(pg.dir)) pg.restart();
    const cut = kirim(envA, 'Terputus saat kirim', { SANDI_TEST_CRASH_AT: 'sebelum-dicatat' });
    expect(cut.code).not.toBe(0);
    const [state] = pgRows("SELECT status FROM sandi.surat_keluar WHERE perihal = 'Terputus saat kirim'");
    // delivered but not recorded: the server rolled back the dropped session's open unit, the row waits for recovery
    expect(state).toBe('tidak_pasti');
    const res = ok(sandi(['kirim', 'lanjut', '--json'], { env: envC }), 'lanjut at the other workstation');
    expect(res.stdout).toContain('terkirim');
    expect(pgRows("SELECT status FROM sandi.surat_keluar WHERE perihal = 'Terputus saat kirim'")).toEqual(['terkirim']);
    const [mid] = pgRows("SELECT message_id FROM sandi.surat_keluar WHERE perihal = 'Terputus saat kirim'");
    // exactly one copy in every Maildir (the recipient's and Sent), none left in tmp/
    const boxes = readdirSync(join(dir, 'maildir-kantor'));
    expect(boxes.length).toBeGreaterThan(1);
    for (const box of boxes) {
      const copies = listMaildir(join(dir, 'maildir-kantor', box)).filter((m) => readFileSync(m.path, 'utf8').includes(mid!));
      expect(copies.length, box).toBe(1);
      expect(readdirSync(join(dir, 'maildir-kantor', box, 'tmp')), box).toEqual([]);
    }
    // and a second lanjut has nothing left to do
    expect(ok(sandi(['kirim', 'lanjut', '--json'], { env: envA }), 'lanjut again').json<{ rows: unknown[] }>().rows).toEqual([]);
    ok(sandi(['audit', 'periksa', '--json'], { env: envC }), 'audit periksa at the other workstation');
  }, 60_000);
});
