/**
 * The PostgreSQL schema's pure parts, checked without a server: the guards cover every column the protection
 * descriptions name, every bound table of the audit binding has its row id column, the grants never let a group
 * change a settled column, and the `?` → `$n` rewrite of the register SQL. (The behaviour on a real server:
 * test/integration/registers-conformance.test.ts.)
 */
import { describe, expect, it } from 'vitest';
import { REGISTER_DEFINITIONS } from '../../src/domain/registers/index.js';
import { BOUND_TABLES } from '../../src/adapters/sqlite/audit-binding.js';
import { ROWID_COLUMN, pgMigrations } from '../../src/adapters/postgres/schema.js';
import { registerGuard } from '../../src/adapters/postgres/guards.js';
import { ARSIP_TABLES, arsipSchema } from '../../src/adapters/postgres/arsip-schema.js';
import { checkArsipName } from '../../src/adapters/postgres/arsip.js';
import { GROUP_GRANTS, GROUP_STEPS, OFFICE_GROUPS, grantsSql, peranSql } from '../../src/adapters/postgres/roles.js';
import { mapPgError, toPgSql, sqliteShaped } from '../../src/adapters/postgres/sql.js';
import { SandiError } from '../../src/errors.js';

const PROTECTIONS = REGISTER_DEFINITIONS.map((r) => r.protection);

describe('PostgreSQL guards', () => {
  it('cover every fixed, fill-once and set-once column and every legal move of each register', () => {
    for (const p of PROTECTIONS) {
      const sql = registerGuard(p);
      for (const c of p.fixed) expect(sql, `${p.table}.${c}`).toContain(`NEW.${c} IS DISTINCT FROM OLD.${c}`);
      for (const c of [...Object.keys(p.fill), ...(p.once ?? [])]) expect(sql, `${p.table}.${c}`).toContain(`sandi:set_once:${p.table}.${c}`);
      for (const c of Object.keys(p.fill)) expect(sql, `${p.table}.${c}`).toContain(`sandi:wrong_state:${p.table}.${c}`);
      for (const [from, to] of Object.entries(p.transitions)) if (to.length > 0) expect(sql).toContain(`OLD.status = '${from}'`);
      expect(sql).toContain(`BEFORE TRUNCATE ON ${p.table}`);
    }
  });

  it('every table the audit chain binds has its row id column, and is created by a migration', () => {
    expect(Object.keys(ROWID_COLUMN).sort()).toEqual([...BOUND_TABLES].sort());
    const all = pgMigrations.map((m) => m.sql).join('\n');
    for (const t of BOUND_TABLES) expect(all, t).toMatch(new RegExp(`CREATE TABLE ${t} \\(`));
  });
});

