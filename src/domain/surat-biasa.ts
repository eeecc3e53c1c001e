/**
 * Ordinary (unclassified) letters sent in clear (`sandi kirim --biasa`, the outgoing mail register): the mail
 * as bytes, CRLF, pure (no clock, no randomness: date, Message-ID and the signature come from the caller).
 *
 * The scanned letter travels as one MIME part. That part is built only from the file name and the bytes, so
 * it can be archived (and signed) before the row exists and the whole mail rebuilt identically on resume.
 * Signed letters are RFC 3156 multipart/signed: the part, then the armored detached signature over exactly
 * the part's bytes, so any OpenPGP mail client (or `gpg --verify sig part`) can check it.
 */
import { createHash } from 'node:crypto';

const CRLF = '\r\n';

export interface LetterHeaders {
  from: { address: string; name?: string };
  to: { address: string; name?: string }[];
  subject: string;
  /** "<id@host>" */
  messageId: string;
  /** already formatted RFC 5322 date */
  date: string;
}

export interface DetachedSignature {
  armored: string;
  /** hash algorithm for the micalg parameter, lower case, e.g. "sha256" */
  hash: string;
}

const TYPES: Readonly<Record<string, string>> = {
  pdf: 'application/pdf',
  txt: 'text/plain; charset=utf-8',
  doc: 'application/msword',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  odt: 'application/vnd.oasis.opendocument.text',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  png: 'image/png',
  tif: 'image/tiff',
  tiff: 'image/tiff',
};

/** Content-Type of a file by its extension; unknown ones are application/octet-stream. */
export function contentTypeOf(fileName: string): string {
  const ext = /\.([A-Za-z0-9]+)$/.exec(fileName)?.[1]?.toLowerCase() ?? '';
  return TYPES[ext] ?? 'application/octet-stream';
}

const isPlainAscii = (s: string) => /^[\x20-\x7e]*$/.test(s);

/**
 * An unstructured header value: as is when short printable ASCII, else RFC 2047 encoded words (UTF-8,
 * base64), folded. A long ASCII value (a subject without spaces cannot be folded as it is) is encoded too, so
 * no line passes RFC 5322's 998 characters.
 */
export function encodeHeaderText(s: string): string {
  const clean = s.replace(/[\r\n]+/g, ' ');
  if (isPlainAscii(clean) && clean.length <= 900) return clean;
  const words: string[] = [];
  let cur = '';
  for (const ch of clean) {
    // at most 45 bytes per word keeps each encoded word under 76 characters; never split a character
    if (Buffer.byteLength(cur + ch, 'utf8') > 45) {
      words.push(cur);
      cur = '';
    }
    cur += ch;
  }
  if (cur.length > 0) words.push(cur);
  return words.map((w) => `=?UTF-8?B?${Buffer.from(w, 'utf8').toString('base64')}?=`).join(`${CRLF} `);
}

function address(a: { address: string; name?: string }): string {
  if (!a.name) return `<${a.address}>`;
  const name = isPlainAscii(a.name) ? `"${a.name.replace(/["\\]/g, '\\$&')}"` : encodeHeaderText(a.name);
  return `${name} <${a.address}>`;
}

function fileNameParams(fileName: string): { ct: string; cd: string } {
  if (isPlainAscii(fileName) && !/["\\]/.test(fileName)) return { ct: `name="${fileName}"`, cd: `filename="${fileName}"` };
  const enc = encodeURIComponent(fileName).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return { ct: `name*=UTF-8''${enc}`, cd: `filename*=UTF-8''${enc}` };
}

/**
 * The document as one base64 MIME part (76-character lines, CRLF, no CRLF after the last line: in a
 * multipart/signed that CRLF belongs to the next delimiter). Same name and bytes → same part. These are
 * exactly the bytes a detached signature covers.
 */
export function documentPart(fileName: string, data: Buffer): Buffer {
  const p = fileNameParams(fileName);
  const b64 = data.toString('base64');
  const lines: string[] = [];
  for (let i = 0; i < b64.length; i += 76) lines.push(b64.slice(i, i + 76));
  const head = [`Content-Type: ${contentTypeOf(fileName)}; ${p.ct}`, `Content-Disposition: attachment; ${p.cd}`, 'Content-Transfer-Encoding: base64', '', ''].join(CRLF);
  return Buffer.from(head + lines.join(CRLF), 'ascii');
}

/** The whole mail: the document part alone, or multipart/signed with its detached signature. */
export function buildLetter(h: LetterHeaders, part: Buffer, signature?: DetachedSignature): Buffer {
  if (h.to.length === 0) throw new Error('a letter needs at least one recipient');
  const head = [
    `From: ${address(h.from)}`,
    `To: ${h.to.map(address).join(`,${CRLF} `)}`,
    `Subject: ${encodeHeaderText(h.subject)}`,
    `Date: ${h.date}`,
    `Message-ID: ${h.messageId}`,
    'MIME-Version: 1.0',
  ];
  if (!signature) return Buffer.concat([Buffer.from(head.join(CRLF) + CRLF, 'ascii'), part, Buffer.from(CRLF, 'ascii')]);
  // the boundary is derived from the part; "=_" cannot occur in base64 lines or in armor
  const boundary = `=_sandi_${createHash('sha256').update(part).digest('hex').slice(0, 32)}`;
  const armored = signature.armored.replace(/\r?\n/g, CRLF).replace(/(\r\n)*$/, CRLF);
  const frame = [
    ...head,
    `Content-Type: multipart/signed; micalg=pgp-${signature.hash}; protocol="application/pgp-signature";${CRLF} boundary="${boundary}"`,
    '',
    'This is an OpenPGP/MIME signed message (RFC 3156).',
    `--${boundary}`,
    '',
  ].join(CRLF);
  const sigHead = [
    '',
    `--${boundary}`,
    'Content-Type: application/pgp-signature; name="signature.asc"',
    'Content-Description: OpenPGP digital signature',
    'Content-Disposition: attachment; filename="signature.asc"',
    '',
    '',
  ].join(CRLF);
  return Buffer.concat([Buffer.from(frame, 'ascii'), part, Buffer.from(`${sigHead}${armored}--${boundary}--${CRLF}`, 'ascii')]);
}
