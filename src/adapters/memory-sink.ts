/**
 * Writable ends for streamed work whose result is small and wanted in memory (a kriptogram draft, a decrypted
 * check copy) or only counted (a verification run that must release nothing).
 */
import { Writable } from 'node:stream';

/** Collects what is written; `bytes()` joins it. */
export class MemorySink extends Writable {
  private chunks: Buffer[] = [];
  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (e?: Error | null) => void): void {
    this.chunks.push(Buffer.from(chunk));
    cb();
  }
  bytes(): Buffer {
    return Buffer.concat(this.chunks);
  }
}

/** Counts what is written and keeps none of it. */
export class CountingSink extends Writable {
  bytes = 0;
  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (e?: Error | null) => void): void {
    this.bytes += chunk.length;
    cb();
  }
}
