import { describe, expect, it } from 'vitest';
import { galatWaktuKantor, tanggalLokal, waktuLokal } from '../../src/cli/waktu.js';
import { SandiError } from '../../src/errors.js';

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

describe('errors as a person reads them', () => {
  it('every UTC ISO instant among the parameters is shown in office time; other parameters, the code, key and hint are kept', () => {
    const e = new SandiError('SIGNATURE', 'kriptogram.signerExpired', { keyId: 'ABCD', expired: '2026-01-31T16:30:00.000Z', created: '2026-01-15T12:00:00Z', n: 3 }, { hint: 'kriptogram.signerExpired.hint' });
    const shown = galatWaktuKantor(e, 'Asia/Makassar');
    expect(shown).toBeInstanceOf(SandiError);
    expect(shown).toMatchObject({ code: 'SIGNATURE', key: 'kriptogram.signerExpired', hint: 'kriptogram.signerExpired.hint', exitCode: e.exitCode });
    expect(shown.params).toEqual({ keyId: 'ABCD', expired: '2026-02-01 00:30 WITA', created: '2026-01-15 20:00 WITA', n: 3 });
  });
  it('an error without instants, a date without a time, and anything else are returned as they are', () => {
    const e = new SandiError('USAGE', 'akun.badDate', { value: '2026-12-01' });
    expect(galatWaktuKantor(e, 'Asia/Jakarta')).toBe(e);
    const other = new Error('x');
    expect(galatWaktuKantor(other, 'Asia/Jakarta')).toBe(other);
  });
});
