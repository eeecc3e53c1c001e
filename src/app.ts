/**
 * Composition root: the only place that wires configuration to adapters and services.
 * Commands ask for what they need; read-only commands never open a mail connection.
 */
import { homePaths, type HomePaths } from './config/home.js';
import { openStore, type Store } from './adapters/sqlite/store.js';
import type { Clock } from './ports.js';

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
      store ??= openStore(paths.database);
      return store;
    },
    close() {
      store?.close();
      store = undefined;
    },
  };
}
