import { describe, expect, it } from 'vitest';
import { instanKantor } from '../../src/domain/waktu-masukan.js';

describe('instanKantor: a typed date/time read in the office zone unless it names its own', () => {
  it.each([
    ['2026-12-01', 'Asia/Jakarta', '2026-11-30T17:00:00.000Z'],
    ['2026-12-01', 'Asia/Makassar', '2026-11-30T16:00:00.000Z'],
    ['2026-12-01', 'Asia/Jayapura', '2026-11-30T15:00:00.000Z'],
    ['2026-12-07T09:30', 'Asia/Jakarta', '2026-12-07T02:30:00.000Z'],
    ['2026-12-07 09:30:15', 'Asia/Jakarta', '2026-12-07T02:30:15.000Z'],
    ['2026-12-07T09:30:15.250', 'Asia/Jayapura', '2026-12-07T00:30:15.250Z'],
    ['2026-12-07T09:30Z', 'Asia/Jakarta', '2026-12-07T09:30:00.000Z'],
    ['2026-12-07T09:30+08:00', 'Asia/Jakarta', '2026-12-07T01:30:00.000Z'],
    ['2026-12-07T09:30-03:30', 'Asia/Jakarta', '2026-12-07T13:00:00.000Z'],
    // a zone with daylight saving: the offset in force at that wall time
    ['2026-07-01T12:00', 'Europe/Amsterdam', '2026-07-01T10:00:00.000Z'],
    ['2026-01-01T12:00', 'Europe/Amsterdam', '2026-01-01T11:00:00.000Z'],
  ])('%s in %s → %s', (raw, zone, iso) => {
    expect(instanKantor(raw, zone)?.toISOString()).toBe(iso);
  });

  it.each(['2026-02-30', '2026-02-30T10:00', '20-11-2026', 'kemarin 1', '2026-12-07T24:00', '2026-12-07T09:30+7', ''])('%j is not a time', (raw) => {
    expect(instanKantor(raw, 'Asia/Jakarta')).toBeNull();
  });
});
