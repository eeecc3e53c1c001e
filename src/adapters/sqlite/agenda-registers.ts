/**
 * The registers that `sandi agenda` lists, searches, shows and exports, each described once: its name on the
 * command line, its table, its documented export columns (each a SQL expression over the row), the filters it
 * supports, its full-text index, and the columns that are never shown or exported (encrypted content).
 *
 * Adding a register (complaints, ...) is adding one descriptor here, plus an FTS5 table in its own migration
 * (see ftsSql() and migration-006-agenda.ts) — or `fts: null`, and `cari` falls back to LIKE over `search`.
 */
import type { ExportColumn } from '../../domain/agenda.js';
import { ADUAN_STATUSES } from '../../domain/aduan.js';

/** An export column and the SQL expression that computes it from a row of the register's table. */
export interface RegisterColumn extends ExportColumn {
  sql: string;
}

export interface RegisterDescriptor {
  /** the name on the command line: `sandi agenda keluar ...` */
  buku: string;
  /** the SQLite table */
  table: string;
  /** the register's name in the anotasi table, or null when it cannot be annotated (yet) */
  anotasi: 'kriptogram_keluar' | 'surat_keluar' | 'surat_masuk' | 'kriptogram_masuk' | null;
  /**
   * A classified register: its exports carry register metadata only, never document content (the subject
   * of Rahasia/Sangat Rahasia rows is held encrypted and is never decrypted for a listing or an export).
   */
  classified: boolean;
  columns: readonly RegisterColumn[];
  /** the few columns `daftar` and `cari` show in a terminal table */
  listColumns: readonly string[];
  /** registration time column (UTC ISO): the date-range filter and the report's months */
  dateColumn: string;
  statuses: readonly string[];
  /** the classification column, or null when the register has none */
  sifatColumn: string | null;
  /** SQL condition true when the row concerns unit @unit (a requesting/recipient/sending unit), or null */
  unitSql: string | null;
  /** FTS5 table whose rowid is the register row id (kept by triggers), or null */
  fts: string | null;
  /** columns searched with LIKE when there is no FTS5 table */
  search: readonly string[];
  /** table columns never shown or exported */
  confidential: readonly string[];
  /**
   * What the register's audit events carry as entity_id: the row id (the registers of migration 2) or the
   * register number (complaints: `aduan.*` events name ADU/001/2026). Absent means 'id'.
   */
  auditEntityId?: 'id' | 'nomor';
}

const SECRET_SIFAT = `('Rahasia', 'Sangat Rahasia')`;

/**
 * The classification that applies to the incoming letter `r` (a table name or alias): the latest correction
 * recorded by `sandi terima klasifikasi` (an anotasi koreksi of column sifat), else the one it was registered
 * with. The register row itself is never edited.
 */
export const incomingSifat = (r: string): string =>
  `coalesce((SELECT json_extract(a.nilai, '$') FROM anotasi AS a WHERE a.buku = 'surat_masuk' AND a.baris = ${r}.id AND a.jenis = 'koreksi' AND a.kolom = 'sifat' ORDER BY a.id DESC LIMIT 1), ${r}.sifat)`;
const c = (name: string, kind: RegisterColumn['kind'], doc: string, sql: string = name): RegisterColumn => ({ name, kind, doc, sql });

const recipientsUnits = `(SELECT group_concat(coalesce(json_extract(r.value, '$.unit'), ''), '; ') FROM json_each(recipients) AS r)`;
const recipientsEmails = `(SELECT group_concat(coalesce(json_extract(r.value, '$.email'), ''), '; ') FROM json_each(recipients) AS r)`;
const outgoingUnit = `(permohonan_unit = @unit COLLATE NOCASE OR EXISTS (SELECT 1 FROM json_each(recipients) AS u
  WHERE json_extract(u.value, '$.unit') = @unit COLLATE NOCASE OR json_extract(u.value, '$.unitCode') = @unit COLLATE NOCASE
     OR json_extract(u.value, '$.email') = @unit COLLATE NOCASE))`;
const incomingUnit = `(instr(lower(pengirim), lower(@unit)) > 0 OR EXISTS (SELECT 1 FROM json_each(kepada) AS u WHERE instr(lower(u.value), lower(@unit)) > 0))`;

