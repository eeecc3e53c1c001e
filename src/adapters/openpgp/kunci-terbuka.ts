/**
 * A secret key unlocked once for a run: the key decrypted with its passphrase (one S2K), returned as armor
 * that is held in memory only and never written anywhere, so a run that signs and decrypts several times
 * (draft, initial record, the Kasi's decryption and signature) pays the deliberately slow S2K once per key.
 * A wrong passphrase is PERMISSION naming the key (keys.ts, unlockPrivateKey).
 */
import { unlockPrivateKey } from './keys.js';

export async function unlockedArmored(secretArmored: string, passphrase: string, label: { fingerprint: string; userId: string }): Promise<string> {
  const key = await unlockPrivateKey(secretArmored, passphrase, label);
  return key.armor();
}
