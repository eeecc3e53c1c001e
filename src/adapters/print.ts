/**
 * The print pack of an incoming letter (SOP step 3): for each recipient copy, the cover sheet / control card
 * (kartu kendali: agenda number, dates, sender, subject, addressees, the boxes for the tiered initials and
 * the disposition, the courier's route and the receipt), then the message text, then its PDF attachments.
 * Built with pdf-lib, in a subset of a Unicode font (src/adapters/pdf-font.ts), and always kept as a PDF file;
 * when a printer is configured, that file is also sent to CUPS with `lp` as one job (one-sided, so each copy
 * starts on its own sheet). Each cover sheet carries the office letterhead (kop surat, config.json `office`).
 * Every page of a copy, the attached documents' pages included, has a footer with the agenda number, the copy
 * and "Halaman X dari Y" (counted within the copy), and Rahasia and Sangat Rahasia are marked in red at its top
 * and bottom; on an attached page both are drawn along the edges the page is shown with (its /Rotate and
 * CropBox), its own content reduced about its centre (to ~90% on A4) to clear them and wrapped in q/Q so that
 * its graphics state cannot move them.
 */
import { execFile } from 'node:child_process';
import { PDFArray, PDFDict, PDFDocument, PDFName, PDFNumber, PDFPage, PDFRef, degrees, rgb, type PDFFont } from 'pdf-lib';
import { SandiError } from '../errors.js';
import { withoutSecrets } from '../config/child-env.js';
import { drawable, embedPdfFonts, textWidth } from './pdf-font.js';
import type { PrintPackInput, PrintPack } from '../ports/terima.js';
export type { KartuKendali, PrintCopy, PrintPackInput, PrintPack } from '../ports/terima.js';

const A4: [number, number] = [595.28, 841.89];
const MARGIN = 50;
const SIZE = 10;
const LINE = 13;

function wrap(font: PDFFont, text: string, size: number, width: number): string[] {
  const out: string[] = [];
  const space = textWidth(font, ' ', size);
  for (const para of text.split(/\r?\n/)) {
    let line = '';
    let lineWidth = 0;
    for (const w of drawable(font, para).split(' ')) {
      const ww = textWidth(font, w, size);
      const candidate = line.length === 0 ? ww : lineWidth + space + ww;
      if (candidate <= width) {
        line = line.length === 0 ? w : `${line} ${w}`;
        lineWidth = candidate;
        continue;
      }
      if (line.length > 0) out.push(line);
      // a single word wider than the line is cut (between code points)
      let rest = [...w];
      while (rest.length > 1 && textWidth(font, rest.join(''), size) > width) {
        let n = rest.length - 1;
        while (n > 1 && textWidth(font, rest.slice(0, n).join(''), size) > width) n--;
        out.push(rest.slice(0, n).join(''));
        rest = rest.slice(n);
      }
      line = rest.join('');
      lineWidth = textWidth(font, line, size);
    }
    out.push(line);
  }
  return out;
}

class Writer {
  page!: PDFPage;
  y = 0;
  constructor(
    private readonly doc: PDFDocument,
    readonly font: PDFFont,
    readonly bold: PDFFont,
  ) {}

  newPage(): void {
    this.page = this.doc.addPage(A4);
    this.y = A4[1] - MARGIN;
  }

  ensure(h: number): void {
    if (this.y - h < MARGIN) this.newPage();
  }

  text(s: string, o: { size?: number; bold?: boolean; indent?: number } = {}): void {
    const size = o.size ?? SIZE;
    const font = o.bold ? this.bold : this.font;
    const indent = o.indent ?? 0;
    for (const l of wrap(font, s, size, A4[0] - 2 * MARGIN - indent)) {
      this.ensure(size + 3);
      this.page.drawText(l, { x: MARGIN + indent, y: this.y - size, size, font });
      this.y -= size + 3;
    }
  }

  field(label: string, value: string): void {
    const lines = wrap(this.font, value || '-', SIZE, A4[0] - 2 * MARGIN - 130);
    this.ensure(LINE * lines.length);
    this.page.drawText(drawable(this.bold, label), { x: MARGIN, y: this.y - SIZE, size: SIZE, font: this.bold });
    for (const l of lines) {
      this.page.drawText(l, { x: MARGIN + 130, y: this.y - SIZE, size: SIZE, font: this.font });
      this.y -= LINE;
    }
  }

