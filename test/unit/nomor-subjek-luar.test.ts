import { describe, expect, it } from 'vitest';
import { nomorDariSubjekLuar } from '../../src/domain/numbering.js';

describe('nomorDariSubjekLuar (issue 13 defect 4: nomor_pengirim from a sandi office clear Subject)', () => {
  it('takes a register number', () => {
    for (const n of ['KRIP/007/XII/2026', 'RH.15/DKI/2026', 'KRIP/1/I/2027', '005/123/DISDUK/2026']) expect(nomorDariSubjekLuar(` ${n} `)).toBe(n);
  });
  it('refuses free text, a bare year, a date, an empty or missing Subject', () => {
    for (const s of ['Undangan rapat 2026', 'perihal', 'A/2026', '2026', 'KRIP/XII/2026/', '', null, undefined, 'x'.repeat(70) + '/1/2026', 'KRIP 7/XII/2026']) {
      expect(nomorDariSubjekLuar(s)).toBeNull();
    }
  });
});
