/**
 * The office archive (src/ports/arsip.ts) in the home's folder, <home>/arsip/: each name is a file under it.
 * A write goes to a private temporary file beside its name (streamed while hashed), is fsynced, then hard-linked
 * into place — link() never replaces a file, so a name once written is never rewritten, whichever process
 * races for it — and the folder is fsynced, so the name survives a crash once the write has returned. A folder
 * made for a name is made 0700 and its parent fsynced. On a file system without hard links the name is taken
 * by an existence check and a rename (a race is then last-writer-wins, as for the audit checkpoints).
 */
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, createReadStream, existsSync, fsyncSync, linkSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { SandiError } from '../errors.js';
import type { ArsipStore, ArsipWriteOptions, ArsipWritten } from '../ports/arsip.js';
import { fsyncDir } from './archive.js';

const NAME_RE = /^(?!\/)(?!.*(?:^|\/)\.\.?(?:\/|$))[A-Za-z0-9._-]+(?:\/[A-Za-z0-9._-]+)*$/;

/** A name as the port defines it: relative, '/'-separated, no '.' or '..' part. Anything else is a bug in sandi. */
export function checkArsipName(name: string): string {
  if (!NAME_RE.test(name)) throw new Error(`not an archive name: ${JSON.stringify(name)}`);
  return name;
}

function writeAll(fd: number, data: Uint8Array): void {
  let off = 0;
  while (off < data.length) off += writeSync(fd, data, off, data.length - off);
}

function sha256File(path: string): string {
  const h = createHash('sha256');
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.allocUnsafe(1 << 20);
    for (;;) {
      const n = readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      h.update(buf.subarray(0, n));
    }
  } finally {
    closeSync(fd);
  }
  return h.digest('hex');
}


/** The archive under `root` (<home>/arsip). */
export function folderArsip(root: string): ArsipStore {
  const made = new Set<string>();
  /** names this store linked into place itself ('written'): the only ones a plain `abandon` removes */
  const wrote = new Set<string>();
  const pathOf = (name: string): string => join(root, ...checkArsipName(name).split('/'));

  const ensureDir = (d: string): void => {
    if (made.has(d)) return;
    const first = mkdirSync(d, { recursive: true, mode: 0o700 });
    if (first !== undefined) {
      // every folder made now is an entry of its parent: durable before anything in it counts
      for (let p = dirname(d); ; p = dirname(p)) {
        fsyncDir(p);
        if (p === dirname(first) || p === dirname(p)) break;
      }
    }
    made.add(d);
  };

  const ioError = (path: string, e: unknown): SandiError =>
    e instanceof SandiError ? e : new SandiError('IO', 'common.writeFailed', { path, reason: (e as Error).message }, { cause: e });

  /** The written, fsynced temporary file becomes `path`, never replacing what is there. */
  const place = (tmp: string, path: string, sha: string, size: number, opts: ArsipWriteOptions): ArsipWritten => {
    try {
      linkSync(tmp, path);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') return existing(path, sha, size, opts);
      if (code !== 'EPERM' && code !== 'ENOTSUP') throw e;
      // a file system without hard links
      if (existsSync(path)) return existing(path, sha, size, opts);
      renameSync(tmp, path);
    }
    fsyncDir(dirname(path));
    return { result: 'written', sha256: sha, size };
  };

  const existing = (path: string, sha: string, size: number, opts: ArsipWriteOptions): ArsipWritten => {
    const st = statSync(path);
    if (st.size === size && sha256File(path) === sha) return { result: 'same', sha256: sha, size };
    if (opts.keepExisting) return { result: 'kept', sha256: sha, size };
    throw new SandiError('INTEGRITY', 'kirim.archiveExists', { path });
  };

  const tempFor = (path: string): string => join(dirname(path), `.${path.slice(dirname(path).length + 1)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);

  const removeQuietly = (p: string): void => {
    try {
      unlinkSync(p);
    } catch {
      /* linked and removed, renamed, or never made */
    }
  };

  /** Mark a write's name as this store's own when it was linked into place by it. */
  const own = (name: string, w: ArsipWritten): ArsipWritten => {
    if (w.result === 'written') wrote.add(name);
    return w;
  };

  const store: ArsipStore = {
    where: root,
    writeSync(name, data, opts = {}) {
      const path = pathOf(name);
      const tmp = tempFor(path);
      try {
        ensureDir(dirname(path));
        const fd = openSync(tmp, 'wx', 0o600);
        try {
          writeAll(fd, data);
          fsyncSync(fd);
        } finally {
          closeSync(fd);
        }
        return own(name, place(tmp, path, createHash('sha256').update(data).digest('hex'), data.length, opts));
      } catch (e) {
        throw ioError(path, e);
      } finally {
        removeQuietly(tmp);
      }
    },
    async write(name, source, opts = {}) {
      if (source instanceof Uint8Array) return store.writeSync(name, source, opts);
      const path = pathOf(name);
      const tmp = tempFor(path);
      try {
        ensureDir(dirname(path));
        const fd = openSync(tmp, 'wx', 0o600);
        const h = createHash('sha256');
        let size = 0;
        try {
          for await (const chunk of source) {
            writeAll(fd, chunk);
            h.update(chunk);
            size += chunk.length;
          }
          fsyncSync(fd);
        } finally {
          closeSync(fd);
        }
        return own(name, place(tmp, path, h.digest('hex'), size, opts));
      } catch (e) {
        throw ioError(path, e);
      } finally {
        removeQuietly(tmp);
      }
    },
    exists: (name) => existsSync(pathOf(name)),
    readSync(name) {
      const path = pathOf(name);
      try {
        return readFileSync(path);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new SandiError('NOT_FOUND', 'common.fileNotFound', { path });
        throw ioError(path, e);
      }
    },
    open(name) {
      const path = pathOf(name);
      if (!existsSync(path)) throw new SandiError('NOT_FOUND', 'common.fileNotFound', { path });
      return createReadStream(path, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>;
    },
    stat(name) {
      const path = pathOf(name);
      if (!existsSync(path)) return null;
      return { sha256: sha256File(path), size: statSync(path).size };
    },
    list(prefix) {
      const out: string[] = [];
      const walk = (dir: string): void => {
        let entries;
        try {
          entries = readdirSync(dir, { withFileTypes: true });
        } catch {
          return;
        }
        for (const e of entries) {
          if (e.name.startsWith('.')) continue; // temporary files of a write in progress (or a killed one)
          const p = join(dir, e.name);
          if (e.isDirectory()) walk(p);
          else if (e.isFile()) out.push(relative(root, p).split(sep).join('/'));
        }
      };
      // walk only the folder the prefix names (not the whole archive for "audit/")
      const base = prefix.includes('/') ? prefix.slice(0, prefix.lastIndexOf('/')) : '';
      walk(base === '' ? root : pathOf(base));
      return out.filter((n) => n.startsWith(prefix)).sort();
    },
    abandon(name, opts = {}) {
      const path = pathOf(name);
      if (!opts.leftByKilledRun && !wrote.has(name)) return false;
      wrote.delete(name);
      try {
        unlinkSync(path);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
        throw ioError(path, e);
      }
      fsyncDir(dirname(path));
      return true;
    },
  };
  return store;
}
