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

/** `b64` decoded by Buffer's native base64 decoder into the scratch buffer (or one of its own): its bytes. */
function decodeBase64(b64: string): Buffer {
  const room = Math.ceil(b64.length / 4) * 3 + 3;
  let into = scratch;
  if (into.length < room) {
    into = Buffer.allocUnsafeSlow(room);
    if (room <= SCRATCH_KEPT) scratch = into;
  }
  // the same bytes as Buffer.from(b64, 'base64'), written into place
  return into.subarray(0, into.write(b64, 0, 'base64'));
}

const sha256Of = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

/**
 * The line breaks of s[start, end) when they are all where lines of one length put them (the last line may
 * be shorter; CRLF or LF throughout), else -1. A line break it does not see (an odd one inside a line) is not
 * counted, so the size check in cleanBase64 fails for it.
 */
function regularBreaks(s: string, start: number, end: number): number {
  const first = s.indexOf('\n', start);
  if (first < 0 || first >= end) {
    const cr = s.indexOf('\r', start);
    return cr >= 0 && cr < end ? -1 : 0;
  }
  const eol = first > start && s.charCodeAt(first - 1) === 13 ? 2 : 1;
  const line = first + 1 - start;
  if (line <= eol) return -1;
  let breaks = 0;
  let pos = start;
  for (; pos + line <= end; pos += line) {
    if (s.charCodeAt(pos + line - 1) !== 10 || (eol === 2 && s.charCodeAt(pos + line - 2) !== 13)) return -1;
    breaks += eol;
  }
  if (pos === end) return breaks;
  // the last line, shorter: ends at `end`, or with its line break right before `end`
  const lf = s.indexOf('\n', pos);
  if (lf < 0 || lf >= end) return breaks;
  if (lf !== end - 1 || (eol === 2 && s.charCodeAt(lf - 1) !== 13)) return -1;
  return breaks + eol;
}

/**
 * The size and SHA-256 of the base64 body s[start, end) when it is clean (only base64 characters and line
 * breaks, padding at the end: what CLEAN_BASE64 says), else null. Fast path, for the usual body of equal
 * lines: its characters between the line breaks, less the padding, must decode to exactly 3/4 of their
 * number (Buffer's decoder leaves out anything that is not base64 — spaces, stray breaks, '=' inside, other
 * bytes — so any of them changes the size; '-' and '_', which it takes as base64url, are looked for). Any
 * body it is not sure of goes through the regular expression as before (issue 16: the expression over every
 * attachment was 0.26 s of the parse thread's 3.5 s for the 1,000 bench messages).
 */
export function cleanBase64(s: string, start: number, end: number): { size: number; sha256: string } | null {
  const b64 = s.slice(start, end);
  const breaks = regularBreaks(s, start, end);
  if (breaks >= 0) {
    const chars = end - start - breaks;
    let pad = 0;
    for (let i = end - 1; i >= start && pad <= 2; i--) {
      const c = s.charCodeAt(i);
      if (c === 10 || c === 13) continue;
      if (c !== 61) break;
      pad++;
    }
    if (chars % 4 === 0 && pad <= 2 && b64.indexOf('-') < 0 && b64.indexOf('_') < 0) {
      const bytes = decodeBase64(b64);
      if (bytes.length === (chars / 4) * 3 - pad) return { size: bytes.length, sha256: sha256Of(bytes) };
    }
  }
  if (!CLEAN_BASE64.test(b64)) return null;
  const bytes = decodeBase64(b64);
  return { size: bytes.length, sha256: sha256Of(bytes) };
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
  // latin1: one char per byte, so string offsets are byte offsets
  const s = raw.toString('latin1');
  const ranges: Body[] = [];
  walk(s, 0, s.length, 0, ranges);
  if (ranges.length === 0) return null;
  const nonce = randomBytes(12).toString('hex');
  const pieces: Buffer[] = [];
  const parts: DecodedPart[] = [];
  let at = 0;
  for (const [i, r] of ranges.entries()) {
    const b64 = s.slice(r.start, r.end);
    const marker = Buffer.from(`sandi-lampiran-${nonce}-${i}`);
    parts.push({ marker, content: () => Buffer.from(b64, 'base64'), size: r.size, sha256: r.sha256 });
    pieces.push(raw.subarray(at, r.start), Buffer.from(marker.toString('base64')));
    at = r.end;
  }
  pieces.push(raw.subarray(at));
  return { raw: Buffer.concat(pieces), parts };
}

/** The part s[start, end): a leaf taken into `out`, a multipart walked into. */
function walk(s: string, start: number, end: number, depth: number, out: Body[]): void {
  if (depth > MAX_DEPTH) return;
  // the header block ends at the first empty line (a part may start with one: no header at all)
  let bodyStart: number;
  let block: string;
  if (s.startsWith('\r\n', start)) [block, bodyStart] = ['', start + 2];
  else if (s.startsWith('\n', start)) [block, bodyStart] = ['', start + 1];
  else {
    const re = /\r?\n\r?\n/g;
    re.lastIndex = start;
    const m = re.exec(s);
    if (m === null || m.index >= end) return;
    block = s.slice(start, m.index);
    bodyStart = m.index + m[0].length;
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
    for (const p of partsOf(s, bodyStart, end, boundary)) walk(s, p.start, p.end, depth + 1, out);
    return;
  }
  if (type.startsWith('text/') || type.startsWith('message/') || h.cte !== 'base64') return;
  if (bodyStart >= end) return;
  const clean = cleanBase64(s, bodyStart, end);
  if (clean === null) return;
  out.push({ start: bodyStart, end, ...clean });
}

/**
 * The parts between the delimiter lines of `boundary` in s[start, end); the line break in front of a
 * delimiter belongs to it. Empty when the closing delimiter is missing (a broken message: left to mailparser).
 */
function partsOf(s: string, start: number, end: number, boundary: string): { start: number; end: number }[] {
  const delim = `--${boundary}`;
  const lines: { lineStart: number; contentEnd: number; next: number; close: boolean }[] = [];
  let from = start;
  for (;;) {
    const i = s.indexOf(delim, from);
    if (i < 0 || i >= end) break;
    from = i + delim.length;
    const atLineStart = i === start || s[i - 1] === '\n';
    if (!atLineStart) continue;
    // what follows the boundary: "--" (closing), then only SP/HTAB up to the line's end
    let j = i + delim.length;
    const close = s.startsWith('--', j);
    if (close) j += 2;
    const eol = s.indexOf('\n', j);
    const lineEnd = eol < 0 || eol >= end ? end : eol;
    if (!/^[ \t]*\r?$/.test(s.slice(j, lineEnd))) continue;
    const contentEnd = i === start ? i : s[i - 2] === '\r' ? i - 2 : i - 1;
    lines.push({ lineStart: i, contentEnd, next: lineEnd < end ? lineEnd + 1 : end, close });
    if (close) break;
  }
  const closing = lines[lines.length - 1];
  if (closing === undefined || !closing.close) return [];
  const out: { start: number; end: number }[] = [];
  for (let k = 0; k + 1 < lines.length; k++) out.push({ start: (lines[k] as { next: number }).next, end: (lines[k + 1] as { contentEnd: number }).contentEnd });
  return out;
}
