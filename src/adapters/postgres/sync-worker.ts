/**
 * The worker thread of the synchronous PostgreSQL client (sync-client.ts): it holds one `pg` connection and
 * answers one request at a time. Plain JavaScript, evaluated with `eval: true` (as parse-pool.ts and
 * kriptogram-hasher.ts do): the same source runs under the test runner (TypeScript sources, no compiled worker
 * file next to them) and from dist/, and `pg` is loaded by the absolute path the main thread resolved.
 *
 * The source uses only dynamic import(), never require: an eval'd worker inherits the process's execArgv, and
 * under `node --input-type=module` it is an ES module (where require does not exist) — a worker dead at birth
 * would leave the main thread waiting.
 *
 * Protocol: the main thread posts {op, sql, params} on `port`, then sleeps on `flag` (Atomics.wait). The worker
 * answers on `port` FIRST, then sets flag[0] = 1 and notifies: when the main thread wakes the answer is already
 * queued, and it takes it with receiveMessageOnPort without running its event loop.
 *
 * Type parsers (per client, not pg's global table): int8 → number (an unsafe value is an error, never a rounded
 * number), int8[] likewise; bytea → Buffer (pg's default); timestamptz, timestamp, date and their arrays → the
 * server's text as is (no JS Date: the registers keep UTC ISO text); json/jsonb → parsed (pg's default).
 */
