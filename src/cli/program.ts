/**
 * The root command with its global options, in the current language: built by the entry point, and again by
 * the man page generator (scripts/man.mjs) and `sandi completion`, which walk the same tree.
 */
import { readFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import { t } from './messages/index.js';
import { localizeCommander } from './commander-lang.js';

export function packageVersion(): string {
  return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
}

export function createProgram(): Command {
  const program = new Command('sandi')
    .description(t('main.description'))
    .version(packageVersion(), '-V, --version', t('main.opt.version'))
    .option('--home <dir>', t('main.opt.home'))
    .option('--db <url>', t('main.opt.db'))
    .option('--json', t('main.opt.json'))
    .option('--no-input', t('main.opt.noInput'))
    .addOption(new Option('--lang <lang>', t('main.opt.lang')).choices(['id', 'en']))
    .option('--debug', t('main.opt.debug'))
    .showHelpAfterError()
    .exitOverride();
  localizeCommander(program, (s) => process.stderr.write(s));
  return program;
}
