/**
 * Integration tests need real programs (gpg, dovecot, postfix). In CI (CI=true) a missing program is a
 * failure; elsewhere the suite is skipped with the reason printed, so a developer sees why.
 */
import { execFileSync } from 'node:child_process';
import { describe } from 'vitest';

export function haveCommand(cmd: string, args: string[] = ['--version']): boolean {
  try {
    execFileSync(cmd, args, { stdio: 'ignore', timeout: 10_000 });
    return true;
  } catch {
    return false;
  }
}

/** Absolute path check for daemons that are not on a normal user's PATH (/usr/sbin/dovecot, postfix). */
export function findProgram(candidates: string[]): string | null {
  for (const c of candidates) {
    try {
      execFileSync('test', ['-x', c]);
      return c;
    } catch {
      /* next */
    }
  }
  return null;
}

/**
 * describe() that runs when `available` is true; in CI a missing requirement throws (the suite fails),
 * elsewhere it is skipped and the reason is printed once.
 */
export function describeWith(requirement: string, available: boolean, name: string, fn: () => void): void {
  if (available) {
    describe(name, fn);
    return;
  }
  if (process.env['CI'] === 'true') {
    describe(name, () => {
      throw new Error(`${requirement} is required in CI (CI=true) but was not found; .ci/run must install it`);
    });
    return;
  }
  process.stderr.write(`[skip] ${name}: ${requirement} not found on this machine\n`);
  describe.skip(name, fn);
}
