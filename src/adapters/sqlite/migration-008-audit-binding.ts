/**
 * Migration 8: the audit chain binds the registers. Each audit event may carry `rows`, the hashes of the
 * register rows its transaction settled (src/adapters/sqlite/audit-binding.ts); the column is part of the
 * event's hash when present, so chains written before stay valid. Rows that already exist are bound once
 * here, by `audit.dasar` (baseline) events: what they held at the upgrade is what the chain vouches for.
 */
import type { Migration } from './migrations.js';
import { bindExistingRows } from './audit-binding.js';

export const migration008AuditBinding: Migration = {
  version: 8,
  name: 'audit: events bind the settled hash of every register row they change',
  sql: `
      ALTER TABLE audit_log ADD COLUMN rows TEXT CHECK (rows IS NULL OR json_valid(rows));
  `,
  run(db) {
    bindExistingRows(db, new Date());
  },
};
