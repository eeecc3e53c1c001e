/**
 * `sandi laporan kinerja --triwulan 2026-IV` (or --dari/--sampai): the quarterly performance report, as
 * terminal tables with small text bar charts, as JSON (--json), and as a PDF for the head of office to sign.
 */
import type { Command } from 'commander';
import type { GetContext } from './index.js';
import { table } from './printer.js';
import { t } from './messages/index.js';
import { bahasa, tanggalKertas, tanggalLokal, waktuKertas, waktuLokal } from './waktu.js';
import { NAMA_BULAN, tanggalKalenderPanjang } from '../domain/tanggal-tampil.js';
import type { KopSurat, Penandatangan } from '../domain/kop-surat.js';
import type { PdfCell, PdfSignature, PdfTable } from '../adapters/export-pdf.js';
import { PDF_MONO_COLUMNS, percent, textBar, wrapWords } from '../domain/laporan.js';
import type { LaporanKinerja } from '../services/laporan.js';
import { periksaRentang } from '../domain/skema.js';
import { tolak } from './validasi.js';

interface Section {
  heading: string;
  text?: string[];
  /** the tables as data: drawn as ruled grids in the PDF */
  tables?: PdfTable[];
  /** the same tables as terminal text */
  pre?: string[];
}

/** What the paper adds to the layout: the office letterhead and who signs (config.json `office`). */
export interface Kertas {
  kop: KopSurat;
  penandatangan: Penandatangan;
}

export interface LayoutLaporan {
  title: string;
  subtitle: string[];
  sections: Section[];
  signature: PdfSignature;
  kop?: KopSurat;
  footer?: { left: string; page: (x: number, y: number) => string };
}

/** A table as terminal text (printer.table): bars as text bars of their `lebar` characters. */
function teks(tb: PdfTable, lebar: number): string[] {
  const cell = (c: PdfCell): string | number => (typeof c === 'object' ? c.bars.map((b) => textBar(b.n, b.of, c.lebar ?? 24, b.light ? '░' : '█')).join('') : c);
  return table([...tb.header], tb.rows.map((r) => r.map(cell)), { width: lebar }).split('\n');
}

/** "2026-10" as "Oktober 2026" on paper. */
function bulanPanjang(bulan: string): string {
  const m = /^(\d{4})-(\d{2})$/.exec(bulan);
  return m ? `${NAMA_BULAN[bahasa()][Number(m[2]) - 1] ?? bulan} ${m[1]}` : bulan;
}

/**
 * The cancelled numbers, the reason wrapped at spaces into the room `lebar` columns leave it (at least 24), its
 * further lines under the first with the other cells empty.
 */
function batalRows(r: LaporanKinerja, headers: string[], lebar: number): string[][] {
  const rows = r.batal.map((b) => [b.buku, b.nomor ?? `#${b.id}`, tanggalLokal(b.batalAt, r.periode.zona), b.oleh, b.alasan]);
  const others = [0, 1, 2, 3].reduce((sum, i) => sum + Math.max((headers[i] ?? '').length, ...rows.map((row) => (row[i] ?? '').length)) + 2, 0);
  const room = Math.max(24, lebar - others);
  return rows.flatMap((row) => wrapWords(row[4] ?? '', room).map((l, i) => (i === 0 ? [...row.slice(0, 4), l] : ['', '', '', '', l])));
}

/**
 * Lay the report out once, for the terminal and for the PDF alike; `lebar`: the columns a terminal table line may
 * take. With `kertas` (the PDF): the letterhead, dates written out ("6 Desember 2026") and office time, months by
 * name, the footer, and the signature block of the head of office with place and date.
 */
