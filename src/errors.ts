/**
 * The one error type of sandi. Every expected failure is a SandiError whose `code` picks the exit code
 * from one table; the operator-facing text lives in src/cli/messages (looked up by `key`), so adapters
 * and services never format user text themselves.
 */

/** Failure classes and their exit codes (documented in README.md, "Kode keluar / Exit codes"). */
export const EXIT_CODES = {
  /** wrong command line: unknown flag, missing flag with --no-input */
  USAGE: 64,
  /** bad input data: unreadable file, malformed message, invalid value */
  DATA: 65,
  /** a named thing does not exist: key, register row, file */
  NOT_FOUND: 66,
  /** mail server or other service cannot be reached */
  UNAVAILABLE: 69,
  /** a bug: should never happen */
  INTERNAL: 70,
  /** local I/O failed: disk full, cannot write */
  IO: 74,
  /** temporary failure: try again later (nothing was lost) */
  TEMPFAIL: 75,
  /** authentication or permission: wrong passphrase, wrong password, file mode too open */
  PERMISSION: 77,
  /** configuration missing or invalid */
  CONFIG: 78,
  /** integrity failure: kriptogram modified, truncated or malformed — nothing was released */
  INTEGRITY: 79,
  /** signature failure: missing, bad, or by an unknown/revoked/expired key — nothing was released */
  SIGNATURE: 80,
  /** state conflict: the record is not in a state that allows this step */
  CONFLICT: 81,
  /** key refused for new work: expired, revoked, too weak, or lacks the needed capability */
  KEY_REFUSED: 82,
  /** the operator cancelled (Ctrl-C at a prompt) */
  CANCELLED: 130,
} as const;

export type ErrorCode = keyof typeof EXIT_CODES;

export type MessageParams = Record<string, string | number | undefined>;

export interface SandiErrorOptions {
  /** message catalog key of an extra suggestion line, in src/cli/messages */
  hint?: string;
  /** the lower-level error, kept for --debug output; never printed by default (it may hold paths, not secrets) */
  cause?: unknown;
}

export class SandiError extends Error {
  readonly code: ErrorCode;
  /** message catalog key, e.g. 'config.invalidValue' */
  readonly key: string;
  readonly params: MessageParams;
  readonly hint: string | undefined;

  constructor(code: ErrorCode, key: string, params: MessageParams = {}, options: SandiErrorOptions = {}) {
    super(`${code}: ${key} ${JSON.stringify(params)}`, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'SandiError';
    this.code = code;
    this.key = key;
    this.params = params;
    this.hint = options.hint;
  }

  get exitCode(): number {
    return EXIT_CODES[this.code];
  }
}

export function isSandiError(e: unknown): e is SandiError {
  return e instanceof SandiError;
}
