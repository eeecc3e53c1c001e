/**
 * One office, two workstations, one PostgreSQL database (issue 15): the CLI end to end on a private server.
 * The administrator creates the roles (`sandi db peran`) and the owner the office schema (`sandi db siapkan`);
 * each officer joins from their own home with `sandi init --db URL` as their own login role. Then the SOP 001
 * two-person flow across the homes — the sandiman registers and initials at home A, the Kasi signs at home B,
 * `kirim lanjut` numbers and sends (local Maildir delivery) — with the Kasi's key as the register's signer,
 * session_user on every audit event, and `audit periksa` passing from both homes; and several processes of
 * two sandiman homes numbering at once (several processes each) giving exactly 1..N. The homes share only the
 * database: kirim's drafts and kriptograms are in its archive (src/app/kirim.ts arsipOf), none in a home.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { peranSql } from '../../src/adapters/postgres/roles.js';
import { openApp, type App } from '../../src/app.js';
import { loadPostgresOffice } from '../../src/app/postgres.js';
import { terimaPorts } from '../../src/app/terima.js';
import { SandiError } from '../../src/errors.js';
import type { SandiConfig } from '../../src/config/config.js';
import { kirimPorts } from '../../src/app/kirim.js';
import { BIN, sandi, type CliResult } from '../helpers/cli.js';
import { describeWith } from '../helpers/gate.js';
import { postgresMissing, startPostgres, type PgServer } from '../helpers/postgres.js';

// openApp on PostgreSQL uses the PostgreSQL side of the composition root, loaded first (the CLI's preAction hook does it)
await loadPostgresOffice();

const missing = postgresMissing();
const KEYS = resolve(import.meta.dirname, '../../keys.example');
const manifest = JSON.parse(readFileSync(join(KEYS, 'manifest.json'), 'utf8')) as {
  keys: { slug: string; role: string; fingerprint: string; email: string; passphrase: string; unit: string | null; unitCode: string | null }[];
};
const key = (slug: string) => manifest.keys.find((k) => k.slug === slug)!;
const PASSWORD = 'uji-kantor-2026';

/** The CLI without waiting: several at once. */
function sandiAsync(args: string[], env: NodeJS.ProcessEnv): Promise<CliResult> {
  return new Promise((done) => {
    const p = spawn(process.execPath, [BIN, ...args], { env: { PATH: process.env['PATH'], HOME: process.env['HOME'], ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    p.on('close', (code) => done({ code: code ?? -1, stdout, stderr, json: <T>() => JSON.parse(stdout) as T }));
  });
}

describeWith(`a private PostgreSQL (${missing ?? ''})`, missing === null, 'one office on PostgreSQL: two workstations', () => {
  let pg: PgServer;
  let dir: string;
  let homeA: string;
  let homeB: string;
  let homeC: string;
  const url = (user: string) => `postgresql://${user}@127.0.0.1:${pg.port}/kantor`;
  const envOf = (home: string, operator: string): NodeJS.ProcessEnv => ({ SANDI_HOME: home, SANDI_OPERATOR: operator, PGPASSWORD: PASSWORD, PGPASSFILE: join(dir, 'tidak-ada') });
  let envA: NodeJS.ProcessEnv;
  let envB: NodeJS.ProcessEnv;
  let envC: NodeJS.ProcessEnv;
  const ok = (r: CliResult, what: string): CliResult => {
    expect(r.code, `${what}\n${r.stderr}\n${r.stdout}`).toBe(0);
    return r;
  };
  const pgRows = (sql: string): string[] => pg.psql(sql, { db: 'kantor' }).split('\n').filter((l) => l !== '');

  beforeAll(async () => {
    pg = await startPostgres();
    dir = mkdtempSync(join(tmpdir(), 'sandi-kantor-'));
    homeA = join(dir, 'rumah-budi');
    homeB = join(dir, 'rumah-siti');
    homeC = join(dir, 'rumah-rina');
    envA = envOf(homeA, 'budi');
    envB = envOf(homeB, 'siti');
    envC = envOf(homeC, 'rina');
    // the administrator: the roles as `sandi db peran` prints them, each login role's password, the database
    const sql = peranSql({ officers: [{ role: 'budi', groups: ['sandiman'] }, { role: 'siti', groups: ['kasi'] }, { role: 'rina', groups: ['sandiman'] }] })
      .split('\n')
      .filter((l) => !l.startsWith('--') && !l.startsWith('GRANT sandi_pemilik TO CURRENT_USER') && l.trim() !== '')
      .join('\n');
    pg.psql(sql);
    pg.psql(`ALTER ROLE budi PASSWORD '${PASSWORD}'; ALTER ROLE siti PASSWORD '${PASSWORD}'; ALTER ROLE rina PASSWORD '${PASSWORD}'; ALTER ROLE sandi_pemilik PASSWORD '${PASSWORD}';`);
    pg.psql('CREATE DATABASE kantor OWNER sandi_pemilik');
  }, 60_000);
  afterAll(async () => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    await pg?.stop();
  });

  it('the owner creates the office; an officer may not, and their workstation joins after', () => {
    // an officer's role on an empty database: 77 naming the owner, nothing made (no schema, no config.json)
    const early = sandi(['--db', url('budi'), 'init', '--no-input', '--nama-kantor', 'Diskominfo Contoh', '--kode-unit', 'DKI', '--kunci-arsip', key('arsip').fingerprint], { env: envA });
    expect(early.code, early.stderr).toBe(77);
    expect(early.stderr).toContain('sandi_pemilik');
    expect(pgRows("SELECT count(*) FROM pg_namespace WHERE nspname = 'sandi'")).toEqual(['0']);

    const made = ok(sandi(['--json', '--db', url('sandi_pemilik'), 'db', 'siapkan'], { env: envOf(join(dir, 'admin'), 'admin') }), 'db siapkan');
    expect(made.json()).toMatchObject({ engine: 'postgresql', created: true });
    expect(ok(sandi(['--json', '--db', url('sandi_pemilik'), 'db', 'siapkan'], { env: envOf(join(dir, 'admin'), 'admin') }), 'db siapkan again').json()).toMatchObject({ created: false });

    // each workstation: its own secret keys in its home, the public keys and the address book shared
    for (const [home, env, own] of [[homeA, envA, 'sandiman'], [homeB, envB, 'kasi'], [homeC, envC, 'sandiman']] as const) {
      const db = ['--db', url(env['SANDI_OPERATOR']!)];
      ok(sandi([...db, 'kunci', 'impor', join(KEYS, 'arsip.sec.asc'), '--peran', 'arsip'], { env }), `${home}: arsip`);
      for (const slug of ['sandiman', 'kasi']) {
        ok(sandi([...db, 'kunci', 'impor', join(KEYS, `${slug}.${slug === own ? 'sec' : 'pub'}.asc`), '--peran', slug], { env }), `${home}: ${slug}`);
      }
      const d = key('dinkes');
      ok(sandi([...db, 'kunci', 'impor', join(KEYS, 'dinkes.pub.asc'), '--peran', 'penerima', '--email', d.email, '--unit', d.unit!, '--kode-unit', d.unitCode!], { env }), `${home}: dinkes`);
      ok(sandi([...db, 'init', '--no-input', '--nama-kantor', 'Diskominfo Contoh', '--kode-unit', 'DKI', '--kunci-arsip', key('arsip').fingerprint, '--izinkan-kunci-demo'], { env }), `${home}: init`);
      // the workstation remembers the office database (never a password) and needs no --db from now on
      const cfg = JSON.parse(readFileSync(join(home, 'config.json'), 'utf8')) as { db?: { url: string } };
      expect(cfg.db?.url).toBe(url(env['SANDI_OPERATOR']!));
      expect(readFileSync(join(home, 'config.json'), 'utf8')).not.toContain(PASSWORD);
    }
    expect(pgRows('SELECT count(*) FROM sandi.kunci')).toEqual(['4']);
  }, 120_000);

  it('kirim two-person across the homes: the sandiman at A, the Kasi signs at B, lanjut numbers and sends', () => {
    // The kirim archive (drafts, paraf records, final kriptograms) is in the office database: the homes share
    // only the database — the Kasi at B reads the draft the sandiman wrote at A from it, and lanjut at A reads
    // the kriptogram the Kasi wrote at B.
    const doc = join(dir, 'nota.txt');
    writeFileSync(doc, 'Nota dinas dari dua komputer kerja.\n');
    const r1 = ok(
      sandi(
        ['kirim', doc, '--no-input', '--json', '--permohonan-nomor', '005/1', '--permohonan-tanggal', '2026-11-20', '--permohonan-unit', 'Setda', '--kepada', key('dinkes').email, '--perihal', 'Rapat', '--sifat', 'Terbatas', '--derajat', 'Segera'],
        { env: { ...envA, SANDI_PASSPHRASE_SANDIMAN: key('sandiman').passphrase } },
      ),
      'kirim at A',
    );
    const rep = r1.json<{ row: { id: number; status: string }; waiting: string }>();
    expect(rep.row.status).toBe('diparaf');
    expect(rep.waiting).toBe('kasi');
    // the Kasi sees it waiting at their own desk, and signs there
    const st = ok(sandi(['kirim', 'status', '--json'], { env: envB }), 'status at B');
    expect(st.json<{ id: number; menunggu: string }[]>().find((r) => r.id === rep.row.id)?.menunggu).toBe('kasi');
    ok(sandi(['kirim', 'tandatangani', String(rep.row.id), '--no-input', '--json'], { env: { ...envB, SANDI_PASSPHRASE_KASI: key('kasi').passphrase } }), 'tandatangani at B');
    const sent = ok(sandi(['kirim', 'lanjut', '--json'], { env: envA }), 'lanjut at A');
    expect(sent.stdout).toContain('terkirim');

    const [row] = pgRows(`SELECT status || '|' || signer_fpr || '|' || coalesce(nomor, '') FROM sandi.kriptogram_keluar WHERE id = ${rep.row.id}`);
    const [status, signerFpr, nomor] = row!.split('|');
    expect(status).toBe('terkirim');
    expect(signerFpr).toBe(key('kasi').fingerprint);
    expect(nomor).toMatch(/\/001\//);
    // who did it, vouched by the server: the sandiman's events by budi, the signature's by siti
    const who = pgRows(`SELECT action || '|' || db_user FROM sandi.audit_log WHERE entity = 'kriptogram_keluar' ORDER BY id`);
    expect(who.filter((w) => w.endsWith('|siti')).length).toBeGreaterThan(0);
    expect(who.filter((w) => w.endsWith('|budi')).length).toBeGreaterThan(0);
    expect(who.find((w) => w.includes('tandatangan'))).toMatch(/\|siti$/);
    // the draft, its paraf record and sidecar written at A, the final kriptogram at B: all in the database,
    // each named by the officer whose unit of work named it; no kirim file in either home
    const names = pgRows("SELECT name || '|' || db_user FROM sandi.arsip_nama WHERE name LIKE 'kriptogram-keluar/%' ORDER BY name");
    expect(names.filter((n) => n.startsWith('kriptogram-keluar/draf/') && n.endsWith('|budi'))).toHaveLength(3);
    expect(names.filter((n) => /^kriptogram-keluar\/\d+-[0-9a-f]{16}\.asc\|siti$/.test(n))).toHaveLength(1);
    expect(names).toHaveLength(4);
    for (const home of [homeA, homeB]) expect(existsSync(join(home, 'arsip', 'kriptogram-keluar')), home).toBe(false);

    // a checkpoint of the office chain signed at B (its archive key), then the chain checked from both homes
    ok(sandi(['audit', 'tandai', '--json'], { env: { ...envB, SANDI_PASSPHRASE_ARSIP: key('arsip').passphrase } }), 'audit tandai at B');
    for (const env of [envA, envB]) {
      const a = ok(sandi(['audit', 'periksa', '--json'], { env }), `audit periksa at ${env['SANDI_OPERATOR']}`);
      expect(a.json()).toMatchObject({ ok: true });
    }
    expect(ok(sandi(['audit', 'periksa', '--json'], { env: envB }), 'periksa B').json()).toMatchObject({ checkpoints: { verified: 1 } });
    // sandi periksa at the Kasi's desk: the keys and the audit chain are checked on the office database
    const checks = sandi(['periksa', '--json'], { env: envB }).json<{ checks: { check: string; status: string }[] }>().checks;
    expect(checks.find((c) => c.check === 'basis-data')?.status).toBe('ok');
    expect(['ok', 'peringatan']).toContain(checks.find((c) => c.check === 'kunci')?.status);
    expect(checks.find((c) => c.check === 'audit')?.status).toBe('ok');
  }, 120_000);

  it('two sandiman workstations numbering at once (three processes each): exactly 1..N, no duplicate, no gap, no error', async () => {
    const doc = join(dir, 'surat.txt');
    writeFileSync(doc, 'Surat biasa.\n');
    const send = (env: NodeJS.ProcessEnv, i: number) =>
      // (unsigned, to keep the processes light: numbering is what is measured here; a signed ordinary letter is in postgres-terima.test.ts)
      sandiAsync(['kirim', doc, '--biasa', '--no-input', '--json', '--kepada', key('dinkes').email, '--perihal', `Undangan ${i}`], {
        ...env,
        SANDI_PASSPHRASE_SANDIMAN: key('sandiman').passphrase,
      });
    const runs = await Promise.all([0, 1, 2].flatMap((i) => [send(envA, i), send(envC, i + 3)]));
    for (const r of runs) expect(r.code, r.stderr).toBe(0);
    const urut = pgRows('SELECT urut FROM sandi.surat_keluar ORDER BY urut').map(Number);
    expect(urut).toEqual([1, 2, 3, 4, 5, 6]);
    // the six letters share one document part, archived once in the database (six processes raced to name it)
    expect(pgRows("SELECT count(*) FROM sandi.arsip_nama WHERE name LIKE 'surat-keluar/%'")).toEqual(['1']);
    for (const home of [homeA, homeC]) expect(existsSync(join(home, 'arsip', 'surat-keluar')), home).toBe(false);
    expect(pgRows('SELECT DISTINCT db_user FROM sandi.audit_log WHERE entity = \'surat_keluar\' ORDER BY 1')).toEqual(['budi', 'rina']);
    ok(sandi(['audit', 'periksa', '--json'], { env: envC }), 'audit periksa at C');
  }, 120_000);

  it('agenda on the office database: list, search, show, export, annotate from the Kasi\'s desk', () => {
    const run = (args: string[]) => sandi(args, { env: envB });
    const [nomor] = pgRows("SELECT nomor FROM sandi.kriptogram_keluar WHERE status = 'terkirim'");
    const list = ok(run(['--json', 'agenda', 'keluar', 'daftar']), 'agenda keluar daftar');
    expect(list.json<{ baris: { nomor: string }[] }>().baris.map((r) => r.nomor)).toEqual([nomor]);
    expect(ok(run(['--json', 'agenda', 'surat-keluar', 'daftar']), 'surat-keluar').json<{ baris: unknown[] }>().baris).toHaveLength(6);
    const unit = ok(run(['--json', 'agenda', 'surat-keluar', 'daftar', '--unit', key('dinkes').unit!]), 'by unit');
    expect(unit.json<{ baris: unknown[] }>().baris).toHaveLength(6);
    const found = ok(run(['--json', 'agenda', 'surat-keluar', 'cari', 'undangan 4']), 'cari');
    expect(found.json<{ baris: { perihal: string }[] }>().baris.map((r) => r.perihal)).toEqual(['Undangan 4']);
    const shown = ok(run(['--json', 'agenda', 'keluar', 'lihat', nomor!]), 'lihat');
    expect(shown.json<{ baris: { nomor: string; penerima_email: string } }>().baris).toMatchObject({ nomor, penerima_email: key('dinkes').email });
    const csv = ok(run(['agenda', 'surat-keluar', 'ekspor']), 'ekspor').stdout.trimEnd().split('\r\n');
    expect(csv[0]?.startsWith('id,nomor,')).toBe(true);
    expect(csv).toHaveLength(7);
    ok(run(['--json', 'agenda', 'keluar', 'catat', '1', '--catatan', 'Diterima Dinkes lewat telepon']), 'catat');
    ok(run(['audit', 'periksa']), 'audit periksa after the annotation');
    // the quarterly report over the same queries (this year's whole span: the test may run in any quarter)
    const year = new Date().getUTCFullYear();
    const rep = ok(run(['--json', 'laporan', 'kinerja', '--dari', `${year - 1}-12-01`, '--sampai', `${year + 1}-01-31`]), 'laporan kinerja');
    expect(JSON.stringify(rep.json())).toContain('surat_keluar');
  }, 60_000);

  it('sandi demo --db URL: the demo office in an empty database, the whole flow, the audit chain checked', () => {
    pg.psql('CREATE DATABASE demo OWNER sandi_pemilik');
    const home = join(dir, 'rumah-demo');
    const demoUrl = `postgresql://sandi_pemilik@127.0.0.1:${pg.port}/demo`;
    const r = ok(sandi(['--json', '--db', demoUrl, 'demo'], { env: envOf(home, 'demo') }), 'demo --db');
    expect(r.json()).toMatchObject({ createdOffice: true, audit: { ok: true } });
    expect(pg.psql("SELECT status FROM sandi.kriptogram_keluar", { db: 'demo' }).trim()).toBe('terkirim');
    // the keys are the database's; the home holds no SQLite file
    expect(existsSync(join(home, 'sandi.db'))).toBe(false);
  }, 60_000);

  it("a row claimed at one workstation is not claimable at another (kirim lanjut never sends a row twice)", () => {
    const apps = [openApp(homeA, undefined, { env: envA }), openApp(homeB, undefined, { env: envB })];
    try {
      const claimAt = (i: 0 | 1) => {
        const home = i === 0 ? homeA : homeB;
        mkdirSync(join(home, '.kirim-klaim'), { recursive: true, mode: 0o700 });
        return kirimPorts(apps[i]!).tryClaim(join(home, '.kirim-klaim', 'kriptogram_keluar-999.lock'));
      };
      const a = claimAt(0);
      expect(a).not.toBeNull();
      expect(claimAt(1)).toBeNull();
      a!.release();
      const b = claimAt(1);
      expect(b).not.toBeNull();
      expect(claimAt(0)).toBeNull();
      b!.release();
    } finally {
      for (const app of apps) app.close();
    }
  });

  it("kirim's archive on the office database: a file archived in the home before the move is still read there; a new one goes to the database", () => {
    const apps = [openApp(homeA, undefined, { env: envA }), openApp(homeB, undefined, { env: envB })];
    try {
      const [a, b] = apps.map((app) => kirimPorts(app).arsip);
      // `db salin` leaves the archive files in the home: a draft's sidecar kirim wrote at A before the move
      const old = `kriptogram-keluar/draf/${'ab'.repeat(32)}.json`;
      mkdirSync(join(homeA, 'arsip', 'kriptogram-keluar', 'draf'), { recursive: true, mode: 0o700 });
      writeFileSync(join(homeA, 'arsip', ...old.split('/')), '{"v":2}\n', { mode: 0o600 });
      expect(a!.exists(old)).toBe(true);
      expect(a!.readSync(old).toString()).toBe('{"v":2}\n');
      expect(a!.list('kriptogram-keluar/draf/')).toContain(old);
      expect(b!.exists(old)).toBe(false);
      // a name written now goes to the database (pending until the next unit of work), not to the folder
      const fresh = `surat-keluar/${'cd'.repeat(32)}.part`;
      expect(a!.writeSync(fresh, Buffer.from('bagian')).result).toBe('written');
      expect(a!.where).toMatch(/^postgresql /);
      expect(existsSync(join(homeA, 'arsip', 'surat-keluar'))).toBe(false);
      expect(a!.abandon(fresh)).toBe(true);
    } finally {
      for (const app of apps) app.close();
    }
  });

  it('terima: one fetch per office and mailbox — a second workstation gets 75 naming the holder', async () => {
    const mailbox = { user: 'persandian@diskominfo.contoh.go.id', imap: { host: 'imap.contoh.go.id' } } as unknown as NonNullable<SandiConfig['mailbox']>;
    const opened = [openApp(homeA, undefined, { env: envA }), openApp(homeC, undefined, { env: envC })];
    const withMailbox = (app: App) => ({ ...app, config: () => ({ ...app.config(), mailbox }) });
    try {
      const [a, c] = opened.map((app) => terimaPorts(withMailbox(app)));
      const held = await a!.lock(join(homeA, '.terima.lock'), 'terima.busy');
      const second = await c!.lock(join(homeC, '.terima.lock'), 'terima.busy').then(
        () => null,
        (e: unknown) => e,
      );
      expect(second).toBeInstanceOf(SandiError);
      expect(second).toMatchObject({ key: 'db.terimaBusy', exitCode: 75, params: { mailbox: mailbox.user, user: 'budi' } });
      expect(String((second as SandiError).params['workstation'])).toMatch(/^sandi@/);
      // nothing left behind at the second home: its own lock file was let go
      expect(existsSync(join(homeC, '.terima.lock'))).toBe(false);
      held.release();
      (await c!.lock(join(homeC, '.terima.lock'), 'terima.busy')).release();
    } finally {
      for (const app of opened) app.close();
    }
  });
});
