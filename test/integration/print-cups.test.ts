/**
 * `sandi terima cetak` to a real CUPS scheduler (test/helpers/cups.ts: a private cupsd on loopback whose PDF
 * queue prints into a file): the print pack of a letter with three recipients goes out as one CUPS job, comes
 * back from the printer's output with three copies, each with its cover sheet, and text outside WinAnsi
 * intact; the job id is reported and recorded. When printing fails (no lp, no such printer, the scheduler
 * down, the printer refusing jobs) the error names the printer and the kept PDF, the exit code is 69 and
 * nothing is recorded as printed. Also the font of the pack: a DejaVu subset, and Helvetica with a warning
 * when the configured font cannot be read.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { terimaService, type TerimaService } from '../../src/services/terima/index.js';
import { passphraseSource } from '../../src/config/passphrase.js';
import { listIncomingSteps, getIncoming } from '../../src/adapters/sqlite/registers.js';
import { SandiError } from '../../src/errors.js';
import { t } from '../../src/cli/messages/index.js';
import { describeWith, haveCommand } from '../helpers/gate.js';
import { cupsMissing, startCups, type CupsQueue, type CupsServer } from '../helpers/cups.js';
import { sandi } from '../helpers/cli.js';
import { ARSIP_PASSPHRASE, compose, demoOffice, smallPdf, type DemoOffice } from '../helpers/terima-fixture.js';

const missing = cupsMissing() ?? (haveCommand('pdftotext', ['-v']) ? null : 'pdftotext (poppler-utils)');
const RECIPIENTS = ['Wali Kota Contoh <walikota@pemkot.test>', 'Kepala Dinas Kesehatan <opd1@dinkes.test>', 'Kepala Dinas Pendidikan <opd2@disdik.test>'];
/** outside WinAnsi: Latin Extended-A (Šćž, ğ), the capital sharp s (ẞ, Latin Extended Additional) */
const SUBJECT = 'Undangan rapat Šćž Ağ ẞ — koordinasi';
const SENDER = 'Bağlantı Sekretariat Žilina';

function pdfText(bytes: Buffer | string): string {
  return execFileSync('pdftotext', ['-layout', typeof bytes === 'string' ? bytes : '-', '-'], {
    encoding: 'utf8',
    ...(typeof bytes === 'string' ? {} : { input: bytes }),
  });
}

async function expectError(p: Promise<unknown>, code: SandiError['code'], key: string): Promise<SandiError> {
  let err: unknown;
  try {
    await p;
  } catch (e) {
    err = e;
  }
  expect(err, `expected ${code} ${key}`).toBeInstanceOf(SandiError);
  expect({ code: (err as SandiError).code, key: (err as SandiError).key }).toEqual({ code, key });
  return err as SandiError;
}

