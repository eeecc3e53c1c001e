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
    .exitOverride()
    // the PostgreSQL side of the composition root is loaded only for a home on PostgreSQL (openApp is
    // synchronous): a SQLite home, --version and --help never load a PostgreSQL adapter module
    .hook('preAction', async () => {
      const o = program.opts<{ home?: string; db?: string }>();
      const { preparePostgres } = await import('../app/postgres.js');
      await preparePostgres(o.home, { db: o.db, env: process.env });
    });
  localizeCommander(program, (s) => process.stderr.write(s));
  return program;
}
