/**
 * A row claim that holds across workstations: a session-level advisory lock on the office database, named by
 * the claim (e.g. "kriptogram_keluar-7"), taken without waiting. Two workstations running `kirim lanjut` at
 * once never send the same row: the second finds the lock taken and leaves the row to the first. Like the PID
 * lock file a workstation also takes, it goes with its holder: released explicitly, or by the server when the
 * holder's connection ends (a process killed mid-send frees the row for the next `lanjut`).
 */
import { createHash } from 'node:crypto';
import type { PgSync } from './sync-client.js';
import { query } from './sql.js';

/** The lock's 64-bit key: the first 8 bytes of SHA-256("sandi-klaim:" + name), as a signed bigint's text. */
export function claimKey(name: string): string {
  return createHash('sha256').update(`sandi-klaim:${name}`).digest().readBigInt64BE(0).toString();
}

/** Take the claim `name` now, or null when another session holds it. */
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

/** Who holds the claim `name` now, as the server knows the session: its role, program name and address. */
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
