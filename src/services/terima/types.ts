/**
 * The records the terima steps hand each other and the CLI: what a fetch reports (arrivals, duplicates,
 * forwarding), a message between archiving and registration, and an incoming letter (or read kriptogram)
 * as the SOP steps see it.
 */
import type { IncomingSource } from '../../domain/records-masuk.js';
import type { ParsedIncoming } from '../../adapters/mail/terima-parser.js';
import type { UnitOfWork } from '../../ports/registers.js';
import type { SuratMasukLangkah, SuratMasukStatus } from '../../domain/incoming-state.js';
import type { findLetterNumber, findLetterClassification, LetterSla } from '../../domain/terima.js';

export interface Arrival {
  buku: 'surat_masuk' | 'kriptogram_masuk';
  id: number;
  nomor: string;
  pengirim: string;
  perihal: string | null;
  lampiran: number;
  peringatan: string[];
  status: string;
  rawSha256: string;
  /** kriptogram: who signed, when it was read */
  penandaTangan?: SignerView[];
}

export interface Duplicate {
  rawSha256: string;
  nomor: string;
  by: 'sha256' | 'source' | 'message_id';
  where: string;
}

export interface FetchReport {
  sumber: 'imap' | 'maildir' | 'eml';
  akun: string;
  folder: string;
  uidvalidity: number | null;
  /** UIDVALIDITY changed since the last run: the folder was read again from the start */
  uidvalidityBerubah: boolean;
  diperiksa: number;
  baru: Arrival[];
  duplikat: Duplicate[];
  diteruskan: { nomor: string; ke: string[] }[];
  /** cc addresses automatic forwarding did not send to (not in the address book or teruskanDomain) */
  ditahan: { nomor: string; ke: string[] }[];
  /** cc addresses the mail server refused when forwarding automatically (not recorded as forwarded) */
  ditolak: { nomor: string; ke: Refused[] }[];
  /** kriptogram registered by an earlier run that was stopped before reading them, read (or tried) in this one */
  dilanjutkan: Arrival[];
  /** entries of a folder import that are not a readable message file (a sub-folder named x.eml, ...): skipped */
  dilewati: { path: string; alasan: string }[];
  /** leftover temporary files of a killed run (raw mail) removed from the archive's tmp folder */
  sementaraDihapus: number;
}

/** A forwarding recipient the server refused, with its reply. */
export interface Refused {
  alamat: string;
  /** the server's reply, e.g. "554 5.7.1 <x@y>: Relay access denied" */
  balasan: string;
  kode: number | null;
}

/** One `teruskan` step: `ke` the addresses the server accepted (the only ones recorded as forwarded). */
export interface Forwarded {
  nomor: string;
  ke: string[];
  via: string;
  at: string;
  ditolak: Refused[];
}

export interface SignerView {
  keyId: string;
  fingerprint: string | null;
  userId: string | null;
  unit: string | null;
  status: string;
  /** the signing time the signer claims (ISO) */
  created?: string | null;
  /** status kedaluwarsa: when the key expired, and whether it was valid at `created` */
  keyExpired?: string | null;
  validAtCreated?: boolean;
}

/** A message archived and parsed, not yet registered. */
export interface Prepared {
  meta: Meta;
  archived: { sha256: string; size: number; path: string };
  parsed: ParsedIncoming;
  peringatan: string[];
  kriptogram: { subject: string | null } | null;
  kriptogramProblem: string | null;
  /** the letter's own number and date, from its text or its PDF */
  found: LetterNumber;
}

export type LetterNumber = ReturnType<typeof findLetterNumber> & { klasifikasi: ReturnType<typeof findLetterClassification> };

export interface Meta {
  source: IncomingSource;
  diterimaAt: Date;
  where: string;
  /** for IMAP: the position to record with the registration */
  position?: { akun: string; folder: string; uidvalidity: number; uid: number };
}

/** An incoming letter or a read incoming kriptogram, as the SOP steps (cetak … tandaterima) see it. */
export interface SopRow {
  buku: 'surat_masuk' | 'kriptogram_masuk';
  id: number;
  nomor: string;
  pengirim: string;
  perihal: string | null;
  /** the SOP stage: terdaftar (a kriptogram: terbaca) until printed, then dicetak, diparaf, diantar, selesai */
  status: string;
  diterimaAt: string;
  registeredAt: string;
  kepada: string[];
  tembusan: string[];
  peringatan: string[];
  steps: { langkah: SuratMasukLangkah; at: string; actor: string; data: unknown }[];
  addStep(u: UnitOfWork, langkah: SuratMasukLangkah, data: unknown, at: Date): void;
  /** move to a stage (a kriptogram records only selesai; its other stages follow from the steps) */
  advance(u: UnitOfWork, to: SuratMasukStatus, at: Date): void;
}

export interface LetterStatus {
  buku: 'surat_masuk' | 'kriptogram_masuk';
  id: number;
  nomor: string;
  pengirim: string;
  perihal: string | null;
  status: string;
  diterimaAt: string;
  peringatan: string[];
  menungguSiapa: string | null;
  sla: LetterSla;
  langkah: { langkah: string; at: string; actor: string; data: unknown }[];
}
