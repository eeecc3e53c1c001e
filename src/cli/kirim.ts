/**
 * `sandi kirim`: send an exempted document as a kriptogram (SOP seed 001). Each action reads options (or asks,
 * at a terminal), calls the kirim service (src/services/kirim/index.ts), and renders. The service, openpgp, SQLite
 * and the mail libraries are imported only when an action runs.
 */
import { Command } from 'commander';
import type { GetContext } from './index.js';
import type { CliContext } from './context.js';
import { requireFlags } from './prompter.js';
import { table } from './printer.js';
import { t } from './messages/index.js';
import { operatorName } from './kunci.js';
import { officeTimeZone, waktuLokal } from './waktu.js';
import { statusTandaTangan } from './tanda-tangan.js';
import { SandiError, isSandiError } from '../errors.js';
import type { AddressEntry, KeyInfo } from '../ports.js';
import type { BiasaReport, Decide, DraftView, KirimOptions, KirimReport, KirimService, Keputusan, RowView } from '../services/kirim/index.js';
import { SIFAT, DERAJAT, subjectMustBeEncrypted, type Derajat, type Sifat } from '../domain/records.js';
import { biasaSifatAllowed, lanjutDecision } from '../domain/kirim.js';
import { PERMOHONAN_KRIPTOGRAM, SURAT_BIASA, tanggal as cekTanggal, teks, type Cek } from '../domain/skema.js';
import { alasan, pastikan, validasiJawaban } from './validasi.js';

interface StartOptions {
  permohonanNomor?: string;
  permohonanTanggal?: string;
  permohonanUnit?: string;
  ditugaskan?: string;
  kepada?: string[];
  perihal?: string;
  perihalFile?: string;
  sifat?: string;
  derajat?: string;
  passphraseFile?: string;
  passphraseFileKasi?: string;
  biasa?: boolean;
  tandatangani?: boolean;
}

function parseId(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new SandiError('DATA', 'kirim.badId', { value: v });
  return n;
}

const collect = (v: string, prev: string[] = []): string[] => [...prev, ...v.split(',').map((s) => s.trim()).filter((s) => s.length > 0)];

async function passphrases(ctx: CliContext, files: PassphraseFiles): Promise<KirimOptions['passphrases']> {
  const { passphraseSource } = await import('../config/passphrase.js');
  const prompt = ctx.prompter.interactive
    ? (k: KeyInfo) => ctx.prompter.password(t('kirim.q.passphrase', { key: `${k.fingerprint} (${k.userId})` }))
    : undefined;
  return {
    sandiman: passphraseSource({ file: files.sandiman, env: ctx.env, prompt }),
    kasi: passphraseSource({ file: files.kasi, env: ctx.env, prompt }),
    arsip: passphraseSource({ file: files.arsip, env: ctx.env, prompt }),
  };
}

/** --passphrase-file (sandiman), --passphrase-file-kasi, --passphrase-file-arsip (the stored mailbox password) */
type PassphraseFiles = { sandiman?: string | undefined; kasi?: string | undefined; arsip?: string | undefined };

async function withService<T>(ctx: CliContext, files: PassphraseFiles, fn: (svc: KirimService) => Promise<T>): Promise<T> {
  const [{ openApp }, { kirimService }, { kirimPorts }] = await Promise.all([import('../app.js'), import('../services/kirim/index.js'), import('../app/kirim.js')]);
  const app = openApp(ctx.home, undefined, ctx);
  try {
    const svc = kirimService(app, {
      actor: operatorName(ctx.env),
      env: ctx.env,
      passphrases: await passphrases(ctx, files),
      progress: (step, id) => ctx.printer.info(`  … ${t(`kirim.step.${step}`, { id: id ?? '' })}`),
      warn: (key, params) => ctx.printer.warn(t(key, params)),
    }, kirimPorts(app, ctx.env));
    return await fn(svc);
  } finally {
    app.close();
  }
}

function giliran(r: RowView): string {
  return r.menunggu === null ? '' : t(`kirim.giliran.${r.menunggu}`);
}

