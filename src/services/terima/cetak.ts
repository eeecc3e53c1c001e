/**
 * Cetak: the print pack (a cover sheet with the control card, the message, its PDF attachments, one copy per
 * recipient), saved as a PDF and sent to the printer (one CUPS job); the first print moves the letter to
 * "dicetak". A read kriptogram is decrypted again for it, held in memory only.
 */
import { rmSync, mkdirSync } from 'node:fs';
import { join, resolve, basename } from 'node:path';
import { SandiError } from '../../errors.js';
import { kopSurat } from '../../domain/kop-surat.js';
import type { ParsedIncoming } from '../../ports/terima.js';
import { tanggalKalenderPanjang, tanggalWaktuPanjang, type Bahasa } from '../../domain/tanggal-tampil.js';
import { normaliseDerajat, ruteAntar } from '../../domain/terima.js';
import type { TerimaCtx } from './konteks.js';
import type { SopRow } from './types.js';
import { readKriptogramRow } from './kriptogram.js';
import { requireLetter, requireSop } from './sop.js';

/**
 * Print: build the pack (a cover sheet + the message + its PDF attachments for each recipient copy),
 * save it as a PDF under <home>/cetak (or `keluaran`), send it to the printer when one is configured
 * (one CUPS job; its id is returned and recorded), and record the step; the first print moves the letter
 * to "dicetak". When the printer fails, nothing is recorded and the error names the kept PDF file.
 */
export async function cetak(ctx: TerimaCtx, ref: string, o: { penerima?: string[]; keluaran?: string; printer?: string | null; label: (k: string, p?: Record<string, string | number>) => string; lang?: Bahasa }) {
  const sop = requireSop(ctx, ref);
  if (sop.buku === 'kriptogram_masuk') return cetakKriptogram(ctx, sop, o);
  const row = requireLetter(ctx, ref);
  const dasar = dasarPaket(ctx, o, row);
  const penerima = dasar.penerima;
  // through the archive port: the home's folder, or the office database (any workstation)
  const raw = Buffer.concat((await ctx.archive.open(row.rawSha256).toArray()) as Buffer[]);
  const parsed: ParsedIncoming = await ctx.io.parseIncoming(raw, { keepPdf: true });
  const { buildPrintPack, print, jobIds } = await ctx.io.printer();
  const pack = await buildPrintPack({
    kartu: {
      kop: dasar.kop,
      nomorAgenda: row.nomor,
      diterimaAt: dasar.diterimaAt,
      pengirim: row.pengirim,
      nomorSurat: row.nomorSurat,
      tanggalSurat: row.tanggalSurat === null ? null : tanggalKalenderPanjang(row.tanggalSurat, o.lang ?? 'id'),
      perihal: row.perihal,
      isiRingkas: row.isiRingkas,
      kepada: row.kepada,
      tembusan: row.tembusan,
      // as it applies now: a correction by `terima klasifikasi` wins over the registered value
      ...(() => {
        const k = ctx.registers().suratMasuk.classification(row.id);
        return { sifat: k.sifat, derajat: k.derajat };
      })(),
      lampiran: row.lampiran.map((l) => l.name),
      paraf: ctx.terima.paraf,
    },
    copies: dasar.copies,
    isi: parsed.text ?? '',
    pdfLampiran: parsed.attachments.filter((a) => a.content).map((a) => ({ name: a.name, content: a.content as Buffer })),
    label: o.label,
    fonts: dasar.fonts,
  });
  const out = o.keluaran ? resolve(o.keluaran) : join(ctx.app.paths.root, 'cetak', `${row.nomor.replace(/[^\w.-]+/g, '_')}.pdf`);
  mkdirSync(resolve(out, '..'), { recursive: true, mode: 0o700 });
  ctx.io.writeFileAtomic(out, Buffer.from(pack.pdf), 0o600);
  const printer = o.printer === undefined ? ctx.terima.printer : o.printer;
  const lp = printer ? await print(out, printer, row.nomor, ctx.opts.env) : null;
  const jobs = lp === null ? [] : jobIds(lp);
  const now = ctx.app.clock.now();
  ctx.registers().write((u) => {
    u.suratMasuk.addStep(row.id, 'cetak', { penerima, file: basename(out), pages: pack.pages, printer: printer ?? null, lp, jobs }, now, ctx.opts.actor);
    if (row.status === 'terdaftar') u.suratMasuk.setStatus(row.id, 'dicetak', now, ctx.opts.actor);
  });
  return laporanCetak(row.nomor, out, penerima, pack, printer ?? null, lp, jobs, pack.skipped);
}

/**
 * Print a read kriptogram: decrypted again with the archive key now (the plaintext is held in memory only,
 * never stored), the letter's text and PDF attachments in the pack, marked with its classification on every
 * page. The PDF is kept only where `keluaran` says; sent to a printer without it, the file is removed once
 * the print job is queued.
 */
