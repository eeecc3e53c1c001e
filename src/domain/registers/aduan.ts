/**
 * The complaint register (table aduan, migration 7), described once. Only the status and what a hand-over
 * changes with it (status_at, ditunda_dari, the current OPD) ever change; each change has an event row
 * (aduan_langkah) and an audit event. The reporter's identity (pelapor_terenkripsi, an OpenPGP message to the
 * archive key) is never selected: a record only learns whether there is one.
 *
 * Migration 7 wrote its triggers by hand (released: frozen); test/unit/register-descriptions.test.ts checks
 * they enforce this description, and the status moves are those of the domain's table (src/domain/aduan.ts).
 */
import { ADUAN_STATUSES, legalStatusPairs, type AduanStatus } from '../aduan.js';
import { col, computed, defineRegister, x } from './define.js';
import { numberExports } from './shared.js';

/** The status moves of a complaint: the domain's action table (ADUAN_TRANSITIONS) as from → to, `lanjutkan` expanded. */
export const ADUAN_STATUS_TRANSITIONS: Readonly<Record<AduanStatus, readonly AduanStatus[]>> = Object.fromEntries(
  ADUAN_STATUSES.map((from) => [from, legalStatusPairs().filter(([a]) => a === from).map(([, to]) => to)]),
) as Record<AduanStatus, AduanStatus[]>;

export const ADUAN_REGISTER = defineRegister({
  table: 'aduan',
  initial: 'diterima',
  transitions: ADUAN_STATUS_TRANSITIONS,
  fields: 'camelCase',
  columns: [
    col('id', 'integer', 'fixed'),
    col('nomor', 'text', 'fixed'),
    col('tahun', 'integer', 'fixed'),
    col('urut', 'integer', 'fixed'),
    col('registered_at', 'time', 'fixed'),
    col('operator', 'text', 'fixed'),
    col('sumber', 'text', 'fixed'),
    col('kanal', 'text', 'fixed'),
    col('nomor_pelacakan', 'text', 'fixed'),
    col('jenis', 'text', 'fixed'),
    col('kategori', 'text?', 'fixed'),
    col('judul', 'text', 'fixed'),
    col('kronologi', 'text?', 'fixed'),
    col('diterima_at', 'time', 'fixed'),
    col('kerahasiaan', 'text', 'fixed'),
    col('pelapor_terenkripsi', 'blob?', 'fixed', { field: 'adaPelapor', confidential: true, presence: true }),
    col('lampiran', 'json', 'fixed'),
    col('status', 'text', 'status'),
    col('status_at', 'time', 'mutable'),
    col('ditunda_dari', 'text?', 'mutable'),
    col('opd', 'text?', 'mutable'),
    col('opd_email', 'text?', 'mutable'),
  ],
  agenda: {
    buku: 'aduan',
    anotasi: null,
    classified: false,
    columns: [
      ...numberExports().map((e) => (e.name === 'nomor' ? { ...e, doc: 'register number (ADU/001/2026)' } : e)),
      x('registered_at', 'when registered (UTC)'),
      x('operator', 'who registered it'),
      x('sumber', 'how it was registered: catat (by hand) or impor (portal CSV)'),
      x('kanal', 'channel code: lapor (SP4N LAPOR!), laporgub (LaporGub!), or another configured one'),
      x('nomor_pelacakan', 'tracking id in the channel'),
      x('jenis', 'kind: pengaduan, aspirasi, permintaan_informasi, whistleblowing'),
      x('kategori', 'category'),
      x('judul', 'title'),
      x('kronologi', 'chronology; empty for rahasia and anonim complaints and for whistle-blowing (never exported)'),
      x('diterima_at', 'when received at the office (UTC; start of the service)'),
      x('kerahasiaan', "the reporter: terbuka, rahasia (identity hidden), anonim (none); the identity itself is never exported"),
      computed('lampiran_jumlah', 'integer', 'number of attachments (names are not exported)'),
      x('status_at', 'when the status last changed (UTC)'),
      x('ditunda_dari', 'the status a postponed complaint was in'),
      x('opd', 'the OPD holding it (or last holding it)'),
      x('opd_email', "that OPD's mailbox"),
    ],
    listColumns: ['id', 'nomor', 'registered_at', 'status', 'kanal', 'jenis', 'judul', 'opd'],
    dateColumn: 'registered_at',
    auditEntityId: 'nomor',
  },
});
