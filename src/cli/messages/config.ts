import type { Catalog } from './index.js';

/** Messages of the config area. Keys are 'config.*'. */
export const config: Catalog = {
  id: {},
  en: {},
};
