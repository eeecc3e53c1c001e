/**
 * `sandi init`: set up the home folder. At a terminal it asks (with @inquirer/prompts through the Prompter);
 * with --no-input or without a TTY every answer comes from flags and the missing ones are named at once.
 */
import { Command, Option } from 'commander';
import type { GetContext } from './index.js';
import type { CliContext } from './context.js';
import { requireFlags } from './prompter.js';
import { t } from './messages/index.js';
import { SandiError } from '../errors.js';
import { pastikan, validasiJawaban } from './validasi.js';
import { INIT_KANTOR, kodeUnit } from '../domain/skema.js';
import type { MailboxAccount, TimeZone, TlsMode } from '../config/config.js';

interface InitFlags {
  namaKantor?: string;
  kodeUnit?: string;
  zonaWaktu?: TimeZone;
  jamLayanan?: string;
  formatKriptogram?: string;
  formatSuratKeluar?: string;
  formatSuratMasuk?: string;
  formatKriptogramMasuk?: string;
  akunUser?: string;
  imapHost?: string;
  imapPort?: string;
  imapTls?: TlsMode;
  smtpHost?: string;
  smtpPort?: string;
  smtpTls?: TlsMode;
  caFile?: string;
  folderTerkirim?: string;
  kunciArsip?: string;
  buatKunciArsip?: boolean;
  emailArsip?: string;
  kedaluwarsa?: string;
  passphraseFile?: string;
  satuOperator?: boolean;
  izinkanKunciDemo?: boolean;
  timpa?: boolean;
}

function port(flag: string, v: string | undefined, def: number): number {
  if (v === undefined) return def;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw new SandiError('USAGE', 'init.badValue', { flag, value: v, expected: '1–65535' });
  return n;
}

async function ask(ctx: CliContext, value: string | undefined, question: string, def?: string): Promise<string> {
  if (value !== undefined) return value;
  return ctx.prompter.input(question, { default: def, validate: (v) => (v.trim().length > 0 ? true : t('store.fieldRequired', { field: question })) });
}

async function gatherMailbox(ctx: CliContext, o: InitFlags): Promise<MailboxAccount | null> {
  const any = o.akunUser ?? o.imapHost ?? o.smtpHost;
  if (any === undefined) {
    if (!ctx.prompter.interactive) return null;
    if (!(await ctx.prompter.confirm(t('init.q.mailbox'), false))) return null;
  }
  requireFlags(
    ctx.prompter,
    [o.akunUser === undefined ? '--akun-user' : '', o.imapHost === undefined ? '--imap-host' : '', o.smtpHost === undefined ? '--smtp-host' : ''].filter(Boolean),
  );
  const imapHost = await ask(ctx, o.imapHost, t('init.q.imapHost'));
  const imapTls = o.imapTls ?? 'tls';
  const imapPort = port('--imap-port', o.imapPort ?? (ctx.prompter.interactive && !o.imapHost ? await ctx.prompter.input(t('init.q.imapPort'), { default: imapTls === 'tls' ? '993' : '143' }) : undefined), imapTls === 'tls' ? 993 : 143);
  const smtpHost = await ask(ctx, o.smtpHost, t('init.q.smtpHost'), imapHost);
  const smtpTls = o.smtpTls ?? 'starttls';
  const smtpPort = port('--smtp-port', o.smtpPort ?? (ctx.prompter.interactive && !o.smtpHost ? await ctx.prompter.input(t('init.q.smtpPort'), { default: smtpTls === 'tls' ? '465' : '587' }) : undefined), smtpTls === 'tls' ? 465 : 587);
  const user = await ask(ctx, o.akunUser, t('init.q.user'));
  const m: MailboxAccount = { user, imap: { host: imapHost, port: imapPort, tls: imapTls }, smtp: { host: smtpHost, port: smtpPort, tls: smtpTls } };
  if (o.caFile !== undefined) m.caFile = o.caFile;
  if (o.folderTerkirim !== undefined) m.sentFolder = o.folderTerkirim === 'tidak' || o.folderTerkirim === 'none' ? false : o.folderTerkirim;
  return m;
}

