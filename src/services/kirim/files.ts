/**
 * The kirim archive's files, by their names in the office archive (src/ports/arsip.ts, `c.io.arsip`): the
 * encrypted drafts (named by the draft's SHA-256, written before the row exists), the final kriptograms (a new
 * name per signature, never rewritten), ordinary letters' document parts and detached signatures. The names are
 * the relative paths under <home>/arsip/ they have always had, so a home's existing files keep working; the
 * archive port writes each one once (never replacing) on either engine.
 */
import { SandiError, isSandiError } from '../../errors.js';
import type { KriptogramKeluar } from '../../domain/records-keluar.js';
import type { KirimCtx } from './context.js';
import type { DraftSidecar } from './types.js';

/** The final kriptograms: kriptogram-keluar/<id>-<sha16>.asc (and an older version's <id>.asc). */
export const OUT = 'kriptogram-keluar';
/** The encrypted drafts, paraf records and their sidecars, named by the draft's hash. */
export const DRAFTS = `${OUT}/draf`;
/** Ordinary letters' document parts and detached signatures. */
export const LETTERS = 'surat-keluar';

/** A draft, its paraf record and its clear sidecar: named by the draft's own hash (the row and its id do not exist yet). */
export function draftNames(drafSha: string): { draf: string; paraf: string; sidecar: string } {
  return { draf: `${DRAFTS}/${drafSha}.pgp`, paraf: `${DRAFTS}/${drafSha}.paraf.pgp`, sidecar: `${DRAFTS}/${drafSha}.json` };
}

/**
 * The final kriptogram of a row: a new name per signature, named by the row and the file's own hash, so a
 * file the register points to (through kriptogram_sha256) is never rewritten.
 */
export function finalName(id: number, sha: string): string {
  return `${OUT}/${id}-${sha.slice(0, 16)}.asc`;
}

/** The name of a row's final kriptogram: rows signed by an older version point to <id>.asc. */
export function finalNameOf(c: KirimCtx, r: Pick<KriptogramKeluar, 'id' | 'kriptogramSha256'>): string {
  const legacy = `${OUT}/${r.id}.asc`;
  if (!r.kriptogramSha256) return legacy;
  const named = finalName(r.id, r.kriptogramSha256);
  return c.io.arsip.exists(named) || !c.io.arsip.exists(legacy) ? named : legacy;
}

/** An ordinary letter's document MIME part (by the document's hash) and its detached signature per signer key. */
export function letterNames(dokSha: string, signerFpr: string | null): { part: string; sig: string | null } {
  return {
    part: `${LETTERS}/${dokSha}.part`,
    sig: signerFpr ? `${LETTERS}/${dokSha}.${signerFpr}.sig.json` : null,
  };
}

/** Where a name is, for messages (the file's path in a folder archive). */
export function shownAt(c: KirimCtx, name: string): string {
  return `${c.io.arsip.where}/${name}`;
}

/** A name's whole content (drafts, sidecars, kriptograms, parts): NOT_FOUND kirim.draftMissing for row `id` when absent. */
export function readArchived(c: KirimCtx, name: string, id: number): Buffer {
  if (!c.io.arsip.exists(name)) throw new SandiError('NOT_FOUND', 'kirim.draftMissing', { id, path: shownAt(c, name) });
  return c.io.arsip.readSync(name);
}

/**
 * The clear sidecar of a draft, or null when there is none. It is only a cross-check (the row is the
 * authority): a sidecar that cannot be parsed is INTEGRITY kirim.draftChanged for that row alone.
 */
export function readSidecar(c: KirimCtx, drafSha: string | null, id: number | null = null): DraftSidecar | null {
  if (!drafSha) return null;
  const n = draftNames(drafSha);
  if (!c.io.arsip.exists(n.sidecar)) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(c.io.arsip.readSync(n.sidecar).toString('utf8'));
  } catch {
    throw new SandiError('INTEGRITY', 'kirim.draftChanged', { id: id ?? '', path: shownAt(c, n.sidecar) });
  }
  const s = parsed as Partial<DraftSidecar> | null;
  if (!s || typeof s !== 'object' || typeof s.parafFpr !== 'string' || typeof s.parafSha256 !== 'string' || typeof s.drafSha256 !== 'string') {
    throw new SandiError('INTEGRITY', 'kirim.draftChanged', { id: id ?? '', path: shownAt(c, n.sidecar) });
  }
  return s as DraftSidecar;
}

/** Whether a row's draft sidecar is archived; a corrupt one counts as absent here (openDraft reports it for that row). */
export function draftOnDisk(c: KirimCtx, r: KriptogramKeluar): boolean {
  try {
    return readSidecar(c, r.drafSha256, r.id) !== null;
  } catch (e) {
    if (isSandiError(e) && e.key === 'kirim.draftChanged') return false;
    throw e;
  }
}
