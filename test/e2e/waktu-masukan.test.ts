/**
 * Issue 13: a date or time typed without a zone is the office's (config office.timeZone), not midnight UTC nor
 * the zone of the process running sandi. `akun simpan --diubah 2026-12-01` is the start of 1 December in the
 * office; `terima tandaterima --waktu 2026-12-07T09:30` is 09:30 office time (an explicit Z/offset is honoured).
 * The built CLI on a demo home set to Asia/Jayapura (WIT, UTC+9), the process in UTC, no TTY.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sandi, tempHome } from '../helpers/cli.js';
import { ARSIP_PASSPHRASE } from '../helpers/terima-fixture.js';

const ZONE = 'Asia/Jayapura';
let home: { dir: string; cleanup: () => void };
const run = (args: string[], input?: string) =>
  sandi(['--home', home.dir, '--no-input', ...args], { env: { TZ: 'UTC', SANDI_OPERATOR: 'sandiman-e2e', SANDI_PASSPHRASE_ARSIP: ARSIP_PASSPHRASE }, ...(input === undefined ? {} : { input }) });
const config = () => join(home.dir, 'config.json');
const setConfig = (f: (c: Record<string, unknown>) => void) => {
  const c = JSON.parse(readFileSync(config(), 'utf8')) as Record<string, unknown>;
  f(c);
  writeFileSync(config(), JSON.stringify(c, null, 2));
};
/** "2026-12-07T09:30" as the office's wall clock shows `at` */
const wallClock = (at: Date): string => {
  const p = Object.fromEntries(new Intl.DateTimeFormat('en-CA', { timeZone: ZONE, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(at).map((x) => [x.type, x.value]));
  return `${p['year']}-${p['month']}-${p['day']}T${p['hour']}:${p['minute']}`;
};

beforeAll(() => {
  home = tempHome('sandi-e2e-waktu-masukan-');
  expect(sandi(['--home', home.dir, 'demo', '--json']).code).toBe(0);
  setConfig((c) => {
    (c['office'] as Record<string, unknown>)['timeZone'] = ZONE;
  });
}, 120_000);
afterAll(() => home?.cleanup());

describe('dates and times typed without a zone are office time (issue 13)', () => {
  it('terima tandaterima --waktu: the office wall clock half an hour ago is accepted (UTC would be 9 hours ahead); an explicit offset is honoured', () => {
    const inbox = join(home.dir, 'eml');
    mkdirSync(inbox);
    writeFileSync(
      join(inbox, 'a.eml'),
      ['From: Dinas Kesehatan <opd@dinkes.test>', 'To: persandian@diskominfo.test', 'Subject: Undangan rapat', 'Date: Mon, 07 Dec 2026 01:00:00 +0000', 'Message-ID: <uji-waktu-1@dinkes.test>', 'Content-Type: text/plain; charset=utf-8', '', 'Isi surat.', ''].join('\r\n'),
    );
    const steps = [
      ['terima', '--dari-folder', inbox],
      ['terima', 'cetak', 'SM/001/XII/2026', '--tanpa-printer', '--keluaran', join(home.dir, 'x.pdf')],
      ['terima', 'paraf', 'SM/001/XII/2026', '--sebagai', 'Kasi', '--nama', 'Budi'],
      ['terima', 'paraf', 'SM/001/XII/2026', '--sebagai', 'Kabid', '--nama', 'Sari'],
      ['terima', 'paraf', 'SM/001/XII/2026', '--sebagai', 'Kadis', '--nama', 'Hadi'],
      ['terima', 'antar', 'SM/001/XII/2026', '--caraka', 'Joko', '--tujuan', 'Kepala Dinas', '--tujuan', 'Sekretaris'],
    ];
    for (const s of steps) {
      const r = run(s);
      expect(r.code, `${s.join(' ')}: ${r.stderr}`).toBe(0);
    }
    // two hours ahead of now, written with the office's own offset: refused as in the future, still
    const ahead = run(['terima', 'tandaterima', 'SM/001/XII/2026', '--tujuan', 'Sekretaris', '--diterima-oleh', 'Ani', '--waktu', `${wallClock(new Date(Date.now() + 2 * 3600_000))}+09:00`]);
    expect(ahead.code, ahead.stderr).not.toBe(0);
    expect(ahead.stderr).toContain('masa depan');
    const r = run(['--json', 'terima', 'tandaterima', 'SM/001/XII/2026', '--tujuan', 'Kepala Dinas', '--diterima-oleh', 'Ani', '--waktu', wallClock(new Date(Date.now() - 30 * 60_000))]);
    expect(r.code, r.stderr).toBe(0);
    // explicit UTC: as written
    const z = run(['terima', 'tandaterima', 'SM/001/XII/2026', '--tujuan', 'Sekretaris', '--diterima-oleh', 'Ani', '--waktu', `${new Date(Date.now() - 10 * 60_000).toISOString().slice(0, 16)}Z`]);
    expect(z.code, z.stderr).toBe(0);
  });

  it('akun simpan --diubah 2026-12-01 is the start of 1 December in the office (2026-11-30T15:00Z in WIT)', () => {
    setConfig((c) => {
      c['mailbox'] = { user: 'sandi@kominfo.test', imap: { host: '127.0.0.1', port: 993, tls: 'tls' }, smtp: { host: '127.0.0.1', port: 587, tls: 'starttls' } };
    });
    const r = run(['--json', 'akun', 'simpan', '--diubah', '2026-12-01'], 'kata-sandi-uji-1\n');
    expect(r.code, r.stderr).toBe(0);
    expect(r.json<{ changedAt: string }>().changedAt).toBe('2026-11-30T15:00:00.000Z');
    const s = run(['akun', 'status']);
    expect(s.stdout).toContain('2026-12-01 00:00 WIT');
  });
});
