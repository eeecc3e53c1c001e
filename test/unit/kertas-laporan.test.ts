/**
 * The quarterly report as paper (src/adapters/export-pdf.ts laid out by src/cli/laporan.ts), checked by where
 * poppler finds the words (`pdftotext -bbox`): the letterhead centred on page 1; "Halaman X dari Y" at the bottom
 * right of every page; a table that runs onto further pages starts each of them with its header row, its numbers
 * right aligned; the signature block (place and date, title, name, NIP) whole on one page, with the section
 * before it, wherever the text before it ends.
 */
import { expect, it } from 'vitest';
import { layoutLaporan, type Kertas } from '../../src/cli/laporan.js';
import { renderPdfReport } from '../../src/adapters/export-pdf.js';
import { kopSurat, penandatangan } from '../../src/domain/kop-surat.js';
import { setLang } from '../../src/cli/messages/index.js';
import type { LaporanKinerja } from '../../src/services/laporan.js';
import { describeWith, haveCommand } from '../helpers/gate.js';
import { bboxLines, bboxPages, lineWith, type BboxPage } from '../helpers/pdf-bbox.js';

const OFFICE = {
  name: 'Dinas Komunikasi dan Informatika Kota Pekalongan',
  parent: 'Pemerintah Kota Pekalongan',
  address: 'Jl. Mataram No. 1, Pekalongan 51111',
  phone: '(0285) 421093',
  head: { title: 'Kepala Dinas Komunikasi dan Informatika Kota Pekalongan', name: 'Dr. SITI AMINAH, S.Kom., M.T.', nip: '197612312005012003' },
};
const KERTAS: Kertas = { kop: kopSurat(OFFICE, 'persandian@pekalongankota.go.id'), penandatangan: penandatangan(OFFICE) };

/** Only what layoutLaporan reads: `late` late letters, a few notes at the end. */
function report(late: number, notes: number): LaporanKinerja {
  return {
    periode: { dari: '2026-10-01', sampai: '2026-12-31', triwulan: '2026-IV', zona: 'Asia/Jakarta' },
    kantor: OFFICE.name,
    dibuat: '2026-12-31T09:00:00.000Z',
    volume: [],
    sla: { total: 0 },
    terlambat: Array.from({ length: late }, (_, i) => ({
      nomor: `SM/${String(i + 1).padStart(4, '0')}/XII/2026`,
      pengirim: 'Setda',
      perihal: null,
      diterimaAt: '2026-12-01T02:00:00.000Z',
      tertahan: 'paraf',
      pemegang: 'Kabid',
      menitLayanan: [7, 480, 12345][i % 3],
      batasLayanan: '2026-12-04T09:00:00.000Z',
      selesai: false,
    })),
    batal: [],
    aduan: { jumlah: 0 },
    audit: { ok: true, rows: 3, lastHash: 'ab'.repeat(32), broken: null, findings: 0, checkpoint: null },
    belumTersedia: Array.from({ length: notes }, (_, i) => `Catatan ${i + 1}: belum ada datanya.`),
  } as unknown as LaporanKinerja;
}

const SIGNATURE = ['Pekalongan, 31 Desember 2026', 'Kepala Dinas Komunikasi', 'Dr. SITI AMINAH, S.Kom., M.T.', 'NIP. 197612312005012003'];

/** The page and line where `text` is, from the signature's column (x > half the page). */
function find(pages: BboxPage[], text: string): { page: number; yMin: number } | null {
  for (const [i, p] of pages.entries()) {
    const l = bboxLines(p).find((x) => x.text.includes(text) && x.xMin > p.width / 2);
    if (l) return { page: i, yMin: l.yMin };
  }
  return null;
}

