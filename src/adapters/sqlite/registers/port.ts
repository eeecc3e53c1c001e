/**
 * The SQLite store as the register port (src/ports/registers.ts): each book's functions bound to the store
 * for reads and to the write transaction for a unit of work. `write` is `store.write` (BEGIN IMMEDIATE): the
 * rows, the numbers taken from nomor_urut and the audit events of one unit commit together or roll back
 * together. Nothing here adds logic; the functions are those of ./*.ts, ../terima.ts and ../aduan.ts.
 */
import type { Store, WriteTx } from '../store.js';
import type { DbLike } from './shared.js';
import type { RegisterReads, Registers, UnitOfWork } from '../../../ports/registers.js';
import { setOutgoingMessageId } from './keluar.js';
import { assignOutgoingNumber, findOutgoingByNumber, getOutgoing, listOutgoing, registerOutgoing, setOutgoingStatus } from './kriptogram-keluar.js';
import { assignOutgoingLetterNumber, getOutgoingLetter, listOutgoingLetters, registerOutgoingLetter, setOutgoingLetterStatus } from './surat-keluar.js';
import { findIncomingDuplicate } from './masuk.js';
import { addIncomingStep, getIncoming, listIncoming, listIncomingSteps, registerIncoming, setIncomingNotes, setIncomingStatus } from './surat-masuk.js';
import {
  addIncomingKriptogramStep,
  closeIncomingKriptogram,
  getIncomingKriptogram,
  listIncomingKriptogramSteps,
  recordIncomingKriptogramRead,
  registerIncomingKriptogram,
  rejectIncomingKriptogram,
} from './kriptogram-masuk.js';
import { annotate, listAnnotations } from './anotasi.js';
import {
  classifyIncoming,
  findIncomingByRef,
  findIncomingKriptogramByRef,
  getFolderPosition,
  incomingClassification,
  incomingLetterIdsAfter,
  lastIncomingLetterId,
  letterDate,
  listIncomingKriptogram,
  recordLetterDate,
  restartFolderPosition,
  setFolderPosition,
} from '../terima.js';
import { findAduan, findByTracking, findUnit, getAduan, listAduan, listLangkahAduan, pelaporBlob, recordAduanStep, registerAduan } from '../aduan.js';

function reads(db: DbLike) {
  return {
    kriptogramKeluar: {
      get: (id) => getOutgoing(db, id),
      findByNumber: (nomor) => findOutgoingByNumber(db, nomor),
      list: (filter) => listOutgoing(db, filter),
    },
    suratKeluar: {
      get: (id) => getOutgoingLetter(db, id),
      list: (filter) => listOutgoingLetters(db, filter),
    },
    suratMasuk: {
      get: (id) => getIncoming(db, id),
      list: (filter) => listIncoming(db, filter),
      findByRef: (ref) => findIncomingByRef(db, ref),
      listSteps: (id) => listIncomingSteps(db, id),
      lastId: () => lastIncomingLetterId(db),
      idsAfter: (id) => incomingLetterIdsAfter(db, id),
      letterDate: (id) => letterDate(db, id),
      classification: (id) => incomingClassification(db, id),
    },
    kriptogramMasuk: {
      get: (id) => getIncomingKriptogram(db, id),
      list: (filter) => listIncomingKriptogram(db, filter),
      findByRef: (ref) => findIncomingKriptogramByRef(db, ref),
      listSteps: (id) => listIncomingKriptogramSteps(db, id),
    },
    aduan: {
      get: (id) => getAduan(db, id),
      find: (ref, kanal) => findAduan(db, ref, kanal),
      findByTracking: (kanal, nomorPelacakan) => findByTracking(db, kanal, nomorPelacakan),
      list: (filter) => listAduan(db, filter),
      pelaporBlob: (id) => pelaporBlob(db, id),
      listSteps: (aduanId) => listLangkahAduan(db, aduanId),
      findUnit: (ref) => findUnit(db, ref),
    },
    anotasi: {
      list: (buku, baris) => listAnnotations(db, buku, baris),
    },
    posisiFolder: {
      get: (akun, folder) => getFolderPosition(db, akun, folder),
    },
    findIncomingDuplicate: (q) => findIncomingDuplicate(db, q),
  } satisfies RegisterReads;
}

function unitOfWork(tx: WriteTx): UnitOfWork {
  const r = reads(tx);
  return {
    ...r,
    kriptogramKeluar: {
      ...r.kriptogramKeluar,
      register: (row, at) => registerOutgoing(tx, row, at),
      setStatus: (id, to, fields, at, actor) => setOutgoingStatus(tx, id, to, fields, at, actor),
      assignNumber: (id, numbering, at, actor) => assignOutgoingNumber(tx, id, numbering, at, actor),
      setMessageId: (id, messageId, at, actor) => setOutgoingMessageId(tx, 'kriptogram_keluar', id, messageId, at, actor),
    },
    suratKeluar: {
      ...r.suratKeluar,
      register: (row, at) => registerOutgoingLetter(tx, row, at),
      setStatus: (id, to, fields, at, actor) => setOutgoingLetterStatus(tx, id, to, fields, at, actor),
      assignNumber: (id, numbering, at, actor) => assignOutgoingLetterNumber(tx, id, numbering, at, actor),
      setMessageId: (id, messageId, at, actor) => setOutgoingMessageId(tx, 'surat_keluar', id, messageId, at, actor),
    },
    suratMasuk: {
      ...r.suratMasuk,
      register: (row, numbering, at) => registerIncoming(tx, row, numbering, at),
      setStatus: (id, to, at, actor) => setIncomingStatus(tx, id, to, at, actor),
      setNotes: (id, notes, at, actor) => setIncomingNotes(tx, id, notes, at, actor),
      addStep: (id, langkah, data, at, actor) => addIncomingStep(tx, id, langkah, data, at, actor),
      recordLetterDate: (id, tanggal) => recordLetterDate(tx, id, tanggal),
      classify: (id, k, at) => classifyIncoming(tx, id, k, at),
    },
    kriptogramMasuk: {
      ...r.kriptogramMasuk,
      register: (row, numbering, at) => registerIncomingKriptogram(tx, row, numbering, at),
      recordRead: (id, result, at, actor) => recordIncomingKriptogramRead(tx, id, result, at, actor),
      reject: (id, rej, at, actor) => rejectIncomingKriptogram(tx, id, rej, at, actor),
      addStep: (id, langkah, data, at, actor) => addIncomingKriptogramStep(tx, id, langkah, data, at, actor),
      close: (id, at, actor) => closeIncomingKriptogram(tx, id, at, actor),
    },
    aduan: {
      ...r.aduan,
      register: (row, at, actor) => registerAduan(tx, row, at, actor),
      recordStep: (id, s, at, actor) => recordAduanStep(tx, id, s, at, actor),
    },
    anotasi: {
      ...r.anotasi,
      annotate: (a, at) => annotate(tx, a, at),
    },
    posisiFolder: {
      ...r.posisiFolder,
      set: (akun, folder, pos, at) => setFolderPosition(tx, akun, folder, pos, at),
      restart: (akun, folder, pos, at) => restartFolderPosition(tx, akun, folder, pos, at),
    },
    audit: (at, event) => tx.audit(at, event),
  } satisfies UnitOfWork;
}

/** The register port over an open SQLite store. */
export function sqliteRegisters(store: Store): Registers {
  return {
    ...reads(store),
    write: <T>(fn: (uow: UnitOfWork) => T): T => store.write((tx) => fn(unitOfWork(tx))),
  } satisfies Registers;
}
