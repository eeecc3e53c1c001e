/**
 * OpenPGP packet framing (RFC 9580 §4.2) and ASCII armor (§6), streaming, for the bulk layer of the
 * kriptogram. Only framing lives here: no keys, no cryptography. Partial body lengths are coalesced so a
 * stream of 8 KiB partial chunks (GnuPG's habit) costs no more than one of 64 KiB chunks.
 */

export const TAG = {
  PKESK: 1,
  SIGNATURE: 2,
  SKESK: 3,
  ONE_PASS_SIGNATURE: 4,
  COMPRESSED: 8,
  SYM_ENCRYPTED: 9,
  MARKER: 10,
  LITERAL: 11,
  SEIPD: 18,
  MDC: 19,
  AEAD_ENCRYPTED: 20,
  PADDING: 21,
} as const;

/** The packet types that may have partial body lengths (RFC 9580 §4.2.1.4): literal, compressed, encrypted data. */
export const PARTIAL_LENGTH_TAGS: ReadonlySet<number> = new Set([TAG.COMPRESSED, TAG.SYM_ENCRYPTED, TAG.LITERAL, TAG.SEIPD, TAG.AEAD_ENCRYPTED]);

export type FormatProblem = 'malformed' | 'truncated' | 'unsupported';

/** A framing problem found while reading; the kriptogram adapter maps it to a SandiError. */
export class PacketFormatError extends Error {
  constructor(
    readonly problem: FormatProblem,
    detail: string,
  ) {
    super(`${problem}: ${detail}`);
    this.name = 'PacketFormatError';
  }
}

const EMPTY = Buffer.alloc(0);

// ------------------------------------------------------------------------------------------- writing

/** New-format length octets for a definite length. */
export function encodeLength(n: number): Buffer {
  if (n < 192) return Buffer.from([n]);
  if (n < 8384) {
    const v = n - 192;
    return Buffer.from([(v >> 8) + 192, v & 0xff]);
  }
  const b = Buffer.alloc(5);
  b[0] = 0xff;
  b.writeUInt32BE(n, 1);
  return b;
}

/** A whole packet with a new-format header and definite length. */
export function packet(tag: number, body: Uint8Array): Buffer {
  return Buffer.concat([Buffer.from([0xc0 | tag]), encodeLength(body.length), body]);
}

/**
 * Frames a packet body of unknown length with partial body lengths of 2^exp bytes; the last piece gets a
 * definite length. The first partial chunk must be at least 512 bytes (RFC 9580 §4.2.1.4), so exp ≥ 9.
 */
export class PartialBodyWriter {
  private pending: Buffer[] = [];
  private pendingLen = 0;
  private started = false;
  /** bytes of each partial body; a push of at least this many leaves no view of its data behind */
  readonly size: number;
  private readonly lenByte: number;
  /** the buffers push/end return that are packet framing (tag, lengths), not body: what a hash of the body skips */
  readonly framing = new WeakSet<Buffer>();

  constructor(
    private readonly tag: number,
    exp = 16,
  ) {
    if (exp < 9 || exp > 30) throw new Error('partial length exponent out of range');
    this.size = 2 ** exp;
    this.lenByte = 0xe0 | exp;
  }

  private start(out: Buffer[]): void {
    if (!this.started) {
      const tag = Buffer.from([0xc0 | this.tag]);
      this.framing.add(tag);
      out.push(tag);
      this.started = true;
    }
  }