describeWith('pdftotext (poppler-utils)', haveCommand('pdftotext', ['-v']), 'quarterly report as paper', () => {
  it('letterhead, footer on every page, the late-letters table continued under its header with numbers right aligned', async () => {
    setLang('id');
    const pages = bboxPages(await renderPdfReport(layoutLaporan(report(120, 1), 103, KERTAS)));
    expect(pages.length).toBeGreaterThanOrEqual(3);
    const [induk, nama] = bboxLines(pages[0]!);
    expect(induk!.text).toBe('PEMERINTAH KOTA PEKALONGAN');
    expect(nama!.text).toBe('DINAS KOMUNIKASI DAN INFORMATIKA KOTA PEKALONGAN');
    for (const l of [induk!, nama!]) expect(Math.abs((l.xMin + l.xMax) / 2 - pages[0]!.width / 2)).toBeLessThan(2);
    expect(lineWith(pages[0]!, 'Telepon (0285) 421093 · Pos-el persandian@pekalongankota.go.id')).toBeDefined();
    for (const [i, p] of pages.entries()) {
      const foot = lineWith(p, `Halaman ${i + 1} dari ${pages.length}`);
      expect(foot, `page ${i + 1}: footer`).toBeDefined();
      expect(foot!.yMax).toBeGreaterThan(p.height - 40);
      expect(foot!.xMax).toBeGreaterThan(p.width - 60);
      expect(foot!.text).toContain('Laporan Kinerja Layanan Persandian 2026-IV');
    }
    // every page holding late letters starts them with the header row; the minutes column is right aligned
    let seen = 0;
    for (const [i, p] of pages.entries()) {
      const rows = bboxLines(p).filter((l) => /^SM\/\d{4}\/XII\/2026/.test(l.text));
      if (rows.length === 0) continue;
      seen += rows.length;
      const header = lineWith(p, /^nomor tanggal tertahan pada dipegang oleh rata-rata menit kerja$/);
      expect(header, `page ${i + 1}: the table's header row`).toBeDefined();
      expect(header!.yMax).toBeLessThan(Math.min(...rows.map((r) => r.yMin)));
      if (i > 0) expect(header!.yMin, `page ${i + 1}: header at the top`).toBeLessThan(80);
      const minutes = p.words.filter((w) => /^(7|480|12345)$/.test(w.text));
      expect(new Set(minutes.map((w) => w.text)).size).toBe(3);
      const right = minutes.map((w) => w.xMax);
      expect(Math.max(...right) - Math.min(...right)).toBeLessThan(0.5);
      // dates on paper written out
      expect(rows[0]!.text).toContain('1 Desember 2026');
    }
    expect(seen).toBe(120);
  });

  it('the signature block is whole on one page, with the section before it, wherever the text above ends', async () => {
    setLang('id');
    const pagesSeen = new Set<number>();
    // three more notes each time move the end of the text down by three lines (37.5 pt, a quarter of the block), across
    // the end of page 2 (at 54 notes the block moves to page 3): each place the block could be cut is met
    for (let notes = 37; notes <= 58; notes += 3) {
      const pages = bboxPages(await renderPdfReport(layoutLaporan(report(20, notes), 103, KERTAS)));
      const at = SIGNATURE.map((s) => find(pages, s));
      expect(at.every((x) => x !== null), `notes ${notes}: every signature line`).toBe(true);
      const page = at[0]!.page;
      expect(at.map((x) => x!.page), `notes ${notes}: on one page`).toEqual([page, page, page, page]);
      // in order, top to bottom, with room to sign between the title and the name
      const y = at.map((x) => x!.yMin);
      expect(y[1]! > y[0]! && y[2]! > y[1]! + 40 && y[3]! > y[2]!).toBe(true);
      // the last section goes with it
      const heading = pages.findIndex((p) => lineWith(p, 'Belum tersedia dalam data'));
      if (notes <= 40) expect(heading, `notes ${notes}: with its section`).toBe(page);
      pagesSeen.add(pages.length);
    }
    // the loop did cross a page end
    expect(pagesSeen.size).toBeGreaterThan(1);
  });

  it('a signature block given as lines is not split either where its signing room was under-counted', async () => {
    // before, the block asked for 14 pt a line + 40 but took 13 a line + 48 to sign + 24 above: ending the text
    // 132–137 pt above the page's foot (7 subtitle lines, 40 text lines) put the name alone on the next page
    const pages = bboxPages(
      await renderPdfReport({
        title: 'Laporan',
        subtitle: Array.from({ length: 7 }, (_, i) => `Keterangan ${i + 1}`),
        sections: [{ heading: 'Catatan', text: Array.from({ length: 40 }, (_, i) => `Baris ${i + 1}.`) }],
        signature: ['Pekalongan, 31 Desember 2026', 'Kepala Dinas', 'NAMA KEPALA DINAS'],
      }),
    );
    const at = ['Pekalongan,', 'Kepala', 'NAMA'].map((w) => pages.findIndex((p) => p.words.some((x) => x.text === w)));
    expect(at[0]).toBeGreaterThanOrEqual(0);
    expect(at).toEqual([at[0], at[0], at[0]]);
  });
});