  box(label: string, height: number): void {
    this.ensure(height + LINE);
    this.page.drawText(drawable(this.bold, label), { x: MARGIN, y: this.y - SIZE, size: SIZE, font: this.bold });
    this.y -= LINE + 2;
    this.page.drawRectangle({ x: MARGIN, y: this.y - height, width: A4[0] - 2 * MARGIN, height, borderWidth: 0.8, borderColor: rgb(0, 0, 0) });
    this.y -= height + 8;
  }

  gap(h = 8): void {
    this.y -= h;
  }

  /** centred lines (the letterhead) */
  centred(s: string, o: { size: number; bold?: boolean }): void {
    const font = o.bold ? this.bold : this.font;
    for (const l of wrap(font, s, o.size, A4[0] - 2 * MARGIN)) {
      this.ensure(o.size + 3);
      const w = textWidth(font, l, o.size);
      this.page.drawText(l, { x: (A4[0] - w) / 2, y: this.y - o.size, size: o.size, font });
      this.y -= o.size + 3;
    }
  }

  /** the letterhead's closing rule: a thick line over a thin one, the width of the text */
  doubleRule(): void {
    this.y -= 4;
    this.page.drawLine({ start: { x: MARGIN, y: this.y }, end: { x: A4[0] - MARGIN, y: this.y }, thickness: 1.6, color: rgb(0, 0, 0) });
    this.page.drawLine({ start: { x: MARGIN, y: this.y - 3 }, end: { x: A4[0] - MARGIN, y: this.y - 3 }, thickness: 0.5, color: rgb(0, 0, 0) });
    this.y -= 14;
  }
}

const RED = rgb(0.8, 0, 0);
const FOOTER_SIZE = 8;

/**
 * Draw `text` at (u, v) of the page as it is shown (origin bottom left of the shown page, after /Rotate),
 * upright for the reader: a point of the shown page maps back onto the page's own coordinates per rotation.
 */
function drawShown(page: PDFPage, text: string, u: number, v: number, o: { size: number; font: PDFFont; color?: ReturnType<typeof rgb> }): void {
  const box = page.getCropBox();
  const [x0, y0, x1, y1] = [box.x, box.y, box.x + box.width, box.y + box.height];
  const r = (((page.getRotation().angle % 360) + 360) % 360) as 0 | 90 | 180 | 270;
  const at = r === 90 ? { x: x1 - v, y: y0 + u } : r === 180 ? { x: x1 - u, y: y1 - v } : r === 270 ? { x: x0 + v, y: y1 - u } : { x: x0 + u, y: y0 + v };
  page.drawText(text, { ...at, size: o.size, font: o.font, color: o.color ?? rgb(0, 0, 0), rotate: degrees(r) });
}

/** The width and height of the page as shown (a page rotated by 90° shows its height across). */
function shownSize(page: PDFPage): { width: number; height: number } {
  const box = page.getCropBox();
  const r = ((page.getRotation().angle % 360) + 360) % 360;
  return r === 90 || r === 270 ? { width: box.height, height: box.width } : { width: box.width, height: box.height };
}

/** The classification marking, centred at the top and the bottom of the page as shown. */
function markPage(page: PDFPage, font: PDFFont, marking: string): void {
  const size = 12;
  const w = font.widthOfTextAtSize(marking, size);
  const { width, height } = shownSize(page);
  drawShown(page, marking, (width - w) / 2, height - 30, { size, font, color: RED });
  drawShown(page, marking, (width - w) / 2, 18, { size, font, color: RED });
}

/** The footer: agenda number and copy at the left, "Halaman X dari Y" at the right, above the bottom marking. */
function footPage(page: PDFPage, font: PDFFont, left: string, right: string): void {
  const { width } = shownSize(page);
  const l = drawable(font, left);
  const r = drawable(font, right);
  drawShown(page, l, MARGIN, 34, { size: FOOTER_SIZE, font });
  drawShown(page, r, width - MARGIN - textWidth(font, r, FOOTER_SIZE), 34, { size: FOOTER_SIZE, font });
}

