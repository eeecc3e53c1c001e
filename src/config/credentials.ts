/**
 * The mailbox password, resolved at the moment a connection needs it and never cached, logged or put in an
 * error. Sources, in order of preference:
 *   1. the encrypted credential store in the home folder (`sandi akun simpan` / `rotasi`), encrypted to the
 *      office archive key; unlocking reads the archive key's passphrase like every key (--passphrase-file,
 *      SANDI_PASSPHRASE_ARSIP, SANDI_PASSPHRASE, a prompt). While a rotation has set its new password on the
 *      server but not yet finished, that new (pending) password is the one returned;
 *   2. `mailbox.passwordCommand` in config.json: a program (argv, never a shell) printing the password on its
 *      first line of output;
 *   3. the environment variable SANDI_MAILBOX_PASSWORD (for CI and scripts).
 * The store is read only when the home has its registers (sandi.db, or the office database on PostgreSQL), through the StoredMailboxPassword port the command hands over
 * (`stored`, built over its own store connection: services/akun-kredensial.ts storedMailboxPassword), so
 * resolving a password opens no second connection and loads no config again; config/ imports no service.
 * Services reach this module only as the account ports' `passwords` (src/ports/akun.ts MailboxPasswordResolver),
 * which the composition root (src/app/akun.ts) binds to the home.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { SandiError } from '../errors.js';
import { withoutSecrets } from './child-env.js';
import type { KeyInfo, PassphraseSource } from '../ports.js';
import type { MailboxPasswordSource, ResolvedMailboxPassword, StoredMailboxPassword } from '../ports/akun.js';
import type { MailboxAccount } from './config.js';

export const MAILBOX_PASSWORD_ENV = 'SANDI_MAILBOX_PASSWORD';

export interface CredentialContext {
  home: string;
  /** source 1, the credential store of the command's own opened home (read only when sandi.db exists) */
  stored: StoredMailboxPassword;
  /**
   * Whether the home has its registers (the composition root's App.hasRegisters: sandi.db, or an office database
   * on PostgreSQL, where the home has no sandi.db); default: sandi.db exists in `home`.
   */
  hasRegisters?: (() => boolean) | undefined;
  env: NodeJS.ProcessEnv;
  /** Where the archive key's passphrase comes from; default: SANDI_PASSPHRASE_ARSIP / SANDI_PASSPHRASE (and `passphraseFile`). */
  passphrases?: PassphraseSource | undefined;
  /** --passphrase-file, when the command has one */
  passphraseFile?: string | undefined;
  /** ask for the archive key's passphrase at the terminal (interactive runs only) */
  prompt?: ((forKey: KeyInfo) => Promise<string>) | undefined;
}

export type { MailboxPasswordSource, ResolvedMailboxPassword };

/** The password for `account`; USAGE naming the sources when none gives one. */
export async function resolveMailboxPassword(account: MailboxAccount, ctx: CredentialContext): Promise<string> {
  return (await resolveMailboxPasswordWithSource(account, ctx)).password;
}

/** Like resolveMailboxPassword, also saying where the password came from (for `sandi akun uji`). */
export async function resolveMailboxPasswordWithSource(account: MailboxAccount, ctx: CredentialContext): Promise<ResolvedMailboxPassword> {
  if (ctx.hasRegisters?.() ?? existsSync(join(ctx.home, 'sandi.db'))) {
    const stored = await ctx.stored.live(account.user, await archivePassphrases(ctx));
    if (stored !== null) return { password: stored.password, source: 'penyimpanan', slot: stored.slot };
  }
  const outside = await passwordOutsideStore(account, ctx.env);
  if (outside !== null) return outside;
  throw new SandiError('USAGE', 'mail.passwordMissing', { user: account.user, env: MAILBOX_PASSWORD_ENV }, { hint: 'mail.passwordMissing.hint' });
}

/** Sources 2 and 3 only (passwordCommand, then the environment): what a first rotation adopts into the store. */
export async function passwordOutsideStore(account: MailboxAccount, env: NodeJS.ProcessEnv): Promise<ResolvedMailboxPassword | null> {
  if (account.passwordCommand !== undefined) return { password: await runPasswordCommand(account.passwordCommand, env), source: 'perintah' };
  const fromEnv = env[MAILBOX_PASSWORD_ENV];
  if (fromEnv !== undefined && fromEnv.length > 0) return { password: fromEnv, source: 'lingkungan' };
  return null;
}

async function archivePassphrases(ctx: CredentialContext): Promise<PassphraseSource> {
  if (ctx.passphrases !== undefined) return ctx.passphrases;
  const { passphraseSource } = await import('./passphrase.js');
  return passphraseSource({ file: ctx.passphraseFile, env: ctx.env, prompt: ctx.prompt });
}

/**
 * Run `argv` (no shell) and return the first line of its standard output. A failure names the program and its
 * exit status, never its output (which may hold the password). The program gets `env` without the secret
 * variables (the archive passphrase, SANDI_MAILBOX_PASSWORD): it prints a password, it needs none of ours.
 */
export function runPasswordCommand(argv: readonly string[], env: NodeJS.ProcessEnv, timeoutMs = 30_000): Promise<string> {
  const [program, ...args] = argv;
  const command = argv[0] ?? '';
  if (program === undefined) return Promise.reject(new SandiError('CONFIG', 'akun.passwordCommandFailed', { command, reason: 'empty' }));
  return new Promise((resolve, reject) => {
    const child = spawn(program, args, { stdio: ['ignore', 'pipe', 'ignore'], shell: false, env: withoutSecrets(env) });
    const chunks: Buffer[] = [];
    let size = 0;
    child.stdout.on('data', (b: Buffer) => {
      size += b.length;
      if (size <= 65_536) chunks.push(b);
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    let spawnError: NodeJS.ErrnoException | undefined;
    child.on('error', (e: NodeJS.ErrnoException) => {
      spawnError = e;
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const fail = (reason: string): void =>
        reject(new SandiError('CONFIG', 'akun.passwordCommandFailed', { command, reason }, { hint: 'akun.passwordCommandFailed.hint' }));
      if (spawnError !== undefined) return fail(spawnError.code ?? 'spawn failed');
      if (code !== 0) return fail(signal !== null ? `signal ${signal}` : `exit ${code ?? '?'}`);
      const first = Buffer.concat(chunks).toString('utf8').split('\n', 1)[0]?.replace(/\r$/, '') ?? '';
      if (first.length === 0) return fail('empty output');
      resolve(first);
    });
  });
}
