/**
 * The copy of each sent message in the mailbox's Sent folder (IMAP APPEND), recorded in the audit log
 * (<buku>.salinan_sent); `lanjut` adds the copies sent rows lack (looked up by Message-ID), and checks an
 * uncertain send against the Sent folder. A failed copy is a warning, never a failed send.
 */
import { isSandiError } from '../../errors.js';
import { needsSentCopy } from '../../domain/kirim.js';
import { claimRow } from './claims.js';
import type { SentFolderSession } from '../../ports/kirim.js';
import type { KirimCtx } from './context.js';
import { imapSettings } from './keys.js';
import { rawFor } from './message.js';
import { bukuOf, type OutRow, type ResumeReport } from './types.js';

/** How many sent rows one `lanjut` looks up in the Sent folder (a first run on an old register goes on in the next). */
const SENT_CATCH_UP = 200;

/** Record that a sent row has its copy in the Sent folder (appended now, or found there by Message-ID). */
export function recordSentCopy(c: KirimCtx, r: OutRow, folder: string, cara: 'ditambahkan' | 'ditemukan'): void {
  const { o, now } = c;
  const buku = bukuOf(r);
  c.registers().write((u) => u.audit(now(), { actor: o.actor, action: `${buku}.salinan_sent`, entity: buku, entityId: String(r.id), data: { folder, messageId: r.messageId, cara } }));
}

/** Copy to the Sent folder by IMAP APPEND, recorded; any failure (SandiError or not) is a warning, never a failed send. */
export async function copyToSent(c: KirimCtx, r: OutRow, raw: Buffer): Promise<string | null> {
  const { config, warn } = c;
  const mb = config.mailbox;
  if (!mb || mb.sentFolder === false) return null;
  try {
    const ImapMailbox = await c.io.sentFolder();
    const box = await ImapMailbox.connect(await imapSettings(c));
    try {
      const folder = typeof mb.sentFolder === 'string' ? mb.sentFolder : await box.findSpecialUse('\\Sent');
      if (!folder) {
        warn('kirim.sentFolderUnknown', { user: mb.user });
        return null;
      }
      await box.append(folder, raw, { flags: ['\\Seen'] });
      recordSentCopy(c, r, folder, 'ditambahkan');
      return folder;
    } finally {
      await box.close();
    }
  } catch (e) {
    // the send is already recorded (terkirim): a failed copy must not turn it into an error exit
    warn('kirim.sentCopyFailed', { reason: isSandiError(e) ? e.key : e instanceof Error ? e.name : 'unknown' });
    return null;
  }
}

/** Sent rows whose copy in the Sent folder is recorded (an event `<buku>.salinan_sent`), as "buku:id". */
export function sentCopiesRecorded(c: KirimCtx): Set<string> {
  const out = new Set<string>();
  for (const a of c.io.auditEntries()) if (a.action === `${a.entity}.salinan_sent`) out.add(`${a.entity}:${a.entityId ?? ''}`);
  return out;
}

/**
 * Sent rows without a recorded Sent copy (marked terkirim by the operator, found out by a check, killed after
 * terkirim was recorded, or the copy failed): each is looked up in the Sent folder by Message-ID, appended
 * when it is not there, and recorded either way. At most SENT_CATCH_UP rows a run; a failure is a warning.
 * `only`: the rows to look at (lanjut ID), otherwise every sent row of both registers.
 */
export async function catchUpSentCopies(c: KirimCtx, only: OutRow[] | null, out: ResumeReport[]): Promise<void> {
  const { config, warn } = c;
  const mb = config.mailbox;
  if (!mb || mb.sentFolder === false) return;
  const done = sentCopiesRecorded(c);
  const all: OutRow[] = only ?? [...c.registers().kriptogramKeluar.list({ status: 'terkirim' }), ...c.registers().suratKeluar.list({ status: 'terkirim' })];
  const todo = all.filter((r) => needsSentCopy(r, done.has(`${bukuOf(r)}:${r.id}`))).slice(0, SENT_CATCH_UP);
  if (todo.length === 0) return;
  const failed = (e: unknown) => {
    if (!isSandiError(e)) throw e;
    warn('kirim.sentCopyFailed', { reason: e.key });
  };
  const ImapMailbox = await c.io.sentFolder();
  let box: SentFolderSession;
  try {
    box = await ImapMailbox.connect(await imapSettings(c));
  } catch (e) {
    failed(e);
    return;
  }
  try {
    const folder = typeof mb.sentFolder === 'string' ? mb.sentFolder : await box.findSpecialUse('\\Sent');
    if (!folder) {
      warn('kirim.sentFolderUnknown', { user: mb.user });
      return;
    }
    for (const listed of todo) {
      // claimed like any other step: a run still sending this row makes its own copy
      const claimed = claimRow<OutRow>(c, bukuOf(listed), listed.id);
      if (!claimed) continue;
      try {
        const r = claimed.row;
        const found = (await box.searchByMessageId(folder, r.messageId ?? '')).length > 0;
        if (!found) await box.append(folder, await rawFor(c, r), { flags: ['\\Seen'] });
        recordSentCopy(c, r, folder, found ? 'ditemukan' : 'ditambahkan');
        if (!found) out.push({ buku: bukuOf(r), id: r.id, nomor: r.nomor, from: r.status, to: r.status, action: 'salinan-sent' });
      } catch (e) {
        failed(e);
      } finally {
        claimed.claim.release();
      }
    }
  } catch (e) {
    failed(e);
  } finally {
    await box.close().catch(() => undefined);
  }
}

/** Whether the Sent folder holds the Message-ID; null when it cannot be checked. */
export async function foundInSent(c: KirimCtx, messageId: string): Promise<boolean | null> {
  const { config } = c;
  const mb = config.mailbox;
  if (!mb || mb.sentFolder === false) return null;
  const ImapMailbox = await c.io.sentFolder();
  const box = await ImapMailbox.connect(await imapSettings(c));
  try {
    const folder = typeof mb.sentFolder === 'string' ? mb.sentFolder : await box.findSpecialUse('\\Sent');
    if (!folder) return null;
    return (await box.searchByMessageId(folder, messageId)).length > 0;
  } finally {
    await box.close();
  }
}
