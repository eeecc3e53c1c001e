/**
 * `sandi aduan`: complaints from SP4N LAPOR! and LaporGub! (SOP seeds 003, 004). Each action reads its options
 * (prompting only at an interactive terminal), calls the complaint service, and renders. The reporter's identity
 * comes from a file or stdin (or prompts), never from argv, and is shown only with --tampilkan-pelapor and the
 * archive key's passphrase.
 */
import { Command } from 'commander';
import { readFileSync } from 'node:fs';
import type { GetContext } from './index.js';
import type { CliContext } from './context.js';
import { requireFlags } from './prompter.js';
import { table } from './printer.js';
import { t } from './messages/index.js';
import { operatorName } from './kunci.js';
import { officeTimeZone, waktuLokal } from './waktu.js';
import { SandiError } from '../errors.js';
import type { KeyInfo } from '../ports.js';
import type { AduanService, AduanDetail, ImporResult, StatusRow } from '../services/aduan.js';
import type { LaporanAduan } from '../domain/aduan.js';
import type { Aduan } from '../domain/records-aduan.js';
import { JENIS_ADUAN, KERAHASIAAN, PELAPOR_FIELDS, type AduanAction, type IdentitasPelapor, type JenisAduan, type Kerahasiaan, type MasalahPelapor } from '../domain/aduan.js';
import type { MasalahCsv } from '../domain/aduan-csv.js';
import { ADUAN, periksaRentang, tanggal } from '../domain/skema.js';
import { alasan, pastikan, tolak, validasiJawaban } from './validasi.js';

async function withService<T>(ctx: CliContext, fn: (svc: AduanService) => Promise<T>): Promise<T> {
  const [{ openApp }, { aduanService }] = await Promise.all([import('../app.js'), import('../services/aduan.js')]);
  const app = openApp(ctx.home, undefined, ctx);
  try {
    return await fn(aduanService(app, operatorName(ctx.env)));
  } finally {
    app.close();
  }
}

const collect = (v: string, prev: string[] = []): string[] => [...prev, v];

function readText(path: string): string {
  try {
    return path === '-' ? readFileSync(0, 'utf8') : readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new SandiError('NOT_FOUND', 'common.fileNotFound', { path });
    throw new SandiError('IO', 'common.fileUnreadable', { path, reason: (e as Error).message });
  }
}

