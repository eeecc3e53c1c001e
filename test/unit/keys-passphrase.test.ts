import { afterAll, describe, expect, it } from 'vitest';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { newKeyPassphrase, passphraseSource, readPassphraseFile } from '../../src/config/passphrase.js';
import { SandiError } from '../../src/errors.js';
import type { KeyInfo } from '../../src/ports.js';

const dir = mkdtempSync(join(tmpdir(), 'sandi-pp-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, content: string, mode: number): string {
  const p = join(dir, name);
  writeFileSync(p, content);
  chmodSync(p, mode);
  return p;
}

const kasi: KeyInfo = {
  fingerprint: 'A'.repeat(40),
  userId: 'Kasi <kasi@example.go.id>',
  role: 'kasi',
  created: '2026-01-01T00:00:00.000Z',
  expires: null,
  revoked: false,
  canEncrypt: true,
  canSign: true,
  hasSecret: true,
  algorithm: 'ed25519Legacy/curve25519Legacy',
};

async function caught(p: Promise<unknown> | (() => unknown)): Promise<SandiError> {
  try {
    if (typeof p === 'function') p();
    else await p;
  } catch (e) {
    if (e instanceof SandiError) return e;
    throw e;
  }
  throw new Error('expected a SandiError');
}

describe('passphrase file', () => {
  it('reads the first line only, without CR/LF', () => {
    expect(readPassphraseFile(file('ok', 'rahasia kantor 2026\r\nsecond line\n', 0o600))).toBe('rahasia kantor 2026');
    expect(readPassphraseFile(file('ok2', 'no-newline-pass', 0o400))).toBe('no-newline-pass');
  });

  it('refuses a group/world-readable file with the exact chmod fix, never showing the content', async () => {
    const p = file('loose', 'bocor-sekali-123\n', 0o644);
    const e = await caught(() => readPassphraseFile(p));
    expect(e.code).toBe('PERMISSION');
    expect(e.exitCode).toBe(77);
    expect(e.params['fix']).toBe(`chmod 600 ${p}`);
    expect(JSON.stringify(e.params) + e.message).not.toContain('bocor-sekali-123');
  });

  it('refuses an empty first line and a missing file', async () => {
    expect((await caught(() => readPassphraseFile(file('empty', '\nsecond\n', 0o600)))).key).toBe('kunci.passphraseFileEmpty');
    expect((await caught(() => readPassphraseFile(join(dir, 'nope')))).code).toBe('NOT_FOUND');
  });
});

describe('passphrase source order', () => {
  const f = () => file('pf', 'from-the-file-1\n', 0o600);

  it('--passphrase-file beats the environment', async () => {
    const s = passphraseSource({ file: f(), env: { SANDI_PASSPHRASE: 'from-env-general', SANDI_PASSPHRASE_KASI: 'from-env-kasi' } });
    expect(await s.get(kasi)).toBe('from-the-file-1');
  });

  it('the role variable beats SANDI_PASSPHRASE', async () => {
    expect(await passphraseSource({ env: { SANDI_PASSPHRASE: 'general-pass', SANDI_PASSPHRASE_KASI: 'kasi-pass' } }).get(kasi)).toBe('kasi-pass');
    expect(await passphraseSource({ env: { SANDI_PASSPHRASE: 'general-pass', SANDI_PASSPHRASE_SANDIMAN: 'x' } }).get(kasi)).toBe('general-pass');
  });

  it('prompts only when a prompt is given (interactive), after file and env', async () => {
    let asked = 0;
    const prompt = (k: KeyInfo) => {
      asked++;
      return Promise.resolve(`typed-for-${k.role}`);
    };
    expect(await passphraseSource({ env: {}, prompt }).get(kasi)).toBe('typed-for-kasi');
    expect(await passphraseSource({ env: { SANDI_PASSPHRASE: 'env-wins-here' }, prompt }).get(kasi)).toBe('env-wins-here');
    expect(asked).toBe(1);
  });

  it('non-interactive with no source: USAGE naming --passphrase-file and the variables', async () => {
    const e = await caught(passphraseSource({ env: {} }).get(kasi));
    expect(e.code).toBe('USAGE');
    expect(e.exitCode).toBe(64);
    expect(e.key).toBe('kunci.passphraseMissing');
    expect(e.params['envRole']).toBe('SANDI_PASSPHRASE_KASI');
    expect(e.hint).toBe('kunci.passphraseMissing.hint');
  });

  it('three tries only at the prompt: a file or a variable gives the same answer again, so one', () => {
    const prompt = () => Promise.resolve('typed');
    expect(passphraseSource({ env: {}, prompt }).tries?.(kasi)).toBe(3);
    expect(passphraseSource({ env: { SANDI_PASSPHRASE_KASI: 'kasi-pass' }, prompt }).tries?.(kasi)).toBe(1);
    expect(passphraseSource({ env: { SANDI_PASSPHRASE: 'general-pass' }, prompt }).tries?.(kasi)).toBe(1);
    expect(passphraseSource({ file: f(), env: {}, prompt }).tries?.(kasi)).toBe(1);
    expect(passphraseSource({ env: {} }).tries?.(kasi)).toBe(1);
    // an empty variable does not count: the prompt is used, so three
    expect(passphraseSource({ env: { SANDI_PASSPHRASE: '' }, prompt }).tries?.(kasi)).toBe(3);
  });

  it('an empty variable counts as not set', async () => {
    const e = await caught(passphraseSource({ env: { SANDI_PASSPHRASE: '', SANDI_PASSPHRASE_KASI: '' } }).get(kasi));
    expect(e.key).toBe('kunci.passphraseMissing');
  });

  it('new key passphrase: env, then promptNew, else USAGE', async () => {
    expect(await newKeyPassphrase({ env: { SANDI_PASSPHRASE_ARSIP: 'arsip-pass-123' } }, 'arsip', 'x')).toBe('arsip-pass-123');
    expect(await newKeyPassphrase({ env: {}, promptNew: () => Promise.resolve('typed-twice-ok') }, 'arsip', 'x')).toBe('typed-twice-ok');
    expect((await caught(newKeyPassphrase({ env: {} }, 'arsip', 'Arsip <a@b.c>'))).code).toBe('USAGE');
  });
});
