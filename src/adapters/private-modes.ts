/**
 * Modes of what holds secrets in the home: the database (0600, and its -wal/-shm, which SQLite creates with
 * the database's own mode) and every folder holding keys, credentials, raw mail or plaintext (0700).
 *
 * Policy, the same as kunci/ (src/adapters/keystore.ts): what sandi creates it creates private, and setting up a
 * home (`init`, `demo`) tightens the home folder itself; a folder found loose when a command opens the home is
 * refused (PERMISSION, exit 77) with the exact chmod that fixes it, so the operator learns that something opened
 * it. The database file is the exception: SQLite made it with the umask's mode before sandi created it 0600
 * itself, so a loose database that this user owns is repaired at open; one owned by another user is refused.
 */
import { chmodSync, closeSync, existsSync, mkdirSync, openSync, readdirSync, statSync, type Stats } from 'node:fs';
import { join } from 'node:path';
import { SandiError } from '../errors.js';
import { modeTooOpen, shellQuote } from '../domain/kunci.js';

/** Folders directly under the home that hold secrets (besides the home itself and the folders of arsip/). */
const SECRET_FOLDERS = ['kunci', 'kredensial', 'arsip', 'cetak', 'maildir'] as const;
/**
 * Folders of arsip/ holding raw mail (surat-masuk, aduan) or letter contents (surat-keluar, kriptogram-keluar and
 * its draf/), checked with their own sub-folders (tmp/, the hash shards). Other folders of arsip/ (e.g. signed
 * audit checkpoints, which are meant to be shown) are left to their owners.
 */
const SECRET_ARCHIVE_FOLDERS = ['surat-masuk', 'aduan', 'surat-keluar', 'kriptogram-keluar'] as const;

function statOrNull(path: string): Stats | null {
  try {
    return statSync(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new SandiError('IO', 'common.fileUnreadable', { path, reason: (e as Error).message }, { cause: e });
  }
}

function subfolders(dir: string): string[] {
  try {
    return readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => join(dir, e.name));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT' || (e as NodeJS.ErrnoException).code === 'ENOTDIR') return [];
    throw new SandiError('IO', 'common.fileUnreadable', { path: dir, reason: (e as Error).message }, { cause: e });
  }
}

/**
 * The folders of the home that must be 0700: the home, kunci/, kredensial/, arsip/ and its folders of raw mail
 * and letter contents with their sub-folders (surat-masuk/tmp/ and shards, kriptogram-keluar/draf/, ...),
 * cetak/ (printed plaintext) and maildir/. Only those that exist.
 */
export function secretFolders(root: string): string[] {
  const out = [root, ...SECRET_FOLDERS.map((f) => join(root, f))];
  for (const f of SECRET_ARCHIVE_FOLDERS) {
    const a = join(root, 'arsip', f);
    out.push(a, ...subfolders(a));
  }
  return out;
}

/** Refuse (PERMISSION) when any folder of the home holding secrets lets group or others in; names them all. */
export function assertPrivateHome(root: string): void {
  const loose: { path: string; mode: number }[] = [];
  for (const path of secretFolders(root)) {
    const st = statOrNull(path);
    if (st?.isDirectory() && modeTooOpen(st.mode)) loose.push({ path, mode: st.mode & 0o777 });
  }
  if (loose.length === 0) return;
  throw new SandiError(
    'PERMISSION',
    'store.homeModeTooOpen',
    {
      path: loose.map((l) => l.path).join(', '),
      mode: loose.map((l) => l.mode.toString(8).padStart(3, '0')).join(', '),
      fix: `chmod 700 ${loose.map((l) => shellQuote(l.path)).join(' ')}`,
    },
    { hint: 'kunci.modeTooOpen.hint' },
  );
}

/** Create `dir` 0700, or tighten it to 0700 when it exists: for the command that sets a home up. */
export function makePrivateDir(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    if (modeTooOpen(statSync(dir).mode)) chmodSync(dir, 0o700);
  } catch (e) {
    throw new SandiError('IO', 'common.writeFailed', { path: dir, reason: (e as Error).message }, { cause: e });
  }
}

/**
 * Before SQLite opens `path`: create a missing database file empty and 0600 (SQLite then makes -wal and -shm
 * with the same mode), and repair a loose database, -wal or -shm that this user owns; refuse one it does not.
 */
export function privateDatabaseFile(path: string, create: boolean): void {
  if (create && !existsSync(path)) {
    try {
      closeSync(openSync(path, 'wx', 0o600)); // an empty file is an empty SQLite database
    } catch (e) {
      // another process made it first: it is checked below like any existing file
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw new SandiError('IO', 'store.openFailed', { path, reason: (e as Error).message }, { cause: e });
    }
  }
  const uid = process.getuid?.();
  for (const p of [path, `${path}-wal`, `${path}-shm`]) {
    const st = statOrNull(p);
    if (!st || !modeTooOpen(st.mode)) continue;
    if (uid !== undefined && st.uid === uid) {
      try {
        chmodSync(p, st.mode & 0o700);
        continue;
      } catch (e) {
        throw new SandiError('IO', 'common.writeFailed', { path: p, reason: (e as Error).message }, { cause: e });
      }
    }
    throw new SandiError(
      'PERMISSION',
      'store.modeTooOpen',
      { path: p, mode: (st.mode & 0o777).toString(8).padStart(3, '0'), fix: `chmod 600 ${shellQuote(p)}` },
      { hint: 'kunci.modeTooOpen.hint' },
    );
  }
}
