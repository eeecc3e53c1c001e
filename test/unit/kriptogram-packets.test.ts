import { spawnSync } from 'node:child_process';
import { haveCommand } from '../helpers/gate.js';
import { describe, expect, it } from 'vitest';
import { createCipheriv, randomBytes } from 'node:crypto';
import { createWriteStream, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, WriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import {
  ArmorWriter,
  crc24,
  ByteReader,
  dearmorIfNeeded,
  encodeLength,
  packetBody,
  packetBodyParts,
  PacketFormatError,
  PartialBodyWriter,
  readPacketHeader,
} from '../../src/adapters/openpgp/packets.js';
import { EncryptedSpool, releaseNow, SpoolIntegrityError } from '../../src/adapters/openpgp/kriptogram-spool.js';
import { CfbDecipher } from '../../src/adapters/openpgp/seipd-cfb.js';

// eslint-disable-next-line @typescript-eslint/require-await -- an async source is what the readers consume
async function* pieces(b: Buffer, size: number): AsyncGenerator<Buffer> {
  for (let i = 0; i < b.length; i += size) yield b.subarray(i, i + size);
}

async function readAll(it: AsyncIterable<Buffer>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const p of it) parts.push(Buffer.from(p));
  return Buffer.concat(parts);
}

describe('packet framing', () => {
  it.each([
    [0, '00'],
    [191, 'bf'],
    [192, 'c000'],
    [8383, 'dfff'],
    [8384, 'ff000020c0'],
  ])('encodes length %i as %s', (n, hex) => {
    expect(encodeLength(n).toString('hex')).toBe(hex);
  });

  it.each([0, 1, 511, 512, 65_535, 65_536, 65_537, 300_000])('partial-length body of %i bytes round-trips at any chunking', async (size) => {
    const body = randomBytes(size);
    const w = new PartialBodyWriter(11, 9);
    const framed: Buffer[] = [];
    for (let i = 0; i < body.length; i += 1000) framed.push(...w.push(body.subarray(i, i + 1000)));
    framed.push(...w.end());
    const bytes = Buffer.concat(framed);
    for (const chunk of [1, 7, 4096]) {
      if (size > 70_000 && chunk < 7) continue;
      const r = new ByteReader(pieces(bytes, chunk));
      const h = await readPacketHeader(r);
      expect(h?.tag).toBe(11);
      expect((await readAll(packetBody(r, h!, 333))).equals(body)).toBe(true);
      expect(await readPacketHeader(r)).toBeNull();
      // the same body as groups of pieces (not joined): every group but the last reaches the size asked for
      const r2 = new ByteReader(pieces(bytes, chunk));
      const h2 = await readPacketHeader(r2);
      const groups: Buffer[][] = [];
      for await (const g of packetBodyParts(r2, h2!, 5000)) groups.push(g.map((p) => Buffer.from(p)));
      expect(Buffer.concat(groups.flat()).equals(body)).toBe(true);
      const sizes = groups.map((g) => g.reduce((n, p) => n + p.length, 0));
      expect(sizes.slice(0, -1).every((n) => n >= 5000)).toBe(true);
      expect(groups.flat().every((p) => p.length > 0)).toBe(true);
      expect(await readPacketHeader(r2)).toBeNull();
    }
  });

  it('reads old-format headers, including indeterminate length', async () => {
    const body = randomBytes(1000);
    const old = Buffer.concat([Buffer.from([0xa3]), body]); // tag 8, indeterminate
    const r = new ByteReader(pieces(old, 100));
    const h = await readPacketHeader(r);
    expect(h).toEqual({ tag: 8, kind: 'indeterminate', length: 0 });
    expect((await readAll(packetBody(r, h!))).equals(body)).toBe(true);
    const two = Buffer.concat([Buffer.from([0x85, 0x03, 0xe8]), body]); // tag 1, 2-octet length
    const r2 = new ByteReader(pieces(two, 100));
    expect(await readPacketHeader(r2)).toEqual({ tag: 1, kind: 'definite', length: 1000 });
  });

  it('reports truncation and bad headers', async () => {
    const r = new ByteReader(pieces(Buffer.from([0xc1, 0x10, 1, 2]), 10));
    const h = await readPacketHeader(r);
    await expect(readAll(packetBody(r, h!))).rejects.toMatchObject({ problem: 'truncated' });
    await expect(readPacketHeader(new ByteReader(pieces(Buffer.from([0x12]), 1)))).rejects.toBeInstanceOf(PacketFormatError);
    // a first partial length below 512 is malformed
    await expect(readPacketHeader(new ByteReader(pieces(Buffer.from([0xd2, 0xe1]), 1)))).rejects.toMatchObject({ problem: 'malformed' });
  });

  it('accepts partial lengths only on literal, compressed and encrypted data packets (RFC 9580 §4.2.1.4; issue 17 §1)', async () => {
    const header = (tag: number) => readPacketHeader(new ByteReader(pieces(Buffer.from([0xc0 | tag, 0xe9]), 1)));
    for (const tag of [8, 9, 11, 18, 20]) expect(await header(tag)).toEqual({ tag, kind: 'partial', length: 512 });
    // padding, marker, signature, one-pass signature, PKESK, SKESK, MDC
    for (const tag of [21, 10, 2, 4, 1, 3, 19]) await expect(header(tag), `tag ${tag}`).rejects.toMatchObject({ problem: 'malformed' });
  });
});

