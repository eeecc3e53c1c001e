/**
 * An A4 report as PDF (pdf-lib, in subsets of a Unicode font: src/adapters/pdf-font.ts): the office letterhead,
 * a title, headed sections of proportional text and tables drawn as ruled grids (numbers right aligned, cells
 * wrapped at spaces, the header row repeated on each page a table continues on), a signature block for the head
 * of office that is never split across pages (it moves whole to the next page, with the last section when both
 * fit there), and "Halaman X dari Y" in every page's footer. Layout by hand on pdf-lib: what the report needs is
 * a few hundred lines, where a layout library (pdfmake: several MB, its own fonts and document model) would
 * replace the font subsetting and fallback the print pack shares.
 * Written atomically (temporary file, fsync, rename), so a failed write never leaves half a PDF. Text stays
 * extractable (pdftotext reads it).
 */
import { open, rename, unlink } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join, resolve } from 'node:path';
import { PDFDocument, rgb, type PDFFont, type PDFPage } from 'pdf-lib';
import type { KopSurat } from '../domain/kop-surat.js';
import { SandiError } from '../errors.js';
import { drawable, embedPdfFonts, textWidth, type PdfFontFiles } from './pdf-font.js';
import { PDF_MONO_COLUMNS } from '../domain/laporan.js';

/** A table cell: text, a number (right aligned), or bars (each `n` of `of`, side by side; light = the late part). */
export type PdfCell = string | number | { bars: readonly { n: number; of: number; light?: boolean }[]; lebar?: number };

/** A table drawn as a ruled grid; its header row is drawn again at the top of each page it continues on. */
export interface PdfTable {
  header: readonly string[];
  rows: readonly (readonly PdfCell[])[];
  /** per column; default: a column of numbers right, anything else left */
  align?: readonly ('left' | 'right')[];
}

export interface PdfSection {
  heading: string;
  /** proportional text lines */
  text?: readonly string[];
  /** tables drawn as tables (the PDF uses these instead of `pre` when a section has them) */
  tables?: readonly PdfTable[];
  /** fixed-width lines (a table laid out for the terminal); drawn only when the section has no `tables` */
  pre?: readonly string[];
}

/** The signature block: the lines above the space to sign (place and date, title), the name, the lines under it (NIP). */
export interface PdfSignature {
  above: readonly string[];
  name: string;
  below: readonly string[];
}

export interface PdfReport {
  /** the office letterhead at the top of the first page */
  kop?: KopSurat;
  title: string;
  subtitle: readonly string[];
  sections: readonly PdfSection[];
  /** the signature block, bottom right, never split across pages; as lines: the last is the name */
  signature: readonly string[] | PdfSignature;
  /** every page's footer: `left` (e.g. the report's title) and "Halaman X dari Y" at the right */
  footer?: { left: string; page: (x: number, y: number) => string };
}

const A4: [number, number] = [595.28, 841.89];
const MARGIN = 50;
const WIDTH = A4[0] - 2 * MARGIN;
const TOP = A4[1] - MARGIN;
/** content ends here; the footer is below */
const BOTTOM = MARGIN;
const FOOT_Y = 28;
const T_SIZE = 8.5;
const T_PAD = 3;
const T_LINE = T_SIZE + 2.5;
const GRID = rgb(0.45, 0.45, 0.45);
const HEAD_FILL = rgb(0.9, 0.9, 0.9);
const SIGN_LINE = 13; // 10 pt + 3
const SIGN_ROOM = 52;

export interface PdfReportOptions {
  /** font files instead of DejaVu Sans (config.json "pdf") */
  fonts?: Partial<PdfFontFiles>;
  /** told when the standard fonts had to be used (text outside WinAnsi folded or '?') */
  onFontFallback?: (fallback: { file: string; reason: string }) => void;
}

