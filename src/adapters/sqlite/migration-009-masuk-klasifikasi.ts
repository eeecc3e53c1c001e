/**
 * Migration 9 (issue 13): an incoming letter's classification applies everywhere, and its own date is kept
 * as a calendar date too.
 *
 * - surat_masuk_tanggal: the letter's date as written (surat_masuk.tanggal_surat, "1 Desember 2026") parsed
 *   into YYYY-MM-DD where it could be (src/domain/terima.ts parseTanggalSurat), one row per letter, written in
 *   the registration's transaction; append-only. A new table rather than a new column: the audit chain binds
 *   every row by its full content, and a column added to surat_masuk would change the hash of every row
 *   registered before. Letters registered before this migration have no row (their date stays as written).
 * - the search index of incoming letters is rebuilt so that the summary (isi ringkas) of a letter whose
 *   classification — as registered, or as corrected later by `sandi terima klasifikasi` (an anotasi koreksi
 *   of column sifat) — is Rahasia or Sangat Rahasia is not searchable, and a correction re-indexes the row.
 */
import type { Migration } from './migrations.js';
import { ftsSql, SURAT_MASUK_FTS } from './agenda-registers.js';

const f = SURAT_MASUK_FTS;
const cols = (r: string): string => `${f.nomor(r)}, ${f.perihal(r)}, ${f.pihak(r)}`;

export const migration009MasukKlasifikasi: Migration = {
  version: 9,
  name: 'surat masuk: the letter date as a calendar date; classified summaries kept out of the search index',
  get sql(): string {
    return `
      CREATE TABLE surat_masuk_tanggal (
        surat_masuk_id INTEGER PRIMARY KEY REFERENCES surat_masuk(id),
        tanggal        TEXT NOT NULL CHECK (tanggal GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]' AND date(tanggal) IS tanggal)
      ) STRICT;
      CREATE TRIGGER surat_masuk_tanggal_no_update BEFORE UPDATE ON surat_masuk_tanggal
        BEGIN SELECT RAISE(ABORT, 'sandi:append_only:surat_masuk_tanggal'); END;
      CREATE TRIGGER surat_masuk_tanggal_no_delete BEFORE DELETE ON surat_masuk_tanggal
        BEGIN SELECT RAISE(ABORT, 'sandi:append_only:surat_masuk_tanggal'); END;

      DROP TRIGGER IF EXISTS ${f.fts}_ai;
      DROP TRIGGER IF EXISTS ${f.fts}_au;
      DROP TABLE IF EXISTS ${f.fts};
      ${ftsSql(f)}
      CREATE TRIGGER ${f.fts}_sifat AFTER INSERT ON anotasi
        WHEN NEW.buku = 'surat_masuk' AND NEW.jenis = 'koreksi' AND NEW.kolom = 'sifat'
        BEGIN
          DELETE FROM ${f.fts} WHERE rowid = NEW.baris;
          INSERT INTO ${f.fts} (rowid, nomor, perihal, pihak) SELECT r.id, ${cols('r')} FROM surat_masuk AS r WHERE r.id = NEW.baris;
        END;
    `;
  },
};
