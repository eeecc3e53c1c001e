/**
 * Reading an incoming message (mailparser) for the incoming register: sender, addressees, cc, subject,
 * date, Message-ID, text, attachments (name, type, size, SHA-256). Damaged messages never throw: what could
 * be read is returned with warnings (catalog keys), so the run registers them and goes on.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { simpleParser, type AddressObject, type ParsedMail } from 'mailparser';
import { bareAddress, findLetterNumber } from '../../domain/terima.js';
import { reduceAttachments, type Reduced } from './mime-lampiran.js';
import type { ParsedAttachment, ParsedIncoming } from '../../ports/terima.js';
export type { ParsedAttachment, ParsedIncoming } from '../../ports/terima.js';

function addresses(a: AddressObject | AddressObject[] | undefined): string[] {
  if (!a) return [];
  const list = Array.isArray(a) ? a : [a];
  const out: string[] = [];
  for (const obj of list) {
    for (const v of obj.value) {
      if (v.group) for (const g of v.group) out.push(g.name ? `${g.name} <${g.address ?? ''}>` : (g.address ?? ''));
      else if (v.address) out.push(v.name ? `${v.name} <${v.address}>` : v.address);
      else if (v.name) out.push(v.name);
    }
  }
  return out.filter((s) => s.length > 0);
}

/** A multipart message whose closing boundary never comes was cut off or is broken. */
function brokenMultipart(head: Buffer, mail: ParsedMail): boolean {
  const ct = mail.headers.get('content-type') as { value?: string; params?: Record<string, string> } | undefined;
  const boundary = ct?.params?.['boundary'];
  if (!ct?.value?.toLowerCase().startsWith('multipart/') || !boundary) return false;
  return !head.includes(Buffer.from(`--${boundary}--`));
}

/**
 * What to keep of PDF attachments' bytes: all (`true`, for printing), none, or — for a fetch, which reads a
 * PDF only for the letter number its text parts lack — only when the text parts have no letter number.
 */
export type KeepPdf = boolean | 'unlessNumbered';

/**
 * Parse a raw message. `keepPdf` keeps the bytes of PDF attachments (see KeepPdf); other attachment bytes
 * are hashed and dropped. `tail` is the last few KB of the raw message (to check the closing boundary).
 */
export async function parseIncoming(
  raw: Readable | Buffer,
  opts: { keepPdf?: KeepPdf; tail?: Buffer; /** a Buffer's SHA-256 into rawSha256 */ hashRaw?: boolean; /** for tests: mailparser decodes every attachment */ full?: boolean } = {},
): Promise<ParsedIncoming> {
  const rawSha256 = opts.hashRaw === true && Buffer.isBuffer(raw) ? createHash('sha256').update(raw).digest('hex') : undefined;
  const parsed = await parseWithParser(raw, opts);
  return rawSha256 === undefined ? keepNul(parsed) : { ...keepNul(parsed), rawSha256 };
}

/** Up to this size an archived message is read whole (one read, then the structure-only pass); larger ones are streamed. */
const WHOLE_FILE = 64 * 1024 * 1024;

/** Parse an archived message from its file (read whole when it is not huge, else streamed). */
export async function parseIncomingFile(path: string, opts: { keepPdf?: KeepPdf; tail?: Buffer } = {}): Promise<ParsedIncoming> {
  const { size } = await stat(path);
  return parseIncoming(size <= WHOLE_FILE ? await readFile(path) : createReadStream(path), opts);
}

/** The first bytes of a message kept aside while it is parsed: its header, to read when the parser cannot. */
const HEAD_BYTES = 64 * 1024;

const PARSER_OPTIONS = { checksumAlgo: 'sha256', skipImageLinks: true, skipTextLinks: true, skipTextToHtml: true } as const;

/**
 * mailparser on the message with its base64 attachment bodies taken out (mime-lampiran.ts), those decoded
 * and hashed natively. The original is parsed whole when the pass took nothing, or when mailparser did not
 * find each marker as an attachment of its own (the two read the structure differently: mailparser's
 * reading counts). Null: parse the original.
 */
async function parseReduced(reduced: Reduced): Promise<{ mail: ParsedMail; taken: Map<number, Reduced['parts'][number]> } | null> {
  let mail: ParsedMail;
  try {
    mail = await simpleParser(reduced.raw, PARSER_OPTIONS);
  } catch {
    return null;
  }
  const byMarker = new Map(reduced.parts.map((p) => [p.marker.toString('latin1'), p]));
  const taken = new Map<number, Reduced['parts'][number]>();
  for (const [i, a] of mail.attachments.entries()) {
    if (a.content.length > 64) continue; // a marker is ~40 bytes
    const p = byMarker.get(a.content.toString('latin1'));
    if (p === undefined) continue;
    byMarker.delete(p.marker.toString('latin1'));
    taken.set(i, p);
  }
  if (byMarker.size > 0) return null;
  return { mail, taken };
}

