/**
 * `sandi agenda`: the office's registers for people and scripts — list, search, show one row with its whole
 * history, export (CSV, JSON Lines, XLSX; streamed), and annotate (the only "edit" a register allows).
 *
 * Which registers exist and what their columns are is data (src/domain/register-catalog.ts, with its SQL in
 * src/adapters/sqlite/agenda-registers.ts); this service only validates what the operator asked for and runs
 * it. Read-only commands never create a database.
 */
import { existsSync } from 'node:fs';
import type { Writable } from 'node:stream';
import { SandiError } from '../errors.js';
import type { SandiConfig } from '../config/config.js';
import type { Clock } from '../ports.js';
import type { AgendaBooks, AgendaFilter, ExportResult, ExportWriter, HistoryEvent } from '../ports/agenda.js';
import type { Registers } from '../ports/registers.js';
import { dateRange, ftsQuery, parseRowRef, type ExportColumn, type ExportFormat } from '../domain/agenda.js';
import { SIFAT } from '../domain/records.js';
import { REGISTER_CATALOG, type RegisterDescription } from '../domain/register-catalog.js';
import type { Anotasi } from '../domain/records-anotasi.js';

/** What `sandi agenda` needs of a home: its files, clock and ports (src/app.ts's App is one). */
export interface AgendaHome {
  paths: { database: string };
  clock: Clock;
  /** config.json */
  config(): SandiConfig;
  agendaBooks(): AgendaBooks;
  /** whether there are registers to read (the SQLite file exists, or the office database is PostgreSQL) */
  hasRegisters?(): boolean;
  registers(): Registers;
  exportWriter: ExportWriter;
}

/** Filters as the operator gives them: local dates (inclusive), statuses, classifications, a unit. */
export interface AgendaQuery {
  dari?: string | undefined;
  sampai?: string | undefined;
  status?: readonly string[] | undefined;
  sifat?: readonly string[] | undefined;
  unit?: string | undefined;
}

export interface AgendaPage {
  buku: string;
  halaman: number;
  batas: number;
  total: number;
  halamanTotal: number;
  kolom: string[];
  baris: Record<string, unknown>[];
}

export interface AgendaRowView {
  buku: string;
  baris: Record<string, unknown>;
  anotasi: Omit<Anotasi, 'nilaiTerenkripsi'>[];
  riwayat: HistoryEvent[];
}

/** The registers and their documented columns (for `sandi agenda kolom` and the README). */
export function registerCatalog(): { buku: string; table: string; classified: boolean; kolom: ExportColumn[] }[] {
  return REGISTER_CATALOG.map((r) => ({ buku: r.buku, table: r.table, classified: r.classified, kolom: r.columns.map(({ name, kind, doc }) => ({ name, kind, doc })) }));
}

/** Resolve a register by its command-line name; USAGE naming the known ones otherwise. */
export function resolveRegister(name: string): RegisterDescription {
  const reg = REGISTER_CATALOG.find((r) => r.buku === name || r.table === name);
  if (!reg) throw new SandiError('USAGE', 'agenda.unknownBuku', { buku: name, known: REGISTER_CATALOG.map((r) => r.buku).join(', ') });
  return reg;
}

