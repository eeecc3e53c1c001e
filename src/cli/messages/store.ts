import type { Catalog } from './index.js';

/** Messages of the store and audit area. Keys are 'store.*' and 'audit.*'. */
export const store: Catalog = {
  id: {
    'store.openFailed': 'Basis data {path} tidak dapat dibuka: {reason}',
    'store.tooNew': 'Basis data {path} dibuat oleh sandi yang lebih baru (skema {found}, versi ini mendukung sampai {supported}). Perbarui sandi.',
  },
  en: {
    'store.openFailed': 'The database {path} cannot be opened: {reason}',
    'store.tooNew': 'The database {path} was made by a newer sandi (schema {found}; this version supports up to {supported}). Upgrade sandi.',
  },
};