describe('ByteReader tap (decrypt feeds the MDC from it, issue 16)', () => {
  it('reports every consumed byte once, in order; body=true only for packet body bytes (upTo), also across pieces', async () => {
    // a literal packet with partial lengths (512, then the rest), read the way decrypt reads it
    const w = new PartialBodyWriter(0x0b, 9);
    const body = randomBytes(1500);
    const framed = Buffer.concat([...w.push(body), ...w.end()]);
    const input = Buffer.concat([framed, Buffer.from([0xc2, 0x03, 1, 2, 3])]);
    for (const size of [1, 7, 100, 4096]) {
      const r = new ByteReader(pieces(input, size));
      const seen: Buffer[] = [];
      const bodyBytes: Buffer[] = [];
      r.tap = (slice, isBody) => {
        seen.push(Buffer.from(slice));
        if (isBody) bodyBytes.push(Buffer.from(slice));
      };
      const h = (await readPacketHeader(r))!;
      expect(await readAll(packetBody(r, h))).toEqual(body);
      const h2 = (await readPacketHeader(r))!;
      expect(h2.length).toBe(3);
      expect(await r.exact(2)).toEqual(Buffer.from([1, 2]));
      // draining after an error: what is left of the chunk in hand, then byte by byte
      expect(r.takeBuffered().length).toBeLessThanOrEqual(1);
      while ((await r.tryByte()) !== null);
      // every byte consumed, in order, exactly once; the body bytes are the packet body, nothing else
      expect(Buffer.concat(seen), `pieces of ${size}`).toEqual(input);
      expect(Buffer.concat(bodyBytes), `pieces of ${size}`).toEqual(body);
    }
  });
});

describe('ASCII armor', () => {
  it('round-trips at any chunking and tolerates CRLF, headers and a CRC line', async () => {
    const data = randomBytes(5000);
    const w = new ArmorWriter();
    const text = Buffer.concat([w.push(data.subarray(0, 77)), w.push(data.subarray(77)), w.end()]).toString('latin1');
    expect(text.startsWith('-----BEGIN PGP MESSAGE-----\n\n')).toBe(true);
    expect(text.endsWith('-----END PGP MESSAGE-----\n')).toBe(true);
    for (const chunk of [1, 13, 4096]) {
      expect((await readAll(dearmorIfNeeded(pieces(Buffer.from(text), chunk)))).equals(data)).toBe(true);
    }
    const lines = text.split('\n');
    const crlf = ['  ', lines[0], 'Comment: x', 'Version: y', '', ...lines.slice(2, -2), '=abcd', lines[lines.length - 2], 'trailer'].join('\r\n');
    expect((await readAll(dearmorIfNeeded(pieces(Buffer.from(crlf), 50)))).equals(data)).toBe(true);
  });

  it('single-line armor streams: output comes while the line is still arriving (it was quadratic: 22 MiB in 6.65 s)', async () => {
    // 1 MiB of data as ONE base64 line (what some tools write), fed in 4 KiB chunks
    const data = randomBytes(1 << 20);
    const text = Buffer.from(`-----BEGIN PGP MESSAGE-----\n\n${data.toString('base64')}\n=AAAA\n-----END PGP MESSAGE-----\n`, 'latin1');
    let fed = 0;
    const total = Math.ceil(text.length / 4096);
    // eslint-disable-next-line @typescript-eslint/require-await -- an async source is what the readers consume
    async function* counted(): AsyncGenerator<Buffer> {
      for (let i = 0; i < text.length; i += 4096) {
        fed++;
        yield text.subarray(i, i + 4096);
      }
    }
    const parts: Buffer[] = [];
    let fedAtFirst = -1;
    for await (const p of dearmorIfNeeded(counted())) {
      if (fedAtFirst < 0) fedAtFirst = fed;
      parts.push(Buffer.from(p));
    }
    expect(Buffer.concat(parts).equals(data)).toBe(true);
    // before the fix nothing came out until the line's end had arrived (fedAtFirst = total)
    expect(fedAtFirst).toBeLessThan(total / 10);
    // and every chunk gave its share, not one piece at the end
    expect(parts.length).toBeGreaterThan(total / 2);
  });

  it('writes the CRC-24 line GnuPG 2.2 needs to find the end of an unpadded body', async () => {
    // RFC 4880 §6.1 example value: CRC-24 of no data is the initial value 0xB704CE
    expect(crc24(new Uint8Array(0))).toBe(0xb704ce);
    for (const n of [0, 1, 2, 3, 48, 96, 300]) {
      const data = randomBytes(n);
      const w = new ArmorWriter();
      const text = Buffer.concat([w.push(data), w.end()]).toString('latin1');
      const lines = text.trimEnd().split('\n');
      const c = crc24(data);
      expect(lines[lines.length - 2]).toBe(`=${Buffer.from([c >>> 16, (c >>> 8) & 0xff, c & 0xff]).toString('base64')}`);
      expect((await readAll(dearmorIfNeeded(pieces(Buffer.from(text), 7)))).equals(data)).toBe(true);
      if (haveCommand('gpg')) {
        const r = spawnSync('gpg', ['--batch', '--dearmor'], { input: text });
        expect(r.status, r.stderr.toString()).toBe(0);
        expect(r.stdout.equals(data)).toBe(true);
      }
    }
  });

  it('passes binary through and refuses armor without an END line', async () => {
    const bin = Buffer.from([0xc1, 1, 2, 3]);
    expect((await readAll(dearmorIfNeeded(pieces(bin, 1)))).equals(bin)).toBe(true);
    const w = new ArmorWriter();
    const text = Buffer.concat([w.push(randomBytes(100)), w.end()]).toString('latin1');
    const cut = text.slice(0, text.indexOf('-----END'));
    await expect(readAll(dearmorIfNeeded(pieces(Buffer.from(cut), 10)))).rejects.toMatchObject({ problem: 'truncated' });
  });
});

