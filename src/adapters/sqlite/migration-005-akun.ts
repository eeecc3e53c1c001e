/**
 * Migration 5 (`sandi akun`): the mailbox account's credential slots and the password rotation log.
 * No password is ever in the database, not even encrypted: a slot names an entry of the encrypted credential
 * store (<home>/kredensial/<id>.asc, encrypted to the office archive key).
 */
import { AKUN_ROTASI_REGISTER } from '../../domain/registers/akun-rotasi.js';
import type { RegisterProtection } from '../../domain/registers/types.js';
import type { Migration } from './migrations.js';
import { appendOnlyTriggers } from './triggers.js';

/** akun_rotasi is a log: rows are never deleted, each step fills its own column once (from its description; exported for tests). */
export const AKUN_ROTASI_PROTECTION: RegisterProtection = AKUN_ROTASI_REGISTER.protection;

export const migration005: Migration = {
  version: 5,
  name: 'akun: credential slots and password rotation log',
  sql: `
      -- One row per mailbox account: which credential-store entries hold its current and previous password.
      -- The pending password of a rotation in progress is named by its open akun_rotasi row.
      CREATE TABLE akun_sandi (
        user          TEXT PRIMARY KEY COLLATE NOCASE,
        kini_id       TEXT NOT NULL CHECK (length(kini_id) = 32),
        sebelumnya_id TEXT CHECK (sebelumnya_id IS NULL OR length(sebelumnya_id) = 32),
        diubah_at     TEXT,                -- when the current password was set on the server; NULL = unknown
        disimpan_at   TEXT NOT NULL,       -- when it was stored in sandi
        sumber        TEXT NOT NULL CHECK (sumber IN ('simpan', 'rotasi', 'adopsi'))
      ) STRICT;

      -- The rotation log: four recorded steps (tersimpan, diset, teruji, selesai) or ditolak with the reason.
      CREATE TABLE akun_rotasi (
        id         INTEGER PRIMARY KEY,
        user       TEXT NOT NULL COLLATE NOCASE,
        adapter    TEXT NOT NULL CHECK (adapter IN ('perintah', 'dovecot-passwd', 'manual')),
        status     TEXT NOT NULL CHECK (status IN ('tersimpan', 'diset', 'teruji', 'selesai', 'ditolak')),
        baru_id    TEXT NOT NULL CHECK (length(baru_id) = 32),   -- the new (pending) password's store entry
        lama_id    TEXT NOT NULL CHECK (length(lama_id) = 32),   -- the password current when it started
        dimulai_at TEXT NOT NULL,
        diset_at   TEXT,
        teruji_at  TEXT,
        selesai_at TEXT,
        ditolak_at TEXT,
        alasan     TEXT,
        CHECK ((status = 'ditolak') = (ditolak_at IS NOT NULL))
      ) STRICT;
      CREATE UNIQUE INDEX akun_rotasi_open ON akun_rotasi(user) WHERE status IN ('tersimpan', 'diset', 'teruji');
      ${appendOnlyTriggers(AKUN_ROTASI_PROTECTION)}
    `,
};
