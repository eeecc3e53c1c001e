/**
 * Ambil: one fetch at a time per office, under its lock. Leftover temporary files of a killed run are
 * removed, kriptogram an earlier run left unread are read, then the source is fetched (`--dari-folder`, the
 * configured IMAP mailbox, or the local Maildir), and the new letters are forwarded to their cc addresses
 * when teruskanOtomatis is on (also after a failed run, for what it registered).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { SandiError } from '../../errors.js';
import { takePidLock } from '../../adapters/pid-lock.js';
import type { TerimaCtx } from './konteks.js';
import type { FetchReport } from './types.js';
import { fetchImap } from './ambil-imap.js';
import { fetchFolder } from './ambil-folder.js';
import { resumeUnread } from './kriptogram.js';
import { autoForward } from './teruskan.js';

/**
 * Fetch what is new and register it. `dariFolder` imports a Maildir or a folder of .eml files; without it
 * the configured mailbox is read, or, with none configured, the local Maildir <home>/maildir/INBOX.
 */
export async function ambil(ctx: TerimaCtx, o: { dariFolder?: string } = {}): Promise<FetchReport> {
  // one fetch at a time per office (a timer's run and an operator's): two would race for the same
  // messages and the slower one would fail moving the folder position backwards
  const lock = await takePidLock(join(ctx.app.paths.root, '.terima.lock'), 'terima.busy');
  try {
    return await fetchLocked(ctx, o);
  } finally {
    lock.release();
  }
}

/** fetch() under its lock */
export async function fetchLocked(ctx: TerimaCtx, o: { dariFolder?: string }): Promise<FetchReport> {
  const before = ctx.registers().suratMasuk.lastId();
  // Under the lock no other run writes into the archive: a temporary file whose writer is gone is the
  // leftover of a killed run (raw mail, never registered under it): removed.
  const removed = ctx.archive.removeStaleTemp();
  if (removed.length > 0) ctx.warn('terima.tempRemoved', { count: removed.length, dir: join(ctx.archive.dir, 'tmp') });
  // A run killed after a batch was registered leaves its kriptogram unread: read them first.
  const dilanjutkan = await resumeUnread(ctx);
  let report: FetchReport;
  try {
    if (o.dariFolder !== undefined) report = await fetchFolder(ctx, o.dariFolder);
    else if (ctx.config.mailbox) report = await fetchImap(ctx);
    else {
      const inbox = join(ctx.app.paths.maildir, 'INBOX');
      mkdirSync(join(inbox, 'new'), { recursive: true, mode: 0o700 });
      report = await fetchFolder(ctx, inbox);
    }
  } catch (e) {
    // What this run registered before it failed is forwarded all the same: a later run will not see
    // those letters again. Best effort (the run's own error is what the operator must see); a failure
    // here is warned, and `sandi terima teruskan NOMOR` does it by hand.
    if (ctx.terima.teruskanOtomatis) {
      try {
        await autoForward(ctx, ctx.registers().suratMasuk.idsAfter(before));
      } catch (fe) {
        ctx.warn('terima.forwardAfterError', { reason: fe instanceof SandiError ? fe.key : (fe as Error).message });
      }
    }
    throw e;
  }
  report.dilanjutkan = dilanjutkan;
  report.sementaraDihapus = removed.length;
  if (ctx.terima.teruskanOtomatis) await autoForward(ctx, report.baru.filter((a) => a.buku === 'surat_masuk').map((a) => a.id), report);
  return report;
}
