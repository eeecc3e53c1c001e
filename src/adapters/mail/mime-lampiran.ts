/**
 * A structure-only pass over a raw message held whole: finds the base64 bodies of its attachment parts
 * (leaf parts whose type is neither text/*, multipart/* nor message/*) with native string searches, decodes
 * each with Buffer's native base64 decoder (into a buffer reused from one attachment to the next) and hashes
 * it, and gives back the message with each such body
 * replaced by a short marker. mailparser then reads only that small message (headers, text parts, file
 * names); the attachments' size and SHA-256 come from here. Measured (issue 16): mailparser decoded every
 * attachment with a regex over each chunk and a JS line splitter over every byte, about 2.5 CPU-s of the
 * parse thread's 5 for 1,000 messages / 212 MiB.
 *
 * Conservative by design: a part is taken only when it is plainly what it looks like (one Content-Type and
 * one Content-Transfer-Encoding header, a plain boundary parameter, a body of nothing but base64 characters);
 * anything else stays in the message for mailparser to decode as before. The caller checks that mailparser
 * found every marker as an attachment of its own, and parses the original message when it did not.
 */
import { createHash, randomBytes } from 'node:crypto';

export interface DecodedPart {
  /** the marker's decoded bytes (what mailparser reports as the attachment's content) */
  marker: Buffer;
  /** the decoded bytes, decoded again on each call (wanted only for a PDF whose letter number is looked for) */
  content(): Buffer;
  size: number;
  sha256: string;
}

/**
 * Where attachments are decoded to be hashed: one buffer per thread, reused (a fresh buffer per attachment,
 * ~140 MB per 1,000 bench messages, drove most of the parse thread's full collections, issue 16); kept up to
 * this size, a larger attachment gets a buffer of its own.
 */
const SCRATCH_KEPT = 16 * 1024 * 1024;
let scratch = Buffer.allocUnsafeSlow(0);

/** The scratch buffer (or one of its own) with room for the bytes of `chars` base64 characters. */
function roomFor(chars: number): Buffer {
  const room = Math.ceil(chars / 4) * 3 + 3;
  if (scratch.length >= room) return scratch;
  const into = Buffer.allocUnsafeSlow(room);
  if (room <= SCRATCH_KEPT) scratch = into;
  return into;
}

const sha256Of = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

/**
 * The line breaks of raw[start, end) when they are all where lines of one length put them (the last line may
 * be shorter; CRLF or LF throughout), and that length (line break included), else null. A line break it does
 * not see (an odd one inside a line) is not counted, so the size check in cleanBase64 fails for it.
 */
function regularBreaks(raw: Buffer, start: number, end: number): { breaks: number; line: number; eol: number } | null {
  const first = raw.indexOf(10, start);
  if (first < 0 || first >= end) {
    const cr = raw.indexOf(13, start);
    return cr >= 0 && cr < end ? null : { breaks: 0, line: end - start, eol: 0 };
  }
  const eol = first > start && raw[first - 1] === 13 ? 2 : 1;
  const line = first + 1 - start;
  if (line <= eol) return null;
  let breaks = 0;
  let pos = start;
  for (; pos + line <= end; pos += line) {
    if (raw[pos + line - 1] !== 10 || (eol === 2 && raw[pos + line - 2] !== 13)) return null;
    breaks += eol;
  }
  if (pos === end) return { breaks, line, eol };
  // the last line, shorter: ends at `end`, or with its line break right before `end`
  const lf = raw.indexOf(10, pos);
  if (lf < 0 || lf >= end) return { breaks, line, eol };
  if (lf !== end - 1 || (eol === 2 && raw[lf - 1] !== 13)) return null;
  return { breaks: breaks + eol, line, eol };
}

/** whether raw[start, end) holds the byte `b` */
const holds = (raw: Buffer, b: number, start: number, end: number): boolean => {
  const i = raw.indexOf(b, start);
  return i >= 0 && i < end;
};

/**
 * Base64 characters decoded per string: whole lines of about this many bytes, so each string is short-lived
 * in V8's young generation (a string of a whole message or body lands in large-object space and is only
 * freed by a full collection).
 */
const DECODE_CHUNK = 96 * 1024;

