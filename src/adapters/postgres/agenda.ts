/**
 * The register queries of `sandi agenda` and the quarterly report (AgendaBooks, src/ports/agenda.ts) on the
 * office database. The registers are the SQLite adapter's descriptions (../sqlite/agenda-registers.ts: the
 * same columns, the same confidential columns left out); what SQLite computes with json_each, group_concat,
 * instr and strftime is written here in PostgreSQL's words. Search: PostgreSQL has no FTS5 index here, so
 * `cari` is a case-insensitive substring test of the text over the register's searched columns (the same
 * columns the SQLite index holds, never an encrypted one).
 */
import { SandiError } from '../../errors.js';
import type { AgendaBooks, AgendaFilter, HistoryEvent } from '../../ports/agenda.js';
import type { RegisterDescription } from '../../domain/register-catalog.js';
import { incomingSifat, registerByName, type RegisterDescriptor } from '../sqlite/agenda-registers.js';
import { query, sqliteShaped, sqliteValue, STREAM_PAGE, streamQuery } from './sql.js';
import type { PgSync } from './sync-client.js';

/** A JSON array column's elements with their position (the text columns hold JSON as written). */
const elements = (col: string): string => `json_array_elements(${col}::json) WITH ORDINALITY AS r(value, i)`;
const recipientsField = (f: string): string => `(SELECT string_agg(coalesce(r.value->>'${f}', ''), '; ' ORDER BY r.i) FROM ${elements('recipients')})`;
const outgoingUnit = (u: string): string => `(permohonan_unit = ${u} COLLATE nocase OR EXISTS (SELECT 1 FROM ${elements('recipients')}
  WHERE (r.value->>'unit') = ${u} COLLATE nocase OR (r.value->>'unitCode') = ${u} COLLATE nocase OR (r.value->>'email') = ${u} COLLATE nocase))`;
const incomingUnit = (u: string): string =>
  `(strpos(lower(pengirim), lower(${u})) > 0 OR EXISTS (SELECT 1 FROM json_array_elements_text(kepada::json) AS k(value) WHERE strpos(lower(k.value), lower(${u})) > 0))`;

/** What differs from the SQLite expressions, per register: export columns and the unit condition ($u: the unit). */
const PG: Record<string, { columns: Record<string, string>; unit: ((u: string) => string) | null; sifat: string | null }> = {
  kriptogram_keluar: { columns: { penerima_unit: recipientsField('unit'), penerima_email: recipientsField('email') }, unit: outgoingUnit, sifat: 'sifat' },
  surat_keluar: { columns: { penerima_unit: recipientsField('unit'), penerima_email: recipientsField('email') }, unit: outgoingUnit, sifat: 'sifat' },
  surat_masuk: { columns: {}, unit: incomingUnit, sifat: incomingSifat('surat_masuk') },
  kriptogram_masuk: { columns: {}, unit: incomingUnit, sifat: 'sifat' },
  aduan: { columns: { lampiran_jumlah: 'json_array_length(lampiran::json)' }, unit: (u) => `(opd = ${u} COLLATE nocase OR opd_email = ${u} COLLATE nocase)`, sifat: null },
};

interface Reg {
  d: RegisterDescriptor;
  pg: (typeof PG)[string];
}

function regOf(d: RegisterDescription): Reg {
  const reg = registerByName(d.buku);
  const pg = reg && PG[reg.table];
  if (!reg || !pg) throw new Error(`agenda: the office database runs no register ${d.buku}`);
  return { d: reg, pg };
}

function selectList(r: Reg, names?: readonly string[]): string {
  const cols = names ? r.d.columns.filter((c) => names.includes(c.name)) : r.d.columns;
  return cols.map((c) => `${r.pg.columns[c.name] ?? c.sql} AS "${c.name}"`).join(', ');
}

/** A WHERE clause and its parameters ($1…), built in order. */
function whereOf(r: Reg, f: AgendaFilter, params: unknown[], extra: string[] = []): string {
  const p = (v: unknown): string => `$${params.push(v)}`;
  const clauses = [...extra];
  if (f.from) clauses.push(`${r.d.dateColumn} >= ${p(f.from)}`);
  if (f.to) clauses.push(`${r.d.dateColumn} < ${p(f.to)}`);
  if (f.status && f.status.length > 0) clauses.push(`status = ANY(${p([...f.status])}::text[])`);
  if (f.sifat && f.sifat.length > 0 && r.pg.sifat) clauses.push(`${r.pg.sifat} = ANY(${p([...f.sifat])}::text[])`);
  if (f.unit && r.pg.unit) clauses.push(r.pg.unit(`${p(f.unit)}::text`));
  return clauses.length > 0 ? `WHERE ${clauses.join(' AND ')}` : '';
}

function run(pg: PgSync, r: Reg, sql: string, params: unknown[]): Record<string, unknown>[] {
  try {
    return query<Record<string, unknown>>(pg, sql, params).rows.map(sqliteShaped);
  } catch (e) {
    if (e instanceof SandiError) throw e;
    throw new SandiError('IO', 'store.openFailed', { path: r.d.table, reason: (e as Error).message }, { cause: e });
  }
}

