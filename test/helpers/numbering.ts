/**
 * What the next number of a register must be when the test cannot fix the clock (the CLI runs on the real one):
 * numbering restarts at 1 every office year, so a test that numbers twice and expects "…/002/…" fails when CI
 * runs across midnight of 31 December WIB. Check the rule against the years around the command instead.
 */
import { expect } from 'vitest';
import { monthInZone, toRoman, yearInZone } from '../../src/domain/numbering.js';

const NUMBER = /^(.+)\/(\d{3})\/([IVXLC]+)\/(\d{4})$/;

/**
 * `next` follows `prev` (both "PREFIX/{urut:3}/{bulan}/{tahun}") when it was given between `before` and `after`
 * (the clock read just before and just after the command): urut + 1 in the same office year, else 1 in the
 * new year, and its year and month are the office's at some moment of that window.
 */
export function expectNextNumber(prev: string, next: string, window: { before: Date; after: Date }, timeZone = 'Asia/Jakarta'): void {
  const p = NUMBER.exec(prev);
  const n = NUMBER.exec(next);
  expect(p, prev).not.toBeNull();
  expect(n, next).not.toBeNull();
  const [, prefix, urutPrev, , yearPrev] = p!;
  const [, prefixNext, urutNext, monthNext, yearNext] = n!;
  expect(prefixNext, next).toBe(prefix);
  const possible = [window.before, window.after].map((d) => ({ year: yearInZone(d, timeZone), month: toRoman(monthInZone(d, timeZone)) }));
  expect(possible, `${next} numbered between ${window.before.toISOString()} and ${window.after.toISOString()}`).toContainEqual({ year: Number(yearNext), month: monthNext });
  const expected = Number(yearNext) === Number(yearPrev) ? Number(urutPrev) + 1 : 1;
  expect(Number(urutNext), `${prev} → ${next}`).toBe(expected);
}
