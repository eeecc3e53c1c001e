/**
 * Read queries of `sandi agenda` and the quarterly report over any register described in agenda-registers.ts:
 * filtered counts, pages, full-text search, one row with its history, and a streamed export (raw rows in
 * column order, straight from a SQLite cursor: nothing is collected, so memory does not grow with the register).
 */
import type { Db } from './store.js';
import { mapSqliteError } from './store.js';
import { registerByName, type RegisterDescriptor } from './agenda-registers.js';
import type { RegisterDescription } from '../../domain/register-catalog.js';

import type { AgendaBooks, AgendaFilter, HistoryEvent } from '../../ports/agenda.js';

export type { AgendaFilter, HistoryEvent };

interface Where {
  sql: string;
  params: Record<string, unknown>;
}

function whereOf(reg: RegisterDescriptor, f: AgendaFilter, extra: string[] = []): Where {
  const clauses = [...extra];
  const params: Record<string, unknown> = {};
  if (f.from) {
    clauses.push(`${reg.dateColumn} >= @from`);
    params['from'] = f.from;
  }
  if (f.to) {
    clauses.push(`${reg.dateColumn} < @to`);
    params['to'] = f.to;
  }
  if (f.status && f.status.length > 0) {
    clauses.push('status IN (SELECT value FROM json_each(@status))');
    params['status'] = JSON.stringify(f.status);
  }
  if (f.sifat && f.sifat.length > 0 && reg.sifatColumn) {
    clauses.push(`${reg.sifatColumn} IN (SELECT value FROM json_each(@sifat))`);
    params['sifat'] = JSON.stringify(f.sifat);
  }
  if (f.unit && reg.unitSql) {
    clauses.push(reg.unitSql);
    params['unit'] = f.unit;
  }
  return { sql: clauses.length > 0 ? `WHERE ${clauses.join(' AND ')}` : '', params };
}

function selectList(reg: RegisterDescriptor, names?: readonly string[]): string {
  const cols = names ? reg.columns.filter((c) => names.includes(c.name)) : reg.columns;
  return cols.map((c) => `${c.sql} AS "${c.name}"`).join(', ');
}

function guard<T>(reg: RegisterDescriptor, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    throw mapSqliteError(e, { buku: reg.table });
  }
}

/** How many rows match the filter. */
export function countRows(db: Db, reg: RegisterDescriptor, f: AgendaFilter): number {
  const w = whereOf(reg, f);
  return guard(reg, () => (db.prepare(`SELECT count(*) AS n FROM ${reg.table} ${w.sql}`).get(w.params) as { n: number }).n);
}

/** One page of rows, newest first, with the register's list columns (or all export columns). */
export function pageRows(db: Db, reg: RegisterDescriptor, f: AgendaFilter, page: { limit: number; offset: number }, all = false): Record<string, unknown>[] {
  const w = whereOf(reg, f);
  return guard(reg, () =>
    db
      .prepare(`SELECT ${selectList(reg, all ? undefined : reg.listColumns)} FROM ${reg.table} ${w.sql} ORDER BY id DESC LIMIT @limit OFFSET @offset`)
      .all({ ...w.params, limit: page.limit, offset: page.offset }) as Record<string, unknown>[],
  );
}

/**
 * Rows matching a search, newest first: through the register's FTS5 table when it has one (`match` is an
 * FTS5 query built by domain/agenda.ts ftsQuery), else a case-insensitive substring test over `search`.
 */
export function searchRows(db: Db, reg: RegisterDescriptor, q: { match: string; text: string }, f: AgendaFilter, limit: number): Record<string, unknown>[] {
  const cond = reg.fts
    ? `id IN (SELECT rowid FROM ${reg.fts} WHERE ${reg.fts} MATCH @match)`
    : `(${reg.search.map((c) => `instr(lower(coalesce(${c}, '')), lower(@text)) > 0`).join(' OR ')})`;
  const w = whereOf(reg, f, [cond]);
  const params = { ...w.params, limit, ...(reg.fts ? { match: q.match } : { text: q.text }) };
  return guard(reg, () =>
    db.prepare(`SELECT ${selectList(reg, reg.listColumns)} FROM ${reg.table} ${w.sql} ORDER BY id DESC LIMIT @limit`).all(params) as Record<string, unknown>[],
  );
}

