/**
 * Composition of the terima service's ports (src/ports/terima.ts) from the adapters: the SQLite registers of
 * the home's store (opened on first use), the archive of raw mail, the message parser, the local Maildirs,
 * pdftotext, atomic writes, sinks and the fetch lock; and, loaded only when a step calls them (so `terima
 * status` no longer loads imapflow, which ambil-imap's static import used to load), the IMAP client, SMTP, the kriptogram crypto,
 * the parts of a kriptogram and the print pack.
 */
import type { App } from '../app.js';
import type { TerimaPorts } from '../ports/terima.js';
import { messageArchive } from '../adapters/archive.js';
import type { PgStore } from '../adapters/postgres/store.js';
import { parseIncoming } from '../adapters/mail/terima-parser.js';
import { holdYoungGeneration, messageParser } from '../adapters/mail/parse-pool.js';
import { deliverToMaildir, listMaildir, maildirIn, readMaildirMessage } from '../adapters/maildir.js';
import { pdfText } from '../adapters/pdf-text.js';
import { writeFileAtomic } from '../adapters/keystore.js';
import { CountingSink, MemorySink } from '../adapters/memory-sink.js';
import { takePidLock } from '../adapters/pid-lock.js';
import { registersOf } from './kirim.js';
import { postgresOffice } from './postgres.js';
import { SandiError } from '../errors.js';
import type { Claim } from '../ports/mail.js';

/** The real ports of the terima service for an opened home. */
export function terimaPorts(app: Pick<App, 'store'> & Partial<Pick<App, 'engine' | 'postgres' | 'config'>>): TerimaPorts {
  return {
    registers: registersOf(app),
    // on the office database the raw mail is archived there, in the unit that registers it (every workstation reads it)
    archive: (dir) => (app.engine?.().kind === 'postgresql' ? postgresOffice().pgMessageArchive(dir, () => postgresOffice().officeArsip(app.store() as PgStore)) : messageArchive(dir)),
    parseIncoming,
    // a fetch: the process's young generation stops growing with the message count (issue 16)
    messageParser: (o) => {
      holdYoungGeneration();
      return messageParser(o);
    },
    mailbox: async () => {
      const { ImapMailbox } = await import('../adapters/mail/imap.js');
      return { connect: (login) => ImapMailbox.connect(login) };
    },
    maildirs: { maildirIn, deliver: deliverToMaildir, list: listMaildir, read: readMaildirMessage },
    mailSender: async () => {
      const { sendRaw } = await import('../adapters/mail/smtp.js');
      return { sendRaw };
    },
    crypto: {
      encrypt: async (o) => (await import('../adapters/openpgp/kriptogram.js')).encryptKriptogram(o),
      decrypt: async (o) => (await import('../adapters/openpgp/kriptogram.js')).decryptKriptogram(o),
    },
    bagian: async () => {
      const { pisahkanBagian, tulisBagian } = await import('../adapters/bagian-kriptogram.js');
      return { pisahkan: pisahkanBagian, tulis: tulisBagian };
    },
    pdfText: (pdf) => pdfText(pdf),
    printer: async () => {
      const { buildPrintPack, printWithLp, lpJobIds } = await import('../adapters/print.js');
      return { buildPrintPack, print: printWithLp, jobIds: lpJobIds };
    },
    writeFileAtomic: (path, content, mode) => writeFileAtomic(path, content, mode),
    memorySink: () => new MemorySink(),
    countingSink: () => new CountingSink(),
    lock: async (path, busyKey) => officeFetchLock(app, await takePidLock(path, busyKey)),
  };
}

/**
 * On the office database a fetch also takes an advisory lock named by the mailbox (one fetch per office and
 * mailbox, whichever workstation runs it): a second one is TEMPFAIL (75) naming the workstation that holds it
 * (its database role, program name and address, as the server sees that session). The home's lock file is
 * taken first and kept with it; a local Maildir (no mailbox in config.json) is the home's own: no office lock.
 */
function officeFetchLock(app: Partial<Pick<App, 'engine' | 'postgres' | 'config'>>, file: Claim): Claim {
  if (app.engine === undefined || app.postgres === undefined || app.config === undefined || app.engine().kind !== 'postgresql') return file;
  try {
    const mailbox = app.config().mailbox;
    if (!mailbox) return file;
    const name = `terima:${mailbox.user.toLowerCase()}@${mailbox.imap.host.toLowerCase()}`;
    const pg = app.postgres();
    const office = postgresOffice().tryPgClaim(pg, name);
    if (office === null) {
      const h = postgresOffice().pgClaimHolder(pg, name);
      throw new SandiError('TEMPFAIL', 'db.terimaBusy', { mailbox: mailbox.user, user: h?.user ?? '?', workstation: h?.application ?? '?', address: h?.address ?? '?' }, { hint: 'db.terimaBusy.hint' });
    }
    return {
      release() {
        office.release();
        file.release();
      },
    };
  } catch (e) {
    file.release();
    throw e;
  }
}
