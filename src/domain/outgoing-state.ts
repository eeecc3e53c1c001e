/**
 * The life of an outgoing register row, as a pure transition table (SOP seed 001):
 *
 *   terdaftar → diparaf → ditandatangani → bernomor → terkirim
 *                                            ↕
 *                                        tidak_pasti → terkirim
 *   batal (with a reason) from terdaftar, diparaf, ditandatangani or bernomor; never from tidak_pasti or terkirim.
 *
 * `tidak_pasti` is the outbox state: the message may have reached the server (set before the first SMTP
 * byte of the data, or found after a crash). It goes to `terkirim` once the send is confirmed, or back to
 * `bernomor` when the operator has established that nothing went out. A row in `tidak_pasti` cannot be
 * cancelled, because the message may already be on its way: resolve it first.
 *
 * Ordinary letters (`sandi kirim --biasa`, register `surat_keluar`) skip the initial; the signature is
 * optional. These tables are the registers' transitions: their descriptions (src/domain/registers/) hold
 * these very objects, and the store's triggers are generated from them (tests probe the real schema).
 */

export const OUTGOING_STATUSES = ['terdaftar', 'diparaf', 'ditandatangani', 'bernomor', 'tidak_pasti', 'terkirim', 'batal'] as const;
export type OutgoingStatus = (typeof OUTGOING_STATUSES)[number];

export type OutgoingBuku = 'kriptogram_keluar' | 'surat_keluar';

type Table = Readonly<Record<OutgoingStatus, readonly OutgoingStatus[]>>;

export const KRIPTOGRAM_KELUAR_TRANSITIONS: Table = {
  terdaftar: ['diparaf', 'batal'],
  diparaf: ['ditandatangani', 'batal'],
  ditandatangani: ['bernomor', 'batal'],
  bernomor: ['tidak_pasti', 'terkirim', 'batal'],
  tidak_pasti: ['bernomor', 'terkirim'],
  terkirim: [],
  batal: [],
};

export const SURAT_KELUAR_TRANSITIONS: Table = {
  terdaftar: ['ditandatangani', 'bernomor', 'batal'],
  diparaf: [],
  ditandatangani: ['bernomor', 'batal'],
  bernomor: ['tidak_pasti', 'terkirim', 'batal'],
  tidak_pasti: ['bernomor', 'terkirim'],
  terkirim: [],
  batal: [],
};

export const OUTGOING_TRANSITIONS: Readonly<Record<OutgoingBuku, Table>> = {
  kriptogram_keluar: KRIPTOGRAM_KELUAR_TRANSITIONS,
  surat_keluar: SURAT_KELUAR_TRANSITIONS,
};

/** Whether a row of `buku` may move from `from` to `to` (staying in the same state is not a transition). */
export function canTransition(buku: OutgoingBuku, from: OutgoingStatus, to: OutgoingStatus): boolean {
  return OUTGOING_TRANSITIONS[buku][from].includes(to);
}

/** The states a row can still leave; terkirim and batal are final. */
export function isFinal(buku: OutgoingBuku, s: OutgoingStatus): boolean {
  return OUTGOING_TRANSITIONS[buku][s].length === 0;
}
