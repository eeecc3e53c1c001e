/**
 * The ports of the complaint service (besides the register port): the reporter's identity sealed to the
 * archive key, and the archive that keeps a complaint's attachments. Types only.
 */
import type { Readable } from 'node:stream';
import type { IdentitasPelapor } from '../domain/aduan.js';

/** What a sealed identity is bound to: a blob cannot be moved to another complaint. */
export interface PelaporBinding {
  kanal: string;
  nomorPelacakan: string;
}

/** The office archive key, unlocked: opaque to the service, only the cipher can use it. */
export type UnlockedArchive = object;

/** Seals and opens a reporter's identity with the office archive key (OpenPGP). */
export interface PelaporCipher {
  encrypt(pelapor: IdentitasPelapor, binding: PelaporBinding, archivePublicArmored: string, now: Date): Promise<Uint8Array>;
  unlockArchive(secretArmored: string, passphrase: string, label: { fingerprint: string; userId: string }): Promise<UnlockedArchive>;
  decrypt(blob: Uint8Array, binding: PelaporBinding & { nomor: string }, key: UnlockedArchive): Promise<IdentitasPelapor>;
}

/** Content-addressed, durable storage of attachments (<home>/arsip/aduan). */
export interface AttachmentArchive {
  /** resolves once the bytes are durable under their SHA-256 */
  put(source: Readable): Promise<{ sha256: string; size: number }>;
}
