/** The KeyCrypto port (src/ports/kunci.ts) on openpgp.js: the key operations of keys.ts. */
import type { KeyCrypto } from '../../ports/kunci.js';
import { describeArmored, generateOfficeKey, mergeKeys, readKeyFile, revokeOwnKey, unlockPrivateKey } from './keys.js';

export const openpgpKeyCrypto: KeyCrypto = {
  readKeyFile,
  describeArmored,
  generateOfficeKey,
  revokeOwnKey,
  mergeKeys,
  async checkPassphrase(secretArmored, passphrase, label) {
    await unlockPrivateKey(secretArmored, passphrase, label);
  },
};
