/**
 * Append-only guards of the PostgreSQL schema, generated from the same protection descriptions as the SQLite
 * triggers (src/domain/registers, RegisterProtection: fixed columns, fill-once columns per state, set-once columns, legal status
 * moves), raising the same 'sandi:<kind>:<table>[.<column>]' messages so that both engines' errors map to the
 * same SandiError codes (./errors.ts, ../sqlite/store.ts mapSqliteError).
 *
 * One plpgsql function per table, fired BEFORE INSERT OR UPDATE OR DELETE for each row, and a BEFORE TRUNCATE
 * statement trigger: a register row is never deleted nor its table emptied, whoever connects (the owner role
 * included: triggers apply to the table's owner too).
 */
import type { RegisterProtection } from '../../domain/registers/index.js';

const q = (s: string): string => `'${s.replace(/'/g, "''")}'`;
const list = (xs: readonly string[]): string => xs.map(q).join(', ');

/** RAISE with the message the adapters map (SQLSTATE 23000 — integrity_constraint_violation — on purpose). */
export const raise = (msg: string): string => `RAISE EXCEPTION USING MESSAGE = ${q(msg)}, ERRCODE = '23000'`;

/** The BEFORE TRUNCATE statement trigger refusing to empty `table`. */
export function noTruncate(table: string, kind = 'append_only'): string {
  return `CREATE FUNCTION ${table}_no_truncate() RETURNS trigger LANGUAGE plpgsql AS $f$
        BEGIN ${raise(`sandi:${kind}:${table}`)}; END $f$;
      CREATE TRIGGER ${table}_no_truncate BEFORE TRUNCATE ON ${table} FOR EACH STATEMENT EXECUTE FUNCTION ${table}_no_truncate();`;
}

/** An append-only log table (step events, annotations): no UPDATE, no DELETE, no TRUNCATE. */
export function appendOnlyLog(table: string, message = `sandi:append_only:${table}`): string {
  return `CREATE FUNCTION ${table}_append_only() RETURNS trigger LANGUAGE plpgsql AS $f$
        BEGIN ${raise(message)}; END $f$;
      CREATE TRIGGER ${table}_append_only BEFORE UPDATE OR DELETE ON ${table} FOR EACH ROW EXECUTE FUNCTION ${table}_append_only();
      ${noTruncate(table)}`;
}

/**
 * The guard of one register: the SQLite triggers of appendOnlyTriggers (../sqlite/migrations.ts) as one
 * plpgsql function. The checks run in the same order of precedence for a single violation; `extraInsert`
 * adds columns that must be NULL at INSERT (the complaint register's ditunda_dari).
 */
export function registerGuard(p: RegisterProtection, extraInsert: readonly string[] = []): string {
  const t = p.table;
  const fillCols = Object.keys(p.fill);
  const nullAtInsert = [...fillCols.filter((c) => !p.fixed.includes(c)), ...extraInsert];
  const legal = Object.entries(p.transitions)
    .filter(([, to]) => to.length > 0)
    .map(([from, to]) => `(OLD.status = ${q(from)} AND NEW.status IN (${list(to)}))`);
  const body: string[] = [];
  body.push(`IF TG_OP = 'DELETE' THEN ${raise(`sandi:append_only:${t}`)}; END IF;`);
  body.push(`IF TG_OP = 'INSERT' THEN
          IF NEW.status IS DISTINCT FROM ${q(p.initial)}${nullAtInsert.map((c) => ` OR NEW.${c} IS NOT NULL`).join('')} THEN
            ${raise(`sandi:insert_state:${t}`)};
          END IF;
          RETURN NEW;
        END IF;`);
  body.push(`IF ${p.fixed.map((c) => `NEW.${c} IS DISTINCT FROM OLD.${c}`).join(' OR ')} THEN ${raise(`sandi:settled:${t}`)}; END IF;`);
  for (const c of [...fillCols, ...(p.once ?? [])]) {
    body.push(`IF OLD.${c} IS NOT NULL AND NEW.${c} IS DISTINCT FROM OLD.${c} THEN ${raise(`sandi:set_once:${t}.${c}`)}; END IF;`);
  }
  for (const c of fillCols) {
    body.push(
      `IF OLD.${c} IS NULL AND NEW.${c} IS NOT NULL AND NEW.status NOT IN (${list(p.fill[c] ?? [])}) THEN ${raise(`sandi:wrong_state:${t}.${c}`)}; END IF;`,
    );
  }
  body.push(`IF NEW.status IS DISTINCT FROM OLD.status AND NOT (${legal.length > 0 ? legal.join(' OR ') : 'false'}) THEN ${raise(`sandi:transition:${t}`)}; END IF;`);
  body.push('RETURN NEW;');
  return `CREATE FUNCTION ${t}_guard() RETURNS trigger LANGUAGE plpgsql AS $f$
      BEGIN
        ${body.join('\n        ')}
      END $f$;
      CREATE TRIGGER ${t}_guard BEFORE INSERT OR UPDATE OR DELETE ON ${t} FOR EACH ROW EXECUTE FUNCTION ${t}_guard();
      ${noTruncate(t)}`;
}
