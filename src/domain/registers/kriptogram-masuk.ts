/**
 * The incoming kriptogram register (table kriptogram_masuk), described once: registered on arrival, then read
 * (terbaca: decrypted with the office key, signatures checked) or refused (ditolak, with the reason); a read
 * one is closed (selesai).
 */
import { KRIPTOGRAM_MASUK_TRANSITIONS } from '../incoming-state.js';
import { col, defineRegister, fill, x } from './define.js';
import { incomingHeadColumns, incomingSourceColumns, incomingSourceExports, numberExports } from './shared.js';

export const KRIPTOGRAM_MASUK_REGISTER = defineRegister({
  table: 'kriptogram_masuk',
  initial: 'terdaftar',
  transitions: KRIPTOGRAM_MASUK_TRANSITIONS,
  fields: 'camelCase',
  columns: [
    ...incomingHeadColumns(),
    col('subjek_luar', 'text?', 'fixed'),
    col('peringatan', 'json', 'fixed'),
    ...incomingSourceColumns(),
    col('status', 'text', 'status'),
    col('terbaca_at', 'time?', fill('terbaca')),
    col('sifat', 'text?', fill('terbaca')),
    col('perihal_terenkripsi', 'blob?', fill('terbaca'), { confidential: true }),
    col('nomor_pengirim', 'text?', fill('terbaca')),
    col('penanda_tangan', 'json?', fill('terbaca', 'ditolak')),
    col('ditolak_at', 'time?', fill('ditolak')),
    col('ditolak_alasan', 'text?', fill('ditolak')),
    col('selesai_at', 'time?', fill('selesai')),
  ],
  agenda: {
    buku: 'kriptogram-masuk',
    anotasi: 'kriptogram_masuk',
    classified: true,
    columns: [
      ...numberExports(),
      x('sifat', 'classification from the protected headers (after reading)'),
      x('registered_at', 'when registered (UTC)'),
      x('diterima_at', 'when received (UTC)'),
      x('operator', 'who registered it'),
      x('pengirim', 'sender'),
      x('kepada', 'addressees'),
      x('subjek_luar', "the clear subject (normally the sender's kriptogram number only)"),
      x('nomor_pengirim', "the sender's register number (protected headers)"),
      x('penanda_tangan', 'signers as verified'),
      x('terbaca_at', 'when decrypted and verified (UTC)'),
      x('ditolak_at', 'when refused (UTC)'),
      x('ditolak_alasan', 'why it was refused'),
      x('selesai_at', 'when closed (UTC)'),
      x('peringatan', 'problems found when it was registered'),
      ...incomingSourceExports(),
    ],
    listColumns: ['id', 'nomor', 'registered_at', 'status', 'pengirim', 'nomor_pengirim'],
    dateColumn: 'registered_at',
  },
});