function renderReport(r: KirimReport): string {
  const lines: string[] = [];
  if (r.sent) {
    // a local maildir delivery has no server reply to quote (its "reply" is sandi's own count)
    const p = { nomor: r.row.nomor ?? '', id: r.row.id, via: r.sent.via, reply: r.sent.serverReply, n: r.sent.delivered.length };
    lines.push(t(r.sent.via === 'maildir' ? 'kirim.sentMaildir' : 'kirim.sent', p));
    lines.push(table([t('kirim.col.kepada'), t('kirim.col.tempat')], r.sent.delivered.map((d) => [d.email, d.where])));
    if (r.sent.sentCopy) lines.push(t('kirim.sentCopy', { folder: r.sent.sentCopy }));
  } else if (r.waiting === 'kasi') lines.push(t('kirim.waitKasi', { id: r.row.id }));
  else if (r.waiting === 'sandiman') lines.push(t('kirim.waitSandiman', { id: r.row.id }));
  return lines.join('\n');
}

function renderBiasa(r: BiasaReport, tz: string): string {
  return [
    t(r.sent.via === 'maildir' ? 'kirim.biasa.sentMaildir' : 'kirim.biasa.sent', {
      nomor: r.row.nomor ?? '',
      id: r.row.id,
      via: r.sent.via,
      at: waktuLokal(r.row.sentAt, tz),
      reply: r.sent.serverReply,
      n: r.sent.delivered.length,
    }),
    table([t('kirim.col.kepada'), t('kirim.col.tempat')], r.sent.delivered.map((d) => [d.email, d.where])),
  ].join('\n');
}

/** A classified subject must never be in argv (shell history, /proc/<pid>/cmdline): --perihal is refused for it. */
function refusePerihalInArgv(o: StartOptions, sifat: string | undefined): void {
  if (o.perihal !== undefined && sifat !== undefined && subjectMustBeEncrypted(sifat as Sifat)) {
    throw new SandiError('USAGE', 'kirim.perihalInArgv', { sifat });
  }
}

/** The subject given as a flag: --perihal, or the first line of --perihal-file (a 0600 file, or "-" for stdin). */
async function perihalFromFlags(o: StartOptions): Promise<string | undefined> {
  if (o.perihal !== undefined && o.perihalFile !== undefined) throw new SandiError('USAGE', 'kirim.perihalBoth');
  refusePerihalInArgv(o, o.sifat);
  if (o.perihalFile === undefined) return o.perihal;
  const [{ readPerihalFile }, { readPrivateFile }] = await Promise.all([import('../services/kirim/index.js'), import('../config/passphrase.js')]);
  return readPerihalFile(o.perihalFile, readPrivateFile);
}

/**
 * Every value given as a flag, checked by the record's schema before anything is asked or written (exit 65
 * naming each bad field); sifat and derajat come back in their canonical spelling ("rahasia" → "Rahasia").
 */
function flagsChecked(schema: typeof PERMOHONAN_KRIPTOGRAM | typeof SURAT_BIASA, dokumen: string | undefined, o: StartOptions): StartOptions {
  const { permohonanNomor, permohonanTanggal, permohonanUnit, ditugaskan, kepada, perihal, sifat, derajat } = o;
  const v = pastikan(schema, { dokumen, permohonanNomor, permohonanTanggal, permohonanUnit, ditugaskan, kepada, perihal, sifat, derajat }, { sebagian: true });
  return { ...o, ...(sifat !== undefined ? { sifat: v.sifat } : {}), ...(derajat !== undefined ? { derajat: v.derajat } : {}), ...(kepada !== undefined ? { kepada: v.kepada } : {}) };
}

/** Ask for a value at the prompt; an answer the field's check refuses is asked again with the reason. */
function asker(p: CliContext['prompter']) {
  return async (v: string | undefined, key: string, cek: Cek<unknown> = teks): Promise<string> => v ?? (await p.input(t(key), { validate: validasiJawaban(cek) }));
}

