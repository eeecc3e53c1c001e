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

  it('src/domain imports no package at all: only domain modules, errors.ts, the ports, and createHash of node:crypto', () => {
    // Issue 14: domain rules are pure, file formats live in src/formats. A node: built-in is a library too;
    // the one allowed is createHash (a function over bytes: no I/O, no clock, no randomness), which the audit
    // chain and the dedupe keys use. Static, re-export, side-effect and dynamic imports, either quote style.
    const domain = join(ROOT, 'src/domain');
    const allowed = (target: string): boolean =>
      target.startsWith(`${domain}/`) || target === join(ROOT, 'src/errors.js') || target === join(ROOT, 'src/ports.js') || target.startsWith(join(ROOT, 'src/ports/'));
    const offenders: string[] = [];
    for (const f of files(domain)) {
      const rel = relative(ROOT, f);
      // comments say things like `"<id@host>" from "id@host"`: not imports
      const text = readFileSync(f, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|\s)\/\/.*$/gm, '$1');
      const specs = [
        ...text.matchAll(/\bfrom\s*['"]([^'"]+)['"]/g),
        ...text.matchAll(/\bimport\s*['"]([^'"]+)['"]/g),
        ...text.matchAll(/\b(?:import|require)\s*\(\s*['"`]([^'"`]+)['"`]/g),
      ].map((m) => m[1]!);
      for (const s of specs) {
        if (s === 'node:crypto') continue; // checked below, by what is imported
        if (!s.startsWith('.') || !allowed(join(f, '..', s))) offenders.push(`${rel} imports ${s}`);
      }
      const crypto = [...text.matchAll(/\b(?:import|export)\b([^;]*?)['"]node:crypto['"]/g)].map((m) => m[1]!);
      for (const clause of crypto) {
        const named = /^\s*\{([^}]*)\}\s*from\s*$/.exec(clause)?.[1];
        const names = named?.split(',').map((n) => n.trim()).filter((n) => n !== '');
        if (names === undefined || names.some((n) => n !== 'createHash')) offenders.push(`${rel} imports${clause}'node:crypto'`);
      }
      if (/\brequire\s*\(\s*['"`]node:crypto/.test(text) || /\bimport\s*\(\s*['"`]node:crypto/.test(text)) offenders.push(`${rel} loads node:crypto`);
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
