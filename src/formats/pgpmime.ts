/**
 * PGP/MIME (RFC 3156) for kriptogram mail: build the multipart/encrypted message that carries an armored
 * kriptogram, and find the armored payload in a received message (PGP/MIME or inline-armored).
 *
 * Building is pure string/byte work with CRLF line endings; nothing here reads the clock or randomness
 * (Date, Message-ID and addresses come from the caller; the MIME boundary is derived from the Message-ID).
 * Reading uses mailparser's streaming parser so the MIME structure is never hand-parsed, and returns the
 * armored bytes exactly as the part carried them (after its transfer encoding is undone).
 */
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { MailParser, type AttachmentStream, type HeaderValue, type Headers, type MessageText, type StructuredHeader } from 'mailparser';
import { SandiError } from '../errors.js';

export interface MailAddress {
  address: string;
  /** display name, any Unicode; encoded as RFC 2047 when it is not plain ASCII */
  name?: string;
}

/** The outer (clear) headers. Only what the caller gives travels in clear: keep `subject` to the kriptogram number. */
export interface PgpMimeHeaders {
  from: MailAddress;
  to: MailAddress[];
  cc?: MailAddress[];
  /** e.g. the kriptogram number "RH.15/III/2025"; never the real subject (that is a protected header) */
  subject: string;
  /** with or without angle brackets: "<id@host>" or "id@host" */
  messageId: string;
  date: Date;
  /** offset of the office's time zone for the Date header, minutes east of UTC (Asia/Jakarta: 420); default 0 */
  utcOffsetMinutes?: number;
  /** MIME boundary; default derived from the Message-ID (deterministic, cannot occur in armor) */
  boundary?: string;
}

const CRLF = '\r\n';
const ARMOR_BEGIN = '-----BEGIN PGP MESSAGE-----';
const ARMOR_END = '-----END PGP MESSAGE-----';

/**
 * The full PGP/MIME message as bytes. `armored` is the ASCII-armored OpenPGP message (LF or CRLF line
 * endings; they are normalised to CRLF).
 */
export function buildPgpMime(headers: PgpMimeHeaders, armored: string | Uint8Array): Buffer {
  const { head, tail, boundary } = pgpMimeFrame(headers);
  const body = normaliseArmor(typeof armored === 'string' ? Buffer.from(armored, 'latin1') : Buffer.from(armored), boundary);
  return Buffer.concat([Buffer.from(head, 'ascii'), body, Buffer.from(tail, 'ascii')]);
}

/**
 * The same message as a stream of chunks, for kriptograms too large to hold twice in memory: the armored
 * input is consumed chunk by chunk, line endings normalised to CRLF on the way.
 */
export async function* pgpMimeChunks(headers: PgpMimeHeaders, armored: AsyncIterable<string | Uint8Array>): AsyncGenerator<Buffer> {
  const { head, tail, boundary } = pgpMimeFrame(headers);
  yield Buffer.from(head, 'ascii');
  const lines = new ArmorLineNormaliser(boundary);
  for await (const chunk of armored) {
    const out = lines.push(typeof chunk === 'string' ? Buffer.from(chunk, 'latin1') : chunk);
    if (out.length > 0) yield out;
  }
  yield lines.end();
  yield Buffer.from(tail, 'ascii');
}

/** pgpMimeChunks as a Node Readable (what nodemailer's `raw` and imapflow's APPEND accept). */
export function pgpMimeStream(headers: PgpMimeHeaders, armored: AsyncIterable<string | Uint8Array>): Readable {
  return Readable.from(pgpMimeChunks(headers, armored), { objectMode: false });
}

/** The MIME boundary used when the caller gives none: a hash of the Message-ID, prefixed with "=_". */
export function defaultBoundary(messageId: string): string {
  // "=_" cannot start a line of base64 armor or an armor header, so the delimiter line "--=_..." can
  // never occur inside the payload (RFC 2045 §6.7 uses the same trick for quoted-printable).
  return `=_sandi_${createHash('sha256').update(normaliseMessageId(messageId)).digest('hex').slice(0, 32)}`;
}

/** "<id@host>" from "<id@host>" or "id@host"; refuses whitespace, control characters and missing "@". */
export function normaliseMessageId(messageId: string): string {
  const bare = messageId.trim().replace(/^<(.*)>$/, '$1');
  if (!/^[\x21-\x3b\x3d\x3f-\x7e]+@[\x21-\x3b\x3d\x3f-\x7e]+$/.test(bare)) {
    throw new SandiError('DATA', 'mail.headerInvalid', { header: 'Message-ID', value: messageId });
  }
  return `<${bare}>`;
}