async function parseWithParser(raw: Readable | Buffer, opts: { keepPdf?: KeepPdf; tail?: Buffer; full?: boolean }): Promise<ParsedIncoming> {
  const warnings: string[] = [];
  let mail: ParsedMail;
  // the header as the raw bytes say it (the parser may fail, or drop a field it cannot read)
  let head: Buffer = Buffer.isBuffer(raw) ? raw.subarray(0, HEAD_BYTES) : Buffer.alloc(0);
  // attachments whose bodies the structure-only pass decoded, by their index in mail.attachments
  let taken = new Map<number, Reduced['parts'][number]>();
  const reduced = Buffer.isBuffer(raw) && opts.full !== true ? reduceAttachments(raw) : null;
  const fast = reduced !== null ? await parseReduced(reduced) : null;
  if (fast !== null) taken = fast.taken;
  // piped into the parser first (synchronously, inside simpleParser): a second 'data' listener then sees
  // the same chunks without taking any from the parser
  const parsing = fast !== null ? Promise.resolve(fast.mail) : simpleParser(raw, PARSER_OPTIONS);
  if (!Buffer.isBuffer(raw)) {
    const chunks: Buffer[] = [];
    let n = 0;
    const onData = (c: Buffer | string): void => {
      if (n >= HEAD_BYTES) return;
      const b = typeof c === 'string' ? Buffer.from(c) : c;
      chunks.push(b.subarray(0, HEAD_BYTES - n));
      n += Math.min(b.length, HEAD_BYTES - n);
      head = Buffer.concat(chunks);
    };
    raw.on('data', onData);
  }
  try {
    mail = await parsing;
  } catch {
    if (raw instanceof Readable) raw.destroy();
    // what the raw header says is kept: a message that cannot be parsed is still found by its Message-ID
    const h = rawHeaderFields(head);
    const messageId = h.messageId;
    return {
      from: h.from,
      to: splitAddressList(h.to),
      cc: splitAddressList(h.cc),
      subject: h.subject,
      date: null,
      messageId,
      text: null,
      html: false,
      attachments: [],
      pgp: false,
      warnings: ['terima.w.unparsable', ...(messageId === null ? ['terima.w.noMessageId'] : [])],
    };
  }
  const from = addresses(mail.from)[0] ?? null;
  if (from === null) warnings.push('terima.w.noFrom');
  const messageId = typeof mail.messageId === 'string' && mail.messageId.length > 0 ? mail.messageId : rawHeaderFields(head).messageId;
  if (messageId === null) warnings.push('terima.w.noMessageId');
  // mailparser puts the moment of parsing in place of a Date header it cannot read: take that as no date
  const dateLine = mail.headerLines.find((h) => h.key === 'date')?.line.replace(/^date\s*:\s*/i, '');
  const dateReadable = dateLine !== undefined && !Number.isNaN(new Date(dateLine.replace(/\s+/g, ' ').trim()).getTime());
  if (!mail.headers.has('date')) warnings.push('terima.w.noDate');
  else if (!dateReadable) warnings.push('terima.w.badDate');
  const html = typeof mail.html === 'string' && mail.html.length > 0;
  const text = (typeof mail.text === 'string' && mail.text.trim().length > 0 ? mail.text : null) ?? null;
  if ((text ?? '').includes('\uFFFD') || (mail.subject ?? '').includes('\uFFFD')) warnings.push('terima.w.charset');
  if (opts.tail !== undefined ? brokenMultipart(opts.tail, mail) : Buffer.isBuffer(raw) && brokenMultipart(raw.subarray(-8192), mail)) warnings.push('terima.w.brokenMime');
  // the text as the caller will see it (keepNul) is the text the letter number is looked for in
  const keepPdf = opts.keepPdf === 'unlessNumbered' ? findLetterNumber(text?.replace(/\u0000/g, '\uFFFD')).nomorSurat === null : opts.keepPdf === true;
  const attachments: ParsedAttachment[] = mail.attachments.map((a, i) => {
    const type = (a.contentType || 'application/octet-stream').toLowerCase();
    const name = a.filename ?? `lampiran-${i + 1}`;
    const isPdf = type === 'application/pdf' || /\.pdf$/i.test(name);
    const decoded = taken.get(i);
    if (decoded !== undefined) {
      const att: ParsedAttachment = { name, type, size: decoded.size, sha256: decoded.sha256 };
      if (keepPdf && isPdf) att.content = decoded.content();
      return att;
    }
    const att: ParsedAttachment = {
      name,
      type,
      size: a.size ?? a.content.length,
      sha256: typeof a.checksum === 'string' && a.checksum.length === 64 ? a.checksum : createHash('sha256').update(a.content).digest('hex'),
    };
    if (keepPdf && isPdf) att.content = a.content;
    return att;
  });
  const rootType = (mail.headers.get('content-type') as { value?: string } | undefined)?.value?.toLowerCase() ?? '';
  const pgp =
    rootType === 'multipart/encrypted' ||
    attachments.some((a) => a.type === 'application/pgp-encrypted') ||
    (text ?? '').includes('-----BEGIN PGP MESSAGE-----');
  return {
    from,
    to: addresses(mail.to),
    cc: addresses(mail.cc),
    subject: mail.subject ?? null,
    date: dateReadable && mail.date instanceof Date && !Number.isNaN(mail.date.getTime()) ? mail.date : null,
    messageId,
    text,
    html,
    attachments,
    pgp,
    warnings,
  };
}