async function readPelapor(path: string): Promise<IdentitasPelapor> {
  const { pelaporProblem, normalisePelapor } = await import('../domain/aduan.js');
  let raw: unknown;
  try {
    raw = JSON.parse(readText(path));
  } catch (e) {
    if (e instanceof SandiError) throw e;
    // the parser's message may quote the content: never shown
    throw new SandiError('DATA', 'aduan.pelaporBad', { problem: t('aduan.pelapor.m.bukanJson') });
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new SandiError('DATA', 'aduan.pelaporBad', { problem: t('aduan.pelapor.m.bukanObjek') });
  const problem = pelaporProblem(raw);
  if (problem !== null) throw new SandiError('DATA', 'aduan.pelaporBad', { problem: masalahPelapor(problem) });
  return normalisePelapor(raw);
}

function renderAduan(a: Aduan, from?: string, action?: string): string {
  if (from !== undefined && action !== undefined) return t('aduan.act.done', { nomor: a.nomor, from, to: a.status, action });
  return t('aduan.catat.done', { nomor: a.nomor, kanal: a.kanal, nomorPelacakan: a.nomorPelacakan, status: a.status });
}

function lateText(r: { terlambat: boolean; menitTerlambat: number; menitTersisa: number; tenggat: string | null }): string {
  if (r.tenggat === null) return '';
  return r.terlambat ? t('aduan.late', { minutes: r.menitTerlambat }) : t('aduan.left', { minutes: r.menitTersisa });
}

function renderStatus(rows: StatusRow[], tz: string): string {
  if (rows.length === 0) return t('aduan.status.none');
  return table(
    ['aduan.col.nomor', 'aduan.col.kanal', 'aduan.col.pelacakan', 'aduan.col.status', 'aduan.col.pemegang', 'aduan.col.opd', 'aduan.col.tenggat', 'aduan.col.keterlambatan', 'aduan.col.judul'].map((k) => t(k)),
    rows.map((r) => [r.nomor, r.kanal, r.nomorPelacakan, r.status, t(`aduan.pemegang.${r.pemegang}`), r.opd, waktuLokal(r.tenggat, tz), lateText(r), r.judul]),
  );
}

function renderDetail(d: AduanDetail, tz: string): string {
  const a = d.aduan;
  const lines = [
    t('aduan.lihat.head', { nomor: a.nomor, judul: a.judul }),
    t('aduan.lihat.kanal', { kanal: a.kanal, nomorPelacakan: a.nomorPelacakan, jenis: a.jenis, kategori: a.kategori ?? '-' }),
    t('aduan.lihat.diterima', { at: waktuLokal(a.diterimaAt, tz), registeredAt: waktuLokal(a.registeredAt, tz), operator: a.operator }),
    t('aduan.lihat.status', { status: a.status, pemegang: t(`aduan.pemegang.${d.pemegang}`), opd: a.opd ? `, ${a.opd}` : '', since: waktuLokal(a.statusAt, tz) }),
  ];
  const k = d.keterlambatan;
  if (k.tenggat !== null) {
    lines.push(t('aduan.lihat.tenggat', { jenis: k.tenggat.jenis, at: waktuLokal(k.tenggat.batas, tz), state: lateText({ ...k, tenggat: 'x' }) }));
  }
  if (a.kronologi) lines.push(t('aduan.lihat.kronologi', { text: a.kronologi }));
  if (a.lampiran.length > 0) lines.push(t('aduan.lihat.lampiran', { files: a.lampiran.map((l) => `${l.nama} (${l.sha256.slice(0, 12)})`).join(', ') }));
  if (d.pelapor === undefined) lines.push(a.adaPelapor ? t('aduan.lihat.pelaporHidden', { kerahasiaan: a.kerahasiaan }) : t('aduan.lihat.pelaporAnonim'));
  else if (d.pelapor === null) lines.push(t('aduan.lihat.pelaporAnonim'));
  else {
    const p = d.pelapor;
    lines.push(t('aduan.lihat.pelapor', { nama: p.nama, nik: p.nik ?? '-', email: p.email ?? '-', telepon: p.telepon ?? '-', alamat: p.alamat ?? '-' }));
  }
  lines.push(t('aduan.lihat.langkah'));
  for (const s of d.langkah) {
    const files = Array.isArray(s.data['lampiran']) ? (s.data['lampiran'] as { nama: string }[]).map((l) => l.nama) : [];
    const catatan = [s.catatan, files.length > 0 ? t('aduan.lihat.lampiran', { files: files.join(', ') }) : null].filter(Boolean).join('; ');
    lines.push(t('aduan.lihat.step', { at: waktuLokal(s.at, tz), actor: s.actor, aksi: s.aksi, from: s.dariStatus ?? '-', to: s.keStatus, opd: s.opd ? ` [${s.opd}]` : '', catatan: catatan ? ` — ${catatan}` : '' }));
  }
  return lines.join('\n');
}

function renderLaporan(r: LaporanAduan & { dari: string; sampai: string }): string {
  const kv = (o: Record<string, number>) => Object.entries(o).map(([k, v]) => `${k} ${v}`).join(', ') || '-';
  const lines = [
    t('aduan.laporan.head', { dari: r.dari, sampai: r.sampai, jumlah: r.jumlah, selesai: r.selesai }),
    t('aduan.laporan.per', { kanal: kv(r.perKanal), jenis: kv(r.perJenis), opd: kv(r.perOpd) }),
    t('aduan.laporan.kembali', { kantor: r.pengembalian.kantor_ke_hulu, opd: r.pengembalian.opd_ke_kantor, hulu: r.pengembalian.hulu_ke_kantor }),
  ];
  const rows = (['verifikasi', 'tindakLanjut', 'konfirmasi', 'layanan'] as const).map((k) => {
    const s = r.tahap[k];
    return [k, s.selesai, s.bertenggat === 0 ? '-' : `${s.tepatWaktu}/${s.bertenggat} (${Math.round((100 * s.tepatWaktu) / s.bertenggat)}%)`, s.medianMenit ?? '-'];
  });
  lines.push(table([t('aduan.col.tahap'), t('aduan.col.jumlah'), t('aduan.col.tepatWaktu'), t('aduan.col.median')], rows));
  return lines.join('\n');
}

/** One problem of a CSV row in the operator's language, naming its column and the expected form. */
function masalahCsv(m: MasalahCsv): string {
  const params = { kolom: m.kolom ?? '', nilai: m.nilai ?? '', jumlah: m.jumlah, harus: m.harus, baris: m.baris };
  if (m.kode === 'nilai' && m.harap !== undefined) return t(m.nilai === '' ? 'aduan.impor.m.kosong' : 'aduan.impor.m.nilai', { ...params, harap: alasan(m.harap) });
  return t(`aduan.impor.m.${m.kode}`, params);
}

/** A reporter's identity refused: the field and what it must be, in the operator's language. */
function masalahPelapor(m: MasalahPelapor): string {
  return t(`aduan.pelapor.m.${m.kode}`, { field: m.field, known: PELAPOR_FIELDS.join(', ') });
}

/** --json: each refused row's problems as text in the operator's language (`masalah`) and as codes (`rincian`). */
function imporJson(r: ImporResult): object {
  return { ...r, baris: r.baris.map(({ masalah, ...b }) => (masalah === undefined ? b : { ...b, masalah: masalah.map(masalahCsv).join('; '), rincian: masalah })) };
}

function renderImpor(r: ImporResult): string {
  const lines = r.baris.filter((b) => b.hasil === 'ditolak').map((b) => t('aduan.impor.row.ditolak', { baris: b.baris, masalah: (b.masalah ?? []).map(masalahCsv).join('; ') }));
  if (r.kolomTakDikenal.length > 0) lines.push(t('aduan.impor.unknownColumns', { columns: r.kolomTakDikenal.join(', ') }));
  lines.push(t('aduan.impor.summary', { baru: r.baru, sudahAda: r.sudahAda, ditolak: r.ditolak, berkas: r.berkas }));
  return lines.join('\n');
}

interface CatatOpts {
  kanal?: string;
  nomorPelacakan?: string;
  jenis?: string;
  kategori?: string;
  judul?: string;
  kronologi?: string;
  kronologiBerkas?: string;
  diterima?: string;
  kerahasiaan?: Kerahasiaan;
  pelaporBerkas?: string;
  lampiran?: string[];
}

interface ActOpts {
  kanal?: string;
  catatan?: string;
  alasan?: string;
  opd?: string;
  lampiran?: string[];
}

const ACTIONS: { name: AduanAction; reason?: boolean; opd?: boolean; files?: boolean }[] = [
  { name: 'disposisi', opd: true },
  { name: 'kembalikan', reason: true },
  { name: 'tindaklanjut', files: true },
  { name: 'konfirmasi' },
  { name: 'verifikasi' },
  { name: 'selesai' },
  { name: 'tunda', reason: true },
  { name: 'lanjutkan' },
  { name: 'arsipkan', reason: true },
];

export function registerAduan(program: Command, getCtx: GetContext): void {
  const aduan = program.command('aduan').description(t('aduan.cmd'));

  aduan
    .command('catat')
    .description(t('aduan.cmd.catat'))
    .option('--kanal <kanal>', t('aduan.opt.kanal'))
    .option('--nomor-pelacakan <nomor>', t('aduan.opt.nomorPelacakan'))
    // --jenis and --kerahasiaan: checked by the record's schema (any letter case), not by commander
    .option('--jenis <jenis>', t('aduan.opt.jenis'))
    .option('--kategori <kategori>', t('aduan.opt.kategori'))
    .option('--judul <judul>', t('aduan.opt.judul'))
    .option('--kronologi <teks>', t('aduan.opt.kronologi'))
    .option('--kronologi-berkas <berkas>', t('aduan.opt.kronologiBerkas'))
    .option('--diterima <waktu>', t('aduan.opt.diterima'))
    .option('--kerahasiaan <k>', t('aduan.opt.kerahasiaan'))
    .option('--pelapor-berkas <berkas>', t('aduan.opt.pelaporBerkas'))
    .option('--lampiran <berkas>', t('aduan.opt.lampiran'), collect)
    .action(async (given: CatatOpts) => {
      const ctx = getCtx();
      const p = ctx.prompter;
      // every value given is checked before anything is asked or written (exit 65 naming each bad field)
      const v = pastikan(ADUAN, given, { sebagian: true });
      const opts: CatatOpts = { ...given, ...(given.jenis !== undefined ? { jenis: v.jenis } : {}), ...(v.kerahasiaan !== undefined ? { kerahasiaan: v.kerahasiaan } : {}) };
      const missing: string[] = [];
      if (!opts.kanal) missing.push('--kanal');
      if (!opts.nomorPelacakan) missing.push('--nomor-pelacakan');
      if (!opts.jenis) missing.push('--jenis');
      if (!opts.judul) missing.push('--judul');
      if (opts.kerahasiaan !== 'anonim' && !opts.pelaporBerkas) missing.push(opts.kerahasiaan === undefined ? '--pelapor-berkas (or --kerahasiaan anonim)' : '--pelapor-berkas');
      requireFlags(p, missing);
      const res = await withService(ctx, async (svc) => {
        const s = svc.settings();
        const kanal = opts.kanal ?? (await p.select(t('aduan.q.kanal'), s.kanal.map((k) => ({ name: `${k.nama} (${k.kode})`, value: k.kode }))));
        const nomorPelacakan = opts.nomorPelacakan ?? (await p.input(t('aduan.q.nomorPelacakan'), { validate: validasiJawaban(ADUAN.judul.cek) }));
        const jenis = (opts.jenis ?? (await p.select(t('aduan.q.jenis'), JENIS_ADUAN.map((j) => ({ name: j, value: j }))))) as JenisAduan;
        const judul = opts.judul ?? (await p.input(t('aduan.q.judul'), { validate: validasiJawaban(ADUAN.judul.cek) }));
        let kronologi = opts.kronologiBerkas !== undefined ? readText(opts.kronologiBerkas) : opts.kronologi;
        if (kronologi === undefined && p.interactive) kronologi = (await p.input(t('aduan.q.kronologi'))) || undefined;
        const kerahasiaan: Kerahasiaan =
          opts.kerahasiaan ?? (opts.pelaporBerkas !== undefined ? 'terbuka' : await p.select(t('aduan.q.kerahasiaan'), KERAHASIAAN.map((k) => ({ name: k, value: k }))));
        let pelapor: IdentitasPelapor | null = null;
        if (kerahasiaan !== 'anonim') {
          if (opts.pelaporBerkas !== undefined) pelapor = await readPelapor(opts.pelaporBerkas);
          else {
            const { pelaporProblem, normalisePelapor } = await import('../domain/aduan.js');
            const raw: Record<string, string> = {};
            for (const f of ['nama', 'nik', 'email', 'telepon', 'alamat'] as const) raw[f] = await p.input(t('aduan.q.pelapor', { field: f }));
            const problem = pelaporProblem(raw);
            if (problem !== null) throw new SandiError('DATA', 'aduan.pelaporBad', { problem: masalahPelapor(problem) });
            pelapor = normalisePelapor(raw);
          }
        } else if (opts.pelaporBerkas !== undefined) {
          throw new SandiError('USAGE', 'aduan.anonimWithPelapor');
        }
        const { parseReceived } = await import('../domain/aduan-csv.js');
        let diterimaAt = new Date();
        if (opts.diterima !== undefined) {
          const d = parseReceived(opts.diterima, s.config.office.timeZone);
          if (d === null) throw new SandiError('DATA', 'aduan.badDate', { value: opts.diterima });
          diterimaAt = d;
        }
        return svc.catat({ kanal, nomorPelacakan, jenis, kategori: opts.kategori, judul, kronologi, diterimaAt, kerahasiaan, pelapor, lampiran: opts.lampiran });
      });
      ctx.printer.result(res, () => renderAduan(res));
    });

  aduan
    .command('impor')
    .description(t('aduan.cmd.impor'))
    .argument('<file>', t('aduan.arg.file'))
    .action(async (file: string) => {
      const ctx = getCtx();
      const res = await withService(ctx, (svc) =>
        svc.impor(file, { progress: (done, total) => ctx.printer.progress(t('terminal.progress.aduanImpor', { done, total }), done, total) }),
      ).finally(() => ctx.printer.progressEnd());
      ctx.printer.result(imporJson(res), () => renderImpor(res));
      if (res.ditolak > 0) throw new SandiError('DATA', 'aduan.impor.someBad', { count: res.ditolak });
    });

  for (const a of ACTIONS) {
    const cmd = aduan
      .command(a.name)
      .description(t(`aduan.cmd.${a.name}`))
      .argument('<id>', t('aduan.arg.id'))
      .option('--kanal <kanal>', t('aduan.opt.kanal'))
      .option('--catatan <teks>', t('aduan.opt.catatan'));
    if (a.reason) cmd.option('--alasan <teks>', t('aduan.opt.alasan'));
    if (a.opd) cmd.option('--opd <opd>', t('aduan.opt.opd'));
    if (a.files) cmd.option('--lampiran <berkas>', t('aduan.opt.lampiran'), collect);
    cmd.action(async (id: string, opts: ActOpts) => {
      const ctx = getCtx();
      const missing: string[] = [];
      if (a.reason && !opts.alasan) missing.push('--alasan');
      if (a.opd && !opts.opd) missing.push('--opd');
      requireFlags(ctx.prompter, missing);
      // --opd: any OPD, named by its e-mail or unit name in the address book, or by a unit name outside it
      if (a.opd && opts.opd !== undefined && !ADUAN.judul.cek(opts.opd).ok) tolak([{ field: '--opd', value: opts.opd, harap: 'teks' }]);
      const res = await withService(ctx, async (svc) => {
        const alasan = a.reason && !opts.alasan ? await ctx.prompter.input(t('aduan.q.alasan'), { validate: validasiJawaban(ADUAN.judul.cek) }) : opts.alasan;
        const opd = a.opd && !opts.opd ? await ctx.prompter.input(t('aduan.q.opd'), { validate: validasiJawaban(ADUAN.judul.cek) }) : opts.opd;
        return svc.act(id, a.name, { kanal: opts.kanal, catatan: opts.catatan, alasan, opd, lampiran: opts.lampiran });
      });
      if (res.opdLuarBukuAlamat === true && !ctx.json) ctx.printer.warn(t('aduan.opdLuarBukuAlamat', { opd: res.opd ?? '' }));
      ctx.printer.result(res, () => renderAduan(res, res.dariStatus, res.aksi));
    });
  }

  aduan
    .command('status')
    .description(t('aduan.cmd.status'))
    .option('--semua', t('aduan.opt.semua'))
    .action(async (opts: { semua?: boolean }) => {
      const ctx = getCtx();
      const rows = await withService(ctx, (svc) => Promise.resolve(svc.status({ semua: opts.semua === true })));
      const tz = await officeTimeZone(ctx.home);
      const catatan = ctx.json ? null : await (await import('./tenggat.js')).catatanHariLibur(ctx.home, rows.map((r) => r.tenggat));
      ctx.printer.result(rows, () => [renderStatus(rows, tz), ...(catatan ? ['', catatan] : [])].join('\n'));
    });

  aduan
    .command('laporan')
    .description(t('aduan.cmd.laporan'))
    .option('--dari <tanggal>', t('aduan.opt.dari'))
    .option('--sampai <tanggal>', t('aduan.opt.sampai'))
    .action(async (opts: { dari?: string; sampai?: string }) => {
      const ctx = getCtx();
      requireFlags(ctx.prompter, [!opts.dari ? '--dari' : null, !opts.sampai ? '--sampai' : null].filter((x): x is string => x !== null));
      const dari = opts.dari ?? (await ctx.prompter.input(t('aduan.opt.dari'), { validate: validasiJawaban(tanggal) }));
      const sampai = opts.sampai ?? (await ctx.prompter.input(t('aduan.opt.sampai'), { validate: validasiJawaban(tanggal) }));
      // two calendar dates in order, or exit 65 naming the flag
      const period = periksaRentang({ dari, sampai });
      if (!period.ok) tolak(period.problems);
      const r = await withService(ctx, (svc) => Promise.resolve(svc.laporan({ dari, sampai })));
      ctx.printer.result(r, () => renderLaporan(r));
    });

  aduan
    .command('lihat')
    .description(t('aduan.cmd.lihat'))
    .argument('<id>', t('aduan.arg.id'))
    .option('--kanal <kanal>', t('aduan.opt.kanal'))
    .option('--tampilkan-pelapor', t('aduan.opt.tampilkanPelapor'))
    .option('--passphrase-file <berkas>', t('kunci.opt.passphraseFile'))
    .action(async (id: string, opts: { kanal?: string; tampilkanPelapor?: boolean; passphraseFile?: string }) => {
      const ctx = getCtx();
      const { passphraseSource } = await import('../config/passphrase.js');
      const passphrases = passphraseSource({
        file: opts.passphraseFile,
        env: ctx.env,
        prompt: ctx.prompter.interactive ? (k: KeyInfo) => ctx.prompter.password(t('aduan.q.passphrase', { key: `${k.fingerprint} (${k.userId})` })) : undefined,
      });
      const d = await withService(ctx, (svc) => svc.lihat(id, { kanal: opts.kanal, tampilkanPelapor: opts.tampilkanPelapor === true, passphrases }));
      const tz = await officeTimeZone(ctx.home);
      const catatan = ctx.json ? null : await (await import('./tenggat.js')).catatanHariLibur(ctx.home, [d.keterlambatan.tenggat?.batas.toISOString() ?? null]);
      ctx.printer.result(d, () => [renderDetail(d, tz), ...(catatan ? ['', catatan] : [])].join('\n'));
    });
}
