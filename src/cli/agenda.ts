/**
 * `sandi agenda BUKU daftar|cari|lihat|ekspor|catat` and `sandi agenda kolom [BUKU]`: the registers for
 * people and scripts. One sub-command per register (keluar, surat-keluar, masuk, kriptogram-masuk, ...),
 * generated from the register catalog (src/domain/register-catalog.ts); the service (and SQLite, exceljs) is
 * imported only when an action runs.
 */
import { Command, Option } from 'commander';
import type { GetContext } from './index.js';
import type { CliContext } from './context.js';
import { table } from './printer.js';
import { requireFlags } from './prompter.js';
import { t } from './messages/index.js';
import { officeTimeZone, waktuLokal } from './waktu.js';
import { penandaTanganRingkas } from './tanda-tangan.js';
import { operatorName } from './kunci.js';
import { SandiError } from '../errors.js';
import { EXPORT_FORMATS, isExportFormat, type ExportFormat } from '../domain/agenda.js';
import { REGISTER_CATALOG } from '../domain/register-catalog.js';
import type { AgendaQuery, AgendaService } from '../services/agenda.js';
import { periksaRentang } from '../domain/skema.js';
import { tolak } from './validasi.js';
import { shellQuote } from '../domain/kunci.js';

interface FilterOptions {
  dari?: string;
  sampai?: string;
  status?: string[];
  sifat?: string[];
  unit?: string;
}

const collect = (v: string, prev: string[] = []): string[] => [...prev, ...v.split(',').map((s) => s.trim()).filter((s) => s.length > 0)];

function positiveInt(flag: string) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n <= 0) throw new SandiError('DATA', 'agenda.badNumber', { flag, value: v });
    return n;
  };
}

function withFilters(cmd: Command): Command {
  return cmd
    .option('--dari <tanggal>', t('agenda.opt.dari'))
    .option('--sampai <tanggal>', t('agenda.opt.sampai'))
    .option('--status <status>', t('agenda.opt.status'), collect)
    .option('--sifat <sifat>', t('agenda.opt.sifat'), collect)
    .option('--unit <unit>', t('agenda.opt.unit'));
}

function queryOf(o: FilterOptions): AgendaQuery {
  // a period that is not two calendar dates in order: exit 65 naming the flag, before the register is read
  const r = periksaRentang(o);
  if (!r.ok) tolak(r.problems);
  return { dari: o.dari, sampai: o.sampai, status: o.status, sifat: o.sifat, unit: o.unit };
}

async function withAgenda<T>(ctx: CliContext, fn: (svc: AgendaService) => Promise<T> | T): Promise<T> {
  const [{ openApp }, { agendaService }] = await Promise.all([import('../app.js'), import('../services/agenda.js')]);
  const app = openApp(ctx.home, undefined, ctx);
  try {
    return await fn(agendaService(app));
  } finally {
    app.close();
  }
}

const cell = (v: unknown): string => {
  if (v === null || v === undefined) return '';
  const s = typeof v === 'string' ? v : typeof v === 'number' ? String(v) : JSON.stringify(v);
  const one = s.replace(/\s+/g, ' ');
  return one.length > 48 ? `${one.slice(0, 47)}…` : one;
};

/** The register columns holding an instant (UTC ISO): shown in office time, kept as they are in --json and exports. */
const instantColumn = (k: string): boolean => k === 'at' || k.endsWith('_at') || k === 'key_created';

/** A page of register rows; instants (the `*_at` columns) in the office time zone. */
function rowsTable(kolom: string[], baris: Record<string, unknown>[], tz: string): string {
  return table(kolom, baris.map((r) => kolom.map((k) => cell(instantColumn(k) && typeof r[k] === 'string' ? waktuLokal(r[k], tz) : r[k]))));
}

/**
 * The command that shows the next page: the one just run, with every global option and filter it was given
 * (each word quoted for the shell), and `--halaman next`.
 */
