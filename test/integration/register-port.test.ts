/**
 * The register port (src/ports/registers.ts) on the SQLite store: one unit of work commits its rows, the
 * numbers it took and its audit events together, or, when it throws, none of them (the number is taken
 * again by the next unit: no gap); reads inside a unit see its own writes, reads outside see what is committed.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore, type Store } from '../../src/adapters/sqlite/store.js';
import { sqliteRegisters } from '../../src/adapters/sqlite/registers/port.js';
import type { Registers, UnitOfWork } from '../../src/ports/registers.js';
import { DEFAULT_FORMATS } from '../../src/domain/numbering.js';
import type { NewSuratMasuk } from '../../src/domain/records-masuk.js';

const AT = new Date('2026-11-10T03:00:00Z');
const KRIP = { format: DEFAULT_FORMATS.kriptogram_keluar, timeZone: 'Asia/Jakarta' };
const SM = { format: DEFAULT_FORMATS.surat_masuk, timeZone: 'Asia/Jakarta' };

let dir: string | undefined;
let store: Store | undefined;
afterEach(() => {
  store?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
  store = undefined;
  dir = undefined;
});

function open(): { store: Store; registers: Registers } {
  dir = mkdtempSync(join(tmpdir(), 'sandi-port-'));
  store = openStore(join(dir, 'sandi.db'));
  return { store, registers: sqliteRegisters(store) };
}

/** A Biasa kriptogram registered, initialled and signed, then numbered: the SOP of one sending, in one unit. */
function numberOne(u: UnitOfWork): { id: number; nomor: string | null } {
  const r = u.kriptogramKeluar.register({ sandiman: 'sandi', recipients: [{ email: 'dinkes@example.go.id', unit: 'Dinas Kesehatan' }], sifat: 'Biasa', derajat: 'Segera', perihal: 'Undangan' }, AT);
  u.kriptogramKeluar.setStatus(r.id, 'diparaf', { parafFpr: 'A'.repeat(40), drafSha256: 'b'.repeat(64) }, AT, 'sandi');
  u.kriptogramKeluar.setStatus(r.id, 'ditandatangani', { signer: 'kasi', signerFpr: 'C'.repeat(40), kriptogramSha256: 'd'.repeat(64) }, AT, 'kasi');
  const n = u.kriptogramKeluar.assignNumber(r.id, KRIP, AT, 'sandi');
  return { id: n.id, nomor: n.nomor };
}

const letter = (uid: number): NewSuratMasuk => ({
  operator: 'sandi',
  diterimaAt: '2026-11-10T01:00:00.000Z',
  pengirim: 'Setda <setda@example.go.id>',
  perihal: 'Undangan Rapat',
  rawSha256: uid.toString(16).padStart(64, '0'),
  rawSize: 100,
  source: { sumber: 'imap', folder: 'INBOX', uidvalidity: 7, uid },
});

describe('register port on SQLite', () => {
  it('a unit of work commits its rows, numbers and audit events together; reads inside see its own writes', () => {
    const { store: s, registers } = open();
    const first = registers.write((u) => {
      const one = numberOne(u);
      expect(u.kriptogramKeluar.get(one.id).status).toBe('bernomor');
      return one;
    });
    expect(first.nomor).toBe('KRIP/001/XI/2026');
    expect(registers.kriptogramKeluar.findByNumber('KRIP/001/XI/2026')?.id).toBe(first.id);
    expect([...s.auditRows()].map((r) => r.action)).toEqual([
      'kriptogram_keluar.terdaftar',
      'kriptogram_keluar.diparaf',
      'kriptogram_keluar.ditandatangani',
      'kriptogram_keluar.bernomor',
    ]);
  });

  it('a unit of work that throws leaves no row, no number taken and no audit event', () => {
    const { store: s, registers } = open();
    registers.write((u) => numberOne(u));
    const before = [...s.auditRows()].length;
    expect(() =>
      registers.write((u) => {
        numberOne(u);
        u.suratMasuk.register(letter(41), SM, AT);
        u.posisiFolder.set('kantor', 'INBOX', { uidvalidity: 7, lastUid: 41 }, AT);
        u.audit(AT, { actor: 'sandi', action: 'uji.gagal', entity: 'kriptogram_keluar' });
        throw new Error('the SMTP step failed');
      }),
    ).toThrow('the SMTP step failed');
    expect([...registers.kriptogramKeluar.list()]).toHaveLength(1);
    expect([...registers.suratMasuk.list()]).toHaveLength(0);
    expect(registers.posisiFolder.get('kantor', 'INBOX')).toBeNull();
    expect([...s.auditRows()]).toHaveLength(before);
    // the numbers rolled back with the unit: the next ones are 002 and 001, no gap
    expect(registers.write((u) => numberOne(u)).nomor).toBe('KRIP/002/XI/2026');
    expect(registers.write((u) => u.suratMasuk.register(letter(41), SM, AT)).nomor).toBe('SM/001/XI/2026');
  });

  it('an incoming letter and the folder position move in one unit; the duplicate is found by its source', () => {
    const { registers } = open();
    const r = registers.write((u) => {
      const m = u.suratMasuk.register(letter(5), SM, AT);
      u.posisiFolder.set('kantor', 'INBOX', { uidvalidity: 7, lastUid: 5 }, AT);
      u.suratMasuk.addStep(m.id, 'cetak', { printer: 'lp0' }, AT, 'sandi');
      return m;
    });
    expect(registers.posisiFolder.get('kantor', 'INBOX')).toEqual({ uidvalidity: 7, lastUid: 5 });
    expect(registers.suratMasuk.findByRef(r.nomor)?.id).toBe(r.id);
    expect(registers.suratMasuk.listSteps(r.id).map((l) => l.langkah)).toEqual(['cetak']);
    expect(registers.findIncomingDuplicate({ rawSha256: 'f'.repeat(64), source: { sumber: 'imap', folder: 'INBOX', uidvalidity: 7, uid: 5 } })).toMatchObject({
      buku: 'surat_masuk',
      id: r.id,
      by: 'source',
    });
  });
});
