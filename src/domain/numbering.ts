/**
 * Register number formats, as pure rules. A format is text with tokens:
 *
 *   {urut}     the gapless sequence number of the register for the year; {urut:3} zero-pads to 3 digits
 *   {bulan}    month in Roman numerals (I..XII); {bulan:2} the month as a zero-padded number instead
 *   {tahun}    the four-digit year
 *   {unit}     the office's unit code (config)
 *   {sifat}    the classification code: B, T, RH, SR by default (configurable)
 *
 * e.g. `KRIP/{urut:3}/{bulan}/{tahun}` → `KRIP/001/XI/2026`, `{sifat}.{urut}/{unit}/{tahun}` → `RH.15/DKI/2026`.
 * Month and year are those of the office's time zone, never UTC: 2026-12-31T17:30Z is already 2027 in Jakarta.
 */
import { SandiError } from '../errors.js';
import type { Buku, Sifat } from './records.js';

export const DEFAULT_SIFAT_CODES: Readonly<Record<Sifat, string>> = {
  Biasa: 'B',
  Terbatas: 'T',
  Rahasia: 'RH',
  'Sangat Rahasia': 'SR',
};

/** Default formats per register; the config may override each. */
export const DEFAULT_FORMATS: Readonly<Record<Buku, string>> = {
  kriptogram_keluar: 'KRIP/{urut:3}/{bulan}/{tahun}',
  surat_keluar: 'SK/{urut:3}/{bulan}/{tahun}',
  surat_masuk: 'SM/{urut:3}/{bulan}/{tahun}',
  kriptogram_masuk: 'KM/{urut:3}/{bulan}/{tahun}',
};

export const NUMBER_TOKENS = ['urut', 'bulan', 'tahun', 'unit', 'sifat'] as const;

export type FormatPart =
  | { kind: 'text'; text: string }
  | { kind: 'urut'; width: number }
  | { kind: 'bulan'; roman: boolean; width: number }
  | { kind: 'tahun' }
  | { kind: 'unit' }
  | { kind: 'sifat' };

export interface ParsedFormat {
  readonly format: string;
  readonly parts: readonly FormatPart[];
  readonly usesUnit: boolean;
  readonly usesSifat: boolean;
}

function formatError(key: string, format: string, configKey: string | undefined, extra: Record<string, string> = {}): SandiError {
  return new SandiError('CONFIG', key, { format, where: configKey ? ` (${configKey})` : '', tokens: NUMBER_TOKENS.map((x) => `{${x}}`).join(' '), ...extra });
}

/**
 * Parse and validate a number format. Unknown tokens, stray braces, a bad width, or a format without
 * {urut} or {tahun} (numbers would repeat) are CONFIG errors naming the token; `configKey` names the
 * config entry the format came from, for the message.
 */
export function parseNumberFormat(format: string, configKey?: string): ParsedFormat {
  const parts: FormatPart[] = [];
  const re = /\{([^{}]*)\}/g;
  let last = 0;
  let m: RegExpExecArray | null;
  const pushText = (text: string): void => {
    if (text.length === 0) return;
    if (/[{}]/.test(text)) throw formatError('store.numbering.badBrace', format, configKey);
    parts.push({ kind: 'text', text });
  };
  while ((m = re.exec(format)) !== null) {
    pushText(format.slice(last, m.index));
    last = m.index + m[0].length;
    const inner = m[1] ?? '';
    const [name = '', arg, ...rest] = inner.split(':');
    if (rest.length > 0) throw formatError('store.numbering.unknownToken', format, configKey, { token: m[0] });
    const width = arg === undefined ? null : /^[1-9]$/.test(arg) ? Number(arg) : NaN;
    if (Number.isNaN(width)) throw formatError('store.numbering.badWidth', format, configKey, { token: m[0] });
    switch (name) {
      case 'urut':
        parts.push({ kind: 'urut', width: width ?? 1 });
        break;
      case 'bulan':
        parts.push(width === null ? { kind: 'bulan', roman: true, width: 1 } : { kind: 'bulan', roman: false, width });
        break;
      case 'tahun':
      case 'unit':
      case 'sifat':
        if (width !== null) throw formatError('store.numbering.badWidth', format, configKey, { token: m[0] });
        parts.push({ kind: name });
        break;
      default:
        throw formatError('store.numbering.unknownToken', format, configKey, { token: m[0] });
    }
  }
  pushText(format.slice(last));
  for (const needed of ['urut', 'tahun'] as const) {
    if (!parts.some((p) => p.kind === needed)) throw formatError('store.numbering.missingToken', format, configKey, { token: `{${needed}}` });
  }
  return { format, parts, usesUnit: parts.some((p) => p.kind === 'unit'), usesSifat: parts.some((p) => p.kind === 'sifat') };
}

export interface NumberValues {
  urut: number;
  /** 1..12, in the office's time zone */
  bulan: number;
  tahun: number;
  unit?: string | null;
  sifat?: Sifat | null;
  sifatCodes?: Partial<Record<Sifat, string>>;
}

