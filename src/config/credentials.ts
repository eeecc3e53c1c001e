/**
 * The mailbox password, resolved at the moment a connection needs it and never cached, logged or put in an
 * error. Sources, in order of preference (issue 6 completes the chain): the encrypted credential store in the
 * home folder, `passwordCommand`, then the environment variable SANDI_MAILBOX_PASSWORD (for CI and scripts).
 */
import { SandiError } from '../errors.js';
import type { MailboxAccount } from './config.js';

export const MAILBOX_PASSWORD_ENV = 'SANDI_MAILBOX_PASSWORD';

export interface CredentialContext {
  home: string;
  env: NodeJS.ProcessEnv;
}

/** The password for `account`; USAGE naming the sources when none gives one. */
export async function resolveMailboxPassword(account: MailboxAccount, ctx: CredentialContext): Promise<string> {
  const fromEnv = ctx.env[MAILBOX_PASSWORD_ENV];
  if (fromEnv !== undefined && fromEnv.length > 0) return Promise.resolve(fromEnv);
  throw new SandiError('USAGE', 'mail.passwordMissing', { user: account.user, env: MAILBOX_PASSWORD_ENV }, { hint: 'mail.passwordMissing.hint' });
}
