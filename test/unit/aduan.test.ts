/**
 * `sandi aduan`, pure rules: every (state, action) pair of the complaint state machine against an
 * independently written expectation, the deadlines per channel in working time (weekend, Friday's short
 * hours, the lunch break, a holiday from the bundled 2026 file), the `aduan` config object, the CSV reader,
 * and the migration's frozen status pairs against the domain table.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  ADUAN_ACTIONS,
  ADUAN_STATUSES,
  DEFAULT_KANAL,
  allowedActions,
  isOpen,
  laporanAduan,
  lateness,
  legalStatusPairs,
  parseAduanConfig,
  runningDeadlines,
  stepOnTime,
  transition,
  type AduanAction,
  type AduanStatus,
  type Kanal,
} from '../../src/domain/aduan.js';
import { parseCsv, parseReceived, readAduanCsv } from '../../src/domain/aduan-csv.js';
import { parseHolidays, workingCalendar } from '../../src/domain/working-time.js';
import { DEFAULT_SERVICE_HOURS } from '../../src/domain/service-hours.js';
import { ADUAN_STATUS_PAIRS_V7 } from '../../src/adapters/sqlite/migration-007-aduan.js';

const holidays = parseHolidays(readFileSync(resolve(import.meta.dirname, '../../data/hari-libur-2026.tsv'), 'utf8')).holidays;
const cal = workingCalendar({ hours: DEFAULT_SERVICE_HOURS, timeZone: 'Asia/Jakarta', holidays });
const wib = (s: string): Date => new Date(`${s}:00+07:00`);
const laporgub = DEFAULT_KANAL.find((k) => k.kode === 'laporgub') as Kanal;
const lapor = DEFAULT_KANAL.find((k) => k.kode === 'lapor') as Kanal;

// ------------------------------------------------------------------------------------ state machine

/**
 * The expected machine, written out from SOP seeds 003/004 (not derived from the implementation):
 * office verifies → OPD follows up or returns → office confirms → upstream verifies or returns → reporter.
 */
const EXPECTED: Record<AduanStatus, Partial<Record<AduanAction, AduanStatus | 'previous'>>> = {
  diterima: { disposisi: 'didisposisi', kembalikan: 'dikembalikan_ke_hulu', tunda: 'ditunda', arsipkan: 'diarsipkan' },
  didisposisi: { tindaklanjut: 'ditindaklanjuti', kembalikan: 'dikembalikan_oleh_opd', tunda: 'ditunda', arsipkan: 'diarsipkan' },
  dikembalikan_oleh_opd: { disposisi: 'didisposisi', kembalikan: 'dikembalikan_ke_hulu', tunda: 'ditunda', arsipkan: 'diarsipkan' },
  ditindaklanjuti: { konfirmasi: 'dikonfirmasi', disposisi: 'didisposisi', tunda: 'ditunda', arsipkan: 'diarsipkan' },
  dikonfirmasi: { verifikasi: 'terverifikasi', kembalikan: 'dikembalikan_oleh_hulu', tunda: 'ditunda', arsipkan: 'diarsipkan' },
  dikembalikan_oleh_hulu: { disposisi: 'didisposisi', konfirmasi: 'dikonfirmasi', tunda: 'ditunda', arsipkan: 'diarsipkan' },
  terverifikasi: { selesai: 'selesai', tunda: 'ditunda', arsipkan: 'diarsipkan' },
  dikembalikan_ke_hulu: { arsipkan: 'diarsipkan' },
  ditunda: { lanjutkan: 'previous', arsipkan: 'diarsipkan' },
  selesai: {},
  diarsipkan: {},
};

const ALL_PAIRS = ADUAN_STATUSES.flatMap((s) => ADUAN_ACTIONS.map((a) => [s, a] as const));

