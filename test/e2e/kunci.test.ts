/**
 * `sandi kunci` end to end: the built CLI on temporary homes, no TTY, --no-input, passphrases from the
 * environment or a file. Checks stdout (JSON), stderr, exit codes and the files left behind.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chmodSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { sandi, tempHome } from '../helpers/cli.js';
import type { AddressEntry, KeyInfo } from '../../src/ports.js';

const KEYS_EXAMPLE = resolve(import.meta.dirname, '../../keys.example');
const PASS = 'e2e-rahasia-kantor-1';
const homes: { dir: string; cleanup: () => void }[] = [];
const newHome = () => {
  const h = tempHome('sandi-e2e-kunci-');
  homes.push(h);
  return h.dir;
};
const mode = (p: string) => statSync(p).mode & 0o777;

let A: string;
let arsip: KeyInfo;

beforeAll(() => {
  if (!existsSync(resolve(import.meta.dirname, '../../dist/cli/kunci.js'))) {
    throw new Error('dist/ is not built: run `npm run build` (npm test does it) before the e2e tests');
  }
  A = newHome();
  const r = sandi(
    ['--home', A, '--no-input', 'kunci', 'buat', '--peran', 'arsip', '--nama', 'Arsip Diskominfo', '--email', 'arsip@kominfo.example.go.id', '--json'],
    { env: { SANDI_PASSPHRASE: PASS } },
  );
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  arsip = r.json<KeyInfo>();
});

afterAll(() => {
  for (const h of homes) h.cleanup();
});

describe('sandi kunci (e2e)', () => {
  it('buat --json prints the KeyInfo and leaves a 0600 secret in a 0700 folder', () => {
    expect(arsip).toMatchObject({ role: 'arsip', userId: 'Arsip Diskominfo <arsip@kominfo.example.go.id>', hasSecret: true, canEncrypt: true, revoked: false });
    expect(arsip.fingerprint).toMatch(/^[0-9A-F]{40}$/);
    expect(mode(join(A, 'kunci'))).toBe(0o700);
    expect(mode(join(A, 'kunci', `${arsip.fingerprint}.sec.asc`))).toBe(0o600);
    expect(readFileSync(join(A, 'kunci', `${arsip.fingerprint}.sec.asc`), 'utf8')).not.toContain(PASS);
  });

  it('buat without a passphrase source fails with 64, naming --passphrase-file and the variables', () => {
    const r = sandi(['--home', A, '--no-input', 'kunci', 'buat', '--peran', 'kasi', '--nama', 'Kasi', '--email', 'kasi@kominfo.example.go.id']);
    expect(r.code).toBe(64);
    expect(r.stderr).toContain('--passphrase-file');
    expect(r.stderr).toContain('SANDI_PASSPHRASE_KASI');
    expect(r.stderr).toContain('SANDI_PASSPHRASE');
  });

  it('buat with missing flags fails once naming all of them', () => {
    const r = sandi(['--home', A, '--no-input', 'kunci', 'buat', '--json'], { env: { SANDI_PASSPHRASE: PASS } });
    expect(r.code).toBe(64);
    const err = JSON.parse(r.stderr) as { error: { message: string } };
    expect(err.error.message).toContain('--peran, --nama, --email');
  });

  it('buat refuses a short passphrase (65: a bad value, issue 13) and a second arsip key (81)', () => {
    const short = sandi(['--home', A, '--no-input', 'kunci', 'buat', '--peran', 'kasi', '--nama', 'Kasi', '--email', 'kasi@kominfo.example.go.id'], {
      env: { SANDI_PASSPHRASE_KASI: 'pendek' },
    });
    expect(short.code).toBe(65);
    expect(short.stderr).toContain('minimal 10');
    expect(short.stderr).not.toContain('pendek\n');
    const second = sandi(['--home', A, '--no-input', 'kunci', 'buat', '--peran', 'arsip', '--nama', 'Arsip 2', '--email', 'a2@kominfo.example.go.id'], {
      env: { SANDI_PASSPHRASE: PASS },
    });
    expect(second.code).toBe(81);
    expect(second.stderr).toContain(arsip.fingerprint);
    expect(second.stderr).toContain(`sandi kunci cabut ${arsip.fingerprint}`);
  });

  it('buat with --passphrase-file; a loose passphrase file is refused with the chmod fix', () => {
    const pf = join(A, 'pp.txt');
    writeFileSync(pf, 'kasi-dari-berkas-1\n');
    chmodSync(pf, 0o644);
    const loose = sandi(['--home', A, '--no-input', 'kunci', 'buat', '--peran', 'kasi', '--nama', 'Kasi', '--email', 'kasi@kominfo.example.go.id', '--passphrase-file', pf]);
    expect(loose.code).toBe(77);
    expect(loose.stderr).toContain(`chmod 600 ${pf}`);
    chmodSync(pf, 0o600);
    const ok = sandi(['--home', A, '--no-input', '--json', 'kunci', 'buat', '--peran', 'kasi', '--nama', 'Kasi', '--email', 'kasi@kominfo.example.go.id', '--passphrase-file', pf, '--kedaluwarsa', 'never']);
    expect(ok.code).toBe(0);
    expect(ok.json<KeyInfo>()).toMatchObject({ role: 'kasi', expires: null });
  });

  it('daftar --json lists the KeyInfo shape; the human table shows the keys', () => {
    const r = sandi(['--home', A, '--no-input', 'kunci', 'daftar', '--json']);
    expect(r.code).toBe(0);
    const keys = r.json<KeyInfo[]>();
    expect(keys.map((k) => k.role)).toEqual(['arsip', 'kasi']);
    expect(Object.keys(keys[0]!).sort()).toEqual(
      ['algorithm', 'canEncrypt', 'canSign', 'created', 'expires', 'fingerprint', 'hasSecret', 'revoked', 'role', 'userId'].sort(),
    );
    const human = sandi(['--home', A, '--no-input', 'kunci', 'daftar']);
    expect(human.stdout).toContain('Sidik jari');
    expect(human.stdout).toContain(arsip.fingerprint);
    const en = sandi(['--home', A, '--no-input', '--lang', 'en', 'kunci', 'daftar']);
    expect(en.stdout).toContain('Fingerprint');
  });

  it('ekspor → impor into a second home with an address; alamat daftar/hapus', () => {
    const pub = sandi(['--home', A, '--no-input', 'kunci', 'ekspor', 'arsip@kominfo.example.go.id']);
    expect(pub.code).toBe(0);
    expect(pub.stdout).toMatch(/^-----BEGIN PGP PUBLIC KEY BLOCK-----/);
    const file = join(A, 'arsip.pub.asc');
    const toFile = sandi(['--home', A, '--no-input', '--json', 'kunci', 'ekspor', arsip.fingerprint, '--keluaran', file]);
    expect(toFile.code).toBe(0);
    expect(readFileSync(file, 'utf8')).toBe(pub.stdout);

    const B = newHome();
    const imp = sandi(['--home', B, '--no-input', '--json', 'kunci', 'impor', file, '--email', 'arsip@kominfo.example.go.id', '--unit', 'Diskominfo', '--kode-unit', 'KOMINFO']);
    expect(imp.code).toBe(0);
    const res = imp.json<{ keys: (KeyInfo & { status: string })[]; address: AddressEntry }>();
    expect(res.keys[0]).toMatchObject({ fingerprint: arsip.fingerprint, role: 'penerima', status: 'baru', hasSecret: false });
    expect(res.address).toEqual({ email: 'arsip@kominfo.example.go.id', unit: 'Diskominfo', unitCode: 'KOMINFO', fingerprint: arsip.fingerprint });

    const list = sandi(['--home', B, '--no-input', '--json', 'kunci', 'alamat', 'daftar']);
    expect(list.json<AddressEntry[]>()).toHaveLength(1);
    const stdinImport = sandi(['--home', B, '--no-input', '--json', 'kunci', 'impor', '-'], { input: pub.stdout });
    expect(stdinImport.json<{ keys: { status: string }[] }>().keys[0]!.status).toBe('tetap');
    expect(sandi(['--home', B, '--no-input', 'kunci', 'alamat', 'hapus', 'arsip@kominfo.example.go.id']).code).toBe(0);
    const gone = sandi(['--home', B, '--no-input', 'kunci', 'alamat', 'hapus', 'arsip@kominfo.example.go.id']);
    expect(gone.code).toBe(66);
    expect(gone.stderr).toContain('sandi kunci alamat tambah');
    const add = sandi(['--home', B, '--no-input', '--json', 'kunci', 'alamat', 'tambah', '--email', 'arsip@kominfo.example.go.id', '--unit', 'Diskominfo', '--kunci', arsip.fingerprint]);
    expect(add.code).toBe(0);
    const missing = sandi(['--home', B, '--no-input', 'kunci', 'alamat', 'tambah', '--email', 'x@y.example.go.id']);
    expect(missing.code).toBe(64);
    expect(missing.stderr).toContain('--unit, --kunci');
  });

  it('ekspor --rahasia writes 0600; a loose secret key file is refused with 77 and the chmod fix', () => {
    const out = join(A, 'arsip.sec.asc');
    const r = sandi(['--home', A, '--no-input', 'kunci', 'ekspor', arsip.fingerprint, '--rahasia', '--keluaran', out]);
    expect(r.code).toBe(0);
    expect(mode(out)).toBe(0o600);
    expect(sandi(['--home', A, '--no-input', 'kunci', 'ekspor', arsip.fingerprint, '--rahasia', '--keluaran', out]).code).toBe(81);
    const sec = join(A, 'kunci', `${arsip.fingerprint}.sec.asc`);
    chmodSync(sec, 0o640);
    const loose = sandi(['--home', A, '--no-input', '--json', 'kunci', 'ekspor', arsip.fingerprint, '--rahasia']);
    expect(loose.code).toBe(77);
    const err = JSON.parse(loose.stderr) as { error: { code: string; hint: string } };
    expect(err.error.code).toBe('PERMISSION');
    expect(err.error.hint).toContain(`chmod 600 ${sec}`);
    chmodSync(sec, 0o600);
  });

  it('cabut: wrong passphrase 77, then revoked with a signature; a revoked key stays listed as revoked', () => {
    const wrong = sandi(['--home', A, '--no-input', 'kunci', 'cabut', arsip.fingerprint, '--alasan', 'uji'], { env: { SANDI_PASSPHRASE: 'bukan-frasa-ini' } });
    expect(wrong.code).toBe(77);
    expect(wrong.stderr).toContain(arsip.fingerprint);
    expect(wrong.stderr).not.toContain('bukan-frasa-ini');
    const ok = sandi(['--home', A, '--no-input', '--json', 'kunci', 'cabut', arsip.fingerprint, '--jenis', 'pensiun', '--alasan', 'uji'], {
      env: { SANDI_PASSPHRASE_ARSIP: PASS },
    });
    expect(ok.code).toBe(0);
    expect(ok.json<KeyInfo & { signed: boolean }>()).toMatchObject({ revoked: true, signed: true });
    const list = sandi(['--home', A, '--no-input', '--json', 'kunci', 'daftar']).json<KeyInfo[]>();
    expect(list.find((k) => k.fingerprint === arsip.fingerprint)?.revoked).toBe(true);
    // with the old archive key revoked, a new one may be made
    const again = sandi(['--home', A, '--no-input', 'kunci', 'buat', '--peran', 'arsip', '--nama', 'Arsip Baru', '--email', 'arsip@kominfo.example.go.id'], {
      env: { SANDI_PASSPHRASE: PASS },
    });
    expect(again.code).toBe(0);
  });

  it('impor refuses keys.example secret keys without a role, imports them with one, and warns they are DEMO', () => {
    const D = newHome();
    const noRole = sandi(['--home', D, '--no-input', 'kunci', 'impor', join(KEYS_EXAMPLE, 'sandiman.sec.asc')]);
    expect(noRole.code).toBe(64);
    expect(noRole.stderr).toContain('--peran');
    const r = sandi(['--home', D, '--no-input', '--json', 'kunci', 'impor', join(KEYS_EXAMPLE, 'sandiman.sec.asc'), '--peran', 'sandiman']);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('DEMO');
    const fpr = r.json<{ keys: KeyInfo[] }>().keys[0]!.fingerprint;
    expect(mode(join(D, 'kunci', `${fpr}.sec.asc`))).toBe(0o600);
  });

  it('an unknown key is 66 with a hint', () => {
    const r = sandi(['--home', A, '--no-input', 'kunci', 'ekspor', 'tidak@dikenal.example.go.id']);
    expect(r.code).toBe(66);
    expect(r.stderr).toContain('sandi kunci daftar');
  });
});
