/**
 * BZip2-compressed kriptogram (OpenPGP compression algorithm 3, `gpg --compress-algo bzip2`), issue 17 §4:
 * messages made at test time by gpg are read with good signatures and the same document; the decoder
 * (src/adapters/openpgp/bunzip2.ts) against the `bzip2` program's streams: multi-block, damaged, trailing
 * data, a bomb under the bound; inside a kriptogram a bomb is refused with the bound, a damaged stream with
 * a valid MDC as malformed, and with a broken MDC as tampered (the stream's error is no oracle).
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash, randomBytes } from 'node:crypto';
import { decryptKriptogram } from '../../src/adapters/openpgp/kriptogram.js';
import { bunzip2 } from '../../src/adapters/openpgp/bunzip2.js';
import { describeWith, haveCommand } from '../helpers/gate.js';
import { GpgHome, HAVE_GPG } from '../helpers/gpg.js';
import { chunked, MemorySink, testKey, unlockable, type TestKey } from '../helpers/keys-fixture.js';

const PASS = 'frasa sandi uji bzip2';
const HAVE_BZIP2 = haveCommand('bzip2');
const HAVE_RNP = haveCommand('rnp', ['--version']);
const MiB = 1024 * 1024;

/** `bzip2 -c` of the input (level 1..9) */
function bzip2(input: Buffer, level = 9): Buffer {
  const r = spawnSync('bzip2', [`-${level}`, '-c'], { input, maxBuffer: 256 * MiB });
  if (r.status !== 0) throw new Error(`bzip2: ${r.stderr.toString()}`);
  return r.stdout;
}

/** `bzip2 -1` of `prefix` followed by `zeros` zero bytes, made by a pipe (no large buffer here) */
function zeroBomb(dir: string, prefix: Buffer, zeros: number): Buffer {
  const p = join(dir, 'bomb-prefix');
  writeFileSync(p, prefix);
  const made = spawnSync('sh', ['-c', `(cat "$0"; head -c ${zeros} /dev/zero) | bzip2 -1 -c`, p], { maxBuffer: 16 * MiB });
  if (made.status !== 0) throw new Error(`bzip2: ${made.stderr.toString()}`);
  return made.stdout;
}

/** text of random words, compressible like a letter (about a third) */
function letterText(bytes: number): Buffer {
  const words = ['surat', 'dinas', 'nomor', 'perihal', 'kepada', 'yth', 'dengan', 'hormat', 'rahasia', 'segera', 'kabupaten', 'tembusan'];
  const r = randomBytes(bytes);
  const out: string[] = [];
  let n = 0;
  for (let i = 0; n < bytes; i++) {
    const w = words[r[i % r.length]! % words.length]! + (r[(i * 7) % r.length]! % 13 === 0 ? '\n' : ' ');
    out.push(w);
    n += w.length;
  }
  return Buffer.from(out.join('').slice(0, bytes));
}

async function collect(source: Buffer, limit: number): Promise<{ data: Buffer; error: Error | null; yielded: number }> {
  const parts: Buffer[] = [];
  let yielded = 0;
  try {
    for await (const c of bunzip2(chunked(source, 7_000) as AsyncIterable<Uint8Array>, limit, () => new Error('TOO LARGE'))) {
      parts.push(c);
      yielded += c.length;
    }
    return { data: Buffer.concat(parts), error: null, yielded };
  } catch (e) {
    return { data: Buffer.concat(parts), error: e as Error, yielded };
  }
}

