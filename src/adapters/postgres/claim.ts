/**
 * Claims that hold across workstations on the office database.
 *
 * - **A row of an outgoing register** (`kirim`, `kirim lanjut`, `tandatangani`): a row lock, `SELECT … FOR UPDATE
 *   SKIP LOCKED`, on the row's lock row in `kirim_klaim` (one row per outgoing row ever claimed), taken on a
 *   connection of its own that keeps its transaction open for as long as the claim is held — the whole send —
 *   and ends it (ROLLBACK: it wrote nothing) on release. Two workstations never send the same row: the second
 *   finds the row locked and skips it at once, never waiting. A workstation that dies mid-send releases its
 *   claims with it: the server ends the dropped connection's transaction.
 *   Why a lock row and not the register row itself: the register row is UPDATEd by the unit of work that moves
 *   it (on the store's own connection), and every row lock that keeps a second claimer out (FOR NO KEY UPDATE,
 *   FOR UPDATE) also blocks that UPDATE: the claimer would wait for itself. The lock rows are not a register
 *   (no number, no audit, nothing but the key); officers reach them only through two functions of the schema's
 *   owner (SECURITY DEFINER), so no office group needs a grant on the table. A lock row is inserted (and
 *   committed) before it is locked, outside the claim's transaction: an uncommitted insert would make a second
 *   claimer of the same new row wait for the first's whole transaction.
 * - **A named lock** (`terima`'s one fetch per office and mailbox): a session-level advisory lock named by the
 *   claim, taken without waiting, released explicitly or with its session.
 */
import { createHash } from 'node:crypto';
import type { PgSync } from './sync-client.js';
import { query } from './sql.js';

/** The outgoing registers whose rows `kirim` claims. */
export type ClaimedBuku = 'kriptogram_keluar' | 'surat_keluar';

/**
 * Schema migration (./schema.ts, run by the owner with search_path at the office schema; `@SCHEMA@` is its
 * name): the lock rows and the two functions officers call.
 */
export const KIRIM_KLAIM_SQL = `
      CREATE TABLE kirim_klaim (
        buku text NOT NULL CHECK (buku IN ('kriptogram_keluar', 'surat_keluar')),
        id   integer NOT NULL CHECK (id > 0),
        PRIMARY KEY (buku, id)
      );
      CREATE FUNCTION kirim_klaim_siapkan(p_buku text, p_id integer) RETURNS void LANGUAGE plpgsql SECURITY DEFINER
        SET search_path = pg_catalog, pg_temp AS $f$
        BEGIN
          -- a plain read first: an existing lock row (locked or not) is never waited for
          IF NOT EXISTS (SELECT 1 FROM @SCHEMA@.kirim_klaim WHERE buku = p_buku AND id = p_id) THEN
            INSERT INTO @SCHEMA@.kirim_klaim (buku, id) VALUES (p_buku, p_id) ON CONFLICT DO NOTHING;
          END IF;
        END $f$;
      CREATE FUNCTION kirim_klaim_ambil(p_buku text, p_id integer) RETURNS boolean LANGUAGE plpgsql SECURITY DEFINER
        SET search_path = pg_catalog, pg_temp AS $f$
        BEGIN
          PERFORM 1 FROM @SCHEMA@.kirim_klaim WHERE buku = p_buku AND id = p_id FOR UPDATE SKIP LOCKED;
          RETURN FOUND;
        END $f$;
`;

export interface PgRowClaims {
  /** Claim `buku`'s row `id` now, or null when another session holds it (never waits). */
  tryClaim(buku: ClaimedBuku, id: number): { release(): void } | null;
  /** End every claim connection (their claims with them). */
  close(): void;
}

/**
 * Row claims on connections opened by `open` (each holds at most one claim, i.e. one open transaction; a
 * released one is reused), over the office schema `schema`.
 */
export function pgRowClaims(open: () => PgSync, schema: string): PgRowClaims {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) throw new Error(`pgRowClaims: bad schema name ${schema}`);
  const idle: PgSync[] = [];
  const opened: PgSync[] = [];
  const take = (): PgSync => {
    for (let c = idle.pop(); c !== undefined; c = idle.pop()) if (!c.closed) return c;
    const c = open();
    opened.push(c);
    // A claim's transaction is idle for the whole send by design: the office's idle-in-transaction bound
    // (../../app/postgres-office.ts dbTimeouts) would end it mid-send and free the row for another workstation.
    // A workstation that dies still frees it: its socket closes, or (a silent network) the server's keepalive
    // probes, set short here, find it gone within about two minutes.
    for (const sql of ['SET idle_in_transaction_session_timeout = 0', 'SET tcp_keepalives_idle = 60', 'SET tcp_keepalives_interval = 10', 'SET tcp_keepalives_count = 6']) query(c, sql);
    return c;
  };
  const end = (c: PgSync): void => {
    // nothing was written in a claim's transaction: ROLLBACK ends it and frees the row lock
    if (c.closed) return;
    try {
      query(c, 'ROLLBACK');
      idle.push(c);
    } catch {
      c.close(); // a broken connection: the server ends its transaction on its own
    }
  };
  return {
    tryClaim(buku, id) {
      const c = take();
      let inTx = false;
      try {
        query(c, `SELECT ${schema}.kirim_klaim_siapkan($1, $2)`, [buku, id]); // committed on its own
        query(c, 'BEGIN');
        inTx = true;
        const got = query<{ got: boolean }>(c, `SELECT ${schema}.kirim_klaim_ambil($1, $2) AS got`, [buku, id]).rows[0]?.got === true;
        if (!got) {
          end(c);
          return null;
        }
      } catch (e) {
        if (inTx) end(c);
        else if (!c.closed) idle.push(c);
        throw e;
      }
      let held = true;
      return {
        release() {
          if (!held) return;
          held = false;
          end(c);
        },
      };
    },
    close() {
      for (const c of opened) c.close();
      opened.length = 0;
      idle.length = 0;
    },
  };
}

/** The lock's 64-bit key: the first 8 bytes of SHA-256("sandi-klaim:" + name), as a signed bigint's text. */
export function claimKey(name: string): string {
  return createHash('sha256').update(`sandi-klaim:${name}`).digest().readBigInt64BE(0).toString();
}

/** Take the named lock `name` now, or null when another session holds it. */
export function tryPgClaim(pg: PgSync, name: string): { release(): void } | null {
  const key = claimKey(name);
  const got = query<{ got: boolean }>(pg, 'SELECT pg_try_advisory_lock($1::bigint) AS got', [key]).rows[0]?.got === true;
  if (!got) return null;
  let held = true;
  return {
    release() {
      if (!held) return;
      held = false;
      if (!pg.closed) query(pg, 'SELECT pg_advisory_unlock($1::bigint)', [key]);
    },
  };
}

/** Who holds the named lock `name` now, as the server knows the session: its role, program name and address. */
export function pgClaimHolder(pg: PgSync, name: string): { user: string; application: string; address: string } | null {
  const r = query<{ usename: string | null; application_name: string | null; client_addr: string | null }>(
    pg,
    `SELECT a.usename, a.application_name, host(a.client_addr) AS client_addr
       FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
      WHERE l.locktype = 'advisory' AND l.objsubid = 1 AND l.granted
        AND ((l.classid::bigint << 32) | l.objid::bigint) = $1::bigint
      LIMIT 1`,
    [claimKey(name)],
  ).rows[0];
  if (r === undefined) return null;
  return { user: r.usename ?? '?', application: r.application_name ?? '?', address: r.client_addr ?? 'socket' };
}
