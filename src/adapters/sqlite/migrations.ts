/**
 * Versioned schema migrations, applied in order inside one transaction each; `PRAGMA user_version`
 * records the version reached. Never edit a released migration: add a new one.
 */
import { migration003Kirim } from './migration-003-kirim.js';
import { migration005 } from './migration-005-akun.js';
import { migration004Terima } from './migration-004-terima.js';
import { migration006Agenda } from './migration-006-agenda.js';
import { migration007Aduan } from './migration-007-aduan.js';
import { migration008AuditBinding } from './migration-008-audit-binding.js';
import { migration009MasukKlasifikasi } from './migration-009-masuk-klasifikasi.js';
import { migration010KriptogramMasukLangkah } from './migration-010-kriptogram-masuk-langkah.js';
import type { Db } from './driver.js';
import { MIGRATION_2_REGISTERS, type RegisterProtection } from '../../domain/registers/index.js';
import { appendOnlyTriggers } from './triggers.js';

export interface Migration {
  version: number;
  name: string;
  sql: string;
  /** Work after the SQL, in the same transaction (rows that need code, such as hashes). */
  run?: (db: Db) => void;
}


// How a register is protected is part of its one description (src/domain/registers/); triggers.ts turns it
// into SQLite triggers. Both re-exported here for the importers of this module.
export type { RegisterProtection } from '../../domain/registers/types.js';
export { appendOnlyTriggers } from './triggers.js';

/** Protection of the registers created by migration 2 (exported for tests), from their descriptions. */
export const REGISTER_PROTECTION: Readonly<Record<string, RegisterProtection>> = Object.fromEntries(MIGRATION_2_REGISTERS.map((r) => [r.table, r.protection]));