export function nextPageCommand(buku: string, global: { home?: string; lang?: string }, o: FilterOptions & { batas?: number }, next: number): string {
  const words = ['sandi'];
  if (global.home !== undefined) words.push('--home', global.home);
  if (global.lang !== undefined) words.push('--lang', global.lang);
  words.push('agenda', buku, 'daftar');
  if (o.dari !== undefined) words.push('--dari', o.dari);
  if (o.sampai !== undefined) words.push('--sampai', o.sampai);
  for (const s of o.status ?? []) words.push('--status', s);
  for (const s of o.sifat ?? []) words.push('--sifat', s);
  if (o.unit !== undefined) words.push('--unit', o.unit);
  if (o.batas !== undefined) words.push('--batas', String(o.batas));
  words.push('--halaman', String(next));
  return words.map(shellQuote).join(' ');
}

function formatOf(o: { format?: string; keluaran?: string }): ExportFormat {
  // `--keluaran x.ods` without --format: refused (it wrote CSV under that name); a name without an extension is CSV
  const ext = o.format === undefined && o.keluaran !== undefined ? /\.([^./\\]+)$/.exec(o.keluaran)?.[1] : undefined;
  if (ext !== undefined && !isExportFormat(ext.toLowerCase())) throw new SandiError('USAGE', 'agenda.badExtension', { path: o.keluaran ?? '', ext, known: EXPORT_FORMATS.join(', ') });
  const f = o.format ?? ext?.toLowerCase() ?? 'csv';
  if (!isExportFormat(f)) throw new SandiError('USAGE', 'agenda.badFormat', { value: f, known: EXPORT_FORMATS.join(', ') });
  return f;
}

