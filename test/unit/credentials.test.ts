/**
 * The mailbox password resolution (config/credentials.ts) reads the credential store only through the
 * StoredMailboxPassword port its caller hands over (the command's own store): no second connection, no
 * config loaded again. A fake port stands in for the store here; the real one is covered by
 * test/integration/akun.test.ts and test/e2e/akun*.test.ts.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveMailboxPassword, resolveMailboxPasswordWithSource } from '../../src/config/credentials.js';
import type { MailboxAccount } from '../../src/config/config.js';
import type { PassphraseSource } from '../../src/ports.js';
import type { StoredMailboxPassword } from '../../src/ports/akun.js';

const ACCOUNT: MailboxAccount = {
  user: 'sandi@kominfo.test',
  imap: { host: '127.0.0.1', port: 993, tls: 'tls' },
  smtp: { host: '127.0.0.1', port: 587, tls: 'starttls' },
};
const PASSPHRASES: PassphraseSource = { get: () => Promise.resolve('frasa') };

let dirs: string[] = [];
afterEach(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  dirs = [];
});

function home(withDb: boolean): string {
  const d = mkdtempSync(join(tmpdir(), 'sandi-kredensial-'));
  dirs.push(d);
  if (withDb) writeFileSync(join(d, 'sandi.db'), '');
  return d;
}

function fakeStore(answer: { password: string; slot: 'kini' | 'tertunda' } | null): StoredMailboxPassword & { asked: [string, PassphraseSource][] } {
  const asked: [string, PassphraseSource][] = [];
  return {
    asked,
    live(user, passphrases) {
      asked.push([user, passphrases]);
      return Promise.resolve(answer);
    },
  };
}

describe('resolveMailboxPassword: the credential store is the caller’s port', () => {
  it('asks the port it is given, for the account, with the archive passphrase source', async () => {
    const stored = fakeStore({ password: 'dari-port', slot: 'tertunda' });
    const r = await resolveMailboxPasswordWithSource(ACCOUNT, { home: home(true), env: { SANDI_MAILBOX_PASSWORD: 'dari-env' }, passphrases: PASSPHRASES, stored });
    expect(r).toEqual({ password: 'dari-port', source: 'penyimpanan', slot: 'tertunda' });
    expect(stored.asked).toEqual([[ACCOUNT.user, PASSPHRASES]]);
  });

  it('without sandi.db the port is never asked; the environment is the source', async () => {
    const stored = fakeStore({ password: 'dari-port', slot: 'kini' });
    expect(await resolveMailboxPassword(ACCOUNT, { home: home(false), env: { SANDI_MAILBOX_PASSWORD: 'dari-env' }, stored })).toBe('dari-env');
    expect(stored.asked).toEqual([]);
  });

  it('nothing in the store: the later sources, then USAGE naming them', async () => {
    const stored = fakeStore(null);
    const h = home(true);
    expect(await resolveMailboxPasswordWithSource(ACCOUNT, { home: h, env: { SANDI_MAILBOX_PASSWORD: 'dari-env' }, passphrases: PASSPHRASES, stored })).toEqual({
      password: 'dari-env',
      source: 'lingkungan',
    });
    await expect(resolveMailboxPassword(ACCOUNT, { home: h, env: {}, passphrases: PASSPHRASES, stored })).rejects.toMatchObject({ key: 'mail.passwordMissing' });
  });
});
