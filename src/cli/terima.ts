/**
 * `sandi terima`: fetch incoming mail and carry each letter through the SOP steps (see src/services/terima/).
 *   sandi terima [--dari-folder DIR]          fetch, archive, register; table of what arrived
 *   sandi terima status [NOMOR] [--semua]      where each letter is, what waits for whom, SLA in working time
 *   sandi terima teruskan|cetak|paraf|antar|tandaterima NOMOR ...   the steps after arrival
 *   sandi terima klasifikasi NOMOR --sifat S [--derajat D] --alasan TEKS   set or correct the classification (an event)
 *   sandi terima baca NOMOR [--tampilkan]      decrypt and verify an incoming kriptogram
 *   sandi terima arsip-periksa                 verify the soft-copy archive
 */
import { Command, Option } from 'commander';
import type { GetContext } from './index.js';
import type { CliContext } from './context.js';
import { requireFlags } from './prompter.js';
import { table } from './printer.js';
import { getLang, t } from './messages/index.js';
import { officeTimeZone, waktuLokal } from './waktu.js';
import { statusTandaTangan } from './tanda-tangan.js';
import { operatorName } from './kunci.js';
import { SandiError } from '../errors.js';
import type { KeyInfo } from '../ports.js';
import type { TerimaService } from '../services/terima/index.js';
import { refusalCode } from '../domain/terima.js';
import { TANDA_TERIMA, TERUSKAN } from '../domain/skema.js';
import { instanKantor } from '../domain/waktu-masukan.js';
import { pastikan, validasiJawaban } from './validasi.js';

const JALUR = ['ajudan', 'umum', 'langsung', 'faks', 'email', 'aplikasi'] as const;

async function withTerima<T>(ctx: CliContext, passphraseFile: string | undefined, fn: (svc: TerimaService) => Promise<T> | T): Promise<T> {
  const [{ openApp }, { terimaService }, { passphraseSource }, { terimaPorts }] = await Promise.all([
    import('../app.js'),
    import('../services/terima/index.js'),
    import('../config/passphrase.js'),
    import('../app/terima.js'),
  ]);
  const app = openApp(ctx.home, undefined, ctx);
  try {
    const svc = terimaService(app, {
      actor: operatorName(ctx.env),
      env: ctx.env,
      passphrases: passphraseSource({
        file: passphraseFile,
        env: ctx.env,
        prompt: ctx.prompter.interactive ? (k: KeyInfo) => ctx.prompter.password(t('kunci.q.passphrase', { key: `${k.fingerprint} (${k.userId})` })) : undefined,
      }),
      progress: (done, total) => ctx.printer.progress(t('terima.progress', { done, total }), done, total),
      warn: (key, params) => ctx.printer.warn(t(key, alasanDibaca(params))),
    }, terimaPorts(app));
    return await fn(svc);
  } finally {
    ctx.printer.progressEnd();
    app.close();
  }
}

const warnings = (keys: string[]): string => keys.map((k) => t(k)).join('; ');

/**
 * A warning whose `reason` is an error's message key (its parameters as `reason_NAME`), in words: the short form
 * `terima.alasan.KEY` when there is one (the error's own message may say "ditolak" of what is only held), else
 * that message; a reason that is no key stays as it is.
 */
export function alasanDibaca(params: Record<string, string | number>): Record<string, string | number> {
  const reason = params['reason'];
  if (typeof reason !== 'string') return params;
  const own: Record<string, string | number> = {};
  for (const [k, v] of Object.entries(params)) if (k.startsWith('reason_')) own[k.slice('reason_'.length)] = v;
  const short = `terima.alasan.${reason}`;
  const text = t(short, own);
  return { ...params, reason: text !== short ? text : t(reason, own) };
}

