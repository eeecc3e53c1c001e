/**
 * `sandi db siapkan`: the owner role creates (or upgrades) the office schema in the chosen PostgreSQL database.
 * `sandi db peran`: the SQL an administrator runs to create an office's roles on PostgreSQL — the owner role,
 * the group role of each office function and the officers' login roles — printed to stdout (sandi itself never
 * needs a superuser, and never runs it). Nothing is read from or written to a home.
 * `sandi db salin --ke URL`: the home's SQLite office copied into an empty PostgreSQL office schema, verified,
 * and the home pointed at it (src/app/salin.ts).
 */
import type { Command } from 'commander';
import { t } from './messages/index.js';
import type { GetContext } from './index.js';
import { SandiError } from '../errors.js';

/** a repeatable option: no default, so --help shows none (commander would print "(bawaan: [])") */
const collect = (v: string, all: string[] | undefined): string[] => [...(all ?? []), v];

export function registerDb(program: Command, getCtx: GetContext): void {
  const db = program.command('db').description(t('bantuan.db.description'));
  db.command('siapkan')
    .description(t('bantuan.db.siapkan.description'))
    .action(async () => {
      const ctx = getCtx();
      const { openApp } = await import('../app.js');
      const app = openApp(ctx.home, undefined, ctx);
      try {
        const e = app.engine();
        const shown = e.kind === 'postgresql' ? e.display : e.path;
        const r = app.prepareDatabase();
        const report = { db: shown, engine: e.kind, created: r?.created ?? false, version: r?.version ?? null };
        ctx.printer.result(report, () =>
          r === null ? t('bantuan.db.siapkan.sqlite', { db: shown }) : t(r.created ? 'bantuan.db.siapkan.dibuat' : 'bantuan.db.siapkan.terkini', { db: shown, version: r.version }),
        );
      } finally {
        app.close();
      }
    });
  db.command('peran')
    .description(t('bantuan.db.peran.description'))
    .option('--petugas <peran=grup,...>', t('bantuan.db.peran.petugas'), collect)
    .option('--basis-data <nama>', t('bantuan.db.peran.basisData'))
    .option('--skema <nama>', t('bantuan.db.peran.skema'), 'sandi')
    .option('--prefiks <nama>', t('bantuan.db.peran.prefiks'), 'sandi')
    .action(async (o: { petugas?: string[]; basisData?: string; skema: string; prefiks: string }) => {
      const { OFFICE_GROUPS, peranSql } = await import('../app/peran.js');
      type Group = (typeof OFFICE_GROUPS)[number];
      const known = OFFICE_GROUPS as readonly string[];
      const officers = (o.petugas ?? []).map((p) => {
        const m = /^([^=]+)=(.+)$/.exec(p);
        if (!m) throw new SandiError('USAGE', 'store.pgPetugasFormat', { value: p });
        const groups = (m[2] ?? '').split(',').map((g) => g.trim());
        const bad = groups.find((g) => !known.includes(g));
        if (bad !== undefined) throw new SandiError('USAGE', 'store.pgUnknownGroup', { value: bad, known: known.join(', ') });
        return { role: (m[1] ?? '').trim(), groups: groups as Group[] };
      });
      const notes = { header: t('bantuan.db.peran.sql.header'), owner: t('bantuan.db.peran.sql.owner'), password: t('bantuan.db.peran.sql.password'), schema: t('bantuan.db.peran.sql.schema') };
      process.stdout.write(peranSql({ prefix: o.prefiks, schema: o.skema, officers, notes, ...(o.basisData === undefined ? {} : { database: o.basisData }) }));
    });
  db.command('salin')
    .description(t('bantuan.db.salin.description'))
    .requiredOption('--ke <url>', t('bantuan.db.salin.ke'))
    .option('--pengguna <peran>', t('bantuan.db.salin.pengguna'))
    .action(async (o: { ke: string; pengguna?: string }) => {
      const ctx = getCtx();
      const { salinKePostgres } = await import('../app/salin.js');
      const r = await salinKePostgres(ctx.home, { ke: o.ke, pengguna: o.pengguna, env: ctx.env });
      ctx.printer.result(r, () =>
        [
          t('db.salin.done', { target: r.target, schema: r.schema, rows: Object.values(r.tables).reduce((a, b) => a + b, 0), tables: Object.keys(r.tables).length }),
          ...Object.entries(r.tables).filter(([, n]) => n > 0).map(([table, n]) => `  ${table.padEnd(26)} ${n}`),
          t('db.salin.verified', { events: r.copy.rows, head: r.head?.hash ?? '-', registerRows: r.copy.registerRows, checkpoints: r.copy.checkpoints }),
          t('db.salin.pointed', { file: r.config.file, url: r.config.url }),
          t('db.salin.arsip', { files: r.arsip.files, bytes: r.arsip.bytes, folder: r.arsip.folder, written: r.arsip.written, same: r.arsip.same }),
          t('db.salin.keysStay', { folders: r.staysInHome.join(', ') }),
        ].join('\n'),
      );
    });
}
