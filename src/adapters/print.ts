/**
 * The print pack of an incoming letter (SOP step 3): for each recipient copy, the cover sheet / control card
 * (kartu kendali: agenda number, dates, sender, subject, addressees, the boxes for the tiered initials and
 * the disposition, the courier's route and the receipt), then the message text, then its PDF attachments.
 * Built with pdf-lib; sent to a CUPS printer with `lp` when one is configured, else kept as a PDF file.
 * Rahasia and Sangat Rahasia are marked in red on every page.
 */
import { execFile } from 'node:child_process';
import { PDFDocument, StandardFonts, rgb, type PDFFont, type PDFPage } from 'pdf-lib';
import { SandiError } from '../errors.js';
import { withoutSecrets } from '../config/child-env.js';

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
}

export interface PrintPack {
  pdf: Uint8Array;
  pages: number;
  /** pages per copy */
  pagesPerCopy: number;
  /** attachments that could not be added (not a readable PDF) */
  skipped: string[];
}

const A4: [number, number] = [595.28, 841.89];
const MARGIN = 50;
const SIZE = 10;
const LINE = 13;

/** Text the standard font can draw: accents folded, anything else as '?'. */
function drawable(font: PDFFont, s: string): string {
  const set = new Set(font.getCharacterSet());
  let out = '';
  for (const ch of s.normalize('NFC')) {
    const cp = ch.codePointAt(0) ?? 63;
    if (ch === '\t') out += '    ';
    else if (set.has(cp)) out += ch;
    else {
      const folded = ch.normalize('NFKD').replace(/[\u0300-\u036f]/g, '');
      out += [...folded].every((c) => set.has(c.codePointAt(0) ?? 0)) && folded.length > 0 ? folded : '?';
    }
  }
  return out;
}

function wrap(font: PDFFont, text: string, size: number, width: number): string[] {
  const out: string[] = [];
  for (const para of text.split(/\r?\n/)) {
    const words = drawable(font, para).split(' ');
    let line = '';
    for (const w of words) {
      const candidate = line.length === 0 ? w : `${line} ${w}`;
      if (font.widthOfTextAtSize(candidate, size) <= width) {
        line = candidate;
        continue;
      }
      if (line.length > 0) out.push(line);
      // a single word wider than the line is cut
      let rest = w;
      while (font.widthOfTextAtSize(rest, size) > width && rest.length > 1) {
        let n = rest.length;
        while (n > 1 && font.widthOfTextAtSize(rest.slice(0, n), size) > width) n--;
        out.push(rest.slice(0, n));
        rest = rest.slice(n);
      }
      line = rest;
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

/** Build the pack: one cover sheet + message + PDF attachments per copy. */
export async function buildPrintPack(input: PrintPackInput): Promise<PrintPack> {
  const L = input.label;
  const doc = await PDFDocument.create();
  doc.setTitle(`${input.kartu.nomorAgenda} — ${input.kartu.perihal ?? ''}`);
  doc.setCreator('sandi');
  const font = await doc.embedFont(StandardFonts.Helvetica);
  const bold = await doc.embedFont(StandardFonts.HelveticaBold);
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
  let pagesPerCopy = 0;
  input.copies.forEach((copy, i) => {
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
    pagesPerCopy = doc.getPageCount() - before;
  });
  // attachments, copied after each copy's own pages would need reordering: insert them per copy
  if (loaded.length > 0) {
    const perCopy = pagesPerCopy;
    let offset = 0;
    for (let c = 0; c < input.copies.length; c++) {
      let at = offset + perCopy;
      for (const l of loaded) {
        const pages = await doc.copyPages(l.doc, l.doc.getPageIndices());
        for (const p of pages) {
          doc.insertPage(at++, p);
          if (marking) markPage(p, bold, marking);
        }
      }
      offset = at;
    }
    pagesPerCopy = doc.getPageCount() / Math.max(1, input.copies.length);
  }
  const pdf = await doc.save();
  return { pdf, pages: doc.getPageCount(), pagesPerCopy, skipped };
}

/**
 * Send a PDF file to a CUPS printer with `lp -d PRINTER`; returns lp's reply (the job id line). `lp` runs with
 * `env` (default: this process's) less the secret variables.
 */
export function printWithLp(file: string, printer: string, title: string, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('lp', ['-d', printer, '-t', title, '--', file], { timeout: 60_000, env: withoutSecrets(env) }, (err, stdout, stderr) => {
      if (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'ENOENT') reject(new SandiError('UNAVAILABLE', 'terima.lpMissing', { printer }, { hint: 'terima.lpMissing.hint', cause: err }));
        else reject(new SandiError('UNAVAILABLE', 'terima.printFailed', { printer, reason: (stderr || err.message).trim().slice(0, 200) }, { cause: err }));
        return;
      }
      resolve(stdout.trim());
    });
  });
}
