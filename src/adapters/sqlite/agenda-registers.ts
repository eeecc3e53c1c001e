/**
 * The registers that `sandi agenda` lists, searches, shows and exports, as the SQLite store runs them: each
 * register's description (src/domain/registers/; its `agenda` part, as src/domain/register-catalog.ts lists it:
 * name, table, documented columns, statuses) plus how SQLite computes it: the SQL expression of each export
 * column that is not a plain table column, the classification expression, the unit filter, its full-text index,
 * and the columns searched with LIKE.
 *
 * Adding a register (complaints, ...) is adding a description in src/domain/registers/ and its SQL here, plus an
 * FTS5 table in its own migration (see ftsSql() and migration-006-agenda.ts) — or `fts: null`, and `cari` falls
 * back to LIKE over `search`.
 */
import type { ExportColumn } from '../../domain/agenda.js';
import * as catalog from '../../domain/register-catalog.js';
import type { RegisterDescription } from '../../domain/register-catalog.js';

/** An export column and the SQL expression that computes it from a row of the register's table. */
export interface RegisterColumn extends ExportColumn {
  sql: string;
}

/** What SQLite adds to a register's description. */
interface RegisterSql {
  /** export columns computed by an expression (the others read the table column of the same name) */
  columnSql?: Readonly<Record<string, string>>;
  /** the classification column, or null when the register has none */
  sifatColumn: string | null;
  /** SQL condition true when the row concerns unit @unit (a requesting/recipient/sending unit), or null */
  unitSql: string | null;
  /** FTS5 table whose rowid is the register row id (kept by triggers), or null */
  fts: string | null;
  /** columns searched with LIKE when there is no FTS5 table */
  search: readonly string[];
}

export interface RegisterDescriptor extends RegisterDescription, Omit<RegisterSql, 'columnSql'> {
  columns: readonly RegisterColumn[];
}

/** A description with its SQL; an expression for a column the description does not have is a programming error. */
function withSql(d: RegisterDescription, q: RegisterSql): RegisterDescriptor {
  const { columnSql = {}, ...rest } = q;
  for (const name of Object.keys(columnSql)) {
    if (!d.columns.some((col) => col.name === name)) throw new Error(`agenda-registers: ${d.table} has no export column ${name}`);
  }
  return { ...d, columns: d.columns.map((col) => ({ ...col, sql: columnSql[col.name] ?? col.name })), ...rest };
}

const SECRET_SIFAT = `('Rahasia', 'Sangat Rahasia')`;

/**
 * The classification that applies to the incoming letter `r` (a table name or alias): the latest correction
 * recorded by `sandi terima klasifikasi` (an anotasi koreksi of column sifat), else the one it was registered
 * with. The register row itself is never edited.
 */
export const incomingSifat = (r: string): string =>
  `coalesce((SELECT json_extract(a.nilai, '$') FROM anotasi AS a WHERE a.buku = 'surat_masuk' AND a.baris = ${r}.id AND a.jenis = 'koreksi' AND a.kolom = 'sifat' ORDER BY a.id DESC LIMIT 1), ${r}.sifat)`;

const recipientsUnits = `(SELECT group_concat(coalesce(json_extract(r.value, '$.unit'), ''), '; ') FROM json_each(recipients) AS r)`;
const recipientsEmails = `(SELECT group_concat(coalesce(json_extract(r.value, '$.email'), ''), '; ') FROM json_each(recipients) AS r)`;
const outgoingUnit = `(permohonan_unit = @unit COLLATE NOCASE OR EXISTS (SELECT 1 FROM json_each(recipients) AS u
  WHERE json_extract(u.value, '$.unit') = @unit COLLATE NOCASE OR json_extract(u.value, '$.unitCode') = @unit COLLATE NOCASE
     OR json_extract(u.value, '$.email') = @unit COLLATE NOCASE))`;
const incomingUnit = `(instr(lower(pengirim), lower(@unit)) > 0 OR EXISTS (SELECT 1 FROM json_each(kepada) AS u WHERE instr(lower(u.value), lower(@unit)) > 0))`;

