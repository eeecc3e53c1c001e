/**
 * The register that proves itself, end to end: a demo home (one kriptogram sent, a checkpoint signed by the
 * archive key), then the attacks of issue 12 made with the sqlite3 library directly on sandi.db after dropping
 * every trigger — a register row edited or deleted, a number sequence lowered, the whole log emptied with the
 * sequence reset, the tail cut, a row edited and the whole chain (bindings included) recomputed, a checkpoint
 * file edited. Each must make `sandi audit periksa` exit 79 naming what it found; an untouched home passes,
 * and gpg verifies a checkpoint by hand with the archive's public key.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Database from '../../src/adapters/sqlite/driver.js';
import { auditHash, canonicalJson, GENESIS_HASH, rowHash } from '../../src/domain/audit.js';
import { sandi } from '../helpers/cli.js';
import { GpgHome, HAVE_GPG } from '../helpers/gpg.js';
import { describeWith } from '../helpers/gate.js';

const ROOT = resolve(import.meta.dirname, '../..');
const ARSIP = '11E6EB10B6EC3280A8C9E30B77093D001FAE936A';
const ARSIP_PASS = 'demo-arsip-2026';

let base: string;
const homes: string[] = [];

beforeAll(() => {
  base = mkdtempSync(join(tmpdir(), 'sandi-e2e-bind-'));
  const r = sandi(['--home', base, 'demo', '--json']);
  if (r.code !== 0) throw new Error(`demo failed: ${r.stderr}`);
}, 120_000);

afterAll(() => {
  for (const h of [base, ...homes]) rmSync(h, { recursive: true, force: true });
});

/** A copy of the demo home. */
function copyHome(): string {
  const h = mkdtempSync(join(tmpdir(), 'sandi-e2e-bind-'));
  homes.push(h);
  cpSync(base, h, { recursive: true });
  return h;
}

/** Run SQL on the copy's sandi.db as an attacker with write access: every trigger dropped first. */
function attack(home: string, sql: string | ((db: InstanceType<typeof Database>) => void)): void {
  const db = new Database(join(home, 'sandi.db'));
  for (const { name } of db.prepare("SELECT name FROM sqlite_master WHERE type = 'trigger'").all() as { name: string }[]) db.exec(`DROP TRIGGER "${name}"`);
  if (typeof sql === 'string') db.exec(sql);
  else sql(db);
  db.close();
}

interface Report {
  ok: boolean;
  rows: number;
  broken: { reason: string; id: number } | null;
  registers: { checked: boolean; rows: number; findings: { kind: string; table: string; rowid: number; row: string | null }[]; findingsTotal: number };
  checkpoints: { count: number; verified: number; newest: { id: number; hash: string; signer: string } | null; uncovered: number; problems: { kind: string; id: number }[] };
}

function periksa(home: string, env: NodeJS.ProcessEnv = {}): { code: number; report: Report; stderr: string } {
  const r = sandi(['--home', home, 'audit', 'periksa', '--json'], { env });
  return { code: r.code, report: r.json<Report>(), stderr: r.stderr };
}

