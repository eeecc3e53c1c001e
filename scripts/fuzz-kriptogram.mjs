#!/usr/bin/env node
/**
 * The long kriptogram fuzz run, for before a release (issue 17 §5). CI runs the same fuzzer with a fixed seed
 * and a few hundred cases (test/integration/kriptogram-fuzz.test.ts); this runs it with the seed and the
 * number of cases you give:
 *
 *   node scripts/fuzz-kriptogram.mjs <seed> <count>        e.g.  node scripts/fuzz-kriptogram.mjs 20261206 20000
 *
 * About 20 cases a second on the 2-core CI machine (10,000 cases: under 10 minutes). A failure prints "FUZZ FAILURE seed S case N
 * (...)": the same seed replays it (each case depends only on the seed and its number). Exit code: vitest's.
 */
import { spawnSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const [seedArg, countArg] = process.argv.slice(2);
const seed = Number(seedArg);
const count = Number(countArg);
if (!Number.isInteger(seed) || seed < 0 || !Number.isInteger(count) || count < 1) {
  console.error('usage: node scripts/fuzz-kriptogram.mjs <seed: integer ≥ 0> <count: integer ≥ 1>');
  process.exit(64);
}
const vitest = join(root, 'node_modules', 'vitest', 'vitest.mjs');
const r = spawnSync(process.execPath, [vitest, 'run', 'test/integration/kriptogram-fuzz.test.ts'], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, SANDI_FUZZ_SEED: String(seed), SANDI_FUZZ_CASES: String(count) },
});
process.exit(r.status ?? 1);
