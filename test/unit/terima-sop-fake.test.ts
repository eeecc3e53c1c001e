/**
 * The SOP steps of services/terima/ (paraf, antar, tandaterima) run against a fake of the register port
 * (ports/registers.ts): no SQLite, no openpgp, no server. An in-memory incoming letter, its step events and
 * its status are all the steps see. The same steps against the real store and CLI stay covered by
 * test/e2e/terima*.test.ts and test/integration/terima*.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { SandiError } from '../../src/errors.js';
import { DEFAULT_TERIMA_CONFIG } from '../../src/domain/terima.js';
import type { SuratMasukLangkah, SuratMasukStatus } from '../../src/domain/incoming-state.js';
import type { LangkahRow, SuratMasuk } from '../../src/domain/records-masuk.js';
import type { Registers, UnitOfWork } from '../../src/ports/registers.js';
import type { TerimaCtx } from '../../src/services/terima/konteks.js';
import { paraf } from '../../src/services/terima/paraf.js';
import { antar } from '../../src/services/terima/antar.js';
import { tandaterima } from '../../src/services/terima/tandaterima.js';

const NOW = new Date('2026-12-07T02:00:00Z');

/** One incoming letter in memory, behind the parts of the register port the SOP steps use. */
function fakeOffice(status: SuratMasukStatus, steps: { langkah: SuratMasukLangkah; data: unknown }[] = []) {
  const letter = { id: 7, nomor: 'SM/0007/2026', pengirim: 'a@b.go.id', perihal: 'Undangan', status, diterimaAt: NOW.toISOString(), registeredAt: NOW.toISOString(), kepada: ['Kepala Dinas'], tembusan: [], peringatan: [] } as unknown as SuratMasuk;
  const rows: LangkahRow[] = steps.map((s, i) => ({ id: i + 1, suratMasukId: 7, langkah: s.langkah, at: NOW.toISOString(), actor: 'op', data: s.data }));
  let units = 0;
  const suratMasuk = {
    findByRef: (ref: string) => (ref === letter.nomor || ref === '7' ? { ...letter } : null),
    listSteps: () => rows.map((r) => ({ ...r })),
    addStep: (id: number, langkah: SuratMasukLangkah, data: unknown, at: Date, actor: string) => {
      const row = { id: rows.length + 1, suratMasukId: id, langkah, at: at.toISOString(), actor, data };
      rows.push(row);
      return row;
    },
    setStatus: (_id: number, to: SuratMasukStatus) => {
      letter.status = to;
      return { ...letter };
    },
  };
  const kriptogramMasuk = { findByRef: () => null };
  const registers = {
    suratMasuk,
    kriptogramMasuk,
    write: <T>(fn: (u: UnitOfWork) => T): T => {
      units++;
      return fn({ suratMasuk, kriptogramMasuk } as unknown as UnitOfWork);
    },
  } as unknown as Registers;
  const ctx = { app: { clock: { now: () => NOW } }, opts: { actor: 'op', env: {} }, terima: DEFAULT_TERIMA_CONFIG, registers: () => registers } as unknown as TerimaCtx;
  return { ctx, letter, rows, units: () => units };
}

const refusal = (f: () => unknown): { code: string; key: string } => {
  try {
    f();
  } catch (e) {
    if (e instanceof SandiError) return { code: e.code, key: e.key };
    throw e;
  }
  throw new Error('no refusal');
};

