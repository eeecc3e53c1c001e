/**
 * The interactive paths, driven as an operator at a real terminal: the built CLI runs inside a pseudo-terminal
 * (python3's `pty`, see test/helpers/pty-driver.py) and the test types the answers, arrow keys and Ctrl-C.
 */
import { afterAll, expect, it } from 'vitest';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { sandi, tempHome } from '../helpers/cli.js';
import { describeWith } from '../helpers/gate.js';
import { KEY, havePython3Pty, sandiPty } from '../helpers/pty.js';

interface KeyInfo {
  fingerprint: string;
  role: string;
  userId: string;
  hasSecret: boolean;
}

const PASS = 'frasa-sandi-arsip-uji-123';
const OTHER = 'frasa-sandi-yang-lain-456';

/** A pending inquirer prompt is drawn as "? <message>"; the answered one as "✔ <message>". */
const asked = (message: string): string => `\\? ${message.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`;

describeWith('python3 (pty module)', havePython3Pty(), 'sandi at a terminal (pty)', () => {
  const homes: { cleanup: () => void }[] = [];
  const home = (): string => {
    const h = tempHome('sandi-pty-');
    homes.push(h);
    return h.dir;
  };
  afterAll(() => {
    for (const h of homes) h.cleanup();
  });

  it('init asks every question, refuses an empty answer, re-asks a mismatched passphrase, and writes a 0600 config without it', async () => {
    const dir = home();
    const r = await sandiPty(
      ['--home', dir, 'init'],
      [
        // an empty answer is refused with a message, and the same question stays open
        { expect: asked('Nama kantor'), send: KEY.enter },
        { expect: '> Isian Nama kantor wajib diisi\\.' },
        { expect: asked('Nama kantor'), send: `Diskominfo Kota Contoh${KEY.enter}` },
        { expect: asked('Kode unit (untuk nomor surat)'), send: `DKC.01${KEY.enter}` },
        { expect: asked('Zona waktu kantor'), send: KEY.down },
        { expect: '❯ Asia/Makassar \\(WITA\\)', send: KEY.enter },
        { expect: '✔ Zona waktu kantor Asia/Makassar' },
        { expect: asked('Sudah ada kotak surat Sanapati (IMAP/SMTP) yang akan dipakai?'), send: `n${KEY.enter}` },
        // no archive key exists yet: the only choice is to create one
        { expect: asked('Kunci arsip kantor'), send: '' },
        { expect: '❯ Buat kunci arsip kantor baru', send: KEY.enter },
        { expect: asked('Alamat surel'), send: `arsip@kominfo.contoh.go.id${KEY.enter}` },
        { expect: asked('Frasa sandi baru (minimal 10 karakter)'), send: `${PASS}${KEY.enter}` },
        { expect: asked('Ulangi frasa sandi'), send: `${OTHER}${KEY.enter}` },
        { expect: 'Kedua frasa sandi tidak sama; coba lagi\\.' },
        { expect: asked('Frasa sandi baru (minimal 10 karakter)'), send: `${PASS}${KEY.enter}` },
        { expect: asked('Ulangi frasa sandi'), send: `${PASS}${KEY.enter}` },
        { expect: asked('Apakah sandiman dan Kasi adalah orang yang sama di terminal ini?'), send: `y${KEY.enter}` },
      ],
      { env: { SANDI_OPERATOR: 'uji-pty' } },
    );
    expect(r.error, r.transcript).toBeNull();
    expect(r.exitCode, r.transcript).toBe(0);
    // password prompts echo masks, never the passphrase
    expect(r.raw).not.toContain(PASS);
    expect(r.raw).not.toContain(OTHER);
    expect(r.transcript).toMatch(/✔ Frasa sandi baru \(minimal 10 karakter\) \*{10,}/);
    expect(r.transcript).toMatch(/Asia\/Makassar/);

    const file = join(dir, 'config.json');
    expect(existsSync(file)).toBe(true);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const text = readFileSync(file, 'utf8');
    expect(text).not.toContain(PASS);
    expect(text).not.toContain(OTHER);
    const config = JSON.parse(text) as { office: { name: string; unitCode: string; timeZone: string }; archiveKey: string; mailbox?: unknown };
    expect(config.office).toMatchObject({ name: 'Diskominfo Kota Contoh', unitCode: 'DKC.01', timeZone: 'Asia/Makassar' });
    expect(config.mailbox ?? null).toBeNull();

    const list = sandi(['--home', dir, '--json', 'kunci', 'daftar']);
    expect(list.code, list.stderr).toBe(0);
    const keys = list.json<KeyInfo[]>();
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatchObject({ role: 'arsip', hasSecret: true, fingerprint: config.archiveKey });
    expect(keys[0]!.userId).toContain('arsip@kominfo.contoh.go.id');
  });

  it('init --no-input at a terminal never prompts and names every missing flag (exit 64)', async () => {
    const dir = home();
    const r = await sandiPty(['--home', dir, '--no-input', 'init'], [], { exitTimeout: 10 });
    expect(r.error, r.transcript).toBeNull();
    expect(r.exitCode, r.transcript).toBe(64);
    expect(r.transcript).not.toMatch(/^\? /m);
    for (const flag of ['--nama-kantor', '--kode-unit', '--kunci-arsip FINGERPRINT | --buat-kunci-arsip']) expect(r.transcript).toContain(flag);
    expect(existsSync(join(dir, 'config.json'))).toBe(false);
  });

  it('Ctrl-C at the first prompt cancels with exit 130 and writes nothing', async () => {
    const dir = home();
    const r = await sandiPty(['--home', dir, '--lang', 'en', 'init'], [{ expect: asked('Office name'), send: `Half typed${KEY.ctrlC}` }], { exitTimeout: 10 });
    expect(r.error, r.transcript).toBeNull();
    expect(r.exitCode, r.transcript).toBe(130);
    expect(r.transcript).toContain('Cancelled by the operator.');
    expect(existsSync(join(dir, 'config.json'))).toBe(false);
  });

  it('kunci buat asks role (arrow keys), name, e-mail and the passphrase twice', async () => {
    const dir = home();
    const r = await sandiPty(
      ['--home', dir, '--lang', 'en', 'kunci', 'buat'],
      [
        { expect: asked('Key role'), send: KEY.down },
        { expect: '❯ sandiman — ', send: KEY.enter },
        { expect: asked('Key owner name'), send: `Budi Sandiman${KEY.enter}` },
        { expect: asked('E-mail address'), send: `budi@kominfo.contoh.go.id${KEY.enter}` },
        { expect: asked('New passphrase (at least 10 characters)'), send: `pendek${KEY.enter}` },
        { expect: 'Passphrase too short: at least 10 characters\\.' },
        { expect: asked('New passphrase (at least 10 characters)'), send: `${PASS}${KEY.enter}` },
        { expect: asked('Repeat the passphrase'), send: `${PASS}${KEY.enter}` },
      ],
      { env: { SANDI_OPERATOR: 'uji-pty' } },
    );
    expect(r.error, r.transcript).toBeNull();
    expect(r.exitCode, r.transcript).toBe(0);
    expect(r.raw).not.toContain(PASS);
    const keys = sandi(['--home', dir, '--json', 'kunci', 'daftar']).json<KeyInfo[]>();
    expect(keys.map((k) => [k.role, k.userId])).toEqual([['sandiman', 'Budi Sandiman <budi@kominfo.contoh.go.id>']]);
  });
});
