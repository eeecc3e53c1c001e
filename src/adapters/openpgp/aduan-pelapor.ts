/**
 * The reporter's identity of a complaint, encrypted to the office archive key: a binary OpenPGP message
 * (SEIPDv1, AES-256, no compression, the house profile) stored in the complaint row. The plaintext carries
 * the channel and tracking id it belongs to, so an encrypted identity cannot be moved to another complaint.
 * Writing needs only the archive key's public part; reading needs the archive key unlocked with its passphrase.
 */
import type * as openpgp from 'openpgp';
import { SandiError } from '../../errors.js';
import { openJson, sealJson } from './sealed-json.js';
import { unlockPrivateKey } from './keys.js';
import { pelaporProblem, type IdentitasPelapor } from '../../domain/aduan.js';

import type { PelaporBinding } from '../../ports/aduan.js';

export type { PelaporBinding };

interface Payload extends PelaporBinding {
  v: 1;
  pelapor: IdentitasPelapor;
}

function isPayload(x: unknown): x is Payload {
  if (x === null || typeof x !== 'object' || Array.isArray(x)) return false;
  const p = (x as Record<string, unknown>)['pelapor'];
  return p !== null && typeof p === 'object' && !Array.isArray(p) && pelaporProblem(p) === null;
}

/** Encrypt an identity for one complaint to the archive key's public armor. */
export async function encryptPelapor(pelapor: IdentitasPelapor, binding: PelaporBinding, archivePublicArmored: string, now: Date): Promise<Uint8Array> {
  const payload: Payload = { v: 1, kanal: binding.kanal, nomorPelacakan: binding.nomorPelacakan, pelapor };
  return sealJson(payload, archivePublicArmored, now, 'binary');
}

/** An unlocked archive key (opaque to services). */
export type ArchiveSecret = openpgp.PrivateKey;

/** Unlock the archive key; a wrong passphrase is PERMISSION naming the key, never the passphrase. */
export function unlockArchive(secretArmored: string, passphrase: string, label: { fingerprint: string; userId: string }): Promise<ArchiveSecret> {
  return unlockPrivateKey(secretArmored, passphrase, label);
}

/** Decrypt an identity and check it belongs to `binding`'s complaint. */
export async function decryptPelapor(blob: Uint8Array, binding: PelaporBinding & { nomor: string }, key: ArchiveSecret): Promise<IdentitasPelapor> {
  let opened: unknown;
  try {
    opened = await openJson(blob, key);
  } catch (e) {
    // openpgp's text is dropped: damaged, or encrypted to another key
    throw new SandiError('INTEGRITY', 'aduan.pelaporUnreadable', { nomor: binding.nomor }, { hint: 'aduan.pelaporUnreadable.hint', cause: e instanceof Error ? e.name : undefined });
  }
  // anyone with the archive public key can seal a record: check its shape before using any field
  if (!isPayload(opened)) throw new SandiError('INTEGRITY', 'aduan.pelaporUnreadable', { nomor: binding.nomor }, { hint: 'aduan.pelaporUnreadable.hint' });
  const payload = opened;
  if (payload.v !== 1 || payload.kanal !== binding.kanal || payload.nomorPelacakan !== binding.nomorPelacakan) {
    throw new SandiError('INTEGRITY', 'aduan.pelaporWrongRow', { nomor: binding.nomor });
  }
  return payload.pelapor;
}
