/**
 * Where a deadline computed in working time is shown (terima status, aduan status / lihat): a note when it falls
 * in a year the office's holidays file does not cover, since that year's holidays were counted as working days.
 * `sandi periksa` says the same ahead of time.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { t } from './messages/index.js';
import { deadlineYearsUncovered, holidayYears, parseHolidays } from '../domain/working-time.js';

/** The note for `deadlines` (ISO instants; nulls ignored) of the home at `home`, or null when all are covered. */
export async function catatanHariLibur(home: string, deadlines: readonly (string | null | undefined)[]): Promise<string | null> {
  const instants = deadlines.filter((d): d is string => typeof d === 'string' && d.length > 0).map((d) => new Date(d));
  if (instants.length === 0) return null;
  try {
    const { loadConfig } = await import('../config/config.js');
    const config = loadConfig(resolve(home, 'config.json'));
    const file = resolve(home, config.holidaysFile);
    const covered = existsSync(file) ? holidayYears(parseHolidays(readFileSync(file, 'utf8')).holidays) : new Set<number>();
    const years = deadlineYearsUncovered(covered, config.office.timeZone, instants);
    return years.length === 0 ? null : t('periksa.deadline.uncovered', { years: years.join(', '), file });
  } catch {
    // a broken config or holidays file is reported by the command that computed the deadlines
    return null;
  }
}
