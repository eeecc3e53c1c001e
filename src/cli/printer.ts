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

/** "1:05", "12:00:03": time left as a person reads it. */
export function durasi(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

/**
 * The tail of a progress line: percentage, rate and time left once the work has run a moment (rate from the
 * start of this progress, so a slow first item does not promise forever). Empty without a known total.
 */
export function progressTail(done: number, total: number | undefined, elapsedMs: number): string {
  if (total === undefined || total <= 0) return '';
  const parts = [`${Math.floor((Math.min(done, total) / total) * 100)}%`];
  if (done > 0 && elapsedMs >= 500) {
    const rate = done / (elapsedMs / 1000);
    parts.push(t('printer.progress.rate', { rate: rate >= 10 ? Math.round(rate) : rate.toFixed(1) }));
    if (done < total) parts.push(t('printer.progress.left', { time: durasi((total - done) / rate) }));
  }
  return ` ${parts.join(' · ')}`;
}

export function createPrinter(
  json: boolean,
  streams: PrinterStreams = { stdout: process.stdout, stderr: process.stderr },
  now: () => number = Date.now,
): Printer {
  const { stdout, stderr } = streams;
  let progressShown = false;
  let progressStart: number | null = null;
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
      progressStart ??= now();
      stderr.write(`\r\x1b[2K${label}${progressTail(done, total, now() - progressStart)}`);
      progressShown = true;
    },
    progressEnd() {
      if (progressShown) stderr.write('\r\x1b[2K');
      progressShown = false;
      progressStart = null;
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

/**
 * The display-width libraries of fitted tables (string-width, wrap-ansi). Importing them costs tens of
 * milliseconds, so a run whose stdout is not a terminal never loads them (its tables are never fitted, even
 * when a width is passed); at a terminal they are loaded with this module. Tests call ensureTableWidth().
 */
let lib: { stringWidth: (s: string) => number; wrapAnsi: (s: string, columns: number, o: { hard: boolean; trim: boolean }) => string } | null = null;

export async function ensureTableWidth(): Promise<void> {
  if (lib !== null) return;
  const [sw, wa] = await Promise.all([import('string-width'), import('wrap-ansi')]);
  lib = { stringWidth: sw.default, wrapAnsi: wa.default };
}

if (process.stdout.isTTY === true) await ensureTableWidth();

/** The columns a table may take: the terminal's width when stdout is a TTY, else none (piped output is not cut). */
export function terminalColumns(stdout: { isTTY?: boolean; columns?: number } = process.stdout): number | undefined {
  return stdout.isTTY === true && typeof stdout.columns === 'number' && stdout.columns > 0 ? stdout.columns : undefined;
}

/** Narrowest a squeezed column gets (a fingerprint wraps into lines of this many characters at worst). */
const MIN_COLUMN = 6;
const GAP = 2;

/**
 * Column widths that fit `limit`: columns narrower than an equal share keep their width, the room left is
 * shared equally among the wide ones (water-filling), never below MIN_COLUMN (then the line may overflow).
 */
function fitWidths(natural: number[], limit: number): number[] {
  const room = limit - GAP * (natural.length - 1);
  const out = [...natural];
  let wide = natural.map((_, i) => i);
  let left = room;
  for (;;) {
    const share = Math.floor(left / Math.max(1, wide.length));
    const narrow = wide.filter((i) => natural[i]! <= share);
    if (narrow.length === 0) {
      wide.forEach((i, k) => {
        // the remainder of the division goes to the first wide columns
        out[i] = Math.max(MIN_COLUMN, share + (k < left - share * wide.length ? 1 : 0));
      });
      return out;
    }
    for (const i of narrow) left -= natural[i]!;
    wide = wide.filter((i) => !narrow.includes(i));
    if (wide.length === 0) return out;
  }
}

/**
 * A plain fixed-width table for human output. With a `width` (by default the terminal's, on a TTY only) a table
 * wider than it is fitted: the wide columns are narrowed and their cells wrapped — at spaces where they can, else
 * hard (a fingerprint) — with display widths (string-width: "é" and CJK count as they show). Without a width
 * (piped output), or before the display-width libraries are loaded (see ensureTableWidth), the table is exactly
 * as wide as its longest cells.
 */
export function table(headers: string[], rows: (string | number | null | undefined)[][], opts: { width?: number } = {}): string {
  const cells = rows.map((r) => r.map((c) => (c === null || c === undefined ? '' : String(c))));
  const limit = lib === null ? undefined : 'width' in opts ? opts.width : terminalColumns();
  if (limit === undefined || lib === null) {
    const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((r) => (r[i] ?? '').length)));
    const line = (r: string[]) => r.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
    return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n');
  }
  const { stringWidth, wrapAnsi } = lib;
  const cellWidth = (c: string): number => Math.max(0, ...c.split('\n').map((l) => stringWidth(l)));
  const natural = headers.map((h, i) => Math.max(cellWidth(h), ...cells.map((r) => cellWidth(r[i] ?? ''))));
  const total = natural.reduce((a, b) => a + b, 0) + GAP * (natural.length - 1);
  const widths = total <= limit ? natural : fitWidths(natural, limit);
  const pad = (c: string, w: number): string => c + ' '.repeat(Math.max(0, w - stringWidth(c)));
  const physical = (r: string[]): string[] => {
    const wrapped = widths.map((w, i) => {
      const c = r[i] ?? '';
      return stringWidth(c) <= w && !c.includes('\n') ? [c] : wrapAnsi(c, w, { hard: true, trim: true }).split('\n');
    });
    const height = Math.max(1, ...wrapped.map((l) => l.length));
    return Array.from({ length: height }, (_, k) => wrapped.map((l, i) => pad(l[k] ?? '', widths[i]!)).join(' '.repeat(GAP)).trimEnd());
  };
  return [...physical(headers), widths.map((w) => '-'.repeat(w)).join(' '.repeat(GAP)), ...cells.flatMap(physical)].join('\n');
}