export function layoutLaporan(r: LaporanKinerja, lebar = 100, kertas?: Kertas): LayoutLaporan {
  const zona = r.periode.zona;
  const tanggal = (v: string): string => (kertas ? tanggalKertas(v, zona) : tanggalLokal(v, zona));
  const sections: Section[] = [];
  const max = Math.max(0, ...r.volume.flatMap((v) => v.perBulan.map((m) => m.jumlah)));
  const volume: PdfTable = {
    header: [t('laporan.col.buku'), t('laporan.col.bulan'), t('laporan.col.jumlah'), ''],
    rows: r.volume.flatMap((v) => [
      ...v.perBulan.map((m): PdfCell[] => [t(`agenda.buku.${v.buku}`), kertas ? bulanPanjang(m.bulan) : m.bulan, m.jumlah, { bars: [{ n: m.jumlah, of: max }], lebar: 24 }]),
      [t(`agenda.buku.${v.buku}`), 'total', v.total, ''],
    ]),
  };
  sections.push({ heading: t('laporan.volume'), tables: [volume], pre: teks(volume, lebar) });

  const s = r.sla;
  const slaText = s.total === 0
    ? [t('laporan.sla.none')]
    : [t('laporan.sla.summary', { selesai: s.selesai, total: s.total, tepat: s.tepatWaktu, persen: percent(s.kepatuhan), terlambat: s.terlambat, berjalan: s.berjalan })];
  const langkah: PdfTable = {
    header: [t('laporan.col.langkah'), t('laporan.col.standar'), t('laporan.col.tercapai'), t('laporan.col.terlambat'), t('laporan.col.rata'), ''],
    rows: s.total === 0
      ? []
      : s.langkah.map((l) => [l.name, l.standar, l.tercapai, l.terlambat, l.rataMenit ?? '-', { bars: [{ n: l.tercapai - l.terlambat, of: s.total }, { n: l.terlambat, of: s.total, light: true }], lebar: 16 }]),
  };
  sections.push(
    s.total === 0
      ? { heading: t('laporan.sla'), text: slaText }
      : { heading: t('laporan.sla'), text: [...slaText, t('laporan.sla.step')], tables: [langkah], pre: teks(langkah, lebar) },
  );

  if (r.terlambat.length === 0) sections.push({ heading: t('laporan.late'), text: [t('laporan.late.none')] });
  else {
    const late: PdfTable = {
      header: [t('laporan.col.nomor'), t('laporan.col.tanggal'), t('laporan.col.menunggu'), t('laporan.col.pemegang'), t('laporan.col.rata')],
      rows: r.terlambat.map((l) => [l.nomor, tanggal(l.diterimaAt), l.tertahan, l.pemegang ?? '-', l.menitLayanan]),
    };
    sections.push({ heading: t('laporan.late'), tables: [late], pre: teks(late, lebar) });
  }
  const batalHead = [t('laporan.col.buku'), t('laporan.col.nomor'), t('laporan.col.tanggal'), t('laporan.col.oleh'), t('laporan.col.alasan')];
  if (r.batal.length === 0) sections.push({ heading: t('laporan.batal'), text: [t('laporan.batal.none')] });
  else {
    // on paper the reason wraps in its cell; on the terminal, at spaces into what the line leaves it
    const batal: PdfTable = { header: batalHead, rows: r.batal.map((b) => [b.buku, b.nomor ?? `#${b.id}`, tanggal(b.batalAt), b.oleh, b.alasan]) };
    sections.push({ heading: t('laporan.batal'), tables: [batal], pre: table(batalHead, batalRows(r, batalHead, lebar), { width: lebar }).split('\n') });
  }
  const a = r.aduan;
  if (a.jumlah === 0) sections.push({ heading: t('laporan.aduan'), text: [t('laporan.aduan.none')] });
  else {
    const volumeAduan: PdfTable = {
      header: [t('laporan.aduan.dimensi'), '', t('laporan.col.jumlah')],
      rows: [
        ...Object.entries(a.perKanal).map(([k, n]) => [t('laporan.aduan.kanal'), k, n]),
        ...Object.entries(a.perJenis).map(([k, n]) => [t('laporan.aduan.jenis'), k, n]),
        ...Object.entries(a.perOpd).map(([k, n]) => [t('laporan.aduan.opd'), k, n]),
      ],
    };
    const tahap: PdfTable = {
      header: [t('laporan.col.langkah'), t('laporan.aduan.col.selesai'), t('laporan.aduan.col.bertenggat'), t('laporan.aduan.col.tepat'), '%', t('laporan.aduan.col.median')],
      rows: (['verifikasi', 'tindakLanjut', 'konfirmasi', 'layanan'] as const).map((k) => {
        const st = a.tahap[k];
        return [t(`laporan.aduan.tahap.${k}`), st.selesai, st.bertenggat, st.tepatWaktu, percent(st.bertenggat === 0 ? null : st.tepatWaktu / st.bertenggat), st.medianMenit ?? '-'];
      }),
      align: ['left', 'right', 'right', 'right', 'right', 'right'],
    };
    const p = a.pengembalian;
    sections.push({
      heading: t('laporan.aduan'),
      text: [t('laporan.aduan.summary', { jumlah: a.jumlah, selesai: a.selesai }), t('laporan.aduan.returns', { hulu: p.kantor_ke_hulu, opd: p.opd_ke_kantor, dariHulu: p.hulu_ke_kantor })],
      tables: [volumeAduan, tahap],
      pre: [...teks(volumeAduan, lebar), '', ...teks(tahap, lebar)],
    });
  }
  sections.push({
    heading: t('laporan.audit'),
    text: [
      r.audit.ok
        ? t('laporan.audit.ok', { rows: r.audit.rows, hash: (r.audit.lastHash ?? '-').slice(0, 16) })
        : r.audit.broken
          ? t('laporan.audit.broken', { id: r.audit.broken.id, reason: r.audit.broken.reason })
          : t('laporan.audit.findings', { n: r.audit.findings }),
      // the full hash: a paper copy anchors the chain only if it can be compared byte for byte
      r.audit.checkpoint
        ? t('laporan.audit.checkpoint', { id: r.audit.checkpoint.id, hash: r.audit.checkpoint.hash, at: kertas ? waktuKertas(r.audit.checkpoint.at, zona) : waktuLokal(r.audit.checkpoint.at, zona), signer: r.audit.checkpoint.signer })
        : t('laporan.audit.noCheckpoint'),
    ],
  });
  sections.push({ heading: t('laporan.missing'), text: r.belumTersedia.map((m) => `- ${m}`) });
  const title = `${t('laporan.title')}${r.periode.triwulan ? ` ${r.periode.triwulan}` : ''}`;
  // calendar dates written out, as on paper: "1 Oktober 2026 s.d. 31 Desember 2026"
  const periode = t('laporan.periode', { dari: tanggalKalenderPanjang(r.periode.dari, bahasa()), sampai: tanggalKalenderPanjang(r.periode.sampai, bahasa()), zona });
  // the signature block is dated the last day of the period, written out ("Pekalongan, 31 Desember 2026")
  const sampai = tanggalKalenderPanjang(r.periode.sampai, bahasa());
  if (!kertas) return { title, subtitle: [r.kantor, periode], sections, signature: { above: [sampai, t('laporan.sign'), t('laporan.sign.role')], name: t('laporan.sign.name'), below: [] } };
  const ttd = kertas.penandatangan;
  return {
    kop: kertas.kop,
    title,
    subtitle: [periode, t('kertas.dibuat', { waktu: waktuKertas(r.dibuat, zona) })],
    sections,
    signature: {
      above: [ttd.tempat ? `${ttd.tempat}, ${sampai}` : sampai, `${ttd.jabatan},`],
      name: ttd.nama ?? t('kertas.namaKosong'),
      below: [ttd.nip ? t('kertas.nip', { nip: ttd.nip }) : t('kertas.nipKosong')],
    },
    footer: { left: `${title} · ${r.kantor}`, page: (x, y) => t('kertas.halaman', { x, y }) },
  };
}

