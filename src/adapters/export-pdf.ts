/**
 * A plain A4 report as PDF (pdf-lib, in subsets of a Unicode font: src/adapters/pdf-font.ts): a title, headed
 * sections of proportional text or fixed-width table lines, and a signature block for the head of office.
 * Written atomically (temporary file, fsync, rename), so a failed write never leaves half a PDF. Text stays
 * extractable (pdftotext reads it).
 */
import { open, rename, unlink } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join, resolve } from 'node:path';
import { PDFDocument, rgb, type PDFFont, type PDFPage } from 'pdf-lib';
import { SandiError } from '../errors.js';
import { drawable, embedPdfFonts, textWidth, type PdfFontFiles } from './pdf-font.js';
import { PDF_MONO_COLUMNS } from '../domain/laporan.js';

export interface PdfSection {
  heading: string;
  /** proportional text lines */
  text?: readonly string[];
  /** fixed-width lines (tables, bars) */
  pre?: readonly string[];
}

export interface PdfReport {
  title: string;
  subtitle: readonly string[];
  sections: readonly PdfSection[];
  /** lines of the signature block, bottom right: place and date, role, space to sign, name */
  signature: readonly string[];
}

const A4: [number, number] = [595.28, 841.89];
const MARGIN = 50;

export interface PdfReportOptions {
  /** font files instead of DejaVu Sans (config.json "pdf") */
  fonts?: Partial<PdfFontFiles>;
  /** told when the standard fonts had to be used (text outside WinAnsi folded or '?') */
  onFontFallback?: (fallback: { file: string; reason: string }) => void;
}

class Layout {
  page: PDFPage;
  y: number;

  /** `plain`: the standard fonts, which lack the bar and arrow the report draws */
  constructor(
    private readonly doc: PDFDocument,
    private readonly plain: boolean,
  ) {
    this.page = doc.addPage(A4);
    this.y = A4[1] - MARGIN;
  }

  need(h: number): void {
    if (this.y - h < MARGIN) {
      this.page = this.doc.addPage(A4);
      this.y = A4[1] - MARGIN;
    }
  }

  line(text: string, font: PDFFont, size: number, x = MARGIN): void {
    this.need(size + 3);
    this.y -= size + 3;
    this.page.drawText(this.drawable(font, text), { x, y: this.y, size, font, color: rgb(0, 0, 0) });
  }

  drawable(font: PDFFont, text: string): string {
    return drawable(font, this.plain ? text.replace(/█/g, '#').replace(/→/g, '->') : text);
  }

  /** proportional text wrapped to the page width */
  wrapped(text: string, font: PDFFont, size: number): void {
    const width = A4[0] - 2 * MARGIN;
    let cur = '';
    for (const word of this.drawable(font, text).split(' ')) {
      const next = cur.length === 0 ? word : `${cur} ${word}`;
      if (textWidth(font, next, size) > width && cur.length > 0) {
        this.line(cur, font, size);
        cur = word;
      } else cur = next;
    }
    if (cur.length > 0) this.line(cur, font, size);
  }
}

/** Render the report to PDF bytes. */
export async function renderPdfReport(r: PdfReport, o: PdfReportOptions = {}): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  doc.setTitle(r.title);
  doc.setProducer('sandi');
  const fonts = await embedPdfFonts(doc, o.fonts, { mono: true });
  if (fonts.fallback) o.onFontFallback?.(fonts.fallback);
  const { regular: font, bold, mono } = fonts;
  const L = new Layout(doc, !fonts.unicode);
  L.wrapped(r.title, bold, 15);
  for (const s of r.subtitle) L.wrapped(s, font, 10);
  for (const sec of r.sections) {
    L.y -= 8;
    L.line(sec.heading, bold, 11);
    for (const t of sec.text ?? []) L.wrapped(t, font, 9.5);
    // 8 pt DejaVu Sans Mono (or Courier): 4.8 pt per character, ~103 characters on the line; longer lines are cut
    for (const p of sec.pre ?? []) L.line(p.length > PDF_MONO_COLUMNS ? `${p.slice(0, PDF_MONO_COLUMNS - 1)}~` : p, mono, 8);
  }
  L.y -= 24;
  L.need(r.signature.length * 14 + 40);
  const x = A4[0] / 2 + 20;
  r.signature.forEach((s, i) => {
    if (i === r.signature.length - 1) L.y -= 48; // room to sign above the name
    L.line(s, font, 10, x);
  });
  return doc.save();
}

/** Write the report PDF to `path` atomically; returns the absolute path. */
export async function writePdfReport(r: PdfReport, path: string, o: PdfReportOptions = {}): Promise<string> {
  const target = resolve(path);
  const tmp = join(dirname(target), `.${basename(target)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  let created = false;
  try {
    const bytes = await renderPdfReport(r, o);
    const fh = await open(tmp, 'wx', 0o600);
    created = true;
    try {
      await fh.writeFile(bytes);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, target);
    created = false;
    return target;
  } catch (e) {
    if (created) await unlink(tmp).catch(() => undefined);
    throw new SandiError('IO', 'agenda.exportFailed', { path: target, reason: (e as Error).message }, { cause: e });
  }
}
