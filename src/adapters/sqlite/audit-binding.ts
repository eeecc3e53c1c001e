/**
 * Binding register rows into the audit chain (SQLite side). Every write connection keeps TEMP triggers on
 * every bound table that note which rows a transaction inserted, changed or deleted; when the transaction's
 * work is done the store hashes each such row's settled content (src/domain/audit.ts `rowHash`) and the
 * transaction's last audit event carries those hashes. `sandi audit periksa` recomputes every row of every
 * bound table and compares it with the newest binding of that row in the chain.
 *
 * TEMP triggers live only in the connection that made them: an edit of sandi.db through any other program
 * (sqlite3, a script) leaves no trace in the chain, which is exactly what `audit periksa` then finds.
 */
import type { Db } from './driver.js';
import { auditHash, canonicalJson, GENESIS_HASH, rowHash, type AuditRow, type RowBinding } from '../../domain/audit.js';
import { FTS_SOURCES } from './agenda-registers.js';
import { stmt } from './statements.js';

/**
 * Every table whose rows are office records: the four books and their steps, annotations, complaints, keys,
 * the address book, mailbox credentials metadata and rotations, number sequences and the fetch positions.
 * Not bound: audit_log itself, the full-text indexes (derived from the registers by triggers) and SQLite's
 * own tables. test/integration/audit-binding.test.ts fails when a migration adds a table missing here.
 */
export const BOUND_TABLES = [
  'kunci',
  'buku_alamat',
  'nomor_urut',
  'kriptogram_keluar',
  'surat_keluar',
  'surat_masuk',
  'surat_masuk_langkah',
  'surat_masuk_tanggal',
  'kriptogram_masuk',
  'kriptogram_masuk_langkah',
  'anotasi',
  'terima_folder',
  'akun_sandi',
  'akun_rotasi',
  'aduan',
  'aduan_langkah',
] as const;

/** Tables that are not bound, on purpose (see BOUND_TABLES). */
export function isUnboundTable(name: string): boolean {
  return name === 'audit_log' || name.startsWith('sqlite_') || /_cari(_\w+)?$/.test(name);
}