describeWith('bzip2', HAVE_BZIP2, 'BZip2 decoder (bunzip2.ts) against the bzip2 program', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'sandi-bz-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('a multi-block stream (levels 1 and 9) decodes to the same bytes', async () => {
    const doc = Buffer.concat([letterText(1_500_000), randomBytes(300_000), Buffer.alloc(2_000_000, 0x41)]);
    for (const level of [1, 9]) {
      const r = await collect(bzip2(doc, level), 1 << 30);
      expect(r.error).toBeNull();
      expect(r.data.equals(doc), `level ${level}`).toBe(true);
    }
    // empty input to bzip2 is a valid (block-less) stream
    expect(await collect(bzip2(Buffer.alloc(0)), 100)).toMatchObject({ error: null, yielded: 0 });
  });

  it('damage is malformed: truncated, a flipped byte, trailing data, a second stream, no magic, empty', async () => {
    const doc = letterText(400_000);
    const z = bzip2(doc);
    const flipped = Buffer.from(z);
    flipped[Math.floor(z.length / 2)]! ^= 0x10;
    const cases: [string, Buffer][] = [
      ['truncated', z.subarray(0, z.length - 30)],
      ['flipped byte', flipped],
      ['trailing data', Buffer.concat([z, Buffer.from('x')])],
      ['second stream', Buffer.concat([z, bzip2(Buffer.from('lagi'))])],
      ['no magic', Buffer.from('bukan bzip2 sama sekali')],
      ['empty', Buffer.alloc(0)],
    ];
    for (const [name, data] of cases) {
      const r = await collect(data, 1 << 30);
      expect(r.error?.name, name).toBe('PacketFormatError');
      expect(r.error?.message, name).toMatch(/^malformed: BZip2 data: /);
    }
  });

  it('seeded mutations of a two-block stream: each ends quickly, in the same bytes or as malformed (never another error)', async () => {
    const doc = letterText(130_000);
    const z = bzip2(doc, 1);
    let seed = 0x5a17b2;
    const rnd = (n: number): number => {
      // mulberry32
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return (((t ^ (t >>> 14)) >>> 0) / 4294967296) * n;
    };
    const answers = new Map<string, number>();
    let slowest = 0;
    for (let i = 0; i < 150; i++) {
      let m = Buffer.from(z);
      const kind = i % 4;
      if (kind === 0) m[Math.floor(rnd(m.length))]! ^= 1 << Math.floor(rnd(8));
      else if (kind === 1) m = m.subarray(0, Math.floor(rnd(m.length)));
      else if (kind === 2) m[4 + Math.floor(rnd(60))] = Math.floor(rnd(256)); // block header and tables
      else {
        const at = Math.floor(rnd(m.length));
        m = Buffer.concat([m.subarray(0, at), m.subarray(at + 1 + Math.floor(rnd(8)))]);
      }
      const t = Date.now();
      const r = await collect(m, 1 << 30);
      slowest = Math.max(slowest, Date.now() - t);
      if (r.error === null) expect(r.data.equals(doc), `case ${i}`).toBe(true);
      else expect(r.error.message, `case ${i}`).toMatch(/^malformed: BZip2 data: /);
      const a = r.error === null ? 'same bytes' : r.error.message.replace(/\(.*/, '');
      answers.set(a, (answers.get(a) ?? 0) + 1);
    }
    expect(slowest).toBeLessThan(5_000);
    console.log(`bzip2 mutations: slowest ${slowest} ms; ${[...answers].map(([a, n]) => `${a} ×${n}`).join(', ')}`);
  });

  it('a bomb (256 MiB of zeros in a few KB) stops at the bound: nothing past it released, memory about one block', async () => {
    const bomb = zeroBomb(dir, Buffer.alloc(0), 256 * MiB);
    expect(bomb.length).toBeLessThan(4096);
    const before = process.memoryUsage().rss;
    let peak = before;
    const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5);
    const t = Date.now();
    const r = await collect(bomb, 16 * MiB);
    clearInterval(timer);
    peak = Math.max(peak, process.memoryUsage().rss);
    expect(r.error?.message).toBe('TOO LARGE');
    expect(r.yielded).toBeLessThanOrEqual(16 * MiB);
    // decoding stopped within a block of the bound: 256 MiB would have taken seconds and far more memory
    expect(peak - before).toBeLessThan(200 * MiB);
    console.log(`bzip2 bomb ${bomb.length} B → refused at ${r.yielded} B released, ${Date.now() - t} ms, +${Math.round((peak - before) / MiB)} MiB RSS`);
  });
});

