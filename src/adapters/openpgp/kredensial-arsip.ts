/**
 * The encrypted credential store of an office whose registers are on PostgreSQL: each entry is the archive name
 * `kredensial/<id>.asc` in the office database's archive (the same armored OpenPGP message a home's
 * kredensial/<id>.asc file holds), so every workstation holding the office archive key reads the password the
 * sandiman stored at another desk. An entry is written `visible: 'unit'`: it becomes part of the office archive
 * with the unit of work that records the akun_sandi/akun_rotasi row naming it, and a refused unit leaves no
 * name (remove() abandons a pending name; a committed name, like every archive name, is never removed).
 * Entries stored in this home before the office moved onto PostgreSQL (or before this change) are read from the
 * home's own kredensial/ folder when the database lacks them; `has`/`list` answer from both. Its files are left
 * where they are (as `db salin` leaves the arsip/ folder: a backup).
 */
import { SandiError } from '../../errors.js';
import type { ArsipStore } from '../../ports/arsip.js';
import { openEntry, sealEntry, type CredentialFiles } from './kredensial.js';

const ID_RE = /^[0-9a-f]{32}$/;
const NAME_RE = /^kredensial\/([0-9a-f]{32})\.asc$/;

/** The archive name of credential entry `id`. */
export function credentialName(id: string): string {
  if (!ID_RE.test(id)) throw new SandiError('INTERNAL', 'common.internal', { detail: `bad credential id ${id}` });
  return `kredensial/${id}.asc`;
}

/** The id of a credential entry's archive name, or undefined when `name` is not one. */
export function credentialIdOf(name: string): string | undefined {
  return NAME_RE.exec(name)?.[1];
}

/**
 * Credential entries over the office archive `arsip` (the database's, through the office store), with the home's
 * own folder `home` as the fallback for entries stored before. `arsip` is asked on first use (it connects then).
 */
export function credentialArsip(arsip: () => ArsipStore, home: CredentialFiles): CredentialFiles {
  return {
    get dir() {
      return `${arsip().where} kredensial/`;
    },
    async write(id, user, password, archivePublicArmored, now) {
      const name = credentialName(id);
      const armored = await sealEntry(user, password, archivePublicArmored, now);
      const w = arsip().writeSync(name, Buffer.from(armored, 'utf8'), { visible: 'unit' });
      // a fresh random id: a name already there is never replaced (the store refuses other bytes itself)
      if (w.result !== 'written') throw new SandiError('INTEGRITY', 'store.pgArsipNameTaken', { name, sha256: w.sha256 });
    },
    async read(id, user, archiveKey) {
      const name = credentialName(id);
      const a = arsip();
      if (!a.exists(name)) {
        if (home.has(id)) return home.read(id, user, archiveKey);
        throw new SandiError('NOT_FOUND', 'akun.entryMissing', { path: `${a.where} ${name}` }, { hint: 'akun.entryMissing.hint' });
      }
      const armored = a.readSync(name).toString('utf8');
      return openEntry(armored, user, archiveKey, `${a.where} ${name}`);
    },
    has(id) {
      return arsip().exists(credentialName(id)) || home.has(id);
    },
    list() {
      const ids = new Set(home.list());
      for (const n of arsip().list('kredensial/')) {
        const id = credentialIdOf(n);
        if (id !== undefined) ids.add(id);
      }
      return [...ids].sort();
    },
    remove(id) {
      // only a name this process wrote and no unit has committed (a refused simpan/rotasi); the home's files of
      // entries stored before stay, as the arsip/ folder does
      arsip().abandon(credentialName(id));
    },
  };
}
