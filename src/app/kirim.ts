/**
 * Composition of the kirim service's ports (src/ports/kirim.ts) from the adapters: the SQLite registers of the
 * home's store (opened on first use), the local Maildirs, atomic file writes, in-memory sinks, PID-lock claims;
 * and, loaded only when a step calls them (a read-only command such as `kirim status` never opens SMTP
 * or IMAP through these), the kriptogram crypto, key unlocking, SMTP, the IMAP Sent folder and detached
 * signatures. (Measured on `kirim status`: imapflow is not loaded; openpgp, nodemailer and mailparser
 * still are, through modules outside these ports.)
 */
import type { App } from '../app.js';
import type { KirimPorts } from '../ports/kirim.js';
import type { Registers } from '../ports/registers.js';
import { deliverToMaildir, listMaildir, maildirIn, readMaildirMessage } from '../adapters/maildir.js';
import { writeFileAtomic } from '../adapters/keystore.js';
import { MemorySink } from '../adapters/memory-sink.js';
import { tryPidLock } from '../adapters/pid-lock.js';
import { sqliteRegisters } from '../adapters/sqlite/registers/port.js';

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

/** The real ports of the kirim service for an opened home. */
export function kirimPorts(app: Pick<App, 'store'>): KirimPorts {
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
    tryClaim: tryPidLock,
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
  };
}
