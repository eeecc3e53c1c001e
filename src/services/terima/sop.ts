/**
 * The row the SOP steps (cetak … tandaterima) work on: an incoming letter, or a read incoming kriptogram,
 * found by agenda number, with its step events and how to record a step and move its stage.
 */
import { SandiError } from '../../errors.js';
import type { KriptogramMasuk, SuratMasuk } from '../../domain/records-masuk.js';
import { kriptogramStage } from '../../domain/incoming-state.js';
import type { TerimaCtx } from './konteks.js';
import type { SopRow } from './types.js';

export function requireLetter(ctx: TerimaCtx, ref: string): SuratMasuk {
  const row = ctx.registers().suratMasuk.findByRef(ref);
  if (!row) throw new SandiError('NOT_FOUND', 'terima.notFound', { ref });
  return row;
}

/** The recipient copies printed last (the addressees the courier takes it to). */
export function copiesOf(row: SopRow): string[] {
  const prints = row.steps.filter((s) => s.langkah === 'cetak');
  const last = prints.at(-1)?.data as { penerima?: string[] } | undefined;
  return last?.penerima ?? row.kepada;
}

/**
 * An incoming letter, or else an incoming kriptogram, by agenda number (or a surat_masuk row id), for the
 * SOP steps. A kriptogram not read yet (terdaftar) or refused (ditolak) has no SOP steps: exit 81, naming its state.
 */
export function requireSop(ctx: TerimaCtx, ref: string): SopRow {
  const letter = ctx.registers().suratMasuk.findByRef(ref);
  if (letter) return sopOfLetter(ctx, letter);
  const k = ctx.registers().kriptogramMasuk.findByRef(ref);
  if (!k) throw new SandiError('NOT_FOUND', 'terima.notFound', { ref });
  if (k.status !== 'terbaca' && k.status !== 'selesai') throw new SandiError('CONFLICT', 'terima.kriptogramBelumTerbaca', { nomor: k.nomor, status: k.status }, { hint: `terima.kriptogramBelumTerbaca.hint.${k.status}` });
  return sopOfKriptogram(ctx, k);
}

export function sopOfLetter(ctx: TerimaCtx, row: SuratMasuk): SopRow {
  return {
    buku: 'surat_masuk',
    id: row.id,
    nomor: row.nomor,
    pengirim: row.pengirim,
    perihal: row.perihal,
    status: row.status,
    diterimaAt: row.diterimaAt,
    registeredAt: row.registeredAt,
    kepada: row.kepada,
    tembusan: row.tembusan,
    peringatan: row.peringatan,
    steps: ctx.registers().suratMasuk.listSteps(row.id),
    addStep: (u, langkah, data, at) => void u.suratMasuk.addStep(row.id, langkah, data, at, ctx.opts.actor),
    advance: (u, to, at) => void u.suratMasuk.setStatus(row.id, to, at, ctx.opts.actor),
  };
}

/** A read kriptogram: its SOP stage is read from its step events; only `selesai` is a register status. */
export function sopOfKriptogram(ctx: TerimaCtx, k: KriptogramMasuk): SopRow {
  const steps = ctx.registers().kriptogramMasuk.listSteps(k.id);
  return {
    buku: 'kriptogram_masuk',
    id: k.id,
    nomor: k.nomor,
    pengirim: k.pengirim,
    // the clear subject only (the protected one is printed, never listed)
    perihal: k.subjekLuar,
    status: kriptogramStage(k.status, steps, ctx.terima.paraf.length),
    diterimaAt: k.diterimaAt,
    registeredAt: k.registeredAt,
    kepada: k.kepada,
    tembusan: [],
    peringatan: k.peringatan,
    steps,
    addStep: (u, langkah, data, at) => {
      if (langkah === 'teruskan') throw new SandiError('INTERNAL', 'common.internal', { detail: 'teruskan of a kriptogram' });
      u.kriptogramMasuk.addStep(k.id, langkah, data, at, ctx.opts.actor);
    },
    advance: (u, to, at) => {
      if (to === 'selesai') u.kriptogramMasuk.close(k.id, at, ctx.opts.actor);
    },
  };
}