/** `--biasa`: an ordinary letter needs the document, recipients and subject; the rest has defaults. */
async function gatherBiasa(ctx: CliContext, dokumen: string | undefined, given: StartOptions) {
  const o = flagsChecked(SURAT_BIASA, dokumen, given);
  // only sifat Biasa goes in clear: refuse anything else before asking for anything
  const sifat = o.sifat ?? 'Biasa';
  if (!biasaSifatAllowed(sifat)) throw new SandiError('DATA', 'kirim.biasaSifat', { value: sifat });
  const perihalFlag = await perihalFromFlags(o);
  const missing: string[] = [];
  if (!dokumen) missing.push('DOKUMEN');
  if (!o.kepada || o.kepada.length === 0) missing.push('--kepada');
  if (!perihalFlag) missing.push('--perihal');
  requireFlags(ctx.prompter, missing);
  const ask = asker(ctx.prompter);
  const doc = await ask(dokumen, 'kirim.q.dokumen');
  const kepada = o.kepada && o.kepada.length > 0 ? o.kepada : collect(await ask(undefined, 'kirim.q.kepadaBiasa', kepadaCek));
  const perihal = await ask(perihalFlag, 'kirim.q.perihal');
  const v = pastikan(SURAT_BIASA, { ...o, dokumen: doc, kepada, perihal, sifat });
  return {
    dokumen: v.dokumen,
    kepada: v.kepada,
    perihal: v.perihal,
    sifat,
    derajat: v.derajat ?? 'Biasa',
    permohonan: { nomor: v.permohonanNomor ?? null, tanggal: v.permohonanTanggal ?? null, unit: v.permohonanUnit ?? null },
    assignedBy: v.ditugaskan ?? null,
    tandatangani: o.tandatangani === true,
  };
}

/** A comma-separated list of addresses typed at the prompt: every one must be an address. */
const kepadaCek: Cek<unknown> = (raw) => {
  const list = collect(raw);
  const bad = list.map((x) => SURAT_BIASA.kepada.cek(x)).find((r) => !r.ok);
  return bad ?? (list.length > 0 ? { ok: true, value: list } : teks(''));
};

/** A document path typed at the prompt: asked again until it names a readable, non-empty file. */
function dokumenCek(readDocument: (path: string) => Buffer): (v: string) => true | string {
  return (v) => {
    const r = teks(v);
    if (!r.ok) return alasan(r);
    try {
      readDocument(r.value);
      return true;
    } catch (e) {
      if (isSandiError(e)) return t(e.key, e.params);
      throw e;
    }
  };
}

/**
 * Before any question: the document when it was named, the keys a send needs (archive, Kasi, own signing
 * key) and, when recipients are to be picked, a non-empty address book. Returns the address book.
 */
async function persiapan(ctx: CliContext, dokumen: string | undefined, pilihPenerima: boolean): Promise<AddressEntry[]> {
  const [{ openApp }, { kunciService }, { kirimService, readDocument }, { kirimPorts }] = await Promise.all([
    import('../app.js'),
    import('../services/kunci.js'),
    import('../services/kirim/index.js'),
    import('../app/kirim.js'),
  ]);
  if (dokumen !== undefined) readDocument(dokumen);
  const app = openApp(ctx.home, undefined, ctx);
  try {
    const entries = pilihPenerima ? kunciService(app, operatorName(ctx.env)).listAddresses() : [];
    if (pilihPenerima && entries.length === 0) throw new SandiError('NOT_FOUND', 'kirim.noAddresses', {}, { hint: 'kirim.noAddresses.hint' });
    await kirimService(app, { actor: operatorName(ctx.env), env: ctx.env, passphrases: {} }, kirimPorts(app, ctx.env)).siap();
    return entries;
  } finally {
    app.close();
  }
}