/** The content stream references of a page, in order. */
function contentRefs(page: PDFPage): PDFRef[] {
  const c = page.node.get(PDFName.of('Contents'));
  if (c instanceof PDFArray) return c.asArray().filter((x): x is PDFRef => x instanceof PDFRef);
  return c instanceof PDFRef ? [c] : [];
}

/**
 * Another page showing what `page` shows: a new page object whose content streams and resources (a scan's
 * image, its fonts) are the same objects as `page`'s, so a large attachment is in the file once however
 * many copies print it. Its boxes and rotation are the page's own (pdf-lib's copyPages made them explicit).
 * A page with annotations (form fields, whose values print through them) is copied in full instead: an
 * annotation belongs to one page.
 */
function sharedPage(doc: PDFDocument, page: PDFPage): PDFPage {
  const twin = PDFPage.create(doc);
  for (const [key, value] of page.node.entries()) {
    if (key === PDFName.of('Parent') || key === PDFName.of('Annots')) continue; // its own (empty) list
    twin.node.set(key, value);
  }
  return twin;
}

/** Room kept free on an attached page as shown: the marking at the top, the footer and the marking at the bottom. */
const BAND_TOP = 40;
const BAND_BOTTOM = 48;

/**
 * The matrix that reduces an attached page's content, about its centre, so that it clears the bands the stamp
 * is drawn in (a scan printed to its edges would otherwise lie under the footer): [s 0 0 s e f] in the page's
 * own coordinates, the shift taken along the page's "up" as shown.
 */
function fitMatrix(page: PDFPage): [number, number, number, number, number, number] {
  const box = page.getCropBox();
  const { height } = shownSize(page);
  const s = Math.min(1, (height - BAND_TOP - BAND_BOTTOM) / height);
  const r = ((page.getRotation().angle % 360) + 360) % 360;
  const up = r === 90 ? [-1, 0] : r === 180 ? [0, -1] : r === 270 ? [1, 0] : [0, 1];
  const shift = (BAND_BOTTOM - BAND_TOP) / 2;
  const cx = box.x + box.width / 2;
  const cy = box.y + box.height / 2;
  return [s, 0, 0, s, (1 - s) * cx + shift * (up[0] as number), (1 - s) * cy + shift * (up[1] as number)];
}

/** The page's annotations moved with its content (an annotation's appearance follows its Rect). */
function fitAnnotations(doc: PDFDocument, page: PDFPage, m: readonly number[]): void {
  const annots = page.node.Annots();
  if (!annots) return;
  const [s, , , , e, f] = m as [number, number, number, number, number, number];
  for (let i = 0; i < annots.size(); i++) {
    const annot = doc.context.lookupMaybe(annots.get(i), PDFDict);
    const rect = annot?.lookupMaybe(PDFName.of('Rect'), PDFArray);
    if (!annot || !rect || rect.size() !== 4) continue;
    const v = rect.asArray().map((x) => (x instanceof PDFNumber ? x.asNumber() : 0));
    annot.set(PDFName.of('Rect'), doc.context.obj([s * v[0]! + e, s * v[1]! + f, s * v[2]! + e, s * v[3]! + f]));
  }
}

/**
 * Give an attached page its own content list: its document's streams between a q (with the reducing matrix)
 * and a Q, so that neither an unbalanced graphics state in them nor their extent can move or hide the stamp
 * drawn after.
 */
function ownContents(doc: PDFDocument, page: PDFPage, base: PDFRef[], wrapRefs: { q: PDFRef; Q: PDFRef }): void {
  page.node.set(PDFName.of('Contents'), doc.context.obj([wrapRefs.q, ...base, wrapRefs.Q]));
}

