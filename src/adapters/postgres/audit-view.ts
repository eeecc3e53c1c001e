/**
 * The audit service's read view (src/ports/audit.ts AuditView) over the office schema on PostgreSQL: the same
 * chain and bound rows the SQLite view reads, through the PostgreSQL store (./store.ts). There is no search
 * index to compare (FTS5 is SQLite's); the highest id issued is audit_kepala's. Which archive key this
 * workstation may sign with is decided by its own key files (`hasSecret`), not the shared `kunci.has_secret`.
 */
import type { AuditView } from '../../ports/audit.js';
import { ROWID_COLUMN } from './schema.js';
import { pgHashedRows, type PgStore } from './store.js';
import { query } from './sql.js';

export function pgAuditView(store: PgStore, hasSecret: (fingerprint: string) => boolean): AuditView {
  const rows = <R>(sql: string, params: unknown[] = []): R[] => query<R>(store.pg, sql, params).rows;
  return {
    hasLog: () => true,
    archiveFingerprints: () => rows<{ fingerprint: string }>("SELECT fingerprint FROM kunci WHERE role = 'arsip'").map((r) => r.fingerprint),
    signingArchiveKey() {
      const r = rows<{ fingerprint: string; user_id: string }>(
        "SELECT fingerprint, user_id FROM kunci WHERE role = 'arsip' AND revoked_at IS NULL ORDER BY added_at DESC",
      ).find((k) => hasSecret(k.fingerprint));
      return r === undefined ? undefined : { fingerprint: r.fingerprint, userId: r.user_id };
    },
    head: () => rows<{ id: number; hash: string }>('SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1')[0],
    segmentFrom: (id) => rows<{ id: number; hash: string; prevHash: string }>('SELECT id, hash, prev_hash AS "prevHash" FROM audit_log WHERE id >= $1 ORDER BY id', [id]),
    rows: () => store.auditRows(),
    highestIssuedId: () => store.auditHighestIssuedId(),
    boundTables: () => Object.keys(ROWID_COLUMN).sort(),
    hashedRows: (table) => pgHashedRows(store, table),
    describeRow(table, rowid) {
      const col = ROWID_COLUMN[table];
      if (col === undefined) return `rowid=${rowid}`;
      const r = rows<Record<string, unknown>>(`SELECT * FROM ${table} WHERE ${col} = $1`, [rowid])[0];
      if (r === undefined) return `rowid=${rowid}`;
      const names = ['id', 'fingerprint', 'email', 'buku', 'tahun', 'akun', 'folder', 'user', 'surat_masuk_id', 'nomor'].filter((n) => n in r && r[n] !== null);
      return names.map((n) => `${n}=${String(r[n])}`).join(' ') || `rowid=${rowid}`;
    },
    searchIndexMismatches: () => [],
    // the connection belongs to the App that opened the store; it closes it
    close: () => undefined,
  };
}
