/**
 * What every command action gets: the resolved global options, the printer and the prompter.
 * Built once per run from the root command's options.
 */
import { createPrinter, type Printer } from './printer.js';
import { createPrompter, type Prompter } from './prompter.js';
import { resolveHome } from '../config/home.js';

export interface GlobalOptions {
  home?: string;
  json?: boolean;
  input?: boolean; // commander: --no-input sets input=false
  lang?: string;
}

export interface CliContext {
  home: string;
  json: boolean;
  printer: Printer;
  prompter: Prompter;
  env: NodeJS.ProcessEnv;
}

export function createContext(opts: GlobalOptions, env: NodeJS.ProcessEnv = process.env): CliContext {
  const json = opts.json === true;
  const interactive = opts.input !== false && process.stdin.isTTY === true && env['SANDI_NO_INPUT'] !== '1';
  return {
    home: resolveHome(opts.home, env),
    json,
    printer: createPrinter(json),
    prompter: createPrompter(interactive),
    env,
  };
}
