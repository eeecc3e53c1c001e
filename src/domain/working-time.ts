/**
 * The working-time calendar (jam kerja / hari kerja): service hours per weekday with breaks, the office's
 * time zone, and the holidays and collective-leave days of an updatable TSV file. Every service level in
 * sandi (incoming mail, complaints) is measured with it, in working minutes, never in wall-clock time.
 *
 * Pure: no clock, no file system. The caller reads the holidays file and passes its text to
 * parseHolidays(); instants are Date objects (UTC inside), local days are "YYYY-MM-DD" in the office zone.
 *
 *   const cal = workingCalendar({ hours: config.serviceHours, timeZone: 'Asia/Jakarta', holidays });
 *   addWorkingMinutes(cal, arrived, 85); workingMinutesBetween(cal, a, b); isWorkingTime(cal, now);
 */
import { DAYS, minutesOf, type Day, type ServiceHours } from './service-hours.js';

export interface Holiday {
  /** local date, YYYY-MM-DD */
  date: string;
  /** 'libur' (national holiday), 'cuti_bersama' (collective leave), or an office's own word */
  kind: string;
  name: string;
}

export interface WorkingCalendar {
  readonly timeZone: string;
  /** per weekday (Monday = 0 … Sunday = 6) the intervals in local minutes since midnight */
  readonly intervals: readonly (readonly [number, number][])[];
  /** local dates that are not working days whatever the weekday */
  readonly holidays: ReadonlySet<string>;
}

/** A problem in a holidays file: the line number (1-based) and what is wrong. */
export interface HolidayProblem {
  line: number;
  problem: string;
}

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const MINUTE = 60_000;
const DAY_MINUTES = 24 * 60;
/** A calendar with no working time at all would make the searches below loop for ever; stop after this. */
const MAX_DAYS_SEARCHED = 3 * 366;

/**
 * Parse the holidays TSV (date, kind, name; '#' lines and blank lines ignored). Returns the days and the
 * lines that could not be read, so the caller can name them in an error.
 */
export function parseHolidays(text: string): { holidays: Holiday[]; problems: HolidayProblem[] } {
  const holidays: Holiday[] = [];
  const problems: HolidayProblem[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line.length === 0 || line.startsWith('#')) return;
    const [date = '', kind = '', ...rest] = raw.split('\t').map((s) => s.trim());
    if (!validDate(date)) {
      problems.push({ line: i + 1, problem: `"${date}" is not a date YYYY-MM-DD` });
      return;
    }
    holidays.push({ date, kind: kind || 'libur', name: rest.join(' ').trim() });
  });
  return { holidays, problems };
}

function validDate(s: string): boolean {
  const m = DATE_RE.exec(s);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.toISOString().slice(0, 10) === s;
}

/** Build a calendar from service hours (config.serviceHours), an IANA time zone and holiday dates. */
export function workingCalendar(o: { hours: ServiceHours; timeZone: string; holidays?: Iterable<Holiday | string> }): WorkingCalendar {
  const intervals = DAYS.map((d: Day) => (o.hours[d] ?? []).map(([a, b]) => [minutesOf(a), minutesOf(b)] as [number, number]));
  const holidays = new Set<string>();
  for (const h of o.holidays ?? []) holidays.add(typeof h === 'string' ? h : h.date);
  // fail early on an unknown zone (Intl throws RangeError)
  zoneFormatter(o.timeZone);
  return { timeZone: o.timeZone, intervals, holidays };
}

// ------------------------------------------------------------------------------------------ local time

const formatters = new Map<string, Intl.DateTimeFormat>();

function zoneFormatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

interface LocalParts {
  y: number;
  m: number; // 1-12
  d: number;
  /** minutes since local midnight, with fractions (seconds, ms) */
  minute: number;
}

function localParts(timeZone: string, at: Date): LocalParts {
  const parts: Record<string, number> = {};
  for (const p of zoneFormatter(timeZone).formatToParts(at)) if (p.type !== 'literal') parts[p.type] = Number(p.value);
  const ms = at.getTime() % 1000;
  return {
    y: parts['year'] ?? 0,
    m: parts['month'] ?? 1,
    d: parts['day'] ?? 1,
    minute: (parts['hour'] ?? 0) * 60 + (parts['minute'] ?? 0) + ((parts['second'] ?? 0) + (ms < 0 ? ms + 1000 : ms) / 1000) / 60,
  };
}