/** The wizard: ask what is missing at a terminal; without one, fail naming every missing flag. */
async function gatherStart(ctx: CliContext, dokumen: string | undefined, given: StartOptions) {
  const o = flagsChecked(PERMOHONAN_KRIPTOGRAM, dokumen, given);
  const perihalFlag = await perihalFromFlags(o);
  const missing: string[] = [];
  if (!dokumen) missing.push('DOKUMEN');
  if (!o.permohonanNomor) missing.push('--permohonan-nomor');
  if (!o.permohonanTanggal) missing.push('--permohonan-tanggal');
  if (!o.permohonanUnit) missing.push('--permohonan-unit');
  if (!o.kepada || o.kepada.length === 0) missing.push('--kepada');
  if (!perihalFlag) missing.push(o.sifat !== undefined && subjectMustBeEncrypted(o.sifat as Sifat) ? '--perihal-file' : '--perihal');
  if (!o.sifat) missing.push('--sifat');
  if (!o.derajat) missing.push('--derajat');
  requireFlags(ctx.prompter, missing);
  const p = ctx.prompter;
  // the file, the keys and the address book are checked before the first question, not after the last
  const entries = await persiapan(ctx, dokumen, p.interactive && (o.kepada ?? []).length === 0);
  const { readDocument } = await import('../services/kirim/index.js');
  const ask = asker(p);
  const doc = dokumen ?? (await p.input(t('kirim.q.dokumen'), { validate: dokumenCek(readDocument) }));
  const nomor = await ask(o.permohonanNomor, 'kirim.q.permohonanNomor');
  const tanggal = await ask(o.permohonanTanggal, 'kirim.q.permohonanTanggal', cekTanggal);
  const unit = await ask(o.permohonanUnit, 'kirim.q.permohonanUnit');
  const ditugaskan = o.ditugaskan ?? (p.interactive ? (await p.input(t('kirim.q.ditugaskan'))) || undefined : undefined);
  let kepada = o.kepada ?? [];
  if (kepada.length === 0) {
    for (;;) {
      const left = entries.filter((e) => !kepada.includes(e.email));
      const choice = await p.select<string>(t('kirim.q.kepada'), [
        ...left.map((e) => ({ name: `${e.unit} <${e.email}>`, value: e.email, description: e.fingerprint })),
        ...(kepada.length > 0 ? [{ name: t('kirim.q.kepadaSelesai'), value: '' }] : []),
      ]);
      if (choice === '') break;
      kepada = [...kepada, choice];
      if (left.length <= 1) break;
    }
  }
  // the classification first: it decides whether the subject may be shown while it is typed
  const sifat = (o.sifat ?? (await p.select<string>(t('kirim.q.sifat'), SIFAT.map((s) => ({ name: s, value: s }))))) as Sifat;
  // a classification chosen at the prompt: a --perihal given in argv is refused for it too
  refusePerihalInArgv(o, sifat);
  const derajat = (o.derajat ?? (await p.select<string>(t('kirim.q.derajat'), DERAJAT.map((s) => ({ name: s, value: s }))))) as Derajat;
  let perihal = perihalFlag;
  if (perihal === undefined && subjectMustBeEncrypted(sifat)) {
    // a classified subject is never echoed to the terminal (nor left in its scrollback)
    while (!teks(perihal ?? '').ok) perihal = await p.password(t('kirim.q.perihalTersembunyi', { sifat }));
  } else perihal = await ask(perihal, 'kirim.q.perihal');
  // the whole record once more, as the register will hold it: nothing is registered or numbered if it is refused
  const v = pastikan(PERMOHONAN_KRIPTOGRAM, { dokumen: doc, permohonanNomor: nomor, permohonanTanggal: tanggal, permohonanUnit: unit, ditugaskan, kepada, perihal, sifat, derajat });
  return {
    dokumen: v.dokumen,
    kepada: v.kepada,
    perihal: v.perihal,
    sifat: v.sifat,
    derajat: v.derajat,
    permohonan: { nomor: v.permohonanNomor, tanggal: v.permohonanTanggal, unit: v.permohonanUnit },
    assignedBy: v.ditugaskan ?? null,
  };
}

/** Show the Kasi the draft (metadata, and the text at a terminal when asked) and ask for consent. */
function kasiConfirm(ctx: CliContext): ((d: DraftView) => Promise<boolean>) | undefined {
  if (!ctx.prompter.interactive) return undefined;
  return async (d) => {
    ctx.printer.info(t('kirim.draft.header', { id: d.row.id, file: d.fileName, bytes: d.bytes, subject: d.subject, sifat: d.row.sifat, derajat: d.row.derajat }));
    ctx.printer.info(t('kirim.draft.paraf', { userId: d.paraf.userId ?? d.paraf.keyId, status: statusTandaTangan(d.paraf.status) }));
    if (await ctx.prompter.confirm(t('kirim.q.baca'), false)) {
      const text = d.document.toString('utf8');
      // shown on stderr so it never lands in a redirected stdout file
      ctx.printer.info(text.includes('\u0000') || text.includes('\uFFFD') ? t('kirim.draft.binary') : text);
    }
    return ctx.prompter.confirm(t('kirim.q.setuju', { id: d.row.id }), false);
  };
}

