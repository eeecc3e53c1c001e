import type { Catalog } from './index.js';

/** Messages of the kunci area. Keys are 'kunci.*'. */
export const kunci: Catalog = {
  id: {},
  en: {},
};