/** One signer's line; a kedaluwarsa one says when the key expired and whether it was valid at the claimed signing time. */
function signerLine(nomor: string, s: { userId: string | null; keyId: string; unit?: string | null; status: string; created?: string | null; keyExpired?: string | null; validAtCreated?: boolean }, tz: string): string {
  const base = { nomor, who: s.userId ?? s.keyId, unit: s.unit ?? '-', status: statusTandaTangan(s.status) };
  if (s.status !== 'kedaluwarsa') return t('terima.signer', base);
  const key = s.validAtCreated === true ? 'terima.signerExpiredValidThen' : 'terima.signerExpiredInvalidThen';
  return t(key, { ...base, expired: s.keyExpired ? waktuLokal(s.keyExpired, tz) : '?', created: s.created ? waktuLokal(s.created, tz) : '?' });
}

/**
 * `terima baca --tampilkan|--keluaran DIR`: the protected Subject and every part. With DIR each part is a new
 * file there; --json gives the parts in the JSON (text as text, the rest base64); else the document (the first
 * attachment) goes to stdout and the parts left out are named, never dropped without a word.
 */
async function tampilkanBagian(ctx: CliContext, nomor: string, keluaran: string | undefined, passphraseFile: string | undefined, tz: string): Promise<void> {
  const r = await withTerima(ctx, passphraseFile, (svc) => svc.bacaBagian(nomor, keluaran));
  const penandaTangan = r.arrival.penandaTangan ?? [];
  const bagian = r.bagian.map((b) => ({
    nama: b.nama,
    jenis: b.jenis,
    lampiran: b.lampiran,
    ukuran: b.isi.length,
    ...(b.berkas !== null ? { berkas: b.berkas } : b.jenis.startsWith('text/') ? { teks: b.isi.toString('utf8') } : { base64: b.isi.toString('base64') }),
  }));
  const data = { nomor: r.arrival.nomor, status: r.arrival.status, subject: r.subject, fileName: r.fileName, penandaTangan, bagian };
  const head = [t('terima.bacaOk', { nomor: data.nomor, file: data.fileName ?? '' }), t('terima.bacaPerihal', { perihal: data.subject ?? '' })];
  const signers = penandaTangan.map((s) => signerLine(data.nomor, s, tz));
  if (keluaran !== undefined || ctx.json) {
    ctx.printer.result(data, () => [...head, ...bagian.map((b) => t('terima.bagianDitulis', { berkas: 'berkas' in b ? b.berkas : b.nama, jenis: b.jenis, ukuran: b.ukuran })), ...signers].join('\n'));
    return;
  }
  const dokumen = r.bagian.find((b) => b.lampiran) ?? r.bagian[0];
  if (dokumen !== undefined) await new Promise<void>((res, rej) => process.stdout.write(dokumen.isi, (e) => (e ? rej(e) : res())));
  for (const line of [...head, ...signers]) ctx.printer.info(line);
  const lain = r.bagian.filter((b) => b !== dokumen);
  if (lain.length > 0) ctx.printer.warn(t('terima.bagianLain', { count: lain.length, nama: lain.map((b) => b.nama).join(', '), nomor: data.nomor }));
}

