import { describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import {
  Base64LineEncoder,
  decodeHeaderValue,
  encodeHeaderValue,
  encodeParam,
  encodeProtectedEntity,
  entityHead,
  MalformedEntityError,
  MAX_SINK_RESERVE,
  parseParams,
  ProtectedEntityReader,
  safeFileName,
  type DecodeSink,
} from '../../src/formats/protected-headers.js';
import type { ProtectedHeaders } from '../../src/ports.js';
import { SandiError } from '../../src/errors.js';

async function build(doc: Buffer, headers: ProtectedHeaders, fileName: string, chunk = 1000): Promise<Buffer> {
  // eslint-disable-next-line @typescript-eslint/require-await -- an async source is what the encoder consumes
  async function* src(): AsyncGenerator<Uint8Array> {
    for (let i = 0; i < doc.length; i += chunk) yield doc.subarray(i, i + chunk);
  }
  const parts: Buffer[] = [];
  for await (const p of encodeProtectedEntity(src(), { headers, fileName, boundary: '=_sandi_test' })) parts.push(p);
  return Buffer.concat(parts);
}

/**
 * A DecodeSink like the spool's: fixed buffers that are handed over when the next reservation does not
 * fit; the reserved space is filled with junk each time, so a byte that was not really written shows.
 */
class BatchSink implements DecodeSink {
  readonly done: Buffer[] = [];
  private buf = Buffer.alloc(0);
  private len = 0;
  private reserved = -1;
  constructor(private readonly size: number) {}
  reserve(n: number): { buf: Buffer; off: number } {
    // plain checks, not expect(): they run once per slice, tens of thousands of times a test
    if (n > MAX_SINK_RESERVE) throw new Error(`reserve(${n}) over MAX_SINK_RESERVE ${MAX_SINK_RESERVE}`);
    if (this.buf.length - this.len < n) {
      this.handOver();
      this.buf = Buffer.alloc(Math.max(this.size, n));
    }
    // junk in the reserved bytes: a committed byte lies in [len, len + n), so one the reader did not write shows
    this.buf.fill(0xa5, this.len, this.len + n);
    this.reserved = n;
    return { buf: this.buf, off: this.len };
  }
  commit(n: number): void {
    if (n > this.reserved) throw new Error(`commit(${n}) over the ${this.reserved} bytes reserved`);
    this.reserved = -1;
    this.len += n;
  }
  handOver(): void {
    if (this.len > 0) this.done.push(Buffer.from(this.buf.subarray(0, this.len)));
    this.len = 0;
  }
}

/** Parse in chunks of `chunk` bytes; with `sinkSize`, into a BatchSink of that batch size. */
function parse(entity: Buffer, chunk: number, fallback = 'fallback.bin', sinkSize?: number) {
  const sink = sinkSize === undefined ? null : new BatchSink(sinkSize);
  const r = new ProtectedEntityReader(fallback, sink);
  const out: Buffer[] = [];
  for (let i = 0; i < entity.length; i += chunk) out.push(...r.push(entity.subarray(i, i + chunk)));
  const end = r.end();
  out.push(...end.tail);
  if (sink !== null) {
    // with a sink every byte goes there, none comes back
    expect(out).toEqual([]);
    sink.handOver();
    out.push(...sink.done);
  }
  const doc = Buffer.concat(out);
  expect(end.result.bytes).toBe(doc.length);
  return { doc, ...end.result };
}

describe('protected-headers entity', () => {
  const headers: ProtectedHeaders = {
    subject: 'Undangan rapat — pengamanan informasi (Ñ, 日本)',
    registerNumber: 'RH.15/V/2026',
    classification: 'Sangat Rahasia',
    perihal: 'tambahan',
  };

  it('is a multipart/mixed entity with protected-headers="v1", CRLF lines, base64 lines of 76', async () => {
    const e = (await build(randomBytes(1000), headers, 'a.pdf')).toString('latin1');
    expect(e).toMatch(/^MIME-Version: 1\.0\r\nContent-Type: multipart\/mixed; boundary="=_sandi_test";\r\n protected-headers="v1"\r\n/);
    expect(e).toContain('\r\nX-Sandi-Nomor: RH.15/V/2026\r\n');
    expect(e).toContain('\r\nX-Sandi-Sifat: Sangat Rahasia\r\n');
    expect(e).toContain('Content-Disposition: attachment;');
    expect(e).toContain('Content-Transfer-Encoding: base64\r\n\r\n');
    expect(e.endsWith('\r\n--=_sandi_test--\r\n')).toBe(true);
    expect(e.replace(/\r\n/g, '')).not.toContain('\n');
    const body = e.split('base64\r\n\r\n')[1]!.split('\r\n--=_sandi_test--')[0]!;
    const lines = body.split('\r\n');
    expect(lines.slice(0, -1).every((l) => l.length === 76)).toBe(true);
  });

  it.each([0, 1, 56, 57, 58, 114, 1000, 100_000])('round-trips a %i-byte document at any chunking', async (size) => {
    const doc = randomBytes(size);
    for (const [inChunk, outChunk] of [
      [1, 1],
      [7, 13],
      [57, 78],
      [4096, 65536],
    ] as const) {
      if (size > 2000 && inChunk < 7) continue;
      const e = await build(doc, headers, 'Laporan Kegiatan Mei 2026 — Dinas Komunikasi dan Informatika Kota.pdf', inChunk);
      const r = parse(e, outChunk);
      expect(r.doc.equals(doc)).toBe(true);
      expect(parse(e, outChunk, 'x', MAX_SINK_RESERVE).doc.equals(doc)).toBe(true);
      expect(r.bytes).toBe(size);
      expect(r.protectedHeaders).toBe(true);
      expect(r.headers).toEqual(headers);
      expect(r.fileName).toBe('Laporan Kegiatan Mei 2026 — Dinas Komunikasi dan Informatika Kota.pdf');
    }
  });

  it('encodes non-ASCII subjects as RFC 2047 words of at most 75 characters', () => {
    const v = encodeHeaderValue('Subject', 'Pengamanan Persandian '.repeat(3) + 'é');
    for (const line of v.split('\r\n ')) expect(line.length).toBeLessThanOrEqual(75);
    expect(decodeHeaderValue(v)).toBe('Pengamanan Persandian '.repeat(3) + 'é');
    expect(decodeHeaderValue('=?ISO-8859-1?Q?caf=E9_au_lait?=')).toBe('café au lait');
  });

  it('encodes file names with RFC 2231 (continuations when long) and reads them back', () => {
    const name = 'Surat Edaran Kepala Dinas tentang Pengamanan Persandian — revisi kedua (final).pdf';
    const p = encodeParam('filename', name);
    expect(p).toMatch(/^filename\*0\*=UTF-8''/);
    expect(parseParams(`attachment; ${p.replace(/\r\n/g, '')}`).params.get('filename')).toBe(name);
    expect(encodeParam('filename', 'a "b".pdf')).toBe('filename="a \\"b\\".pdf"');
    expect(parseParams('attachment; filename="a \\"b\\".pdf"').params.get('filename')).toBe('a "b".pdf');
  });

  it('refuses header values that would inject lines', () => {
    expect(() => entityHead({ headers: { subject: 'a\r\nBcc: x' }, fileName: 'a', boundary: '=_b' })).toThrow(SandiError);
    expect(() => entityHead({ headers: { subject: 'a', 'bad key': 'x' }, fileName: 'a', boundary: '=_b' })).toThrow(SandiError);
  });

  it('takes non-MIME content (a plain PDF) as the document itself, named after the literal packet', () => {
    const pdf = Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(5000)]);
    const r = parse(pdf, 333, 'scan.pdf');
    expect(r.doc.equals(pdf)).toBe(true);
    expect(r.protectedHeaders).toBe(false);
    expect(r.fileName).toBe('scan.pdf');
    expect(parse(pdf, 333, 'scan.pdf', 1000).doc.equals(pdf)).toBe(true);
    // a chunk larger than one reservation goes into the sink in pieces
    const big = Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(3 * MAX_SINK_RESERVE + 5)]);
    expect(parse(big, big.length, 'scan.pdf', MAX_SINK_RESERVE).doc.equals(big)).toBe(true);
    const short = parse(Buffer.from('halo'), 1, 'x.txt');
    expect(short.doc.toString()).toBe('halo');
  });

  it('reads LF-only entities and skips non-attachment parts', () => {
    const e = [
      'Content-Type: multipart/mixed; boundary="b1"',
      'Subject: =?UTF-8?B?w4k=?=',
      '',
      'preamble',
      '--b1',
      'Content-Type: text/plain',
      '',
      'legacy display part',
      '--b1',
      'Content-Type: application/pdf',
      'Content-Disposition: attachment; filename*=UTF-8\'\'%C3%A9.pdf',
      'Content-Transfer-Encoding: base64',
      '',
      Buffer.from('isi dokumen').toString('base64'),
      '--b1--',
      '',
    ].join('\n');
    const r = parse(Buffer.from(e), 5);
    expect(r.doc.toString()).toBe('isi dokumen');
    expect(parse(Buffer.from(e), 5, 'x', 100).doc.toString()).toBe('isi dokumen');
    expect(r.headers.subject).toBe('É');
    expect(r.fileName).toBe('é.pdf');
    expect(r.protectedHeaders).toBe(false);
  });

  it('refuses an entity without its closing boundary', async () => {
    const e = await build(randomBytes(100), headers, 'a.pdf');
    expect(() => parse(e.subarray(0, e.length - 10), 50)).toThrow(MalformedEntityError);
  });

  it('makes file names safe to use as a path component', () => {
    expect(safeFileName('../../etc/passwd')).toBe('passwd');
    expect(safeFileName('C:\\x\\y.pdf')).toBe('y.pdf');
    expect(safeFileName('..')).toBe('dokumen');
    expect(safeFileName('a\u0000b\nc.pdf')).toBe('abc.pdf');
  });

  it('cleans file names for display and for a Windows copy of the folder (issue 17 section 3)', () => {
    expect(safeFileName('laporan\u202Efdp.exe')).toBe('laporanfdp.exe');
    expect(safeFileName('a\u0085b\u009bc.pdf')).toBe('abc.pdf');
    expect(safeFileName('C:evil.exe')).toBe('C_evil.exe');
    expect(safeFileName('file.txt:stream')).toBe('file.txt_stream');
    expect(safeFileName('CON')).toBe('_CON');
    expect(safeFileName('nul.txt')).toBe('_nul.txt');
    expect(safeFileName('.bashrc')).toBe('bashrc');
    expect(safeFileName('surat. ')).toBe('surat');
    expect(safeFileName('a<b>c|d?.pdf')).toBe('a_b_c_d_.pdf');
    const long = safeFileName(`${'é'.repeat(300)}.pdf`);
    expect(Buffer.byteLength(long, 'utf8')).toBeLessThanOrEqual(200);
    expect(long.endsWith('.pdf')).toBe(true);
  });

  it('decoded header values carry no escape, control or bidi characters and no line breaks', () => {
    expect(decodeHeaderValue('Rapat\x1b[31m merah')).toBe('Rapat[31m merah');
    expect(decodeHeaderValue(`=?UTF-8?B?${Buffer.from('baris1\r\nBcc: x@y\u202E').toString('base64')}?=`)).toBe('baris1 Bcc: x@y');
    expect(decodeHeaderValue('=?ISO-8859-1?Q?a=85b=1Bc?=')).toBe('abc');
  });

  it('base64 line encoder output does not depend on chunking', () => {
    const data = randomBytes(10_000);
    const whole = new Base64LineEncoder();
    const a = Buffer.concat([whole.push(data), whole.end()]);
    const pieces = new Base64LineEncoder();
    const parts: Buffer[] = [];
    for (let i = 0; i < data.length; i += 37) parts.push(pieces.push(data.subarray(i, i + 37)));
    parts.push(pieces.end());
    expect(Buffer.concat(parts).equals(a)).toBe(true);
    expect(Buffer.from(a.toString('latin1'), 'base64').equals(data)).toBe(true);
  });

  it('base64 line encoder: lines of 76 characters + CRLF across slices, carries and chunk sizes (issue 16 encoder)', () => {
    const data = randomBytes(300_001);
    const ref = Buffer.from(`${(data.toString('base64').match(/.{1,76}/g) ?? []).join('\r\n')}\r\n`, 'latin1');
    for (const size of [1, 37, 57, 58, 4096, 58_368, 58_369, 100_000, 300_001]) {
      const enc = new Base64LineEncoder();
      const parts: Buffer[] = [];
      for (let i = 0; i < data.length; i += size) parts.push(enc.push(data.subarray(i, i + size)));
      parts.push(enc.end());
      expect(Buffer.concat(parts).equals(ref), `chunks of ${size}`).toBe(true);
    }
  });
});

