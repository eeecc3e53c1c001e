/**
 * Fixtures for the `sandi terima` tests: a demo office on a temporary home (DEMO keys, a PGP/MIME kriptogram
 * addressed to it in a local Maildir), a controllable clock, and the incoming messages of the test set built
 * with nodemailer's composer: plain, HTML, PDF attachment, Indonesian non-ASCII headers and file names,
 * and malformed ones.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import MailComposer from 'nodemailer/lib/mail-composer/index.js';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import { openApp, type App } from '../../src/app.js';
import { runDemo } from '../../src/services/demo.js';
import type { Clock } from '../../src/ports.js';
import { kirimPorts } from '../../src/app/kirim.js';

export const ARSIP_PASSPHRASE = 'demo-arsip-2026';
export const DEMO_UNIT_MAILDIR = 'persandian@dinkes.demo.sandi.invalid';

export class TestClock implements Clock {
  constructor(public t: Date) {}
  now(): Date {
    return new Date(this.t);
  }
  /** move forward by minutes */
  tick(minutes: number): void {
    this.t = new Date(this.t.getTime() + minutes * 60_000);
  }
}

export interface DemoOffice {
  home: string;
  app: App;
  clock: TestClock;
  cleanup(): void;
  /** merge keys into config.json */
  patchConfig(patch: Record<string, unknown>): void;
}

/** A demo office (sandi demo has run once: keys, address book, one kriptogram in the units' Maildirs). */
export async function demoOffice(start = new Date('2026-11-23T01:00:00Z')): Promise<DemoOffice> {
  const home = mkdtempSync(join(tmpdir(), 'sandi-terima-'));
  const clock = new TestClock(start);
  const app = openApp(home, clock);
  await runDemo(app, kirimPorts(app));
  return {
    home,
    app,
    clock,
    cleanup() {
      app.close();
      rmSync(home, { recursive: true, force: true });
    },
    patchConfig(patch) {
      const file = join(home, 'config.json');
      const c = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
      writeFileSync(file, JSON.stringify({ ...c, ...patch }, null, 2), { mode: 0o600 });
    },
  };
}

export async function smallPdf(lines: string[]): Promise<Buffer> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  const page = doc.addPage([595, 842]);
  lines.forEach((l, i) => page.drawText(l, { x: 50, y: 780 - i * 16, size: 12, font }));
  return Buffer.from(await doc.save());
}

export function compose(mail: ConstructorParameters<typeof MailComposer>[0]): Promise<Buffer> {
  return new MailComposer(mail).compile().build();
}

export interface TestMessage {
  name: string;
  raw: Buffer;
}

/** The ordinary test set: plain, HTML, PDF + another attachment, non-ASCII, and three malformed ones. */
export async function testMessages(tag: string): Promise<TestMessage[]> {
  const pdf = await smallPdf(['LAMPIRAN SURAT EDARAN', `Tag ${tag}`]);
  const from = 'Sekretariat Daerah <setda@pemkot.test>';
  const to = 'Persandian <sandi@kominfo.test>';
  const date = new Date('2026-11-23T01:05:00Z');
  return [
    {
      name: 'plain',
      raw: await compose({
        from,
        to,
        cc: ['Dinas Kesehatan <opd1@dinkes.test>'],
        subject: `Undangan rapat koordinasi ${tag}`,
        date,
        messageId: `<plain-${tag}@pemkot.test>`,
        text: `Nomor   : 005/117/SETDA/${tag}\nTanggal : 20 November 2026\n\nDengan hormat, kami mengundang Saudara dalam rapat koordinasi.\n`,
      }),
    },
    {
      name: 'html',
      raw: await compose({
        from,
        to,
        subject: `Pemberitahuan libur ${tag}`,
        date,
        messageId: `<html-${tag}@pemkot.test>`,
        html: `<p>Nomor : 800/45/BKPSDM/${tag}</p><p>Diberitahukan bahwa <b>kantor tutup</b>.</p>`,
      }),
    },
    {
      name: 'pdf',
      raw: await compose({
        from,
        to,
        subject: `Surat edaran ${tag}`,
        date,
        messageId: `<pdf-${tag}@pemkot.test>`,
        text: 'Terlampir surat edaran.\n',
        attachments: [
          { filename: 'surat-edaran.pdf', content: pdf, contentType: 'application/pdf' },
          { filename: 'data.csv', content: 'a,b\n1,2\n', contentType: 'text/csv' },
        ],
      }),
    },
    {
      name: 'nonascii',
      raw: await compose({
        from: 'Dinas Pendidikan — Bidang Kurikulum <opd2@disdik.test>',
        to,
        subject: `Perubahan jadwal ujian — “ÜJIAN” Désa ${tag}`,
        date,
        messageId: `<nonascii-${tag}@disdik.test>`,
        text: 'Mohon perhatian: jadwal berubah — lihat lampiran.\n',
        attachments: [{ filename: `Jadwal Ujian — Kelas Ⅸ ${tag}.pdf`, content: pdf, contentType: 'application/pdf' }],
      }),
    },
    {
      name: 'no-message-id',
      raw: Buffer.from(`From: Warga <warga@contoh.test>\r\nTo: ${to}\r\nSubject: Tanpa Message-ID ${tag}\r\nDate: Mon, 23 Nov 2026 08:10:00 +0700\r\n\r\nIsi tanpa Message-ID.\r\n`),
    },
    {
      name: 'broken-mime',
      raw: Buffer.from(
        `From: ${from}\r\nTo: ${to}\r\nSubject: MIME rusak ${tag}\r\nMessage-ID: <broken-${tag}@pemkot.test>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="XYZ"\r\n\r\n--XYZ\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nBagian pertama\r\n--XYZ\r\nContent-Type: application/pdf; name="terpotong.pdf"\r\nContent-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQK\r\n`,
      ),
    },
    {
      name: 'wrong-charset',
      raw: Buffer.concat([
        Buffer.from(`From: ${from}\r\nTo: ${to}\r\nSubject: Charset salah ${tag}\r\nMessage-ID: <charset-${tag}@pemkot.test>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nKata dengan byte salah: `),
        Buffer.from([0xe9, 0xfc, 0x20, 0xff]),
        Buffer.from('\r\n'),
      ]),
    },
  ];
}

export const KEYS_EXAMPLE = resolve(import.meta.dirname, '../../keys.example');