describe('CFB decryption from ECB (seipd-cfb)', () => {
  it.each([128, 192, 256])('AES-%i: equals OpenSSL CFB for any split into calls and pieces', (bits) => {
    const key = randomBytes(bits / 8);
    const plain = randomBytes(200_003);
    const c = createCipheriv(`aes-${bits}-cfb`, key, Buffer.alloc(16));
    const ct = Buffer.concat([c.update(plain), c.final()]);
    const splits: ((i: number) => number[])[] = [
      () => [ct.length],
      () => [1, 15, 16, 17, 4096, 65_536],
      (i) => [7 + (i % 13), 1000 + i, 3],
    ];
    for (const split of splits) {
      const d = new CfbDecipher(key);
      const out: Buffer[] = [];
      let off = 0;
      for (let call = 0; off < ct.length; call++) {
        // each call gets a list of pieces (or a single one), of sizes that do not respect block boundaries
        const list: Buffer[] = [];
        for (const n of split(call)) {
          if (off >= ct.length) break;
          list.push(ct.subarray(off, Math.min(ct.length, off + n)));
          off += n;
        }
        out.push(d.update(call % 2 === 0 ? list : Buffer.concat(list)));
      }
      out.push(d.final());
      expect(Buffer.concat(out).equals(plain)).toBe(true);
    }
  });
});

describe('encrypted spool', () => {
  it('never holds the plaintext in clear, replays it exactly, and is gone after destroy', async () => {
    const marker = Buffer.from('RAHASIA-NEGARA-'.repeat(1000));
    const data = Buffer.concat([marker, randomBytes(2_500_000), marker]);
    const spool = await EncryptedSpool.create();
    for (let i = 0; i < data.length; i += 77_777) await spool.write([data.subarray(i, i + 77_777)]);
    await spool.finish();
    const onDisk = readFileSync(spool.file);
    expect(onDisk.includes(marker.subarray(0, 30))).toBe(false);
    const out = new PassThrough();
    const got: Buffer[] = [];
    out.on('data', (c: Buffer) => got.push(c));
    expect(await spool.replay(out)).toBe(data.length);
    expect(Buffer.concat(got).equals(data)).toBe(true);
    await spool.destroy();
    expect(existsSync(spool.dir)).toBe(false);
  });

  it('detects a modified spool file', async () => {
    const spool = await EncryptedSpool.create();
    try {
      await spool.write([randomBytes(3_000_000)]);
      await spool.finish();
      const f = readFileSync(spool.file);
      f[f.length - 100] = f[f.length - 100]! ^ 1;
      writeFileSync(spool.file, f);
      const sink = new PassThrough();
      sink.resume();
      await expect(spool.replay(sink)).rejects.toBeInstanceOf(SpoolIntegrityError);
    } finally {
      await spool.destroy();
    }
  });

  it('refuses a damaged last record before writing the first byte (issue 17 §3)', async () => {
    for (const damage of ['flip', 'cut'] as const) {
      const spool = await EncryptedSpool.create();
      try {
        await spool.write([randomBytes(5_500_000)]);
        await spool.finish();
        const f = readFileSync(spool.file);
        if (damage === 'flip') f[f.length - 100] = f[f.length - 100]! ^ 1;
        writeFileSync(spool.file, damage === 'flip' ? f : f.subarray(0, f.length - 50));
        let written = 0;
        const sink = new PassThrough();
        sink.on('data', (c: Buffer) => (written += c.length));
        await expect(spool.replay(sink), damage).rejects.toBeInstanceOf(SpoolIntegrityError);
        expect(written, damage).toBe(0);
      } finally {
        await spool.destroy();
      }
    }
  });
});

