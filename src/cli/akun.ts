/**
 * `sandi akun`: the mailbox account. simpan (store the password encrypted; from a prompt or stdin, never argv),
 * uji (IMAP and SMTP logins), status (age, deadline, warning), rotasi (four recorded, resumable steps). The
 * service, openpgp, SQLite and the mail adapters are imported when an action runs.
 */
import { Command, Option } from 'commander';
import type { GetContext } from './index.js';
import type { CliContext } from './context.js';
import { t } from './messages/index.js';
import { operatorName } from './kunci.js';
import { officeTimeZone, waktuLokal } from './waktu.js';
import { SandiError } from '../errors.js';
import type { KeyInfo } from '../ports.js';
import type { AkunService, AkunStatus, LoginReport, RotasiResult, UjiResult } from '../services/akun.js';
import type { PasswordAge } from '../domain/akun.js';
import { instanKantor } from '../domain/waktu-masukan.js';

const ADAPTERS = ['perintah', 'dovecot-passwd', 'manual'] as const;

async function withService<T>(ctx: CliContext, passphraseFile: string | undefined, fn: (svc: AkunService) => Promise<T>): Promise<T> {
  const [{ openApp }, { akunService }, { loadConfig }, { passphraseSource }] = await Promise.all([
    import('../app.js'),
    import('../services/akun.js'),
    import('../config/config.js'),
    import('../config/passphrase.js'),
  ]);
  const app = openApp(ctx.home, undefined, ctx);
  try {
    const config = loadConfig(app.paths.config);
    const passphrases = passphraseSource({
      file: passphraseFile,
      env: ctx.env,
      prompt: ctx.prompter.interactive ? (k: KeyInfo) => ctx.prompter.password(t('kunci.q.passphrase', { key: `${k.fingerprint} (${k.userId})` })) : undefined,
    });
    return await fn(akunService({ app, config, actor: operatorName(ctx.env), env: ctx.env, passphrases }));
  } finally {
    app.close();
  }
}

async function readStdinFirstLine(): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of process.stdin) {
    chunks.push(c as Buffer);
    size += (c as Buffer).length;
    if (size > 65_536) break;
  }
  return Buffer.concat(chunks).toString('utf8').split('\n', 1)[0]?.replace(/\r$/, '') ?? '';
}

async function askPassword(ctx: CliContext, user: string): Promise<string> {
  for (let attempt = 0; ; attempt++) {
    const first = await ctx.prompter.password(t('akun.q.password', { user }));
    const again = await ctx.prompter.password(t('akun.q.passwordAgain'));
    if (first === again) return first;
    if (attempt >= 2) throw new SandiError('USAGE', 'akun.q.mismatch');
    ctx.printer.warn(t('akun.q.mismatch'));
  }
}

/**
 * `--diubah YYYY-MM-DD`: the day the password was last changed, a date in the office's zone (its start there),
 * not midnight UTC (which reads as 07:00 WIB, or the day before for a zone west of Greenwich).
 */
function parseChanged(value: string | undefined, now: Date, timeZone: string): Date | null {
  if (value === undefined) return now;
  if (value === 'tidak-diketahui' || value === 'unknown') return null;
  const d = /^\d{4}-\d{2}-\d{2}$/.test(value) ? instanKantor(value, timeZone) : null;
  if (d === null || d.getTime() > now.getTime()) {
    throw new SandiError('DATA', 'akun.badDate', { value });
  }
  return d;
}

/** An instant of the password's life in office time ("2026-12-07 00:34 WITA"); --json keeps UTC ISO. */
const day = (iso: string | null, tz: string): string => (iso === null ? t('akun.unknown') : waktuLokal(iso, tz));

function warnAge(ctx: CliContext, user: string, age: PasswordAge, tz: string): void {
  if (age.state === 'lewat') ctx.printer.warn(t('akun.warn.overdue', { user, deadline: day(age.deadline, tz) }));
  else if (age.state === 'peringatan') ctx.printer.warn(t('akun.warn.due', { user, deadline: day(age.deadline, tz), days: age.daysLeft ?? '-' }));
  else if (age.state === 'tidak-diketahui') ctx.printer.warn(t('akun.warn.unknown', { user }));
}

function renderStatus(s: AkunStatus, tz: string): string {
  const lines = [
    t('akun.status.user', { user: s.user }),
    t('akun.status.source', { source: t(s.source === null ? 'akun.source.none' : `akun.source.${s.source}`) }),
    t('akun.status.lastChanged', { date: day(s.lastChanged, tz) }),
    t('akun.status.deadline', { date: day(s.deadline, tz) }),
  ];
  if (s.daysLeft !== null) lines.push(t('akun.status.daysLeft', { days: s.daysLeft }));
  lines.push(t(`akun.status.state.${s.state}`));
  if (s.rotation) lines.push(t('akun.status.rotation', { id: s.rotation.id, steps: s.rotation.stepsDone, status: s.rotation.status }));
  else if (s.lastRotation) {
    lines.push(t('akun.status.lastRotation', { id: s.lastRotation.id, status: s.lastRotation.status, at: waktuLokal(s.lastRotation.at, tz) }));
    if (s.lastRotation.reason) lines.push(t('akun.status.lastRotationReason', { reason: s.lastRotation.reason }));
  }
  return lines.join('\n');
}

