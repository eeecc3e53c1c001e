/**
 * Issue 13 defect 1: a value the operator types is checked by its record's schema at the edge (flags, prompts)
 * before anything is written. The real CLI on a demo home (local Maildir): a bad value exits 65 naming the
 * field and the expected form; no register row and no number is taken; at a terminal the prompt re-asks.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sandi, tempHome } from '../helpers/cli.js';
import { expectNextNumber } from '../helpers/numbering.js';
import { describeWith } from '../helpers/gate.js';
import { KEY, havePython3Pty, sandiPty } from '../helpers/pty.js';

const manifest = JSON.parse(readFileSync(resolve(import.meta.dirname, '../../keys.example/manifest.json'), 'utf8')) as {
  keys: { role: string; email: string; passphrase: string }[];
};
const pass = (role: string) => manifest.keys.find((k) => k.role === role)!.passphrase;
const dinkes = manifest.keys.find((k) => k.role === 'penerima')!.email;

interface Daftar {
  total: number;
  baris: { nomor: string | null; sifat: string; status: string }[];
}

const tmp = tempHome('sandi-edge-');
const home = join(tmp.dir, 'home');
const doc = join(tmp.dir, 'nota.txt');
const env = { SANDI_HOME: home, SANDI_OPERATOR: 'budi', SANDI_PASSPHRASE_SANDIMAN: pass('sandiman'), SANDI_PASSPHRASE_KASI: pass('kasi') };
const run = (args: string[], input?: string) => sandi(args, { env, ...(input !== undefined ? { input } : {}) });
const keluar = () => run(['agenda', 'keluar', 'daftar', '--json']).json<Daftar>();
const kirimArgs = (over: Record<string, string> = {}) => {
  const flags: Record<string, string> = {
    '--permohonan-nomor': '005/1',
    '--permohonan-tanggal': '2026-11-20',
    '--permohonan-unit': 'Setda',
    '--kepada': dinkes,
    '--perihal': 'Rapat',
    '--sifat': 'Terbatas',
    '--derajat': 'Segera',
    ...over,
  };
  return ['kirim', doc, '--no-input', ...Object.entries(flags).flat()];
};

beforeAll(() => {
  expect(sandi(['demo'], { env: { SANDI_HOME: home } }).code).toBe(0);
  writeFileSync(doc, 'Nota dinas untuk uji.\n');
}, 60_000);
afterAll(() => tmp.cleanup());

describe('sandi kirim: values refused at the edge (exit 65, nothing registered)', () => {
  it('--permohonan-tanggal "kemarin sore" → 65 naming the field; the register and its numbering unchanged', () => {
    const before = keluar();
    const r = run(kirimArgs({ '--permohonan-tanggal': 'kemarin sore' }));
    expect(r.code, r.stderr).toBe(65);
    expect(r.stderr).toContain('--permohonan-tanggal "kemarin sore"');
    expect(r.stderr).toContain('YYYY-MM-DD');
    expect(keluar()).toEqual(before);
    // the next good letter takes the next number: the refused one took none
    const t0 = new Date();
    const ok = run([...kirimArgs({ '--sifat': 'terbatas', '--derajat': 'SEGERA' }), '--json']);
    const t1 = new Date();
    expect(ok.code, ok.stderr).toBe(0);
    const after = keluar();
    expect(after.total).toBe(before.total + 1);
    const newest = after.baris.find((b) => !before.baris.some((x) => x.nomor === b.nomor))!;
    // the classification typed in lower case is stored in its canonical spelling
    expect(newest.sifat).toBe('Terbatas');
    const prev = before.baris.map((b) => b.nomor).filter((n): n is string => n !== null).sort().at(-1)!;
    expectNextNumber(prev, newest.nomor!, { before: t0, after: t1 });
  }, 60_000);

  it('every bad field named at once, in English with --lang en; --json carries the DATA code', () => {
    const before = keluar();
    const r = run(['--lang', 'en', '--json', ...kirimArgs({ '--permohonan-tanggal': '2026-02-30', '--kepada': 'bukan-alamat', '--sifat': 'rahasiaa' })]);
    expect(r.code).toBe(65);
    // the error report goes to stderr, stdout stays clean for a pipe
    expect(r.stdout).toBe('');
    const err = (JSON.parse(r.stderr) as { error: { code: string; key: string; message: string } }).error;
    expect(err).toMatchObject({ code: 'DATA', key: 'validasi.ditolak' });
    for (const f of ['--permohonan-tanggal "2026-02-30"', '--kepada "bukan-alamat"', '--sifat "rahasiaa"', 'must be a calendar date YYYY-MM-DD']) expect(err.message).toContain(f);
    expect(keluar()).toEqual(before);
  }, 60_000);

  it('--sifat in lower case is still Rahasia: a subject in argv is refused for it (never stored in clear)', () => {
    const before = keluar();
    const r = run(kirimArgs({ '--sifat': 'rahasia' }));
    expect(r.code, r.stderr).toBe(64);
    expect(r.stderr).toContain('--perihal-file');
    expect(keluar()).toEqual(before);
  });

  it('kirim --biasa: a bad --kepada or --permohonan-tanggal → 65; the outgoing mail register unchanged', () => {
    const biasa = () => run(['kirim', 'status', '--biasa', '--semua', '--json']).json<unknown[]>().length;
    const before = biasa();
    const r = run(['kirim', doc, '--biasa', '--no-input', '--kepada', 'opd1@dinkes', '--perihal', 'Undangan', '--permohonan-tanggal', '20-11-2026']);
    expect(r.code, r.stderr).toBe(65);
    expect(r.stderr).toContain('--kepada "opd1@dinkes"');
    expect(r.stderr).toContain('--permohonan-tanggal "20-11-2026"');
    expect(biasa()).toBe(before);
  }, 60_000);
});

describe('other commands: the same schemas at their edge', () => {
  it('init: every bad flag value named at once (unit code, schedule, number format, port, host, e-mail) → 65, no home made', () => {
    const fresh = join(tmp.dir, 'init-baru');
    const r = sandi(
      ['--home', fresh, 'init', '--no-input', '--nama-kantor', 'Dinas X', '--kode-unit', 'a b/c', '--jam-layanan', 'kapan saja',
        '--format-kriptogram', 'X/{foo}', '--imap-port', '99999', '--akun-user', 'persandian@x.go.id', '--imap-host', 'imap server',
        '--smtp-host', 'smtp.x.go.id', '--buat-kunci-arsip', '--email-arsip', 'bukan email'],
      { env: { SANDI_PASSPHRASE_ARSIP: 'frasa-arsip-uji-2026' } },
    );
    expect(r.code, r.stderr).toBe(65);
    for (const f of ['--kode-unit "a b/c"', '--jam-layanan "kapan saja"', '--format-kriptogram "X/{foo}"', '--imap-port "99999"', '--imap-host "imap server"', '--email-arsip "bukan email"']) {
      expect(r.stderr).toContain(f);
    }
    expect(r.stderr).not.toMatch(/expected|allowed|missing/i);
    expect(existsSync(fresh)).toBe(false);
  });

  it('kunci alamat tambah --email bukan-surel → 65, address book unchanged', () => {
    const before = run(['kunci', 'alamat', 'daftar', '--json']).stdout;
    const r = run(['kunci', 'alamat', 'tambah', '--no-input', '--email', 'dinkes.pekalongan', '--unit', 'Dinkes', '--kunci', 'ABCD']);
    expect(r.code, r.stderr).toBe(65);
    expect(r.stderr).toContain('--email "dinkes.pekalongan"');
    expect(run(['kunci', 'alamat', 'daftar', '--json']).stdout).toBe(before);
  });

  it('kunci buat --kedaluwarsa and --email → 65 before a passphrase is asked, no key made', () => {
    const before = run(['kunci', 'daftar', '--json']).stdout;
    const r = run(['kunci', 'buat', '--no-input', '--peran', 'sandiman', '--nama', 'Budi', '--email', 'budi@', '--kedaluwarsa', 'kapan-kapan']);
    expect(r.code, r.stderr).toBe(65);
    expect(r.stderr).toContain('--email "budi@"');
    expect(r.stderr).toContain('--kedaluwarsa "kapan-kapan"');
    expect(run(['kunci', 'daftar', '--json']).stdout).toBe(before);
  });

  it('terima teruskan --ke a non-address → 65 naming --ke', () => {
    const r = run(['terima', 'teruskan', 'SM/001/XII/2026', '--ke', 'opd2@disdik.test', 'disdik bagian umum']);
    expect(r.code, r.stderr).toBe(65);
    expect(r.stderr).toContain('--ke "disdik bagian umum"');
  });

  it('terima tandaterima --waktu "kemarin 1" (Date would read 2001-01-01) or 2026-02-30 → 65 naming --waktu', () => {
    for (const w of ['kemarin 1', '2026-02-30T10:00']) {
      const r = run(['terima', 'tandaterima', 'SM/001/XII/2026', '--tujuan', 'Sekda', '--diterima-oleh', 'Ani', '--waktu', w]);
      expect(r.code, r.stderr).toBe(65);
      expect(r.stderr).toContain(`--waktu "${w}"`);
    }
  });

  it('agenda/laporan/aduan laporan: a period that is not two calendar dates in order → 65 naming the flag', () => {
    const a = run(['agenda', 'keluar', 'daftar', '--dari', '2026-02-30']);
    expect(a.code, a.stderr).toBe(65);
    expect(a.stderr).toContain('--dari "2026-02-30"');
    const l = run(['laporan', 'kinerja', '--dari', '2026-12-01', '--sampai', '2026-11-01']);
    expect(l.code, l.stderr).toBe(65);
    expect(l.stderr).toContain('--sampai "2026-11-01"');
    const d = run(['aduan', 'laporan', '--no-input', '--dari', '2026-10-01', '--sampai', '31-12-2026']);
    expect(d.code, d.stderr).toBe(65);
    expect(d.stderr).toContain('--sampai "31-12-2026"');
  });

  it('aduan catat: --jenis, --diterima, --kerahasiaan all named at once → 65; no complaint registered', () => {
    const before = run(['aduan', 'status', '--semua', '--json']).stdout;
    const r = run(['aduan', 'catat', '--no-input', '--kanal', 'lapor', '--nomor-pelacakan', 'EDGE-1', '--jenis', 'keluhan', '--judul', 'Jalan', '--diterima', 'kemarin', '--kerahasiaan', 'publik']);
    expect(r.code, r.stderr).toBe(65);
    for (const f of ['--jenis "keluhan"', '--diterima "kemarin"', '--kerahasiaan "publik"']) expect(r.stderr).toContain(f);
    expect(run(['aduan', 'status', '--semua', '--json']).stdout).toBe(before);
    // any letter case is taken, the canonical spelling stored
    const ok = run(['aduan', 'catat', '--no-input', '--json', '--kanal', 'lapor', '--nomor-pelacakan', 'EDGE-2', '--jenis', 'Pengaduan', '--judul', 'Jalan', '--diterima', '2026-11-19', '--kerahasiaan', 'ANONIM']);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/"jenis": "pengaduan"/);
    expect(ok.stdout).toMatch(/"kerahasiaan": "anonim"/);
  });

  it('akun simpan --diubah "minggu lalu" → 65 before the password is read', () => {
    const r = run(['akun', 'simpan', '--diubah', 'minggu lalu'], 'rahasia-sekali\n');
    expect(r.code, r.stderr).toBe(65);
    expect(r.stderr).toContain('minggu lalu');
  });
});

describeWith('python3 (pty module)', havePython3Pty(), 'sandi kirim at a terminal: a bad date is asked again', () => {
  it('20-11-2026 at "(YYYY-MM-DD)" is re-asked with the reason; 2026-11-20 is then stored', async () => {
    const before = keluar();
    const args = kirimArgs();
    const i = args.indexOf('--permohonan-tanggal');
    const withoutDate = [...args.slice(0, i), ...args.slice(i + 2)].filter((a) => a !== '--no-input');
    const r = await sandiPty(
      [...withoutDate, '--json'],
      [
        { expect: '\\? Tanggal surat permohonan \\(YYYY-MM-DD\\):', send: `20-11-2026${KEY.enter}` },
        { expect: 'harus tanggal kalender YYYY-MM-DD', send: `${'\x7f'.repeat(12)}2026-11-20${KEY.enter}` },
        { expect: '\\? Ditugaskan oleh:', send: KEY.enter },
        { expect: '"nomor"' },
      ],
      { env, timeout: 20, limit: 60 },
    );
    expect(r.error, r.transcript).toBeNull();
    expect(r.exitCode, r.transcript).toBe(0);
    expect(keluar().total).toBe(before.total + 1);
    const rows = run(['kirim', 'status', '--semua', '--json']).json<{ permohonan: { tanggal: string } }[]>();
    expect(rows.map((x) => x.permohonan.tanggal)).toContain('2026-11-20');
    expect(rows.map((x) => x.permohonan.tanggal)).not.toContain('20-11-2026');
  }, 90_000);
});
