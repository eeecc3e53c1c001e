/**
 * A register's protection (src/domain/registers/: fixed, fill-once-in-state, once, transitions) as SQLite
 * triggers. The generated text is part of migrations 2 and 5 and must stay byte-stable once released
 * (test/unit/register-migrations-frozen.test.ts pins it).
 */
import type { RegisterProtection } from '../../domain/registers/types.js';

const q = (s: string): string => `'${s.replace(/'/g, "''")}'`;

/** The SQLite triggers of one register's protection (its `mutable` columns get none). */
export function appendOnlyTriggers(p: RegisterProtection): string {
  const t = p.table;
  const out: string[] = [];
  out.push(`CREATE TRIGGER ${t}_no_delete BEFORE DELETE ON ${t}
        BEGIN SELECT RAISE(ABORT, 'sandi:append_only:${t}'); END;`);
  out.push(`CREATE TRIGGER ${t}_settled BEFORE UPDATE ON ${t}
        WHEN ${p.fixed.map((c) => `NEW.${c} IS NOT OLD.${c}`).join(' OR ')}
        BEGIN SELECT RAISE(ABORT, 'sandi:settled:${t}'); END;`);
  const fillCols = Object.keys(p.fill);
  for (const c of [...fillCols, ...(p.once ?? [])]) {
    out.push(`CREATE TRIGGER ${t}_${c}_once BEFORE UPDATE ON ${t}
        WHEN OLD.${c} IS NOT NULL AND NEW.${c} IS NOT OLD.${c}
        BEGIN SELECT RAISE(ABORT, 'sandi:set_once:${t}.${c}'); END;`);
  }
  for (const c of fillCols) {
    const states = p.fill[c] ?? [];
    out.push(`CREATE TRIGGER ${t}_${c}_state BEFORE UPDATE ON ${t}
        WHEN OLD.${c} IS NULL AND NEW.${c} IS NOT NULL AND NEW.status NOT IN (${states.map(q).join(', ')})
        BEGIN SELECT RAISE(ABORT, 'sandi:wrong_state:${t}.${c}'); END;`);
  }
  const legal = Object.entries(p.transitions)
    .filter(([, to]) => to.length > 0)
    .map(([from, to]) => `(OLD.status = ${q(from)} AND NEW.status IN (${to.map(q).join(', ')}))`);
  out.push(`CREATE TRIGGER ${t}_transition BEFORE UPDATE OF status ON ${t}
        WHEN NEW.status IS NOT OLD.status AND NOT (${legal.join(' OR ')})
        BEGIN SELECT RAISE(ABORT, 'sandi:transition:${t}'); END;`);
  const notNullAtInsert = fillCols.filter((c) => !p.fixed.includes(c));
  out.push(`CREATE TRIGGER ${t}_insert BEFORE INSERT ON ${t}
        WHEN NEW.status IS NOT ${q(p.initial)}${notNullAtInsert.map((c) => ` OR NEW.${c} IS NOT NULL`).join('')}
        BEGIN SELECT RAISE(ABORT, 'sandi:insert_state:${t}'); END;`);
  return out.join('\n      ');
}
