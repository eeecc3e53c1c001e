/**
 * The key register (`kunci`) and the address book (`buku_alamat`) on SQLite: the KunciStore port
 * (src/ports/kunci.ts). The store is opened on first use, so a command that never touches a key opens nothing.
 */
import type { AddressEntry, KeyRole } from '../../ports.js';
import type { KunciRecord, KunciStore, KunciStoreTx } from '../../ports/kunci.js';
import type { Db, Store, WriteTx } from './store.js';

interface KunciRow {
  fingerprint: string;
  role: KeyRole;
  user_id: string;
  name: string | null;
  has_secret: number;
  key_created: string;
  added_at: string;
  revoked_at: string | null;
}

interface AlamatRow {
  email: string;
  unit: string;
  unit_code: string | null;
  fingerprint: string;
  added_at: string;
}

const toRecord = (r: KunciRow): KunciRecord => ({
  fingerprint: r.fingerprint,
  role: r.role,
  userId: r.user_id,
  name: r.name,
  hasSecret: r.has_secret === 1,
  keyCreated: r.key_created,
  addedAt: r.added_at,
  revokedAt: r.revoked_at,
});

const toAddress = (r: AlamatRow): AddressEntry => ({ email: r.email, unit: r.unit, unitCode: r.unit_code, fingerprint: r.fingerprint });

function addressOf(db: Db, email: string): AddressEntry | undefined {
  const r = db.prepare<[string], AlamatRow>('SELECT * FROM buku_alamat WHERE email = ?').get(email);
  return r && toAddress(r);
}

function tx(w: WriteTx): KunciStoreTx {
  return {
    newerArchiveKey(except, since) {
      return w.db
        .prepare<[string, string], { fingerprint: string }>(
          "SELECT fingerprint FROM kunci WHERE role = 'arsip' AND revoked_at IS NULL AND fingerprint != ? AND added_at >= ?",
        )
        .get(except, since)?.fingerprint;
    },
    addKey(r) {
      w.db
        .prepare('INSERT INTO kunci (fingerprint, role, user_id, name, has_secret, key_created, added_at, revoked_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
        .run(r.fingerprint, r.role, r.userId, r.name, r.hasSecret ? 1 : 0, r.keyCreated, r.addedAt, r.revokedAt);
    },
    updateKey(fingerprint, c) {
      w.db.prepare('UPDATE kunci SET role = ?, user_id = ?, has_secret = ? WHERE fingerprint = ?').run(c.role, c.userId, c.hasSecret ? 1 : 0, fingerprint);
    },
    markRevoked(fingerprint, at) {
      w.db.prepare('UPDATE kunci SET revoked_at = ? WHERE fingerprint = ? AND revoked_at IS NULL').run(at, fingerprint);
    },
    address: (email) => addressOf(w.db, email),
    addAddress(a, addedAt) {
      w.db.prepare('INSERT INTO buku_alamat (email, unit, unit_code, fingerprint, added_at) VALUES (?, ?, ?, ?, ?)').run(a.email, a.unit, a.unitCode, a.fingerprint, addedAt);
    },
    updateAddress(a) {
      w.db.prepare('UPDATE buku_alamat SET unit = ?, unit_code = ?, fingerprint = ? WHERE email = ?').run(a.unit, a.unitCode, a.fingerprint, a.email);
    },
    removeAddress(email) {
      w.db.prepare('DELETE FROM buku_alamat WHERE email = ?').run(email);
    },
    audit(at, note) {
      w.audit(at, note);
    },
  };
}

/** The KunciStore of the SQLite store `store` (a function: opened on first use). */
export function sqliteKunciStore(store: () => Store): KunciStore {
  const db = () => store().db;
  return {
    key(fingerprint) {
      const r = db().prepare<[string], KunciRow>('SELECT * FROM kunci WHERE fingerprint = ?').get(fingerprint);
      return r && toRecord(r);
    },
    keys() {
      return db().prepare<[], KunciRow>('SELECT * FROM kunci ORDER BY added_at, rowid').all().map(toRecord);
    },
    unrevokedOfRole(role) {
      return db()
        .prepare<[string], KunciRow>('SELECT * FROM kunci WHERE role = ? AND revoked_at IS NULL ORDER BY key_created DESC, added_at DESC')
        .all(role)
        .map(toRecord);
    },
    fingerprintsForEmail(email) {
      return db()
        .prepare<[string], { fingerprint: string }>("SELECT fingerprint FROM kunci WHERE lower(user_id) LIKE '%<' || lower(?) || '>%'")
        .all(email)
        .map((r) => r.fingerprint);
    },
    address: (email) => addressOf(db(), email),
    addresses() {
      return db().prepare<[], AlamatRow>('SELECT * FROM buku_alamat ORDER BY unit, email').all().map(toAddress);
    },
    write(fn) {
      return store().write((w) => fn(tx(w)));
    },
  };
}
