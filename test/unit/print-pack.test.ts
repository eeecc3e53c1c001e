/**
 * The print pack's PDF attachments across copies (src/adapters/print.ts): a large scan is in the file once
 * however many recipients get a copy; every copy still shows it, with its rotation and the secrecy marking;
 * a page with annotations is copied whole for each copy.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { expect, it } from 'vitest';
import { PDFDocument, PDFName, PDFString, StandardFonts, degrees } from 'pdf-lib';
import { buildPrintPack, type KartuKendali } from '../../src/adapters/print.js';
import { describeWith, haveCommand } from '../helpers/gate.js';

const KARTU: KartuKendali = {
  instansi: 'Dinas Komunikasi dan Informatika',
  nomorAgenda: 'SM/0042/XI/2026',
  diterimaAt: '25-11-2026 09:00',
  pengirim: 'Sekretariat Daerah <setda@pemkot.test>',
  nomorSurat: '005/117/SETDA',
  tanggalSurat: '20 November 2026',
  perihal: 'Undangan rapat',
  isiRingkas: null,
  kepada: ['Kepala Dinas'],
  tembusan: [],
  sifat: 'Rahasia',
  derajat: 'Segera',
  lampiran: ['pindaian.pdf'],
  paraf: ['Kasi', 'Kabid'],
};

/** A 3-page "scan": page 1 carries ~1.5 MB of content (as a scanned image would), page 2 is rotated, page 3 has a link annotation. */
async function scan(): Promise<Buffer> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  for (const n of [1, 2, 3]) doc.addPage([595, 842]).drawText(`HALAMAN PINDAIAN ${n}`, { x: 60, y: 700, size: 14, font });
  const [p1, p2, p3] = doc.getPages();
  // the bulk: a content stream of a comment, which draws nothing (a scan would be an image XObject)
  p1!.node.addContentStream(doc.context.register(doc.context.stream(`% ${randomBytes(1_100_000).toString('base64')}\n`)));
  p2!.setRotation(degrees(90));
  const link = doc.context.obj({ Type: 'Annot', Subtype: 'Link', Rect: [60, 690, 300, 720], Border: [0, 0, 0], A: { S: 'URI', URI: PDFString.of('https://jdih.example.go.id') } });
  p3!.node.set(PDFName.of('Annots'), doc.context.obj([doc.context.register(link)]));
  return Buffer.from(await doc.save({ useObjectStreams: false }));
}

describeWith('pdftotext (poppler-utils)', haveCommand('pdftotext', ['-v']), 'print pack attachments', () => {
  it('three copies carry the scan once; each copy shows every page, rotated as it was, marked RAHASIA; the annotated page is whole in each', async () => {
    const content = await scan();
    const pack = await buildPrintPack({
      kartu: KARTU,
      copies: [
        { penerima: 'Wali Kota', jalur: 'ajudan' },
        { penerima: 'Kepala Dinas Kesehatan', jalur: 'caraka' },
        { penerima: 'Kepala Dinas Pendidikan', jalur: 'caraka' },
      ],
      isi: 'Isi surat.',
      pdfLampiran: [{ name: 'pindaian.pdf', content }],
      label: (k, p) => `${k}${p ? ` ${JSON.stringify(p)}` : ''}`,
    });
    expect(pack.copyPages).toEqual([5, 5, 5]); // cover sheet, letter, 3 scan pages
    // once, not three times (it was 3 x 1.5 MB before)
    expect(pack.pdf.length).toBeLessThan(content.length + 400_000);

    const out = await PDFDocument.load(pack.pdf);
    const pages = out.getPages();
    expect(pages).toHaveLength(15);
    for (const c of [0, 1, 2]) {
      expect(pages[c * 5 + 3]!.getRotation().angle).toBe(90);
      expect(pages[c * 5 + 2]!.getRotation().angle).toBe(0);
      expect(pages[c * 5 + 4]!.node.Annots()?.size()).toBe(1);
    }
    // an annotation belongs to one page: each copy's is its own object
    const annotRefs = [0, 1, 2].map((c) => String(pages[c * 5 + 4]!.node.Annots()!.get(0)));
    expect(new Set(annotRefs).size).toBe(3);

    const text = execFileSync('pdftotext', ['-layout', '-', '-'], { input: Buffer.from(pack.pdf), encoding: 'utf8' });
    for (const n of [1, 2, 3]) expect(text.match(new RegExp(`HALAMAN PINDAIAN ${n}`, 'g'))).toHaveLength(3);
    // the marking on every page: top and bottom of the 15 pages
    expect(text.match(/RAHASIA/g)?.length).toBeGreaterThanOrEqual(30);
    // pages of one copy are in order: cover, letter, scan 1..3
    const pagesText = text.split('\f');
    expect(pagesText[5]).toContain('terima.pdf.copy');
    expect(pagesText[7]).toContain('HALAMAN PINDAIAN 1');
    expect(pagesText[14]).toContain('HALAMAN PINDAIAN 3');
  });
});