const OUT_STATUSES = ['terdaftar', 'diparaf', 'ditandatangani', 'bernomor', 'tidak_pasti', 'terkirim', 'batal'] as const;

const numberCols = (): RegisterColumn[] => [
  c('id', 'integer', 'row id in the register (stable; `lihat ID`, `catat ID`)'),
  c('nomor', 'text', 'register number, empty until numbered'),
  c('tahun', 'integer', 'year of the number'),
  c('urut', 'integer', 'sequence of the number within the year (gapless)'),
  c('status', 'text', 'state of the row'),
];

const permohonanCols = (): RegisterColumn[] => [
  c('permohonan_nomor', 'text', 'request letter (surat permohonan): its number'),
  c('permohonan_tanggal', 'text', 'request letter: its date'),
  c('permohonan_unit', 'text', 'request letter: the requesting unit'),
  c('assigned_by', 'text', 'who assigned the work (Kadis → Kabid → Kasi → sandiman)'),
];

const batalCols = (): RegisterColumn[] => [
  c('batal_at', 'time', 'when cancelled (UTC)'),
  c('batal_oleh', 'text', 'who cancelled'),
  c('batal_alasan', 'text', 'why it was cancelled'),
];

export const KRIPTOGRAM_KELUAR: RegisterDescriptor = {
  buku: 'keluar',
  table: 'kriptogram_keluar',
  anotasi: 'kriptogram_keluar',
  classified: true,
  columns: [
    ...numberCols(),
    c('sifat', 'text', 'classification: Biasa, Terbatas, Rahasia, Sangat Rahasia'),
    c('derajat', 'text', 'urgency: Biasa, Segera, Sangat Segera, Kilat'),
    c('registered_at', 'time', 'when registered (UTC)'),
    c('sandiman', 'text', 'the sandiman who registered it'),
    c('perihal', 'text', 'subject, Biasa and Terbatas only; empty for Rahasia and above (kept encrypted, never exported)',
      `CASE WHEN sifat IN ${SECRET_SIFAT} THEN NULL ELSE perihal END`),
    c('penerima_unit', 'text', 'recipient units, "; "-separated', recipientsUnits),
    c('penerima_email', 'text', 'recipient mailboxes, "; "-separated', recipientsEmails),
    ...permohonanCols(),
    c('diparaf_at', 'time', 'when the sandiman initialled the draft (UTC)'),
    c('diparaf_oleh', 'text', 'who initialled'),
    c('ditandatangani_at', 'time', 'when the Kasi signed (UTC)'),
    c('signer', 'text', "the Kasi key that signed: its user ID (who ran the command is the audit event's actor)"),
    c('bernomor_at', 'time', 'when numbered (UTC)'),
    c('message_id', 'text', 'Message-ID of the sent mail'),
    c('sent_at', 'time', 'when sent (UTC)'),
    ...batalCols(),
    c('kriptogram_sha256', 'text', 'SHA-256 of the final kriptogram'),
  ],
  listColumns: ['id', 'nomor', 'registered_at', 'status', 'sifat', 'perihal', 'penerima_unit'],
  dateColumn: 'registered_at',
  statuses: OUT_STATUSES,
  sifatColumn: 'sifat',
  unitSql: outgoingUnit,
  fts: 'kriptogram_keluar_cari',
  search: ['nomor', 'perihal', 'permohonan_nomor', 'permohonan_unit', 'recipients'],
  confidential: ['perihal_terenkripsi'],
};

