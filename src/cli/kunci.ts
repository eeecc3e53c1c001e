/**
 * `sandi kunci`: the office's OpenPGP keys and the address book. Each action reads options (prompting only at
 * an interactive terminal), calls the key service, and renders the result. The service, openpgp and SQLite
 * are imported when an action runs, so `sandi --help` stays light.
 */
import { Command, Option } from 'commander';
import { userInfo } from 'node:os';
import type { GetContext } from './index.js';
import type { CliContext } from './context.js';
import { requireFlags } from './prompter.js';
import { table } from './printer.js';
import { t } from './messages/index.js';
import { officeTimeZone, tanggalLokal, waktuLokal } from './waktu.js';
import { SandiError } from '../errors.js';
import type { AddressEntry, KeyInfo, KeyRole } from '../ports.js';
import type { KunciService } from '../services/kunci.js';
import { ALAMAT, KUNCI_BARU } from '../domain/skema.js';
import { pastikan, validasiJawaban } from './validasi.js';

const OWN_ROLES = ['arsip', 'sandiman', 'kasi'] as const;
const ALL_ROLES = ['penerima', 'arsip', 'sandiman', 'kasi'] as const;
const REVOCATION_KINDS = ['diganti', 'bocor', 'pensiun', 'lain'] as const;

/** Who is acting, for the audit log: SANDI_OPERATOR, else the login name. */
export function operatorName(env: NodeJS.ProcessEnv): string {
  const fromEnv = env['SANDI_OPERATOR'];
  if (fromEnv && fromEnv.trim().length > 0) return fromEnv.trim();
  try {
    return userInfo().username;
  } catch {
    return env['USER'] ?? 'sandi';
  }
}

async function withService<T>(ctx: CliContext, fn: (svc: KunciService) => Promise<T>): Promise<T> {
  const [{ openApp }, { kunciService }] = await Promise.all([import('../app.js'), import('../services/kunci.js')]);
  const app = openApp(ctx.home, undefined, ctx);
  try {
    return await fn(kunciService(app, operatorName(ctx.env)));
  } finally {
    app.close();
  }
}

async function passphrases(ctx: CliContext, file: string | undefined) {
  const { passphraseSource } = await import('../config/passphrase.js');
  return passphraseSource({
    file,
    env: ctx.env,
    prompt: ctx.prompter.interactive ? (k: KeyInfo) => ctx.prompter.password(t('kunci.q.passphrase', { key: `${k.fingerprint} (${k.userId})` })) : undefined,
  });
}

/** Ask for a new passphrase twice at the terminal, re-asking on a mismatch or a too-short answer. */
export async function askNewPassphrase(ctx: CliContext): Promise<string> {
  const { passphraseProblem, MIN_PASSPHRASE_LENGTH } = await import('../domain/kunci.js');
  for (let attempt = 0; ; attempt++) {
    const first = await ctx.prompter.password(t('kunci.q.newPassphrase', { min: MIN_PASSPHRASE_LENGTH }));
    const problem = passphraseProblem(first);
    if (problem !== null) {
      if (attempt >= 2) return first; // let the service refuse it with its message
      ctx.printer.warn(t(problem === 'empty' ? 'kunci.passphraseEmpty' : 'kunci.passphraseTooShort', { min: MIN_PASSPHRASE_LENGTH }));
      continue;
    }
    const again = await ctx.prompter.password(t('kunci.q.newPassphraseAgain'));
    if (again === first) return first;
    if (attempt >= 2) throw new SandiError('USAGE', 'kunci.q.mismatch');
    ctx.printer.warn(t('kunci.q.mismatch'));
  }
}

/** A key's creation or expiry as the office's calendar date (an expiry at 20:00 UTC is the next day in WIT). */
function day(iso: string | null, tz: string): string {
  return iso === null ? t('kunci.never') : tanggalLokal(iso, tz);
}

