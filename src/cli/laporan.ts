/**
 * `sandi laporan kinerja --triwulan 2026-IV` (or --dari/--sampai): the quarterly performance report, as
 * terminal tables with small text bar charts, as JSON (--json), and as a PDF for the head of office to sign.
 */
import type { Command } from 'commander';
import type { GetContext } from './index.js';
import { ensureTableWidth, table } from './printer.js';
import { t } from './messages/index.js';
import { bahasa, tanggalLokal, waktuLokal } from './waktu.js';
import { tanggalKalenderPanjang } from '../domain/tanggal-tampil.js';
import { PDF_MONO_COLUMNS, percent, textBar, wrapWords } from '../domain/laporan.js';
import type { LaporanKinerja } from '../services/laporan.js';
import { periksaRentang } from '../domain/skema.js';
import { tolak } from './validasi.js';

interface Section {
  heading: string;
  text?: string[];
  pre?: string[];
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

/** Lay the report out once, for the terminal and for the PDF alike; `lebar`: the columns a table line may take. */
export function layoutLaporan(r: LaporanKinerja, lebar = 100): { title: string; subtitle: string[]; sections: Section[]; signature: string[] } {
  const sections: Section[] = [];
  const max = Math.max(0, ...r.volume.flatMap((v) => v.perBulan.map((m) => m.jumlah)));
  const volRows = r.volume.flatMap((v) => [
    ...v.perBulan.map((m) => [t(`agenda.buku.${v.buku}`), m.bulan, m.jumlah, textBar(m.jumlah, max, 24)]),
    [t(`agenda.buku.${v.buku}`), 'total', v.total, ''],
  ]);
  sections.push({ heading: t('laporan.volume'), pre: table([t('laporan.col.buku'), t('laporan.col.bulan'), t('laporan.col.jumlah'), ''], volRows, { width: lebar }).split('\n') });

  const s = r.sla;
  const slaText = s.total === 0
    ? [t('laporan.sla.none')]
    : [t('laporan.sla.summary', { selesai: s.selesai, total: s.total, tepat: s.tepatWaktu, persen: percent(s.kepatuhan), terlambat: s.terlambat, berjalan: s.berjalan })];
  const slaPre = s.total === 0
    ? []
    : [
        t('laporan.sla.step'),
        ...table(
          [t('laporan.col.langkah'), t('laporan.col.standar'), t('laporan.col.tercapai'), t('laporan.col.terlambat'), t('laporan.col.rata'), ''],
          s.langkah.map((l) => [l.name, l.standar, l.tercapai, l.terlambat, l.rataMenit ?? '-', textBar(l.tercapai - l.terlambat, s.total, 16) + textBar(l.terlambat, s.total, 16, '░')]),
          { width: lebar },
        ).split('\n'),
      ];
  sections.push({ heading: t('laporan.sla'), text: slaText, pre: slaPre });

  sections.push(
    r.terlambat.length === 0
      ? { heading: t('laporan.late'), text: [t('laporan.late.none')] }
      : {
          heading: t('laporan.late'),
          pre: table(
            [t('laporan.col.nomor'), t('laporan.col.tanggal'), t('laporan.col.menunggu'), t('laporan.col.pemegang'), t('laporan.col.rata')],
            r.terlambat.map((l) => [l.nomor, tanggalLokal(l.diterimaAt, r.periode.zona), l.tertahan, l.pemegang ?? '-', l.menitLayanan]),
            { width: lebar },
          ).split('\n'),
        },
  );
  const batalHead = [t('laporan.col.buku'), t('laporan.col.nomor'), t('laporan.col.tanggal'), t('laporan.col.oleh'), t('laporan.col.alasan')];
  sections.push(
    r.batal.length === 0
      ? { heading: t('laporan.batal'), text: [t('laporan.batal.none')] }
      : {
          heading: t('laporan.batal'),
          pre: table(batalHead, batalRows(r, batalHead, lebar), { width: lebar }).split('\n'),
        },
  );
  const a = r.aduan;
  if (a.jumlah === 0) sections.push({ heading: t('laporan.aduan'), text: [t('laporan.aduan.none')] });
  else {
    const volume = [
      ...Object.entries(a.perKanal).map(([k, n]) => [t('laporan.aduan.kanal'), k, n]),
      ...Object.entries(a.perJenis).map(([k, n]) => [t('laporan.aduan.jenis'), k, n]),
      ...Object.entries(a.perOpd).map(([k, n]) => [t('laporan.aduan.opd'), k, n]),
    ];
    const tahap = (['verifikasi', 'tindakLanjut', 'konfirmasi', 'layanan'] as const).map((k) => {
      const st = a.tahap[k];
      return [t(`laporan.aduan.tahap.${k}`), st.selesai, st.bertenggat, st.tepatWaktu, percent(st.bertenggat === 0 ? null : st.tepatWaktu / st.bertenggat), st.medianMenit ?? '-'];
    });
    const p = a.pengembalian;
    sections.push({
      heading: t('laporan.aduan'),
      text: [t('laporan.aduan.summary', { jumlah: a.jumlah, selesai: a.selesai }), t('laporan.aduan.returns', { hulu: p.kantor_ke_hulu, opd: p.opd_ke_kantor, dariHulu: p.hulu_ke_kantor })],
      pre: [
        ...table([t('laporan.aduan.dimensi'), '', t('laporan.col.jumlah')], volume, { width: lebar }).split('\n'),
        '',
        ...table(
          [t('laporan.col.langkah'), t('laporan.aduan.col.selesai'), t('laporan.aduan.col.bertenggat'), t('laporan.aduan.col.tepat'), '%', t('laporan.aduan.col.median')],
          tahap,
          { width: lebar },
        ).split('\n'),
      ],
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
        ? t('laporan.audit.checkpoint', { id: r.audit.checkpoint.id, hash: r.audit.checkpoint.hash, at: waktuLokal(r.audit.checkpoint.at, r.periode.zona), signer: r.audit.checkpoint.signer })
        : t('laporan.audit.noCheckpoint'),
    ],
  });
  sections.push({ heading: t('laporan.missing'), text: r.belumTersedia.map((m) => `- ${m}`) });
  return {
    title: `${t('laporan.title')}${r.periode.triwulan ? ` ${r.periode.triwulan}` : ''}`,
    // calendar dates written out, as on paper: "1 Oktober 2026 s.d. 31 Desember 2026"
    subtitle: [r.kantor, t('laporan.periode', { dari: tanggalKalenderPanjang(r.periode.dari, bahasa()), sampai: tanggalKalenderPanjang(r.periode.sampai, bahasa()), zona: r.periode.zona })],
    sections,
    // the signature block is dated the last day of the period, written out ("31 Desember 2026")
    signature: [tanggalKalenderPanjang(r.periode.sampai, bahasa()), t('laporan.sign'), t('laporan.sign.role'), t('laporan.sign.name')],
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
      const app = openApp(ctx.home);
      try {
        const r = await svc.laporanKinerja(app, o);
        // at a terminal, tables wrap to its width; else (and in the PDF) to what a PDF line holds
        // the report's tables are fitted to its width on screen and on paper alike, piped or not
        await ensureTableWidth();
        const layout = layoutLaporan(r, process.stdout.isTTY === true ? (process.stdout.columns ?? PDF_MONO_COLUMNS) - 1 : PDF_MONO_COLUMNS);
        let pdf: string | null = null;
        if (o.pdf) {
          pdf = await svc.tulisPdfLaporan(app, layoutLaporan(r, PDF_MONO_COLUMNS), o.pdf, (f) => ctx.printer.warn(t('terima.w.fontFallback', f)));
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
