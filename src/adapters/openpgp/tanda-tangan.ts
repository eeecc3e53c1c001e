/**
 * Detached OpenPGP signatures over exact bytes (binary signature, type 0x00), for letters sent in clear as
 * RFC 3156 multipart/signed (`sandi kirim --biasa --tandatangani`).
 */
import * as openpgp from 'openpgp';
import { SandiError } from '../../errors.js';
import type { DetachedSignature } from '../../domain/surat-biasa.js';

// openpgp's overloads of sign() are too many for type-aware linting to resolve: the one form used here
const signDetachedArmored = openpgp.sign as unknown as (o: {
  message: openpgp.Message<Uint8Array>;
  signingKeys: openpgp.PrivateKey;
  detached: true;
  date: Date;
  format: 'armored';
}) => Promise<string>;

/**
 * Sign `data` with an unlocked secret key (decrypted armor from kunci-terbuka.ts, memory only); returns the
 * armored signature and its hash algorithm.
 */
export async function signDetached(data: Uint8Array, key: { unlockedArmored: string; fingerprint: string; userId: string }, date: Date): Promise<DetachedSignature> {
  try {
    const signingKey: openpgp.PrivateKey = await openpgp.readPrivateKey({ armoredKey: key.unlockedArmored });
    if (!signingKey.isDecrypted()) throw new SandiError('PERMISSION', 'kriptogram.passphraseNeeded', { fingerprint: key.fingerprint, userId: key.userId });
    const message: openpgp.Message<Uint8Array> = await openpgp.createMessage({ binary: data, format: 'binary' });
    const armored = await signDetachedArmored({ message, signingKeys: signingKey, detached: true, date, format: 'armored' });
    const sig: openpgp.Signature = await openpgp.readSignature({ armoredSignature: armored });
    const algo = sig.packets[0]?.hashAlgorithm;
    const hash = algo === undefined || algo === null ? 'sha256' : openpgp.enums.read(openpgp.enums.hash, algo).toLowerCase();
    return { armored, hash };
  } catch (e) {
    if (e instanceof SandiError) throw e;
    throw new SandiError('INTERNAL', 'common.internal', { detail: `detached signature: ${(e as Error).message}` }, { cause: e });
  }
}