function keyState(k: KeyInfo, now: Date): string {
  if (k.revoked) return t('kunci.state.revoked');
  if (k.expires !== null && Date.parse(k.expires) <= now.getTime()) return t('kunci.state.expired');
  return t('kunci.state.active');
}

function renderKeys(keys: KeyInfo[], tz: string): string {
  if (keys.length === 0) return t('kunci.none');
  const now = new Date();
  return table(
    [
      t('kunci.col.fingerprint'),
      t('kunci.col.userId'),
      t('kunci.col.role'),
      t('kunci.col.created'),
      t('kunci.col.expires'),
      t('kunci.col.state'),
      t('kunci.col.use'),
      t('kunci.col.secret'),
      t('kunci.col.algorithm'),
    ],
    keys.map((k) => [
      k.fingerprint,
      k.userId,
      k.role,
      day(k.created, tz),
      day(k.expires, tz),
      keyState(k, now),
      [k.canEncrypt ? t('kunci.use.encrypt') : null, k.canSign ? t('kunci.use.sign') : null].filter(Boolean).join(', '),
      k.hasSecret ? t('kunci.yes') : t('kunci.no'),
      k.algorithm,
    ]),
  );
}

function renderAddresses(list: AddressEntry[]): string {
  if (list.length === 0) return t('kunci.noAddresses');
  return table(
    [t('kunci.col.email'), t('kunci.col.unit'), t('kunci.col.unitCode'), t('kunci.col.fingerprint')],
    list.map((a) => [a.email, a.unit, a.unitCode, a.fingerprint]),
  );
}

async function readStdin(): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return new Uint8Array(Buffer.concat(chunks));
}

