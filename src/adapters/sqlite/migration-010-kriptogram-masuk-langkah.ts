/**
 * Migration 10 (issue 13 defect 3): an incoming kriptogram, once read (terbaca), follows the same SOP steps as
 * an incoming letter: cetak (the print pack built from the decrypted document at print time; no plaintext is
 * stored), paraf (tiered), antar, tandaterima, then arsip (the row moves to selesai).
 *
 * kriptogram_masuk_langkah: one append-only row per step event, like surat_masuk_langkah. A new table rather
 * than new states on kriptogram_masuk: the register's status triggers are part of migration 2 (never edited),
 * and the SOP stage (dicetak, diparaf, diantar) is read from these events.
 */
import type { Migration } from './migrations.js';

export const migration010KriptogramMasukLangkah: Migration = {
  version: 10,
  name: 'kriptogram masuk: SOP step events (cetak, paraf, antar, tandaterima, arsip)',
  sql: `
      CREATE TABLE kriptogram_masuk_langkah (
        id                  INTEGER PRIMARY KEY,
        kriptogram_masuk_id INTEGER NOT NULL REFERENCES kriptogram_masuk(id),
        langkah             TEXT NOT NULL CHECK (langkah IN ('cetak', 'paraf', 'antar', 'tandaterima', 'arsip')),
        at                  TEXT NOT NULL,
        actor               TEXT NOT NULL,
        data                TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(data))
      ) STRICT;
      CREATE INDEX kriptogram_masuk_langkah_kriptogram ON kriptogram_masuk_langkah(kriptogram_masuk_id, id);
      CREATE TRIGGER kriptogram_masuk_langkah_read BEFORE INSERT ON kriptogram_masuk_langkah
        WHEN NOT EXISTS (SELECT 1 FROM kriptogram_masuk WHERE id = NEW.kriptogram_masuk_id AND status = 'terbaca')
        BEGIN SELECT RAISE(ABORT, 'sandi:wrong_state:kriptogram_masuk_langkah'); END;
      CREATE TRIGGER kriptogram_masuk_langkah_no_update BEFORE UPDATE ON kriptogram_masuk_langkah
        BEGIN SELECT RAISE(ABORT, 'sandi:append_only:kriptogram_masuk_langkah'); END;
      CREATE TRIGGER kriptogram_masuk_langkah_no_delete BEFORE DELETE ON kriptogram_masuk_langkah
        BEGIN SELECT RAISE(ABORT, 'sandi:append_only:kriptogram_masuk_langkah'); END;
    `,
};
