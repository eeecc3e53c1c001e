/** Paraf: the tiered initials on a printed letter (SOP seed 000). */
import { SandiError } from '../../errors.js';
import { checkParaf } from '../../domain/terima.js';
import type { TerimaCtx } from './konteks.js';
import { requireSop } from './sop.js';

/** One tier of initials, by name, in the configured order; the last tier moves the letter to "diparaf". */
export function paraf(ctx: TerimaCtx, ref: string, o: { sebagai: string; nama: string }) {
  const row = requireSop(ctx, ref);
  if (row.status === 'terdaftar' || row.status === 'terbaca') throw new SandiError('CONFLICT', 'terima.parafBeforePrint', { nomor: row.nomor });
  const done = row.steps
    .filter((s) => s.langkah === 'paraf')
    .map((s) => String((s.data as { sebagai?: string }).sebagai ?? ''));
  const problem = checkParaf(ctx.terima.paraf, done, o.sebagai);
  if (problem) throw new SandiError('CONFLICT', `terima.paraf.${problem.problem}`, { nomor: row.nomor, tier: o.sebagai, expected: problem.expected ?? '' });
  const tier = ctx.terima.paraf.find((t) => t.toLowerCase() === o.sebagai.toLowerCase()) ?? o.sebagai;
  const last = done.length + 1 === ctx.terima.paraf.length;
  const now = ctx.app.clock.now();
  ctx.registers().write((u) => {
    row.addStep(u, 'paraf', { sebagai: tier, nama: o.nama }, now);
    if (last && row.status === 'dicetak') row.advance(u, 'diparaf', now);
  });
  return { nomor: row.nomor, sebagai: tier, nama: o.nama, lengkap: last, berikutnya: last ? null : (ctx.terima.paraf[done.length + 1] ?? null) };
}
