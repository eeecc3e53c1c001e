/**
 * The key files under <home>/kunci: `<FINGERPRINT>.pub.asc` and `<FINGERPRINT>.sec.asc`. The folder is 0700,
 * secret files 0600, every file written atomically (temp file in the same folder, fsync, rename, fsync folder),
 * so a crash leaves either the old file or the new one. A secret file (or the folder) that group or others can
 * reach is refused with the exact chmod that fixes it.
 */
import { closeSync, fchmodSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, statSync, unlinkSync, writeSync, chmodSync, existsSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join } from 'node:path';
import { SandiError } from '../errors.js';
import { modeTooOpen, shellQuote } from '../domain/kunci.js';
import type { KeyFiles } from '../ports/kunci.js';

export type { KeyFiles };

export function keyFiles(dir: string): KeyFiles {
  const publicPath = (f: string) => join(dir, `${f}.pub.asc`);
  const secretPath = (f: string) => join(dir, `${f}.sec.asc`);
  // Writing tightens the folder to 0700 (it is sandi's own and only ever loses access); reading refuses a
  // loose folder instead, so the operator learns that something opened it.
  const ensureDir = () => {
    try {
      if (!existsSync(dir)) mkdirSync(dir, { recursive: true, mode: 0o700 });
      if (modeTooOpen(statSync(dir).mode)) chmodSync(dir, 0o700);
    } catch (e) {
      throw new SandiError('IO', 'common.writeFailed', { path: dir, reason: (e as Error).message }, { cause: e });
    }
  };
  return {
    dir,
    publicPath,
    secretPath,
    hasPublic: (f) => existsSync(publicPath(f)),
    hasSecret: (f) => existsSync(secretPath(f)),
    readPublic(f) {
      return readText(publicPath(f), f);
    },
    readSecret(f) {
      const path = secretPath(f);
      if (!existsSync(path)) throw new SandiError('NOT_FOUND', 'kunci.secretMissing', { fingerprint: f, path });
      assertPrivateMode(dir, true);
      assertPrivateMode(path, false);
      return readText(path, f);
    },
    writePublic(f, armored) {
      ensureDir();
      writeFileAtomic(publicPath(f), armored, 0o644);
    },
    writeSecret(f, armored) {
      ensureDir();
      writeFileAtomic(secretPath(f), armored, 0o600);
    },
  };
}

function readText(path: string, fingerprint: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new SandiError('NOT_FOUND', 'kunci.fileMissing', { fingerprint, path });
    throw new SandiError('IO', 'common.fileUnreadable', { path, reason: (e as Error).message }, { cause: e });
  }
}

/**
 * Refuse a secret file (or the folder holding secrets) whose mode lets group or others in.
 * The error names the exact command that fixes it.
 */
export function assertPrivateMode(path: string, isDir: boolean): void {
  let mode: number;
  try {
    mode = statSync(path).mode;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new SandiError('NOT_FOUND', 'common.fileNotFound', { path });
    throw new SandiError('IO', 'common.fileUnreadable', { path, reason: (e as Error).message }, { cause: e });
  }
  if (modeTooOpen(mode)) {
    const want = isDir ? '700' : '600';
    throw new SandiError(
      'PERMISSION',
      'kunci.modeTooOpen',
      { path, mode: (mode & 0o777).toString(8).padStart(3, '0'), fix: `chmod ${want} ${shellQuote(path)}` },
      { hint: 'kunci.modeTooOpen.hint' },
    );
  }
}

/**
 * Write a file atomically with exactly `mode`: a temp file created with that mode in the same folder (so the
 * rename stays on one file system), fsync, rename over the target, fsync the folder. `exclusive` refuses to
 * replace an existing file.
 */
export function writeFileAtomic(path: string, content: string | Uint8Array, mode: number, opts: { exclusive?: boolean } = {}): void {
  const dir = dirname(path);
  if (opts.exclusive && existsSync(path)) throw new SandiError('CONFLICT', 'kunci.outputExists', { path }, { hint: 'kunci.outputExists.hint' });
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  let fd: number | undefined;
  try {
    fd = openSync(tmp, 'wx', mode);
    fchmodSync(fd, mode); // the umask may have removed bits we want (0644), never added any
    const buf = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
    let off = 0;
    while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(tmp, path);
    fsyncDir(dir);
  } catch (e) {
    if (fd !== undefined) closeSync(fd);
    try {
      unlinkSync(tmp);
    } catch {
      /* nothing to clean */
    }
    if (e instanceof SandiError) throw e;
    throw new SandiError('IO', 'common.writeFailed', { path, reason: (e as Error).message }, { cause: e });
  }
}

/** fsync a folder so a rename or link in it survives a crash (best effort: some file systems refuse it). */
export function fsyncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // some file systems refuse fsync on a directory; the rename itself is still atomic
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
