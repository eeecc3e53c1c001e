/**
 * The office's working-time calendar: service hours and time zone from config.json, holidays from the
 * office's own holidays file (updated yearly by the office; a missing file means no holidays are known).
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { SandiError } from '../errors.js';
import { parseHolidays, workingCalendar, type WorkingCalendar } from '../domain/working-time.js';
import type { SandiConfig } from './config.js';

export function loadOfficeCalendar(home: string, config: SandiConfig): WorkingCalendar {
  const holidaysPath = resolve(home, config.holidaysFile);
  let holidays: string[] = [];
  if (existsSync(holidaysPath)) {
    const h = parseHolidays(readFileSync(holidaysPath, 'utf8'));
    const bad = h.problems[0];
    if (bad) throw new SandiError('CONFIG', 'config.holidaysBad', { file: holidaysPath, line: bad.line, problem: bad.problem });
    holidays = h.holidays.map((x) => x.date);
  }
  return workingCalendar({ hours: config.serviceHours, timeZone: config.office.timeZone, holidays });
}
