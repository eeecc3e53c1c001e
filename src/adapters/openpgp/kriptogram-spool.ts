/**
 * Holding place for plaintext that is not yet authenticated. A SEIPDv1 message can only be trusted after
 * its MDC (at the very end) and its signatures are checked, and sandi never writes a classified plaintext
 * to disk in clear; so the plaintext goes into a temporary file sealed with AES-256-GCM under a one-time
 * key that exists only in this process's memory, in records of up to 1 MiB (each record's index and a
 * "last record" flag are authenticated, so a record cannot be reordered, dropped or truncated unnoticed).
 * After the checks pass the spool is replayed into the real output; it is deleted on every path.
 */
import { createCipheriv, createDecipheriv, randomBytes, type CipherGCM } from 'node:crypto';
import { mkdtemp, open, rm, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Writable } from 'node:stream';

const RECORD = 1024 * 1024;
const TAG_LEN = 16;

export class SpoolIntegrityError extends Error {
  constructor(detail: string) {
    super(`spool damaged: ${detail}`);
    this.name = 'SpoolIntegrityError';
  }
}

/** Bytes we let a Writable buffer before waiting for it: overlaps its I/O with our computing, still bounded. */
const WRITE_SLACK = 4 * 1024 * 1024;

/** Write to a Writable and wait when it holds more than WRITE_SLACK (backpressure); rejects when the stream fails. */
export async function writeAll(out: Writable, chunk: Uint8Array | Uint8Array[]): Promise<void> {
  if (Array.isArray(chunk)) {
    if (chunk.length === 0) return;
    // several pieces in one writev where the stream supports it, without concatenating them
    out.cork();
    for (const c of chunk) if (c.length > 0) out.write(c);
    out.uncork();
  } else {
    if (chunk.length === 0) return;
    out.write(chunk);
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
  private readonly key = randomBytes(32);
  private index = 0;
  private offset = 0;
  private finished = false;
  private lastWrite: Promise<void> = Promise.resolve();
  /** plaintext bytes written */
  bytes = 0;

  private constructor(
    readonly dir: string,
    readonly file: string,
    private fh: FileHandle | null,
  ) {}

  /** A fresh spool file (mode 0600) in its own directory under `parent` (default: the OS temp folder). */
  static async create(parent?: string): Promise<EncryptedSpool> {
    const dir = await mkdtemp(join(parent ?? tmpdir(), 'sandi-spool-'));
    const file = join(dir, 'spool.bin');
    try {
      const fh = await open(file, 'wx+', 0o600);
      return new EncryptedSpool(dir, file, fh);
    } catch (e) {
      await rm(dir, { recursive: true, force: true });
      throw e;
    }
  }

  private nonce(i: number): Buffer {
    const n = Buffer.alloc(12);
    n.writeBigUInt64BE(BigInt(i), 4);
    return n;
  }

  // the record being written: its cipher, ciphertext pieces and plaintext length so far
  private rec: { c: CipherGCM; parts: Buffer[]; len: number } | null = null;

  private open(): { c: CipherGCM; parts: Buffer[]; len: number } {
    // nonce = record index: a record moved to another place fails authentication
    this.rec ??= { c: createCipheriv('aes-256-gcm', this.key, this.nonce(this.index)), parts: [], len: 0 };
    return this.rec;
  }

  /** Finish the current record and write it (one write in flight while the next one is encrypted). */
  private async seal(): Promise<void> {
    if (this.fh === null) throw new Error('spool closed');
    const r = this.open();
    this.rec = null;
    this.index++;
    r.parts.push(r.c.final());
    const head = Buffer.alloc(4);
    head.writeUInt32BE(r.len, 0);
    const bufs = [head, ...r.parts, r.c.getAuthTag()];
    await this.lastWrite;
    this.lastWrite = this.fh.writev(bufs, this.offset).then(() => undefined);
    this.lastWrite.catch(() => undefined);
    this.offset += 4 + r.len + TAG_LEN;
  }

  async write(chunks: Buffer[]): Promise<void> {
    if (this.finished) throw new Error('spool already finished');
    for (const ch of chunks) {
      let off = 0;
      this.bytes += ch.length;
      while (off < ch.length) {
        const r = this.open();
        const n = Math.min(RECORD - 1 - r.len, ch.length - off);
        r.parts.push(r.c.update(ch.subarray(off, off + n)));
        r.len += n;
        off += n;
        if (r.len === RECORD - 1) {
          // last plaintext byte of every record: 0 = more follow, 1 = this is the last record
          r.parts.push(r.c.update(Buffer.from([0])));
          r.len += 1;
          await this.seal();
        }
      }
    }
  }

  /** Seal what is left as the last record. */
  async finish(): Promise<void> {
    if (this.finished) return;
    const r = this.open();
    r.parts.push(r.c.update(Buffer.from([1])));
    r.len += 1;
    await this.seal();
    await this.lastWrite;
    this.finished = true;
  }

  private async readRecord(pos: number): Promise<{ len: number; rec: Buffer; next: number }> {
    if (this.fh === null) throw new Error('spool closed');
    const head = Buffer.alloc(4);
    const h = await this.fh.read(head, 0, 4, pos);
    if (h.bytesRead !== 4) throw new SpoolIntegrityError('record header missing');
    const len = head.readUInt32BE(0);
    if (len > RECORD) throw new SpoolIntegrityError('record too long');
    const rec = Buffer.allocUnsafe(len + TAG_LEN);
    const r = await this.fh.read(rec, 0, rec.length, pos + 4);
    if (r.bytesRead !== rec.length) throw new SpoolIntegrityError('record cut short');
    return { len, rec, next: pos + 4 + rec.length };
  }

  /** Decrypt every record in order into `out` (with backpressure); returns the bytes written. */
  async replay(out: Writable): Promise<number> {
    if (this.fh === null || !this.finished) throw new Error('spool not finished');
    let written = 0;
    let pending = this.readRecord(0);
    for (let i = 0; ; i++) {
      const { len, rec, next } = await pending;
      const last = next === this.offset;
      // read the next record while this one is decrypted and written
      if (!last) {
        pending = this.readRecord(next);
        pending.catch(() => undefined);
      }
      const d = createDecipheriv('aes-256-gcm', this.key, this.nonce(i));
      d.setAuthTag(rec.subarray(len));
      let plain: Buffer;
      try {
        plain = d.update(rec.subarray(0, len));
        d.final();
      } catch (e) {
        throw new SpoolIntegrityError(`record ${i} failed authentication (${(e as Error).message})`);
      }
      // the record's last plaintext byte says whether it is the last record (authenticated by GCM, and
      // the nonce binds the index), so reordering, dropping or cutting off records is detected
      if (len === 0 || plain[len - 1] !== (last ? 1 : 0)) throw new SpoolIntegrityError(`record ${i} out of place`);
      const body = plain.subarray(0, len - 1);
      await writeAll(out, body);
      written += body.length;
      if (last) break;
    }
    return written;
  }

  /** Close and delete the spool; safe to call more than once and on every path. */
  async destroy(): Promise<void> {
    this.key.fill(0);
    this.rec = null;
    const fh = this.fh;
    this.fh = null;
    try {
      await fh?.close();
    } finally {
      await rm(this.dir, { recursive: true, force: true });
    }
  }
}