export function registerLaporan(program: Command, getCtx: GetContext): void {
  const laporan = program.command('laporan').description(t('laporan.description'));
  laporan
    .command('kinerja')
    .description(t('laporan.kinerja.description'))
    .option('--triwulan <triwulan>', t('laporan.opt.triwulan'))
    .option('--dari <tanggal>', t('laporan.opt.dari'))
    .option('--sampai <tanggal>', t('laporan.opt.sampai'))
    .option('--pdf <file>', t('laporan.opt.pdf'))
    .action(async (o: { triwulan?: string; dari?: string; sampai?: string; pdf?: string }) => {
      const ctx = getCtx();
      const period = periksaRentang(o);
      if (!period.ok) tolak(period.problems);
      const [{ openApp }, svc] = await Promise.all([import('../app.js'), import('../services/laporan.js')]);
      const app = openApp(ctx.home, undefined, ctx);
      try {
        const r = await svc.laporanKinerja(app, o);
        // at a terminal, tables wrap to its width; else (and in the PDF) to what a PDF line holds
        const layout = layoutLaporan(r, process.stdout.isTTY === true ? (process.stdout.columns ?? PDF_MONO_COLUMNS) - 1 : PDF_MONO_COLUMNS);
        let pdf: string | null = null;
        if (o.pdf) {
          pdf = await svc.tulisPdfLaporan(app, layoutLaporan(r, PDF_MONO_COLUMNS, svc.kertasKantor(app, bahasa())), o.pdf, (f) => ctx.printer.warn(t('terima.w.fontFallback', f)));
        }
        ctx.printer.result({ ...r, pdf }, () => {
          const lines = [layout.title, ...layout.subtitle];
          for (const sec of layout.sections) lines.push('', `== ${sec.heading}`, ...(sec.text ?? []), ...(sec.pre ?? []));
          if (pdf) lines.push('', t('laporan.pdfWritten', { path: pdf }));
          return lines.join('\n');
        });
      } finally {
        app.close();
      }
    });
}