export function registerKirim(program: Command, getCtx: GetContext): void {
  // commander hands an option that `kirim` itself declares (--biasa, --passphrase-file) to `kirim` even when
  // it follows a subcommand, so the subcommands read it from there too
  const parentOpt = (name: 'biasa' | 'passphraseFile' | 'passphraseFileArsip'): unknown => kirim.opts<Partial<Record<'biasa' | 'passphraseFile' | 'passphraseFileArsip', unknown>>>()[name];
  const arsipFile = (): string | undefined => parentOpt('passphraseFileArsip') as string | undefined;
  const kirim = program
    .command('kirim')
    .description(t('kirim.description'))
    .argument('[dokumen]')
    .option('--permohonan-nomor <nomor>', t('kirim.opt.permohonanNomor'))
    .option('--permohonan-tanggal <tanggal>', t('kirim.opt.permohonanTanggal'))
    .option('--permohonan-unit <unit>', t('kirim.opt.permohonanUnit'))
    .option('--ditugaskan <siapa>', t('kirim.opt.ditugaskan'))
    .option('--kepada <email>', t('kirim.opt.kepada'), collect)
    .option('--perihal <perihal>', t('kirim.opt.perihal'))
    .option('--perihal-file <file>', t('kirim.opt.perihalFile'))
    // checked (case-insensitive, canonical spelling kept) by the record's schema, not by commander
    .option('--sifat <sifat>', t('kirim.opt.sifat'))
    .option('--derajat <derajat>', t('kirim.opt.derajat'))
    .option('--passphrase-file <file>', t('kirim.opt.passphraseFile'))
    .option('--passphrase-file-kasi <file>', t('kirim.opt.passphraseFileKasi'))
    .option('--passphrase-file-arsip <file>', t('kirim.opt.passphraseFileArsip'))
    .option('--biasa', t('kirim.opt.biasa'))
    .option('--tandatangani', t('kirim.opt.tandatangani'))
    .action(async (dokumen: string | undefined, o: StartOptions) => {
      const ctx = getCtx();
      if (o.biasa) {
        const letter = await gatherBiasa(ctx, dokumen, o);
        const rep = await withService(ctx, { sandiman: o.passphraseFile, arsip: arsipFile() }, (svc) => svc.kirimBiasa(letter));
        const tz = await officeTimeZone(ctx.home);
        ctx.printer.result(rep, () => renderBiasa(rep, tz));
        return;
      }
      const input = await gatherStart(ctx, dokumen, o);
      const report = await withService(ctx, { sandiman: o.passphraseFile, kasi: o.passphraseFileKasi, arsip: arsipFile() }, (svc) => svc.mulai(input));
      ctx.printer.result(report, () => renderReport(report));
    });

  kirim
    .command('tandatangani')
    .description(t('kirim.tandatangani.description'))
    .argument('<id>')
    .option('--kirim', t('kirim.opt.kirim'))
    .option('--passphrase-file <file>', t('kirim.opt.passphraseFileKasi'))
    .action(async (id: string, o: { kirim?: boolean; passphraseFile?: string }) => {
      const ctx = getCtx();
      const file = o.passphraseFile ?? (parentOpt('passphraseFile') as string | undefined);
      const n = parseId(id);
      const confirm = kasiConfirm(ctx);
      const report = await withService(ctx, { kasi: file, arsip: arsipFile() }, (svc) => svc.tandatangani(n, { kirim: o.kirim === true, ...(confirm ? { confirm } : {}) }));
      ctx.printer.result(report, () => renderReport(report));
    });

  kirim
    .command('status')
    .description(t('kirim.status.description'))
    .option('--semua', t('kirim.opt.semua'))
    .option('--biasa', t('kirim.opt.biasaBuku'))
    .action(async (o: { semua?: boolean; biasa?: boolean }) => {
      const ctx = getCtx();
      const tz = await officeTimeZone(ctx.home);
      if (o.biasa === true || parentOpt('biasa') === true) {
        const letters = await withService(ctx, {}, (svc) => Promise.resolve(svc.statusBiasa(o.semua === true)));
        ctx.printer.result(letters, () =>
          letters.length === 0 ? t(o.semua === true ? 'kirim.status.noneBiasaAll' : 'kirim.status.noneBiasa') : table(
            [t('kirim.col.id'), t('kirim.col.status'), t('kirim.col.nomor'), t('kirim.col.sifat'), t('kirim.col.kepada'), t('kirim.col.terdaftar'), t('kirim.col.terkirim')],
            letters.map((r) => [r.id, r.status, r.nomor, r.sifat, r.kepada.map((k) => k.email).join(', '), waktuLokal(r.registeredAt, tz), waktuLokal(r.sentAt, tz)]),
          ),
        );
        return;
      }
      const rows = await withService(ctx, {}, (svc) => Promise.resolve(svc.status(o.semua === true)));
      ctx.printer.result(rows, () =>
        rows.length === 0 ? t(o.semua === true ? 'kirim.status.noneAll' : 'kirim.status.none') : table(
          [t('kirim.col.id'), t('kirim.col.status'), t('kirim.col.menunggu'), t('kirim.col.nomor'), t('kirim.col.sifat'), t('kirim.col.kepada'), t('kirim.col.terdaftar')],
          rows.map((r) => [r.id, r.status, giliran(r), r.nomor, r.sifat, r.kepada.map((k) => k.email).join(', '), waktuLokal(r.registeredAt, tz)]),
        ),
      );
    });

  kirim
    .command('batal')
    .description(t('kirim.batal.description'))
    .argument('<id>')
    .option('--alasan <alasan>', t('kirim.opt.alasan'))
    .option('--biasa', t('kirim.opt.biasaBuku'))
    .action(async (id: string, o: { alasan?: string; biasa?: boolean }) => {
      const ctx = getCtx();
      const n = parseId(id);
      requireFlags(ctx.prompter, o.alasan ? [] : ['--alasan']);
      const alasan = o.alasan ?? (await ctx.prompter.input(t('kirim.opt.alasan'), { validate: (x) => (x.trim().length > 0 ? true : t('kirim.opt.alasan')) }));
      const row = await withService(ctx, {}, (svc) => Promise.resolve(o.biasa === true || parentOpt('biasa') === true ? svc.batalBiasa(n, alasan) : svc.batal(n, alasan)));
      ctx.printer.result(row, () => t('kirim.batal.done', { id: row.id, alasan }));
    });

  kirim
    .command('lanjut')
    .description(t('kirim.lanjut.description'))
    .argument('[id]')
    .option('--sudah-terkirim', t('kirim.opt.sudah'))
    .option('--belum-terkirim', t('kirim.opt.belum'))
    .action(async (id: string | undefined, o: { sudahTerkirim?: boolean; belumTerkirim?: boolean }) => {
      const ctx = getCtx();
      const n = id === undefined ? undefined : parseId(id);
      // an operator's answer is about one row: never applied to every uncertain row at once
      const d = lanjutDecision(n, { sudah: o.sudahTerkirim === true, belum: o.belumTerkirim === true });
      if (!d.ok) throw new SandiError('USAGE', d.key);
      const fixed: Keputusan = d.keputusan;
      const decide: Decide = async (r) => {
        if (fixed !== null || !ctx.prompter.interactive) return fixed;
        return ctx.prompter.select<Keputusan>(t('kirim.q.sudahTerkirim', { id: r.id, nomor: r.nomor ?? '' }), [
          { name: t('kirim.q.sudah'), value: 'sudah' },
          { name: t('kirim.q.belum'), value: 'belum' },
          { name: t('kirim.q.tidakTahu'), value: null },
        ]);
      };
      const res = await withService(ctx, { arsip: arsipFile() }, (svc) => svc.lanjut(n, decide));
      if (res.rows.some((r) => r.action === 'perlu-keputusan')) process.exitCode = 75;
      ctx.printer.result(res, () =>
        res.rows.length === 0
          ? t('kirim.lanjut.none')
          : table(
              [t('kirim.col.buku'), t('kirim.col.id'), t('kirim.col.nomor'), t('kirim.col.dari'), t('kirim.col.ke'), t('kirim.col.aksi')],
              res.rows.map((r) => [r.buku, r.id, r.nomor, r.from, r.to, t(`kirim.lanjut.${r.action}`)]),
            ),
      );
    });
}