describe('base64 body decoding (line-by-line fast path and the general path agree)', () => {
  const doc = randomBytes(150_000);
  const b64 = doc.toString('base64');
  function entityWith(lines: string[], nl: string): Buffer {
    return Buffer.from(
      `Content-Type: multipart/mixed; boundary="=_q"${nl}${nl}--=_q${nl}Content-Disposition: attachment; filename="a"${nl}` +
        `Content-Transfer-Encoding: base64${nl}${nl}${lines.join(nl)}${nl}--=_q--${nl}`,
      'latin1',
    );
  }
  const wrap = (widths: (i: number) => number): string[] => {
    const lines: string[] = [];
    for (let i = 0, n = 0; i < b64.length; n++) {
      const w = widths(n);
      lines.push(b64.slice(i, i + w));
      i += w;
    }
    return lines;
  };
  it.each([
    ['76, CRLF', wrap(() => 76), '\r\n'],
    ['64, LF', wrap(() => 64), '\n'],
    ['odd width 10', wrap(() => 10), '\r\n'],
    ['76 then 3+5 lines that add up to 76+LF', wrap((n) => (n < 5 ? 76 : n % 2 === 0 ? 72 : 3)), '\n'],
    ['mixed widths', wrap((n) => [76, 8, 76, 75, 1][n % 5]!), '\r\n'],
    // regular for hundreds of lines, then irregular lines (the line way hands over to the general path midway)
    ['76, then a short line, then 76 again', wrap((n) => (n === 700 ? 40 : n === 1500 ? 36 : 76)), '\r\n'],
    ['64 LF, then lines that are too long', wrap((n) => (n < 900 ? 64 : 68)), '\n'],
  ])('%s', (_name, lines, nl) => {
    const entity = entityWith(lines, nl);
    // 85, 86: a line and the delimiter's length, the least the line way takes; 157: two lines and one byte
    for (const chunk of [7, 79, 85, 86, 157, 1000, 4096, 65_537, entity.length]) {
      expect(parse(entity, chunk).doc.equals(doc)).toBe(true);
      // decoded in place into a sink: batches that fill up mid-slice, and batches far larger than a slice
      for (const batch of [MAX_SINK_RESERVE, 1024 * 1024]) expect(parse(entity, chunk, 'x', batch).doc.equals(doc)).toBe(true);
    }
  });
});
