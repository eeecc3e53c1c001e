/**
 * The checkpoint folder, <home>/arsip/audit/: one file per checkpoint, `titik-<id, 12 digits>.asc`, created
 * exclusively (never replaced), written and fsynced before its name appears, the folder fsynced after. Append-
 * only by construction: sandi never rewrites or deletes a checkpoint.
 */
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, unlinkSync, writeSync, linkSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { SandiError } from '../errors.js';
import { fsyncDir } from './keystore.js';

const NAME_RE = /^titik-(\d{12})\.asc$/;

export interface CheckpointFile {
  id: number;
  path: string;
}

export function checkpointDir(archiveDir: string): string {
  return join(archiveDir, 'audit');
}

/** Checkpoint files in id order (files whose names do not fit are ignored: not ours). */
export function listCheckpointFiles(dir: string): CheckpointFile[] {
  if (!existsSync(dir)) return [];
  const out: CheckpointFile[] = [];
  for (const name of readdirSync(dir)) {
    const m = NAME_RE.exec(name);
    if (m) out.push({ id: Number(m[1]), path: join(dir, name) });
  }
  return out.sort((a, b) => a.id - b.id);
}

export function readCheckpointFile(f: CheckpointFile): string {
  return readFileSync(f.path, 'utf8');
}

/**
 * Write the checkpoint for chain row `id`. Returns false when one for that id already exists (another command
 * made it first): the existing one is kept, never replaced.
 */
export function writeCheckpointFile(dir: string, id: number, armored: string): { written: boolean; path: string } {
  const path = join(dir, `titik-${String(id).padStart(12, '0')}.asc`);
  const tmp = join(dir, `.titik-${process.pid}-${randomBytes(6).toString('hex')}.tmp`);
  let fd: number | undefined;
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    fd = openSync(tmp, 'wx', 0o600);
    const buf = Buffer.from(armored, 'utf8');
    let off = 0;
    while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    // link() fails when the name exists: no checkpoint is ever replaced (rename would replace it)
    try {
      linkSync(tmp, path);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') return { written: false, path };
      if ((e as NodeJS.ErrnoException).code === 'EPERM' || (e as NodeJS.ErrnoException).code === 'ENOTSUP') {
        // a file system without hard links: exclusive check, then rename (a race is then last-writer-wins)
        if (existsSync(path)) return { written: false, path };
        renameSync(tmp, path);
      } else throw e;
    }
    fsyncDir(dir);
    return { written: true, path };
  } catch (e) {
    throw new SandiError('IO', 'common.writeFailed', { path, reason: (e as Error).message }, { cause: e });
  } finally {
    if (fd !== undefined) closeSync(fd);
    try {
      unlinkSync(tmp);
    } catch {
      /* renamed, or never made */
    }
  }
}
