/**
 * `sandi periksa`, the doctor's judgements: holidays that do not cover next year (today, 6 December 2026, only
 * 2026 is bundled and 1 January 2027 counted as a working day without a word), keys expired or expiring,
 * loose modes of the home, and the deadline rule's year coverage in domain/working-time.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { judgeHolidays, judgeKeys, judgeModes } from '../../src/services/periksa.js';
import { deadlineYearsUncovered, holidayYears, isWorkingDay, parseHolidays, uncoveredYears, workingCalendar } from '../../src/domain/working-time.js';
import { DEFAULT_SERVICE_HOURS } from '../../src/domain/service-hours.js';
import type { KeyInfo } from '../../src/ports.js';
import { secretFolders } from '../../src/adapters/private-modes.js';

const BUNDLED = new URL('../../data/hari-libur-2026.tsv', import.meta.url).pathname;
const NOW = new Date('2026-12-06T03:00:00Z'); // Sunday 6 December 2026, 10:00 WIB
const dirs: string[] = [];
const temp = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'sandi-periksa-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('holidays coverage', () => {
  it('warns that 2027 is not covered by the bundled 2026 file, and says how to add it', () => {
    const found = judgeHolidays(BUNDLED, NOW, 'Asia/Jakarta');
    expect(found).toHaveLength(1);
    const [level, f] = found[0]!;
    expect(level).toBe('peringatan');
    expect(f.key).toBe('periksa.holidays.uncovered');
    expect(f.params).toMatchObject({ year: 2027, first: '2027-01-01' });
    expect(f.hint).toMatchObject({ key: 'periksa.holidays.hint', params: { year: 2027 } });
  });

  it('is quiet when this year and next are in the file; warns on a missing file; fails on a bad line', () => {
    const d = temp();
    const file = join(d, 'hari-libur.tsv');
    copyFileSync(BUNDLED, file);
    writeFileSync(file, '2027-01-01\tlibur\tTahun Baru Masehi\n', { flag: 'a' });
    expect(judgeHolidays(file, NOW, 'Asia/Jakarta')).toEqual([]);
    expect(judgeHolidays(join(d, 'tidak-ada.tsv'), NOW, 'Asia/Jakarta')[0]).toMatchObject(['peringatan', { key: 'periksa.holidays.missing' }]);
    writeFileSync(file, '1 Januari 2027\tlibur\tTahun Baru\n');
    expect(judgeHolidays(file, NOW, 'Asia/Jakarta')[0]).toMatchObject(['gagal', { key: 'config.holidaysBad', params: { line: 1 } }]);
  });

  it('domain: the years a holidays list covers, and 1 January 2027 a working day without them', () => {
    const { holidays } = parseHolidays(readFileSync(BUNDLED, 'utf8'));
    const covered = holidayYears(holidays);
    expect([...covered]).toEqual([2026]);
    expect(uncoveredYears(covered, 2026, 2027)).toEqual([2027]);
    const cal = workingCalendar({ hours: DEFAULT_SERVICE_HOURS, timeZone: 'Asia/Jakarta', holidays });
    expect(isWorkingDay(cal, '2026-01-01')).toBe(false);
    expect(isWorkingDay(cal, '2027-01-01')).toBe(true); // what the warning is about
    // a deadline's year in the office zone: 31 December 2026 20:00 UTC is 1 January 2027 in WIT
    expect(deadlineYearsUncovered(covered, 'Asia/Jayapura', [new Date('2026-12-31T20:00:00Z'), new Date('2026-12-01T00:00:00Z')])).toEqual([2027]);
    expect(deadlineYearsUncovered(covered, 'Asia/Jakarta', [new Date('2026-12-31T15:00:00Z')])).toEqual([]);
  });
});

const key = (o: Partial<KeyInfo>): KeyInfo => ({
  fingerprint: 'A'.repeat(40),
  userId: 'Sandiman <s@x.go.id>',
  role: 'sandiman',
  created: '2024-01-01T00:00:00Z',
  expires: null,
  revoked: false,
  canEncrypt: true,
  canSign: true,
  hasSecret: true,
  algorithm: 'ed25519',
  ...o,
});

describe('keys', () => {
  const day = (iso: string): string => iso.slice(0, 10);
  const kasi = key({ fingerprint: 'C'.repeat(40), role: 'kasi', userId: 'Kasi <k@x.go.id>' });

  it('fails on an expired key in use, warns 30 days ahead, ignores a replaced or revoked one', () => {
    const expired = key({ expires: '2026-12-01T00:00:00Z' });
    expect(judgeKeys([expired, kasi], null, NOW, day)).toEqual(
      expect.arrayContaining([['gagal', expect.objectContaining({ key: 'periksa.keys.expired', params: expect.objectContaining({ date: '2026-12-01' }) })]]),
    );
    const soon = key({ fingerprint: 'B'.repeat(40), expires: '2026-12-20T00:00:00Z' });
    expect(judgeKeys([expired, soon, kasi], null, NOW, day)).toEqual([['peringatan', expect.objectContaining({ key: 'periksa.keys.expiring', params: expect.objectContaining({ days: 14 }) })]]);
    const later = key({ fingerprint: 'B'.repeat(40), expires: '2027-06-01T00:00:00Z' });
    expect(judgeKeys([expired, later, kasi, key({ fingerprint: 'D'.repeat(40), revoked: true, expires: '2026-01-01T00:00:00Z' })], null, NOW, day)).toEqual([]);
    // the archive key named in config: expired is a failure even when another exists; absent is a failure
    const arsip = key({ fingerprint: 'E'.repeat(40), role: 'arsip', expires: '2026-11-01T00:00:00Z' });
    expect(judgeKeys([later, kasi, arsip], arsip.fingerprint, NOW, day)[0]![0]).toBe('gagal');
    expect(judgeKeys([later, kasi], 'F'.repeat(40), NOW, day)[0]).toMatchObject(['gagal', { key: 'periksa.keys.archiveMissing' }]);
    // a new office without a Kasi key is told how to make one
    expect(judgeKeys([later], null, NOW, day)).toEqual([['peringatan', expect.objectContaining({ key: 'periksa.keys.noRole', params: { role: 'kasi' } })]]);
  });
});

describe('modes', () => {
  it('names loose folders and secret files with the chmod that fixes them', () => {
    const home = temp();
    chmodSync(home, 0o700);
    mkdirSync(join(home, 'kunci'), { mode: 0o700 });
    writeFileSync(join(home, 'kunci', 'X.sec.asc'), 'x', { mode: 0o600 });
    writeFileSync(join(home, 'kunci', 'X.pub.asc'), 'x', { mode: 0o644 });
    expect(judgeModes(home, secretFolders)).toEqual([]);
    chmodSync(join(home, 'kunci'), 0o755);
    chmodSync(join(home, 'kunci', 'X.sec.asc'), 0o644);
    const found = judgeModes(home, secretFolders);
    expect(found.map(([l]) => l)).toEqual(['gagal', 'gagal']);
    expect(found[0]![1].hint?.params['fix']).toBe(`chmod 700 ${join(home, 'kunci')}`);
    expect(found[1]![1].hint?.params['fix']).toBe(`chmod 600 ${join(home, 'kunci', 'X.sec.asc')}`);
  });
});
