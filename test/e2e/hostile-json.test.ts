/**
 * Hostile JSON in the files sandi reads (issue 12, point 5): a config.json nested 5,000 arrays deep used to end in
 * exit 70, `RangeError: Maximum call stack size exceeded at findSecretKeys`. It is a configuration error (exit 78)
 * naming the file and the problem, wherever the nesting is.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sandi, tempHome } from '../helpers/cli.js';

const deep = (n: number): string => `${'['.repeat(n)}${']'.repeat(n)}`;

describe('hostile config.json', () => {
  const t = tempHome('sandi-hostile-');
  const home = join(t.dir, 'h');
  const cfgPath = join(home, 'config.json');
  let good: string;
  beforeAll(() => {
    const r = sandi(['--home', home, 'demo']);
    expect(r.code, r.stderr).toBe(0);
    good = readFileSync(cfgPath, 'utf8');
  }, 60_000);
  afterAll(() => t.cleanup());

  it.each([
    ['the whole file', () => deep(5000)],
    ['under "terima"', () => good.replace(/^\{/, `{"terima": ${deep(5000)},`)],
    ['under an unknown key', () => good.replace(/^\{/, `{"x": {"y": ${deep(5000)}},`)],
  ])('nested 5,000 arrays deep (%s): exit 78 naming the file, no stack overflow', (_what, text) => {
    writeFileSync(cfgPath, text(), { mode: 0o600 });
    for (const args of [['demo'], ['kirim', 'status'], ['terima', 'status'], ['aduan', 'status']]) {
      const r = sandi(['--home', home, '--lang', 'en', ...args]);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(78);
      expect(r.stderr).toContain(cfgPath);
      expect(r.stderr).toContain('nests too deep');
      expect(r.stderr).not.toMatch(/RangeError|call stack/);
    }
    writeFileSync(cfgPath, good, { mode: 0o600 });
    expect(sandi(['--home', home, 'agenda', 'keluar', 'daftar']).code).toBe(0);
  });
});
