/**
 * The office archive as named, immutable files (arsip): every file sandi keeps under <home>/arsip/ has a
 * relative name there, and that name is its name in this port on every engine:
 *
 *   surat-masuk/<aa>/<sha256>.eml          raw incoming mail (terima), content-addressed
 *   aduan/<aa>/<sha256>.eml                complaint attachments, content-addressed
 *   kriptogram-keluar/draf/<sha>.pgp|.paraf.pgp|.json   kirim drafts, their paraf and sidecar
 *   kriptogram-keluar/<id>-<sha16>.asc     final kriptograms (a new name per signature)
 *   surat-keluar/<sha>.part|.<fpr>.sig.json ordinary letters' document parts and signatures
 *   audit/titik-<id, 12 digits>.asc        signed audit checkpoints
 *
 * A name, once written, is never replaced and never removed (append-only, as the registers) — except by
 * `abandon`, for a name no register row names yet (its own writer's, or one a killed run left). Two adapters:
 * the home's folder (each name a file, written to a temp file, fsynced, linked into place, folder fsynced) and
 * the office database on PostgreSQL (content in chunks, named by SHA-256; the name row is written in the same
 * transaction as the register row that names it — see `staged` below — so one pg_dump holds the office and
 * every workstation sees one archive).
 *
 * Types only; nothing here imports a library.
 */

/** What a write did. */
export interface ArsipWritten {
  /** 'written': the name is new; 'same': it already held exactly these bytes; 'kept': it held other bytes and `keepExisting` kept them */
  result: 'written' | 'same' | 'kept';
  sha256: string;
  size: number;
}

export interface ArsipWriteOptions {
  /** a different content already under the name is kept ('kept') instead of refused (INTEGRITY kirim.archiveExists-like) */
  keepExisting?: boolean;
  /**
   * PostgreSQL: 'unit' (default) — the name becomes part of the office archive in the next unit of work
   * (`write(fn)`) of this process's store, in the same transaction as the register row that names it; until
   * then this process sees it (exists/read) and no other does. 'now' — in a transaction of its own before the
   * promise resolves (a checkpoint: written after the command's last unit). The folder adapter is always 'now'.
   */
  visible?: 'unit' | 'now';
}

export interface ArsipStore {
  /** for messages only: the folder, or "postgresql <schema>" */
  readonly where: string;
  /** Write a name with these bytes; memory bounded by the chunk size for a stream. */
  write(name: string, source: Uint8Array | AsyncIterable<Uint8Array>, opts?: ArsipWriteOptions): Promise<ArsipWritten>;
  /** The same, synchronously, for bytes already in memory (kirim's drafts and signatures). */
  writeSync(name: string, data: Uint8Array, opts?: ArsipWriteOptions): ArsipWritten;
  exists(name: string): boolean;
  /** The whole content (small files only: drafts, sidecars, checkpoints); NOT_FOUND when absent. */
  readSync(name: string): Buffer;
  /** The content in chunks (bounded memory); NOT_FOUND when absent. */
  open(name: string): AsyncIterable<Buffer>;
  /** SHA-256 and size of a name's content without reading it (null when absent). */
  stat(name: string): { sha256: string; size: number } | null;
  /** Names under a prefix ("audit/", "surat-masuk/"), sorted. */
  list(prefix: string): string[];
  /**
   * Take back a name that no register row names (kirim: the final kriptogram of a signature whose transaction
   * was refused, or one a killed run left behind). The caller is the one who knows nothing names it: it holds
   * the row's claim, and the row points elsewhere or nowhere. Plain: only a name THIS store wrote itself
   * (result 'written') — the folder removes its file; PostgreSQL drops the pending name, so no later unit of
   * work makes it part of the office archive (a name already committed is left alone). A name this store did
   * not write (another process's, or 'same'/'kept') is left alone. `leftByKilledRun`: a name written by a run
   * that was killed before the unit of work that would have named it — the folder removes its file;
   * PostgreSQL has nothing to do (a pending name dies with its process). true when something was taken back.
   */
  abandon(name: string, opts?: { leftByKilledRun?: boolean }): boolean;
}