describe('complaint state machine: every state × every action', () => {
  it.each(ALL_PAIRS)('%s + %s', (status, action) => {
    const expected = EXPECTED[status][action];
    const r = transition({ status, action, reason: 'alasan uji', opd: 'Dinas Kesehatan', pausedFrom: status === 'ditunda' ? 'didisposisi' : null });
    if (expected === undefined) {
      expect(r).toMatchObject({ ok: false, reason: 'not_allowed' });
      expect(r.ok === false && r.reason === 'not_allowed' ? [...r.allowed].sort() : null).toEqual(Object.keys(EXPECTED[status]).sort());
    } else {
      expect(r).toEqual({ ok: true, to: expected === 'previous' ? 'didisposisi' : expected });
    }
  });

  it('lists what is allowed now, in a stable order', () => {
    expect(allowedActions('diterima')).toEqual(['disposisi', 'kembalikan', 'tunda', 'arsipkan']);
    expect(allowedActions('selesai')).toEqual([]);
  });

  it.each(['kembalikan', 'tunda', 'arsipkan'] as const)('%s needs a reason', (action) => {
    expect(transition({ status: 'diterima', action, reason: '  ' })).toEqual({ ok: false, reason: 'needs_reason' });
  });

  it('disposisi needs an OPD', () => {
    expect(transition({ status: 'diterima', action: 'disposisi', opd: '' })).toEqual({ ok: false, reason: 'needs_opd' });
  });

  it('lanjutkan returns to the state it was paused in, every open one', () => {
    for (const s of ADUAN_STATUSES.filter((x) => isOpen(x) && x !== 'ditunda')) {
      expect(transition({ status: 'ditunda', action: 'lanjutkan', pausedFrom: s })).toEqual({ ok: true, to: s });
    }
    expect(transition({ status: 'ditunda', action: 'lanjutkan', pausedFrom: null })).toEqual({ ok: false, reason: 'no_previous' });
    expect(transition({ status: 'ditunda', action: 'lanjutkan', pausedFrom: 'selesai' })).toEqual({ ok: false, reason: 'no_previous' });
  });

  it("the database trigger's frozen pairs (migration 7) are exactly the domain's", () => {
    const key = (p: readonly [string, string]) => `${p[0]}>${p[1]}`;
    expect(legalStatusPairs().map(key).sort()).toEqual(ADUAN_STATUS_PAIRS_V7.map(key).sort());
  });
});

// ------------------------------------------------------------------------------------------ deadlines

