import type { Catalog } from './index.js';

/** The terminal's own words: progress lines (src/cli/printer.ts) and the labels of long work. */
export const terminal: Catalog = {
  id: {
    'printer.progress.rate': '{rate}/dtk',
    'printer.progress.left': 'sisa {time}',
    'terminal.progress.aduanImpor': 'Mengimpor aduan {done}/{total}',
  },
  en: {
    'printer.progress.rate': '{rate}/s',
    'printer.progress.left': '{time} left',
    'terminal.progress.aduanImpor': 'Importing complaints {done}/{total}',
  },
};
