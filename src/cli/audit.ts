/**
 * `sandi audit`: the register that proves itself. `periksa` checks the hash chain, every register row against
 * the chain, and the signed checkpoints: exit 0 when all agree, INTEGRITY (79) naming the first thing found
 * wrong. `tandai` signs the chain head now with the archive key.
 */
import type { Command } from 'commander';
import type { GetContext } from './index.js';
import { t } from './messages/index.js';
import { homePaths } from '../config/home.js';
import { SandiError } from '../errors.js';
import type { AuditReport } from '../services/audit.js';
import { officeTimeZone, waktuLokal } from './waktu.js';

function summary(report: AuditReport, timeZone: string): string {
  const lines = [report.rows === 0 ? t('audit.okEmpty') : t('audit.ok', { rows: report.rows, lastHash: report.lastHash ?? '' })];
  if (report.registers.checked) lines.push(t('audit.registersOk', { rows: report.registers.rows, tables: report.registers.tables }));
  const c = report.checkpoints;
  if (c.newest === null) {
    if (report.rows > 0) lines.push(t('audit.checkpointsNone', { uncovered: c.uncovered }));
  } else {
    lines.push(t('audit.checkpointsOk', { verified: c.verified, id: c.newest.id, hash: c.newest.hash, at: waktuLokal(c.newest.at, timeZone), signer: c.newest.signer }));
    if (c.uncovered > 0) lines.push(t('audit.uncovered', { uncovered: c.uncovered }));
  }
  return lines.join('\n');
}

/** The error for a report that is not ok: the chain first, then the checkpoints, then the registers. */
function failure(report: AuditReport): SandiError {
  const b = report.broken;
  if (b) {
    return new SandiError(
      'INTEGRITY',
      `audit.broken.${b.reason}`,
      {
        id: b.id,
        at: b.at ?? '-',
        action: b.action ?? '-',
        actor: b.actor ?? '-',
        expectedId: b.expectedId,
        lastGoodId: b.lastGoodId ?? '-',
        issued: b.issued ?? '-',
        path: report.database,
      },
      { hint: 'audit.broken.hint' },
    );
  }
  const p = report.checkpoints.problems[0];
  if (p) return new SandiError('INTEGRITY', `audit.checkpoint.${p.kind}`, { file: p.file, id: p.id ?? '-', signer: p.signer ?? '-' }, { hint: 'audit.broken.hint' });
  const f = report.registers.findings[0];
  if (f) {
    return new SandiError(
      'INTEGRITY',
      `audit.row.${f.kind}`,
      { table: f.table, row: f.row ?? `rowid=${f.rowid}`, rowid: f.rowid, eventId: f.eventId ?? '-', total: report.registers.findingsTotal },
      { hint: 'audit.broken.hint' },
    );
  }
  return new SandiError('INTERNAL', 'common.internal', { detail: 'audit report not ok without a finding' });
}

