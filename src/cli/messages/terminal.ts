import type { Catalog } from './index.js';

/** The terminal's own words: progress lines (src/cli/printer.ts). */
export const terminal: Catalog = {
  id: {
    'printer.progress.rate': '{rate}/dtk',
    'printer.progress.left': 'sisa {time}',
  },
  en: {
    'printer.progress.rate': '{rate}/s',
    'printer.progress.left': '{time} left',
  },
};
