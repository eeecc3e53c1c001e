/**
 * The archive's folder fsyncs (src/adapters/archive.ts), counted on the real file system: node:fs is the
 * real module, its fsyncSync only wrapped to count calls. A deferred put never fsyncs on the caller's
 * thread, not even the parent of an <aa> folder it makes; flush() syncs every folder a deferred put made or
 * renamed into; a put that is not deferred returns with all of them durable.
 */
import { mkdtempSync, rmSync, existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

const synced = vi.hoisted(() => ({ sync: 0, opened: [] as string[], hashes: 0 }));
vi.mock('node:crypto', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:crypto')>();
  // the real hash, counted
  return { ...real, createHash: (...a: Parameters<typeof real.createHash>) => (synced.hashes++, real.createHash(...a)) };
});
vi.mock('node:fs/promises', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:fs/promises')>();
  // folders opened for an asynchronous fsync (flush) are recorded; files open as they always do
  return { ...real, open: (path: string, ...rest: Parameters<typeof real.open> extends [unknown, ...infer R] ? R : never) => (synced.opened.push(path), real.open(path, ...rest)) };
});
vi.mock('node:fs', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:fs')>();
  return {
    ...real,
    fsyncSync: (fd: number) => {
      synced.sync++;
      real.fsyncSync(fd);
    },
  };
});

const { messageArchive } = await import('../../src/adapters/archive.js');
const { createHash } = await import('node:crypto');
const sha = (b: Buffer): string => {
  const h = createHash('sha256').update(b).digest('hex');
  synced.hashes = 0;
  return h;
};

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sandi-arsip-'));
  synced.sync = 0;
  synced.opened = [];
  synced.hashes = 0;
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('archive folder fsyncs', () => {
  it('a deferred put into a fresh archive fsyncs nothing synchronously; flush makes every new folder durable', async () => {
    const a = messageArchive(join(dir, 'arsip', 'surat-masuk'));
    const puts = [];
    for (let i = 0; i < 20; i++) puts.push(a.put(Buffer.from(`Subject: ${i}\r\n\r\nisi ${i}\r\n`), { deferDirSync: true }));
    const got = await Promise.all(puts);
    expect(synced.sync).toBe(0);
    synced.opened = [];
    await a.flush();
    expect(synced.sync).toBe(0); // flush fsyncs through the thread pool, not on the caller's thread
    const root = join(dir, 'arsip', 'surat-masuk');
    const want = [root, join(dir, 'arsip'), dir, ...new Set(got.map((m) => join(root, m.sha256.slice(0, 2))))];
    expect(new Set(synced.opened)).toEqual(new Set(want));
    for (const [i, m] of got.entries()) expect(readFileSync(m.path, 'utf8')).toBe(`Subject: ${i}\r\n\r\nisi ${i}\r\n`);
  });

  it('a put that is not deferred returns with the parents a deferred put left unsynced made durable', async () => {
    const a = messageArchive(join(dir, 'arsip'));
    await a.put(Buffer.from('Subject: a\r\n\r\nx\r\n'), { deferDirSync: true });
    expect(synced.sync).toBe(0);
    const b = await a.put(Buffer.from('Subject: b\r\n\r\ny\r\n'));
    // its own folder and the parents the deferred put made (arsip/, the temp dir's parent ...)
    expect(synced.sync).toBeGreaterThanOrEqual(2);
    expect(existsSync(b.path)).toBe(true);
    synced.sync = 0;
    await a.put(Buffer.from('Subject: c\r\n\r\nz\r\n'));
    expect(synced.sync).toBeGreaterThanOrEqual(1);
  });
});

describe('a hash computed elsewhere (the parse thread)', () => {
  it('is taken without hashing again on this thread; null or a non-hash is replaced by the real hash', async () => {
    const a = messageArchive(join(dir, 'arsip'));
    const raw = Buffer.from('Subject: x\r\n\r\nisi\r\n');
    const given = await a.put(raw, { sha256: Promise.resolve(sha(raw)) });
    expect(synced.hashes).toBe(0);
    expect(given.sha256).toBe(sha(raw));
    expect(readFileSync(given.path, 'utf8')).toBe(raw.toString());
    // each promise made only when it is handed over: a rejection made ahead, in the array, would be unhandled for
    // the awaits of the puts before it (Node reports that, and vitest fails the run)
    for (const bad of [() => Promise.resolve(null), () => Promise.resolve('zz'), () => Promise.reject(new Error('parse thread gone'))]) {
      const other = Buffer.from(`Subject: ${Math.random()}\r\n\r\n`);
      const r = await a.put(other, { sha256: bad() });
      expect(r.sha256).toBe(sha(other));
      expect(readFileSync(r.path, 'utf8')).toBe(other.toString());
    }
  });
});

describe('a hash from the parse thread that fails while the put cannot even start', () => {
  it('is never an unhandled rejection: the put reports its own IO error', async () => {
    const { writeFileSync } = await import('node:fs');
    const unhandled: unknown[] = [];
    const onUnhandled = (e: unknown): void => void unhandled.push(e);
    process.on('unhandledRejection', onUnhandled);
    try {
      const blocked = join(dir, 'bukan-folder');
      writeFileSync(blocked, 'a file where the archive folder should be');
      const a = messageArchive(blocked);
      await expect(a.put(Buffer.from('Subject: x\r\n\r\n'), { sha256: Promise.reject(new Error('parse thread gone')) })).rejects.toMatchObject({ code: 'IO' });
      await new Promise((r) => setTimeout(r, 20));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });
});
