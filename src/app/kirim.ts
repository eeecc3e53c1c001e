/**
 * Composition of the kirim service's ports (src/ports/kirim.ts) from the adapters: the SQLite registers of the
 * home's store (opened on first use), the local Maildirs, the office archive (the home's arsip/ folder, or the
 * office database on PostgreSQL), in-memory sinks, PID-lock claims;
 * and, loaded only when a step calls them (a read-only command such as `kirim status` never opens SMTP
 * or IMAP through these), the kriptogram crypto, key unlocking, SMTP, the IMAP Sent folder and detached
 * signatures. (Measured on `kirim status`: imapflow is not loaded; openpgp, nodemailer and mailparser
 * still are, through modules outside these ports.)
 */
import type { App } from '../app.js';
import type { CrashPoint, KirimPorts } from '../ports/kirim.js';
import type { Registers } from '../ports/registers.js';
import { deliverToMaildir, listMaildir, maildirIn, readMaildirMessage } from '../adapters/maildir.js';
import { folderArsip } from '../adapters/arsip-folder.js';
import type { PgStore } from '../adapters/postgres/store.js';
import type { ArsipStore } from '../ports/arsip.js';
import { MemorySink } from '../adapters/memory-sink.js';
import { tryPidLock } from '../adapters/pid-lock.js';
import { sqliteRegisters } from '../adapters/sqlite/registers/port.js';
import type { ClaimedBuku, PgRowClaims } from '../adapters/postgres/claim.js';
import { postgresOffice } from './postgres.js';
import { basename, join } from 'node:path';
import { kriptogramSpool } from '../adapters/openpgp/kriptogram-file.js';
import type { Claim } from '../ports/mail.js';

/**
 * The register port bound to the store it was made for: a store opened again (after app.close()) gets a new
 * one.
 */
export function registersOf(app: Pick<App, 'store'>): () => Registers {
  let bound: { store: ReturnType<App['store']>; registers: Registers } | null = null;
  return () => {
    const store = app.store();
    if (bound?.store !== store) bound = { store, registers: sqliteRegisters(store) };
    return bound.registers;
  };
}

/**
 * The office archive as kirim sees it: the home's arsip/ folder on SQLite; on PostgreSQL the office database's
 * archive of the store the registers use (src/app/postgres-office.ts officeArsip: one per store, shared with terima),
 * so a name kirim writes before a unit of work (a draft, a final kriptogram, a letter's part) is committed by
 * that unit, with the register row that names it. There a name the database lacks is read from this home's
 * folder: files kirim archived here before the office moved onto PostgreSQL (`db salin` leaves the archive
 * files in the home), as terima's raw mail. Which engine is decided on first use (it is resolved then), and
 * the archive follows a store opened again.
 */
export function arsipOf(app: Pick<App, 'store' | 'paths'> & Partial<Pick<App, 'engine'>>): ArsipStore {
  let folder: ArsipStore | null = null;
  const home = (): ArsipStore => (folder ??= folderArsip(app.paths.archive));
  const office = (): ArsipStore | null => (app.engine?.().kind === 'postgresql' ? postgresOffice().officeArsip(app.store() as PgStore) : null);
  /** where a name is read from: the database, or this home's folder for a name only it has */
  const reader = (name: string): ArsipStore => {
    const db = office();
    return db === null || db.exists(name) || !home().exists(name) ? (db ?? home()) : home();
  };
  return {
    get where() {
      return (office() ?? home()).where;
    },
    write: (name, source, opts) => (office() ?? home()).write(name, source, opts),
    writeSync: (name, data, opts) => (office() ?? home()).writeSync(name, data, opts),
    exists: (name) => reader(name).exists(name),
    readSync: (name) => reader(name).readSync(name),
    open: (name) => reader(name).open(name),
    stat: (name) => reader(name).stat(name),
    list(prefix) {
      const db = office();
      if (db === null) return home().list(prefix);
      return [...new Set([...db.list(prefix), ...home().list(prefix)])].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    },
    abandon(name, opts) {
      const db = office();
      return (db?.abandon(name, opts) ?? false) || home().abandon(name, opts);
    },
  };
}

