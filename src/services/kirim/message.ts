/**
 * The outer mail of an outgoing row, rebuilt byte-identically from the row and its archived files, so a
 * resumed send (or a Sent copy added later) is the same message: the PGP/MIME wrapper of a kriptogram, or
 * an ordinary letter with its document part (and detached signature).
 */
import { SandiError } from '../../errors.js';
import { buildPgpMime, formatDate } from '../../formats/pgpmime.js';
import type { KriptogramKeluar, SuratKeluar } from '../../domain/records-keluar.js';
import { utcOffsetMinutes } from '../../domain/kirim.js';
import { buildLetter, type DetachedSignature } from '../../domain/surat-biasa.js';
import { sha256, type KirimCtx } from './context.js';
import { finalNameOf, letterNames, readArchived, shownAt } from './files.js';
import { isKriptogram, type OutRow } from './types.js';

/** The outer PGP/MIME message, rebuilt byte-identically from the row and the archived final kriptogram. */
export function rawMessage(c: KirimCtx, r: KriptogramKeluar): Buffer {
  const { config, fromEmail } = c;
  if (!r.nomor || !r.messageId || !r.bernomorAt) throw new SandiError('CONFLICT', 'kirim.notInState', { id: r.id, status: r.status, expected: 'bernomor' });
  const name = finalNameOf(c, r);
  const armored = readArchived(c, name, r.id);
  if (sha256(armored) !== r.kriptogramSha256) throw new SandiError('INTEGRITY', 'kirim.draftChanged', { id: r.id, path: shownAt(c, name) });
  return buildPgpMime(
    {
      from: { address: fromEmail, name: config.office.name },
      to: r.recipients.map((x) => ({ address: x.email, name: x.unit })),
      subject: r.nomor,
      messageId: r.messageId,
      date: new Date(r.bernomorAt),
      utcOffsetMinutes: utcOffsetMinutes(config.office.timeZone),
    },
    armored,
  );
}

/** The ordinary letter's mail, rebuilt from the row and its archived document part (and signature). */
export function letterMessage(c: KirimCtx, r: SuratKeluar): Buffer {
  const { config, fromEmail } = c;
  if (!r.nomor || !r.messageId || !r.bernomorAt || !r.dokumenSha256) throw new SandiError('CONFLICT', 'kirim.notInState', { id: r.id, status: r.status, expected: 'bernomor' });
  const n = letterNames(r.dokumenSha256, r.signerFpr);
  const part = readArchived(c, n.part, r.id);
  let signature: DetachedSignature | undefined;
  if (n.sig) signature = JSON.parse(readArchived(c, n.sig, r.id).toString('utf8')) as DetachedSignature;
  return buildLetter(
    {
      from: { address: fromEmail, name: config.office.name },
      to: r.recipients.map((x) => ({ address: x.email, ...(x.unit && x.unit !== x.email ? { name: x.unit } : {}) })),
      subject: `${r.nomor} ${r.perihal}`,
      messageId: r.messageId,
      date: formatDate(new Date(r.bernomorAt), utcOffsetMinutes(config.office.timeZone)),
    },
    part,
    signature,
  );
}

/** The outer mail of a row of either register. */
export function rawFor(c: KirimCtx, r: OutRow): Buffer {
  return isKriptogram(r) ? rawMessage(c, r) : letterMessage(c, r);
}
