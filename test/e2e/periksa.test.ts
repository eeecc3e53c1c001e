/**
 * `sandi periksa` on a real home made by `sandi init` (which now ends with the next steps), and the same home
 * broken one way at a time: a loose key folder (77), a configured printer CUPS does not know (69), a trailing
 * comma in config.json (78, line and column named). One line per check; --json; English with --lang en.
 * On the same home, the rest of the operator's terminal: a deadline in a year without holidays data is flagged
 * where it is shown, `kunci daftar` fits an 80-column pty, `aduan impor` draws progress at a terminal only.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sandi, tempHome } from '../helpers/cli.js';
import { havePython3Pty, sandiPty } from '../helpers/pty.js';

interface Check {
  check: string;
  status: 'ok' | 'peringatan' | 'gagal' | 'dilewati';
  findings: { key: string; message: string; hint?: string; params: Record<string, unknown> }[];
}

describe('sandi periksa', () => {
  const t = tempHome('sandi-periksa-');
  const home = join(t.dir, 'rumah');
  const cfgPath = join(home, 'config.json');
  let init: ReturnType<typeof sandi>;
  beforeAll(() => {
    const pass = join(t.dir, 'pass.txt');
    writeFileSync(pass, 'arsip kantor rahasia 2026\n', { mode: 0o600 });
    init = sandi(['--home', home, '--no-input', 'init', '--nama-kantor', 'Diskominfo Kota Uji', '--kode-unit', 'KOMINFO', '--buat-kunci-arsip', '--email-arsip', 'arsip@kominfo.uji.go.id',
      '--passphrase-file', pass, '--akun-user', 'persandian@kota.go.id', '--imap-host', 'imap.kota.go.id', '--smtp-host', 'smtp.kota.go.id']);
  });
  afterAll(() => t.cleanup());
  const checks = (r: ReturnType<typeof sandi>): Record<string, Check> => Object.fromEntries(r.json<{ checks: Check[] }>().checks.map((c) => [c.check, c]));

  it('init ends with the next steps: keys, address book, akun simpan, periksa, demo', () => {
    expect(init.code, init.stderr).toBe(0);
    const next = init.stdout.slice(init.stdout.indexOf('Langkah berikutnya:'));
    expect(next).not.toBe('');
    for (const s of ['kunci buat --peran sandiman', 'kunci impor', 'akun simpan', 'periksa', 'demo']) expect(next).toContain(s);
    expect(next).toContain(`--home ${home}`);
  });

  it('checks a fresh office: config, keys, modes, mailbox (skipped without a password), printer (none), holidays, audit', () => {
    const r = sandi(['--home', home, '--json', 'periksa']);
    expect(r.code, r.stderr).toBe(0);
    const c = checks(r);
    expect(Object.keys(c)).toEqual(['konfigurasi', 'basis-data', 'kunci', 'mode', 'kotak-surat', 'pencetak', 'hari-libur', 'audit']);
    expect(c['konfigurasi']!.status).toBe('ok');
    // the office database: the home's SQLite file (no --db, SANDI_DB or config.json "db")
    expect(c['basis-data']!).toMatchObject({ status: 'ok', findings: [{ key: 'periksa.db.sqlite', params: { path: join(home, 'sandi.db') } }] });
    // no sandiman and no Kasi key yet: a warning each, saying how to make one
    expect(c['kunci']!.status).toBe('peringatan');
    expect(c['kunci']!.findings.map((f) => f.params['role'])).toEqual(['sandiman', 'kasi']);
    expect(c['mode']!.status).toBe('ok');
    expect(c['kotak-surat']!).toMatchObject({ status: 'dilewati', findings: [{ key: 'periksa.mail.skipped' }] });
    expect(c['kotak-surat']!.findings[0]!.hint).toContain('SANDI_MAILBOX_PASSWORD');
    expect(c['pencetak']!.status).toBe('dilewati');
    // the bundled file holds 2026 only: from 2026 on, next year is not covered
    const year = new Date().getUTCFullYear();
    if (year >= 2026) {
      expect(c['hari-libur']!.status).toBe('peringatan');
      expect(c['hari-libur']!.findings.map((f) => f.params['year'])).toContain(year + 1);
      expect(c['hari-libur']!.findings[0]!.hint).toContain(`${year + 1}-01-01`);
    }
    expect(['ok', 'peringatan']).toContain(c['audit']!.status);

    const human = sandi(['--home', home, 'periksa']);
    expect(human.code).toBe(0);
    const lines = human.stdout.split('\n');
    for (const name of ['konfigurasi', 'basis data', 'kunci', 'mode berkas', 'kotak surat', 'pencetak', 'hari libur', 'audit']) {
      expect(lines.filter((l) => new RegExp(`^(OK|PERINGATAN|GAGAL|DILEWATI) +${name} `).test(l))).toHaveLength(1);
    }
  });

  it('fails with the exit code of the first failure: loose key folder 77, unknown printer 69', () => {
    chmodSync(join(home, 'kunci'), 0o755);
    const loose = sandi(['--home', home, 'periksa']);
    chmodSync(join(home, 'kunci'), 0o700);
    expect(loose.code).toBe(77);
    expect(loose.stdout).toMatch(/^GAGAL +mode berkas /m);
    expect(loose.stdout).toContain(`chmod 700 ${join(home, 'kunci')}`);
    // what needs the home open waits for the fix instead of failing twice
    expect(loose.stdout).toMatch(/^DILEWATI +kunci +menunggu mode berkas diperbaiki/m);

    const cfg = readFileSync(cfgPath, 'utf8');
    writeFileSync(cfgPath, JSON.stringify({ ...JSON.parse(cfg), terima: { printer: 'sandi-tidak-ada-13' } }));
    const printer = sandi(['--home', home, '--lang', 'en', 'periksa']);
    writeFileSync(cfgPath, cfg);
    expect(printer.code).toBe(69);
    expect(printer.stdout).toMatch(/^FAILED +printer +.*sandi-tidak-ada-13/m);
  });

  it('names the line and column of a broken config.json (exit 78), skipping what needs it', () => {
    const cfg = readFileSync(cfgPath, 'utf8');
    writeFileSync(cfgPath, cfg.replace(/\n\}\s*$/, ',\n}\n'));
    const r = sandi(['--home', home, '--json', 'periksa']);
    writeFileSync(cfgPath, cfg);
    expect(r.code).toBe(78);
    const c = checks(r);
    expect(c['konfigurasi']!.status).toBe('gagal');
    expect(c['konfigurasi']!.findings[0]!.message).toMatch(/baris \d+/);
    expect(c['hari-libur']!.status).toBe('dilewati');
  });

  it('a deadline in a year the holidays file does not cover is shown with a warning where it is shown', () => {
    const run = (args: string[]) => sandi(['--home', home, '--no-input', ...args]);
    const catat = run(['aduan', 'catat', '--kanal', 'laporgub', '--nomor-pelacakan', 'LG-13', '--jenis', 'pengaduan', '--judul', 'Jalan berlubang', '--kronologi', 'di depan pasar',
      '--diterima', '2026-12-31T02:00:00Z', '--kerahasiaan', 'anonim']);
    expect(catat.code, catat.stderr).toBe(0);
    const note = /^⚠ Tenggat di tahun 2027 dihitung tanpa hari libur tahun itu \(.*hari-libur\.tsv tidak memuatnya\)/m;
    const lihat = run(['aduan', 'lihat', 'LG-13']);
    expect(lihat.stdout).toMatch(/Tenggat \(layanan\): 2027-/);
    expect(lihat.stdout).toMatch(note);
    expect(run(['aduan', 'status']).stdout).toMatch(note);
    // --json stays data only
    const json = run(['--json', 'aduan', 'status']);
    expect(() => JSON.parse(json.stdout) as unknown).not.toThrow();
    expect(json.stdout + json.stderr).not.toContain('⚠ Tenggat');
    // once the office adds 2027, the warning is gone
    writeFileSync(join(home, 'hari-libur.tsv'), '2027-01-01\tlibur\tTahun Baru Masehi\n', { flag: 'a' });
    expect(run(['aduan', 'lihat', 'LG-13']).stdout).not.toMatch(note);
  });

  it.runIf(havePython3Pty() || process.env['CI'] === 'true')('kunci daftar fits an 80-column terminal; piped, its lines stay whole', async () => {
    const piped = sandi(['--home', home, 'kunci', 'daftar']);
    expect(piped.code).toBe(0);
    const fpr = /[0-9A-F]{40}/.exec(piped.stdout)![0];
    expect(Math.max(...piped.stdout.split('\n').map((l) => l.length))).toBeGreaterThan(80);
    const tty = await sandiPty(['--home', home, 'kunci', 'daftar'], [], { cols: 80 });
    expect(tty.exitCode, tty.transcript).toBe(0);
    const lines = tty.transcript.split(/\r?\n/).filter((l) => l.length > 0);
    for (const l of lines) expect(l.length, l).toBeLessThanOrEqual(80);
    // nine columns do not fit 80 without breaking short words: each key is a record of label/value lines,
    // the fingerprint whole on its line
    expect(lines.some((l) => /^-\[ 1 \]-+$/.test(l)), tty.transcript).toBe(true);
    expect(lines.some((l) => l.startsWith('Sidik jari') && l.includes(fpr)), tty.transcript).toBe(true);
  });

  it.runIf(havePython3Pty() || process.env['CI'] === 'true')('aduan impor shows progress with a total at a terminal only, never with --json or piped', async () => {
    const csv = join(t.dir, 'lapor.csv');
    writeFileSync(
      csv,
      ['kanal,nomor_pelacakan,jenis,kategori,judul,kronologi,diterima,kerahasiaan', ...[1, 2, 3].map((i) => `lapor,LAPOR-13${i},pengaduan,,Aduan ${i},,2026-11-20,anonim`)].join('\r\n'),
    );
    const tty = await sandiPty(['--home', home, 'aduan', 'impor', csv], []);
    expect(tty.exitCode, tty.transcript).toBe(0);
    expect(tty.transcript).toMatch(/Mengimpor aduan 0\/3 0%/);
    expect(tty.transcript).toMatch(/Mengimpor aduan 2\/3 66%/);
    const piped = sandi(['--home', home, 'aduan', 'impor', csv]);
    expect(piped.code).toBe(0);
    expect(piped.stderr).not.toContain('Mengimpor');
    const json = await sandiPty(['--home', home, '--json', 'aduan', 'impor', csv], []);
    expect(json.transcript).not.toContain('Mengimpor');
  });
});
