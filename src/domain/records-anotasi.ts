/**
 * Annotations (anotasi) of a register row: a note, or a correction of one column. Registers are never
 * edited; readers show the latest correction next to the original value. Types only.
 */
import type { Buku } from './records.js';

export interface NewAnotasi {
  buku: Buku;
  baris: number;
  actor: string;
  /** the note, or why the correction is made */
  catatan: string;
  /** a correction of one column: its name and the corrected value (JSON-able), or the value encrypted */
  koreksi?: { kolom: string; nilai?: unknown; nilaiTerenkripsi?: Uint8Array };
  /** the earlier annotation of the same row this one corrects */
  mengoreksi?: number | null;
}

export interface Anotasi {
  id: number;
  buku: Buku;
  baris: number;
  at: string;
  actor: string;
  jenis: 'catatan' | 'koreksi';
  kolom: string | null;
  nilai: unknown;
  nilaiTerenkripsi: Buffer | null;
  catatan: string;
  mengoreksi: number | null;
}
