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