const ROMAN: readonly [number, string][] = [
  [1000, 'M'], [900, 'CM'], [500, 'D'], [400, 'CD'], [100, 'C'], [90, 'XC'],
  [50, 'L'], [40, 'XL'], [10, 'X'], [9, 'IX'], [5, 'V'], [4, 'IV'], [1, 'I'],
];

/** Roman numeral of a positive integer (months: I..XII). */
export function toRoman(n: number): string {
  if (!Number.isInteger(n) || n < 1 || n > 3999) throw new RangeError(`toRoman: ${n}`);
  let out = '';
  let rest = n;
  for (const [v, s] of ROMAN) {
    while (rest >= v) {
      out += s;
      rest -= v;
    }
  }
  return out;
}

/**
 * Render a register number. A format using {unit} needs a unit code, one using {sifat} needs the row's
 * classification: their absence is a CONFIG error (the office must set its unit code).
 */
export function formatNumber(format: string | ParsedFormat, v: NumberValues): string {
  const parsed = typeof format === 'string' ? parseNumberFormat(format) : format;
  if (!Number.isInteger(v.urut) || v.urut < 1) throw new RangeError(`formatNumber: urut ${v.urut}`);
  if (!Number.isInteger(v.bulan) || v.bulan < 1 || v.bulan > 12) throw new RangeError(`formatNumber: bulan ${v.bulan}`);
  let out = '';
  for (const p of parsed.parts) {
    switch (p.kind) {
      case 'text':
        out += p.text;
        break;
      case 'urut':
        out += String(v.urut).padStart(p.width, '0');
        break;
      case 'bulan':
        out += p.roman ? toRoman(v.bulan) : String(v.bulan).padStart(p.width, '0');
        break;
      case 'tahun':
        out += String(v.tahun);
        break;
      case 'unit': {
        const unit = v.unit?.trim();
        if (!unit) throw new SandiError('CONFIG', 'store.numbering.noUnit', { format: parsed.format });
        out += unit;
        break;
      }
      case 'sifat': {
        if (!v.sifat) throw new SandiError('CONFIG', 'store.numbering.noSifat', { format: parsed.format });
        out += v.sifatCodes?.[v.sifat] ?? DEFAULT_SIFAT_CODES[v.sifat];
        break;
      }
    }
  }
  return out;
}

const zoneFormatters = new Map<string, Intl.DateTimeFormat>();

function zoneFormatter(tz: string): Intl.DateTimeFormat {
  let f = zoneFormatters.get(tz);
  if (!f) {
    try {
      f = new Intl.DateTimeFormat('en-US', { timeZone: tz, year: 'numeric', month: 'numeric', day: 'numeric', hourCycle: 'h23' });
    } catch (e) {
      throw new SandiError('CONFIG', 'store.numbering.badTimeZone', { tz }, { cause: e });
    }
    zoneFormatters.set(tz, f);
  }
  return f;
}

/** Calendar date of an instant in a time zone (e.g. Asia/Jakarta, Asia/Makassar, Asia/Jayapura). */
export function dateInZone(date: Date, tz: string): { year: number; month: number; day: number } {
  const ms = date.getTime();
  if (Number.isNaN(ms)) throw new RangeError('dateInZone: invalid date');
  // a batch registers every message at the same instant: asked again, the last answer (formatToParts is
  // ~25 us a call: 28 ms of a 1,000-message terima's main thread, issue 16)
  if (lastZoneDate !== null && lastZoneDate.ms === ms && lastZoneDate.tz === tz) return { ...lastZoneDate.date };
  const parts = zoneFormatter(tz).formatToParts(date);
  const get = (type: string): number => Number(parts.find((p) => p.type === type)?.value);
  const out = { year: get('year'), month: get('month'), day: get('day') };
  lastZoneDate = { ms, tz, date: { ...out } };
  return out;
}

let lastZoneDate: { ms: number; tz: string; date: { year: number; month: number; day: number } } | null = null;

/** Year of an instant in the office's time zone: the year a register number belongs to. */
export function yearInZone(date: Date, tz: string): number {
  return dateInZone(date, tz).year;
}

/** Month (1..12) of an instant in the office's time zone. */
export function monthInZone(date: Date, tz: string): number {
  return dateInZone(date, tz).month;
}

/**
 * The sender's register number from a kriptogram's clear Subject, when that Subject is one: another sandi
 * office puts only its number there (`KRIP/001/XII/2026`, `RH.15/DKI/2026`), the real subject travels
 * encrypted. One token of letters, digits and `/ . - _` with at least one `/`, a four-digit year (19xx/20xx)
 * as one of its segments and another segment holding a number; else null (a free-text Subject is no number).
 */
export function nomorDariSubjekLuar(subject: string | null | undefined): string | null {
  const s = (subject ?? '').trim();
  if (s.length === 0 || s.length > 64 || !/^[A-Za-z0-9./_-]+$/.test(s) || !s.includes('/')) return null;
  const segments = s.split(/[/.]/);
  const year = segments.findIndex((x) => /^(19|20)\d\d$/.test(x));
  if (year < 0) return null;
  return segments.some((x, i) => i !== year && /\d/.test(x)) ? s : null;
}
