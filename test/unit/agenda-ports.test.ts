/**
 * The agenda service against port fakes (src/ports/agenda.ts, src/ports/registers.ts): an in-memory book of
 * rows, an annotation list, an export writer that collects what it is given. No SQLite, no exceljs: the real
 * adapters are covered by test/integration/agenda*.test.ts and test/e2e/agenda.test.ts.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AgendaBooks, AgendaFilter, ExportJob, ExportWriter } from '../../src/ports/agenda.js';
import type { Registers, UnitOfWork } from '../../src/ports/registers.js';
import type { Anotasi, NewAnotasi } from '../../src/domain/records-anotasi.js';
import { agendaService, type AgendaHome } from '../../src/services/agenda.js';
import { isSandiError } from '../../src/errors.js';

const NOW = new Date('2026-12-01T03:00:00Z');
const dir = mkdtempSync(join(tmpdir(), 'sandi-agenda-ports-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

type Row = Record<string, unknown>;

function fakeHome(rows: Row[], opts: { database?: boolean } = {}) {
  const database = join(dir, `db-${Math.random().toString(16).slice(2)}`);
  if (opts.database !== false) writeFileSync(database, '');
  const asked: { reg: string; f: AgendaFilter }[] = [];
  const notes: Anotasi[] = [];
  const exported: { job: ExportJob; rows: unknown[][]; path: string }[] = [];
  const books: AgendaBooks = {
    count: (reg, f) => (asked.push({ reg: reg.buku, f }), rows.length),
    page: (_reg, _f, p) => rows.slice(p.offset, p.offset + p.limit),
    search: (_reg, q) => rows.filter((r) => typeof r['perihal'] === 'string' && r['perihal'].includes(q.text)),
    find: (_reg, ref) => rows.find((r) => ('id' in ref ? r['id'] === ref.id : r['nomor'] === ref.nomor)) ?? null,
    history: (_reg, id) => [{ auditId: 7, at: NOW.toISOString(), actor: 'tes', action: 'daftar', data: { id, isiRingkas: 'rahasia negara' } }],
    exportRows: (reg) => rows.map((r) => reg.columns.map((c) => r[c.name] ?? null))[Symbol.iterator](),
    monthlyVolumes: () => [],
    cancelledRows: () => [],
  };
  const anotasi = {
    list: (buku: string, baris: number) => notes.filter((n) => n.buku === buku && n.baris === baris),
    annotate: (a: NewAnotasi, at: Date): Anotasi => {
      const n = { id: notes.length + 1, jenis: 'catatan', kolom: null, nilai: null, nilaiTerenkripsi: null, mengoreksi: null, at: at.toISOString(), ...a } as unknown as Anotasi;
      notes.push(n);
      return n;
    },
  };
  const registers = { anotasi, write: <T>(fn: (u: UnitOfWork) => T): T => fn({ anotasi } as unknown as UnitOfWork) } as unknown as Registers;
  const writer: ExportWriter = {
    toFile(job, path) {
      const out = [...{ [Symbol.iterator]: () => job.rows }];
      exported.push({ job, rows: out, path });
      return Promise.resolve({ rows: out.length, path, stopped: false });
    },
    toStream: () => Promise.reject(new Error('not in this test')),
  };
  const home: AgendaHome = {
    paths: { database },
    clock: { now: () => NOW },
    config: () => {
      throw new Error('no filter of these tests needs config.json');
    },
    agendaBooks: () => books,
    registers: () => registers,
    exportWriter: writer,
  };
  return { home, asked, notes, exported };
}

const masuk = (id: number, sifat: string): Row => ({ id, nomor: `SM/${id}/2026`, perihal: `Undangan rapat ${id}`, sifat, status: 'terdaftar' });

describe('agenda service over port fakes', () => {
  it('lists a page of a register named on the command line, with its total and page count', () => {
    const { home, asked } = fakeHome([masuk(1, 'Biasa'), masuk(2, 'Biasa'), masuk(3, 'Terbatas')]);
    const page = agendaService(home).daftar('masuk', { status: ['terdaftar'], sifat: ['terbatas'] }, { halaman: 2, batas: 2 });
    expect(page).toMatchObject({ buku: 'masuk', halaman: 2, batas: 2, total: 3, halamanTotal: 2 });
    expect(page.baris.map((r) => r['id'])).toEqual([3]);
    // the service normalises the classification before the store sees it
    expect(asked).toEqual([{ reg: 'masuk', f: { status: ['terdaftar'], sifat: ['Terbatas'] } }]);
  });

  it('refuses an unknown register, status or classification before asking the store (USAGE / DATA)', () => {
    const { home, asked } = fakeHome([]);
    const svc = agendaService(home);
    const code = (fn: () => unknown): string | undefined => {
      try {
        fn();
      } catch (e) {
        return isSandiError(e) ? `${e.code} ${e.key}` : String(e);
      }
      return undefined;
    };
    expect(code(() => svc.daftar('masukk', {}))).toBe('USAGE agenda.unknownBuku');
    expect(code(() => svc.daftar('masuk', { status: ['hilang'] }))).toBe('DATA agenda.badStatus');
    expect(code(() => svc.daftar('masuk', { sifat: ['Pribadi'] }))).toBe('DATA agenda.badSifat');
    expect(asked).toEqual([]);
  });

  it('a home without a database is NOT_FOUND, and the store port is never asked', () => {
    const { home, asked } = fakeHome([masuk(1, 'Biasa')], { database: false });
    expect(() => agendaService(home).daftar('masuk', {})).toThrow(expect.objectContaining({ code: 'NOT_FOUND', key: 'agenda.noDatabase' }) as Error);
    expect(asked).toEqual([]);
  });

  it('shows a Rahasia incoming letter without the summary of its registration event', () => {
    const { home } = fakeHome([masuk(1, 'Rahasia'), masuk(2, 'Biasa')]);
    const svc = agendaService(home);
    expect(svc.lihat('masuk', '1').riwayat[0]!.data).toEqual({ id: 1, isiRingkas: null });
    expect(svc.lihat('masuk', 'SM/2/2026').riwayat[0]!.data).toEqual({ id: 2, isiRingkas: 'rahasia negara' });
  });

  it('annotates a row in a unit of work of the register port, and shows the note with the row', () => {
    const { home, notes } = fakeHome([masuk(4, 'Biasa')]);
    const svc = agendaService(home);
    const a = svc.catat('masuk', 'SM/4/2026', 'sudah didisposisikan', 'sandiman');
    expect(a).toMatchObject({ buku: 'surat_masuk', baris: 4, actor: 'sandiman', catatan: 'sudah didisposisikan', nomor: 'SM/4/2026' });
    expect(notes).toHaveLength(1);
    expect(svc.lihat('masuk', '4').anotasi.map((n) => n.catatan)).toEqual(['sudah didisposisikan']);
  });

  it('exports the documented columns of the register through the export writer', async () => {
    const { home, exported } = fakeHome([masuk(1, 'Biasa')]);
    const r = await agendaService(home).ekspor('masuk', {}, 'csv', { path: '/tmp/x.csv' });
    expect(r).toEqual({ rows: 1, path: '/tmp/x.csv', stopped: false, buku: 'masuk', format: 'csv' });
    const reg = exported[0]!.job.columns;
    expect(exported[0]!.job.sheetName).toBe('surat_masuk');
    expect(exported[0]!.rows[0]![reg.findIndex((c) => c.name === 'nomor')]).toBe('SM/1/2026');
  });
});
