/**
 * The mailbox credential store as the services see it: which entry of <home>/kredensial is the current,
 * pending and previous password (akun_sandi, akun_rotasi), and the office archive key that encrypts them.
 * Shared by `sandi akun` (services/akun.ts) and the password resolution (config/credentials.ts).
 */
import { join } from 'node:path';
import { openApp, type App } from '../app.js';
import type { Db } from '../adapters/sqlite/store.js';
import { credentialFiles, type CredentialFiles, type UnlockedArchiveKey } from '../adapters/openpgp/kredensial.js';
import { unlockPrivateKey } from '../adapters/openpgp/keys.js';
import { loadConfig, type SandiConfig } from '../config/config.js';
import { SandiError } from '../errors.js';
import type { PassphraseSource } from '../ports.js';
import { pendingIsLive, type RotasiStatus } from '../domain/akun.js';
import type { PasswordChangeAdapter } from '../adapters/password-change/types.js';
import { kunciService } from './kunci.js';

export interface AkunRow {
  user: string;
  kini_id: string;
  sebelumnya_id: string | null;
  diubah_at: string | null;
  disimpan_at: string;
  sumber: 'simpan' | 'rotasi' | 'adopsi';
}

export interface RotasiRow {
  id: number;
  user: string;
  adapter: PasswordChangeAdapter;
  status: RotasiStatus;
  baru_id: string;
  lama_id: string;
  dimulai_at: string;
  diset_at: string | null;
  teruji_at: string | null;
  selesai_at: string | null;
  ditolak_at: string | null;
  alasan: string | null;
}

export function credentialDir(app: Pick<App, 'paths'>): string {
  return join(app.paths.root, 'kredensial');
}

export function storeFiles(app: Pick<App, 'paths'>): CredentialFiles {
  return credentialFiles(credentialDir(app));
}

export function akunRow(db: Db, user: string): AkunRow | undefined {
  return db.prepare<[string], AkunRow>('SELECT * FROM akun_sandi WHERE user = ?').get(user);
}

export function openRotation(db: Db, user: string): RotasiRow | undefined {
  return db.prepare<[string], RotasiRow>("SELECT * FROM akun_rotasi WHERE user = ? AND status IN ('tersimpan', 'diset', 'teruji')").get(user);
}

export function lastRotation(db: Db, user: string): RotasiRow | undefined {
  return db.prepare<[string], RotasiRow>('SELECT * FROM akun_rotasi WHERE user = ? ORDER BY id DESC LIMIT 1').get(user);
}

/** Every entry id the database still refers to (anything else in the folder is an orphan of a crash). */
export function referencedIds(db: Db): Set<string> {
  const ids = new Set<string>();
  for (const r of db.prepare<[], AkunRow>('SELECT * FROM akun_sandi').all()) {
    ids.add(r.kini_id);
    if (r.sebelumnya_id !== null) ids.add(r.sebelumnya_id);
  }
  for (const r of db.prepare<[], RotasiRow>("SELECT * FROM akun_rotasi WHERE status IN ('tersimpan', 'diset', 'teruji')").all()) {
    ids.add(r.baru_id);
    ids.add(r.lama_id);
  }
  return ids;
}

/** The office archive key: its public armor to store a password, unlocked (once per call site) to read one. */
export interface ArchiveKeyAccess {
  publicArmored(): Promise<string>;
  unlock(): Promise<UnlockedArchiveKey>;
}

export function archiveKeyAccess(app: Pick<App, 'paths' | 'clock' | 'store'>, config: SandiConfig, actor: string, passphrases: PassphraseSource): ArchiveKeyAccess {
  const keys = kunciService(app, actor);
  let unlocked: Promise<UnlockedArchiveKey> | undefined;
  return {
    async publicArmored() {
      return (await keys.requireUsableKey(config.archiveKey, 'encrypt')).publicArmored;
    },
    unlock() {
      unlocked ??= (async () => {
        const info = await keys.info(config.archiveKey);
        const secret = keys.loadSecretArmored(config.archiveKey);
        return unlockPrivateKey(secret, await passphrases.get(info), info);
      })();
      return unlocked;
    },
  };
}

/**
 * The password to log in with now, from the store: the pending one while a rotation has set it on the server
 * (step 2 recorded) but not finished, else the current one; null when the store has nothing for `user`.
 */
export async function readLivePassword(home: string, user: string, passphrases: PassphraseSource): Promise<{ password: string; slot: 'kini' | 'tertunda' } | null> {
  const app = openApp(home);
  try {
    const db = app.store().db;
    const row = akunRow(db, user);
    if (row === undefined) return null;
    const open = openRotation(db, user);
    const config = loadConfig(app.paths.config);
    const key = await archiveKeyAccess(app, config, 'sandi', passphrases).unlock();
    const files = storeFiles(app);
    if (open !== undefined && pendingIsLive(open.status)) return { password: await files.read(open.baru_id, user, key), slot: 'tertunda' };
    return { password: await files.read(row.kini_id, user, key), slot: 'kini' };
  } catch (e) {
    if (e instanceof SandiError) throw e;
    throw new SandiError('INTERNAL', 'common.internal', { detail: e instanceof Error ? e.name : 'credential store' }, { cause: e });
  } finally {
    app.close();
  }
}
