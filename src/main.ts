/**
 * Entry point: parse argv, run one command, catch once, print the error, set the exit code.
 * Command groups are registered from light modules; their heavy work is imported lazily in the actions.
 */
import { CommanderError } from 'commander';
import { SandiError, EXIT_CODES, isSandiError } from './errors.js';
import { resolveLang, setLang } from './cli/messages/index.js';
import { createContext, type CliContext, type GlobalOptions } from './cli/context.js';
import { createPrinter } from './cli/printer.js';
import { registerGroups } from './cli/index.js';
import { createProgram } from './cli/program.js';

export async function run(argv: string[]): Promise<number> {
  // A reader that goes away (`sandi … | head`): later output is dropped quietly, the command itself finishes
  // (it may be writing a register) and exits as it would have; any other error on stdout stays fatal.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE' && e.code !== 'ERR_STREAM_DESTROYED') throw e;
  });
  // Language is needed before parsing so that usage errors are already localised.
  const langIdx = argv.indexOf('--lang');
  setLang(resolveLang(langIdx >= 0 ? argv[langIdx + 1] : undefined));
  const jsonWanted = argv.includes('--json');

  const program = createProgram();

  let ctx: CliContext | undefined;
  const getCtx = (): CliContext => {
    ctx ??= createContext(program.opts<GlobalOptions>());
    return ctx;
  };
  await registerGroups(program, getCtx, argv);

  let code: number;
  try {
    await program.parseAsync(argv, { from: 'user' });
    code = typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (e) {
    let err = e;
    // instants in an error's parameters are shown in office time (src/cli/waktu.ts); --json keeps UTC ISO
    if (!jsonWanted && ctx !== undefined && isSandiError(e)) {
      const { galatWaktuKantor, officeTimeZone } = await import('./cli/waktu.js');
      // a broken config.json is itself the error being reported: then the instants stay as they are
      const zone = await officeTimeZone(ctx.home).catch(() => null);
      if (zone !== null) err = galatWaktuKantor(e, zone);
    }
    code = report(err, jsonWanted, argv.includes('--debug'));
  }
  // A command that ran on a home (whatever its outcome: it may have written before failing) ends by signing
  // the audit chain head when the archive passphrase is at hand (src/cli/audit.ts).
  if (ctx !== undefined) {
    const { autoCheckpoint } = await import('./cli/audit.js');
    await autoCheckpoint(ctx.home, ctx.env, (s) => ctx?.printer.warn(s), ctx.db);
  }
  return code;
}

function report(e: unknown, json: boolean, debug: boolean): number {
  if (e instanceof CommanderError) {
    if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return 0;
    // commander has already printed its own message
    return EXIT_CODES.USAGE;
  }
  const printer = createPrinter(json);
  // A library's own message may quote its input (a JSON parse error quotes the text it choked on), so only
  // the error's class is shown by default; --debug shows the message and the stack.
  const detail = e instanceof Error ? (debug ? `${e.name}: ${e.message}` : e.name) : debug ? String(e) : typeof e;
  const err = isSandiError(e) ? e : new SandiError('INTERNAL', 'common.internal', { detail }, { cause: e });
  printer.error(err);
  if (debug && err.cause !== undefined) process.stderr.write(`${err.cause instanceof Error ? (err.cause.stack ?? err.cause.message) : JSON.stringify(err.cause)}\n`);
  if (debug && err.code === 'INTERNAL') process.stderr.write(`${String(err.stack)}\n`);
  return err.exitCode;
}

const exitCode = await run(process.argv.slice(2));
process.exitCode = exitCode;