/** `text` in lines no wider than `width` at `size`, broken at spaces; a word wider than the line is cut. */
function wrapText(font: PDFFont, text: string, size: number, width: number): string[] {
  const out: string[] = [];
  for (const para of text.split(/\r?\n/)) {
    let cur = '';
    for (const word of para.split(' ')) {
      const next = cur.length === 0 ? word : `${cur} ${word}`;
      if (textWidth(font, next, size) <= width || cur.length === 0) {
        cur = next;
        continue;
      }
      out.push(cur);
      cur = word;
    }
    // a word alone wider than the line: cut between code points
    let rest = [...cur];
    while (rest.length > 1 && textWidth(font, rest.join(''), size) > width) {
      let n = rest.length - 1;
      while (n > 1 && textWidth(font, rest.slice(0, n).join(''), size) > width) n--;
      out.push(rest.slice(0, n).join(''));
      rest = rest.slice(n);
    }
    out.push(rest.join(''));
  }
  return out;
}

class Layout {
  page!: PDFPage;
  y = 0;
  readonly pages: PDFPage[] = [];

  /** `plain`: the standard fonts, which lack the bar and arrow the report draws */
  constructor(
    private readonly doc: PDFDocument,
    private readonly plain: boolean,
  ) {
    this.newPage();
  }

  newPage(): void {
    this.page = this.doc.addPage(A4);
    this.pages.push(this.page);
    this.y = TOP;
  }

  /** a new page unless `h` points fit above the bottom margin; true when a page was begun */
  need(h: number): boolean {
    if (this.y - h >= BOTTOM || this.y === TOP) return false;
    this.newPage();
    return true;
  }

  line(text: string, font: PDFFont, size: number, x = MARGIN): void {
    this.need(size + 3);
    this.y -= size + 3;
    this.page.drawText(this.drawable(font, text), { x, y: this.y, size, font, color: rgb(0, 0, 0) });
  }

  centred(text: string, font: PDFFont, size: number): void {
    for (const l of wrapText(font, this.drawable(font, text), size, WIDTH)) this.line(l, font, size, MARGIN + (WIDTH - textWidth(font, l, size)) / 2);
  }

  drawable(font: PDFFont, text: string): string {
    return drawable(font, this.plain ? text.replace(/█/g, '#').replace(/░/g, '-').replace(/→/g, '->') : text);
  }

  /** proportional text wrapped to the page width */
  wrapped(text: string, font: PDFFont, size: number): void {
    for (const l of wrapText(font, this.drawable(font, text), size, WIDTH)) this.line(l, font, size);
  }

  /** the height `wrapped` takes */
  wrappedHeight(text: string, font: PDFFont, size: number): number {
    return wrapText(font, this.drawable(font, text), size, WIDTH).length * (size + 3);
  }
}

const isBars = (c: PdfCell): c is Extract<PdfCell, { bars: unknown }> => typeof c === 'object';

/** A table as a ruled grid: columns sized to their content within the page width, cells wrapped at spaces. */
class TableDrawer {
  private readonly widths: number[];
  private readonly align: ('left' | 'right')[];
  private readonly cells: { lines: string[][]; height: number }[];
  private readonly head: { lines: string[][]; height: number };

  constructor(
    private readonly L: Layout,
    private readonly t: PdfTable,
    private readonly font: PDFFont,
    private readonly bold: PDFFont,
  ) {
    const n = t.header.length;
    const text = (c: PdfCell | undefined, f: PDFFont = font): string => (c === undefined || isBars(c) ? '' : L.drawable(f, String(c)));
    this.align = t.header.map((_, i) => t.align?.[i] ?? (t.rows.length > 0 && t.rows.every((r) => typeof r[i] === 'number' || r[i] === '-' || r[i] === '') && t.rows.some((r) => typeof r[i] === 'number') ? 'right' : 'left'));
    // natural widths: the widest cell (bars: room for 100 points), then fitted to the page
    const natural = t.header.map((h, i) => {
      const bars = t.rows.some((r) => isBars(r[i] ?? ''));
      const w = Math.max(textWidth(bold, L.drawable(bold, h), T_SIZE), ...t.rows.map((r) => textWidth(font, text(r[i]), T_SIZE)), bars ? 100 : 8);
      return w + 2 * T_PAD;
    });
    const sum = natural.reduce((a, b) => a + b, 0);
    let widths = natural;
    if (sum > WIDTH) {
      // shrink the columns wider than an even share, in proportion, so the narrow ones (numbers, dates) stay whole
      const fair = WIDTH / n;
      const under = natural.filter((w) => w <= fair).reduce((a, b) => a + b, 0);
      const over = sum - under;
      widths = natural.map((w) => (w <= fair ? w : (w * (WIDTH - under)) / over));
    } else {
      // stretch to the page width, the text columns taking the room
      const grow = natural.map((w, i) => (this.align[i] === 'left' ? w : 0));
      const g = grow.reduce((a, b) => a + b, 0) || sum;
      widths = natural.map((w, i) => w + ((WIDTH - sum) * (g === sum ? w : (grow[i] ?? 0))) / g);
    }
    this.widths = widths;
    const lay = (row: readonly PdfCell[], f: PDFFont): { lines: string[][]; height: number } => {
      const lines = widths.map((w, i) => wrapText(f, text(row[i], f), T_SIZE, w - 2 * T_PAD));
      return { lines, height: Math.max(1, ...lines.map((l) => l.length)) * T_LINE + 2 * T_PAD };
    };
    this.head = lay(t.header, bold);
    this.cells = t.rows.map((r) => lay(r, font));
  }

