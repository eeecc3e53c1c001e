/**
 * Run the real CLI inside a pseudo-terminal, the way an operator does, and answer its prompts. The terminal
 * is driven by test/helpers/pty-driver.py (python3's `pty` module), so no native npm module is needed.
 * A step that does not match within its timeout fails the run (the driver kills the CLI), so a stuck prompt
 * fails the test instead of hanging it.
 */
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { BIN } from './cli.js';
import { haveCommand } from './gate.js';

const DRIVER = resolve(import.meta.dirname, 'pty-driver.py');

export interface PtyStep {
  /** regular expression (JavaScript/Python-compatible subset) matched against the ANSI-stripped output after the previous match */
  expect?: string;
  /** keys to type once `expect` matched: Enter is "\r", arrow down "\x1b[B", Ctrl-C "\x03" */
  send?: string;
  /** seconds to wait for `expect` (default: the run's timeout; never past the run's limit) */
  timeout?: number;
}

export interface PtyResult {
  /** exit code of the CLI; null when it was killed by a signal */
  exitCode: number | null;
  signal: string | null;
  /** everything the CLI wrote to the terminal (stdout and stderr), ANSI escape codes removed */
  transcript: string;
  /** the raw terminal output */
  raw: string;
  /** why the script did not run to its end (a step timed out, or the output ended first), else null */
  error: string | null;
}

export const KEY = { enter: '\r', down: '\x1b[B', up: '\x1b[A', ctrlC: '\x03' } as const;

export function havePython3Pty(): boolean {
  return haveCommand('python3', ['-c', 'import pty, termios, fcntl, json']);
}

const ANSI = /\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]/g;

export function stripAnsi(s: string): string {
  return s.replace(ANSI, '');
}

/** Run `node bin/sandi.js ...args` in a pty, following `steps`. */
export function sandiPty(
  args: string[],
  steps: PtyStep[],
  opts: { env?: NodeJS.ProcessEnv; cwd?: string; timeout?: number; exitTimeout?: number; limit?: number; cols?: number } = {},
): Promise<PtyResult> {
  const spec = {
    argv: [process.execPath, BIN, ...args],
    cwd: opts.cwd,
    env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '', TERM: 'xterm-256color', LANG: 'C.UTF-8', ...opts.env },
    steps,
    timeout: opts.timeout ?? 10,
    exitTimeout: opts.exitTimeout ?? 15,
    limit: opts.limit ?? 20,
    ...(opts.cols === undefined ? {} : { cols: opts.cols }),
  };
  // the driver stops itself after `limit` seconds; this is the backstop should the driver itself hang
  const hardLimitMs = Math.ceil((spec.limit + 5) * 1000);
  return new Promise((resolvePromise, reject) => {
    execFile('python3', [DRIVER, JSON.stringify(spec)], { encoding: 'utf8', timeout: hardLimitMs, killSignal: 'SIGKILL', maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      // exit status 2 means "script failed" and still carries a JSON report
      let report: { exitCode: number | null; signal: string | null; transcript: string; error: string | null } | undefined;
      try {
        report = JSON.parse(stdout) as typeof report;
      } catch {
        report = undefined;
      }
      if (report === undefined) {
        reject(new Error(`pty driver failed (${err ? err.message : 'no report'}): ${stderr}`));
        return;
      }
      resolvePromise({ ...report, raw: report.transcript, transcript: stripAnsi(report.transcript) });
    });
  });
}
