/**
 * The PDF font helper (src/adapters/pdf-font.ts) and its two users' text: a DejaVu Sans subset keeps text
 * outside WinAnsi intact through pdftotext (the laporan report here; the print pack in
 * test/integration/print-cups.test.ts), the standard fonts fold it with a warning; the `pdf` config section.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PDFDocument } from 'pdf-lib';
import { DEFAULT_FONT_FILES, drawable, embedPdfFonts, textWidth } from '../../src/adapters/pdf-font.js';
import { renderPdfReport, type PdfReport } from '../../src/adapters/export-pdf.js';
import { defaultConfig, validateConfig } from '../../src/config/config.js';
import { SandiError } from '../../src/errors.js';
import { param } from '../../src/cli/messages/index.js';
import { describeWith, haveCommand } from '../helpers/gate.js';

const HAVE_DEJAVU = Object.values(DEFAULT_FONT_FILES).every((f) => existsSync(f));
const HAVE_PDFTOTEXT = haveCommand('pdftotext', ['-v']);

const REPORT: PdfReport = {
  title: 'Laporan Kinerja — Dinas Šćž Ağ ẞ',
  subtitle: ['Periode 2026-IV, disusun oleh Çağrı Yılmaz'],
  sections: [
    { heading: 'Volume', text: ['Surat masuk dari Bağlantı Žilina: 12'], pre: ['Okt  ████████ 8', 'Nov  ████ 4 → naik'] },
  ],
  signature: ['Kota Contoh, 31 Desember 2026', 'Kepala Dinas', 'Dvořák'],
};

/** pdftotext's reading, runs of spaces as one (its layout mode spaces fixed-width lines its own way) */
function pdfText(bytes: Uint8Array): string {
  return execFileSync('pdftotext', ['-layout', '-', '-'], { input: Buffer.from(bytes), encoding: 'utf8' }).replace(/ +/g, ' ');
}

describeWith('fonts-dejavu-core (/usr/share/fonts/truetype/dejavu) and pdftotext', HAVE_DEJAVU && HAVE_PDFTOTEXT, 'PDF fonts: DejaVu subset, Helvetica fallback', () => {
  it('embeds DejaVu subsets; drawable keeps every character the font has', async () => {
    const doc = await PDFDocument.create();
    const f = await embedPdfFonts(doc, {}, { mono: true });
    expect(f.unicode).toBe(true);
    expect(f.fallback).toBeNull();
    expect(drawable(f.regular, 'Šćž Ağ ẞ ı ș — “x”\tend')).toBe('Šćž Ağ ẞ ı ș — “x”    end');
    // a character DejaVu Sans lacks (CJK) and a control character
    expect(drawable(f.regular, '中\u0007')).toBe('??');
    expect(textWidth(f.regular, 'Ağ ẞ', 10)).toBeCloseTo(f.regular.widthOfTextAtSize('Ağ ẞ', 10), 0);
  });

  it('the report (laporan) through the shared helper: outside WinAnsi, bars and arrows intact; a small subset', async () => {
    const fallbacks: unknown[] = [];
    const bytes = await renderPdfReport(REPORT, { onFontFallback: (x) => fallbacks.push(x) });
    expect(fallbacks).toEqual([]);
    const text = pdfText(bytes);
    expect(text).toContain('Laporan Kinerja — Dinas Šćž Ağ ẞ');
    expect(text).toContain('Çağrı Yılmaz');
    expect(text).toContain('Bağlantı Žilina');
    expect(text).toContain('Nov ████ 4 → naik');
    expect(text).toContain('Dvořák');
    // three subsets (regular, bold, mono) of fonts of 760 + 710 + 340 kB
    expect(bytes.length).toBeLessThan(60_000);
  });

  it('a font that cannot be read: Helvetica/Courier for all, folded text, bars as #, the caller told', async () => {
    const fallbacks: { file: string; reason: string }[] = [];
    const bytes = await renderPdfReport(REPORT, { fonts: { bold: '/nonexistent/Bold.ttf' }, onFontFallback: (x) => fallbacks.push(x) });
    expect(fallbacks).toEqual([{ file: '/nonexistent/Bold.ttf', reason: 'ENOENT' }]);
    const text = pdfText(bytes);
    expect(text).toContain('Laporan Kinerja — Dinas Šcž Ag ?');
    expect(text).toContain('Çagr? Y?lmaz'); // Ç is WinAnsi, ğ folds to g, the dotless ı has no fold
    expect(text).toContain('Nov #### 4 -> naik');
    expect(text).toContain('Dvorák');
    const doc = await PDFDocument.create();
    // a file that is not a font
    const notAFont = await embedPdfFonts(doc, { regular: '/etc/passwd' });
    expect(notAFont.unicode).toBe(false);
    expect(notAFont.fallback?.file).toBe('/etc/passwd');
    expect(drawable(notAFont.regular, 'Šćž ẞ')).toBe('Šcž ?');
  });
});

describe('config "pdf" section', () => {
  const base = (): Record<string, unknown> =>
    JSON.parse(JSON.stringify(defaultConfig({ officeName: 'Diskominfo Kota Contoh', unitCode: 'KOMINFO', archiveKey: 'A'.repeat(40) }))) as Record<string, unknown>;
  const errorOf = (raw: unknown): SandiError => {
    try {
      validateConfig(raw, '/x/config.json');
    } catch (e) {
      if (e instanceof SandiError) return e;
      throw e;
    }
    throw new Error('expected a SandiError');
  };

  it('is optional and kept as written', () => {
    expect(validateConfig(base(), '/x/config.json').pdf).toBeUndefined();
    const c = validateConfig({ ...base(), pdf: { font: '/opt/fonts/NotoSans-Regular.ttf', fontBold: 'fonts/NotoSans-Bold.otf' } }, '/x/config.json');
    expect(c.pdf).toEqual({ font: '/opt/fonts/NotoSans-Regular.ttf', fontBold: 'fonts/NotoSans-Bold.otf' });
  });

  it.each([
    ['pdf', 'DejaVuSans.ttf', 'object'],
    ['pdf.font', { font: '' }, 'font file'],
    ['pdf.font', { font: '/usr/share/fonts/x.pfb' }, '.ttf, .otf'],
    ['pdf.fontMono', { fontMono: 7 }, 'font file'],
    ['pdf.ukuran', { ukuran: 10 }, 'one of "font", "fontBold", "fontMono"'],
  ])('names %s and what is expected', (key, value, expected) => {
    const e = errorOf({ ...base(), pdf: value });
    expect(e.code).toBe('CONFIG');
    expect(e.params['key']).toBe(key);
    expect(param(e.params['expected']!, 'en')).toContain(expected);
  });
});