describe('deadlines in working time (Asia/Jakarta, Mon–Thu 08–12 & 13–16, Fri 08–11, 2026 holidays)', () => {
  const one = (k: Kanal, status: AduanStatus, received: string, since = received) =>
    runningDeadlines(cal, k, { status, receivedAt: wib(received), statusAt: wib(since) }).map((t) => [t.jenis, t.batas.toISOString()]);

  it('LaporGub! 2 days across a weekend: Thursday 10:00 → Monday 10:00', () => {
    expect(one(laporgub, 'diterima', '2026-11-19T10:00')).toEqual([['layanan', wib('2026-11-23T10:00').toISOString()]]);
  });

  it("LaporGub! on Friday's short hours: Wednesday 14:00 → Friday 11:00 (closing)", () => {
    expect(one(laporgub, 'diterima', '2026-11-18T14:00')).toEqual([['layanan', wib('2026-11-20T11:00').toISOString()]]);
  });

  it('received in the lunch break counts from 13:00: Monday 12:30 → Wednesday 12:00 (= 13:00 in working time)', () => {
    const [[, at]] = one(laporgub, 'diterima', '2026-11-16T12:30') as [[string, string]];
    expect(at).toBe(wib('2026-11-18T12:00').toISOString());
    // the same working instant as the afternoon opening
    expect(stepOnTime(cal, wib('2026-11-16T12:30'), wib('2026-11-18T12:59'), 2)).toBe(true);
    expect(stepOnTime(cal, wib('2026-11-16T12:30'), wib('2026-11-18T13:01'), 2)).toBe(false);
  });

  it('a holiday and collective leave from the data file: Wednesday 13 May → Tuesday 19 May (14–15 May off)', () => {
    expect(one(laporgub, 'diterima', '2026-05-13T10:00')).toEqual([['layanan', wib('2026-05-19T10:00').toISOString()]]);
    expect(one(lapor, 'diterima', '2026-05-13T10:00')).toEqual([['verifikasi', wib('2026-05-20T10:00').toISOString()]]);
  });

  it('LAPOR! follow-up: 5 working days from the disposition, over Idul Adha (27–28 May)', () => {
    // dispositioned Tue 26 May 09:00: Fri 29, Mon 1 Jun is Pancasila day, Tue 2, Wed 3, Thu 4, Fri 5 → Fri 5 Jun 09:00
    expect(one(lapor, 'didisposisi', '2026-05-25T09:00', '2026-05-26T09:00')).toEqual([['tindakLanjut', wib('2026-06-05T09:00').toISOString()]]);
  });

  it('the whole-service deadline keeps running at the OPD and after a return; not upstream, postponed or closed', () => {
    expect(one(laporgub, 'didisposisi', '2026-11-19T10:00', '2026-11-20T09:00').map(([j]) => j)).toEqual(['layanan']);
    expect(one(laporgub, 'dikembalikan_oleh_opd', '2026-11-19T10:00').map(([j]) => j)).toEqual(['layanan']);
    for (const s of ['dikonfirmasi', 'terverifikasi', 'dikembalikan_ke_hulu', 'ditunda', 'selesai', 'diarsipkan'] as const) {
      expect(one(laporgub, s, '2026-11-19T10:00')).toEqual([]);
      expect(one(lapor, s, '2026-11-19T10:00')).toEqual([]);
    }
  });

  it('lateness is measured in working minutes past the earliest running deadline', () => {
    const c = { status: 'diterima' as const, receivedAt: wib('2026-11-19T10:00'), statusAt: wib('2026-11-19T10:00') };
    // deadline Mon 10:00; at Mon 14:00 → 10–12 and 13–14 = 180 working minutes late
    expect(lateness(cal, laporgub, c, wib('2026-11-23T14:00'))).toMatchObject({ terlambat: true, menitTerlambat: 180, menitTersisa: 0 });
    // at Friday 10:00: Fri 10–11 (60) + Mon 08–10 (120) = 180 left
    expect(lateness(cal, laporgub, c, wib('2026-11-20T10:00'))).toMatchObject({ terlambat: false, menitTerlambat: 0, menitTersisa: 180 });
    expect(lateness(cal, laporgub, { ...c, status: 'selesai' }, wib('2026-12-20T10:00'))).toEqual({ tenggat: null, terlambat: false, menitTerlambat: 0, menitTersisa: 0 });
  });
});

describe('the aduan object of config.json', () => {
  it('defaults: LaporGub! 2 days whole service; LAPOR! verification 3, follow-up 5', () => {
    expect(parseAduanConfig(undefined)).toEqual({ kanal: DEFAULT_KANAL });
  });
  it('overrides a deadline and adds a channel', () => {
    const r = parseAduanConfig({ kanal: { lapor: { tenggat: { verifikasi: 2 } }, wa: { nama: 'WhatsApp Wali Kota', tenggat: { layanan: 3 } } } });
    expect(r).toEqual({
      kanal: [
        DEFAULT_KANAL[0],
        { kode: 'lapor', nama: 'SP4N LAPOR!', tenggat: { verifikasi: 2, tindakLanjut: 5, konfirmasi: null, layanan: null } },
        { kode: 'wa', nama: 'WhatsApp Wali Kota', tenggat: { verifikasi: null, tindakLanjut: null, konfirmasi: null, layanan: 3 } },
      ],
    });
  });
  it.each([
    [{ kanal: { lapor: { tenggat: { verifikasi: 0 } } } }, 'aduan.kanal.lapor.tenggat.verifikasi'],
    [{ kanal: { lapor: { tenggat: { lama: 2 } } } }, 'aduan.kanal.lapor.tenggat.lama'],
    [{ kanal: { baru: {} } }, 'aduan.kanal.baru.nama'],
    [{ kanal: { 'Bad Code': { nama: 'x' } } }, 'aduan.kanal.Bad Code'],
    [[], 'aduan'],
  ])('refuses %j naming %s', (raw, key) => {
    expect(parseAduanConfig(raw)).toMatchObject({ key });
  });
});

