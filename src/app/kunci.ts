/**
 * Composition of the key service's ports (src/ports/kunci.ts) from the adapters: the SQLite key register and
 * address book of the home's store (opened on first use), the key files under <home>/kunci, openpgp.js.
 */
import type { App } from '../app.js';
import type { KunciPorts } from '../ports/kunci.js';
import { sqliteKunciStore } from '../adapters/sqlite/kunci.js';
import { keyFiles, writeFileAtomic } from '../adapters/keystore.js';
import { openpgpKeyCrypto } from '../adapters/openpgp/key-crypto.js';

/** The real ports of the key service for an opened home. */
export function kunciPorts(app: Pick<App, 'paths' | 'store'>): KunciPorts {
  return {
    store: sqliteKunciStore(() => app.store()),
    files: keyFiles(app.paths.keys),
    crypto: openpgpKeyCrypto,
    writeExport: writeFileAtomic,
  };
}
