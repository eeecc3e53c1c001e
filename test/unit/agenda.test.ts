import { describe, expect, it } from 'vitest';
import {
  cellText,
  csvCell,
  csvField,
  csvRecord,
  dateRange,
  ftsQuery,
  isDate,
  jsonlRecord,
  localMidnightUtc,
  neutraliseCell,
  parseRowRef,
} from '../../src/domain/agenda.js';
import { zoneOffsetMinutes } from '../../src/domain/working-time.js';
import { monthsOf, parseTriwulan, percent, summariseSla, textBar, volumeByMonth } from '../../src/domain/laporan.js';

describe('agenda: CSV cells', () => {
  it.each([
    ['=SUM(A1:A2)', "'=SUM(A1:A2)"],
    ['+62 811 000', "'+62 811 000"],
    ['-1+1', "'-1+1"],
    ['@cmd', "'@cmd"],
    ['\t=1', "'\t=1"],
    ['\r=1', "'\r=1"],
    ['Undangan rapat', 'Undangan rapat'],
    ['a=b', 'a=b'],
    ['', ''],
  ])('neutraliseCell(%j) = %j', (input, out) => {
    expect(neutraliseCell(input)).toBe(out);
  });

  it.each([
    ['plain', 'plain'],
    ['a,b', '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ['line1\nline2', '"line1\nline2"'],
    ['cr\r', '"cr\r"'],
    ['Perihal – “kutip” é', 'Perihal – “kutip” é'],
  ])('csvField(%j) = %j', (input, out) => {
    expect(csvField(input)).toBe(out);
  });

  it('a record is CRLF-terminated and quotes only where needed', () => {
    expect(csvRecord(['1', 'a,b', ''])).toBe('1,"a,b",\r\n');
  });

  it('integers are never neutralised, text that looks like a negative number is', () => {
    expect(csvCell('integer', -5)).toBe('-5');
    expect(csvCell('text', '-5')).toBe("'-5");
    expect(csvCell('text', null)).toBe('');
  });

  it('JSON columns are flattened for spreadsheets and parsed for JSON Lines', () => {
    expect(cellText('json', '["a@x.test","b@y.test"]')).toBe('a@x.test; b@y.test');
    expect(cellText('json', '[{"name":"surat.pdf","size":3}]')).toBe('surat.pdf');
    expect(cellText('json', '{"k":1}')).toBe('{"k":1}');
    const line = jsonlRecord(
      [
        { name: 'id', kind: 'integer', doc: '' },
        { name: 'kepada', kind: 'json', doc: '' },
        { name: 'perihal', kind: 'text', doc: '' },
      ],
      [7, '["a@x.test"]', '=1+1'],
    );
    expect(JSON.parse(line)).toEqual({ id: 7, kepada: ['a@x.test'], perihal: '=1+1' });
    expect(line.endsWith('\n')).toBe(true);
  });
});

describe('agenda: dates in the office time zone', () => {
  it('knows the Indonesian zones', () => {
    const at = new Date('2026-11-01T00:00:00Z');
    expect(zoneOffsetMinutes('Asia/Jakarta', at)).toBe(420);
    expect(zoneOffsetMinutes('Asia/Makassar', at)).toBe(480);
    expect(zoneOffsetMinutes('Asia/Jayapura', at)).toBe(540);
    expect(localMidnightUtc('2026-11-01', 'Asia/Jakarta').toISOString()).toBe('2026-10-31T17:00:00.000Z');
  });

  it('turns --dari/--sampai (inclusive local dates) into UTC bounds, or names the bad flag', () => {
    expect(dateRange('2026-10-01', '2026-12-31', 'Asia/Jakarta')).toEqual({ from: '2026-09-30T17:00:00.000Z', to: '2026-12-31T17:00:00.000Z' });
    expect(dateRange(undefined, undefined, 'Asia/Jakarta')).toEqual({ from: null, to: null });
    expect(dateRange('2026-02-30', undefined, 'Asia/Jakarta')).toEqual({ bad: 'dari', value: '2026-02-30' });
    expect(dateRange('2026-05-01', '2026-04-01', 'Asia/Jakarta')).toEqual({ bad: 'sampai', value: '2026-04-01' });
    expect(isDate('2026-12-31')).toBe(true);
    expect(isDate('31-12-2026')).toBe(false);
  });
});

describe('agenda: search and references', () => {
  it.each([
    ['KRIP/001/XI/2026', '"KRIP/001/XI/2026"*'],
    ['rapat  koordinasi', '"rapat"* "koordinasi"*'],
    ['a" OR "b', '"a"* "OR"* "b"*'],
    ['NEAR(x y)', '"NEAR(x"* "y)"*'],
    ['  ', null],
    ['" " -', null],
  ])('ftsQuery(%j) = %j', (input, out) => {
    expect(ftsQuery(input)).toBe(out);
  });

  it('a reference of digits is an id, anything else a register number', () => {
    expect(parseRowRef('12')).toEqual({ id: 12 });
    expect(parseRowRef('SM/001/XI/2026')).toEqual({ nomor: 'SM/001/XI/2026' });
    expect(parseRowRef('0')).toBeNull();
    expect(parseRowRef(' ')).toBeNull();
  });
});

describe('laporan: quarters and arithmetic', () => {
  it.each([
    ['2026-IV', { dari: '2026-10-01', sampai: '2026-12-31', triwulan: '2026-IV' }],
    ['2026-4', { dari: '2026-10-01', sampai: '2026-12-31', triwulan: '2026-IV' }],
    ['2026-Q1', { dari: '2026-01-01', sampai: '2026-03-31', triwulan: '2026-I' }],
    ['2024-ii', { dari: '2024-04-01', sampai: '2024-06-30', triwulan: '2024-II' }],
    ['2026-V', null],
    ['IV-2026', null],
  ])('parseTriwulan(%j)', (input, out) => {
    expect(parseTriwulan(input)).toEqual(out);
  });

  it('lists every month of a period', () => {
    expect(monthsOf('2026-10-01', '2026-12-31')).toEqual(['2026-10', '2026-11', '2026-12']);
    expect(monthsOf('2026-12-15', '2027-01-10')).toEqual(['2026-12', '2027-01']);
    expect(volumeByMonth(['2026-10', '2026-11'], [{ bulan: '2026-11', status: 'terkirim', n: 3 }, { bulan: '2026-11', status: 'batal', n: 1 }])).toEqual([
      { bulan: '2026-10', jumlah: 0, perStatus: {} },
      { bulan: '2026-11', jumlah: 4, perStatus: { terkirim: 3, batal: 1 } },
    ]);
  });

  it('adds up measured letters: compliance of the letters done, and per step', () => {
    const m = (name: string, at: string | null, menit: number, terlambat: boolean) => ({ name, standar: 10, at, menit, terlambat });
    const s = summariseSla([
      { selesai: true, terlambat: false, milestones: [m('cetak', 'x', 5, false)] },
      { selesai: true, terlambat: true, milestones: [m('cetak', 'x', 15, true)] },
      { selesai: false, terlambat: false, milestones: [m('cetak', null, 3, false)] },
    ]);
    expect(s).toMatchObject({ total: 3, selesai: 2, tepatWaktu: 1, terlambat: 1, berjalan: 1, kepatuhan: 0.5 });
    expect(s.langkah).toEqual([{ name: 'cetak', standar: 10, tercapai: 2, terlambat: 1, rataMenit: 10 }]);
    expect(summariseSla([]).kepatuhan).toBeNull();
    expect(percent(0.875)).toBe('87.5%');
    expect(percent(null)).toBe('-');
    expect(textBar(5, 10, 10)).toBe('█████');
    expect(textBar(1, 1000, 10)).toBe('█');
    expect(textBar(0, 10, 10)).toBe('');
  });
});