export function agendaService(app: AgendaHome) {
  let timeZone: string | undefined;
  const zone = (): string => (timeZone ??= app.config().office.timeZone);

  const books = (): AgendaBooks => {
    if (!(app.hasRegisters?.() ?? existsSync(app.paths.database))) throw new SandiError('NOT_FOUND', 'agenda.noDatabase', { path: app.paths.database }, { hint: 'agenda.noDatabase.hint' });
    return app.agendaBooks();
  };

  function filterOf(reg: RegisterDescription, q: AgendaQuery): AgendaFilter {
    const f: AgendaFilter = {};
    if (q.dari !== undefined || q.sampai !== undefined) {
      const r = dateRange(q.dari, q.sampai, zone());
      if ('bad' in r) throw new SandiError('DATA', 'agenda.badDate', { flag: `--${r.bad}`, value: r.value });
      f.from = r.from;
      f.to = r.to;
    }
    if (q.status && q.status.length > 0) {
      for (const s of q.status) {
        if (!reg.statuses.includes(s)) throw new SandiError('DATA', 'agenda.badStatus', { value: s, buku: reg.buku, known: reg.statuses.join(', ') });
      }
      f.status = q.status;
    }
    if (q.sifat && q.sifat.length > 0) {
      const known = SIFAT as readonly string[];
      const norm = q.sifat.map((s) => known.find((k) => k.toLowerCase() === s.trim().toLowerCase().replace(/[-_]/g, ' ')) ?? s);
      for (const s of norm) if (!known.includes(s)) throw new SandiError('DATA', 'agenda.badSifat', { value: s, known: SIFAT.join(', ') });
      f.sifat = norm;
    }
    if (q.unit !== undefined && q.unit.trim().length > 0) f.unit = q.unit.trim();
    return f;
  }

  function rowId(reg: RegisterDescription, ref: string): { id: number; row: Record<string, unknown> } {
    const r = parseRowRef(ref);
    if (!r) throw new SandiError('DATA', 'agenda.badRef', { value: ref });
    const row = books().find(reg, r);
    if (!row) throw new SandiError('NOT_FOUND', 'agenda.rowNotFound', { buku: reg.buku, ref });
    return { id: Number(row['id']), row };
  }

  return {
    /** One page of a register, newest first. */
    daftar(buku: string, q: AgendaQuery, page: { halaman?: number; batas?: number } = {}): AgendaPage {
      const reg = resolveRegister(buku);
      const f = filterOf(reg, q);
      const batas = page.batas ?? 50;
      const halaman = page.halaman ?? 1;
      const total = books().count(reg, f);
      const baris = books().page(reg, f, { limit: batas, offset: (halaman - 1) * batas });
      return { buku: reg.buku, halaman, batas, total, halamanTotal: Math.max(1, Math.ceil(total / batas)), kolom: [...reg.listColumns], baris };
    },

    /** Full-text search over numbers, subject and parties (FTS5), newest first. */
    cari(buku: string, text: string, q: AgendaQuery, batas = 50): { buku: string; kueri: string; kolom: string[]; baris: Record<string, unknown>[] } {
      const reg = resolveRegister(buku);
      const match = ftsQuery(text);
      if (match === null) throw new SandiError('USAGE', 'agenda.emptyQuery');
      const baris = books().search(reg, { match, text: text.trim() }, filterOf(reg, q), batas);
      return { buku: reg.buku, kueri: text, kolom: [...reg.listColumns], baris };
    },

    /** One row (by id or register number) with its annotations and its whole audit history. */
    lihat(buku: string, ref: string): AgendaRowView {
      const reg = resolveRegister(buku);
      const { id, row } = rowId(reg, ref);
      const anotasi = reg.anotasi ? app.registers().anotasi.list(reg.anotasi, id).map(({ nilaiTerenkripsi: _n, ...a }) => a) : [];
      let riwayat = books().history(reg, id, typeof row['nomor'] === 'string' ? row['nomor'] : null);
      // an incoming letter classified Rahasia or above (registered or corrected): its registration event's
      // summary is not shown either, like the row's isi_ringkas (the chain keeps it; `audit periksa` reads it)
      if (reg.table === 'surat_masuk' && (row['sifat'] === 'Rahasia' || row['sifat'] === 'Sangat Rahasia')) {
        riwayat = riwayat.map((e) => (e.data !== null && typeof e.data === 'object' && 'isiRingkas' in e.data ? { ...e, data: { ...e.data, isiRingkas: null } } : e));
      }
      return { buku: reg.buku, baris: row, anotasi, riwayat };
    },

    /**
     * Export the rows matching `q` in id order, streamed, to a file (atomic) or a stream. Only the documented
     * columns: never an encrypted column, and no document content of a classified row.
     */
    async ekspor(buku: string, q: AgendaQuery, format: ExportFormat, target: { path: string } | { stream: Writable }): Promise<ExportResult & { buku: string; format: ExportFormat }> {
      const reg = resolveRegister(buku);
      const f = filterOf(reg, q);
      const job = { format, columns: reg.columns, rows: books().exportRows(reg, f), sheetName: reg.table };
      const r = 'path' in target ? await app.exportWriter.toFile(job, target.path) : await app.exportWriter.toStream(job, target.stream);
      return { ...r, buku: reg.buku, format };
    },

    /** Add a note to a register row (nothing is edited or deleted), with its audit event. */
    catat(buku: string, ref: string, catatan: string, actor: string): Omit<Anotasi, 'nilaiTerenkripsi'> & { nomor: string | null } {
      const reg = resolveRegister(buku);
      const target = reg.anotasi;
      if (!target) throw new SandiError('USAGE', 'agenda.notAnnotatable', { buku: reg.buku });
      if (catatan.trim().length === 0) throw new SandiError('USAGE', 'agenda.emptyNote');
      const { id, row } = rowId(reg, ref);
      const a = app.registers().write((u) => u.anotasi.annotate({ buku: target, baris: id, actor, catatan }, app.clock.now()));
      const { nilaiTerenkripsi: _n, ...rest } = a;
      return { ...rest, nomor: typeof row['nomor'] === 'string' ? row['nomor'] : null };
    },
  };
}

export type AgendaService = ReturnType<typeof agendaService>;