  /** Returns the framed bytes ready to go out (possibly none). */
  push(data: Uint8Array): Buffer[] {
    const out: Buffer[] = [];
    if (data.length === 0) return out;
    this.pending.push(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
    this.pendingLen += data.length;
    if (this.pendingLen < this.size) return out;
    this.start(out);
    // each full partial body goes out as the pieces it is made of (no joining copy: the caller writes a list)
    while (this.pendingLen >= this.size) {
      const len = Buffer.from([this.lenByte]);
      this.framing.add(len);
      out.push(len);
      let need = this.size;
      while (need > 0) {
        const p = this.pending[0]!;
        if (p.length <= need) {
          out.push(p);
          this.pending.shift();
          need -= p.length;
        } else {
          out.push(p.subarray(0, need));
          this.pending[0] = p.subarray(need);
          need = 0;
        }
      }
      this.pendingLen -= this.size;
    }
    // copy the remainder (less than one partial body) so the caller may reuse its buffer
    this.pending = this.pendingLen > 0 ? [Buffer.concat(this.pending, this.pendingLen)] : [];
    return out;
  }

  end(): Buffer[] {
    const out: Buffer[] = [];
    this.start(out);
    const rest = Buffer.concat(this.pending, this.pendingLen);
    this.pending = [];
    this.pendingLen = 0;
    const len = encodeLength(rest.length);
    this.framing.add(len);
    out.push(len, rest);
    return out;
  }
}

// ------------------------------------------------------------------------------------------- reading

/** Pull reader over an async sequence of byte chunks. */
export class ByteReader {
  private buf: Buffer = EMPTY;
  private pos = 0;
  private eof = false;
  private readonly it: AsyncIterator<Uint8Array>;
  /** bytes consumed so far (for error messages and bounds) */
  consumed = 0;
  /**
   * Called with every slice consumed, in order, before the caller sees it; `body` is true for slices taken
   * by upTo (packet body bytes, see packetBodyParts), false for header octets (byte, exact). Decrypt feeds
   * the MDC's hash from it.
   */
  tap: ((slice: Buffer, body: boolean) => void) | null = null;
  private inExact = false;

  constructor(source: AsyncIterable<Uint8Array>) {
    this.it = source[Symbol.asyncIterator]();
  }

  private async fill(): Promise<boolean> {
    while (this.pos >= this.buf.length) {
      if (this.eof) return false;
      const r = await this.it.next();
      if (r.done === true) {
        this.eof = true;
        return false;
      }
      const v = r.value;
      this.buf = Buffer.isBuffer(v) ? v : Buffer.from(v.buffer, v.byteOffset, v.byteLength);
      this.pos = 0;
    }
    return true;
  }

  async atEnd(): Promise<boolean> {
    return !(await this.fill());
  }

  /** One byte, or null at the end of the input. */
  async tryByte(): Promise<number | null> {
    if (!(await this.fill())) return null;
    this.consumed++;
    this.tap?.(this.buf.subarray(this.pos, this.pos + 1), false);
    return this.buf[this.pos++]!;
  }

  async byte(): Promise<number> {
    const b = await this.tryByte();
    if (b === null) throw new PacketFormatError('truncated', 'input ends inside a packet');
    return b;
  }

  async exact(n: number): Promise<Buffer> {
    if (this.buf.length - this.pos >= n) {
      const out = this.buf.subarray(this.pos, this.pos + n);
      this.pos += n;
      this.consumed += n;
      this.tap?.(out, false);
      return out;
    }
    const parts: Buffer[] = [];
    let need = n;
    this.inExact = true;
    try {
      while (need > 0) {
        const p = await this.upTo(need);
        if (p === null) throw new PacketFormatError('truncated', 'input ends inside a packet');
        parts.push(p);
        need -= p.length;
      }
    } finally {
      this.inExact = false;
    }
    return Buffer.concat(parts, n);
  }

  /**
   * Up to n bytes of what is already buffered (reading a new chunk if none is); null at the end. Not an
   * async function: with bytes in hand it returns a settled promise (decrypt calls it for every piece).
   */
  upTo(n: number): Promise<Buffer | null> {
    if (this.pos < this.buf.length) return Promise.resolve(this.take(n));
    return this.upToAfterFill(n);
  }

  private async upToAfterFill(n: number): Promise<Buffer | null> {
    if (!(await this.fill())) return null;
    return this.take(n);
  }

  private take(n: number): Buffer {
    const take = Math.min(n, this.buf.length - this.pos);
    const out = this.buf.subarray(this.pos, this.pos + take);
    this.pos += take;
    this.consumed += take;
    this.tap?.(out, !this.inExact);
    return out;
  }

  /** Consume what is left of the chunk in hand (e.g. to drain the input after an error). */
  takeBuffered(): Buffer {
    const out = this.buf.subarray(this.pos);
    this.pos = this.buf.length;
    this.consumed += out.length;
    if (out.length > 0) this.tap?.(out, false);
    return out;
  }

