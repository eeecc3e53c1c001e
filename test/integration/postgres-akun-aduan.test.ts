/**
 * `sandi akun` and `sandi aduan` on one PostgreSQL database, two workstations (issue 15): the built CLI end to end
 * on a private server, the way test/e2e/akun.test.ts and test/e2e/aduan.test.ts run them on SQLite.
 *
 * - Home A is the sandiman's (role budi, group sandiman), home B the Kasi's (role siti, group kasi). Each joins the
 *   office database with `init --db URL` as its own role; the archive key is imported into each home (private keys
 *   never go into the database).
 * - akun: the sandiman stores the mailbox password, tests the login and rotates it at A; the Kasi reads its age,
 *   deadline and last rotation at B (the account rows are the database's). The Kasi's group may not store or
 *   rotate the mailbox password: 77, nothing written (no row, no audit event, no credential file left in B's home).
 *   The rotation logs in to IMAP and SMTP, so this file starts the local Dovecot + Postfix (test/helpers/mailstack.ts,
 *   ~0.3 s) and changes the password with the test's `perintah` script on its passwd-file, as test/e2e/akun.test.ts.
 * - aduan: the sandiman registers (catat, impor) and records the OPD's steps at A; the Kasi reads the status and
 *   deadlines, dispositions, confirms and opens the reporter's identity at B. The Kasi's group may not register a
 *   complaint: 77, nothing written. Each event's database role (audit_log.db_user) is the officer's who recorded it.
 *   Both desks recording a hand-over of the same complaint at once: one is recorded, the other exits 81.
 * - `audit periksa` passes at both homes.
 * A complaint attachment is archived through the archive port (the office database on PostgreSQL); nothing here
 * reads one back, so the test does not depend on where the archive lives. The homes share only the database.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { peranSql } from '../../src/adapters/postgres/roles.js';
import { BIN, sandi, type CliResult } from '../helpers/cli.js';
import { describeWith } from '../helpers/gate.js';
import { mailStackMissing, startMailStack, type MailStack } from '../helpers/mailstack.js';
import { postgresMissing, startPostgres, type PgServer } from '../helpers/postgres.js';

const missing = [postgresMissing(), mailStackMissing()].filter((m) => m !== null).join('; ');
const KEYS = resolve(import.meta.dirname, '../../keys.example');
const SCRIPT = resolve(import.meta.dirname, '../helpers/akun-change-script.mjs');
const manifest = JSON.parse(readFileSync(join(KEYS, 'manifest.json'), 'utf8')) as {
  keys: { slug: string; fingerprint: string; email: string; passphrase: string; unit: string | null; unitCode: string | null }[];
};
const key = (slug: string) => manifest.keys.find((k) => k.slug === slug)!;
const PASSWORD = 'uji-akun-aduan-2026';
const MAILBOX = 'sandi@kominfo.test';
const INITIAL = 'awal-rahasia-pg-akun-1';
const PELAPOR = { nama: 'Wulandari Kusumaningtyas', nik: '3375014409880007', email: 'wulan.rahasia@contoh.invalid', telepon: '081299887766' };

/** The CLI without waiting: two desks at once. */
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

