/**
 * Buku Agenda Kriptogram Keluar (table kriptogram_keluar), described once: registered (terdaftar), initialled
 * (diparaf), signed by the Kasi (ditandatangani), numbered (bernomor), sent (terkirim), or cancelled (batal).
 */
import { KRIPTOGRAM_KELUAR_TRANSITIONS } from '../outgoing-state.js';
import { col, computed, defineRegister, fill, x } from './define.js';
import { batalExports, numberExports, outgoingTailColumns, permohonanColumns, permohonanExports, signedColumns } from './shared.js';

export const KRIPTOGRAM_KELUAR_REGISTER = defineRegister({
  table: 'kriptogram_keluar',
  initial: 'terdaftar',
  transitions: KRIPTOGRAM_KELUAR_TRANSITIONS,
  fields: 'camelCase',
  columns: [
    col('id', 'integer', 'fixed'),
    col('registered_at', 'time', 'fixed'),
    col('sandiman', 'text', 'fixed'),
    col('recipients', 'json', 'fixed'),
    col('sifat', 'text', 'fixed'),
    col('derajat', 'text', 'fixed'),
    col('perihal', 'text?', 'fixed'),
    col('perihal_terenkripsi', 'blob?', 'fixed', { confidential: true }),
    ...permohonanColumns(),
    col('status', 'text', 'status'),
    col('diparaf_at', 'time?', fill('diparaf')),
    col('diparaf_oleh', 'text?', fill('diparaf')),
    col('paraf_fpr', 'text?', fill('diparaf')),
    col('draf_sha256', 'text?', fill('diparaf')),
    ...signedColumns(),
    col('kriptogram_sha256', 'text?', fill('ditandatangani')),
    ...outgoingTailColumns(),
  ],
  agenda: {
    buku: 'keluar',
    anotasi: 'kriptogram_keluar',
    classified: true,
    columns: [
      ...numberExports(),
      x('sifat', 'classification: Biasa, Terbatas, Rahasia, Sangat Rahasia'),
      x('derajat', 'urgency: Biasa, Segera, Sangat Segera, Kilat'),
      x('registered_at', 'when registered (UTC)'),
      x('sandiman', 'the sandiman who registered it'),
      x('perihal', 'subject, Biasa and Terbatas only; empty for Rahasia and above (kept encrypted, never exported)'),
      computed('penerima_unit', 'text', 'recipient units, "; "-separated'),
      computed('penerima_email', 'text', 'recipient mailboxes, "; "-separated'),
      ...permohonanExports(),
      x('diparaf_at', 'when the sandiman initialled the draft (UTC)'),
      x('diparaf_oleh', 'who initialled'),
      x('ditandatangani_at', 'when the Kasi signed (UTC)'),
      x('signer', "the Kasi key that signed: its user ID (who ran the command is the audit event's actor)"),
      x('bernomor_at', 'when numbered (UTC)'),
      x('message_id', 'Message-ID of the sent mail'),
      x('sent_at', 'when sent (UTC)'),
      ...batalExports(),
      x('kriptogram_sha256', 'SHA-256 of the final kriptogram'),
    ],
    listColumns: ['id', 'nomor', 'registered_at', 'status', 'sifat', 'perihal', 'penerima_unit'],
    dateColumn: 'registered_at',
  },
});