/**
 * The real ports of the kirim service for an opened home. `env`: the command's environment, read for the
 * crash tests' hook only (default none: the demo and the tests that build ports never crash).
 */
export function kirimPorts(app: Pick<App, 'store' | 'paths'> & Partial<Pick<App, 'engine' | 'postgres'>>, env: NodeJS.ProcessEnv = {}): KirimPorts {
  let office: PgRowClaims | undefined;
  // the office database's row claims, on connections of their own (opened with the first claim)
  const officeClaims = (): PgRowClaims => {
    const pg = app.postgres?.();
    if (pg === undefined) throw new Error('kirimPorts: no office database');
    office ??= postgresOffice().pgRowClaims(() => pg.another(), (app.store() as PgStore).schema);
    return office;
  };
  return {
    registers: registersOf(app),
    auditEntries: () => app.store().auditRows(),
    crypto: {
      encrypt: async (o) => (await import('../adapters/openpgp/kriptogram.js')).encryptKriptogram(o),
      decrypt: async (o) => (await import('../adapters/openpgp/kriptogram.js')).decryptKriptogram(o),
    },
    maildirs: { maildirIn, deliver: deliverToMaildir, list: listMaildir, read: readMaildirMessage },
    arsip: arsipOf(app),
    memorySink: () => new MemorySink(),
    spool: () => kriptogramSpool(join(app.paths.root, '.kirim-spool')),
    tryClaim: (path) => claimRow(app, path, officeClaims),
    unlocker: async () => (await import('../adapters/openpgp/kunci-terbuka.js')).unlockedArmored,
    mailSender: async () => {
      const { sendRaw } = await import('../adapters/mail/smtp.js');
      return { sendRaw };
    },
    sentFolder: async () => {
      const { ImapMailbox } = await import('../adapters/mail/imap.js');
      return { connect: (login) => ImapMailbox.connect(login) };
    },
    detachedSigner: async () => (await import('../adapters/openpgp/tanda-tangan.js')).signDetached,
    crashPoint: (point) => crashAt(env, point),
  };
}

/**
 * A row's claim: the home's PID lock file, and on the office database also a row lock (FOR UPDATE SKIP LOCKED)
 * on the row's lock row, held by a connection of its own for as long as the claim (src/adapters/postgres/claim.ts),
 * so a workstation never sends a row another one is sending, and skips it without waiting. The row is named by
 * the file's name (e.g. kriptogram_keluar-7.lock).
 */
function claimRow(app: Partial<Pick<App, 'engine' | 'postgres'>>, path: string, officeClaims: () => PgRowClaims): Claim | null {
  const file = tryPidLock(path);
  if (file === null || app.engine === undefined || app.postgres === undefined || app.engine().kind !== 'postgresql') return file;
  let office: Claim | null;
  try {
    const m = /^(kriptogram_keluar|surat_keluar)-(\d+)\.lock$/.exec(basename(path));
    if (m === null) throw new Error(`kirim claim: ${basename(path)} names no outgoing row`);
    office = officeClaims().tryClaim(m[1] as ClaimedBuku, Number(m[2]));
  } catch (e) {
    file.release();
    throw e;
  }
  if (office === null) {
    file.release();
    return null;
  }
  const held = office;
  return {
    release() {
      held.release();
      file.release();
    },
  };
}

/**
 * TEST-ONLY hook, read here and nowhere else: with SANDI_TEST_CRASH_AT=<point> the process SIGKILLs itself
 * at that point (no cleanup, no finally blocks: like a power cut), so the crash tests
 * (test/integration/kirim-crash.test.ts) reach every window of the flow deterministically. Never set it
 * outside tests.
 */
function crashAt(env: NodeJS.ProcessEnv, point: CrashPoint): void {
  if (env['SANDI_TEST_CRASH_AT'] === point) process.kill(process.pid, 'SIGKILL');
}