/** Build the pack: one cover sheet (with the letterhead) + message + PDF attachments per copy, each page footed and marked. */
export async function buildPrintPack(input: PrintPackInput): Promise<PrintPack> {
  const L = input.label;
  const doc = await PDFDocument.create();
  doc.setTitle(`${input.kartu.nomorAgenda} — ${input.kartu.perihal ?? ''}`);
  doc.setCreator('sandi');
  const fonts = await embedPdfFonts(doc, input.fonts);
  const { regular: font, bold } = fonts;
  const marking = input.kartu.sifat === 'Rahasia' || input.kartu.sifat === 'Sangat Rahasia' ? input.kartu.sifat.toUpperCase() : null;
  const skipped: string[] = [];
  const loaded: { name: string; doc: PDFDocument }[] = [];
  for (const a of input.pdfLampiran) {
    try {
      loaded.push({ name: a.name, doc: await PDFDocument.load(a.content, { updateMetadata: false }) });
    } catch {
      skipped.push(a.name);
    }
  }
  const k = input.kartu;
  const kop = k.kop ?? { induk: null, nama: k.instansi ?? '', baris: [] };
  const copyPages: number[] = [];
  // the attachments' pages, copied in once: later copies show the same content streams (annotated pages,
  // whose annotations belong to one page, are copied again from the attachment for each copy)
  const Q = doc.context.register(doc.context.stream('\nQ\n'));
  const masters: { page: PDFPage; base: PDFRef[]; src: PDFDocument; index: number; annotated: boolean; fit: number[]; wrap: { q: PDFRef; Q: PDFRef } }[] = [];
  for (const l of loaded) {
    const pages = await doc.copyPages(l.doc, l.doc.getPageIndices());
    for (const [index, page] of pages.entries()) {
      const fit = fitMatrix(page);
      const q = doc.context.register(doc.context.stream(`q ${fit.map((x) => x.toFixed(4)).join(' ')} cm\n`));
      masters.push({ page, base: contentRefs(page), src: l.doc, index, annotated: (page.node.Annots()?.size() ?? 0) > 0, fit, wrap: { q, Q } });
    }
  }
  for (const [i, copy] of input.copies.entries()) {
    const before = doc.getPageCount();
    const w = new Writer(doc, font, bold);
    w.newPage();
    if (kop.induk) w.centred(kop.induk, { size: 12, bold: true });
    w.centred(kop.nama, { size: 14, bold: true });
    for (const b of kop.baris) w.centred(b, { size: 9 });
    w.doubleRule();
    w.text(L('terima.pdf.title'), { size: 14, bold: true });
    w.text(L('terima.pdf.copy', { n: i + 1, of: input.copies.length, penerima: copy.penerima }), { size: 11, bold: true });
    w.gap();
    w.field(L('terima.pdf.nomorAgenda'), k.nomorAgenda);
    w.field(L('terima.pdf.diterima'), k.diterimaAt);
    w.field(L('terima.pdf.pengirim'), k.pengirim);
    w.field(L('terima.pdf.nomorSurat'), [k.nomorSurat, k.tanggalSurat].filter(Boolean).join(', '));
    w.field(L('terima.pdf.perihal'), k.perihal ?? '');
    w.field(L('terima.pdf.isiRingkas'), k.isiRingkas ?? '');
    w.field(L('terima.pdf.kepada'), k.kepada.join('; '));
    w.field(L('terima.pdf.tembusan'), k.tembusan.join('; '));
    w.field(L('terima.pdf.sifat'), `${k.sifat} / ${k.derajat}`);
    w.field(L('terima.pdf.lampiran'), k.lampiran.join('; '));
    w.field(L('terima.pdf.untuk'), copy.penerima);
    w.field(L('terima.pdf.rute'), copy.jalur);
    w.gap();
    w.text(L('terima.pdf.paraf'), { bold: true });
    for (const tier of k.paraf) w.text(`${tier}:  ${L('terima.pdf.parafLine')}`, { indent: 10 });
    w.gap();
    w.box(L('terima.pdf.disposisi'), 90);
    w.box(L('terima.pdf.tandaTerima'), 50);
    // the message
    w.newPage();
    w.text(L('terima.pdf.isi', { nomor: k.nomorAgenda }), { bold: true });
    w.gap(4);
    w.text(input.isi.length > 0 ? input.isi : L('terima.pdf.kosong'));
    // then this copy's PDF attachments, each page with its own content list for this copy's footer
    for (const m of masters) {
      let page: PDFPage;
      if (i === 0) page = m.page;
      else if (m.annotated) page = (await doc.copyPages(m.src, [m.index]))[0]!;
      else page = sharedPage(doc, m.page);
      ownContents(doc, page, i > 0 && m.annotated ? contentRefs(page) : m.base, m.wrap);
      // this page's own annotations (the master's in the first copy, a fresh copy's later)
      if (m.annotated) fitAnnotations(doc, page, m.fit);
      doc.addPage(page);
    }
    // every page of this copy: the marking and the footer (its page count is known only now)
    const pages = doc.getPages().slice(before);
    const left = `${k.nomorAgenda} · ${L('kertas.salinan', { n: i + 1, of: input.copies.length })}`;
    pages.forEach((page, n) => {
      if (marking) markPage(page, bold, marking);
      footPage(page, font, left, L('kertas.halaman', { x: n + 1, y: pages.length }));
    });
    copyPages.push(pages.length);
  }
  const pdf = await doc.save();
  return { pdf, pages: doc.getPageCount(), pagesPerCopy: copyPages[0] ?? 0, copyPages, skipped, fontFallback: fonts.fallback };
}