describe('spool check before the replay (in-memory GMAC per record, issue 16)', () => {
  // full records on disk: 4-byte length, 1 MiB of ciphertext (the last byte is the flag), 16-byte tag
  const REC = 4 + 1024 * 1024 + 16;
  const damages: [string, (f: Buffer) => Buffer][] = [
    ['records 1 and 2 swapped', (f) => Buffer.concat([f.subarray(0, REC), f.subarray(2 * REC, 3 * REC), f.subarray(REC, 2 * REC), f.subarray(3 * REC)])],
    ['record 0 twice, record 1 dropped', (f) => Buffer.concat([f.subarray(0, REC), f.subarray(0, REC), f.subarray(2 * REC)])],
    ['a length header changed', (f) => (f.writeUInt32BE(1024 * 1024 - 1, REC), f)],
    ['the first tag flipped', (f) => ((f[REC - 1] = f[REC - 1]! ^ 0x80), f)],
    ['the first ciphertext byte flipped', (f) => ((f[4] = f[4]! ^ 1), f)],
    ['the last record dropped', (f) => f.subarray(0, 5 * REC)],
  ];
  it.each(damages)('refuses a spool with %s before writing the first byte', async (_name, damage) => {
    const spool = await EncryptedSpool.create();
    try {
      await spool.write([randomBytes(5_500_000)]);
      await spool.finish();
      writeFileSync(spool.file, damage(readFileSync(spool.file)));
      let written = 0;
      const sink = new PassThrough();
      sink.on('data', (c: Buffer) => (written += c.length));
      await expect(spool.replay(sink)).rejects.toBeInstanceOf(SpoolIntegrityError);
      expect(written).toBe(0);
    } finally {
      await spool.destroy();
    }
  });
});

describe('spool replay into a file frees each record once written (issue 16: peak RSS)', () => {
  it('releaseNow detaches a buffer that owns its memory, and leaves small or shared ones alone', () => {
    const own = new Uint8Array(new ArrayBuffer(1 << 20));
    releaseNow(own);
    expect(own.byteLength).toBe(0);
    const small = Buffer.alloc(1000);
    releaseNow(small);
    expect(small.byteLength).toBe(1000);
    const part = new Uint8Array(new ArrayBuffer(1 << 20), 16);
    releaseNow(part);
    expect(part.byteLength).toBe((1 << 20) - 16);
  });

  it('replays exactly into a file stream, and never frees what another Writable was given', async () => {
    const data = randomBytes(3_500_000);
    const dir = mkdtempSync(join(tmpdir(), 'sandi-replay-'));
    try {
      const spool = await EncryptedSpool.create(dir);
      try {
        await spool.write([data]);
        await spool.finish();
        const file = join(dir, 'out.bin');
        const ws = createWriteStream(file);
        expect(await spool.replay(ws)).toBe(data.length);
        await new Promise<void>((resolve) => ws.end(resolve));
        expect(readFileSync(file).equals(data)).toBe(true);
      } finally {
        await spool.destroy();
      }
      // a WriteStream subclass may keep the chunks (here: it does): they must still hold the document
      class Keeping extends WriteStream {
        kept: Buffer[] = [];
        override _write(c: Buffer, e: BufferEncoding, cb: (err?: Error | null) => void): void {
          this.kept.push(c);
          super._write(c, e, cb);
        }
        override _writev(cs: { chunk: Buffer; encoding: BufferEncoding }[], cb: (err?: Error | null) => void): void {
          for (const c of cs) this.kept.push(c.chunk);
          super._writev!(cs, cb);
        }
      }
      const again = await EncryptedSpool.create(dir);
      try {
        await again.write([data]);
        await again.finish();
        const keep = new (Keeping as unknown as new (p: string) => Keeping)(join(dir, 'kept.bin'));
        await again.replay(keep);
        await new Promise<void>((resolve) => keep.end(resolve));
        expect(Buffer.concat(keep.kept).equals(data)).toBe(true);
      } finally {
        await again.destroy();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
