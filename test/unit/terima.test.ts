import { describe, expect, it } from 'vitest';
import {
  forwardedTo,
  refusalCode,
  DEFAULT_TERIMA_CONFIG,
  TARAKAN_STANDARDS,
  checkParaf,
  findLetterNumber,
  forwardAddressProblem,
  forwardAllowed,
  measureLetter,
  normaliseSifat,
  parseTerimaConfig,
  rejectsKriptogram,
  ruteAntar,
  summarise,
} from '../../src/domain/terima.js';
import { workingCalendar } from '../../src/domain/working-time.js';
import { DEFAULT_SERVICE_HOURS } from '../../src/domain/service-hours.js';

describe('terima configuration', () => {
  it('defaults: INBOX, Kasi → Kabid → Kadis, Tarakan standards (85 minutes), 1 working day', () => {
    const r = parseTerimaConfig(undefined);
    expect('config' in r && r.config).toEqual(DEFAULT_TERIMA_CONFIG);
    expect(Object.values(TARAKAN_STANDARDS)).toEqual([10, 10, 5, 10, 5, 10, 5, 20, 10]);
  });
  it.each([
    [{ paraf: ['Sub Koordinator'] }, null],
    [{ standar: [1, 2, 3, 4, 5, 6, 7, 8, 9] }, null],
    [{ standar: { tandaterima: 30 } }, null],
    [{ printer: 'HP_LaserJet-1' }, null],
    [{ paraf: [] }, 'terima.paraf'],
    [{ paraf: ['Kasi', 'Kasi'] }, 'terima.paraf'],
    [{ standar: [1, 2] }, 'terima.standar'],
    [{ standar: { lain: 3 } }, 'terima.standar.lain'],
    [{ printer: 'a b; rm -rf' }, 'terima.printer'],
    [{ batasUkuran: 0 }, 'terima.batasUkuran'],
    [{ layananHariKerja: 0.5 }, 'terima.layananHariKerja'],
    [{ teruskanOtomatis: 'ya' }, 'terima.teruskanOtomatis'],
    ['x', 'terima'],
  ])('%j → problem %s', (raw, key) => {
    const r = parseTerimaConfig(raw);
    expect('key' in r ? r.key : null).toBe(key);
  });
});

describe('letter fields', () => {
  it.each([
    ['Nomor : 005/117/SETDA/2026\nTanggal : 20 November 2026\n', '005/117/SETDA/2026', '20 November 2026'],
    ['  No. : 800/45/BKPSDM\n', '800/45/BKPSDM', null],
    ['Nomor: Istimewa\n', null, null],
    ['Tidak ada nomor di sini', null, null],
    ['', null, null],
  ])('%j', (text, nomor, tanggal) => {
    expect(findLetterNumber(text)).toEqual({ nomorSurat: nomor, tanggalSurat: tanggal });
  });
  it('summary', () => {
    expect(summarise('  a\n\n b  ')).toBe('a b');
    expect(summarise('x'.repeat(300), 10)).toBe(`${'x'.repeat(9)}…`);
    expect(summarise(null)).toBeNull();
  });
});

describe('paraf order and courier route', () => {
  const order = ['Kasi', 'Kabid', 'Kadis'];
  it.each([
    [[], 'Kasi', null],
    [[], 'kasi', null],
    [[], 'Kabid', { problem: 'outOfOrder', expected: 'Kasi' }],
    [['Kasi'], 'Kadis', { problem: 'outOfOrder', expected: 'Kabid' }],
    [['Kasi'], 'Kasi', { problem: 'alreadyDone', expected: null }],
    [['Kasi', 'Kabid'], 'Kadis', null],
    [[], 'Lurah', { problem: 'unknownTier', expected: 'Kasi, Kabid, Kadis' }],
  ])('done %j, %s → %j', (done, tier, expected) => {
    expect(checkParaf(order, done, tier)).toEqual(expected);
  });
  it.each([
    ['Wali Kota Tarakan', 'ajudan'],
    ['Sekretaris Daerah', 'ajudan'],
    ['Asisten Pemerintahan', 'ajudan'],
    ['Gubernur Jawa Tengah', 'ajudan'],
    ['Kepala Dinas Kesehatan', 'langsung'],
    ['Camat Tarakan Barat', 'langsung'],
  ])('%s → %s', (tujuan, jalur) => {
    expect(ruteAntar(tujuan)).toBe(jalur);
  });
  it('an explicit route wins', () => {
    expect(ruteAntar('Wali Kota', 'email')).toBe('email');
  });
});

