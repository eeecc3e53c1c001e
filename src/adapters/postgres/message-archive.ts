/**
 * The archive of raw mail (../../ports/terima.ts MessageArchive) and of complaint attachments
 * (../../ports/aduan.ts AttachmentArchive) when the office database is PostgreSQL: the office's copy is in
 * the database (./arsip.ts), under the same names as in a home's folder — `surat-masuk/<aa>/<sha256>.eml`,
 * `aduan/<aa>/<sha256>.eml` — and becomes part of the archive in the same transaction as the register row
 * that names it (the next unit of work: `visible: 'unit'`). Every workstation reads it from there (print,
 * forward, `terima arsip-periksa`).
 *
 * The workstation that fetches keeps its own copy in its home's folder too (../archive.ts): a large message
 * is streamed to that file and parsed from it (ArchivedMessage.path) while the database copy is written from
 * it; nothing else reads that file (except mail archived in this home before the office moved onto PostgreSQL,
 * which `db salin` leaves in the folder: open() reads it there). Leftovers are both: temporary files of a killed fetch in <dir>/tmp, and
 * staged uploads of a killed writer in the database.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { basename } from 'node:path';
import { Readable } from 'node:stream';
import { SandiError } from '../../errors.js';
import type { AttachmentArchive } from '../../ports/aduan.js';
import type { ArchiveCheck, MessageArchive, TempFile } from '../../ports/terima.js';
import { messageArchive } from '../archive.js';
import type { PgArsip } from './arsip.js';

const SHA_RE = /^[0-9a-f]{64}$/;

const nameOf = (prefix: string, sha256: string): string => {
  if (!SHA_RE.test(sha256)) throw new SandiError('DATA', 'store.badSha256', { value: sha256 });
  return `${prefix}/${sha256.slice(0, 2)}/${sha256}.eml`;
};

/** Re-hash one content of the database archive, chunk by chunk. */
async function verifyName(arsip: PgArsip, name: string, sha256: string): Promise<ArchiveCheck> {
  const path = `${arsip.where}: ${name}`;
  if (!arsip.exists(name)) return { sha256, path, ok: false, found: 'missing' };
  const h = createHash('sha256');
  try {
    for await (const c of arsip.open(name)) h.update(c);
  } catch (e) {
    if (e instanceof SandiError && e.code === 'INTEGRITY') return { sha256, path, ok: false, found: 'missing' };
    throw e;
  }
  const actual = h.digest('hex');
  return actual === sha256 ? { sha256, path, ok: true } : { sha256, path, ok: false, found: actual };
}

/**
 * The raw-mail archive of `dir` (<home>/arsip/surat-masuk: the names' prefix is its last segment) on the
 * office database; `arsip` is called on first use (it opens the office store).
 */
export function pgMessageArchive(dir: string, arsip: () => PgArsip): MessageArchive {
  const prefix = basename(dir);
  const local = messageArchive(dir);
  return {
    dir,
    pathOf: (sha) => local.pathOf(sha),
    async put(source, options = {}) {
      const here = await local.put(source, options);
      const name = nameOf(prefix, here.sha256);
      const w = await arsip().write(name, source instanceof Uint8Array ? source : createReadStream(here.path));
      if (w.sha256 !== here.sha256) throw new SandiError('INTEGRITY', 'store.pgArsipNameTaken', { name, sha256: w.sha256 });
      return { ...here, stored: w.result === 'written' };
    },
    flush: () => local.flush(),
    has: (sha) => arsip().exists(nameOf(prefix, sha)),
    open(sha) {
      const a = arsip();
      const name = nameOf(prefix, sha);
      // mail this home archived before its office moved onto PostgreSQL (`db salin` leaves the files in the
      // home): read here from this home's copy; `terima arsip-periksa` still reports it missing from the office
      if (!a.exists(name) && local.has(sha)) return local.open(sha);
      return Readable.from(a.open(name), { objectMode: false });
    },
    verify: (sha) => verifyName(arsip(), nameOf(prefix, sha), sha),
    async *verifyAll() {
      const a = arsip();
      for (const name of a.list(`${prefix}/`)) {
        const sha = /\/([0-9a-f]{64})\.eml$/.exec(name)?.[1];
        if (sha !== undefined) yield await verifyName(a, name, sha);
      }
    },
    tempFiles() {
      const staged: TempFile[] = arsip()
        .leftovers()
        .map((l) => ({ path: `${arsip().where}: unggah ${l.upload} (${l.dbUser})`, pid: null, alive: false, size: l.bytes, mtime: new Date(l.createdAt) }));
      return [...local.tempFiles(), ...staged];
    },
    removeStaleTemp() {
      const removed = local.removeStaleTemp();
      const a = arsip();
      for (const l of a.leftovers()) {
        try {
          a.removeLeftover(l.upload);
          removed.push(`${a.where}: unggah ${l.upload}`);
        } catch (e) {
          // a writer that came back under a reused pid, or a content committed meanwhile: not a leftover
          if (!(e instanceof SandiError && e.code === 'CONFLICT')) throw e;
        }
      }
      return removed;
    },
  };
}

/** Complaint attachments (`aduan/<aa>/<sha256>.eml`) streamed into the office database. */
export function pgAttachmentArchive(arsip: () => PgArsip, prefix = 'aduan'): AttachmentArchive {
  return {
    async put(source) {
      const a = arsip();
      const staged = await a.stage(source as AsyncIterable<Uint8Array>);
      const w = a.nameStaged(nameOf(prefix, staged.sha256), staged);
      return { sha256: w.sha256, size: w.size };
    },
  };
}
