/**
 * How a register is described once, for every store engine and for people: its table and every column (the
 * record field it maps to, its kind, whether it may be empty, how it is protected), the protection that follows
 * from the columns (the shape each engine turns into triggers), and what `sandi agenda` lists and exports.
 * Pure values: the SQLite store (src/adapters/sqlite/) generates its row mappers and triggers from these.
 */
import type { ExportColumn } from '../agenda.js';
import type { Buku } from '../records.js';

/** How a column is stored: text; integer; an ISO 8601 UTC instant (text); JSON text; bytes; a 0/1 flag. */
export type TableColumnKind = 'text' | 'integer' | 'time' | 'json' | 'blob' | 'bool';

/**
 * How a column may change once the row is written:
 * - `fixed`: set at registration (INSERT), never changed;
 * - `{ fill: states }`: empty at registration, filled once in the move into one of `states`;
 * - `once`: filled once, in any state;
 * - `status`: the row's state, moved along the register's transition table;
 * - `mutable`: changed by a state move without a set-once rule (the complaint's current OPD, its status time).
 */
export type ColumnRule = 'fixed' | 'once' | 'status' | 'mutable' | { readonly fill: readonly string[] };

export interface TableColumn {
  /** the column of the table */
  name: string;
  /** the record field it maps to, dotted when nested (`permohonan.nomor`); null: not part of the record */
  field: string | null;
  kind: TableColumnKind;
  /** may hold NULL */
  nullable: boolean;
  rule: ColumnRule;
  /** never shown or exported (an encrypted subject, the reporter's identity) */
  confidential?: true;
  /** the record only learns whether the column is set (a boolean), never its value */
  presence?: true;
}

/**
 * How one register table is protected. Every column is exactly one of: fixed at registration, filled
 * once when the row enters one of the listed states, set once at any time, or the status itself (or, for
 * the complaint register, `mutable`). Each engine turns this into triggers (SQLite: appendOnlyTriggers in
 * src/adapters/sqlite/triggers.ts); generated from the columns of a RegisterDefinition.
 */
export interface RegisterProtection {
  table: string;
  /** the status the row is inserted with */
  initial: string;
  /** columns fixed at INSERT, never changed */
  fixed: readonly string[];
  /** column → states in which it may go from NULL to a value (once, in the transition into that state) */
  fill: Readonly<Record<string, readonly string[]>>;
  /** columns that may go from NULL to a value once, in any state */
  once?: readonly string[];
  /** columns a state move may change freely (no set-once rule); absent when there are none */
  mutable?: readonly string[];
  /** legal status moves: the domain's transition table without its final states (derived, never copied) */
  transitions: Readonly<Record<string, readonly string[]>>;
}

/**
 * What `sandi agenda` lists, searches, shows and exports of a register: the name on the command line, the
 * table, whether it is classified, its documented export columns, the columns a terminal listing shows, its
 * statuses, and the table columns never shown or exported.
 */
export interface RegisterDescription {
  /** the name on the command line: `sandi agenda keluar ...` */
  buku: string;
  /** the table */
  table: string;
  /** the register's name in the anotasi table, or null when it cannot be annotated (yet) */
  anotasi: Buku | null;
  /**
   * A classified register: its exports carry register metadata only, never document content (the subject
   * of Rahasia/Sangat Rahasia rows is held encrypted and is never decrypted for a listing or an export).
   */
  classified: boolean;
  columns: readonly ExportColumn[];
  /** the few columns `daftar` and `cari` show in a terminal table */
  listColumns: readonly string[];
  /** registration time column (UTC ISO): the date-range filter and the report's months */
  dateColumn: string;
  statuses: readonly string[];
  /** table columns never shown or exported */
  confidential: readonly string[];
  /**
   * What the register's audit events carry as entity_id: the row id (the registers of migration 2) or the
   * register number (complaints: `aduan.*` events name ADU/001/2026). Absent means 'id'.
   */
  auditEntityId?: 'id' | 'nomor';
}

/** One register, described once. */
export interface RegisterDefinition<A extends RegisterDescription | null = RegisterDescription | null> {
  table: string;
  /** the status a row is registered with */
  initial: string;
  /** the domain's transition table itself (src/domain/outgoing-state.ts, incoming-state.ts, aduan.ts, akun.ts) */
  transitions: Readonly<Record<string, readonly string[]>>;
  /** every column of the table, in table order */
  columns: readonly TableColumn[];
  /** generated from the columns, the initial status and the domain's transition table */
  protection: RegisterProtection;
  /** the listing and export part, for the registers `sandi agenda` knows */
  agenda: A;
}
