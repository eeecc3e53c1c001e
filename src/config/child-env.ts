/**
 * The environment handed to a program sandi runs (mailbox.passwordCommand, the password-change command,
 * `lp`): everything but the variables that may hold a secret (SANDI_PASSPHRASE, SANDI_PASSPHRASE_<ROLE>,
 * SANDI_MAILBOX_PASSWORD, and libpq's PGPASSWORD: the office database password). Those are none of the child's business, and a child that logs its environment
 * (or passes it on to its own children) would otherwise spread them.
 */

/** Variables that may hold a secret. */
export const SECRET_ENV = /^(SANDI_(MAILBOX_PASSWORD|PASSPHRASE)|PGPASSWORD$)/;

/** A copy of `env` without the secret variables. */
export function withoutSecrets(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([k]) => !SECRET_ENV.test(k)));
}