// ------------------------------------------------------------------------------------------------ CSV

describe('CSV reader (RFC 4180)', () => {
  it('reads quotes, doubled quotes, fields over lines, CRLF, a BOM, and keeps line numbers', () => {
    const text = '\uFEFFa,b,c\r\n1,"x, ""y""",3\r\n\r\n4,"multi\nline",6\n7,8,9';
    const r = parseCsv(text);
    expect(r.problems).toEqual([]);
    expect(r.records).toEqual([
      { line: 1, fields: ['a', 'b', 'c'] },
      { line: 2, fields: ['1', 'x, "y"', '3'] },
      { line: 4, fields: ['4', 'multi\nline', '6'] },
      { line: 6, fields: ['7', '8', '9'] },
    ]);
  });
  it('uses ; when the header has more of them than commas (spreadsheet exports)', () => {
    expect(parseCsv('a;b\n1,5;2\n').records[1]).toEqual({ line: 2, fields: ['1,5', '2'] });
  });
  it('reports an unclosed quote at the line its record starts', () => {
    expect(parseCsv('a,b\n1,"open\n2,3\n').problems).toEqual([{ line: 2, masalah: { kode: 'kutipTerbuka' } }]);
  });
  it('reads a date received in office time', () => {
    expect(parseReceived('2026-11-19', 'Asia/Jakarta')?.toISOString()).toBe('2026-11-19T01:00:00.000Z');
    expect(parseReceived('2026-11-19T09:30', 'Asia/Makassar')?.toISOString()).toBe('2026-11-19T01:30:00.000Z');
    expect(parseReceived('2026-02-30', 'Asia/Jakarta')).toBeNull();
    expect(parseReceived('19/11/2026', 'Asia/Jakarta')).toBeNull();
  });
  it('maps rows to complaints; bad rows by line, good rows kept', () => {
    const csv = [
      'kanal,nomor_pelacakan,jenis,judul,diterima,kerahasiaan,pelapor_nama,pelapor_nik,ekstra',
      'lapor,L-1,pengaduan,Jalan rusak,2026-11-19,rahasia,Siti,3375010101010001,',
      'laporgub,G-1,aspirasi,Taman,2026-11-19T10:00,anonim,,,',
      'twitter,T-1,pengaduan,x,2026-11-19,anonim,,,',
      'lapor,L-2,keluhan,x,2026-11-19,anonim,,,',
      'lapor,L-3,pengaduan,x,kemarin,anonim,,,',
      'lapor,L-4,pengaduan,x,2026-11-19,anonim,Budi,,',
      'lapor,L-5,pengaduan,x,2026-11-19,terbuka,,,',
      'lapor,L-6,pengaduan,x,2026-11-19,terbuka,Ani,123,',
      'lapor,L-7,pengaduan',
    ].join('\n');
    const r = readAduanCsv(csv, { kanal: ['lapor', 'laporgub'], timeZone: 'Asia/Jakarta' });
    expect(r.header).toBeNull();
    expect(r.unknownColumns).toEqual(['ekstra']);
    expect(r.rows.filter((x) => x.aduan).map((x) => [x.line, x.aduan?.nomorPelacakan, x.aduan?.pelapor])).toEqual([
      [2, 'L-1', { nama: 'Siti', nik: '3375010101010001' }],
      [3, 'G-1', null],
    ]);
    expect(r.rows.filter((x) => x.masalah).map((x) => x.line)).toEqual([4, 5, 6, 7, 8, 9, 10]);
    expect(r.rows.find((x) => x.line === 9)?.masalah).toEqual([{ kode: 'nik', kolom: 'pelapor_nik', nilai: '123' }]);
  });
  it('refuses a header without the required columns', () => {
    expect(readAduanCsv('kanal,judul\nlapor,x\n', { kanal: ['lapor'], timeZone: 'Asia/Jakarta' }).header).toEqual({ kode: 'kolomHilang', kolom: ['nomor_pelacakan', 'jenis', 'diterima'] });
  });
});