describe('measureLetter', () => {
  const cal = workingCalendar({ hours: DEFAULT_SERVICE_HOURS, timeZone: 'Asia/Jakarta' });
  const base = { diterimaAt: '2026-11-27T03:30:00Z', registeredAt: '2026-11-27T03:35:00Z', adaTembusan: false, parafTiers: 1 } as const;
  it('a letter arriving Friday 10:30 WIB waits over the weekend: late only once Monday working time passes the standard', () => {
    const friday = measureLetter(cal, { ...base, status: 'terdaftar', langkah: [] }, TARAKAN_STANDARDS, 1, new Date('2026-11-27T03:50:00Z'));
    expect(friday.menunggu).toBe('cetak');
    expect(friday.terlambat).toBe(false);
    const cetak = friday.milestones.find((m) => m.name === 'cetak')!;
    expect(cetak.batas).toBe('2026-11-27T03:55:00.000Z');
    const sunday = measureLetter(cal, { ...base, status: 'terdaftar', langkah: [] }, TARAKAN_STANDARDS, 1, new Date('2026-11-29T05:00:00Z'));
    expect(sunday.menitLayanan).toBe(30); // 10:30–11:00 Friday; nothing on the weekend
    expect(sunday.batasLayanan).toBe('2026-11-30T03:30:00.000Z');
    expect(sunday.terlambat).toBe(true); // the cetak step is overdue
  });
  it('done within the standards', () => {
    const ev = (langkah: 'cetak' | 'paraf' | 'antar' | 'tandaterima' | 'arsip', at: string) => ({ langkah, at });
    const r = measureLetter(
      cal,
      {
        ...base,
        status: 'selesai',
        langkah: [ev('cetak', '2026-11-27T03:38:00Z'), ev('paraf', '2026-11-27T03:50:00Z'), ev('antar', '2026-11-27T03:52:00Z'), ev('tandaterima', '2026-11-27T03:58:00Z'), ev('arsip', '2026-11-27T03:59:00Z')],
      },
      TARAKAN_STANDARDS,
      1,
      new Date('2026-11-30T03:00:00Z'),
    );
    expect(r.selesai).toBe(true);
    expect(r.menunggu).toBeNull();
    expect(r.terlambat).toBe(false);
    expect(r.menitLayanan).toBe(29);
    expect(r.milestones.map((m) => m.menit)).toEqual([5, 0, 3, 12, 2, 6, 1]);
  });
});

describe('forwarding targets (the cc addresses are the sender\'s choice)', () => {
  it.each([
    ['opd1@dinkes.test', null],
    ['a.b+c@sub.dinkes.go.id', null],
    ['../../x@evil.test', 'bentuk'],
    ['a/b@evil.test', 'bentuk'],
    ['a\\b@evil.test', 'bentuk'],
    ['.hidden@evil.test', 'bentuk'],
    ['a\u0000b@evil.test', 'bentuk'],
    ['a\nb@evil.test', 'bentuk'],
    ['x@evil.test/../..', 'bentuk'],
    ['x@@evil.test', 'bentuk'],
    ['x@localhost', 'bentuk'],
    ['noat', 'bentuk'],
  ])('%j → %s', (address, want) => {
    expect(forwardAddressProblem(address)).toBe(want);
  });
  const allowed = { addressBook: ['Persandian@Dinkes.Demo.sandi.invalid'], domains: ['pemkot.go.id'] };
  it.each([
    ['persandian@dinkes.demo.sandi.invalid', true],
    ['kabag@pemkot.go.id', true],
    ['kadis@dinkes.pemkot.go.id', true],
    ['x@evilpemkot.go.id', false],
    ['x@pemkot.go.id.evil.test', false],
    ['relay@elsewhere.test', false],
    ['../x@pemkot.go.id', false],
  ])('automatic forwarding to %s: %s', (address, want) => {
    expect(forwardAllowed(address, allowed)).toBe(want);
  });
  it('terima.tandaTanganMinimal: how many good signatures an incoming kriptogram needs, default 1 (issue 17 section 3)', () => {
    expect(parseTerimaConfig(undefined)).toMatchObject({ config: { tandaTanganMinimal: 1 } });
    expect(parseTerimaConfig({ tandaTanganMinimal: 2 })).toMatchObject({ config: { tandaTanganMinimal: 2 } });
    for (const bad of [0, 1.5, '2', 17]) expect(parseTerimaConfig({ tandaTanganMinimal: bad })).toMatchObject({ key: 'terima.tandaTanganMinimal' });
  });

  it('terima.teruskanDomain is a list of domains', () => {
    expect(parseTerimaConfig({ teruskanDomain: [' Pemkot.go.id '] })).toMatchObject({ config: { teruskanDomain: ['pemkot.go.id'] } });
    expect(parseTerimaConfig(undefined)).toMatchObject({ config: { teruskanDomain: [] } });
    expect(parseTerimaConfig({ teruskanDomain: 'pemkot.go.id' })).toMatchObject({ key: 'terima.teruskanDomain' });
    expect(parseTerimaConfig({ teruskanDomain: ['../x'] })).toMatchObject({ key: 'terima.teruskanDomain' });
  });
});

