/**
 * Composition root: the only place that wires configuration to adapters and services. Each service takes
 * its ports as a parameter (typed by src/ports*), and the App built here is the bag of those ports for one
 * home, each built on first use: a read-only command never opens a mail connection, and a port's heavy
 * library (openpgp, SQLite) is loaded only when a method that needs it runs.
 */
import { homePaths, type HomePaths } from './config/home.js';
import { defaultConfig, loadConfig, pdfFontFiles, saveConfig, validateConfig, type SandiConfig } from './config/config.js';
import { loadOfficeCalendar } from './config/calendar.js';
import type { WorkingCalendar } from './domain/working-time.js';
import { openStore, type Store } from './adapters/sqlite/store.js';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { assertPrivateHome, makePrivateDir } from './adapters/private-modes.js';
import type { Clock } from './ports.js';
import type { KunciPorts } from './ports/kunci.js';
import type { AkunPorts } from './ports/akun.js';
import type { Registers } from './ports/registers.js';
import type { AgendaBooks, ExportWriter, Pager } from './ports/agenda.js';
import type { AttachmentArchive, PelaporCipher } from './ports/aduan.js';
import type { AuditPorts } from './ports/audit.js';
import type { ConfigFile } from './ports/config.js';
import type { KriptogramCrypto } from './ports/kriptogram.js';
import type { MaildirReader } from './ports/mail.js';
import type { PeriksaPorts } from './services/periksa.js';
import type { writePdfReport } from './adapters/export-pdf.js';
import type { ArchiveSecret } from './adapters/openpgp/aduan-pelapor.js';
import { kunciPorts } from './app/kunci.js';
import { akunPorts } from './app/akun.js';
import { auditPorts } from './app/audit.js';
import { sqliteRegisters } from './adapters/sqlite/registers/port.js';
import { sqliteAgendaBooks } from './adapters/sqlite/agenda.js';
import { messageArchive } from './adapters/archive.js';
import { listMaildir, readMaildirMessage } from './adapters/maildir.js';
import type { Engine } from './config/db.js';
import type { DbPasswordWarning } from './config/db-password.js';
import type { PgSync } from './adapters/postgres/sync-client.js';
import type { PgStore } from './adapters/postgres/store.js';
import { postgresOffice, withOfficeDb, resolveEngine, type EngineSource } from './app/postgres.js';

type WritePdfReport = typeof writePdfReport;

/** The audit ports of a home that is not opened as an App (`sandi audit`, the checkpoint after a command). */
export { auditPorts };

export const systemClock: Clock = { now: () => new Date() };

import type { DatabaseProbe } from './services/periksa.js';
export type { DatabaseProbe };