/** UTC offset of the zone at `at`, in minutes (Asia/Jakarta: 420). */
export function zoneOffsetMinutes(timeZone: string, at: Date): number {
  const p = localParts(timeZone, at);
  const asUtc = Date.UTC(p.y, p.m - 1, p.d) + p.minute * MINUTE;
  return Math.round((asUtc - at.getTime()) / MINUTE);
}

/** The instant of local date (y, m, d) at `minute` minutes after local midnight. */
function instantOf(timeZone: string, day: LocalDay, minute: number): Date {
  const guess = Date.UTC(day.y, day.m - 1, day.d) + minute * MINUTE;
  let off = zoneOffsetMinutes(timeZone, new Date(guess));
  let t = guess - off * MINUTE;
  const off2 = zoneOffsetMinutes(timeZone, new Date(t));
  if (off2 !== off) {
    off = off2;
    t = guess - off * MINUTE;
  }
  return new Date(t);
}

interface LocalDay {
  y: number;
  m: number;
  d: number;
}

function nextDay(day: LocalDay, by = 1): LocalDay {
  const t = new Date(Date.UTC(day.y, day.m - 1, day.d + by));
  return { y: t.getUTCFullYear(), m: t.getUTCMonth() + 1, d: t.getUTCDate() };
}

function dayKey(day: LocalDay): string {
  return `${String(day.y).padStart(4, '0')}-${String(day.m).padStart(2, '0')}-${String(day.d).padStart(2, '0')}`;
}

/** Monday = 0 … Sunday = 6 */
function weekday(day: LocalDay): number {
  return (new Date(Date.UTC(day.y, day.m - 1, day.d)).getUTCDay() + 6) % 7;
}

/** The local date of an instant in the calendar's zone, YYYY-MM-DD. */
export function localDate(cal: WorkingCalendar, at: Date): string {
  const p = localParts(cal.timeZone, at);
  return dayKey(p);
}

/** The intervals (local minutes) of a local day; none on a holiday or a closed weekday. */
function dayIntervals(cal: WorkingCalendar, day: LocalDay): readonly [number, number][] {
  if (cal.holidays.has(dayKey(day))) return [];
  return cal.intervals[weekday(day)] ?? [];
}

// -------------------------------------------------------------------------------------------- queries

/** Whether `date` (YYYY-MM-DD, local) is a working day: a weekday with service hours and not a holiday. */
export function isWorkingDay(cal: WorkingCalendar, date: string): boolean {
  const m = DATE_RE.exec(date);
  if (!m) return false;
  return dayIntervals(cal, { y: Number(m[1]), m: Number(m[2]), d: Number(m[3]) }).length > 0;
}

/** Whether the office is in service at `at` (inside an interval of a working day; the end minute is not). */
export function isWorkingTime(cal: WorkingCalendar, at: Date): boolean {
  const p = localParts(cal.timeZone, at);
  return dayIntervals(cal, p).some(([a, b]) => p.minute >= a && p.minute < b);
}

/**
 * Working minutes from `from` to `to` (0 when `to` is not after `from`). Fractions of a minute count, so
 * the result may be fractional; round for display.
 */
export function workingMinutesBetween(cal: WorkingCalendar, from: Date, to: Date): number {
  if (to.getTime() <= from.getTime()) return 0;
  const start = localParts(cal.timeZone, from);
  const endKey = localDate(cal, to);
  let total = 0;
  let day: LocalDay = start;
  for (let i = 0; ; i++) {
    for (const [a, b] of dayIntervals(cal, day)) {
      const ia = instantOf(cal.timeZone, day, a).getTime();
      const ib = instantOf(cal.timeZone, day, b).getTime();
      const s = Math.max(ia, from.getTime());
      const e = Math.min(ib, to.getTime());
      if (e > s) total += (e - s) / MINUTE;
    }
    if (dayKey(day) >= endKey) break;
    day = nextDay(day);
    if (i > 100 * 366) break; // spans beyond a century are not service levels
  }
  return total;
}

/**
 * The instant `minutes` working minutes after `from`. Time outside service hours does not count: a letter
 * that arrives on Friday at 10:30 with 85 minutes to go is due on Monday at 08:55 (Friday closes at 11:00).
 * With minutes = 0 the result is `from` moved forward to the next moment of service (or `from` itself).
 */
