/** Tandaterima: the receipt per addressee; with the last one the letter is filed (arsip) and done. */
import { SandiError } from '../../errors.js';
import { jalurElektronik, type Jalur } from '../../domain/terima.js';
import type { TerimaCtx } from './konteks.js';
import { requireSop } from './sop.js';

/**
 * The receipt for one addressee (who received it, when), or for electronic delivery the report. When every
 * addressee of the courier assignment has one, the letter is filed (arsip) and done (selesai).
 */
export function tandaterima(ctx: TerimaCtx, ref: string, o: { tujuan: string; diterimaOleh?: string; waktu?: Date; laporan?: string }) {
  const row = requireSop(ctx, ref);
  if (row.status !== 'diantar') throw new SandiError('CONFLICT', 'terima.receiptBeforeAntar', { nomor: row.nomor, status: row.status });
  const steps = row.steps;
  const rute = steps.filter((s) => s.langkah === 'antar').flatMap((s) => (s.data as { rute?: { tujuan: string; jalur: Jalur }[] }).rute ?? []);
  const r = rute.find((x) => x.tujuan.toLowerCase() === o.tujuan.toLowerCase());
  if (!r) throw new SandiError('DATA', 'terima.receiptUnknownTujuan', { nomor: row.nomor, tujuan: o.tujuan, known: rute.map((x) => x.tujuan).join(', ') });
  if (!jalurElektronik(r.jalur) && !o.diterimaOleh) throw new SandiError('USAGE', 'common.missingFlags', { flags: '--diterima-oleh' }, { hint: 'common.missingFlags.hint' });
  if (jalurElektronik(r.jalur) && !o.diterimaOleh && !o.laporan) throw new SandiError('USAGE', 'common.missingFlags', { flags: '--laporan | --diterima-oleh' }, { hint: 'common.missingFlags.hint' });
  const now = ctx.app.clock.now();
  const waktu = o.waktu ?? now;
  if (waktu.getTime() > now.getTime() + 60_000) throw new SandiError('DATA', 'terima.receiptInFuture', { waktu: waktu.toISOString() });
  const have = new Set(steps.filter((s) => s.langkah === 'tandaterima').map((s) => String((s.data as { tujuan?: string }).tujuan ?? '').toLowerCase()));
  if (have.has(r.tujuan.toLowerCase())) throw new SandiError('CONFLICT', 'terima.receiptTwice', { nomor: row.nomor, tujuan: r.tujuan });
  have.add(r.tujuan.toLowerCase());
  const all = rute.every((x) => have.has(x.tujuan.toLowerCase()));
  ctx.registers().write((u) => {
    row.addStep(u, 'tandaterima', { tujuan: r.tujuan, jalur: r.jalur, diterimaOleh: o.diterimaOleh ?? null, waktu: waktu.toISOString(), laporan: o.laporan ?? null }, now);
    if (all) {
      row.addStep(u, 'arsip', { tandaTerima: rute.length }, now);
      row.advance(u, 'selesai', now);
    }
  });
  return { nomor: row.nomor, tujuan: r.tujuan, jalur: r.jalur, selesai: all, sisa: rute.filter((x) => !have.has(x.tujuan.toLowerCase())).map((x) => x.tujuan) };
}
