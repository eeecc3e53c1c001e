/** Status: where each letter is in the SOP, what waits for whom, and its SLA in working time. */
import type { SuratMasukStatus } from '../../domain/incoming-state.js';
import { measureLetter } from '../../domain/terima.js';
import type { TerimaCtx } from './konteks.js';
import type { Arrival, LetterStatus } from './types.js';
import { kriptogramArrival } from './kriptogram.js';
import { requireSop, sopOfKriptogram, sopOfLetter } from './sop.js';

/** Where each letter is, what waits for whom, and the SLA in working time (all, or only open ones). */
export function status(ctx: TerimaCtx, o: { semua?: boolean; ref?: string } = {}): { now: string; surat: LetterStatus[]; kriptogram: Arrival[] } {
  const now = ctx.app.clock.now();
  // incoming letters, and the incoming kriptogram that were read (they follow the same steps), in arrival order
  const rows = o.ref
    ? [requireSop(ctx, o.ref)]
    : [
        ...[...ctx.registers().suratMasuk.list()].map((r) => sopOfLetter(ctx, r)),
        ...ctx.registers().kriptogramMasuk.list()
          .filter((k) => k.status === 'terbaca' || k.status === 'selesai')
          .map((k) => sopOfKriptogram(ctx, k)),
      ].filter((r) => o.semua || r.status !== 'selesai');
  const surat = rows.map((row) => {
    const steps = row.steps;
    const sla = measureLetter(
      ctx.calendar,
      {
        diterimaAt: row.diterimaAt,
        registeredAt: row.registeredAt,
        status: row.status === 'terbaca' ? 'terdaftar' : (row.status as SuratMasukStatus),
        adaTembusan: row.tembusan.length > 0,
        langkah: steps,
        parafTiers: ctx.terima.paraf.length,
      },
      ctx.terima.standar,
      ctx.terima.layananHariKerja,
      now,
    );
    const parafDone = steps.filter((s) => s.langkah === 'paraf').length;
    const menungguSiapa = sla.menunggu === 'paraf' ? (ctx.terima.paraf[parafDone] ?? null) : null;
    return { buku: row.buku, id: row.id, nomor: row.nomor, pengirim: row.pengirim, perihal: row.perihal, status: row.status, diterimaAt: row.diterimaAt, peringatan: row.peringatan, menungguSiapa, sla, langkah: steps.map((s) => ({ langkah: s.langkah, at: s.at, actor: s.actor, data: s.data })) };
  });
  const kriptogram = ctx.registers().kriptogramMasuk.list()
    .filter((k) => o.semua || k.status === 'terdaftar')
    .map((k) => kriptogramArrival(k));
  return { now: now.toISOString(), surat, kriptogram: o.ref ? [] : kriptogram };
}
