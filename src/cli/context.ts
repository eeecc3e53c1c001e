/**
 * What every command action gets: the resolved global options, the printer and the prompter.
 * Built once per run from the root command's options.
 */
import { createPrinter, type Printer } from './printer.js';
import { createPrompter, type Prompter } from './prompter.js';
import { resolveHome } from '../config/home.js';
import { t } from './messages/index.js';
import { parseDbUrl } from '../config/db.js';
import { userInfo } from 'node:os';

export interface GlobalOptions {
  home?: string;
  /** the office database (postgresql://user@host:port/db); else SANDI_DB, config.json `db`, the home's SQLite */
  db?: string;
  json?: boolean;
  input?: boolean; // commander: --no-input sets input=false
  lang?: string;
}

export interface CliContext {
  home: string;
  /** --db as given (checked when a command opens the database: src/config/db.ts) */
  db?: string | undefined;
  /** a password-file warning of the database connection (a ~/.pgpass others may read), shown on stderr */
  warnDb?: (w: { key: string; params: Record<string, string> }) => void;
  json: boolean;
  printer: Printer;
  prompter: Prompter;
  env: NodeJS.ProcessEnv;
}

export function createContext(opts: GlobalOptions, env: NodeJS.ProcessEnv = process.env): CliContext {
  const json = opts.json === true;
  const interactive = opts.input !== false && process.stdin.isTTY === true && env['SANDI_NO_INPUT'] !== '1';
  // a --db URL is checked at once, whatever the command: a password typed into argv is refused loudly (65)
  if (opts.db !== undefined) parseDbUrl(opts.db, { source: 'flag', env, osUser: userInfo().username });
  const printer = createPrinter(json);
  return {
    home: resolveHome(opts.home, env),
    db: opts.db,
    warnDb: (w) => printer.warn(t(w.key, w.params)),
    json,
    printer,
    prompter: createPrompter(interactive),
    env,
  };
}
