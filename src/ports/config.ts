/**
 * The home's config.json as a service that writes it sees it (`sandi init`): the defaults of a new office, the
 * check loadConfig runs, the atomic save. src/app.ts binds it to src/config/config.ts and the home's path, so
 * no service imports config code. Types only.
 */
import type { SandiConfig } from '../config/config.js';

export interface ConfigFile {
  /** A new office's configuration with every default (config version, number formats, service hours, holidays file). */
  defaults(partial: { officeName: string; unitCode: string; archiveKey: string }): SandiConfig;
  /** Check a configuration as loading it would; CONFIG naming the file, the key and the value expected. */
  validate(raw: unknown): SandiConfig;
  /** Write it to the home's config.json, atomically. */
  save(config: SandiConfig): void;
}
