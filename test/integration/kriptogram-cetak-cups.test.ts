/**
 * Issue 13 defect 3: `sandi terima cetak KM/...` of a read incoming kriptogram to a real CUPS scheduler
 * (test/helpers/cups.ts: a private cupsd whose PDF queue prints into a file). The pack is built from the
 * document decrypted again with the archive key; what the printer got holds the decrypted letter with the
 * RAHASIA marking on every page; the temporary PDF is gone from <home>/cetak; the step is recorded with the job.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { terimaService, type TerimaService } from '../../src/services/terima/index.js';
import { passphraseSource } from '../../src/config/passphrase.js';
import { listIncomingKriptogramSteps } from '../../src/adapters/sqlite/registers.js';
import { t } from '../../src/cli/messages/index.js';
import { describeWith, haveCommand } from '../helpers/gate.js';
import { cupsMissing, startCups, type CupsQueue, type CupsServer } from '../helpers/cups.js';
import { ARSIP_PASSPHRASE, DEMO_UNIT_MAILDIR, demoOffice, type DemoOffice } from '../helpers/terima-fixture.js';

const missing = cupsMissing() ?? (haveCommand('pdftotext', ['-v']) ? null : 'pdftotext (poppler-utils)');

describeWith(`a private CUPS scheduler and pdftotext (${missing ?? ''})`, missing === null, 'sandi terima cetak KM/... → CUPS', () => {
  let cups: CupsServer;
  let queue: CupsQueue;
  let office: DemoOffice;
  const service = (): TerimaService =>
    terimaService(office.app, { actor: 'sandiman-uji', env: cups.env, passphrases: passphraseSource({ env: { SANDI_PASSPHRASE_ARSIP: ARSIP_PASSPHRASE } }) });

  beforeAll(async () => {
    cups = await startCups();
    queue = await cups.addPdfQueue('kantor');
    office = await demoOffice(new Date('2026-11-23T01:10:00Z'));
    office.patchConfig({ terima: { paraf: ['Kasi', 'Kabid', 'Kadis'], printer: 'kantor' } });
  }, 60_000);
  afterAll(async () => {
    office?.cleanup();
    await cups?.stop();
  });

  it('a read kriptogram: one CUPS job with the decrypted letter, RAHASIA on every page, no PDF left behind, step recorded', async () => {
    const report = await service().fetch({ dariFolder: join(office.home, 'maildir', DEMO_UNIT_MAILDIR) });
    const k = report.baru[0]!;
    expect(k).toMatchObject({ buku: 'kriptogram_masuk', status: 'terbaca' });
    const r = await service().cetak(k.nomor, { label: (key, p) => t(key, p) });
    expect(r.printer).toBe('kantor');
    expect(r.file).toBe('');
    expect(r.jobs).toHaveLength(1);
    await cups.waitForJob(r.jobs[0]!);
    const pages = execFileSync('pdftotext', ['-layout', '-', '-'], { input: queue.read(), encoding: 'utf8' })
      .split('\f')
      .filter((p) => p.trim().length > 0);
    expect(pages.length).toBeGreaterThanOrEqual(2);
    for (const p of pages) expect(p).toContain('RAHASIA');
    expect(pages.join('\n')).toContain('NOTA DINAS');
    const cetakDir = join(office.home, 'cetak');
    expect(existsSync(cetakDir) ? readdirSync(cetakDir) : []).toEqual([]);
    const steps = listIncomingKriptogramSteps(office.app.store(), k.id);
    expect(steps.map((s) => s.langkah)).toEqual(['cetak']);
    expect(steps[0]!.data).toMatchObject({ printer: 'kantor', jobs: r.jobs, file: null });
    // the next step works off it
    expect(service().paraf(k.nomor, { sebagai: 'Kasi', nama: 'Budi' })).toMatchObject({ nomor: k.nomor, lengkap: false, berikutnya: 'Kabid' });
  });
});