describe('evaluation report (quarterly)', () => {
  it('volumes, returns, share on time and median working minutes per step', () => {
    const step = (aksi: string, dari: AduanStatus | null, ke: AduanStatus, at: string) => ({ aksi: aksi as AduanAction, dariStatus: dari, keStatus: ke, at: wib(at) });
    const r = laporanAduan(cal, DEFAULT_KANAL, [
      {
        kanal: 'laporgub', jenis: 'pengaduan', opd: 'Dinas Pendidikan', receivedAt: wib('2026-11-19T10:00'),
        langkah: [
          step('catat', null, 'diterima', '2026-11-19T10:00'),
          step('disposisi', 'diterima', 'didisposisi', '2026-11-19T11:00'),
          step('kembalikan', 'didisposisi', 'dikembalikan_oleh_opd', '2026-11-20T09:00'),
          step('disposisi', 'dikembalikan_oleh_opd', 'didisposisi', '2026-11-20T10:00'),
          step('tindaklanjut', 'didisposisi', 'ditindaklanjuti', '2026-11-23T09:00'),
          step('konfirmasi', 'ditindaklanjuti', 'dikonfirmasi', '2026-11-23T11:00'),
        ],
      },
      {
        kanal: 'lapor', jenis: 'aspirasi', opd: 'Dinas Kesehatan', receivedAt: wib('2026-11-16T08:00'),
        langkah: [
          step('catat', null, 'diterima', '2026-11-16T08:00'),
          step('disposisi', 'diterima', 'didisposisi', '2026-11-17T08:00'),
          step('tindaklanjut', 'didisposisi', 'ditindaklanjuti', '2026-11-25T08:00'),
          step('konfirmasi', 'ditindaklanjuti', 'dikonfirmasi', '2026-11-25T09:00'),
          step('verifikasi', 'dikonfirmasi', 'terverifikasi', '2026-11-26T09:00'),
          step('selesai', 'terverifikasi', 'selesai', '2026-11-26T10:00'),
        ],
      },
    ]);
    expect(r).toEqual({
      jumlah: 2,
      perKanal: { laporgub: 1, lapor: 1 },
      perJenis: { pengaduan: 1, aspirasi: 1 },
      perOpd: { 'Dinas Pendidikan': 1, 'Dinas Kesehatan': 1 },
      pengembalian: { kantor_ke_hulu: 0, opd_ke_kantor: 1, hulu_ke_kantor: 0 },
      tahap: {
        // LG 60 + 60 (no LaporGub! step deadline), LAPOR! 420 within its 3 days
        verifikasi: { selesai: 3, bertenggat: 1, tepatWaktu: 1, medianMenit: 60 },
        // LG 300 and 120; LAPOR! 2280 > 5 days (due Tue 24 08:00, done Wed 25 08:00)
        tindakLanjut: { selesai: 3, bertenggat: 1, tepatWaktu: 0, medianMenit: 300 },
        konfirmasi: { selesai: 2, bertenggat: 0, tepatWaktu: 0, medianMenit: 90 },
        // LG received Thu 10:00, due Mon 10:00, confirmed Mon 11:00 (660 min): late; LAPOR! 2760 min, no deadline
        layanan: { selesai: 2, bertenggat: 1, tepatWaktu: 0, medianMenit: 1710 },
      },
      selesai: 1,
    });
  });
});
