/**
 * `kirim lanjut` from two workstations on one office database (issue 15 "One at a time across workstations"):
 * a workstation claims the outgoing rows it works on with a row lock, `FOR UPDATE SKIP LOCKED`, held on a
 * connection of its own for the whole send (src/adapters/postgres/claim.ts), so
 *  - two `lanjut` at once over the same rows send each row exactly once (one copy in every Maildir);
 *  - a row another workstation holds is skipped at once (reported `sedang-diproses`), never waited for, and
 *    the server itself sees the claim as a locked row (a third client's FOR UPDATE SKIP LOCKED skips it);
 *  - a workstation killed while holding claims frees them with its connection: the next `lanjut` sends them.
 * The rows are ordinary letters left `tidak_pasti` by a send killed before its first byte (the crash hook), which
 * `lanjut` sends to the local Maildirs. Both homes share one archive folder and one Maildir folder.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { listMaildir } from '../../src/adapters/maildir.js';
import { pgAgendaBooks, pgExportQuery } from '../../src/adapters/postgres/agenda.js';
import { migratePg } from '../../src/adapters/postgres/migrate.js';
import { peranSql } from '../../src/adapters/postgres/roles.js';
import { openPgSync } from '../../src/adapters/postgres/sync-client.js';
import { KRIPTOGRAM_KELUAR } from '../../src/domain/register-catalog.js';
import { BIN, type CliResult } from '../helpers/cli.js';
import { describeWith } from '../helpers/gate.js';
import { postgresMissing, startPostgres, type PgServer } from '../helpers/postgres.js';

const missing = postgresMissing();
const KEYS = resolve(import.meta.dirname, '../../keys.example');
const DIST = resolve(import.meta.dirname, '../../dist');
const manifest = JSON.parse(readFileSync(join(KEYS, 'manifest.json'), 'utf8')) as {
  keys: { slug: string; fingerprint: string; email: string; passphrase: string; unit: string | null; unitCode: string | null }[];
};
const key = (slug: string) => manifest.keys.find((k) => k.slug === slug)!;
const PASSWORD = 'uji-klaim-2026';

/** The CLI without waiting (several at once), killed after `timeoutMs`. */
function run(args: string[], env: NodeJS.ProcessEnv, timeoutMs = 60_000): Promise<CliResult & { ms: number }> {
  const t0 = Date.now();
  return new Promise((done) => {
    const p = spawn(process.execPath, [BIN, ...args], { env: { PATH: process.env['PATH'], HOME: process.env['HOME'], ...env }, stdio: ['ignore', 'pipe', 'pipe'], timeout: timeoutMs, killSignal: 'SIGKILL' });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    p.on('close', (code) => done({ code: code ?? -1, stdout, stderr, json: <T>() => JSON.parse(stdout) as T, ms: Date.now() - t0 }));
  });
}

/**
 * A workstation that claims rows and holds them (the claim port kirim's steps use, from dist/ as the CLI runs
 * it): it writes `signal` once it holds them all, then sleeps until killed.
 */
const HOLDER = `
const [home, signal, ...ids] = process.argv.slice(1);
const { openApp } = await import(${JSON.stringify(pathToFileURL(join(DIST, 'app.js')).href)});
const { loadPostgresOffice } = await import(${JSON.stringify(pathToFileURL(join(DIST, 'app/postgres.js')).href)});
await loadPostgresOffice();
const { kirimPorts } = await import(${JSON.stringify(pathToFileURL(join(DIST, 'app/kirim.js')).href)});
const { mkdirSync, writeFileSync } = await import('node:fs');
const app = openApp(home, undefined, { env: process.env });
const ports = kirimPorts(app, process.env);
mkdirSync(home + '/.kirim-klaim', { recursive: true, mode: 0o700 });
const held = ids.map((id) => ports.tryClaim(home + '/.kirim-klaim/surat_keluar-' + id + '.lock'));
writeFileSync(signal, JSON.stringify(held.map((c) => c !== null)));
setInterval(() => undefined, 60_000);
`;

interface Lanjut {
  rows: { buku: string; id: number; from: string; to: string; action: string }[];
}