/**
 * The query of `agenda <buku> ekspor` on the office database: the register's export columns (the confidential
 * ones left out), filtered, in register order. Also what bench/postgres.mjs gives `psql \copy`.
 */
export function pgExportQuery(d: RegisterDescription, f: AgendaFilter): { sql: string; params: unknown[]; names: string[] } {
  const r = regOf(d);
  const params: unknown[] = [];
  const sql = `SELECT ${selectList(r)} FROM ${r.d.table} ${whereOf(r, f, params)} ORDER BY id`;
  return { sql, params, names: r.d.columns.map((c) => c.name) };
}

/** The AgendaBooks port over the office database's connection (opened on first use). */
export function pgAgendaBooks(conn: () => PgSync): AgendaBooks {
  return {
    count(d, f) {
      const r = regOf(d);
      const params: unknown[] = [];
      return Number(run(conn(), r, `SELECT count(*) AS n FROM ${r.d.table} ${whereOf(r, f, params)}`, params)[0]?.['n'] ?? 0);
    },
    page(d, f, page) {
      const r = regOf(d);
      const params: unknown[] = [];
      const w = whereOf(r, f, params);
      params.push(page.limit, page.offset);
      return run(conn(), r, `SELECT ${selectList(r, r.d.listColumns)} FROM ${r.d.table} ${w} ORDER BY id DESC LIMIT $${params.length - 1} OFFSET $${params.length}`, params);
    },
    search(d, q, f, limit) {
      const r = regOf(d);
      const params: unknown[] = [q.text];
      const cond = `(${r.d.search.map((c) => `strpos(lower(coalesce(${c}::text, '')), lower($1)) > 0`).join(' OR ')})`;
      const w = whereOf(r, f, params, [cond]);
      params.push(limit);
      return run(conn(), r, `SELECT ${selectList(r, r.d.listColumns)} FROM ${r.d.table} ${w} ORDER BY id DESC LIMIT $${params.length}`, params);
    },
    find(d, ref) {
      const r = regOf(d);
      const byId = 'id' in ref;
      return run(conn(), r, `SELECT ${selectList(r)} FROM ${r.d.table} WHERE ${byId ? 'id' : 'nomor'} = $1 LIMIT 1`, [byId ? ref.id : ref.nomor])[0] ?? null;
    },
    history(d, id, nomor = null): HistoryEvent[] {
      const r = regOf(d);
      const entityId = r.d.auditEntityId === 'nomor' ? nomor : String(id);
      if (entityId === null) return [];
      return run(conn(), r, 'SELECT id, at, actor, action, data FROM audit_log WHERE entity = $1 AND entity_id = $2 ORDER BY id', [r.d.table, entityId]).map((e) => ({
        auditId: Number(e['id']),
        at: String(e['at']),
        actor: String(e['actor']),
        action: String(e['action']),
        data: JSON.parse(String(e['data'])) as unknown,
      }));
    },
    exportRows(d, f) {
      // streamed: a server-side cursor (./sql.ts streamQuery), so an export of a long register stays bounded
      const { sql, params, names } = pgExportQuery(d, f);
      const pg = conn();
      return (function* () {
        // rows as arrays in the export's column order, a page as one JSON text between the threads (cheaper than a
        // structured clone of objects; the export columns hold no bytea: the encrypted ones are never exported)
        for (const row of streamQuery(pg, sql, params, STREAM_PAGE, { rowMode: 'array', transport: 'json' })) {
          for (let i = 0; i < row.length; i++) row[i] = sqliteValue(names[i] as string, row[i]) ?? null;
          yield row;
        }
      })();
    },
    monthlyVolumes(d, f, offsetMinutes) {
      const r = regOf(d);
      const params: unknown[] = [];
      const w = whereOf(r, f, params);
      params.push(offsetMinutes);
      const bulan = `to_char(((${r.d.dateColumn})::timestamptz AT TIME ZONE 'UTC') + make_interval(mins => $${params.length}::int), 'YYYY-MM')`;
      return run(conn(), r, `SELECT ${bulan} AS bulan, status, count(*) AS n FROM ${r.d.table} ${w} GROUP BY 1, 2 ORDER BY 1, 2`, params).map((x) => ({
        bulan: String(x['bulan']),
        status: String(x['status']),
        n: Number(x['n']),
      }));
    },
    cancelledRows(d, f) {
      const r = regOf(d);
      if (!r.d.columns.some((c) => c.name === 'batal_alasan')) return [];
      const params: unknown[] = [];
      const clauses = ["status = 'batal'"];
      if (f.from) clauses.push(`batal_at >= $${params.push(f.from)}`);
      if (f.to) clauses.push(`batal_at < $${params.push(f.to)}`);
      return run(conn(), r, `SELECT id, nomor, registered_at, batal_at, batal_oleh, batal_alasan FROM ${r.d.table} WHERE ${clauses.join(' AND ')} ORDER BY batal_at, id`, params);
    },
  };
}
