/**
 * Building a register's description: a column in one line, the protection and the listing/export part derived
 * from the columns and the domain's transition table, so that nothing about a register is written twice.
 */
import type { ColumnKind, ExportColumn } from '../agenda.js';
import type { ColumnRule, RegisterDefinition, RegisterDescription, RegisterProtection, TableColumn, TableColumnKind } from './types.js';

/** A column as written in a description: the field defaults to the register's field naming. */
export type ColumnSpec = Omit<TableColumn, 'field'> & { field?: string | null };

/**
 * One column: `kind` ends in `?` when the column may be NULL (`'text?'`). `field` overrides the record field
 * the register's naming gives it (dotted for a nested field; null when the record does not carry it).
 */
export function col(
  name: string,
  kind: TableColumnKind | `${TableColumnKind}?`,
  rule: ColumnRule,
  opts: { field?: string | null; confidential?: true; presence?: true } = {},
): ColumnSpec {
  const nullable = kind.endsWith('?');
  return { name, kind: (nullable ? kind.slice(0, -1) : kind) as TableColumnKind, nullable, rule, ...opts };
}

/** Filled once in the move into one of `states`. */
export const fill = (...states: string[]): ColumnRule => ({ fill: states });

/** An export column: a table column (its kind comes from the table) or one the store computes (`kind` given). */
export interface ExportSpec {
  name: string;
  doc: string;
  /** only for a column that is not a table column (computed by the store: recipients' units, an attachment count) */
  computed?: ColumnKind;
}

export const x = (name: string, doc: string): ExportSpec => ({ name, doc });
export const computed = (name: string, kind: ColumnKind, doc: string): ExportSpec => ({ name, doc, computed: kind });

type AgendaSpec = Omit<RegisterDescription, 'table' | 'statuses' | 'confidential' | 'columns'> & { columns: readonly ExportSpec[] };

interface RegisterSpec<A extends AgendaSpec | null> {
  table: string;
  initial: string;
  /** the domain's transition table (the object itself, not a copy) */
  transitions: Readonly<Record<string, readonly string[]>>;
  /** record fields: camelCase of the column (`registered_at` → `registeredAt`), or the column name itself */
  fields: 'camelCase' | 'column';
  columns: readonly ColumnSpec[];
  agenda: A;
}

const camel = (s: string): string => s.replace(/_([a-z0-9])/g, (_, ch: string) => ch.toUpperCase());

/** The statuses a row can be in: the initial one and every one reachable from it, in the table's order. */
export function statusesOf(initial: string, transitions: Readonly<Record<string, readonly string[]>>): string[] {
  const reached = new Set([initial]);
  const queue = [initial];
  for (let s = queue.shift(); s !== undefined; s = queue.shift()) {
    for (const to of transitions[s] ?? []) {
      if (!reached.has(to)) {
        reached.add(to);
        queue.push(to);
      }
    }
  }
  const order = [...Object.keys(transitions), ...Object.values(transitions).flat()];
  return [...new Set(order)].filter((s) => reached.has(s));
}

/** The protection each store engine turns into triggers, from the columns' rules. */
export function protectionOf(table: string, initial: string, transitions: Readonly<Record<string, readonly string[]>>, columns: readonly TableColumn[]): RegisterProtection {
  const named = (rule: string): string[] => columns.filter((c) => c.rule === rule).map((c) => c.name);
  const fills = columns.flatMap((c) => (typeof c.rule === 'object' ? [[c.name, c.rule.fill] as const] : []));
  const once = named('once');
  const mutable = named('mutable');
  return {
    table,
    initial,
    fixed: named('fixed'),
    fill: Object.fromEntries(fills),
    ...(once.length > 0 ? { once } : {}),
    ...(mutable.length > 0 ? { mutable } : {}),
    transitions: Object.fromEntries(Object.entries(transitions).filter(([, to]) => to.length > 0)),
  };
}

export function defineRegister(spec: RegisterSpec<AgendaSpec>): RegisterDefinition<RegisterDescription>;
export function defineRegister(spec: RegisterSpec<null>): RegisterDefinition<null>;
export function defineRegister(spec: RegisterSpec<AgendaSpec | null>): RegisterDefinition {
  const { table, initial, transitions } = spec;
  const columns: TableColumn[] = spec.columns.map((c) => ({ ...c, field: c.field === undefined ? (spec.fields === 'camelCase' ? camel(c.name) : c.name) : c.field }));
  const names = columns.map((c) => c.name);
  if (new Set(names).size !== names.length) throw new Error(`register ${table}: a column is described twice`);
  const agenda = spec.agenda === null ? null : agendaOf(table, initial, transitions, columns, spec.agenda);
  return { table, initial, transitions, columns, protection: protectionOf(table, initial, transitions, columns), agenda };
}

function agendaOf(table: string, initial: string, transitions: Readonly<Record<string, readonly string[]>>, columns: readonly TableColumn[], a: AgendaSpec): RegisterDescription {
  const exportColumns = a.columns.map((e): ExportColumn => {
    if (e.computed !== undefined) {
      if (columns.some((c) => c.name === e.name)) throw new Error(`register ${table}: export column ${e.name} is a table column, not computed`);
      return { name: e.name, kind: e.computed, doc: e.doc };
    }
    const c = columns.find((t) => t.name === e.name);
    if (c === undefined) throw new Error(`register ${table}: export column ${e.name} is not a table column`);
    if (c.kind === 'blob' || c.kind === 'bool' || c.confidential) throw new Error(`register ${table}: column ${e.name} cannot be exported`);
    return { name: e.name, kind: c.kind, doc: e.doc };
  });
  return {
    buku: a.buku,
    table,
    anotasi: a.anotasi,
    classified: a.classified,
    columns: exportColumns,
    listColumns: a.listColumns,
    dateColumn: a.dateColumn,
    statuses: statusesOf(initial, transitions),
    confidential: columns.filter((c) => c.confidential).map((c) => c.name),
    ...(a.auditEntityId === undefined ? {} : { auditEntityId: a.auditEntityId }),
  };
}

/** The columns a row fills once in its move into `status` (the register's `fill` for that state), in table order. */
export function filledIn(def: { columns: readonly TableColumn[] }, status: string): TableColumn[] {
  return def.columns.filter((c) => typeof c.rule === 'object' && c.rule.fill.includes(status));
}