export const SYNC_WORKER_SOURCE = String.raw`
(async () => {
const { workerData } = await import('node:worker_threads');
const { port, flag, options } = workerData;
// flag[1]: 1 = the thread runs, 2 = it is ending (the main thread stops waiting for an answer that cannot come)
Atomics.store(flag, 1, 1);
process.on('exit', () => {
  Atomics.store(flag, 1, 2);
  Atomics.notify(flag, 0);
});
const pg = (await import(workerData.pgUrl)).default;

const int8 = (text) => {
  const n = Number(text);
  if (!Number.isSafeInteger(n)) {
    const e = new RangeError('int8 value ' + text + ' is outside the safe JavaScript integer range');
    e.code = 'SANDI_INT8_UNSAFE';
    throw e;
  }
  return n;
};
const asText = (text) => text;
const TEXT_OIDS = new Set([1082, 1114, 1184]); // date, timestamp, timestamptz
const TEXT_ARRAY_OIDS = new Set([1182, 1115, 1185]);
const types = {
  getTypeParser(oid, format) {
    if (format === 'binary') return pg.types.getTypeParser(oid, format);
    if (oid === 20) return int8;
    if (oid === 1016) return (v) => pg.types.arrayParser.create(v, (x) => (x === null ? null : int8(x))).parse();
    if (TEXT_OIDS.has(oid)) return asText;
    if (TEXT_ARRAY_OIDS.has(oid)) return (v) => pg.types.arrayParser.create(v, asText).parse();
    return pg.types.getTypeParser(oid, format);
  },
};

function sslConfig(o) {
  switch (o.sslmode) {
    case 'disable':
      return false;
    case 'require':
      return { rejectUnauthorized: false };
    case 'verify-ca':
      // the chain is checked against the CA, the host name is not (libpq's verify-ca)
      return { rejectUnauthorized: true, ca: o.ca, checkServerIdentity: () => undefined };
    case 'verify-full':
    default:
      return { rejectUnauthorized: true, ca: o.ca, servername: /^[0-9.]+$|:/.test(o.host) ? undefined : o.host };
  }
}

// every own field pg or Node put on an error (SQLSTATE code, detail, constraint, table, column, where, errno…)
const FIELDS = ['code', 'severity', 'detail', 'hint', 'position', 'internalPosition', 'internalQuery', 'where', 'schema', 'table', 'column', 'dataType', 'constraint', 'file', 'line', 'routine', 'errno', 'syscall', 'address', 'port'];
function serialize(e) {
  if (e === null || typeof e !== 'object') return { name: 'Error', message: String(e) };
  // connecting to a name with several addresses fails with an AggregateError: its first cause says why
  const inner = Array.isArray(e.errors) && e.errors.length > 0 && e.code === undefined ? e.errors[0] : undefined;
  const out = { name: e.name || 'Error', message: e.message || (inner && inner.message) || String(e), stack: e.stack };
  for (const f of FIELDS) {
    const v = e[f] !== undefined ? e[f] : inner ? inner[f] : undefined;
    if (v !== undefined && v !== null) out[f] = typeof v === 'object' ? String(v) : v;
  }
  return out;
}

let client = null;
let lost = null;
// pages fetched ahead (PgQueryOptions.ahead), by statement (a FETCH names its cursor): a promise of { r } or { error }
const ahead = new Map();

function answer(msg) {
  try {
    port.postMessage(msg);
  } catch (e) {
    port.postMessage({ error: serialize(e) });
  }
  Atomics.store(flag, 0, 1);
  Atomics.notify(flag, 0);
}

async function connect() {
  const c = new pg.Client({
    host: options.host,
    port: options.port,
    user: options.user,
    database: options.database,
    password: options.password,
    ssl: sslConfig(options),
    application_name: options.applicationName,
    connectionTimeoutMillis: options.connectTimeoutMs,
    keepAlive: true,
    keepAliveInitialDelayMillis: options.keepAliveDelayMs,
    // bounds of a silent network (sync-client.ts PgConnectionOptions): set for the session at start-up
    lock_timeout: options.lockTimeoutMs,
    idle_in_transaction_session_timeout: options.idleInTransactionTimeoutMs,
    types,
  });
  // a connection that breaks between requests (server restarted, network gone) must not kill the thread:
  // the next request fails with the reason
  c.on('error', (e) => {
    lost = e;
  });
  await c.connect();
  client = c;
}

async function handle(req) {
  switch (req.op) {
    case 'connect':
      await connect();
      return { ok: true };
    case 'query': {
      if (client === null) throw new Error('not connected');
      if (lost !== null) throw lost;
      const opts = req.opts || {};
      if (opts.forget !== undefined) ahead.delete(opts.forget);
      const key = typeof opts.ahead === 'number' ? req.sql : null;
      const kept = key === null ? undefined : ahead.get(key);
      if (key !== null) ahead.delete(key);
      const run = () => client.query({ text: req.sql, values: req.params || [], rowMode: opts.rowMode });
      const r = kept !== undefined ? await kept.then((x) => { if (x.error !== undefined) throw x.error; return x.r; }) : await run();
      const last = Array.isArray(r) ? r[r.length - 1] : r;
      // a full page: the next one is made while the main thread works on this one (see PgQueryOptions)
      if (key !== null && last.rows.length >= opts.ahead) ahead.set(key, run().then((x) => ({ r: x }), (error) => ({ error })));
      const rowCount = last.rowCount === null ? 0 : last.rowCount;
      return opts.transport === 'json' ? { json: JSON.stringify(last.rows), rowCount } : { rows: last.rows, rowCount };
    }
    case 'close': {
      const c = client;
      client = null;
      if (c !== null) await c.end().catch(() => undefined);
      return { ok: true, closed: true };
    }
    default:
      throw new Error('unknown request ' + String(req.op));
  }
}

port.on('message', (req) => {
  handle(req).then(
    (result) => {
      answer({ result });
      if (result.closed) port.close();
    },
    (e) => answer({ error: serialize(e) }),
  );
});
process.on('uncaughtException', (e) => answer({ error: serialize(e), fatal: true }));
})().catch((e) => {
  // pg could not be loaded: say so to the waiting main thread
  workerData.port.postMessage({ error: { name: 'Error', message: 'PostgreSQL worker: ' + String((e && e.message) || e), code: 'SANDI_WORKER' }, fatal: true });
  Atomics.store(workerData.flag, 0, 1);
  Atomics.notify(workerData.flag, 0);
});
`;
