/**
 * The office archive in the database (issue 15 §2, ../../ports/arsip.ts): PostgreSQL migration 5.
 *
 * Four tables, content-addressed and append-only, enforced by the server for every role (the owner too):
 * - arsip_unggah: one row per upload (a write streaming its chunks), with the writer's session as the server
 *   saw it (session_user, backend pid and start time, set by a trigger): an upload whose session is gone and
 *   that no content refers to is a leftover of a killed writer (listed and removable, as the folder archive's
 *   temporary files are).
 * - arsip_potongan: the chunks of an upload (~1 MiB of bytea each), written in autocommit while the writer
 *   streams and hashes: staged, invisible to the archive until a content row refers to their upload.
 * - arsip_isi: one row per content (SHA-256, size, chunk count, the upload holding its chunks); a content
 *   written twice, from any workstation, is stored once. The server checks the chunk count and total size.
 * - arsip_nama: the archive's names (relative paths, as under <home>/arsip/) → content; never replaced.
 *
 * No UPDATE on any of them; no DELETE or TRUNCATE on contents and names; an upload and its chunks may be
 * deleted only while no content refers to them, and only by its own session or once that session is gone.
 */
import { noTruncate, raise } from './guards.js';

const ISO_NOW = `to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

const noUpdate = (t: string, also = ''): string => `CREATE FUNCTION ${t}_no_update() RETURNS trigger LANGUAGE plpgsql AS $f$
        BEGIN ${raise(`sandi:append_only:${t}`)}; END $f$;
      CREATE TRIGGER ${t}_no_update BEFORE UPDATE${also} ON ${t} FOR EACH ROW EXECUTE FUNCTION ${t}_no_update();
      ${noTruncate(t)}`;

/**
 * The writer of upload `u` still runs: its backend pid is alive under its role. pg_stat_activity shows every
 * session's pid and role to everyone, its start time only to the same role (NULL otherwise): when visible it
 * tells a reused pid apart; when not, a reused pid of the same role only delays the removal (the safe side).
 */
export const WRITER_ALIVE = 'a.pid = u.backend_pid AND a.usename = u.db_user AND (a.backend_start IS NULL OR a.backend_start = u.backend_start)';

/** A staged upload or its chunks may go only while no content refers to it, and not under a living writer. */
const stagedDelete = (t: string): string => `CREATE FUNCTION ${t}_delete() RETURNS trigger LANGUAGE plpgsql AS $f$
        DECLARE u @SCHEMA@.arsip_unggah%ROWTYPE;
        BEGIN
          IF EXISTS (SELECT 1 FROM @SCHEMA@.arsip_isi WHERE upload = OLD.upload) THEN ${raise(`sandi:append_only:${t}`)}; END IF;
          SELECT * INTO u FROM @SCHEMA@.arsip_unggah WHERE upload = OLD.upload;
          IF FOUND AND u.backend_pid <> pg_backend_pid() AND EXISTS (
               SELECT 1 FROM pg_stat_activity a WHERE ${WRITER_ALIVE}) THEN
            ${raise(`sandi:in_use:${t}`)};
          END IF;
          RETURN OLD;
        END $f$;
      CREATE TRIGGER ${t}_delete BEFORE DELETE ON ${t} FOR EACH ROW EXECUTE FUNCTION ${t}_delete();`;

export const arsipSchema = `
      CREATE TABLE arsip_unggah (
        upload        uuid PRIMARY KEY,
        created_at    text NOT NULL DEFAULT ${ISO_NOW},
        db_user       text NOT NULL DEFAULT session_user,
        backend_pid   integer NOT NULL DEFAULT pg_backend_pid(),
        -- the writer's session start (with the pid it names one session for the server's life): technical, not a register time
        -- (see WRITER_ALIVE)
        backend_start timestamptz
      );
      CREATE FUNCTION arsip_unggah_insert() RETURNS trigger LANGUAGE plpgsql AS $f$
        BEGIN
          NEW.created_at := ${ISO_NOW};
          NEW.db_user := session_user;
          NEW.backend_pid := pg_backend_pid();
          NEW.backend_start := (SELECT backend_start FROM pg_stat_activity WHERE pid = pg_backend_pid());
          RETURN NEW;
        END $f$;
      CREATE TRIGGER arsip_unggah_insert BEFORE INSERT ON arsip_unggah FOR EACH ROW EXECUTE FUNCTION arsip_unggah_insert();

      CREATE TABLE arsip_potongan (
        upload uuid NOT NULL REFERENCES arsip_unggah(upload),
        n      integer NOT NULL CHECK (n >= 0),
        data   bytea NOT NULL,
        PRIMARY KEY (upload, n)
      );
      ALTER TABLE arsip_potongan ALTER COLUMN data SET STORAGE EXTERNAL; -- chunks are compressed content already, mostly

      CREATE TABLE arsip_isi (
        sha256     text PRIMARY KEY CHECK (sha256 ~ '^[0-9a-f]{64}$'),
        size       bigint NOT NULL CHECK (size >= 0),
        potongan   integer NOT NULL CHECK (potongan >= 0),
        upload     uuid NOT NULL UNIQUE REFERENCES arsip_unggah(upload),
        created_at text NOT NULL DEFAULT ${ISO_NOW},
        db_user    text NOT NULL DEFAULT session_user
      );
      CREATE FUNCTION arsip_isi_insert() RETURNS trigger LANGUAGE plpgsql AS $f$
        DECLARE k integer; s bigint; lo integer; hi integer;
        BEGIN
          NEW.created_at := ${ISO_NOW};
          NEW.db_user := session_user;
          SELECT count(*), coalesce(sum(length(data)), 0), min(n), max(n) INTO k, s, lo, hi FROM @SCHEMA@.arsip_potongan WHERE upload = NEW.upload;
          IF k <> NEW.potongan OR s <> NEW.size OR (k > 0 AND (lo <> 0 OR hi <> k - 1)) THEN ${raise('sandi:chunks:arsip_isi')}; END IF;
          RETURN NEW;
        END $f$;
      CREATE TRIGGER arsip_isi_insert BEFORE INSERT ON arsip_isi FOR EACH ROW EXECUTE FUNCTION arsip_isi_insert();

      CREATE TABLE arsip_nama (
        name       text PRIMARY KEY CHECK (name ~ '^[A-Za-z0-9_.@+=-]+(/[A-Za-z0-9_.@+=-]+)*$' AND name !~ '(^|/)\\.\\.?(/|$)' AND length(name) <= 1024),
        sha256     text NOT NULL REFERENCES arsip_isi(sha256),
        created_at text NOT NULL DEFAULT ${ISO_NOW},
        db_user    text NOT NULL DEFAULT session_user
      );
      CREATE INDEX arsip_nama_sha256 ON arsip_nama(sha256);
      CREATE FUNCTION arsip_nama_insert() RETURNS trigger LANGUAGE plpgsql AS $f$
        BEGIN NEW.created_at := ${ISO_NOW}; NEW.db_user := session_user; RETURN NEW; END $f$;
      CREATE TRIGGER arsip_nama_insert BEFORE INSERT ON arsip_nama FOR EACH ROW EXECUTE FUNCTION arsip_nama_insert();

      ${noUpdate('arsip_isi', ' OR DELETE')}
      ${noUpdate('arsip_nama', ' OR DELETE')}
      ${noUpdate('arsip_unggah')}
      ${noUpdate('arsip_potongan')}
      ${stagedDelete('arsip_unggah')}
      ${stagedDelete('arsip_potongan')}
`;

/** The archive's tables, for the grants (./roles.ts). */
export const ARSIP_TABLES = ['arsip_unggah', 'arsip_potongan', 'arsip_isi', 'arsip_nama'] as const;
