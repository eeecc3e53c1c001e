/**
 * A register's rows as records, generated from its one description (src/domain/registers/): each described
 * column goes to its record field (dotted fields nest: `permohonan.nomor`), converted by its kind. What the
 * store's SQLite values are (TEXT, INTEGER, BLOB as Buffer, NULL) is this file's business; which field a
 * column is, is the description's.
 */
import type { RegisterDefinition, TableColumn } from '../../../domain/registers/types.js';

const textOf = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'bigint' ? v.toString() : JSON.stringify(v));

function valueOf(c: TableColumn, v: unknown): unknown {
  // a presence column is selected as `(col IS NOT NULL)` (see selectList) or, with SELECT *, as its value
  if (c.presence) return typeof v === 'number' || typeof v === 'bigint' ? Number(v) === 1 : v !== null && v !== undefined;
  if (v === null || v === undefined) return null;
  switch (c.kind) {
    case 'integer':
      return Number(v);
    case 'bool':
      return Number(v) === 1;
    case 'blob':
      return Buffer.from(v as Uint8Array);
    case 'json':
      return JSON.parse(textOf(v)) as unknown;
    case 'text':
    case 'time':
      return textOf(v);
  }
}

/** The function that turns a row of `def`'s table (SELECT * or selectList) into its record type `T`. */
export function rowMapper<T>(def: RegisterDefinition): (r: Record<string, unknown>) => T {
  const cols = def.columns.flatMap((c) => (c.field === null ? [] : [{ c, path: c.field.split('.') }]));
  return (r) => {
    const out: Record<string, unknown> = {};
    for (const { c, path } of cols) {
      let o = out;
      for (const k of path.slice(0, -1)) o = (o[k] ??= {}) as Record<string, unknown>;
      o[path[path.length - 1] as string] = valueOf(c, r[c.name]);
    }
    return out as T;
  };
}

/** The select list of a register's records: every described column, a presence column only as whether it is set. */
export function selectList(def: RegisterDefinition): string {
  return def.columns
    .filter((c) => c.field !== null)
    .map((c) => (c.presence ? `(${c.name} IS NOT NULL) AS ${c.name}` : c.name))
    .join(', ');
}
