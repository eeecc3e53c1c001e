/**
 * The vocabulary of the office's books: which registers exist, and the closed lists their rows use
 * (classification *sifat*, urgency *derajat*). Pure values, shared by numbering, state rules and the store.
 */

/** Classification of a letter or kriptogram, lowest to highest. */
export const SIFAT = ['Biasa', 'Terbatas', 'Rahasia', 'Sangat Rahasia'] as const;
export type Sifat = (typeof SIFAT)[number];

/** Urgency; "Kilat" is used by some offices only. */
export const DERAJAT = ['Biasa', 'Segera', 'Sangat Segera', 'Kilat'] as const;
export type Derajat = (typeof DERAJAT)[number];

/** The registers (books) sandi keeps; each is a table and has its own gapless number sequence per year. */
export const BUKU = ['kriptogram_keluar', 'surat_keluar', 'surat_masuk', 'kriptogram_masuk'] as const;
export type Buku = (typeof BUKU)[number];

export function isSifat(v: unknown): v is Sifat {
  return typeof v === 'string' && (SIFAT as readonly string[]).includes(v);
}

export function isDerajat(v: unknown): v is Derajat {
  return typeof v === 'string' && (DERAJAT as readonly string[]).includes(v);
}

/** Rahasia and Sangat Rahasia: the subject is kept encrypted in the register, never in clear. */
export function subjectMustBeEncrypted(sifat: Sifat): boolean {
  return sifat === 'Rahasia' || sifat === 'Sangat Rahasia';
}

/** How a register numbers its rows: the format and what its tokens need, plus the office time zone. */
export interface Numbering {
  /** e.g. 'KRIP/{urut:3}/{bulan}/{tahun}' (src/domain/numbering.ts) */
  format: string;
  /** IANA zone of the office: Asia/Jakarta, Asia/Makassar or Asia/Jayapura */
  timeZone: string;
  unitCode?: string | null;
  sifatCodes?: Partial<Record<Sifat, string>>;
  /** config key the format came from, named in errors */
  configKey?: string;
}
