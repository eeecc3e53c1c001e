/**
 * `db salin`'s archive copy (src/app/salin.ts: arsipNamesToCopy, copyArsip), engine-neutral over the archive
 * port; here folder → folder (the PostgreSQL target is tested in test/integration/postgres-salin.test.ts):
 * every name streamed and verified, temporary files not copied, an interrupted run resumed, a target holding
 * another office's names or other bytes under a name refused, a file name the archive cannot hold refused.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { folderArsip } from '../../src/adapters/arsip-folder.js';
import { arsipNamesToCopy, copyArsip } from '../../src/app/salin.js';
import { isSandiError } from '../../src/errors.js';
import type { ArsipStore } from '../../src/ports/arsip.js';

const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

function refusal(fn: () => unknown): { code: string; key: string } | undefined {
  try {
    fn();
  } catch (e) {
    if (isSandiError(e)) return { code: e.code, key: e.key };
    throw e;
  }
  return undefined;
}

async function refusalAsync(p: Promise<unknown>): Promise<{ code: string; key: string } | undefined> {
  try {
    await p;
  } catch (e) {
    if (isSandiError(e)) return { code: e.code, key: e.key };
    throw e;
  }
  return undefined;
}

describe('db salin: the archive copy', () => {
  let root: string;
  let home: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'sandi-salin-arsip-'));
    home = join(root, 'arsip');
    const put = (name: string, data: string | Buffer): void => {
      const p = join(home, ...name.split('/'));
      mkdirSync(join(p, '..'), { recursive: true });
      writeFileSync(p, data);
    };
    put('surat-masuk/ab/ab01.eml', 'surat');
    put('kriptogram-keluar/draf/cd.pgp', 'draf');
    put('kriptogram-keluar/1-0123456789abcdef.asc', Buffer.alloc(3 << 20, 7)); // three chunks of the folder's reader
    put('audit/titik-000000000004.asc', 'titik');
    put('aduan/ef/ef.eml', 'aduan');
    put('surat-keluar/12.part', 'bagian');
    put('surat-masuk/ab/.ab02.eml.123.abc.tmp', 'separuh'); // a killed write's leftover
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('copies every name streamed, verified, without temporary files; a second run finds them all the same', async () => {
    const from = folderArsip(home);
    const to = folderArsip(join(root, 'tujuan'));
    const names = arsipNamesToCopy(from, to, 'sandi');
    expect(names).toEqual([
      'aduan/ef/ef.eml',
      'audit/titik-000000000004.asc',
      'kriptogram-keluar/1-0123456789abcdef.asc',
      'kriptogram-keluar/draf/cd.pgp',
      'surat-keluar/12.part',
      'surat-masuk/ab/ab01.eml',
    ]);
    const r = await copyArsip(from, to, names);
    expect(r).toEqual({ files: 6, bytes: (3 << 20) + 5 + 4 + 5 + 5 + 6, written: 6, same: 0 });
    expect(to.list('')).toEqual(names);
    expect(to.stat('kriptogram-keluar/1-0123456789abcdef.asc')).toEqual({ sha256: sha(Buffer.alloc(3 << 20, 7)), size: 3 << 20 });
    // an interrupted run resumed: names already there with the same bytes are 'same', compared by hash, not sent again
    let sent = 0;
    const counting: ArsipStore = { ...to, write: (n, src, o) => (sent++, to.write(n, src, o)) };
    expect(await copyArsip(from, counting, arsipNamesToCopy(from, counting, 'sandi'))).toMatchObject({ files: 6, written: 0, same: 6 });
    expect(sent).toBe(0);
  });

  it("refuses a target holding another office's names, or other bytes under a name, and a name the archive cannot hold", async () => {
    const from = folderArsip(home);
    const other: ArsipStore = folderArsip(join(root, 'lain'));
    other.writeSync('audit/titik-000000000009.asc', Buffer.from('kantor lain'));
    expect(refusal(() => arsipNamesToCopy(from, other, 'sandi'))).toEqual({ code: 'DATA', key: 'db.salin.notEmpty' });

    const clash = folderArsip(join(root, 'bentrok'));
    clash.writeSync('audit/titik-000000000004.asc', Buffer.from('titik lain'));
    const names = arsipNamesToCopy(from, clash, 'sandi');
    expect(await refusalAsync(copyArsip(from, clash, names))).toEqual({ code: 'INTEGRITY', key: 'db.salin.arsipDiffers' });
    expect(clash.readSync('audit/titik-000000000004.asc').toString()).toBe('titik lain');

    // a target that keeps other bytes than it states (a damaged chunk): the read-back finds it
    const real = folderArsip(join(root, 'rusak'));
    const damaged: ArsipStore = {
      ...real,
      open: (name) =>
        name === 'aduan/ef/ef.eml'
          ? (function* () {
              yield Buffer.from('ADUAN');
            })() as unknown as AsyncIterable<Buffer>
          : real.open(name),
    };
    expect(await refusalAsync(copyArsip(from, damaged, arsipNamesToCopy(from, damaged, 'sandi')))).toEqual({ code: 'INTEGRITY', key: 'db.salin.arsipDiffers' });

    writeFileSync(join(home, 'surat-keluar', 'surat rapat.pdf'), 'x');
    expect(refusal(() => arsipNamesToCopy(from, folderArsip(join(root, 'kosong')), 'sandi'))).toEqual({ code: 'DATA', key: 'db.salin.arsipName' });
  });
});