function pgpMimeFrame(h: PgpMimeHeaders): { head: string; tail: string; boundary: string } {
  const messageId = normaliseMessageId(h.messageId);
  const boundary = h.boundary ?? defaultBoundary(messageId);
  if (!/^[0-9A-Za-z'()+_,\-./:=?]{1,69}[0-9A-Za-z'()+_,\-./:=?]$/.test(boundary)) {
    throw new SandiError('DATA', 'mail.headerInvalid', { header: 'boundary', value: boundary });
  }
  if (h.to.length === 0) throw new SandiError('DATA', 'mail.headerInvalid', { header: 'To', value: '' });
  const lines = [
    headerLine('From', formatAddress(h.from)),
    headerLine('To', h.to.map(formatAddress).join(', ')),
    ...(h.cc && h.cc.length > 0 ? [headerLine('Cc', h.cc.map(formatAddress).join(', '))] : []),
    headerLine('Subject', encodeUnstructured(h.subject, 'Subject')),
    `Date: ${formatDate(h.date, h.utcOffsetMinutes ?? 0)}`,
    `Message-ID: ${messageId}`,
    'MIME-Version: 1.0',
    `Content-Type: multipart/encrypted; protocol="application/pgp-encrypted";${CRLF} boundary="${boundary}"`,
    '',
    'This is an OpenPGP/MIME encrypted message (RFC 3156).',
    `--${boundary}`,
    'Content-Type: application/pgp-encrypted',
    'Content-Description: PGP/MIME version identification',
    'Content-Transfer-Encoding: 7bit',
    '',
    'Version: 1',
    '',
    `--${boundary}`,
    'Content-Type: application/octet-stream; name="encrypted.asc"',
    'Content-Description: OpenPGP encrypted message',
    'Content-Disposition: inline; filename="encrypted.asc"',
    'Content-Transfer-Encoding: 7bit',
    '',
    '',
  ];
  return { head: lines.join(CRLF), tail: `${CRLF}--${boundary}--${CRLF}`, boundary };
}

function normaliseArmor(bytes: Buffer, boundary: string): Buffer {
  const n = new ArmorLineNormaliser(boundary);
  return Buffer.concat([n.push(bytes), n.end()]);
}

/**
 * Turns LF, CR and CRLF into CRLF across chunk borders, and refuses what cannot go into a 7bit part:
 * non-ASCII bytes, NUL, lines over 998 octets, or a line that would end the MIME part early.
 * The output always ends with CRLF (the CRLF before the closing delimiter belongs to the delimiter).
 */
class ArmorLineNormaliser {
  /** an incomplete last line, possibly ending in a CR whose LF may come in the next chunk */
  private carry = '';
  private started = false;
  constructor(private readonly boundary: string) {}

  push(chunk: Uint8Array): Buffer {
    let text = this.carry + Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength).toString('latin1');
    let heldCr = '';
    if (text.endsWith('\r')) {
      text = text.slice(0, -1);
      heldCr = '\r';
    }
    const lines = text.split(/\r\n|\r|\n/);
    this.carry = (lines.pop() ?? '') + heldCr;
    if (this.carry.length > 999) throw new SandiError('DATA', 'mail.pgpmime.notArmored', { reason: 'line longer than 998 octets' });
    return this.emit(lines);
  }

  end(): Buffer {
    const last = this.carry.replace(/\r$/, '');
    const out = this.carry === '' ? Buffer.alloc(0) : this.emit([last]);
    this.carry = '';
    if (!this.started) throw new SandiError('DATA', 'mail.pgpmime.notArmored', { reason: 'empty' });
    return out;
  }

  private emit(lines: string[]): Buffer {
    for (const line of lines) {
      const bad = /[^\x09\x20-\x7e]/.exec(line);
      if (bad) {
        throw new SandiError('DATA', 'mail.pgpmime.notArmored', { reason: `byte 0x${bad[0].charCodeAt(0).toString(16).padStart(2, '0')}` });
      }
      if (line.length > 998) throw new SandiError('DATA', 'mail.pgpmime.notArmored', { reason: 'line longer than 998 octets' });
      if (line.startsWith(`--${this.boundary}`)) {
        throw new SandiError('DATA', 'mail.pgpmime.notArmored', { reason: 'payload contains the MIME boundary' });
      }
      if (!this.started && line.trim() !== '') {
        if (line.trimEnd() !== ARMOR_BEGIN) throw new SandiError('DATA', 'mail.pgpmime.notArmored', { reason: `expected "${ARMOR_BEGIN}"` });
        this.started = true;
      }
    }
    return lines.length === 0 ? Buffer.alloc(0) : Buffer.from(`${lines.join(CRLF)}${CRLF}`, 'latin1');
  }
}

// ----------------------------------------------------------------------------------------------- headers

