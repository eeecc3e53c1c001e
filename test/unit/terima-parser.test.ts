/**
 * parseIncoming's reading of the Date header: mailparser replaces a date it cannot read with the moment of
 * parsing, which must not pass for the letter's date.
 */
import { describe, expect, it } from 'vitest';
import { Readable } from 'node:stream';
import { parseIncoming, rawHeaderFields, splitAddressList } from '../../src/adapters/mail/terima-parser.js';

const message = (date: string | null) =>
  Buffer.from(
    [
      'From: Setda <setda@pemkot.test>',
      'To: sandi@kominfo.test',
      'Subject: Undangan',
      'Message-ID: <tgl@pemkot.test>',
      ...(date === null ? [] : [`Date: ${date}`]),
      'Content-Type: text/plain; charset=utf-8',
      '',
      'Isi surat.',
      '',
    ].join('\r\n'),
  );

describe('the Date header', () => {
  it('a readable date (also folded) is the date, without a warning', async () => {
    const r = await parseIncoming(message('Tue, 24 Nov 2026\r\n 09:15:00 +0700'));
    expect(r.date?.toISOString()).toBe('2026-11-24T02:15:00.000Z');
    expect(r.warnings).toEqual([]);
  });
  it('an unreadable date is no date, with its own warning; a missing one is warned as missing', async () => {
    const bad = await parseIncoming(message('kemarin sore'));
    expect(bad.date).toBeNull();
    expect(bad.warnings).toEqual(['terima.w.badDate']);
    const none = await parseIncoming(message(null));
    expect(none.date).toBeNull();
    expect(none.warnings).toEqual(['terima.w.noDate']);
  });
});

describe('what the raw bytes say is kept', () => {
  const withSubject = (subject: string): Buffer =>
    Buffer.from(['From: Setda <setda@pemkot.test>', 'To: sandi@kominfo.test', `Subject: ${subject}`, 'Message-ID: <nul@pemkot.test>', '', 'Isi.', ''].join('\r\n'), 'latin1');

  it('a NUL byte in the Subject (raw or in an encoded word) is shown as U+FFFD, never cut, with a warning', async () => {
    for (const subject of ['Rapat\u0000 koordinasi penting', `=?UTF-8?B?${Buffer.from('Rapat\u0000 koordinasi penting').toString('base64')}?=`, '=?UTF-8?Q?Rapat=00_koordinasi_penting?=']) {
      const r = await parseIncoming(withSubject(subject));
      expect(r.subject).toBe('Rapat\uFFFD koordinasi penting');
      expect(r.warnings).toContain('terima.w.nul');
    }
    const clean = await parseIncoming(withSubject('Rapat koordinasi'));
    expect(clean.warnings).not.toContain('terima.w.nul');
  });

  it('a message the parser cannot read keeps the Message-ID, Subject and From of its raw header (held whole or streamed)', async () => {
    // mailparser gives up on a tree of thousands of nested parts ("Max allowed child nodes exceeded")
    const nested = Array.from({ length: 3000 }, (_, i) => `Content-Type: multipart/mixed; boundary=b${i}\r\n\r\n--b${i}\r\n`).join('');
    const raw = Buffer.from(`From: Penyerang <x@evil.test>\r\nCc: a@dinkes.test, "B, C" <b@disdik.test>\r\nSubject: Bersarang\r\nMessage-ID: <bersarang@evil.test>\r\n${nested}`);
    for (const source of [raw, Readable.from([raw.subarray(0, 100), raw.subarray(100)])]) {
      const r = await parseIncoming(source);
      expect(r.warnings).toContain('terima.w.unparsable');
      expect(r.warnings).not.toContain('terima.w.noMessageId');
      expect(r).toMatchObject({ messageId: '<bersarang@evil.test>', subject: 'Bersarang', from: 'Penyerang <x@evil.test>', cc: ['a@dinkes.test', '"B, C" <b@disdik.test>'] });
    }
  });

  it('rawHeaderFields reads folded fields, the first occurrence, and only the header', () => {
    const h = rawHeaderFields(Buffer.from('Subject: satu\r\n dua\r\nMessage-Id:   <a@b.test> (komentar)\r\nMessage-ID: <lain@b.test>\r\n\r\nSubject: bukan\r\n'));
    expect(h).toMatchObject({ subject: 'satu dua', messageId: '<a@b.test>', from: null });
    expect(rawHeaderFields(Buffer.from('Message-ID: tanpa-kurung@b.test\n\nisi')).messageId).toBe('<tanpa-kurung@b.test>');
    expect(rawHeaderFields(Buffer.from('Message-ID: bukan id\n\nisi')).messageId).toBeNull();
  });

  it('splitAddressList splits a raw Cc at the commas between addresses only', () => {
    expect(splitAddressList('"Dinas, Kesehatan" <opd1@dinkes.test>, opd2@disdik.test (Dinas, Pendidikan),  ,x@y.test')).toEqual([
      '"Dinas, Kesehatan" <opd1@dinkes.test>',
      'opd2@disdik.test (Dinas, Pendidikan)',
      'x@y.test',
    ]);
    expect(splitAddressList(null)).toEqual([]);
  });
});
