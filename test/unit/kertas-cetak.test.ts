/**
 * The print pack as paper (src/adapters/print.ts), checked by where poppler finds the words, not only that they
 * are there: the letterhead centred at the top of each cover sheet; on every page of every copy, the attached
 * documents' pages included (one rotated by 90°, one landscape), the footer "Halaman X dari Y" at the bottom
 * right, the agenda number and the copy at the bottom left, and RAHASIA at the top and the bottom, with the
 * attached page's own content reduced to clear them.
 */
import { expect, it } from 'vitest';
import { PDFDocument, StandardFonts, concatTransformationMatrix, degrees } from 'pdf-lib';
import { buildPrintPack, type KartuKendali } from '../../src/adapters/print.js';
import { kopSurat } from '../../src/domain/kop-surat.js';
import { t } from '../../src/cli/messages/index.js';
import { describeWith, haveCommand } from '../helpers/gate.js';
import { bboxLines, bboxPages, lineWith } from '../helpers/pdf-bbox.js';

const KARTU: KartuKendali = {
  instansi: 'Dinas Komunikasi dan Informatika Kota Pekalongan',
  nomorAgenda: 'SM/0042/XII/2026',
  diterimaAt: '6 Desember 2026 pukul 09.15 WIB',
  pengirim: 'Sekretariat Daerah <setda@pemkot.test>',
  nomorSurat: '005/117/SETDA',
  tanggalSurat: '1 Desember 2026',
  perihal: 'Undangan rapat',
  isiRingkas: null,
  kepada: ['Wali Kota'],
  tembusan: [],
  sifat: 'Rahasia',
  derajat: 'Segera',
  lampiran: ['lampiran.pdf'],
  paraf: ['Kasi', 'Kabid'],
};

/** An attachment of three pages: A4 portrait, US Letter rotated by 90°, A4 landscape. */
async function lampiran(): Promise<Buffer> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  const p1 = doc.addPage([595, 842]);
  p1.drawText('LAMPIRAN SATU', { x: 60, y: 700, size: 14, font });
  // printed to the page's foot, where the pack's footer goes
  p1.drawText('KAKI LAMPIRAN', { x: 420, y: 30, size: 10, font });
  const p2 = doc.addPage([612, 792]);
  p2.drawText('LAMPIRAN DUA', { x: 60, y: 700, size: 14, font });
  p2.setRotation(degrees(90));
  // a page whose content leaves the graphics state changed, as a scanner's "w 0 0 h 0 0 cm /Im0 Do" without
  // q/Q does (valid: balanced, just never restored): the stamp drawn after must not be moved by it
  const p3 = doc.addPage([842, 595]);
  p3.drawText('LAMPIRAN TIGA', { x: 60, y: 500, size: 14, font });
  p3.pushOperators(concatTransformationMatrix(0.5, 0, 0, 0.5, 300, 300));
  return Buffer.from(await doc.save());
}

describeWith('pdftotext (poppler-utils)', haveCommand('pdftotext', ['-v']), 'print pack pages as paper', () => {
  it('letterhead centred on each cover; every page of every copy has its footer at the bottom and RAHASIA top and bottom', async () => {
    const pack = await buildPrintPack({
      kartu: {
        ...KARTU,
        kop: kopSurat(
          { name: 'Dinas Komunikasi dan Informatika Kota Pekalongan', parent: 'Pemerintah Kota Pekalongan', address: 'Jl. Mataram No. 1, Pekalongan 51111', phone: '(0285) 421093', website: 'diskominfo.pekalongankota.go.id' },
          'persandian@pekalongankota.go.id',
        ),
      },
      copies: [
        { penerima: 'Wali Kota', jalur: 'ajudan' },
        { penerima: 'Kepala Dinas Kesehatan', jalur: 'caraka' },
      ],
      isi: 'Dengan hormat, kami mengundang Bapak/Ibu.',
      pdfLampiran: [{ name: 'lampiran.pdf', content: await lampiran() }],
      label: (k, p) => t(k, p, 'id'),
    });
    expect(pack.copyPages).toEqual([5, 5]); // cover, letter, 3 attached pages
    const loaded = await PDFDocument.load(pack.pdf);
    const pages = bboxPages(pack.pdf);
    expect(pages).toHaveLength(10);
    for (const [i, page] of pages.entries()) {
      const copy = Math.floor(i / 5) + 1;
      const n = (i % 5) + 1;
      // the page as shown: poppler gives word boxes in the shown frame but the unrotated size
      const turned = loaded.getPage(i).getRotation().angle % 180 !== 0;
      const [w, h] = turned ? [page.height, page.width] : [page.width, page.height];
      const foot = lineWith(page, `Halaman ${n} dari 5`);
      expect(foot, `page ${i + 1}: footer`).toBeDefined();
      expect(foot!.yMax, `page ${i + 1}: footer at the bottom`).toBeGreaterThan(h - 60);
      expect(foot!.xMax, `page ${i + 1}: footer at the right`).toBeGreaterThan(w - 60);
      const nomor = lineWith(page, 'SM/0042/XII/2026');
      const bottomNomor = bboxLines(page).find((l) => l.text.includes(`SM/0042/XII/2026 · Salinan ${copy}/2`));
      expect(nomor, `page ${i + 1}: agenda number`).toBeDefined();
      expect(bottomNomor!.yMax).toBeGreaterThan(h - 60);
      expect(bottomNomor!.xMin).toBeLessThan(60);
      const marks = page.words.filter((x) => x.text === 'RAHASIA');
      expect(marks.some((m) => m.yMin < 40), `page ${i + 1}: RAHASIA at the top`).toBe(true);
      expect(marks.some((m) => m.yMax > h - 20), `page ${i + 1}: RAHASIA at the bottom`).toBe(true);
      // centred across the shown width
      for (const m of marks) expect(Math.abs((m.xMin + m.xMax) / 2 - w / 2)).toBeLessThan(3);
      // an attached page's own content is reduced clear of the footer and the marking bands
      const own = bboxLines(page).filter((l) => /LAMPIRAN/.test(l.text));
      if (n >= 3) expect(own.length, `page ${i + 1}: the attachment's text`).toBeGreaterThan(0);
      for (const l of own) {
        expect(l.yMax, `page ${i + 1}: ${l.text} above the footer`).toBeLessThan(foot!.yMin - 2);
        expect(l.yMin, `page ${i + 1}: ${l.text} under the top marking`).toBeGreaterThan(Math.max(...marks.filter((m) => m.yMin < 40).map((m) => m.yMax)));
      }
    }
    for (const i of [0, 5]) {
      const lines = bboxLines(pages[i]!);
      const w = pages[i]!.width;
      const [induk, nama, alamat, kontak] = lines.filter((l) => l.yMax > 40).slice(0, 4);
      expect(induk!.text).toBe('PEMERINTAH KOTA PEKALONGAN');
      expect(nama!.text).toBe('DINAS KOMUNIKASI DAN INFORMATIKA KOTA PEKALONGAN');
      expect(alamat!.text).toBe('Jl. Mataram No. 1, Pekalongan 51111');
      expect(kontak!.text).toBe('Telepon (0285) 421093 · Pos-el persandian@pekalongankota.go.id · Laman diskominfo.pekalongankota.go.id');
      for (const l of [induk!, nama!, alamat!, kontak!]) expect(Math.abs((l.xMin + l.xMax) / 2 - w / 2)).toBeLessThan(2);
      expect(lineWith(pages[i]!, 'LEMBAR PENGANTAR')!.yMin).toBeGreaterThan(kontak!.yMax);
    }
  });
});
