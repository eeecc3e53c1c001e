/**
 * The decoder core of @openpgp/unbzip2-stream (pure JS, MIT, no types shipped). Only these two files are
 * used: the package's own driver collects each block's output in a JavaScript array, byte by byte (1.8 GB
 * of memory for 200 MB of zeros), so src/adapters/openpgp/bunzip2.ts drives the core itself, bounded.
 */
declare module '@openpgp/unbzip2-stream/lib/bit_iterator.js' {
  /** a bit reader over the buffers nextBuffer returns, in order; `bits(null)` aligns to the next byte */
  export interface BitReader {
    (n: number | null): number;
    /** bytes started so far (a partly read byte counts) */
    bytesRead: number;
  }
  export default function bitIterator(nextBuffer: () => Uint8Array): BitReader;
}

declare module '@openpgp/unbzip2-stream/lib/bzip2.js' {
  import type { BitReader } from '@openpgp/unbzip2-stream/lib/bit_iterator.js';
  interface Bzip2 {
    /** reads "BZh1".."BZh9"; returns the block size in units of 100 000 bytes */
    header(bits: BitReader): number;
    /**
     * Decodes one block, calling `stream` for every output byte, and checks its CRC; at the end-of-stream
     * marker checks the stream CRC, aligns to a byte and returns null. Returns the running stream CRC.
     */
    decompress(bits: BitReader, stream: (byte: number) => void, buf: Int32Array, bufsize: number, streamCRC: number): number | null;
  }
  const bzip2: Bzip2;
  export default bzip2;
}