export interface App {
  paths: HomePaths;
  clock: Clock;
  /**
   * Which database holds this home's registers: --db, else SANDI_DB, else config.json `db`, else the home's
   * SQLite file (src/config/db.ts). Resolved on first call; a bad URL throws (65, or 78 from config.json).
   */
  engine(): Engine;
  /**
   * The office database on PostgreSQL, connected on first use (password from PGPASSWORD, ~/.pgpass or
   * db.passwordCommand; faults as SandiErrors naming server, user and database). Only when engine() is PostgreSQL.
   */
  postgres(): PgSync;
  /** Connect to the chosen database and say what answered (`sandi periksa`). */
  probeDatabase(): DatabaseProbe;
  /**
   * Opened on first use: the home's SQLite file, or the office schema on PostgreSQL (src/adapters/postgres/store.ts)
   * when that is the engine — never a SQLite fallback.
   */
  store(): Store;
  /**
   * Make the office database ready for this sandi (`sandi init`/`sandi demo` with PostgreSQL chosen): an empty
   * database gets the office schema (its owner role runs the migrations: src/adapters/postgres/migrate.ts; an
   * officer's role on an up-to-date schema changes nothing, on an older one is PERMISSION naming who must).
   * `created`: this call made the office. On SQLite nothing to do (the store migrates on open): null.
   */
  prepareDatabase(): { created: boolean; version: number } | null;
  /** config.json, read and checked on each call (init writes it during a command). */
  config(): SandiConfig;
  /** config.json as `sandi init` writes it: the defaults, the check, the atomic save. */
  configFile: ConfigFile;
  /** The office's working calendar: config.json's service hours and the holidays file. */
  officeCalendar(config: SandiConfig): WorkingCalendar;
  /** The font files config.json's `pdf` names, resolved against the home folder (none: the defaults). */
  pdfFonts(config: SandiConfig): { regular?: string; bold?: string; mono?: string };
  /** Make the home folder (and its parents), or tighten an existing one, to 0700. */
  makePrivateHome(): void;
  /** The office's books (src/ports/registers.ts) over this home's store, opened on first use. */
  registers(): Registers;
  /** Whether this home has registers to read: the SQLite file exists, or the office database is PostgreSQL. */
  hasRegisters(): boolean;
  /** The register queries of `sandi agenda` and the report (src/ports/agenda.ts) over this home's store. */
  agendaBooks(): AgendaBooks;
  /** The export writer (CSV, JSON Lines, XLSX): exceljs is loaded when an export is written. */
  exportWriter: ExportWriter;
  /** Writes a report laid out by a command as a PDF (atomic): pdf-lib is loaded when one is written. */
  writePdfReport(...a: Parameters<WritePdfReport>): ReturnType<WritePdfReport>;
  /** The complaints' attachments, under <home>/arsip/aduan. */
  aduanArchive(): AttachmentArchive;
  /** The reporter's identity sealed to the archive key: openpgp.js is loaded when one is sealed or opened. */
  pelaporCipher: PelaporCipher;
  /** OpenPGP kriptogram encryption and decryption (src/ports/kriptogram.ts): openpgp.js loaded on first use. */
  kriptogram: KriptogramCrypto;
  /** Local Maildirs, read. */
  maildir: MaildirReader;
  /** The audit service's ports (src/ports/audit.ts): the database read-only, the checkpoints, their keys. */
  auditPorts(): AuditPorts;
  /** The key service's ports (src/ports/kunci.ts) over this home, built on first use. */
  kunciPorts(): KunciPorts;
  /** The account services' ports (src/ports/akun.ts) over this home, built on first use. */
  akunPorts(): AkunPorts;
  close(): void;
}

/**
 * `source`: the command's --db and environment (a CliContext fits); without them only SANDI_DB of this process
 * and config.json choose. `warn` receives the password file warnings (a .pgpass others may read).
 */