/** What to run after init, numbered: keys, the address book, the mailbox password (when there is a mailbox), periksa, demo. */
export function nextSteps(home: string, mailboxUser: string | null): string {
  const q = /^[\w@%+=:,./-]+$/.test(home) ? home : `'${home.replace(/'/g, `'\\''`)}'`;
  const steps = [
    t('init.next.kunci', { home: q }),
    t('init.next.alamat', { home: q }),
    ...(mailboxUser === null ? [] : [t('init.next.akun', { home: q, user: mailboxUser })]),
    t('init.next.periksa', { home: q }),
    t('init.next.demo'),
  ];
  return [t('init.next.title'), ...steps.map((s, i) => `  ${i + 1}. ${s}`)].join('\n');
}

async function runInit(ctx: CliContext, o: InitFlags): Promise<void> {
  const p = ctx.prompter;
  // Every value given as a flag is checked first, all at once (exit 65), before anything is asked or written:
  // a unit code with a slash or a wrong number format would otherwise end up in every number of the registers.
  pastikan(INIT_KANTOR, { ...o }, { sebagian: true });
  requireFlags(
    p,
    [
      o.namaKantor === undefined ? '--nama-kantor' : '',
      o.kodeUnit === undefined ? '--kode-unit' : '',
      o.kunciArsip === undefined && !o.buatKunciArsip ? '--kunci-arsip FINGERPRINT | --buat-kunci-arsip' : '',
      o.buatKunciArsip && o.emailArsip === undefined && o.akunUser === undefined ? '--email-arsip' : '',
      // named here with the rest (they were asked for one at a time, later): a mailbox's three, the new key's passphrase
      ...(o.akunUser ?? o.imapHost ?? o.smtpHost) !== undefined
        ? [o.akunUser === undefined ? '--akun-user' : '', o.imapHost === undefined ? '--imap-host' : '', o.smtpHost === undefined ? '--smtp-host' : '']
        : [],
      o.buatKunciArsip && o.passphraseFile === undefined && !ctx.env['SANDI_PASSPHRASE_ARSIP'] && !ctx.env['SANDI_PASSPHRASE'] ? '--passphrase-file BERKAS | SANDI_PASSPHRASE_ARSIP' : '',
    ].filter(Boolean),
  );
  const [{ openApp }, { kunciService }, { initHome, assertCanInit }, { parseServiceHours }, { newKeyPassphrase }, { operatorName, askNewPassphrase }] = await Promise.all([
    import('../app.js'),
    import('../services/kunci.js'),
    import('../services/init.js'),
    import('../domain/service-hours.js'),
    import('../config/passphrase.js'),
    import('./kunci.js'),
  ]);
  const app = openApp(ctx.home, undefined, ctx);
  try {
    assertCanInit(app, o.timpa === true);
    // on PostgreSQL: join the office database, or make the office in an empty one (its owner's role)
    app.prepareDatabase();
    const officeName = await ask(ctx, o.namaKantor, t('init.q.officeName'));
    const unitCode = o.kodeUnit ?? (await p.input(t('init.q.unitCode'), { validate: validasiJawaban(kodeUnit) })).trim();
    const timeZone: TimeZone =
      o.zonaWaktu ??
      (p.interactive
        ? await p.select<TimeZone>(t('init.q.timeZone'), [
            { name: 'Asia/Jakarta (WIB)', value: 'Asia/Jakarta' },
            { name: 'Asia/Makassar (WITA)', value: 'Asia/Makassar' },
            { name: 'Asia/Jayapura (WIT)', value: 'Asia/Jayapura' },
          ])
        : 'Asia/Jakarta');
    let serviceHours;
    if (o.jamLayanan !== undefined) {
      serviceHours = parseServiceHours(o.jamLayanan) ?? undefined;
      if (!serviceHours) throw new SandiError('USAGE', 'init.badValue', { flag: '--jam-layanan', value: o.jamLayanan, expected: '"senin-kamis=08:00-12:00,13:00-16:00;jumat=08:00-11:00"' });
    }
    const mailbox = await gatherMailbox(ctx, o);
    const keys = kunciService(app, operatorName(ctx.env));

    let archive: { fingerprint: string } | { create: { name: string; email: string; expiry: string; passphrase: string } };
    let wantCreate = o.buatKunciArsip === true;
    if (o.kunciArsip === undefined && !wantCreate && p.interactive) {
      const existing = (await keys.findByRole('arsip')).filter((k) => k.hasSecret && !k.revoked);
      const choice = await p.select<string>(t('init.q.archiveKey'), [
        ...existing.map((k) => ({ name: `${k.fingerprint} ${k.userId}`, value: k.fingerprint })),
        { name: t('init.q.createArchive'), value: '' },
      ]);
      if (choice === '') wantCreate = true;
      else archive = { fingerprint: choice };
    }
    if (wantCreate) {
      const email = await ask(ctx, o.emailArsip ?? mailbox?.user, t('kunci.q.email'));
      const label = `${officeName} (arsip)`;
      const passphrase = await newKeyPassphrase(
        { file: o.passphraseFile, env: ctx.env, promptNew: p.interactive ? () => askNewPassphrase(ctx) : undefined },
        'arsip',
        label,
      );
      archive = { create: { name: `Arsip ${officeName}`, email, expiry: o.kedaluwarsa ?? '5y', passphrase } };
    } else if (o.kunciArsip !== undefined) {
      archive = { fingerprint: o.kunciArsip };
    }
    const singleOperator = o.satuOperator ?? (p.interactive ? await p.confirm(t('init.q.singleOperator'), false) : false);

    const result = await initHome(
      app,
      keys,
      {
        officeName,
        unitCode,
        timeZone,
        serviceHours,
        numberFormats: {
          ...(o.formatKriptogram ? { kriptogramKeluar: o.formatKriptogram } : {}),
          ...(o.formatSuratKeluar ? { suratKeluar: o.formatSuratKeluar } : {}),
          ...(o.formatSuratMasuk ? { suratMasuk: o.formatSuratMasuk } : {}),
          ...(o.formatKriptogramMasuk ? { kriptogramMasuk: o.formatKriptogramMasuk } : {}),
        },
        mailbox,
        archive: archive!,
        singleOperator,
        mode: 'produksi',
        allowDemoKeys: o.izinkanKunciDemo === true,
        overwrite: o.timpa === true,
      },
      operatorName(ctx.env),
    );
    ctx.printer.result({ file: result.file, config: result.config, archiveKey: result.archiveKey, createdArchiveKey: result.createdArchiveKey }, () =>
      [
        t('init.done', { file: result.file }),
        t('init.summary', {
          name: result.config.office.name,
          unitCode: result.config.office.unitCode,
          timeZone: result.config.office.timeZone,
          archiveKey: result.config.archiveKey,
          mailbox: result.config.mailbox ? `${result.config.mailbox.user} (IMAP ${result.config.mailbox.imap.host}:${result.config.mailbox.imap.port}, SMTP ${result.config.mailbox.smtp.host}:${result.config.mailbox.smtp.port})` : t('init.localMaildir'),
        }),
        '',
        nextSteps(ctx.home, result.config.mailbox?.user ?? null),
      ].join('\n'),
    );
  } finally {
    app.close();
  }
}

export function registerInit(program: Command, getCtx: GetContext): void {
  program
    .command('init')
    .description(t('init.description'))
    .option('--nama-kantor <nama>', t('init.opt.officeName'))
    .option('--kode-unit <kode>', t('init.opt.unitCode'))
    .addOption(new Option('--zona-waktu <zona>', t('init.opt.timeZone')).choices(['Asia/Jakarta', 'Asia/Makassar', 'Asia/Jayapura']))
    .option('--jam-layanan <jadwal>', t('init.opt.serviceHours'))
    .option('--format-kriptogram <format>', t('init.opt.formatKriptogram'))
    .option('--format-surat-keluar <format>', t('init.opt.formatSuratKeluar'))
    .option('--format-surat-masuk <format>', t('init.opt.formatSuratMasuk'))
    .option('--format-kriptogram-masuk <format>', t('init.opt.formatKriptogramMasuk'))
    .option('--akun-user <email>', t('init.opt.user'))
    .option('--imap-host <host>', t('init.opt.imapHost'))
    .option('--imap-port <port>', t('init.opt.imapPort'))
    .addOption(new Option('--imap-tls <mode>', t('init.opt.tls')).choices(['tls', 'starttls']))
    .option('--smtp-host <host>', t('init.opt.smtpHost'))
    .option('--smtp-port <port>', t('init.opt.smtpPort'))
    .addOption(new Option('--smtp-tls <mode>', t('init.opt.tls')).choices(['tls', 'starttls']))
    .option('--ca-file <berkas>', t('init.opt.caFile'))
    .option('--folder-terkirim <folder>', t('init.opt.sentFolder'))
    .option('--kunci-arsip <fingerprint>', t('init.opt.archiveKey'))
    .option('--buat-kunci-arsip', t('init.opt.createArchiveKey'))
    .option('--email-arsip <email>', t('init.opt.archiveEmail'))
    .option('--kedaluwarsa <masa>', t('init.opt.expiry'))
    .option('--passphrase-file <berkas>', t('kunci.opt.passphraseFile'))
    .option('--satu-operator', t('init.opt.singleOperator'))
    .option('--izinkan-kunci-demo', t('init.opt.allowDemoKeys'))
    .option('--timpa', t('init.opt.overwrite'))
    .action(async (opts: InitFlags) => runInit(getCtx(), opts));
}