export async function cetakKriptogram(ctx: TerimaCtx, sop: SopRow, o: { penerima?: string[]; keluaran?: string; printer?: string | null; label: (k: string, p?: Record<string, string | number>) => string; lang?: Bahasa }) {
  const k = ctx.registers().kriptogramMasuk.findByRef(String(sop.id));
  if (!k) throw new SandiError('NOT_FOUND', 'terima.notFound', { ref: sop.nomor });
  const printer = o.printer === undefined ? ctx.terima.printer : o.printer;
  if (!printer && !o.keluaran) throw new SandiError('USAGE', 'terima.cetakKriptogramTanpaKeluaran', { nomor: k.nomor });
  const sink = ctx.io.memorySink();
  const r = await readKriptogramRow(ctx, k.id, true, sink, true);
  const p = await (await ctx.io.bagian()).pisahkan(sink.bytes(), r.fileName ?? 'dokumen');
  const isPdf = (b: Buffer): boolean => b.subarray(0, 5).toString('latin1') === '%PDF-';
  const isText = (b: Buffer): boolean => !b.includes(0) && Buffer.from(b.toString('utf8'), 'utf8').equals(b);
  const teks = p.bagian.find((b) => !b.lampiran && b.jenis === 'text/plain') ?? p.bagian.find((b) => !isPdf(b.isi) && isText(b.isi));
  const lampiran = p.bagian.filter((b) => b.lampiran && b !== teks);
  const dasar = dasarPaket(ctx, o, k);
  const penerima = dasar.penerima;
  const headers = (r.headers ?? {}) as { subject?: string; registerNumber?: string; derajat?: unknown };
  const derajat = typeof headers.derajat === 'string' ? (normaliseDerajat(headers.derajat) ?? 'Biasa') : 'Biasa';
  const { buildPrintPack, print, jobIds } = await ctx.io.printer();
  const pack = await buildPrintPack({
    kartu: {
      kop: dasar.kop,
      nomorAgenda: k.nomor,
      diterimaAt: dasar.diterimaAt,
      pengirim: k.pengirim,
      nomorSurat: k.nomorPengirim ?? headers.registerNumber ?? null,
      tanggalSurat: null,
      perihal: headers.subject ?? p.subject ?? k.subjekLuar,
      isiRingkas: null,
      kepada: k.kepada,
      tembusan: [],
      sifat: k.sifat ?? 'Biasa',
      derajat,
      lampiran: lampiran.map((b) => b.nama),
      paraf: ctx.terima.paraf,
    },
    copies: dasar.copies,
    isi: teks ? teks.isi.toString('utf8') : '',
    pdfLampiran: lampiran.filter((b) => isPdf(b.isi)).map((b) => ({ name: b.nama, content: b.isi })),
    label: o.label,
    fonts: dasar.fonts,
  });
  const keep = o.keluaran !== undefined;
  const out = keep ? resolve(o.keluaran as string) : join(ctx.app.paths.root, 'cetak', `.${k.nomor.replace(/[^\w.-]+/g, '_')}-${process.pid}.pdf`);
  mkdirSync(resolve(out, '..'), { recursive: true, mode: 0o700 });
  ctx.io.writeFileAtomic(out, Buffer.from(pack.pdf), 0o600);
  let lp: string | null;
  try {
    lp = printer ? await print(out, printer, k.nomor, ctx.opts.env) : null;
  } catch (e) {
    // the temporary pack is removed below: the hint must not send the operator to it
    if (e instanceof SandiError && e.key === 'terima.printFailed' && !keep) throw new SandiError(e.code, e.key, e.params, { hint: 'terima.printFailedKriptogram.hint' });
    throw e;
  } finally {
    if (!keep) rmSync(out, { force: true });
  }
  const jobs = lp === null ? [] : jobIds(lp);
  const now = ctx.app.clock.now();
  ctx.registers().write((u) => {
    sop.addStep(u, 'cetak', { penerima, file: keep ? basename(out) : null, pages: pack.pages, printer: printer ?? null, lp, jobs }, now);
  });
  // file '' when not kept: sent to the printer, then removed (no decrypted copy is left on disk)
  const skipped = [...pack.skipped, ...lampiran.filter((b) => !isPdf(b.isi)).map((b) => b.nama)];
  return laporanCetak(k.nomor, keep ? out : '', penerima, pack, printer ?? null, lp, jobs, skipped);
}

type CetakOpsi = Parameters<typeof cetak>[2];
type Paket = Awaited<ReturnType<Awaited<ReturnType<TerimaCtx['io']['printer']>>['buildPrintPack']>>;

/**
 * What every print pack of the office shares, a letter's or a read kriptogram's: who gets a copy (the flags, else
 * the letter's addressees, else the office), the letterhead, the received time on paper (the office's long date
 * and time, "6 Desember 2026 pukul 22.34 WIB", not the register's UTC ISO), each copy's courier route, the fonts.
 */
function dasarPaket(ctx: TerimaCtx, o: CetakOpsi, r: { kepada: string[]; diterimaAt: string }) {
  const lang = o.lang ?? 'id';
  const penerima = o.penerima && o.penerima.length > 0 ? o.penerima : r.kepada.length > 0 ? r.kepada : [ctx.config.office.name];
  return {
    penerima,
    kop: kopSurat(ctx.config.office, ctx.config.mailbox?.user ?? null, lang),
    diterimaAt: tanggalWaktuPanjang(r.diterimaAt, ctx.config.office.timeZone, lang),
    copies: penerima.map((p) => ({ penerima: p, jalur: ruteAntar(p) })),
    fonts: ctx.app.pdfFonts(ctx.config),
  };
}

/** The report of one `terima cetak`, the same shape for a letter and a kriptogram. */
function laporanCetak(nomor: string, file: string, penerima: string[], pack: Paket, printer: string | null, lp: string | null, jobs: string[], lampiranDilewati: string[]) {
  return {
    nomor,
    file,
    salinan: penerima.length,
    penerima,
    pages: pack.pages,
    pagesPerCopy: pack.pagesPerCopy,
    halamanSalinan: pack.copyPages,
    printer,
    lp,
    jobs,
    lampiranDilewati,
    fontPengganti: pack.fontFallback,
  };
}
