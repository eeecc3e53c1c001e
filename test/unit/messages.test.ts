import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { catalogKeys, t } from '../../src/cli/messages/index.js';
import { EXIT_CODES } from '../../src/errors.js';

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...sources(p));
    else if (p.endsWith('.ts')) out.push(p);
  }
  return out;
}

const SRC = new URL('../../src', import.meta.url).pathname;

describe('message catalogs', () => {
  it('have every key in both Indonesian and English', () => {
    const { id, en } = catalogKeys();
    expect(id.filter((k) => !en.includes(k))).toEqual([]);
    expect(en.filter((k) => !id.includes(k))).toEqual([]);
  });

  it('use the same placeholders in both languages', () => {
    const { id } = catalogKeys();
    const names = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    const diffs = id.filter((k) => JSON.stringify(names(t(k, {}, 'id'))) !== JSON.stringify(names(t(k, {}, 'en'))));
    expect(diffs).toEqual([]);
  });

  it('contain every message key that the code throws', () => {
    const { id } = catalogKeys();
    const known = new Set(id);
    const missing: string[] = [];
    for (const file of sources(SRC)) {
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(/new SandiError\(\s*'[A-Z_]+',\s*'([\w.]+)'/g)) {
        if (!known.has(m[1]!)) missing.push(`${m[1]} (${file.slice(SRC.length + 1)})`);
      }
      for (const m of text.matchAll(/hint:\s*'([\w.]+)'/g)) {
        if (!known.has(m[1]!)) missing.push(`${m[1]} (hint, ${file.slice(SRC.length + 1)})`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('contain every literal key passed to t(), to a warning or to a list of warnings', () => {
    const { id, en } = catalogKeys();
    const both = new Set(id.filter((k) => en.includes(k)));
    const uses = [
      /\b(?:t|warn)\(\s*'([\w.-]+)'/g, // t('k'), warn('k', …)
      /\.push\(\s*(?:\{\s*key:\s*)?'([\w.-]+\.[\w.-]+)'/g, // peringatan.push('k'), warnings.push({ key: 'k' })
      /Arrival\([^()]*\[\s*'([\w.-]+)'/g, // kriptogramArrival(row, ['k'])
    ];
    const missing: string[] = [];
    let seen = 0;
    for (const file of sources(SRC)) {
      const text = readFileSync(file, 'utf8');
      for (const re of uses) {
        for (const m of text.matchAll(re)) {
          seen++;
          if (!both.has(m[1]!)) missing.push(`${m[1]} (${file.slice(SRC.length + 1)})`);
        }
      }
    }
    expect(seen).toBeGreaterThan(300);
    expect(missing).toEqual([]);
  });

  it('exit codes are distinct', () => {
    const codes = Object.values(EXIT_CODES);
    expect(new Set(codes).size).toBe(codes.length);
  });
});
