/**
 * Ambil dari folder: `--dari-folder DIR` (a Maildir or a folder of .eml files, the fallback channel), and the
 * local Maildir <home>/maildir/INBOX when no mailbox is configured. Each file is archived, parsed and
 * registered on its own; an entry that is no readable message file is skipped, named, and the run goes on.
 */
import { readdirSync, statSync, existsSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { SandiError } from '../../errors.js';
import { listMaildir } from '../../adapters/maildir.js';
import type { TerimaCtx } from './konteks.js';
import type { FetchReport } from './types.js';
import { ingest, record } from './daftarkan.js';

/** Account name of the fetch position for folders read from disk. */
export const LOCAL_ACCOUNT = 'lokal';

export async function fetchFolder(ctx: TerimaCtx, dir: string): Promise<FetchReport> {
  const abs = resolve(dir);
  if (!existsSync(abs) || !statSync(abs).isDirectory()) throw new SandiError('NOT_FOUND', 'terima.folderMissing', { path: abs });
  const isMaildir = ['new', 'cur'].some((s) => existsSync(join(abs, s)));
  const entries: { path: string; name: string }[] = isMaildir
    ? listMaildir(abs).map((m) => ({ path: m.path, name: m.id }))
    : readdirSync(abs)
        .filter((n) => /\.eml$/i.test(n))
        .sort()
        .map((n) => ({ path: join(abs, n), name: n }));
  const sumber = isMaildir ? 'maildir' : 'eml';
  const report: FetchReport = { sumber, akun: LOCAL_ACCOUNT, folder: abs, uidvalidity: null, uidvalidityBerubah: false, diperiksa: entries.length, baru: [], duplikat: [], diteruskan: [], ditahan: [], ditolak: [], dilanjutkan: [], dilewati: [], sementaraDihapus: 0 };
  // An entry that is no file (a sub-folder named b.eml, a dangling link, a socket or device) is no message:
  // skipped, named by its own path, and the run goes on (it would otherwise stop every run there). A FIFO
  // is read as a file (a message piped in).
  const skip = (path: string, alasan: string): void => {
    ctx.warn('terima.w.entrySkipped', { path, reason: alasan });
    report.dilewati.push({ path, alasan });
  };
  const files: { path: string; name: string; mtime: Date }[] = [];
  for (const e of entries) {
    try {
      const st = statSync(e.path);
      if (st.isFile() || st.isFIFO()) files.push({ ...e, mtime: st.mtime });
      else skip(e.path, st.isDirectory() ? 'EISDIR' : 'ENOTFILE');
    } catch (err) {
      skip(e.path, (err as NodeJS.ErrnoException).code ?? (err as Error).message);
    }
  }
  for (const [i, f] of files.entries()) {
    ctx.opts.progress?.(i, files.length);
    // opened here, so that a file that cannot be read is named by its own path (not the archive's temp file)
    let source: Readable;
    try {
      const fh = await open(f.path, 'r');
      source = fh.createReadStream();
    } catch (err) {
      skip(f.path, (err as NodeJS.ErrnoException).code ?? (err as Error).message);
      continue;
    }
    const r = await ingest(ctx, source, {
      source: { sumber, folder: abs },
      diterimaAt: isMaildir ? f.mtime : ctx.app.clock.now(),
      where: f.name,
    });
    record(report, r);
  }
  ctx.opts.progress?.(files.length, files.length);
  return report;
}
