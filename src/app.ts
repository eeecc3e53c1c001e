/**
 * Composition root: the only place that wires configuration to adapters and services.
 * Commands ask for what they need; read-only commands never open a mail connection.
 */
import { homePaths, type HomePaths } from './config/home.js';
import { openStore, type Store } from './adapters/sqlite/store.js';
import { existsSync } from 'node:fs';
import { assertPrivateHome, makePrivateDir } from './adapters/private-modes.js';
import type { Clock } from './ports.js';
import type { PeriksaPorts } from './services/periksa.js';

export const systemClock: Clock = { now: () => new Date() };

export interface App {
  paths: HomePaths;
  clock: Clock;
  /** Opened on first use. */
  store(): Store;
  close(): void;
}

export function openApp(home: string, clock: Clock = systemClock): App {
  const paths = homePaths(home);
  let store: Store | undefined;
  return {
    paths,
    clock,
    store() {
      if (!store) {
        // Until config.json exists the home is being set up (kunci impor, init, demo): a home folder made by
        // mkdir is tightened to 0700. After that a loose folder holding secrets is refused, like kunci/.
        if (!existsSync(paths.config)) makePrivateDir(paths.root);
        assertPrivateHome(paths.root);
      }
      store ??= openStore(paths.database);
      return store;
    },
    close() {
      store?.close();
      store = undefined;
    },
  };
}

/** The machine as `sandi periksa` sees it: a home's secret folders, a CUPS queue's state (loaded when asked). */
export async function periksaPorts(): Promise<PeriksaPorts> {
  const [modes, cups] = await Promise.all([import('./adapters/private-modes.js'), import('./adapters/cups-status.js')]);
  return { secretFolders: modes.secretFolders, printerState: cups.printerState };
}
