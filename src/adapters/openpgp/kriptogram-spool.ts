/**
 * Holding place for plaintext that is not yet authenticated. A SEIPDv1 message can only be trusted after
 * its MDC (at the very end) and its signatures are checked, and sandi never writes a classified plaintext
 * to disk in clear; so the plaintext goes into a temporary file sealed with AES-256-GCM under a one-time
 * key that exists only in this process's memory, in records of up to 1 MiB (each record's index and a
 * "last record" flag are authenticated, so a record cannot be reordered, dropped or truncated unnoticed).
 * After the checks pass the spool is replayed into the real output; it is deleted on every path.
 * The records are sealed, written, read back and opened on a worker thread (kriptogram-hasher.ts), which
 * alone holds the key.
 */
import { WriteStream } from 'node:fs';
import { mkdtemp, open, rm, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Writable } from 'node:stream';
import type { DecodeSink } from '../../formats/protected-headers.js';
import { OffThreadHasher, SpoolWorkerError, type SpoolRecord } from './kriptogram-hasher.js';
import { releaseNow } from '../buffers.js';

export { releaseNow };


export class SpoolIntegrityError extends Error {
  constructor(detail: string) {
    super(`spool damaged: ${detail}`);
    this.name = 'SpoolIntegrityError';
  }
}

/**
 * Spool records requested from the worker ahead of the one being written out. 2, not 4: since a record comes
 * in 64 KiB pieces (malloc'd, not mapped) 4 kept ~3 MB more peak RSS, at the same speed.
 */
const READ_AHEAD = 2;

/** Bytes we let a Writable buffer before waiting for it: overlaps its I/O with our computing, still bounded. */
const WRITE_SLACK = 4 * 1024 * 1024;

/**
 * Write to a Writable and wait when it holds more than WRITE_SLACK (backpressure); rejects when the stream
 * fails. `written` (single chunk only) runs once the stream has written the chunk without error.
 */
export async function writeAll(out: Writable, chunk: Uint8Array | Uint8Array[], written?: () => void): Promise<void> {
  if (Array.isArray(chunk)) {
    if (chunk.length === 0) return;
    // several pieces in one writev where the stream supports it, without concatenating them
    out.cork();
    const lastIndex = chunk.findLastIndex((c) => c.length > 0);
    for (const [i, c] of chunk.entries()) {
      if (c.length === 0) continue;
      // writes complete in order: the last one's callback says every piece is written
      if (i === lastIndex && written !== undefined) out.write(c, (err) => (err === undefined || err === null ? written() : undefined));
      else out.write(c);
    }
    out.uncork();
  } else {
    if (chunk.length === 0) return;
    if (written === undefined) out.write(chunk);
    else out.write(chunk, (err) => (err === undefined || err === null ? written() : undefined));
  }
  if (out.writableLength <= WRITE_SLACK && !out.destroyed) return;
  if (out.destroyed) throw new Error('output closed before all data was written');
  await new Promise<void>((resolve, reject) => {
    const done = (err?: Error): void => {
      out.off('drain', onDrain);
      out.off('error', onError);
      out.off('close', onClose);
      if (err === undefined) resolve();
      else reject(err);
    };
    const onDrain = (): void => done();
    const onError = (e: Error): void => done(e);
    const onClose = (): void => done(new Error('output closed before all data was written'));
    out.once('drain', onDrain);
    out.once('error', onError);
    out.once('close', onClose);
  });
}

/** End a Writable and wait until everything is flushed. */
export async function endAndFlush(out: Writable): Promise<void> {
  if (out.writableFinished) return;
  await new Promise<void>((resolve, reject) => {
    out.once('error', reject);
    out.end(() => {
      out.off('error', reject);
      resolve();
    });
  });
}

export class EncryptedSpool {
  private finished = false;
  /** sealed records, known once finished */
  private records = 0;
  /** plaintext bytes written */
  bytes = 0;

  private constructor(
    readonly dir: string,
    readonly file: string,
    private fh: FileHandle | null,
    private readonly worker: OffThreadHasher,
    private readonly ownsWorker: boolean,
  ) {}

  /**
   * A fresh spool file (mode 0600) in its own directory under `parent` (default: the OS temp folder).
   * Sealing and unsealing run on `worker` (the kriptogram's hash worker, so the second core does them
   * beside the decryption), or on a worker of its own.
   */
  static async create(parent?: string, worker?: OffThreadHasher): Promise<EncryptedSpool> {
    const dir = await mkdtemp(join(parent ?? tmpdir(), 'sandi-spool-'));
    const file = join(dir, 'spool.bin');
    let fh: FileHandle | null = null;
    const w = worker ?? new OffThreadHasher();
    try {
      fh = await open(file, 'wx+', 0o600);
      w.spoolOpen(fh.fd);
      return new EncryptedSpool(dir, file, fh, w, worker === undefined);
    } catch (e) {
      await fh?.close().catch(() => undefined);
      if (worker === undefined) await w.close();
      await rm(dir, { recursive: true, force: true });
      throw e;
    }
  }

