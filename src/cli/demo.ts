/**
 * `sandi demo`: run the outgoing flow on local storage with the DEMO keys (see src/services/demo.ts).
 * Its home is --home / SANDI_HOME when given, else ./.sandi-demo, so it never touches a real office's folder.
 */
import type { Command } from 'commander';
import { resolve } from 'node:path';
import type { GetContext } from './index.js';
import { t } from './messages/index.js';
import { table } from './printer.js';
import { officeTimeZone, waktuLokal } from './waktu.js';
import { statusTandaTangan } from './tanda-tangan.js';

export function registerDemo(program: Command, getCtx: GetContext): void {
  program
    .command('demo')
    .description(t('demo.description'))
    .action(async () => {
      const ctx = getCtx();
      const explicit = program.opts<{ home?: string }>().home ?? ctx.env['SANDI_HOME'];
      const home = explicit ? ctx.home : resolve('.sandi-demo');
      const [{ openApp }, { runDemo }, { kirimPorts }] = await Promise.all([import('../app.js'), import('../services/demo.js'), import('../app/kirim.js')]);
      const app = openApp(home, undefined, ctx);
      ctx.printer.info(t('demo.title', { home }));
      try {
        app.prepareDatabase(); // on PostgreSQL: the office schema, made by its owner's role when the database is empty
        const report = await runDemo(app, kirimPorts(app), (step) => ctx.printer.info(`  … ${t(`demo.step.${step}`)}`));
        const tz = await officeTimeZone(home);
        ctx.printer.result(report, () =>
          [
            '',
            t('demo.numbered', { nomor: report.nomor, id: report.registerId }),
            t('demo.archived', { path: report.archivedAt, bytes: report.kriptogramBytes }),
            t('demo.delivered'),
            table([t('demo.col.unit'), t('demo.col.email'), t('demo.col.maildir')], report.deliveredTo.map((d) => [d.unit, d.email, d.maildir])),
            '',
            t('demo.readBack', { as: report.readBack.as, subject: report.readBack.subject, file: report.readBack.fileName, same: report.readBack.identical ? t('demo.same') : t('demo.different') }),
            table(
              [t('demo.col.signer'), t('demo.col.status'), t('demo.col.fingerprint')],
              report.readBack.signers.map((s) => [s.userId ?? s.keyId, statusTandaTangan(s.status), s.fingerprint ?? '']),
            ),
            '',
            report.audit.ok ? t('demo.auditOk', { rows: report.audit.rows }) : t('demo.auditBroken'),
            t('demo.next', { home }),
            '',
            t('kirim.register.title'),
            table(
              [t('kirim.col.id'), t('kirim.col.nomor'), t('kirim.col.status'), t('kirim.col.sifat'), t('kirim.col.kepada'), t('kirim.col.terdaftar')],
              report.register.map((r) => [r.id, r.nomor, r.status, r.sifat, r.kepada.map((k) => k.unit).join(', '), waktuLokal(r.registeredAt, tz)]),
            ),
          ].join('\n'),
        );
      } finally {
        app.close();
      }
    });
}
