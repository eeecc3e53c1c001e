/**
 * The complaint register on a real SQLite file: numbering, events and audit in one transaction, and the
 * triggers of migration 7 (no delete, settled columns, legal status moves only, events append-only).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore, type Store } from '../../src/adapters/sqlite/store.js';
import { findAduan, findByTracking, listLangkahAduan, pelaporBlob, recordAduanStep, registerAduan, StaleAduan, type NewAduan } from '../../src/adapters/sqlite/aduan.js';
import { SandiError } from '../../src/errors.js';

let dir: string;
let store: Store;
const at = new Date('2026-11-19T03:00:00Z');

const row = (over: Partial<NewAduan> = {}): NewAduan => ({
  sumber: 'catat',
  kanal: 'laporgub',
  nomorPelacakan: 'LG-1',
  jenis: 'pengaduan',
  kategori: null,
  judul: 'Jalan rusak',
  kronologi: null,
  diterimaAt: at,
  kerahasiaan: 'rahasia',
  pelaporTerenkripsi: new Uint8Array([0xc1, 0x02, 0x03]),
  lampiran: [],
  tahun: 2026,
  ...over,
});

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sandi-aduan-'));
  store = openStore(join(dir, 'sandi.db'));
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

const conflict = (fn: () => unknown): string => {
  try {
    fn();
  } catch (e) {
    if (e instanceof SandiError) return `${e.code}:${e.key}`;
    if (e instanceof StaleAduan) return 'stale';
    throw e;
  }
  return 'no error';
};

describe('aduan register (SQLite)', () => {
  it('numbers gaplessly, records the first event and the audit event, keeps the blob opaque', () => {
    const a = store.write((tx) => registerAduan(tx, row(), at, 'op'));
    const b = store.write((tx) => registerAduan(tx, row({ nomorPelacakan: 'LG-2', kerahasiaan: 'anonim', pelaporTerenkripsi: null }), at, 'op'));
    expect([a.nomor, b.nomor]).toEqual(['ADU/001/2026', 'ADU/002/2026']);
    expect([a.adaPelapor, b.adaPelapor]).toEqual([true, false]);
    expect(pelaporBlob(store, a.id)).toEqual(new Uint8Array([0xc1, 0x02, 0x03]));
    expect(listLangkahAduan(store, a.id).map((s) => [s.aksi, s.keStatus])).toEqual([['catat', 'diterima']]);
    expect([...store.auditRows()].map((r) => [r.action, r.entityId])).toEqual([['aduan.catat', 'ADU/001/2026'], ['aduan.catat', 'ADU/002/2026']]);
    expect(findAduan(store, 'LG-2')[0]?.id).toBe(b.id);
    expect(findByTracking(store, 'lapor', 'LG-1')).toBeNull();
  });

  it('refuses a second complaint with the same tracking id in the same channel (and rolls the number back)', () => {
    store.write((tx) => registerAduan(tx, row(), at, 'op'));
    expect(conflict(() => store.write((tx) => registerAduan(tx, row(), at, 'op')))).toBe('CONFLICT:store.conflict.unique');
    const c = store.write((tx) => registerAduan(tx, row({ kanal: 'lapor' }), at, 'op'));
    expect(c.nomor).toBe('ADU/002/2026');
  });

  it('a hand-over changes the status with an event; a stale one records nothing', () => {
    const a = store.write((tx) => registerAduan(tx, row(), at, 'op'));
    const d = store.write((tx) => recordAduanStep(tx, a.id, { aksi: 'disposisi', from: 'diterima', to: 'didisposisi', catatan: null, opd: { unit: 'Dinas Kesehatan', email: 'x@dinkes.test' } }, at, 'op'));
    expect([d.status, d.opd, d.opdEmail]).toEqual(['didisposisi', 'Dinas Kesehatan', 'x@dinkes.test']);
    expect(conflict(() => store.write((tx) => recordAduanStep(tx, a.id, { aksi: 'disposisi', from: 'diterima', to: 'didisposisi', catatan: null }, at, 'op')))).toBe('stale');
    expect(listLangkahAduan(store, a.id)).toHaveLength(2);
    const t = store.write((tx) => recordAduanStep(tx, a.id, { aksi: 'tunda', from: 'didisposisi', to: 'ditunda', catatan: 'x' }, at, 'op'));
    expect(t.ditundaDari).toBe('didisposisi');
  });

  it('the triggers: no delete, settled columns fixed, only legal status moves, events append-only', () => {
    const a = store.write((tx) => registerAduan(tx, row(), at, 'op'));
    const db = store.db;
    expect(conflict(() => store.write(() => db.prepare('DELETE FROM aduan WHERE id = ?').run(a.id)))).toBe('CONFLICT:store.conflict.append_only');
    expect(conflict(() => store.write(() => db.prepare("UPDATE aduan SET judul = 'lain' WHERE id = ?").run(a.id)))).toBe('CONFLICT:store.conflict.settled');
    expect(conflict(() => store.write(() => db.prepare('UPDATE aduan SET pelapor_terenkripsi = x\'00\' WHERE id = ?').run(a.id)))).toBe('CONFLICT:store.conflict.settled');
    expect(conflict(() => store.write(() => db.prepare("UPDATE aduan SET status = 'selesai' WHERE id = ?").run(a.id)))).toBe('CONFLICT:store.conflict.transition');
    expect(conflict(() => store.write(() => db.prepare("UPDATE aduan_langkah SET actor = 'x'").run()))).toBe('CONFLICT:store.conflict.append_only');
    expect(conflict(() => store.write(() => db.prepare('DELETE FROM aduan_langkah').run()))).toBe('CONFLICT:store.conflict.append_only');
    expect(
      conflict(() =>
        store.write(() =>
          db
            .prepare("INSERT INTO aduan (nomor, tahun, urut, registered_at, operator, sumber, kanal, nomor_pelacakan, jenis, judul, diterima_at, kerahasiaan, status, status_at) VALUES ('X', 2026, 99, 'a', 'b', 'catat', 'lapor', 'Z', 'pengaduan', 'j', 'd', 'anonim', 'selesai', 'x')")
            .run(),
        ),
      ),
    ).toBe('CONFLICT:store.conflict.insert_state');
  });
});