describeWith(`a private CUPS scheduler and pdftotext (${missing ?? ''})`, missing === null, 'sandi terima cetak → CUPS (private cupsd, file device)', () => {
  let cups: CupsServer;
  let queue: CupsQueue;
  let office: DemoOffice;
  let nomor: string;
  let letterId: number;

  const service = (env: NodeJS.ProcessEnv = cups.env): TerimaService =>
    terimaService(office.app, { actor: 'sandiman-uji', env, passphrases: passphraseSource({ env: { SANDI_PASSPHRASE_ARSIP: ARSIP_PASSPHRASE } }) });
  const cetakSteps = (): unknown[] => listIncomingSteps(office.app.store(), letterId).filter((s) => s.langkah === 'cetak');

  beforeAll(async () => {
    cups = await startCups();
    queue = await cups.addPdfQueue('kantor');
    office = await demoOffice(new Date('2026-11-23T01:10:00Z'));
    office.patchConfig({ terima: { paraf: ['Kasi', 'Kabid', 'Kadis'], printer: 'kantor' } });
    const inbox = join(office.home, 'maildir', 'INBOX', 'new');
    mkdirSync(inbox, { recursive: true });
    const raw = await compose({
      from: `${SENDER} <setda@pemkot.test>`,
      to: RECIPIENTS,
      subject: SUBJECT,
      date: new Date('2026-11-23T01:05:00Z'),
      messageId: '<cetak-cups@pemkot.test>',
      text: 'Dengan hormat, terlampir undangan. Peserta: Šárka Dvořák, Çağrı Yılmaz, Straße/STRAẞE.\n',
      attachments: [{ filename: 'undangan.pdf', content: await smallPdf(['LAMPIRAN UNDANGAN RAPAT']), contentType: 'application/pdf' }],
    });
    writeFileSync(join(inbox, '1763860000.P1.cups'), raw);
    utimesSync(join(inbox, '1763860000.P1.cups'), new Date('2026-11-23T01:05:00Z'), new Date('2026-11-23T01:05:00Z'));
    const report = await service().fetch();
    nomor = report.baru[0]!.nomor;
    letterId = office.app.store().db.prepare<[string], { id: number }>('SELECT id FROM surat_masuk WHERE nomor = ?').get(nomor)!.id;
  }, 60_000);
  afterAll(async () => {
    office?.cleanup();
    await cups?.stop();
  });

  it('a letter with three recipients: one CUPS job, three copies each with its cover sheet read back from the printer, job id reported and recorded', async () => {
    const r = await service().cetak(nomor, { label: (k, p) => t(k, p) });
    expect(r.printer).toBe('kantor');
    expect(r.salinan).toBe(3);
    expect(r.fontPengganti).toBeNull();
    expect(r.jobs).toHaveLength(1);
    expect(r.jobs[0]).toMatch(/^kantor-\d+$/);
    expect(r.lp).toContain(`request id is ${r.jobs[0]}`);
    await cups.waitForJob(r.jobs[0]!);

    const printed = queue.read();
    expect(printed.subarray(0, 5).toString()).toBe('%PDF-');
    const text = pdfText(printed);
    for (const [i, who] of ['Wali Kota Contoh', 'Kepala Dinas Kesehatan', 'Kepala Dinas Pendidikan'].entries()) {
      expect(text).toContain(`Salinan ${i + 1} dari 3: untuk ${who}`);
    }
    expect(text.split('LEMBAR PENGANTAR / KARTU KENDALI SURAT MASUK')).toHaveLength(4); // three cover sheets
    expect(text.match(/LAMPIRAN UNDANGAN RAPAT/g)).toHaveLength(3);
    // outside WinAnsi, intact through the printer's filter chain
    expect(text.match(/Undangan rapat Šćž Ağ ẞ — koordinasi/g)).toHaveLength(3);
    expect(text).toContain(SENDER);
    expect(text).toContain('Šárka Dvořák, Çağrı Yılmaz, Straße/STRAẞE');
    // the printer got the pack that was kept
    expect(pdfText(r.file)).toBe(text);

    const steps = cetakSteps();
    expect(steps).toHaveLength(1);
    expect((steps[0] as { data: Record<string, unknown> }).data).toMatchObject({ printer: 'kantor', jobs: r.jobs, pages: r.pages });
    expect(getIncoming(office.app.store(), letterId).status).toBe('dicetak');
  });

  it('the pack embeds a DejaVu subset, not the whole font, and stays small', async () => {
    const out = join(office.home, 'ukuran.pdf');
    const r = await service().cetak(nomor, { keluaran: out, printer: null, label: (k, p) => t(k, p) });
    expect(r.jobs).toEqual([]);
    const fonts = execFileSync('pdffonts', [out], { encoding: 'utf8' });
    expect(fonts).toMatch(/DejaVuSans-\d+\s+CID TrueType\s+Identity-H\s+yes/);
    expect(fonts).toMatch(/DejaVuSans-Bold-\d+\s+CID TrueType/);
    // Helvetica only in the attachment (smallPdf): in the file once, its pages shared by the three copies
    expect(fonts.match(/^Helvetica /gm)).toHaveLength(1);
    // DejaVuSans.ttf alone is ~740 kB; 3 copies of a 3-page pack with two subsets stay far below
    const size = statSync(out).size;
    expect(size).toBeLessThan(120_000);
    process.stdout.write(`[print-cups] 3-copy pack, ${r.pages} pages, DejaVu subsets: ${size} bytes\n`);
  });

  it('a configured font that cannot be read: Helvetica, accents folded, the rest as "?", and a warning', async () => {
    office.patchConfig({ pdf: { font: 'fonts/tidak-ada.ttf' } });
    try {
      const out = join(office.home, 'helvetica.pdf');
      const r = await service().cetak(nomor, { keluaran: out, printer: null, label: (k, p) => t(k, p) });
      expect(r.fontPengganti).toEqual({ file: resolve(office.home, 'fonts/tidak-ada.ttf'), reason: 'ENOENT' });
      const text = pdfText(out);
      expect(text).toContain('Undangan rapat Šcž Ag ? — koordinasi');
      expect(execFileSync('pdffonts', [out], { encoding: 'utf8' })).toMatch(/Helvetica/);
    } finally {
      office.patchConfig({ pdf: undefined });
    }
  });

  it('printer unknown, scheduler down, printer refusing jobs, lp missing: UNAVAILABLE naming the printer and the kept PDF, nothing recorded', async () => {
    const before = cetakSteps().length;
    const pdf = join(office.home, 'cetak', `${nomor.replace(/[^\w.-]+/g, '_')}.pdf`);

    const unknown = await expectError(service().cetak(nomor, { printer: 'tidak-ada', label: (k, p) => t(k, p) }), 'UNAVAILABLE', 'terima.printerUnknown');
    expect(unknown.params).toMatchObject({ printer: 'tidak-ada', file: pdf, available: 'kantor', server: cups.server });
    expect(t(unknown.key, unknown.params)).toContain('tidak-ada');
    expect(t(unknown.hint!, unknown.params)).toContain(pdf);
    expect(existsSync(pdf)).toBe(true);

    const down = `127.0.0.1:${cups.port === 1 ? 2 : 1}`;
    const gone = await expectError(service({ ...cups.env, CUPS_SERVER: down }).cetak(nomor, { label: (k, p) => t(k, p) }), 'UNAVAILABLE', 'terima.cupsDown');
    expect(gone.params).toMatchObject({ printer: 'kantor', server: down, file: pdf });

    await cups.admin('cupsreject', ['-r', 'kertas habis', 'kantor']);
    try {
      const refused = await expectError(service().cetak(nomor, { label: (k, p) => t(k, p) }), 'UNAVAILABLE', 'terima.printFailed');
      expect(refused.params['reason']).toMatch(/not accepting jobs/);
    } finally {
      await cups.admin('cupsaccept', ['kantor']);
    }

    const emptyBin = mkdtempSync(join(tmpdir(), 'sandi-nolp-'));
    try {
      const noLp = await expectError(service({ ...cups.env, PATH: emptyBin }).cetak(nomor, { label: (k, p) => t(k, p) }), 'UNAVAILABLE', 'terima.lpMissing');
      expect(noLp.params).toMatchObject({ printer: 'kantor', file: pdf });
    } finally {
      rmSync(emptyBin, { recursive: true, force: true });
    }

    await expectError(service().cetak(nomor, { printer: '-o evil', label: (k, p) => t(k, p) }), 'USAGE', 'terima.badPrinter');
    expect(cetakSteps()).toHaveLength(before);
  });

  it('the CLI: job id in the text and in --json; a printer failure exits 69 with the message on stderr and the PDF kept', async () => {
    if (!existsSync(resolve(import.meta.dirname, '../../dist/cli/terima.js'))) throw new Error('dist/ is not built: run `npm run build` first');
    const env = { SANDI_OPERATOR: 'sandiman-uji', SANDI_PASSPHRASE_ARSIP: ARSIP_PASSPHRASE, CUPS_SERVER: cups.server };
    const text = sandi(['--home', office.home, '--no-input', 'terima', 'cetak', nomor], { env });
    expect(text.code, text.stderr).toBe(0);
    const job = /pekerjaan CUPS: (kantor-\d+)/.exec(text.stdout)?.[1];
    expect(job, text.stdout).toBeDefined();
    await cups.waitForJob(job!);

    const json = sandi(['--home', office.home, '--no-input', '--json', 'terima', 'cetak', nomor], { env });
    expect(json.code, json.stderr).toBe(0);
    const r = json.json<{ jobs: string[]; printer: string; salinan: number; file: string }>();
    expect(r).toMatchObject({ printer: 'kantor', salinan: 3 });
    expect(r.jobs).toHaveLength(1);
    await cups.waitForJob(r.jobs[0]!);
    expect(pdfText(queue.read()).match(/Salinan \d dari 3/g)).toHaveLength(3);

    const steps = cetakSteps().length;
    const fail = sandi(['--home', office.home, '--no-input', 'terima', 'cetak', nomor, '--printer', 'lantai-2'], { env });
    expect(fail.code).toBe(69);
    expect(fail.stderr).toContain('lantai-2');
    expect(fail.stderr).toContain(r.file);
    expect(readFileSync(r.file).subarray(0, 5).toString()).toBe('%PDF-');
    expect(cetakSteps()).toHaveLength(steps);
  });

  it('sandi periksa asks lpstat about the configured queue: ready, disabled, unknown (same private cupsd)', async () => {
    const { periksaPorts } = await import('../../src/app.js');
    const { printerState } = await periksaPorts();
    expect(await printerState('kantor', cups.env)).toMatchObject({ state: 'siap' });
    await cups.admin('cupsdisable', ['kantor']);
    try {
      expect(await printerState('kantor', cups.env)).toMatchObject({ state: 'nonaktif' });
    } finally {
      await cups.admin('cupsenable', ['kantor']);
    }
    expect(await printerState('tidak-ada-13', cups.env)).toMatchObject({ state: 'tidak-dikenal' });
  });
});

