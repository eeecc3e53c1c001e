/**
 * Column groups and export columns that several registers share, each written once: the register number,
 * the request letter, the outgoing steps (sign, number, send, cancel), and where an incoming message came from.
 */
import { col, fill, x, type ColumnSpec, type ExportSpec } from './define.js';

// ----------------------------------------------------------------------------------------- table columns

/** The request letter (surat permohonan) and who assigned the work: fixed at registration. */
export const permohonanColumns = (): ColumnSpec[] => [
  col('permohonan_nomor', 'text?', 'fixed', { field: 'permohonan.nomor' }),
  col('permohonan_tanggal', 'text?', 'fixed', { field: 'permohonan.tanggal' }),
  col('permohonan_unit', 'text?', 'fixed', { field: 'permohonan.unit' }),
  col('assigned_by', 'text?', 'fixed'),
];

/** The signature of an outgoing row, filled once when it is signed. */
export const signedColumns = (): ColumnSpec[] => [
  col('ditandatangani_at', 'time?', fill('ditandatangani')),
  col('signer', 'text?', fill('ditandatangani')),
  col('signer_fpr', 'text?', fill('ditandatangani')),
];

/** The number, the Message-ID fixed before the first SMTP byte, the send, the cancellation of an outgoing row. */
export const outgoingTailColumns = (): ColumnSpec[] => [
  col('tahun', 'integer?', fill('bernomor')),
  col('urut', 'integer?', fill('bernomor')),
  col('nomor', 'text?', fill('bernomor')),
  col('bernomor_at', 'time?', fill('bernomor')),
  col('message_id', 'text?', fill('bernomor', 'tidak_pasti', 'terkirim')),
  col('sent_at', 'time?', fill('terkirim')),
  col('server_reply', 'text?', fill('terkirim')),
  col('batal_at', 'time?', fill('batal')),
  col('batal_oleh', 'text?', fill('batal')),
  col('batal_alasan', 'text?', fill('batal')),
];

/** The agenda number an incoming row gets when it is registered, who registered it, and the message's envelope. */
export const incomingHeadColumns = (): ColumnSpec[] => [
  col('id', 'integer', 'fixed'),
  col('nomor', 'text', 'fixed'),
  col('tahun', 'integer', 'fixed'),
  col('urut', 'integer', 'fixed'),
  col('registered_at', 'time', 'fixed'),
  col('operator', 'text', 'fixed'),
  col('diterima_at', 'time', 'fixed'),
  col('pengirim', 'text', 'fixed'),
  col('kepada', 'json', 'fixed'),
];

/** The raw message as archived and where it was fetched from (folder, UIDVALIDITY, UID for IMAP). */
export const incomingSourceColumns = (): ColumnSpec[] => [
  col('raw_sha256', 'text', 'fixed'),
  col('raw_size', 'integer', 'fixed'),
  col('message_id', 'text?', 'fixed'),
  col('sumber', 'text', 'fixed'),
  col('folder', 'text?', 'fixed'),
  col('uidvalidity', 'integer?', 'fixed'),
  col('uid', 'integer?', 'fixed'),
];

// ---------------------------------------------------------------------------------------- export columns

export const numberExports = (): ExportSpec[] => [
  x('id', 'row id in the register (stable; `lihat ID`, `catat ID`)'),
  x('nomor', 'register number, empty until numbered'),
  x('tahun', 'year of the number'),
  x('urut', 'sequence of the number within the year (gapless)'),
  x('status', 'state of the row'),
];

export const permohonanExports = (): ExportSpec[] => [
  x('permohonan_nomor', 'request letter (surat permohonan): its number'),
  x('permohonan_tanggal', 'request letter: its date'),
  x('permohonan_unit', 'request letter: the requesting unit'),
  x('assigned_by', 'who assigned the work (Kadis → Kabid → Kasi → sandiman)'),
];

export const batalExports = (): ExportSpec[] => [
  x('batal_at', 'when cancelled (UTC)'),
  x('batal_oleh', 'who cancelled'),
  x('batal_alasan', 'why it was cancelled'),
];

export const incomingSourceExports = (): ExportSpec[] => [
  x('raw_sha256', 'SHA-256 of the raw message in the soft-copy archive'),
  x('raw_size', 'size of the raw message in bytes'),
  x('message_id', 'Message-ID'),
  x('sumber', 'where it was fetched from: imap, maildir, eml'),
];