describe('PostgreSQL roles', () => {
  it('no group may change a settled column, delete a register row or touch the audit chain beyond appending', () => {
    for (const g of OFFICE_GROUPS) {
      for (const p of PROTECTIONS) {
        const w = GROUP_GRANTS[g][p.table];
        const settled = (w?.update ?? []).filter((c) => p.fixed.includes(c));
        expect(settled, `${g} ${p.table}`).toEqual([]);
        expect(w?.delete ?? false, `${g} ${p.table}`).toBe(false);
      }
      expect(Object.keys(GROUP_GRANTS[g])).not.toContain('audit_log');
      expect(Object.keys(GROUP_GRANTS[g])).not.toContain('audit_kepala');
    }
    // the Kasi's signature only by the kasi group; a paraf on incoming mail only by kasi and pimpinan
    const who = (table: string, col: string): string[] => OFFICE_GROUPS.filter((g) => GROUP_GRANTS[g][table]?.update?.includes(col));
    expect(who('kriptogram_keluar', 'signer')).toEqual(['kasi']);
    expect(who('surat_masuk', 'diparaf_at')).toEqual(['kasi', 'pimpinan']);
    expect(who('surat_masuk', 'diantar_at')).toEqual(['caraka']);
    // a group that records a step may also move the register to the state that step means (arsip → selesai, …)
    const fills: Record<string, string> = { cetak: 'dicetak_at', paraf: 'diparaf_at', antar: 'diantar_at', arsip: 'selesai_at' };
    for (const g of OFFICE_GROUPS) {
      for (const step of GROUP_STEPS[g]) {
        const col = fills[step];
        if (col !== undefined) expect(GROUP_GRANTS[g]['surat_masuk']?.update ?? [], `${g} ${step}`).toContain(col);
      }
    }
    expect(grantsSql()).not.toMatch(/GRANT (ALL|TRUNCATE)/);
    // the archive in the database: every group but baca adds to it, none changes it or removes a content or a name
    for (const g of OFFICE_GROUPS) {
      for (const t of ARSIP_TABLES) {
        expect(GROUP_GRANTS[g][t]?.insert ?? false, `${g} ${t}`).toBe(g !== 'baca');
        expect(GROUP_GRANTS[g][t]?.update ?? [], `${g} ${t}`).toEqual([]);
      }
      expect(GROUP_GRANTS[g]['arsip_isi']?.delete ?? false).toBe(false);
      expect(GROUP_GRANTS[g]['arsip_nama']?.delete ?? false).toBe(false);
    }
    for (const t of ARSIP_TABLES) expect(grantsSql()).toMatch(new RegExp(`GRANT SELECT ON [^;]*sandi\\.${t}\\b`));
  });

  it('prints SQL for an administrator without a superuser, and refuses names that are not plain identifiers', () => {
    const sql = peranSql({ database: 'kantor', officers: [{ role: 'budi', groups: ['sandiman', 'baca'] }] });
    expect(sql).toContain('CREATE ROLE sandi_pemilik LOGIN;');
    expect(sql).toContain('CREATE ROLE budi LOGIN IN ROLE sandi_sandiman, sandi_baca;');
    expect(sql).not.toMatch(/SUPERUSER|PASSWORD '/);
    expect(() => peranSql({ officers: [{ role: 'budi; DROP TABLE x', groups: ['kasi'] }] })).toThrow(SandiError);
    expect(() => peranSql({ officers: [{ role: 'budi', groups: [] }] })).toThrow(SandiError);
  });
});

describe('register SQL on PostgreSQL', () => {
  it('numbers the parameters outside quoted text, and types a parameter only tested for NULL', () => {
    expect(toPgSql("SELECT json_extract(nilai, '$') AS v FROM anotasi WHERE baris = ? AND kolom = ? AND x = '?'")).toBe(
      "SELECT json_extract(nilai, '$') AS v FROM anotasi WHERE baris = $1 AND kolom = $2 AND x = '?'",
    );
    expect(toPgSql('SET opd = COALESCE(?, opd), opd_email = CASE WHEN ? IS NULL THEN opd_email ELSE ? END')).toBe(
      'SET opd = COALESCE($1, opd), opd_email = CASE WHEN $2::text IS NULL THEN opd_email ELSE $3 END',
    );
  });

  it('quotes the column `user` outside quoted text, in the same pass, and leaves longer words alone', () => {
    expect(toPgSql("SELECT id FROM akun_sandi WHERE user = ? AND session_user <> 'user' AND users = ?")).toBe(
      'SELECT id FROM akun_sandi WHERE "user" = $1 AND session_user <> \'user\' AND users = $2',
    );
  });

  it('gives rows as SQLite does and maps the guards and constraints to the same errors', () => {
    expect(sqliteShaped({ id: 1, ada: true, uid: '4000000000', sandi_rowid: 3 })).toEqual({ id: 1, ada: 1, uid: 4_000_000_000 });
    const pgError = (message: string, fields: Record<string, string>): Error => Object.assign(new Error(message), fields);
    const guard = mapPgError(pgError('sandi:set_once:kriptogram_keluar.message_id', { code: '23000' }));
    expect(guard).toMatchObject({ code: 'CONFLICT', key: 'store.conflict.set_once' });
    const unique = mapPgError(pgError('duplicate key', { code: '23505', table: 'surat_masuk', detail: 'Key (raw_sha256)=(ab) already exists.' }));
    expect(unique).toMatchObject({ code: 'CONFLICT', key: 'store.conflict.unique' });
    expect(mapPgError(pgError('deadlock detected', { code: '40P01' }))).toMatchObject({ code: 'TEMPFAIL', key: 'store.busy' });
    expect(mapPgError(pgError('new row violates row-level security policy for table "surat_masuk_langkah"', { code: '42501' }))).toMatchObject({ code: 'PERMISSION', key: 'store.pgNotAllowed' });
    const other = new Error('connection refused');
    expect(mapPgError(other)).toBe(other);
  });
});

describe('the archive in the database (schema)', () => {
  it('refuses UPDATE on every archive table and DELETE/TRUNCATE of contents and names, for any role (triggers)', () => {
    for (const t of ARSIP_TABLES) {
      expect(arsipSchema, t).toContain(`BEFORE UPDATE`);
      expect(arsipSchema, t).toContain(`BEFORE TRUNCATE ON ${t}`);
    }
    expect(arsipSchema).toContain('BEFORE UPDATE OR DELETE ON arsip_isi');
    expect(arsipSchema).toContain('BEFORE UPDATE OR DELETE ON arsip_nama');
    expect(pgMigrations.map((m) => m.sql).join('\n')).toContain('CREATE TABLE arsip_nama (');
  });

  it('names are relative paths as under <home>/arsip/, never absolute or climbing out', () => {
    for (const ok of ['surat-masuk/ab/' + 'a'.repeat(64) + '.eml', 'kriptogram-keluar/draf/x.paraf.pgp', 'audit/titik-000000000001.asc']) expect(checkArsipName(ok)).toBe(ok);
    for (const bad of ['/etc/passwd', '../x', 'a/../b', 'a//b', 'a/./b', '', 'a\\b', 'a b']) expect(() => checkArsipName(bad), bad).toThrow(SandiError);
  });
});
