/**
 * The complaint register (aduan) as records: a complaint, what registering one takes, its hand-over events
 * (aduan_langkah), what one hand-over writes, and the error a hand-over gets when the complaint moved on since
 * it was read. src/adapters/sqlite/aduan.ts reads and writes them.
 */
import type { AduanAction, AduanStatus, JenisAduan, Kerahasiaan } from './aduan.js';

export interface LampiranAduan {
  nama: string;
  sha256: string;
  ukuran: number;
}

export interface NewAduan {
  sumber: 'catat' | 'impor';
  kanal: string;
  nomorPelacakan: string;
  jenis: JenisAduan;
  kategori: string | null;
  judul: string;
  kronologi: string | null;
  diterimaAt: Date;
  kerahasiaan: Kerahasiaan;
  pelaporTerenkripsi: Uint8Array | null;
  lampiran: LampiranAduan[];
  /** register year (office-local) */
  tahun: number;
}

export interface Aduan {
  id: number;
  nomor: string;
  tahun: number;
  urut: number;
  registeredAt: string;
  operator: string;
  sumber: 'catat' | 'impor';
  kanal: string;
  nomorPelacakan: string;
  jenis: JenisAduan;
  kategori: string | null;
  judul: string;
  kronologi: string | null;
  diterimaAt: string;
  kerahasiaan: Kerahasiaan;
  /** whether an encrypted identity is stored (never the identity itself) */
  adaPelapor: boolean;
  lampiran: LampiranAduan[];
  status: AduanStatus;
  statusAt: string;
  ditundaDari: AduanStatus | null;
  opd: string | null;
  opdEmail: string | null;
}

export interface LangkahAduan {
  id: number;
  aksi: AduanAction | 'catat';
  dariStatus: AduanStatus | null;
  keStatus: AduanStatus;
  at: string;
  actor: string;
  catatan: string | null;
  opd: string | null;
  data: Record<string, unknown>;
}

export interface StepWrite {
  aksi: AduanAction;
  from: AduanStatus;
  to: AduanStatus;
  catatan: string | null;
  /** the OPD of a disposition (becomes the complaint's current OPD) */
  opd?: { unit: string; email: string | null } | null;
  data?: Record<string, unknown>;
}

/** The complaint changed under us (another process acted first). */
export class StaleAduan extends Error {
  constructor(readonly id: number) {
    super(`aduan ${id} changed concurrently`);
  }
}
