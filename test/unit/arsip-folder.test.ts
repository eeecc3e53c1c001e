import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkArsipName, folderArsip } from '../../src/adapters/arsip-folder.js';
import { isSandiError } from '../../src/errors.js';

const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

describe('the archive in the home folder (ArsipStore)', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'sandi-arsip-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('writes a name once, private, and says same / kept / refused after', () => {
    const a = folderArsip(join(root, 'arsip'));
    const data = Buffer.from('kriptogram 1');
    expect(a.writeSync('kriptogram-keluar/1-abc.asc', data)).toEqual({ result: 'written', sha256: sha(data), size: data.length });
    const path = join(root, 'arsip', 'kriptogram-keluar', '1-abc.asc');
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(statSync(join(root, 'arsip', 'kriptogram-keluar')).mode & 0o777).toBe(0o700);
    expect(a.writeSync('kriptogram-keluar/1-abc.asc', data).result).toBe('same');
    expect(a.writeSync('kriptogram-keluar/1-abc.asc', Buffer.from('lain'), { keepExisting: true }).result).toBe('kept');
    let err: unknown;
    try {
      a.writeSync('kriptogram-keluar/1-abc.asc', Buffer.from('lain'));
    } catch (e) {
      err = e;
    }
    expect(isSandiError(err) && err.key).toBe('kirim.archiveExists');
    expect(a.readSync('kriptogram-keluar/1-abc.asc').equals(data)).toBe(true);
    // no temporary file left behind
    expect(readdirSync(join(root, 'arsip', 'kriptogram-keluar'))).toEqual(['1-abc.asc']);
  });

  it('streams a write and a read in chunks, and lists by prefix', async () => {
    const a = folderArsip(join(root, 'arsip'));
    const parts = [Buffer.alloc(3 << 20, 1), Buffer.alloc(1 << 20, 2)];
    async function* src(): AsyncGenerator<Uint8Array> {
      for (const p of parts) yield await Promise.resolve(p);
    }
    const w = await a.write('surat-masuk/ab/x.eml', src());
    const all = Buffer.concat(parts);
    expect(w).toEqual({ result: 'written', sha256: sha(all), size: all.length });
    const chunks: Buffer[] = [];
    for await (const c of a.open('surat-masuk/ab/x.eml')) chunks.push(c);
    expect(chunks.length).toBeGreaterThan(1);
    expect(Buffer.concat(chunks).equals(all)).toBe(true);
    expect(a.stat('surat-masuk/ab/x.eml')).toEqual({ sha256: sha(all), size: all.length });
    expect(a.stat('surat-masuk/ab/y.eml')).toBeNull();
    a.writeSync('audit/titik-000000000002.asc', Buffer.from('2'));
    a.writeSync('audit/titik-000000000001.asc', Buffer.from('1'));
    writeFileSync(join(root, 'arsip', 'audit', '.titik-x.tmp'), 'half');
    expect(a.list('audit/')).toEqual(['audit/titik-000000000001.asc', 'audit/titik-000000000002.asc']);
    expect(a.list('')).toHaveLength(3);
    expect(a.exists('audit/titik-000000000001.asc')).toBe(true);
    expect(() => a.readSync('audit/none.asc')).toThrow();
    expect(() => a.open('audit/none.asc')).toThrow();
  });

  it('two writers racing for one name: one wins, the other is refused, nothing replaced', async () => {
    const a = folderArsip(join(root, 'arsip'));
    const b = folderArsip(join(root, 'arsip'));
    const results = await Promise.allSettled([a.write('x/n.asc', Buffer.from('A')), b.write('x/n.asc', Buffer.from('B'))]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const won = (results.find((r) => r.status === 'fulfilled') as PromiseFulfilledResult<{ sha256: string }>).value;
    expect(sha(a.readSync('x/n.asc'))).toBe(won.sha256);
  });

  it('abandon takes back only a name this store wrote itself, or one a killed run left when told so', () => {
    const a = folderArsip(join(root, 'arsip'));
    const b = folderArsip(join(root, 'arsip'));
    const dir = join(root, 'arsip', 'kriptogram-keluar');
    a.writeSync('kriptogram-keluar/7-aaaa.asc', Buffer.from('A'));
    b.writeSync('kriptogram-keluar/8-bbbb.asc', Buffer.from('B'));
    // the same bytes again: 'same', not this store's to remove
    expect(b.writeSync('kriptogram-keluar/7-aaaa.asc', Buffer.from('A')).result).toBe('same');
    expect(b.abandon('kriptogram-keluar/7-aaaa.asc')).toBe(false);
    expect(a.abandon('kriptogram-keluar/8-bbbb.asc')).toBe(false);
    expect(readdirSync(dir).sort()).toEqual(['7-aaaa.asc', '8-bbbb.asc']);
    expect(a.abandon('kriptogram-keluar/7-aaaa.asc')).toBe(true);
    expect(a.exists('kriptogram-keluar/7-aaaa.asc')).toBe(false);
    expect(a.abandon('kriptogram-keluar/7-aaaa.asc')).toBe(false);
    // a file another run left behind (it was killed before its transaction): removed only when told so
    const c = folderArsip(join(root, 'arsip'));
    expect(c.abandon('kriptogram-keluar/8-bbbb.asc', { leftByKilledRun: true })).toBe(true);
    expect(readdirSync(dir)).toEqual([]);
    expect(c.abandon('kriptogram-keluar/8-bbbb.asc', { leftByKilledRun: true })).toBe(false);
  });

  it('refuses names that leave the archive', () => {
    for (const bad of ['/etc/passwd', '../x', 'a/../../x', 'a//b', '', 'a/./b', 'a\\b']) expect(() => checkArsipName(bad)).toThrow();
    expect(checkArsipName('surat-masuk/ab/0f.eml')).toBe('surat-masuk/ab/0f.eml');
  });
});
