import { describe, expect, it } from 'vitest';
import {
  dateInZone,
  DEFAULT_FORMATS,
  DEFAULT_SIFAT_CODES,
  formatNumber,
  monthInZone,
  parseNumberFormat,
  toRoman,
  yearInZone,
} from '../../src/domain/numbering.js';
import { SandiError } from '../../src/errors.js';
import type { Sifat } from '../../src/domain/records.js';

describe('toRoman', () => {
  it.each([
    [1, 'I'], [2, 'II'], [3, 'III'], [4, 'IV'], [5, 'V'], [6, 'VI'],
    [7, 'VII'], [8, 'VIII'], [9, 'IX'], [10, 'X'], [11, 'XI'], [12, 'XII'], [2026, 'MMXXVI'],
  ])('%i → %s', (n, r) => expect(toRoman(n)).toBe(r));

  it('refuses 0 and fractions', () => {
    expect(() => toRoman(0)).toThrow(RangeError);
    expect(() => toRoman(1.5)).toThrow(RangeError);
  });
});

describe('formatNumber', () => {
  const cases: [string, { urut: number; bulan: number; tahun: number; unit?: string; sifat?: Sifat; sifatCodes?: Partial<Record<Sifat, string>> }, string][] = [
    ['KRIP/{urut:3}/{bulan}/{tahun}', { urut: 1, bulan: 11, tahun: 2026 }, 'KRIP/001/XI/2026'],
    ['KRIP/{urut:3}/{bulan}/{tahun}', { urut: 1234, bulan: 1, tahun: 2027 }, 'KRIP/1234/I/2027'],
    ['{urut}/{tahun}', { urut: 7, bulan: 4, tahun: 2026 }, '7/2026'],
    ['{sifat}.{urut}/{unit}/{bulan}/{tahun}', { urut: 15, bulan: 3, tahun: 2026, unit: 'DKIS', sifat: 'Rahasia' }, 'RH.15/DKIS/III/2026'],
    ['{sifat}.{urut}/{tahun}', { urut: 2, bulan: 3, tahun: 2026, sifat: 'Sangat Rahasia' }, 'SR.2/2026'],
    ['{sifat}.{urut}/{tahun}', { urut: 2, bulan: 3, tahun: 2026, sifat: 'Terbatas' }, 'T.2/2026'],
    ['{sifat}.{urut}/{tahun}', { urut: 2, bulan: 3, tahun: 2026, sifat: 'Biasa' }, 'B.2/2026'],
    ['{sifat}.{urut}/{tahun}', { urut: 2, bulan: 3, tahun: 2026, sifat: 'Rahasia', sifatCodes: { Rahasia: 'R' } }, 'R.2/2026'],
    ['SM-{tahun}-{bulan:2}-{urut:5}', { urut: 42, bulan: 9, tahun: 2026 }, 'SM-2026-09-00042'],
    ['{urut:1}/{unit}/{tahun}', { urut: 10, bulan: 12, tahun: 2026, unit: 'KOMINFO' }, '10/KOMINFO/2026'],
  ];
  it.each(cases)('%s with %j → %s', (format, v, expected) => expect(formatNumber(format, v)).toBe(expected));

  it('has the documented defaults', () => {
    expect(DEFAULT_FORMATS.kriptogram_keluar).toBe('KRIP/{urut:3}/{bulan}/{tahun}');
    expect(DEFAULT_SIFAT_CODES).toEqual({ Biasa: 'B', Terbatas: 'T', Rahasia: 'RH', 'Sangat Rahasia': 'SR' });
    for (const f of Object.values(DEFAULT_FORMATS)) expect(() => parseNumberFormat(f)).not.toThrow();
  });

  it('needs a unit code when the format uses {unit}', () => {
    const e = catchErr(() => formatNumber('{urut}/{unit}/{tahun}', { urut: 1, bulan: 1, tahun: 2026 }));
    expect(e.code).toBe('CONFIG');
    expect(e.key).toBe('store.numbering.noUnit');
  });

  it('needs a classification when the format uses {sifat}', () => {
    expect(catchErr(() => formatNumber('{sifat}.{urut}/{tahun}', { urut: 1, bulan: 1, tahun: 2026 })).key).toBe('store.numbering.noSifat');
  });
});

function catchErr(fn: () => unknown): SandiError {
  try {
    fn();
  } catch (e) {
    if (e instanceof SandiError) return e;
    throw e;
  }
  throw new Error('expected a SandiError');
}