export function registerAudit(program: Command, getCtx: GetContext): void {
  const audit = program.command('audit').description(t('audit.cmd.description'));
  audit
    .command('periksa')
    .description(t('audit.periksa.description'))
    .action(async () => {
      const ctx = getCtx();
      const [{ checkAudit }, { openApp }] = await Promise.all([import('../services/audit.js'), import('../app.js')]);
      // the chain of the home's database: its SQLite file, or the office database on PostgreSQL
      const app = openApp(ctx.home, undefined, ctx);
      let report: AuditReport;
      try {
        report = await checkAudit(app.auditPorts());
      } finally {
        app.close();
      }
      if (report.ok) {
        const zone = ctx.json ? 'UTC' : await officeTimeZone(ctx.home);
        ctx.printer.result(report, () => summary(report, zone));
        return;
      }
      // the report goes to stdout (for scripts), the failure to stderr with its own exit code; every
      // register finding after the first is listed there too
      ctx.printer.result(report, () => '');
      if (!ctx.json && report.broken === null) {
        for (const p of report.checkpoints.problems.slice(1)) ctx.printer.warn(t(`audit.checkpoint.${p.kind}`, { file: p.file, id: p.id ?? '-', signer: p.signer ?? '-' }));
        for (const f of report.registers.findings.slice(report.checkpoints.problems.length === 0 ? 1 : 0)) {
          ctx.printer.warn(t(`audit.row.line.${f.kind}`, { table: f.table, row: f.row ?? `rowid=${f.rowid}`, rowid: f.rowid, eventId: f.eventId ?? '-' }));
        }
      }
      throw failure(report);
    });
  audit
    .command('tandai')
    .description(t('audit.tandai.description'))
    .option('--passphrase-file <berkas>', t('audit.opt.passphraseFile'))
    .action(async (opts: { passphraseFile?: string }) => {
      const ctx = getCtx();
      const [{ makeCheckpoint }, { passphraseFromFlagsOrEnv }, { openApp }] = await Promise.all([import('../services/audit.js'), import('../config/passphrase.js'), import('../app.js')]);
      let passphrase = passphraseFromFlagsOrEnv({ file: opts.passphraseFile, env: ctx.env }, 'arsip');
      if (passphrase === null) {
        if (!ctx.prompter.interactive) {
          throw new SandiError('USAGE', 'kunci.passphraseMissing', { key: t('audit.keyLabel'), envRole: 'SANDI_PASSPHRASE_ARSIP' }, { hint: 'kunci.passphraseMissing.hint' });
        }
        passphrase = await ctx.prompter.password(t('kunci.q.passphrase', { key: t('audit.keyLabel') }));
      }
      const app = openApp(ctx.home, undefined, ctx);
      let r: Awaited<ReturnType<typeof makeCheckpoint>>;
      try {
        r = await makeCheckpoint(app.auditPorts(), passphrase, new Date());
      } finally {
        app.close();
      }
      const zone = ctx.json ? 'UTC' : await officeTimeZone(ctx.home);
      ctx.printer.result(r, () =>
        r.made
          ? t('audit.checkpoint.made', { id: r.checkpoint.id, hash: r.checkpoint.hash, at: waktuLokal(r.checkpoint.at, zone), file: r.file })
          : r.reason === 'current'
            ? t('audit.checkpoint.current', { id: r.newestId })
            : t(`audit.checkpoint.${r.reason}`),
      );
    });
}

/**
 * After any command on a home: when the chain has events no checkpoint covers and the archive passphrase is in
 * the environment (SANDI_PASSPHRASE_ARSIP or SANDI_PASSPHRASE), sign the head. Never prompts, never changes
 * the command's outcome: a failure is a warning on stderr.
 */
export async function autoCheckpoint(home: string, env: NodeJS.ProcessEnv, warn: (s: string) => void, db?: string): Promise<void> {
  try {
    const { passphraseFromFlagsOrEnv } = await import('../config/passphrase.js');
    const passphrase = passphraseFromFlagsOrEnv({ env }, 'arsip');
    if (passphrase === null) return;
    const paths = homePaths(home);
    // the office database on PostgreSQL: its chain, signed with this home's archive key (a bad --db was the
    // command's own error, already reported)
    const { resolveEngine } = await import('../app/postgres.js');
    const engine = (() => {
      try {
        return resolveEngine(paths, { db, env }).kind;
      } catch {
        return null;
      }
    })();
    if (engine === null) return;
    const { existsSync } = await import('node:fs');
    if (engine === 'sqlite' && !existsSync(paths.database)) return;
    if (engine === 'postgresql' && !existsSync(paths.config)) return;
    const [{ makeCheckpoint }, { openApp }] = await Promise.all([import('../services/audit.js'), import('../app.js')]);
    const app = openApp(home, undefined, { db, env });
    try {
      await makeCheckpoint(app.auditPorts(), passphrase, new Date());
    } finally {
      app.close();
    }
  } catch (e) {
    warn(t('audit.checkpoint.autoFailed', { reason: e instanceof SandiError ? e.message : e instanceof Error ? e.name : String(e) }));
  }
}
