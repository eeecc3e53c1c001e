/**
 * The kirim service's records and views: what the CLI passes in (KirimInput, BiasaInput, KirimOptions), what
 * it gets back (KirimReport, RowView, LetterView, ResumeReport, SendOutcome), and the small shapes the SOP
 * steps hand each other (the draft sidecar, the paraf record, an unlocked key). No I/O here.
 */
import type { PassphraseSource, ProtectedHeaders, SignerReport } from '../../ports.js';
import type { KriptogramKeluar, RequestLetter, SuratKeluar } from '../../domain/records-keluar.js';
import type { Derajat, Sifat } from '../../domain/records.js';
import { waitingFor, type Giliran, type ResumeAction, type RetryPolicy } from '../../domain/kirim.js';
import type { OutgoingBuku, OutgoingStatus } from '../../domain/outgoing-state.js';

export type KirimStep = 'diperiksa' | 'terdaftar' | 'surat-terdaftar' | 'diparaf' | 'ditandatangani' | 'bernomor' | 'terkirim';

/** A document already in memory (the demo's, or one a caller never wants on disk). */
export interface DokumenDiMemori {
  fileName: string;
  data: Buffer;
}

export interface KirimInput {
  /** path of the document to send, or the document in memory */
  dokumen: string | DokumenDiMemori;
  /** recipients' e-mail addresses, looked up in the address book */
  kepada: string[];
  perihal: string;
  sifat: Sifat;
  derajat: Derajat;
  permohonan: Partial<RequestLetter>;
  assignedBy?: string | null;
}

export interface KirimOptions {
  /** who acts (audit log) */
  actor: string;
  env: NodeJS.ProcessEnv;
  /** passphrase of the sandiman's key (role sandiman) and of the Kasi's key (role kasi) */
  passphrases: { sandiman?: PassphraseSource; kasi?: PassphraseSource; /** the archive key's (it opens the stored mailbox password) */ arsip?: PassphraseSource };
  progress?: (step: KirimStep, id: number | null) => void;
  warn?: (key: string, params: Record<string, string | number>) => void;
  /** overrides config.singleOperator (the demo: one person holds both roles) */
  singleOperator?: boolean;
  /** audit actor of the Kasi's signature (default: actor) */
  kasiActor?: string;
  /** retries of a temporary SMTP refusal (4xx); default SMTP_RETRY */
  retry?: RetryPolicy;
  sleep?: (ms: number) => Promise<void>;
}

export interface SendOutcome {
  via: 'maildir' | 'smtp';
  /** `file`: the Maildir file name (local delivery), null for SMTP */
  delivered: { email: string; where: string; file: string | null }[];
  serverReply: string;
  sentCopy: string | null;
}

export interface KirimReport {
  row: RowView;
  /** set when the flow stopped early and why (two-person mode: waiting for the Kasi) */
  waiting: Giliran;
  sent: SendOutcome | null;
}

/** A register row as shown by status/--json (the encrypted subject is never shown). */
export interface RowView {
  id: number;
  status: OutgoingStatus;
  menunggu: Giliran;
  nomor: string | null;
  registeredAt: string;
  sifat: Sifat;
  derajat: Derajat;
  perihal: string | null;
  kepada: { email: string; unit: string }[];
  permohonan: RequestLetter;
  sandiman: string;
  signer: string | null;
  messageId: string | null;
  sentAt: string | null;
  batalAlasan: string | null;
}

export interface DraftView {
  row: RowView;
  fileName: string;
  subject: string;
  bytes: number;
  paraf: SignerReport;
  /** the document, in memory only, for the Kasi to read before signing */
  document: Buffer;
}

/** An ordinary letter to send in clear (`sandi kirim --biasa`). */
export interface BiasaInput {
  dokumen: string | DokumenDiMemori;
  /** e-mail addresses; the unit's name comes from the address book when the address is there */
  kepada: string[];
  perihal: string;
  /** Biasa only (the default): Terbatas and above are exempted documents and go as a kriptogram */
  sifat?: Sifat;
  derajat?: Derajat;
  permohonan: Partial<RequestLetter>;
  assignedBy?: string | null;
  /** sign with the sandiman's key (RFC 3156 multipart/signed) */
  tandatangani?: boolean;
}

/** A row of the outgoing mail register (surat keluar) as shown by status/--json. */
export interface LetterView {
  id: number;
  status: OutgoingStatus;
  nomor: string | null;
  registeredAt: string;
  sifat: 'Biasa' | 'Terbatas';
  derajat: Derajat;
  perihal: string;
  kepada: { email: string; unit: string }[];
  permohonan: RequestLetter;
  operator: string;
  signer: string | null;
  messageId: string | null;
  sentAt: string | null;
  serverReply: string | null;
  batalAlasan: string | null;
}

export interface BiasaReport {
  row: LetterView;
  sent: SendOutcome;
}

export function letterView(r: SuratKeluar): LetterView {
  return {
    id: r.id,
    status: r.status,
    nomor: r.nomor,
    registeredAt: r.registeredAt,
    sifat: r.sifat,
    derajat: r.derajat,
    perihal: r.perihal,
    kepada: r.recipients.map((x) => ({ email: x.email, unit: x.unit })),
    permohonan: r.permohonan,
    operator: r.operator,
    signer: r.signer,
    messageId: r.messageId,
    sentAt: r.sentAt,
    serverReply: r.serverReply,
    batalAlasan: r.batalAlasan,
  };
}

export interface ResumeReport {
  buku: OutgoingBuku;
  id: number;
  nomor: string | null;
  from: OutgoingStatus;
  to: OutgoingStatus;
  /** sedang-diproses: another run is working on the row now (left to it); salinan-sent: its Sent copy was added */
  action: ResumeAction | 'perlu-keputusan' | 'sedang-diproses' | 'salinan-sent';
}

/** The operator's answer about a tidak_pasti row that could not be checked: sent already, or not. */
export type Keputusan = 'sudah' | 'belum' | null;

/** Asks the operator about a tidak_pasti row of either register. */
export type Decide = (r: { buku: OutgoingBuku; id: number; nomor: string | null }) => Promise<Keputusan>;

export type OutRow = KriptogramKeluar | SuratKeluar;
export const isKriptogram = (r: OutRow): r is KriptogramKeluar => 'sandiman' in r;
export const bukuOf = (r: OutRow): OutgoingBuku => (isKriptogram(r) ? 'kriptogram_keluar' : 'surat_keluar');

/** A secret key already unlocked (decrypted armor, memory only): what encrypt/decrypt take as a key. */
export interface UnlockedKey {
  armored: string;
}

export interface DraftSidecar {
  v: 2;
  parafFpr: string;
  drafSha256: string;
  parafSha256: string;
}

export interface ParafRecord {
  v: 1;
  boundary: string;
  fileName: string;
  headers: ProtectedHeaders;
  /** base64 of the sandiman's signature packet body over the draft content */
  paraf: string;
}

export function rowView(r: KriptogramKeluar): RowView {
  return {
    id: r.id,
    status: r.status,
    menunggu: waitingFor(r.status),
    nomor: r.nomor,
    registeredAt: r.registeredAt,
    sifat: r.sifat,
    derajat: r.derajat,
    perihal: r.perihal,
    kepada: r.recipients.map((x) => ({ email: x.email, unit: x.unit })),
    permohonan: r.permohonan,
    sandiman: r.sandiman,
    signer: r.signer,
    messageId: r.messageId,
    sentAt: r.sentAt,
    batalAlasan: r.batalAlasan,
  };
}
