/**
 * `sandi audit periksa` end to end: spawn the built CLI on a temporary home, check stdout, stderr and the
 * exit code for an intact chain, a missing database, and a database tampered with behind sandi's back
 * (triggers dropped first, then a row edited, deleted, or the tail cut off).
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Database from '../../src/adapters/sqlite/driver.js';
import { openStore } from '../../src/adapters/sqlite/store.js';
import * as reg from '../../src/adapters/sqlite/registers.js';
import { auditHash } from '../../src/domain/audit.js';
import { haveCommand } from '../helpers/gate.js';

const ROOT = resolve(import.meta.dirname, '../..');
const BIN = join(ROOT, 'bin/sandi.js');
const NOV = new Date('2026-11-10T03:00:00Z');

beforeAll(() => {
  if (!existsSync(join(ROOT, 'dist/cli/audit.js'))) throw new Error('dist/ is not built: run `npm run build` (npm test does it) first');
}, 120_000);

let homes: string[] = [];
afterEach(() => {
  for (const h of homes) rmSync(h, { recursive: true, force: true });
  homes = [];
});

function newHome(): string {
  const h = mkdtempSync(join(tmpdir(), 'sandi-e2e-audit-'));
  homes.push(h);
  return h;
}

/** A home whose database holds a little history: two kriptogram rows through several steps (8 events). */
function homeWithHistory(): { home: string; db: string } {
  const home = newHome();
  const db = join(home, 'sandi.db');
  const s = openStore(db);
  const recipients = [{ email: 'sekretariat@dinkes.example.go.id', unit: 'Dinas Kesehatan' }];
  for (let i = 0; i < 2; i++) {
    const k = s.write((tx) => reg.registerOutgoing(tx, { sandiman: 'budi', recipients, sifat: 'Biasa', derajat: 'Segera', perihal: `Surat ${i}` }, NOV));
    s.write((tx) => reg.setOutgoingStatus(tx, k.id, 'diparaf', {}, NOV, 'budi'));
    s.write((tx) => reg.setOutgoingStatus(tx, k.id, 'ditandatangani', {}, NOV, 'Kasi Persandian'));
    s.write((tx) => reg.assignOutgoingNumber(tx, k.id, { format: 'KRIP/{urut:3}/{bulan}/{tahun}', timeZone: 'Asia/Jakarta' }, NOV, 'budi'));
  }
  s.close();
  return { home, db };
}

