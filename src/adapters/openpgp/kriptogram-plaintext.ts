/**
 * The SEIPDv1 plaintext of a kriptogram being decrypted, and the MDC over it (moved out of
 * kriptogram-decrypt.ts, which had grown past the house's 600 lines, issue 16).
 */
import { timingSafeEqual } from 'node:crypto';
import type { OffThreadHasher } from './kriptogram-hasher.js';
import type { ByteReader } from './packets.js';
import type { CfbDecipher } from './seipd-cfb.js';

const SETTLED: Promise<void> = Promise.resolve();

export class TamperedError extends Error {
  constructor() {
    super('modification detected (MDC mismatch)');
    this.name = 'TamperedError';
  }
}

/**
 * Feeds the MDC's SHA-1 on the hash worker with every plaintext byte the inner parser consumes, in order
 * (the reader's tap), marking the literal data's document bytes so the worker hashes those for the
 * signatures too: the document is copied to the worker once, for both hashes (issue 16). The literal
 * body's first bytes (format, name, date) are not document: how many is known only once they are read,
 * so slices wait here until they can be told apart. Slices are views into the decipher's output, which
 * is never reused.
 */
export class MdcFeed {
  private readonly pending: Buffer[] = [];
  /** per pending slice: true for a body slice of the literal packet read straight from the tapped reader */
  private readonly literal: boolean[] = [];
  private inLiteral = false;
  /** literal body bytes before the document (its header), null while not known yet */
  private headerLeft: number | null = null;

  /** the tapped reader: the top-level reader of the decrypted plaintext */
  reader: ByteReader | null = null;

  constructor(private readonly hasher: OffThreadHasher) {}

  attach(reader: ByteReader): void {
    this.reader = reader;
    reader.tap = (slice, body) => {
      this.pending.push(slice);
      this.literal.push(body && this.inLiteral);
    };
  }

  /** The literal packet's body is read next from the tapped reader (its header octets are read already). */
  startLiteral(): void {
    this.inLiteral = true;
    this.headerLeft = null;
  }

  /** The literal body starts with `n` bytes of header (format, name, date) before the document. */
  literalHeader(n: number): void {
    this.headerLeft = n;
  }

  endLiteral(): void {
    this.inLiteral = false;
  }

  /** Plaintext consumed other than through the reader (drained after an error): MDC only. */
  extra(b: Buffer): void {
    this.pending.push(b);
    this.literal.push(false);
  }

  /**
   * Hand the pending slices to the worker, in order; a literal slice whose header length is not known yet
   * waits (with everything after it), unless `all`: then it goes to the MDC only (after an error, where
   * the signature hashes no longer matter).
   */
  flush(all = false): Promise<void> {
    // called for every piece the parser reads: no async call when there is nothing to hand over
    return this.pending.length === 0 ? SETTLED : this.flushPending(all);
  }

  private async flushPending(all: boolean): Promise<void> {
    while (this.pending.length > 0) {
      const lit = this.literal[0]!;
      if (lit && this.headerLeft === null && !all) return;
      const b = this.pending.shift()!;
      this.literal.shift();
      if (!lit || this.headerLeft === null) {
        await this.hasher.mdc(b);
        continue;
      }
      const skip = Math.min(this.headerLeft, b.length);
      this.headerLeft -= skip;
      if (skip > 0) await this.hasher.mdc(b.subarray(0, skip));
      if (skip < b.length) await this.hasher.mdcAndLiteral(b.subarray(skip));
    }
  }
}

/**
 * SEIPDv1 body (after the version octet) → inner plaintext; throws TamperedError at the end if the MDC fails.
 * The MDC's SHA-1 runs on the hash worker (beside the signature hashes and the spool), over the prefix,
 * every byte the parser consumed (`feed`, flushed here before the digest) and the MDC packet's header.
 */
function byteLength(pieces: readonly Buffer[]): number {
  let n = 0;
  for (const p of pieces) n += p.length;
  return n;
}

export async function* seipdV1Plaintext(body: AsyncIterable<Buffer[]>, decipher: CfbDecipher, hasher: OffThreadHasher, feed: MdcFeed): AsyncGenerator<Buffer> {
  let prefixLeft = 18;
  let tail: Buffer = Buffer.alloc(0);
  const release = async function* (buf: Buffer): AsyncGenerator<Buffer> {
    if (buf.length === 0) return;
    let b = buf;
    if (prefixLeft > 0) {
      // the prefix is never read by the parser: it goes to the MDC from here, before anything else
      const skip = Math.min(prefixLeft, b.length);
      await hasher.mdc(b.subarray(0, skip));
      b = b.subarray(skip);
      prefixLeft -= skip;
    }
    if (b.length > 0) yield b;
  };
  // the last 22 bytes (the MDC packet) are held back until the end
  const handle = async function* (plain: Buffer): AsyncGenerator<Buffer> {
    if (plain.length < 22) {
      const all = Buffer.concat([tail, plain]);
      tail = Buffer.from(all.subarray(Math.max(0, all.length - 22)));
      yield* release(all.subarray(0, Math.max(0, all.length - 22)));
      return;
    }
    const before = tail;
    tail = Buffer.from(plain.subarray(plain.length - 22));
    yield* release(before);
    yield* release(plain.subarray(0, plain.length - 22));
  };
  // one group of ciphertext read ahead: while the next group holds 22 bytes or more, the MDC packet lies in
  // later ciphertext (the decipher's output never runs ahead of its input), so a group's plaintext goes out
  // whole — one piece, no tail split off and copied (issue 16)
  const groups = body[Symbol.asyncIterator]();
  let cur = await groups.next();
  while (cur.done !== true) {
    const next = await groups.next();
    const plain = decipher.update(cur.value);
    if (next.done !== true && tail.length === 0 && byteLength(next.value) >= 22) yield* release(plain);
    else yield* handle(plain);
    cur = next;
  }
  yield* handle(decipher.final());
  if (tail.length !== 22 || prefixLeft > 0 || tail[0] !== 0xd3 || tail[1] !== 0x14) throw new TamperedError();
  // the parser has consumed every byte yielded (it asked for more): all of them go to the MDC first
  await feed.flush(true);
  const digest = await hasher.mdcDigest(tail.subarray(0, 2));
  if (!timingSafeEqual(digest, tail.subarray(2))) throw new TamperedError();
}
