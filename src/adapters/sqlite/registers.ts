/**
 * The office's books as typed functions over the SQLite store. Every write takes the WriteTx of
 * `store.write()` (BEGIN IMMEDIATE), changes one register row and appends one audit event in the same
 * transaction, so a change is either fully recorded or not at all. Illegal moves are refused here with a
 * clear CONFLICT before SQL is touched; the triggers of migration 2 refuse them again underneath.
 *
 * Times are stored as UTC ISO 8601; the year and month of a number are those of the office's time zone.
 *
 * This file is the index: each book lives in its own file under ./registers/ (kriptogram-keluar, surat-keluar,
 * surat-masuk, kriptogram-masuk, anotasi; keluar/masuk hold what two books share, shared the helpers and
 * the numbering). The register port (src/ports/registers.ts) is ./registers/port.ts: sqliteRegisters(store).
 */
export { allocateNumber, type DbLike } from './registers/shared.js';
export { setOutgoingMessageId } from './registers/keluar.js';
export { assignOutgoingNumber, findOutgoingByNumber, getOutgoing, listOutgoing, registerOutgoing, setOutgoingStatus } from './registers/kriptogram-keluar.js';
export { assignOutgoingLetterNumber, getOutgoingLetter, listOutgoingLetters, registerOutgoingLetter, setOutgoingLetterStatus } from './registers/surat-keluar.js';
export { findIncomingDuplicate } from './registers/masuk.js';
export { addIncomingStep, getIncoming, listIncoming, listIncomingSteps, registerIncoming, setIncomingNotes, setIncomingStatus } from './registers/surat-masuk.js';
export {
  addIncomingKriptogramStep,
  closeIncomingKriptogram,
  getIncomingKriptogram,
  listIncomingKriptogramSteps,
  recordIncomingKriptogramRead,
  registerIncomingKriptogram,
  rejectIncomingKriptogram,
} from './registers/kriptogram-masuk.js';
export { annotate, listAnnotations } from './registers/anotasi.js';

// the record types live in src/domain/; re-exported so existing importers keep working
export type { Numbering } from '../../domain/records.js';
export type { KriptogramKeluar, NewKriptogramKeluar, NewSuratKeluar, OutgoingFilter, OutgoingStatusFields, Recipient, RequestLetter, SuratKeluar } from '../../domain/records-keluar.js';
export type { IncomingSource, KriptogramMasuk, Lampiran, LangkahRow, NewKriptogramMasuk, NewSuratMasuk, SuratMasuk } from '../../domain/records-masuk.js';
export type { Anotasi, NewAnotasi } from '../../domain/records-anotasi.js';
