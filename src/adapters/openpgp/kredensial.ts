/**
 * The encrypted credential store: <home>/kredensial/<id>.asc, one immutable file per stored password, an
 * OpenPGP message (SEIPDv1, AES-256, no compression) encrypted to the office archive key. Writing needs only
 * the public key; reading needs the archive key unlocked with its passphrase. Each entry carries the account
 * it belongs to, so an entry cannot be passed off as another account's. Which entry is current, pending or
 * previous is recorded in the database (akun_sandi, akun_rotasi), which never holds a password.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import type * as openpgp from 'openpgp';
import { SandiError } from '../../errors.js';
import { writeFileAtomic, assertPrivateMode } from '../keystore.js';

const ENTRY_RE = /^([0-9a-f]{32})\.asc$/;

interface EntryPayload {
  v: 1;
  user: string;
  password: string;
  created: string;
}

function isEntryPayload(x: unknown): x is EntryPayload {
  if (typeof x !== 'object' || x === null || Array.isArray(x)) return false;
  const o = x as Record<string, unknown>;
  return o['v'] === 1 && typeof o['user'] === 'string' && typeof o['password'] === 'string';
}

/** Encrypt `password` for `user` to the archive key: the armored entry, as a file or an archive name holds it. */
export async function sealEntry(user: string, password: string, archivePublicArmored: string, now: Date): Promise<string> {
  const payload: EntryPayload = { v: 1, user, password, created: now.toISOString() };
  const { sealJson } = await import('./sealed-json.js'); // openpgp.js: loaded when a password is stored
  return sealJson(payload, archivePublicArmored, now, 'armored');
}

/**
 * Decrypt an armored entry with the unlocked archive key and check it is `user`'s; `where` names it in errors
 * (a file, or an archive name in the office database). DATA when damaged, not a sandi entry or another account's.
 */
export async function openEntry(armored: string, user: string, archiveKey: openpgp.PrivateKey, where: string): Promise<string> {
  const { openJson } = await import('./sealed-json.js'); // openpgp.js: loaded when a password is read
  let payload: unknown;
  try {
    payload = await openJson(armored, archiveKey);
  } catch (e) {
    // openpgp's text is dropped: it names nothing the operator can act on beyond "damaged or wrong key".
    throw new SandiError('DATA', 'akun.entryUnreadable', { path: where }, { hint: 'akun.entryUnreadable.hint', cause: e instanceof Error ? e.name : undefined });
  }
  // Anyone with the archive public key can write an entry: check its shape before using any field.
  if (!isEntryPayload(payload)) throw new SandiError('DATA', 'akun.entryMalformed', { path: where }, { hint: 'akun.entryUnreadable.hint' });
  if (payload.user.toLowerCase() !== user.toLowerCase()) throw new SandiError('DATA', 'akun.entryWrongAccount', { path: where, user });
  return payload.password;
}

export interface CredentialFiles {
  readonly dir: string;
  /** Encrypt `password` for `user` to the archive key and store it as entry `id` (0600, atomic, never replaced). */
  write(id: string, user: string, password: string, archivePublicArmored: string, now: Date): Promise<void>;
  /** Decrypt entry `id` with the unlocked archive key; DATA when it is not `user`'s or is damaged, NOT_FOUND when gone. */
  read(id: string, user: string, archiveKey: openpgp.PrivateKey): Promise<string>;
  has(id: string): boolean;
  /** Ids of every entry present. */
  list(): string[];
  remove(id: string): void;
}

export function credentialFiles(dir: string): CredentialFiles {
  const path = (id: string): string => {
    if (!/^[0-9a-f]{32}$/.test(id)) throw new SandiError('INTERNAL', 'common.internal', { detail: `bad credential id ${id}` });
    return join(dir, `${id}.asc`);
  };
  return {
    dir,
    async write(id, user, password, archivePublicArmored, now) {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      assertPrivateMode(dir, true);
      const armored = await sealEntry(user, password, archivePublicArmored, now);
      writeFileAtomic(path(id), armored, 0o600, { exclusive: true });
    },
    async read(id, user, archiveKey) {
      const p = path(id);
      let armored: string;
      if (!existsSync(p)) throw new SandiError('NOT_FOUND', 'akun.entryMissing', { path: p }, { hint: 'akun.entryMissing.hint' });
      assertPrivateMode(dir, true);
      assertPrivateMode(p, false);
      try {
        armored = readFileSync(p, 'utf8');
      } catch (e) {
        throw new SandiError('IO', 'common.fileUnreadable', { path: p, reason: (e as Error).message });
      }
      return openEntry(armored, user, archiveKey, p);
    },
    has(id) {
      return existsSync(path(id));
    },
    list() {
      try {
        return readdirSync(dir)
          .map((f) => ENTRY_RE.exec(f)?.[1])
          .filter((x): x is string => x !== undefined);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
        throw e;
      }
    },
    remove(id) {
      try {
        unlinkSync(path(id));
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw new SandiError('IO', 'common.writeFailed', { path: path(id), reason: (e as Error).message });
      }
    },
  };
}

/** The office archive key, unlocked, as the credential store needs it (opaque to services). */
export type UnlockedArchiveKey = openpgp.PrivateKey;
