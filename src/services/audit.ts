/**
 * `sandi audit periksa`: verify the hash-chained audit log of a sandi database, streaming it row by row
 * through the pure chain rules (src/domain/audit.ts). Opens the database read-only and never creates one.
 */
import { existsSync } from 'node:fs';
import { SandiError } from '../errors.js';
import { openStore } from '../adapters/sqlite/store.js';
import { verifyChain, type ChainBreakReason } from '../domain/audit.js';

export interface AuditReport {
  ok: boolean;
  database: string;
  /** rows read (up to and including the broken one when broken) */
  rows: number;
  lastId: number | null;
  lastHash: string | null;
  /** the first broken row, when the chain is broken */
  broken: {
    reason: ChainBreakReason;
    id: number;
    at: string | null;
    actor: string | null;
    action: string | null;
    expectedId: number;
    lastGoodId: number | null;
    /** highest id the database ever issued (for 'truncated') */
    issued: number | null;
  } | null;
}

/**
 * Check the audit chain of the database at `databasePath`. A missing file is NOT_FOUND (suggesting
 * `sandi init`); a file without an audit log is DATA. A broken chain is a report with ok=false, not an
 * exception: the command decides how to present it.
 */
export function checkAuditChain(databasePath: string): AuditReport {
  if (!existsSync(databasePath)) {
    throw new SandiError('NOT_FOUND', 'audit.noDatabase', { path: databasePath }, { hint: 'audit.noDatabase.hint' });
  }
  const store = openStore(databasePath, { readonly: true });
  try {
    const hasLog = store.db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'audit_log'").get();
    if (!hasLog) throw new SandiError('DATA', 'audit.notSandiDb', { path: databasePath });
    const issued = store.auditHighestIssuedId();
    const result = verifyChain(store.auditRows(), { highestIssuedId: issued });
    if (result.ok) {
      return { ok: true, database: databasePath, rows: result.rows, lastId: result.lastId, lastHash: result.rows > 0 ? result.lastHash : null, broken: null };
    }
    return {
      ok: false,
      database: databasePath,
      rows: result.rows,
      lastId: result.lastGoodId,
      lastHash: null,
      broken: {
        reason: result.reason,
        id: result.firstBrokenId,
        at: result.row?.at ?? null,
        actor: result.row?.actor ?? null,
        action: result.row?.action ?? null,
        expectedId: result.expectedId,
        lastGoodId: result.lastGoodId,
        issued,
      },
    };
  } finally {
    store.close();
  }
}
