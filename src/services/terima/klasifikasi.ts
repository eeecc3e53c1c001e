/** Klasifikasi: set or correct an incoming letter's sifat and/or derajat, as an event with its reason. */
import { SandiError } from '../../errors.js';
import { normaliseSifat, normaliseDerajat } from '../../domain/terima.js';
import type { TerimaCtx } from './konteks.js';
import { requireLetter } from './sop.js';

/**
 * Set or correct an incoming letter's classification and/or urgency: an event (an anotasi koreksi of
 * column sifat / derajat, with the reason), never an edit of the register row. From then on its summary is
 * kept out of search and exports when Rahasia or above, and the print pack is marked on every page.
 */
export function klasifikasi(ctx: TerimaCtx, ref: string, o: { sifat?: string; derajat?: string; alasan: string }) {
  const row = requireLetter(ctx, ref);
  const sifat = o.sifat === undefined ? undefined : normaliseSifat(o.sifat);
  if (sifat === null) throw new SandiError('DATA', 'terima.klasifikasi.badSifat', { value: o.sifat ?? '' });
  const derajat = o.derajat === undefined ? undefined : normaliseDerajat(o.derajat);
  if (derajat === null) throw new SandiError('DATA', 'terima.klasifikasi.badDerajat', { value: o.derajat ?? '' });
  if (sifat === undefined && derajat === undefined) throw new SandiError('USAGE', 'terima.klasifikasi.nothing', {});
  if (o.alasan.trim().length === 0) throw new SandiError('DATA', 'terima.klasifikasi.noReason', {});
  const before = ctx.registers().suratMasuk.classification(row.id);
  const now = ctx.app.clock.now();
  ctx.registers().write((u) => u.suratMasuk.classify(row.id, { ...(sifat ? { sifat } : {}), ...(derajat ? { derajat } : {}), alasan: o.alasan.trim(), actor: ctx.opts.actor }, now));
  const after = ctx.registers().suratMasuk.classification(row.id);
  return { nomor: row.nomor, sebelum: { sifat: before.sifat, derajat: before.derajat }, sifat: after.sifat, derajat: after.derajat, alasan: o.alasan.trim() };
}
