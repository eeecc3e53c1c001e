/**
 * The house rules of STYLE.md that a grep can check: only adapters import the I/O libraries, domain code
 * imports no adapters, and better-sqlite3 is loaded only through the driver chooser (Node 24 safety).
 */
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const ROOT = new URL('../..', import.meta.url).pathname;

function files(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...files(p));
    else if (/\.(ts|mjs|js)$/.test(p)) out.push(p);
  }
  return out;
}

function imports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/(?:from\s+|import\s*\(\s*|require\(\s*)'([^']+)'/g)].map((m) => m[1]!);
}

const LIBS = ['openpgp', 'nodemailer', 'imapflow', 'better-sqlite3', 'better-sqlite3-napi', 'mailparser'];

describe('architecture', () => {
  it('only src/adapters (and the PGP/MIME parser in formats/pgpmime.ts) import the I/O libraries', () => {
    const offenders: string[] = [];
    for (const f of files(join(ROOT, 'src'))) {
      const rel = relative(ROOT, f);
      if (rel.startsWith('src/adapters/')) continue;
      for (const i of imports(f)) {
        if (!LIBS.includes(i)) continue;
        if (rel === 'src/formats/pgpmime.ts' && i === 'mailparser') continue; // MIME parsing is pure over bytes
        offenders.push(`${rel} imports ${i}`);
      }
    }
    expect(offenders).toEqual([]);
  });

  it('domain code imports no adapters, services or CLI', () => {
    const offenders: string[] = [];
    for (const f of files(join(ROOT, 'src/domain'))) {
      for (const i of imports(f)) if (/\/(adapters|services|cli)\//.test(i)) offenders.push(`${relative(ROOT, f)} imports ${i}`);
    }
    expect(offenders).toEqual([]);
  });

  it('better-sqlite3 is loaded only through src/adapters/sqlite/driver.ts (build 12 aborts on Node 24)', () => {
    const offenders: string[] = [];
    for (const dir of ['src', 'test', 'bench']) {
      for (const f of files(join(ROOT, dir))) {
        const rel = relative(ROOT, f);
        if (rel === 'src/adapters/sqlite/driver.ts') continue;
        for (const i of imports(f)) if (i === 'better-sqlite3' || i === 'better-sqlite3-napi') {
          // type-only imports are harmless
          const text = readFileSync(f, 'utf8');
          if (new RegExp(`import type [^;]*'${i}'`).test(text)) continue;
          offenders.push(`${rel} imports ${i}`);
        }
      }
    }
    expect(offenders).toEqual([]);
  });
});

describe('migrations', () => {
  it('have distinct versions 1..N with no gap, so a fresh database and an old one end in the same schema', async () => {
    const { migrations } = await import('../../src/adapters/sqlite/migrations.js');
    const versions = migrations.map((m) => m.version).sort((a, b) => a - b);
    expect(versions).toEqual(versions.map((_, i) => i + 1));
  });
});

describe('start-up', () => {
  it('loads only the invoked command group: all for help or an unknown word, none for --version', async () => {
    const { groupsFor } = await import('../../src/cli/index.js');
    expect(groupsFor(['kirim', 'status'])).toEqual(['kirim']);
    expect(groupsFor(['--home', 'kunci', '--json', 'agenda', 'daftar'])).toEqual(['agenda']);
    expect(groupsFor(['--lang', 'en', 'aduan'])).toEqual(['aduan']);
    expect(groupsFor(['--version'])).toEqual([]);
    expect(groupsFor(['--help']).length).toBeGreaterThan(5);
    expect(groupsFor([]).length).toBeGreaterThan(5);
    expect(groupsFor(['help', 'kirim']).length).toBeGreaterThan(5);
    expect(groupsFor(['kirimm']).length).toBeGreaterThan(5);
  });
});
