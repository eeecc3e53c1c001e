/**
 * Export writers for `sandi agenda BUKU ekspor`: CSV (RFC 4180, UTF-8, header row, spreadsheet-safe cells),
 * JSON Lines, and XLSX (exceljs's streaming WorkbookWriter, no shared strings, so rows go out as they come).
 *
 * Streaming with flat memory: rows come from a SQLite cursor one at a time, are written in ~64 KiB chunks, and
 * the writer waits for the output to drain, so memory does not grow with the register's size.
 * Atomic files: a file export is written to a temporary file beside the target (0600), synced, and renamed
 * over it only when complete; on any failure the temporary file is removed, so a failed export never
 * leaves half a file (and an existing file of that name is left as it was).
 */
import { createWriteStream } from 'node:fs';
import { open, rename, unlink } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join, resolve } from 'node:path';
import { PassThrough, type Writable } from 'node:stream';
import ExcelJS from 'exceljs';
import { SandiError } from '../errors.js';
import { cellText, csvCell, csvRecord, jsonlRecord, type ExportColumn } from '../domain/agenda.js';

const CHUNK = 64 * 1024;
/** rows between two yields to the event loop while writing XLSX (lets the zip stream drain) */
const XLSX_BATCH = 256;

import type { ExportJob, ExportResult } from '../ports/agenda.js';

export type { ExportJob, ExportResult };

class StreamWatch {
  error: Error | null = null;
  private readonly onError = (e: Error): void => {
    this.error ??= e;
  };

  constructor(private readonly out: Writable) {
    out.on('error', this.onError);
  }

  /** Write a chunk and wait for the stream to drain when its buffer is full; false once the stream failed. */
  async write(chunk: string): Promise<boolean> {
    if (this.error) return false;
    if (this.out.write(chunk)) return true;
    await this.drain();
    return this.error === null;
  }

  async drain(): Promise<void> {
    if (this.error || !this.out.writableNeedDrain) return;
    await new Promise<void>((res) => {
      const done = (): void => {
        this.out.off('drain', done);
        this.out.off('error', done);
        this.out.off('close', done);
        res();
      };
      this.out.on('drain', done);
      this.out.on('error', done);
      this.out.on('close', done);
    });
  }

  dispose(): void {
    this.out.off('error', this.onError);
  }
}

function* iterate(it: Iterator<unknown[]>): Generator<unknown[]> {
  for (let r = it.next(); r.done !== true; r = it.next()) yield r.value;
}

async function writeText(job: ExportJob, out: Writable, watch: StreamWatch): Promise<number> {
  const { columns } = job;
  let buf = job.format === 'csv' ? csvRecord(columns.map((c) => c.name)) : '';
  let n = 0;
  const line =
    job.format === 'csv'
      ? (r: unknown[]): string => csvRecord(columns.map((c, i) => csvCell(c.kind, r[i])))
      : (r: unknown[]): string => jsonlRecord(columns, r);
  for (const r of iterate(job.rows)) {
    buf += line(r);
    n++;
    if (buf.length >= CHUNK) {
      if (!(await watch.write(buf))) return n;
      buf = '';
    }
  }
  if (buf.length > 0) await watch.write(buf);
  void out;
  return n;
}

function xlsxValue(kind: ExportColumn['kind'], v: unknown): string | number | null {
  if (v === null || v === undefined) return null;
  if (kind === 'integer' && (typeof v === 'number' || typeof v === 'bigint')) return Number(v);
  // a string cell is never a formula in XLSX: "=..." stays text, so no neutralising is needed here
  return cellText(kind, v);
}

/**
 * exceljs's sheet stream (StreamBuf) writes into the zip's deflate stream without looking at its return
 * value, so nothing pushes back on a fast producer: wait for that stream to drain ourselves. Relies on the
 * internals of exceljs 4.4 (worksheet.stream.pipes; a test checks the memory stays flat); when they are not there, only the event-loop yield
 * and the output's own drain remain.
 */
