/**
 * Migration 7 (`sandi aduan`): the complaint register (SP4N LAPOR!, LaporGub!) and its append-only events.
 * The reporter's identity is only ever stored encrypted to the office archive key (pelapor_terenkripsi);
 * an anonymous complaint has none. Triggers written inline (no import from migrations.ts: that module imports
 * this one). The legal status pairs and the fixed columns are frozen literals here (released); unit tests check
 * they equal the register's description (src/domain/registers/aduan.ts) and the domain table (src/domain/aduan.ts
 * legalStatusPairs), so a change to the machine needs a new migration.
 */
import type { Migration } from './migrations.js';

/** The (from, to) status pairs the trigger accepts, as released in migration 7 (exported for the test). */
export const ADUAN_STATUS_PAIRS_V7: readonly (readonly [string, string])[] = [
  ['diterima', 'didisposisi'], ['diterima', 'dikembalikan_ke_hulu'], ['diterima', 'ditunda'], ['diterima', 'diarsipkan'],
  ['didisposisi', 'ditindaklanjuti'], ['didisposisi', 'dikembalikan_oleh_opd'], ['didisposisi', 'ditunda'], ['didisposisi', 'diarsipkan'],
  ['dikembalikan_oleh_opd', 'didisposisi'], ['dikembalikan_oleh_opd', 'dikembalikan_ke_hulu'], ['dikembalikan_oleh_opd', 'ditunda'], ['dikembalikan_oleh_opd', 'diarsipkan'],
  ['ditindaklanjuti', 'didisposisi'], ['ditindaklanjuti', 'dikonfirmasi'], ['ditindaklanjuti', 'ditunda'], ['ditindaklanjuti', 'diarsipkan'],
  ['dikonfirmasi', 'dikembalikan_oleh_hulu'], ['dikonfirmasi', 'terverifikasi'], ['dikonfirmasi', 'ditunda'], ['dikonfirmasi', 'diarsipkan'],
  ['dikembalikan_oleh_hulu', 'didisposisi'], ['dikembalikan_oleh_hulu', 'dikonfirmasi'], ['dikembalikan_oleh_hulu', 'ditunda'], ['dikembalikan_oleh_hulu', 'diarsipkan'],
  ['terverifikasi', 'selesai'], ['terverifikasi', 'ditunda'], ['terverifikasi', 'diarsipkan'],
  ['dikembalikan_ke_hulu', 'diarsipkan'],
  ['ditunda', 'diterima'], ['ditunda', 'didisposisi'], ['ditunda', 'dikembalikan_oleh_opd'], ['ditunda', 'ditindaklanjuti'],
  ['ditunda', 'dikonfirmasi'], ['ditunda', 'dikembalikan_oleh_hulu'], ['ditunda', 'terverifikasi'], ['ditunda', 'diarsipkan'],
];

const STATUSES = `'diterima', 'didisposisi', 'dikembalikan_oleh_opd', 'ditindaklanjuti', 'dikonfirmasi', 'dikembalikan_oleh_hulu',
          'terverifikasi', 'dikembalikan_ke_hulu', 'ditunda', 'selesai', 'diarsipkan'`;

/** The columns the trigger keeps fixed, as released in migration 7 (exported for the test against the description). */
export const ADUAN_FIXED_V7: readonly string[] = [
  'id', 'nomor', 'tahun', 'urut', 'registered_at', 'operator', 'sumber', 'kanal', 'nomor_pelacakan', 'jenis', 'kategori',
  'judul', 'kronologi', 'diterima_at', 'kerahasiaan', 'pelapor_terenkripsi', 'lampiran',
];

const pairs = ADUAN_STATUS_PAIRS_V7.map(([a, b]) => `(OLD.status = '${a}' AND NEW.status = '${b}')`).join('\n             OR ');

