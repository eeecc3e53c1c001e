/**
 * The outer mail of an outgoing row, rebuilt byte-identically from the row and its archived files, so a
 * resumed send (or a Sent copy added later) is the same message: the PGP/MIME wrapper of a kriptogram, or
 * an ordinary letter with its document part (and detached signature).
 */
import { SandiError } from '../../errors.js';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { formatDate, pgpMimeChunks, type PgpMimeHeaders } from '../../formats/pgpmime.js';
import type { KriptogramKeluar, SuratKeluar } from '../../domain/records-keluar.js';
import { utcOffsetMinutes } from '../../domain/kirim.js';
import { buildLetter, type DetachedSignature } from '../../domain/surat-biasa.js';
import type { KirimCtx } from './context.js';
import { finalNameOf, letterNames, readArchived, shownAt } from './files.js';
import { isKriptogram, type OutRow } from './types.js';

/**
 * The outer PGP/MIME message, rebuilt byte-identically from the row and the archived final kriptogram. The
 * kriptogram is read in chunks (hashed on the way and checked against the row) into a private temporary
 * file, which is then read into one buffer of exactly its size — so a 256 MiB document's ~470 MB of armor
 * is never held as a whole file, a latin1 string, its lines and three joined copies at once (that was ~4 GB).
 */
export async function rawMessage(c: KirimCtx, r: KriptogramKeluar): Promise<Buffer> {
  const { config, fromEmail } = c;
  if (!r.nomor || !r.messageId || !r.bernomorAt) throw new SandiError('CONFLICT', 'kirim.notInState', { id: r.id, status: r.status, expected: 'bernomor' });
  const name = finalNameOf(c, r);
  if (!c.io.arsip.exists(name)) throw new SandiError('NOT_FOUND', 'kirim.draftMissing', { id: r.id, path: shownAt(c, name) });
  const headers: PgpMimeHeaders = {
    from: { address: fromEmail, name: config.office.name },
    to: r.recipients.map((x) => ({ address: x.email, name: x.unit })),
    subject: r.nomor,
    messageId: r.messageId,
    date: new Date(r.bernomorAt),
    utcOffsetMinutes: utcOffsetMinutes(config.office.timeZone),
  };
  const changed = () => new SandiError('INTEGRITY', 'kirim.draftChanged', { id: r.id, path: shownAt(c, name) });
  const h = createHash('sha256');
  const archived = c.io.arsip.open(name);
  async function* hashed(): AsyncGenerator<Buffer> {
    for await (const chunk of archived) {
      h.update(chunk);
      yield chunk;
    }
  }
  const spool = c.io.spool();
  try {
    const out = spool.output;
    try {
      for await (const piece of pgpMimeChunks(headers, hashed())) if (!out.write(piece)) await once(out, 'drain');
    } catch (e) {
      // a damaged file is reported as changed (as before: its hash is checked first), not as bad armor
      if ((await sha256Of(c, name)) !== r.kriptogramSha256) throw changed();
      throw e;
    }
    await new Promise<void>((resolve, reject) => {
      out.once('error', reject);
      out.end(() => resolve());
    });
    if (h.digest('hex') !== r.kriptogramSha256) throw changed();
    const { size } = spool.written();
    const raw = Buffer.allocUnsafeSlow(size);
    let at = 0;
    for await (const chunk of spool.read()) {
      if (at + chunk.length > size) throw changed();
      at += chunk.copy(raw, at);
    }
    if (at !== size) throw changed();
    return raw;
  } finally {
    spool.remove();
  }
}

/** The SHA-256 of an archived name, read in chunks. */
async function sha256Of(c: KirimCtx, name: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of c.io.arsip.open(name)) h.update(chunk);
  return h.digest('hex');
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
export async function rawFor(c: KirimCtx, r: OutRow): Promise<Buffer> {
  return isKriptogram(r) ? rawMessage(c, r) : letterMessage(c, r);
}