export const KRIPTOGRAM_KELUAR: RegisterDescriptor = withSql(catalog.KRIPTOGRAM_KELUAR, {
  columnSql: {
    perihal: `CASE WHEN sifat IN ${SECRET_SIFAT} THEN NULL ELSE perihal END`,
    penerima_unit: recipientsUnits,
    penerima_email: recipientsEmails,
  },
  sifatColumn: 'sifat',
  unitSql: outgoingUnit,
  fts: 'kriptogram_keluar_cari',
  search: ['nomor', 'perihal', 'permohonan_nomor', 'permohonan_unit', 'recipients'],
});

export const SURAT_KELUAR: RegisterDescriptor = withSql(catalog.SURAT_KELUAR, {
  columnSql: { penerima_unit: recipientsUnits, penerima_email: recipientsEmails },
  sifatColumn: 'sifat',
  unitSql: outgoingUnit,
  fts: 'surat_keluar_cari',
  search: ['nomor', 'perihal', 'permohonan_nomor', 'permohonan_unit', 'recipients'],
});

export const SURAT_MASUK: RegisterDescriptor = withSql(catalog.SURAT_MASUK, {
  columnSql: {
    sifat: incomingSifat('surat_masuk'),
    isi_ringkas: `CASE WHEN ${incomingSifat('surat_masuk')} IN ${SECRET_SIFAT} THEN NULL ELSE isi_ringkas END`,
    tanggal_surat_iso: '(SELECT t.tanggal FROM surat_masuk_tanggal AS t WHERE t.surat_masuk_id = surat_masuk.id)',
  },
  sifatColumn: incomingSifat('surat_masuk'),
  unitSql: incomingUnit,
  fts: 'surat_masuk_cari',
  search: ['nomor', 'nomor_surat', 'perihal', 'pengirim', 'kepada'],
});

export const KRIPTOGRAM_MASUK: RegisterDescriptor = withSql(catalog.KRIPTOGRAM_MASUK, {
  sifatColumn: 'sifat',
  unitSql: incomingUnit,
  fts: 'kriptogram_masuk_cari',
  search: ['nomor', 'nomor_pengirim', 'subjek_luar', 'pengirim'],
});

/** The complaint register: no FTS5 table, `cari` is a substring test over a few public columns. */
export const ADUAN: RegisterDescriptor = withSql(catalog.ADUAN, {
  columnSql: {
    kronologi: `CASE WHEN kerahasiaan = 'terbuka' AND jenis != 'whistleblowing' THEN kronologi ELSE NULL END`,
    lampiran_jumlah: 'json_array_length(lampiran)',
  },
  sifatColumn: null,
  unitSql: '(opd = @unit COLLATE NOCASE OR opd_email = @unit COLLATE NOCASE)',
  fts: null,
  search: ['nomor', 'nomor_pelacakan', 'kanal', 'kategori', 'judul', 'opd'],
});

/** Every register `sandi agenda` knows, in the order of the catalog. */
export const REGISTERS: readonly RegisterDescriptor[] = [KRIPTOGRAM_KELUAR, SURAT_KELUAR, SURAT_MASUK, KRIPTOGRAM_MASUK, ADUAN];

/** A register by its command-line name (or its table name), or undefined. */
export function registerByName(name: string): RegisterDescriptor | undefined {
  return REGISTERS.find((r) => r.buku === name || r.table === name);
}

// --------------------------------------------------------------------------------------- full-text index

/** What a register puts into its FTS5 table: numbers, subject, parties; each an SQL expression over `r`. */
export interface FtsSource {
  table: string;
  fts: string;
  /** columns whose change re-indexes the row (registers are append-only: no delete trigger is needed) */
  updateOf: readonly string[];
  nomor: (r: string) => string;
  perihal: (r: string) => string;
  pihak: (r: string) => string;
}

const s = (x: string): string => `coalesce(${x}, '')`;
const jsonWords = (col: string, fields: readonly string[] | null): string =>
  fields === null
    ? `coalesce((SELECT group_concat(j.value, ' ') FROM json_each(${col}) AS j), '')`
    : `coalesce((SELECT group_concat(${fields.map((f) => `coalesce(json_extract(j.value, '$.${f}'), '')`).join(` || ' ' || `)}, ' ') FROM json_each(${col}) AS j), '')`;

/**
 * The FTS5 table and triggers of one register, as migration SQL. The index holds only what may be shown:
 * never an encrypted column, and the subject of a Rahasia kriptogram is not in clear to begin with.
 */
