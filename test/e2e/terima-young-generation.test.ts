/**
 * Issue 16: `sandi terima`'s peak memory grew with the number of messages fetched. Most of the growth was V8's
 * young generation: it doubles whenever what survived its scavenges since the last doubling adds up to its
 * size (cumulative), so a long fetch took it from 16 to 128 MB. Once the fetch has asked the composition root
 * (src/app/terima.ts, as built in dist/) for its message parser, the young generation stays the size it was.
 *
 * Each case runs in a child Node process of its own (the setting is process-wide): a workload whose survivors
 * add up to many times the young generation, with the new space's size before and after. The control case
 * (no parser asked for) shows the workload does grow it, so the test can fail.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

const DIST = resolve(import.meta.dirname, '../../dist/app/terima.js');

const SCRIPT = `
import { getHeapSpaceStatistics } from 'node:v8';
const newSpace = () => getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size;
// the modules loaded in both cases (loading them allocates too)
const { terimaPorts } = await import(process.argv[1]);
if (process.argv[2] === 'fetch') {
  const ports = terimaPorts({ store: () => { throw new Error('no store in this test'); } });
  await ports.messageParser({ threads: 0 }).close();
}
const before = newSpace();
// like a fetch: each "batch" is held while the next is built, then dropped (survives a few scavenges)
let held = [];
for (let batch = 0; batch < 400; batch++) {
  const next = [];
  for (let i = 0; i < 2000; i++) next.push({ uid: batch * 2000 + i, nomor: 'B-' + i + '/' + batch, text: 'x'.repeat(40) + i });
  held = next;
}
process.stdout.write(JSON.stringify({ before, after: newSpace(), held: held.length }));
`;

function run(mode: 'fetch' | 'control'): { before: number; after: number } {
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', SCRIPT, pathToFileURL(DIST).href, mode], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`child exited ${r.status}: ${r.stderr}`);
  return JSON.parse(r.stdout) as { before: number; after: number };
}

const WORKER_SCRIPT = `
import { Worker } from 'node:worker_threads';
const { terimaPorts } = await import(process.argv[1]);
const { YOUNG_GENERATION_MB } = await import(process.argv[2]);
if (process.argv[3] === 'fetch') await terimaPorts({ store: () => { throw new Error('no store in this test'); } }).messageParser({ threads: 0 }).close();
// a thread with the parse thread's limits, started afterwards: the size of its new space
const w = new Worker("const { getHeapSpaceStatistics } = require('node:v8'); require('node:worker_threads').parentPort.postMessage(getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size);", { eval: true, execArgv: [], resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB } });
w.on('message', (size) => { process.stdout.write(JSON.stringify({ size })); w.terminate(); });
`;

function workerNewSpace(mode: 'fetch' | 'control'): number {
  const pool = pathToFileURL(resolve(import.meta.dirname, '../../dist/adapters/mail/parse-pool.js')).href;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', WORKER_SCRIPT, pathToFileURL(DIST).href, pool, mode], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`child exited ${r.status}: ${r.stderr}`);
  return (JSON.parse(r.stdout) as { size: number }).size;
}

describe('terima fetch: young generation bounded (issue 16)', () => {
  it('a parse thread started once the fetch has its parser gets semi-spaces of its full young generation at once (not 1 MB held there)', () => {
    if (!existsSync(DIST)) throw new Error('dist/ is not built: run `npm run build` first');
    const control = workerNewSpace('control');
    const fetch = workerNewSpace('fetch');
    expect(fetch).toBeGreaterThanOrEqual(8 * 1024 * 1024);
    expect(fetch).toBeGreaterThan(control);
  });

  it('stays at its size once the fetch has its parser; grows under the same load without', () => {
    if (!existsSync(DIST)) throw new Error('dist/ is not built: run `npm run build` first');
    const control = run('control');
    expect(control.after).toBeGreaterThan(control.before);
    const fetch = run('fetch');
    expect(fetch.after).toBeLessThanOrEqual(fetch.before);
  });
});
