/**
 * Instants and dates as people read them (pure): registers keep UTC ISO strings; a screen shows office time
 * to the minute ("2026-12-06 22:34 WIB"), paper shows the Indonesian long date ("6 Desember 2026", with
 * "pukul 22.34 WIB" where the time matters; "6 December 2026 at 22:34 WIB" in English). The office time zone
 * is config.json's office.timeZone: Asia/Jakarta (WIB), Asia/Makassar (WITA), Asia/Jayapura (WIT).
 */
import { zoneOffsetMinutes } from './working-time.js';

export type Bahasa = 'id' | 'en';

export const NAMA_BULAN: Record<Bahasa, readonly string[]> = {
  id: ['Januari', 'Februari', 'Maret', 'April', 'Mei', 'Juni', 'Juli', 'Agustus', 'September', 'Oktober', 'November', 'Desember'],
  en: ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'],
};

const ZONE_NAMES: Record<string, string> = {
  'Asia/Jakarta': 'WIB',
  'Asia/Pontianak': 'WIB',
  'Asia/Makassar': 'WITA',
  'Asia/Jayapura': 'WIT',
};

export interface BagianWaktu {
  tahun: number;
  bulan: number;
  hari: number;
  jam: number;
  menit: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** The office's calendar date and clock time of an instant. */
export function bagianWaktu(at: Date, timeZone: string): BagianWaktu {
  let f = formatters.get(timeZone);
  if (f === undefined) {
    f = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    formatters.set(timeZone, f);
  }
  const p = Object.fromEntries(f.formatToParts(at).map((x) => [x.type, x.value]));
  return { tahun: Number(p['year']), bulan: Number(p['month']), hari: Number(p['day']), jam: Number(p['hour']), menit: Number(p['minute']) };
}

/** "WIB", "WITA", "WIT"; another zone as its offset at that instant ("UTC+01:00"). */
export function namaZona(timeZone: string, at: Date): string {
  const known = ZONE_NAMES[timeZone];
  if (known !== undefined) return known;
  const off = zoneOffsetMinutes(timeZone, at);
  const abs = Math.abs(off);
  return `UTC${off < 0 ? '-' : '+'}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

/** An instant from an ISO string or a Date; null for none or for text that is not an instant. */
export function instan(v: string | Date | null | undefined): Date | null {
  if (v === null || v === undefined || v === '') return null;
  const d = v instanceof Date ? v : new Date(v);
  return Number.isNaN(d.getTime()) ? null : d;
}

const dua = (n: number): string => String(n).padStart(2, '0');

/** Screen: "2026-12-06 22:34 WIB"; '' for none; text that is not an instant is shown as it is. */
export function waktuLayar(v: string | Date | null | undefined, timeZone: string): string {
  const d = instan(v);
  if (d === null) return typeof v === 'string' ? v : '';
  const p = bagianWaktu(d, timeZone);
  return `${p.tahun}-${dua(p.bulan)}-${dua(p.hari)} ${dua(p.jam)}:${dua(p.menit)} ${namaZona(timeZone, d)}`;
}

/** Screen: "2026-12-06", the office's calendar date of an instant. */
export function tanggalLayar(v: string | Date | null | undefined, timeZone: string): string {
  const d = instan(v);
  if (d === null) return typeof v === 'string' ? v : '';
  const p = bagianWaktu(d, timeZone);
  return `${p.tahun}-${dua(p.bulan)}-${dua(p.hari)}`;
}

const longDate = (tahun: number, bulan: number, hari: number, lang: Bahasa): string => `${hari} ${NAMA_BULAN[lang][bulan - 1] ?? String(bulan)} ${tahun}`;

/** Paper: "6 Desember 2026" (English "6 December 2026"), the office's calendar date of an instant. */
export function tanggalPanjang(v: string | Date | null | undefined, timeZone: string, lang: Bahasa = 'id'): string {
  const d = instan(v);
  if (d === null) return typeof v === 'string' ? v : '';
  const p = bagianWaktu(d, timeZone);
  return longDate(p.tahun, p.bulan, p.hari, lang);
}

/** Paper: "6 Desember 2026 pukul 22.34 WIB" (English "6 December 2026 at 22:34 WIB"). */
export function tanggalWaktuPanjang(v: string | Date | null | undefined, timeZone: string, lang: Bahasa = 'id'): string {
  const d = instan(v);
  if (d === null) return typeof v === 'string' ? v : '';
  const p = bagianWaktu(d, timeZone);
  const zona = namaZona(timeZone, d);
  return lang === 'id'
    ? `${longDate(p.tahun, p.bulan, p.hari, lang)} pukul ${dua(p.jam)}.${dua(p.menit)} ${zona}`
    : `${longDate(p.tahun, p.bulan, p.hari, lang)} at ${dua(p.jam)}:${dua(p.menit)} ${zona}`;
}

/**
 * A calendar date written YYYY-MM-DD ("2026-12-31", no time, no zone) as a long date ("31 Desember 2026");
 * anything else (a date already written out, "1 Des 2026", an impossible date) is returned as it is.
 */
export function tanggalKalenderPanjang(v: string | null | undefined, lang: Bahasa = 'id'): string {
  if (v === null || v === undefined) return '';
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(v.trim());
  if (!m) return v;
  const [tahun, bulan, hari] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const d = new Date(Date.UTC(tahun, bulan - 1, hari));
  if (d.getUTCFullYear() !== tahun || d.getUTCMonth() !== bulan - 1 || d.getUTCDate() !== hari) return v;
  return longDate(tahun, bulan, hari, lang);
}
