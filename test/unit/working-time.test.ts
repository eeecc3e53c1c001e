import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  addWorkingDays,
  addWorkingMinutes,
  isWorkingDay,
  isWorkingTime,
  localDate,
  parseHolidays,
  workingCalendar,
  workingMinutesBetween,
  workingMinutesOfDay,
} from '../../src/domain/working-time.js';
import { DEFAULT_SERVICE_HOURS } from '../../src/domain/service-hours.js';

const bundled = parseHolidays(readFileSync(resolve(import.meta.dirname, '../../data/hari-libur-2026.tsv'), 'utf8'));
const jakarta = workingCalendar({ hours: DEFAULT_SERVICE_HOURS, timeZone: 'Asia/Jakarta', holidays: bundled.holidays });
const makassar = workingCalendar({ hours: DEFAULT_SERVICE_HOURS, timeZone: 'Asia/Makassar', holidays: bundled.holidays });

/** local Jakarta time (UTC+7) as an instant */
const wib = (s: string): Date => new Date(`${s}:00+07:00`);
const wita = (s: string): Date => new Date(`${s}:00+08:00`);

describe('holidays file', () => {
  it('reads the bundled 2026 decree: 25 days, no problems', () => {
    expect(bundled.problems).toEqual([]);
    expect(bundled.holidays).toHaveLength(25);
    expect(bundled.holidays.filter((h) => h.kind === 'cuti_bersama')).toHaveLength(8);
  });
  it('names the lines it cannot read', () => {
    const r = parseHolidays('# c\n2026-02-30\tlibur\tx\n\n2026-03-01\tlibur\tok\nnot-a-date\n');
    expect(r.holidays.map((h) => h.date)).toEqual(['2026-03-01']);
    expect(r.problems.map((p) => p.line)).toEqual([2, 5]);
  });
});

describe('isWorkingTime / isWorkingDay', () => {
  it.each([
    ['2026-11-23T08:00', true, 'Monday opening'],
    ['2026-11-23T07:59', false, 'before opening'],
    ['2026-11-23T12:00', false, 'break starts'],
    ['2026-11-23T12:59', false, 'still the break'],
    ['2026-11-23T13:00', true, 'after the break'],
    ['2026-11-23T15:59', true, 'last minute'],
    ['2026-11-23T16:00', false, 'closed'],
    ['2026-11-27T10:59', true, 'Friday morning'],
    ['2026-11-27T11:00', false, 'Friday closes at 11'],
    ['2026-11-28T09:00', false, 'Saturday'],
    ['2026-08-17T09:00', false, 'Independence Day (Monday)'],
    ['2026-12-24T09:00', false, 'cuti bersama'],
  ])('%s → %s (%s)', (at, expected) => {
    expect(isWorkingTime(jakarta, wib(at))).toBe(expected);
  });
  it('uses the office zone: 08:30 WITA is 07:30 WIB', () => {
    expect(isWorkingTime(makassar, wita('2026-11-23T08:30'))).toBe(true);
    expect(isWorkingTime(jakarta, wita('2026-11-23T08:30'))).toBe(false);
  });
  it('days', () => {
    expect(isWorkingDay(jakarta, '2026-11-23')).toBe(true);
    expect(isWorkingDay(jakarta, '2026-11-29')).toBe(false);
    expect(isWorkingDay(jakarta, '2026-03-23')).toBe(false);
    expect(workingMinutesOfDay(jakarta, '2026-11-23')).toBe(420);
    expect(workingMinutesOfDay(jakarta, '2026-11-27')).toBe(180);
    expect(localDate(jakarta, new Date('2026-11-23T17:30:00Z'))).toBe('2026-11-24');
  });
});

describe('addWorkingMinutes', () => {
  it.each([
    ['2026-11-23T08:00', 10, '2026-11-23T08:10'],
    ['2026-11-23T11:55', 10, '2026-11-23T13:05'],
    ['2026-11-23T06:00', 10, '2026-11-23T08:10'],
    ['2026-11-23T08:00', 240, '2026-11-23T12:00'],
    ['2026-11-23T08:00', 241, '2026-11-23T13:01'],
    ['2026-11-23T15:30', 85, '2026-11-24T08:55'],
    ['2026-11-27T10:30', 85, '2026-11-30T08:55'],
    ['2026-11-28T10:00', 0, '2026-11-30T08:00'],
    ['2026-11-23T09:00', 0, '2026-11-23T09:00'],
    ['2026-08-14T10:30', 60, '2026-08-18T08:30'],
    ['2026-03-19T09:00', 10, '2026-03-25T08:10'],
  ])('%s + %d min → %s', (from, minutes, expected) => {
    expect(addWorkingMinutes(jakarta, wib(from), minutes).toISOString()).toBe(wib(expected).toISOString());
  });
  it('refuses a negative amount, and a calendar with no service at all', () => {
    expect(() => addWorkingMinutes(jakarta, wib('2026-11-23T08:00'), -1)).toThrow(RangeError);
    const closed = workingCalendar({ hours: {}, timeZone: 'Asia/Jakarta' });
    expect(() => addWorkingMinutes(closed, wib('2026-11-23T08:00'), 1)).toThrow(RangeError);
  });
});

describe('workingMinutesBetween', () => {
  it.each([
    ['2026-11-23T08:00', '2026-11-23T08:10', 10],
    ['2026-11-23T11:50', '2026-11-23T13:10', 20],
    ['2026-11-23T08:00', '2026-11-24T08:00', 420],
    ['2026-11-27T10:00', '2026-11-30T09:00', 120],
    ['2026-11-23T09:00', '2026-11-23T08:00', 0],
    ['2026-11-28T00:00', '2026-11-29T23:59', 0],
    ['2026-11-23T00:00', '2026-11-30T00:00', 4 * 420 + 180],
  ])('%s → %s = %d', (a, b, expected) => {
    expect(workingMinutesBetween(jakarta, wib(a), wib(b))).toBe(expected);
  });
  it('is the inverse of addWorkingMinutes from a working instant', () => {
    const from = wib('2026-11-26T14:17');
    for (const m of [1, 30, 103, 420, 1000]) expect(workingMinutesBetween(jakarta, from, addWorkingMinutes(jakarta, from, m))).toBeCloseTo(m, 6);
  });
});

describe('addWorkingDays (one working day of service)', () => {
  it.each([
    ['2026-11-23T09:30', 1, '2026-11-24T09:30'],
    ['2026-11-26T14:00', 1, '2026-11-27T11:00'],
    ['2026-11-27T09:00', 1, '2026-11-30T09:00'],
    ['2026-11-23T18:00', 1, '2026-11-25T08:00'],
    ['2026-11-23T18:00', 0, '2026-11-24T08:00'],
    ['2026-12-23T10:00', 1, '2026-12-28T10:00'],
    ['2026-11-23T09:30', 2, '2026-11-25T09:30'],
  ])('%s + %d day → %s', (from, days, expected) => {
    expect(addWorkingDays(jakarta, wib(from), days).toISOString()).toBe(wib(expected).toISOString());
  });
});
