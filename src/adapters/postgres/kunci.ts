/**
 * The key register and address book (KunciStore, src/ports/kunci.ts) on the office database: the SQLite
 * adapter's queries through the PostgreSQL store, with two differences of a shared database:
 * - `hasSecret` is this workstation's: whether its own key folder holds the secret part (each officer's secret
 *   key stays in their home; the shared `kunci.has_secret` only says some workstation imported one);
 * - the register order is (added_at, sandi_rowid): PostgreSQL has no implicit rowid.
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
  };
}
