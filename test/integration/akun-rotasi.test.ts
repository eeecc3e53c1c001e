/**
 * The rotation log (akun_rotasi) on a real SQLite file: the migration's triggers allow exactly the moves of
 * domain/akun.ts ROTASI_TRANSITIONS, and the AkunStore adapter records a move only from the status it was told.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from '../../src/adapters/sqlite/driver.js';
import { openStore, type Store } from '../../src/adapters/sqlite/store.js';
import { sqliteAkunStore } from '../../src/adapters/sqlite/akun.js';
import { canMove, ROTASI_TRANSITIONS, type RotasiStatus } from '../../src/domain/akun.js';

const STATUSES = Object.keys(ROTASI_TRANSITIONS) as RotasiStatus[];
const AT = '2026-11-10T03:00:00.000Z';
const ID = (n: number) => n.toString(16).padStart(32, '0');

let dirs: string[] = [];
let stores: Store[] = [];
afterEach(() => {
  for (const s of stores) s.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  stores = [];
  dirs = [];
});

function open(): Store {
  const d = mkdtempSync(join(tmpdir(), 'sandi-rotasi-'));
  dirs.push(d);
  const s = openStore(join(d, 'sandi.db'));
  stores.push(s);
  return s;
}

/** A raw UPDATE to `to` with the step's own column (and the reason for ditolak): does the trigger let it through? */
function rawMove(s: Store, id: number, to: RotasiStatus): boolean {
  const column = { tersimpan: 'dimulai_at', diset: 'diset_at', teruji: 'teruji_at', selesai: 'selesai_at', ditolak: 'ditolak_at' }[to];
  const extra = to === 'ditolak' ? ", alasan = 'ditolak server'" : '';
  try {
    s.db.prepare(`UPDATE akun_rotasi SET status = ?, ${column} = ?${extra} WHERE id = ?`).run(to, AT, id);
    return true;
  } catch (e) {
    if (e instanceof Database.SqliteError && e.code.startsWith('SQLITE_CONSTRAINT')) return false;
    throw e;
  }
}

describe('akun_rotasi: SQL triggers and ROTASI_TRANSITIONS agree', () => {
  it('every move the domain allows passes the triggers, every other is refused', () => {
    const s = open();
    const akun = sqliteAkunStore(() => s);
    let n = 0;
    let checked = 0;
    for (const from of STATUSES) {
      for (const to of STATUSES) {
        if (to === from) continue;
        // a fresh rotation of its own user (one open rotation per user), walked to `from` through the adapter
        n++;
        const user = `u${n}@kominfo.test`;
        const id = akun.write((tx) => tx.startRotation({ user, adapter: 'manual', baruId: ID(2 * n), lamaId: ID(2 * n + 1), at: AT }));
        const path: Record<RotasiStatus, RotasiStatus[]> = { tersimpan: [], diset: ['diset'], teruji: ['diset', 'teruji'], selesai: ['diset', 'teruji', 'selesai'], ditolak: ['ditolak'] };
        let cur: RotasiStatus = 'tersimpan';
        for (const step of path[from]) {
          expect(akun.write((tx) => tx.moveRotation(id, cur, step, AT, step === 'ditolak' ? 'alasan' : undefined)), `${cur} → ${step}`).toBe(true);
          cur = step;
        }
        expect(rawMove(s, id, to), `${from} → ${to}`).toBe(canMove(from, to));
        checked++;
      }
    }
    expect(checked).toBe(STATUSES.length * (STATUSES.length - 1));
  });

  it('the adapter records a move only from the status it was told (a row that moved meanwhile is left alone)', () => {
    const s = open();
    const akun = sqliteAkunStore(() => s);
    const id = akun.write((tx) => tx.startRotation({ user: 'x@kominfo.test', adapter: 'manual', baruId: ID(1), lamaId: ID(2), at: AT }));
    expect(akun.write((tx) => tx.moveRotation(id, 'diset', 'teruji', AT))).toBe(false);
    expect(akun.rotation(id)?.status).toBe('tersimpan');
    expect(akun.write((tx) => tx.moveRotation(id, 'tersimpan', 'diset', AT))).toBe(true);
    expect(akun.openRotation('X@kominfo.test')).toMatchObject({ id, status: 'diset', diset_at: AT });
  });
});
