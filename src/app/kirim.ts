/**
 * Composition of the kirim service's ports (src/ports/kirim.ts) from the adapters: the SQLite registers of the
 * home's store (opened on first use), the local Maildirs, atomic file writes, in-memory sinks, PID-lock claims;
 * and, loaded only when a step calls them (a read-only command such as `kirim status` never opens SMTP
 * or IMAP through these), the kriptogram crypto, key unlocking, SMTP, the IMAP Sent folder and detached
 * signatures. (Measured on `kirim status`: imapflow is not loaded; openpgp, nodemailer and mailparser
 * still are, through modules outside these ports.)
 */
import type { App } from '../app.js';
import type { CrashPoint, KirimPorts } from '../ports/kirim.js';
import type { Registers } from '../ports/registers.js';
import { deliverToMaildir, listMaildir, maildirIn, readMaildirMessage } from '../adapters/maildir.js';
import { writeFileAtomic } from '../adapters/keystore.js';
import { MemorySink } from '../adapters/memory-sink.js';
import { tryPidLock } from '../adapters/pid-lock.js';
import { sqliteRegisters } from '../adapters/sqlite/registers/port.js';
import { postgresOffice } from './postgres.js';
import { basename } from 'node:path';
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
 * The real ports of the kirim service for an opened home. `env`: the command's environment, read for the
 * crash tests' hook only (default none: the demo and the tests that build ports never crash).
 */
export function kirimPorts(app: Pick<App, 'store'> & Partial<Pick<App, 'engine' | 'postgres'>>, env: NodeJS.ProcessEnv = {}): KirimPorts {
  return {
    registers: registersOf(app),
    auditEntries: () => app.store().auditRows(),
    crypto: {
      encrypt: async (o) => (await import('../adapters/openpgp/kriptogram.js')).encryptKriptogram(o),
      decrypt: async (o) => (await import('../adapters/openpgp/kriptogram.js')).decryptKriptogram(o),
    },
    maildirs: { maildirIn, deliver: deliverToMaildir, list: listMaildir, read: readMaildirMessage },
    writeFileAtomic: (path, content, mode) => writeFileAtomic(path, content, mode),
    memorySink: () => new MemorySink(),
    tryClaim: (path) => claimRow(app, path),
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
 * A row's claim: the home's PID lock file, and on the office database also an advisory lock named by the row
 * (the file's name, e.g. kriptogram_keluar-7), so a workstation never sends a row another one is sending.
 */
function claimRow(app: Partial<Pick<App, 'engine' | 'postgres'>>, path: string): Claim | null {
  const file = tryPidLock(path);
  if (file === null || app.engine === undefined || app.postgres === undefined || app.engine().kind !== 'postgresql') return file;
  let office: Claim | null;
  try {
    office = postgresOffice().tryPgClaim(app.postgres(), basename(path).replace(/\.lock$/, ''));
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
