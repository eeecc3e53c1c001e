/**
 * Issue 13: the classification, urgency and date an incoming letter's own text states ("Sifat : Rahasia",
 * "Derajat : Segera", "Tanggal : 1 Desember 2026"), read like its number: pure rules, table tests.
 */
import { describe, expect, it } from 'vitest';
import { findLetterClassification, normaliseDerajat, parseTanggalSurat } from '../../src/domain/terima.js';

describe('findLetterClassification', () => {
  it.each([
    ['Nomor : 1/2/2026\nSifat : Rahasia\nLampiran : -\n', 'Rahasia', 'Rahasia', null, null],
    ['  Sifat: SANGAT RAHASIA.\nDerajat : Segera\n', 'SANGAT RAHASIA.', 'Sangat Rahasia', 'Segera', 'Segera'],
    ['Sifat Surat : terbatas\nKecepatan : Sangat Segera\n', 'terbatas', 'Terbatas', 'Sangat Segera', 'Sangat Segera'],
    ['Derajat Kecepatan : KILAT\n', null, null, 'KILAT', 'Kilat'],
    ['Sifat : Penting\n', 'Penting', null, null, null],
    ['Sifatnya rahasia, jangan disebar\n', null, null, null, null],
    ['', null, null, null, null],
  ])('%j', (text, sifatTertulis, sifat, derajatTertulis, derajat) => {
    expect(findLetterClassification(text)).toEqual({ sifatTertulis, sifat, derajatTertulis, derajat });
  });
  it('no text', () => {
    expect(findLetterClassification(null)).toEqual({ sifatTertulis: null, sifat: null, derajatTertulis: null, derajat: null });
  });
  it('derajat spellings', () => {
    expect(normaliseDerajat('sangat_segera')).toBe('Sangat Segera');
    expect(normaliseDerajat('Biasa')).toBe('Biasa');
    expect(normaliseDerajat('cepat')).toBeNull();
  });
});

describe('parseTanggalSurat', () => {
  it.each([
    ['1 Desember 2026', '2026-12-01'],
    ['01 Des 2026', '2026-12-01'],
    ['1 Des. 2026', '2026-12-01'],
    ['1 DESEMBER 2026', '2026-12-01'],
    ['Pekalongan, 20 November 2026', '2026-11-20'],
    ['Senin, 7 Desember 2026', '2026-12-07'],
    ['17 Agustus 1945', '1945-08-17'],
    ['17 Agt 2026', '2026-08-17'],
    ['3 Pebruari 2026', '2026-02-03'],
    ['3 Nopember 2026', '2026-11-03'],
    ['12 Mei 2026', '2026-05-12'],
    ['1 Sept 2026', '2026-09-01'],
    ['5 Okt 2026', '2026-10-05'],
    ['5-Jan-2026', '2026-01-05'],
    ['01-12-2026', '2026-12-01'],
    ['01/12/2026', '2026-12-01'],
    ['1.12.2026', '2026-12-01'],
    ['2026-12-01', '2026-12-01'],
    // refused rather than guessed
    ['31 November 2026', null],
    ['29 Februari 2026', null],
    ['29 Februari 2028', '2028-02-29'],
    ['32-12-2026', null],
    ['01-13-2026', null],
    ['01/12-2026', null],
    ['1 Desemberan 2026', null],
    ['kemarin sore', null],
    ['Desember 2026', null],
    ['', null],
  ])('%j → %s', (written, iso) => {
    expect(parseTanggalSurat(written)).toBe(iso);
  });
  it('no date', () => {
    expect(parseTanggalSurat(null)).toBeNull();
  });
});
