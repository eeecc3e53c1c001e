/**
 * `sandi agenda` and `sandi laporan kinerja` on a real SQLite database (temporary home): every export format
 * round-trips through an independent reader (Python's csv module for CSV, exceljs's reader for XLSX, JSON.parse
 * per line), formula-looking subjects are neutralised in CSV, encrypted subjects and the content of classified
 * letters never leave the store, a failed export leaves no file, search runs on FTS5, and the quarterly report
 * adds up and prints as a PDF that pdftotext reads.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import ExcelJS from 'exceljs';
import { openApp, type App } from '../../src/app.js';
import type { Clock } from '../../src/ports.js';
import { agendaService } from '../../src/services/agenda.js';
import { laporanKinerja, tulisPdfLaporan } from '../../src/services/laporan.js';
import { exportToFile } from '../../src/adapters/export.js';
import {
  addIncomingStep,
  registerIncoming,
  registerIncomingKriptogram,
  registerOutgoing,
  registerOutgoingLetter,
  setIncomingNotes,
  setIncomingStatus,
  setOutgoingStatus,
  type Numbering,
} from '../../src/adapters/sqlite/registers.js';
import { haveCommand } from '../helpers/gate.js';
import { SandiError } from '../../src/errors.js';

const TRICKY = 'Undangan "Rapat Koordinasi", Pekan Budaya —\nDinas Pariwisata, Pemuda & Olahraga; café Sérasi';
const FORMULA = '=HYPERLINK("http://contoh.invalid","klik")';
const SECRET_MARKER = 'RAHASIA-TIDAK-BOLEH-KELUAR';

class FixedClock implements Clock {
  constructor(public t: Date) {}
  now(): Date {
    return new Date(this.t);
  }
}

export function writeConfig(home: string): void {
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

const numbering = (format: string): Numbering => ({ format, timeZone: 'Asia/Jakarta' });
const recipients = [{ email: 'opd1@dinkes.test', unit: 'Dinas Kesehatan, Kota Uji', unitCode: 'DINKES' }];

/** A few rows in every register, some tricky, some classified, some cancelled, in 2026-IV. */
export function seedRegisters(app: App): { letterLate: string } {
  const s = app.store();
  const at = (iso: string) => new Date(iso);
  let letterLate = '';
  s.write((tx) => {
    const a = registerOutgoing(tx, { sandiman: 'Budi', recipients, sifat: 'Biasa', derajat: 'Segera', perihal: TRICKY, permohonan: { nomor: '005/1/SETDA', unit: 'Sekretariat Daerah' } }, at('2026-10-05T02:00:00Z'));
    registerOutgoing(tx, { sandiman: 'Budi', recipients, sifat: 'Terbatas', derajat: 'Biasa', perihal: FORMULA }, at('2026-11-03T02:00:00Z'));
    const r = registerOutgoing(tx, { sandiman: 'Budi', recipients, sifat: 'Rahasia', derajat: 'Kilat', perihalTerenkripsi: Buffer.from(SECRET_MARKER) }, at('2026-11-04T02:00:00Z'));
    setOutgoingStatus(tx, r.id, 'batal', { alasan: 'Salah alamat tujuan' }, at('2026-11-04T03:00:00Z'), 'Siti');
    void a;
    registerOutgoingLetter(tx, { operator: 'Budi', recipients, perihal: '@undangan -- semua OPD' }, at('2026-12-01T02:00:00Z'));
    const m1 = registerIncoming(
      tx,
      {
        operator: 'sandi', diterimaAt: '2026-11-02T01:00:00.000Z', pengirim: 'Dinas Pendidikan <opd2@disdik.test>', kepada: ['sandi@kominfo.test'],
        rawSha256: 'a'.repeat(64), rawSize: 1200, source: { sumber: 'eml' }, perihal: TRICKY, isiRingkas: 'Ringkasan biasa', sifat: 'Biasa',
        lampiran: [{ name: 'undangan.pdf', type: 'application/pdf', size: 10, sha256: 'b'.repeat(64) }],
      },
      numbering('SM/{urut:3}/{bulan}/{tahun}'),
      at('2026-11-02T01:05:00Z'),
    );
    letterLate = m1.nomor;
    registerIncoming(
      tx,
      { operator: 'sandi', diterimaAt: '2026-11-09T01:00:00.000Z', pengirim: 'Inspektorat <ins@kota.test>', rawSha256: 'c'.repeat(64), rawSize: 900, source: { sumber: 'eml' }, perihal: 'Hasil pemeriksaan', isiRingkas: SECRET_MARKER, sifat: 'Rahasia' },
      numbering('SM/{urut:3}/{bulan}/{tahun}'),
      at('2026-11-09T01:02:00Z'),
    );
    registerIncomingKriptogram(
      tx,
      { operator: 'sandi', diterimaAt: '2026-11-10T01:00:00.000Z', pengirim: 'persandian@prov.test', rawSha256: 'd'.repeat(64), rawSize: 4000, source: { sumber: 'eml' }, subjekLuar: 'KRIP/077/XI/2026' },
      numbering('KM/{urut:3}/{bulan}/{tahun}'),
      at('2026-11-10T01:01:00Z'),
    );
    // the first letter: printed on time, the Kasi initials three days later (late)
    addIncomingStep(tx, m1.id, 'cetak', {}, at('2026-11-02T01:20:00Z'), 'Adum');
    setIncomingStatus(tx, m1.id, 'dicetak', at('2026-11-02T01:20:00Z'), 'Adum');
    for (const [tier, d] of [['Kasi', '2026-11-05T02:00:00Z'], ['Kabid', '2026-11-05T02:10:00Z'], ['Kadis', '2026-11-05T02:20:00Z']] as const) {
      addIncomingStep(tx, m1.id, 'paraf', { sebagai: tier }, at(d), tier === 'Kasi' ? 'Siti' : tier);
    }
    setIncomingStatus(tx, m1.id, 'diparaf', at('2026-11-05T02:20:00Z'), 'Kadis');
    setIncomingNotes(tx, m1.id, { keterangan: 'diterima lengkap' }, at('2026-11-05T02:30:00Z'), 'Adum');
  });
  return { letterLate };
}

