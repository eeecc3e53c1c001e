/**
 * Instants as an operator reads them: in the office's time zone, to the minute, with the zone's Indonesian
 * name (WIB, WITA, WIT) — registers store UTC ISO strings, and `--json` keeps them so. An ISO string shown
 * raw reads as the day before for anything registered between 00:00 and 07:00 WIB.
 */
import { homePaths } from '../config/home.js';
import { zoneOffsetMinutes } from '../domain/working-time.js';

const ZONE_NAMES: Record<string, string> = {
  'Asia/Jakarta': 'WIB',
  'Asia/Pontianak': 'WIB',
  'Asia/Makassar': 'WITA',
  'Asia/Jayapura': 'WIT',
};

const formatters = new Map<string, Intl.DateTimeFormat>();

function parts(at: Date, timeZone: string): Record<string, string> {
  let f = formatters.get(timeZone);
  if (f === undefined) {
    f = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    formatters.set(timeZone, f);
  }
  return Object.fromEntries(f.formatToParts(at).map((p) => [p.type, p.value]));
}

function zoneName(timeZone: string, at: Date): string {
  const known = ZONE_NAMES[timeZone];
  if (known !== undefined) return known;
  const off = zoneOffsetMinutes(timeZone, at);
  const abs = Math.abs(off);
  return `UTC${off < 0 ? '-' : '+'}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

function instant(v: string | Date | null | undefined): Date | null {
  if (v === null || v === undefined || v === '') return null;
  const d = v instanceof Date ? v : new Date(v);
  return Number.isNaN(d.getTime()) ? null : d;
}

/** "2026-11-26 04:04 WIB"; '' for none; text that is not an instant is shown as it is. */
export function waktuLokal(v: string | Date | null | undefined, timeZone: string): string {
  const d = instant(v);
  if (d === null) return typeof v === 'string' ? v : '';
  const p = parts(d, timeZone);
  return `${p['year']}-${p['month']}-${p['day']} ${p['hour']}:${p['minute']} ${zoneName(timeZone, d)}`;
}

/** "2026-11-26": the office's calendar date of an instant. */
export function tanggalLokal(v: string | Date | null | undefined, timeZone: string): string {
  const d = instant(v);
  if (d === null) return typeof v === 'string' ? v : '';
  const p = parts(d, timeZone);
  return `${p['year']}-${p['month']}-${p['day']}`;
}

/**
 * The office time zone of the home at `home` (config.json), for display. A config.json that is there but
 * broken or wrong is refused (exit 78) as every other command refuses it: a listing in the wrong time zone
 * reads as the wrong day. Asia/Jakarta only when there is no config.json yet (a home being set up).
 * Read once per command, in its action: the config module is loaded only then, not with the command group.
 */
export async function officeTimeZone(home: string): Promise<string> {
  const { loadConfig } = await import('../config/config.js');
  try {
    return loadConfig(homePaths(home).config).office.timeZone;
  } catch (e) {
    if ((e as { key?: unknown }).key === 'config.missing') return 'Asia/Jakarta';
    throw e;
  }
}
