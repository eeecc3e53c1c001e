/**
 * The mailbox account's credential slots (akun_sandi) and password rotation log (akun_rotasi) on SQLite: the
 * AkunStore port (src/ports/akun.ts). No password is ever here, only the ids of encrypted credential entries.
 * Which statuses are open comes from the domain's transition table (domain/akun.ts), not from a list here.
 */
import type { AkunStore, AkunStoreTx } from '../../ports/akun.js';
import { OPEN_ROTASI_STATUSES, type AkunRow, type RotasiRow, type RotasiStatus } from '../../domain/akun.js';
import type { Db, Store, WriteTx } from './store.js';
import { AKUN_ROTASI_REGISTER } from '../../domain/registers/akun-rotasi.js';
import { filledIn } from '../../domain/registers/define.js';
import { rowMapper } from './registers/row-mapper.js';

const OPEN_IN = `(${OPEN_ROTASI_STATUSES.map((s) => `'${s}'`).join(', ')})`;

/** A rotation row as a record, from the log's description (record fields are its column names). */
const toRotasi = rowMapper<RotasiRow>(AKUN_ROTASI_REGISTER);
const rotasiOrUndefined = (r: unknown): RotasiRow | undefined => (r === undefined ? undefined : toRotasi(r as Record<string, unknown>));

/** The time column a rotation step fills once: the description's `fill` of that status. */
function stepColumn(to: RotasiStatus): string {
  const c = filledIn(AKUN_ROTASI_REGISTER, to).find((x) => x.kind === 'time');
  if (c === undefined) throw new Error(`akun_rotasi: no step column for ${to}`);
  return c.name;
}

/** The slots of `user` (akun_sandi), if any. */
export function akunRow(db: Db, user: string): AkunRow | undefined {
  return db.prepare<[string], AkunRow>('SELECT * FROM akun_sandi WHERE user = ?').get(user);
}

/** The open rotation of `user`, if any. */
export function openRotation(db: Db, user: string): RotasiRow | undefined {
  return rotasiOrUndefined(db.prepare(`SELECT * FROM akun_rotasi WHERE user = ? AND status IN ${OPEN_IN}`).get(user));
}

function tx(w: WriteTx): AkunStoreTx {
  return {
    account: (user) => akunRow(w.db, user),
    addAccount(r) {
      w.db
        .prepare('INSERT INTO akun_sandi (user, kini_id, sebelumnya_id, diubah_at, disimpan_at, sumber) VALUES (?, ?, ?, ?, ?, ?)')
        .run(r.user, r.kini_id, r.sebelumnya_id, r.diubah_at, r.disimpan_at, r.sumber);
    },
    replaceAccount(user, currentId, r) {
      const res = w.db
        .prepare('UPDATE akun_sandi SET kini_id = ?, sebelumnya_id = ?, diubah_at = ?, disimpan_at = ?, sumber = ? WHERE user = ? AND kini_id = ?')
        .run(r.kini_id, r.sebelumnya_id, r.diubah_at, r.disimpan_at, r.sumber, user, currentId);
      return res.changes > 0;
    },
    startRotation(r) {
      const res = w.db
        .prepare("INSERT INTO akun_rotasi (user, adapter, status, baru_id, lama_id, dimulai_at) VALUES (?, ?, 'tersimpan', ?, ?, ?)")
        .run(r.user, r.adapter, r.baruId, r.lamaId, r.at);
      return Number(res.lastInsertRowid);
    },
    moveRotation(id, from, to, at, alasan) {
      const sets = ['status = ?', `${stepColumn(to)} = ?`];
      const args: (string | number)[] = [to, at];
      if (alasan !== undefined) {
        sets.push('alasan = ?');
        args.push(alasan);
      }
      return w.db.prepare(`UPDATE akun_rotasi SET ${sets.join(', ')} WHERE id = ? AND status = ?`).run(...args, id, from).changes > 0;
    },
    audit(at, note) {
      w.audit(at, note);
    },
  };
}

/** The AkunStore of the SQLite store `store` (a function: opened on first use). */
export function sqliteAkunStore(store: () => Store): AkunStore {
  const db = () => store().db;
  return {
    account: (user) => akunRow(db(), user),
    openRotation: (user) => openRotation(db(), user),
    lastRotation(user) {
      return rotasiOrUndefined(db().prepare('SELECT * FROM akun_rotasi WHERE user = ? ORDER BY id DESC LIMIT 1').get(user));
    },
    rotation(id) {
      return rotasiOrUndefined(db().prepare('SELECT * FROM akun_rotasi WHERE id = ?').get(id));
    },
    referencedIds() {
      const ids = new Set<string>();
      for (const r of db().prepare<[], AkunRow>('SELECT * FROM akun_sandi').all()) {
        ids.add(r.kini_id);
        if (r.sebelumnya_id !== null) ids.add(r.sebelumnya_id);
      }
      for (const r of db().prepare<[], RotasiRow>(`SELECT * FROM akun_rotasi WHERE status IN ${OPEN_IN}`).all()) {
        ids.add(r.baru_id);
        ids.add(r.lama_id);
      }
      return ids;
    },
    write(fn) {
      return store().write((w) => fn(tx(w)));
    },
  };
}
