/**
 * Issue 13 defect 2: a classified incoming letter. An .eml whose text says "Sifat : Rahasia" is registered
 * Rahasia (it was Biasa), its summary is neither searchable nor exported; `terima klasifikasi` sets or corrects
 * the classification as an event (an anotasi koreksi; the audit chain stays whole) with the same effect; the
 * print pack is marked on every page. Defect 1 (tanggal_surat): the written date is kept and also read into a
 * calendar date. The built CLI on a demo home, no TTY.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sandi, tempHome } from '../helpers/cli.js';
import { compose, smallPdf } from '../helpers/terima-fixture.js';
import { haveCommand } from '../helpers/gate.js';
import type { FetchReport } from '../../src/services/terima/index.js';

let home: { dir: string; cleanup: () => void };
const run = (args: string[]) => sandi(['--home', home.dir, '--no-input', ...args], { env: { SANDI_OPERATOR: 'sandiman-e2e' } });

type Lihat = { baris: { sifat: string; derajat: string; tanggal_surat: string | null; tanggal_surat_iso: string | null; isi_ringkas: string | null } };
const cari = (word: string): string[] => {
  const r = run(['--json', 'agenda', 'masuk', 'cari', word]);
  expect(r.code, r.stderr).toBe(0);
  return r.json<{ baris: { nomor: string }[] }>().baris.map((b) => b.nomor);
};
const ekspor = (): string => {
  const r = run(['agenda', 'masuk', 'ekspor']);
  expect(r.code, r.stderr).toBe(0);
  return r.stdout;
};

async function fetchOne(name: string, mail: Parameters<typeof compose>[0]): Promise<string> {
  const dir = join(home.dir, `eml-${name}`);
  mkdirSync(dir);
  writeFileSync(join(dir, `${name}.eml`), await compose(mail));
  const r = run(['terima', '--dari-folder', dir, '--json']);
  expect(r.code, r.stderr).toBe(0);
  const baru = r.json<FetchReport>().baru;
  expect(baru).toHaveLength(1);
  return baru[0]!.nomor;
}

let rahasia = '';
let biasa = '';

beforeAll(async () => {
  if (!existsSync(resolve(import.meta.dirname, '../../dist/cli/terima.js'))) throw new Error('dist/ is not built: run `npm run build` first');
  home = tempHome('sandi-e2e-klasifikasi-');
  expect(sandi(['--home', home.dir, 'demo', '--json']).code).toBe(0);
  rahasia = await fetchOne('rahasia', {
    from: 'setda@pemkot.test',
    to: 'sandi@kominfo.test',
    subject: 'Undangan rapat koordinasi',
    text: 'Nomor : 005/117/SETDA/2026\nTanggal : 1 Des 2026\nSifat : Rahasia\nDerajat : Segera\n\nMohon hadir membahas rencana pengamanan Gajahmungkur di lokasi yang dirahasiakan.\n',
    messageId: '<rahasia-klas@pemkot.test>',
    attachments: [{ filename: 'lampiran.pdf', content: await smallPdf(['Lampiran surat rahasia']), contentType: 'application/pdf' }],
  });
  biasa = await fetchOne('biasa', {
    from: 'dinkes@pemkot.test',
    to: 'sandi@kominfo.test',
    subject: 'Laporan bulanan',
    text: 'Nomor : 440/88/DINKES/2026\nTanggal : 01-12-2026\n\nLaporan stok Zamrudhijau gudang farmasi bulan November.\n',
    messageId: '<biasa-klas@pemkot.test>',
  });
}, 120_000);
afterAll(() => home?.cleanup());

describe('a classified incoming letter (issue 13 defect 2)', () => {
  it('"Sifat : Rahasia" in the text registers it Rahasia (and Segera); its summary is neither searchable nor exported', () => {
    const shown = run(['--json', 'agenda', 'masuk', 'lihat', rahasia]);
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.json<Lihat>().baris).toMatchObject({ sifat: 'Rahasia', derajat: 'Segera', isi_ringkas: null });
    expect(shown.stdout).not.toContain('Gajahmungkur'); // nor in the registration event shown as its history
    expect(cari('Gajahmungkur')).toEqual([]);
    // the subject and the parties are register metadata: still found
    expect(cari('koordinasi')).toEqual([rahasia]);
    const csv = ekspor();
    expect(csv).toContain(rahasia);
    expect(csv).not.toContain('Gajahmungkur');
    // a Biasa letter's summary is searchable and exported as before
    expect(cari('Zamrudhijau')).toEqual([biasa]);
    expect(ekspor()).toContain('Zamrudhijau');
  });

  it('`terima klasifikasi` records the classification as an event: summary out of search and exports, audit periksa still 0', () => {
    expect(run(['terima', 'klasifikasi', biasa, '--sifat', 'Rahasia']).code).toBe(64); // no --alasan
    const bad = run(['terima', 'klasifikasi', biasa, '--sifat', 'Rahasiaa', '--alasan', 'x']);
    expect(bad.code).toBe(65);
    expect(bad.stderr).toContain('Rahasiaa');
    expect(run(['terima', 'klasifikasi', biasa, '--alasan', 'x']).code).toBe(64); // neither --sifat nor --derajat

    const r = run(['--json', 'terima', 'klasifikasi', biasa, '--sifat', 'rahasia', '--alasan', 'Kop surat bercap RAHASIA; teks email tidak menyebutkannya']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.json<{ sifat: string; sebelum: { sifat: string } }>()).toMatchObject({ sifat: 'Rahasia', sebelum: { sifat: 'Biasa' } });
    expect(cari('Zamrudhijau')).toEqual([]);
    expect(ekspor()).not.toContain('Zamrudhijau');
    const shown = run(['--json', 'agenda', 'masuk', 'lihat', biasa]);
    expect(shown.json<Lihat>().baris).toMatchObject({ sifat: 'Rahasia', isi_ringkas: null });
    expect(shown.stdout).not.toContain('Zamrudhijau');
    // --sifat filters on the classification that applies
    const secret = run(['--json', 'agenda', 'masuk', 'daftar', '--sifat', 'Rahasia']);
    expect(secret.json<{ baris: { nomor: string }[] }>().baris.map((b) => b.nomor).sort()).toEqual([rahasia, biasa].sort());
    const audit = run(['audit', 'periksa']);
    expect(audit.code, audit.stdout + audit.stderr).toBe(0);

    // corrected back: the summary is searchable again (the latest correction applies)
    expect(run(['terima', 'klasifikasi', biasa, '--sifat', 'Biasa', '--alasan', 'Salah baca kop']).code).toBe(0);
    expect(cari('Zamrudhijau')).toEqual([biasa]);
    expect(run(['audit', 'periksa']).code).toBe(0);
  });

  it.runIf(haveCommand('pdftotext', ['-v']))('the print pack of a Rahasia letter is marked RAHASIA on every page (cover, letter, attachment)', () => {
    const out = join(home.dir, 'cetak-rahasia.pdf');
    const r = run(['terima', 'cetak', rahasia, '--tanpa-printer', '--keluaran', out]);
    expect(r.code, r.stderr).toBe(0);
    const pages = execFileSync('pdftotext', ['-layout', out, '-'], { encoding: 'utf8' }).split('\f').filter((p) => p.trim().length > 0);
    expect(pages.length).toBeGreaterThanOrEqual(3);
    for (const p of pages) expect(p).toContain('RAHASIA');

    // a letter registered Biasa and classified afterwards: the correction applies to the paper too
    expect(run(['terima', 'klasifikasi', biasa, '--sifat', 'Sangat Rahasia', '--alasan', 'Arahan Kasi']).code).toBe(0);
    const out2 = join(home.dir, 'cetak-koreksi.pdf');
    expect(run(['terima', 'cetak', biasa, '--tanpa-printer', '--keluaran', out2]).code).toBe(0);
    const pages2 = execFileSync('pdftotext', ['-layout', out2, '-'], { encoding: 'utf8' }).split('\f').filter((p) => p.trim().length > 0);
    expect(pages2.length).toBeGreaterThanOrEqual(2);
    for (const p of pages2) expect(p).toContain('SANGAT RAHASIA');
  });
});

describe("the letter's own date (issue 13 defect 1)", () => {
  it('is kept as written and read into a calendar date ("1 Des 2026", "01-12-2026")', () => {
    expect(run(['--json', 'agenda', 'masuk', 'lihat', rahasia]).json<Lihat>().baris).toMatchObject({ tanggal_surat: '1 Des 2026', tanggal_surat_iso: '2026-12-01' });
    expect(run(['--json', 'agenda', 'masuk', 'lihat', biasa]).json<Lihat>().baris).toMatchObject({ tanggal_surat: '01-12-2026', tanggal_surat_iso: '2026-12-01' });
  });
});
