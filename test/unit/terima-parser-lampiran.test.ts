/**
 * The structure-only pass (src/adapters/mail/mime-lampiran.ts): parseIncoming takes the base64 bodies of
 * attachment parts out before mailparser reads the message, and decodes and hashes them natively. Whatever
 * the message, the result must be exactly what mailparser alone gives (`full: true`): the same names,
 * types, sizes, SHA-256, PDF bytes, text, addresses and warnings. Odd structures are left to mailparser.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import MailComposer from 'nodemailer/lib/mail-composer/index.js';
import { parseIncoming } from '../../src/adapters/mail/terima-parser.js';
import { reduceAttachments } from '../../src/adapters/mail/mime-lampiran.js';
import { messageParser } from '../../src/adapters/mail/parse-pool.js';

const bytes = (n: number, seed: number): Buffer => {
  const b = Buffer.alloc(n);
  let x = seed >>> 0;
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    b[i] = x >>> 24;
  }
  return b;
};
const pdf = (n: number, seed: number): Buffer => Buffer.concat([Buffer.from('%PDF-1.7\n'), bytes(n, seed), Buffer.from('\n%%EOF\n')]);

const compose = (mail: Record<string, unknown>): Promise<Buffer> =>
  new MailComposer({
    from: 'Sekretariat Daerah <setda@pemkot.test>',
    to: 'Persandian <sandi@kominfo.test>',
    subject: 'Undangan Rapat — Kelas Ⅸ',
    date: new Date('2026-11-20T02:00:00Z'),
    messageId: '<lampiran@pemkot.test>',
    text: 'Nomor : 005/12/SETDA/XI/2026\n\nDengan hormat.\n',
    ...mail,
  })
    .compile()
    .build();

const same = async (raw: Buffer): Promise<void> => {
  const full = await parseIncoming(raw, { keepPdf: true, full: true });
  const fast = await parseIncoming(raw, { keepPdf: true });
  expect(fast).toEqual(full);
};

describe('structure-only pass: the same reading as mailparser alone', () => {
  it('letters with PDF, CSV, image and octet-stream attachments, plain, HTML and nested', async () => {
    const big = pdf(120 * 1024, 1);
    const raws = [
      await compose({}),
      await compose({ html: '<p>Nomor : 005/12/SETDA/XI/2026</p>' }),
      await compose({ attachments: [{ filename: 'Surat 005-12 — Lampiran.pdf', content: big, contentType: 'application/pdf' }] }),
      await compose({
        html: '<p>isi <img src="cid:logo@x"></p>',
        attachments: [
          { filename: 'rekap data (Désa).csv', content: 'a;b\n1;2\n', contentType: 'text/csv' },
          { filename: 'logo.png', content: bytes(3000, 2), contentType: 'image/png', cid: 'logo@x' },
          { filename: 'pindaian.bin', content: bytes(70_000, 3) },
          { filename: 'kosong.pdf', content: Buffer.alloc(0), contentType: 'application/pdf' },
          { filename: 'kecil.pdf', content: pdf(10, 4), contentType: 'application/pdf' },
        ],
      }),
      // an attachment that is a message of its own, with a PDF inside
      await compose({ attachments: [{ filename: 'terusan.eml', content: await compose({ attachments: [{ filename: 'dalam.pdf', content: pdf(5000, 5) }] }), contentType: 'message/rfc822' }] }),
    ];
    for (const raw of raws) await same(raw);
    // the PDF's bytes come back whole, from the pass
    const r = await parseIncoming(raws[2] as Buffer, { keepPdf: true });
    expect(r.attachments[0]?.content?.equals(big)).toBe(true);
    expect(r.attachments[0]?.sha256).toBe(createHash('sha256').update(big).digest('hex'));
    // and the pass did take it: mailparser read a message without the 400 KB body
    const reduced = reduceAttachments(raws[2] as Buffer);
    expect(reduced?.parts.length).toBe(1);
    expect(reduced?.raw.length).toBeLessThan(4096);
  });

  it('a single-part attachment, quoted boundaries, LF line ends, a preamble and an epilogue', async () => {
    const b64 = pdf(2000, 6).toString('base64').replace(/.{76}/g, '$&\r\n');
    const single = Buffer.from(['From: a@b.test', 'Subject: pdf', 'Message-ID: <s@b.test>', 'Content-Type: application/pdf; name="surat.pdf"', 'Content-Transfer-Encoding: base64', '', b64, ''].join('\r\n'));
    const quoted = Buffer.from(
      [
        'From: a@b.test',
        'Subject: q',
        'MIME-Version: 1.0',
        'Content-Type: multipart/mixed;',
        ' boundary="=_a b:c"',
        '',
        'preamble --=_a b:c not a delimiter',
        '--=_a b:c',
        'Content-Type: text/plain',
        '',
        'Nomor : 1/2/X/2026',
        '--=_a b:c',
        'Content-Type: application/octet-stream; name=x.pdf',
        'Content-Transfer-Encoding: BASE64',
        '',
        b64,
        '--=_a b:c--  ',
        'epilogue',
        '',
      ].join('\r\n'),
    );
    const lf = Buffer.from(quoted.toString('latin1').replace(/\r\n/g, '\n'), 'latin1');
    for (const raw of [single, quoted, lf]) {
      expect(reduceAttachments(raw)?.parts.length).toBe(1);
      await same(raw);
    }
  });

  it('odd structures are left to mailparser and read as it reads them', async () => {
    const b64 = bytes(900, 7).toString('base64').replace(/.{76}/g, '$&\r\n');
    const part = (headers: string[], body: string) => ['--B', ...headers, '', body].join('\r\n');
    const multipart = (parts: string[], close = true) =>
      Buffer.from(['From: a@b.test', 'Subject: odd', 'Content-Type: multipart/mixed; boundary=B', '', ...parts, ...(close ? ['--B--', ''] : [])].join('\r\n'));
    const cases = [
      // not base64 throughout (a stray character): mailparser's decoder decides what it means
      multipart([part(['Content-Type: application/pdf', 'Content-Transfer-Encoding: base64'], `${b64.slice(0, 100)}*${b64.slice(100)}`)]),
      // two Content-Type fields
      multipart([part(['Content-Type: application/pdf', 'Content-Type: text/plain', 'Content-Transfer-Encoding: base64'], b64)]),
      // no closing delimiter (cut off)
      multipart([part(['Content-Type: application/pdf', 'Content-Transfer-Encoding: base64'], b64)], false),
      // quoted-printable and 8bit attachments, text/* in base64
      multipart([part(['Content-Type: application/pdf', 'Content-Transfer-Encoding: quoted-printable'], 'abc=3D'), part(['Content-Type: application/zip'], 'PK\x03\x04'), part(['Content-Type: text/csv', 'Content-Transfer-Encoding: base64'], Buffer.from('a;b\n').toString('base64'))]),
      // an RFC 2231 boundary
      Buffer.from(['From: a@b.test', "Content-Type: multipart/mixed; boundary*0=B", '', part(['Content-Type: application/pdf', 'Content-Transfer-Encoding: base64'], b64), '--B--', ''].join('\r\n')),
      // a part with no header block at all, and padding in the middle of a body
      multipart([['--B', '', 'isi tanpa kepala'].join('\r\n'), part(['Content-Type: image/png', 'Content-Transfer-Encoding: base64'], 'AAAA==AAAA')]),
    ];
    for (const raw of cases) await same(raw);
    expect(reduceAttachments(cases[0] as Buffer)).toBeNull();
    expect(reduceAttachments(cases[1] as Buffer)).toBeNull();
    expect(reduceAttachments(cases[2] as Buffer)).toBeNull();
  });
});

describe("a fetch's parser keeps a PDF's bytes only when the text parts have no letter number", () => {
  it('numbered in the text: no PDF bytes come back; not numbered: they do (the number may be in the PDF)', async () => {
    const parser = messageParser({ threads: 0 });
    const doc = pdf(4000, 8);
    const attachments = [{ filename: 'surat.pdf', content: doc, contentType: 'application/pdf' }];
    const numberedRaw = await compose({ attachments });
    const numbered = await parser.parse(numberedRaw);
    const unnumbered = await parser.parse(await compose({ text: 'Dengan hormat, terlampir surat kami.\n', attachments }));
    await parser.close();
    // and the raw bytes' SHA-256, for the archive (hashed on the parse thread, not the fetching one)
    expect(numbered.rawSha256).toBe(createHash('sha256').update(numberedRaw).digest('hex'));
    expect(numbered.attachments[0]?.content).toBeUndefined();
    expect(numbered.attachments[0]?.sha256).toBe(createHash('sha256').update(doc).digest('hex'));
    expect(unnumbered.attachments[0]?.content?.equals(doc)).toBe(true);
  });
});