  /** Stop the underlying source (e.g. after an error) so its resources are released. */
  async close(): Promise<void> {
    await this.it.return?.();
  }
}

export type LengthKind = 'definite' | 'partial' | 'indeterminate';

export interface PacketHeader {
  tag: number;
  kind: LengthKind;
  /** for 'definite' the body length; for 'partial' the first chunk's length; 0 for 'indeterminate' */
  length: number;
}

async function readNewLength(r: ByteReader): Promise<{ kind: 'definite' | 'partial'; length: number }> {
  const o1 = await r.byte();
  if (o1 < 192) return { kind: 'definite', length: o1 };
  if (o1 < 224) return { kind: 'definite', length: ((o1 - 192) << 8) + (await r.byte()) + 192 };
  if (o1 < 255) return { kind: 'partial', length: 1 << (o1 & 0x1f) };
  const b = await r.exact(4);
  return { kind: 'definite', length: b.readUInt32BE(0) };
}

/** The next packet header, or null at a clean end of input (between packets). */
export async function readPacketHeader(r: ByteReader): Promise<PacketHeader | null> {
  const first = await r.tryByte();
  if (first === null) return null;
  if ((first & 0x80) === 0) throw new PacketFormatError('malformed', `not a packet header (0x${first.toString(16)})`);
  if ((first & 0x40) !== 0) {
    const tag = first & 0x3f;
    const len = await readNewLength(r);
    if (len.kind === 'partial' && !PARTIAL_LENGTH_TAGS.has(tag)) {
      // RFC 9580 §4.2.1.4: partial lengths only for data packets (literal, compressed, encrypted); a
      // padding or signature packet of unbounded length let a forged message probe decrypted bytes
      throw new PacketFormatError('malformed', `partial body length on packet ${tag}`);
    }
    if (len.kind === 'partial' && len.length < 512) {
      // RFC 9580 §4.2.1.4: the first partial length must be at least 512 octets
      throw new PacketFormatError('malformed', 'first partial body length below 512');
    }
    return { tag, ...len };
  }
  const tag = (first >> 2) & 0x0f;
  switch (first & 0x03) {
    case 0:
      return { tag, kind: 'definite', length: await r.byte() };
    case 1:
      return { tag, kind: 'definite', length: (await r.exact(2)).readUInt16BE(0) };
    case 2:
      return { tag, kind: 'definite', length: (await r.exact(4)).readUInt32BE(0) };
    default:
      return { tag, kind: 'indeterminate', length: 0 };
  }
}

/**
 * The body of a packet as chunks of at least `coalesce` bytes (except the last), partial length headers
 * removed. An indeterminate length runs to the end of the input.
 */
export async function* packetBody(r: ByteReader, h: PacketHeader, coalesce = 64 * 1024): AsyncGenerator<Buffer> {
  for await (const parts of packetBodyParts(r, h, coalesce)) yield parts.length === 1 ? parts[0]! : Buffer.concat(parts);
}

/**
 * The body of a packet as groups of pieces (views into the input, not copied) of at least `coalesce` bytes
 * together (except the last group): for a consumer that copies the bytes anyway and need not have them
 * joined first. The pieces stay valid as long as the reader's input chunks do (they are never reused).
 */
export async function* packetBodyParts(r: ByteReader, h: PacketHeader, coalesce = 64 * 1024): AsyncGenerator<Buffer[]> {
  let parts: Buffer[] = [];
  let partsLen = 0;
  for await (const p of packetBodyPieces(r, h)) {
    parts.push(p);
    partsLen += p.length;
    if (partsLen < coalesce) continue;
    yield parts;
    parts = [];
    partsLen = 0;
  }
  if (partsLen > 0) yield parts;
}

/**
 * The body of a packet piece by piece as the reader has it (views into its input, never joined or copied),
 * partial length headers removed: for a consumer that takes pieces of any size (decrypt's literal data).
 */
export async function* packetBodyPieces(r: ByteReader, h: PacketHeader): AsyncGenerator<Buffer> {
  if (h.kind === 'indeterminate') {
    for (;;) {
      const p = await r.upTo(1 << 20);
      if (p === null) return;
      yield p;
    }
  }
  let remaining = h.length;
  let partial = h.kind === 'partial';
  for (;;) {
    while (remaining > 0) {
      const p = await r.upTo(remaining);
      if (p === null) throw new PacketFormatError('truncated', 'input ends inside a packet body');
      remaining -= p.length;
      yield p;
    }
    if (!partial) return;
    const next = await readNewLength(r);
    partial = next.kind === 'partial';
    remaining = next.length;
  }
}

/** A whole (small) packet body, refusing anything longer than `max`. */
export async function readSmallBody(r: ByteReader, h: PacketHeader, max: number): Promise<Buffer> {
  const parts: Buffer[] = [];
  let len = 0;
  for await (const p of packetBody(r, h, 1)) {
    len += p.length;
    if (len > max) throw new PacketFormatError('malformed', `packet ${h.tag} longer than ${max} bytes`);
    parts.push(Buffer.from(p));
  }
  return Buffer.concat(parts, len);
}

// --------------------------------------------------------------------------------------------- armor

const ARMOR_LINE = 64;
const ARMOR_GROUP = (ARMOR_LINE / 4) * 3; // 48 bytes per line

/** ASCII armor writer (RFC 9580 §6.2), no headers, no CRC (§6.1: optional, and SEIPD carries its own MDC). */
/** CRC-24 of RFC 4880 §6.1 (init 0xB704CE, poly 0x1864CFB), table-driven, a byte at a time. */
const CRC24_TABLE = (() => {
  const t = new Int32Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i << 16;
    for (let k = 0; k < 8; k++) {
      c <<= 1;
      if (c & 0x1000000) c ^= 0x1864cfb;
    }
    t[i] = c & 0xffffff;
  }
  return t;
})();

