/**
 * `sandi terima` on local folders (the fallback channel and the embedded default): real SQLite, real archive
 * files, the real kriptogram module with the DEMO keys, pdf-lib print packs read back with pdftotext.
 * The IMAP path against the real Dovecot is in terima-imap.test.ts.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync, appendFileSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { terimaService, type TerimaService } from '../../src/services/terima/index.js';
import { passphraseSource } from '../../src/config/passphrase.js';
import { listIncomingSteps, getIncoming, listIncoming } from '../../src/adapters/sqlite/registers.js';
import { SandiError } from '../../src/errors.js';
import { t } from '../../src/cli/messages/index.js';
import { haveCommand } from '../helpers/gate.js';
import { describeWith } from '../helpers/gate.js';
import { ARSIP_PASSPHRASE, DEMO_UNIT_MAILDIR, demoOffice, testMessages, type DemoOffice } from '../helpers/terima-fixture.js';

const HAVE_PDFTOTEXT = haveCommand('pdftotext', ['-v']);

function service(o: DemoOffice, withPassphrase = true): TerimaService {
  return terimaService(o.app, {
    actor: 'sandiman-uji',
    env: {},
    ...(withPassphrase ? { passphrases: passphraseSource({ env: { SANDI_PASSPHRASE_ARSIP: ARSIP_PASSPHRASE } }) } : {}),
  });
}

async function expectError(p: Promise<unknown> | (() => unknown), code: SandiError['code'], key: string): Promise<void> {
  let err: unknown;
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (e) {
    err = e;
  }
  expect(err, `expected ${code} ${key}`).toBeInstanceOf(SandiError);
  expect({ code: (err as SandiError).code, key: (err as SandiError).key }).toEqual({ code, key });
}

describe('sandi terima --dari-folder (folder of .eml files, Maildir)', () => {
  let office: DemoOffice;
  let emlDir: string;

  beforeAll(async () => {
    office = await demoOffice();
    emlDir = join(office.home, 'impor');
    mkdirSync(emlDir);
    for (const [i, m] of (await testMessages('A')).entries()) writeFileSync(join(emlDir, `${String(i).padStart(2, '0')}-${m.name}.eml`), m.raw);
  }, 60_000);
  afterAll(() => office?.cleanup());

  it('archives byte for byte, registers each message once with its fields and warnings, and a second run registers nothing', async () => {
    const svc = service(office);
    const first = await svc.fetch({ dariFolder: emlDir });
    expect(first.sumber).toBe('eml');
    expect(first.baru).toHaveLength(7);
    expect(first.duplikat).toHaveLength(0);
    const byName = Object.fromEntries(first.baru.map((a) => [a.perihal?.split(' ')[0] ?? '', a]));
    // every archived file is the original byte for byte
    const originals = readdirSync(emlDir).map((n) => readFileSync(join(emlDir, n)));
    for (const a of first.baru) {
      const archived = readFileSync(svc.archive.pathOf(a.rawSha256));
      expect(originals.some((o) => o.equals(archived)), `archive of ${a.nomor}`).toBe(true);
    }
    const plain = getIncoming(office.app.store(), byName['Undangan']!.id);
    expect(plain).toMatchObject({ nomorSurat: '005/117/SETDA/A', tanggalSurat: '20 November 2026', tembusan: ['Dinas Kesehatan <opd1@dinkes.test>'], sumber: 'eml', peringatan: [] });
    expect(plain.nomor).toMatch(/^SM\/001\//);
    const html = getIncoming(office.app.store(), byName['Pemberitahuan']!.id);
    expect(html.nomorSurat).toBe('800/45/BKPSDM/A');
    const pdf = getIncoming(office.app.store(), byName['Surat']!.id);
    expect(pdf.lampiran.map((l) => [l.name, l.type])).toEqual([
      ['surat-edaran.pdf', 'application/pdf'],
      ['data.csv', 'text/csv'],
    ]);
    const nonAscii = getIncoming(office.app.store(), byName['Perubahan']!.id);
    expect(nonAscii.perihal).toBe('Perubahan jadwal ujian — “ÜJIAN” Désa A');
    expect(nonAscii.pengirim).toBe('Dinas Pendidikan — Bidang Kurikulum <opd2@disdik.test>');
    expect(nonAscii.lampiran[0]?.name).toBe('Jadwal Ujian — Kelas Ⅸ A.pdf');
    expect(getIncoming(office.app.store(), byName['Tanpa']!.id).peringatan).toEqual(['terima.w.noMessageId']);
    expect(getIncoming(office.app.store(), byName['MIME']!.id).peringatan).toContain('terima.w.brokenMime');
    expect(getIncoming(office.app.store(), byName['Charset']!.id).peringatan).toContain('terima.w.charset');

    const again = await service(office).fetch({ dariFolder: emlDir });
    expect(again.baru).toHaveLength(0);
    expect(again.duplikat.map((d) => d.by)).toEqual(Array(7).fill('sha256'));
    // the same letter delivered again with other bytes (a new Received header) is caught by its Message-ID
    const resent = Buffer.concat([Buffer.from('Received: from relay.test by kominfo.test; Mon, 23 Nov 2026 08:20:00 +0700\r\n'), readFileSync(join(emlDir, '00-plain.eml'))]);
    writeFileSync(join(emlDir, '99-resent.eml'), resent);
    const third = await service(office).fetch({ dariFolder: emlDir });
    expect(third.baru).toHaveLength(0);
    expect(third.duplikat.find((d) => d.where === '99-resent.eml')).toMatchObject({ by: 'message_id', nomor: plain.nomor });

    const check = await service(office).periksaArsip();
    expect(check.rusak).toEqual([]);
    expect(check.hilang).toEqual([]);
    expect(check.diperiksa).toBe(8); // 7 registered + the re-sent copy (archived before it was recognised)
    // a damaged archive file is named
    appendFileSync(svc.archive.pathOf(plain.rawSha256), 'x');
    const damaged = await service(office).periksaArsip();
    expect(damaged.rusak.map((r) => r.sha256)).toEqual([plain.rawSha256]);
    writeFileSync(svc.archive.pathOf(plain.rawSha256), readFileSync(join(emlDir, '00-plain.eml')));
  });

  it('a PGP/MIME kriptogram goes to the incoming-kriptogram register, is decrypted with the archive key and reports both signers; plaintext only when asked', async () => {
    const unread = await service(office, false).fetch({ dariFolder: join(office.home, 'maildir', DEMO_UNIT_MAILDIR) });
    expect(unread.baru).toHaveLength(1);
    expect(unread.baru[0]).toMatchObject({ buku: 'kriptogram_masuk', status: 'terdaftar', peringatan: ['terima.w.notRead'] });
    expect(unread.baru[0]?.perihal).toMatch(/^KRIP\/001\//);

    const chunks: Buffer[] = [];
    const sink = new Writable({
      write(c: Buffer, _e, cb) {
        chunks.push(Buffer.from(c));
        cb();
      },
    });
    const read = await service(office).baca(unread.baru[0]!.nomor, sink);
    expect(read.arrival.status).toBe('terbaca');
    expect(read.arrival.penandaTangan?.map((s) => s.status)).toEqual(['good', 'good']);
    expect(read.headers?.subject).toBe('Undangan Rapat Koordinasi Pengamanan Informasi Pilkada');
    expect(Buffer.concat(chunks).toString('utf8')).toContain('NOTA DINAS');
    // the same kriptogram in the other unit's Maildir is the same bytes: nothing new
    const other = await service(office).fetch({ dariFolder: join(office.home, 'maildir', 'persandian@disdik.demo.sandi.invalid') });
    expect(other.baru).toHaveLength(0);
  });
});

describe('sandi terima --dari-folder: entries that are no message, messages that do not parse', () => {
  let office: DemoOffice;
  beforeAll(async () => {
    office = await demoOffice();
  }, 60_000);
  afterAll(() => office?.cleanup());

  it('a sub-folder named b.eml is skipped by its own path and the run goes on: z.eml after it is registered, and so on every rerun', async () => {
    const dir = join(office.home, 'impor-folder');
    mkdirSync(join(dir, 'b.eml'), { recursive: true });
    writeFileSync(join(dir, 'a.eml'), 'From: a@pemkot.test\r\nSubject: Sebelum folder\r\nMessage-ID: <a-folder@pemkot.test>\r\n\r\nIsi.\r\n');
    writeFileSync(join(dir, 'z.eml'), 'From: z@pemkot.test\r\nSubject: Sesudah folder\r\nMessage-ID: <z-folder@pemkot.test>\r\n\r\nIsi.\r\n');
    const warned: { key: string; params: Record<string, string | number> }[] = [];
    const svc = terimaService(office.app, { actor: 'sandiman-uji', env: {}, warn: (key, params) => warned.push({ key, params }) });
    const r = await svc.fetch({ dariFolder: dir });
    expect(r.baru.map((a) => a.perihal)).toEqual(['Sebelum folder', 'Sesudah folder']);
    expect(r.dilewati).toEqual([{ path: join(dir, 'b.eml'), alasan: 'EISDIR' }]);
    expect(warned.find((w) => w.key === 'terima.w.entrySkipped')?.params).toEqual({ path: join(dir, 'b.eml'), reason: 'EISDIR' });
    // nothing of it reached the archive's temp folder
    expect(readdirSync(join(office.home, 'arsip', 'surat-masuk', 'tmp'))).toEqual([]);
    const again = await svc.fetch({ dariFolder: dir });
    expect(again.baru).toHaveLength(0);
    expect(again.duplikat).toHaveLength(2);
    expect(again.dilewati).toHaveLength(1);
  });

  it('a message that cannot be parsed is registered with the Message-ID of its raw header (and found by it again); a NUL in a Subject is kept as U+FFFD', async () => {
    const dir = join(office.home, 'impor-rusak');
    mkdirSync(dir, { recursive: true });
    const nested = Array.from({ length: 3000 }, (_, i) => `Content-Type: multipart/mixed; boundary=b${i}\r\n\r\n--b${i}\r\n`).join('');
    const unparsable = `From: Penyerang <x@evil.test>\r\nSubject: Bersarang\r\nMessage-ID: <bersarang@evil.test>\r\n${nested}`;
    writeFileSync(join(dir, '1.eml'), unparsable);
    writeFileSync(join(dir, '2.eml'), Buffer.from('From: a@pemkot.test\r\nSubject: Rapat\u0000 koordinasi penting\r\nMessage-ID: <nul-folder@pemkot.test>\r\n\r\nIsi.\r\n', 'latin1'));
    const r = await service(office).fetch({ dariFolder: dir });
    expect(r.baru).toHaveLength(2);
    const rows = r.baru.map((a) => getIncoming(office.app.store(), a.id));
    expect(rows[0]).toMatchObject({ messageId: '<bersarang@evil.test>', perihal: 'Bersarang' });
    expect(rows[0]!.peringatan).toContain('terima.w.unparsable');
    expect(rows[1]).toMatchObject({ messageId: '<nul-folder@pemkot.test>', perihal: 'Rapat\uFFFD koordinasi penting' });
    expect(rows[1]!.peringatan).toContain('terima.w.nul');
    // the same message under another name (other bytes) is known by its Message-ID
    writeFileSync(join(dir, '3.eml'), `X-Salinan: 1\r\n${unparsable}`);
    const again = await service(office).fetch({ dariFolder: dir });
    expect(again.baru).toHaveLength(0);
    expect(again.duplikat.map((d) => d.by).sort()).toEqual(['message_id', 'sha256', 'sha256']);
  });
});

describe('the steps after arrival: teruskan, cetak, paraf, antar, tandaterima, status', () => {
  let office: DemoOffice;
  let nomor: string;

  beforeAll(async () => {
    // Monday 23 November 2026, 08:10 WIB; the message reached the Maildir at 08:05
    office = await demoOffice(new Date('2026-11-23T01:10:00Z'));
    office.patchConfig({ terima: { paraf: ['Kasi', 'Kabid', 'Kadis'] } });
    const inbox = join(office.home, 'maildir', 'INBOX', 'new');
    mkdirSync(inbox, { recursive: true });
    const m = (await testMessages('B')).find((x) => x.name === 'pdf')!;
    writeFileSync(join(inbox, '1763860000.P1.test'), m.raw);
    utimesSync(join(inbox, '1763860000.P1.test'), new Date('2026-11-23T01:05:00Z'), new Date('2026-11-23T01:05:00Z'));
    const report = await service(office).fetch();
    expect(report.sumber).toBe('maildir');
    nomor = report.baru[0]!.nomor;
  }, 60_000);
  afterAll(() => office?.cleanup());

  it('teruskan delivers the archived bytes to the cc address (local Maildir) and records the step', async () => {
    await expectError(service(office).teruskan(nomor, {}), 'USAGE', 'terima.noCc');
    const r = await service(office).teruskan(nomor, { ke: ['Dinas Kesehatan <opd1@dinkes.test>'] });
    expect(r).toMatchObject({ ke: ['opd1@dinkes.test'], via: 'maildir' });
  });

  it('paraf before printing is refused; cetak makes one copy per recipient (cover sheet, letter, PDF attachment), read back with pdftotext', async () => {
    await expectError(() => service(office).paraf(nomor, { sebagai: 'Kasi', nama: 'Siti' }), 'CONFLICT', 'terima.parafBeforePrint');
    office.clock.tick(12);
    const out = join(office.home, 'cetak-uji.pdf');
    const r = await service(office).cetak(nomor, { penerima: ['Wali Kota Contoh', 'Kepala Dinas Kesehatan', 'Kepala Dinas Pendidikan'], keluaran: out, label: (k, p) => t(k, p) });
    expect(r.salinan).toBe(3);
    expect(r.pages).toBe(3 * r.pagesPerCopy);
    expect(r.pagesPerCopy).toBe(3); // cover sheet, letter, the one-page PDF attachment
    expect(readFileSync(out).subarray(0, 5).toString()).toBe('%PDF-');
    if (HAVE_PDFTOTEXT) {
      const text = execFileSync('pdftotext', ['-layout', out, '-'], { encoding: 'utf8' });
      for (const [i, who] of ['Wali Kota Contoh', 'Kepala Dinas Kesehatan', 'Kepala Dinas Pendidikan'].entries()) expect(text).toContain(`Salinan ${i + 1} dari 3: untuk ${who}`);
      expect(text.match(/LAMPIRAN SURAT EDARAN/g)).toHaveLength(3);
      expect(text.match(new RegExp(`Isi surat ${nomor.replace(/\//g, '\\/')}`, 'g'))).toHaveLength(3);
      expect(text).toContain(nomor);
      expect(text).toContain('ajudan'); // the Mayor's copy goes through the adjutant
      expect(text).toContain('Kasi:');
    }
    expect(getIncoming(office.app.store(), getIncomingId(office, nomor)).status).toBe('dicetak');
  });

  it('paraf goes Kasi → Kabid → Kadis; out of order, twice, or an unknown tier is refused', async () => {
    await expectError(() => service(office).paraf(nomor, { sebagai: 'Kabid', nama: 'Andi' }), 'CONFLICT', 'terima.paraf.outOfOrder');
    await expectError(() => service(office).paraf(nomor, { sebagai: 'Lurah', nama: 'X' }), 'CONFLICT', 'terima.paraf.unknownTier');
    await expectError(() => service(office).antar(nomor, { caraka: 'Joko' }), 'CONFLICT', 'terima.antarBeforeParaf');
    office.clock.tick(10);
    expect(service(office).paraf(nomor, { sebagai: 'kasi', nama: 'Siti' })).toMatchObject({ sebagai: 'Kasi', lengkap: false, berikutnya: 'Kabid' });
    await expectError(() => service(office).paraf(nomor, { sebagai: 'Kasi', nama: 'Siti' }), 'CONFLICT', 'terima.paraf.alreadyDone');
    const waiting = service(office).status({ ref: nomor }).surat[0]!;
    expect(waiting.sla.menunggu).toBe('paraf');
    expect(waiting.menungguSiapa).toBe('Kabid');
    office.clock.tick(5);
    service(office).paraf(nomor, { sebagai: 'Kabid', nama: 'Andi' });
    office.clock.tick(5);
    expect(service(office).paraf(nomor, { sebagai: 'Kadis', nama: 'Rudi' })).toMatchObject({ lengkap: true });
  });

  it('antar routes the Mayor through the adjutant and heads of OPD directly; receipts close the letter; status measures working time', async () => {
    office.clock.tick(3);
    const a = service(office).antar(nomor, { caraka: 'Joko' });
    expect(a.rute).toEqual([
      { tujuan: 'Wali Kota Contoh', jalur: 'ajudan' },
      { tujuan: 'Kepala Dinas Kesehatan', jalur: 'langsung' },
      { tujuan: 'Kepala Dinas Pendidikan', jalur: 'langsung' },
    ]);
    await expectError(() => service(office).tandaterima(nomor, { tujuan: 'Camat' }), 'DATA', 'terima.receiptUnknownTujuan');
    office.clock.tick(15);
    expect(service(office).tandaterima(nomor, { tujuan: 'Wali Kota Contoh', diterimaOleh: 'Ajudan Wali Kota' })).toMatchObject({ selesai: false });
    await expectError(() => service(office).tandaterima(nomor, { tujuan: 'Wali Kota Contoh', diterimaOleh: 'lagi' }), 'CONFLICT', 'terima.receiptTwice');
    // the rest come back after the break: late against the 20-minute standard
    office.clock.t = new Date('2026-11-23T06:30:00Z'); // 13:30 WIB
    service(office).tandaterima(nomor, { tujuan: 'Kepala Dinas Kesehatan', diterimaOleh: 'Sekretaris Dinkes' });
    expect(service(office).tandaterima(nomor, { tujuan: 'Kepala Dinas Pendidikan', diterimaOleh: 'TU Disdik' })).toMatchObject({ selesai: true, sisa: [] });

    const id = getIncomingId(office, nomor);
    expect(getIncoming(office.app.store(), id).status).toBe('selesai');
    expect(listIncomingSteps(office.app.store(), id).map((s) => s.langkah)).toEqual(['teruskan', 'cetak', 'paraf', 'paraf', 'paraf', 'antar', 'tandaterima', 'tandaterima', 'tandaterima', 'arsip']);
    expect(service(office).status().surat).toHaveLength(0); // done letters only with --semua
    const s = service(office).status({ semua: true }).surat[0]!;
    expect(s.sla.selesai).toBe(true);
    const m = Object.fromEntries(s.sla.milestones.map((x) => [x.name, x]));
    expect(m['cetak']).toMatchObject({ standar: 5, terlambat: false });
    expect(m['paraf']).toMatchObject({ standar: 25, terlambat: false });
    expect(m['tandaterima']).toMatchObject({ standar: 20, terlambat: true });
    // arrival 08:05 WIB → done 13:30: 265 working minutes (the 12:00–13:00 break does not count), within 1 working day
    expect(s.sla.menitLayanan).toBe(265);
    expect(s.sla.batasLayanan).toBe('2026-11-24T01:05:00.000Z');
    expect(s.sla.terlambat).toBe(true); // a step was late, though the whole service was on time
  });
});

function getIncomingId(o: DemoOffice, nomor: string): number {
  const r = o.app.store().db.prepare<[string], { id: number }>('SELECT id FROM surat_masuk WHERE nomor = ?').get(nomor);
  if (!r) throw new Error(`no ${nomor}`);
  return r.id;
}

describeWith('pdftotext (poppler-utils)', HAVE_PDFTOTEXT, 'print pack tools', () => {
  it('pdftotext is available for the print-pack checks', () => {
    expect(HAVE_PDFTOTEXT).toBe(true);
  });
});

describe('security: forwarding targets, Maildir paths, kriptograms rejected only for their own faults', () => {
  let office: DemoOffice;
  const warnings: { key: string; params: Record<string, string | number> }[] = [];
  const svc = (): TerimaService =>
    terimaService(office.app, {
      actor: 'sandiman-uji',
      env: {},
      passphrases: passphraseSource({ env: { SANDI_PASSPHRASE_ARSIP: ARSIP_PASSPHRASE } }),
      warn: (key, params) => warnings.push({ key, params }),
    });
  const inbox = (): string => join(office.home, 'maildir', 'INBOX', 'new');
  let n = 0;
  const drop = (raw: Buffer): void => {
    mkdirSync(inbox(), { recursive: true });
    writeFileSync(join(inbox(), `17638600${String(n++).padStart(2, '0')}.P1.test`), raw);
  };

  beforeAll(async () => {
    office = await demoOffice();
  }, 60_000);
  afterAll(() => office?.cleanup());

  it('cc addresses that name a path are never used as Maildir folders; an explicit one is refused; nothing is written outside the Maildir folder', async () => {
    drop(
      Buffer.from(
        'From: Penyerang <x@evil.test>\r\nTo: sandi@kominfo.test\r\nCc: ../../../lolos@evil.test, "x" <.hidden@evil.test>, opd1@dinkes.test\r\nSubject: Jalan pintas\r\nMessage-ID: <traversal@evil.test>\r\n\r\nIsi.\r\n',
      ),
    );
    const r = await svc().fetch();
    const nomor = r.baru[0]!.nomor;
    warnings.length = 0;
    const f = await svc().teruskan(nomor, {});
    expect(f.ke).toEqual(['opd1@dinkes.test']);
    expect(warnings.filter((w) => w.key === 'terima.w.ccUnsafe')).toHaveLength(2);
    expect(warnings.find((w) => w.key === 'terima.forwardOutside')?.params['ke']).toBe('opd1@dinkes.test');
    expect(readdirSync(join(office.home, 'maildir')).sort()).not.toContain('.hidden@evil.test');
    expect(readdirSync(office.home)).not.toContain('lolos@evil.test');
    expect(readdirSync(join(office.home, '..')).filter((x) => x.includes('lolos'))).toEqual([]);
    await expectError(svc().teruskan(nomor, { ke: ['../../lolos@evil.test'] }), 'DATA', 'terima.badAddress');
    await expectError(svc().teruskan(nomor, { ke: ['a/b@evil.test'] }), 'DATA', 'terima.badAddress');
  });

  it('the Maildir adapter itself refuses a folder name or a target outside its base', async () => {
    const { deliverToMaildir, maildirIn } = await import('../../src/adapters/maildir.js');
    const base = join(office.home, 'maildir');
    for (const bad of ['../x@evil.test', '..', '.', '.x', 'a/b', 'a\\b', 'a\u0000b', 'a\nb', ''])
      await expectError(() => maildirIn(base, bad), 'DATA', 'maildir.unsafeName');
    expect(maildirIn(base, 'opd1@dinkes.test')).toBe(join(base, 'opd1@dinkes.test'));
    await expectError(() => deliverToMaildir(join(base, '..', 'lolos'), Buffer.from('x'), new Date(), { base }), 'DATA', 'maildir.outsideBase');
    expect(readdirSync(office.home)).not.toContain('lolos');
  });

  it('automatic forwarding sends only to the address book and teruskanDomain; the rest is held and reported', async () => {
    office.patchConfig({ terima: { teruskanOtomatis: true, teruskanDomain: ['dinkes.test'] } });
    try {
      drop(
        Buffer.from(
          `From: Setda <setda@pemkot.test>\r\nTo: sandi@kominfo.test\r\nCc: ${DEMO_UNIT_MAILDIR}, opd1@sub.dinkes.test, relay@elsewhere.test, "../../x@evil.test"\r\nSubject: Tembusan otomatis\r\nMessage-ID: <otomatis@pemkot.test>\r\n\r\nIsi.\r\n`,
        ),
      );
      warnings.length = 0;
      const r = await svc().fetch();
      expect(r.baru).toHaveLength(1);
      const nomor = r.baru[0]!.nomor;
      expect(r.diteruskan).toEqual([{ nomor, ke: [DEMO_UNIT_MAILDIR, 'opd1@sub.dinkes.test'] }]);
      expect(r.ditahan).toEqual([{ nomor, ke: ['relay@elsewhere.test'] }]);
      expect(warnings.map((w) => w.key)).toContain('terima.forwardHeld');
      expect(readdirSync(join(office.home, 'maildir'))).not.toContain('relay@elsewhere.test');
    } finally {
      office.patchConfig({ terima: {} });
    }
  });

  it('automatic forwarding still happens for what a run registered before it failed', async () => {
    office.patchConfig({ terima: { teruskanOtomatis: true } });
    try {
      const dir = join(office.home, 'impor-gagal');
      mkdirSync(dir, { recursive: true });
      writeFileSync(
        join(dir, '01.eml'),
        `From: Setda <setda@pemkot.test>\r\nTo: sandi@kominfo.test\r\nCc: ${DEMO_UNIT_MAILDIR}\r\nSubject: Sebelum galat\r\nMessage-ID: <sebelum-galat@pemkot.test>\r\n\r\nIsi.\r\n`,
      );
      writeFileSync(join(dir, '02.eml'), 'From: Setda <setda@pemkot.test>\r\nSubject: Gagal diarsipkan\r\nMessage-ID: <gagal@pemkot.test>\r\n\r\nIsi.\r\n');
      // the archive cannot write the second message: its temp folder is replaced by a file before it (I/O)
      const tmp = join(office.home, 'arsip', 'surat-masuk', 'tmp');
      const failing = (): TerimaService =>
        terimaService(office.app, {
          actor: 'sandiman-uji',
          env: {},
          passphrases: passphraseSource({ env: { SANDI_PASSPHRASE_ARSIP: ARSIP_PASSPHRASE } }),
          progress: (done) => {
            if (done !== 1) return;
            rmSync(tmp, { recursive: true, force: true });
            writeFileSync(tmp, '');
          },
        });
      await expectError(failing().fetch({ dariFolder: dir }), 'IO', 'common.writeFailed');
      rmSync(tmp, { force: true });
      const row = [...listIncoming(office.app.store())].find((r) => r.perihal === 'Sebelum galat');
      expect(row, 'registered before the failure').toBeDefined();
      const steps = listIncomingSteps(office.app.store(), row!.id).filter((st) => st.langkah === 'teruskan');
      expect(steps).toHaveLength(1);
      expect(steps[0]!.data).toMatchObject({ ke: [DEMO_UNIT_MAILDIR] });
      // a second failing run forwards nothing twice
      await expectError(failing().fetch({ dariFolder: dir }), 'IO', 'common.writeFailed');
      rmSync(tmp, { force: true });
      expect(listIncomingSteps(office.app.store(), row!.id).filter((st) => st.langkah === 'teruskan')).toHaveLength(1);
    } finally {
      office.patchConfig({ terima: {} });
    }
  });

  it('an unknown signer or a damaged key file leaves the kriptogram registered; importing the key lets `baca` read it; a tampered one is rejected', async () => {
    const openpgp = await import('openpgp');
    const { encryptKriptogram } = await import('../../src/adapters/openpgp/kriptogram.js');
    const { buildPgpMime } = await import('../../src/formats/pgpmime.js');
    const { kunciService } = await import('../../src/services/kunci.js');
    const { loadConfig } = await import('../../src/config/config.js');
    const keys = kunciService(office.app, 'sandiman-uji');
    const archivePub = keys.loadPublicArmored(loadConfig(office.app.paths.config).archiveKey);
    const keyDate = new Date('2026-11-01T00:00:00Z');
    const gen = (email: string) =>
      openpgp.generateKey({ type: 'ecc', curve: 'ed25519Legacy', userIDs: [{ name: 'Unit Baru', email }], passphrase: 'frasa-sandi-uji-123', format: 'armored', date: keyDate });
    const signer = await gen('persandian@baru.test');
    const kriptogram = async (messageId: string, tamper = false): Promise<Buffer> => {
      const chunks: Buffer[] = [];
      const out = new Writable({
        write(c: Buffer, _e, cb) {
          chunks.push(Buffer.from(c));
          cb();
        },
      });
      await encryptKriptogram({
        input: Readable.from([Buffer.from('NOTA DINAS dari unit baru\n')]),
        output: out,
        fileName: 'nota.txt',
        headers: { subject: 'Nota dinas unit baru', classification: 'Terbatas' },
        recipientKeys: [archivePub],
        signingKeys: [{ armored: signer.privateKey, passphrase: 'frasa-sandi-uji-123' }],
        date: new Date('2026-11-22T00:00:00Z'),
        armor: true,
      });
      let armored = Buffer.concat(chunks).toString('latin1');
      if (tamper) {
        // change one base64 character in the middle of the encrypted data (the armor checksum is dropped)
        const lines = armored.split('\n');
        const i = Math.floor(lines.length / 2);
        const l = lines[i]!;
        lines[i] = l.slice(0, 5) + (l[5] === 'A' ? 'B' : 'A') + l.slice(6);
        armored = lines.filter((x) => !/^=[A-Za-z0-9+/]{4}$/.test(x.trim())).join('\n');
      }
      return buildPgpMime({ from: { address: 'persandian@baru.test' }, to: [{ address: 'sandi@kominfo.test' }], subject: 'KRIP/9/XI/2026', messageId, date: new Date('2026-11-22T00:00:00Z') }, armored);
    };
    // an unrelated key whose file is damaged must not stop anything
    const other = await gen('lain@lain.test');
    const imported = await keys.importKeys(other.publicKey, 'uji');
    const otherFpr = imported.keys[0]!.fingerprint;
    writeFileSync(join(office.home, 'kunci', `${otherFpr}.pub.asc`), 'rusak\n', { mode: 0o600 });

    drop(await kriptogram('<krip-baru@baru.test>'));
    warnings.length = 0;
    const r = await svc().fetch();
    expect(r.baru).toHaveLength(1);
    expect(r.baru[0]).toMatchObject({ buku: 'kriptogram_masuk', status: 'terdaftar' });
    expect(r.baru[0]!.peringatan).toContain('terima.w.notReadFixable');
    expect(warnings.find((w) => w.key === 'terima.w.notReadYet')?.params['reason']).toBe('kriptogram.unknownSigner');
    // said in words with the signer's key ID, as the CLI prints it (it showed the raw "(kriptogram.unknownSigner)")
    const { alasanDibaca } = await import('../../src/cli/terima.js');
    const said = warnings.filter((w) => w.key === 'terima.w.notReadYet').map((w) => t(w.key, alasanDibaca(w.params)));
    expect(said[0]).toMatch(/\(penanda tangan [0-9A-Fa-f]{16} belum ada di buku alamat\)/);
    expect(said.join('\n')).not.toMatch(/kriptogram\.|\{\w+\}/);
    expect(warnings.find((w) => w.key === 'terima.w.keySkipped')?.params['fingerprint']).toBe(otherFpr);

    await keys.importKeys(signer.publicKey, 'uji');
    const read = await svc().baca(r.baru[0]!.nomor);
    expect(read.arrival.status).toBe('terbaca');
    expect(read.arrival.penandaTangan?.map((s) => s.status)).toEqual(['good']);
    expect(read.headers?.classification).toBe('Terbatas');

    drop(await kriptogram('<krip-rusak@baru.test>', true));
    const bad = await svc().fetch();
    expect(bad.baru[0]).toMatchObject({ buku: 'kriptogram_masuk', status: 'ditolak' });
  });

  it('lp runs without the secret variables', async () => {
    const { printWithLp } = await import('../../src/adapters/print.js');
    const bin = join(office.home, 'bin');
    mkdirSync(bin);
    writeFileSync(join(bin, 'lp'), `#!/bin/sh\nenv | grep '^SANDI_' | cut -d= -f1 | sort | tr '\\n' ' '\n`, { mode: 0o755 });
    const reply = await printWithLp(join(office.home, 'x.pdf'), 'kantor', 'SM/1', {
      PATH: `${bin}:/usr/bin:/bin`,
      SANDI_PASSPHRASE: 'a',
      SANDI_PASSPHRASE_ARSIP: 'b',
      SANDI_MAILBOX_PASSWORD: 'c',
      SANDI_HOME: office.home,
    });
    expect(reply).toBe('SANDI_HOME');
  });
});