export function addWorkingMinutes(cal: WorkingCalendar, from: Date, minutes: number): Date {
  if (!(minutes >= 0) || !Number.isFinite(minutes)) throw new RangeError(`working minutes must be a finite number >= 0, not ${minutes}`);
  let remaining = minutes;
  let day: LocalDay = localParts(cal.timeZone, from);
  for (let i = 0; i < MAX_DAYS_SEARCHED; i++) {
    for (const [a, b] of dayIntervals(cal, day)) {
      const ia = instantOf(cal.timeZone, day, a).getTime();
      const ib = instantOf(cal.timeZone, day, b).getTime();
      const s = Math.max(ia, from.getTime());
      if (s >= ib) continue;
      const available = (ib - s) / MINUTE;
      // with nothing left, the answer is the first moment of service (strictly inside an interval)
      if (remaining < available || (remaining === available && remaining > 0)) return new Date(s + remaining * MINUTE);
      remaining -= available;
    }
    day = nextDay(day);
  }
  throw new RangeError('the calendar has no working time in the next three years');
}

/** Total working minutes of a local day (YYYY-MM-DD). */
export function workingMinutesOfDay(cal: WorkingCalendar, date: string): number {
  const m = DATE_RE.exec(date);
  if (!m) return 0;
  return dayIntervals(cal, { y: Number(m[1]), m: Number(m[2]), d: Number(m[3]) }).reduce((s, [a, b]) => s + (b - a), 0);
}

/**
 * The deadline `days` working days after `from` ("1 hari kerja"): the same point of service on the n-th
 * following working day, or that day's closing time if it closes earlier (a Friday). A start outside
 * service hours counts from the next opening. `days` = 0 gives that opening (or `from`).
 */
export function addWorkingDays(cal: WorkingCalendar, from: Date, days: number): Date {
  if (!Number.isInteger(days) || days < 0) throw new RangeError(`working days must be a whole number >= 0, not ${days}`);
  const start = addWorkingMinutes(cal, from, 0);
  if (days === 0) return start;
  const sp = localParts(cal.timeZone, start);
  const startDay: LocalDay = sp;
  // working minutes already spent on the start day when `start` happens
  const dayOpen = instantOf(cal.timeZone, startDay, 0);
  const into = workingMinutesBetween(cal, dayOpen, start);
  let day = startDay;
  let found = 0;
  for (let i = 0; i < MAX_DAYS_SEARCHED && found < days; i++) {
    day = nextDay(day);
    if (dayIntervals(cal, day).length > 0) found++;
  }
  if (found < days) throw new RangeError('the calendar has no working time in the next three years');
  const total = dayIntervals(cal, day).reduce((s, [a, b]) => s + (b - a), 0);
  const open = instantOf(cal.timeZone, day, 0);
  if (into >= total) {
    const last = dayIntervals(cal, day).at(-1);
    return instantOf(cal.timeZone, day, last ? last[1] : DAY_MINUTES);
  }
  return addWorkingMinutes(cal, open, into);
}

// ------------------------------------------------------------------------------------- holiday coverage

/**
 * The years a holidays list covers: every year with at least one holiday in it (Indonesia has national holidays
 * every year, so a year without one is a year the office has not added yet).
 */
export function holidayYears(holidays: Iterable<Holiday | string>): Set<number> {
  const years = new Set<number>();
  for (const h of holidays) {
    const m = DATE_RE.exec(typeof h === 'string' ? h : h.date);
    if (m) years.add(Number(m[1]));
  }
  return years;
}

/**
 * The years from `from` to `to` (local, inclusive) that the holidays do not cover, ascending: in those years
 * every weekday counts as a working day (1 January, Idul Fitri...), so a deadline computed there may be early.
 */
export function uncoveredYears(covered: ReadonlySet<number>, fromYear: number, toYear: number): number[] {
  const out: number[] = [];
  for (let y = fromYear; y <= toYear; y++) if (!covered.has(y)) out.push(y);
  return out;
}

/** The local year of an instant in a zone. */
export function localYear(timeZone: string, at: Date): number {
  return localParts(timeZone, at).y;
}

/**
 * The local years of `deadlines` (in `timeZone`) that the holidays do not cover, ascending, each once: a deadline
 * there was computed as if that year had no holidays (1 January a working day), so it may come too early.
 */
export function deadlineYearsUncovered(covered: ReadonlySet<number>, timeZone: string, deadlines: Iterable<Date>): number[] {
  const years = new Set<number>();
  for (const d of deadlines) {
    if (Number.isNaN(d.getTime())) continue;
    const y = localYear(timeZone, d);
    if (!covered.has(y)) years.add(y);
  }
  return [...years].sort((a, b) => a - b);
}
