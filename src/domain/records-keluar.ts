/**
 * The outgoing books as records: an outgoing kriptogram (kriptogram_keluar) and an outgoing ordinary letter
 * (surat_keluar), what registering one takes, and what each state move records. Types only: the store
 * (src/adapters/sqlite/registers/) reads and writes them; services and the CLI name them from here.
 */
import type { OutgoingStatus } from './outgoing-state.js';
import type { Derajat, Sifat } from './records.js';

/** A recipient unit (OPD) as registered: its mailbox and, for a kriptogram, the key it was encrypted to. */
export interface Recipient {
  email: string;
  unit: string;
  unitCode?: string | null;
  fingerprint?: string | null;
}

/** The request letter (surat permohonan) that asked for the sending. */
export interface RequestLetter {
  nomor: string | null;
  tanggal: string | null;
  unit: string | null;
}

export interface NewKriptogramKeluar {
  /** the sandiman registering it (also the audit actor) */
  sandiman: string;
  recipients: Recipient[];
  sifat: Sifat;
  derajat: Derajat;
  /** clear subject: Biasa and Terbatas only */
  perihal?: string | null;
  /** Rahasia and Sangat Rahasia: the subject, already encrypted to the archive key */
  perihalTerenkripsi?: Uint8Array | null;
  permohonan?: Partial<RequestLetter>;
  assignedBy?: string | null;
}

export interface KriptogramKeluar {
  id: number;
  registeredAt: string;
  sandiman: string;
  recipients: Recipient[];
  sifat: Sifat;
  derajat: Derajat;
  perihal: string | null;
  perihalTerenkripsi: Buffer | null;
  permohonan: RequestLetter;
  assignedBy: string | null;
  status: OutgoingStatus;
  diparafAt: string | null;
  diparafOleh: string | null;
  parafFpr: string | null;
  drafSha256: string | null;
  ditandatanganiAt: string | null;
  signer: string | null;
  signerFpr: string | null;
  kriptogramSha256: string | null;
  tahun: number | null;
  urut: number | null;
  nomor: string | null;
  bernomorAt: string | null;
  messageId: string | null;
  sentAt: string | null;
  serverReply: string | null;
  batalAt: string | null;
  batalOleh: string | null;
  batalAlasan: string | null;
}

export interface NewSuratKeluar {
  operator: string;
  recipients: Recipient[];
  perihal: string;
  sifat?: 'Biasa' | 'Terbatas';
  derajat?: Derajat;
  dokumenSha256?: string | null;
  permohonan?: Partial<RequestLetter>;
  assignedBy?: string | null;
}

export interface SuratKeluar {
  id: number;
  registeredAt: string;
  operator: string;
  recipients: Recipient[];
  perihal: string;
  sifat: 'Biasa' | 'Terbatas';
  derajat: Derajat;
  dokumenSha256: string | null;
  permohonan: RequestLetter;
  assignedBy: string | null;
  status: OutgoingStatus;
  ditandatanganiAt: string | null;
  signer: string | null;
  signerFpr: string | null;
  tahun: number | null;
  urut: number | null;
  nomor: string | null;
  bernomorAt: string | null;
  messageId: string | null;
  sentAt: string | null;
  serverReply: string | null;
  batalAt: string | null;
  batalOleh: string | null;
  batalAlasan: string | null;
}

/** What each state move records besides the status; the state's time is the `at` of the call. */
export interface OutgoingStatusFields {
  /** diparaf: the sandiman's key and the stored encrypted draft */
  parafFpr?: string | null;
  drafSha256?: string | null;
  /** ditandatangani: the Kasi (default: the actor), their key, the final kriptogram */
  signer?: string | null;
  signerFpr?: string | null;
  kriptogramSha256?: string | null;
  /** tidak_pasti / terkirim: the Message-ID, if not fixed before */
  messageId?: string | null;
  /** terkirim: the server's reply to the message data */
  serverReply?: string | null;
  /** batal: the reason (required) */
  alasan?: string | null;
}

export interface OutgoingFilter {
  status?: OutgoingStatus | readonly OutgoingStatus[];
  /** registered at or after (ISO) */
  from?: string;
  /** registered before (ISO) */
  to?: string;
}
