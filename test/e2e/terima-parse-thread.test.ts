/**
 * The parse thread of `sandi terima` (src/adapters/mail/parse-pool.ts) as the built CLI runs it: from dist/,
 * the worker loads the compiled terima-parser.js. Its results are exactly those of parsing in this thread
 * (the test set: plain, HTML, PDF + CSV, non-ASCII, malformed; a 3 MB attachment read back from a file;
 * PDF attachments with their bytes when the text has no letter number; the raw SHA-256 of a whole message),
 * in the order asked, and a closed parser refuses further work instead of hanging.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createHash, randomBytes } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { parseIncoming } from '../../src/adapters/mail/terima-parser.js';
import { compose, testMessages } from '../helpers/terima-fixture.js';

type Pool = typeof import('../../src/adapters/mail/parse-pool.js');
const DIST = resolve(import.meta.dirname, '../../dist/adapters/mail/parse-pool.js');
let pool: Pool;
let dir: string;

beforeAll(async () => {
  if (!existsSync(DIST)) throw new Error('dist/ is not built: run `npm run build` first');
  pool = (await import(pathToFileURL(DIST).href)) as Pool;
  dir = mkdtempSync(join(tmpdir(), 'sandi-parse-thread-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('parse thread (dist)', () => {
  it('gives the same results as parsing in this thread, in order, for whole messages and archived files', async () => {
    const raws = (await testMessages('T')).map((m) => m.raw);
    const big = await compose({ from: 'a@b.test', to: 'c@d.test', subject: 'Pindaian besar', messageId: '<besar@b.test>', text: 'Terlampir.\n', attachments: [{ filename: 'pindaian.pdf', content: randomBytes(3 * 1024 * 1024), contentType: 'application/pdf' }] });
    const file = join(dir, 'besar.eml');
    writeFileSync(file, big);
    const parser = pool.messageParser({ threads: 1 });
    try {
      const viaThread = await Promise.all([...raws.map((r) => parser.parse(r)), parser.parse({ path: file, tail: big.subarray(-16 * 1024) })]);
      // as the pool asks: PDF bytes only when the text has no letter number; a whole message's raw SHA-256
      // (for the archive), none for an archived file
      const here = await Promise.all([
        ...raws.map((r) => parseIncoming(r, { tail: r.subarray(-16 * 1024), keepPdf: 'unlessNumbered', hashRaw: true })),
        parseIncoming(big, { tail: big.subarray(-16 * 1024), keepPdf: 'unlessNumbered' }),
      ]);
      // PDF bytes compared as bytes (a deep toEqual walks a 3 MB Buffer element by element), the rest deeply
      const bytes = (ps: typeof here) => ps.flatMap((p) => p.attachments.map((a) => a.content?.toString('base64') ?? null));
      expect(bytes(viaThread)).toEqual(bytes(here));
      const strip = (ps: typeof here) => ps.map((p) => ({ ...p, attachments: p.attachments.map(({ content: _c, ...a }) => a) }));
      expect(strip(viaThread)).toEqual(strip(here));
      expect(viaThread.at(-1)?.attachments[0]?.size).toBe(3 * 1024 * 1024);
      // PDF bytes come back (the letter number may be in them), as Buffers
      expect(Buffer.isBuffer(viaThread.at(-1)?.attachments[0]?.content)).toBe(true);
      expect(viaThread.map((p) => p.subject)).toEqual([...raws.map((_, i) => here[i]?.subject), 'Pindaian besar']);
    } finally {
      await parser.close();
    }
    await expect(parser.parse(raws[0]!)).rejects.toMatchObject({ code: 'INTERNAL' });
  }, 60_000);

  it("sends the worker a message's own bytes, not the larger buffer it is a slice of (issue 16)", async () => {
    const raws = (await testMessages('S')).map((m) => m.raw);
    // as the IMAP client hands them over: each message a slice of a larger chunk
    const chunk = Buffer.alloc(4 * 1024 * 1024, 0x20);
    let at = 1000;
    const sliced = raws.map((r) => {
      r.copy(chunk, at);
      const s = chunk.subarray(at, at + r.length);
      at += r.length + 1000;
      return s;
    });
    const before = Buffer.from(chunk);
    // the size of the buffer behind each message sent, as it is sent (a moved buffer reads 0 afterwards)
    const sent: number[] = [];
    const postMessage = Object.getOwnPropertyDescriptor(Worker.prototype, 'postMessage')?.value as (this: Worker, ...args: Parameters<Worker['postMessage']>) => void;
    const limits: (number | undefined)[] = [];
    const post = vi.spyOn(Worker.prototype, 'postMessage').mockImplementation(function (this: Worker, ...args: Parameters<Worker['postMessage']>) {
      limits.push(this.resourceLimits?.maxYoungGenerationSizeMb);
      const raw = (args[0] as { raw?: Uint8Array }).raw;
      if (raw !== undefined) sent.push(raw.buffer.byteLength);
      postMessage.apply(this, args);
    });
    const parser = pool.messageParser({ threads: 1 });
    try {
      const viaThread = await Promise.all(sliced.map((r) => parser.parse(r)));
      expect(sent).toEqual(raws.map((r) => r.length));
      expect(viaThread.map((p) => p.rawSha256)).toEqual(raws.map((r) => createHash('sha256').update(r).digest('hex')));
      expect(viaThread.map((p) => p.subject)).toEqual((await Promise.all(raws.map((r) => parseIncoming(r, { keepPdf: 'unlessNumbered' })))).map((p) => p.subject));
      // the caller's buffer is left as it was
      expect(chunk.equals(before)).toBe(true);
      // and the worker's young generation is bounded (V8's default grows to 192 MB over a long run)
      expect(limits.length).toBeGreaterThan(0);
      for (const l of limits) expect(l).toBe(pool.YOUNG_GENERATION_MB);
      expect(pool.YOUNG_GENERATION_MB).toBeLessThanOrEqual(64);
    } finally {
      post.mockRestore();
      await parser.close();
    }
  }, 60_000);

  it("a whole message's SHA-256 comes back as soon as it arrives, ahead of the parses queued before it (its archive write need not wait, issue 16)", async () => {
    // a slow parse first: a long quoted-printable text part, read by mailparser chunk by chunk
    const slow = await compose({ from: 'a@b.test', to: 'c@d.test', subject: 'Teks panjang', messageId: '<panjang@b.test>', text: 'Kalimat panjang dengan karakter é dan = tanda.\n'.repeat(120_000) });
    const [small] = (await testMessages('H')).map((m) => m.raw);
    const parser = pool.messageParser({ threads: 1 });
    try {
      const order: string[] = [];
      const first = parser.parse(slow).then(() => order.push('slow parsed'));
      const second = parser.parse(small!, (sha) => order.push(`hash ${sha === createHash('sha256').update(small!).digest('hex') ? 'right' : String(sha)}`));
      const r = await second;
      await first;
      expect(order).toEqual(['hash right', 'slow parsed']);
      expect(r.rawSha256).toBe(createHash('sha256').update(small!).digest('hex'));
    } finally {
      await parser.close();
    }
  }, 60_000);

  it('starts its thread at once, not with the first message (the boot and the import overlap the mailbox connection, issue 16)', async () => {
    const threads = (): number => Number(/^Threads:\s+(\d+)/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1]);
    readFileSync(DIST); // the thread pool of this process is up before counting
    const before = threads();
    const parser = pool.messageParser({ threads: 1 });
    try {
      const deadline = Date.now() + 10_000;
      while (threads() <= before && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      expect(threads()).toBeGreaterThan(before);
    } finally {
      await parser.close();
    }
  }, 30_000);

  it('a parse thread that dies (out of memory) does not stop the run: the message is parsed in this thread instead', async () => {
    const big = await compose({ from: 'a@b.test', to: 'c@d.test', subject: 'Pindaian sangat besar', messageId: '<oom@b.test>', text: 'Terlampir.\n', attachments: [{ filename: 'pindaian.pdf', content: randomBytes(24 * 1024 * 1024), contentType: 'application/pdf' }] });
    const parser = pool.messageParser({ threads: 1, maxHeapMb: 8 });
    try {
      const r = await parser.parse(big);
      expect(r.subject).toBe('Pindaian sangat besar');
      expect(r.attachments[0]?.size).toBe(24 * 1024 * 1024);
      // and the next one too (the dead thread is not used again)
      expect((await parser.parse((await testMessages('U'))[0]!.raw)).subject).toBe('Undangan rapat koordinasi U');
    } finally {
      await parser.close();
    }
  }, 60_000);
});