/** The bound tables this database has (an old schema may lack some). */
export function boundTablesIn(db: Db): string[] {
  const have = new Set(db.prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'table'").all().map((r) => r.name));
  return BOUND_TABLES.filter((t) => have.has(t));
}

/** Install the change-noting TEMP triggers on this connection (idempotent). */
export function installChangeCapture(db: Db): void {
  const sql = ['CREATE TEMP TABLE IF NOT EXISTS sandi_changed (tbl TEXT NOT NULL, rid INTEGER NOT NULL, PRIMARY KEY (tbl, rid)) WITHOUT ROWID;'];
  for (const t of boundTablesIn(db)) {
    for (const [when, ref] of [['INSERT', 'NEW'], ['UPDATE', 'NEW'], ['DELETE', 'OLD']] as const) {
      sql.push(
        `CREATE TEMP TRIGGER IF NOT EXISTS sandi_changed_${t}_${when.toLowerCase()} AFTER ${when} ON main.${t}
           BEGIN INSERT OR IGNORE INTO temp.sandi_changed (tbl, rid) VALUES ('${t}', ${ref}.rowid); END;`,
      );
    }
    // an UPDATE that changes the rowid moves the row: the old rowid is gone
    sql.push(
      `CREATE TEMP TRIGGER IF NOT EXISTS sandi_changed_${t}_move AFTER UPDATE ON main.${t} WHEN OLD.rowid != NEW.rowid
         BEGIN INSERT OR IGNORE INTO temp.sandi_changed (tbl, rid) VALUES ('${t}', OLD.rowid); END;`,
    );
  }
  db.exec(sql.join('\n'));
}

/** The rows changed since the last call, hashed as they stand now (null: no longer there); the list is emptied. */
export function takeChangedRows(db: Db): RowBinding[] {
  const changed = stmt<[], { tbl: string; rid: number }>(db, 'SELECT tbl, rid FROM temp.sandi_changed ORDER BY tbl, rid').all();
  if (changed.length === 0) return [];
  stmt(db, 'DELETE FROM temp.sandi_changed').run();
  return changed.map(({ tbl, rid }) => [tbl, rid, hashOfRow(db, tbl, rid)]);
}

function hashOfRow(db: Db, table: string, rowid: number): string | null {
  const row = stmt<[number], Record<string, unknown>>(db, `SELECT * FROM main.${table} WHERE rowid = ?`).get(rowid);
  return row === undefined ? null : rowHash(table, rowid, row);
}

/** Every row of a bound table with its content hash, in rowid order (streamed). */
export function* hashedRows(db: Db, table: string): Generator<{ rowid: number; hash: string }> {
  // the rowid under its own name: a table's own column may be called rowid-like (INTEGER PRIMARY KEY id)
  for (const r of db.prepare<[], Record<string, unknown>>(`SELECT rowid AS "__sandi_rowid", * FROM main.${table} ORDER BY rowid`).iterate()) {
    const rowid = Number(r['__sandi_rowid']);
    delete r['__sandi_rowid'];
    yield { rowid, hash: rowHash(table, rowid, r) };
  }
}

/** A few words that name a row to a person: its primary key, or its number in the register when it has one. */
export function describeRow(db: Db, table: string, rowid: number): string {
  try {
    const cols = db.prepare<[], { name: string; pk: number }>(`SELECT name, pk FROM pragma_table_info('${table}')`).all();
    const pk = cols.filter((c) => c.pk > 0).sort((a, b) => a.pk - b.pk).map((c) => c.name);
    const extra = cols.some((c) => c.name === 'nomor') ? ['nomor'] : [];
    const names = [...new Set([...pk, ...extra])];
    if (names.length === 0) return `rowid=${rowid}`;
    const row = db.prepare<[number], Record<string, unknown>>(`SELECT ${names.map((n) => `"${n}"`).join(', ')} FROM main.${table} WHERE rowid = ?`).get(rowid);
    if (row === undefined) return `rowid=${rowid}`;
    return names.filter((n) => row[n] !== null && row[n] !== undefined).map((n) => `${n}=${String(row[n])}`).join(' ') || `rowid=${rowid}`;
  } catch {
    return `rowid=${rowid}`;
  }
}

export interface AuditEventInput {
  actor: string;
  action: string;
  entity: string;
  entityId?: string | null;
  data?: unknown;
}

/** Append one event to the chain (inside the caller's transaction), with the rows it settled. */
export function appendAuditEvent(db: Db, at: Date, event: AuditEventInput, rows: RowBinding[] | null): AuditRow {
  const last = stmt<[], { id: number; hash: string }>(db, 'SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1').get();
  const prevHash = last?.hash ?? GENESIS_HASH;
  const content = {
    id: (last?.id ?? 0) + 1,
    at: at.toISOString(),
    actor: event.actor,
    action: event.action,
    entity: event.entity,
    entityId: event.entityId ?? null,
    data: canonicalJson(event.data ?? {}),
    rows: rows === null || rows.length === 0 ? null : canonicalJson(rows),
  };
  const hash = auditHash(prevHash, content);
  stmt(db, 'INSERT INTO audit_log (id, at, actor, action, entity, entity_id, data, prev_hash, hash, rows) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)').run(
    content.id,
    content.at,
    content.actor,
    content.action,
    content.entity,
    content.entityId,
    content.data,
    prevHash,
    hash,
    content.rows,
  );
  return { ...content, prevHash, hash };
}

/** Bindings of every row that exists now, in chunks (the baseline of a database made before bindings). */
export function* allRowBindings(db: Db, chunk = 1000): Generator<RowBinding[]> {
  let batch: RowBinding[] = [];
  for (const t of boundTablesIn(db)) {
    for (const r of hashedRows(db, t)) {
      batch.push([t, r.rowid, r.hash]);
      if (batch.length >= chunk) {
        yield batch;
        batch = [];
      }
    }
  }
  if (batch.length > 0) yield batch;
}

/** Migration 8's work after its SQL: bind every row already in the registers, as one or more baseline events. */
export function bindExistingRows(db: Db, at: Date): void {
  let part = 0;
  for (const rows of allRowBindings(db)) {
    part++;
    appendAuditEvent(db, at, { actor: 'sandi', action: 'audit.dasar', entity: 'audit_log', entityId: null, data: { bagian: part } }, rows);
  }
}

/**
 * The full-text indexes are derived from the registers, so they are not bound; instead each is recomputed from
 * its register (which the chain vouches for) and compared: an index row missing, added or changed outside sandi
 * could hide a letter from `agenda cari`. Returns [index table, rowid] of each mismatch, in order.
 */
export function searchIndexMismatches(db: Db): [string, number][] {
  const have = new Set(db.prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'table'").all().map((r) => r.name));
  const out: [string, number][] = [];
  for (const f of FTS_SOURCES) {
    if (!have.has(f.fts) || !have.has(f.table)) continue;
    const rows = db
      .prepare<[], { id: number }>(
        `SELECT r.id AS id FROM main.${f.table} r LEFT JOIN main.${f.fts} x ON x.rowid = r.id
          WHERE x.rowid IS NULL OR x.nomor IS NOT ${f.nomor('r')} OR x.perihal IS NOT ${f.perihal('r')} OR x.pihak IS NOT ${f.pihak('r')}
         UNION
         SELECT x.rowid AS id FROM main.${f.fts} x WHERE NOT EXISTS (SELECT 1 FROM main.${f.table} r WHERE r.id = x.rowid)
         ORDER BY id`,
      )
      .all();
    for (const r of rows) out.push([f.fts, r.id]);
  }
  return out;
}
