/**
 * The generic command adapter: runs a program the office chooses (argv from config, never through a shell)
 * and writes three lines to its standard input: the user, the old password, the new password. Nothing
 * secret is on its command line or in its environment. Exit 0 = changed; exit 75 (EX_TEMPFAIL) = try again
 * later; anything else = refused, and the last lines of its output are the reason (passwords redacted).
 */
import { spawn } from 'node:child_process';
import { SandiError } from '../../errors.js';
import { withoutSecrets } from '../../config/child-env.js';
import type { PasswordChanger, PasswordChangeRequest } from '../../ports/akun.js';

export interface CommandChangerOptions {
  argv: readonly string[];
  env: NodeJS.ProcessEnv;
  timeoutMs?: number;
}

export function redactAll(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) if (s.length > 0) out = out.split(s).join('***');
  return out;
}

/** The last non-empty lines of a command's output, at most 300 characters, for an error message. */
export function reasonFrom(output: string, secrets: readonly string[]): string {
  const lines = redactAll(output, secrets)
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l.length > 0);
  const text = lines.slice(-3).join(' / ');
  return text.length > 300 ? `…${text.slice(-299)}` : text;
}

export function commandChanger(opts: CommandChangerOptions): PasswordChanger {
  const [program, ...args] = opts.argv;
  const command = opts.argv.join(' ');
  return {
    adapter: 'perintah',
    change(req: PasswordChangeRequest): Promise<void> {
      if (program === undefined) return Promise.reject(new SandiError('CONFIG', 'akun.commandMissing', {}, { hint: 'akun.commandMissing.hint' }));
      const secrets = [req.oldPassword, req.newPassword];
      return new Promise((resolve, reject) => {
        const child = spawn(program, args, { stdio: ['pipe', 'pipe', 'pipe'], shell: false, env: withoutSecrets(opts.env) });
        let output = '';
        const collect = (b: Buffer): void => {
          output = (output + b.toString('utf8')).slice(-8192);
        };
        child.stdout.on('data', collect);
        child.stderr.on('data', collect);
        const timer = setTimeout(() => {
          child.kill('SIGKILL');
        }, opts.timeoutMs ?? 120_000);
        let spawnError: NodeJS.ErrnoException | undefined;
        child.on('error', (e: NodeJS.ErrnoException) => {
          spawnError = e;
        });
        child.stdin.on('error', () => {
          /* the command may exit without reading; its exit status says what happened */
        });
        child.stdin.end(`${req.user}\n${req.oldPassword}\n${req.newPassword}\n`);
        child.on('close', (code, signal) => {
          clearTimeout(timer);
          if (spawnError !== undefined) {
            const key = spawnError.code === 'ENOENT' || spawnError.code === 'EACCES' ? 'akun.commandNotRunnable' : 'akun.commandFailed';
            reject(new SandiError('CONFIG', key, { command, reason: spawnError.code ?? spawnError.message }, { hint: 'akun.commandMissing.hint' }));
            return;
          }
          if (code === 0) {
            resolve();
            return;
          }
          const reason = reasonFrom(output, secrets) || (signal !== null ? `signal ${signal}` : `exit ${code ?? '?'}`);
          if (code === 75 || signal !== null) {
            reject(new SandiError('TEMPFAIL', 'akun.changeTempfail', { adapter: 'perintah', reason }, { hint: 'akun.changeTempfail.hint' }));
            return;
          }
          reject(new SandiError('DATA', 'akun.changeRefused', { adapter: 'perintah', user: req.user, reason }, { hint: 'akun.changeRefused.hint' }));
        });
      });
    },
  };
}