export function crc24(data: Uint8Array, crc = 0xb704ce): number {
  let c = crc;
  for (let i = 0; i < data.length; i++) c = ((c << 8) ^ CRC24_TABLE[((c >>> 16) ^ data[i]!) & 0xff]!) & 0xffffff;
  return c;
}

/**
 * ASCII armor. The CRC-24 line is written although RFC 9580 makes it optional: GnuPG 2.2 finds the end of
 * the base64 body by the "=" of padding or of the CRC line, so an armor without CRC whose data length is a
 * multiple of 3 (no padding) makes it read "-----END PGP MESSAGE-----" as data ("invalid radix64
 * character 2D", NODATA). Seen in the interop test, about one run in three.
 */
export class ArmorWriter {
  private carry: Buffer = EMPTY;
  private started = false;
  private crc = 0xb704ce;

  constructor(private readonly type = 'PGP MESSAGE') {}

  push(data: Uint8Array): Buffer {
    const head = this.started ? EMPTY : Buffer.from(`-----BEGIN ${this.type}-----\n\n`, 'latin1');
    this.started = true;
    this.crc = crc24(data, this.crc);
    const all = this.carry.length > 0 ? Buffer.concat([this.carry, data]) : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    const whole = all.length - (all.length % ARMOR_GROUP);
    this.carry = Buffer.from(all.subarray(whole));
    if (whole === 0) return head;
    const b64 = Buffer.from(all.subarray(0, whole).toString('base64'), 'latin1');
    const out = Buffer.allocUnsafe(head.length + (b64.length / ARMOR_LINE) * (ARMOR_LINE + 1));
    head.copy(out, 0);
    let o = head.length;
    for (let i = 0; i < b64.length; i += ARMOR_LINE) {
      b64.copy(out, o, i, i + ARMOR_LINE);
      o += ARMOR_LINE;
      out[o++] = 10;
    }
    return out;
  }

  end(): Buffer {
    const head = this.push(EMPTY);
    const rest = this.carry.length > 0 ? `${this.carry.toString('base64')}\n` : '';
    this.carry = EMPTY;
    const crc = Buffer.from([(this.crc >>> 16) & 0xff, (this.crc >>> 8) & 0xff, this.crc & 0xff]).toString('base64');
    return Buffer.concat([head, Buffer.from(`${rest}=${crc}\n-----END ${this.type}-----\n`, 'latin1')]);
  }
}

/**
 * Binary packets from a binary or ASCII-armored input. Armor is recognised by its BEGIN line (leading
 * whitespace allowed); armor headers are skipped; the CRC line is ignored (RFC 9580 §6.1).
 */
