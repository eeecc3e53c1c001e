import { describe, expect, it } from 'vitest';
import { Readable } from 'node:stream';
import {
  buildPgpMime,
  defaultBoundary,
  extractArmored,
  formatDate,
  normaliseMessageId,
  pgpMimeChunks,
  pgpMimeStream,
  type PgpMimeHeaders,
} from '../../src/formats/pgpmime.js';
import { SandiError } from '../../src/errors.js';
import { catalogKeys } from '../../src/cli/messages/index.js';

// A syntactically plausible armored message (extraction never decrypts, so the content need not be real).
const ARMORED_LF = [
  '-----BEGIN PGP MESSAGE-----',
  '',
  'wV4DR2b2udXyHrYSAQdAvaF0N1IOnyHDsL2mzmNqEmF7HsZjxT1jGkQ0fGH4WEAw',
  'l3bsvrX5yIZQzXg2Z+7M5mXNnMwT5mvwR0XkbA9yaRjLkNnOwH0p2lB0i3h2Qe1s',
  '0j8BRgQmRW5dJ5rR1JmUuXbq3Kf7n2mWq9QfS8pVw0mY8m8r9Rr1w0FwJ6pZ0g==',
  '=Xy4k',
  '-----END PGP MESSAGE-----',
  '',
].join('\n');
const ARMORED_CRLF = ARMORED_LF.replace(/\n/g, '\r\n');

const HEADERS: PgpMimeHeaders = {
  from: { address: 'sandi@kominfo.example.go.id', name: 'Persandian Diskominfo' },
  to: [{ address: 'opd1@dinkes.example.go.id', name: 'Dinas Kesehatan' }],
  subject: 'RH.15/XI/2025',
  messageId: '<kripto-15.2025@kominfo.example.go.id>',
  date: new Date('2025-11-25T07:30:05Z'),
  utcOffsetMinutes: 420,
};

async function gather(it: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const out: Buffer[] = [];
  for await (const c of it) out.push(Buffer.from(c));
  return Buffer.concat(out);
}

async function* chunksOf(s: string, sizes: number[]): AsyncGenerator<string> {
  await Promise.resolve();
  let i = 0;
  let k = 0;
  while (i < s.length) {
    const n = sizes[k++ % sizes.length] ?? 1;
    yield s.slice(i, i + n);
    i += n;
  }
}

function errorOf(fn: () => unknown): SandiError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(SandiError);
    return e as SandiError;
  }
  throw new Error('expected a SandiError');
}

async function asyncErrorOf(p: Promise<unknown>): Promise<SandiError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(SandiError);
  return e as SandiError;
}