export const migration007Aduan: Migration = {
  version: 7,
  name: 'aduan: complaint register (SP4N LAPOR!, LaporGub!) and its hand-over events',
  sql: `
      -- Register of complaints: one row per complaint and channel tracking id. Only status, status_at,
      -- ditunda_dari and the current OPD change, each with an event row (aduan_langkah) and an audit event.
      CREATE TABLE aduan (
        id                  INTEGER PRIMARY KEY,
        nomor               TEXT NOT NULL UNIQUE,          -- ADU/001/2026
        tahun               INTEGER NOT NULL,
        urut                INTEGER NOT NULL CHECK (urut > 0),
        registered_at       TEXT NOT NULL,
        operator            TEXT NOT NULL,
        sumber              TEXT NOT NULL CHECK (sumber IN ('catat', 'impor')),
        kanal               TEXT NOT NULL CHECK (length(kanal) > 0),
        nomor_pelacakan     TEXT NOT NULL CHECK (length(trim(nomor_pelacakan)) > 0),  -- tracking id in the channel
        jenis               TEXT NOT NULL CHECK (jenis IN ('pengaduan', 'aspirasi', 'permintaan_informasi', 'whistleblowing')),
        kategori            TEXT,
        judul               TEXT NOT NULL CHECK (length(trim(judul)) > 0),
        kronologi           TEXT,
        diterima_at         TEXT NOT NULL,                 -- received at the office (start of the service)
        kerahasiaan         TEXT NOT NULL CHECK (kerahasiaan IN ('terbuka', 'rahasia', 'anonim')),
        pelapor_terenkripsi BLOB,                          -- OpenPGP message to the archive key; NULL = anonymous
        lampiran            TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(lampiran) AND json_type(lampiran) = 'array'),
        status              TEXT NOT NULL DEFAULT 'diterima' CHECK (status IN (${STATUSES})),
        status_at           TEXT NOT NULL,
        ditunda_dari        TEXT CHECK (ditunda_dari IS NULL OR ditunda_dari IN (${STATUSES})),
        opd                 TEXT,                          -- the OPD (unit) holding it or last holding it
        opd_email           TEXT,
        UNIQUE (tahun, urut),
        UNIQUE (kanal, nomor_pelacakan),
        CHECK ((kerahasiaan = 'anonim') = (pelapor_terenkripsi IS NULL)),
        CHECK ((status = 'ditunda') = (ditunda_dari IS NOT NULL)),
        CHECK (status != 'didisposisi' OR opd IS NOT NULL)
      ) STRICT;
      CREATE INDEX aduan_status ON aduan(status);
      CREATE INDEX aduan_diterima ON aduan(diterima_at);
      CREATE TRIGGER aduan_no_delete BEFORE DELETE ON aduan
        BEGIN SELECT RAISE(ABORT, 'sandi:append_only:aduan'); END;
      CREATE TRIGGER aduan_settled BEFORE UPDATE ON aduan
        WHEN ${ADUAN_FIXED_V7.map((c) => `NEW.${c} IS NOT OLD.${c}`).join(' OR ')}
        BEGIN SELECT RAISE(ABORT, 'sandi:settled:aduan'); END;
      CREATE TRIGGER aduan_insert BEFORE INSERT ON aduan
        WHEN NEW.status IS NOT 'diterima' OR NEW.ditunda_dari IS NOT NULL
        BEGIN SELECT RAISE(ABORT, 'sandi:insert_state:aduan'); END;
      CREATE TRIGGER aduan_transition BEFORE UPDATE OF status ON aduan
        WHEN NEW.status IS NOT OLD.status AND NOT (
                ${pairs})
        BEGIN SELECT RAISE(ABORT, 'sandi:transition:aduan'); END;

      -- Every hand-over of a complaint: who did what, when, with which note; append-only.
      CREATE TABLE aduan_langkah (
        id          INTEGER PRIMARY KEY,
        aduan_id    INTEGER NOT NULL REFERENCES aduan(id),
        aksi        TEXT NOT NULL CHECK (aksi IN ('catat', 'disposisi', 'kembalikan', 'tindaklanjut', 'konfirmasi', 'verifikasi', 'selesai', 'tunda', 'lanjutkan', 'arsipkan')),
        dari_status TEXT CHECK (dari_status IS NULL OR dari_status IN (${STATUSES})),
        ke_status   TEXT NOT NULL CHECK (ke_status IN (${STATUSES})),
        at          TEXT NOT NULL,
        actor       TEXT NOT NULL,
        catatan     TEXT,
        opd         TEXT,
        data        TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(data))
      ) STRICT;
      CREATE INDEX aduan_langkah_aduan ON aduan_langkah(aduan_id, id);
      CREATE TRIGGER aduan_langkah_no_update BEFORE UPDATE ON aduan_langkah
        BEGIN SELECT RAISE(ABORT, 'sandi:append_only:aduan_langkah'); END;
      CREATE TRIGGER aduan_langkah_no_delete BEFORE DELETE ON aduan_langkah
        BEGIN SELECT RAISE(ABORT, 'sandi:append_only:aduan_langkah'); END;
    `,
};
