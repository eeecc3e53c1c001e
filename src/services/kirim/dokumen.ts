/**
 * The document and the subject a kirim run is given: read into memory (never written in clear), with their
 * own messages for a missing, unreadable or empty file.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { SandiError } from '../../errors.js';
import type { KirimInput } from './types.js';

/** Read the document to send, in memory; missing, unreadable and empty files are refused with their own message. */
export function readDocument(path: string): Buffer {
  let data: Buffer;
  try {
    data = readFileSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new SandiError('NOT_FOUND', 'common.fileNotFound', { path });
    if (code === 'EACCES' || code === 'EPERM') throw new SandiError('PERMISSION', 'kirim.documentUnreadable', { path, reason: code });
    throw new SandiError('DATA', 'kirim.documentUnreadable', { path, reason: code ?? (e as Error).message });
  }
  if (data.length === 0) throw new SandiError('DATA', 'kirim.documentEmpty', { path });
  return data;
}

/**
 * Reads a file holding a secret as text, refused (PERMISSION `modeKey`) when group/others can read it: the
 * command hands config/passphrase.ts readPrivateFile, the same check as for a passphrase file.
 */
export type PrivateFileReader = (path: string, modeKey: string) => string;

/**
 * The subject from `--perihal-file`: the first line of FILE (refused when group/others can read it, like a
 * passphrase file: `readPrivate`), or of standard input for "-" (`readStdin`). Never in argv, so never in
 * shell history.
 */
export function readPerihalFile(path: string, readPrivate: PrivateFileReader, readStdin: () => Buffer = () => readFileSync(0)): string {
  let text: string;
  if (path === '-') text = readStdin().toString('utf8');
  else text = readPrivate(path, 'kirim.perihalFileMode');
  const first = (text.split('\n', 1)[0] ?? '').replace(/\r$/, '').trim();
  if (first.length === 0) throw new SandiError('DATA', 'kirim.perihalFileEmpty', { path });
  return first;
}

/** Read the document (a path, or bytes already in memory) with the file name it travels under. */
export function documentOf(d: KirimInput['dokumen']): { fileName: string; data: Buffer } {
  if (typeof d !== 'string') {
    if (d.data.length === 0) throw new SandiError('DATA', 'kirim.documentEmpty', { path: d.fileName });
    return d;
  }
  return { fileName: basename(d), data: readDocument(d) };
}
