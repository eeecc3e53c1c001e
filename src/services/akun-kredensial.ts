/**
 * The mailbox credential store as the services see it: which entry of <home>/kredensial is the current,
 * pending and previous password (the AkunStore port), and the office archive key that encrypts them. Shared by
 * `sandi akun` (services/akun.ts) and, through the StoredMailboxPassword port a command hands it, the password
 * resolution (the account ports' `passwords`: config/credentials.ts, wired by src/app/akun.ts).
 */
import type { MailboxAccount, SandiConfig } from '../config/config.js';
import { SandiError } from '../errors.js';
import type { PassphraseSource } from '../ports.js';
import type { AkunPorts, AkunStore, ArchiveKeyUnlocker, CredentialFiles, StoredMailboxPassword, UnlockedArchiveKey } from '../ports/akun.js';
import { pendingIsLive } from '../domain/akun.js';
import { kunciService, type KunciHome, type KunciService } from './kunci.js';

/** What the credential helpers need of a home: its root, clock, and the key and account ports (App is one). */
export interface AkunHome extends KunciHome {
  paths: { root: string };
  akunPorts(): AkunPorts;
}
export type { AkunRow, RotasiRow } from '../domain/akun.js';

/** The credential files of an opened home. */
export function storeFiles(app: Pick<AkunHome, 'akunPorts'>): CredentialFiles {
  return app.akunPorts().files;
}

/** The office archive key: its public armor to store a password, unlocked (once per call site) to read one. */
export interface ArchiveKeyAccess {
  publicArmored(): Promise<string>;
  unlock(): Promise<UnlockedArchiveKey>;
}

/** Archive-key access over the key service `keys` and an unlocker (the ports a service already has). */
export function archiveKeyOf(keys: KunciService, unlockKey: ArchiveKeyUnlocker, archiveKey: string, passphrases: PassphraseSource): ArchiveKeyAccess {
  let unlocked: Promise<UnlockedArchiveKey> | undefined;
  return {
    async publicArmored() {
      return (await keys.requireUsableKey(archiveKey, 'encrypt')).publicArmored;
    },
    unlock() {
      unlocked ??= (async () => {
        const info = await keys.info(archiveKey);
        const secret = keys.loadSecretArmored(archiveKey);
        return unlockKey(secret, await passphrases.get(info), info);
      })();
      return unlocked;
    },
  };
}

/** Archive-key access for an opened home, acting as `actor`. */
export function archiveKeyAccess(app: AkunHome, config: SandiConfig, actor: string, passphrases: PassphraseSource): ArchiveKeyAccess {
  return archiveKeyOf(kunciService(app, actor), app.akunPorts().unlockArchiveKey, config.archiveKey, passphrases);
}

/**
 * The password to log in with now, from the store: the pending one while a rotation has set it on the server
 * (step 2 recorded) but not finished, else the current one; null when the store has nothing for `user`.
 */
export async function readLivePassword(
  store: AkunStore,
  files: CredentialFiles,
  archive: (passphrases: PassphraseSource) => ArchiveKeyAccess,
  user: string,
  passphrases: PassphraseSource,
): Promise<{ password: string; slot: 'kini' | 'tertunda' } | null> {
  try {
    const row = store.account(user);
    if (row === undefined) return null;
    const open = store.openRotation(user);
    const key = await archive(passphrases).unlock();
    if (open !== undefined && pendingIsLive(open.status)) return { password: await files.read(open.baru_id, user, key), slot: 'tertunda' };
    return { password: await files.read(row.kini_id, user, key), slot: 'kini' };
  } catch (e) {
    if (e instanceof SandiError) throw e;
    throw new SandiError('INTERNAL', 'common.internal', { detail: e instanceof Error ? e.name : 'credential store' }, { cause: e });
  }
}

/** The StoredMailboxPassword port over the account ports and the key service a service already has. */
export function storedPasswordOf(ports: Pick<AkunPorts, 'store' | 'files' | 'unlockArchiveKey'>, keys: KunciService, archiveKey: string): StoredMailboxPassword {
  return {
    live(user, passphrases) {
      return readLivePassword(ports.store, ports.files, (p) => archiveKeyOf(keys, ports.unlockArchiveKey, archiveKey, p), user, passphrases);
    },
  };
}

/**
 * The StoredMailboxPassword port over a command's own opened home and loaded config (its store connection, its
 * key service): what it hands to resolveMailboxPassword.
 */
export function storedMailboxPassword(app: AkunHome, config: SandiConfig, actor = 'sandi'): StoredMailboxPassword {
  return storedPasswordOf(app.akunPorts(), kunciService(app, actor), config.archiveKey);
}

/**
 * The mailbox password for `account`, from its sources in order (the account ports' `passwords`, which the
 * composition root binds to config/credentials.ts), its stored source read over this opened home's own store
 * and the loaded config: what kirim and terima call before connecting.
 */
export async function mailboxPasswordIn(
  app: AkunHome,
  config: SandiConfig,
  actor: string,
  account: MailboxAccount,
  ctx: { env: NodeJS.ProcessEnv; passphrases?: PassphraseSource | undefined },
): Promise<string> {
  return (await app.akunPorts().passwords.resolve(account, { ...ctx, stored: storedMailboxPassword(app, config, actor) })).password;
}
