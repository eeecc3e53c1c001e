import { describe, expect, it } from 'vitest';
import {
  SMTP_RETRY,
  biasaSifatAllowed,
  hasMessageId,
  isTemporarySendFailure,
  lanjutDecision,
  letterResumeAction,
  needsSentCopy,
  makeMessageId,
  permohonanRef,
  resumeAction,
  resumeSends,
  retryDelay,
  sendFailureIsCertain,
  utcOffsetMinutes,
  waitingFor,
} from '../../src/domain/kirim.js';
import { buildLetter, contentTypeOf, documentPart, encodeHeaderText } from '../../src/domain/surat-biasa.js';
import type { OutgoingStatus } from '../../src/domain/outgoing-state.js';

describe('kirim rules', () => {
  it.each<[OutgoingStatus, string | null, string, string]>([
    ['terdaftar', 'sandiman', 'paraf-selesai', 'perlu-dokumen'],
    ['diparaf', 'kasi', 'tunggu-kasi', 'tunggu-kasi'],
    ['ditandatangani', 'sandiman', 'beri-nomor-kirim', 'beri-nomor-kirim'],
    ['bernomor', 'sandiman', 'kirim', 'kirim'],
    ['tidak_pasti', 'periksa', 'periksa', 'periksa'],
    ['terkirim', null, 'selesai', 'selesai'],
    ['batal', null, 'selesai', 'selesai'],
  ])('%s waits for %s; lanjut: %s (draft) / %s (no draft)', (s, who, withDraft, without) => {
    expect(waitingFor(s)).toBe(who);
    expect(resumeAction(s, true)).toBe(withDraft);
    expect(resumeAction(s, false)).toBe(without);
  });

  it.each([
    ['mail.unreachable', true],
    ['mail.authFailed', true],
    ['mail.tlsUntrusted', true],
    ['mail.smtpRejected', true],
    ['mail.smtpDeferred', true],
    ['mail.timeout', false],
    ['mail.connectionLost', false],
    ['mail.serverError', false],
  ])('a failed send with %s certainly sent nothing: %s', (key, certain) => {
    expect(sendFailureIsCertain(key)).toBe(certain);
  });

  it.each([
    ['Asia/Jakarta', 420],
    ['Asia/Makassar', 480],
    ['Asia/Jayapura', 540],
  ])('%s is UTC+%i minutes', (tz, m) => expect(utcOffsetMinutes(tz)).toBe(m));

  it('makes and finds Message-IDs', () => {
    const id = makeMessageId('ab12', 'sandi@Kominfo.Test');
    expect(id).toBe('<sandi.ab12@kominfo.test>');
    expect(makeMessageId('ab12', null)).toBe('<sandi.ab12@sandi.invalid>');
    const raw = Buffer.from(`From: a@b.c\r\nMessage-ID: ${id}\r\nSubject: x\r\n\r\nMessage-ID: <other@x>\r\n`);
    expect(hasMessageId(raw, id)).toBe(true);
    expect(hasMessageId(raw, '<other@x>')).toBe(false);
  });

  it.each([
    [1, 0, 2_000],
    [2, 0, 4_000],
    [3, 0, 8_000],
    [4, 0, null], // 4 attempts in all: no fifth
    [3, 55_000, null], // the wait would end past a minute
    [0, 0, null],
  ])('after %i failure(s) at %i ms the default policy waits %s ms', (failures, elapsed, want) => {
    expect(retryDelay(SMTP_RETRY, failures, elapsed)).toBe(want);
  });

  it('caps the backoff at maxDelayMs', () => {
    expect(retryDelay({ attempts: 10, firstDelayMs: 1_000, maxDelayMs: 5_000, maxTotalMs: 1e9 }, 8, 0)).toBe(5_000);
  });

  it.each([
    ['mail.smtpDeferred', true],
    ['mail.smtpRejected', false],
    ['mail.unreachable', false],
    ['mail.authFailed', false],
  ])('%s is retried shortly: %s', (key, want) => expect(isTemporarySendFailure(key)).toBe(want));

  it.each([
    [{ nomor: '005/77/SETDA', tanggal: '2026-11-20', unit: 'Sekretariat Daerah' }, '005/77/SETDA, 2026-11-20, Sekretariat Daerah'],
    [{ nomor: '005/77', tanggal: null, unit: ' ' }, '005/77'],
    [{}, null],
  ])('request letter reference %j → %s', (p, want) => expect(permohonanRef(p)).toBe(want));
});

