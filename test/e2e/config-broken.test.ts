/**
 * A broken config.json is refused by every command that reads it (issue 13, defect 8): one trailing comma made
 * `agenda masuk daftar` list in Asia/Jakarta with exit 0 while `kirim status` exited 78, and a misspelt key was
 * ignored. Now each exits 78 naming line and column, or the unknown key and the one meant.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sandi, tempHome } from '../helpers/cli.js';

const COMMANDS = [
  ['agenda', 'masuk', 'daftar'],
  ['agenda', 'keluar', 'daftar'],
  ['kirim', 'status'],
  ['terima', 'status'],
  ['aduan', 'status'],
  ['laporan', 'kinerja', '--triwulan', '2026-IV'],
  ['audit', 'periksa'],
];

describe('a broken config.json (e2e)', () => {
  const t = tempHome('sandi-config-broken-');
  const home = join(t.dir, 'rumah');
  const file = join(home, 'config.json');
  const run = (args: string[]) => sandi(['--home', home, '--lang', 'en', ...args], { env: { SANDI_PASSPHRASE: 'uji-rahasia-panjang-123' } });
  let good = '';
  afterAll(() => t.cleanup());

  beforeAll(() => {
    const r = run(['init', '--no-input', '--nama-kantor', 'Diskominfo Uji', '--kode-unit', 'DKU', '--buat-kunci-arsip', '--email-arsip', 'arsip@uji.test', '--zona-waktu', 'Asia/Jayapura']);
    expect(r.code, r.stderr).toBe(0);
    good = readFileSync(file, 'utf8');
  }, 60_000);

  it('with one trailing comma every command that reads it exits 78 with line and column', () => {
    const broken = good.replace('"singleOperator": false', '"singleOperator": false,');
    expect(broken).not.toBe(good);
    writeFileSync(file, broken);
    const line = broken.split('\n').findIndex((l) => l.includes('"singleOperator": false,')) + 1;
    for (const args of COMMANDS) {
      const r = run(args);
      expect(r.code, `${args.join(' ')}: ${r.stdout}${r.stderr}`).toBe(78);
      expect(r.stderr, args.join(' ')).toContain(`${file} is broken (not valid JSON) at line ${line} column 26: a comma before } or ]`);
      expect(r.stderr).toContain('"singleOperator": false,\n');
      expect(r.stdout).toBe('');
    }
  }, 120_000);

  it('a misspelt key: exit 78 naming the key and the one meant', () => {
    writeFileSync(file, good.replace('"singleOperator"', '"singelOperator"'));
    for (const args of [COMMANDS[0]!, ['kirim', 'status']]) {
      const r = run(args);
      expect(r.code, r.stderr).toBe(78);
      expect(r.stderr).toContain('unknown key "singelOperator"; did you mean "singleOperator"?');
    }
  });

  it('a bad number format: the default UI says what is expected in Indonesian, --lang en in English (issue 13)', () => {
    const c = JSON.parse(good) as { numberFormats: Record<string, string> };
    c.numberFormats['kriptogramKeluar'] = 'X/{foo}';
    writeFileSync(file, JSON.stringify(c, null, 2));
    const id = sandi(['--home', home, 'agenda', 'masuk', 'daftar']);
    expect(id.code, id.stderr).toBe(78);
    expect(id.stderr).toContain(`Galat: Konfigurasi ${file}: kunci "numberFormats.kriptogramKeluar" bernilai "X/{foo}"; yang diharapkan: format dengan {urut[:lebar]} dan {tahun}, boleh ditambah {bulan} {unit} {sifat}; {foo} tidak dikenal atau tidak ada.`);
    expect(id.stderr.replaceAll(home, 'RUMAH')).not.toMatch(/(^|[^\p{L}])(a|the|expected|e\.g\.|or false|path of|is not allowed|missing)(?=[^\p{L}]|$)/iu);
    const en = run(['agenda', 'masuk', 'daftar']);
    expect(en.code, en.stderr).toBe(78);
    expect(en.stderr).toContain('key "numberFormats.kriptogramKeluar" has the value "X/{foo}"; expected: a format using {urut[:width]} and {tahun}, optionally {bulan} {unit} {sifat}; {foo} is not allowed or missing.');
  });

  it('the good file again: the listing works, in the office time zone', () => {
    writeFileSync(file, good);
    const r = run(['agenda', 'masuk', 'daftar']);
    expect(r.code, r.stderr).toBe(0);
    const a = run(['audit', 'periksa']);
    expect(a.code, a.stderr).toBe(0);
    expect(a.stdout).toMatch(/ WIT\b/);
  });
});
