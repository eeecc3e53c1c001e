/**
 * The fonts of every PDF sandi writes (the print pack of `sandi terima cetak`, the `sandi laporan` report).
 * Indonesian mail carries names and text outside WinAnsi (Šćž, Ağ, ẞ, ...), which pdf-lib's standard fonts
 * cannot encode; so a subset of a Unicode TrueType font is embedded: DejaVu Sans from Debian's
 * fonts-dejavu-core by default, or the files named in config.json "pdf". Only the glyphs used are embedded
 * (a few kB, not the 700 kB of the font file). When the font cannot be read, the standard fonts (Helvetica,
 * Courier) are used with accents folded and anything else drawn as '?', and the caller is told why, to warn.
 */
import { readFileSync } from 'node:fs';
import fontkit from '@pdf-lib/fontkit';
import { StandardFonts, type PDFDocument, type PDFFont } from 'pdf-lib';
import type { PdfFontFiles } from '../ports/terima.js';
export type { PdfFontFiles } from '../ports/terima.js';

const DEJAVU_DIR = '/usr/share/fonts/truetype/dejavu';

/** Debian's fonts-dejavu-core. */
export const DEFAULT_FONT_FILES: PdfFontFiles = {
  regular: `${DEJAVU_DIR}/DejaVuSans.ttf`,
  bold: `${DEJAVU_DIR}/DejaVuSans-Bold.ttf`,
  mono: `${DEJAVU_DIR}/DejaVuSansMono.ttf`,
};

export interface PdfFontSet {
  regular: PDFFont;
  bold: PDFFont;
  /** only when asked for (`mono: true`); else the regular font */
  mono: PDFFont;
  /** true: subsets of a Unicode TrueType font; false: the standard fonts (WinAnsi only) */
  unicode: boolean;
  /** why the standard fonts were used: the font file and the reason; null when `unicode` */
  fallback: { file: string; reason: string } | null;
}

/** Font files read once per process (each is read whole: pdf-lib subsets from the bytes). */
const fileCache = new Map<string, Uint8Array>();

function fontBytes(file: string): Uint8Array {
  let bytes = fileCache.get(file);
  if (bytes === undefined) {
    bytes = readFileSync(file);
    fileCache.set(file, bytes);
  }
  return bytes;
}

/**
 * Embed the fonts into `doc`: the Unicode TrueType files (`files` overrides the DejaVu defaults, one by one),
 * or, when any of them cannot be read or parsed, the standard fonts for all (never a mix).
 */
export async function embedPdfFonts(doc: PDFDocument, files: Partial<PdfFontFiles> = {}, o: { mono?: boolean } = {}): Promise<PdfFontSet> {
  const want: PdfFontFiles = { ...DEFAULT_FONT_FILES, ...files };
  let current = want.regular;
  try {
    doc.registerFontkit(fontkit);
    const regular = await doc.embedFont(fontBytes(want.regular), { subset: true });
    current = want.bold;
    const bold = want.bold === want.regular ? regular : await doc.embedFont(fontBytes(want.bold), { subset: true });
    current = want.mono;
    const mono = o.mono ? await doc.embedFont(fontBytes(want.mono), { subset: true }) : regular;
    return { regular, bold, mono, unicode: true, fallback: null };
  } catch (e) {
    const reason = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
    return {
      regular: await doc.embedFont(StandardFonts.Helvetica),
      bold: await doc.embedFont(StandardFonts.HelveticaBold),
      mono: await doc.embedFont(o.mono ? StandardFonts.Courier : StandardFonts.Helvetica),
      unicode: false,
      fallback: { file: current, reason: String(reason).slice(0, 200) },
    };
  }
}

const charSets = new WeakMap<PDFFont, Set<number>>();

function charSet(font: PDFFont): Set<number> {
  let set = charSets.get(font);
  if (set === undefined) {
    set = new Set(font.getCharacterSet());
    charSets.set(font, set);
  }
  return set;
}

/**
 * Text the font can draw: each character as is when the font has it, else with its accents folded
 * (Helvetica: "Š" stays, "ć" becomes "c"), else '?'. A tab becomes four spaces, other control characters '?'.
 */
export function drawable(font: PDFFont, s: string): string {
  const set = charSet(font);
  const has = (c: string): boolean => {
    const cp = c.codePointAt(0) ?? 0;
    return cp >= 0x20 && (cp < 0x7f || cp > 0x9f) && set.has(cp);
  };
  let out = '';
  for (const ch of s.normalize('NFC')) {
    if (ch === '\t') out += '    ';
    else if (has(ch)) out += ch;
    else {
      const folded = ch.normalize('NFKD').replace(/[\u0300-\u036f]/g, '');
      out += folded.length > 0 && [...folded].every(has) ? folded : '?';
    }
  }
  return out;
}

const widths = new WeakMap<PDFFont, Map<string, number>>();

/**
 * Width of `s` at `size`, word by word from a per-font cache (laying out text in a TrueType font runs its
 * OpenType tables each time: measuring every candidate line while wrapping costs more than the whole PDF).
 * Kerning across a space is ignored, which moves a line end by a fraction of a point at most.
 */
export function textWidth(font: PDFFont, s: string, size: number): number {
  let cache = widths.get(font);
  if (cache === undefined) {
    cache = new Map();
    widths.set(font, cache);
  }
  let total = 0;
  const words = s.split(' ');
  for (const [i, w] of words.entries()) {
    const key = i < words.length - 1 ? `${w} ` : w;
    let unit = cache.get(key);
    if (unit === undefined) {
      unit = font.widthOfTextAtSize(key, 1);
      if (cache.size < 50_000) cache.set(key, unit);
    }
    total += unit;
  }
  return total * size;
}