function assertNoControl(header: string, value: string): void {
  // CR/LF would let a value inject headers; other controls have no place in a header either.
  if (/[\x00-\x08\x0a-\x1f\x7f]/.test(value)) throw new SandiError('DATA', 'mail.headerInvalid', { header, value });
}

function formatAddress(a: MailAddress): string {
  assertNoControl('address', a.address);
  // An addr-spec we can write without quoting; IDN domains arrive here already in A-label form.
  if (!/^[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+@[A-Za-z0-9.-]+$/.test(a.address)) {
    throw new SandiError('DATA', 'mail.headerInvalid', { header: 'address', value: a.address });
  }
  if (a.name === undefined || a.name.trim() === '') return a.address;
  assertNoControl('name', a.name);
  return `${encodePhrase(a.name)} <${a.address}>`;
}

function encodePhrase(name: string): string {
  if (!isAscii(name)) return encodeWords(name);
  if (/^[A-Za-z0-9!#$%&'*+/=?^_`{|}~ -]+$/.test(name)) return name;
  return `"${name.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

function encodeUnstructured(value: string, header: string): string {
  assertNoControl(header, value);
  // Plain ASCII that does not look like an encoded word goes as is; anything else as RFC 2047 words.
  return isAscii(value) && !value.includes('=?') ? value : encodeWords(value);
}

function isAscii(s: string): boolean {
  return /^[\x20-\x7e]*$/.test(s);
}

/** RFC 2047 B-encoded words of at most 75 characters, never splitting a UTF-8 sequence. */
function encodeWords(text: string): string {
  const words: string[] = [];
  let chunk = '';
  for (const ch of text) {
    if (Buffer.byteLength(chunk + ch, 'utf8') > 45) {
      words.push(chunk);
      chunk = '';
    }
    chunk += ch;
  }
  if (chunk !== '') words.push(chunk);
  return words.map((w) => `=?UTF-8?B?${Buffer.from(w, 'utf8').toString('base64')}?=`).join(`${CRLF} `);
}

/** Fold a header at the spaces between addresses/words so no line exceeds 78 characters when it can be helped. */
function headerLine(name: string, value: string): string {
  const parts = value.split(/(?<=,) |\r\n /);
  const lines: string[] = [];
  let current = `${name}:`;
  for (const p of parts) {
    if (current.length + 1 + p.length > 78 && current !== `${name}:`) {
      lines.push(current);
      current = ` ${p}`;
    } else {
      current += ` ${p}`;
    }
  }
  lines.push(current);
  return lines.join(CRLF);
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** RFC 5322 date-time in the given fixed offset, e.g. "Tue, 25 Nov 2025 14:42:00 +0700". */
export function formatDate(date: Date, utcOffsetMinutes: number): string {
  if (Number.isNaN(date.getTime())) throw new SandiError('DATA', 'mail.headerInvalid', { header: 'Date', value: String(date) });
  const local = new Date(date.getTime() + utcOffsetMinutes * 60_000);
  const pad = (n: number): string => String(n).padStart(2, '0');
  const sign = utcOffsetMinutes < 0 ? '-' : '+';
  const off = Math.abs(utcOffsetMinutes);
  return (
    `${DAYS[local.getUTCDay()]}, ${local.getUTCDate()} ${MONTHS[local.getUTCMonth()]} ${local.getUTCFullYear()} ` +
    `${pad(local.getUTCHours())}:${pad(local.getUTCMinutes())}:${pad(local.getUTCSeconds())} ` +
    `${sign}${pad(Math.floor(off / 60))}${pad(off % 60)}`
  );
}

// ----------------------------------------------------------------------------------------------- reading

export type ArmoredKind = 'pgp-mime' | 'inline';

export interface ArmoredPayload {
  /** 'pgp-mime': RFC 3156 multipart/encrypted; 'inline': an armored block in a text/plain body */
  kind: ArmoredKind;
  /** the armored OpenPGP message, bytes exactly as carried (for PGP/MIME: the whole second part) */
  armored: Buffer;
  /** the message's Message-ID with angle brackets, when it has one */
  messageId: string | null;
  /** the clear subject (for a kriptogram: its number) */
  subject: string | null;
}

const INLINE_RE = /-----BEGIN PGP MESSAGE-----\r?\n[\s\S]*?\r?\n-----END PGP MESSAGE-----/;

/**
 * Find the encrypted payload of a raw message. Returns null for a message that carries none (ordinary
 * mail). A message that declares PGP/MIME but breaks RFC 3156's structure is refused (SandiError DATA
 * 'mail.pgpmime.malformed') rather than read as something else.
 */
export async function extractArmored(raw: Uint8Array | AsyncIterable<Uint8Array> | Readable): Promise<ArmoredPayload | null> {
  const parser = new MailParser({ skipHtmlToText: true, skipTextToHtml: true, skipTextLinks: true, skipImageLinks: true, checksumAlgo: false });
  const parts: { partId: string | null; contentType: string; content: Buffer }[] = [];
  let text: string | undefined;
  let rootHeaders: Headers | undefined;

  const done = new Promise<void>((resolve, reject) => {
    const pending: Promise<void>[] = [];
    parser.on('headers', (h: Headers) => {
      rootHeaders = h;
    });
    parser.on('data', (data: AttachmentStream | MessageText) => {
      if (data.type === 'text') {
        text = data.text;
        return;
      }
      const ct = structured(data.headers.get('content-type'))?.value.toLowerCase() ?? 'application/octet-stream';
      // Only the two PGP/MIME part types can matter; other attachments (PDF scans...) are drained, not kept.
      const wanted = ct === 'application/pgp-encrypted' || ct === 'application/octet-stream';
      pending.push(
        collect(data.content, wanted).then(
          (content) => {
            parts.push({ partId: data.partId, contentType: ct, content });
            data.release?.();
          },
          (e: unknown) => {
            data.release?.();
            throw e;
          },
        ),
      );
    });
    parser.once('error', reject);
    parser.once('end', () => {
      Promise.all(pending).then(() => resolve(), reject);
    });
  });

  const source = raw instanceof Readable ? raw : Readable.from(raw instanceof Uint8Array ? [raw] : raw);
  source.once('error', (e) => parser.destroy(e));
  source.pipe(parser);
  try {
    await done;
  } catch (e) {
    if (e instanceof SandiError) throw e;
    throw new SandiError('DATA', 'mail.messageUnreadable', { reason: e instanceof Error ? e.message : String(e) }, { cause: e });
  }

  const messageId = typeof rootHeaders?.get('message-id') === 'string' ? (rootHeaders.get('message-id') as string) : null;
  const subject = typeof rootHeaders?.get('subject') === 'string' ? (rootHeaders.get('subject') as string) : null;

  // PGP/MIME: the application/pgp-encrypted control part N.1 and its sibling N.2 — at the root, or nested
  // one level down (gateways that wrap a message into multipart/mixed to add a footer).
  const rootType = structured(rootHeaders?.get('content-type'));
  const control = parts.find((p) => p.contentType === 'application/pgp-encrypted' && (p.partId === '1' || p.partId?.endsWith('.1') === true));
  if (rootType?.value.toLowerCase() === 'multipart/encrypted' || control !== undefined) {
    if (rootType?.value.toLowerCase() === 'multipart/encrypted' && rootType.params['protocol']?.toLowerCase() !== 'application/pgp-encrypted') {
      throw new SandiError('DATA', 'mail.pgpmime.malformed', { reason: `protocol="${rootType.params['protocol'] ?? ''}"` });
    }
    if (control === undefined) throw new SandiError('DATA', 'mail.pgpmime.malformed', { reason: 'no application/pgp-encrypted part' });
    if (!/^\s*Version:\s*1\s*$/m.test(control.content.toString('latin1'))) {
      throw new SandiError('DATA', 'mail.pgpmime.malformed', { reason: 'control part is not "Version: 1"' });
    }
    const payloadId = control.partId === '1' ? '2' : `${(control.partId as string).slice(0, -2)}.2`;
    const payload = parts.find((p) => p.partId === payloadId);
    if (payload === undefined) throw new SandiError('DATA', 'mail.pgpmime.malformed', { reason: 'no encrypted part' });
    if (payload.contentType !== 'application/octet-stream') {
      throw new SandiError('DATA', 'mail.pgpmime.malformed', { reason: `encrypted part is ${payload.contentType}` });
    }
    if (!payload.content.toString('latin1').trimStart().startsWith(ARMOR_BEGIN)) {
      throw new SandiError('DATA', 'mail.pgpmime.malformed', { reason: 'encrypted part is not ASCII-armored' });
    }
    return { kind: 'pgp-mime', armored: payload.content, messageId, subject };
  }

  const inline = text === undefined ? null : INLINE_RE.exec(text);
  if (inline) return { kind: 'inline', armored: Buffer.from(inline[0], 'utf8'), messageId, subject };
  return null;
}

function structured(v: HeaderValue | undefined): StructuredHeader | undefined {
  if (v === undefined || typeof v === 'string' || v instanceof Date || Array.isArray(v)) return undefined;
  return 'value' in v && 'params' in v ? (v as StructuredHeader) : undefined;
}

async function collect(stream: Readable, keep: boolean): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) if (keep) chunks.push(typeof c === 'string' ? Buffer.from(c) : (c as Buffer));
  return Buffer.concat(chunks);
}

export { ARMOR_BEGIN, ARMOR_END };
