/**
 * The key register and address book (KunciStore, src/ports/kunci.ts) on the office database: the SQLite
 * adapter's queries through the PostgreSQL store, with two differences of a shared database:
 * - `hasSecret` is this workstation's: whether its own key folder holds the secret part (each officer's secret
 *   key stays in their home; the shared `kunci.has_secret` only says some workstation imported one);
 * - the register order is (added_at, sandi_rowid): PostgreSQL has no implicit rowid;
 * - re-importing a key the register already holds as it is writes no row (see `write`).
 */
import type { KunciRecord, KunciStore } from '../../ports/kunci.js';
import { sqliteKunciStore } from '../sqlite/kunci.js';
import type { Store } from '../sqlite/store.js';

export function pgKunciStore(store: () => Store, hasSecret: (fingerprint: string) => boolean): KunciStore {
  const base = sqliteKunciStore(store);
  const own = (r: KunciRecord): KunciRecord => ({ ...r, hasSecret: hasSecret(r.fingerprint) });
  return {
    ...base,
    key(fingerprint) {
      const r = base.key(fingerprint);
      return r && own(r);
    },
    keys() {
      const fprs = store().db.prepare('SELECT fingerprint FROM kunci ORDER BY added_at, sandi_rowid').all() as { fingerprint: string }[];
      return fprs.flatMap((f) => {
        const r = base.key(f.fingerprint);
        return r ? [own(r)] : [];
      });
    },
    unrevokedOfRole: (role) => base.unrevokedOfRole(role).map(own),
    // A key another workstation already registered, imported here for this home's key folder: the shared row is
    // left alone when it already says what the import would write (the shared has_secret only ever says "some
    // workstation holds the secret part"), so an officer whose group may not change the key register (the
    // caraka's, the pimpinan's) can place the office's keys at their desk; a real change still needs the grant.
    write: (fn) =>
      base.write((t) =>
        fn({
          ...t,
          updateKey(fingerprint, c) {
            const r = store().db.prepare('SELECT role, user_id, has_secret FROM kunci WHERE fingerprint = ?').get(fingerprint) as
              | { role: string; user_id: string; has_secret: number | boolean }
              | undefined;
            if (r && r.role === c.role && r.user_id === c.userId && (Boolean(r.has_secret) || !c.hasSecret)) return;
            t.updateKey(fingerprint, c);
          },
        }),
      ),
  };
}
