/**
 * `sandi laporan kinerja`: the quarterly performance report the SOPs ask for ("dievaluasi setiap tiga bulan"):
 * volumes per register and month, service-level compliance of incoming mail in working time (whole service and
 * per SOP step), late letters with who held them, cancelled numbers with their reasons, and the audit chain.
 * Read-only; the PDF (for the head of office to sign) is written atomically by src/adapters/export-pdf.ts.
 */
import { existsSync } from 'node:fs';
import { SandiError } from '../errors.js';
import type { Clock } from '../ports.js';
import type { SandiConfig } from '../config/config.js';
import type { HomePaths } from '../config/home.js';
import type { AgendaBooks } from '../ports/agenda.js';
import type { AuditPorts } from '../ports/audit.js';
import type { Registers } from '../ports/registers.js';
import type { PdfReportOptions } from '../adapters/export-pdf.js';
import { dateRange } from '../domain/agenda.js';
import { zoneOffsetMinutes } from '../domain/working-time.js';
import { monthsOf, parseTriwulan, summariseSla, volumeByMonth, type SlaSummary } from '../domain/laporan.js';
import { measureLetter } from '../domain/terima.js';
import { REGISTER_CATALOG } from '../domain/register-catalog.js';
import { checkAudit, lastCheckpointBefore } from './audit.js';
import { loadTerimaSettings } from './terima/konteks.js';
import { aduanService, type AduanHome } from './aduan.js';
import type { LaporanAduan } from '../domain/aduan.js';
import type { PdfReport } from '../adapters/export-pdf.js';
import { kopSurat, penandatangan, type KopSurat, type Penandatangan } from '../domain/kop-surat.js';
import type { Bahasa } from '../domain/tanggal-tampil.js';

export interface LaporanKinerja {
  periode: { dari: string; sampai: string; triwulan: string | null; zona: string };
  kantor: string;
  dibuat: string;
  volume: { buku: string; table: string; total: number; perBulan: { bulan: string; jumlah: number; perStatus: Record<string, number> }[] }[];
  sla: SlaSummary & { layananHariKerja: number };
  terlambat: { nomor: string; pengirim: string; perihal: string | null; diterimaAt: string; tertahan: string; pemegang: string | null; menitLayanan: number; batasLayanan: string; selesai: boolean }[];
  batal: { buku: string; id: number; nomor: string | null; batalAt: string; oleh: string; alasan: string }[];
  audit: {
    ok: boolean;
    rows: number;
    lastHash: string | null;
    broken: { id: number; reason: string } | null;
    /** register rows and checkpoints that do not agree with the chain (`sandi audit periksa` names them) */
    findings: number;
    /** the newest signed checkpoint made by the end of the period */
    checkpoint: { id: number; hash: string; at: string; signer: string } | null;
  };
  /**
   * Complaints received in the period (office-local dates): volume per channel, kind and OPD, returns, and per
   * step the share on time and the median working minutes — the aduan service's own evaluation, unchanged.
   */
  aduan: LaporanAduan;
  /** what the report cannot say yet because the data does not exist (yet) in sandi */
  belumTersedia: string[];
}

export interface PeriodOptions {
  triwulan?: string | undefined;
  dari?: string | undefined;
  sampai?: string | undefined;
}

/**
 * What the report needs of the home (src/app.ts's App is one): config.json and its calendar and fonts, the
 * register queries and books, the audit ports, the complaints' ports, the PDF writer. No store.
 */
export interface LaporanHome extends AduanHome {
  paths: Pick<HomePaths, 'database'>;
  clock: Clock;
  config(): SandiConfig;
  pdfFonts(config: SandiConfig): { regular?: string; bold?: string; mono?: string };
  agendaBooks(): AgendaBooks;
  /** whether there are registers to read (the SQLite file exists, or the office database is PostgreSQL) */
  hasRegisters?(): boolean;
  registers(): Registers;
  auditPorts(): AuditPorts;
  /** Writes a laid-out report as a PDF (atomic); its path. */
  writePdfReport(report: PdfReport, path: string, o?: PdfReportOptions): Promise<string>;
}