/** A CUPS queue name as `lp -d` takes it: printable, no space, '/', '#', quote or backslash, not an option. */
export function printerNameProblem(name: string): boolean {
  return name.length === 0 || name.length > 127 || name.startsWith('-') || /[\s/#\\'"\x00-\x1f\x7f]/.test(name);
}

/** The job ids in lp's reply ("request id is kantor-12 (1 file(s))"). */
export function lpJobIds(reply: string): string[] {
  return [...reply.matchAll(/request id is (\S+)/g)].map((m) => m[1] as string);
}

interface Run {
  code: number | string | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv, timeout: number): Promise<Run> {
  return new Promise((resolve) => {
    execFile(cmd, args, { timeout, env, encoding: 'utf8' }, (err, stdout, stderr) => {
      const e = err as (NodeJS.ErrnoException & { killed?: boolean }) | null;
      resolve({ code: e ? (e.code ?? 1) : 0, stdout, stderr, timedOut: e?.killed === true });
    });
  });
}

/**
 * Send the print pack `file` to the CUPS queue `printer` with `lp` (argv, no shell) as one job, one-sided so
 * that every copy starts on its own sheet; returns lp's reply, whose job id lpJobIds() reads. `lp` runs with
 * `env` (default: this process's; CUPS_SERVER there picks the scheduler) less the secret variables, in the C
 * locale so that its reply can be read. When lp fails, `lpstat` tells why: lp missing, the scheduler not
 * running, no such printer (with the printers there are), or the printer's own refusal; each is a
 * SandiError UNAVAILABLE naming the printer and the kept PDF file, which the operator can print by hand.
 */
export async function printWithLp(file: string, printer: string, title: string, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  if (printerNameProblem(printer)) throw new SandiError('USAGE', 'terima.badPrinter', { printer: JSON.stringify(printer) });
  const childEnv = { ...withoutSecrets(env), LC_ALL: 'C', LANG: 'C' };
  const server = env['CUPS_SERVER'] && env['CUPS_SERVER'].length > 0 ? env['CUPS_SERVER'] : 'localhost';
  const lp = await run('lp', ['-d', printer, '-t', title, '-o', 'sides=one-sided', '--', file], childEnv, 60_000);
  if (lp.code === 0) return lp.stdout.trim();
  const params = { printer, file, server };
  if (lp.code === 'ENOENT') throw new SandiError('UNAVAILABLE', 'terima.lpMissing', params, { hint: 'terima.lpMissing.hint' });
  const reason = (lp.timedOut ? 'timeout (60 s)' : lp.stderr.trim() || `exit ${String(lp.code)}`).replace(/^lp:\s*/, '').slice(0, 200);
  const scheduler = await run('lpstat', ['-r'], childEnv, 10_000);
  if (/not running/i.test(scheduler.stdout) || (scheduler.code !== 0 && scheduler.code !== 'ENOENT')) {
    throw new SandiError('UNAVAILABLE', 'terima.cupsDown', params, { hint: 'terima.cupsDown.hint' });
  }
  if (/does not exist|not found/i.test(reason)) {
    const known = await run('lpstat', ['-e'], childEnv, 10_000);
    const names = known.code === 0 ? known.stdout.split('\n').map((x) => x.trim()).filter(Boolean) : [];
    throw new SandiError('UNAVAILABLE', 'terima.printerUnknown', { ...params, available: names.length > 0 ? names.join(', ') : '-' }, { hint: 'terima.printerUnknown.hint' });
  }
  throw new SandiError('UNAVAILABLE', 'terima.printFailed', { ...params, reason }, { hint: 'terima.printFailed.hint' });
}