describeWith(`a private PostgreSQL (${missing ?? ''})`, missing === null, 'kirim lanjut claims rows with FOR UPDATE SKIP LOCKED', () => {
  let pg: PgServer;
  let dir: string;
  let envA: NodeJS.ProcessEnv;
  let envC: NodeJS.ProcessEnv;
  let homeA: string;
  let doc: string;
  const holders: ChildProcess[] = [];
  const url = (user: string) => `postgresql://${user}@127.0.0.1:${pg.port}/kantor`;
  const envOf = (home: string, operator: string): NodeJS.ProcessEnv => ({ SANDI_HOME: home, SANDI_OPERATOR: operator, PGPASSWORD: PASSWORD, PGPASSFILE: join(dir, 'tidak-ada') });
  const ok = <R extends CliResult>(r: R, what: string): R => {
    expect(r.code, `${what}\n${r.stderr}\n${r.stdout}`).toBe(0);
    return r;
  };
  const pgRows = (sql: string): string[] => pg.psql(sql, { db: 'kantor' }).split('\n').filter((l) => l !== '');
  const mail = () => join(dir, 'maildir-kantor');
  /** How many copies of each row's message every Maildir holds (box → count), by the rows' Message-IDs. */
  const copies = (ids: number[]): Record<string, number[]> => {
    const mids = ids.map((id) => pgRows(`SELECT message_id FROM sandi.surat_keluar WHERE id = ${id}`)[0]!);
    const out: Record<string, number[]> = {};
    for (const box of readdirSync(mail())) {
      const texts = listMaildir(join(mail(), box)).map((m) => readFileSync(m.path, 'utf8'));
      out[box] = mids.map((mid) => texts.filter((t) => t.includes(mid)).length);
    }
    return out;
  };
  /** `n` letters left tidak_pasti (the send killed before its first byte), registered from both homes at once. */
  const uncertainLetters = async (n: number, tag: string): Promise<number[]> => {
    await Promise.all(
      Array.from({ length: n }, (_, i) =>
        run(['kirim', doc, '--biasa', '--no-input', '--json', '--kepada', key('dinkes').email, '--perihal', `${tag} ${i}`], {
          ...(i % 2 === 0 ? envA : envC),
          SANDI_PASSPHRASE_SANDIMAN: key('sandiman').passphrase,
          SANDI_TEST_CRASH_AT: 'tidak_pasti',
        }),
      ),
    );
    const ids = pgRows(`SELECT id FROM sandi.surat_keluar WHERE perihal LIKE '${tag} %' AND status = 'tidak_pasti' ORDER BY id`).map(Number);
    expect(ids.length).toBe(n);
    return ids;
  };

  beforeAll(async () => {
    pg = await startPostgres();
    dir = mkdtempSync(join(tmpdir(), 'sandi-klaim-'));
    homeA = join(dir, 'rumah-budi');
    const homeC = join(dir, 'rumah-rina');
    envA = envOf(homeA, 'budi');
    envC = envOf(homeC, 'rina');
    const sql = peranSql({ officers: [{ role: 'budi', groups: ['sandiman'] }, { role: 'rina', groups: ['sandiman'] }] })
      .split('\n')
      .filter((l) => !l.startsWith('--') && !l.startsWith('GRANT sandi_pemilik TO CURRENT_USER') && l.trim() !== '')
      .join('\n');
    pg.psql(sql);
    pg.psql(`ALTER ROLE budi PASSWORD '${PASSWORD}'; ALTER ROLE rina PASSWORD '${PASSWORD}'; ALTER ROLE sandi_pemilik PASSWORD '${PASSWORD}';`);
    pg.psql('CREATE DATABASE kantor OWNER sandi_pemilik');
    ok(await run(['--db', url('sandi_pemilik'), 'db', 'siapkan'], envOf(join(dir, 'admin'), 'admin')), 'db siapkan');
    const shared = join(dir, 'arsip-kantor');
    mkdirSync(shared, { mode: 0o700 });
    mkdirSync(mail(), { mode: 0o700 });
    const d = key('dinkes');
    // the first workstation joins; the second is a copy of its home with its own officer in the URL (fewer
    // processes than joining it too: the keys are in the office database already)
    const db = ['--db', url('budi')];
    for (const args of [
      ['kunci', 'impor', join(KEYS, 'arsip.sec.asc'), '--peran', 'arsip'],
      ['kunci', 'impor', join(KEYS, 'sandiman.sec.asc'), '--peran', 'sandiman'],
      ['kunci', 'impor', join(KEYS, 'dinkes.pub.asc'), '--peran', 'penerima', '--email', d.email, '--unit', d.unit!, '--kode-unit', d.unitCode!],
      ['init', '--no-input', '--nama-kantor', 'Diskominfo Contoh', '--kode-unit', 'DKI', '--kunci-arsip', key('arsip').fingerprint, '--izinkan-kunci-demo'],
    ]) {
      ok(await run([...db, ...args], envA), `A: ${args.slice(0, 2).join(' ')}`);
    }
    cpSync(homeA, homeC, { recursive: true });
    const cfg = join(homeC, 'config.json');
    writeFileSync(cfg, readFileSync(cfg, 'utf8').replace(url('budi'), url('rina')));
    for (const home of [homeA, homeC]) {
      for (const [sub, target] of [['arsip', shared], ['maildir', mail()]] as const) {
        rmSync(join(home, sub), { recursive: true, force: true });
        symlinkSync(target, join(home, sub));
      }
    }
    // the second workstation is rina's: her role on the server
    expect(ok(await run(['periksa', '--json'], envC), 'periksa at C').stdout).toContain('rina');
    doc = join(dir, 'surat.txt');
    writeFileSync(doc, 'Surat biasa dari dua komputer kerja.\n');
  }, 60_000);
  afterAll(async () => {
    for (const h of holders) if (h.exitCode === null) h.kill('SIGKILL');
    if (dir) rmSync(dir, { recursive: true, force: true });
    await pg?.stop();
  });

  it('two workstations lanjut at once over the same rows: each row sent exactly once', async () => {
    const ids = await uncertainLetters(4, 'Serentak');
    const [a, c] = await Promise.all([run(['kirim', 'lanjut', '--json'], envA), run(['kirim', 'lanjut', '--json'], envC)]);
    ok(a, 'lanjut at A');
    ok(c, 'lanjut at C');
    expect(pgRows(`SELECT DISTINCT status FROM sandi.surat_keluar WHERE id IN (${ids.join(', ')})`)).toEqual(['terkirim']);
    // each row was sent by one of the two: the other skipped it (claimed) or found it sent already
    const sentBy = ids.map((id) => [a, c].filter((r) => r.json<Lanjut>().rows.some((x) => x.buku === 'surat_keluar' && x.id === id && x.from === 'tidak_pasti' && x.to === 'terkirim')).length);
    expect(sentBy).toEqual(ids.map(() => 1));
    const boxes = copies(ids);
    expect(Object.keys(boxes).length).toBeGreaterThan(1); // the recipient's Maildir and Sent
    for (const [box, n] of Object.entries(boxes)) expect(n, box).toEqual(ids.map(() => 1));
  }, 30_000);

  it('a row another workstation holds is skipped without waiting; killed, its claims go to the next lanjut', async () => {
    const ids = await uncertainLetters(2, 'Dipegang');
    const signal = join(dir, 'memegang.json');
    // the office's bound on a session idle inside a transaction is short here (2 s): a claim is idle by design
    // for the whole send, and must outlive it
    const holder = spawn(process.execPath, ['--input-type=module', '-e', HOLDER, homeA, signal, ...ids.map(String)], {
      env: { PATH: process.env['PATH'], HOME: process.env['HOME'], ...envA, SANDI_DB_LOCK_TIMEOUT: '1' },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    holders.push(holder);
    for (const t0 = Date.now(); !existsSync(signal); ) {
      if (holder.exitCode !== null || Date.now() - t0 > 20_000) throw new Error(`the holder did not claim the rows (exit ${holder.exitCode})`);
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(JSON.parse(readFileSync(signal, 'utf8'))).toEqual([true, true]);
    await new Promise((r) => setTimeout(r, 3000)); // longer than that bound
    // the server sees the claims as locked rows: another client's FOR UPDATE SKIP LOCKED passes them by
    const where = `buku = 'surat_keluar' AND id IN (${ids.join(', ')})`;
    expect(pgRows(`SELECT count(*) FROM sandi.kirim_klaim WHERE ${where}`)).toEqual(['2']);
    expect(pgRows(`SELECT id FROM sandi.kirim_klaim WHERE ${where} FOR UPDATE SKIP LOCKED`)).toEqual([]);

    // the other workstation skips them at once (a waiting lanjut would be killed after 20 s and fail here)
    const skipped = ok(await run(['kirim', 'lanjut', '--json'], envC, 20_000), 'lanjut beside the holder');
    expect(skipped.ms).toBeLessThan(10_000);
    for (const id of ids) expect(skipped.json<Lanjut>().rows.find((x) => x.id === id && x.buku === 'surat_keluar')).toMatchObject({ from: 'tidak_pasti', to: 'tidak_pasti', action: 'sedang-diproses' });
    expect(pgRows(`SELECT DISTINCT status FROM sandi.surat_keluar WHERE id IN (${ids.join(', ')})`)).toEqual(['tidak_pasti']);

    // the holder dies (no cleanup, like a power cut): its connection drops and the server frees the rows
    const gone = new Promise((r) => holder.once('exit', r));
    holder.kill('SIGKILL');
    await gone;
    const sent = ok(await run(['kirim', 'lanjut', '--json'], envC), 'lanjut after the holder died');
    for (const id of ids) expect(sent.json<Lanjut>().rows.find((x) => x.id === id && x.buku === 'surat_keluar')).toMatchObject({ from: 'tidak_pasti', to: 'terkirim' });
    for (const [box, n] of Object.entries(copies(ids))) expect(n, box).toEqual([1, 1]);
    ok(await run(['audit', 'periksa', '--json'], envC), 'audit periksa');
  }, 40_000);

  it('agenda keluar ekspor on the office database: the export query page by page (the next page fetched ahead), each row once, in order; stopping early closes the cursor', () => {
    pg.createDatabase('ekspor');
    const db = openPgSync({ host: pg.host, port: pg.port, user: pg.adminUser, password: pg.adminPassword, database: 'ekspor', sslmode: 'disable' });
    try {
      migratePg(db);
      // more rows than two export pages, seeded as the bench does (the guards off inside the seeding transaction)
      const n = 12_345;
      db.transaction(() => {
        db.query('ALTER TABLE sandi.kriptogram_keluar DISABLE TRIGGER USER');
        db.query(
          `INSERT INTO sandi.kriptogram_keluar (registered_at, sandiman, recipients, sifat, derajat, perihal, perihal_terenkripsi, status)
             SELECT '2026-11-10T03:00:00.000Z', 'sandi', json_build_array(json_build_object('email', 'a' || g || '@x.go.id', 'unit', 'U' || g), json_build_object('email', 'b@x.go.id'))::text,
                    CASE WHEN g % 5 = 0 THEN 'Rahasia' ELSE 'Biasa' END, 'Biasa', CASE WHEN g % 5 = 0 THEN NULL ELSE 'p' || g END,
                    CASE WHEN g % 5 = 0 THEN '\\x00'::bytea ELSE NULL END, 'terdaftar'
               FROM generate_series(1, $1) g`,
          [n],
        );
        db.query('ALTER TABLE sandi.kriptogram_keluar ENABLE TRIGGER USER');
      });
      db.query('SET search_path TO sandi');
      const names = pgExportQuery(KRIPTOGRAM_KELUAR, {}).names;
      const col = (c: string): number => names.indexOf(c);
      const books = pgAgendaBooks(() => db);
      let i = 0;
      for (const r of books.exportRows(KRIPTOGRAM_KELUAR, {})) {
        i++;
        expect(r[col('id')]).toBe(i);
        if (i % 5 === 0) expect(r[col('perihal')]).toBeNull();
        else expect(r[col('perihal')]).toBe(`p${i}`);
        expect(r[col('penerima_email')]).toBe(`a${i}@x.go.id; b@x.go.id`);
      }
      expect(i).toBe(n);
      const cursors = (): number => Number(db.query<{ n: string }>('SELECT count(*) AS n FROM pg_cursors').rows[0]?.n ?? 0);
      expect(cursors()).toBe(0);
      // a reader that goes away early (EPIPE): the cursor is closed, the page fetched ahead dropped
      const it = books.exportRows(KRIPTOGRAM_KELUAR, {});
      for (let k = 0; k < 7000; k++) it.next();
      expect(cursors()).toBe(1);
      it.return?.(undefined);
      expect(cursors()).toBe(0);
      expect(db.query<{ n: number }>('SELECT 1 AS n').rows).toEqual([{ n: 1 }]); // the connection still answers in turn
    } finally {
      db.close();
    }
  }, 30_000);
  it('only the groups that send or sign take a claim: a reader or a caraka cannot hold a row back', () => {
    for (const [role, fn] of [['sandi_baca', 'kirim_klaim_ambil'], ['sandi_caraka', 'kirim_klaim_siapkan'], ['sandi_pimpinan', 'kirim_klaim_ambil']] as const) {
      expect(() => pg.psql(`SET ROLE ${role}; SELECT sandi.${fn}('surat_keluar', 999999)`, { db: 'kantor' }), role).toThrow(/permission denied/);
    }
    expect(pg.psql(`SET ROLE budi; SELECT sandi.kirim_klaim_ambil('surat_keluar', 999999)`, { db: 'kantor' })).toMatch(/\bf\b/);
  });
});
