/**
 * The parts of a decrypted kriptogram entity (`sandi terima baca --tampilkan`): the protected Subject and
 * every part a sender put in it (a covering text with the letter's Nomor/Tanggal, one or more attachments),
 * not only the first attachment; and writing them to a folder without ever replacing a file.
 */
import { closeSync, constants, fsyncSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { extname, join, resolve } from 'node:path';
import { simpleParser } from 'mailparser';
import { safeFileName } from '../formats/protected-headers.js';
import { SandiError } from '../errors.js';
import type { BagianKriptogram } from '../ports/terima.js';
export type { BagianKriptogram } from '../ports/terima.js';

/**
 * Take the entity apart. Content that is no multipart MIME entity (a plain file encrypted by another OpenPGP
 * program) is one part, named `namaDokumen`.
 */
export async function pisahkanBagian(entity: Buffer, namaDokumen: string): Promise<{ subject: string | null; bagian: BagianKriptogram[] }> {
  const head = entity.subarray(0, 64 * 1024).toString('latin1');
  const headerEnd = head.search(/\r?\n\r?\n/);
  const isMime = headerEnd > 0 && /^content-type:[ \t]*multipart\//im.test(head.slice(0, headerEnd));
  if (!isMime) return { subject: null, bagian: [{ nama: safeFileName(namaDokumen), jenis: 'application/octet-stream', lampiran: true, isi: entity }] };
  const parsed = await simpleParser(entity, { skipImageLinks: true, skipTextLinks: true, skipTextToHtml: true, keepCidLinks: true });
  const bagian: BagianKriptogram[] = [];
  const teks = parsed.text?.trim() ?? '';
  if (teks.length > 0) bagian.push({ nama: 'isi.txt', jenis: 'text/plain', lampiran: false, isi: Buffer.from(`${parsed.text?.replace(/\s+$/, '') ?? ''}\n`, 'utf8') });
  if (typeof parsed.html === 'string' && parsed.html.trim().length > 0) bagian.push({ nama: 'isi.html', jenis: 'text/html', lampiran: false, isi: Buffer.from(parsed.html, 'utf8') });
  for (const [i, a] of parsed.attachments.entries()) {
    bagian.push({ nama: safeFileName(a.filename ?? '', `lampiran-${i + 1}${extname(a.filename ?? '')}`), jenis: a.contentType, lampiran: true, isi: a.content });
  }
  return { subject: parsed.subject ?? null, bagian };
}

/** `nama` in `dir`, or `nama-2`, `nama-3`, … (extension kept) when it exists: a file already there is never replaced. */
function createNew(dir: string, nama: string): { path: string; fd: number } {
  const ext = extname(nama);
  const stem = ext === '' ? nama : nama.slice(0, -ext.length);
  for (let n = 1; n < 1000; n++) {
    const path = join(dir, n === 1 ? nama : `${stem}-${n}${ext}`);
    try {
      return { path, fd: openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600) };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw new SandiError('IO', 'terima.bagianTakTertulis', { path, reason: (e as Error).message });
    }
  }
  throw new SandiError('CONFLICT', 'terima.bagianAda', { path: join(dir, nama) });
}

/** Write every part into `dir` (created 0700 when missing), each file new and 0600; returns the paths, in order. */
export function tulisBagian(dir: string, bagian: readonly BagianKriptogram[]): string[] {
  const folder = resolve(dir);
  try {
    mkdirSync(folder, { recursive: true, mode: 0o700 });
  } catch (e) {
    throw new SandiError('IO', 'terima.bagianTakTertulis', { path: folder, reason: (e as Error).message });
  }
  const out: string[] = [];
  for (const b of bagian) {
    const { path, fd } = createNew(folder, b.nama);
    try {
      let off = 0;
      while (off < b.isi.length) off += writeSync(fd, b.isi, off, b.isi.length - off);
      fsyncSync(fd);
    } catch (e) {
      throw new SandiError('IO', 'terima.bagianTakTertulis', { path, reason: (e as Error).message });
    } finally {
      closeSync(fd);
    }
    out.push(path);
  }
  return out;
}