describe('incoming kriptogram: rejected only for its own faults', () => {
  it.each([
    ['INTEGRITY', 'kriptogram.tampered', true],
    ['INTEGRITY', 'kriptogram.truncated', true],
    ['INTEGRITY', 'kriptogram.spoolDamaged', false],
    ['SIGNATURE', 'kriptogram.badSignature', true],
    ['SIGNATURE', 'kriptogram.unsigned', true],
    ['SIGNATURE', 'kriptogram.signerRevoked', true],
    ['SIGNATURE', 'kriptogram.unknownSigner', false],
    // issue 12 point 3: an expired signer is recorded as rejected with its kedaluwarsa report (agenda shows it);
    // `terima baca` can still open it once a renewed key is imported
    ['SIGNATURE', 'kriptogram.signerExpired', true],
    ['SIGNATURE', 'kriptogram.signerExpiredAtSigning', true],
    ['SIGNATURE', 'kriptogram.forwarded', true],
    ['SIGNATURE', 'kriptogram.notEnoughSigners', false],
    ['DATA', 'kriptogram.keyUnreadable', false],
    ['DATA', 'store.badSifat', false],
    ['DATA', 'kriptogram.notEncrypted', true],
    ['PERMISSION', 'kriptogram.notAddressedToUs', false],
    ['PERMISSION', 'kriptogram.wrongPassphrase', false],
  ])('%s %s → reject %s', (code, key, want) => {
    expect(rejectsKriptogram(code, key)).toBe(want);
  });
  it.each([
    ['RAHASIA', 'Rahasia'],
    ['sangat_rahasia', 'Sangat Rahasia'],
    [' Sangat  Rahasia ', 'Sangat Rahasia'],
    ['sangat-rahasia', 'Sangat Rahasia'],
    ['Konfidensial', null],
  ])('classification %j → %s', (v, want) => {
    expect(normaliseSifat(v)).toBe(want);
  });
});

describe('forwarding: what was forwarded, and how a refusal exits', () => {
  it('forwardedTo is the union of the accepted addresses of the teruskan steps (refused ones are not among them)', () => {
    const steps = [
      { langkah: 'teruskan', data: { ke: ['opd1@dinkes.test'], ditolak: [{ alamat: 'relay@elsewhere.test', balasan: '554 5.7.1', kode: 554 }] } },
      { langkah: 'cetak', data: { penerima: ['x'] } },
      { langkah: 'teruskan', data: { ke: ['OPD1@dinkes.test', 'opd2@disdik.test'] } },
      { langkah: 'teruskan', data: null },
    ];
    expect(forwardedTo(steps)).toEqual(['opd1@dinkes.test', 'opd2@disdik.test']);
    expect(forwardedTo([])).toEqual([]);
  });
  it('refusalCode: TEMPFAIL only when every refusal is 4xx', () => {
    expect(refusalCode([450, 451])).toBe('TEMPFAIL');
    expect(refusalCode([450, 554])).toBe('DATA');
    expect(refusalCode([null])).toBe('DATA');
    expect(refusalCode([])).toBe('DATA');
  });
});
