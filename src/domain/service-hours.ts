/**
 * Service hours (jam layanan) as data, and their compact text form used on the command line:
 *   "senin-kamis=08:00-12:00,13:00-16:00;jumat=08:00-11:00"
 * Days are Indonesian (senin, selasa, rabu, kamis, jumat, sabtu, minggu); a range "senin-kamis" covers the days between.
 */

export const DAYS = ['senin', 'selasa', 'rabu', 'kamis', 'jumat', 'sabtu', 'minggu'] as const;
export type Day = (typeof DAYS)[number];

/** Per day a list of [start, end] intervals in local "HH:MM"; a missing day is closed. */
export type ServiceHours = Partial<Record<Day, [string, string][]>>;

/** The offices' standard: Mon–Thu 08:00–16:00 with a break 12:00–13:00, Fri 08:00–11:00. */
export const DEFAULT_SERVICE_HOURS: ServiceHours = {
  senin: [['08:00', '12:00'], ['13:00', '16:00']],
  selasa: [['08:00', '12:00'], ['13:00', '16:00']],
  rabu: [['08:00', '12:00'], ['13:00', '16:00']],
  kamis: [['08:00', '12:00'], ['13:00', '16:00']],
  jumat: [['08:00', '11:00']],
};

const TIME = /^([01]\d|2[0-3]):[0-5]\d$/;

export function minutesOf(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
}

/** Returns an error text (English, for the caller to wrap) or null when the hours are valid. */
export function checkServiceHours(value: unknown): string | null {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return 'an object of days';
  for (const [day, intervals] of Object.entries(value as Record<string, unknown>)) {
    if (!(DAYS as readonly string[]).includes(day)) return `a day name (${DAYS.join(', ')}), not "${day}"`;
    if (!Array.isArray(intervals)) return `${day}: a list of ["HH:MM","HH:MM"] intervals`;
    let last = -1;
    for (const iv of intervals) {
      if (!Array.isArray(iv) || iv.length !== 2 || typeof iv[0] !== 'string' || typeof iv[1] !== 'string' || !TIME.test(iv[0]) || !TIME.test(iv[1])) {
        return `${day}: intervals as ["HH:MM","HH:MM"]`;
      }
      const a = minutesOf(iv[0]);
      const b = minutesOf(iv[1]);
      if (b <= a || a < last) return `${day}: intervals in order, each ending after it starts`;
      last = b;
    }
  }
  return null;
}

/** Parse the compact text form; returns null when it cannot be parsed. */
export function parseServiceHours(text: string): ServiceHours | null {
  const out: ServiceHours = {};
  for (const part of text.split(';').map((s) => s.trim()).filter(Boolean)) {
    const [days, times] = part.split('=');
    if (!days || !times) return null;
    const [from, to] = days.trim().toLowerCase().split('-');
    const i = DAYS.indexOf(from as Day);
    const j = to === undefined ? i : DAYS.indexOf(to as Day);
    if (i < 0 || j < i) return null;
    const intervals: [string, string][] = [];
    for (const range of times.split(',')) {
      const [a, b] = range.trim().split('-');
      if (!a || !b) return null;
      intervals.push([a, b]);
    }
    for (let d = i; d <= j; d++) out[DAYS[d] as Day] = intervals;
  }
  if (Object.keys(out).length === 0) return null;
  return checkServiceHours(out) === null ? out : null;
}