export function registerTerima(program: Command, getCtx: GetContext): void {
  const terima = program
    .command('terima')
    .description(t('terima.description'))
    .option('--dari-folder <dir>', t('terima.opt.dariFolder'))
    .option('--passphrase-file <file>', t('terima.opt.passphraseFile'))
    .action(async (o: { dariFolder?: string; passphraseFile?: string }) => {
      const ctx = getCtx();
      // a fetch from the mailbox: its parse thread boots while the rest of terima loads (issue 16)
      const stopEarlyThread = o.dariFolder === undefined ? (await import('../app/terima-awal.js')).prestartFetch(ctx.home) : null;
      let report;
      try {
        report = await withTerima(ctx, o.passphraseFile, (svc) => svc.fetch(o.dariFolder === undefined ? {} : { dariFolder: o.dariFolder }));
      } finally {
        await stopEarlyThread?.();
      }
      const tz = await officeTimeZone(ctx.home);
      ctx.printer.result(report, () => {
        const lines = [t('terima.fetched', { sumber: report.sumber, folder: report.folder, baru: report.baru.length, duplikat: report.duplikat.length })];
        if (report.uidvalidityBerubah) lines.push(t('terima.uidvalidityNote'));
        if (report.baru.length > 0) {
          lines.push(
            table(
              [t('terima.col.nomor'), t('terima.col.buku'), t('terima.col.pengirim'), t('terima.col.perihal'), t('terima.col.lampiran'), t('terima.col.status'), t('terima.col.peringatan')],
              report.baru.map((a) => [a.nomor, t(`terima.buku.${a.buku}`), a.pengirim, a.perihal ?? '', a.lampiran, a.status, warnings(a.peringatan)]),
            ),
          );
          for (const a of report.baru) {
            for (const s of a.penandaTangan ?? []) lines.push(signerLine(a.nomor, s, tz));
          }
        }
        for (const a of report.dilanjutkan) lines.push(t('terima.resumed', { nomor: a.nomor, status: a.status }));
        for (const f of report.diteruskan) lines.push(t('terima.forwarded', { nomor: f.nomor, ke: f.ke.join(', ') }));
        for (const f of report.ditolak) for (const d of f.ke) lines.push(t('terima.forwardRefusedOne', { nomor: f.nomor, alamat: d.alamat, balasan: d.balasan }));
        return lines.join('\n');
      });
    });
  // commander gives `--passphrase-file` to `terima` even after a subcommand (`terima baca 1 --passphrase-file F`)
  const parentFile = (): string | undefined => terima.opts<{ passphraseFile?: string }>().passphraseFile;

  terima
    .command('status')
    .description(t('terima.status.description'))
    .argument('[nomor]', t('terima.arg.nomor'))
    .option('--semua', t('terima.opt.semua'))
    .action(async (nomor: string | undefined, o: { semua?: boolean }) => {
      const ctx = getCtx();
      const r = await withTerima(ctx, undefined, (svc) => svc.status({ ...(nomor ? { ref: nomor } : {}), ...(o.semua ? { semua: true } : {}) }));
      const tz = await officeTimeZone(ctx.home);
      const catatan = ctx.json ? null : await (await import('./tenggat.js')).catatanHariLibur(ctx.home, r.surat.flatMap((s) => [s.sla.batasLayanan, ...s.sla.milestones.map((m) => m.batas)]));
      ctx.printer.result(r, () => {
        const lines: string[] = [];
        if (r.surat.length === 0) lines.push(t('terima.status.none'));
        else
          lines.push(
            table(
              [t('terima.col.nomor'), t('terima.col.perihal'), t('terima.col.status'), t('terima.col.menunggu'), t('terima.col.menit'), t('terima.col.batas'), t('terima.col.terlambat')],
              r.surat.map((s) => [
                s.nomor,
                s.perihal ?? '',
                s.status,
                s.sla.menunggu ? `${s.sla.menunggu}${s.menungguSiapa ? ` (${s.menungguSiapa})` : ''}` : '-',
                s.sla.menitLayanan,
                waktuLokal(s.sla.batasLayanan, tz),
                s.sla.terlambat ? t('terima.late') : '',
              ]),
            ),
          );
        if (nomor && r.surat[0]) {
          lines.push('');
          lines.push(
            table(
              [t('terima.col.langkah'), t('terima.col.standar'), t('terima.col.menit'), t('terima.col.batas'), t('terima.col.at'), t('terima.col.terlambat')],
              r.surat[0].sla.milestones.map((m) => [m.name, m.standar, m.menit, waktuLokal(m.batas, tz), waktuLokal(m.at, tz), m.terlambat ? t('terima.late') : '']),
            ),
          );
        }
        if (r.kriptogram.length > 0) {
          lines.push('', t('terima.status.kriptogram'));
          lines.push(table([t('terima.col.nomor'), t('terima.col.pengirim'), t('terima.col.status')], r.kriptogram.map((k) => [k.nomor, k.pengirim, k.status])));
        }
        if (catatan) lines.push('', catatan);
        return lines.join('\n');
      });
    });

  terima
    .command('teruskan')
    .description(t('terima.teruskan.description'))
    .argument('<nomor>', t('terima.arg.nomor'))
    .option('--ke <alamat...>', t('terima.opt.ke'))
    .action(async (nomor: string, o: { ke?: string[] }) => {
      const ctx = getCtx();
      // every --ke address is checked before anything is sent or recorded (exit 65 naming each bad one)
      pastikan(TERUSKAN, o);
      const r = await withTerima(ctx, parentFile(), (svc) => svc.teruskan(nomor, o.ke ? { ke: o.ke } : {}));
      ctx.printer.result(r, () =>
        [t('terima.forwarded', { nomor: r.nomor, ke: r.ke.join(', ') }), ...r.ditolak.map((d) => t('terima.forwardRefusedOne', { nomor: r.nomor, alamat: d.alamat, balasan: d.balasan }))].join('\n'),
      );
      // what the server accepted is recorded; the refused addresses fail the command (a rerun sends only them)
      if (r.ditolak.length > 0) {
        throw new SandiError(
          refusalCode(r.ditolak.map((d) => d.kode)),
          'terima.forwardRefused',
          { nomor: r.nomor, count: r.ditolak.length, ke: r.ditolak.map((d) => d.alamat).join(', ') },
          { hint: 'terima.forwardRefused.hint' },
        );
      }
    });

  terima
    .command('cetak')
    .description(t('terima.cetak.description'))
    .argument('<nomor>', t('terima.arg.nomor'))
    .option('--penerima <nama...>', t('terima.opt.penerima'))
    .option('--keluaran <file>', t('terima.opt.keluaran'))
    .option('--printer <nama>', t('terima.opt.printer'))
    .option('--tanpa-printer', t('terima.opt.tanpaPrinter'))
    .option('--passphrase-file <file>', t('terima.opt.passphraseFile'))
    .action(async (nomor: string, o: { penerima?: string[]; keluaran?: string; printer?: string; tanpaPrinter?: boolean; passphraseFile?: string }) => {
      const ctx = getCtx();
      // an incoming kriptogram is decrypted again with the archive key to print it
      const r = await withTerima(ctx, o.passphraseFile ?? parentFile(), (svc) =>
        svc.cetak(nomor, {
          ...(o.penerima ? { penerima: o.penerima } : {}),
          ...(o.keluaran ? { keluaran: o.keluaran } : {}),
          ...(o.tanpaPrinter ? { printer: null } : o.printer ? { printer: o.printer } : {}),
          label: (k, p) => t(k, p),
          lang: getLang(),
        }),
      );
      if (r.fontPengganti) ctx.printer.warn(t('terima.w.fontFallback', r.fontPengganti));
      for (const s of r.lampiranDilewati) ctx.printer.warn(t('terima.pdfSkipped', { name: s }));
      ctx.printer.result(r, () => {
        const line = t(r.printer ? (r.file === '' ? 'terima.printedNoFile' : 'terima.printed') : 'terima.saved', { nomor: r.nomor, file: r.file, salinan: r.salinan, pages: r.pages, printer: r.printer ?? '' });
        return r.jobs.length > 0 ? `${line}\n${t('terima.printedJobs', { jobs: r.jobs.join(', ') })}` : line;
      });
    });

  terima
    .command('paraf')
    .description(t('terima.paraf.description'))
    .argument('<nomor>', t('terima.arg.nomor'))
    .option('--sebagai <jabatan>', t('terima.opt.sebagai'))
    .option('--nama <nama>', t('terima.opt.nama'))
    .action(async (nomor: string, o: { sebagai?: string; nama?: string }) => {
      const ctx = getCtx();
      const missing = [...(o.sebagai ? [] : ['--sebagai']), ...(o.nama ? [] : ['--nama'])];
      requireFlags(ctx.prompter, missing);
      const sebagai = o.sebagai ?? (await ctx.prompter.input(t('terima.q.sebagai')));
      const nama = o.nama ?? (await ctx.prompter.input(t('terima.q.nama')));
      const r = await withTerima(ctx, undefined, (svc) => svc.paraf(nomor, { sebagai, nama }));
      ctx.printer.result(r, () => (r.lengkap ? t('terima.parafDone', { nomor: r.nomor, sebagai: r.sebagai, nama: r.nama }) : t('terima.parafNext', { nomor: r.nomor, sebagai: r.sebagai, nama: r.nama, next: r.berikutnya ?? '' })));
    });

  terima
    .command('klasifikasi')
    .description(t('terima.klasifikasi.description'))
    .argument('<nomor>', t('terima.arg.nomor'))
    .option('--sifat <sifat>', t('terima.opt.sifat'))
    .option('--derajat <derajat>', t('terima.opt.derajat'))
    .option('--alasan <teks>', t('terima.opt.alasan'))
    .action(async (nomor: string, o: { sifat?: string; derajat?: string; alasan?: string }) => {
      const ctx = getCtx();
      if (o.sifat === undefined && o.derajat === undefined) throw new SandiError('USAGE', 'terima.klasifikasi.nothing', {});
      requireFlags(ctx.prompter, o.alasan ? [] : ['--alasan']);
      const alasan = o.alasan ?? (await ctx.prompter.input(t('terima.q.alasan')));
      const r = await withTerima(ctx, undefined, (svc) => svc.klasifikasi(nomor, { ...(o.sifat !== undefined ? { sifat: o.sifat } : {}), ...(o.derajat !== undefined ? { derajat: o.derajat } : {}), alasan }));
      ctx.printer.result(r, () => t('terima.klasifikasiDone', { nomor: r.nomor, sifat: r.sifat, derajat: r.derajat, sifatLama: r.sebelum.sifat, derajatLama: r.sebelum.derajat, alasan: r.alasan }));
    });

  terima
    .command('antar')
    .description(t('terima.antar.description'))
    .argument('<nomor>', t('terima.arg.nomor'))
    .option('--caraka <nama>', t('terima.opt.caraka'))
    .option('--tujuan <nama...>', t('terima.opt.tujuan'))
    .addOption(new Option('--jalur <jalur>', t('terima.opt.jalur')).choices(JALUR))
    .action(async (nomor: string, o: { caraka?: string; tujuan?: string[]; jalur?: (typeof JALUR)[number] }) => {
      const ctx = getCtx();
      requireFlags(ctx.prompter, o.caraka ? [] : ['--caraka']);
      const caraka = o.caraka ?? (await ctx.prompter.input(t('terima.q.caraka')));
      const r = await withTerima(ctx, undefined, (svc) => svc.antar(nomor, { caraka, ...(o.tujuan ? { tujuan: o.tujuan } : {}), jalur: o.jalur ?? null }));
      ctx.printer.result(r, () => [t('terima.antarDone', { nomor: r.nomor, caraka: r.caraka }), table([t('terima.col.tujuan'), t('terima.col.jalur')], r.rute.map((x) => [x.tujuan, x.jalur]))].join('\n'));
    });

  terima
    .command('tandaterima')
    .description(t('terima.tandaterima.description'))
    .argument('<nomor>', t('terima.arg.nomor'))
    .option('--tujuan <nama>', t('terima.opt.tujuanSatu'))
    .option('--diterima-oleh <nama>', t('terima.opt.diterimaOleh'))
    .option('--waktu <iso>', t('terima.opt.waktu'))
    .option('--laporan <teks>', t('terima.opt.laporan'))
    .action(async (nomor: string, o: { tujuan?: string; diterimaOleh?: string; waktu?: string; laporan?: string }) => {
      const ctx = getCtx();
      // a receipt time the Date parser would bend ("kemarin 1" → 2001-01-01, 2026-02-30 → 2 March): exit 65
      pastikan(TANDA_TERIMA, o, { sebagian: true });
      requireFlags(ctx.prompter, o.tujuan ? [] : ['--tujuan']);
      const tujuan = o.tujuan ?? (await ctx.prompter.input(t('terima.q.tujuan'), { validate: validasiJawaban(TANDA_TERIMA.tujuan.cek) }));
      let waktu: Date | undefined;
      if (o.waktu !== undefined) {
        // without a zone, the office's wall clock (a caraka's receipt says "09.30", in WIB/WITA/WIT)
        waktu = instanKantor(o.waktu, await officeTimeZone(ctx.home)) ?? undefined;
        if (waktu === undefined) throw new SandiError('DATA', 'terima.badTime', { value: o.waktu });
      }
      const r = await withTerima(ctx, undefined, (svc) =>
        svc.tandaterima(nomor, { tujuan, ...(o.diterimaOleh ? { diterimaOleh: o.diterimaOleh } : {}), ...(waktu ? { waktu } : {}), ...(o.laporan ? { laporan: o.laporan } : {}) }),
      );
      ctx.printer.result(r, () => (r.selesai ? t('terima.receiptDone', { nomor: r.nomor }) : t('terima.receiptMore', { nomor: r.nomor, sisa: r.sisa.join(', ') })));
    });

  terima
    .command('baca')
    .description(t('terima.baca.description'))
    .argument('<nomor>', t('terima.arg.nomor'))
    .option('--tampilkan', t('terima.opt.tampilkan'))
    .option('--keluaran <folder>', t('terima.opt.keluaranBagian'))
    .option('--passphrase-file <file>', t('terima.opt.passphraseFile'))
    .action(async (nomor: string, o: { tampilkan?: boolean; keluaran?: string; passphraseFile?: string }) => {
      const ctx = getCtx();
      const tz = await officeTimeZone(ctx.home);
      if (o.tampilkan === true || o.keluaran !== undefined) return tampilkanBagian(ctx, nomor, o.keluaran, o.passphraseFile ?? parentFile(), tz);
      const r = await withTerima(ctx, o.passphraseFile ?? parentFile(), (svc) => svc.baca(nomor));
      const data = { nomor: r.arrival.nomor, status: r.arrival.status, fileName: r.fileName, penandaTangan: r.arrival.penandaTangan ?? [] };
      ctx.printer.result(data, () =>
        [t('terima.bacaOk', { nomor: data.nomor, file: data.fileName ?? '' }), ...data.penandaTangan.map((s) => signerLine(data.nomor, s, tz))].join('\n'),
      );
    });

  terima
    .command('arsip-periksa')
    .description(t('terima.arsipPeriksa.description'))
    .action(async () => {
      const ctx = getCtx();
      const r = await withTerima(ctx, undefined, (svc) => svc.periksaArsip());
      const bad = r.rusak[0];
      const gone = r.hilang[0];
      // temporary files left by a killed run hold raw mail: said (the next `sandi terima` removes them)
      const stale = r.sementara.filter((f) => !f.hidup);
      if (stale.length > 0) ctx.printer.warn(t('terima.arsipSementara', { count: stale.length, path: stale[0]?.path ?? '' }));
      ctx.printer.result(r, () => (bad || gone ? '' : t(stale.length > 0 ? 'terima.arsipOkSementara' : 'terima.arsipOk', { n: r.diperiksa, count: stale.length })));
      if (bad) throw new SandiError('INTEGRITY', 'terima.arsipRusak', { path: bad.path, count: r.rusak.length });
      if (gone) throw new SandiError('INTEGRITY', 'terima.arsipHilang', { nomor: gone.nomor, count: r.hilang.length });
    });
}
