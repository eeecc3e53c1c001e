/**
 * Composition of the account services' ports (src/ports/akun.ts) from the adapters: the SQLite credential
 * slots and rotation log of the home's store (opened on first use), the encrypted credential files under
 * <home>/kredensial, openpgp.js to unlock the archive key, the real IMAP/SMTP login, the password-change
 * adapters, the home's account lock, and the mailbox password's sources (config/credentials.ts). openpgp.js is loaded when a password is stored or read.
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { App } from '../app.js';
import type { AkunPorts } from '../ports/akun.js';
import { sqliteAkunStore } from '../adapters/sqlite/akun.js';
import { credentialFiles } from '../adapters/openpgp/kredensial.js';
import { realLogin } from '../adapters/mail/login-tester.js';
import { changerFor } from '../adapters/password-change/index.js';
import { takePidLock } from '../adapters/pid-lock.js';
import { passwordOutsideStore, resolveMailboxPasswordWithSource } from '../config/credentials.js';

/** <home>/kredensial: the encrypted credential store. */
export function credentialDir(app: Pick<App, 'paths'>): string {
  return join(app.paths.root, 'kredensial');
}

/** The real ports of the account services for an opened home. */
export function akunPorts(app: Pick<App, 'paths' | 'store' | 'hasRegisters'>): AkunPorts {
  const dir = credentialDir(app);
  return {
    store: sqliteAkunStore(() => app.store()),
    files: credentialFiles(dir),
    unlockArchiveKey: async (...a) => (await import('../adapters/openpgp/keys.js')).unlockPrivateKey(...a),
    login: realLogin,
    changer: changerFor,
    async lock() {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      return takePidLock(resolve(dir, '.akun.lock'), 'akun.busy');
    },
    passwords: {
      resolve: (account, ctx) => resolveMailboxPasswordWithSource(account, { ...ctx, home: app.paths.root, hasRegisters: () => app.hasRegisters() }),
      outsideStore: passwordOutsideStore,
    },
  };
}