function sandi(home: string, ...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const env = { ...process.env };
  delete env['SANDI_HOME'];
  delete env['SANDI_LANG'];
  const r = spawnSync(process.execPath, [BIN, '--home', home, ...args], { encoding: 'utf8', env, timeout: 30_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function tamper(db: string, sql: string): void {
  const raw = new Database(db);
  raw.exec(sql);
  raw.close();
}

describe('sandi audit periksa', () => {
  it('reports an intact chain with its row count and last hash, exit 0', () => {
    const { home, db } = homeWithHistory();
    const r = sandi(home, 'audit', 'periksa', '--json');
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { ok: boolean; rows: number; lastHash: string; broken: unknown };
    const raw = new Database(db, { readonly: true });
    const last = raw.prepare('SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1').get() as { hash: string };
    raw.close();
    expect(out).toMatchObject({ ok: true, database: db, rows: 8, lastId: 8, lastHash: last.hash, broken: null });
    // the registers are checked against the chain; no archive key here, so no checkpoint: all 8 events uncovered
    expect(out).toMatchObject({ registers: { checked: true, rows: 3, findingsTotal: 0 }, checkpoints: { count: 0, uncovered: 8, problems: [] } });

    const human = sandi(home, 'audit', 'periksa');
    expect(human.code).toBe(0);
    expect(human.stdout).toContain('Rantai audit utuh: 8 baris');
    expect(human.stdout).toContain(last.hash);
    expect(human.stdout).toContain('Register cocok dengan rantai: 3 baris');
    expect(human.stdout).toContain('Belum ada titik periksa bertanda tangan (8 peristiwa belum tertanda tangan)');
  });

  it('a missing database is NOT_FOUND (66) naming the path and suggesting sandi init, and creates nothing', () => {
    const home = newHome();
    const r = sandi(home, 'audit', 'periksa');
    expect(r.code).toBe(66);
    expect(r.stderr).toContain(join(home, 'sandi.db'));
    expect(r.stderr).toContain('sandi init');
    expect(existsSync(join(home, 'sandi.db'))).toBe(false);
    const j = sandi(home, 'audit', 'periksa', '--json', '--lang', 'en');
    expect(j.code).toBe(66);
    expect(JSON.parse(j.stderr)).toMatchObject({ error: { code: 'NOT_FOUND', exitCode: 66, key: 'audit.noDatabase' } });
  });

  it('an edited row (trigger dropped with the sqlite3 shell) is INTEGRITY (79) and the row is named', () => {
    const { home, db } = homeWithHistory();
    const sql = `DROP TRIGGER audit_log_no_update; UPDATE audit_log SET data = '{"perihal":"diubah"}' WHERE id = 3;`;
    if (haveCommand('sqlite3', ['-version'])) execFileSync('sqlite3', [db, sql]);
    else tamper(db, sql);
    const r = sandi(home, 'audit', 'periksa', '--json');
    expect(r.code).toBe(79);
    const out = JSON.parse(r.stdout) as { ok: boolean; broken: { id: number; reason: string; action: string; at: string; actor: string } };
    expect(out.ok).toBe(false);
    expect(out.broken).toMatchObject({ id: 3, reason: 'hash', action: 'kriptogram_keluar.ditandatangani', at: NOV.toISOString(), actor: 'Kasi Persandian' });
    const err = JSON.parse(r.stderr) as { error: { code: string; exitCode: number; key: string; message: string } };
    expect(err.error).toMatchObject({ code: 'INTEGRITY', exitCode: 79, key: 'audit.broken.hash' });
    expect(err.error.message).toContain('baris 3');
    expect(err.error.message).toContain('kriptogram_keluar.ditandatangani');

    const en = sandi(home, 'audit', 'periksa', '--lang', 'en');
    expect(en.code).toBe(79);
    expect(en.stdout).toBe('');
    expect(en.stderr).toContain('Audit chain BROKEN at row 3');
    expect(en.stderr).toContain('2026-11-10 10:00 WIB'); // office time; --json above keeps UTC ISO
  });

  it('an edited row whose hash was recomputed is caught at the next row', () => {
    const { home, db } = homeWithHistory();
    // the forger edits row 5 and recomputes its hash, but cannot fix row 6's link without rewriting the rest
    const raw = new Database(db);
    const r5 = raw.prepare('SELECT * FROM audit_log WHERE id = 5').get() as { id: number; at: string; actor: string; action: string; entity: string; entity_id: string | null; data: string; prev_hash: string; rows: string | null };
    const forged = auditHash(r5.prev_hash, { id: 5, at: r5.at, actor: 'eve', action: r5.action, entity: r5.entity, entityId: r5.entity_id, data: r5.data, rows: r5.rows });
    raw.exec('DROP TRIGGER audit_log_no_update');
    raw.prepare('UPDATE audit_log SET actor = ?, hash = ? WHERE id = 5').run('eve', forged);
    raw.close();
    const r = sandi(home, 'audit', 'periksa', '--json');
    expect(r.code).toBe(79);
    expect(JSON.parse(r.stdout)).toMatchObject({ broken: { id: 6, reason: 'prev_hash', lastGoodId: 5 } });
  });

  it('an edited hash is caught at its row', () => {
    const { home, db } = homeWithHistory();
    tamper(db, `DROP TRIGGER audit_log_no_update; UPDATE audit_log SET hash = '${'a'.repeat(64)}' WHERE id = 5;`);
    const r = sandi(home, 'audit', 'periksa', '--json');
    expect(r.code).toBe(79);
    expect(JSON.parse(r.stdout)).toMatchObject({ broken: { id: 5, reason: 'hash' } });
  });

  it('a deleted row is caught at the row after it', () => {
    const { home, db } = homeWithHistory();
    tamper(db, `DROP TRIGGER audit_log_no_delete; DELETE FROM audit_log WHERE id = 2;`);
    const r = sandi(home, 'audit', 'periksa', '--json');
    expect(r.code).toBe(79);
    expect(JSON.parse(r.stdout)).toMatchObject({ broken: { id: 3, reason: 'sequence', expectedId: 2, lastGoodId: 1 } });
    expect((JSON.parse(r.stderr) as { error: { message: string } }).error.message).toContain('baris 3');
  });

  it('a cut-off tail is caught', () => {
    const { home, db } = homeWithHistory();
    tamper(db, `DROP TRIGGER audit_log_no_delete; DELETE FROM audit_log WHERE id >= 7;`);
    const r = sandi(home, 'audit', 'periksa', '--json');
    expect(r.code).toBe(79);
    expect(JSON.parse(r.stdout)).toMatchObject({ rows: 6, broken: { id: 7, reason: 'truncated', lastGoodId: 6, issued: 8 } });
  });
});
