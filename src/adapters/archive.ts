/**
 * The soft-copy archive of raw messages (arsip soft copy, mandatory in SOP 002): content-addressed, byte for
 * byte. A message is streamed into a temporary file while it is hashed, fsynced, then renamed to
 * <dir>/<aa>/<sha256>.eml (aa = the first two hex digits) and the folder fsynced, so after `put` returns the
 * message is on disk under the name of its own SHA-256 and survives a crash. Writing the same bytes twice
 * stores them once. `verify` re-reads a file and checks its name against its content.
 *
 * For a batch, `put(source, { deferDirSync: true })` leaves the folder fsync to `flush()`: the file itself is
 * fsynced before its rename as always, and each folder touched since the last flush is fsynced once, so a
 * batch of messages registered in one transaction costs one folder fsync per folder, not per message; a
 * folder a deferred put makes (a new <aa>) has its parent's fsync left to `flush()` too. The caller commits
 * nothing that names a deferred message before `flush()` has returned.
 */
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, constants, createReadStream, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { open, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { SandiError } from '../errors.js';
import { processAlive } from './pid-lock.js';
import type { ArchivedMessage, MessageArchive, TempFile } from '../ports/terima.js';
export type { ArchivedMessage, ArchiveCheck, MessageArchive, TempFile } from '../ports/terima.js';

const SHA_RE = /^[0-9a-f]{64}$/;

/** Errors by which a file system says it does not fsync folders (the rename is still atomic there). */
const NO_DIR_FSYNC = new Set(['EINVAL', 'ENOTSUP', 'EOPNOTSUPP', 'EISDIR']);

/**
 * Make a folder's entries (a rename into it) durable. A file system that cannot fsync a folder is tolerated;
 * any other failure (EIO, EMFILE, ...) is an I/O error: the caller must not register a message whose archive
 * name may not survive a crash.
 */
export function fsyncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, constants.O_RDONLY);
    fsyncSync(fd);
  } catch (e) {
    if (!NO_DIR_FSYNC.has((e as NodeJS.ErrnoException).code ?? '')) throw ioError(dir, e);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

async function fsyncDirAsync(dir: string): Promise<void> {
  let fh;
  try {
    fh = await open(dir, constants.O_RDONLY);
    await fh.sync();
  } catch (e) {
    if (!NO_DIR_FSYNC.has((e as NodeJS.ErrnoException).code ?? '')) throw ioError(dir, e);
  } finally {
    await fh?.close();
  }
}

function ioError(path: string, e: unknown): SandiError {
  if (e instanceof SandiError) return e;
  return new SandiError('IO', 'common.writeFailed', { path, reason: (e as Error).message }, { cause: e });
}

/** The archive of raw messages under `dir` (e.g. <home>/arsip/surat-masuk). */
export function messageArchive(dir: string): MessageArchive {
  const tmpDir = join(dir, 'tmp');
  /** temporary files this process has created and not yet renamed or removed */
  const ownTemp = new Set<string>();
  /** folders known to exist (mkdir once per process, not per message) */
  const made = new Set<string>();
  /** folders with a rename (or an existing copy) not yet fsynced: see flush() */
  const pending = new Set<string>();
  /**
   * parents of folders a deferred put made, not yet fsynced: flush() syncs them with the rest (the first
   * run into a fresh archive makes up to 256 <aa> folders; a synchronous fsync of the parent for each
   * stalled the fetch on the main thread), and so does the next put that is not deferred
   */
  const parentsPending = new Set<string>();
  let flushing: Promise<void> = Promise.resolve();
  const ensureDir = (d: string, defer = false): void => {
    if (made.has(d)) return;
    // a folder made now is an entry of its parent: that entry must be durable too, before anything in it counts
    const first = mkdirSync(d, { recursive: true, mode: 0o700 });
    if (first !== undefined) {
      for (let p = dirname(d); ; p = dirname(p)) {
        if (defer) parentsPending.add(p);
        else fsyncDir(p);
        if (p === dirname(first) || p === dirname(p)) break;
      }
    }
    made.add(d);
  };
  /** the parents a deferred put left unsynced, synced now (a put that is not deferred returns durable) */
  const syncParentsNow = (): void => {
    for (const p of [...parentsPending]) {
      fsyncDir(p);
      parentsPending.delete(p);
    }
  };
  const pathOf = (sha: string): string => {
    if (!SHA_RE.test(sha)) throw new SandiError('DATA', 'store.badSha256', { value: sha });
    return join(dir, sha.slice(0, 2), `${sha}.eml`);
  };

  async function hashFile(path: string): Promise<string> {
    const h = createHash('sha256');
    for await (const c of createReadStream(path)) h.update(c as Buffer);
    return h.digest('hex');
  }

  return {
    dir,
    pathOf,
    has: (sha) => existsSync(pathOf(sha)),
    flush() {
      const dirs = [...new Set([...pending, ...parentsPending])];
      pending.clear();
      parentsPending.clear();
      // also wait for a flush still running (a folder it took is not durable before it ends)
      flushing = Promise.all([flushing, ...dirs.map(fsyncDirAsync)]).then(() => undefined);
      return flushing;
    },
    async put(source, options = {}) {
      // a hash from elsewhere is handled from the start: a rejection while this put waits is never unhandled
      const givenHash = options.sha256?.catch(() => null);
      const defer = options.deferDirSync === true;
      const syncDir = (d: string): void => {
        if (defer) pending.add(d);
        else {
          fsyncDir(d);
          syncParentsNow();
        }
      };
      /** the written, fsynced temporary file becomes `path` (its folder made and synced as needed) */
      const moveIntoPlace = (tmp: string, path: string, sub: string): void => {
        try {
          ensureDir(sub, defer);
          renameSync(tmp, path);
          syncDir(sub);
        } catch (e) {
          rmSync(tmp, { force: true });
          throw ioError(path, e);
        }
      };
      try {
        ensureDir(tmpDir, defer);
      } catch (e) {
        if (!(source instanceof Uint8Array)) (source as { destroy?: () => void }).destroy?.();
        throw ioError(tmpDir, e);
      }
      /** write `source` through the temporary file `tmp` into place */
      const putVia = async (tmp: string): Promise<ArchivedMessage> => {
        if (source instanceof Uint8Array) {
          // held whole already: hash first (bytes already archived are not written again), then one
          // write-and-fsync call instead of a round trip to the thread pool per step. During a fetch the
          // parse thread hashes its copy of these bytes (options.sha256), off the thread that reads IMAP
          // and commits the registers; anything but a hash from there is ignored and the hash made here.
          const given = givenHash === undefined ? null : await givenHash;
          const sha256 = given !== null && SHA_RE.test(given) ? given : createHash('sha256').update(source).digest('hex');
          const path = pathOf(sha256);
          const sub = join(dir, sha256.slice(0, 2));
          if (existsSync(path)) {
            syncDir(sub);
            return { sha256, size: source.length, path, stored: false };
          }
          try {
            await writeFile(tmp, source, { flag: 'wx', mode: 0o600, flush: true });
          } catch (e) {
            rmSync(tmp, { force: true });
            throw ioError(path, e);
          }
          moveIntoPlace(tmp, path, sub);
          return { sha256, size: source.length, path, stored: true };
        }
        const hash = createHash('sha256');
        let size = 0;
        let fh;
        try {
          fh = await open(tmp, 'wx', 0o600);
        } catch (e) {
          // a download stream left unread would hold the mailbox lock until the connection closes
          if (!(source instanceof Uint8Array)) (source as { destroy?: () => void }).destroy?.();
          throw ioError(tmp, e);
        }
        try {
          for await (const c of source as AsyncIterable<Uint8Array | string>) {
            const buf = typeof c === 'string' ? Buffer.from(c) : Buffer.from(c.buffer, c.byteOffset, c.byteLength);
            size += buf.length;
            hash.update(buf);
            let off = 0;
            while (off < buf.length) off += (await fh.write(buf, off, buf.length - off)).bytesWritten;
          }
          await fh.sync();
        } catch (e) {
          await fh.close().catch(() => undefined);
          rmSync(tmp, { force: true });
          throw e instanceof SandiError ? e : ioError(tmp, e);
        }
        await fh.close();
        const sha256 = hash.digest('hex');
        const path = pathOf(sha256);
        const sub = join(dir, sha256.slice(0, 2));
        if (existsSync(path)) {
          rmSync(tmp, { force: true });
          // a copy left by a run killed between its rename and its folder fsync: make its name durable too
          syncDir(sub);
          return { sha256, size, path, stored: false };
        }
        moveIntoPlace(tmp, path, sub);
        return { sha256, size, path, stored: true };
      };
      const tmp = join(tmpDir, `${process.pid}.${randomBytes(8).toString('hex')}.tmp`);
      ownTemp.add(tmp);
      try {
        return await putVia(tmp);
      } finally {
        ownTemp.delete(tmp);
      }
    },
    tempFiles() {
      let names: string[];
      try {
        names = readdirSync(tmpDir);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'ENOENT' || code === 'ENOTDIR') return [];
        throw ioError(tmpDir, e);
      }
      const out: TempFile[] = [];
      for (const name of names.sort()) {
        const path = join(tmpDir, name);
        let st;
        try {
          st = statSync(path);
        } catch {
          continue; // renamed into place meanwhile
        }
        const m = /^(\d+)\./.exec(name);
        const pid = m ? Number.parseInt(m[1] as string, 10) : null;
        const alive = ownTemp.has(path) || (pid !== null && pid !== process.pid && processAlive(pid));
        out.push({ path, pid, alive, size: st.size, mtime: st.mtime });
      }
      return out;
    },
    removeStaleTemp() {
      const removed: string[] = [];
      for (const f of this.tempFiles()) {
        if (f.alive) continue;
        try {
          rmSync(f.path, { force: true, recursive: false });
          removed.push(f.path);
        } catch (e) {
          throw ioError(f.path, e);
        }
      }
      if (removed.length > 0) fsyncDir(tmpDir);
      return removed;
    },
    open(sha) {
      const path = pathOf(sha);
      if (!existsSync(path)) throw new SandiError('NOT_FOUND', 'common.fileNotFound', { path });
      return createReadStream(path);
    },
    async verify(sha) {
      const path = pathOf(sha);
      if (!existsSync(path)) return { sha256: sha, path, ok: false, found: 'missing' };
      const actual = await hashFile(path);
      return actual === sha ? { sha256: sha, path, ok: true } : { sha256: sha, path, ok: false, found: actual };
    },
    async *verifyAll() {
      if (!existsSync(dir)) return;
      for (const sub of readdirSync(dir).sort()) {
        if (!/^[0-9a-f]{2}$/.test(sub) || !statSync(join(dir, sub)).isDirectory()) continue;
        for (const name of readdirSync(join(dir, sub)).sort()) {
          const sha = name.replace(/\.eml$/, '');
          if (!SHA_RE.test(sha)) continue;
          yield await this.verify(sha);
        }
      }
    },
  };
}
