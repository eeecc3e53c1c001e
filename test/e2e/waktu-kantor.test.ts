/**
 * Times people read (issue 13 defect 6): a letter that reached the office's Maildir at 16:34 UTC on
 * 6 December 2026 arrived at 00:34 WITA on 7 December in an office in Makassar. The screen (`terima status`,
 * `agenda masuk lihat`, `akun status`) shows office time with the zone's name, the print pack shows the
 * Indonesian long date ("7 Desember 2026 pukul 00.34 WITA"); `--json` and the exports keep UTC ISO.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import ExcelJS from 'exceljs';
import Database from '../../src/adapters/sqlite/driver.js';
import { sandi, tempHome } from '../helpers/cli.js';
import { haveCommand } from '../helpers/gate.js';
import { GpgHome, HAVE_GPG } from '../helpers/gpg.js';
import { ARSIP_PASSPHRASE, testMessages } from '../helpers/terima-fixture.js';
import { tanggalLayar, waktuLayar } from '../../src/domain/tanggal-tampil.js';
import type { FetchReport } from '../../src/services/terima/index.js';

const ARRIVED = '2026-12-06T16:34:13.652Z'; // 00:34 WITA on 7 December, 23:34 WIB on 6 December
let home: { dir: string; cleanup: () => void };
let nomor: string;
const run = (args: string[], env: NodeJS.ProcessEnv = {}) => sandi(['--home', home.dir, '--no-input', ...args], { env: { SANDI_OPERATOR: 'sandiman-e2e', ...env } });

function patchConfig(patch: (c: Record<string, unknown> & { office: Record<string, unknown> }) => void): void {
  const file = join(home.dir, 'config.json');
  const c = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown> & { office: Record<string, unknown> };
  patch(c);
  writeFileSync(file, JSON.stringify(c, null, 2), { mode: 0o600 });
}

beforeAll(async () => {
  if (!existsSync(resolve(import.meta.dirname, '../../dist/cli/terima.js'))) throw new Error('dist/ is not built: run `npm run build` first');
  home = tempHome('sandi-e2e-waktu-');
  expect(sandi(['--home', home.dir, 'demo', '--json']).code).toBe(0);
  patchConfig((c) => {
    c.office['timeZone'] = 'Asia/Makassar';
  });
  const inbox = join(home.dir, 'maildir', 'INBOX', 'new');
  mkdirSync(inbox, { recursive: true });
  const m = (await testMessages('W')).find((x) => x.name === 'pdf')!;
  const file = join(inbox, '1765038853.P1.waktu');
  writeFileSync(file, m.raw);
  utimesSync(file, new Date(ARRIVED), new Date(ARRIVED));
  const r = run(['terima', '--json']);
  expect(r.code, r.stderr).toBe(0);
  nomor = r.json<FetchReport>().baru[0]!.nomor;
}, 60_000);
afterAll(() => home?.cleanup());

describe('office time on screen, UTC ISO in --json and exports (WITA, near midnight UTC)', () => {
  it('terima status: BATAS and WAKTU in WITA; --json keeps the ISO instants', () => {
    const st = run(['terima', 'status', nomor]);
    expect(st.code, st.stderr).toBe(0);
    // the service deadline and every step's deadline are office times, never a raw ISO string
    expect(st.stdout).not.toMatch(/\d{4}-\d\d-\d\dT\d\d:\d\d/);
    expect(st.stdout).toMatch(/\d{4}-\d\d-\d\d \d\d:\d\d WITA/);
    const json = run(['--json', 'terima', 'status', nomor]).json<{ surat: { diterimaAt: string; sla: { batasLayanan: string; milestones: { batas: string }[] } }[] }>();
    expect(json.surat[0]!.diterimaAt).toBe(ARRIVED);
    expect(json.surat[0]!.sla.batasLayanan).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(st.stdout).toContain(waktuLayar(json.surat[0]!.sla.batasLayanan, 'Asia/Makassar'));
    for (const m of json.surat[0]!.sla.milestones) expect(st.stdout).toContain(waktuLayar(m.batas, 'Asia/Makassar'));
  });

  it('agenda masuk lihat: every *_at in WITA (the date is the next day); --json, CSV, JSONL and XLSX keep UTC ISO', async () => {
    const v = run(['agenda', 'masuk', 'lihat', nomor]);
    expect(v.code, v.stderr).toBe(0);
    expect(v.stdout).toMatch(/^diterima_at\s+2026-12-07 00:34 WITA$/m);
    expect(v.stdout).toMatch(/^registered_at\s+\d{4}-\d\d-\d\d \d\d:\d\d WITA$/m);
    expect(v.stdout).not.toMatch(/\d{4}-\d\d-\d\dT\d\d:\d\d/);
    const j = run(['--json', 'agenda', 'masuk', 'lihat', nomor]).json<{ baris: { diterima_at: string } }>();
    expect(j.baris.diterima_at).toBe(ARRIVED);
    const csv = run(['agenda', 'masuk', 'ekspor', '--format', 'csv']);
    expect(csv.code, csv.stderr).toBe(0);
    expect(csv.stdout).toContain(ARRIVED);
    expect(csv.stdout).not.toContain('WITA');
    const jsonl = run(['agenda', 'masuk', 'ekspor', '--format', 'jsonl']);
    expect(jsonl.stdout).toContain(ARRIVED);
    expect(jsonl.stdout).not.toContain('WITA');
    const xlsx = join(home.dir, 'masuk.xlsx');
    expect(run(['agenda', 'masuk', 'ekspor', '--keluaran', xlsx]).code).toBe(0);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(xlsx);
    const ws = wb.worksheets[0]!;
    const col = (ws.getRow(1).values as unknown[]).indexOf('diterima_at');
    expect(ws.getRow(2).getCell(col).value).toBe(ARRIVED);
  });

  it('akun status: last change and deadline in WITA; --json keeps UTC ISO', () => {
    patchConfig((c) => {
      c['mailbox'] = { user: 'sandi@kominfo.test', imap: { host: '127.0.0.1', port: 1993, tls: 'tls' }, smtp: { host: '127.0.0.1', port: 1465, tls: 'tls' } };
    });
    const saved = sandi(['--home', home.dir, '--no-input', 'akun', 'simpan', '--diubah', '2026-12-01'], { env: { SANDI_PASSPHRASE_ARSIP: ARSIP_PASSPHRASE }, input: 'rahasia-kotak-surat-1\n' });
    expect(saved.code, saved.stderr).toBe(0);
    // a change recorded at 16:34 UTC: in Makassar that is 00:34 the next day
    const db = new Database(join(home.dir, 'sandi.db'));
    try {
      db.prepare('UPDATE akun_sandi SET diubah_at = ?').run(ARRIVED);
    } finally {
      db.close();
    }
    const st = run(['akun', 'status']);
    expect(st.code, st.stderr).toBe(0);
    expect(st.stdout).toContain('Terakhir diganti: 2026-12-07 00:34 WITA');
    expect(st.stdout).toContain('Tenggat (90 hari): 2027-03-07 00:34 WITA');
    const j = run(['--json', 'akun', 'status']).json<{ lastChanged: string; deadline: string }>();
    expect(j).toMatchObject({ lastChanged: ARRIVED, deadline: '2027-03-06T16:34:13.652Z' });
  });

  it.runIf(HAVE_GPG)('kunci daftar: a key made at 20:30 UTC is dated the next day in WITA, both created and expiry; --json keeps UTC ISO', async () => {
    const gpg = new GpgHome();
    try {
      const made = await gpg.run(['--faked-system-time', '20261206T203000', '--quick-gen-key', 'Dinas Malam <malam@dinas.test>', 'ed25519', 'sign', '1y'], undefined, 'frasa-malam-1');
      expect(made.code, made.stderr.toString()).toBe(0);
      const fpr = /^fpr:+([0-9A-F]{40}):/m.exec((await gpg.run(['--with-colons', '--list-keys', 'malam@dinas.test'])).stdout.toString())![1]!;
      const sub = await gpg.run(['--faked-system-time', '20261206T203100', '--quick-add-key', fpr, 'cv25519', 'encr', '1y'], undefined, 'frasa-malam-1');
      expect(sub.code, sub.stderr.toString()).toBe(0);
      const pub = gpg.file('malam.asc', (await gpg.run(['--armor', '--export', 'malam@dinas.test'])).stdout);
      const imp = run(['kunci', 'impor', pub, '--email', 'malam@dinas.test', '--unit', 'Dinas Malam']);
      expect(imp.code, imp.stderr).toBe(0);
      // a key that expired at 20:30 UTC: the import warning names the expiry in office time
      const old = await gpg.run(['--faked-system-time', '20250101T203000', '--quick-gen-key', 'Dinas Lama <lama@dinas.test>', 'ed25519', 'sign', '1d'], undefined, 'frasa-lama-1');
      expect(old.code, old.stderr.toString()).toBe(0);
      const oldFpr = /^fpr:+([0-9A-F]{40}):/m.exec((await gpg.run(['--with-colons', '--list-keys', 'lama@dinas.test'])).stdout.toString())![1]!;
      expect((await gpg.run(['--faked-system-time', '20250101T203100', '--quick-add-key', oldFpr, 'cv25519', 'encr', '1d'], undefined, 'frasa-lama-1')).code).toBe(0);
      const oldPub = gpg.file('lama.asc', (await gpg.run(['--armor', '--export', 'lama@dinas.test'])).stdout);
      const oldImp = run(['kunci', 'impor', oldPub, '--peran', 'penerima']);
      expect(oldImp.stderr).toContain('kedaluwarsa sejak 2025-01-03 04:30 WITA');
    } finally {
      gpg.cleanup();
    }
    const keys = run(['--json', 'kunci', 'daftar']).json<{ userId: string; created: string; expires: string | null }[]>();
    const k = keys.find((x) => x.userId.includes('malam@dinas.test'))!;
    expect(k.created).toBe('2026-12-06T20:30:00.000Z');
    expect(k.expires).toMatch(/^2027-12-0[67]T\d\d:\d\d:\d\d\.000Z$/);
    const human = run(['kunci', 'daftar']);
    expect(human.code, human.stderr).toBe(0);
    const line = human.stdout.split('\n').find((l) => l.includes('malam@dinas.test'))!;
    expect(line).toContain('2026-12-07');
    expect(line).not.toContain('2026-12-06');
    expect(line).toContain(tanggalLayar(k.expires, 'Asia/Makassar'));
  });

  it.runIf(haveCommand('pdftotext', ['-v']))('the print pack: "Tanggal diterima 7 Desember 2026 pukul 00.34 WITA"; in English "7 December 2026 at 00:34 WITA"; in WIB the same instant is 6 Desember 23.34', () => {
    const text = (args: string[]): string => {
      const out = join(home.dir, `cetak-${args.length}-${Date.now()}.pdf`);
      const r = run([...args, 'terima', 'cetak', nomor, '--tanpa-printer', '--keluaran', out]);
      expect(r.code, r.stderr).toBe(0);
      return execFileSync('pdftotext', ['-layout', out, '-'], { encoding: 'utf8' }).replace(/[ \t]+/g, ' ');
    };
    const id = text([]);
    expect(id).toContain('Tanggal diterima 7 Desember 2026 pukul 00.34 WITA');
    expect(id).not.toMatch(/\d{4}-\d\d-\d\dT\d\d:\d\d/);
    expect(text(['--lang', 'en'])).toContain('7 December 2026 at 00:34 WITA');
    patchConfig((c) => {
      c.office['timeZone'] = 'Asia/Jakarta';
    });
    expect(text([])).toContain('Tanggal diterima 6 Desember 2026 pukul 23.34 WIB');
  });

  it.runIf(haveCommand('pdftotext', ['-v']))('the quarterly report: the period and the signature date written out ("31 Desember 2026"), on screen and on paper', () => {
    const screen = run(['laporan', 'kinerja', '--triwulan', '2026-IV']);
    expect(screen.code, screen.stderr).toBe(0);
    expect(screen.stdout).toContain('Periode: 1 Oktober 2026 s.d. 31 Desember 2026');
    const pdf = join(home.dir, 'laporan-iv.pdf');
    const r = run(['laporan', 'kinerja', '--triwulan', '2026-IV', '--pdf', pdf]);
    expect(r.code, r.stderr).toBe(0);
    const text = execFileSync('pdftotext', ['-layout', pdf, '-'], { encoding: 'utf8' }).replace(/[ \t]+/g, ' ');
    expect(text).toContain('Periode: 1 Oktober 2026 s.d. 31 Desember 2026');
    // place and date, as an office signs: the town from the office name "… Kota Contoh (DEMO)"
    expect(text).toMatch(/ Contoh, 31 Desember 2026\s*$/m);
    expect(text).not.toContain('2026-12-31');
    const en = join(home.dir, 'laporan-iv-en.pdf');
    expect(run(['--lang', 'en', 'laporan', 'kinerja', '--triwulan', '2026-IV', '--pdf', en]).code).toBe(0);
    expect(execFileSync('pdftotext', ['-layout', en, '-'], { encoding: 'utf8' })).toContain('31 December 2026');
    // --json keeps the calendar dates as they are
    expect(run(['--json', 'laporan', 'kinerja', '--triwulan', '2026-IV']).json<{ periode: { sampai: string } }>().periode.sampai).toBe('2026-12-31');
  });
});
