/**
 * Where key passphrases come from, in this order, resolved at the moment a key is unlocked and never cached,
 * logged or put in an error:
 *   1. `--passphrase-file FILE`: the first line of FILE (mode must not allow group/other access);
 *   2. `SANDI_PASSPHRASE_<ROLE>` (SANDI_PASSPHRASE_ARSIP, _SANDIMAN, _KASI, _PENERIMA): the key of that role;
 *   3. `SANDI_PASSPHRASE`: any key;
 *   4. a password prompt, only at an interactive terminal.
 * Never from argv. With none of them and no terminal: SandiError USAGE naming the options.
 */
import { readFileSync, statSync } from 'node:fs';
import { SandiError } from '../errors.js';
import type { KeyInfo, KeyRole, PassphraseSource } from '../ports.js';
import { modeTooOpen, passphraseEnvName, shellQuote } from '../domain/kunci.js';

export const PASSPHRASE_ENV = 'SANDI_PASSPHRASE';

export interface PassphraseOptions {
  /** value of --passphrase-file */
  file?: string | undefined;
  env: NodeJS.ProcessEnv;
  /** Ask at the terminal; given only when the run is interactive. */
  prompt?: ((forKey: KeyInfo) => Promise<string>) | undefined;
}

/**
 * Read a file that holds a secret (a passphrase, a classified subject) as text: missing → NOT_FOUND,
 * readable by group/others → PERMISSION `modeKey` with the chmod that fixes it, unreadable → IO naming the
 * OS error (never content).
 */
export function readPrivateFile(path: string, modeKey: string): string {
  let mode: number;
  try {
    mode = statSync(path).mode;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new SandiError('NOT_FOUND', 'common.fileNotFound', { path });
    throw new SandiError('IO', 'common.fileUnreadable', { path, reason: (e as Error).message });
  }
  if (modeTooOpen(mode)) {
    throw new SandiError(
      'PERMISSION',
      modeKey,
      { path, mode: (mode & 0o777).toString(8).padStart(3, '0'), fix: `chmod 600 ${shellQuote(path)}` },
      { hint: 'kunci.modeTooOpen.hint' },
    );
  }
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    // the reason is the OS error (EACCES, EISDIR), never file content
    throw new SandiError('IO', 'common.fileUnreadable', { path, reason: (e as Error).message });
  }
}

/** Read a passphrase file: its first line, refused when group/others can read it or when it is empty. */
export function readPassphraseFile(path: string): string {
  const text = readPrivateFile(path, 'kunci.passphraseFileMode');
  const first = text.split('\n', 1)[0]?.replace(/\r$/, '') ?? '';
  if (first.length === 0) throw new SandiError('USAGE', 'kunci.passphraseFileEmpty', { path });
  return first;
}

/** The passphrase from a file or the environment for a key of `role`, or null when neither gives one. */
export function passphraseFromFlagsOrEnv(opts: Pick<PassphraseOptions, 'file' | 'env'>, role: KeyRole): string | null {
  if (opts.file !== undefined) return readPassphraseFile(opts.file);
  const specific = opts.env[passphraseEnvName(role)];
  if (specific !== undefined && specific.length > 0) return specific;
  const general = opts.env[PASSPHRASE_ENV];
  if (general !== undefined && general.length > 0) return general;
  return null;
}

function missing(role: KeyRole, label: string): SandiError {
  return new SandiError('USAGE', 'kunci.passphraseMissing', { key: label, envRole: passphraseEnvName(role) }, { hint: 'kunci.passphraseMissing.hint' });
}

/** A PassphraseSource over file → role variable → SANDI_PASSPHRASE → prompt. */
export function passphraseSource(opts: PassphraseOptions): PassphraseSource {
  return {
    async get(forKey: KeyInfo): Promise<string> {
      const fromFlags = passphraseFromFlagsOrEnv(opts, forKey.role);
      if (fromFlags !== null) return fromFlags;
      if (opts.prompt) return opts.prompt(forKey);
      throw missing(forKey.role, `${forKey.fingerprint} (${forKey.userId})`);
    },
    tries(forKey: KeyInfo): number {
      // a file or a variable gives the same wrong answer again: only a person at the prompt gets three tries
      const env = (name: string): boolean => (opts.env[name] ?? '').length > 0;
      if (opts.file !== undefined || env(passphraseEnvName(forKey.role)) || env(PASSPHRASE_ENV)) return 1;
      return opts.prompt ? 3 : 1;
    },
  };
}

/**
 * The passphrase for a key about to be made: file or environment first; else `promptNew` (which asks twice at
 * the terminal); else USAGE. Strength is judged by the caller (the service), whatever the source.
 */
export async function newKeyPassphrase(
  opts: Pick<PassphraseOptions, 'file' | 'env'> & { promptNew?: (() => Promise<string>) | undefined },
  role: KeyRole,
  label: string,
): Promise<string> {
  const fromFlags = passphraseFromFlagsOrEnv(opts, role);
  if (fromFlags !== null) return fromFlags;
  if (opts.promptNew) return opts.promptNew();
  throw missing(role, label);
}