export const SURAT_KELUAR: RegisterDescriptor = {
  buku: 'surat-keluar',
  table: 'surat_keluar',
  anotasi: 'surat_keluar',
  classified: false,
  columns: [
    ...numberCols(),
    c('sifat', 'text', 'classification: Biasa, Terbatas'),
    c('derajat', 'text', 'urgency'),
    c('registered_at', 'time', 'when registered (UTC)'),
    c('operator', 'text', 'who registered it'),
    c('perihal', 'text', 'subject'),
    c('penerima_unit', 'text', 'recipient units, "; "-separated', recipientsUnits),
    c('penerima_email', 'text', 'recipient mailboxes, "; "-separated', recipientsEmails),
    ...permohonanCols(),
    c('dokumen_sha256', 'text', 'SHA-256 of the scanned letter as archived'),
    c('ditandatangani_at', 'time', 'when signed (UTC)'),
    c('signer', 'text', 'the key that signed: its user ID'),
    c('bernomor_at', 'time', 'when numbered (UTC)'),
    c('message_id', 'text', 'Message-ID of the sent mail'),
    c('sent_at', 'time', 'when sent (UTC)'),
    ...batalCols(),
  ],
  listColumns: ['id', 'nomor', 'registered_at', 'status', 'perihal', 'penerima_unit'],
  dateColumn: 'registered_at',
  statuses: OUT_STATUSES.filter((s) => s !== 'diparaf'),
  sifatColumn: 'sifat',
  unitSql: outgoingUnit,
  fts: 'surat_keluar_cari',
  search: ['nomor', 'perihal', 'permohonan_nomor', 'permohonan_unit', 'recipients'],
  confidential: [],
};

const incomingSource = (): RegisterColumn[] => [
  c('raw_sha256', 'text', 'SHA-256 of the raw message in the soft-copy archive'),
  c('raw_size', 'integer', 'size of the raw message in bytes'),
  c('message_id', 'text', 'Message-ID'),
  c('sumber', 'text', 'where it was fetched from: imap, maildir, eml'),
];

export const SURAT_MASUK: RegisterDescriptor = {
  buku: 'masuk',
  table: 'surat_masuk',
  anotasi: 'surat_masuk',
  classified: false,
  columns: [
    ...numberCols(),
    c('sifat', 'text', 'classification that applies: as registered (read from the letter), or as corrected by `terima klasifikasi`', incomingSifat('surat_masuk')),
    c('derajat', 'text', 'urgency'),
    c('registered_at', 'time', 'when registered (UTC)'),
    c('diterima_at', 'time', 'when received (UTC)'),
    c('operator', 'text', 'who registered it'),
    c('pengirim', 'text', 'sender'),
    c('kepada', 'json', 'addressees (JSON Lines: array; CSV/XLSX: "; "-separated)'),
    c('tembusan', 'json', 'cc addressees'),
    c('nomor_surat', 'text', "the letter's own number"),
    c('tanggal_surat', 'text', "the letter's own date, as written"),
    c('perihal', 'text', 'subject'),
    c('isi_ringkas', 'text', 'summary; empty for Rahasia and Sangat Rahasia letters (content is never exported)',
      `CASE WHEN ${incomingSifat('surat_masuk')} IN ${SECRET_SIFAT} THEN NULL ELSE isi_ringkas END`),
    c('lampiran', 'json', 'attachments (name, type, size, sha256)'),
    c('keterangan', 'text', 'remarks'),
    c('peringatan', 'json', 'problems found when it was registered'),
    ...incomingSource(),
    c('dicetak_at', 'time', 'when printed (UTC)'),
    c('diparaf_at', 'time', 'when the last initial was given (UTC)'),
    c('diantar_at', 'time', 'when handed to the courier (UTC)'),
    c('selesai_at', 'time', 'when filed (UTC)'),
    c('tanggal_surat_iso', 'text', "the letter's own date as a calendar date (YYYY-MM-DD), when it could be read",
      '(SELECT t.tanggal FROM surat_masuk_tanggal AS t WHERE t.surat_masuk_id = surat_masuk.id)'),
  ],
  listColumns: ['id', 'nomor', 'registered_at', 'status', 'pengirim', 'perihal'],
  dateColumn: 'registered_at',
  statuses: ['terdaftar', 'dicetak', 'diparaf', 'diantar', 'selesai'],
  sifatColumn: incomingSifat('surat_masuk'),
  unitSql: incomingUnit,
  fts: 'surat_masuk_cari',
  search: ['nomor', 'nomor_surat', 'perihal', 'pengirim', 'kepada'],
  confidential: [],
};

