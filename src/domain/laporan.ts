/**
 * The quarterly performance report (`sandi laporan kinerja`), the pure part: which quarter is meant, which
 * months a period covers, and the arithmetic over measured letters (compliance, per-step figures). The
 * measurement of each letter in working time is domain/terima.ts measureLetter; this only adds it up.
 */
import { isDate } from './agenda.js';

const ROMAN = ['I', 'II', 'III', 'IV'] as const;

/**
 * A quarter as the office writes it — "2026-IV" (also "2026-4", "2026-Q4") — as its first and last local
 * dates; null when it is not one.
 */
export function parseTriwulan(s: string): { dari: string; sampai: string; triwulan: string } | null {
  const m = /^(\d{4})-(?:Q|TW)?(I{1,3}|IV|[1-4])$/i.exec(s.trim());
  if (!m) return null;
  const year = Number(m[1]);
  const q = m[2] ?? '';
  const n = /^\d$/.test(q) ? Number(q) : ROMAN.indexOf(q.toUpperCase() as (typeof ROMAN)[number]) + 1;
  if (n < 1 || n > 4) return null;
  const first = (n - 1) * 3 + 1;
  const last = first + 2;
  const lastDay = new Date(Date.UTC(year, last, 0)).getUTCDate();
  const pad = (x: number): string => String(x).padStart(2, '0');
  return { dari: `${year}-${pad(first)}-01`, sampai: `${year}-${pad(last)}-${pad(lastDay)}`, triwulan: `${year}-${ROMAN[n - 1] ?? ''}` };
}

/** The months ('YYYY-MM') from the month of `dari` to the month of `sampai`, inclusive. */
export function monthsOf(dari: string, sampai: string): string[] {
  if (!isDate(dari) || !isDate(sampai) || sampai < dari) return [];
  const out: string[] = [];
  let y = Number(dari.slice(0, 4));
  let m = Number(dari.slice(5, 7));
  const end = sampai.slice(0, 7);
  for (;;) {
    const key = `${y}-${String(m).padStart(2, '0')}`;
    out.push(key);
    if (key >= end) break;
    m++;
    if (m > 12) {
      m = 1;
      y++;
    }
  }
  return out;
}

/** Per-month counts of a register, with every month of the period present (zero when nothing happened). */
export function volumeByMonth(months: readonly string[], rows: readonly { bulan: string; status: string; n: number }[]): { bulan: string; jumlah: number; perStatus: Record<string, number> }[] {
  return months.map((bulan) => {
    const perStatus: Record<string, number> = {};
    let jumlah = 0;
    for (const r of rows) {
      if (r.bulan !== bulan) continue;
      perStatus[r.status] = (perStatus[r.status] ?? 0) + r.n;
      jumlah += r.n;
    }
    return { bulan, jumlah, perStatus };
  });
}

/** What the report needs of one measured letter (a projection of terima's LetterSla). */
export interface MeasuredLetter {
  selesai: boolean;
  terlambat: boolean;
  milestones: readonly { name: string; standar: number; at: string | null; menit: number; terlambat: boolean }[];
}

export interface SlaSummary {
  total: number;
  selesai: number;
  /** done, and not late */
  tepatWaktu: number;
  terlambat: number;
  /** not done yet (late or not) */
  berjalan: number;
  /** tepatWaktu / selesai, 0..1; null when nothing is done */
  kepatuhan: number | null;
  langkah: { name: string; standar: number; tercapai: number; terlambat: number; rataMenit: number | null }[];
}

/**
 * Add up measured letters: compliance of the whole service (of the letters done, how many were on time), and
 * per SOP milestone how many reached it, how many were late at it, and the mean working minutes it took.
 */
export function summariseSla(letters: readonly MeasuredLetter[]): SlaSummary {
  const steps = new Map<string, { standar: number; tercapai: number; terlambat: number; menit: number }>();
  let selesai = 0;
  let tepatWaktu = 0;
  let terlambat = 0;
  for (const l of letters) {
    if (l.selesai) selesai++;
    if (l.selesai && !l.terlambat) tepatWaktu++;
    if (l.terlambat) terlambat++;
    for (const m of l.milestones) {
      const s = steps.get(m.name) ?? { standar: m.standar, tercapai: 0, terlambat: 0, menit: 0 };
      if (m.at !== null) {
        s.tercapai++;
        s.menit += m.menit;
      }
      if (m.terlambat) s.terlambat++;
      steps.set(m.name, s);
    }
  }
  return {
    total: letters.length,
    selesai,
    tepatWaktu,
    terlambat,
    berjalan: letters.length - selesai,
    kepatuhan: selesai === 0 ? null : tepatWaktu / selesai,
    langkah: [...steps].map(([name, s]) => ({ name, standar: s.standar, tercapai: s.tercapai, terlambat: s.terlambat, rataMenit: s.tercapai === 0 ? null : Math.round(s.menit / s.tercapai) })),
  };
}

/** A ratio as a percentage with one decimal ("87.5%"), or "-" when there is none. */
export function percent(r: number | null): string {
  return r === null ? '-' : `${(Math.round(r * 1000) / 10).toFixed(1)}%`;
}

/** A text bar of `value` against `max`, at most `width` characters (at least one for a non-zero value). */
export function textBar(value: number, max: number, width = 30, ch = '█'): string {
  if (value <= 0 || max <= 0) return '';
  return ch.repeat(Math.max(1, Math.round((value / max) * width)));
}

/** Characters on one fixed-width line of the report PDF (8 pt mono on A4 with 50 pt margins). */
export const PDF_MONO_COLUMNS = 103;

/**
 * `text` in lines of at most `width` characters, broken at spaces (a word longer than a line is the only thing
 * ever cut); runs of white space count as one space. At least one line, maybe empty.
 */
export function wrapWords(text: string, width: number): string[] {
  const w = Math.max(1, Math.floor(width));
  const lines: string[] = [];
  let cur = '';
  for (let word of text.split(/\s+/).filter((x) => x.length > 0)) {
    if (cur.length > 0 && cur.length + 1 + word.length <= w) {
      cur += ` ${word}`;
      continue;
    }
    if (cur.length > 0) lines.push(cur);
    while (word.length > w) {
      lines.push(word.slice(0, w));
      word = word.slice(w);
    }
    cur = word;
  }
  if (cur.length > 0 || lines.length === 0) lines.push(cur);
  return lines;
}
