/**
 * Composition of the account services' ports (src/ports/akun.ts) from the adapters: the credential slots and
 * rotation log of the home's store (opened on first use), the encrypted credential entries — files under
 * <home>/kredensial on SQLite; on PostgreSQL names kredensial/<id>.asc of the office database's archive
 * (adapters/openpgp/kredensial-arsip.ts, this home's folder read for entries stored before) — openpgp.js to unlock the archive key, the real IMAP/SMTP login, the password-change
 * adapters, the home's account lock, and the mailbox password's sources (config/credentials.ts). openpgp.js is loaded when a password is stored or read.
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { App } from '../app.js';
import type { AkunPorts, CredentialFiles } from '../ports/akun.js';
import { sqliteAkunStore } from '../adapters/sqlite/akun.js';
import { credentialFiles } from '../adapters/openpgp/kredensial.js';
import { credentialArsip } from '../adapters/openpgp/kredensial-arsip.js';
import type { PgStore } from '../adapters/postgres/store.js';
import { realLogin } from '../adapters/mail/login-tester.js';
import { changerFor } from '../adapters/password-change/index.js';
import { takePidLock } from '../adapters/pid-lock.js';
import { passwordOutsideStore, resolveMailboxPasswordWithSource } from '../config/credentials.js';
import { postgresOffice } from './postgres.js';

/** <home>/kredensial: the encrypted credential store. */
export function credentialDir(app: Pick<App, 'paths'>): string {
  return join(app.paths.root, 'kredensial');
}

/**
 * The real ports of the account services for an opened home. On PostgreSQL the credential entries are names of
 * the office archive of the store the account rows use (src/app/postgres-office.ts officeArsip: one per store),
 * written `visible: 'unit'`, so an entry commits with the akun_sandi/akun_rotasi row that names it.
 */
export function akunPorts(app: Pick<App, 'paths' | 'store' | 'hasRegisters'> & Partial<Pick<App, 'engine'>>): AkunPorts {
  const dir = credentialDir(app);
  let chosen: CredentialFiles | undefined;
  // which engine is decided on first use (it is resolved then), as kirim's archive
  const files = (): CredentialFiles => {
    chosen ??= app.engine?.().kind === 'postgresql' ? credentialArsip(() => postgresOffice().officeArsip(app.store() as PgStore), credentialFiles(dir)) : credentialFiles(dir);
    return chosen;
  };
  return {
    store: sqliteAkunStore(() => app.store()),
    files: {
      get dir() {
        return files().dir;
      },
      write: (...a) => files().write(...a),
      read: (...a) => files().read(...a),
      has: (id) => files().has(id),
      list: () => files().list(),
      remove: (id) => files().remove(id),
    },
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