/**
 * The size and SHA-256 of the base64 body raw[start, end) when it is clean (only base64 characters and line
 * breaks, padding at the end: what CLEAN_BASE64 says), else null. Fast path, for the usual body of equal
 * lines: its characters between the line breaks, less the padding, must decode to exactly 3/4 of their
 * number (Buffer's decoder leaves out anything that is not base64 — spaces, stray breaks, '=' inside, other
 * bytes — so any of them changes the size; '-' and '_', which it takes as base64url, are looked for). Lines
 * whose length is a multiple of 4 are decoded a chunk of whole lines at a time (each chunk a whole number
 * of base64 quanta). Any body it is not sure of goes through the regular expression as before (issue 16:
 * the expression over every attachment was 0.26 s of the parse thread's 3.5 s for the 1,000 bench messages;
 * a latin1 string of every whole message, most of the rest of its garbage). `chunk` only for tests.
 */
export function cleanBase64(raw: Buffer, start: number, end: number, chunk = DECODE_CHUNK): { size: number; sha256: string } | null {
  const lines = regularBreaks(raw, start, end);
  if (lines !== null) {
    const chars = end - start - lines.breaks;
    let pad = 0;
    for (let i = end - 1; i >= start && pad <= 2; i--) {
      const c = raw[i]!;
      if (c === 10 || c === 13) continue;
      if (c !== 61) break;
      pad++;
    }
    if (chars % 4 === 0 && pad <= 2 && !holds(raw, 45, start, end) && !holds(raw, 95, start, end)) {
      const into = roomFor(end - start);
      let size = 0;
      const step = (lines.line - lines.eol) % 4 === 0 ? Math.max(1, Math.floor(chunk / lines.line)) * lines.line : end - start;
      for (let at = start; at < end; at += step) size += into.write(raw.toString('latin1', at, Math.min(end, at + step)), size, 'base64');
      if (size === (chars / 4) * 3 - pad) return { size, sha256: sha256Of(into.subarray(0, size)) };
    }
  }
  const b64 = raw.toString('latin1', start, end);
  if (!CLEAN_BASE64.test(b64)) return null;
  const into = roomFor(b64.length);
  // the same bytes as Buffer.from(b64, 'base64'), written into place
  const size = into.write(b64, 0, 'base64');
  return { size, sha256: sha256Of(into.subarray(0, size)) };
}

export interface Reduced {
  /** the message with each taken body replaced by its marker */
  raw: Buffer;
  parts: DecodedPart[];
}

/** A base64 body taken: where it is in the message, its decoded size and SHA-256. */
interface Body {
  start: number;
  end: number;
  size: number;
  sha256: string;
}

/** only base64 characters and line breaks, padding at the end */
const CLEAN_BASE64 = /^[A-Za-z0-9+/\r\n]*(?:=[\r\n]*){0,2}$/;
/** deeper than this, the rest is left to mailparser */
const MAX_DEPTH = 12;

interface Header {
  contentType: string | null;
  /** how many Content-Type / Content-Transfer-Encoding fields the part has */
  ctCount: number;
  cteCount: number;
  cte: string | null;
}

/** The fields this pass needs from a header block (unfolded). */
function readHeader(block: string): Header {
  const h: Header = { contentType: null, ctCount: 0, cteCount: 0, cte: null };
  const unfolded = block.replace(/\r?\n[ \t]/g, ' ');
  for (const line of unfolded.split(/\r?\n/)) {
    const m = /^([A-Za-z0-9-]+)[ \t]*:(.*)$/.exec(line);
    if (!m) continue;
    const key = (m[1] as string).toLowerCase();
    const value = (m[2] as string).trim();
    if (key === 'content-type') {
      h.ctCount++;
      h.contentType = value;
    } else if (key === 'content-transfer-encoding') {
      h.cteCount++;
      h.cte = value.toLowerCase();
    }
  }
  return h;
}

/**
 * The message `raw` with the base64 bodies of its attachment parts replaced by markers, or null when there
 * is nothing to take (then mailparser reads the message as it is).
 */
export function reduceAttachments(raw: Buffer): Reduced | null {
  // read as bytes (offsets are byte offsets); only header blocks and delimiter lines become strings
  const ranges: Body[] = [];
  walk(raw, 0, raw.length, 0, ranges);
  if (ranges.length === 0) return null;
  const nonce = randomBytes(12).toString('hex');
  const pieces: Buffer[] = [];
  const parts: DecodedPart[] = [];
  let at = 0;
  for (const [i, r] of ranges.entries()) {
    const marker = Buffer.from(`sandi-lampiran-${nonce}-${i}`);
    parts.push({ marker, content: () => Buffer.from(raw.toString('latin1', r.start, r.end), 'base64'), size: r.size, sha256: r.sha256 });
    pieces.push(raw.subarray(at, r.start), Buffer.from(marker.toString('base64')));
    at = r.end;
  }
  pieces.push(raw.subarray(at));
  return { raw: Buffer.concat(pieces), parts };
}