describe('paraf against a fake register port', () => {
  it('before the letter is printed: refused (CONFLICT), nothing written', () => {
    const o = fakeOffice('terdaftar');
    expect(refusal(() => paraf(o.ctx, 'SM/0007/2026', { sebagai: 'Kasi', nama: 'Budi' }))).toEqual({ code: 'CONFLICT', key: 'terima.parafBeforePrint' });
    expect(o.units()).toBe(0);
    expect(o.rows).toEqual([]);
  });

  it('tiers in the configured order, one unit of work each; the last one moves the letter to diparaf', () => {
    const o = fakeOffice('dicetak', [{ langkah: 'cetak', data: { penerima: ['Kepala Dinas'] } }]);
    expect(refusal(() => paraf(o.ctx, '7', { sebagai: 'Kabid', nama: 'Sari' }))).toEqual({ code: 'CONFLICT', key: 'terima.paraf.outOfOrder' });
    expect(paraf(o.ctx, '7', { sebagai: 'kasi', nama: 'Budi' })).toEqual({ nomor: 'SM/0007/2026', sebagai: 'Kasi', nama: 'Budi', lengkap: false, berikutnya: 'Kabid' });
    expect(o.letter.status).toBe('dicetak');
    expect(refusal(() => paraf(o.ctx, '7', { sebagai: 'Kasi', nama: 'Budi' }))).toEqual({ code: 'CONFLICT', key: 'terima.paraf.alreadyDone' });
    paraf(o.ctx, '7', { sebagai: 'Kabid', nama: 'Sari' });
    expect(paraf(o.ctx, '7', { sebagai: 'Kadis', nama: 'Wati' }).lengkap).toBe(true);
    expect(o.letter.status).toBe('diparaf');
    expect(o.rows.filter((r) => r.langkah === 'paraf').map((r) => (r.data as { sebagai: string }).sebagai)).toEqual(['Kasi', 'Kabid', 'Kadis']);
    expect(o.units()).toBe(3);
  });
});

describe('antar and tandaterima against a fake register port', () => {
  it('antar routes the copies printed last; a receipt per addressee; the last one files the letter (arsip) and closes it', () => {
    const o = fakeOffice('diparaf', [{ langkah: 'cetak', data: { penerima: ['Wali Kota', 'Sekretaris'] } }]);
    const a = antar(o.ctx, '7', { caraka: 'Joko' });
    expect(a.rute).toEqual([
      { tujuan: 'Wali Kota', jalur: 'ajudan' },
      { tujuan: 'Sekretaris', jalur: 'langsung' },
    ]);
    expect(o.letter.status).toBe('diantar');
    expect(refusal(() => tandaterima(o.ctx, '7', { tujuan: 'Bendahara', diterimaOleh: 'X' }))).toEqual({ code: 'DATA', key: 'terima.receiptUnknownTujuan' });
    expect(refusal(() => tandaterima(o.ctx, '7', { tujuan: 'Sekretaris' }))).toEqual({ code: 'USAGE', key: 'common.missingFlags' });
    expect(tandaterima(o.ctx, '7', { tujuan: 'sekretaris', diterimaOleh: 'Rina' })).toMatchObject({ tujuan: 'Sekretaris', selesai: false, sisa: ['Wali Kota'] });
    expect(refusal(() => tandaterima(o.ctx, '7', { tujuan: 'Sekretaris', diterimaOleh: 'Rina' }))).toEqual({ code: 'CONFLICT', key: 'terima.receiptTwice' });
    expect(tandaterima(o.ctx, '7', { tujuan: 'Wali Kota', diterimaOleh: 'Ajudan' })).toMatchObject({ selesai: true, sisa: [] });
    expect(o.letter.status).toBe('selesai');
    expect(o.rows.map((r) => r.langkah)).toEqual(['cetak', 'antar', 'tandaterima', 'tandaterima', 'arsip']);
    expect(o.rows.at(-1)?.data).toEqual({ tandaTerima: 2 });
  });

  it('a receipt time more than a minute ahead of the clock is refused (DATA), nothing written', () => {
    const o = fakeOffice('diantar', [
      { langkah: 'cetak', data: { penerima: ['Sekretaris'] } },
      { langkah: 'antar', data: { caraka: 'Joko', rute: [{ tujuan: 'Sekretaris', jalur: 'langsung' }] } },
    ]);
    const waktu = new Date(NOW.getTime() + 2 * 60_000);
    expect(refusal(() => tandaterima(o.ctx, '7', { tujuan: 'Sekretaris', diterimaOleh: 'Rina', waktu }))).toEqual({ code: 'DATA', key: 'terima.receiptInFuture' });
    expect(o.units()).toBe(0);
    expect(o.rows).toHaveLength(2);
  });
});
