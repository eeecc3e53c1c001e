/**
 * A live `kirim --biasa` whose office-database session is dropped during the send
 * (test/integration/postgres-kill.test.ts): the kirim service from dist/ with the home's real ports, the local
 * Maildir delivery the real one, except that right after the first message is delivered the process's own
 * session is terminated on the server (pg_terminate_backend(pg_backend_pid()): what a network cut or an
 * administrator does). The process goes on as it would, and prints the error's key and exits with its code.
 *
 *   node pg-send-cut.mjs HOME DOCUMENT TO PERIHAL    (SANDI_OPERATOR, PGPASSWORD… from the environment)
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const dist = resolve(import.meta.dirname, '../../dist');
const load = (m) => import(pathToFileURL(`${dist}/${m}`).href);
const [{ openApp }, { SandiError }, { kirimService }, { kirimPorts }] = await Promise.all([load('app.js'), load('errors.js'), load('services/kirim/index.js'), load('app/kirim.js')]);
const [home, dokumen, kepada, perihal] = process.argv.slice(2);
// openApp on PostgreSQL uses the PostgreSQL side of the composition root, loaded first (as the CLI's preAction hook does)
await (await load('app/postgres.js')).loadPostgresOffice();
const app = openApp(home, undefined, { env: process.env });
const ports = kirimPorts(app, process.env);
let cut = false;
const maildirs = {
  ...ports.maildirs,
  maildirIn: (...a) => ports.maildirs.maildirIn(...a),
  list: (...a) => ports.maildirs.list(...a),
  read: (...a) => ports.maildirs.read(...a),
  deliver(...a) {
    const file = ports.maildirs.deliver(...a);
    if (!cut) {
      cut = true;
      try {
        app.store().pg.query('SELECT pg_terminate_backend(pg_backend_pid())');
      } catch {
        /* the session ends with this very query */
      }
    }
    return file;
  },
};
let code = 0;
try {
  const svc = kirimService(app, { actor: process.env.SANDI_OPERATOR, env: process.env, passphrases: {} }, { ...ports, maildirs });
  const rep = await svc.kirimBiasa({ dokumen, kepada: [kepada], perihal, permohonan: {} });
  process.stdout.write(`ok ${JSON.stringify(rep).slice(0, 200)}\n`);
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
