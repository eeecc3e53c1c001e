/**
 * cleanBase64 (src/adapters/mail/mime-lampiran.ts): the fast check of an attachment's base64 body (decoded
 * whole or a few lines at a time) must take
 * nothing the old regular expression refused, and give for what it takes the size and SHA-256 of exactly what
 * Buffer's decoder makes of it. Random bodies of every line layout, with random damage (characters inserted,
 * replaced, removed: base64url's '-' and '_', spaces, tabs, stray breaks, '=' inside, NUL, 8-bit bytes).
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { cleanBase64 } from '../../src/adapters/mail/mime-lampiran.js';

const CLEAN_BASE64 = /^[A-Za-z0-9+/\r\n]*(?:=[\r\n]*){0,2}$/;

let seed = 0x5a1d2026;
const rnd = (n: number): number => {
  seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
  return (seed >>> 8) % n;
};
const randomBytes = (n: number): Buffer => Buffer.from(Array.from({ length: n }, () => rnd(256)));
const wrap = (b64: string, width: number, eol: string): string => (width === 0 ? b64 : b64.replace(new RegExp(`.{${width}}`, 'g'), `$&${eol}`));
const DAMAGE = ['A', 'z', '9', '+', '/', '=', '-', '_', ' ', '\t', '\r', '\n', '\r\n', '$', '.', ':', '\u0000', '\u0080', '\u00ff'];

/** what the old check and Buffer's decoder say of `b64` */
const reference = (b64: string): { size: number; sha256: string } | null => {
  if (!CLEAN_BASE64.test(b64)) return null;
  const bytes = Buffer.from(b64, 'base64');
  return { size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') };
};

/**
 * cleanBase64 of `body` inside a larger message, as the message walk calls it; `chunk` small decodes it a
 * few lines at a time (the usual chunk is larger than these bodies)
 */
const check = (body: string, chunk?: number): ReturnType<typeof cleanBase64> => {
  const around = Buffer.from(`Content-Transfer-Encoding: base64\r\n\r\n${body}\r\n--batas--\r\n`, 'latin1');
  const start = around.indexOf('\r\n\r\n') + 4;
  return cleanBase64(around, start, start + body.length, chunk);
};

describe('cleanBase64', () => {
  it('takes well-formed bodies of every usual layout, with the bytes Buffer decodes', () => {
    for (const width of [0, 4, 64, 72, 76]) {
      for (const eol of ['\r\n', '\n']) {
        for (const n of [0, 1, 2, 3, 57, 58, 59, 1000, 4097]) {
          for (const tail of ['', eol]) {
            const raw = randomBytes(n);
            const body = wrap(raw.toString('base64'), width, eol) + (n === 0 ? '' : tail);
            const want = { size: n, sha256: createHash('sha256').update(raw).digest('hex') };
            expect(check(body), `width ${width} n ${n}`).toEqual(want);
            expect(check(body, 200), `width ${width} n ${n}, in chunks`).toEqual(want);
          }
        }
      }
    }
  });

  it('never takes what the regular expression refused, and agrees on what it takes (4,000 damaged bodies)', () => {
    let refused = 0;
    for (let t = 0; t < 4000; t++) {
      let body = wrap(randomBytes(1 + rnd(400)).toString('base64'), [0, 64, 76][rnd(3)]!, ['\r\n', '\n'][rnd(2)]!);
      if (rnd(3) === 0) body += '\r\n';
      for (let m = rnd(3); m > 0; m--) {
        const at = rnd(body.length + 1);
        const ch = DAMAGE[rnd(DAMAGE.length)]!;
        const kind = rnd(3);
        body = kind === 0 ? body.slice(0, at) + ch + body.slice(at) : kind === 1 ? body.slice(0, at) + ch + body.slice(at + 1) : body.slice(0, at) + body.slice(at + 1);
      }
      const want = reference(body);
      if (want === null) refused++;
      expect(check(body), JSON.stringify(body)).toEqual(want);
      // decoded a few lines at a time: damage at a chunk's end is caught as well
      expect(check(body, [1, 80, 160, 240][t % 4]), JSON.stringify(body)).toEqual(want);
    }
    // the damage is real: a good share of the bodies must be refused
    expect(refused).toBeGreaterThan(1000);
  });

  it('refuses base64url characters, spaces and padding inside a body of equal lines', () => {
    const body = wrap(randomBytes(570).toString('base64'), 76, '\r\n');
    for (const [i, ch] of [[10, '-'], [100, '_'], [200, ' '], [300, '=']] as const) {
      expect(check(body.slice(0, i) + ch + body.slice(i + 1)), ch).toBeNull();
    }
  });
});
