/**
 * The audit checkpoints through the office archive port (src/adapters/audit-checkpoints.ts) over the home's
 * folder archive: the same files as before the port (arsip/audit/titik-<12 digits>.asc), listed in id order,
 * never replaced (another command's checkpoint for the same id is kept), stray names and temporary files ignored.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { folderArsip } from '../../src/adapters/arsip-folder.js';
import { arsipCheckpoints, checkpointName } from '../../src/adapters/audit-checkpoints.js';

describe('audit checkpoints in the archive', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'sandi-titik-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('writes arsip/audit/titik-<12 digits>.asc, private, lists in id order, never replaces one', () => {
    const arsip = join(root, 'arsip');
    const show = (n: string): string => join(arsip, ...n.split('/'));
    const c = arsipCheckpoints(folderArsip(arsip), show);
    expect(checkpointName(7)).toBe('audit/titik-000000000007.asc');
    expect(c.folder).toBe(join(arsip, 'audit'));
    expect(c.list()).toEqual([]);
    expect(c.write(12, 'dua belas')).toEqual({ written: true, path: join(arsip, 'audit', 'titik-000000000012.asc') });
    expect(c.write(7, 'tujuh')).toEqual({ written: true, path: join(arsip, 'audit', 'titik-000000000007.asc') });
    expect(statSync(join(arsip, 'audit', 'titik-000000000007.asc')).mode & 0o777).toBe(0o600);
    expect(statSync(join(arsip, 'audit')).mode & 0o777).toBe(0o700);
    // another command's checkpoint for the same id (signed a second later: other bytes) is kept
    expect(c.write(7, 'tujuh, ditandatangani lagi')).toEqual({ written: false, path: join(arsip, 'audit', 'titik-000000000007.asc') });
    expect(c.write(7, 'tujuh')).toEqual({ written: false, path: join(arsip, 'audit', 'titik-000000000007.asc') });
    expect(readFileSync(join(arsip, 'audit', 'titik-000000000007.asc'), 'utf8')).toBe('tujuh');
    // names that are not checkpoints, a killed write's temporary file, a sub-folder: not listed
    writeFileSync(join(arsip, 'audit', 'catatan.txt'), 'x');
    writeFileSync(join(arsip, 'audit', '.titik-123-abc.tmp'), 'x');
    mkdirSync(join(arsip, 'audit', 'lama'));
    writeFileSync(join(arsip, 'audit', 'lama', 'titik-000000000001.asc'), 'x');
    const list = c.list();
    expect(list).toEqual([
      { id: 7, path: join(arsip, 'audit', 'titik-000000000007.asc') },
      { id: 12, path: join(arsip, 'audit', 'titik-000000000012.asc') },
    ]);
    expect(list.map((f) => c.read(f))).toEqual(['tujuh', 'dua belas']);
    expect(readdirSync(join(arsip, 'audit')).filter((n) => n.endsWith('.asc')).sort()).toEqual(['titik-000000000007.asc', 'titik-000000000012.asc']);
  });
});