describe('parseNumberFormat validation', () => {
  it.each([
    ['KRIP/{nomor}/{tahun}', 'store.numbering.unknownToken', '{nomor}'],
    ['KRIP/{urut}/{year}', 'store.numbering.unknownToken', '{year}'],
    ['KRIP/{urut:3:x}/{tahun}', 'store.numbering.unknownToken', '{urut:3:x}'],
    ['KRIP/{urut:0}/{tahun}', 'store.numbering.badWidth', '{urut:0}'],
    ['KRIP/{urut:ab}/{tahun}', 'store.numbering.badWidth', '{urut:ab}'],
    ['KRIP/{tahun:2}/{urut}', 'store.numbering.badWidth', '{tahun:2}'],
    ['KRIP/{bulan}/{tahun}', 'store.numbering.missingToken', '{urut}'],
    ['KRIP/{urut}/{bulan}', 'store.numbering.missingToken', '{tahun}'],
  ])('%s → %s naming %s', (format, key, token) => {
    const e = catchErr(() => parseNumberFormat(format, 'penomoran.kriptogramKeluar'));
    expect(e.code).toBe('CONFIG');
    expect(e.exitCode).toBe(78);
    expect(e.key).toBe(key);
    expect(e.params['token']).toBe(token);
    expect(e.params['where']).toContain('penomoran.kriptogramKeluar');
  });

  it.each(['KRIP/{urut/{tahun}', 'KRIP/urut}/{tahun}/{urut}'])('stray brace in %s is refused', (format) => {
    expect(catchErr(() => parseNumberFormat(format)).key).toBe('store.numbering.badBrace');
  });

  it('reports which tokens it uses', () => {
    const p = parseNumberFormat('{sifat}.{urut}/{unit}/{tahun}');
    expect(p.usesSifat).toBe(true);
    expect(p.usesUnit).toBe(true);
    expect(parseNumberFormat('KRIP/{urut:3}/{bulan}/{tahun}').usesUnit).toBe(false);
  });
});

describe('year and month in the office time zone', () => {
  it.each([
    // Jakarta: UTC+7
    ['2026-12-31T16:59:59Z', 'Asia/Jakarta', 2026, 12],
    ['2026-12-31T17:00:00Z', 'Asia/Jakarta', 2027, 1],
    ['2026-12-31T17:30:00Z', 'Asia/Jakarta', 2027, 1],
    ['2026-12-31T17:30:00Z', 'UTC', 2026, 12],
    // Makassar: UTC+8
    ['2026-12-31T15:59:59Z', 'Asia/Makassar', 2026, 12],
    ['2026-12-31T16:00:00Z', 'Asia/Makassar', 2027, 1],
    // Jayapura: UTC+9
    ['2026-12-31T14:59:59Z', 'Asia/Jayapura', 2026, 12],
    ['2026-12-31T15:00:00Z', 'Asia/Jayapura', 2027, 1],
    // month boundaries
    ['2026-10-31T17:00:00Z', 'Asia/Jakarta', 2026, 11],
    ['2026-10-31T16:59:59Z', 'Asia/Jakarta', 2026, 10],
    ['2026-02-28T15:00:00Z', 'Asia/Jayapura', 2026, 3],
  ])('%s in %s is %i-%i', (iso, tz, year, month) => {
    const d = new Date(iso);
    expect(yearInZone(d, tz)).toBe(year);
    expect(monthInZone(d, tz)).toBe(month);
  });

  it('the same instant asked again (a batch registers at one instant): the same answer, never a shared object; another zone or instant afresh', () => {
    const d = new Date('2026-12-31T17:30:00Z');
    const first = dateInZone(d, 'Asia/Jakarta');
    first.year = 1999;
    expect(dateInZone(d, 'Asia/Jakarta')).toEqual({ year: 2027, month: 1, day: 1 });
    expect(dateInZone(new Date(d.getTime()), 'Asia/Jakarta')).toEqual({ year: 2027, month: 1, day: 1 });
    expect(dateInZone(d, 'UTC')).toEqual({ year: 2026, month: 12, day: 31 });
    expect(dateInZone(new Date('2026-12-31T16:59:59Z'), 'Asia/Jakarta')).toEqual({ year: 2026, month: 12, day: 31 });
    expect(() => dateInZone(d, 'Asia/Bandung')).toThrow(SandiError);
  });

  it('an unknown time zone is a CONFIG error naming it', () => {
    const e = catchErr(() => yearInZone(new Date(), 'Asia/Bandung'));
    expect(e.code).toBe('CONFIG');
    expect(e.params['tz']).toBe('Asia/Bandung');
  });
});
