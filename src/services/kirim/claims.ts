/**
 * One run per row: a run claims a row (a PID lock file under <home>/.kirim-klaim/) in the transaction that
 * reads its state, or for a new row in the one that registers it, and releases it after its last state is
 * committed; `lanjut` leaves a claimed row to its run. Also the state check every step starts with.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { SandiError } from '../../errors.js';
import type { KriptogramKeluar } from '../../domain/records-keluar.js';
import type { OutgoingBuku, OutgoingStatus } from '../../domain/outgoing-state.js';
import type { PidLock } from '../../adapters/pid-lock.js';
import type { KirimCtx } from './context.js';
import type { OutRow } from './types.js';

/** The lock file of `buku`'s row `id`. */
export function claimPath(c: KirimCtx, buku: OutgoingBuku, id: number): string {
  return join(c.claimDir, `${buku}-${id}.lock`);
}

export function row(c: KirimCtx, id: number): KriptogramKeluar {
  const { store } = c;
  return c.io.getOutgoing(store, id);
}

/** Claim `buku`'s row `id` inside a transaction (call with the transaction open); null when another run holds it. */
export function claimIn(c: KirimCtx, buku: OutgoingBuku, id: number): PidLock | null {
  const { claimDir } = c;
  mkdirSync(claimDir, { recursive: true, mode: 0o700 });
  return c.io.tryPidLock(claimPath(c, buku, id));
}

/**
 * Claim a row and read its state in one transaction: null when another run (or another service in this
 * process) is working on it. Release the claim only after the last state this run records is committed.
 */
export function claimRow<R extends OutRow>(c: KirimCtx, buku: OutgoingBuku, id: number): { row: R; claim: PidLock } | null {
  const { store } = c;
  return store.write((tx) => {
    const claim = claimIn(c, buku, id);
    if (!claim) return null;
    try {
      return { row: (buku === 'kriptogram_keluar' ? c.io.getOutgoing(tx.db, id) : c.io.getOutgoingLetter(tx.db, id)) as R, claim };
    } catch (e) {
      claim.release();
      throw e;
    }
  });
}

/** Claim a row for a command that names it: CONFLICT kirim.rowBusy when another run is working on it. */
export function claimOrBusy(c: KirimCtx, id: number): { row: KriptogramKeluar; claim: PidLock } {
  const claimed = claimRow<KriptogramKeluar>(c, 'kriptogram_keluar', id);
  if (!claimed) throw new SandiError('TEMPFAIL', 'kirim.rowBusy', { id }, { hint: 'kirim.rowBusy.hint' });
  return claimed;
}

export function requireState(r: OutRow, expected: OutgoingStatus[]): void {
  if (!expected.includes(r.status)) {
    throw new SandiError('CONFLICT', 'kirim.notInState', { id: r.id, status: r.status, expected: expected.join(', ') }, { hint: 'kirim.notInState.hint' });
  }
}