  /** the height of the header and the first row: what must fit for the table to start on this page */
  startHeight(): number {
    return this.head.height + (this.cells[0]?.height ?? 0);
  }

  draw(): void {
    this.L.need(this.startHeight());
    this.row(this.t.header, this.head, true);
    for (const [i, r] of this.t.rows.entries()) {
      const c = this.cells[i]!;
      if (this.L.need(c.height)) this.row(this.t.header, this.head, true);
      this.row(r, c, false);
    }
    this.L.y -= 6;
  }

  private row(row: readonly PdfCell[], c: { lines: string[][]; height: number }, header: boolean): void {
    const { page } = this.L;
    const top = this.L.y;
    let x = MARGIN;
    for (const [i, w] of this.widths.entries()) {
      page.drawRectangle({ x, y: top - c.height, width: w, height: c.height, borderWidth: 0.5, borderColor: GRID, ...(header ? { color: HEAD_FILL } : {}) });
      const cell = row[i];
      if (!header && cell !== undefined && isBars(cell)) {
        let bx = x + T_PAD;
        for (const b of cell.bars) {
          const bw = b.of > 0 && b.n > 0 ? Math.max(1, (b.n / b.of) * (w - 2 * T_PAD)) : 0;
          if (bw > 0) page.drawRectangle({ x: bx, y: top - T_PAD - T_SIZE, width: bw, height: T_SIZE - 1, color: b.light ? rgb(0.78, 0.78, 0.78) : rgb(0.3, 0.3, 0.3) });
          bx += bw;
        }
      } else {
        const f = header ? this.bold : this.font;
        for (const [j, l] of (c.lines[i] ?? []).entries()) {
          const tx = this.align[i] === 'right' ? x + w - T_PAD - textWidth(f, l, T_SIZE) : x + T_PAD;
          page.drawText(l, { x: tx, y: top - T_PAD - (j + 1) * T_LINE + 2.5, size: T_SIZE, font: f, color: rgb(0, 0, 0) });
        }
      }
      x += w;
    }
    this.L.y = top - c.height;
  }
}


const isLines = (s: PdfReport['signature']): s is readonly string[] => Array.isArray(s);
const asSignature = (s: PdfReport['signature']): PdfSignature => (isLines(s) ? { above: s.slice(0, -1), name: s.at(-1) ?? '', below: [] } : s);

