/**
 * Where the words of a PDF sit, as poppler's `pdftotext -bbox` reads them: per page its size and each word with
 * its box (points, origin top left of the page as shown, so a rotated page's words are in its shown frame;
 * poppler reports the unrotated size in <page>, which callers swap for pages rotated by 90°).
 */
import { execFileSync } from 'node:child_process';

export interface BboxWord {
  text: string;
  xMin: number;
  yMin: number;
  xMax: number;
  yMax: number;
}

export interface BboxPage {
  width: number;
  height: number;
  words: BboxWord[];
}

const unescape = (s: string): string => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&');

export function bboxPages(pdf: Uint8Array): BboxPage[] {
  const html = execFileSync('pdftotext', ['-bbox', '-enc', 'UTF-8', '-', '-'], { input: Buffer.from(pdf), encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const pages: BboxPage[] = [];
  for (const chunk of html.split('<page ').slice(1)) {
    const size = /width="([\d.]+)" height="([\d.]+)"/.exec(chunk);
    const words = [...chunk.matchAll(/<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)<\/word>/g)].map((m) => ({
      xMin: Number(m[1]),
      yMin: Number(m[2]),
      xMax: Number(m[3]),
      yMax: Number(m[4]),
      text: unescape(m[5] as string),
    }));
    pages.push({ width: Number(size?.[1]), height: Number(size?.[2]), words });
  }
  return pages;
}

/**
 * The lines of a page: words whose baselines (yMax) lie within 2 pt, left to right, joined by a space, with the
 * line's box. Enough to find "Halaman 2 dari 3" as one line and where it is.
 */
export function bboxLines(page: BboxPage): BboxWord[] {
  const rows: BboxWord[][] = [];
  for (const w of [...page.words].sort((a, b) => a.yMax - b.yMax || a.xMin - b.xMin)) {
    const row = rows.find((r) => Math.abs((r[0] as BboxWord).yMax - w.yMax) < 2);
    if (row) row.push(w);
    else rows.push([w]);
  }
  return rows.map((r) => {
    const ws = r.sort((a, b) => a.xMin - b.xMin);
    return {
      text: ws.map((w) => w.text).join(' '),
      xMin: Math.min(...ws.map((w) => w.xMin)),
      yMin: Math.min(...ws.map((w) => w.yMin)),
      xMax: Math.max(...ws.map((w) => w.xMax)),
      yMax: Math.max(...ws.map((w) => w.yMax)),
    };
  });
}

/** The first line of `page` containing `text`, or undefined. */
export function lineWith(page: BboxPage, text: string | RegExp): BboxWord | undefined {
  return bboxLines(page).find((l) => (typeof text === 'string' ? l.text.includes(text) : text.test(l.text)));
}
