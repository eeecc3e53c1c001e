/**
 * Migration 9 on a database made before it (issue 13 defect 2): the incoming letters' search index is rebuilt
 * without the summary of the Rahasia and Sangat Rahasia letters already registered, stays what `audit periksa`
 * recomputes, and a classification correction (anotasi koreksi of column sifat) re-indexes the row.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database, { type Db } from '../../src/adapters/sqlite/driver.js';
import { openStore } from '../../src/adapters/sqlite/store.js';
import { migrations } from '../../src/adapters/sqlite/migrations.js';
import { searchIndexMismatches } from '../../src/adapters/sqlite/audit-binding.js';
import { classifyIncoming, incomingClassification } from '../../src/adapters/sqlite/terima.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('migration 9: classified summaries out of the search index', () => {
  it('rebuilds the index of a version-8 database, and a correction re-indexes the row', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sandi-m9-'));
    dirs.push(dir);
    const path = join(dir, 'sandi.db');
    const db = new Database(path);
    for (const m of [...migrations].sort((a, b) => a.version - b.version).filter((m) => m.version <= 8)) {
      db.exec(m.sql);
      m.run?.(db);
      db.pragma(`user_version = ${m.version}`);
    }
    const ins = db.prepare(
      `INSERT INTO surat_masuk (nomor, tahun, urut, registered_at, operator, diterima_at, pengirim, perihal, isi_ringkas, sifat, raw_sha256, raw_size, sumber)
       VALUES (?, 2026, ?, '2026-12-01T02:00:00.000Z', 'op', '2026-12-01T02:00:00.000Z', 'a@b.test', ?, ?, ?, ?, 1, 'eml')`,
    );
    ins.run('SM/001/XII/2026', 1, 'Undangan rapat', 'rencana Gajahmungkur', 'Rahasia', 'a'.repeat(64));
    ins.run('SM/002/XII/2026', 2, 'Laporan bulanan', 'stok Zamrudhijau', 'Biasa', 'b'.repeat(64));
    const match = (d: Db, w: string): number[] => d.prepare<[string], { id: number }>('SELECT rowid AS id FROM surat_masuk_cari WHERE surat_masuk_cari MATCH ? ORDER BY rowid').all(w).map((r) => r.id);
    expect(match(db, 'Gajahmungkur')).toEqual([1]); // before: indexed whatever the classification
    db.close();

    const s = openStore(path); // migrates to 9
    expect(s.db.pragma('user_version', { simple: true })).toBeGreaterThanOrEqual(9);
    expect(match(s.db, 'Gajahmungkur')).toEqual([]);
    expect(match(s.db, 'Undangan')).toEqual([1]);
    expect(match(s.db, 'Zamrudhijau')).toEqual([2]);
    expect(searchIndexMismatches(s.db)).toEqual([]);

    s.write((tx) => classifyIncoming(tx, 2, { sifat: 'Sangat Rahasia', alasan: 'cap kop', actor: 'op' }, new Date('2026-12-02T02:00:00Z')));
    expect(incomingClassification(s.db, 2)).toMatchObject({ sifat: 'Sangat Rahasia', derajat: 'Biasa', dikoreksi: true });
    expect(match(s.db, 'Zamrudhijau')).toEqual([]);
    expect(searchIndexMismatches(s.db)).toEqual([]);
    // the register row itself is unchanged
    expect(s.db.prepare('SELECT sifat FROM surat_masuk WHERE id = 2').get()).toEqual({ sifat: 'Biasa' });
    s.close();
  });
});