const pyCsv = `import csv, json, sys
with open(sys.argv[1], newline='', encoding='utf-8') as f:
    print(json.dumps(list(csv.reader(f))))`;

describe('sandi agenda on a real store', () => {
  let home: string;
  let app: App;
  let seeded: { letterLate: string };
  beforeAll(() => {
    home = mkdtempSync(join(tmpdir(), 'sandi-agenda-'));
    writeConfig(home);
    app = openApp(home, new FixedClock(new Date('2026-12-31T09:00:00Z')));
    seeded = seedRegisters(app);
  });
  afterAll(() => {
    app.close();
    rmSync(home, { recursive: true, force: true });
  });

  it('CSV round-trips through Python’s csv module; formulas are neutralised; nothing encrypted leaves', async () => {
    const svc = agendaService(app);
    const file = join(home, 'keluar.csv');
    const r = await svc.ekspor('keluar', {}, 'csv', { path: file });
    expect(r).toMatchObject({ rows: 3, stopped: false });
    const text = readFileSync(file, 'utf8');
    expect(text).not.toContain(SECRET_MARKER);
    expect(text.split('\r\n')[0]).toBe('id,nomor,tahun,urut,status,sifat,derajat,registered_at,sandiman,perihal,penerima_unit,penerima_email,permohonan_nomor,permohonan_tanggal,permohonan_unit,assigned_by,diparaf_at,diparaf_oleh,ditandatangani_at,signer,bernomor_at,message_id,sent_at,batal_at,batal_oleh,batal_alasan,kriptogram_sha256');
    const rows = JSON.parse(execFileSync('python3', ['-c', pyCsv, file], { encoding: 'utf8' })) as string[][];
    const header = rows[0] ?? [];
    const col = (row: string[], name: string) => row[header.indexOf(name)];
    expect(rows).toHaveLength(4);
    expect(col(rows[1] ?? [], 'perihal')).toBe(TRICKY);
    expect(col(rows[1] ?? [], 'penerima_unit')).toBe('Dinas Kesehatan, Kota Uji');
    expect(col(rows[2] ?? [], 'perihal')).toBe(`'${FORMULA}`);
    expect(col(rows[3] ?? [], 'sifat')).toBe('Rahasia');
    expect(col(rows[3] ?? [], 'perihal')).toBe('');
    expect(col(rows[3] ?? [], 'batal_alasan')).toBe('Salah alamat tujuan');
    expect(readdirSync(home).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('JSON Lines round-trips line by line, values typed, JSON columns parsed', async () => {
    const out = new PassThrough();
    const chunks: Buffer[] = [];
    out.on('data', (c: Buffer) => chunks.push(c));
    const r = await agendaService(app).ekspor('masuk', {}, 'jsonl', { stream: out });
    expect(r.rows).toBe(2);
    const lines = Buffer.concat(chunks).toString('utf8').trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    const [first, second] = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(first).toMatchObject({ nomor: seeded.letterLate, perihal: TRICKY, kepada: ['sandi@kominfo.test'], raw_size: 1200, status: 'diparaf', keterangan: 'diterima lengkap' });
    expect((first?.['lampiran'] as { name: string }[])[0]?.name).toBe('undangan.pdf');
    // a Rahasia letter: metadata only, its summary never exported
    expect(second).toMatchObject({ sifat: 'Rahasia', isi_ringkas: null });
    expect(Buffer.concat(chunks).toString('utf8')).not.toContain(SECRET_MARKER);
  });

  it('XLSX is re-read by exceljs: text stays text (a formula-looking subject is a string, not a formula)', async () => {
    const file = join(home, 'keluar.xlsx');
    await agendaService(app).ekspor('keluar', { sifat: ['Biasa', 'terbatas'] }, 'xlsx', { path: file });
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(file);
    const ws = wb.worksheets[0];
    expect(ws?.name).toBe('kriptogram_keluar');
    const header = (ws?.getRow(1).values as unknown[]).slice(1);
    expect(header[0]).toBe('id');
    const perihal = header.indexOf('perihal') + 1;
    expect(ws?.rowCount).toBe(3);
    expect(ws?.getRow(2).getCell(1).value).toBe(1);
    expect(ws?.getRow(2).getCell(perihal).value).toBe(TRICKY);
    const f = ws?.getRow(3).getCell(perihal);
    expect(f?.value).toBe(FORMULA);
    expect(f?.type).toBe(ExcelJS.ValueType.String);
  });

  it('filters by date range, status, classification and unit', () => {
    const svc = agendaService(app);
    expect(svc.daftar('keluar', { dari: '2026-11-01', sampai: '2026-11-30' }).total).toBe(2);
    expect(svc.daftar('keluar', { status: ['batal'] }).baris.map((r) => r['sifat'])).toEqual(['Rahasia']);
    expect(svc.daftar('keluar', { sifat: ['sangat-rahasia'] }).total).toBe(0);
    expect(svc.daftar('keluar', { unit: 'dinkes' }).total).toBe(3);
    expect(svc.daftar('keluar', { unit: 'Sekretariat Daerah' }).total).toBe(1);
    expect(svc.daftar('masuk', { unit: 'disdik' }).total).toBe(1);
    expect(() => svc.daftar('keluar', { status: ['hilang'] })).toThrow(SandiError);
    expect(() => svc.daftar('buku-lain', {})).toThrow(/agenda.unknownBuku/);
    expect(() => svc.daftar('keluar', { dari: '2026-13-01' })).toThrow(/agenda.badDate/);
  });

  it('searches numbers, subjects and parties through FTS5, and shows one row with its history', () => {
    const svc = agendaService(app);
    expect(svc.cari('masuk', seeded.letterLate, {}).baris.map((r) => r['nomor'])).toEqual([seeded.letterLate]);
    expect(svc.cari('masuk', 'koordinasi pariwisata', {}).baris).toHaveLength(1);
    expect(svc.cari('masuk', 'Serasi', {}).baris).toHaveLength(1); // diacritics folded
    expect(svc.cari('keluar', 'dinkes', {}).baris).toHaveLength(3);
    expect(svc.cari('keluar', SECRET_MARKER, {}).baris).toHaveLength(0);
    expect(svc.cari('kriptogram-masuk', 'KRIP/077', {}).baris).toHaveLength(1);
    const v = svc.lihat('masuk', seeded.letterLate);
    expect(v.baris['perihal']).toBe(TRICKY);
    expect(v.riwayat.map((e) => e.action)).toContain('surat_masuk.langkah.paraf');
  });

  it('catat adds an annotation with its audit event; nothing is edited', () => {
    const svc = agendaService(app);
    const a = svc.catat('keluar', '1', 'Nomor permohonan yang benar 005/2/SETDA', 'Budi');
    expect(a).toMatchObject({ buku: 'kriptogram_keluar', baris: 1, jenis: 'catatan' });
    const v = svc.lihat('keluar', '1');
    expect(v.anotasi.map((x) => x.catatan)).toEqual(['Nomor permohonan yang benar 005/2/SETDA']);
    expect(v.riwayat.at(-1)?.action).toBe('anotasi.catatan');
    expect(() => svc.catat('keluar', '99', 'x', 'Budi')).toThrow(/agenda.rowNotFound/);
  });

  it('a failed export leaves no file: the existing one is untouched and no temporary file remains', async () => {
    const file = join(home, 'gagal.csv');
    writeFileSync(file, 'lama\n');
    function* rows(): Generator<unknown[]> {
      for (let i = 0; i < 50_000; i++) {
        if (i === 40_000) throw new Error('disk penuh (simulasi)');
        yield [i, 'x'.repeat(50)];
      }
    }
    const columns = [
      { name: 'id', kind: 'integer' as const, doc: '' },
      { name: 'isi', kind: 'text' as const, doc: '' },
    ];
    await expect(exportToFile({ format: 'csv', columns, rows: rows(), sheetName: 'x' }, file)).rejects.toThrow(/agenda.exportFailed/);
    expect(readFileSync(file, 'utf8')).toBe('lama\n');
    expect(readdirSync(home).filter((f) => f.includes('.tmp'))).toEqual([]);
    await expect(agendaService(app).ekspor('keluar', {}, 'csv', { path: join(home, 'tidak-ada', 'x.csv') })).rejects.toThrow(/agenda.exportFailed/);
  });

  it('the quarterly report adds up volumes, SLA, late letters, cancelled numbers and the audit chain', async () => {
    const r = await laporanKinerja(app, { triwulan: '2026-IV' });
    expect(r.periode).toMatchObject({ dari: '2026-10-01', sampai: '2026-12-31', triwulan: '2026-IV', zona: 'Asia/Jakarta' });
    const keluar = r.volume.find((v) => v.buku === 'keluar');
    expect(keluar?.perBulan.map((m) => m.jumlah)).toEqual([1, 2, 0]);
    expect(r.volume.find((v) => v.buku === 'masuk')?.total).toBe(2);
    expect(r.batal).toEqual([expect.objectContaining({ buku: 'keluar', alasan: 'Salah alamat tujuan', oleh: 'Siti' })]);
    expect(r.sla.total).toBe(2);
    const late = r.terlambat.find((l) => l.nomor === seeded.letterLate);
    expect(late).toMatchObject({ tertahan: 'paraf', pemegang: 'Kadis' });
    expect(r.audit.ok).toBe(true);
    expect(r.audit.rows).toBeGreaterThan(10);
    if (!haveCommand('pdftotext', ['-v'])) return;
    const { layoutLaporan } = await import('../../src/cli/laporan.js');
    const pdf = await tulisPdfLaporan(app, { ...layoutLaporan(r), signature: ['2026-12-31', 'Mengetahui,', 'Kepala Seksi', '(nama)'] }, join(home, 'laporan.pdf'));
    expect(existsSync(pdf)).toBe(true);
    const text = execFileSync('pdftotext', ['-layout', pdf, '-'], { encoding: 'utf8' });
    expect(text).toContain('Laporan Kinerja Layanan Persandian 2026-IV');
    expect(text).toContain('Salah alamat tujuan');
    expect(text).toContain(seeded.letterLate);
    expect(text).toContain('Mengetahui,');
  });
});
