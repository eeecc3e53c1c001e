/**
 * A kriptogram too large to hold in memory (kirim's draft and final kriptogram of a 256 MiB document are
 * 350–470 MB): written once into a private temporary file while it is hashed, read back in chunks into the
 * office archive (whose names need that hash), then removed. It holds ciphertext only — the encrypt
 * streams into it — so a file a killed run leaves behind reveals nothing; the next spool removes it.
 *
 * The folder is <home>/.kirim-spool (0700), not the OS temp folder: /tmp is often a tmpfs, whose files are
 * memory too. Files are named <pid>-<random>.tmp, so a leftover of a dead process is told from a live one's.
 */
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, createReadStream, mkdirSync, openSync, readdirSync, unlinkSync, write } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { KriptogramSpool } from '../../ports/kirim.js';
import { processAlive } from '../pid-lock.js';

/** Marks a Writable that keeps no reference to a chunk once its write has called back (see OutputSink). */
export const KEEPS_NO_CHUNKS = Symbol.for('sandi.keepsNoChunks');

/** Remove the spool files of processes that are gone (a run killed mid-encrypt). */
function sweep(dir: string): void {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const n of names) {
    const pid = Number(/^(\d+)-[0-9a-f]+\.tmp$/.exec(n)?.[1] ?? NaN);
    if (!Number.isInteger(pid) || pid === process.pid || processAlive(pid)) continue;
    try {
      unlinkSync(join(dir, n));
    } catch {
      /* another run swept it */
    }
  }
}

/** Writes every chunk to `fd` (all of it: a short write is continued), hashing it on the way. */
class HashingFileSink extends Writable {
  readonly [KEEPS_NO_CHUNKS] = true;
  private readonly hash = createHash('sha256');
  size = 0;
  digest: string | null = null;

  constructor(private readonly fd: number) {
    super({ highWaterMark: 1 << 20 });
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (e?: Error | null) => void): void {
    this.hash.update(chunk);
    this.size += chunk.length;
    const more = (off: number): void => {
      if (off >= chunk.length) {
        cb();
        return;
      }
      write(this.fd, chunk, off, chunk.length - off, null, (err, n) => (err ? cb(err) : more(off + n)));
    };
    more(0);
  }

  override _final(cb: (e?: Error | null) => void): void {
    this.digest = this.hash.digest('hex');
    cb();
  }
}

/** A fresh spool under `dir` (made 0700 when missing); leftovers of dead processes are removed first. */
export function kriptogramSpool(dir: string): KriptogramSpool {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  sweep(dir);
  const path = join(dir, `${process.pid}-${randomBytes(8).toString('hex')}.tmp`);
  const fd = openSync(path, 'wx', 0o600);
  let closed = false;
  const close = (): void => {
    if (closed) return;
    closed = true;
    closeSync(fd);
  };
  const sink = new HashingFileSink(fd);
  return {
    output: sink,
    written() {
      if (sink.digest === null) throw new Error('spool not finished');
      return { sha256: sink.digest, size: sink.size };
    },
    read() {
      if (sink.digest === null) throw new Error('spool not finished');
      return createReadStream(path, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>;
    },
    remove() {
      if (!sink.destroyed && sink.digest === null) sink.destroy();
      close();
      try {
        unlinkSync(path);
      } catch {
        /* already removed */
      }
    },
  };
}
