/**
 * The letter's own number read from its PDF attachment (poppler's pdftotext), when the mail text has none:
 * real pdftotext, real PDFs made by pdf-lib, real register rows.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { terimaService } from '../../src/services/terima/index.js';
import { pdfText } from '../../src/adapters/pdf-text.js';
import { getIncoming } from '../../src/adapters/sqlite/registers.js';
import { describeWith, haveCommand } from '../helpers/gate.js';
import { compose, demoOffice, smallPdf, type DemoOffice } from '../helpers/terima-fixture.js';

const from = 'Dinas Perhubungan <dishub@pemkot.test>';
const to = 'Persandian <sandi@kominfo.test>';
const date = new Date('2026-11-23T01:05:00Z');

async function letter(tag: string, text: string, pdfs: Buffer[]): Promise<Buffer> {
  return compose({
    from,
    to,
    subject: `Surat ${tag}`,
    date,
    messageId: `<${tag}@pemkot.test>`,
    text,
    attachments: pdfs.map((content, i) => ({ filename: `surat-${tag}-${i + 1}.pdf`, content, contentType: 'application/pdf' })),
  });
}

describeWith('pdftotext (poppler-utils)', haveCommand('pdftotext', ['-v']), 'letter number from PDF attachments', () => {
  let office: DemoOffice;
  let dir: string;
  const warnings: string[] = [];
  const fetch = () =>
    terimaService(office.app, { actor: 'sandiman-uji', env: {}, warn: (key) => warnings.push(key) }).fetch({ dariFolder: dir });
  const row = (r: Awaited<ReturnType<typeof fetch>>, perihal: string) => {
    const a = r.baru.find((x) => x.perihal === perihal);
    expect(a, perihal).toBeDefined();
    return getIncoming(office.app.store(), a!.id);
  };

  beforeEach(async () => {
    office = await demoOffice();
    dir = join(office.home, 'impor');
    mkdirSync(dir);
    warnings.length = 0;
  }, 60_000);
  afterEach(() => office?.cleanup());

  it('the adapter reads the first pages; a PDF without text, or not a PDF at all, has none', async () => {
    const r = await pdfText(await smallPdf(['PEMERINTAH KOTA UJI', 'Nomor   : 551/88/DISHUB/2026', 'Kota Uji, 19 November 2026']));
    expect(r.missing).toBe(false);
    expect(r.text).toContain('551/88/DISHUB/2026');
    expect(await pdfText(await smallPdf([]))).toEqual({ text: null, missing: false });
    expect(await pdfText(Buffer.from('%PDF-1.7 this is not a pdf'))).toEqual({ text: null, missing: false });
    expect(await pdfText(Buffer.alloc(0))).toEqual({ text: null, missing: false });
    expect(await pdfText(Buffer.from('x'), { program: join(dir, 'tidak-ada') })).toEqual({ text: null, missing: true });
    // a reader that hangs is killed at the time limit and reported as such
    const slow = join(dir, 'pdftotext-lambat');
    writeFileSync(slow, '#!/bin/sh\nexec sleep 30\n', { mode: 0o755 });
    const t0 = Date.now();
    expect(await pdfText(Buffer.from('x'), { program: slow, timeoutMs: 300 })).toEqual({ text: null, missing: false, timedOut: true });
    expect(Date.now() - t0).toBeLessThan(5_000);
  });

  it('registers the number and date found in the PDF when the text has none; the text wins when it has one', async () => {
    const withNumber = await smallPdf(['PEMERINTAH KOTA UJI', 'DINAS PERHUBUNGAN', 'Nomor   : 551/88/DISHUB/2026', 'Tanggal : 19 November 2026', 'Perihal : Uji emisi']);
    const noNumber = await smallPdf(['DAFTAR HADIR', 'Rapat koordinasi']);
    writeFileSync(join(dir, '1.eml'), await letter('pdf-saja', 'Dengan hormat, terlampir surat kami.\n', [noNumber, withNumber]));
    writeFileSync(join(dir, '2.eml'), await letter('teks-dulu', 'Nomor : 551/90/DISHUB/2026\n\nDengan hormat.\n', [withNumber]));
    writeFileSync(join(dir, '3.eml'), await letter('tanpa-nomor', 'Dengan hormat.\n', [noNumber]));
    const r = await fetch();
    expect(r.baru).toHaveLength(3);
    expect(row(r, 'Surat pdf-saja')).toMatchObject({ nomorSurat: '551/88/DISHUB/2026', tanggalSurat: '19 November 2026' });
    expect(row(r, 'Surat teks-dulu')).toMatchObject({ nomorSurat: '551/90/DISHUB/2026' });
    expect(row(r, 'Surat tanpa-nomor')).toMatchObject({ nomorSurat: null, tanggalSurat: null });
    expect(warnings).toEqual([]);
  });

  it('without pdftotext: registered from the text only, warned once per run', async () => {
    const withNumber = await smallPdf(['Nomor : 551/88/DISHUB/2026']);
    writeFileSync(join(dir, '1.eml'), await letter('a', 'Dengan hormat.\n', [withNumber]));
    writeFileSync(join(dir, '2.eml'), await letter('b', 'Dengan hormat.\n', [withNumber]));
    const path = process.env['PATH'];
    process.env['PATH'] = join(dir, 'kosong');
    try {
      const r = await fetch();
      expect(r.baru).toHaveLength(2);
      expect(row(r, 'Surat a').nomorSurat).toBeNull();
    } finally {
      process.env['PATH'] = path;
    }
    expect(warnings).toEqual(['terima.w.noPdftotext']);
  });
});
