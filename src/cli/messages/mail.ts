import type { Catalog } from './index.js';

/** Messages of the mail area. Keys are 'mail.*'. */
export const mail: Catalog = {
  id: {},
  en: {},
};
