/**
 * A process holding a unit of work open on the office database (test/integration/postgres-kill.test.ts): it
 * opens the home's app from dist/ (as the CLI does), writes one annotation inside a unit, writes the file named
 * by argv[3] (the signal that the unit is open), then blocks in a query inside the same unit (pg_sleep, on the
 * main thread's Atomics.wait, as every register query does) until the test kills the server. It prints the
 * error's key and exits with its exit code (70 for an error that is not a SandiError).
 *
 * With a third argument `besar` it reads a large result (about 5 MB) instead of sleeping: for a network cut
 * in the middle of a response (test/helpers/cut-proxy.ts between it and the server, SANDI_DB pointing there).
 *
 *   node pg-unit-holder.mjs HOME SIGNAL_FILE [besar]   (SANDI_OPERATOR, PGPASSWORD… from the environment)
 */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const dist = resolve(import.meta.dirname, '../../dist');
const { openApp } = await import(pathToFileURL(`${dist}/app.js`).href);
// openApp on PostgreSQL uses the PostgreSQL side of the composition root, loaded first (as the CLI's preAction hook does)
await (await import(pathToFileURL(`${dist}/app/postgres.js`).href)).loadPostgresOffice();
const { SandiError } = await import(pathToFileURL(`${dist}/errors.js`).href);
const [home, signal, mode] = process.argv.slice(2);
const app = openApp(home, undefined, { env: process.env });
let code = 0;
try {
  app.registers().write((uow) => {
    uow.anotasi.annotate({ buku: 'surat_keluar', baris: 1, actor: process.env.SANDI_OPERATOR, catatan: 'unit terbuka' }, new Date());
    writeFileSync(signal, 'open\n');
    app.store().pg.query(mode === 'besar' ? "SELECT repeat('x', 1000) FROM generate_series(1, 5000)" : 'SELECT pg_sleep(60)');
  });
  process.stdout.write('committed\n');
} catch (e) {
  process.stdout.write(`${e instanceof SandiError ? e.key : `raw ${e?.name}: ${e?.message}`}\n`);
  code = e instanceof SandiError ? e.exitCode : 70;
} finally {
  try {
    app.close();
  } catch {
    /* the connection is gone */
  }
}
process.exit(code);