describe('audit periksa: registers bound to the chain, signed checkpoints', () => {
  it('an untouched demo home passes: chain, every register row, one checkpoint by the archive key', () => {
    const { code, report } = periksa(copyHome());
    expect(code).toBe(0);
    expect(report.ok).toBe(true);
    expect(report.registers.checked).toBe(true);
    expect(report.registers.rows).toBeGreaterThan(5);
    expect(report.registers.findingsTotal).toBe(0);
    expect(report.checkpoints).toMatchObject({ count: 1, verified: 1, uncovered: 0, problems: [] });
    expect(report.checkpoints.newest).toMatchObject({ id: report.rows, signer: ARSIP });
    const text = sandi(['--home', base, 'audit', 'periksa']);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('Register cocok dengan rantai');
    expect(text.stdout).toMatch(/Titik periksa: 1 terverifikasi; terbaru baris \d+, hash [0-9a-f]{64}, \d{4}-\d\d-\d\d \d\d:\d\d WIB/);
  });

  it('a register row edited (recipients changed) is named, exit 79', () => {
    const home = copyHome();
    attack(home, `UPDATE kriptogram_keluar SET recipients = '[{"email":"eve@evil.test","unit":"Eve"}]' WHERE id = 1`);
    const { code, report, stderr } = periksa(home);
    expect(code).toBe(79);
    expect(report.broken).toBeNull();
    expect(report.registers.findings[0]).toMatchObject({ kind: 'edited', table: 'kriptogram_keluar', rowid: 1 });
    expect(report.registers.findings[0]?.row).toContain('KRIP/001/');
    expect(stderr).toContain('diubah di luar sandi');
  });

  it('the quarterly report prints the period\'s last checkpoint in full, and says when rows do not match', () => {
    const clean = copyHome();
    const ok = sandi(['--home', clean, 'laporan', 'kinerja', '--triwulan', '2026-IV']);
    expect(ok.code, ok.stderr).toBe(0);
    const cp = periksa(clean).report.checkpoints.newest!;
    expect(ok.stdout).toContain(`titik periksa terakhir periode ini: baris ${cp.id}, hash ${cp.hash}`);
    expect(ok.stdout).toContain(ARSIP);
    const json = sandi(['--home', clean, 'laporan', 'kinerja', '--triwulan', '2026-IV', '--json']).json<{ audit: { checkpoint: { id: number; hash: string } } }>();
    expect(json.audit.checkpoint).toMatchObject({ id: cp.id, hash: cp.hash });

    const edited = copyHome();
    attack(edited, "UPDATE buku_alamat SET unit = 'Unit Palsu' WHERE rowid = 1");
    const bad = sandi(['--home', edited, 'laporan', 'kinerja', '--triwulan', '2026-IV']);
    expect(bad.stdout).toContain('TIDAK COCOK: 1 baris register atau titik periksa');
    expect(bad.stdout).not.toContain('RUSAK pada baris -');
  });

  it('a search index row removed or changed (to hide a letter from agenda cari) is named, exit 79', () => {
    const home = copyHome();
    const before = sandi(['--home', home, 'agenda', 'keluar', 'cari', 'KRIP', '--json']);
    expect(before.code, before.stderr).toBe(0);
    attack(home, 'DELETE FROM kriptogram_keluar_cari');
    const { code, report, stderr } = periksa(home);
    expect(code).toBe(79);
    expect(report.registers.findings).toEqual([expect.objectContaining({ kind: 'index', table: 'kriptogram_keluar_cari', rowid: 1 })]);
    expect(stderr).toContain('Indeks pencarian kriptogram_keluar_cari');

    const changed = copyHome();
    attack(changed, "UPDATE kriptogram_keluar_cari SET nomor = 'lain' WHERE rowid = 1");
    expect(periksa(changed).report.registers.findings).toEqual([expect.objectContaining({ kind: 'index', rowid: 1 })]);
  });

  it('a row deleted, a number sequence lowered: each named, exit 79', () => {
    const del = copyHome();
    attack(del, 'DELETE FROM kriptogram_keluar WHERE id = 1');
    const a = periksa(del);
    expect(a.code).toBe(79);
    // the row is gone, and its search-index row now points at nothing
    expect(a.report.registers.findings).toEqual([
      expect.objectContaining({ kind: 'removed', table: 'kriptogram_keluar', rowid: 1 }),
      expect.objectContaining({ kind: 'index', table: 'kriptogram_keluar_cari', rowid: 1 }),
    ]);

    const seq = copyHome();
    attack(seq, 'UPDATE nomor_urut SET terakhir = 0');
    const b = periksa(seq);
    expect(b.code).toBe(79);
    expect(b.report.registers.findings).toEqual([expect.objectContaining({ kind: 'edited', table: 'nomor_urut' })]);
  });

  it('all audit rows deleted and the sequence reset: not "empty", exit 79 (rows unrecorded, checkpoint missing)', () => {
    const home = copyHome();
    attack(home, "DELETE FROM audit_log; DELETE FROM sqlite_sequence WHERE name = 'audit_log';");
    const { code, report, stderr } = periksa(home);
    expect(code).toBe(79);
    expect(stderr).not.toContain('masih kosong');
    expect(report.registers.findingsTotal).toBe(report.registers.rows);
    expect(report.registers.findings.every((f) => f.kind === 'unrecorded')).toBe(true);
    expect(report.checkpoints.problems).toEqual([expect.objectContaining({ kind: 'missing' })]);
  });

  it('the newest audit rows cut off with the sequence lowered: the checkpoint catches it, exit 79', () => {
    const home = copyHome();
    attack(home, "DELETE FROM audit_log WHERE id > 3; UPDATE sqlite_sequence SET seq = 3 WHERE name = 'audit_log';");
    const { code, report } = periksa(home);
    expect(code).toBe(79);
    expect(report.broken).toBeNull(); // the chain itself is intact...
    expect(report.checkpoints.problems).toEqual([expect.objectContaining({ kind: 'missing' })]); // ...but shorter than signed
  });

  it('a row edited and the whole chain recomputed, bindings included: the signed checkpoint catches it, exit 79', () => {
    const home = copyHome();
    attack(home, (db) => {
      db.prepare("UPDATE buku_alamat SET unit = 'Unit Palsu' WHERE rowid = 1").run();
      // the forger rebinds the edited row in its last event and rehashes every row of the chain
      const rows = db.prepare('SELECT * FROM audit_log ORDER BY id').all() as Record<string, unknown>[];
      const edited = db.prepare('SELECT * FROM buku_alamat WHERE rowid = 1').get() as Record<string, unknown>;
      const newHash = rowHash('buku_alamat', 1, edited);
      let prev = GENESIS_HASH;
      for (const r of rows) {
        let bound = r['rows'] as string | null;
        if (bound !== null) {
          const list = JSON.parse(bound) as [string, number, string | null][];
          bound = canonicalJson(list.map((b) => (b[0] === 'buku_alamat' && b[1] === 1 ? [b[0], b[1], newHash] : b)));
        }
        const hash = auditHash(prev, { id: r['id'] as number, at: r['at'] as string, actor: r['actor'] as string, action: r['action'] as string, entity: r['entity'] as string, entityId: r['entity_id'] as string | null, data: r['data'] as string, rows: bound });
        db.prepare('UPDATE audit_log SET rows = ?, prev_hash = ?, hash = ? WHERE id = ?').run(bound, prev, hash, r['id']);
        prev = hash;
      }
    });
    const { code, report } = periksa(home);
    expect(code).toBe(79);
    expect(report.broken).toBeNull();
    expect(report.registers.findingsTotal).toBe(0); // the forgery is consistent with itself...
    expect(report.checkpoints.problems).toEqual([expect.objectContaining({ kind: 'differs', id: report.rows })]); // ...not with the signature
  });

  it('a checkpoint file edited is a bad signature; a renamed one too; exit 79', () => {
    const home = copyHome();
    const dir = join(home, 'arsip', 'audit');
    const [file] = readdirSync(dir);
    const path = join(dir, file!);
    writeFileSync(path, readFileSync(path, 'utf8').replace(/^hash: ([0-9a-f])/m, (_m, c: string) => `hash: ${c === '0' ? '1' : '0'}`));
    const { code, report } = periksa(home);
    expect(code).toBe(79);
    expect(report.checkpoints.problems[0]).toMatchObject({ kind: 'badSignature' });

    // a genuine checkpoint copied under a later id (to make a cut tail look covered) is refused too
    const other = copyHome();
    const odir = join(other, 'arsip', 'audit');
    const [ofile] = readdirSync(odir);
    cpSync(join(odir, ofile!), join(odir, 'titik-000000009999.asc'));
    const r2 = periksa(other);
    expect(r2.code).toBe(79);
    expect(r2.report.checkpoints.problems).toEqual([expect.objectContaining({ kind: 'badSignature', id: 9999 })]);
  });

  it('a command without the archive passphrase leaves events uncovered; the next one that has it signs them', () => {
    const home = copyHome();
    const add = sandi(['--home', home, 'kunci', 'alamat', 'tambah', '--email', 'baru@contoh.test', '--unit', 'Unit Baru', '--kunci', '616A4C467611EC354CE129CA8B62B18F8379E120', '--json']);
    expect(add.code, add.stderr).toBe(0);
    const before = periksa(home);
    expect(before.code).toBe(0);
    expect(before.report.checkpoints.uncovered).toBeGreaterThan(0);
    // any command with SANDI_PASSPHRASE_ARSIP in its environment ends by signing the head
    const after = periksa(home, { SANDI_PASSPHRASE_ARSIP: ARSIP_PASS });
    expect(after.code).toBe(0);
    expect(periksa(home).report.checkpoints).toMatchObject({ uncovered: 0, verified: 2 });
    // `audit tandai` with nothing new says so
    const again = sandi(['--home', home, 'audit', 'tandai', '--json'], { env: { SANDI_PASSPHRASE_ARSIP: ARSIP_PASS } });
    expect(again.code, again.stderr).toBe(0);
    expect(again.json()).toMatchObject({ made: false, reason: 'current' });
    // without a passphrase and no terminal: a usage error naming the variable
    const none = sandi(['--home', home, 'audit', 'tandai']);
    expect(none.code).toBe(64);
    expect(none.stderr).toContain('SANDI_PASSPHRASE_ARSIP');
  });

  it('sandi refuses to sign a head that does not link to its newest checkpoint', () => {
    const home = copyHome();
    attack(home, "UPDATE audit_log SET hash = '" + 'b'.repeat(64) + "' WHERE id = (SELECT max(id) FROM audit_log)");
    // a write, then a signing attempt: the forged head is not signed
    sandi(['--home', home, 'kunci', 'alamat', 'tambah', '--email', 'lain@contoh.test', '--unit', 'Lain', '--kunci', '616A4C467611EC354CE129CA8B62B18F8379E120']);
    const r = sandi(['--home', home, 'audit', 'tandai'], { env: { SANDI_PASSPHRASE_ARSIP: ARSIP_PASS } });
    expect(r.code).toBe(79);
    expect(r.stderr).toContain('tidak tersambung ke titik periksa');
    expect(readdirSync(join(home, 'arsip', 'audit'))).toHaveLength(1);
  });
});

describeWith('gpg', HAVE_GPG, 'a checkpoint verified by hand with gpg', () => {
  it('gpg --verify reads a checkpoint with the archive public key: GOODSIG, and the text names id and hash', async () => {
    const gpg = new GpgHome();
    try {
      await gpg.importKey(readFileSync(join(ROOT, 'keys.example', 'arsip.pub.asc'), 'utf8'));
      const dir = join(base, 'arsip', 'audit');
      const [file] = readdirSync(dir);
      const r = await gpg.run(['--verify', join(dir, file!)]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.status.some((s) => s.startsWith('VALIDSIG ') && s.includes(ARSIP))).toBe(true);
      expect(readFileSync(join(dir, file!), 'utf8')).toMatch(/sandi-audit-checkpoint v1\r?\nid: \d+\r?\nhash: [0-9a-f]{64}\r?\nat: /);
    } finally {
      gpg.cleanup();
    }
  });
});
