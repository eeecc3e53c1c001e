/**
 * Issue 13: a bad value checked in a service layer is bad data (exit 65) naming the flag and the expected
 * form; a missing or conflicting flag stays a usage error (64). Built CLI on a demo home, no TTY.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sandi, tempHome } from '../helpers/cli.js';

const manifest = JSON.parse(readFileSync(resolve(import.meta.dirname, '../../keys.example/manifest.json'), 'utf8')) as { keys: { role: string; email: string; passphrase: string }[] };
const pass = (role: string) => manifest.keys.find((k) => k.role === role)!.passphrase;

let home: { dir: string; cleanup: () => void };
let doc = '';
const run = (args: string[], env: NodeJS.ProcessEnv = {}) => sandi(['--home', home.dir, '--no-input', ...args], { env: { SANDI_OPERATOR: 'budi', SANDI_PASSPHRASE_SANDIMAN: pass('sandiman'), ...env } });

beforeAll(() => {
  home = tempHome('sandi-e2e-kode-keluar-');
  expect(sandi(['--home', home.dir, 'demo', '--json']).code).toBe(0);
  doc = join(home.dir, 'surat.txt');
  writeFileSync(doc, 'Undangan rapat.\n');
}, 120_000);
afterAll(() => home?.cleanup());

describe('bad values are exit 65 naming the flag; missing flags stay 64 (issue 13)', () => {
  it.each([
    ['kirim --biasa --kepada "dinkes bagian umum"', ['kirim', 'DOC', '--biasa', '--perihal', 'Undangan', '--kepada', 'dinkes bagian umum'], '--kepada "dinkes bagian umum"'],
    ['kirim --biasa --sifat Terbatas', ['kirim', 'DOC', '--biasa', '--perihal', 'Undangan', '--kepada', 'persandian@dinkes.demo.sandi.invalid', '--sifat', 'Terbatas'], 'Terbatas'],
    ['agenda daftar --status hilang', ['agenda', 'keluar', 'daftar', '--status', 'hilang'], '--status "hilang"'],
    ['agenda daftar --sifat rahasiaa', ['agenda', 'keluar', 'daftar', '--sifat', 'rahasiaa'], '--sifat "rahasiaa"'],
    ['laporan kinerja --triwulan 2026-V', ['laporan', 'kinerja', '--triwulan', '2026-V'], '--triwulan "2026-V"'],
    ['agenda daftar --batas nol', ['agenda', 'keluar', 'daftar', '--batas', 'nol'], '--batas'],
    ['kirim tandatangani abc', ['kirim', 'tandatangani', 'abc'], '"abc"'],
    ['aduan catat --kanal twitter', ['aduan', 'catat', '--kanal', 'twitter', '--nomor-pelacakan', 'X-1', '--jenis', 'pengaduan', '--judul', 'Jalan', '--kerahasiaan', 'anonim'], '--kanal "twitter"'],
  ])('%s → 65', (_name, args, named) => {
    const r = run(args.map((a) => (a === 'DOC' ? doc : a)));
    expect(r.code, r.stderr).toBe(65);
    expect(r.stderr).toContain(named);
  });

  it('kunci buat: a passphrase too short is 65; no passphrase source at all stays 64', () => {
    const short = run(['kunci', 'buat', '--peran', 'kasi', '--nama', 'Kasi Dua', '--email', 'kasi2@kominfo.example.go.id'], { SANDI_PASSPHRASE_KASI: 'pendek' });
    expect(short.code, short.stderr).toBe(65);
    const none = sandi(['--home', home.dir, '--no-input', 'kunci', 'buat', '--peran', 'kasi', '--nama', 'Kasi Dua', '--email', 'kasi2@kominfo.example.go.id']);
    expect(none.code, none.stderr).toBe(64);
    expect(run(['laporan', 'kinerja']).code).toBe(64);
  });
});
