/**
 * The life of an incoming register row, as pure transition tables (SOP seeds 000 and 002).
 *
 * surat_masuk:      terdaftar → dicetak → diparaf → diantar → selesai
 *   (forwarding to the cc addresses, reprints and each tiered initial are step events in
 *   `surat_masuk_langkah`; the status records the furthest step reached.)
 * kriptogram_masuk: terdaftar → terbaca (decrypted, signatures checked) | ditolak (integrity or signature
 *   failure, with the reason); terbaca → selesai.
 *
 * These tables are the registers' transitions: their descriptions (src/domain/registers/) hold these very
 * objects, and the store's triggers are generated from them (tests probe the real schema).
 */

export const SURAT_MASUK_STATUSES = ['terdaftar', 'dicetak', 'diparaf', 'diantar', 'selesai'] as const;
export type SuratMasukStatus = (typeof SURAT_MASUK_STATUSES)[number];

export const SURAT_MASUK_TRANSITIONS: Readonly<Record<SuratMasukStatus, readonly SuratMasukStatus[]>> = {
  terdaftar: ['dicetak'],
  dicetak: ['diparaf'],
  diparaf: ['diantar'],
  diantar: ['selesai'],
  selesai: [],
};

export const KRIPTOGRAM_MASUK_STATUSES = ['terdaftar', 'terbaca', 'ditolak', 'selesai'] as const;
export type KriptogramMasukStatus = (typeof KRIPTOGRAM_MASUK_STATUSES)[number];

export const KRIPTOGRAM_MASUK_TRANSITIONS: Readonly<Record<KriptogramMasukStatus, readonly KriptogramMasukStatus[]>> = {
  terdaftar: ['terbaca', 'ditolak'],
  terbaca: ['selesai'],
  ditolak: [],
  selesai: [],
};

/** Step events of an incoming letter, in SOP order (each may repeat: a reprint, one initial per tier). */
export const SURAT_MASUK_LANGKAH = ['teruskan', 'cetak', 'paraf', 'antar', 'tandaterima', 'arsip'] as const;
export type SuratMasukLangkah = (typeof SURAT_MASUK_LANGKAH)[number];

/** Whether an incoming letter may move from `from` to `to`. */
export function canMoveSuratMasuk(from: SuratMasukStatus, to: SuratMasukStatus): boolean {
  return SURAT_MASUK_TRANSITIONS[from].includes(to);
}

/** Whether an incoming kriptogram may move from `from` to `to`. */
export function canMoveKriptogramMasuk(from: KriptogramMasukStatus, to: KriptogramMasukStatus): boolean {
  return KRIPTOGRAM_MASUK_TRANSITIONS[from].includes(to);
}

/**
 * The SOP stage of a read incoming kriptogram, from its step events (only `selesai` is a register status):
 * terbaca until printed, then dicetak, diparaf once every paraf tier initialled, diantar once assigned.
 */
export function kriptogramStage(status: string, steps: readonly { langkah: string }[], parafTiers: number): string {
  if (status === 'selesai') return 'selesai';
  if (steps.some((s) => s.langkah === 'antar')) return 'diantar';
  if (!steps.some((s) => s.langkah === 'cetak')) return 'terbaca';
  return steps.filter((s) => s.langkah === 'paraf').length >= parafTiers ? 'diparaf' : 'dicetak';
}