/** Build the quarterly performance report for a quarter (or --dari/--sampai). */
export async function laporanKinerja(app: LaporanHome, o: PeriodOptions): Promise<LaporanKinerja> {
  let dari = o.dari;
  let sampai = o.sampai;
  let triwulan: string | null = null;
  if (o.triwulan !== undefined) {
    const q = parseTriwulan(o.triwulan);
    if (!q) throw new SandiError('DATA', 'laporan.badTriwulan', { value: o.triwulan });
    dari ??= q.dari;
    sampai ??= q.sampai;
    triwulan = q.triwulan;
  }
  if (dari === undefined || sampai === undefined) throw new SandiError('USAGE', 'laporan.needPeriod');
  if (!(app.hasRegisters?.() ?? existsSync(app.paths.database))) throw new SandiError('NOT_FOUND', 'agenda.noDatabase', { path: app.paths.database }, { hint: 'agenda.noDatabase.hint' });

  const settings = loadTerimaSettings(app);
  const zona = settings.config.office.timeZone;
  const range = dateRange(dari, sampai, zona);
  if ('bad' in range) throw new SandiError('DATA', 'agenda.badDate', { flag: `--${range.bad}`, value: range.value });
  const f = { from: range.from, to: range.to };
  const books = app.agendaBooks();
  const registers = app.registers();
  const now = app.clock.now();
  const months = monthsOf(dari, sampai);
  const offset = zoneOffsetMinutes(zona, new Date(range.from ?? now.toISOString()));

  const volume = REGISTER_CATALOG.map((reg) => {
    const perBulan = volumeByMonth(months, books.monthlyVolumes(reg, f, offset));
    return { buku: reg.buku, table: reg.table, total: perBulan.reduce((s, m) => s + m.jumlah, 0), perBulan };
  });

  // SLA: incoming letters registered in the period, each measured in working time at `now`
  const { terima, calendar } = settings;
  const measured = [...registers.suratMasuk.list({ ...(range.from ? { from: range.from } : {}), ...(range.to ? { to: range.to } : {}) })].map((row) => {
    const steps = registers.suratMasuk.listSteps(row.id);
    const times = { diterimaAt: row.diterimaAt, registeredAt: row.registeredAt, status: row.status, adaTembusan: row.tembusan.length > 0, langkah: steps, parafTiers: terima.paraf.length };
    return { row, steps, sla: measureLetter(calendar, times, terima.standar, terima.layananHariKerja, now) };
  });
  const sla = { ...summariseSla(measured.map((m) => m.sla)), layananHariKerja: terima.layananHariKerja };

  const terlambat = measured
    .filter((m) => m.sla.terlambat)
    .map(({ row, steps, sla: s }) => {
      // held at: the first late milestone (or the one still awaited); held by: who completed it late, or,
      // while it is still awaited, the next paraf tier or whoever last acted on the letter
      const late = s.milestones.find((x) => x.terlambat && (x.at !== null || x.name === s.menunggu)) ?? s.milestones.find((x) => x.name === s.menunggu);
      const tertahan = late?.name ?? (s.selesai ? 'layanan' : (s.menunggu ?? 'layanan'));
      let pemegang: string | null = null;
      if (late?.at) pemegang = [...steps].reverse().find((x) => x.at === late.at)?.actor ?? null;
      else if (tertahan === 'paraf') pemegang = terima.paraf[steps.filter((x) => x.langkah === 'paraf').length] ?? null;
      else pemegang = steps.at(-1)?.actor ?? row.operator;
      return { nomor: row.nomor, pengirim: row.pengirim, perihal: row.perihal, diterimaAt: row.diterimaAt, tertahan, pemegang, menitLayanan: s.menitLayanan, batasLayanan: s.batasLayanan, selesai: s.selesai };
    });

  const batal = REGISTER_CATALOG.flatMap((reg) =>
    books.cancelledRows(reg, f).map((r) => ({
      buku: reg.buku,
      id: Number(r['id']),
      nomor: typeof r['nomor'] === 'string' ? r['nomor'] : null,
      batalAt: String(r['batal_at']),
      oleh: String(r['batal_oleh']),
      alasan: String(r['batal_alasan']),
    })),
  );

  // complaints: the evaluation `sandi aduan laporan` computes, over the same local dates (no identity is read)
  const { dari: _d, sampai: _s, ...aduan } = aduanService(app, 'laporan').laporan({ dari, sampai });

  const chain = await checkAudit(app.auditPorts());
  // the period's last signed checkpoint: printed, it anchors the chain on paper
  const checkpoint = await lastCheckpointBefore(app.auditPorts(), f.to === null ? now : new Date(f.to));
  return {
    periode: { dari, sampai, triwulan, zona },
    kantor: settings.config.office.name,
    dibuat: now.toISOString(),
    volume,
    sla,
    terlambat,
    batal,
    audit: {
      ok: chain.ok,
      rows: chain.rows,
      lastHash: chain.lastHash,
      broken: chain.broken ? { id: chain.broken.id, reason: chain.broken.reason } : null,
      // the chain links, but a register row or a checkpoint does not agree with it
      findings: chain.registers.findingsTotal + chain.checkpoints.problems.length,
      checkpoint,
    },
    aduan,
    belumTersedia: ['SLA kriptogram keluar: SOP 001 tidak menetapkan standar waktu per langkah (volume dan pembatalan dilaporkan)'],
  };
}

/** The office's letterhead and the head of office who signs, from config.json `office` (with their defaults). */
export function kertasKantor(app: Pick<LaporanHome, 'config'>, lang: Bahasa = 'id'): { kop: KopSurat; penandatangan: Penandatangan } {
  const config = app.config();
  return { kop: kopSurat(config.office, config.mailbox?.user ?? null, lang), penandatangan: penandatangan(config.office, lang) };
}

/**
 * Write the report, laid out by the command, as a PDF for signing (atomic), in the fonts config.json names
 * (default DejaVu Sans); `onFontFallback` is told when the standard fonts had to be used, to warn.
 */
export async function tulisPdfLaporan(
  app: Pick<LaporanHome, 'config' | 'pdfFonts' | 'writePdfReport'>,
  layout: PdfReport,
  path: string,
  onFontFallback?: (f: { file: string; reason: string }) => void,
): Promise<string> {
  return app.writePdfReport(layout, path, { fonts: app.pdfFonts(app.config()), ...(onFontFallback ? { onFontFallback } : {}) });
}
