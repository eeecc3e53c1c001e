/**
 * The incoming books as records: an incoming letter (surat_masuk) with its SOP step events, and an incoming
 * kriptogram (kriptogram_masuk), what registering one takes and where it came from. Types only: the store
 * (src/adapters/sqlite/registers/) reads and writes them; services and the CLI name them from here.
 */
import type { KriptogramMasukStatus, SuratMasukLangkah, SuratMasukStatus } from './incoming-state.js';
import type { Derajat, Sifat } from './records.js';

/** Where an incoming message came from: an IMAP folder (with UIDVALIDITY and UID), a Maildir, a .eml file. */
export type IncomingSource =
  | { sumber: 'imap'; folder: string; uidvalidity: number; uid: number }
  | { sumber: 'maildir' | 'eml'; folder?: string | null };

/** An attachment as registered (the bytes are in the archive, inside the raw message). */
export interface Lampiran {
  name: string;
  type: string;
  size: number;
  sha256: string;
}

export interface IncomingMessageFields {
  /** who registered it: the operator, or the account sandi fetched with */
  operator: string;
  /** ISO time the message was received (server internal date, or import time) */
  diterimaAt: string;
  pengirim: string;
  kepada?: string[];
  /** SHA-256 (lower-case hex) of the raw message as archived, byte for byte */
  rawSha256: string;
  rawSize: number;
  messageId?: string | null;
  source: IncomingSource;
  /** problems found while parsing (registered anyway) */
  peringatan?: string[];
}

export interface NewSuratMasuk extends IncomingMessageFields {
  tembusan?: string[];
  nomorSurat?: string | null;
  tanggalSurat?: string | null;
  perihal?: string | null;
  isiRingkas?: string | null;
  sifat?: Sifat;
  derajat?: Derajat;
  lampiran?: Lampiran[];
  keterangan?: string | null;
}

export interface IncomingCommon {
  id: number;
  nomor: string;
  tahun: number;
  urut: number;
  registeredAt: string;
  operator: string;
  diterimaAt: string;
  pengirim: string;
  kepada: string[];
  peringatan: string[];
  rawSha256: string;
  rawSize: number;
  messageId: string | null;
  sumber: 'imap' | 'maildir' | 'eml';
  folder: string | null;
  uidvalidity: number | null;
  uid: number | null;
}

export interface SuratMasuk extends IncomingCommon {
  tembusan: string[];
  nomorSurat: string | null;
  tanggalSurat: string | null;
  perihal: string | null;
  isiRingkas: string | null;
  sifat: Sifat;
  derajat: Derajat;
  lampiran: Lampiran[];
  keterangan: string | null;
  status: SuratMasukStatus;
  dicetakAt: string | null;
  diparafAt: string | null;
  diantarAt: string | null;
  selesaiAt: string | null;
}

export interface NewKriptogramMasuk extends IncomingMessageFields {
  subjekLuar?: string | null;
}

export interface KriptogramMasuk extends IncomingCommon {
  subjekLuar: string | null;
  status: KriptogramMasukStatus;
  terbacaAt: string | null;
  sifat: Sifat | null;
  perihalTerenkripsi: Buffer | null;
  nomorPengirim: string | null;
  penandaTangan: unknown;
  ditolakAt: string | null;
  ditolakAlasan: string | null;
  selesaiAt: string | null;
}

export interface LangkahRow {
  id: number;
  suratMasukId: number;
  langkah: SuratMasukLangkah;
  at: string;
  actor: string;
  data: unknown;
}

/** Where `sandi terima` stopped in one folder of one mailbox account: every UID up to lastUid is registered. */
export interface FolderPosition {
  uidvalidity: number;
  lastUid: number;
}