/**
 * Where the header block that starts at `start` ends: [its end, where the body starts], the first empty line
 * (what /\r?\n\r?\n/ finds from `start`), or null when there is none.
 */
function headerEnd(raw: Buffer, start: number): [number, number] | null {
  for (let i = raw.indexOf(10, start); i >= 0; i = raw.indexOf(10, i + 1)) {
    const next = raw[i + 1] === 10 ? i + 2 : raw[i + 1] === 13 && raw[i + 2] === 10 ? i + 3 : -1;
    if (next < 0) continue;
    return [i > start && raw[i - 1] === 13 ? i - 1 : i, next];
  }
  return null;
}

/** The part raw[start, end): a leaf taken into `out`, a multipart walked into. */
function walk(raw: Buffer, start: number, end: number, depth: number, out: Body[]): void {
  if (depth > MAX_DEPTH) return;
  // the header block ends at the first empty line (a part may start with one: no header at all)
  let bodyStart: number;
  let block: string;
  if (raw[start] === 13 && raw[start + 1] === 10) [block, bodyStart] = ['', start + 2];
  else if (raw[start] === 10) [block, bodyStart] = ['', start + 1];
  else {
    const m = headerEnd(raw, start);
    if (m === null || m[0] >= end) return;
    block = raw.toString('latin1', start, m[0]);
    bodyStart = m[1];
  }
  if (bodyStart > end) return;
  const h = readHeader(block);
  if (h.ctCount !== 1 || h.contentType === null || h.cteCount > 1) return;
  const ct = h.contentType;
  const type = (ct.split(';')[0] ?? '').trim().toLowerCase();
  if (!/^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+$/.test(type)) return;
  if (type.startsWith('multipart/')) {
    // a plain boundary parameter only (no RFC 2231 parts, comments or escapes)
    if (/[()\\]|\*=|\*\d/.test(ct)) return;
    const b = /;\s*boundary\s*=\s*(?:"([^"]+)"|([^\s;"]+))/i.exec(ct);
    const boundary = b?.[1] ?? b?.[2];
    if (boundary === undefined || boundary.length > 200) return;
    for (const p of partsOf(raw, bodyStart, end, boundary)) walk(raw, p.start, p.end, depth + 1, out);
    return;
  }
  if (type.startsWith('text/') || type.startsWith('message/') || h.cte !== 'base64') return;
  if (bodyStart >= end) return;
  const clean = cleanBase64(raw, bodyStart, end);
  if (clean === null) return;
  out.push({ start: bodyStart, end, ...clean });
}

/**
 * The parts between the delimiter lines of `boundary` in raw[start, end); the line break in front of a
 * delimiter belongs to it. Empty when the closing delimiter is missing (a broken message: left to mailparser).
 */
function partsOf(raw: Buffer, start: number, end: number, boundary: string): { start: number; end: number }[] {
  // the boundary was read from the header as latin1: the same bytes
  const delim = Buffer.from(`--${boundary}`, 'latin1');
  const lines: { lineStart: number; contentEnd: number; next: number; close: boolean }[] = [];
  let from = start;
  for (;;) {
    const i = raw.indexOf(delim, from);
    if (i < 0 || i >= end) break;
    from = i + delim.length;
    const atLineStart = i === start || raw[i - 1] === 10;
    if (!atLineStart) continue;
    // what follows the boundary: "--" (closing), then only SP/HTAB up to the line's end
    let j = i + delim.length;
    const close = raw[j] === 45 && raw[j + 1] === 45;
    if (close) j += 2;
    const eol = raw.indexOf(10, j);
    const lineEnd = eol < 0 || eol >= end ? end : eol;
    if (!/^[ \t]*\r?$/.test(raw.toString('latin1', j, Math.max(j, lineEnd)))) continue;
    const contentEnd = i === start ? i : raw[i - 2] === 13 ? i - 2 : i - 1;
    lines.push({ lineStart: i, contentEnd, next: lineEnd < end ? lineEnd + 1 : end, close });
    if (close) break;
  }
  const closing = lines[lines.length - 1];
  if (closing === undefined || !closing.close) return [];
  const out: { start: number; end: number }[] = [];
  for (let k = 0; k + 1 < lines.length; k++) out.push({ start: (lines[k] as { next: number }).next, end: (lines[k + 1] as { contentEnd: number }).contentEnd });
  return out;
}
