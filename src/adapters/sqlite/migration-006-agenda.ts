/**
 * Migration 6 (`sandi agenda`): full-text search over the registers of migration 2, and the indexes the
 * listings, exports and quarterly report filter on.
 *
 * One FTS5 table per register, `<table>_cari(nomor, perihal, pihak)`, whose rowid is the register row's id,
 * filled from the existing rows and kept in step by triggers (AFTER INSERT, and AFTER UPDATE of the few
 * columns that can still change: a number given later, a summary filled once). Registers are append-only,
 * so there is no delete trigger. Nothing encrypted is indexed (see agenda-registers.ts, FTS_SOURCES).
 */
import type { Migration } from './migrations.js';
import { FTS_SOURCES_MIGRATION_6 as FTS_SOURCES, ftsSql } from './agenda-registers.js';

export const migration006Agenda: Migration = {
  version: 6,
  name: 'agenda: full-text search over the registers; indexes for listings, exports and the quarterly report',
  // A getter, like migration 5: built when the migration runs, never while modules are still loading.
  get sql(): string {
    return `
      ${FTS_SOURCES.map(ftsSql).join('\n')}
      -- 'sandi agenda BUKU lihat' shows a row's history: the audit events of that row.
      CREATE INDEX IF NOT EXISTS audit_log_entity ON audit_log(entity, entity_id, id);
      -- date-range filters of the registers that had no index on their registration time
      CREATE INDEX IF NOT EXISTS surat_keluar_registered ON surat_keluar(registered_at);
      CREATE INDEX IF NOT EXISTS kriptogram_masuk_registered ON kriptogram_masuk(registered_at);
    `;
  },
};
