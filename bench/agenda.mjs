#!/usr/bin/env node
/**
 * Bench: `sandi agenda keluar ekspor` (CSV) vs the sqlite3 shell (`.mode csv`) on the same database, in one run.
 *
 *   npm run build && node bench/agenda.mjs [rows=200000] [--runs=3] [--xlsx] [--keep]
 *
 * A temporary home gets a sandi database (schema through sandi's own store, so every trigger of the registers
 * and of the full-text index is in place) with `rows` outgoing kriptograms that went all the way to terkirim,
 * every fifth one Rahasia (subject encrypted: random bytes). Then, alternately, `runs` times each:
 *   - sandi: `node bin/sandi.js --home H agenda keluar ekspor --keluaran out.csv` (peak RSS from the child itself);
 *   - sqlite3: the same SELECT that sandi runs (same columns, same order), `.mode csv`, `.headers on`, into a file
 *     (peak RSS from /usr/bin/time -f %M when present).
 * The fastest run of each is compared (other processes on a shared machine only ever add time).
 * Target (issue 5): sandi within 2x of the sqlite3 shell; memory flat (compare rows=20000 with rows=200000).
 *
 * Child mode, used by the tests too: `node bench/agenda.mjs --seed <database> <rows>` creates/migrates the
 * database and adds the rows.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const dist = (p) => join(root, 'dist', p);

/** Rows that went through every state, built inside SQLite so seeding 200,000 takes seconds. */
export function seedSql(rows) {
  return `
    WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${Number(rows)})
    INSERT INTO kriptogram_keluar (registered_at, sandiman, recipients, sifat, derajat, perihal, perihal_terenkripsi,
      permohonan_nomor, permohonan_tanggal, permohonan_unit, assigned_by)
    SELECT strftime('%Y-%m-%dT%H:%M:%fZ', '2026-01-05T01:00:00Z', '+' || (i * 2) || ' minutes'), 'Budi Santoso',
      json_array(json_object('email', 'opd' || (i % 40) || '@dinas' || (i % 40) || '.test', 'unit', 'Dinas Nomor ' || (i % 40) || ', Kota Uji', 'unitCode', 'D' || (i % 40))),
      CASE WHEN i % 5 = 0 THEN 'Rahasia' ELSE 'Biasa' END, 'Segera',
      CASE WHEN i % 5 = 0 THEN NULL ELSE 'Permohonan data "statistik" sektoral ke-' || i || ', tahun anggaran 2026' END,
      CASE WHEN i % 5 = 0 THEN randomblob(300) ELSE NULL END,
      '005/' || i || '/SETDA', '2026-01-02', 'Sekretariat Daerah', 'Kabid Persandian'
    FROM n;
    UPDATE kriptogram_keluar SET status = 'diparaf', diparaf_at = registered_at, diparaf_oleh = sandiman, draf_sha256 = lower(hex(randomblob(32)));
    UPDATE kriptogram_keluar SET status = 'ditandatangani', ditandatangani_at = registered_at, signer = 'Siti Rahayu', kriptogram_sha256 = lower(hex(randomblob(32)));
    UPDATE kriptogram_keluar SET status = 'bernomor', tahun = 2026, urut = id, nomor = 'KRIP/' || printf('%06d', id) || '/I/2026', bernomor_at = registered_at;
    UPDATE kriptogram_keluar SET status = 'terkirim', message_id = '<' || id || '.kriptogram@uji.test>', sent_at = registered_at, server_reply = '250 2.0.0 OK';
  `;
}

if (process.argv[2] === '--seed') {
  const [, , , db, rows] = process.argv;
  const { openStore } = await import(dist('adapters/sqlite/store.js'));
  const store = openStore(db);
  store.db.exec('BEGIN');
  store.db.exec(seedSql(rows));
  store.db.exec('COMMIT');
  store.close();
  process.exit(0);
}

const args = process.argv.slice(2);
const rows = Number(args.find((a) => /^\d+$/.test(a)) ?? 200_000);
const runs = Number(args.find((a) => a.startsWith('--runs='))?.slice(7) ?? 3);
const keep = args.includes('--keep');
const xlsx = args.includes('--xlsx');
const hasTime = existsSync('/usr/bin/time');