async function sheetDrained(ws: unknown): Promise<void> {
  // the pipe is a readable-stream 2.x PassThrough (archiver-utils), which has _writableState but no writableNeedDrain
  const sink = (ws as { stream?: { pipes?: (Writable & { _writableState?: { needDrain?: boolean } })[] } }).stream?.pipes?.[0];
  if (!sink || !(sink.writableNeedDrain || sink._writableState?.needDrain === true)) return;
  await new Promise<void>((res) => {
    const done = (): void => {
      sink.off('drain', done);
      sink.off('error', done);
      sink.off('close', done);
      res();
    };
    sink.on('drain', done);
    sink.on('error', done);
    sink.on('close', done);
  });
}

async function writeXlsx(job: ExportJob, out: Writable, watch: StreamWatch): Promise<number> {
  // exceljs resolves commit() on its stream's 'finish' and ends that stream: give it a pass-through of its
  // own, piped into the real output without ending it (stdout is never ended; a file is ended by the caller)
  const pass = new PassThrough();
  pass.pipe(out, { end: false });
  const drained = new Promise<void>((res) => pass.once('end', () => res()));
  const failed = new Promise<never>((_, rej) => out.once('error', rej));
  failed.catch(() => undefined);
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: pass, useSharedStrings: false, useStyles: false });
  const ws = wb.addWorksheet(job.sheetName.slice(0, 31));
  ws.addRow(job.columns.map((c) => c.name)).commit();
  let n = 0;
  for (const r of iterate(job.rows)) {
    ws.addRow(job.columns.map((c, i) => xlsxValue(c.kind, r[i]))).commit();
    n++;
    if (n % XLSX_BATCH === 0) {
      // let the zip deflate what was committed and the output drain before producing more
      await new Promise<void>((res) => setImmediate(res));
      await sheetDrained(ws);
      await watch.drain();
      if (watch.error) {
        pass.unpipe(out);
        return n;
      }
    }
  }
  ws.commit();
  await Promise.race([wb.commit().then(() => drained), failed]).catch((e: unknown) => {
    watch.error ??= e as Error;
  });
  pass.unpipe(out);
  return n;
}

async function writeTo(job: ExportJob, out: Writable): Promise<{ rows: number; error: Error | null }> {
  const watch = new StreamWatch(out);
  try {
    const rows = job.format === 'xlsx' ? await writeXlsx(job, out, watch) : await writeText(job, out, watch);
    return { rows, error: watch.error };
  } finally {
    job.rows.return?.();
    watch.dispose();
  }
}

/** Write an export to a stream (stdout). A reader that goes away (EPIPE) ends the export quietly. */
export async function exportToStream(job: ExportJob, out: Writable): Promise<ExportResult> {
  const r = await writeTo(job, out);
  if (r.error) {
    if ((r.error as NodeJS.ErrnoException).code === 'EPIPE') return { rows: r.rows, path: null, stopped: true };
    throw new SandiError('IO', 'agenda.exportFailed', { path: '-', reason: r.error.message }, { cause: r.error });
  }
  return { rows: r.rows, path: null, stopped: false };
}

/** Write an export to `path` atomically: temporary file (0600), fsync, rename; removed again on failure. */
export async function exportToFile(job: ExportJob, path: string): Promise<ExportResult> {
  const target = resolve(path);
  const tmp = join(dirname(target), `.${basename(target)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  let created = false;
  try {
    const out = createWriteStream(tmp, { flags: 'wx', mode: 0o600 });
    await new Promise<void>((res, rej) => {
      out.once('open', () => res());
      out.once('error', rej);
    });
    created = true;
    const r = await writeTo(job, out);
    await new Promise<void>((res, rej) => {
      if (r.error) {
        out.destroy();
        rej(r.error);
        return;
      }
      out.once('error', rej);
      out.once('close', () => res());
      out.end();
    });
    const fh = await open(tmp, 'r+');
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, target);
    created = false;
    await syncDir(dirname(target));
    return { rows: r.rows, path: target, stopped: false };
  } catch (e) {
    if (created) await unlink(tmp).catch(() => undefined);
    job.rows.return?.();
    if (e instanceof SandiError) throw e;
    throw new SandiError('IO', 'agenda.exportFailed', { path: target, reason: (e as Error).message }, { cause: e });
  }
}

async function syncDir(dir: string): Promise<void> {
  try {
    const fh = await open(dir, 'r');
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
  } catch {
    // some file systems refuse fsync on a directory; the rename itself is still atomic
  }
}