describeWith('gpg, rnp, bzip2', HAVE_GPG && HAVE_RNP && HAVE_BZIP2, 'BZip2-compressed kriptogram', () => {
  let gpg: GpgHome;
  let work: string;
  let penerima: TestKey;
  let sandiman: TestKey;
  let kasi: TestKey;
  let rnpHome: string;

  beforeAll(async () => {
    const o = { passphrase: PASS };
    [penerima, sandiman, kasi] = await Promise.all([testKey('Bzip Penerima', o), testKey('Bzip Sandiman', o), testKey('Bzip Kasi', o)]);
    gpg = new GpgHome();
    for (const k of [penerima, sandiman, kasi]) await gpg.importKey(k.privateArmored);
    gpg.trust([penerima, sandiman, kasi].map((k) => k.fingerprint));
    work = mkdtempSync(join(tmpdir(), 'sandi-bzk-'));
    rnpHome = mkdtempSync(join(work, 'rnp-'));
    const keyFile = join(work, 'penerima.asc');
    writeFileSync(keyFile, penerima.publicArmored);
    const imp = spawnSync('rnpkeys', ['--homedir', rnpHome, '--import', keyFile]);
    expect(imp.status, imp.stderr.toString()).toBe(0);
  });

  afterAll(() => {
    gpg?.cleanup();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  async function read(k: Buffer, maxDecompressedBytes?: number) {
    const out = new MemorySink();
    const result = await decryptKriptogram({
      input: chunked(k),
      output: out,
      decryptionKeys: [unlockable(penerima)],
      verificationKeys: [sandiman.publicArmored, kasi.publicArmored],
      ...(maxDecompressedBytes === undefined ? {} : { maxDecompressedBytes }),
    });
    return { result, data: out.data(), out };
  }

  async function refusal(k: Buffer, maxDecompressedBytes?: number): Promise<{ key: string; params: Record<string, unknown>; written: number }> {
    const out = new MemorySink();
    try {
      await decryptKriptogram({
        input: chunked(k),
        output: out,
        decryptionKeys: [unlockable(penerima)],
        verificationKeys: [sandiman.publicArmored, kasi.publicArmored],
        ...(maxDecompressedBytes === undefined ? {} : { maxDecompressedBytes }),
      });
    } catch (e) {
      const err = e as { key?: string; params?: Record<string, unknown> };
      if (err.key === undefined) throw e;
      return { key: err.key, params: err.params ?? {}, written: out.bytes };
    }
    throw new Error('read, not refused');
  }

  /** gpg --compress-algo bzip2, signed by sandiman and kasi, encrypted to penerima */
  async function gpgBzip2(doc: Buffer, extra: string[] = []): Promise<Buffer> {
    const plain = gpg.file(`doc-${doc.length}.txt`, doc);
    const made = await gpg.run(
      ['--compress-algo', 'bzip2', ...extra, '--encrypt', '--sign', '-u', sandiman.fingerprint, '-u', kasi.fingerprint, '-r', penerima.fingerprint, '--output', '-', plain],
      undefined,
      PASS,
    );
    expect(made.code, made.stderr).toBe(0);
    return made.stdout;
  }

  /** the packets inside the encryption (gpg --decrypt --unwrap) */
  async function unwrap(k: Buffer): Promise<Buffer> {
    const u = await gpg.run(['--decrypt', '--unwrap'], k, PASS);
    expect(u.code, u.stderr).toBe(0);
    return u.stdout;
  }

  /** inner packets encrypted as they are (rnp --no-wrap, no compression): a valid MDC over them */
  function reencrypt(inner: Buffer): Buffer {
    const r = spawnSync('rnp', ['--homedir', rnpHome, '--encrypt', '--no-wrap', '-z', '0', '-r', penerima.fingerprint, '--output', '-'], { input: inner, maxBuffer: 64 * MiB });
    expect(r.status, r.stderr.toString()).toBe(0);
    return r.stdout;
  }

  it('gpg --compress-algo bzip2: a short note and a multi-block letter are read, both signatures good, the same bytes', async () => {
    const note = Buffer.from('Nota dinas dari mitra, dikompresi BZip2\n');
    const letter = letterText(1_300_000);
    for (const [doc, extra] of [
      [note, []],
      [letter, []],
      [letter, ['--bzip2-compress-level', '1']],
    ] as [Buffer, string[]][]) {
      const k = await gpgBzip2(doc, extra);
      const inner = await unwrap(k);
      // old-format compressed packet (tag 8), algorithm 3
      expect(inner[0]! & 0x3c).toBe(8 << 2);
      expect(inner.subarray(2, 5).toString('latin1')).toBe('BZh');
      const r = await read(k);
      expect(r.result.signers.map((s) => s.status)).toEqual(['good', 'good']);
      expect(createHash('sha256').update(r.data).digest('hex')).toBe(createHash('sha256').update(doc).digest('hex'));
    }
  });

  it('a BZip2 bomb inside a kriptogram is refused with the bound, nothing written', async () => {
    const zeros = 256 * MiB;
    // a literal data packet (new format, 5-octet length) whose body is 256 MiB of zeros
    const body = 6 + zeros;
    const literalHeader = Buffer.from([0xcb, 0xff, body >>> 24, (body >>> 16) & 0xff, (body >>> 8) & 0xff, body & 0xff, 0x62, 0, 0, 0, 0, 0]);
    const bz = zeroBomb(work, literalHeader, zeros);
    const compressed = Buffer.concat([Buffer.from([0xc8, 0xff]), Buffer.alloc(4), Buffer.from([3]), bz]);
    compressed.writeUInt32BE(bz.length + 1, 2);
    const k = reencrypt(compressed);
    expect(k.length).toBeLessThan(8192);
    const t = Date.now();
    const r = await refusal(k, 32 * MiB);
    expect(r).toMatchObject({ key: 'kriptogram.decompressionLimit', params: { limit: 32 * MiB }, written: 0 });
    console.log(`kriptogram ${k.length} B holding 256 MiB of zeros: refused at the 32 MiB bound in ${Date.now() - t} ms`);
  });

  it('a damaged BZip2 stream with a valid MDC is malformed; damaged ciphertext (MDC broken) is tampered, whatever the stream says', async () => {
    const doc = letterText(600_000);
    const k = await gpgBzip2(doc);
    const inner = await unwrap(k);
    // a byte in the middle of the BZip2 data, re-encrypted: the MDC holds, the stream is damaged
    const bad = Buffer.from(inner);
    bad[Math.floor(inner.length / 2)]! ^= 0x24;
    const damaged = await refusal(reencrypt(bad));
    expect(damaged).toMatchObject({ key: 'kriptogram.malformed', written: 0 });
    expect(String(damaged.params['detail'])).toContain('BZip2');
    // the stream cut short, re-encrypted: malformed too
    expect(await refusal(reencrypt(inner.subarray(0, inner.length - 500)))).toMatchObject({ key: 'kriptogram.malformed', written: 0 });
    // the same kind of damage made in the ciphertext: the MDC fails, and that is all that is said
    for (const at of [0.3, 0.5, 0.8]) {
      const flipped = Buffer.from(k);
      flipped[Math.floor(k.length * at)]! ^= 0x24;
      expect(await refusal(flipped), `at ${at}`).toMatchObject({ key: 'kriptogram.tampered', written: 0 });
    }
    // a damaged stream inside a ciphertext that is also damaged elsewhere: tampered, not malformed
    const both = reencrypt(bad);
    both[both.length - 40]! ^= 0x01;
    expect(await refusal(both)).toMatchObject({ key: 'kriptogram.tampered', written: 0 });
  });
});
