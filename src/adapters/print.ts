/**
 * The print pack of an incoming letter (SOP step 3): for each recipient copy, the cover sheet / control card
 * (kartu kendali: agenda number, dates, sender, subject, addressees, the boxes for the tiered initials and
 * the disposition, the courier's route and the receipt), then the message text, then its PDF attachments.
 * Built with pdf-lib, in a subset of a Unicode font (src/adapters/pdf-font.ts), and always kept as a PDF file;
 * when a printer is configured, that file is also sent to CUPS with `lp` as one job (one-sided, so each copy
 * starts on its own sheet). Rahasia and Sangat Rahasia are marked in red on every page.
 */
import { execFile } from 'node:child_process';
import { PDFDocument, PDFName, PDFPage, rgb, type PDFFont } from 'pdf-lib';
import { SandiError } from '../errors.js';
import { withoutSecrets } from '../config/child-env.js';
import { drawable, embedPdfFonts, textWidth, type PdfFontFiles } from './pdf-font.js';

export interface KartuKendali {
  instansi: string;
  nomorAgenda: string;
  diterimaAt: string;
  pengirim: string;
  nomorSurat: string | null;
  tanggalSurat: string | null;
  perihal: string | null;
  isiRingkas: string | null;
  kepada: string[];
  tembusan: string[];
  sifat: string;
  derajat: string;
  lampiran: string[];
  paraf: string[];
}

export interface PrintCopy {
  penerima: string;
  /** courier route for this copy, e.g. "ajudan" */
  jalur: string;
}

export interface PrintPackInput {
  kartu: KartuKendali;
  copies: PrintCopy[];
  /** the message body as text */
  isi: string;
  pdfLampiran: { name: string; content: Buffer }[];
  /** labels in the operator's language */
  label: (key: string, params?: Record<string, string | number>) => string;
  /** font files instead of DejaVu Sans (config.json "pdf") */
  fonts?: Partial<PdfFontFiles>;
}

export interface PrintPack {
  pdf: Uint8Array;
  pages: number;
  /** pages of the first copy (the others differ only when a recipient's name wraps onto another line) */
  pagesPerCopy: number;
  /** pages of each copy, in order */
  copyPages: number[];
  /** attachments that could not be added (not a readable PDF) */
  skipped: string[];
  /** the standard fonts were used (text outside WinAnsi folded or '?'): the font file and why */
  fontFallback: { file: string; reason: string } | null;
}

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
    private readonly marking: string | null,
  ) {}

  newPage(): void {
    this.page = this.doc.addPage(A4);
    this.y = A4[1] - MARGIN;
    if (this.marking) markPage(this.page, this.bold, this.marking);
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
}

function markPage(page: PDFPage, font: PDFFont, marking: string): void {
  const size = 12;
  const w = font.widthOfTextAtSize(marking, size);
  const red = rgb(0.8, 0, 0);
  page.drawText(marking, { x: (A4[0] - w) / 2, y: A4[1] - 30, size, font, color: red });
  page.drawText(marking, { x: (A4[0] - w) / 2, y: 18, size, font, color: red });
}

/**
 * Another page showing what `page` shows: a new page object whose content streams and resources (a scan's
 * image, its fonts) are the same objects as `page`'s, so a large attachment is in the file once however
 * many copies print it. Its boxes and rotation are the page's own (pdf-lib's copyPages made them explicit).
 * A page with annotations (form fields, whose values print through them) is copied in full instead: an
 * annotation belongs to one page.
 */
async function sharedPage(doc: PDFDocument, page: PDFPage): Promise<PDFPage> {
  if ((page.node.Annots()?.size() ?? 0) > 0) {
    const [copy] = await doc.copyPages(doc, [doc.getPages().indexOf(page)]);
    return copy!;
  }
  const twin = PDFPage.create(doc);
  for (const [key, value] of page.node.entries()) {
    if (key === PDFName.of('Parent') || key === PDFName.of('Annots')) continue; // its own (empty) list
    twin.node.set(key, value);
  }
  return twin;
}

/** Build the pack: one cover sheet + message + PDF attachments per copy. */
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
  const copyPages: number[] = [];
  const attachmentPages: PDFPage[] = [];
  for (const [i, copy] of input.copies.entries()) {
    const before = doc.getPageCount();
    const w = new Writer(doc, font, bold, marking);
    w.newPage();
    w.text(k.instansi, { size: 11, bold: true });
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
    // then this copy's PDF attachments: copied once (with the marking), later copies share them
    if (i === 0) {
      for (const l of loaded) {
        for (const p of await doc.copyPages(l.doc, l.doc.getPageIndices())) {
          doc.addPage(p);
          if (marking) markPage(p, bold, marking);
          attachmentPages.push(p);
        }
      }
    } else {
      for (const p of attachmentPages) doc.addPage(await sharedPage(doc, p));
    }
    copyPages.push(doc.getPageCount() - before);
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