// a pure rule, kept in domain/terima.ts; re-exported for the adapter's own callers
export { bareAddress };

/**
 * The fields of a raw header block (up to the first empty line), unfolded, as the bytes say them (no
 * decoding of encoded words): for a message the parser cannot read. The first occurrence of each counts.
 */
export function rawHeaderFields(head: Buffer): { messageId: string | null; subject: string | null; from: string | null; to: string | null; cc: string | null } {
  const text = head.toString('latin1');
  const end = text.search(/\r?\n\r?\n/);
  const block = (end < 0 ? text : text.slice(0, end)).replace(/\r?\n[ \t]+/g, ' ');
  // bytes as UTF-8 where they are (most mail), else as they are (latin1)
  const asText = (v: string): string => {
    const b = Buffer.from(v, 'latin1');
    const u = b.toString('utf8');
    return u.includes('\uFFFD') ? v : u;
  };
  const field = (name: string): string | null => {
    const m = new RegExp(`^${name}[ \\t]*:[ \\t]*(.*)$`, 'im').exec(block);
    const v = m?.[1]?.trim();
    return v === undefined || v.length === 0 ? null : asText(v);
  };
  const id = field('Message-ID');
  const bracketed = id === null ? null : (/<[^<>\s]+>/.exec(id)?.[0] ?? null);
  return { messageId: bracketed ?? (id !== null && /^[^\s<>]+@[^\s<>]+$/.test(id) ? `<${id}>` : null), subject: field('Subject'), from: field('From'), to: field('To'), cc: field('Cc') };
}

/**
 * A NUL byte is kept, not cut: it is shown as U+FFFD in every field read from the message (a C string
 * consumer — a terminal, a PDF library, a SQL shell — would end the text there), with a warning.
 */
function keepNul(p: ParsedIncoming): ParsedIncoming {
  let found = false;
  const fix = (v: string): string => {
    if (!v.includes('\u0000')) return v;
    found = true;
    return v.replace(/\u0000/g, '\uFFFD');
  };
  const fixN = (v: string | null): string | null => (v === null ? null : fix(v));
  const out: ParsedIncoming = {
    ...p,
    from: fixN(p.from),
    to: p.to.map(fix),
    cc: p.cc.map(fix),
    subject: fixN(p.subject),
    messageId: fixN(p.messageId),
    text: fixN(p.text),
    attachments: p.attachments.map((a) => ({ ...a, name: fix(a.name) })),
  };
  if (found && !out.warnings.includes('terima.w.nul')) out.warnings = [...out.warnings, 'terima.w.nul'];
  return out;
}

/** A raw address-list header split at the commas outside quotes, comments and angle brackets. */
export function splitAddressList(v: string | null): string[] {
  if (v === null) return [];
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  let depth = 0; // inside <...> or (...)
  for (let i = 0; i < v.length; i++) {
    const c = v[i] as string;
    if (quoted) {
      if (c === '\\') {
        cur += c + (v[i + 1] ?? '');
        i++;
        continue;
      }
      if (c === '"') quoted = false;
    } else if (c === '"') quoted = true;
    else if (c === '<' || c === '(') depth++;
    else if ((c === '>' || c === ')') && depth > 0) depth--;
    else if (c === ',' && depth === 0) {
      if (cur.trim().length > 0) out.push(cur.trim());
      cur = '';
      continue;
    }
    cur += c;
  }
  if (cur.trim().length > 0) out.push(cur.trim());
  return out;
}