describeWith(`a private PostgreSQL and the mail stack (${missing})`, missing === '', 'akun and aduan on PostgreSQL: two workstations', () => {
  let pg: PgServer;
  let mail: MailStack;
  let dir: string;
  const url = (user: string) => `postgresql://${user}@127.0.0.1:${pg.port}/kantor`;
  const homes = { budi: '', siti: '' };
  const envOf = (who: keyof typeof homes): NodeJS.ProcessEnv => ({
    SANDI_HOME: homes[who],
    SANDI_OPERATOR: who,
    PGPASSWORD: PASSWORD,
    PGPASSFILE: join(dir, 'tidak-ada'),
    SANDI_PASSPHRASE_ARSIP: key('arsip').passphrase,
  });
  const run = (who: keyof typeof homes, args: string[], input?: string): CliResult =>
    sandi(['--no-input', ...args], { env: envOf(who), ...(input === undefined ? {} : { input }) });
  const ok = (r: CliResult, what: string): CliResult => {
    expect(r.code, `${what}\n${r.stderr}\n${r.stdout}`).toBe(0);
    return r;
  };
  const pgRows = (sql: string): string[] => pg.psql(sql, { db: 'kantor' }).split('\n').filter((l) => l !== '');
  const files = (d: string): string[] => (existsSync(d) ? readdirSync(d).filter((f) => !f.startsWith('.')) : []);

  beforeAll(async () => {
    [pg, mail] = await Promise.all([startPostgres(), startMailStack()]);
    mail.setPassword(MAILBOX, INITIAL);
    dir = mkdtempSync(join(tmpdir(), 'sandi-pg-akun-aduan-'));
    // the administrator: the roles as `sandi db peran` prints them, each login role's password, the database
    const sql = peranSql({ officers: [{ role: 'budi', groups: ['sandiman'] }, { role: 'siti', groups: ['kasi'] }] })
      .split('\n')
      .filter((l) => !l.startsWith('--') && !l.startsWith('GRANT sandi_pemilik TO CURRENT_USER') && l.trim() !== '')
      .join('\n');
    pg.psql(sql);
    pg.psql(['budi', 'siti', 'sandi_pemilik'].map((r) => `ALTER ROLE ${r} PASSWORD '${PASSWORD}';`).join(' '));
    pg.psql('CREATE DATABASE kantor OWNER sandi_pemilik');
    ok(sandi(['--db', url('sandi_pemilik'), 'db', 'siapkan'], { env: { PGPASSWORD: PASSWORD, PGPASSFILE: join(dir, 'tidak-ada'), SANDI_HOME: join(dir, 'admin') } }), 'db siapkan');
    for (const who of ['budi', 'siti'] as const) {
      homes[who] = join(dir, `rumah-${who}`);
      mkdirSync(homes[who], { mode: 0o700 });
      ok(run(who, ['--db', url(who), 'kunci', 'impor', join(KEYS, 'arsip.sec.asc'), '--peran', 'arsip']), `arsip key ${who}`);
      ok(
        run(who, [
          '--db', url(who), 'init', '--nama-kantor', 'Diskominfo Contoh', '--kode-unit', 'DKI', '--kunci-arsip', key('arsip').fingerprint, '--izinkan-kunci-demo',
          '--akun-user', MAILBOX, '--imap-host', '127.0.0.1', '--imap-port', String(mail.imap.port), '--imap-tls', 'tls',
          '--smtp-host', '127.0.0.1', '--smtp-port', String(mail.smtp.port), '--smtp-tls', 'starttls', '--ca-file', mail.caFile,
        ]),
        `init ${who}`,
      );
    }
    // the address book is the office's: the sandiman adds Dinas Kesehatan at A, the Kasi's disposition at B finds it
    const d = key('dinkes');
    ok(run('budi', ['kunci', 'impor', join(KEYS, 'dinkes.pub.asc'), '--peran', 'penerima', '--email', d.email, '--unit', d.unit!, '--kode-unit', d.unitCode!]), 'dinkes key');
  }, 60_000);
  afterAll(async () => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    await Promise.all([pg?.stop(), mail?.stop()]);
  });

  it('akun: the sandiman stores, tests and rotates at A; the Kasi reads the deadline at B and may not store one', () => {
    const saved = ok(run('budi', ['--json', 'akun', 'simpan'], `${INITIAL}\n`), 'akun simpan at A').json();
    expect(saved).toMatchObject({ user: MAILBOX, replaced: false });
    expect(ok(run('budi', ['--json', 'akun', 'uji']), 'akun uji at A').json()).toMatchObject({ source: 'penyimpanan', imap: { ok: true }, smtp: { ok: true } });

    // the encrypted entries stay in the home that stored them (README): B has none, and says so (66), not a crash
    const noEntry = run('siti', ['akun', 'uji']);
    expect(noEntry.code, noEntry.stderr).toBe(66);
    expect(noEntry.stderr).toContain(join(homes.siti, 'kredensial'));
    expect(noEntry.stderr).toContain('salin folder kredensial/'); // not only "store it again", which would replace the office's

    // the Kasi's group may not record the mailbox password: refused by the server, nothing written anywhere
    const before = pgRows("SELECT (SELECT count(*) FROM sandi.audit_log) || '|' || (SELECT kini_id FROM sandi.akun_sandi) || '|' || (SELECT count(*) FROM sandi.akun_rotasi)");
    const refused = run('siti', ['akun', 'simpan'], 'kata-sandi-kasi-1\n');
    expect(refused.code, refused.stderr).toBe(77);
    expect(refused.stderr).toContain('sandi_kasi');
    expect(pgRows("SELECT (SELECT count(*) FROM sandi.audit_log) || '|' || (SELECT kini_id FROM sandi.akun_sandi) || '|' || (SELECT count(*) FROM sandi.akun_rotasi)")).toEqual(before);
    expect(files(join(homes.siti, 'kredensial'))).toEqual([]);

    // the rotation at A (the office's own password-change command, configured in both homes), four steps recorded
    for (const home of [homes.budi, homes.siti]) {
      const cfgFile = join(home, 'config.json');
      const cfg = JSON.parse(readFileSync(cfgFile, 'utf8')) as { mailbox: Record<string, unknown> };
      cfg.mailbox['passwordChange'] = { adapter: 'perintah', command: [process.execPath, SCRIPT, mail.passwdFile, 'ok'] };
      writeFileSync(cfgFile, JSON.stringify(cfg, null, 2));
    }
    const rotated = ok(run('budi', ['--json', 'akun', 'rotasi']), 'akun rotasi at A').json();
    expect(rotated).toMatchObject({ rotated: true, resumed: false, steps: [{ step: 1 }, { step: 2, outcome: 'dikerjakan' }, { step: 3 }, { step: 4 }] });
    // the Kasi reads the password's age, the new deadline and the rotation from the other desk
    expect(ok(run('siti', ['--json', 'akun', 'status']), 'akun status at B').json()).toMatchObject({
      user: MAILBOX, source: 'penyimpanan', state: 'aman', daysLeft: 90, warning: false, previousKept: true, rotation: null, lastRotation: { status: 'selesai' },
    });
    // nor rotate it: refused before the server is asked to change anything
    const refusedRotation = run('siti', ['akun', 'rotasi']);
    expect(refusedRotation.code, refusedRotation.stderr).toBe(77);
    // the rotated password is the current one and logs in (the refused rotation changed nothing on the server)
    expect(ok(run('budi', ['--json', 'akun', 'uji']), 'akun uji after rotasi').json()).toMatchObject({ slot: 'kini', imap: { ok: true }, smtp: { ok: true } });
    expect(pgRows("SELECT status FROM sandi.akun_rotasi ORDER BY id")).toEqual(['selesai']);
    expect(files(join(homes.siti, 'kredensial'))).toEqual([]);

    expect(pgRows("SELECT action || '|' || db_user || '|' || actor FROM sandi.audit_log WHERE entity LIKE 'akun%' ORDER BY id")).toEqual([
      'akun.simpan|budi|budi',
      'akun.rotasi.tersimpan|budi|budi',
      'akun.rotasi.diset|budi|budi',
      'akun.rotasi.teruji|budi|budi',
      'akun.rotasi.selesai|budi|budi',
    ]);
    // no password in the database: only the ids of encrypted entries in the home that stored them
    const dump = pgRows('SELECT row_to_json(a)::text FROM sandi.akun_sandi a UNION ALL SELECT row_to_json(r)::text FROM sandi.akun_rotasi r UNION ALL SELECT data FROM sandi.audit_log').join('\n');
    expect(dump).not.toContain(INITIAL);
  }, 60_000);

  it('aduan: registered at A, dispositioned and confirmed at B, the OPD steps at A; the deadlines read at B', () => {
    const pelapor = join(dir, 'pelapor.json');
    writeFileSync(pelapor, JSON.stringify(PELAPOR), { mode: 0o600 });
    const csv = join(dir, 'lapor.csv');
    writeFileSync(
      csv,
      [
        'kanal,nomor_pelacakan,jenis,judul,diterima,kerahasiaan',
        'lapor,LAPOR-9001,pengaduan,Pungutan di sekolah,2026-11-20,anonim',
        'lapor,LAPOR-9002,keluhan,Salah jenis,2026-11-20,anonim',
        'lapor,LAPOR-9003,aspirasi,Taman kota,2026-01-05T09:15,anonim',
      ].join('\r\n'),
    );
    const lampiran = join(dir, 'foto-sesudah.txt');
    writeFileSync(lampiran, 'foto jalan sesudah diperbaiki');

    // home A, the sandiman: register one by hand, the others from the portal export (a bad row: 65, the rest kept)
    const catat = ok(
      run('budi', [
        '--json', 'aduan', 'catat', '--kanal', 'laporgub', '--nomor-pelacakan', 'LG-77', '--jenis', 'pengaduan', '--judul', 'Jalan berlubang di Jl. Merdeka',
        '--diterima', '2026-11-19T10:00', '--kerahasiaan', 'rahasia', '--pelapor-berkas', pelapor,
      ]),
      'aduan catat at A',
    ).json<{ nomor: string }>();
    expect(catat.nomor).toMatch(/^ADU\/001\/\d{4}$/);
    const impor = run('budi', ['--json', 'aduan', 'impor', csv]);
    expect(impor.code, impor.stderr).toBe(65);
    expect(impor.json()).toMatchObject({ baru: 2, sudahAda: 0, ditolak: 1 });

    // home B, the Kasi: may not register a complaint (refused by the server, nothing written)
    const count = "SELECT (SELECT count(*) FROM sandi.audit_log) || '|' || (SELECT count(*) FROM sandi.aduan) || '|' || (SELECT count(*) FROM sandi.aduan_langkah) || '|' || (SELECT string_agg(buku || tahun || ':' || terakhir, ',') FROM sandi.nomor_urut)";
    const before = pgRows(count);
    const refused = run('siti', ['aduan', 'catat', '--kanal', 'laporgub', '--nomor-pelacakan', 'LG-78', '--jenis', 'aspirasi', '--judul', 'Taman', '--diterima', '2026-11-19T10:00', '--kerahasiaan', 'anonim']);
    expect(refused.code, refused.stderr).toBe(77);
    expect(refused.stderr).toContain('sandi_kasi');
    expect(pgRows(count)).toEqual(before);

    // home B reads the office's open complaints with their deadlines (LAPOR-9003: its 3-day verification is long past)
    const open = ok(run('siti', ['--json', 'aduan', 'status']), 'aduan status at B').json<{ nomorPelacakan: string; status: string; pemegang: string; tenggat: string | null; terlambat: boolean }[]>();
    expect(open.map((r) => `${r.nomorPelacakan}|${r.status}|${r.pemegang}`).sort()).toEqual(['LAPOR-9001|diterima|kantor', 'LAPOR-9003|diterima|kantor', 'LG-77|diterima|kantor']);
    expect(open[0]?.nomorPelacakan).toBe('LAPOR-9003'); // the latest first
    expect(open.find((r) => r.nomorPelacakan === 'LAPOR-9003')).toMatchObject({ terlambat: true });
    expect(open.find((r) => r.nomorPelacakan === 'LAPOR-9003')?.tenggat).toMatch(/Z$/);

    // the hand-overs: the Kasi dispositions and confirms at B, the OPD's follow-up is recorded at A
    ok(run('siti', ['aduan', 'disposisi', 'LG-77', '--opd', 'dinas kesehatan', '--catatan', 'mohon ditindaklanjuti']), 'disposisi at B');
    ok(run('budi', ['aduan', 'tindaklanjut', 'LG-77', '--catatan', 'sudah diperbaiki', '--lampiran', lampiran]), 'tindaklanjut at A');
    ok(run('siti', ['aduan', 'konfirmasi', 'LG-77']), 'konfirmasi at B');
    ok(run('siti', ['aduan', 'disposisi', 'LAPOR-9001', '--opd', 'Dinas Pendidikan']), 'disposisi LAPOR at B');
    ok(run('siti', ['aduan', 'tunda', 'LAPOR-9001', '--alasan', 'menunggu data sekolah']), 'tunda at B');
    ok(run('budi', ['aduan', 'lanjutkan', 'LAPOR-9001']), 'lanjutkan at A');

    // the other desk sees every step (upstream's verification and selesai: the SQLite e2e, the same register code);
    // the Kasi opens the reporter's identity with the archive key of its own home
    const seen = ok(run('siti', ['--json', 'aduan', 'lihat', 'LG-77', '--tampilkan-pelapor']), 'lihat at B').json<{
      aduan: { status: string; opd: string }; pelapor: unknown; langkah: { aksi: string; actor: string }[];
    }>();
    expect(seen.aduan).toMatchObject({ status: 'dikonfirmasi', opd: key('dinkes').unit });
    expect(seen.pelapor).toEqual(PELAPOR);
    expect(seen.langkah.map((s) => `${s.aksi}|${s.actor}`)).toEqual(['catat|budi', 'disposisi|siti', 'tindaklanjut|budi', 'konfirmasi|siti']);
    expect(pgRows("SELECT status || '|' || opd FROM sandi.aduan WHERE nomor_pelacakan = 'LAPOR-9001'")).toEqual(['didisposisi|Dinas Pendidikan']);

    expect(pgRows("SELECT action || '|' || db_user FROM sandi.audit_log WHERE entity = 'aduan' ORDER BY id")).toEqual([
      'aduan.catat|budi',
      'aduan.impor|budi',
      'aduan.impor|budi',
      'aduan.disposisi|siti',
      'aduan.tindaklanjut|budi',
      'aduan.konfirmasi|siti',
      'aduan.disposisi|siti',
      'aduan.tunda|siti',
      'aduan.lanjutkan|budi',
      'aduan.pelapor_dibuka|siti',
    ]);
    // the identity is in the database only encrypted
    const dump = pgRows("SELECT row_to_json(a)::text FROM sandi.aduan a UNION ALL SELECT row_to_json(l)::text FROM sandi.aduan_langkah l UNION ALL SELECT data FROM sandi.audit_log").join('\n');
    for (const s of Object.values(PELAPOR)) expect(dump).not.toContain(s);
  }, 60_000);

  it('aduan: the two desks record a hand-over of the same complaint at once: one is recorded, the other is told (81)', async () => {
    const steps = () => pgRows("SELECT count(*) FROM sandi.aduan_langkah WHERE aduan_id = (SELECT id FROM sandi.aduan WHERE nomor_pelacakan = 'LAPOR-9001')");
    const before = Number(steps()[0]);
    // LAPOR-9001 is with the OPD: A records its follow-up while B records its return, both allowed from didisposisi
    const [a, b] = await Promise.all([
      sandiAsync(['--no-input', 'aduan', 'tindaklanjut', 'LAPOR-9001', '--catatan', 'pungutan dihentikan'], envOf('budi')),
      sandiAsync(['--no-input', 'aduan', 'kembalikan', 'LAPOR-9001', '--alasan', 'kewenangan dinas lain'], envOf('siti')),
    ]);
    expect([a.code, b.code].sort(), `${a.stderr}\n${b.stderr}`).toEqual([0, 81]);
    const loser = a.code === 0 ? b : a;
    expect(loser.stderr).toMatch(/Aduan ADU\/\d{3}\/\d{4}/);
    expect(Number(steps()[0])).toBe(before + 1);
    expect(pgRows("SELECT status FROM sandi.aduan WHERE nomor_pelacakan = 'LAPOR-9001'")).toEqual([a.code === 0 ? 'ditindaklanjuti' : 'dikembalikan_oleh_opd']);
  }, 60_000);

  it('audit periksa passes at both homes', () => {
    for (const who of ['budi', 'siti'] as const) expect(ok(run(who, ['--json', 'audit', 'periksa']), `audit periksa at ${who}`).json()).toMatchObject({ ok: true });
    expect(pgRows('SELECT DISTINCT db_user FROM sandi.audit_log ORDER BY 1')).toEqual(['budi', 'siti']);
  }, 60_000);
});
