/**
 * The kirim archive's files: the encrypted drafts (named by the draft's SHA-256, written before the row
 * exists), the final kriptograms (a new file per signature, never rewritten), ordinary letters' document parts
 * and detached signatures, and the one way a file the register points to is written (linked into place,
 * never replacing).
 */
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, linkSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { basename, join } from 'node:path';
import { SandiError, isSandiError } from '../../errors.js';
import type { KriptogramKeluar } from '../../domain/records-keluar.js';
import { sha256, type KirimCtx } from './context.js';
import type { DraftSidecar } from './types.js';

/** A draft, its paraf record and its clear sidecar: named by the draft's own hash (the row and its id do not exist yet). */
export function draftPaths(c: KirimCtx, drafSha: string): { draf: string; paraf: string; sidecar: string } {
  return { draf: join(c.draftDir, `${drafSha}.pgp`), paraf: join(c.draftDir, `${drafSha}.paraf.pgp`), sidecar: join(c.draftDir, `${drafSha}.json`) };
}

/**
 * The final kriptogram of a row: a new file per signature, named by the row and the file's own hash, so a
 * file the register points to (through kriptogram_sha256) is never rewritten.
 */
export function finalName(c: KirimCtx, id: number, sha: string): string {
  return join(c.outDir, `${id}-${sha.slice(0, 16)}.asc`);
}

/** Where a row's final kriptogram is: rows signed by an older version point to <id>.asc. */
export function finalPath(c: KirimCtx, r: Pick<KriptogramKeluar, 'id' | 'kriptogramSha256'>): string {
  const legacy = join(c.outDir, `${r.id}.asc`);
  if (!r.kriptogramSha256) return legacy;
  const named = finalName(c, r.id, r.kriptogramSha256);
  return existsSync(named) || !existsSync(legacy) ? named : legacy;
}

/** An ordinary letter's document MIME part (by the document's hash) and its detached signature per signer key. */
export function letterPaths(c: KirimCtx, dokSha: string, signerFpr: string | null): { part: string; sig: string | null } {
  return {
    part: join(c.lettersDir, `${dokSha}.part`),
    sig: signerFpr ? join(c.lettersDir, `${dokSha}.${signerFpr}.sig.json`) : null,
  };
}

/**
 * Write a final kriptogram under a name that did not exist: a private temp file, fsynced, then hard-linked
 * into place (link never replaces a file) and the folder fsynced. false when a file with exactly these bytes
 * is there already (it is not ours to remove); a different file under the name is refused, or kept with
 * `keepExisting` (an ordinary letter's part: the first one archived stays).
 */
export function writeNewFile(path: string, data: Uint8Array, keepExisting = false): boolean {
  const dir = join(path, '..');
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    const fd = openSync(tmp, 'wx', 0o600);
    try {
      let off = 0;
      while (off < data.length) off += writeSync(fd, data, off, data.length - off);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    try {
      linkSync(tmp, path);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      if (keepExisting || sha256(readFileSync(path)) === sha256(data)) return false;
      throw new SandiError('INTEGRITY', 'kirim.archiveExists', { path });
    }
    const dfd = openSync(dir, 'r');
    try {
      fsyncSync(dfd);
    } finally {
      closeSync(dfd);
    }
    return true;
  } catch (e) {
    if (e instanceof SandiError) throw e;
    throw new SandiError('IO', 'common.writeFailed', { path, reason: (e as Error).message }, { cause: e });
  } finally {
    try {
      unlinkSync(tmp);
    } catch {
      /* not there */
    }
  }
}

/**
 * The clear sidecar of a draft, or null when there is none. It is only a cross-check (the row is the
 * authority): a sidecar that cannot be parsed is INTEGRITY kirim.draftChanged for that row alone.
 */
export function readSidecar(c: KirimCtx, drafSha: string | null, id: number | null = null): DraftSidecar | null {
  if (!drafSha) return null;
  const p = draftPaths(c, drafSha);
  if (!existsSync(p.sidecar)) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(p.sidecar, 'utf8'));
  } catch {
    throw new SandiError('INTEGRITY', 'kirim.draftChanged', { id: id ?? '', path: p.sidecar });
  }
  const s = parsed as Partial<DraftSidecar> | null;
  if (!s || typeof s !== 'object' || typeof s.parafFpr !== 'string' || typeof s.parafSha256 !== 'string' || typeof s.drafSha256 !== 'string') {
    throw new SandiError('INTEGRITY', 'kirim.draftChanged', { id: id ?? '', path: p.sidecar });
  }
  return s as DraftSidecar;
}

/** Whether a row's draft sidecar is there; a corrupt one counts as absent here (openDraft reports it for that row). */
export function draftOnDisk(c: KirimCtx, r: KriptogramKeluar): boolean {
  try {
    return readSidecar(c, r.drafSha256, r.id) !== null;
  } catch (e) {
    if (isSandiError(e) && e.key === 'kirim.draftChanged') return false;
    throw e;
  }
}
