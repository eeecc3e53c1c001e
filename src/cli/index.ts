/**
 * The command tree. Each group lives in its own file and only declares its commands; the work is
 * imported when an action runs. Only the group that is invoked is loaded (all of them for help or an
 * unknown command, none for --version), so a command's start-up pays for its own tree alone.
 */
import type { Command } from 'commander';
import type { CliContext } from './context.js';

export type GetContext = () => CliContext;
type Register = (program: Command, ctx: GetContext) => void;

const GROUPS: Record<string, () => Promise<Register>> = {
  init: async () => (await import('./init.js')).registerInit,
  demo: async () => (await import('./demo.js')).registerDemo,
  kunci: async () => (await import('./kunci.js')).registerKunci,
  audit: async () => (await import('./audit.js')).registerAudit,
  agenda: async () => (await import('./agenda.js')).registerAgenda,
  laporan: async () => (await import('./laporan.js')).registerLaporan,
  terima: async () => (await import('./terima.js')).registerTerima,
  akun: async () => (await import('./akun.js')).registerAkun,
  kirim: async () => (await import('./kirim.js')).registerKirim,
  aduan: async () => (await import('./aduan.js')).registerAduan,
  periksa: async () => (await import('./periksa.js')).registerPeriksa,
  completion: async () => (await import('./completion.js')).registerCompletion,
  db: async () => (await import('./db.js')).registerDb,
};

/** Global options that take a value (the word after them is not a command name). */
const VALUE_OPTIONS = new Set(['--home', '--lang', '--db']);

/** Which groups `argv` needs: the named one; none for a bare --version; all otherwise (help, typos). */
export function groupsFor(argv: readonly string[]): string[] {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (VALUE_OPTIONS.has(a)) {
      i++;
      continue;
    }
    if (a === '--') break;
    if (a.startsWith('-')) continue;
    return a in GROUPS ? [a] : Object.keys(GROUPS);
  }
  const versionOnly = argv.some((a) => a === '--version' || a === '-V') && !argv.some((a) => a === '--help' || a === '-h');
  return versionOnly ? [] : Object.keys(GROUPS);
}

export async function registerGroups(program: Command, ctx: GetContext, argv: readonly string[]): Promise<void> {
  const names = groupsFor(argv);
  const registers = await Promise.all(names.map((n) => GROUPS[n]!()));
  for (const register of registers) register(program, ctx);
  // examples, exit codes and environment at the end of every command's --help (the man page renders the same)
  const { attachHelpExtras } = await import('./bantuan-perintah.js');
  attachHelpExtras(program);
}