function renderLogin(protocol: string, user: string, r: LoginReport): string {
  return r.ok || !r.error ? t('akun.uji.ok', { protocol, user }) : t('akun.uji.fail', { protocol, message: t(r.error.key, r.error.params) });
}

function renderUji(r: UjiResult): string {
  const source = r.slot === 'tertunda' ? t('akun.source.penyimpanan.tertunda') : t(`akun.source.${r.source}`);
  return [t('akun.uji.source', { source }), renderLogin('IMAP', r.user, r.imap), renderLogin('SMTP', r.user, r.smtp)].join('\n');
}

function renderRotasi(r: RotasiResult, tz: string): string {
  if (r.skipped) return t('akun.rotasi.skipped', { user: r.user, days: r.age.daysLeft ?? '-', deadline: day(r.age.deadline, tz) });
  const lines: string[] = [];
  if (r.resumed) lines.push(t('akun.rotasi.resumed', { id: r.rotationId ?? '-' }));
  for (const s of r.steps) {
    lines.push(t(s.outcome === 'sudah-berlaku' ? `akun.rotasi.step.${s.name}.sudah-berlaku` : `akun.rotasi.step.${s.name}`, { adapter: r.adapter ?? '-' }));
  }
  lines.push(t('akun.rotasi.done', { id: r.rotationId ?? '-', user: r.user, deadline: day(r.age.deadline, tz) }));
  return lines.join('\n');
}

export function registerAkun(program: Command, getCtx: GetContext): void {
  const akun = program.command('akun').description(t('akun.cmd'));

  akun
    .command('simpan')
    .description(t('akun.cmd.simpan'))
    .option('--diubah <tanggal>', t('akun.opt.diubah'))
    .action(async (opts: { diubah?: string }) => {
      const ctx = getCtx();
      const changedAt = parseChanged(opts.diubah, new Date(), await officeTimeZone(ctx.home));
      const res = await withService(ctx, undefined, async (svc) => {
        const password = ctx.prompter.interactive ? await askPassword(ctx, svc.user) : await readStdinFirstLine();
        if (password.length === 0) throw new SandiError('USAGE', 'akun.passwordEmpty', {}, { hint: 'akun.passwordEmpty.hint' });
        return svc.simpan(password, changedAt);
      });
      const tz = await officeTimeZone(ctx.home);
      ctx.printer.result(res, () =>
        [t('akun.saved', { user: res.user, changedAt: day(res.changedAt, tz) }), ...(res.replaced ? [t('akun.savedReplaced')] : [])].join('\n'),
      );
    });

  akun
    .command('uji')
    .description(t('akun.cmd.uji'))
    .option('--passphrase-file <berkas>', t('kunci.opt.passphraseFile'))
    .action(async (opts: { passphraseFile?: string }) => {
      const ctx = getCtx();
      const res = await withService(ctx, opts.passphraseFile, (svc) => svc.uji());
      ctx.printer.result(res, () => renderUji(res));
      const failed = [res.imap, res.smtp].find((r) => !r.ok);
      if (failed?.error) process.exitCode = failed.error.exitCode;
    });

  akun
    .command('status')
    .description(t('akun.cmd.status'))
    .action(async () => {
      const ctx = getCtx();
      const res = await withService(ctx, undefined, (svc) => Promise.resolve(svc.status()));
      const tz = await officeTimeZone(ctx.home);
      ctx.printer.result(res, () => renderStatus(res, tz));
      warnAge(ctx, res.user, res, tz);
    });

  akun
    .command('rotasi')
    .description(t('akun.cmd.rotasi'))
    .option('--jika-jatuh-tempo', t('akun.opt.jikaJatuhTempo'))
    .addOption(new Option('--adapter <adapter>', t('akun.opt.adapter')).choices([...ADAPTERS]))
    .option('--passphrase-file <berkas>', t('kunci.opt.passphraseFile'))
    .action(async (opts: { jikaJatuhTempo?: boolean; adapter?: (typeof ADAPTERS)[number]; passphraseFile?: string }) => {
      const ctx = getCtx();
      const p = ctx.prompter;
      // The new password goes to stderr: only when that is a terminal too. With stdin at a terminal but
      // `2>>log`, it would land in the log file, so the manual adapter refuses before showing anything.
      const manualUi = p.interactive
        ? {
            show: (user: string, password: string) => {
              if (process.stderr.isTTY !== true) {
                return Promise.reject(new SandiError('USAGE', 'akun.manualStderrNotTerminal', { user }, { hint: 'akun.manualStderrNotTerminal.hint' }));
              }
              ctx.printer.warn(t('akun.manual.show', { user, password }));
              return Promise.resolve();
            },
            confirmChanged: (user: string) => p.confirm(t('akun.q.manualDone', { user }), false),
          }
        : null;
      const res = await withService(ctx, opts.passphraseFile, (svc) => svc.rotasi({ onlyIfDue: opts.jikaJatuhTempo === true, adapter: opts.adapter, manualUi }));
      const tz = await officeTimeZone(ctx.home);
      ctx.printer.result(res, () => renderRotasi(res, tz));
    });
}