export function openApp(home: string, clock: Clock = systemClock, source: EngineSource & { warnDb?: (w: DbPasswordWarning) => void } = {}): App {
  const paths = homePaths(home);
  let engine: Engine | undefined;
  let pg: PgSync | undefined;
  let pgPasswordSource = '';
  let store: Store | undefined;
  let kunci: KunciPorts | undefined;
  let akun: AkunPorts | undefined;
  let registers: Registers | undefined;
  let agenda: AgendaBooks | undefined;
  const app: App = {
    paths,
    clock,
    engine() {
      engine ??= resolveEngine(paths, source);
      return engine;
    },
    postgres() {
      const e = app.engine();
      if (e.kind !== 'postgresql') throw new Error('App.postgres(): the engine of this home is SQLite');
      if (pg === undefined || pg.closed) {
        const opened = postgresOffice().openOfficeDatabase(e, source.env ?? process.env, source.warnDb);
        pg = opened.db;
        pgPasswordSource = opened.passwordSource;
      }
      return pg;
    },
    probeDatabase() {
      const e = app.engine();
      if (e.kind === 'sqlite') return { kind: 'sqlite', path: e.path };
      const row = app.postgres().query<{ v: string; u: string; ssl: boolean | null }>(
        "SELECT current_setting('server_version') AS v, session_user AS u, (SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()) AS ssl",
      ).rows[0];
      return { kind: 'postgresql', display: e.display, serverVersion: row?.v ?? '?', sessionUser: row?.u ?? '?', ssl: row?.ssl === true, passwordSource: pgPasswordSource };
    },
    store() {
      // the registers live in one database: with PostgreSQL chosen, the home's SQLite file is never opened
      const e = app.engine();
      if (!store && e.kind === 'postgresql') {
        if (!existsSync(paths.config)) makePrivateDir(paths.root);
        store = postgresOffice().openOfficeStore(app.postgres(), e);
      }
      if (!store) {
        // Until config.json exists the home is being set up (kunci impor, init, demo): a home folder made by
        // mkdir is tightened to 0700. After that a loose folder holding secrets is refused, like kunci/.
        if (!existsSync(paths.config)) makePrivateDir(paths.root);
        assertPrivateHome(paths.root);
      }
      store ??= openStore(paths.database);
      return store;
    },
    prepareDatabase() {
      const e = app.engine();
      if (e.kind !== 'postgresql') return null;
      return postgresOffice().prepareOfficeDatabase(app.postgres());
    },
    config: () => loadConfig(paths.config),
    configFile: {
      defaults: defaultConfig,
      validate: (raw) => validateConfig(raw, paths.config),
      // a home set up with --db or SANDI_DB on PostgreSQL remembers the office database in config.json (never
      // its password), so the workstation's next commands use it without the flag
      save: (config) => saveConfig(paths.config, withOfficeDb(config, app.engine())),
    },
    officeCalendar: (config) => loadOfficeCalendar(paths.root, config),
    pdfFonts: (config) => pdfFontFiles(config.pdf, paths.root),
    makePrivateHome() {
      makePrivateDir(paths.root);
    },
    hasRegisters: () => app.engine().kind === 'postgresql' || existsSync(paths.database),
    registers() {
      registers ??= sqliteRegisters(app.store());
      return registers;
    },
    agendaBooks() {
      agenda ??= app.engine().kind === 'postgresql' ? postgresOffice().pgAgendaBooks(() => (app.store() as PgStore).pg) : sqliteAgendaBooks(() => app.store().db);
      return agenda;
    },
    exportWriter: lazyExportWriter,
    async writePdfReport(...a) {
      return (await import('./adapters/export-pdf.js')).writePdfReport(...a);
    },
    aduanArchive() {
      // on the office database the attachments go there, named in the unit that registers the complaint
      if (app.engine().kind === 'postgresql') return postgresOffice().pgAttachmentArchive(() => postgresOffice().officeArsip(app.store() as PgStore));
      return messageArchive(join(paths.archive, 'aduan'));
    },
    pelaporCipher: lazyPelaporCipher,
    auditPorts: () => (app.engine().kind === 'postgresql' ? postgresOffice().pgAuditPorts(paths, () => app.store() as PgStore) : auditPorts(paths)),
    kriptogram: lazyKriptogram,
    maildir: { list: listMaildir, read: readMaildirMessage },
    kunciPorts() {
      kunci ??= kunciPorts(app);
      return kunci;
    },
    akunPorts() {
      akun ??= akunPorts(app);
      return akun;
    },
    close() {
      // the store first: on PostgreSQL its close records the unit's last rows on the connection, then closes it
      store?.close();
      store = undefined;
      pg?.close();
      pg = undefined;
      registers = undefined;
    },
  };
  return app;
}

const exportAdapter = () => import('./adapters/export.js');

/** The ExportWriter port, its module (and exceljs) loaded when an export is written. */
const lazyExportWriter: ExportWriter = {
  toFile: async (job, path) => (await exportAdapter()).exportToFile(job, path),
  toStream: async (job, out) => (await exportAdapter()).exportToStream(job, out),
};

const kriptogramAdapter = async (): Promise<KriptogramCrypto> => (await import('./adapters/openpgp/kriptogram.js')).openpgpKriptogram;

/** The KriptogramCrypto port on openpgp.js, loaded on first use. */
const lazyKriptogram: KriptogramCrypto = {
  encrypt: async (o) => (await kriptogramAdapter()).encrypt(o),
  decrypt: async (o) => (await kriptogramAdapter()).decrypt(o),
};

const pelaporAdapter = () => import('./adapters/openpgp/aduan-pelapor.js');

/** The PelaporCipher port on openpgp.js, loaded on first use. */
const lazyPelaporCipher: PelaporCipher = {
  encrypt: async (...a) => (await pelaporAdapter()).encryptPelapor(...a),
  unlockArchive: async (...a) => (await pelaporAdapter()).unlockArchive(...a),
  decrypt: async (blob, binding, key) => (await pelaporAdapter()).decryptPelapor(blob, binding, key as ArchiveSecret),
};

/** Long text through the terminal's pager (`less -FRX`): the CLI reaches the pager here, never the adapter. */
export const pageText: Pager = async (text, env) => (await import('./adapters/pager.js')).pageText(text, env);

/** The machine as `sandi periksa` sees it: a home's secret folders, a CUPS queue's state (loaded when asked). */
export async function periksaPorts(): Promise<PeriksaPorts> {
  const [modes, cups] = await Promise.all([import('./adapters/private-modes.js'), import('./adapters/cups-status.js')]);
  return { secretFolders: modes.secretFolders, printerState: cups.printerState };
}