const [KK, SK, SM, KM] = MIGRATION_2_REGISTERS;
const P = { kriptogram_keluar: KK.protection, surat_keluar: SK.protection, surat_masuk: SM.protection, kriptogram_masuk: KM.protection };
const OUT_STATES = `'terdaftar', 'diparaf', 'ditandatangani', 'bernomor', 'tidak_pasti', 'terkirim', 'batal'`;

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
      -- AUTOINCREMENT: sqlite_sequence then remembers the highest id ever issued, so rows cut off the end
      -- of the chain (which the hashes alone cannot show) are still detected by 'sandi audit periksa'.
      CREATE TABLE audit_log (
        id        INTEGER PRIMARY KEY AUTOINCREMENT,
        at        TEXT NOT NULL,
        actor     TEXT NOT NULL,
        action    TEXT NOT NULL,
        entity    TEXT NOT NULL,
        entity_id TEXT,
        data      TEXT NOT NULL CHECK (json_valid(data)),
        prev_hash TEXT NOT NULL CHECK (length(prev_hash) = 64),
        hash      TEXT NOT NULL UNIQUE CHECK (length(hash) = 64)
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
  {
    version: 2,
    name: 'registers: outgoing kriptogram, outgoing letters, incoming letters, incoming kriptogram, annotations',
    sql: `
      -- Buku Agenda Kriptogram Keluar. A row is registered (terdaftar), initialled (diparaf), signed by the
      -- Kasi (ditandatangani), numbered (bernomor), sent (terkirim); or cancelled (batal) with a reason.
      -- The number is NULL until the numbering step and then never changes; times are UTC ISO 8601.
      CREATE TABLE kriptogram_keluar (
        id                  INTEGER PRIMARY KEY,
        registered_at       TEXT NOT NULL,
        sandiman            TEXT NOT NULL,
        recipients          TEXT NOT NULL CHECK (json_valid(recipients) AND json_type(recipients) = 'array' AND json_array_length(recipients) > 0),
        sifat               TEXT NOT NULL CHECK (sifat IN ('Biasa', 'Terbatas', 'Rahasia', 'Sangat Rahasia')),
        derajat             TEXT NOT NULL CHECK (derajat IN ('Biasa', 'Segera', 'Sangat Segera', 'Kilat')),
        perihal             TEXT,            -- clear subject: Biasa and Terbatas only
        perihal_terenkripsi BLOB,            -- Rahasia and above: the subject encrypted (OpenPGP) to the archive key
        permohonan_nomor    TEXT,            -- request letter (surat permohonan): number, date, requesting unit
        permohonan_tanggal  TEXT,
        permohonan_unit     TEXT,
        assigned_by         TEXT,            -- who assigned the work (Kadis → Kabid → Kasi → sandiman)
        status              TEXT NOT NULL DEFAULT 'terdaftar' CHECK (status IN (${OUT_STATES})),
        diparaf_at          TEXT,
        diparaf_oleh        TEXT,
        paraf_fpr           TEXT,
        draf_sha256         TEXT,            -- the encrypted, initialled draft as stored
        ditandatangani_at   TEXT,
        signer              TEXT,
        signer_fpr          TEXT,
        kriptogram_sha256   TEXT,            -- the final kriptogram (both signatures)
        tahun               INTEGER,
        urut                INTEGER CHECK (urut > 0),
        nomor               TEXT UNIQUE,
        bernomor_at         TEXT,
        message_id          TEXT UNIQUE,     -- fixed before the first SMTP byte (outbox)
        sent_at             TEXT,
        server_reply        TEXT,
        batal_at            TEXT,
        batal_oleh          TEXT,
        batal_alasan        TEXT,
        UNIQUE (tahun, urut),
        CHECK ((sifat IN ('Biasa', 'Terbatas') AND perihal IS NOT NULL AND perihal_terenkripsi IS NULL)
            OR (sifat IN ('Rahasia', 'Sangat Rahasia') AND perihal IS NULL AND perihal_terenkripsi IS NOT NULL)),
        CHECK ((nomor IS NULL) = (tahun IS NULL) AND (nomor IS NULL) = (urut IS NULL) AND (nomor IS NULL) = (bernomor_at IS NULL)),
        CHECK (status IN ('terdaftar', 'batal') OR (diparaf_at IS NOT NULL AND diparaf_oleh IS NOT NULL)),
        CHECK (status IN ('terdaftar', 'diparaf', 'batal') OR (ditandatangani_at IS NOT NULL AND signer IS NOT NULL)),
        CHECK (status NOT IN ('bernomor', 'tidak_pasti', 'terkirim') OR nomor IS NOT NULL),
        CHECK (status NOT IN ('tidak_pasti', 'terkirim') OR message_id IS NOT NULL),
        CHECK ((status = 'terkirim') = (sent_at IS NOT NULL)),
        CHECK ((status = 'batal') = (batal_at IS NOT NULL)),
        CHECK (status != 'batal' OR (batal_alasan IS NOT NULL AND length(trim(batal_alasan)) > 0 AND batal_oleh IS NOT NULL))
      ) STRICT;
      CREATE INDEX kriptogram_keluar_status ON kriptogram_keluar(status);
      CREATE INDEX kriptogram_keluar_registered ON kriptogram_keluar(registered_at);
      ${appendOnlyTriggers(P.kriptogram_keluar)}

      -- Outgoing ordinary letters (sandi kirim --biasa): same life without the initial; signing optional.
      CREATE TABLE surat_keluar (
        id                  INTEGER PRIMARY KEY,
        registered_at       TEXT NOT NULL,
        operator            TEXT NOT NULL,
        recipients          TEXT NOT NULL CHECK (json_valid(recipients) AND json_type(recipients) = 'array' AND json_array_length(recipients) > 0),
        sifat               TEXT NOT NULL DEFAULT 'Biasa' CHECK (sifat IN ('Biasa', 'Terbatas')),
        derajat             TEXT NOT NULL DEFAULT 'Biasa' CHECK (derajat IN ('Biasa', 'Segera', 'Sangat Segera', 'Kilat')),
        perihal             TEXT NOT NULL,
        dokumen_sha256      TEXT,            -- the scanned letter as archived
        permohonan_nomor    TEXT,
        permohonan_tanggal  TEXT,
        permohonan_unit     TEXT,
        assigned_by         TEXT,
        status              TEXT NOT NULL DEFAULT 'terdaftar' CHECK (status IN (${OUT_STATES}) AND status != 'diparaf'),
        ditandatangani_at   TEXT,
        signer              TEXT,
        signer_fpr          TEXT,
        tahun               INTEGER,
        urut                INTEGER CHECK (urut > 0),
        nomor               TEXT UNIQUE,
        bernomor_at         TEXT,
        message_id          TEXT UNIQUE,
        sent_at             TEXT,
        server_reply        TEXT,
        batal_at            TEXT,
        batal_oleh          TEXT,
        batal_alasan        TEXT,
        UNIQUE (tahun, urut),
        CHECK ((nomor IS NULL) = (tahun IS NULL) AND (nomor IS NULL) = (urut IS NULL) AND (nomor IS NULL) = (bernomor_at IS NULL)),
        CHECK (status != 'ditandatangani' OR (ditandatangani_at IS NOT NULL AND signer IS NOT NULL)),
        CHECK (status NOT IN ('bernomor', 'tidak_pasti', 'terkirim') OR nomor IS NOT NULL),
        CHECK (status NOT IN ('tidak_pasti', 'terkirim') OR message_id IS NOT NULL),
        CHECK ((status = 'terkirim') = (sent_at IS NOT NULL)),
        CHECK ((status = 'batal') = (batal_at IS NOT NULL)),
        CHECK (status != 'batal' OR (batal_alasan IS NOT NULL AND length(trim(batal_alasan)) > 0 AND batal_oleh IS NOT NULL))
      ) STRICT;
      CREATE INDEX surat_keluar_status ON surat_keluar(status);
      ${appendOnlyTriggers(P.surat_keluar)}

      -- Buku Agenda Surat Masuk. Numbered when registered; the raw message is archived first and its
      -- SHA-256 recorded (content address and dedupe key); the IMAP source (folder, UIDVALIDITY, UID) too.
      CREATE TABLE surat_masuk (
        id             INTEGER PRIMARY KEY,
        nomor          TEXT NOT NULL UNIQUE,
        tahun          INTEGER NOT NULL,
        urut           INTEGER NOT NULL CHECK (urut > 0),
        registered_at  TEXT NOT NULL,
        operator       TEXT NOT NULL,
        diterima_at    TEXT NOT NULL,          -- date received (the server's internal date, or the import time)
        pengirim       TEXT NOT NULL,
        kepada         TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(kepada) AND json_type(kepada) = 'array'),
        tembusan       TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(tembusan) AND json_type(tembusan) = 'array'),
        nomor_surat    TEXT,                   -- the letter's own number, when its text or attachments carry one
        tanggal_surat  TEXT,
        perihal        TEXT,
        isi_ringkas    TEXT,
        sifat          TEXT NOT NULL DEFAULT 'Biasa' CHECK (sifat IN ('Biasa', 'Terbatas', 'Rahasia', 'Sangat Rahasia')),
        derajat        TEXT NOT NULL DEFAULT 'Biasa' CHECK (derajat IN ('Biasa', 'Segera', 'Sangat Segera', 'Kilat')),
        lampiran       TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(lampiran) AND json_type(lampiran) = 'array'),
        keterangan     TEXT,
        peringatan     TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(peringatan) AND json_type(peringatan) = 'array'),
        raw_sha256     TEXT NOT NULL UNIQUE CHECK (length(raw_sha256) = 64 AND raw_sha256 = lower(raw_sha256)),
        raw_size       INTEGER NOT NULL CHECK (raw_size >= 0),
        message_id     TEXT,
        sumber         TEXT NOT NULL CHECK (sumber IN ('imap', 'maildir', 'eml')),
        folder         TEXT,
        uidvalidity    INTEGER,
        uid            INTEGER,
        status         TEXT NOT NULL DEFAULT 'terdaftar' CHECK (status IN ('terdaftar', 'dicetak', 'diparaf', 'diantar', 'selesai')),
        dicetak_at     TEXT,
        diparaf_at     TEXT,
        diantar_at     TEXT,
        selesai_at     TEXT,
        UNIQUE (tahun, urut),
        CHECK (sumber != 'imap' OR (folder IS NOT NULL AND uidvalidity IS NOT NULL AND uid IS NOT NULL)),
        CHECK (status = 'terdaftar' OR dicetak_at IS NOT NULL),
        CHECK (status IN ('terdaftar', 'dicetak') OR diparaf_at IS NOT NULL),
        CHECK (status IN ('terdaftar', 'dicetak', 'diparaf') OR diantar_at IS NOT NULL),
        CHECK (status != 'selesai' OR selesai_at IS NOT NULL)
      ) STRICT;
      CREATE INDEX surat_masuk_message_id ON surat_masuk(message_id);
      CREATE INDEX surat_masuk_registered ON surat_masuk(registered_at);
      CREATE UNIQUE INDEX surat_masuk_source ON surat_masuk(folder, uidvalidity, uid) WHERE uid IS NOT NULL;
      ${appendOnlyTriggers(P.surat_masuk)}

      -- Step events of an incoming letter (forward, print, each tiered initial, courier, receipt, filing):
      -- append-only, so the register shows where each letter is and the SLA can be measured.
      CREATE TABLE surat_masuk_langkah (
        id             INTEGER PRIMARY KEY,
        surat_masuk_id INTEGER NOT NULL REFERENCES surat_masuk(id),
        langkah        TEXT NOT NULL CHECK (langkah IN ('teruskan', 'cetak', 'paraf', 'antar', 'tandaterima', 'arsip')),
        at             TEXT NOT NULL,
        actor          TEXT NOT NULL,
        data           TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(data))
      ) STRICT;
      CREATE INDEX surat_masuk_langkah_surat ON surat_masuk_langkah(surat_masuk_id, id);
      CREATE TRIGGER surat_masuk_langkah_no_update BEFORE UPDATE ON surat_masuk_langkah
        BEGIN SELECT RAISE(ABORT, 'sandi:append_only:surat_masuk_langkah'); END;
      CREATE TRIGGER surat_masuk_langkah_no_delete BEFORE DELETE ON surat_masuk_langkah
        BEGIN SELECT RAISE(ABORT, 'sandi:append_only:surat_masuk_langkah'); END;

      -- Incoming kriptogram register: registered on arrival (raw message archived first), then read
      -- (decrypted with the office key, signatures checked) or refused with the reason.
      CREATE TABLE kriptogram_masuk (
        id                  INTEGER PRIMARY KEY,
        nomor               TEXT NOT NULL UNIQUE,
        tahun               INTEGER NOT NULL,
        urut                INTEGER NOT NULL CHECK (urut > 0),
        registered_at       TEXT NOT NULL,
        operator            TEXT NOT NULL,
        diterima_at         TEXT NOT NULL,
        pengirim            TEXT NOT NULL,
        kepada              TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(kepada) AND json_type(kepada) = 'array'),
        subjek_luar         TEXT,              -- the clear subject (normally the sender's kriptogram number only)
        peringatan          TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(peringatan) AND json_type(peringatan) = 'array'),
        raw_sha256          TEXT NOT NULL UNIQUE CHECK (length(raw_sha256) = 64 AND raw_sha256 = lower(raw_sha256)),
        raw_size            INTEGER NOT NULL CHECK (raw_size >= 0),
        message_id          TEXT,
        sumber              TEXT NOT NULL CHECK (sumber IN ('imap', 'maildir', 'eml')),
        folder              TEXT,
        uidvalidity         INTEGER,
        uid                 INTEGER,
        status              TEXT NOT NULL DEFAULT 'terdaftar' CHECK (status IN ('terdaftar', 'terbaca', 'ditolak', 'selesai')),
        terbaca_at          TEXT,
        sifat               TEXT CHECK (sifat IN ('Biasa', 'Terbatas', 'Rahasia', 'Sangat Rahasia')),
        perihal_terenkripsi BLOB,              -- the protected subject, re-encrypted to the archive key
        nomor_pengirim      TEXT,              -- the sender's register number from the protected headers
        penanda_tangan      TEXT CHECK (penanda_tangan IS NULL OR json_valid(penanda_tangan)),
        ditolak_at          TEXT,
        ditolak_alasan      TEXT,
        selesai_at          TEXT,
        UNIQUE (tahun, urut),
        CHECK (sumber != 'imap' OR (folder IS NOT NULL AND uidvalidity IS NOT NULL AND uid IS NOT NULL)),
        CHECK (status NOT IN ('terbaca', 'selesai') OR (terbaca_at IS NOT NULL AND penanda_tangan IS NOT NULL)),
        CHECK ((status = 'ditolak') = (ditolak_at IS NOT NULL)),
        CHECK (status != 'ditolak' OR (ditolak_alasan IS NOT NULL AND length(trim(ditolak_alasan)) > 0)),
        CHECK ((status = 'selesai') = (selesai_at IS NOT NULL))
      ) STRICT;
      CREATE INDEX kriptogram_masuk_message_id ON kriptogram_masuk(message_id);
      CREATE UNIQUE INDEX kriptogram_masuk_source ON kriptogram_masuk(folder, uidvalidity, uid) WHERE uid IS NOT NULL;
      ${appendOnlyTriggers(P.kriptogram_masuk)}

      -- Annotations: notes and corrections on register rows. Nothing in a register is edited; a correction
      -- is a new row naming the column and the corrected value, and an annotation is corrected by another.
      CREATE TABLE anotasi (
        id                INTEGER PRIMARY KEY,
        buku              TEXT NOT NULL CHECK (buku IN ('kriptogram_keluar', 'surat_keluar', 'surat_masuk', 'kriptogram_masuk')),
        baris             INTEGER NOT NULL,
        at                TEXT NOT NULL,
        actor             TEXT NOT NULL,
        jenis             TEXT NOT NULL CHECK (jenis IN ('catatan', 'koreksi')),
        kolom             TEXT,                -- koreksi: the column corrected
        nilai             TEXT CHECK (nilai IS NULL OR json_valid(nilai)),  -- koreksi: the corrected value, JSON
        nilai_terenkripsi BLOB,                -- koreksi of an encrypted column: the value, encrypted
        catatan           TEXT NOT NULL CHECK (length(trim(catatan)) > 0),  -- the note, or why the correction
        mengoreksi        INTEGER REFERENCES anotasi(id),
        CHECK ((jenis = 'koreksi') = (kolom IS NOT NULL)),
        CHECK (jenis = 'catatan' OR nilai IS NOT NULL OR nilai_terenkripsi IS NOT NULL)
      ) STRICT;
      CREATE INDEX anotasi_baris ON anotasi(buku, baris, id);
      CREATE TRIGGER anotasi_target BEFORE INSERT ON anotasi
        WHEN NOT (
             (NEW.buku = 'kriptogram_keluar' AND EXISTS (SELECT 1 FROM kriptogram_keluar WHERE id = NEW.baris))
          OR (NEW.buku = 'surat_keluar' AND EXISTS (SELECT 1 FROM surat_keluar WHERE id = NEW.baris))
          OR (NEW.buku = 'surat_masuk' AND EXISTS (SELECT 1 FROM surat_masuk WHERE id = NEW.baris))
          OR (NEW.buku = 'kriptogram_masuk' AND EXISTS (SELECT 1 FROM kriptogram_masuk WHERE id = NEW.baris)))
        BEGIN SELECT RAISE(ABORT, 'sandi:no_target:anotasi'); END;
      CREATE TRIGGER anotasi_kolom BEFORE INSERT ON anotasi
        WHEN NEW.kolom IS NOT NULL AND (NEW.kolom IN ('id', 'status') OR NEW.kolom NOT IN (SELECT name FROM pragma_table_info(NEW.buku)))
        BEGIN SELECT RAISE(ABORT, 'sandi:bad_column:anotasi'); END;
      CREATE TRIGGER anotasi_same_row BEFORE INSERT ON anotasi
        WHEN NEW.mengoreksi IS NOT NULL AND NOT EXISTS (SELECT 1 FROM anotasi WHERE id = NEW.mengoreksi AND buku = NEW.buku AND baris = NEW.baris)
        BEGIN SELECT RAISE(ABORT, 'sandi:no_target:anotasi'); END;
      CREATE TRIGGER anotasi_no_update BEFORE UPDATE ON anotasi
        BEGIN SELECT RAISE(ABORT, 'sandi:append_only:anotasi'); END;
      CREATE TRIGGER anotasi_no_delete BEFORE DELETE ON anotasi
        BEGIN SELECT RAISE(ABORT, 'sandi:append_only:anotasi'); END;
    `,
  },
  migration003Kirim,
  migration004Terima,
  migration005,
  migration006Agenda,
  migration007Aduan,
  migration008AuditBinding,
  migration009MasukKlasifikasi,
  migration010KriptogramMasukLangkah,
];
