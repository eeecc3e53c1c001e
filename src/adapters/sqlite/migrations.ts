/**
 * Versioned schema migrations, applied in order inside one transaction each; `PRAGMA user_version`
 * records the version reached. Never edit a released migration: add a new one.
 */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const migrations: Migration[] = [
  {
    version: 1,
    name: 'foundation: keys, address book, audit log, number sequences',
    sql: `
      -- Key store index. The key material lives in files under <home>/kunci (secret keys 0600);
      -- this table records what the office decided about each key (role, revocation).
      CREATE TABLE kunci (
        fingerprint TEXT PRIMARY KEY CHECK (length(fingerprint) IN (40, 64) AND fingerprint = upper(fingerprint)),
        role        TEXT NOT NULL CHECK (role IN ('arsip', 'sandiman', 'kasi', 'penerima')),
        user_id     TEXT NOT NULL,
        name        TEXT,                    -- the person or unit the key belongs to
        has_secret  INTEGER NOT NULL CHECK (has_secret IN (0, 1)),
        key_created TEXT NOT NULL,           -- creation time inside the key (ISO 8601)
        added_at    TEXT NOT NULL,           -- when sandi first stored it
        revoked_at  TEXT                     -- set once by 'sandi kunci cabut'
      ) STRICT;

      -- Address book: recipient mailboxes and units bound to public keys.
      CREATE TABLE buku_alamat (
        email       TEXT PRIMARY KEY COLLATE NOCASE,
        unit        TEXT NOT NULL,
        unit_code   TEXT,
        fingerprint TEXT NOT NULL REFERENCES kunci(fingerprint),
        added_at    TEXT NOT NULL
      ) STRICT;
      CREATE INDEX buku_alamat_fpr ON buku_alamat(fingerprint);

      -- Hash-chained audit log: every change to the store is one row; hash = SHA-256 over the
      -- previous row's hash and this row's canonical content (see src/domain/audit.ts).
      CREATE TABLE audit_log (
        id        INTEGER PRIMARY KEY,
        at        TEXT NOT NULL,
        actor     TEXT NOT NULL,
        action    TEXT NOT NULL,
        entity    TEXT NOT NULL,
        entity_id TEXT,
        data      TEXT NOT NULL,
        prev_hash TEXT NOT NULL,
        hash      TEXT NOT NULL UNIQUE
      ) STRICT;
      CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
        BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
      CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
        BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;

      -- Gapless number sequences per register per year.
      CREATE TABLE nomor_urut (
        buku     TEXT NOT NULL,
        tahun    INTEGER NOT NULL,
        terakhir INTEGER NOT NULL CHECK (terakhir >= 0),
        PRIMARY KEY (buku, tahun)
      ) STRICT;
      CREATE TRIGGER nomor_urut_only_up BEFORE UPDATE ON nomor_urut
        WHEN NEW.terakhir != OLD.terakhir + 1 OR NEW.buku != OLD.buku OR NEW.tahun != OLD.tahun
        BEGIN SELECT RAISE(ABORT, 'nomor_urut only moves forward by one'); END;
      CREATE TRIGGER nomor_urut_no_delete BEFORE DELETE ON nomor_urut
        BEGIN SELECT RAISE(ABORT, 'nomor_urut rows are never deleted'); END;
    `,
  },
];
