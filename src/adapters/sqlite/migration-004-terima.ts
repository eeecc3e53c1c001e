/**
 * Migration 4 (sandi terima): where each fetch stopped. One row per mailbox account and folder with the
 * folder's UIDVALIDITY and the highest UID registered (or skipped as a duplicate) under it, so a second run
 * fetches only what is new, a run after a crash starts again at the first message not yet registered, and a
 * changed UIDVALIDITY (the server renumbered the folder) restarts the folder from UID 1 — the content hash and
 * Message-ID then keep anything already registered from being registered again.
 * The registers themselves (surat_masuk, kriptogram_masuk, surat_masuk_langkah) are in migration 2.
 */
import type { Migration } from './migrations.js';

export const migration004Terima: Migration = {
  version: 4,
  name: 'terima: IMAP fetch state per account and folder',
  sql: `
      CREATE TABLE terima_folder (
        akun        TEXT NOT NULL,            -- mailbox login, or 'lokal' for folders imported from disk
        folder      TEXT NOT NULL,
        uidvalidity INTEGER NOT NULL CHECK (uidvalidity >= 0),
        last_uid    INTEGER NOT NULL DEFAULT 0 CHECK (last_uid >= 0),
        updated_at  TEXT NOT NULL,
        PRIMARY KEY (akun, folder)
      ) STRICT;
      -- Within one UIDVALIDITY the position only moves forward; a new UIDVALIDITY may restart it.
      CREATE TRIGGER terima_folder_forward BEFORE UPDATE ON terima_folder
        WHEN NEW.uidvalidity = OLD.uidvalidity AND NEW.last_uid < OLD.last_uid
        BEGIN SELECT RAISE(ABORT, 'sandi:backwards:terima_folder'); END;
    `,
};