describe('ordinary letters (surat biasa)', () => {
  it.each([
    ['surat.pdf', 'application/pdf'],
    ['SCAN.JPG', 'image/jpeg'],
    ['catatan.txt', 'text/plain; charset=utf-8'],
    ['arsip.xyz', 'application/octet-stream'],
    ['tanpa-titik', 'application/octet-stream'],
  ])('%s is %s', (name, ct) => expect(contentTypeOf(name)).toBe(ct));

  it('encodes non-ASCII header text as RFC 2047 words that decode back, never splitting a character', () => {
    expect(encodeHeaderText('SK/001/XI/2026 Undangan')).toBe('SK/001/XI/2026 Undangan');
    const s = 'Undangan rapat — pemeriksaan ✓ '.repeat(4);
    const enc = encodeHeaderText(s);
    const words = enc.split('\r\n ');
    expect(words.length).toBeGreaterThan(1);
    for (const w of words) expect(w.length).toBeLessThanOrEqual(76);
    expect(words.map((w) => Buffer.from(/^=\?UTF-8\?B\?(.*)\?=$/.exec(w)![1]!, 'base64').toString('utf8')).join('')).toBe(s);
  });

  it('a long subject without spaces is folded: no header line over 998 characters (issue 17 section 3)', () => {
    const s = 'x'.repeat(1200);
    const enc = encodeHeaderText(s);
    for (const line of `Subject: ${enc}`.split('\r\n')) expect(line.length).toBeLessThanOrEqual(998);
    expect(enc.split('\r\n ').map((w) => Buffer.from(/^=\?UTF-8\?B\?(.*)\?=$/.exec(w)![1]!, 'base64').toString('utf8')).join('')).toBe(s);
  });

  it('builds the same part from the same name and bytes; a signed letter carries exactly that part', () => {
    const data = Buffer.from('x'.repeat(200));
    const part = documentPart('surat undangan.pdf', data);
    expect(part.equals(documentPart('surat undangan.pdf', data))).toBe(true);
    expect(part.toString('ascii')).toContain('Content-Type: application/pdf; name="surat undangan.pdf"');
    expect(part.toString('ascii').split('\r\n').every((l) => l.length <= 76)).toBe(true);
    const h = { from: { address: 'a@b.go.id', name: 'Diskominfo' }, to: [{ address: 'c@d.go.id' }], subject: 'SK/001/XI/2026 Undangan', messageId: '<x@b.go.id>', date: 'Wed, 25 Nov 2026 22:00:00 +0700' };
    const plain = buildLetter(h, part).toString('latin1');
    expect(plain).toMatch(/^From: "Diskominfo" <a@b\.go\.id>\r\nTo: <c@d\.go\.id>\r\nSubject: SK\/001\/XI\/2026 Undangan\r\n/);
    expect(plain.endsWith(`${part.toString('latin1')}\r\n`)).toBe(true);
    const signed = buildLetter(h, part, { armored: '-----BEGIN PGP SIGNATURE-----\n\nAAAA\n-----END PGP SIGNATURE-----\n', hash: 'sha512' }).toString('latin1');
    const boundary = /boundary="([^"]+)"/.exec(signed)![1]!;
    expect(signed).toContain('micalg=pgp-sha512; protocol="application/pgp-signature"');
    // RFC 3156: the signed data is what lies between the first delimiter line and the CRLF before the next one
    const start = signed.indexOf(`--${boundary}\r\n`) + boundary.length + 4;
    const signedData = signed.slice(start, signed.indexOf(`\r\n--${boundary}`, start));
    expect(signedData).toBe(part.toString('latin1'));
    expect(signed.endsWith(`-----END PGP SIGNATURE-----\r\n--${boundary}--\r\n`)).toBe(true);
  });

  it.each([
    ['Biasa', true],
    ['Terbatas', false],
    ['Rahasia', false],
    ['Sangat Rahasia', false],
  ] as const)('--biasa (in clear) with sifat %s: %s', (sifat, ok) => {
    expect(biasaSifatAllowed(sifat)).toBe(ok);
  });

  it.each([
    [undefined, false, false, { ok: true, keputusan: null }],
    [7, true, false, { ok: true, keputusan: 'sudah' }],
    [7, false, true, { ok: true, keputusan: 'belum' }],
    [undefined, true, false, { ok: false, key: 'kirim.lanjutFlagNeedsId' }],
    [undefined, false, true, { ok: false, key: 'kirim.lanjutFlagNeedsId' }],
    [7, true, true, { ok: false, key: 'kirim.lanjutBothFlags' }],
    [undefined, true, true, { ok: false, key: 'kirim.lanjutBothFlags' }],
  ] as const)('lanjut id=%s sudah=%s belum=%s → %j', (id, sudah, belum, want) => {
    expect(lanjutDecision(id, { sudah, belum })).toEqual(want);
  });
});

describe('lanjut planning (what to do next for a row)', () => {
  it.each<[OutgoingStatus, boolean, boolean]>([
    ['terdaftar', false, false],
    ['diparaf', false, false],
    ['diparaf', true, true],
    ['ditandatangani', false, true],
    ['bernomor', false, true],
    ['tidak_pasti', false, true],
    ['terkirim', true, false],
    ['batal', true, false],
  ])('a kriptogram row %s (single operator %s) needs the send secrets first: %s', (status, single, expected) => {
    expect(resumeSends(status, single)).toBe(expected);
  });

  it.each<[OutgoingStatus, string]>([
    ['bernomor', 'kirim'],
    ['tidak_pasti', 'periksa'],
    ['terkirim', 'selesai'],
    ['batal', 'selesai'],
  ])('an ordinary letter %s: %s', (status, expected) => {
    expect(letterResumeAction(status)).toBe(expected);
  });

  it('a Sent copy is looked up only for a sent row with a Message-ID and no copy recorded', () => {
    expect(needsSentCopy({ status: 'terkirim', messageId: '<a@b>' }, false)).toBe(true);
    expect(needsSentCopy({ status: 'terkirim', messageId: '<a@b>' }, true)).toBe(false);
    expect(needsSentCopy({ status: 'terkirim', messageId: null }, false)).toBe(false);
    expect(needsSentCopy({ status: 'tidak_pasti', messageId: '<a@b>' }, false)).toBe(false);
  });
});
