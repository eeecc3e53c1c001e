/**
 * The ports of `sandi agenda` and the quarterly report: the read queries over any register described in
 * src/domain/register-catalog.ts (the store adds how it computes each one), the streamed export writer (CSV,
 * JSON Lines, XLSX) and the terminal's pager. Types only: adapters implement them, src/app.ts wires them.
 */
import type { Writable } from 'node:stream';
import type { ExportColumn, ExportFormat } from '../domain/agenda.js';
import type { RegisterDescription } from '../domain/register-catalog.js';

/** Filters of a listing or an export; every one optional, all combined with AND. */
export interface AgendaFilter {
  /** registered at or after (UTC ISO) */
  from?: string | null;
  /** registered before (UTC ISO) */
  to?: string | null;
  status?: readonly string[];
  sifat?: readonly string[];
  /** a unit (requesting, recipient or sending), matched as each register defines */
  unit?: string | null;
}

/** One audit event of a register row's life. */
export interface HistoryEvent {
  auditId: number;
  at: string;
  actor: string;
  action: string;
  data: unknown;
}

/** The read queries over the registers, each named by its description (src/domain/register-catalog.ts). */
export interface AgendaBooks {
  count(reg: RegisterDescription, f: AgendaFilter): number;
  /** newest first */
  page(reg: RegisterDescription, f: AgendaFilter, page: { limit: number; offset: number }): Record<string, unknown>[];
  /** full-text search (or LIKE where the register has no index), newest first */
  search(reg: RegisterDescription, q: { match: string; text: string }, f: AgendaFilter, limit: number): Record<string, unknown>[];
  find(reg: RegisterDescription, ref: { id: number } | { nomor: string }): Record<string, unknown> | null;
  /** the audit events of one row (its whole life, annotations and steps included), oldest first */
  history(reg: RegisterDescription, id: number, nomor?: string | null): HistoryEvent[];
  /** raw rows in export-column order, id order, streamed */
  exportRows(reg: RegisterDescription, f: AgendaFilter): IterableIterator<unknown[]>;
  /** rows per office-time month (offset from UTC in minutes) and status */
  monthlyVolumes(reg: RegisterDescription, f: AgendaFilter, offsetMinutes: number): { bulan: string; status: string; n: number }[];
  cancelledRows(reg: RegisterDescription, f: { from?: string | null; to?: string | null }): Record<string, unknown>[];
}

export interface ExportJob {
  format: ExportFormat;
  columns: readonly ExportColumn[];
  /** raw rows in column order; finished or returned by the writer in every case */
  rows: Iterator<unknown[]>;
  /** XLSX worksheet name */
  sheetName: string;
}

export interface ExportResult {
  rows: number;
  /** the file written, or null for a stream */
  path: string | null;
  /** the reader of the stream went away (EPIPE: `| head`); what was written so far is all there is */
  stopped: boolean;
}

/** Writes an export, streamed: to a file (atomic) or to a stream. */
export interface ExportWriter {
  toFile(job: ExportJob, path: string): Promise<ExportResult>;
  toStream(job: ExportJob, out: Writable): Promise<ExportResult>;
}

/** Shows long text through the terminal's pager; false, with nothing written, when there is none. */
export type Pager = (text: string, env: NodeJS.ProcessEnv) => Promise<boolean>;
