/**
 * The registers `sandi agenda` lists, searches, shows and exports, described once for people and for every
 * store engine: the name on the command line, the table, whether it is classified, its documented export
 * columns (name, kind, one line of documentation), the columns a terminal listing shows, its statuses, and the
 * table columns never shown or exported. How a column is computed (SQL, full-text index, the unit filter) is
 * the store's business: src/adapters/sqlite/agenda-registers.ts adds it to each description.
 *
 * Adding a register is adding a description here and its SQL there.
 */
import type { ExportColumn } from './agenda.js';
import { ADUAN_STATUSES } from './aduan.js';
import type { Buku } from './records.js';

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

const c = (name: string, kind: ExportColumn['kind'], doc: string): ExportColumn => ({ name, kind, doc });

const OUT_STATUSES = ['terdaftar', 'diparaf', 'ditandatangani', 'bernomor', 'tidak_pasti', 'terkirim', 'batal'] as const;

const numberCols = (): ExportColumn[] => [
  c('id', 'integer', 'row id in the register (stable; `lihat ID`, `catat ID`)'),
  c('nomor', 'text', 'register number, empty until numbered'),
  c('tahun', 'integer', 'year of the number'),
  c('urut', 'integer', 'sequence of the number within the year (gapless)'),
  c('status', 'text', 'state of the row'),
];

const permohonanCols = (): ExportColumn[] => [
  c('permohonan_nomor', 'text', 'request letter (surat permohonan): its number'),
  c('permohonan_tanggal', 'text', 'request letter: its date'),
  c('permohonan_unit', 'text', 'request letter: the requesting unit'),
  c('assigned_by', 'text', 'who assigned the work (Kadis → Kabid → Kasi → sandiman)'),
];

const batalCols = (): ExportColumn[] => [
  c('batal_at', 'time', 'when cancelled (UTC)'),
  c('batal_oleh', 'text', 'who cancelled'),
  c('batal_alasan', 'text', 'why it was cancelled'),
];

export const KRIPTOGRAM_KELUAR: RegisterDescription = {
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
    c('perihal', 'text', 'subject, Biasa and Terbatas only; empty for Rahasia and above (kept encrypted, never exported)'),
    c('penerima_unit', 'text', 'recipient units, "; "-separated'),
    c('penerima_email', 'text', 'recipient mailboxes, "; "-separated'),
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
  confidential: ['perihal_terenkripsi'],
};

export const SURAT_KELUAR: RegisterDescription = {
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
    c('penerima_unit', 'text', 'recipient units, "; "-separated'),
    c('penerima_email', 'text', 'recipient mailboxes, "; "-separated'),
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
  confidential: [],
};

const incomingSource = (): ExportColumn[] => [
  c('raw_sha256', 'text', 'SHA-256 of the raw message in the soft-copy archive'),
  c('raw_size', 'integer', 'size of the raw message in bytes'),
  c('message_id', 'text', 'Message-ID'),
  c('sumber', 'text', 'where it was fetched from: imap, maildir, eml'),
];

export const SURAT_MASUK: RegisterDescription = {
  buku: 'masuk',
  table: 'surat_masuk',
  anotasi: 'surat_masuk',
  classified: false,
  columns: [
    ...numberCols(),
    c('sifat', 'text', 'classification that applies: as registered (read from the letter), or as corrected by `terima klasifikasi`'),
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
    c('isi_ringkas', 'text', 'summary; empty for Rahasia and Sangat Rahasia letters (content is never exported)'),
    c('lampiran', 'json', 'attachments (name, type, size, sha256)'),
    c('keterangan', 'text', 'remarks'),
    c('peringatan', 'json', 'problems found when it was registered'),
    ...incomingSource(),
    c('dicetak_at', 'time', 'when printed (UTC)'),
    c('diparaf_at', 'time', 'when the last initial was given (UTC)'),
    c('diantar_at', 'time', 'when handed to the courier (UTC)'),
    c('selesai_at', 'time', 'when filed (UTC)'),
    c('tanggal_surat_iso', 'text', "the letter's own date as a calendar date (YYYY-MM-DD), when it could be read"),
  ],
  listColumns: ['id', 'nomor', 'registered_at', 'status', 'pengirim', 'perihal'],
  dateColumn: 'registered_at',
  statuses: ['terdaftar', 'dicetak', 'diparaf', 'diantar', 'selesai'],
  confidential: [],
};

export const KRIPTOGRAM_MASUK: RegisterDescription = {
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
  confidential: ['perihal_terenkripsi'],
};

/**
 * The complaint register (migration 7). Never selected: the reporter's identity (pelapor_terenkripsi, an
 * OpenPGP message to the archive key). Withheld: the chronology of a confidential (rahasia) or anonymous
 * complaint and of any whistle-blowing report (it may name or point at the reporter), and attachment names
 * (only their count is exported). Not annotatable: the anotasi table's CHECK does not know this register
 * (`sandi aduan` records every step).
 */
export const ADUAN: RegisterDescription = {
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
    c('kronologi', 'text', 'chronology; empty for rahasia and anonim complaints and for whistle-blowing (never exported)'),
    c('diterima_at', 'time', 'when received at the office (UTC; start of the service)'),
    c('kerahasiaan', 'text', "the reporter: terbuka, rahasia (identity hidden), anonim (none); the identity itself is never exported"),
    c('lampiran_jumlah', 'integer', 'number of attachments (names are not exported)'),
    c('status_at', 'time', 'when the status last changed (UTC)'),
    c('ditunda_dari', 'text', 'the status a postponed complaint was in'),
    c('opd', 'text', 'the OPD holding it (or last holding it)'),
    c('opd_email', 'text', "that OPD's mailbox"),
  ],
  listColumns: ['id', 'nomor', 'registered_at', 'status', 'kanal', 'jenis', 'judul', 'opd'],
  dateColumn: 'registered_at',
  statuses: ADUAN_STATUSES,
  confidential: ['pelapor_terenkripsi'],
  auditEntityId: 'nomor',
};

/** Every register `sandi agenda` knows, in the order they are listed. */
export const REGISTER_CATALOG: readonly RegisterDescription[] = [KRIPTOGRAM_KELUAR, SURAT_KELUAR, SURAT_MASUK, KRIPTOGRAM_MASUK, ADUAN];
