/**
 * The register port: the office's books as a service sees them, whatever engine keeps them (SQLite today,
 * the office's shared PostgreSQL next). Derived from what the services call today.
 *
 * One book per interface (outgoing kriptogram, outgoing ordinary letter, incoming letter, incoming kriptogram,
 * complaint, annotations), each split into what it reads and what it writes. Writes exist only inside a
 * unit of work, `Registers.write(fn)`: every register change made in `fn`, every number it takes from a
 * book's gapless sequence of the year, and every audit event it appends (each write appends its own; `audit`
 * appends one that is not a register change) commit together, or none does — a thrown error rolls the whole
 * unit back, so a number is never lost and never given twice. An engine serialises units of work that write.
 *
 * Errors are SandiError: DATA for a bad value, NOT_FOUND for a missing row, CONFLICT for an illegal move, a
 * set-once field set again or a duplicate message. Times are passed in (`at`, from the service's clock) and
 * stored as UTC ISO 8601; the year and month of a number are those of the office's time zone (Numbering).
 *
 * Nothing here imports a library or an adapter: types only.
 */
import type { SuratMasukLangkah, SuratMasukStatus } from '../domain/incoming-state.js';
import type { OutgoingStatus } from '../domain/outgoing-state.js';
import type { AduanStatus } from '../domain/aduan.js';
import type { Buku, Derajat, Numbering, Sifat } from '../domain/records.js';
import type { KriptogramKeluar, NewKriptogramKeluar, NewSuratKeluar, OutgoingFilter, OutgoingStatusFields, SuratKeluar } from '../domain/records-keluar.js';
import type { FolderPosition, IncomingSource, KriptogramMasuk, LangkahRow, NewKriptogramMasuk, NewSuratMasuk, SuratMasuk } from '../domain/records-masuk.js';
import type { Anotasi, NewAnotasi } from '../domain/records-anotasi.js';
import type { Aduan, LangkahAduan, NewAduan, StepWrite } from '../domain/records-aduan.js';

/** One event of the hash-chained audit log (the engine adds the time, the id and the chain). */
export interface AuditAppend {
  actor: string;
  action: string;
  entity: string;
  entityId?: string | null;
  data?: unknown;
}

// ------------------------------------------------------------------------------------------ outgoing

/** The outgoing kriptogram register (kriptogram_keluar). */
export interface KriptogramKeluarReads {
  /** NOT_FOUND when there is none */
  get(id: number): KriptogramKeluar;
  findByNumber(nomor: string): KriptogramKeluar | null;
  /** in id order, streamed */
  list(filter?: OutgoingFilter): IterableIterator<KriptogramKeluar>;
}

export interface KriptogramKeluarWrites extends KriptogramKeluarReads {
  /** status terdaftar; the subject in clear for Biasa/Terbatas, already encrypted for Rahasia and above */
  register(row: NewKriptogramKeluar, at: Date): KriptogramKeluar;
  /** the next state and what it records; numbering is assignNumber */
  setStatus(id: number, to: OutgoingStatus, fields: OutgoingStatusFields, at: Date, actor: string): KriptogramKeluar;
  /** a signed row takes the next gapless number of the year (status bernomor) */
  assignNumber(id: number, numbering: Numbering, at: Date, actor: string): KriptogramKeluar;
  /** fixed once, before the first SMTP byte; the same value again is a no-op */
  setMessageId(id: number, messageId: string, at: Date, actor: string): void;
}

/** The outgoing ordinary letter register (surat_keluar, `sandi kirim --biasa`). */
export interface SuratKeluarReads {
  get(id: number): SuratKeluar;
  list(filter?: OutgoingFilter): IterableIterator<SuratKeluar>;
}

export interface SuratKeluarWrites extends SuratKeluarReads {
  register(row: NewSuratKeluar, at: Date): SuratKeluar;
  setStatus(id: number, to: OutgoingStatus, fields: OutgoingStatusFields, at: Date, actor: string): SuratKeluar;
  assignNumber(id: number, numbering: Numbering, at: Date, actor: string): SuratKeluar;
  setMessageId(id: number, messageId: string, at: Date, actor: string): void;
}

// ------------------------------------------------------------------------------------------ incoming

/** The incoming letter register (surat_masuk) and its SOP step events. */
export interface SuratMasukReads {
  get(id: number): SuratMasuk;
  /** in id order, streamed */
  list(filter?: { from?: string; to?: string; status?: SuratMasukStatus }): IterableIterator<SuratMasuk>;
  /** by id or agenda number, or null */
  findByRef(ref: string): SuratMasuk | null;
  /** the step events, oldest first */
  listSteps(id: number): LangkahRow[];
  /** the highest id (0 when empty), and the ids registered after one: what one fetch run registered */
  lastId(): number;
  idsAfter(id: number): number[];
  /** the letter's own date as a calendar date (YYYY-MM-DD), when it could be read */
  letterDate(id: number): string | null;
  /** the classification that applies: as registered, or as corrected */
  classification(id: number): { sifat: Sifat; derajat: Derajat; dikoreksi: boolean };
}

