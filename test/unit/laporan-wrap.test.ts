/**
 * `sandi laporan kinerja`: a long cancellation reason is wrapped at word boundaries in the cancelled-numbers table,
 * on the terminal (at its width) and in the PDF (pdftotext reads every word whole), never cut mid-word.
 */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { layoutLaporan } from '../../src/cli/laporan.js';
import { renderPdfReport } from '../../src/adapters/export-pdf.js';
import { PDF_MONO_COLUMNS, wrapWords } from '../../src/domain/laporan.js';
import type { LaporanKinerja } from '../../src/services/laporan.js';
import { haveCommand } from '../helpers/gate.js';

const ALASAN =
  'Permohonan ditarik oleh Sekretariat Daerah karena tujuan surat berubah setelah rapat koordinasi lintas perangkat daerah; nomor dibatalkan sesuai arahan Kepala Seksi Persandian dan Telekomunikasi tanggal 3 Desember 2026';

/** Only what layoutLaporan reads: no letters, no complaints, one cancelled number with a long reason. */
const REPORT = {
  periode: { dari: '2026-10-01', sampai: '2026-12-31', triwulan: '2026-IV', zona: 'Asia/Jakarta' },
  kantor: 'Diskominfo Kota Uji',
  dibuat: '2026-12-31T09:00:00.000Z',
  volume: [],
  sla: { total: 0 },
  terlambat: [],
  batal: [{ buku: 'keluar', id: 7, nomor: 'KRIP/000007/XII/2026', batalAt: '2026-12-03T02:00:00.000Z', oleh: 'Siti Rahayu', alasan: ALASAN }],
  aduan: { jumlah: 0 },
  audit: { ok: true, rows: 3, lastHash: 'ab'.repeat(32), broken: null, findings: 0, checkpoint: null },
  belumTersedia: [],
} as unknown as LaporanKinerja;

const words = ALASAN.split(' ');

describe('laporan kinerja: cancellation reasons wrapped at word boundaries', () => {
  it('wrapWords breaks at spaces, within the width; only a word longer than a line is cut', () => {
    const lines = wrapWords(ALASAN, 30);
    expect(lines.every((l) => l.length <= 30)).toBe(true);
    expect(lines.join(' ')).toBe(ALASAN);
    expect(lines.flatMap((l) => l.split(' '))).toEqual(words);
    expect(wrapWords('a  b\n c', 3)).toEqual(['a b', 'c']);
    expect(wrapWords('', 10)).toEqual(['']);
    expect(wrapWords('x abcdefghij y', 4)).toEqual(['x', 'abcd', 'efgh', 'ij y']);
  });

  for (const lebar of [80, 100, PDF_MONO_COLUMNS]) {
    it(`the table fits ${lebar} columns and keeps every word of the reason whole`, () => {
      const sec = layoutLaporan(REPORT, lebar).sections.find((s) => s.pre?.some((l) => l.includes('KRIP/000007/XII/2026')));
      const pre = sec?.pre ?? [];
      expect(pre.length).toBeGreaterThan(3);
      expect(pre.filter((l) => l.length > lebar)).toEqual([]);
      // the reason column starts at the same place on every line; its pieces read back as the reason
      const start = pre[0]!.lastIndexOf(' ') + 1;
      expect(pre.slice(2).map((l) => l.slice(start)).join(' ')).toBe(ALASAN);
      expect(pre.slice(3).every((l) => l.slice(0, start).trim() === '')).toBe(true);
    });
  }

  it.runIf(haveCommand('pdftotext', ['-v']))('the PDF shows every word of the reason whole (no "~" cut)', async () => {
    const bytes = await renderPdfReport(layoutLaporan(REPORT, PDF_MONO_COLUMNS));
    const text = execFileSync('pdftotext', ['-layout', '-', '-'], { input: Buffer.from(bytes), encoding: 'utf8' });
    const seen = new Set(text.split(/\s+/));
    expect(words.filter((w) => !seen.has(w))).toEqual([]);
    expect(text).not.toContain('~');
  });
});
