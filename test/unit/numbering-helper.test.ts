/**
 * The e2e tests that number twice on the real clock (init-demo: two demos; kirim-wizard: demo then wizard) used
 * to expect "KRIP/002/…", which is wrong when CI runs across midnight of 31 December WIB: the second number is
 * then KRIP/001/I/<next year>. test/helpers/numbering.ts checks the rule for the window the command ran in.
 */
import { describe, expect, it } from 'vitest';
import { expectNextNumber } from '../helpers/numbering.js';

// 31 December 2026, 23:59:58 WIB, and 1 January 2027, 00:00:03 WIB
const LAST = new Date('2026-12-31T16:59:58Z');
const FIRST = new Date('2026-12-31T17:00:03Z');

describe('expectNextNumber (e2e numbering on the real clock)', () => {
  it('same year: the next urut', () => {
    expectNextNumber('KRIP/001/XII/2026', 'KRIP/002/XII/2026', { before: LAST, after: LAST });
    expect(() => expectNextNumber('KRIP/001/XII/2026', 'KRIP/003/XII/2026', { before: LAST, after: LAST })).toThrow();
  });

  it('across midnight of 31 December WIB: 001 of January of the new year, which the old /^KRIP\\/002\\// refused', () => {
    expect('KRIP/001/I/2027').not.toMatch(/^KRIP\/002\//);
    expectNextNumber('KRIP/001/XII/2026', 'KRIP/001/I/2027', { before: LAST, after: FIRST });
    // numbered just before midnight within the same window: still the old year's next number
    expectNextNumber('KRIP/001/XII/2026', 'KRIP/002/XII/2026', { before: LAST, after: FIRST });
    expect(() => expectNextNumber('KRIP/001/XII/2026', 'KRIP/002/I/2027', { before: LAST, after: FIRST })).toThrow();
  });

  it('refuses a year or month the window never saw, and another prefix', () => {
    expect(() => expectNextNumber('KRIP/001/XII/2026', 'KRIP/001/I/2027', { before: LAST, after: LAST })).toThrow();
    expect(() => expectNextNumber('KRIP/001/XII/2026', 'KRIP/002/XI/2026', { before: LAST, after: LAST })).toThrow();
    expect(() => expectNextNumber('KRIP/001/XII/2026', 'SK/002/XII/2026', { before: LAST, after: LAST })).toThrow();
  });
});