export interface SuratMasukWrites extends SuratMasukReads {
  /** takes the next gapless agenda number of the year; the raw message is already archived */
  register(row: NewSuratMasuk, numbering: Numbering, at: Date): SuratMasuk;
  /** the furthest SOP step reached */
  setStatus(id: number, to: SuratMasukStatus, at: Date, actor: string): SuratMasuk;
  /** summary or remarks, each set once (then: an annotation) */
  setNotes(id: number, notes: { isiRingkas?: string; keterangan?: string }, at: Date, actor: string): SuratMasuk;
  addStep(id: number, langkah: SuratMasukLangkah, data: unknown, at: Date, actor: string): LangkahRow;
  recordLetterDate(id: number, tanggal: string): void;
  /** a correction of the classification, recorded as an annotation (the row is never edited) */
  classify(id: number, k: { sifat?: Sifat; derajat?: Derajat; alasan: string; actor: string }, at: Date): void;
}

/** The incoming kriptogram register (kriptogram_masuk) and the SOP step events of one that was read. */
export interface KriptogramMasukReads {
  get(id: number): KriptogramMasuk;
  list(filter?: { status?: string }): KriptogramMasuk[];
  findByRef(ref: string): KriptogramMasuk | null;
  listSteps(id: number): Omit<LangkahRow, 'suratMasukId'>[];
}

export interface KriptogramMasukWrites extends KriptogramMasukReads {
  register(row: NewKriptogramMasuk, numbering: Numbering, at: Date): KriptogramMasuk;
  /** decrypted and its signatures checked (status terbaca) */
  recordRead(
    id: number,
    result: { sifat?: Sifat | null; perihalTerenkripsi?: Uint8Array | null; nomorPengirim?: string | null; penandaTangan: unknown },
    at: Date,
    actor: string,
  ): KriptogramMasuk;
  /** refused (integrity or signature failure), with the reason */
  reject(id: number, r: { alasan: string; penandaTangan?: unknown }, at: Date, actor: string): KriptogramMasuk;
  addStep(id: number, langkah: Exclude<SuratMasukLangkah, 'teruskan'>, data: unknown, at: Date, actor: string): Omit<LangkahRow, 'suratMasukId'>;
  close(id: number, at: Date, actor: string): KriptogramMasuk;
}

/** The row a message was already registered as, in either incoming register (hash, IMAP source, Message-ID). */
export type IncomingDuplicate = { buku: 'surat_masuk' | 'kriptogram_masuk'; id: number; nomor: string; by: 'sha256' | 'source' | 'message_id' };

/** Where `sandi terima` stopped per mailbox account and folder; moved in the unit of work that registers. */
export interface FolderPositionsReads {
  get(akun: string, folder: string): FolderPosition | null;
}

export interface FolderPositionsWrites extends FolderPositionsReads {
  set(akun: string, folder: string, pos: FolderPosition, at: Date): void;
  /** a new UIDVALIDITY: the folder starts again */
  restart(akun: string, folder: string, pos: FolderPosition, at: Date): void;
}

// ------------------------------------------------------------------------------- complaints, annotations

/** The complaint register (aduan) and its hand-over events. The reporter's identity is an opaque encrypted blob. */
export interface AduanReads {
  get(id: number): Aduan;
  /** by id, register number or tracking id (optionally of one channel) */
  find(ref: string, kanal?: string): Aduan[];
  findByTracking(kanal: string, nomorPelacakan: string): Aduan | null;
  list(filter?: { statuses?: readonly AduanStatus[] }): IterableIterator<Aduan>;
  pelaporBlob(id: number): Uint8Array | null;
  listSteps(aduanId: number): LangkahAduan[];
  /** address-book units matching a name, code or mailbox */
  findUnit(ref: string): { unit: string; email: string }[];
}

export interface AduanWrites extends AduanReads {
  register(row: NewAduan, at: Date, actor: string): Aduan;
  /** the row must still be in `s.from`: a concurrent change throws StaleAduan (domain/records-aduan.ts), never lost */
  recordStep(id: number, s: StepWrite, at: Date, actor: string): Aduan;
}

/** Notes and corrections of a row of the four books; registers themselves are never edited. */
export interface AnotasiReads {
  list(buku: Buku, baris: number): Anotasi[];
}

export interface AnotasiWrites extends AnotasiReads {
  annotate(a: NewAnotasi, at: Date): Anotasi;
}

// ------------------------------------------------------------------------------------------ the port

/** Every book, read-only: outside a unit of work, what is committed. */
export interface RegisterReads {
  kriptogramKeluar: KriptogramKeluarReads;
  suratKeluar: SuratKeluarReads;
  suratMasuk: SuratMasukReads;
  kriptogramMasuk: KriptogramMasukReads;
  aduan: AduanReads;
  anotasi: AnotasiReads;
  posisiFolder: FolderPositionsReads;
  findIncomingDuplicate(q: { rawSha256: string; messageId?: string | null; source?: IncomingSource }): IncomingDuplicate | null;
}

/** Every book inside one unit of work: reads see the unit's own writes. */
export interface UnitOfWork extends RegisterReads {
  kriptogramKeluar: KriptogramKeluarWrites;
  suratKeluar: SuratKeluarWrites;
  suratMasuk: SuratMasukWrites;
  kriptogramMasuk: KriptogramMasukWrites;
  aduan: AduanWrites;
  anotasi: AnotasiWrites;
  posisiFolder: FolderPositionsWrites;
  /** append an audit event that is not a register change (e.g. a copy filed in the Sent folder) */
  audit(at: Date, event: AuditAppend): void;
}

export interface Registers extends RegisterReads {
  /** Run `fn` as one unit of work: all of it commits, with its numbers and audit events, or none of it. */
  write<T>(fn: (uow: UnitOfWork) => T): T;
}
