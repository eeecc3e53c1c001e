/**
 * Buku Agenda Surat Masuk (table surat_masuk), described once: numbered when registered, then printed
 * (dicetak), initialled (diparaf), handed to the courier (diantar), filed (selesai). The summary and the
 * remarks are filled once; a later change is an annotation.
 */
import { SURAT_MASUK_TRANSITIONS } from '../incoming-state.js';
import { col, computed, defineRegister, fill, x } from './define.js';
import { incomingHeadColumns, incomingSourceColumns, incomingSourceExports, numberExports } from './shared.js';

export const SURAT_MASUK_REGISTER = defineRegister({
  table: 'surat_masuk',
  initial: 'terdaftar',
  transitions: SURAT_MASUK_TRANSITIONS,
  fields: 'camelCase',
  columns: [
    ...incomingHeadColumns(),
    col('tembusan', 'json', 'fixed'),
    col('nomor_surat', 'text?', 'fixed'),
    col('tanggal_surat', 'text?', 'fixed'),
    col('perihal', 'text?', 'fixed'),
    col('isi_ringkas', 'text?', 'once'),
    col('sifat', 'text', 'fixed'),
    col('derajat', 'text', 'fixed'),
    col('lampiran', 'json', 'fixed'),
    col('keterangan', 'text?', 'once'),
    col('peringatan', 'json', 'fixed'),
    ...incomingSourceColumns(),
    col('status', 'text', 'status'),
    col('dicetak_at', 'time?', fill('dicetak')),
    col('diparaf_at', 'time?', fill('diparaf')),
    col('diantar_at', 'time?', fill('diantar')),
    col('selesai_at', 'time?', fill('selesai')),
  ],
  agenda: {
    buku: 'masuk',
    anotasi: 'surat_masuk',
    classified: false,
    columns: [
      ...numberExports(),
      x('sifat', 'classification that applies: as registered (read from the letter), or as corrected by `terima klasifikasi`'),
      x('derajat', 'urgency'),
      x('registered_at', 'when registered (UTC)'),
      x('diterima_at', 'when received (UTC)'),
      x('operator', 'who registered it'),
      x('pengirim', 'sender'),
      x('kepada', 'addressees (JSON Lines: array; CSV/XLSX: "; "-separated)'),
      x('tembusan', 'cc addressees'),
      x('nomor_surat', "the letter's own number"),
      x('tanggal_surat', "the letter's own date, as written"),
      x('perihal', 'subject'),
      x('isi_ringkas', 'summary; empty for Rahasia and Sangat Rahasia letters (content is never exported)'),
      x('lampiran', 'attachments (name, type, size, sha256)'),
      x('keterangan', 'remarks'),
      x('peringatan', 'problems found when it was registered'),
      ...incomingSourceExports(),
      x('dicetak_at', 'when printed (UTC)'),
      x('diparaf_at', 'when the last initial was given (UTC)'),
      x('diantar_at', 'when handed to the courier (UTC)'),
      x('selesai_at', 'when filed (UTC)'),
      computed('tanggal_surat_iso', 'text', "the letter's own date as a calendar date (YYYY-MM-DD), when it could be read"),
    ],
    listColumns: ['id', 'nomor', 'registered_at', 'status', 'pengirim', 'perihal'],
    dateColumn: 'registered_at',
  },
});