  async write(chunks: Buffer[]): Promise<void> {
    if (this.finished) throw new Error('spool already finished');
    if (this.fh === null) throw new Error('spool closed');
    for (const ch of chunks) {
      this.bytes += ch.length;
      await this.worker.spoolWrite(ch);
    }
  }

  /**
   * The spool as a DecodeSink: plaintext written in place into the worker's next batch (no copy). After
   * each producer step call settle(), which hands over full batches and applies backpressure.
   */
  readonly sink: DecodeSink = {
    reserve: (n) => {
      if (this.finished) throw new Error('spool already finished');
      if (this.fh === null) throw new Error('spool closed');
      return this.worker.spoolReserve(n);
    },
    commit: (n) => {
      this.worker.spoolCommit(n);
      this.bytes += n;
    },
  };

  settle(): Promise<void> {
    return this.worker.spoolSettle();
  }

  /** Seal what is left as the last record. */
  async finish(): Promise<void> {
    if (this.finished) return;
    if (this.fh === null) throw new Error('spool closed');
    this.records = await this.worker.spoolFinish();
    this.finished = true;
    // nothing more is sent to the worker in batches: its idle batch buffers are freed now (see replay)
    for (const b of this.worker.takeIdleBuffers()) releaseNow(b);
  }

  /**
   * Decrypt every record in order into `out` (with backpressure); returns the bytes written. The whole
   * spool is read and checked first (issue 17 §3), each record against the GMAC the worker keeps in
   * memory of the bytes it sealed: a damaged record refuses it before the first output byte, not after
   * the records before it were written. (Each record is opened and authenticated by its own GCM tag as it
   * is written: only a change made to the 0600 file in between could still stop the output midway.)
   */
  async replay(out: Writable): Promise<number> {
    if (this.fh === null || !this.finished) throw new Error('spool not finished');
    await this.worker.spoolVerify().catch((e: unknown) => {
      throw e instanceof SpoolWorkerError ? new SpoolIntegrityError(e.message) : e;
    });
    let written = 0;
    // exactly node:fs's WriteStream, not a subclass that might keep what it is given
    const fileOut = out instanceof WriteStream && Object.getPrototypeOf(out) === WriteStream.prototype;
    const read = (i: number): Promise<SpoolRecord> =>
      this.worker.spoolRead(i).catch((e: unknown) => {
        throw e instanceof SpoolWorkerError ? new SpoolIntegrityError(e.message) : e;
      });
    // the worker reads and checks the next records while this one is written
    const queue: Promise<SpoolRecord>[] = [];
    let requested = 0;
    const more = (): void => {
      while (requested < this.records && queue.length < READ_AHEAD) {
        const p = read(requested++);
        p.catch(() => undefined);
        queue.push(p);
      }
    };
    more();
    for (let i = 0; i < this.records; i++) {
      const { plain, last } = await queue.shift()!;
      if (last !== (i === this.records - 1)) throw new SpoolIntegrityError(`record ${i} out of place`);
      more();
      // a file stream keeps no reference to a chunk once it is written: its memory is freed then, not at
      // the next collection (replaying 256 MiB peaked at ~200 MB RSS, ~75 MB of it dead records). Any
      // other Writable may keep the chunk (a test's collector, a pipe's consumer): left to the collector.
      // (each piece's ArrayBuffer is its own: the worker transferred it whole; `plain` omits the flag byte)
      const free = (): void => plain.forEach((p) => releaseNow(new Uint8Array(p.buffer)));
      await writeAll(out, plain, fileOut ? free : undefined);
      for (const p of plain) written += p.length;
    }
    return written;
  }

  private destroying: Promise<void> | null = null;

  /**
   * Forget the key, close and delete the spool; safe to call more than once, also while an earlier call is
   * still running (every call waits for the same work), and on every path.
   */
  destroy(): Promise<void> {
    this.destroying ??= this.destroyOnce();
    return this.destroying;
  }

  private async destroyOnce(): Promise<void> {
    const fh = this.fh;
    this.fh = null;
    try {
      if (fh !== null) {
        if (this.ownsWorker) await this.worker.close();
        else await this.worker.spoolClose().catch(() => undefined);
      }
      await fh?.close();
    } finally {
      await rm(this.dir, { recursive: true, force: true });
    }
  }
}
