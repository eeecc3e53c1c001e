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
/** A word longer than this may be broken inside (a fingerprint, an e-mail address); shorter ones never are. */
const BREAKABLE_WORD = 12;
const GAP = 2;

/**
 * The narrowest a column may get without breaking a short word: its longest word (a date, "penerima",
 * "Kedaluwarsa") up to BREAKABLE_WORD, at least MIN_COLUMN, never more than the column needs.
 */
function floorWidth(texts: string[], natural: number, stringWidth: (s: string) => number): number {
  let longest = 0;
  for (const t of texts) for (const w of t.split(/\s+/)) longest = Math.max(longest, stringWidth(w));
  return Math.min(natural, Math.max(MIN_COLUMN, Math.min(longest, BREAKABLE_WORD)));
}

/**
 * Column widths that fit `room`, starting from each column's floor: the room left is shared out equally among
 * the columns that still want more (water-filling), none above its natural width.
 */
function fitWidths(natural: number[], floors: number[], room: number): number[] {
  const out = [...floors];
  let left = room - floors.reduce((a, b) => a + b, 0);
  for (;;) {
    const wanting = out.map((w, i) => i).filter((i) => out[i]! < natural[i]!);
    if (wanting.length === 0 || left <= 0) return out;
    const share = Math.floor(left / wanting.length);
    if (share === 0) {
      for (const i of wanting.slice(0, left)) out[i]! += 1;
      return out;
    }
    for (const i of wanting) {
      const add = Math.min(share, natural[i]! - out[i]!);
      out[i]! += add;
      left -= add;
    }
  }
}

/**
 * A plain fixed-width table for human output. With a `width` (by default the terminal's, on a TTY only) a table
 * wider than it is fitted: the wide columns are narrowed and their cells wrapped — at spaces where they can, else
 * hard (a fingerprint) — with display widths (string-width: "é" and CJK count as they show); short words (a date,
 * a role) are never broken. When even that cannot fit, each row is shown as a record of "label  value" lines
 * (like psql's expanded display) instead of a grid cut into slivers. Without a width (piped output), or before the display-width libraries are loaded (see ensureTableWidth), the table is exactly
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
  const room = limit - GAP * (natural.length - 1);
  const floors = natural.map((n, i) => floorWidth([headers[i] ?? '', ...cells.map((r) => r[i] ?? '')], n, stringWidth));
  const pad = (c: string, w: number): string => c + ' '.repeat(Math.max(0, w - stringWidth(c)));
  if (total > limit && floors.reduce((a, b) => a + b, 0) > room) {
    // Too many columns for this terminal even with every short word kept whole: one record per row, a
    // "label  value" line per column (like psql's expanded display), each value wrapped to what is left.
    const labelWidth = Math.min(Math.max(...headers.map((h) => stringWidth(h))), Math.floor(limit / 3));
    const valueWidth = Math.max(MIN_COLUMN, limit - labelWidth - GAP);
    const wrap = (c: string, w: number): string[] => (stringWidth(c) <= w && !c.includes('\n') ? [c] : wrapAnsi(c, w, { hard: true, trim: true }).split('\n'));
    return cells
      .map((r, n) => {
        const head = `-[ ${n + 1} ]`;
        const lines = [head + '-'.repeat(Math.max(0, Math.min(limit, labelWidth + GAP + valueWidth) - head.length))];
        headers.forEach((h, i) => {
          const labels = wrap(h, labelWidth);
          const values = wrap(r[i] ?? '', valueWidth);
          for (let k = 0; k < Math.max(labels.length, values.length); k++) {
            lines.push(`${pad(labels[k] ?? '', labelWidth)}${' '.repeat(GAP)}${values[k] ?? ''}`.trimEnd());
          }
        });
        return lines.join('\n');
      })
      .join('\n');
  }
  const widths = total <= limit ? natural : fitWidths(natural, floors, room);
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
