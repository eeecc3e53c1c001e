/**
 * The edge schemas (src/domain/skema.ts), table-driven: each check on good and bad values, and each record
 * kind returning every problem at once with the operator's field name and the canonical spelling stored.
 */
import { describe, expect, it } from 'vitest';
import { readAduanCsv } from '../../src/domain/aduan-csv.js';
import {
  ADUAN,
  ALAMAT,
  KUNCI_BARU,
  PERMOHONAN_KRIPTOGRAM,
  SURAT_BIASA,
  TANDA_TERIMA,
  TERUSKAN,
  bilangan,
  email,
  kedaluwarsa,
  periksa,
  periksaRentang,
  pilihan,
  tanggal,
  teks,
  waktu,
  type Cek,
} from '../../src/domain/skema.js';
import { DERAJAT, SIFAT } from '../../src/domain/records.js';

const cases: [string, Cek<unknown>, string, unknown][] = [
  // [name, check, input, stored value or null when refused]
  ['tanggal ok', tanggal, '2026-11-20', '2026-11-20'],
  ['tanggal trimmed', tanggal, ' 2026-11-20 ', '2026-11-20'],
  ['tanggal leap day', tanggal, '2028-02-29', '2028-02-29'],
  ['tanggal free text', tanggal, 'kemarin sore', null],
  ['tanggal DD-MM-YYYY', tanggal, '20-11-2026', null],
  ['tanggal 30 Feb', tanggal, '2026-02-30', null],
  ['tanggal not leap', tanggal, '2026-02-29', null],
  ['tanggal month 13', tanggal, '2026-13-01', null],
  ['tanggal with time', tanggal, '2026-11-20T10:00', null],
  ['tanggal slashes', tanggal, '2026/11/20', null],
  ['email ok', email, 'persandian@pekalongankab.go.id', 'persandian@pekalongankab.go.id'],
  ['email domain lower-cased', email, 'Budi.S@Dinkes.Go.ID', 'Budi.S@dinkes.go.id'],
  ['email no domain dot', email, 'x@y', null],
  ['email no at', email, 'bukan-alamat', null],
  ['email display name', email, 'Budi <budi@a.go.id>', null],
  ['email two', email, 'a@b.id,c@d.id', null],
  ['email space', email, 'a b@c.id', null],
  ['email double dot', email, 'a..b@c.id', null],
  ['email bad domain', email, 'a@-c.id', null],
  ['sifat exact', pilihan(SIFAT), 'Rahasia', 'Rahasia'],
  ['sifat lower', pilihan(SIFAT), 'rahasia', 'Rahasia'],
  ['sifat upper two words', pilihan(SIFAT), 'SANGAT RAHASIA', 'Sangat Rahasia'],
  ['sifat dashed', pilihan(SIFAT), 'sangat-rahasia', 'Sangat Rahasia'],
  ['sifat typo', pilihan(SIFAT), 'rahasiaa', null],
  ['derajat lower', pilihan(DERAJAT), 'sangat segera', 'Sangat Segera'],
  ['derajat unknown', pilihan(DERAJAT), 'cepat', null],
  ['ambiguous when case ignored', pilihan(['Ab', 'AB']), 'ab', null],
  ['bilangan in range', bilangan(1, 10), '7', 7],
  ['bilangan too big', bilangan(1, 10), '11', null],
  ['bilangan fraction', bilangan(1, 10), '1.5', null],
  ['teks ok', teks, '  Rapat koordinasi ', 'Rapat koordinasi'],
  ['teks empty', teks, '   ', null],
  ['teks control char', teks, 'a\u0007b', null],
  ['waktu date', waktu, '2026-11-19', '2026-11-19'],
  ['waktu date and time', waktu, '2026-11-19T10:00', '2026-11-19T10:00'],
  ['waktu with zone', waktu, '2026-11-19 10:00:05+08:00', '2026-11-19 10:00:05+08:00'],
  ['waktu hour 25', waktu, '2026-11-19T25:00', null],
  ['waktu 31 Nov', waktu, '2026-11-31T10:00', null],
  ['waktu free text', waktu, 'kemarin', null],
  ['kedaluwarsa 2y', kedaluwarsa, '2y', '2y'],
  ['kedaluwarsa never', kedaluwarsa, 'never', 'never'],
  ['kedaluwarsa free text', kedaluwarsa, 'kapan-kapan', null],
];

describe('field checks', () => {
  it.each(cases)('%s', (_name, cek, input, want) => {
    const r = cek(input);
    if (want === null) expect(r.ok).toBe(false);
    else expect(r).toEqual({ ok: true, value: want });
  });
});

const goodKirim = {
  dokumen: 'nota.txt',
  permohonanNomor: '005/1',
  permohonanTanggal: '2026-11-20',
  permohonanUnit: 'Setda',
  kepada: ['dinkes@pekalongankab.go.id'],
  perihal: 'Rapat',
  sifat: 'terbatas',
  derajat: 'SEGERA',
};