/** One row with every export column (never a confidential one), by id or register number; null if none. */
export function findRow(db: Db, reg: RegisterDescriptor, ref: { id: number } | { nomor: string }): Record<string, unknown> | null {
  const byId = 'id' in ref;
  const r = guard(reg, () =>
    db.prepare(`SELECT ${selectList(reg)} FROM ${reg.table} WHERE ${byId ? 'id = @v' : 'nomor = @v'} LIMIT 1`).get({ v: byId ? ref.id : ref.nomor }),
  );
  return (r as Record<string, unknown> | undefined) ?? null;
}

/** The audit events of one register row (its whole life, annotations and steps included), oldest first. */
export function rowHistory(db: Db, reg: RegisterDescriptor, id: number, nomor: string | null = null): HistoryEvent[] {
  const entityId = reg.auditEntityId === 'nomor' ? nomor : String(id);
  if (entityId === null) return [];
  const rows = guard(reg, () =>
    db.prepare('SELECT id, at, actor, action, data FROM audit_log WHERE entity = ? AND entity_id = ? ORDER BY id').all(reg.table, entityId),
  ) as { id: number; at: string; actor: string; action: string; data: string }[];
  return rows.map((r) => ({ auditId: r.id, at: r.at, actor: r.actor, action: r.action, data: JSON.parse(r.data) as unknown }));
}

/**
 * Every matching row in id order as a raw array in the order of `reg.columns`, streamed from a SQLite cursor.
 * The caller must finish (or `return()`) the iterator before using the same connection for anything else.
 */
export function exportRows(db: Db, reg: RegisterDescriptor, f: AgendaFilter): IterableIterator<unknown[]> {
  const w = whereOf(reg, f);
  return guard(reg, () => db.prepare(`SELECT ${selectList(reg)} FROM ${reg.table} ${w.sql} ORDER BY id`).raw(true).iterate(w.params) as IterableIterator<unknown[]>);
}

/** Registrations per local month ('YYYY-MM') in a period; `offsetMinutes` is the office zone's UTC offset. */
export function monthlyVolumes(db: Db, reg: RegisterDescriptor, f: AgendaFilter, offsetMinutes: number): { bulan: string; status: string; n: number }[] {
  const w = whereOf(reg, f);
  return guard(reg, () =>
    db
      .prepare(
        `SELECT strftime('%Y-%m', ${reg.dateColumn}, @offset) AS bulan, status, count(*) AS n FROM ${reg.table} ${w.sql}
         GROUP BY bulan, status ORDER BY bulan, status`,
      )
      .all({ ...w.params, offset: `${offsetMinutes >= 0 ? '+' : ''}${offsetMinutes} minutes` }) as { bulan: string; status: string; n: number }[],
  );
}

/** Cancelled rows (status batal) whose cancellation falls in the period, with number and reason. */
export function cancelledRows(db: Db, reg: RegisterDescriptor, f: { from?: string | null; to?: string | null }): Record<string, unknown>[] {
  if (!reg.columns.some((c) => c.name === 'batal_alasan')) return [];
  const clauses = ["status = 'batal'"];
  const params: Record<string, unknown> = {};
  if (f.from) {
    clauses.push('batal_at >= @from');
    params['from'] = f.from;
  }
  if (f.to) {
    clauses.push('batal_at < @to');
    params['to'] = f.to;
  }
  return guard(reg, () =>
    db.prepare(`SELECT id, nomor, registered_at, batal_at, batal_oleh, batal_alasan FROM ${reg.table} WHERE ${clauses.join(' AND ')} ORDER BY batal_at, id`).all(params) as Record<string, unknown>[],
  );
}

/** The register described as `d` as this store runs it (its SQL added in agenda-registers.ts). */
function sqlOf(d: RegisterDescription): RegisterDescriptor {
  const reg = registerByName(d.buku);
  if (!reg) throw new Error(`agenda: the store runs no register ${d.buku}`);
  return reg;
}

/** The AgendaBooks port (src/ports/agenda.ts) over a store's connection, opened on first use. */
export function sqliteAgendaBooks(db: () => Db): AgendaBooks {
  return {
    count: (d, f) => countRows(db(), sqlOf(d), f),
    page: (d, f, page) => pageRows(db(), sqlOf(d), f, page),
    search: (d, q, f, limit) => searchRows(db(), sqlOf(d), q, f, limit),
    find: (d, ref) => findRow(db(), sqlOf(d), ref),
    history: (d, id, nomor) => rowHistory(db(), sqlOf(d), id, nomor ?? null),
    exportRows: (d, f) => exportRows(db(), sqlOf(d), f),
    monthlyVolumes: (d, f, offsetMinutes) => monthlyVolumes(db(), sqlOf(d), f, offsetMinutes),
    cancelledRows: (d, f) => cancelledRows(db(), sqlOf(d), f),
  };
}