export const KRIPTOGRAM_MASUK: RegisterDescriptor = {
  buku: 'kriptogram-masuk',
  table: 'kriptogram_masuk',
  anotasi: 'kriptogram_masuk',
  classified: true,
  columns: [
    ...numberCols(),
    c('sifat', 'text', 'classification from the protected headers (after reading)'),
    c('registered_at', 'time', 'when registered (UTC)'),
    c('diterima_at', 'time', 'when received (UTC)'),
    c('operator', 'text', 'who registered it'),
    c('pengirim', 'text', 'sender'),
    c('kepada', 'json', 'addressees'),
    c('subjek_luar', 'text', "the clear subject (normally the sender's kriptogram number only)"),
    c('nomor_pengirim', 'text', "the sender's register number (protected headers)"),
    c('penanda_tangan', 'json', 'signers as verified'),
    c('terbaca_at', 'time', 'when decrypted and verified (UTC)'),
    c('ditolak_at', 'time', 'when refused (UTC)'),
    c('ditolak_alasan', 'text', 'why it was refused'),
    c('selesai_at', 'time', 'when closed (UTC)'),
    c('peringatan', 'json', 'problems found when it was registered'),
    ...incomingSource(),
  ],
  listColumns: ['id', 'nomor', 'registered_at', 'status', 'pengirim', 'nomor_pengirim'],
  dateColumn: 'registered_at',
  statuses: ['terdaftar', 'terbaca', 'ditolak', 'selesai'],
  sifatColumn: 'sifat',
  unitSql: incomingUnit,
  fts: 'kriptogram_masuk_cari',
  search: ['nomor', 'nomor_pengirim', 'subjek_luar', 'pengirim'],
  confidential: ['perihal_terenkripsi'],
};

/**
 * The complaint register (migration 7). Never selected: the reporter's identity (pelapor_terenkripsi, an
 * OpenPGP message to the archive key). Withheld: the chronology of a confidential (rahasia) or anonymous
 * complaint and of any whistle-blowing report (it may name or point at the reporter), and attachment names
 * (only their count is exported). No FTS5 table: `cari` is a substring test over a few public columns.
 * Not annotatable: the anotasi table's CHECK does not know this register (`sandi aduan` records every step).
 */
export const ADUAN: RegisterDescriptor = {
  buku: 'aduan',
  table: 'aduan',
  anotasi: null,
  classified: false,
  columns: [
    ...numberCols().map((col) => (col.name === 'nomor' ? { ...col, doc: 'register number (ADU/001/2026)' } : col)),
    c('registered_at', 'time', 'when registered (UTC)'),
    c('operator', 'text', 'who registered it'),
    c('sumber', 'text', 'how it was registered: catat (by hand) or impor (portal CSV)'),
    c('kanal', 'text', 'channel code: lapor (SP4N LAPOR!), laporgub (LaporGub!), or another configured one'),
    c('nomor_pelacakan', 'text', 'tracking id in the channel'),
    c('jenis', 'text', 'kind: pengaduan, aspirasi, permintaan_informasi, whistleblowing'),
    c('kategori', 'text', 'category'),
    c('judul', 'text', 'title'),
    c('kronologi', 'text', 'chronology; empty for rahasia and anonim complaints and for whistle-blowing (never exported)',
      `CASE WHEN kerahasiaan = 'terbuka' AND jenis != 'whistleblowing' THEN kronologi ELSE NULL END`),
    c('diterima_at', 'time', 'when received at the office (UTC; start of the service)'),
    c('kerahasiaan', 'text', "the reporter: terbuka, rahasia (identity hidden), anonim (none); the identity itself is never exported"),
    c('lampiran_jumlah', 'integer', 'number of attachments (names are not exported)', 'json_array_length(lampiran)'),
    c('status_at', 'time', 'when the status last changed (UTC)'),
    c('ditunda_dari', 'text', 'the status a postponed complaint was in'),
    c('opd', 'text', 'the OPD holding it (or last holding it)'),
    c('opd_email', 'text', "that OPD's mailbox"),
  ],
  listColumns: ['id', 'nomor', 'registered_at', 'status', 'kanal', 'jenis', 'judul', 'opd'],
  dateColumn: 'registered_at',
  statuses: ADUAN_STATUSES,
  sifatColumn: null,
  unitSql: '(opd = @unit COLLATE NOCASE OR opd_email = @unit COLLATE NOCASE)',
  fts: null,
  search: ['nomor', 'nomor_pelacakan', 'kanal', 'kategori', 'judul', 'opd'],
  confidential: ['pelapor_terenkripsi'],
  auditEntityId: 'nomor',
};

/** Every register `sandi agenda` knows, in the order they are listed. */
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
