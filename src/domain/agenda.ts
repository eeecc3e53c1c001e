/**
 * Register exports and listings (`sandi agenda`), the pure part: what an export column is, how a value is
 * written as a CSV cell (RFC 4180, spreadsheet-safe) or a JSON value, how a date range in the office's time
 * zone becomes UTC bounds, and how an operator's search words become a safe SQLite FTS5 query.
 *
 * No I/O, no clock: the store streams raw rows, the writers in src/adapters/export.ts call these per cell.
 */
import { zoneOffsetMinutes } from './working-time.js';

/**
 * How a column's value is typed: text; integer; an ISO 8601 UTC instant (text); or JSON text held in
 * the register (arrays of addresses, attachments, signers), parsed for JSON Lines and flattened for CSV/XLSX.
 */
export type ColumnKind = 'text' | 'integer' | 'time' | 'json';

/** One documented, stable export column. Names never change once released: scripts rely on them. */
export interface ExportColumn {
  name: string;
  kind: ColumnKind;
  /** one line for the README / `sandi agenda BUKU kolom` */
  doc: string;
}

export const EXPORT_FORMATS = ['csv', 'jsonl', 'xlsx'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export function isExportFormat(v: unknown): v is ExportFormat {
  return typeof v === 'string' && (EXPORT_FORMATS as readonly string[]).includes(v);
}

/**
 * Characters that make a spreadsheet read a cell as a formula (or DDE payload) when it opens a CSV file:
 * = + - @ (the list), plus TAB and CR, which OWASP lists because some spreadsheets strip them first.
 */
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * Neutralise a text cell for spreadsheets: one that begins with = + - @ (or TAB/CR) gets a leading
 * apostrophe, which spreadsheets show as text and never evaluate. Other text is unchanged.
 */
export function neutraliseCell(s: string): string {
  return FORMULA_START.test(s) ? `'${s}` : s;
}

/** RFC 4180 field: quoted (with doubled quotes) when it holds a comma, quote, CR or LF. */
export function csvField(s: string): string {
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** One CSV record, CRLF-terminated (RFC 4180). */
export function csvRecord(cells: readonly string[]): string {
  return `${cells.map(csvField).join(',')}\r\n`;
}

/** A register value (as SQLite returns it) flattened to text for CSV and XLSX; NULL is the empty string. */
export function cellText(kind: ColumnKind, v: unknown): string {
  if (v === null || v === undefined) return '';
  if (kind === 'json') return flattenJson(typeof v === 'string' ? v : JSON.stringify(v));
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v);
}

/** A CSV cell: flattened text, neutralised when it is text that a spreadsheet would evaluate. */
export function csvCell(kind: ColumnKind, v: unknown): string {
  const s = cellText(kind, v);
  // integers are never neutralised: a negative number is a number, not a formula
  return kind === 'integer' && typeof v !== 'string' ? s : neutraliseCell(s);
}

/**
 * JSON arrays of plain values become "a; b; c" (what a spreadsheet user wants in one cell); arrays of objects
 * show each object's name-like field when it has one; anything else stays JSON text.
 */
function flattenJson(text: string): string {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return text;
  }
  if (Array.isArray(v)) {
    return v
      .map((x) => {
        if (x === null || typeof x !== 'object') return String(x);
        const o = x as Record<string, unknown>;
        const label = o['name'] ?? o['nama'] ?? o['email'] ?? o['fingerprint'];
        return typeof label === 'string' ? label : JSON.stringify(x);
      })
      .join('; ');
  }
  return typeof v === 'string' ? v : JSON.stringify(v);
}

/** A register value for JSON Lines: JSON columns parsed, integers as numbers, NULL as null. */
export function jsonValue(kind: ColumnKind, v: unknown): unknown {
  if (v === null || v === undefined) return null;
  if (kind === 'json' && typeof v === 'string') {
    try {
      return JSON.parse(v) as unknown;
    } catch {
      return v;
    }
  }
  if (typeof v === 'bigint') return Number(v);
  if (v instanceof Uint8Array) return null; // never happens: blobs are not export columns
  return v;
}

/** One JSON Lines record (LF-terminated) from a raw row in column order. */
export function jsonlRecord(columns: readonly ExportColumn[], row: readonly unknown[]): string {
  const o: Record<string, unknown> = {};
  columns.forEach((c, i) => {
    o[c.name] = jsonValue(c.kind, row[i]);
  });
  return `${JSON.stringify(o)}\n`;
}

// ------------------------------------------------------------------------------------- dates and zones

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Is `s` a real calendar date YYYY-MM-DD? */
export function isDate(s: string): boolean {
  const m = DATE_RE.exec(s);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.toISOString().slice(0, 10) === s;
}


/** The UTC instant of local midnight starting `date` (YYYY-MM-DD) in `timeZone`. */
export function localMidnightUtc(date: string, timeZone: string): Date {
  const guess = new Date(`${date}T00:00:00Z`);
  // Indonesian zones have no daylight saving; one correction is exact for them and good elsewhere
  const off = zoneOffsetMinutes(timeZone, guess);
  return new Date(guess.getTime() - off * 60_000);
}

/** The day after `date` (YYYY-MM-DD). */
export function nextDate(date: string): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}

export interface DateRange {
  /** inclusive, UTC ISO */
  from: string | null;
  /** exclusive, UTC ISO */
  to: string | null;
}

/**
 * `--dari` and `--sampai` (local dates, both inclusive) as UTC bounds of registration time. Returns the
 * name of the bad flag instead when one is not a date or the range is reversed.
 */
export function dateRange(dari: string | undefined, sampai: string | undefined, timeZone: string): DateRange | { bad: 'dari' | 'sampai'; value: string } {
  if (dari !== undefined && !isDate(dari)) return { bad: 'dari', value: dari };
  if (sampai !== undefined && !isDate(sampai)) return { bad: 'sampai', value: sampai };
  if (dari !== undefined && sampai !== undefined && sampai < dari) return { bad: 'sampai', value: sampai };
  return {
    from: dari === undefined ? null : localMidnightUtc(dari, timeZone).toISOString(),
    to: sampai === undefined ? null : localMidnightUtc(nextDate(sampai), timeZone).toISOString(),
  };
}

// ----------------------------------------------------------------------------------------------- search

/**
 * An FTS5 query from what the operator typed: every word must match (AND), each as a quoted phrase with a
 * prefix star, so punctuation in numbers ("KRIP/001/XI/2026") and FTS5 operators (NEAR, OR, quotes, colons)
 * are taken literally and never as query syntax. Returns null when nothing searchable is left.
 */
export function ftsQuery(text: string): string | null {
  const words = text
    .split(/\s+/)
    .map((w) => w.replace(/"/g, ' ').trim())
    .filter((w) => /[\p{L}\p{N}]/u.test(w));
  if (words.length === 0) return null;
  return words.map((w) => `"${w}"*`).join(' ');
}

/** A register row reference as typed: all digits is the row id, anything else a register number. */
export function parseRowRef(ref: string): { id: number } | { nomor: string } | null {
  const s = ref.trim();
  if (s.length === 0) return null;
  if (/^\d+$/.test(s)) {
    const id = Number(s);
    return Number.isSafeInteger(id) && id > 0 ? { id } : null;
  }
  return { nomor: s };
}