if (!existsSync(dist('main.js'))) {
  console.error('dist/ is missing: run `npm run build` first');
  process.exit(1);
}
const sqliteOk = spawnSync('sqlite3', ['--version']).status === 0;
if (!sqliteOk) {
  console.error('the sqlite3 shell is missing (apt-get install sqlite3)');
  process.exit(1);
}

const dir = mkdtempSync(join(process.env.BENCH_TMP ?? tmpdir(), 'sandi-bench-agenda-'));
const db = join(dir, 'sandi.db');
let t0 = performance.now();
const seeded = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--seed', db, String(rows)], { stdio: 'inherit' });
if (seeded.status !== 0) process.exit(1);
console.log(`seeded ${rows} rows in ${((performance.now() - t0) / 1000).toFixed(1)} s (${dir})`);

const { KRIPTOGRAM_KELUAR } = await import(dist('adapters/sqlite/agenda-registers.js'));
const select = `SELECT ${KRIPTOGRAM_KELUAR.columns.map((c) => `${c.sql} AS "${c.name}"`).join(', ')} FROM kriptogram_keluar ORDER BY id;`;

function runSandi(format) {
  const out = join(dir, `sandi.${format}`);
  t0 = performance.now();
  const r = spawnSync(process.execPath, ['--import', join(here, 'agenda-peak.mjs'), join(root, 'bin', 'sandi.js'), '--home', dir, 'agenda', 'keluar', 'ekspor', '--format', format, '--keluaran', out], { encoding: 'utf8' });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`sandi failed: ${r.stderr}`);
  const kb = Number(/SANDI_PEAK_RSS_KB=(\d+)/.exec(r.stderr)?.[1] ?? NaN);
  return { ms, kb, bytes: statSync(out).size };
}

function runSqlite() {
  const out = join(dir, 'sqlite3.csv');
  const script = `.headers on\n.mode csv\n.once ${out}\n${select}\n`;
  const cmd = hasTime ? '/usr/bin/time' : 'sqlite3';
  const argv = hasTime ? ['-f', 'PEAK_KB=%M', 'sqlite3', db] : [db];
  t0 = performance.now();
  const r = spawnSync(cmd, argv, { input: script, encoding: 'utf8' });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`sqlite3 failed: ${r.stderr}`);
  const kb = Number(/PEAK_KB=(\d+)/.exec(r.stderr)?.[1] ?? NaN);
  return { ms, kb, bytes: statSync(out).size };
}

const best = (xs) => xs.reduce((a, b) => (b.ms < a.ms ? b : a));
const peak = (xs) => Math.max(...xs.map((x) => x.kb));
const S = [];
const Q = [];
for (let i = 0; i < runs; i++) {
  S.push(runSandi('csv'));
  Q.push(runSqlite());
}
const s = best(S);
const q = best(Q);
const mb = (kb) => (Number.isFinite(kb) ? `${(kb / 1024).toFixed(0)} MB` : 'n/a');
console.log(`rows: ${rows}, runs: ${runs} each (fastest shown)`);
console.log(`sandi agenda keluar ekspor (csv): ${(s.ms / 1000).toFixed(2)} s, ${(s.bytes / 1e6).toFixed(1)} MB written, peak RSS ${mb(peak(S))}`);
console.log(`sqlite3 shell .mode csv:          ${(q.ms / 1000).toFixed(2)} s, ${(q.bytes / 1e6).toFixed(1)} MB written, peak RSS ${mb(peak(Q))}`);
const ratio = s.ms / q.ms;
console.log(`ratio sandi/sqlite3: ${ratio.toFixed(2)}x (target <= 2x) ${ratio <= 2 ? 'OK' : 'OVER TARGET'}`);
if (xlsx) {
  const x = runSandi('xlsx');
  console.log(`sandi agenda keluar ekspor (xlsx): ${(x.ms / 1000).toFixed(2)} s, ${(x.bytes / 1e6).toFixed(1)} MB, peak RSS ${mb(x.kb)}`);
  const j = runSandi('jsonl');
  console.log(`sandi agenda keluar ekspor (jsonl): ${(j.ms / 1000).toFixed(2)} s, ${(j.bytes / 1e6).toFixed(1)} MB, peak RSS ${mb(j.kb)}`);
}
if (!keep) rmSync(dir, { recursive: true, force: true });