export function registerKunci(program: Command, getCtx: GetContext): void {
  const kunci = program.command('kunci').description(t('kunci.cmd'));

  kunci
    .command('buat')
    .description(t('kunci.cmd.buat'))
    .addOption(new Option('--peran <peran>', t('kunci.opt.peran')).choices([...OWN_ROLES]))
    .option('--nama <nama>', t('kunci.opt.nama'))
    .option('--email <email>', t('kunci.opt.email'))
    .option('--komentar <teks>', t('kunci.opt.komentar'))
    .option('--kedaluwarsa <masa>', t('kunci.opt.kedaluwarsa'), '2y')
    .option('--passphrase-file <berkas>', t('kunci.opt.passphraseFile'))
    .action(async (opts: { peran?: KeyRole; nama?: string; email?: string; komentar?: string; kedaluwarsa: string; passphraseFile?: string }) => {
      const ctx = getCtx();
      const p = ctx.prompter;
      // every value given is checked before anything is asked (exit 65 naming each bad field)
      pastikan(KUNCI_BARU, opts, { sebagian: true });
      requireFlags(
        p,
        [opts.peran ? null : '--peran', opts.nama ? null : '--nama', opts.email ? null : '--email'].filter((x): x is string => x !== null),
      );
      const role: KeyRole =
        opts.peran ??
        (await p.select<KeyRole>(
          t('kunci.q.role'),
          OWN_ROLES.map((r) => ({ name: t(`kunci.q.role.${r}`), value: r })),
        ));
      const asked = {
        nama: opts.nama ?? (await p.input(t('kunci.q.name'), { validate: validasiJawaban(KUNCI_BARU.nama.cek) })),
        email: opts.email ?? (await p.input(t('kunci.q.email'), { validate: validasiJawaban(KUNCI_BARU.email.cek) })),
      };
      const { nama: name, email } = pastikan(KUNCI_BARU, { ...opts, ...asked });
      const { newKeyPassphrase } = await import('../config/passphrase.js');
      const passphrase = await newKeyPassphrase(
        { file: opts.passphraseFile, env: ctx.env, promptNew: p.interactive ? () => askNewPassphrase(ctx) : undefined },
        role,
        `${name} <${email}>`,
      );
      const info = await withService(ctx, (svc) =>
        svc.create({ role, name, email, comment: opts.komentar, expiry: opts.kedaluwarsa, passphrase }),
      );
      const tz = await officeTimeZone(ctx.home);
      ctx.printer.result(info, () =>
        t('kunci.created', { fingerprint: info.fingerprint, userId: info.userId, role: info.role, algorithm: info.algorithm, expires: day(info.expires, tz) }),
      );
    });

  kunci
    .command('impor')
    .description(t('kunci.cmd.impor'))
    .argument('<file>', t('kunci.arg.file'))
    .addOption(new Option('--peran <peran>', t('kunci.opt.peran')).choices([...ALL_ROLES]))
    .option('--unit <nama>', t('kunci.opt.unit'))
    .option('--kode-unit <kode>', t('kunci.opt.kodeUnit'))
    .option('--email <email>', t('kunci.opt.email'))
    .option('--izinkan-lemah', t('kunci.opt.izinkanLemah'))
    .action(async (file: string, opts: { peran?: KeyRole; unit?: string; kodeUnit?: string; email?: string; izinkanLemah?: boolean }) => {
      const ctx = getCtx();
      const address = opts.email !== undefined || opts.unit !== undefined ? { email: opts.email, unit: opts.unit, unitCode: opts.kodeUnit } : undefined;
      const importOpts = { role: opts.peran, allowWeak: opts.izinkanLemah === true, address };
      const stdinContent = file === '-' ? await readStdin() : null;
      const res = await withService(ctx, (svc) =>
        stdinContent !== null ? svc.importKeys(stdinContent, 'stdin', importOpts) : svc.importFile(file, importOpts),
      );
      const tz = await officeTimeZone(ctx.home);
      for (const w of res.warnings) ctx.printer.warn(t(w.key, typeof w.params['expires'] === 'string' ? { ...w.params, expires: waktuLokal(w.params['expires'], tz) } : w.params));
      const { isDemoKey } = await import('../domain/kunci.js');
      for (const k of res.keys) if (isDemoKey(k)) ctx.printer.warn(t('kunci.demoWarning', { fingerprint: k.fingerprint }));
      ctx.printer.result(res, () =>
        [
          ...res.keys.map((k) => t('kunci.imported', { status: t(`kunci.status.${k.status}`), fingerprint: k.fingerprint, userId: k.userId, role: k.role })),
          ...(res.address ? [t('kunci.addressBound', { email: res.address.email, unit: res.address.unit, fingerprint: res.address.fingerprint })] : []),
        ].join('\n'),
      );
    });

  kunci
    .command('ekspor')
    .description(t('kunci.cmd.ekspor'))
    .argument('<key>', t('kunci.arg.key'))
    .option('--rahasia', t('kunci.opt.rahasia'))
    .option('--keluaran <berkas>', t('kunci.opt.keluaran'))
    .action(async (ref: string, opts: { rahasia?: boolean; keluaran?: string }) => {
      const ctx = getCtx();
      const secret = opts.rahasia === true;
      if (opts.keluaran !== undefined) {
        const out = opts.keluaran;
        const res = await withService(ctx, (svc) => Promise.resolve(svc.exportToFile(ref, out, { secret })));
        ctx.printer.result(res, () => t('kunci.exported', { fingerprint: res.fingerprint, path: res.path }));
        return;
      }
      const res = await withService(ctx, (svc) => Promise.resolve(svc.exportKey(ref, { secret })));
      ctx.printer.result(res, () => res.armored);
    });

  kunci
    .command('daftar')
    .description(t('kunci.cmd.daftar'))
    .action(async () => {
      const ctx = getCtx();
      const keys = await withService(ctx, (svc) => svc.list());
      const tz = await officeTimeZone(ctx.home);
      ctx.printer.result(keys, () => renderKeys(keys, tz));
    });

  kunci
    .command('cabut')
    .description(t('kunci.cmd.cabut'))
    .argument('<key>', t('kunci.arg.key'))
    .option('--alasan <teks>', t('kunci.opt.alasan'))
    .addOption(new Option('--jenis <jenis>', t('kunci.opt.jenis')).choices([...REVOCATION_KINDS]).default('lain'))
    .option('--passphrase-file <berkas>', t('kunci.opt.passphraseFile'))
    .action(async (ref: string, opts: { alasan?: string; jenis: (typeof REVOCATION_KINDS)[number]; passphraseFile?: string }) => {
      const ctx = getCtx();
      const source = await passphrases(ctx, opts.passphraseFile);
      const res = await withService(ctx, async (svc) => {
        if (ctx.prompter.interactive) {
          const k = await svc.info(ref);
          if (!(await ctx.prompter.confirm(t('kunci.q.confirmRevoke', { fingerprint: k.fingerprint, userId: k.userId }), false))) {
            throw new SandiError('CANCELLED', 'common.cancelled');
          }
        }
        return svc.revoke(ref, { kind: opts.jenis, reason: opts.alasan, passphrases: source });
      });
      ctx.printer.result(res, () =>
        [
          t('kunci.revoked', { fingerprint: res.fingerprint, userId: res.userId }),
          res.signed ? t('kunci.revoked.signed', { fingerprint: res.fingerprint }) : t('kunci.revoked.marked'),
        ].join('\n'),
      );
    });

  const alamat = kunci.command('alamat').description(t('kunci.cmd.alamat'));

  alamat
    .command('tambah')
    .description(t('kunci.cmd.alamat.tambah'))
    .option('--email <email>', t('kunci.opt.email'))
    .option('--unit <nama>', t('kunci.opt.unit'))
    .option('--kode-unit <kode>', t('kunci.opt.kodeUnit'))
    .option('--kunci <sidik-jari>', t('kunci.opt.kunci'))
    .action(async (opts: { email?: string; unit?: string; kodeUnit?: string; kunci?: string }) => {
      const ctx = getCtx();
      const p = ctx.prompter;
      // every value given is checked before anything is asked (exit 65 naming each bad field)
      pastikan(ALAMAT, opts, { sebagian: true });
      requireFlags(
        p,
        [opts.email ? null : '--email', opts.unit ? null : '--unit', opts.kunci ? null : '--kunci'].filter((x): x is string => x !== null),
      );
      const asked = {
        email: opts.email ?? (await p.input(t('kunci.q.email'), { validate: validasiJawaban(ALAMAT.email.cek) })),
        unit: opts.unit ?? (await p.input(t('kunci.opt.unit'), { validate: validasiJawaban(ALAMAT.unit.cek) })),
        kunci: opts.kunci ?? (await p.input(t('kunci.opt.kunci'), { validate: validasiJawaban(ALAMAT.kunci.cek) })),
      };
      const { email, unit, kunci: key } = pastikan(ALAMAT, { ...opts, ...asked });
      const entry = await withService(ctx, (svc) => svc.addAddress({ email, unit, unitCode: opts.kodeUnit, key }));
      ctx.printer.result(entry, () => t('kunci.addressBound', { email: entry.email, unit: entry.unit, fingerprint: entry.fingerprint }));
    });

  alamat
    .command('daftar')
    .description(t('kunci.cmd.alamat.daftar'))
    .action(async () => {
      const ctx = getCtx();
      const list = await withService(ctx, (svc) => Promise.resolve(svc.listAddresses()));
      ctx.printer.result(list, () => renderAddresses(list));
    });

  alamat
    .command('hapus')
    .description(t('kunci.cmd.alamat.hapus'))
    .argument('<email>', t('kunci.arg.email'))
    .action(async (email: string) => {
      const ctx = getCtx();
      const removed = await withService(ctx, (svc) => Promise.resolve(svc.removeAddress(email)));
      ctx.printer.result(removed, () => t('kunci.addressRemoved', { email: removed.email }));
    });
}
