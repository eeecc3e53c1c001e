/**
 * The outgoing ordinary letters (table surat_keluar, `sandi kirim --biasa`), described once: the life of an
 * outgoing kriptogram without the initial; the signature is optional.
 */
import { SURAT_KELUAR_TRANSITIONS } from '../outgoing-state.js';
import { col, computed, defineRegister, x } from './define.js';
import { batalExports, numberExports, outgoingTailColumns, permohonanColumns, permohonanExports, signedColumns } from './shared.js';

export const SURAT_KELUAR_REGISTER = defineRegister({
  table: 'surat_keluar',
  initial: 'terdaftar',
  transitions: SURAT_KELUAR_TRANSITIONS,
  fields: 'camelCase',
  columns: [
    col('id', 'integer', 'fixed'),
    col('registered_at', 'time', 'fixed'),
    col('operator', 'text', 'fixed'),
    col('recipients', 'json', 'fixed'),
    col('sifat', 'text', 'fixed'),
    col('derajat', 'text', 'fixed'),
    col('perihal', 'text', 'fixed'),
    col('dokumen_sha256', 'text?', 'fixed'),
    ...permohonanColumns(),
    col('status', 'text', 'status'),
    ...signedColumns(),
    ...outgoingTailColumns(),
  ],
  agenda: {
    buku: 'surat-keluar',
    anotasi: 'surat_keluar',
    classified: false,
    columns: [
      ...numberExports(),
      x('sifat', 'classification: Biasa, Terbatas'),
      x('derajat', 'urgency'),
      x('registered_at', 'when registered (UTC)'),
      x('operator', 'who registered it'),
      x('perihal', 'subject'),
      computed('penerima_unit', 'text', 'recipient units, "; "-separated'),
      computed('penerima_email', 'text', 'recipient mailboxes, "; "-separated'),
      ...permohonanExports(),
      x('dokumen_sha256', 'SHA-256 of the scanned letter as archived'),
      x('ditandatangani_at', 'when signed (UTC)'),
      x('signer', 'the key that signed: its user ID'),
      x('bernomor_at', 'when numbered (UTC)'),
      x('message_id', 'Message-ID of the sent mail'),
      x('sent_at', 'when sent (UTC)'),
      ...batalExports(),
    ],
    listColumns: ['id', 'nomor', 'registered_at', 'status', 'perihal', 'penerima_unit'],
    dateColumn: 'registered_at',
  },
});
