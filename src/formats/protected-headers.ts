/**
 * The plaintext inside a kriptogram: one MIME entity carrying the protected headers
 * (draft-autocrypt-lamps-protected-headers style: `Content-Type: multipart/mixed; protected-headers="v1"`,
 * the real Subject, X-Sandi-Nomor, X-Sandi-Sifat) and the document as a base64 attachment part.
 *
 * Pure: no I/O, no clock, no randomness (the boundary is passed in). The document body is encoded and
 * decoded chunk by chunk, never held whole, so a document of hundreds of MB costs a few hundred KB.
 */
import type { Classification, ProtectedHeaders } from '../ports.js';
import { SandiError } from '../errors.js';
import { B64_GROUP, B64_SLICE, encodeBase64Lines } from './base64-lines.js';

const CRLF = '\r\n';
const LF = Buffer.from('\n', 'latin1');
const CLASSIFICATIONS: readonly Classification[] = ['Biasa', 'Terbatas', 'Rahasia', 'Sangat Rahasia'];
const HEADER_NOMOR = 'X-Sandi-Nomor';
const HEADER_SIFAT = 'X-Sandi-Sifat';
const HEADER_EXTRA_PREFIX = 'X-Sandi-Extra-';
const EXTRA_KEY = /^[A-Za-z0-9][A-Za-z0-9-]{0,60}$/;

const CONTENT_TYPES: Record<string, string> = {
  pdf: 'application/pdf',
  doc: 'application/msword',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xls: 'application/vnd.ms-excel',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  odt: 'application/vnd.oasis.opendocument.text',
  ods: 'application/vnd.oasis.opendocument.spreadsheet',
  txt: 'text/plain',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  png: 'image/png',
  zip: 'application/zip',
};

/** MIME type guessed from the file name's extension; application/octet-stream when unknown. */
export function contentTypeFor(fileName: string): string {
  const dot = fileName.lastIndexOf('.');
  const ext = dot >= 0 ? fileName.slice(dot + 1).toLowerCase() : '';
  return CONTENT_TYPES[ext] ?? 'application/octet-stream';
}

// ------------------------------------------------------------------------------------------- writing

function refuseHeader(name: string): never {
  throw new SandiError('DATA', 'kriptogram.headerInvalid', { name });
}

/** A header value: raw when it is short printable ASCII, else RFC 2047 encoded-words (UTF-8, base64), folded. */
export function encodeHeaderValue(name: string, value: string): string {
  if (/[\r\n\0]/.test(value)) refuseHeader(name);
  if (/^[\x20-\x7e]*$/.test(value) && !/=\?/.test(value) && value.length + name.length < 900) return value;
  const words: string[] = [];
  const bytes = Buffer.from(value, 'utf8');
  // 45 bytes → 60 base64 chars + 12 of "=?UTF-8?B??=" = 72 ≤ 75 (RFC 2047 §2); never split a UTF-8 sequence.
  let start = 0;
  while (start < bytes.length) {
    let end = Math.min(start + 45, bytes.length);
    while (end < bytes.length && end > start && (bytes[end]! & 0xc0) === 0x80) end--;
    words.push(`=?UTF-8?B?${bytes.subarray(start, end).toString('base64')}?=`);
    start = end;
  }
  return words.join(`${CRLF} `);
}

function quoteParam(value: string): string {
  return `"${value.replace(/["\\]/g, (c) => `\\${c}`)}"`;
}