export async function* dearmorIfNeeded(source: AsyncIterable<Uint8Array>): AsyncGenerator<Buffer> {
  const it = source[Symbol.asyncIterator]();
  let buf: Buffer = EMPTY;
  // look at the first non-whitespace byte
  for (;;) {
    const r = await it.next();
    if (r.done === true) {
      if (buf.length > 0) yield buf;
      return;
    }
    buf = Buffer.concat([buf, r.value]);
    let i = 0;
    while (i < buf.length && (buf[i] === 0x20 || buf[i] === 0x09 || buf[i] === 0x0d || buf[i] === 0x0a)) i++;
    if (i < buf.length) {
      if (buf[i] !== 0x2d /* '-' */) {
        yield buf;
        for (;;) {
          const n = await it.next();
          if (n.done === true) return;
          yield Buffer.from(n.value.buffer, n.value.byteOffset, n.value.byteLength);
        }
      }
      buf = buf.subarray(i);
      break;
    }
  }
  yield* dearmorText(buf, it);
}

async function* dearmorText(initial: Buffer, it: AsyncIterator<Uint8Array>): AsyncGenerator<Buffer> {
  let text = initial.toString('latin1');
  let eof = false;
  const more = async (): Promise<boolean> => {
    if (eof) return false;
    const r = await it.next();
    if (r.done === true) {
      eof = true;
      return false;
    }
    text += Buffer.from(r.value.buffer, r.value.byteOffset, r.value.byteLength).toString('latin1');
    return true;
  };
  const nextLine = async (): Promise<string | null> => {
    for (;;) {
      const nl = text.indexOf('\n');
      if (nl >= 0) {
        const line = text.slice(0, nl).replace(/\r$/, '');
        text = text.slice(nl + 1);
        return line;
      }
      if (text.length > 64 * 1024) throw new PacketFormatError('malformed', 'armor line too long');
      if (!(await more())) {
        if (text.length === 0) return null;
        const line = text;
        text = '';
        return line;
      }
    }
  };
  const begin = await nextLine();
  if (begin === null || begin.trim() !== '-----BEGIN PGP MESSAGE-----') {
    throw new PacketFormatError('malformed', 'not an OpenPGP message');
  }
  // armor headers: "Key: value" lines up to an empty line
  for (;;) {
    const line = await nextLine();
    if (line === null) throw new PacketFormatError('truncated', 'armor ends in its header');
    if (line.trim() === '') break;
    if (!/^[^:\s]+: /.test(line)) {
      // no blank line after BEGIN (tolerated by GnuPG): this is already data
      text = `${line}\n${text}`;
      break;
    }
  }
  let carry = '';
  for (;;) {
    // body: decode everything up to the last complete line; stop at the CRC line or the END line
    const end = /(^|\n)[=-]/.exec(text);
    // Without a marker everything but a trailing line break is body: a CRC or END line can only start right
    // after a line break, so a partial line is decoded now instead of waiting for its end (single-line armor
    // fed in chunks was quadratic: every chunk rescanned the whole growing line).
    const cut = end !== null ? end.index : text.endsWith('\n') ? text.length - 1 : text.length;
    if (cut >= 0 || end !== null) {
      const body = carry + text.slice(0, Math.max(cut, 0)).replace(/\s+/g, '');
      text = text.slice(Math.max(cut, 0));
      const whole = end !== null ? body.length : body.length - (body.length % 4);
      carry = body.slice(whole);
      if (/[^A-Za-z0-9+/=]/.test(body.slice(0, whole))) throw new PacketFormatError('malformed', 'invalid armor');
      if (whole > 0) yield Buffer.from(body.slice(0, whole), 'base64');
      if (end !== null) break;
    }
    if (!(await more())) throw new PacketFormatError('truncated', 'armor has no END line');
  }
  // CRC and END lines
  for (;;) {
    const line = await nextLine();
    if (line === null) throw new PacketFormatError('truncated', 'armor has no END line');
    const l = line.trim();
    if (l === '' || (l.startsWith('=') && l.length <= 6)) continue;
    if (l === '-----END PGP MESSAGE-----') break;
    throw new PacketFormatError('malformed', 'unexpected line in armor');
  }
  // anything after the END line is ignored (mail signatures, blank lines)
}
