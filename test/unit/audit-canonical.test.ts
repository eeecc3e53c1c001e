/**
 * canonicalJson (src/domain/audit.ts) is what every audit hash covers: a faster form must give the same
 * string, byte for byte, as the form the existing chains were hashed with (kept here as the reference), for
 * whatever the registers put in an event: nested objects and arrays, undefined values and elements, holes,
 * unicode and odd keys, numbers like -0, NaN and 1e21, Dates, Buffers, booleans and null.
 */
import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../../src/domain/audit.js';

function reference(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  if (Array.isArray(value)) return `[${value.map(reference).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${reference(v)}`).join(',')}}`;
}

let seed = 20261207;
const rnd = (n: number): number => {
  seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
  return (seed >>> 8) % n;
};
const KEYS = ['a', 'b', 'B', 'aa', '', ' ', 'nomor', 'perihal', 'é', 'Ω', '😀', 'z\u0000', '10', '2', '__proto__x', 'lampiran', 'ä', '\uffff'];
const SCALARS: unknown[] = [null, undefined, true, false, 0, -0, 1, -1.5, 1e21, NaN, Infinity, 'teks', '', 'Surat “Rahasia” — \n\t"q"\\', '\u2028', '😀'];

function randomValue(depth: number): unknown {
  const k = rnd(depth > 3 ? 3 : 8);
  if (k < 3) return SCALARS[rnd(SCALARS.length)];
  if (k === 3) return new Date(Date.UTC(2026, rnd(12), 1 + rnd(28)));
  if (k === 4) return Buffer.from([rnd(256), rnd(256), rnd(256)]);
  if (k === 5) {
    const a: unknown[] = Array.from({ length: rnd(5) }, () => randomValue(depth + 1));
    if (rnd(4) === 0) a[a.length + 1] = 'after a hole';
    return a;
  }
  const o: Record<string, unknown> = {};
  for (let i = rnd(6); i > 0; i--) o[KEYS[rnd(KEYS.length)]!] = randomValue(depth + 1);
  return o;
}

describe('canonicalJson', () => {
  it('gives the same string as the earlier form for 5,000 random event data', () => {
    for (let t = 0; t < 5000; t++) {
      const v = randomValue(0);
      expect(canonicalJson(v)).toBe(reference(v));
    }
  });

  it('sorts keys by UTF-16 code units, leaves out undefined values, writes holes as nothing', () => {
    const sparse: unknown[] = [1];
    sparse[2] = undefined;
    expect(canonicalJson({ b: 1, a: undefined, A: [undefined, 2], '😀': 0, 'é': 1, z: sparse })).toBe('{"A":[null,2],"b":1,"z":[1,,null],"é":1,"😀":0}');
  });
});