/** `name="x"` for short ASCII, RFC 2231 `name*=UTF-8''…` (with continuations when long) otherwise. */
export function encodeParam(name: string, value: string): string {
  if (/[\r\n\0]/.test(value)) refuseHeader(name);
  if (/^[\x20-\x7e]*$/.test(value) && value.length <= 60) return `${name}=${quoteParam(value)}`;
  const encoded = Array.from(Buffer.from(value, 'utf8'))
    .map((b) => (/[A-Za-z0-9!#$&+.^_`|~-]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, '0')}`))
    .join('');
  const first = `UTF-8''`;
  if (encoded.length <= 60) return `${name}*=${first}${encoded}`;
  const pieces: string[] = [];
  let rest = encoded;
  for (let i = 0; rest.length > 0; i++) {
    let cut = Math.min(60, rest.length);
    // never cut inside a %XX escape
    const pct = rest.lastIndexOf('%', cut - 1);
    if (pct >= 0 && pct > cut - 3 && cut < rest.length) cut = pct;
    pieces.push(`${name}*${i}*=${i === 0 ? first : ''}${rest.slice(0, cut)}`);
    rest = rest.slice(cut);
  }
  return pieces.join(`;${CRLF} `);
}

export interface EntityOptions {
  headers: ProtectedHeaders;
  fileName: string;
  /** MIME boundary; must not contain characters that can occur in base64 lines ("=_" guarantees it). */
  boundary: string;
}

/** Everything before the base64 body: top-level protected headers, then the attachment part's headers. */
export function entityHead(o: EntityOptions): Buffer {
  if (!/^[A-Za-z0-9'()+_,./:=?-]{1,70}$/.test(o.boundary) || !o.boundary.includes('=_')) {
    throw new Error(`invalid MIME boundary: ${o.boundary}`);
  }
  const { subject, registerNumber, classification, ...extra } = o.headers;
  const lines = [
    'MIME-Version: 1.0',
    `Content-Type: multipart/mixed; boundary="${o.boundary}";${CRLF} protected-headers="v1"`,
    `Subject: ${encodeHeaderValue('Subject', subject)}`,
  ];
  if (registerNumber !== undefined) lines.push(`${HEADER_NOMOR}: ${encodeHeaderValue(HEADER_NOMOR, registerNumber)}`);
  if (classification !== undefined) {
    if (!CLASSIFICATIONS.includes(classification)) refuseHeader(HEADER_SIFAT);
    lines.push(`${HEADER_SIFAT}: ${classification}`);
  }
  for (const [k, v] of Object.entries(extra)) {
    if (v === undefined) continue;
    if (!EXTRA_KEY.test(k)) refuseHeader(k);
    lines.push(`${HEADER_EXTRA_PREFIX}${k}: ${encodeHeaderValue(k, v)}`);
  }
  const name = o.fileName.length > 0 ? o.fileName : 'dokumen';
  lines.push(
    '',
    `--${o.boundary}`,
    `Content-Type: ${contentTypeFor(name)}; ${encodeParam('name', name)}`,
    `Content-Disposition: attachment;${CRLF} ${encodeParam('filename', name)}`,
    'Content-Transfer-Encoding: base64',
    '',
    '',
  );
  return Buffer.from(lines.join(CRLF), 'utf8');
}

/** The closing delimiter after the base64 body. */
export function entityTail(boundary: string): Buffer {
  return Buffer.from(`--${boundary}--${CRLF}`, 'latin1');
}

/**
 * Streaming base64 with CRLF after every 76 characters (RFC 2045). Input of any chunking gives the same
 * output as encoding the whole at once; the last line is terminated by CRLF too.
 */
export class Base64LineEncoder {
  private carry: Buffer = Buffer.alloc(0);

  push(chunk: Uint8Array): Buffer {
    let data = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    let first: Buffer | null = null;
    if (this.carry.length > 0) {
      // complete the carried partial group from the front of this chunk (57 bytes at most are copied, not
      // the whole chunk joined to the carry)
      const need = Math.min(B64_GROUP - this.carry.length, data.length);
      const group = Buffer.concat([this.carry, data.subarray(0, need)]);
      data = data.subarray(need);
      if (group.length < B64_GROUP) {
        this.carry = group;
        return Buffer.alloc(0);
      }
      first = group;
    }
    const whole = data.length - (data.length % B64_GROUP);
    this.carry = Buffer.from(data.subarray(whole));
    return encodeBase64Lines(data.subarray(0, whole), first);
  }

  end(): Buffer {
    const rest = this.carry;
    this.carry = Buffer.alloc(0);
    if (rest.length === 0) return rest;
    const b64 = Buffer.from(rest.toString('base64'), 'latin1');
    return Buffer.concat([b64, Buffer.from(CRLF, 'latin1')]);
  }
}

/** The whole entity as a stream of chunks: head, base64 lines of `source`, tail. */
export async function* encodeProtectedEntity(source: AsyncIterable<Uint8Array>, o: EntityOptions): AsyncGenerator<Buffer> {
  yield entityHead(o);
  const enc = new Base64LineEncoder();
  for await (const chunk of source) {
    const out = enc.push(chunk);
    if (out.length > 0) yield out;
  }
  const last = enc.end();
  yield last.length > 0 ? Buffer.concat([last, entityTail(o.boundary)]) : entityTail(o.boundary);
}

// ------------------------------------------------------------------------------------------- reading

/** Thrown when the decrypted content claims to be a sandi entity but is not well-formed. */
export class MalformedEntityError extends Error {
  constructor(reason: string) {
    super(`malformed protected-headers entity: ${reason}`);
    this.name = 'MalformedEntityError';
  }
}

interface ParsedHeader {
  name: string; // lower case
  rawName: string;
  value: string; // unfolded
}

/** Split a header block (without the blank line) into unfolded fields. */
export function parseHeaderBlock(block: string): ParsedHeader[] {
  const out: ParsedHeader[] = [];
  for (const line of block.split(/\r?\n/)) {
    if (line.length === 0) continue;
    if (/^[ \t]/.test(line)) {
      const last = out[out.length - 1];
      if (last === undefined) throw new MalformedEntityError('continuation line without a header');
      last.value += line;
      continue;
    }
    const m = /^([!-9;-~]+):[ \t]*(.*)$/.exec(line);
    if (m === null) throw new MalformedEntityError('not a header line');
    out.push({ name: m[1]!.toLowerCase(), rawName: m[1]!, value: m[2]! });
  }
  return out;
}

/**
 * Characters never shown or used in a file name: C0 and C1 controls, DEL, and the bidirectional marks,
 * embeddings, overrides and isolates (U+202E shows "fdp.exe" as "exe.pdf").
 */
const UNSAFE_CHARS = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/**
 * Decode RFC 2047 encoded-words (B and Q; UTF-8 and Latin-1); whitespace between adjacent words is dropped.
 * The result is display-safe: line breaks and tabs become spaces, other control and bidi characters go.
 */
export function decodeHeaderValue(value: string): string {
  return decodeEncodedWords(value).replace(/[\t\r\n]+/g, ' ').replace(UNSAFE_CHARS, '');
}

function decodeEncodedWords(value: string): string {
  const ew = /=\?([^?\s]+)\?([BbQq])\?([^?\s]*)\?=/g;
  const joined = value.replace(/(=\?[^?\s]+\?[BbQq]\?[^?\s]*\?=)\s+(?==\?)/g, '$1');
  return joined.replace(ew, (whole, charset: string, enc: string, text: string) => {
    const cs = charset.toLowerCase().split('*')[0]!;
    if (cs !== 'utf-8' && cs !== 'utf8' && cs !== 'iso-8859-1' && cs !== 'us-ascii') return whole;
    const bytes =
      enc.toUpperCase() === 'B'
        ? Buffer.from(text, 'base64')
        : Buffer.from(
            text.replace(/_/g, ' ').replace(/=([0-9A-Fa-f]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16))),
            'latin1',
          );
    return cs.startsWith('utf') ? bytes.toString('utf8') : bytes.toString('latin1');
  });
}

/** Parse `type/sub; a=b; c*=UTF-8''x; d*0*=…` into a lower-case value and decoded parameters (RFC 2045, 2231). */
export function parseParams(value: string): { value: string; params: Map<string, string> } {
  const parts: string[] = [];
  let cur = '';
  let inQuote = false;
  for (let i = 0; i < value.length; i++) {
    const c = value[i]!;
    if (inQuote && c === '\\' && i + 1 < value.length) {
      cur += c + value[++i]!;
      continue;
    }
    if (c === '"') inQuote = !inQuote;
    if (c === ';' && !inQuote) {
      parts.push(cur);
      cur = '';
      continue;
    }
    cur += c;
  }
  parts.push(cur);
  const head = (parts.shift() ?? '').trim().toLowerCase();
  const plain = new Map<string, string>();
  const continued = new Map<string, { idx: number; text: string; enc: boolean }[]>();
  for (const p of parts) {
    const eq = p.indexOf('=');
    if (eq < 0) continue;
    const key = p.slice(0, eq).trim().toLowerCase();
    let v = p.slice(eq + 1).trim();
    if (v.startsWith('"') && v.endsWith('"') && v.length >= 2) v = v.slice(1, -1).replace(/\\(.)/g, '$1');
    const m = /^([^*]+)(?:\*(\d+))?(\*)?$/.exec(key);
    if (m === null) continue;
    const base = m[1]!;
    if (m[2] === undefined && m[3] === undefined) {
      plain.set(base, v);
      continue;
    }
    const list = continued.get(base) ?? [];
    list.push({ idx: m[2] === undefined ? 0 : Number(m[2]), text: v, enc: m[3] !== undefined });
    continued.set(base, list);
  }
  for (const [base, list] of continued) {
    list.sort((a, b) => a.idx - b.idx);
    let charset = 'utf-8';
    const bytes: number[] = [];
    for (const seg of list) {
      let text = seg.text;
      if (seg.enc && seg.idx === 0) {
        const m = /^([^']*)'[^']*'(.*)$/.exec(text);
        if (m !== null) {
          charset = m[1]!.toLowerCase() || 'utf-8';
          text = m[2]!;
        }
      }
      if (seg.enc) {
        for (let i = 0; i < text.length; i++) {
          if (text[i] === '%' && /^[0-9A-Fa-f]{2}$/.test(text.slice(i + 1, i + 3))) {
            bytes.push(parseInt(text.slice(i + 1, i + 3), 16));
            i += 2;
          } else bytes.push(text.charCodeAt(i) & 0xff);
        }
      } else for (const b of Buffer.from(text, 'utf8')) bytes.push(b);
    }
    plain.set(base, Buffer.from(bytes).toString(charset.startsWith('utf') ? 'utf8' : 'latin1'));
  }
  return { value: head, params: plain };
}

/** Device names Windows reserves whatever the extension (a copy of the folder may be opened there). */
const WINDOWS_RESERVED = /^(con|prn|aux|nul|com[0-9\u00b9\u00b2\u00b3]|lpt[0-9\u00b9\u00b2\u00b3])(\..*)?$/i;
/** UTF-8 bytes of a file name we write (file systems allow 255) */
const MAX_NAME_BYTES = 200;

/**
 * A file name safe to use as the last path component, on Linux and on a Windows copy of the folder: no
 * directories, no control or bidi characters, no drive letter or NTFS stream (":"), none of <>"|?*, not
 * hidden (no leading dot), no trailing dot or space, not a reserved device name, at most 200 bytes (the
 * extension kept).
 */
export function safeFileName(name: string, fallback = 'dokumen'): string {
  let base = (name.split(/[/\\]/).pop() ?? '').replace(UNSAFE_CHARS, '').replace(/[:<>"|?*]/g, '_');
  base = base.trim().replace(/^[.\s]+/, '').replace(/[.\s]+$/, '');
  if (WINDOWS_RESERVED.test(base)) base = `_${base}`;
  if (Buffer.byteLength(base, 'utf8') > MAX_NAME_BYTES) {
    const ext = /\.[^.\s]{1,10}$/.exec(base)?.[0] ?? '';
    let stem = '';
    for (const ch of base.slice(0, base.length - ext.length)) {
      if (Buffer.byteLength(stem + ch + ext, 'utf8') > MAX_NAME_BYTES) break;
      stem += ch;
    }
    base = stem + ext;
  }
  return base === '' ? fallback : base;
}

export interface EntityResult {
  headers: ProtectedHeaders;
  fileName: string;
  /** document bytes produced */
  bytes: number;
  /** false when the content was not a MIME entity and was taken as the document itself */
  protectedHeaders: boolean;
}

type State = 'top' | 'preamble' | 'partHeaders' | 'body' | 'skip' | 'epilogue' | 'raw';

/**
 * Where the document bytes go when the caller wants them written in place rather than returned: base64 is
 * then decoded straight into the sink's buffer (no intermediate buffer per slice, no copy afterwards).
 */
export interface DecodeSink {
  /** A buffer with at least `n` free bytes from `off` on (n ≤ MAX_SINK_RESERVE). */
  reserve(n: number): { buf: Buffer; off: number };
  /** `n` bytes were written at the offset last reserved. */
  commit(n: number): void;
}

/** The most a DecodeSink is ever asked to reserve at once. */
export const MAX_SINK_RESERVE = 64 * 1024;

const MAX_HEADER_BYTES = 64 * 1024;

/**
 * Push parser for the decrypted entity. `push` returns the document bytes decoded from that chunk; the
 * caller writes them somewhere safe (they are not yet authenticated). Content that does not start with a
 * MIME header block (e.g. a plain file encrypted by another OpenPGP program) is passed through as the
 * document, named after the literal packet.
 */
export class ProtectedEntityReader {
  private state: State = 'top';
  private buf: Buffer = Buffer.alloc(0);
  private boundary = '';
  private delimiter: Buffer = Buffer.alloc(0);
  private headers: ProtectedHeaders = { subject: '' };
  private fileName: string;
  private readonly fallbackName: string;
  private haveDocument = false;
  private isProtected = false;
  private partIsBase64 = false;
  private b64carry = '';
  /** width of the body's base64 lines: 0 = not seen yet, -1 = irregular (general path only) */
  private b64Width = 0;
  /** length of the first line's end: 2 (CRLF) or 1 (LF); 0 while not known or when the width is irregular */
  private b64Eol = 0;
  /** the last body byte seen was inside a line */
  private b64MidLine = false;
  private bytes = 0;

  /**
   * With a `sink`, every document byte goes into it, in order, and `push`/`end` return no document
   * bytes; without one they return them.
   */
  constructor(
    fallbackFileName: string,
    private readonly sink: DecodeSink | null = null,
  ) {
    this.fallbackName = safeFileName(fallbackFileName);
    this.fileName = this.fallbackName;
  }

  push(chunk: Uint8Array): Buffer[] {
    const c = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    if (this.state === 'raw') return this.emit([c]);
    const lines = this.bodyLines(c);
    if (lines !== null) return lines;
    const fast = this.bodyFastPath(c);
    if (fast !== null) return fast;
    this.buf = this.buf.length === 0 ? c : Buffer.concat([this.buf, c]);
    return this.run(false);
  }

  /**
   * Inside the document body, when no delimiter is in sight, decode the chunk where it lies instead of
   * appending it to the buffer (saves a copy of every byte, and the garbage that goes with it).
   */
  private bodyFastPath(c: Buffer): Buffer[] | null {
    const keep = this.delimiter.length + 1;
    if (this.state !== 'body' || this.buf.length > keep || c.length < keep) return null;
    const head = Buffer.concat([this.buf, c.subarray(0, keep + 1)]);
    if (head.includes(this.delimiter)) return null;
    // a delimiter line starts with "--", and '-' is no base64 character: one memchr for it is much cheaper
    // than a substring search, and finds none in the body of a base64 part
    if (c.indexOf(0x2d) >= 0 && c.includes(this.delimiter)) return null;
    const out = this.decodeBody(this.buf, false);
    // of regular lines, decode up to the last line end before the bytes kept: the next chunk then goes the
    // line way (bodyLines)
    const cut = this.lineCut(c, c.length - keep);
    out.push(...this.decodeBody(c.subarray(0, cut), false));
    this.buf = Buffer.from(c.subarray(cut));
    return out;
  }

  /** `cut`, or just after the last line end before it when the body's lines are regular and there is one. */
  private lineCut(d: Buffer, cut: number): number {
    if (this.b64Eol === 0 || cut <= 0) return cut;
    const nl = d.lastIndexOf(10, cut - 1);
    return nl >= 0 ? nl + 1 : cut;
  }

  /**
   * The steady state inside a base64 body of regular lines (b64Width characters and the first line's line
   * end each), where the decoded bytes end on a line end: every whole line of (undecoded ‖ chunk) except
   * the last delimiter's length is decoded — the lines that span the two through a small joined buffer (at
   * most two lines), the rest where they lie —, and what follows the last of them is kept (less than a
   * line and a delimiter). No partial line goes the general way's string surgery at a chunk boundary
   * (a kriptogram's literal data comes in pieces of 64 KiB or less, issue 16). Null when this does not
   * apply; an irregular line hands the rest of the chunk to the general path.
   */
  private bodyLines(c: Buffer): Buffer[] | null {
    if (this.state !== 'body' || !this.partIsBase64 || this.b64Eol === 0 || this.b64carry !== '' || this.b64MidLine || this.bodySkip > 0) {
      return null;
    }
    const w = this.b64Width;
    const len = w + this.b64Eol;
    const keep = this.delimiter.length + 1;
    const t = this.buf;
    if (c.length < keep + len || t.length >= keep + len) return null;
    // a delimiter in the chunk, or one beginning in the undecoded bytes or at the line end before them
    if (c.indexOf(0x2d) >= 0 || t.indexOf(0x2d) >= 0) {
      if (c.includes(this.delimiter) || Buffer.concat([LF, t, c.subarray(0, keep)]).includes(this.delimiter)) return null;
    }
    const lines = Math.floor((t.length + c.length - keep) / len);
    const joinedLines = Math.ceil(t.length / len);
    const out: Buffer[] = [];
    let pos = 0;
    if (joinedLines > 0) {
      pos = joinedLines * len - t.length;
      const joined = Buffer.concat([t, c.subarray(0, pos)]);
      // nothing decoded yet: the general path takes the whole chunk
      if (!this.regularLines(joined, 0, joinedLines) || !this.decodeLines(joined.toString('latin1'), (joinedLines * w * 3) / 4, out)) return null;
    }
    const perSlice = Math.max(1, Math.floor(B64_SLICE / len));
    for (let left = lines - joinedLines; left > 0; ) {
      const n = Math.min(left, perSlice);
      if (!this.regularLines(c, pos, n) || !this.decodeLines(c.toString('latin1', pos, pos + n * len), (n * w * 3) / 4, out)) {
        // an irregular line: the general path takes the chunk from its start
        this.buf = c.subarray(pos);
        return [...this.emit(out), ...this.run(false)];
      }
      pos += n * len;
      left -= n;
    }
    this.buf = Buffer.from(c.subarray(pos));
    return this.emit(out);
  }

  /** `n` lines from `pos` each end where a line of the body's width ends, with the first line's line end. */
  private regularLines(d: Buffer, pos: number, n: number): boolean {
    const w = this.b64Width;
    if (this.b64Eol === 2) {
      for (let i = 0, e = pos + w; i < n; i++, e += w + 2) if (d[e] !== 13 || d[e + 1] !== 10) return false;
    } else {
      for (let i = 0, e = pos + w; i < n; i++, e += w + 1) if (d[e] !== 10) return false;
    }
    return true;
  }

  end(): { tail: Buffer[]; result: EntityResult } {
    const tail = this.state === 'raw' ? [] : this.run(true);
    if (this.state === 'top' || this.state === 'raw') {
      // short content that never completed a header block: it is the document itself
    } else if (this.state !== 'epilogue') {
      throw new MalformedEntityError('entity ends before its closing boundary');
    } else if (!this.haveDocument) {
      throw new MalformedEntityError('no attachment part');
    }
    return {
      tail,
      result: { headers: this.headers, fileName: this.fileName, bytes: this.bytes, protectedHeaders: this.isProtected },
    };
  }

  private emit(chunks: Buffer[]): Buffer[] {
    for (const ch of chunks) this.bytes += ch.length;
    if (this.sink === null) return chunks;
    for (const ch of chunks) {
      for (let o = 0; o < ch.length; o += MAX_SINK_RESERVE) {
        const piece = ch.subarray(o, o + MAX_SINK_RESERVE);
        const t = this.sink.reserve(piece.length);
        t.buf.set(piece, t.off);
        this.sink.commit(piece.length);
      }
    }
    return [];
  }

  private toRaw(): Buffer[] {
    this.state = 'raw';
    const b = this.buf;
    this.buf = Buffer.alloc(0);
    return this.emit(b.length > 0 ? [b] : []);
  }

  private run(final: boolean): Buffer[] {
    const out: Buffer[] = [];
    for (;;) {
      switch (this.state) {
        case 'raw':
          return out;
        case 'top': {
          const end = headerEnd(this.buf);
          if (end === null) {
            if (final || this.buf.length > MAX_HEADER_BYTES || !looksLikeHeaders(this.buf)) return [...out, ...this.toRaw()];
            return out;
          }
          const block = this.buf.subarray(0, end.start).toString('utf8');
          let fields: ParsedHeader[];
          try {
            fields = parseHeaderBlock(block);
          } catch {
            return [...out, ...this.toRaw()];
          }
          const ct = fields.find((f) => f.name === 'content-type');
          const parsed = ct === undefined ? null : parseParams(ct.value);
          const boundary = parsed?.params.get('boundary');
          if (parsed === null || !parsed.value.startsWith('multipart/') || boundary === undefined || boundary === '') {
            return [...out, ...this.toRaw()];
          }
          this.isProtected = parsed.params.get('protected-headers') === 'v1';
          this.readTopHeaders(fields);
          this.boundary = boundary;
          // LF, not CRLF: entities written with bare LF line ends are read too; a CR before it is dropped
          this.delimiter = Buffer.from(`\n--${boundary}`, 'latin1');
          // the first boundary may directly follow the blank line: keep a CRLF in front so one search finds it
          this.buf = Buffer.concat([Buffer.from('\r\n'), this.buf.subarray(end.next)]);
          this.state = 'preamble';
          continue;
        }
        case 'preamble':
        case 'skip':
        case 'body': {
          const at = findDelimiter(this.buf, this.delimiter);
          if (at === null) {
            // keep enough to recognise a delimiter split across chunks
            const keep = Math.min(this.buf.length, this.delimiter.length + 1);
            const cut = this.state === 'body' ? this.lineCut(this.buf, this.buf.length - keep) : this.buf.length - keep;
            const pass = this.buf.subarray(0, cut);
            if (this.state === 'body') out.push(...this.decodeBody(pass, false));
            this.buf = Buffer.from(this.buf.subarray(cut));
            if (final) throw new MalformedEntityError('missing closing boundary');
            return out;
          }
          // a delimiter line: CRLF--boundary followed by "--" (close) or transport padding + CRLF
          const after = at + this.delimiter.length;
          const lineEnd = this.buf.indexOf('\n', after);
          if (lineEnd < 0 && this.buf.length - after < 2) {
            if (final) throw new MalformedEntityError('truncated boundary line');
            return out;
          }
          const isClose = this.buf[after] === 0x2d && this.buf[after + 1] === 0x2d;
          if (!isClose && lineEnd < 0) {
            if (final) throw new MalformedEntityError('truncated boundary line');
            return out;
          }
          if (this.state === 'body') {
            const bodyEnd = at > 0 && this.buf[at - 1] === 0x0d ? at - 1 : at;
            out.push(...this.decodeBody(this.buf.subarray(0, bodyEnd), true));
            this.haveDocument = true;
          }
          if (isClose) {
            this.state = 'epilogue';
            this.buf = Buffer.alloc(0);
            return out;
          }
          // the part's header block starts on the next line; a part with no headers has its blank line there
          this.buf = Buffer.concat([Buffer.from('\r\n'), this.buf.subarray(lineEnd + 1)]);
          this.state = 'partHeaders';
          continue;
        }
        case 'partHeaders': {
          // buf starts with CRLF (ours), so the header block ends at the first empty line after it
          const end = headerEnd(this.buf);
          if (end === null) {
            if (this.buf.length > MAX_HEADER_BYTES) throw new MalformedEntityError('part header too long');
            if (final) throw new MalformedEntityError('truncated part header');
            return out;
          }
          const fields = parseHeaderBlock(this.buf.subarray(0, end.start).toString('utf8'));
          // the body starts right after the blank line; prepend CRLF so an empty body still meets its delimiter
          this.buf = Buffer.concat([Buffer.from('\r\n'), this.buf.subarray(end.next)]);
          this.state = this.startPart(fields) ? 'body' : 'skip';
          // the CRLF we prepended only serves the delimiter search; it is not body content
          this.bodySkip = 2;
          continue;
        }
        case 'epilogue':
          this.buf = Buffer.alloc(0);
          return out;
      }
    }
  }

  private bodySkip = 0;

  /** true when this part is the document */
  private startPart(fields: ParsedHeader[]): boolean {
    if (this.haveDocument) return false;
    const cd = fields.find((f) => f.name === 'content-disposition');
    const ct = fields.find((f) => f.name === 'content-type');
    const disp = cd === undefined ? null : parseParams(cd.value);
    const type = ct === undefined ? null : parseParams(ct.value);
    const name = disp?.params.get('filename') ?? type?.params.get('name');
    const isAttachment = disp?.value === 'attachment' || name !== undefined;
    if (!isAttachment) return false;
    const cte = (fields.find((f) => f.name === 'content-transfer-encoding')?.value ?? '7bit').trim().toLowerCase();
    if (cte === 'base64') this.partIsBase64 = true;
    else if (cte === '7bit' || cte === '8bit' || cte === 'binary') this.partIsBase64 = false;
    else throw new MalformedEntityError(`unsupported Content-Transfer-Encoding ${cte}`);
    if (name !== undefined) this.fileName = safeFileName(decodeHeaderValue(name), this.fallbackName);
    return true;
  }

  private decodeBody(data: Buffer, last: boolean): Buffer[] {
    let d = data;
    if (this.bodySkip > 0) {
      const n = Math.min(this.bodySkip, d.length);
      d = d.subarray(n);
      this.bodySkip -= n;
    }
    if (!this.partIsBase64) return this.emit(d.length > 0 ? [Buffer.from(d)] : []);
    const out: Buffer[] = [];
    let pos = 0;
    if (this.b64MidLine || this.b64Width === 0) {
      // finish the line begun in an earlier chunk (or read the first line, which sets the line width) slowly
      const nl = d.indexOf(10);
      if (nl < 0) {
        this.decodeSlow(d, 0, d.length, last, out);
        if (d.length > 0) this.b64MidLine = true;
        return this.emit(out);
      }
      if (this.b64Width === 0) {
        const w = nl > 0 && d[nl - 1] === 13 ? nl - 1 : nl;
        // only lines of whole 4-character quanta can be decoded line by line
        this.b64Width = this.b64MidLine || w === 0 || w % 4 !== 0 ? -1 : w;
        if (this.b64Width > 0) this.b64Eol = nl - w + 1;
      }
      this.decodeSlow(d, 0, nl + 1, last && nl + 1 === d.length, out);
      this.b64MidLine = false;
      pos = nl + 1;
    }
    const w = this.b64Width;
    if (w > 0 && this.b64carry === '') {
      // fast path: a run of complete lines of the usual width (CRLF or LF), decoded where it lies by
      // Buffer's native decoder (which skips the line breaks), with no string surgery
      // (slices end on line ends, so no 4-character quantum is split between two slices)
      // A slice decoding to exactly 3/4 of its lines' width held only base64 characters where expected
      // (no break inside a "line", no padding, nothing skipped); anything else goes the general way.
      let end = pos;
      let lines = 0;
      for (;;) {
        const before = end;
        if (end + w + 2 <= d.length && d[end + w] === 13 && d[end + w + 1] === 10) end += w + 2;
        else if (end + w + 1 <= d.length && d[end + w] === 10) end += w + 1;
        if (end !== before) lines++;
        if (end > pos && (end === before || end - pos >= B64_SLICE)) {
          const expected = (lines * w * 3) / 4;
          if (!this.decodeLines(d.toString('latin1', pos, end), expected, out)) {
            this.decodeSlow(d, pos, end, false, out);
            pos = end;
            break;
          }
          pos = end;
          lines = 0;
        }
        if (end === before) break;
      }
    }
    this.decodeSlow(d, pos, d.length, last, out);
    if (pos < d.length) this.b64MidLine = d[d.length - 1] !== 10;
    return this.emit(out);
  }

  /**
   * Decode a run of whole lines expected to give exactly `expected` bytes — into the sink when there is
   * one (counted here: it bypasses emit), else onto `out` — and report whether it did; if not, nothing was
   * produced (bytes written into the sink's free space but not committed do not count).
   */
  private decodeLines(text: string, expected: number, out: Buffer[]): boolean {
    if (this.sink === null || expected + 1 > MAX_SINK_RESERVE) {
      const decoded = Buffer.from(text, 'base64');
      if (decoded.length !== expected) return false;
      out.push(decoded);
      return true;
    }
    // what the general path produced before goes first, so the document stays in order
    if (out.length > 0) this.emit(out.splice(0));
    // one byte of room more than expected, so a slice that would decode to more is recognised as irregular
    const t = this.sink.reserve(expected + 1);
    if (t.buf.write(text, t.off, expected + 1, 'base64') !== expected) return false;
    this.sink.commit(expected);
    this.bytes += expected;
    return true;
  }

  /**
   * The general base64 path: decode whole 4-character quanta only and carry the rest; in slices small
   * enough that the strings stay in V8's young generation (see B64_SLICE).
   */
  private decodeSlow(d: Buffer, from: number, to: number, last: boolean, out: Buffer[]): void {
    for (let s = from; s < to || (last && s === from); s += B64_SLICE) {
      const end = Math.min(to, s + B64_SLICE);
      const final = last && end === to;
      let text = this.b64carry + d.toString('latin1', s, end);
      if (text.includes('\r') || text.includes('\n')) text = text.replace(/[\r\n]+/g, '');
      const whole = final ? text.length : text.length - (text.length % 4);
      this.b64carry = final ? '' : text.slice(whole);
      const decoded = Buffer.from(text.slice(0, whole), 'base64');
      if (decoded.length > 0) out.push(decoded);
      if (to === from) break;
    }
  }

  private readTopHeaders(fields: ParsedHeader[]): void {
    const headers: ProtectedHeaders = { subject: '' };
    for (const f of fields) {
      const v = decodeHeaderValue(f.value.trim());
      if (f.name === 'subject') headers.subject = v;
      else if (f.name === HEADER_NOMOR.toLowerCase()) headers.registerNumber = v;
      else if (f.name === HEADER_SIFAT.toLowerCase()) {
        const known = CLASSIFICATIONS.find((c) => c.toLowerCase() === v.toLowerCase());
        if (known !== undefined) headers.classification = known;
        else headers['sifat'] = v;
      } else if (f.name.startsWith(HEADER_EXTRA_PREFIX.toLowerCase())) {
        const key = f.rawName.slice(HEADER_EXTRA_PREFIX.length);
        if (EXTRA_KEY.test(key) && !['subject', 'registerNumber', 'classification'].includes(key)) headers[key] = v;
      }
    }
    this.headers = headers;
  }
}

/** End of a header block: the first empty line (CRLF CRLF or LF LF). */
function headerEnd(buf: Buffer): { start: number; next: number } | null {
  const a = buf.indexOf('\r\n\r\n');
  const b = buf.indexOf('\n\n');
  if (a < 0 && b < 0) return null;
  if (a >= 0 && (b < 0 || a + 1 <= b)) return { start: a, next: a + 4 };
  return { start: b, next: b + 2 };
}

/** Could this still become a header block? Used to give up early on binary content (a PDF, a ZIP). */
function looksLikeHeaders(buf: Buffer): boolean {
  const firstLine = buf.subarray(0, Math.min(buf.length, 200)).toString('latin1').split(/\r?\n/)[0] ?? '';
  if (buf.length < 3 && !buf.includes(0x0a)) return /^[!-9;-~]*$/.test(firstLine);
  return /^[!-9;-~]+(:|$)/.test(firstLine);
}

function findDelimiter(buf: Buffer, delimiter: Buffer): number | null {
  const at = buf.indexOf(delimiter);
  return at < 0 ? null : at;
}
