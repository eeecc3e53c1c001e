/**
 * Keys of the office (`sandi kunci`): make, import, export, list and revoke keys, keep the address book of
 * recipient units, and decide whether a key may be used for new work. Other commands use `requireUsableKey`,
 * `loadPublicArmored`, `loadSecretArmored`, `findByRole`, `lookupRecipients` and `unlockCheck`.
 *
 * The steps live in services/kunci/ by concern (kunci.ts the key lifecycle, buku-alamat.ts the address book,
 * contoh.ts the example keys, konteks.ts the look-ups they share), each a named function over the ports of
 * src/ports/kunci.ts. This module keeps the service object the commands use.
 */
import type { AddressEntry, Clock, KeyInfo, KeyRole, PassphraseSource } from '../ports.js';
import type { KunciPorts, RevocationKind } from '../ports/kunci.js';
import { requireUsableKey, resolveKeyRef, type KeyPurpose, type KunciContext, type UsableKey } from './kunci/konteks.js';
import {
  createKey,
  exportKey,
  exportKeyToFile,
  findByRole,
  importKeyFile,
  importKeys,
  keyInfo,
  listKeys,
  loadPublicArmored,
  loadSecretArmored,
  revokeKey,
  unlockCheck,
  type CreateKeyInput,
  type ExportedKey,
  type ImportOptions,
  type ImportResult,
} from './kunci/kunci.js';
import { addAddress, listAddresses, lookupRecipients, removeAddress, type Recipient } from './kunci/buku-alamat.js';

export { isDemoKey } from '../domain/kunci.js';
export type { RevocationKind } from '../ports/kunci.js';
export type { KeyPurpose, KunciContext, KunciWarning, UsableKey } from './kunci/konteks.js';
export type { CreateKeyInput, ExportedKey, ImportOptions, ImportResult, ImportStatus } from './kunci/kunci.js';
export type { Recipient } from './kunci/buku-alamat.js';
export { importExampleKeys, readExampleManifest, type ExampleKey } from './kunci/contoh.js';

export type KunciService = ReturnType<typeof createKunciService>;

/** What the key service needs of a home: its ports and clock (src/app.ts's App is one). */
export interface KunciHome {
  clock: Clock;
  kunciPorts(): KunciPorts;
}

/** The key service for a home (the composition root's App, or fakes), acting as `actor`. */
export function kunciService(home: KunciHome, actor: string): KunciService {
  return createKunciService({ ...home.kunciPorts(), clock: home.clock, actor });
}

/** The key service over any ports (the real ones of src/app/kunci.ts, or fakes in a test). */
export function createKunciService(ctx: KunciContext) {
  return {
    /** Fingerprint of a key named by fingerprint, key id or e-mail. */
    resolveKeyRef: (ref: string): string => resolveKeyRef(ctx, ref),
    /** One key's info (at `now`). */
    info: (ref: string, now?: Date): Promise<KeyInfo> => keyInfo(ctx, ref, now),
    /** The fingerprint of every key in the register, oldest first (no key file read: a damaged one is the caller's to skip). */
    fingerprints: (): string[] => ctx.store.keys().map((k) => k.fingerprint),
    /** Every key in the store, oldest first. */
    list: (now?: Date): Promise<KeyInfo[]> => listKeys(ctx, now),
    create: (input: CreateKeyInput): Promise<KeyInfo> => createKey(ctx, input),
    importFile: (path: string, opts?: ImportOptions): Promise<ImportResult> => importKeyFile(ctx, path, opts),
    importKeys: (content: string | Uint8Array, source: string, opts?: ImportOptions): Promise<ImportResult> => importKeys(ctx, content, source, opts),
    exportKey: (ref: string, opts?: { secret?: boolean }): ExportedKey => exportKey(ctx, ref, opts),
    exportToFile: (ref: string, path: string, opts?: { secret?: boolean }) => exportKeyToFile(ctx, ref, path, opts),
    revoke: (ref: string, opts: { kind?: RevocationKind; reason?: string; passphrases: PassphraseSource }) => revokeKey(ctx, ref, opts),
    addAddress: (entry: { email: string; unit: string; unitCode?: string | null | undefined; key: string }): Promise<AddressEntry> => addAddress(ctx, entry),
    listAddresses: (): AddressEntry[] => listAddresses(ctx),
    removeAddress: (email: string): AddressEntry => removeAddress(ctx, email),
    requireUsableKey: (fingerprint: string, purpose: KeyPurpose, now?: Date): Promise<UsableKey> => requireUsableKey(ctx, fingerprint, purpose, now),
    loadPublicArmored: (fingerprint: string): string => loadPublicArmored(ctx, fingerprint),
    loadSecretArmored: (fingerprint: string): string => loadSecretArmored(ctx, fingerprint),
    findByRole: (role: KeyRole, now?: Date): Promise<KeyInfo[]> => findByRole(ctx, role, now),
    lookupRecipients: (emails: string[], now?: Date): Promise<Recipient[]> => lookupRecipients(ctx, emails, now),
    unlockCheck: (fingerprint: string, passphrase: string): Promise<void> => unlockCheck(ctx, fingerprint, passphrase),
  };
}