/** Render the report to PDF bytes. */
export async function renderPdfReport(r: PdfReport, o: PdfReportOptions = {}): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  doc.setTitle(r.title);
  doc.setProducer('sandi');
  const needMono = r.sections.some((s) => (s.tables ?? []).length === 0 && (s.pre ?? []).length > 0);
  const fonts = await embedPdfFonts(doc, o.fonts, { mono: needMono });
  if (fonts.fallback) o.onFontFallback?.(fonts.fallback);
  const { regular: font, bold, mono } = fonts;
  const L = new Layout(doc, !fonts.unicode);
  if (r.kop) {
    if (r.kop.induk) L.centred(r.kop.induk, bold, 12);
    L.centred(r.kop.nama, bold, 14);
    for (const b of r.kop.baris) L.centred(b, font, 9);
    L.y -= 6;
    L.page.drawLine({ start: { x: MARGIN, y: L.y }, end: { x: A4[0] - MARGIN, y: L.y }, thickness: 1.6, color: rgb(0, 0, 0) });
    L.page.drawLine({ start: { x: MARGIN, y: L.y - 3 }, end: { x: A4[0] - MARGIN, y: L.y - 3 }, thickness: 0.5, color: rgb(0, 0, 0) });
    L.y -= 16;
    L.centred(r.title, bold, 14);
    for (const s of r.subtitle) L.centred(s, font, 10);
  } else {
    L.wrapped(r.title, bold, 15);
    for (const s of r.subtitle) L.wrapped(s, font, 10);
  }
  // the signature block's lines wrapped to the right half of the page
  const x = A4[0] / 2 + 20;
  const sigWidth = A4[0] - MARGIN - x;
  const raw = asSignature(r.signature);
  const fit = (lines: readonly string[]): string[] => lines.flatMap((l) => wrapText(font, L.drawable(font, l), 10, sigWidth));
  const sig = { above: fit(raw.above), name: wrapText(bold, L.drawable(bold, raw.name), 10, sigWidth), below: fit(raw.below) };
  const sigHeight = 24 + (sig.above.length + sig.name.length + sig.below.length) * SIGN_LINE + SIGN_ROOM;
  const page = TOP - BOTTOM;
  for (const [n, sec] of r.sections.entries()) {
    const tables = (sec.tables ?? []).map((t) => new TableDrawer(L, t, font, bold));
    const text = sec.text ?? [];
    const headingH = 8 + 14;
    // a heading never ends a page: it goes with the first line, or the first table's header and row
    const first = text.length > 0 ? L.wrappedHeight(text[0] as string, font, 9.5) : (tables[0]?.startHeight() ?? 12);
    const last = n === r.sections.length - 1;
    // the last section goes with the signature block when both fit on one page
    const whole = headingH + text.reduce((h, x) => h + L.wrappedHeight(x, font, 9.5), 0);
    if (last && tables.length === 0 && (sec.pre ?? []).length === 0 && whole + sigHeight <= page) L.need(whole + sigHeight);
    else L.need(headingH + first);
    L.y -= 8;
    L.line(sec.heading, bold, 11);
    for (const t of text) L.wrapped(t, font, 9.5);
    if (tables.length > 0) {
      L.y -= 3;
      for (const t of tables) t.draw();
    } else {
      // 8 pt DejaVu Sans Mono (or Courier): 4.8 pt per character, ~103 characters on the line; longer lines are cut
      for (const p of sec.pre ?? []) L.line(p.length > PDF_MONO_COLUMNS ? `${p.slice(0, PDF_MONO_COLUMNS - 1)}~` : p, mono, 8);
    }
  }
  // the signature block: whole on this page or whole on the next, never split
  L.need(sigHeight);
  L.y -= 24;
  for (const s of sig.above) L.line(s, font, 10, x);
  L.y -= SIGN_ROOM;
  for (const s of sig.name) {
    L.line(s, bold, 10, x);
    // a name is underlined; a placeholder "(...)" is not
    if (!/^\(.*\)$/.test(raw.name.trim())) L.page.drawLine({ start: { x, y: L.y - 1.5 }, end: { x: x + textWidth(bold, s, 10), y: L.y - 1.5 }, thickness: 0.6, color: rgb(0, 0, 0) });
  }
  for (const s of sig.below) L.line(s, font, 10, x);
  // footers, now that the number of pages is known
  if (r.footer) {
    const total = L.pages.length;
    for (const [i, p] of L.pages.entries()) {
      const left = L.drawable(font, r.footer.left);
      const right = L.drawable(font, r.footer.page(i + 1, total));
      p.drawLine({ start: { x: MARGIN, y: FOOT_Y + 11 }, end: { x: A4[0] - MARGIN, y: FOOT_Y + 11 }, thickness: 0.4, color: GRID });
      p.drawText(left, { x: MARGIN, y: FOOT_Y, size: 8, font, color: rgb(0, 0, 0) });
      p.drawText(right, { x: A4[0] - MARGIN - textWidth(font, right, 8), y: FOOT_Y, size: 8, font, color: rgb(0, 0, 0) });
    }
  }
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
