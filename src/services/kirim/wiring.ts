/**
 * The one file of the kirim service that loads adapters: the registers, the kriptogram crypto, the Maildirs,
 * the archive's atomic writes, the row claims, and (loaded only when a step needs them, so a read-only
 * command never opens SMTP or IMAP) key unlocking, IMAP, SMTP and detached signatures. The SOP steps reach
 * them only through `KirimCtx.io` (context.ts), so a step can be run against fakes; once src/app.ts hands
 * services their ports (issue 14 item 2) this file goes away.
 */
import { encryptKriptogram, decryptKriptogram } from '../../adapters/openpgp/kriptogram.js';
import { deliverToMaildir, listMaildir, maildirIn, readMaildirMessage } from '../../adapters/maildir.js';
import { writeFileAtomic } from '../../adapters/keystore.js';
import {
  assignOutgoingNumber,
  getOutgoing,
  listOutgoing,
  registerOutgoing,
  setOutgoingMessageId,
  setOutgoingStatus,
  assignOutgoingLetterNumber,
  getOutgoingLetter,
  listOutgoingLetters,
  registerOutgoingLetter,
  setOutgoingLetterStatus,
} from '../../adapters/sqlite/registers.js';
import { MemorySink } from '../../adapters/memory-sink.js';
import { tryPidLock } from '../../adapters/pid-lock.js';

export const kirimAdapters = {
  encryptKriptogram,
  decryptKriptogram,
  deliverToMaildir,
  listMaildir,
  maildirIn,
  readMaildirMessage,
  writeFileAtomic,
  assignOutgoingNumber,
  getOutgoing,
  listOutgoing,
  registerOutgoing,
  setOutgoingMessageId,
  setOutgoingStatus,
  assignOutgoingLetterNumber,
  getOutgoingLetter,
  listOutgoingLetters,
  registerOutgoingLetter,
  setOutgoingLetterStatus,
  MemorySink,
  tryPidLock,
  unlocker: () => import('../../adapters/openpgp/kunci-terbuka.js'),
  imap: () => import('../../adapters/mail/imap.js'),
  smtp: () => import('../../adapters/mail/smtp.js'),
  detachedSigner: () => import('../../adapters/openpgp/tanda-tangan.js'),
};

/** What the kirim steps use of the outside world (the real adapters above, or a test's fakes). */
export type KirimAdapters = typeof kirimAdapters;