describe('buildPgpMime', () => {
  const raw = buildPgpMime(HEADERS, ARMORED_LF);
  const text = raw.toString('latin1');

  it('uses CRLF for every line ending, with no bare LF or CR', () => {
    expect(text.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
    expect(text.endsWith('--\r\n')).toBe(true);
  });

  it('has the RFC 3156 structure: control part "Version: 1", then the armored octet-stream', () => {
    const b = defaultBoundary(HEADERS.messageId);
    expect(text).toContain(`Content-Type: multipart/encrypted; protocol="application/pgp-encrypted";\r\n boundary="${b}"\r\n`);
    const parts = text.split(`\r\n--${b}`);
    expect(parts).toHaveLength(4); // head+preamble, control, payload, "--\r\n"
    expect(parts[1]).toMatch(/^\r\nContent-Type: application\/pgp-encrypted\r\n[\s\S]*\r\n\r\nVersion: 1\r\n$/);
    expect(parts[2]).toMatch(/^\r\nContent-Type: application\/octet-stream; name="encrypted.asc"\r\n/);
    // the armor keeps its own final line break; the CRLF before the delimiter belongs to the delimiter
    expect(parts[2]!.endsWith(`\r\n\r\n${ARMORED_CRLF}`)).toBe(true);
    expect(parts[3]).toBe('--\r\n');
  });

  it('writes the clear headers the caller gave, and nothing else about the content', () => {
    expect(text).toContain('From: Persandian Diskominfo <sandi@kominfo.example.go.id>\r\n');
    expect(text).toContain('To: Dinas Kesehatan <opd1@dinkes.example.go.id>\r\n');
    expect(text).toContain('Subject: RH.15/XI/2025\r\n');
    expect(text).toContain('Date: Tue, 25 Nov 2025 14:30:05 +0700\r\n');
    expect(text).toContain('Message-ID: <kripto-15.2025@kominfo.example.go.id>\r\n');
    expect(text).toContain('MIME-Version: 1.0\r\n');
    expect(text).not.toMatch(/^(X-Mailer|User-Agent|Cc):/m);
  });

  it('is deterministic (no clock, no randomness)', () => {
    expect(buildPgpMime(HEADERS, ARMORED_LF).equals(raw)).toBe(true);
    expect(buildPgpMime(HEADERS, ARMORED_CRLF).equals(raw)).toBe(true);
    expect(buildPgpMime(HEADERS, Buffer.from(ARMORED_LF)).equals(raw)).toBe(true);
  });

  it('encodes non-ASCII names and subjects as RFC 2047 words, quotes specials, folds long address lists', () => {
    const t = buildPgpMime(
      {
        ...HEADERS,
        from: { address: 'sandi@kominfo.example.go.id', name: 'Bagian Persandian, Diskominfo' },
        to: Array.from({ length: 4 }, (_, i) => ({ address: `opd${i}@dinas.example.go.id`, name: `Dinas ${i} — Kota Tarakan` })),
        cc: [{ address: 'kasi@kominfo.example.go.id' }],
        subject: 'Nomor RH.15/XI/2025 — ñ',
      },
      ARMORED_LF,
    ).toString('latin1');
    expect(t).toContain('From: "Bagian Persandian, Diskominfo" <sandi@kominfo.example.go.id>\r\n');
    expect(t).toMatch(/Subject: =\?UTF-8\?B\?[A-Za-z0-9+/=]+\?=\r\n/);
    expect(t).toMatch(/To: =\?UTF-8\?B\?/);
    expect(t).toContain('Cc: kasi@kominfo.example.go.id\r\n');
    for (const line of t.split('\r\n')) expect(line.length).toBeLessThanOrEqual(998);
    const head = t.slice(0, t.indexOf('\r\n\r\n'));
    for (const line of head.split('\r\n')) expect(line.length).toBeLessThanOrEqual(90);
  });

  it.each([
    ['CR/LF in the subject', { subject: 'RH.1\r\nBcc: someone@else' }, 'Subject'],
    ['LF in a display name', { from: { address: 'a@b.id', name: 'x\nBcc: y@z' } }, 'name'],
    ['an address with spaces', { to: [{ address: 'a b@c.id' }] }, 'address'],
    ['no recipient', { to: [] }, 'To'],
    ['a Message-ID without @', { messageId: '<abc>' }, 'Message-ID'],
    ['a Message-ID with a space', { messageId: '<a b@c>' }, 'Message-ID'],
    ['an invalid boundary', { boundary: 'has space' }, 'boundary'],
    ['an invalid date', { date: new Date('nope') }, 'Date'],
  ] as const)('refuses %s (header injection, malformed values)', (_, over, header) => {
    const e = errorOf(() => buildPgpMime({ ...HEADERS, ...over } as PgpMimeHeaders, ARMORED_LF));
    expect(e.code).toBe('DATA');
    expect(e.key).toBe('mail.headerInvalid');
    expect(e.params['header']).toBe(header);
  });

  it.each([
    ['plaintext', 'Surat rahasia\n'],
    ['empty input', ''],
    ['non-ASCII bytes', `${ARMORED_LF.slice(0, 40)}é${ARMORED_LF.slice(40)}`],
    ['a NUL byte', `${ARMORED_LF.slice(0, 40)}\u0000${ARMORED_LF.slice(40)}`],
    ['the boundary inside', `${ARMORED_LF}--${defaultBoundary(HEADERS.messageId)}--\n`],
    ['an over-long line', `-----BEGIN PGP MESSAGE-----\n\n${'A'.repeat(1000)}\n`],
  ])('refuses a payload that is not sendable armor: %s', (_, payload) => {
    const e = errorOf(() => buildPgpMime(HEADERS, payload));
    expect(e.key).toBe('mail.pgpmime.notArmored');
    expect(e.code).toBe('DATA');
  });
});

describe('pgpMimeChunks / pgpMimeStream', () => {
  const whole = buildPgpMime(HEADERS, ARMORED_LF);

  it.each([[[1]], [[2, 3]], [[7]], [[64, 1, 1]], [[10_000]]])('gives the same bytes whatever the chunking (%j)', async (sizes) => {
    expect((await gather(pgpMimeChunks(HEADERS, chunksOf(ARMORED_LF, sizes)))).equals(whole)).toBe(true);
    // a CR at the end of one chunk and its LF at the start of the next must stay one line break
    expect((await gather(pgpMimeChunks(HEADERS, chunksOf(ARMORED_CRLF, sizes)))).equals(whole)).toBe(true);
  });

  it('treats a lone CR as a line break too', async () => {
    expect((await gather(pgpMimeChunks(HEADERS, chunksOf(ARMORED_LF.replace(/\n/g, '\r'), [5])))).equals(whole)).toBe(true);
  });

  it('is a Readable that nodemailer and imapflow can consume', async () => {
    const s = pgpMimeStream(HEADERS, chunksOf(ARMORED_LF, [100]));
    expect(s).toBeInstanceOf(Readable);
    expect((await gather(s)).equals(whole)).toBe(true);
  });

  it('fails the stream (not silently truncates) on bad input', async () => {
    const e = await asyncErrorOf(gather(pgpMimeChunks(HEADERS, chunksOf('not armor\n', [3]))));
    expect(e.key).toBe('mail.pgpmime.notArmored');
  });

  it('streams a large payload with linear cost', async () => {
    const body = Array.from({ length: 200_000 }, () => 'QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWZnaGlqa2xtbm9wcXJzdHV2').join('\n');
    const big = `-----BEGIN PGP MESSAGE-----\n\n${body}\n=abcd\n-----END PGP MESSAGE-----\n`;
    const t0 = Date.now();
    const out = await gather(pgpMimeChunks(HEADERS, chunksOf(big, [65_536])));
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(out.length).toBeGreaterThan(big.length);
  });
});

describe('helpers', () => {
  it.each([
    [new Date('2025-11-25T07:30:05Z'), 420, 'Tue, 25 Nov 2025 14:30:05 +0700'],
    [new Date('2025-11-25T23:59:59Z'), 480, 'Wed, 26 Nov 2025 07:59:59 +0800'],
    [new Date('2025-01-01T00:00:00Z'), 540, 'Wed, 1 Jan 2025 09:00:00 +0900'],
    [new Date('2025-01-01T00:00:00Z'), 0, 'Wed, 1 Jan 2025 00:00:00 +0000'],
    [new Date('2025-01-01T00:00:00Z'), -150, 'Tue, 31 Dec 2024 21:30:00 -0230'],
  ])('formatDate(%s, %i) = %s', (d, off, want) => {
    expect(formatDate(d, off)).toBe(want);
  });

  it('normalises Message-IDs to angle brackets', () => {
    expect(normaliseMessageId('a.b@c')).toBe('<a.b@c>');
    expect(normaliseMessageId(' <a.b@c> ')).toBe('<a.b@c>');
  });

  it('derives the boundary from the Message-ID, in a form armor lines cannot take', () => {
    expect(defaultBoundary('<a@b>')).toBe(defaultBoundary('a@b'));
    expect(defaultBoundary('<a@b>')).not.toBe(defaultBoundary('<a@c>'));
    expect(defaultBoundary('<a@b>')).toMatch(/^=_sandi_[0-9a-f]{32}$/);
  });

  it('has every mail.* message in both languages', () => {
    const { id, en } = catalogKeys();
    const mailId = id.filter((k) => k.startsWith('mail.')).sort();
    expect(mailId.length).toBeGreaterThan(10);
    expect(en.filter((k) => k.startsWith('mail.')).sort()).toEqual(mailId);
  });
});

describe('extractArmored', () => {
  it('reads back exactly the armored bytes sandi sent (CRLF)', async () => {
    const p = await extractArmored(buildPgpMime(HEADERS, ARMORED_LF));
    expect(p).not.toBeNull();
    expect(p!.kind).toBe('pgp-mime');
    expect(p!.armored.toString('latin1')).toBe(ARMORED_CRLF);
    expect(p!.messageId).toBe('<kripto-15.2025@kominfo.example.go.id>');
    expect(p!.subject).toBe('RH.15/XI/2025');
  });

  it('reads from a stream as well as from a Buffer', async () => {
    const raw = buildPgpMime(HEADERS, ARMORED_LF);
    const p = await extractArmored(Readable.from([raw.subarray(0, 100), raw.subarray(100, 333), raw.subarray(333)]));
    expect(p!.armored.toString('latin1')).toBe(ARMORED_CRLF);
  });

  it('reads a message stored with LF line endings (Maildir files written by some tools)', async () => {
    const raw = Buffer.from(buildPgpMime(HEADERS, ARMORED_LF).toString('latin1').replace(/\r\n/g, '\n'), 'latin1');
    const p = await extractArmored(raw);
    expect(p!.kind).toBe('pgp-mime');
    expect(p!.armored.toString('latin1').replace(/\r\n/g, '\n')).toBe(ARMORED_LF);
  });

  // What other clients send: Thunderbird/Enigmail style, with the payload base64 or quoted-printable
  // encoded by a gateway, and nested in multipart/mixed by a list footer.
  const foreign = (encoding: string, payload: string, wrap = false): Buffer => {
    const inner = [
      'Content-Type: multipart/encrypted;',
      ' protocol="application/pgp-encrypted";',
      ' boundary="------------enigABCDEF"',
      '',
      'This is an OpenPGP/MIME encrypted message (RFC 4880 and 3156)',
      '--------------enigABCDEF',
      'Content-Type: application/pgp-encrypted',
      'Content-Description: PGP/MIME version identification',
      '',
      'Version: 1',
      '',
      '--------------enigABCDEF',
      'Content-Type: application/octet-stream; name="encrypted.asc"',
      'Content-Description: OpenPGP encrypted message',
      'Content-Disposition: inline; filename="encrypted.asc"',
      `Content-Transfer-Encoding: ${encoding}`,
      '',
      payload,
      '--------------enigABCDEF--',
      '',
    ];
    const lines = wrap
      ? [
          'From: a@b.id',
          'To: c@d.id',
          'Subject: 7',
          'Message-ID: <w@b.id>',
          'MIME-Version: 1.0',
          'Content-Type: multipart/mixed; boundary="outer"',
          '',
          '--outer',
          ...inner,
          '--outer',
          'Content-Type: text/plain',
          '',
          'list footer',
          '--outer--',
          '',
        ]
      : ['From: a@b.id', 'To: c@d.id', 'Subject: 7', 'Message-ID: <w@b.id>', 'MIME-Version: 1.0', ...inner];
    return Buffer.from(lines.join('\r\n'), 'latin1');
  };

  it.each([
    ['7bit', ARMORED_CRLF.trimEnd()],
    ['base64', Buffer.from(ARMORED_CRLF).toString('base64').replace(/.{76}/g, '$&\r\n')],
    ['quoted-printable', ARMORED_CRLF.trimEnd().replace(/=/g, '=3D')],
  ])('reads PGP/MIME from another client, payload %s', async (enc, payload) => {
    const p = await extractArmored(foreign(enc, payload));
    expect(p!.kind).toBe('pgp-mime');
    expect(p!.armored.toString('latin1').trimEnd()).toBe(ARMORED_CRLF.trimEnd());
  });

  it('reads PGP/MIME nested one level inside multipart/mixed', async () => {
    const p = await extractArmored(foreign('7bit', ARMORED_CRLF.trimEnd(), true));
    expect(p!.kind).toBe('pgp-mime');
    expect(p!.armored.toString('latin1').trimEnd()).toBe(ARMORED_CRLF.trimEnd());
  });

  it('reads an inline-armored message (quoted-printable text body)', async () => {
    const raw = [
      'From: a@b.id',
      'To: c@d.id',
      'Subject: kriptogram',
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset=utf-8',
      'Content-Transfer-Encoding: quoted-printable',
      '',
      'Yth. Kepala Dinas,',
      '',
      ...ARMORED_LF.trimEnd().replace(/=/g, '=3D').split('\n'),
      '',
      'Salam',
      '',
    ].join('\r\n');
    const p = await extractArmored(Buffer.from(raw));
    expect(p!.kind).toBe('inline');
    expect(p!.armored.toString('utf8').replace(/\r\n/g, '\n')).toBe(ARMORED_LF.trimEnd());
  });

  it('returns null for ordinary mail (text, HTML, attachments)', async () => {
    const raw = [
      'From: a@b.id',
      'To: c@d.id',
      'Subject: Undangan rapat',
      'MIME-Version: 1.0',
      'Content-Type: multipart/mixed; boundary="x"',
      '',
      '--x',
      'Content-Type: text/plain; charset=utf-8',
      '',
      'Dengan hormat, terlampir undangan.',
      '--x',
      'Content-Type: application/pdf; name="undangan.pdf"',
      'Content-Transfer-Encoding: base64',
      '',
      Buffer.from('%PDF-1.4 dummy').toString('base64'),
      '--x--',
      '',
    ].join('\r\n');
    expect(await extractArmored(Buffer.from(raw))).toBeNull();
  });

  const brokenPgpMime = (control: string, payloadType: string, protocol = 'application/pgp-encrypted'): Buffer =>
    Buffer.from(
      [
        'From: a@b.id',
        'MIME-Version: 1.0',
        `Content-Type: multipart/encrypted; protocol="${protocol}"; boundary="b"`,
        '',
        '--b',
        'Content-Type: application/pgp-encrypted',
        '',
        control,
        '--b',
        `Content-Type: ${payloadType}`,
        '',
        ARMORED_CRLF.trimEnd(),
        '--b--',
        '',
      ].join('\r\n'),
    );

  it.each([
    ['a control part without "Version: 1"', brokenPgpMime('Version: 2', 'application/octet-stream'), /Version: 1/],
    ['a payload part of the wrong type', brokenPgpMime('Version: 1', 'application/pdf'), /application\/pdf/],
    ['a text payload part', brokenPgpMime('Version: 1', 'text/html'), /no encrypted part/],
    ['the wrong protocol parameter', brokenPgpMime('Version: 1', 'application/octet-stream', 'application/pkcs7-mime'), /protocol/],
    [
      'no control part',
      Buffer.from('From: a@b.id\r\nMIME-Version: 1.0\r\nContent-Type: multipart/encrypted; protocol="application/pgp-encrypted"; boundary="b"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nhi\r\n--b--\r\n'),
      /no application\/pgp-encrypted/,
    ],
    ['a payload that is not armor', brokenPgpMime('Version: 1', 'application/octet-stream').toString().replace('-----BEGIN PGP MESSAGE-----', 'garbage'), /armored/],
  ])('refuses PGP/MIME with %s', async (_, raw, reason) => {
    const e = await asyncErrorOf(extractArmored(Buffer.from(raw)));
    expect(e.code).toBe('DATA');
    expect(e.key).toBe('mail.pgpmime.malformed');
    expect(String(e.params['reason'])).toMatch(reason);
  });
});
