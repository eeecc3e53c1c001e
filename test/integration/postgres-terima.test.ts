/**
 * Incoming mail across workstations on one PostgreSQL database (issue 15, done-when: "terima with paraf and
 * receipt from different homes"): the CLI end to end on a private server, no IMAP server (terima reads a local
 * folder with `--dari-folder`). The sandiman fetches, registers and prints at home A, the Kasi records the paraf
 * at home B, the pimpinan (Kabid, Kadis) theirs at home D, the caraka records the delivery and the receipt — the
 * last one files the letter (arsip, selesai) — at home C; each step's audit event carries that officer's database
 * role (session_user, audit_log.db_user); a caraka recording a paraf is 77 with nothing written; `audit periksa`
 * passes from every home.
 *
 * The homes share only the database: the raw mail is archived in it (src/adapters/postgres/arsip.ts), in the
 * unit that registers it, so the control card is printed at a second workstation of the sandiman (home E, its
 * own empty arsip/ folder) from the database's copy, and `terima arsip-periksa` re-hashes that copy from any
 * home.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { peranSql } from '../../src/adapters/postgres/roles.js';
import type { FetchReport } from '../../src/services/terima/index.js';
import { sandi, type CliResult } from '../helpers/cli.js';
import { describeWith } from '../helpers/gate.js';
import { postgresMissing, startPostgres, type PgServer } from '../helpers/postgres.js';
import { compose } from '../helpers/terima-fixture.js';

const missing = postgresMissing();
const KEYS = resolve(import.meta.dirname, '../../keys.example');
const manifest = JSON.parse(readFileSync(join(KEYS, 'manifest.json'), 'utf8')) as {
  keys: { slug: string; fingerprint: string; email: string; passphrase: string; unit: string | null; unitCode: string | null }[];
};
const key = (slug: string) => manifest.keys.find((k) => k.slug === slug)!;
const arsipFpr = key('arsip').fingerprint;
const PASSWORD = 'uji-terima-2026';

describeWith(`a private PostgreSQL (${missing ?? ''})`, missing === null, 'incoming mail on PostgreSQL: four workstations', () => {
  let pg: PgServer;
  let dir: string;
  const url = (user: string) => `postgresql://${user}@127.0.0.1:${pg.port}/kantor`;
  const envOf = (home: string, operator: string): NodeJS.ProcessEnv => ({ SANDI_HOME: home, SANDI_OPERATOR: operator, PGPASSWORD: PASSWORD, PGPASSFILE: join(dir, 'tidak-ada') });
  const homes: Record<'budi' | 'siti' | 'hadi' | 'joko' | 'budi2', { home: string; env: NodeJS.ProcessEnv }> = {} as never;
  const ok = (r: CliResult, what: string): CliResult => {
    expect(r.code, `${what}\n${r.stderr}\n${r.stdout}`).toBe(0);
    return r;
  };
  const pgRows = (sql: string): string[] => pg.psql(sql, { db: 'kantor' }).split('\n').filter((l) => l !== '');

  beforeAll(async () => {
    pg = await startPostgres();
    dir = mkdtempSync(join(tmpdir(), 'sandi-pg-terima-'));
    // the administrator: the roles as `sandi db peran` prints them, each login role's password, the database
    const sql = peranSql({ officers: [{ role: 'budi', groups: ['sandiman'] }, { role: 'siti', groups: ['kasi'] }, { role: 'hadi', groups: ['pimpinan'] }, { role: 'joko', groups: ['caraka'] }] })
      .split('\n')
      .filter((l) => !l.startsWith('--') && !l.startsWith('GRANT sandi_pemilik TO CURRENT_USER') && l.trim() !== '')
      .join('\n');
    pg.psql(sql);
    pg.psql(['budi', 'siti', 'hadi', 'joko', 'sandi_pemilik'].map((r) => `ALTER ROLE ${r} PASSWORD '${PASSWORD}';`).join(' '));
    pg.psql('CREATE DATABASE kantor OWNER sandi_pemilik');
    ok(sandi(['--db', url('sandi_pemilik'), 'db', 'siapkan'], { env: envOf(join(dir, 'admin'), 'admin') }), 'db siapkan');
    for (const who of ['budi', 'siti', 'hadi', 'joko', 'budi2'] as const) {
      const home = join(dir, `rumah-${who}`);
      mkdirSync(home, { mode: 0o700 });
      homes[who] = { home, env: envOf(home, who === 'budi2' ? 'budi' : who) };
    }
    // every workstation: the archive key in its own home (private keys never go into the database), then it
    // joins the office database as its own role
    for (const who of ['budi', 'siti'] as const) {
      ok(sandi(['--db', url(who), 'kunci', 'impor', join(KEYS, 'arsip.sec.asc'), '--peran', 'arsip'], { env: homes[who].env }), `arsip key ${who}`);
      ok(sandi(['--db', url(who), 'init', '--no-input', '--nama-kantor', 'Diskominfo Contoh', '--kode-unit', 'DKI', '--kunci-arsip', arsipFpr, '--izinkan-kunci-demo'], { env: homes[who].env }), `init ${who}`);
    }
    // The pimpinan's and the caraka's workstations: the same archive key, already in the shared key register —
    // the import places its files in the home and leaves the register's row as it is (their groups may not change
    // the key register: before, the import re-wrote the row and was refused with 77)
    for (const who of ['hadi', 'joko', 'budi2'] as const) {
      const role = who === 'budi2' ? 'budi' : who;
      ok(sandi(['--db', url(role), 'kunci', 'impor', join(KEYS, 'arsip.sec.asc'), '--peran', 'arsip'], { env: homes[who].env }), `arsip key ${who}`);
      ok(sandi(['--db', url(role), 'init', '--no-input', '--nama-kantor', 'Diskominfo Contoh', '--kode-unit', 'DKI', '--kunci-arsip', arsipFpr, '--izinkan-kunci-demo'], { env: homes[who].env }), `init ${who}`);
    }
  }, 60_000);
  afterAll(async () => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    await pg?.stop();
  });

  it('fetch at A, paraf at B (Kasi) and D (pimpinan), delivery and receipt at C; who did each step, vouched by the server', async () => {
    const run = (who: keyof typeof homes, args: string[]) => sandi(['--no-input', ...args], { env: homes[who].env });
    const inbox = join(dir, 'masuk');
    mkdirSync(inbox);
    writeFileSync(join(inbox, '1.eml'), await compose({ from: 'tu@dinkes.contoh.go.id', to: 'persandian@diskominfo.contoh.go.id', subject: 'Undangan rapat', text: 'Mohon hadir.', messageId: '<pg-terima-1@dinkes.contoh.go.id>' }));

    // home A, the sandiman: fetch and register, print the control card
    const fetched = ok(run('budi', ['--json', 'terima', '--dari-folder', inbox]), 'terima at A').json<FetchReport>();
    expect(fetched.baru).toHaveLength(1);
    const nomor = (fetched.baru[0] as unknown as { nomor: string }).nomor;
    expect(nomor).toMatch(/^SM\/001\//);
    // the raw mail is in the office database, named in the unit that registered it
    const sha = pgRows('SELECT raw_sha256 FROM sandi.surat_masuk')[0] ?? '';
    expect(pgRows(`SELECT db_user FROM sandi.arsip_nama WHERE name = 'surat-masuk/${sha.slice(0, 2)}/${sha}.eml'`)).toEqual(['budi']);
    // the sandiman's second workstation (home E, nothing in its arsip/ folder) prints it from the database
    ok(run('budi2', ['terima', 'cetak', nomor, '--tanpa-printer', '--keluaran', join(dir, 'kartu.pdf')]), 'cetak at E');
    expect(existsSync(join(homes.budi2.home, 'arsip', 'surat-masuk', sha.slice(0, 2), `${sha}.eml`))).toBe(false);
    expect(readFileSync(join(dir, 'kartu.pdf')).subarray(0, 5).toString()).toBe('%PDF-');
    // and any home re-hashes the office's archive
    expect(ok(run('siti', ['--json', 'terima', 'arsip-periksa']), 'arsip-periksa at B').json()).toMatchObject({ diperiksa: 1, rusak: [], hilang: [] });

    // home C, the caraka, tries to record a paraf: refused by the server, 77, nothing written
    const before = pgRows('SELECT (SELECT count(*) FROM sandi.audit_log) || \'|\' || (SELECT count(*) FROM sandi.surat_masuk_langkah) || \'|\' || (SELECT status FROM sandi.surat_masuk)');
    const refused = run('joko', ['terima', 'paraf', nomor, '--sebagai', 'Kasi', '--nama', 'Joko']);
    expect(refused.code, refused.stderr).toBe(77);
    expect(refused.stderr).toContain('sandi_caraka');
    expect(pgRows('SELECT (SELECT count(*) FROM sandi.audit_log) || \'|\' || (SELECT count(*) FROM sandi.surat_masuk_langkah) || \'|\' || (SELECT status FROM sandi.surat_masuk)')).toEqual(before);

    // home B, the Kasi: the paraf
    ok(run('siti', ['terima', 'paraf', nomor, '--sebagai', 'Kasi', '--nama', 'Siti']), 'paraf at B');
    // the pimpinan's desk (home D): Kabid, then Kadis
    ok(run('hadi', ['terima', 'paraf', nomor, '--sebagai', 'Kabid', '--nama', 'Sari']), 'paraf Kabid at D');
    ok(run('hadi', ['terima', 'paraf', nomor, '--sebagai', 'Kadis', '--nama', 'Hadi']), 'paraf Kadis at D');
    // home C, the caraka: the delivery and the receipt (the last receipt files it)
    ok(run('joko', ['terima', 'antar', nomor, '--caraka', 'Joko', '--tujuan', 'Kepala Dinas']), 'antar at C');
    ok(run('joko', ['terima', 'tandaterima', nomor, '--tujuan', 'Kepala Dinas', '--diterima-oleh', 'Ani']), 'tandaterima at C');

    expect(pgRows('SELECT status FROM sandi.surat_masuk')).toEqual(['selesai']);
    const who = pgRows("SELECT action || '|' || db_user FROM sandi.audit_log WHERE entity = 'surat_masuk' ORDER BY id");
    expect(who).toEqual([
      'surat_masuk.terdaftar|budi',
      'surat_masuk.langkah.cetak|budi',
      'surat_masuk.dicetak|budi',
      'surat_masuk.langkah.paraf|siti',
      'surat_masuk.langkah.paraf|hadi',
      'surat_masuk.langkah.paraf|hadi',
      'surat_masuk.diparaf|hadi',
      'surat_masuk.langkah.antar|joko',
      'surat_masuk.diantar|joko',
      'surat_masuk.langkah.tandaterima|joko',
      'surat_masuk.langkah.arsip|joko',
      'surat_masuk.selesai|joko',
    ]);
    expect(pgRows("SELECT DISTINCT db_user FROM sandi.audit_log ORDER BY 1")).toEqual(['budi', 'hadi', 'joko', 'siti']);

    for (const w of ['budi', 'siti', 'hadi', 'joko'] as const) {
      expect(ok(run(w, ['--json', 'audit', 'periksa']), `audit periksa at ${w}`).json()).toMatchObject({ ok: true });
    }
  }, 60_000);

  it('an ordinary letter: the sandiman signs it at their own desk (kirim --biasa --tandatangani), as on SQLite', () => {
    const env = homes.budi.env;
    const d = key('dinkes');
    ok(sandi(['kunci', 'impor', join(KEYS, 'sandiman.sec.asc'), '--peran', 'sandiman'], { env }), 'sandiman key');
    ok(sandi(['kunci', 'impor', join(KEYS, 'dinkes.pub.asc'), '--peran', 'penerima', '--email', d.email, '--unit', d.unit!, '--kode-unit', d.unitCode!], { env }), 'dinkes key');
    const doc = join(dir, 'surat.txt');
    writeFileSync(doc, 'Surat biasa, ditandatangani sandiman.\n');
    ok(
      sandi(['kirim', doc, '--biasa', '--tandatangani', '--no-input', '--json', '--kepada', d.email, '--perihal', 'Undangan'], { env: { ...env, SANDI_PASSPHRASE_SANDIMAN: key('sandiman').passphrase } }),
      'kirim --biasa --tandatangani at A',
    );
    expect(pgRows("SELECT signer_fpr || '|' || (ditandatangani_at IS NOT NULL) FROM sandi.surat_keluar")).toEqual([`${key('sandiman').fingerprint}|true`]);
    expect(pgRows("SELECT DISTINCT db_user FROM sandi.audit_log WHERE entity = 'surat_keluar'")).toEqual(['budi']);
  }, 30_000);
});
