/**
 * parseIncoming's reading of the Date header: mailparser replaces a date it cannot read with the moment of
 * parsing, which must not pass for the letter's date.
 */
import { describe, expect, it } from 'vitest';
import { parseIncoming } from '../../src/adapters/mail/terima-parser.js';

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