describe('record schemas', () => {
  it('PERMOHONAN_KRIPTOGRAM: a good record comes back with canonical spellings', () => {
    expect(periksa(PERMOHONAN_KRIPTOGRAM, goodKirim)).toEqual({
      ok: true,
      value: { ...goodKirim, sifat: 'Terbatas', derajat: 'Segera', ditugaskan: undefined },
    });
  });

  const refusals: [string, object, object, [string, string][]][] = [
    ['kirim: the issue\'s free-text date', PERMOHONAN_KRIPTOGRAM, { ...goodKirim, permohonanTanggal: 'kemarin sore' }, [['--permohonan-tanggal', 'tanggal']]],
    ['kirim: every problem at once', PERMOHONAN_KRIPTOGRAM, { ...goodKirim, permohonanTanggal: '20-11-2026', kepada: ['ok@a.id', 'x@y'], sifat: 'rahasiaa', derajat: 'cepat' }, [
      ['--permohonan-tanggal', 'tanggal'], ['--kepada', 'email'], ['--sifat', 'pilihan'], ['--derajat', 'pilihan'],
    ]],
    ['kirim: required fields missing', PERMOHONAN_KRIPTOGRAM, { ...goodKirim, perihal: '', kepada: [] }, [['--kepada', 'teks'], ['--perihal', 'teks']]],
    ['biasa: optional date still a date', SURAT_BIASA, { dokumen: 'a', kepada: ['a@b.id'], perihal: 'P', permohonanTanggal: '1/2/2026' }, [['--permohonan-tanggal', 'tanggal']]],
    ['alamat: address and key', ALAMAT, { email: 'dinkes', unit: 'Dinkes', kunci: '' }, [['--email', 'email'], ['--kunci', 'teks']]],
    ['kunci buat: lifetime and address', KUNCI_BARU, { nama: 'Budi', email: 'budi@', kedaluwarsa: 'selamanya' }, [['--email', 'email'], ['--kedaluwarsa', 'kedaluwarsa']]],
    ['aduan catat: enums and time', ADUAN, { kanal: 'lapor', nomorPelacakan: 'L-1', jenis: 'keluhan', judul: 'J', diterima: 'kemarin', kerahasiaan: 'publik' }, [
      ['--jenis', 'pilihan'], ['--diterima', 'waktu'], ['--kerahasiaan', 'pilihan'],
    ]],
    ['tandaterima: --waktu the Date parser would bend', TANDA_TERIMA, { tujuan: 'Sekda', waktu: 'kemarin 1' }, [['--waktu', 'waktu']]],
    ['teruskan: each --ke', TERUSKAN, { ke: ['a@b.id', 'c d@e.id'] }, [['--ke', 'email']]],
  ];
  it.each(refusals)('%s', (_name, schema, input, want) => {
    const r = periksa(schema as typeof PERMOHONAN_KRIPTOGRAM, input);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problems.map((m) => [m.field, m.harap])).toEqual(want);
  });

  it('sebagian: only the fields given are checked (the prompts ask for the rest)', () => {
    expect(periksa(PERMOHONAN_KRIPTOGRAM, { sifat: 'rahasia' }, { sebagian: true })).toMatchObject({ ok: true, value: { sifat: 'Rahasia' } });
    expect(periksa(PERMOHONAN_KRIPTOGRAM, { permohonanTanggal: 'kemarin sore' }, { sebagian: true })).toMatchObject({ ok: false, problems: [{ field: '--permohonan-tanggal', value: 'kemarin sore' }] });
  });

  it('RENTANG: real dates, and --sampai not before --dari', () => {
    expect(periksaRentang({ dari: '2026-10-01', sampai: '2026-12-31' }).ok).toBe(true);
    expect(periksaRentang({}).ok).toBe(true);
    expect(periksaRentang({ dari: '2026-10-32' })).toMatchObject({ ok: false, problems: [{ field: '--dari', harap: 'tanggal' }] });
    expect(periksaRentang({ dari: '2026-12-01', sampai: '2026-11-01' })).toMatchObject({ ok: false, problems: [{ field: '--sampai', harap: 'urutan', params: { dari: '2026-12-01' } }] });
  });
});

describe('aduan impor: a CSV record with several problems names them all', () => {
  it('kanal, jenis, diterima and kerahasiaan in one line; enums in any case accepted with the canonical spelling', () => {
    const csv = [
      'kanal,nomor_pelacakan,jenis,judul,diterima,kerahasiaan',
      'twitter,T-1,keluhan,x,kemarin,publik',
      'LAPOR,L-1,Permintaan Informasi,Data,2026-11-19,ANONIM',
    ].join('\n');
    const r = readAduanCsv(csv, { kanal: ['lapor', 'laporgub'], timeZone: 'Asia/Jakarta' });
    const bad = r.rows.find((x) => x.line === 2)?.masalah ?? [];
    expect(bad.map((m) => [m.kolom, m.nilai])).toEqual([['kanal', 'twitter'], ['jenis', 'keluhan'], ['diterima', 'kemarin'], ['kerahasiaan', 'publik']]);
    expect(r.rows.find((x) => x.line === 3)?.aduan).toMatchObject({ kanal: 'lapor', jenis: 'permintaan_informasi', kerahasiaan: 'anonim' });
  });
});
