import type { Catalog } from './index.js';

/** Messages of the kriptogram area. Keys are 'kriptogram.*'. */
export const kriptogram: Catalog = {
  id: {},
  en: {},
};
