/**
 * `sandi audit`: the hash-chained audit log. `periksa` verifies the whole chain: exit 0 when intact,
 * INTEGRITY (79) naming the first broken row when not.
 */
import type { Command } from 'commander';
import type { GetContext } from './index.js';
import { t } from './messages/index.js';
import { homePaths } from '../config/home.js';
import { SandiError } from '../errors.js';

export function registerAudit(program: Command, getCtx: GetContext): void {
  const audit = program.command('audit').description(t('audit.cmd.description'));
  audit
    .command('periksa')
    .description(t('audit.periksa.description'))
    .action(async () => {
      const ctx = getCtx();
      const { checkAuditChain } = await import('../services/audit.js');
      const report = checkAuditChain(homePaths(ctx.home).database);
      if (report.ok) {
        ctx.printer.result(report, () =>
          report.rows === 0 ? t('audit.okEmpty') : t('audit.ok', { rows: report.rows, lastHash: report.lastHash ?? '' }),
        );
        return;
      }
      // the report goes to stdout (for scripts), the failure to stderr with its own exit code
      ctx.printer.result(report, () => '');
      const b = report.broken;
      if (!b) throw new SandiError('INTERNAL', 'common.internal', { detail: 'broken audit report without a row' });
      throw new SandiError(
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
    });
}
