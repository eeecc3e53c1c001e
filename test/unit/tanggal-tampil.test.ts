import { describe, expect, it } from 'vitest';
import { NAMA_BULAN, namaZona, tanggalKalenderPanjang, tanggalLayar, tanggalPanjang, tanggalWaktuPanjang, waktuLayar } from '../../src/domain/tanggal-tampil.js';

describe('dates on paper: Indonesian long dates in the office zone', () => {
  // 15:34 UTC on 6 December is 22:34 WIB the same day, but 23:34 WITA and 00:34 WIT the next day
  const at = '2026-12-06T15:34:13.652Z';
  it.each([
    ['Asia/Jakarta', 'id', '6 Desember 2026', '6 Desember 2026 pukul 22.34 WIB'],
    ['Asia/Makassar', 'id', '6 Desember 2026', '6 Desember 2026 pukul 23.34 WITA'],
    ['Asia/Jayapura', 'id', '7 Desember 2026', '7 Desember 2026 pukul 00.34 WIT'],
    ['Asia/Jakarta', 'en', '6 December 2026', '6 December 2026 at 22:34 WIB'],
    ['Asia/Jayapura', 'en', '7 December 2026', '7 December 2026 at 00:34 WIT'],
  ] as const)('%s (%s): %s / %s', (zone, lang, date, dateTime) => {
    expect(tanggalPanjang(at, zone, lang)).toBe(date);
    expect(tanggalWaktuPanjang(new Date(at), zone, lang)).toBe(dateTime);
  });

  it.each([
    ['2026-12-31T16:59:00Z', 'Asia/Jakarta', '31 Desember 2026'],
    ['2026-12-31T17:00:00Z', 'Asia/Jakarta', '1 Januari 2027'],
    ['2026-12-31T16:00:00Z', 'Asia/Makassar', '1 Januari 2027'],
    ['2026-02-28T23:30:00Z', 'Asia/Jakarta', '1 Maret 2026'],
    ['2026-05-01T00:00:00Z', 'Asia/Jakarta', '1 Mei 2026'],
    ['2026-08-17T00:00:00Z', 'Asia/Jakarta', '17 Agustus 2026'],
  ])('%s in %s is %s', (v, zone, want) => {
    expect(tanggalPanjang(v, zone)).toBe(want);
  });

  it('every month has its name in both languages', () => {
    expect(NAMA_BULAN.id).toHaveLength(12);
    expect(NAMA_BULAN.en).toHaveLength(12);
    const id = Array.from({ length: 12 }, (_, i) => tanggalPanjang(new Date(Date.UTC(2026, i, 15, 5)), 'Asia/Jakarta'));
    expect(id).toEqual(NAMA_BULAN.id.map((m) => `15 ${m} 2026`));
    expect(id[1]).toBe('15 Februari 2026');
    expect(id[5]).toBe('15 Juni 2026');
    expect(id[9]).toBe('15 Oktober 2026');
  });

  it.each([
    ['2026-12-31', 'id', '31 Desember 2026'],
    ['2026-01-05', 'en', '5 January 2026'],
    ['2026-02-30', 'id', '2026-02-30'],
    ['1 Desember 2026', 'id', '1 Desember 2026'],
    ['', 'id', ''],
  ] as const)('calendar date %j (%s) is %j', (v, lang, want) => {
    expect(tanggalKalenderPanjang(v, lang)).toBe(want);
  });

  it('none is empty; text that is not an instant is left as it is', () => {
    expect(tanggalPanjang(null, 'Asia/Jakarta')).toBe('');
    expect(tanggalWaktuPanjang(undefined, 'Asia/Jakarta')).toBe('');
    expect(tanggalWaktuPanjang('-', 'Asia/Jakarta')).toBe('-');
    expect(tanggalKalenderPanjang(null)).toBe('');
  });
});

describe('instants on screen', () => {
  it.each([
    ['2026-12-06T15:34:13.652Z', 'Asia/Jakarta', '2026-12-06 22:34 WIB', '2026-12-06'],
    ['2026-12-06T16:30:00Z', 'Asia/Makassar', '2026-12-07 00:30 WITA', '2026-12-07'],
    ['2026-12-06T15:34:00Z', 'Asia/Jayapura', '2026-12-07 00:34 WIT', '2026-12-07'],
    ['2026-11-25T21:04:47Z', 'Europe/Berlin', '2026-11-25 22:04 UTC+01:00', '2026-11-25'],
  ])('%s in %s: %s', (v, zone, when, day) => {
    expect(waktuLayar(v, zone)).toBe(when);
    expect(tanggalLayar(v, zone)).toBe(day);
  });
  it('zone names', () => {
    const d = new Date('2026-06-01T00:00:00Z');
    expect([namaZona('Asia/Jakarta', d), namaZona('Asia/Pontianak', d), namaZona('Asia/Makassar', d), namaZona('Asia/Jayapura', d)]).toEqual(['WIB', 'WIB', 'WITA', 'WIT']);
    expect(namaZona('America/New_York', d)).toBe('UTC-04:00');
  });
});