function registerBuku(agenda: Command, getCtx: GetContext, buku: string): void {
  const b = agenda.command(buku).description(t(`agenda.buku.${buku}`));

  withFilters(b.command('daftar').description(t('agenda.daftar.description')))
    .option('--halaman <n>', t('agenda.opt.halaman'), positiveInt('--halaman'))
    .option('--batas <n>', t('agenda.opt.batas'), positiveInt('--batas'))
    .action(async (o: FilterOptions & { halaman?: number; batas?: number }, cmd: Command) => {
      const ctx = getCtx();
      const page = await withAgenda(ctx, (svc) => svc.daftar(buku, queryOf(o), { ...(o.halaman ? { halaman: o.halaman } : {}), ...(o.batas ? { batas: o.batas } : {}) }));
      const tz = await officeTimeZone(ctx.home);
      const human = (): string => {
        if (page.total === 0) return t('agenda.empty', { buku });
        const lines = [rowsTable(page.kolom, page.baris, tz), t('agenda.pageFooter', { halaman: page.halaman, dari: page.halamanTotal, total: page.total })];
        if (page.halaman < page.halamanTotal) lines.push(t('agenda.pageNext', { perintah: nextPageCommand(buku, cmd.optsWithGlobals(), o, page.halaman + 1) }));
        return lines.join('\n');
      };
      // at a terminal, a page of rows goes through `less -FRX` when there is one; otherwise print as usual
      if (!ctx.json && process.stdout.isTTY === true && page.total > 0) {
        const { pageText } = await import('../app.js');
        if (await pageText(human(), ctx.env)) return;
      }
      ctx.printer.result(page, human);
    });

  withFilters(b.command('cari').description(t('agenda.cari.description')).argument('<kata...>', t('agenda.arg.kata')))
    .option('--batas <n>', t('agenda.opt.batas'), positiveInt('--batas'))
    .action(async (kata: string[], o: FilterOptions & { batas?: number }) => {
      const ctx = getCtx();
      const r = await withAgenda(ctx, (svc) => svc.cari(buku, kata.join(' '), queryOf(o), o.batas ?? 50));
      const tz = await officeTimeZone(ctx.home);
      ctx.printer.result(r, () => (r.baris.length === 0 ? t('agenda.noMatch', { kueri: r.kueri }) : `${rowsTable(r.kolom, r.baris, tz)}\n${t('agenda.found', { n: r.baris.length })}`));
    });

  b.command('lihat')
    .description(t('agenda.lihat.description'))
    .argument('<id>', t('agenda.arg.id'))
    .action(async (ref: string) => {
      const ctx = getCtx();
      const v = await withAgenda(ctx, (svc) => svc.lihat(buku, ref));
      const tz = await officeTimeZone(ctx.home);
      ctx.printer.result(v, () => {
        const lines = Object.entries(v.baris).map(([k, val]) => `${k.padEnd(20)} ${val === null ? '' : k === 'penanda_tangan' ? penandaTanganRingkas(val) : typeof val === 'string' ? (instantColumn(k) ? waktuLokal(val, tz) : val) : JSON.stringify(val)}`);
        if (v.anotasi.length > 0) {
          lines.push('', t('agenda.anotasi'));
          for (const a of v.anotasi) lines.push(`  ${waktuLokal(a.at, tz)}  ${a.actor}: ${a.jenis === 'koreksi' ? `[${a.kolom ?? ''} → ${JSON.stringify(a.nilai)}] ` : ''}${a.catatan}`);
        }
        lines.push('', t('agenda.riwayat'));
        lines.push(table([t('agenda.col.at'), t('agenda.col.actor'), t('agenda.col.action')], v.riwayat.map((e) => [waktuLokal(e.at, tz), e.actor, e.action])));
        return lines.join('\n');
      });
    });

  withFilters(b.command('ekspor').description(t('agenda.ekspor.description')))
    .addOption(new Option('--format <format>', t('agenda.opt.format')).choices([...EXPORT_FORMATS]))
    .option('--keluaran <file>', t('agenda.opt.keluaran'))
    .action(async (o: FilterOptions & { format?: string; keluaran?: string }) => {
      const ctx = getCtx();
      const format = formatOf(o);
      if (!o.keluaran && format === 'xlsx' && process.stdout.isTTY) throw new SandiError('USAGE', 'agenda.xlsxToTerminal');
      const r = await withAgenda(ctx, (svc) => svc.ekspor(buku, queryOf(o), format, o.keluaran ? { path: o.keluaran } : { stream: process.stdout }));
      if (r.path) ctx.printer.result(r, () => t('agenda.exported', { n: r.rows, path: r.path ?? '', format }));
      // the reader went away (EPIPE, `| head`): how many rows it read is unknown, so nothing is claimed
      else if (!r.stopped) ctx.printer.info(t('agenda.exportedStdout', { n: r.rows, format }));
    });

  b.command('catat')
    .description(t('agenda.catat.description'))
    .argument('<id>', t('agenda.arg.id'))
    .option('--catatan <teks>', t('agenda.opt.catatan'))
    .action(async (ref: string, o: { catatan?: string }) => {
      const ctx = getCtx();
      let catatan = o.catatan;
      if (catatan === undefined) {
        requireFlags(ctx.prompter, ['--catatan']);
        catatan = await ctx.prompter.input(t('agenda.q.catatan'));
      }
      const note = catatan;
      const a = await withAgenda(ctx, (svc) => svc.catat(buku, ref, note, operatorName(ctx.env)));
      ctx.printer.result(a, () => t('agenda.noted', { id: a.id, buku, baris: a.nomor ?? String(a.baris) }));
    });
}

export function registerAgenda(program: Command, getCtx: GetContext): void {
  const agenda = program.command('agenda').description(t('agenda.description'));
  for (const r of REGISTER_CATALOG) registerBuku(agenda, getCtx, r.buku);

  agenda
    .command('kolom')
    .description(t('agenda.kolom.description'))
    .argument('[buku]', t('agenda.arg.buku'))
    .action(async (buku?: string) => {
      const ctx = getCtx();
      const { registerCatalog, resolveRegister } = await import('../services/agenda.js');
      if (buku !== undefined) resolveRegister(buku);
      const all = registerCatalog().filter((r) => buku === undefined || r.buku === buku || r.table === buku);
      ctx.printer.result(all, () =>
        all.map((r) => `${r.buku} (${r.table})${r.classified ? ` — ${t('agenda.classified')}` : ''}\n${table(['kolom', 'jenis', ''], r.kolom.map((k) => [k.name, k.kind, k.doc]))}`).join('\n\n'),
      );
    });
}
