/**
 * Output: data to stdout (human tables, or JSON with --json), diagnostics and progress to stderr.
 * Nothing else in src/ writes to the terminal.
 */
import { t } from './messages/index.js';
import type { SandiError } from '../errors.js';

export interface Printer {
  readonly json: boolean;
  /** The command's result: JSON with --json, else the human rendering. */
  result(data: unknown, human: () => string): void;
  /** A line for the operator on stderr (suppressed with --json unless it is a warning). */
  info(message: string): void;
  warn(message: string): void;
  /** Progress of long work; only drawn on a TTY stderr, never with --json. */
  progress(label: string, done: number, total?: number): void;
  progressEnd(): void;
  error(err: SandiError): void;
}

export interface PrinterStreams {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
}

export function createPrinter(json: boolean, streams: PrinterStreams = { stdout: process.stdout, stderr: process.stderr }): Printer {
  const { stdout, stderr } = streams;
  let progressShown = false;
  return {
    json,
    result(data, human) {
      if (json) stdout.write(`${JSON.stringify(data, null, 2)}\n`);
      else {
        const text = human();
        if (text.length > 0) stdout.write(text.endsWith('\n') ? text : `${text}\n`);
      }
    },
    info(message) {
      if (!json) stderr.write(`${message}\n`);
    },
    warn(message) {
      stderr.write(`⚠ ${message}\n`);
    },
    progress(label, done, total) {
      if (json || !stderr.isTTY) return;
      const pct = total && total > 0 ? ` ${Math.floor((done / total) * 100)}%` : '';
      stderr.write(`\r\x1b[2K${label}${pct}`);
      progressShown = true;
    },
    progressEnd() {
      if (progressShown) stderr.write('\r\x1b[2K');
      progressShown = false;
    },
    error(err) {
      if (json) {
        stderr.write(
          `${JSON.stringify({ error: { code: err.code, exitCode: err.exitCode, key: err.key, message: t(err.key, err.params), hint: err.hint ? t(err.hint, err.params) : undefined } })}\n`,
        );
        return;
      }
      stderr.write(`${t('common.errorPrefix')}: ${t(err.key, err.params)}\n`);
      if (err.hint) stderr.write(`${t('common.hintPrefix')}: ${t(err.hint, err.params)}\n`);
    },
  };
}

/** A plain fixed-width table for human output. */
export function table(headers: string[], rows: (string | number | null | undefined)[][]): string {
  const cells = rows.map((r) => r.map((c) => (c === null || c === undefined ? '' : String(c))));
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) => r.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n');
}
