/** Antar: the courier (caraka) takes the initialled letter to its addressees, each by its route. */
import { SandiError } from '../../errors.js';
import { ruteAntar, type Jalur } from '../../domain/terima.js';
import type { TerimaCtx } from './konteks.js';
import { copiesOf, requireSop } from './sop.js';

/** Assign the courier (caraka) with the route per addressee; the first moves the letter to "diantar". */
export function antar(ctx: TerimaCtx, ref: string, o: { caraka: string; tujuan?: string[]; jalur?: Jalur | null }) {
  const row = requireSop(ctx, ref);
  if (row.status === 'terdaftar' || row.status === 'terbaca' || row.status === 'dicetak') throw new SandiError('CONFLICT', 'terima.antarBeforeParaf', { nomor: row.nomor });
  const tujuan = o.tujuan && o.tujuan.length > 0 ? o.tujuan : copiesOf(row);
  const rute = tujuan.map((t) => ({ tujuan: t, jalur: ruteAntar(t, o.jalur ?? null) }));
  const now = ctx.app.clock.now();
  ctx.registers().write((u) => {
    row.addStep(u, 'antar', { caraka: o.caraka, rute }, now);
    if (row.status === 'diparaf') row.advance(u, 'diantar', now);
  });
  return { nomor: row.nomor, caraka: o.caraka, rute };
}
