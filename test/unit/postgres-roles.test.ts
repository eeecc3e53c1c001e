/**
 * The SQL `sandi db peran` prints for an administrator: each GRANT names each column once (a column listed twice
 * is accepted by PostgreSQL but reads as a mistake to the administrator who has to trust the script).
 */
import { describe, expect, it } from 'vitest';
import { GROUP_GRANTS, OFFICE_GROUPS, grantsSql, peranSql } from '../../src/adapters/postgres/roles.js';

describe('sandi db peran: the grants', () => {
  it('lists each column of a GRANT UPDATE once', () => {
    const lines = peranSql({ officers: [{ role: 'budi', groups: ['sandiman'] }] }).split('\n').filter((l) => l.includes('GRANT UPDATE'));
    expect(lines.length).toBeGreaterThan(10);
    for (const line of lines) {
      const cols = /GRANT UPDATE \(([^)]*)\)/.exec(line)?.[1]?.split(', ') ?? [];
      expect(cols.length, line).toBeGreaterThan(0);
      expect(new Set(cols).size, line).toBe(cols.length);
    }
    // the table that had `status` twice (sandiman on kriptogram_keluar) still grants it once
    expect(grantsSql()).toMatch(/GRANT UPDATE \(status, [^)]*\) ON sandi\.kriptogram_keluar TO sandi_sandiman;/);
  });

  it('has no column twice in the grants table itself', () => {
    for (const g of OFFICE_GROUPS) {
      for (const [table, w] of Object.entries(GROUP_GRANTS[g])) {
        const cols = w.update ?? [];
        expect(new Set(cols).size, `${g} ${table}`).toBe(cols.length);
      }
    }
  });
});
