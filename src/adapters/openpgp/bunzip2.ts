/**
 * BZip2 decompression (OpenPGP compression algorithm 3, `gpg --compress-algo bzip2`), streaming and bounded.
 *
 * The decoding is @openpgp/unbzip2-stream's core (the OpenPGP.js maintainers' fork, the one openpgp.js
 * itself bundles; pure JS, MIT, no dependencies). Its own stream driver is not used: it keeps each block's
 * output as a JavaScript array of numbers (200 MB of zeros took 1.8 GB of memory and 20 s). This driver
 * instead:
 * - reads the compressed input as it arrives, holding at most one block's worth ahead (BZIP2_LOOKAHEAD),
 *   so no cap on the compressed size is needed;
 * - writes output into 1 MiB byte chunks and counts them against the bound as they fill, so decoding stops
 *   within 1 MiB past the bound and nothing past it is ever released; one block's output (at most about
 *   46 MB: 900 000 bytes after bzip2's run-length stage) is the most held at once;
 * - releases a block's output only after its CRC is checked, and checks the stream CRC at the end;
 * - reports every damage (bad magic, bad block, CRC, data ending early, data after the stream) as one
 *   kind of error, `PacketFormatError('malformed', …)`.
 */
import bitIterator, { type BitReader } from '@openpgp/unbzip2-stream/lib/bit_iterator.js';
import bzip2 from '@openpgp/unbzip2-stream/lib/bzip2.js';
import { PacketFormatError } from './packets.js';

/**
 * Compressed bytes held ahead of the decoder before a block is decoded (a block is decoded in one
 * synchronous call, so all of it must be at hand). A 900 kB block with the longest Huffman codes bzip2
 * allows (20 bits a symbol) is at most about 2.3 MB compressed.
 */
const BZIP2_LOOKAHEAD = 4 * 1024 * 1024;
/** output chunk size, and the step at which the bound is checked */
const OUT_CHUNK = 1024 * 1024;

/** raised by the bit reader when the compressed data ends inside a block */
class EndOfInput extends Error {}

function malformed(detail: string): PacketFormatError {
  return new PacketFormatError('malformed', `BZip2 data: ${detail}`);
}

/**
 * Decompress one BZip2 stream. `limit` bounds the output: past it, `tooLarge()` is thrown (and no byte past
 * the bound is yielded). Trailing data after the stream, and a second concatenated stream, are refused
 * (GnuPG reads one stream per compressed packet).
 */
export async function* bunzip2(source: AsyncIterable<Uint8Array>, limit: number, tooLarge: () => Error): AsyncGenerator<Buffer> {
  const input = source[Symbol.asyncIterator]();
  const queue: Uint8Array[] = [];
  let received = 0;
  let ended = false;
  let bits: BitReader | null = null;
  const ahead = (): number => received - (bits?.bytesRead ?? 0);
  const fill = async (): Promise<void> => {
    while (!ended && ahead() < BZIP2_LOOKAHEAD) {
      const r = await input.next();
      if (r.done === true) ended = true;
      else if (r.value.length > 0) {
        queue.push(r.value);
        received += r.value.length;
      }
    }
  };

  let total = 0;
  let overLimit: Error | null = null;
  let chunk = Buffer.allocUnsafe(OUT_CHUNK);
  let used = 0;
  let ready: Buffer[] = [];
  const keep = (c: Buffer): void => {
    total += c.length;
    if (total > limit) throw (overLimit = tooLarge());
    ready.push(c);
  };
  const put = (b: number): void => {
    if (used === OUT_CHUNK) {
      keep(chunk);
      chunk = Buffer.allocUnsafe(OUT_CHUNK);
      used = 0;
    }
    chunk[used++] = b;
  };
  // any error of the library (its own Bzip2Error, or a TypeError on data it does not expect) is damage
  const guarded = <T>(f: () => T): T => {
    try {
      return f();
    } catch (e) {
      if (e === overLimit) throw e;
      if (e instanceof EndOfInput) throw malformed('ends inside a block');
      throw malformed(e instanceof Error ? e.message : String(e));
    }
  };

  try {
    await fill();
    if (queue.length === 0) throw malformed('empty');
    bits = bitIterator(() => {
      const next = queue.shift();
      if (next === undefined) throw new EndOfInput();
      return next;
    });
    const reader = bits;
    const blockSize = guarded(() => bzip2.header(reader));
    const bufsize = 100_000 * blockSize;
    const buf = new Int32Array(bufsize);
    let crc = 0;
    for (;;) {
      await fill();
      const next = guarded(() => bzip2.decompress(reader, put, buf, bufsize, crc));
      for (const c of ready) yield c;
      ready = [];
      if (next === null) break;
      crc = next;
    }
    if (used > 0) {
      keep(chunk.subarray(0, used));
      yield* ready;
    }
    // the stream ended (and was aligned to a byte): anything left is not part of it
    await fill();
    if (ahead() > 0) throw malformed('data after the end of the stream');
  } finally {
    await input.return?.();
  }
}
