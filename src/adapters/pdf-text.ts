/**
 * The text of a PDF's first pages, read by poppler's `pdftotext` (Debian: poppler-utils), for the incoming
 * register: a letter sent by e-mail usually carries its own number ("Nomor : 005/123/...") in the attached
 * PDF, not in the mail text. Extracting PDF text well is poppler's job (fonts, encodings, layout), not ours.
 *
 * The PDF goes to pdftotext on its stdin (no temporary file: nothing of the letter is left on disk beyond
 * the archive), argv only, no shell, the secret environment variables stripped, a time limit and an output
 * limit. A PDF poppler cannot read (scanned image only, encrypted, damaged) simply has no text: null.
 */
import { spawn } from 'node:child_process';
import { withoutSecrets } from '../config/child-env.js';
import type { PdfTextResult, PdfTextOptions } from '../ports/terima.js';
export type { PdfTextResult, PdfTextOptions } from '../ports/terima.js';

export function pdfText(pdf: Uint8Array, o: PdfTextOptions = {}): Promise<PdfTextResult> {
  const pages = String(o.pages ?? 2);
  const maxChars = o.maxChars ?? 256 * 1024;
  return new Promise((resolve) => {
    let settled = false;
    const done = (r: PdfTextResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(r);
    };
    const child = spawn(o.program ?? 'pdftotext', ['-q', '-f', '1', '-l', pages, '-enc', 'UTF-8', '-', '-'], {
      stdio: ['pipe', 'pipe', 'ignore'],
      env: { ...withoutSecrets(process.env), LC_ALL: 'C.UTF-8' },
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      done({ text: null, missing: false, timedOut: true });
    }, o.timeoutMs ?? 15_000);
    const out: Buffer[] = [];
    let size = 0;
    child.stdout.on('data', (b: Buffer) => {
      if (size < maxChars * 4) out.push(b);
      size += b.length;
    });
    child.on('error', (e: NodeJS.ErrnoException) => done({ text: null, missing: e.code === 'ENOENT' }));
    // pdftotext may stop reading early (a broken PDF): EPIPE on our side is not an error
    child.stdin.on('error', () => undefined);
    child.on('close', (code) => {
      if (code !== 0) return done({ text: null, missing: false });
      const text = Buffer.concat(out).toString('utf8').slice(0, maxChars).replace(/\f/g, '\n');
      done({ text: text.trim().length > 0 ? text : null, missing: false });
    });
    child.stdin.end(pdf);
  });
}
