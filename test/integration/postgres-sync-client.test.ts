/**
 * The synchronous PostgreSQL client (src/adapters/postgres/sync-client.ts) against a real private server: queries
 * with parameters, the type parsers (int8, bytea, timestamptz/date as text, json), transactions that roll back
 * on a failing statement or a throwing function, server errors that keep their SQLSTATE and pg fields, the
 * connection faults at open, and a process that exits without close() (the worker never holds it).
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openPgSync, PgError, type PgConnectionOptions, type PgSync } from '../../src/adapters/postgres/sync-client.js';
import { freePort } from '../helpers/mailstack.js';
import { describeWith } from '../helpers/gate.js';
import { postgresMissing, startPostgres, type PgServer } from '../helpers/postgres.js';

const missing = postgresMissing();

function caught(fn: () => unknown): PgError {
  try {
    fn();
  } catch (e) {
    if (e instanceof PgError) return e;
    throw new Error(`expected a PgError, got ${String(e)}`);
  }
  throw new Error('expected a PgError, nothing was thrown');
}

describeWith(`a private PostgreSQL (${missing ?? ''})`, missing === null, 'PostgreSQL synchronous client', () => {
  let pg: PgServer;
  let db: PgSync;
  let opts: PgConnectionOptions;

  beforeAll(async () => {
    pg = await startPostgres();
    opts = { host: pg.host, port: pg.port, user: pg.adminUser, database: pg.database, password: pg.adminPassword, sslmode: 'disable' };
    db = openPgSync(opts);
    db.query('CREATE TABLE buku (id bigint PRIMARY KEY, perihal text NOT NULL CONSTRAINT perihal_isi CHECK (perihal <> \'\'), isi bytea, dicatat timestamptz, tgl date, meta jsonb, tags json)');
  });
  afterAll(async () => {
    db?.close();
    await pg?.stop();
  });

  it('runs queries with parameters and returns rows and rowCount', () => {
    const ins = db.query('INSERT INTO buku (id, perihal) VALUES ($1, $2), ($3, $4)', [1, 'satu', 2, 'dua']);
    expect(ins).toEqual({ rows: [], rowCount: 2 });
    const r = db.query<{ id: number; perihal: string }>('SELECT id, perihal FROM buku WHERE id >= $1 ORDER BY id', [1]);
    expect(r.rows).toEqual([{ id: 1, perihal: 'satu' }, { id: 2, perihal: 'dua' }]);
    expect(r.rowCount).toBe(2);
    db.query('DELETE FROM buku');
  });

  it('parses int8 to a number and refuses an unsafe one', () => {
    expect(db.query<{ n: number }>('SELECT 9007199254740991::int8 AS n').rows[0]!.n).toBe(9007199254740991);
    expect(db.query<{ a: number[] }>('SELECT ARRAY[1, 2, NULL]::int8[] AS a').rows[0]!.a).toEqual([1, 2, null]);
    expect(db.query<{ c: number }>('SELECT count(*) AS c FROM generate_series(1, 5)').rows[0]!.c).toBe(5);
    const e = caught(() => db.query('SELECT 9007199254740993::int8 AS n'));
    expect(e.code).toBe('SANDI_INT8_UNSAFE');
    expect(e.message).toContain('9007199254740993');
    // the connection is still usable after a parser error
    expect(db.query<{ one: number }>('SELECT 1 AS one').rows).toEqual([{ one: 1 }]);
  });

  it('round-trips bytea as Buffer, from a Buffer or a Uint8Array', () => {
    const all = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    db.query('INSERT INTO buku (id, perihal, isi) VALUES (10, $1, $2), (11, $1, $3)', ['biner', all, new Uint8Array([0, 255, 0, 1])]);
    const rows = db.query<{ isi: Buffer }>('SELECT isi FROM buku WHERE id IN (10, 11) ORDER BY id').rows;
    expect(Buffer.isBuffer(rows[0]!.isi)).toBe(true);
    expect(rows[0]!.isi.equals(all)).toBe(true);
    expect([...rows[1]!.isi]).toEqual([0, 255, 0, 1]);
    db.query('DELETE FROM buku');
  });

  it('returns timestamptz and date as the server text, json and jsonb parsed', () => {
    db.query("INSERT INTO buku (id, perihal, dicatat, tgl, meta, tags) VALUES (20, 'waktu', '2026-12-06T23:59:58.123456Z', '2026-02-28', $1, $2)", [
      { nomor: 7, sifat: 'rahasia' },
      JSON.stringify(['a', 'b']),
    ]);
    const r = db.query<{ dicatat: unknown; tgl: unknown; meta: unknown; tags: unknown; arr: unknown }>(
      "SELECT dicatat, tgl, meta, tags, ARRAY[dicatat] AS arr FROM buku WHERE id = 20",
    ).rows[0]!;
    expect(r.dicatat).toBe('2026-12-06 23:59:58.123456+00');
    expect(r.tgl).toBe('2026-02-28');
    expect(r.arr).toEqual(['2026-12-06 23:59:58.123456+00']);
    expect(r.meta).toEqual({ nomor: 7, sifat: 'rahasia' });
    expect(r.tags).toEqual(['a', 'b']);
    db.query('DELETE FROM buku');
  });

  it('commits a transaction, and rolls it back when a statement fails or the function throws', () => {
    const out = db.transaction(() => {
      db.query("INSERT INTO buku (id, perihal) VALUES (30, 'tetap')");
      return 'ok';
    });
    expect(out).toBe('ok');
    const dup = caught(() =>
      db.transaction(() => {
        db.query("INSERT INTO buku (id, perihal) VALUES (31, 'hilang')");
        db.query("INSERT INTO buku (id, perihal) VALUES (30, 'kembar')");
      }),
    );
    expect(dup.code).toBe('23505');
    expect(() =>
      db.transaction(() => {
        db.query("INSERT INTO buku (id, perihal) VALUES (32, 'hilang juga')");
        throw new Error('batal');
      }),
    ).toThrow('batal');
    expect(db.query<{ id: number }>('SELECT id FROM buku ORDER BY id').rows).toEqual([{ id: 30 }]);
    expect(() => db.transaction(() => db.transaction(() => 1))).toThrow(/nested/);
    // after all that, no transaction is left open on the connection
    expect(db.query<{ s: string }>("SELECT CASE WHEN now() = statement_timestamp() THEN 'luar' ELSE 'dalam' END AS s").rows[0]!.s).toBe('luar');
    db.query('DELETE FROM buku');
  });

  it('keeps the server error fields: SQLSTATE, constraint, table, column, detail, where, position', () => {
    db.query("INSERT INTO buku (id, perihal) VALUES (40, 'ada')");
    const dup = caught(() => db.query("INSERT INTO buku (id, perihal) VALUES (40, 'lagi')"));
    expect(dup).toBeInstanceOf(Error);
    expect(dup).toMatchObject({ code: '23505', constraint: 'buku_pkey', table: 'buku', schema: 'public', severity: 'ERROR' });
    expect(dup.detail).toContain('(id)=(40)');
    expect(dup.message).toContain('duplicate key');
    const check = caught(() => db.query("INSERT INTO buku (id, perihal) VALUES (41, '')"));
    expect(check).toMatchObject({ code: '23514', constraint: 'perihal_isi', table: 'buku' });
    const notNull = caught(() => db.query('INSERT INTO buku (id) VALUES (42)'));
    expect(notNull).toMatchObject({ code: '23502', column: 'perihal', table: 'buku' });
    const syntax = caught(() => db.query('SELEC 1'));
    expect(syntax).toMatchObject({ code: '42601', position: '1' });
    const raised = caught(() => db.query("DO $$ BEGIN RAISE EXCEPTION 'ditolak' USING ERRCODE = 'P0001'; END $$"));
    expect(raised.code).toBe('P0001');
    expect(raised.where).toContain('PL/pgSQL');
    db.query('DELETE FROM buku');
  });

  it('fails at open with the cause: wrong password, closed port, missing database — never echoing the password', async () => {
    const wrong = caught(() => openPgSync({ ...opts, password: 'kata-sandi-salah-123' }));
    expect(wrong.code).toBe('28P01');
    expect(wrong.message).not.toContain('kata-sandi-salah-123');
    const closedPort = await freePort();
    const refused = caught(() => openPgSync({ ...opts, port: closedPort }));
    expect(refused.code).toBe('ECONNREFUSED');
    const noDb = caught(() => openPgSync({ ...opts, database: 'tidak_ada' }));
    expect(noDb.code).toBe('3D000');
  });

  it('is closed after close(): a query is refused, close() twice is fine', () => {
    const c = openPgSync(opts);
    expect(c.query<{ x: number }>('SELECT 1 AS x').rows[0]!.x).toBe(1);
    c.close();
    c.close();
    expect(c.closed).toBe(true);
    expect(caught(() => c.query('SELECT 1')).code).toBe('SANDI_CLOSED');
  });

  it('never keeps a process alive: a command that exits without close() ends at once', () => {
    const compiled = join(process.cwd(), 'dist/adapters/postgres/sync-client.js');
    expect(existsSync(compiled), 'run npm run build first (the test spawns the compiled client)').toBe(true);
    const script = `
      import { openPgSync } from ${JSON.stringify(compiled)};
      const c = openPgSync(JSON.parse(process.env.OPTS));
      console.log(c.query('SELECT 40 + 2 AS n').rows[0].n);
    `;
    const t0 = Date.now();
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', env: { ...process.env, OPTS: JSON.stringify(opts) }, timeout: 20_000 });
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('42');
    expect(r.status).toBe(0);
    expect(Date.now() - t0).toBeLessThan(5000);
  });
});
