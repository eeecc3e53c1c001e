#!/usr/bin/env node
/**
 * Bench: `sandi kirim` throughput and `sandi` start-up time (issue 3).
 *
 *   npm run build && node bench/kirim.mjs [documents=200] [--startup-runs=15]
 *
 * 1. Throughput: a demo office (DEMO keys, local Maildir, single operator) in a temporary home; N small
 *    documents (1-4 KiB, Terbatas) each go through the whole kirim service as `sandi kirim` runs it:
 *    checks, encrypted draft + the sandiman's initial, register (one transaction), the Kasi's signature
 *    (final kriptogram to 2 units + archive key, both signatures), number + Message-ID, delivery into each
 *    unit's Maildir and the local Sent. In one process, as a batch script would; prints documents per second.
 * 2. Start-up: `node bin/sandi.js --version` against bare `node -e ''`, each run `runs` times alternately,
 *    median wall-clock time compared (target: under 2x). Measures what the CLI loads before any command.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';

const here = dirname(fileURLToPath(import.meta.url));
const dist = join(here, '..', 'dist');
const bin = join(here, '..', 'bin', 'sandi.js');
const args = process.argv.slice(2);
const count = Number(args.find((a) => /^\d+$/.test(a)) ?? 200);
const startupRuns = Number(/^--startup-runs=(\d+)$/.exec(args.find((a) => a.startsWith('--startup-runs=')) ?? '')?.[1] ?? 15);

const { openApp } = await import(join(dist, 'app.js'));
const { runDemo } = await import(join(dist, 'services', 'demo.js'));
const { kirimService } = await import(join(dist, 'services', 'kirim.js'));
const { readExampleManifest } = await import(join(dist, 'services', 'kunci.js'));
const { EXAMPLE_KEYS_DIR } = await import(join(dist, 'services', 'demo.js'));

const dir = mkdtempSync(join(tmpdir(), 'sandi-bench-kirim-'));
try {
  const app = openApp(join(dir, 'home'));
  await runDemo(app); // sets up the office (and sends its own first document, not timed)
  const manifest = readExampleManifest(EXAMPLE_KEYS_DIR);
  const pass = (role) => manifest.find((k) => k.role === role).passphrase;
  const units = manifest.filter((k) => k.role === 'penerima').map((k) => k.email);
  const svc = kirimService(app, {
    actor: 'bench',
    env: {},
    singleOperator: true,
    passphrases: { sandiman: { get: async () => pass('sandiman') }, kasi: { get: async () => pass('kasi') } },
  });
  const docs = Array.from({ length: count }, (_, i) => ({
    fileName: `nota-${i + 1}.txt`,
    data: Buffer.from(`NOTA DINAS ${i + 1}\n${randomBytes(512 + ((i * 97) % 1536)).toString('base64')}\n`),
  }));
  const t0 = performance.now();
  let last;
  for (const [i, doc] of docs.entries()) {
    const rep = await svc.mulai({
      dokumen: doc,
      kepada: units,
      perihal: `Bench ${i + 1}`,
      sifat: 'Terbatas',
      derajat: 'Biasa',
      permohonan: { nomor: `005/${i + 1}/BENCH`, tanggal: '2026-11-20', unit: 'Bench' },
    });
    if (rep.row.status !== 'terkirim') throw new Error(`row ${rep.row.id} ended ${rep.row.status}`);
    last = rep.row.nomor;
  }
  const secs = (performance.now() - t0) / 1000;
  app.close();
  console.log(`kirim: ${count} documents (register+encrypt+initial+sign+number+send to ${units.length} local Maildirs + Sent) in ${secs.toFixed(2)} s`);
  console.log(`kirim: ${(count / secs).toFixed(1)} documents/s (${((secs / count) * 1000).toFixed(1)} ms each); last number ${last}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}

// ------------------------------------------------------------------------------------ start-up
function wall(argv) {
  const t = performance.now();
  const r = spawnSync(process.execPath, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
  if (r.status !== 0) throw new Error(`${argv.join(' ')} failed: ${r.stderr}`);
  return performance.now() - t;
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const bare = [];
const cli = [];
wall(['-e', '']); // warm the file cache
wall([bin, '--version']);
for (let i = 0; i < startupRuns; i += 1) {
  bare.push(wall(['-e', '']));
  cli.push(wall([bin, '--version']));
}
const ratio = median(cli) / median(bare);
console.log(`start-up: node -e '' ${median(bare).toFixed(1)} ms, sandi --version ${median(cli).toFixed(1)} ms (medians of ${startupRuns}): ${ratio.toFixed(2)}x (target < 2x) ${ratio < 2 ? 'OK' : 'OVER'}`);
