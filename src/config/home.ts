/**
 * The sandi home folder: config.json, sandi.db, kunci/ (key store), arsip/ (archive), maildir/.
 * Chosen by --home, else SANDI_HOME, else $XDG_CONFIG_HOME/sandi, else ~/.config/sandi.
 */
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

export function resolveHome(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  if (flag) return resolve(flag);
  const fromEnv = env['SANDI_HOME'];
  if (fromEnv) return resolve(fromEnv);
  const xdg = env['XDG_CONFIG_HOME'];
  return join(xdg && xdg.length > 0 ? xdg : join(homedir(), '.config'), 'sandi');
}

export interface HomePaths {
  root: string;
  config: string;
  database: string;
  keys: string;
  archive: string;
  maildir: string;
}

export function homePaths(root: string): HomePaths {
  return {
    root,
    config: join(root, 'config.json'),
    database: join(root, 'sandi.db'),
    keys: join(root, 'kunci'),
    archive: join(root, 'arsip'),
    maildir: join(root, 'maildir'),
  };
}
