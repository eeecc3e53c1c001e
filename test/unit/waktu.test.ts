import { describe, expect, it } from 'vitest';
import { tanggalLokal, waktuLokal } from '../../src/cli/waktu.js';

describe('instants for the operator', () => {
  it('in the office zone, to the minute, with WIB / WITA / WIT; the date of early-morning registrations is the local one', () => {
    const at = '2026-11-25T21:04:47.643Z';
    expect(waktuLokal(at, 'Asia/Jakarta')).toBe('2026-11-26 04:04 WIB');
    expect(waktuLokal(at, 'Asia/Makassar')).toBe('2026-11-26 05:04 WITA');
    expect(waktuLokal(new Date(at), 'Asia/Jayapura')).toBe('2026-11-26 06:04 WIT');
    expect(waktuLokal(at, 'Europe/Berlin')).toBe('2026-11-25 22:04 UTC+01:00');
    expect(tanggalLokal(at, 'Asia/Jakarta')).toBe('2026-11-26');
    expect(tanggalLokal('2026-12-31T16:59:00Z', 'Asia/Jakarta')).toBe('2026-12-31');
    expect(tanggalLokal('2026-12-31T17:00:00Z', 'Asia/Jakarta')).toBe('2027-01-01');
  });
  it('none is empty; text that is not an instant is left as it is', () => {
    expect(waktuLokal(null, 'Asia/Jakarta')).toBe('');
    expect(waktuLokal(undefined, 'Asia/Jakarta')).toBe('');
    expect(waktuLokal('-', 'Asia/Jakarta')).toBe('-');
  });
});
