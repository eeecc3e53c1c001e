import type { Catalog } from './index.js';

/** `sandi periksa` (src/cli/periksa.ts), the next steps after `sandi init`, help examples. */
export const periksa: Catalog = {
  id: {},
  en: {},
};