export function ftsSql(f: FtsSource): string {
  const cols = (r: string): string => `${f.nomor(r)}, ${f.perihal(r)}, ${f.pihak(r)}`;
  return `
      CREATE VIRTUAL TABLE ${f.fts} USING fts5(nomor, perihal, pihak, tokenize = 'unicode61 remove_diacritics 2');
      INSERT INTO ${f.fts} (rowid, nomor, perihal, pihak) SELECT ${f.table}.id, ${cols(f.table)} FROM ${f.table};
      CREATE TRIGGER ${f.fts}_ai AFTER INSERT ON ${f.table}
        BEGIN INSERT INTO ${f.fts} (rowid, nomor, perihal, pihak) VALUES (NEW.id, ${cols('NEW')}); END;
      CREATE TRIGGER ${f.fts}_au AFTER UPDATE OF ${f.updateOf.join(', ')} ON ${f.table}
        BEGIN
          DELETE FROM ${f.fts} WHERE rowid = OLD.id;
          INSERT INTO ${f.fts} (rowid, nomor, perihal, pihak) VALUES (NEW.id, ${cols('NEW')});
        END;`;
}

const outgoingFts = (table: string, person: string): FtsSource => ({
  table,
  fts: `${table}_cari`,
  updateOf: ['nomor'],
  nomor: (r) => `${s(`${r}.nomor`)} || ' ' || ${s(`${r}.permohonan_nomor`)}`,
  perihal: (r) => s(`${r}.perihal`),
  pihak: (r) => `${jsonWords(`${r}.recipients`, ['unit', 'unitCode', 'email'])} || ' ' || ${s(`${r}.permohonan_unit`)} || ' ' || ${s(`${r}.${person}`)}`,
});

const incomingFts = (perihal: (r: string) => string): FtsSource => ({
  table: 'surat_masuk',
  fts: 'surat_masuk_cari',
  updateOf: ['isi_ringkas', 'keterangan'],
  nomor: (r) => `${s(`${r}.nomor`)} || ' ' || ${s(`${r}.nomor_surat`)}`,
  perihal,
  pihak: (r) => `${s(`${r}.pengirim`)} || ' ' || ${jsonWords(`${r}.kepada`, null)} || ' ' || ${jsonWords(`${r}.tembusan`, null)}`,
});

/**
 * The incoming letters' index as migration 9 rebuilds it: the summary (isi ringkas) of a letter whose
 * classification (registered or corrected) is Rahasia or Sangat Rahasia is not indexed, like the subject of
 * a Rahasia kriptogram is not; a correction re-indexes the row (trigger on anotasi, migration 9).
 */
export const SURAT_MASUK_FTS: FtsSource = incomingFts(
  (r) => `${s(`${r}.perihal`)} || ' ' || CASE WHEN ${incomingSifat(r)} IN ${SECRET_SIFAT} THEN '' ELSE ${s(`${r}.isi_ringkas`)} END || ' ' || ${s(`${r}.keterangan`)}`,
);

/** The full-text sources of the registers of migration 2 as migration 6 created them (never change: released). */
export const FTS_SOURCES_MIGRATION_6: readonly FtsSource[] = [
  outgoingFts('kriptogram_keluar', 'sandiman'),
  outgoingFts('surat_keluar', 'operator'),
  incomingFts((r) => `${s(`${r}.perihal`)} || ' ' || ${s(`${r}.isi_ringkas`)} || ' ' || ${s(`${r}.keterangan`)}`),
  {
    table: 'kriptogram_masuk',
    fts: 'kriptogram_masuk_cari',
    updateOf: ['nomor_pengirim'],
    nomor: (r) => `${s(`${r}.nomor`)} || ' ' || ${s(`${r}.nomor_pengirim`)}`,
    perihal: (r) => s(`${r}.subjek_luar`),
    pihak: (r) => `${s(`${r}.pengirim`)} || ' ' || ${jsonWords(`${r}.kepada`, null)}`,
  },
];

/** The full-text sources as they stand now (migration 9 replaced the incoming letters' one): `audit periksa` checks these. */
export const FTS_SOURCES: readonly FtsSource[] = FTS_SOURCES_MIGRATION_6.map((f) => (f.table === 'surat_masuk' ? SURAT_MASUK_FTS : f));
