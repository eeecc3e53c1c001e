/**
 * The office database password, looked up at the moment of connecting and never cached, logged or put in an
 * error. Sources, in libpq's order and then sandi's:
 *   1. PGPASSWORD;
 *   2. the password file: PGPASSFILE, else ~/.pgpass (libpq's format and rules, src/config/db.ts: a file that
 *      group or others may read is ignored, with a warning);
 *   3. `db.passwordCommand` in config.json: a program (argv, never a shell) printing it on its first line.
 * None: the connection is tried without one (a server that trusts the workstation, or a refusal that says
 * where to put it).
 * Synchronous: the register ports are synchronous, and so is the connection under them.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { SandiError } from '../errors.js';
import { withoutSecrets } from './child-env.js';
import { matchPgpass, parsePgpass, pgpassTooOpen, type PgTarget } from './db.js';

export type DbPasswordSource = 'PGPASSWORD' | 'pgpass' | 'perintah' | 'tanpa';

export interface DbPassword {
  password: string | undefined;
  source: DbPasswordSource;
  /** the password file that was read (for messages) */
  file?: string;
}

export interface DbPasswordWarning {
  key: string;
  params: Record<string, string>;
}

export function pgpassFile(env: NodeJS.ProcessEnv): string {
  const f = env['PGPASSFILE'];
  return f !== undefined && f !== '' ? f : join(env['HOME'] ?? homedir(), '.pgpass');
}

export function resolveDbPassword(
  target: PgTarget,
  env: NodeJS.ProcessEnv,
  passwordCommand: readonly string[] | undefined,
  warn: (w: DbPasswordWarning) => void = () => undefined,
): DbPassword {
  const fromEnv = env['PGPASSWORD'];
  if (fromEnv !== undefined && fromEnv !== '') return { password: fromEnv, source: 'PGPASSWORD' };
  const file = pgpassFile(env);
  let mode: number | null = null;
  try {
    const st = statSync(file);
    mode = st.isFile() ? st.mode : null;
  } catch {
    mode = null;
  }
  if (mode !== null) {
    if (pgpassTooOpen(mode)) warn({ key: 'db.pgpass.tooOpen', params: { file, mode: (mode & 0o777).toString(8).padStart(4, '0') } });
    else {
      let text = '';
      try {
        text = readFileSync(file, 'utf8');
      } catch (e) {
        warn({ key: 'db.pgpass.unreadable', params: { file, reason: (e as NodeJS.ErrnoException).code ?? 'error' } });
      }
      const password = matchPgpass(parsePgpass(text), target);
      if (password !== null) return { password, source: 'pgpass', file };
    }
  }
  if (passwordCommand !== undefined) return { password: runDbPasswordCommand(passwordCommand, env), source: 'perintah' };
  return { password: undefined, source: 'tanpa' };
}

/**
 * Run `argv` (no shell) and return the first line of its output. A failure names the program and its exit
 * status, never its output. The program gets the environment without sandi's secret variables nor PGPASSWORD.
 */
export function runDbPasswordCommand(argv: readonly string[], env: NodeJS.ProcessEnv, timeoutMs = 30_000): string {
  const [program, ...args] = argv;
  const command = program ?? '';
  const fail = (reason: string): SandiError => new SandiError('CONFIG', 'db.passwordCommandFailed', { command, reason }, { hint: 'db.passwordCommandFailed.hint' });
  if (program === undefined) throw fail('empty');
  const r = spawnSync(program, args, { stdio: ['ignore', 'pipe', 'ignore'], shell: false, env: withoutSecrets(env), timeout: timeoutMs, maxBuffer: 65_536 });
  if (r.error !== undefined) throw fail((r.error as NodeJS.ErrnoException).code ?? 'spawn failed');
  if (r.status !== 0) throw fail(r.signal !== null ? `signal ${r.signal}` : `exit ${r.status ?? '?'}`);
  const first = r.stdout.toString('utf8').split('\n', 1)[0]?.replace(/\r$/, '') ?? '';
  if (first.length === 0) throw fail('empty output');
  return first;
}
