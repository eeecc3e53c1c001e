/**
 * Issue 13 defect 9, the smaller ones, as an operator or a script meets them (bin/sandi.js, no TTY): the next-page
 * hint of `agenda … daftar`, `ekspor` output names and early-closed pipes, `init --no-input`, `kirim status`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { BIN, sandi, tempHome } from '../helpers/cli.js';

const BENCH = resolve(import.meta.dirname, '../../bench/agenda.mjs');
const ROWS = 300;

describe('issue 13 defect 9 (CLI)', () => {
  let home: { dir: string; cleanup: () => void };
  const run = (args: string[], env: NodeJS.ProcessEnv = {}) => sandi(['--home', home.dir, ...args], { env: { SANDI_OPERATOR: 'Budi', ...env } });

  beforeAll(() => {
    home = tempHome('sandi kecil e2e-');
    const init = run(['init', '--no-input', '--nama-kantor', 'Kantor Uji', '--kode-unit', 'DKI', '--buat-kunci-arsip', '--email-arsip', 'arsip@uji.test'], {
      SANDI_PASSPHRASE: 'uji-rahasia-panjang-123',
    });
    expect(init.code, init.stderr).toBe(0);
    // 300 outgoing kriptograms 2 minutes apart from 2026-01-05, to 40 units; every fifth Rahasia
    const seed = spawnSync(process.execPath, [BENCH, '--seed', join(home.dir, 'sandi.db'), String(ROWS)], { encoding: 'utf8' });
    expect(seed.status, seed.stderr).toBe(0);
  }, 120_000);
  afterAll(() => home.cleanup());

  it('the next-page hint repeats --home and every filter, quoted for the shell, and runs as shown', () => {
    const args = ['agenda', 'keluar', 'daftar', '--batas', '3', '--sifat', 'Biasa', '--dari', '2026-01-05', '--unit', 'Dinas Nomor 1, Kota Uji'];
    const first = run(args);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain('Halaman 1 dari 3 (8 baris).');
    const hint = /^Berikutnya: (.*)$/m.exec(first.stdout)?.[1] ?? '';
    expect(hint).toBe(`sandi --home '${home.dir}' agenda keluar daftar --dari 2026-01-05 --sifat Biasa --unit 'Dinas Nomor 1, Kota Uji' --batas 3 --halaman 2`);
    // the hint, pasted into a shell, shows page 2 of the same 8 rows
    const sh = spawnSync('sh', ['-c', `sandi() { "${process.execPath}" "${BIN}" "$@"; }; ${hint}`], { encoding: 'utf8', env: { PATH: process.env['PATH'], SANDI_OPERATOR: 'Budi' } });
    expect(sh.status, sh.stderr).toBe(0);
    expect(sh.stdout).toContain('Halaman 2 dari 3 (8 baris).');
    expect(sh.stdout).toContain("--halaman 3");
  });

  it('ekspor --keluaran with an extension that is not an export format is refused (64) unless --format says so', () => {
    const ods = join(home.dir, 'keluar.ods');
    const r = run(['agenda', 'keluar', 'ekspor', '--keluaran', ods]);
    expect(r.code, r.stderr).toBe(64);
    expect(r.stderr).toContain('.ods');
    expect(r.stderr).toContain('csv, jsonl, xlsx');
    expect(existsSync(ods)).toBe(false);
    const forced = run(['agenda', 'keluar', 'ekspor', '--format', 'csv', '--keluaran', ods]);
    expect(forced.code, forced.stderr).toBe(0);
    expect(readFileSync(ods, 'utf8').startsWith('id,nomor,')).toBe(true);
    const upper = run(['agenda', 'keluar', 'ekspor', '--keluaran', join(home.dir, 'KELUAR.JSONL')]);
    expect(upper.code, upper.stderr).toBe(0);
    expect(readFileSync(join(home.dir, 'KELUAR.JSONL'), 'utf8').split('\n')[0]).toMatch(/^\{"id":/);
    const bare = run(['agenda', 'keluar', 'ekspor', '--keluaran', join(home.dir, 'keluar')]);
    expect(bare.code, bare.stderr).toBe(0);
    expect(readFileSync(join(home.dir, 'keluar'), 'utf8').startsWith('id,nomor,')).toBe(true);
  });

  it('a reader that goes away early (EPIPE): no crash, no row count claimed, exit 0; a --keluaran file is whole', () => {
    // bash: the exit status of sandi itself, its stderr apart from the reader's output
    const piped = (args: string, reader: string) => {
      const r = spawnSync('bash', ['--norc', '--noprofile', '-c', `"${process.execPath}" "${BIN}" --home "$H" ${args} | ${reader}; echo "rc=\${PIPESTATUS[0]}"`], {
        encoding: 'utf8',
        env: { PATH: process.env['PATH'], H: home.dir, SANDI_OPERATOR: 'Budi' },
      });
      return { rc: /rc=(\d+)/.exec(r.stdout)?.[1], stderr: r.stderr };
    };
    // 300 rows are ~140 KB: more than a pipe holds, so a reader that reads nothing makes the export meet EPIPE
    for (const format of ['csv', 'jsonl', 'xlsx']) {
      for (const reader of ['true', 'head -c 100 >/dev/null']) {
        const r = piped(`agenda keluar ekspor --format ${format}`, reader);
        expect({ format, reader, ...r }).toEqual({ format, reader, rc: '0', stderr: '' });
      }
    }
    const list = piped('--json agenda keluar daftar --batas 300', 'head -c 10 >/dev/null');
    expect(list).toEqual({ rc: '0', stderr: '' });
    const file = join(home.dir, 'semua.csv');
    expect(piped(`agenda keluar ekspor --keluaran "${file}"`, 'true')).toEqual({ rc: '0', stderr: '' });
    expect(readFileSync(file, 'utf8').trimEnd().split('\r\n').length).toBe(ROWS + 1);
    expect(readdirSync(home.dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('init --no-input names every missing flag at once (mailbox and the new key\'s passphrase too)', () => {
    const fresh = tempHome('sandi-kecil-init-');
    try {
      const partial = ['--home', fresh.dir, 'init', '--no-input', '--buat-kunci-arsip', '--imap-host', 'imap.uji.test'];
      const r = sandi(partial);
      expect(r.code, r.stderr).toBe(64);
      const named = /: (--.*)$/m.exec(r.stderr)?.[1];
      expect(named).toBe('--nama-kantor, --kode-unit, --email-arsip, --akun-user, --smtp-host, --passphrase-file BERKAS | SANDI_PASSPHRASE_ARSIP');
      // given all of them, nothing more is asked for
      const all = [...partial, '--nama-kantor', 'Kantor Uji', '--kode-unit', 'DKI', '--email-arsip', 'arsip@uji.test', '--akun-user', 'sandi@uji.test', '--smtp-host', 'smtp.uji.test'];
      const ok = sandi(all, { env: { SANDI_PASSPHRASE_ARSIP: 'uji-rahasia-panjang-123' } });
      expect(ok.code, ok.stderr).toBe(0);
    } finally {
      fresh.cleanup();
    }
  });

  it('kirim status with nothing waiting says so in a sentence; --json gives an empty array', () => {
    // the 300 seeded kriptograms are all terkirim: nothing waits
    const none = run(['kirim', 'status']);
    expect(none.code, none.stderr).toBe(0);
    expect(none.stdout).toBe('Tidak ada kriptogram yang menunggu.\n');
    const json = run(['--json', 'kirim', 'status']);
    expect(json.code, json.stderr).toBe(0);
    expect(json.json()).toEqual([]);
    expect(run(['--lang', 'en', 'kirim', 'status']).stdout).toBe('No kriptogram is waiting.\n');
    expect(run(['kirim', 'status', '--biasa']).stdout).toBe('Tidak ada surat biasa yang menunggu.\n');
    expect(run(['kirim', 'status', '--biasa', '--semua']).stdout).toBe('Belum ada surat biasa keluar.\n');
    expect(run(['--json', 'kirim', 'status', '--biasa']).json()).toEqual([]);
    // with rows to show, still the table
    const all = run(['kirim', 'status', '--semua']);
    expect(all.stdout.split('\n')[0]).toMatch(/^Baris +Status +Menunggu/);
    expect(all.stdout).toContain('KRIP/000300/I/2026');
  });
});
