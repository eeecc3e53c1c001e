/**
 * Complaints as an agenda register and in the quarterly report, on a real SQLite file: the reporter's identity
 * (the encrypted blob; here bytes carrying a marker, so any leak of the column shows) never reaches a listing,
 * a search, a row view or any export format; the chronology of a confidential or whistle-blowing complaint and
 * attachment names are withheld; the report carries the aduan service's own evaluation in JSON, text and PDF.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { openApp, type App } from '../../src/app.js';
import type { Clock } from '../../src/ports.js';
import { agendaService } from '../../src/services/agenda.js';
import { aduanService } from '../../src/services/aduan.js';
import { laporanKinerja, tulisPdfLaporan } from '../../src/services/laporan.js';
import { recordAduanStep, registerAduan, type NewAduan } from '../../src/adapters/sqlite/aduan.js';
import { haveCommand } from '../helpers/gate.js';

const PELAPOR = 'PELAPOR-MARKER-Siti-Aminah-3171';
const KRONO = 'KRONOLOGI-MARKER-rumah-pelapor';
const LAMPIRAN = 'LAMPIRAN-MARKER-ktp.pdf';

class FixedClock implements Clock {
  constructor(public t: Date) {}
  now(): Date {
    return new Date(this.t);
  }
}

function writeConfig(home: string): void {
  const hours = [['08:00', '12:00'], ['13:00', '16:00']];
  writeFileSync(
    join(home, 'config.json'),
    JSON.stringify({
      version: 1,
      mode: 'produksi',
      office: { name: 'Diskominfo Kota Uji', unitCode: 'DKI', timeZone: 'Asia/Jakarta' },
      serviceHours: { senin: hours, selasa: hours, rabu: hours, kamis: hours, jumat: [['08:00', '11:00']] },
      holidaysFile: 'hari-libur.tsv',
      numberFormats: { kriptogramKeluar: 'KRIP/{urut:3}/{bulan}/{tahun}', suratKeluar: 'SK/{urut:3}/{bulan}/{tahun}', suratMasuk: 'SM/{urut:3}/{bulan}/{tahun}', kriptogramMasuk: 'KM/{urut:3}/{bulan}/{tahun}' },
      mailbox: null,
      archiveKey: 'BEAAF8E19EC215E68ADDB52F3B94A6C9EE42FB61',
      singleOperator: false,
    }),
    { mode: 0o600 },
  );
  writeFileSync(join(home, 'hari-libur.tsv'), '2026-12-25\tlibur\tHari Raya Natal\n');
}

const blob = (): Uint8Array => new TextEncoder().encode(`-----BEGIN PGP MESSAGE-----\n${PELAPOR}\n`);
const base = (over: Partial<NewAduan>): NewAduan => ({
  sumber: 'catat',
  kanal: 'laporgub',
  nomorPelacakan: 'LG-1',
  jenis: 'pengaduan',
  kategori: 'Infrastruktur',
  judul: 'Jalan berlubang di Jl. Merdeka',
  kronologi: null,
  diterimaAt: new Date('2026-11-02T02:00:00Z'),
  kerahasiaan: 'rahasia',
  pelaporTerenkripsi: blob(),
  lampiran: [],
  tahun: 2026,
  ...over,
});

describe('complaints in sandi agenda and the quarterly report', () => {
  let home: string;
  let app: App;
  beforeAll(() => {
    home = mkdtempSync(join(tmpdir(), 'sandi-agenda-aduan-'));
    writeConfig(home);
    app = openApp(home, new FixedClock(new Date('2026-12-31T09:00:00Z')));
    const s = app.store();
    const at = (iso: string) => new Date(iso);
    const opd = { unit: 'Dinas Pekerjaan Umum', email: 'pu@kota.test' };
    s.write((tx) => {
      // confidential reporter, chronology and attachment that point at them: driven to selesai with a return
      const a = registerAduan(tx, base({ kronologi: KRONO, lampiran: [{ nama: LAMPIRAN, sha256: 'e'.repeat(64), ukuran: 10 }] }), at('2026-11-02T02:05:00Z'), 'Adum');
      const steps: [Parameters<typeof recordAduanStep>[2], string][] = [
        [{ aksi: 'disposisi', from: 'diterima', to: 'didisposisi', catatan: null, opd }, '2026-11-02T03:00:00Z'],
        [{ aksi: 'kembalikan', from: 'didisposisi', to: 'dikembalikan_oleh_opd', catatan: 'bukan kewenangan' }, '2026-11-03T02:00:00Z'],
        [{ aksi: 'disposisi', from: 'dikembalikan_oleh_opd', to: 'didisposisi', catatan: null, opd }, '2026-11-03T03:00:00Z'],
        [{ aksi: 'tindaklanjut', from: 'didisposisi', to: 'ditindaklanjuti', catatan: 'ditambal' }, '2026-11-04T02:00:00Z'],
        [{ aksi: 'konfirmasi', from: 'ditindaklanjuti', to: 'dikonfirmasi', catatan: null }, '2026-11-04T03:00:00Z'],
        [{ aksi: 'verifikasi', from: 'dikonfirmasi', to: 'terverifikasi', catatan: null }, '2026-11-05T02:00:00Z'],
        [{ aksi: 'selesai', from: 'terverifikasi', to: 'selesai', catatan: null }, '2026-11-05T03:00:00Z'],
      ];
      for (const [st, when] of steps) recordAduanStep(tx, a.id, st, at(when), 'Adum');
      // an open reporter: its chronology is exported
      registerAduan(tx, base({ kanal: 'lapor', nomorPelacakan: 'LAP-77', jenis: 'aspirasi', kerahasiaan: 'terbuka', kronologi: 'Kronologi terbuka', judul: 'Usul taman kota' }), at('2026-11-10T02:00:00Z'), 'Adum');
      // anonymous whistle-blowing: no identity, chronology withheld
      registerAduan(tx, base({ nomorPelacakan: 'LG-9', jenis: 'whistleblowing', kerahasiaan: 'anonim', pelaporTerenkripsi: null, kronologi: KRONO, judul: 'Dugaan pungli' }), at('2026-12-01T02:00:00Z'), 'Adum');
    });
  });
  afterAll(() => {
    app.close();
    rmSync(home, { recursive: true, force: true });
  });

  const clean = (text: string): void => {
    expect(text).not.toContain(PELAPOR);
    expect(text).not.toContain(KRONO);
    expect(text).not.toContain(LAMPIRAN);
    expect(text).not.toContain(Buffer.from(blob()).toString('hex'));
    expect(text).not.toContain(Buffer.from(blob()).toString('base64').slice(0, 24));
  };

  it('lists, searches and shows complaints (history by register number) without the identity', () => {
    const svc = agendaService(app);
    const page = svc.daftar('aduan', {});
    expect(page.total).toBe(3);
    expect(page.kolom).toEqual(['id', 'nomor', 'registered_at', 'status', 'kanal', 'jenis', 'judul', 'opd']);
    expect(svc.daftar('aduan', { status: ['selesai'] }).baris.map((b) => b['nomor'])).toEqual(['ADU/001/2026']);
    expect(svc.daftar('aduan', { unit: 'pu@kota.test' }).total).toBe(1);
    expect(svc.cari('aduan', 'taman', {}).baris.map((b) => b['nomor'])).toEqual(['ADU/002/2026']);
    expect(svc.cari('aduan', 'LG-9', {}).baris).toHaveLength(1);
    const v = svc.lihat('aduan', 'ADU/001/2026');
    expect(v.baris).toMatchObject({ status: 'selesai', kerahasiaan: 'rahasia', kronologi: null, lampiran_jumlah: 1, opd: 'Dinas Pekerjaan Umum' });
    expect(v.riwayat.map((e) => e.action)).toEqual(['aduan.catat', 'aduan.disposisi', 'aduan.kembalikan', 'aduan.disposisi', 'aduan.tindaklanjut', 'aduan.konfirmasi', 'aduan.verifikasi', 'aduan.selesai']);
    expect(svc.lihat('aduan', '2').baris['kronologi']).toBe('Kronologi terbuka');
    expect(() => svc.catat('aduan', '1', 'catatan', 'Adum')).toThrow(/agenda.notAnnotatable/);
    for (const x of [page, v, svc.lihat('aduan', '3'), svc.cari('aduan', 'jalan', {})]) clean(JSON.stringify(x));
  });

  it('no export format carries the reporter identity, a withheld chronology or an attachment name', async () => {
    const svc = agendaService(app);
    const csv = join(home, 'aduan.csv');
    const jsonl = join(home, 'aduan.jsonl');
    const xlsx = join(home, 'aduan.xlsx');
    expect((await svc.ekspor('aduan', {}, 'csv', { path: csv })).rows).toBe(3);
    await svc.ekspor('aduan', {}, 'jsonl', { path: jsonl });
    await svc.ekspor('aduan', {}, 'xlsx', { path: xlsx });
    const csvText = readFileSync(csv, 'utf8');
    clean(csvText);
    expect(csvText).toContain('Kronologi terbuka');
    const lines = readFileSync(jsonl, 'utf8').trim().split('\n');
    clean(lines.join('\n'));
    const rows = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(rows.map((r) => r['kerahasiaan'])).toEqual(['rahasia', 'terbuka', 'anonim']);
    expect(Object.keys(rows[0] ?? {})).not.toContain('pelapor_terenkripsi');
    expect(rows.map((r) => r['kronologi'])).toEqual([null, 'Kronologi terbuka', null]);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(xlsx);
    const cells: string[] = [];
    wb.eachSheet((ws) => ws.eachRow((row) => row.eachCell((c) => cells.push(typeof c.value === 'string' ? c.value : JSON.stringify(c.value)))));
    expect(cells).toContain('ADU/003/2026');
    clean(cells.join('\n'));
    // the raw bytes of every file, too (the XLSX is compressed: the cell check above is what reads it)
    for (const f of [csv, jsonl, xlsx]) expect(readFileSync(f).includes(Buffer.from(PELAPOR))).toBe(false);
  });

  it('the quarterly report carries the aduan evaluation (JSON, text, PDF) as the aduan service computes it', async () => {
    const r = await laporanKinerja(app, { triwulan: '2026-IV' });
    const { dari: _d, sampai: _s, ...expected } = aduanService(app, 'test').laporan({ dari: '2026-10-01', sampai: '2026-12-31' });
    expect(r.aduan).toEqual(expected);
    expect(r.aduan).toMatchObject({ jumlah: 3, selesai: 1, perKanal: { laporgub: 2, lapor: 1 }, perJenis: { pengaduan: 1, aspirasi: 1, whistleblowing: 1 }, perOpd: { 'Dinas Pekerjaan Umum': 1 } });
    expect(r.aduan.pengembalian.opd_ke_kantor).toBe(1);
    expect(r.aduan.tahap.layanan.selesai).toBeGreaterThan(0);
    expect(r.volume.find((v) => v.buku === 'aduan')?.total).toBe(3);
    expect(r.belumTersedia.join(' ')).not.toMatch(/aduan/i);
    clean(JSON.stringify(r));
    const { layoutLaporan } = await import('../../src/cli/laporan.js');
    const layout = layoutLaporan(r);
    const text = layout.sections.flatMap((s) => [s.heading, ...(s.text ?? []), ...(s.pre ?? [])]).join('\n');
    expect(text).toContain('Aduan (LaporGub!, SP4N LAPOR!)');
    expect(text).toContain('3 aduan diterima; 1 selesai.');
    expect(text).toContain('OPD ke kantor 1');
    expect(text).toMatch(/seluruh layanan\s+1/);
    if (!haveCommand('pdftotext', ['-v'])) return;
    const pdf = await tulisPdfLaporan(app, { ...layout, signature: ['2026-12-31', 'Mengetahui,', 'Kepala Seksi', '(nama)'] }, join(home, 'laporan.pdf'));
    const pdfText = execFileSync('pdftotext', ['-layout', pdf, '-'], { encoding: 'utf8' });
    expect(pdfText).toContain('Aduan (LaporGub!, SP4N LAPOR!)');
    expect(pdfText).toContain('laporgub');
    expect(pdfText).toContain('Dinas Pekerjaan Umum');
  });
});
