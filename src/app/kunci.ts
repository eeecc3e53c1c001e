/**
 * Composition of the key service's ports (src/ports/kunci.ts) from the adapters: the SQLite key register and
 * address book of the home's store (opened on first use), the key files under <home>/kunci, openpgp.js
 * (loaded when a key operation first runs: `kunci daftar` of an empty home, or a command that only reads the
 * address book, never loads it).
 */
import type { App } from '../app.js';
import type { KeyCrypto, KunciPorts } from '../ports/kunci.js';
import { sqliteKunciStore } from '../adapters/sqlite/kunci.js';
import { keyFiles, writeFileAtomic } from '../adapters/keystore.js';
import { postgresOffice } from './postgres.js';

const openpgpCrypto = async (): Promise<KeyCrypto> => (await import('../adapters/openpgp/key-crypto.js')).openpgpKeyCrypto;

/** The KeyCrypto port on openpgp.js, its module loaded on first use. */
export const lazyKeyCrypto: KeyCrypto = {
  readKeyFile: async (...a) => (await openpgpCrypto()).readKeyFile(...a),
  describeArmored: async (...a) => (await openpgpCrypto()).describeArmored(...a),
  generateOfficeKey: async (...a) => (await openpgpCrypto()).generateOfficeKey(...a),
  revokeOwnKey: async (...a) => (await openpgpCrypto()).revokeOwnKey(...a),
  mergeKeys: async (...a) => (await openpgpCrypto()).mergeKeys(...a),
  checkPassphrase: async (...a) => (await openpgpCrypto()).checkPassphrase(...a),
};

/** The real ports of the key service for an opened home. */
export function kunciPorts(app: Pick<App, 'paths' | 'store' | 'engine'>): KunciPorts {
  const files = keyFiles(app.paths.keys);
  return {
    // on the office database the register is shared; whether this workstation holds a secret is its own folder's
    store: app.engine().kind === 'postgresql' ? postgresOffice().pgKunciStore(() => app.store(), (f) => files.hasSecret(f)) : sqliteKunciStore(() => app.store()),
    files,
    crypto: lazyKeyCrypto,
    writeExport: writeFileAtomic,
  };
}
