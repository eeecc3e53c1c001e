/**
 * The complaint register descriptor and the pager, pure-ish: no register's export column reads a confidential
 * column; the aduan register knows every complaint status; `less` is found on absolute PATH entries only and
 * run without a shell, with -FRX, fed the text on stdin.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ADUAN, REGISTERS } from '../../src/adapters/sqlite/agenda-registers.js';
import { ADUAN_STATUSES } from '../../src/domain/aduan.js';
import { findLess, pageText } from '../../src/adapters/pager.js';
import { REGISTER_CATALOG } from '../../src/domain/register-catalog.js';

describe('aduan as an agenda register', () => {
  it('no export column of any register reads a confidential column', () => {
    for (const reg of REGISTERS) {
      for (const col of reg.columns) for (const secret of reg.confidential) expect(col.sql, `${reg.buku}.${col.name}`).not.toContain(secret);
    }
    expect(ADUAN.confidential).toContain('pelapor_terenkripsi');
    expect(ADUAN.columns.map((c) => c.name)).not.toContain('lampiran');
    expect(ADUAN.statuses).toEqual(ADUAN_STATUSES);
    expect(ADUAN.anotasi).toBeNull();
    expect(ADUAN.listColumns.every((n) => ADUAN.columns.some((c) => c.name === n))).toBe(true);
  });
});

describe('pager', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sandi-pager-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('finds less only on absolute PATH entries, and feeds it the text with -FRX', async () => {
    const bin = join(dir, 'bin');
    mkdirSync(bin);
    const out = join(dir, 'out.txt');
    // a stand-in `less` that records its arguments and what it was given
    writeFileSync(join(bin, 'less'), `#!/bin/sh\nprintf '%s\\n' "$*" > '${out}'\ncat >> '${out}'\n`);
    chmodSync(join(bin, 'less'), 0o755);
    expect(findLess({ PATH: `relative/bin:${bin}` })).toBe(join(bin, 'less'));
    expect(findLess({ PATH: join(dir, 'nothing') })).toBeNull();
    expect(await pageText('baris 1\nbaris 2', { PATH: `${bin}:/usr/bin:/bin`, SANDI_PASSPHRASE: 'x' })).toBe(true);
    expect(readFileSync(out, 'utf8')).toBe('-FRX\nbaris 1\nbaris 2\n');
    expect(await pageText('x', { PATH: join(dir, 'nothing') })).toBe(false);
  });

  it('the CLI reaches the pager through the composition root (cli/ imports no adapter)', async () => {
    const bin = join(dir, 'bin2');
    mkdirSync(bin);
    const out = join(dir, 'out2.txt');
    writeFileSync(join(bin, 'less'), `#!/bin/sh\nprintf '%s\\n' "$*" > '${out}'\ncat >> '${out}'\n`);
    chmodSync(join(bin, 'less'), 0o755);
    const svc = await import('../../src/app.js');
    expect(await svc.pageText('halaman', { PATH: `${bin}:/usr/bin:/bin` })).toBe(true);
    expect(readFileSync(out, 'utf8')).toBe('-FRX\nhalaman\n');
    expect(await svc.pageText('x', { PATH: join(dir, 'nothing') })).toBe(false);
  });
});

describe('register catalog', () => {
  it('the CLI names every register the store runs, in the same order, with the same documented columns', () => {
    expect(REGISTER_CATALOG.map((r) => r.buku)).toEqual(REGISTERS.map((r) => r.buku));
    for (const [i, d] of REGISTER_CATALOG.entries()) {
      expect(REGISTERS[i]!.columns.map(({ name, kind, doc }) => ({ name, kind, doc }))).toEqual(d.columns);
      expect(d.listColumns.every((n) => d.columns.some((c) => c.name === n)), d.buku).toBe(true);
    }
  });
});
