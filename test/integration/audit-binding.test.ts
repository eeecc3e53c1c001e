/**
 * Register rows bound into the audit chain, at the store: every table of the schema is bound (or on the short
 * list of derived tables), every write's last event carries the settled hash of each row it changed, a set-once
 * column filled behind sandi's back (triggers intact: NULL → value is allowed by them) is caught, and a
 * database made before migration 8 gets its existing rows bound by baseline events.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from '../../src/adapters/sqlite/driver.js';
import { openStore, type Store } from '../../src/adapters/sqlite/store.js';
import * as reg from '../../src/adapters/sqlite/registers.js';
import { BOUND_TABLES, isUnboundTable } from '../../src/adapters/sqlite/audit-binding.js';
import { migrations } from '../../src/adapters/sqlite/migrations.js';
import { recordLetterDate } from '../../src/adapters/sqlite/terima.js';
import { DEFAULT_FORMATS } from '../../src/domain/numbering.js';
import { verifyChain } from '../../src/domain/audit.js';
import { checkAudit } from '../../src/services/audit.js';
import { auditPorts } from '../../src/app.js';
import { homePaths } from '../../src/config/home.js';

const NOV = new Date('2026-11-10T03:00:00Z');
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function home(): string {
  const d = mkdtempSync(join(tmpdir(), 'sandi-bind-'));
  dirs.push(d);
  return d;
}

let counter = 0;
function incoming(s: Store): reg.SuratMasuk {
  counter++;
  return s.write((tx) =>
    reg.registerIncoming(
      tx,
      {
        operator: 'sandi@kominfo',
        diterimaAt: '2026-11-10T01:00:00.000Z',
        pengirim: 'Sekretariat Daerah <setda@example.go.id>',
        kepada: ['kominfo@example.go.id'],
        perihal: 'Undangan Rapat',
        rawSha256: counter.toString(16).padStart(64, '0'),
        rawSize: 4096,
        source: { sumber: 'eml', folder: '/media/usb' },
      },
      { format: DEFAULT_FORMATS.surat_masuk, timeZone: 'Asia/Jakarta' },
      NOV,
    ),
  );
}

function incomingKripto(s: Store): reg.KriptogramMasuk {
  counter++;
  return s.write((tx) =>
    reg.registerIncomingKriptogram(
      tx,
      { operator: 'sandi@kominfo', diterimaAt: NOV.toISOString(), pengirim: 'persandian@prov.example.go.id', rawSha256: counter.toString(16).padStart(64, '0'), rawSize: 9000, source: { sumber: 'eml', folder: '/media/usb' } },
      { format: DEFAULT_FORMATS.kriptogram_masuk, timeZone: 'Asia/Jakarta' },
      NOV,
    ),
  );
}

describe('audit binding at the store', () => {
  it('every table of the schema is bound, or derived and listed as such', () => {
    const h = home();
    const s = openStore(homePaths(h).database);
    const tables = s.db.prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'table'").all().map((r) => r.name);
    s.close();
    const unlisted = tables.filter((t) => !isUnboundTable(t) && !(BOUND_TABLES as readonly string[]).includes(t));
    expect(unlisted, 'a migration added a table: bind it in BOUND_TABLES (audit-binding.ts) or say why not').toEqual([]);
    expect(BOUND_TABLES.filter((t) => !tables.includes(t))).toEqual([]);
  });

  it("a write's last event carries the settled hash of every row it changed", () => {
    const s = openStore(homePaths(home()).database);
    const m = incoming(s);
    const rows = [...s.auditRows()];
    const last = rows.at(-1)!;
    expect(last.action).toBe('surat_masuk.terdaftar');
    const bound = JSON.parse(last.rows!) as [string, number, string][];
    expect(bound.map((b) => [b[0], b[1]])).toEqual(expect.arrayContaining([['surat_masuk', m.id], ['nomor_urut', 1]]));
    expect(verifyChain(rows).ok).toBe(true);
    s.close();
  });

  it('set-once columns filled outside sandi (triggers intact) are caught: surat_masuk.keterangan, kriptogram_masuk.nomor_pengirim', async () => {
    const h = home();
    const s = openStore(homePaths(h).database);
    const m = incoming(s);
    const k = incomingKripto(s);
    s.write((tx) => reg.recordIncomingKriptogramRead(tx, k.id, { sifat: 'Rahasia', penandaTangan: [] }, NOV, 'sandi@kominfo'));
    s.close();
    expect((await checkAudit(auditPorts(homePaths(h)))).ok).toBe(true);
    const raw = new Database(homePaths(h).database);
    raw.prepare("UPDATE surat_masuk SET keterangan = 'disisipkan' WHERE id = ?").run(m.id);
    raw.prepare("UPDATE kriptogram_masuk SET nomor_pengirim = 'KRIP/999/XI/2026' WHERE id = ?").run(k.id);
    raw.close();
    const r = await checkAudit(auditPorts(homePaths(h)));
    expect(r.ok).toBe(false);
    // in the order of BOUND_TABLES: surat_masuk before kriptogram_masuk
    expect(r.registers.findings.map((f) => [f.kind, f.table, f.rowid])).toEqual([
      ['edited', 'surat_masuk', m.id],
      ['edited', 'kriptogram_masuk', k.id],
    ]);
  });

  it('the same columns set through sandi are recorded by an event and pass', async () => {
    const h = home();
    const s = openStore(homePaths(h).database);
    const m = incoming(s);
    s.write((tx) => reg.setIncomingNotes(tx, m.id, { keterangan: 'dicatat oleh sandi' }, NOV, 'sandi@kominfo'));
    const last = [...s.auditRows()].at(-1)!;
    expect(last.action).toBe('surat_masuk.catatan');
    s.close();
    expect((await checkAudit(auditPorts(homePaths(h)))).ok).toBe(true);
  });

  it('rows written outside write() on sandi\'s own connection are bound at close, under an event that says so', async () => {
    const h = home();
    const s = openStore(homePaths(h).database);
    s.db.prepare("INSERT INTO terima_folder (akun, folder, uidvalidity, last_uid, updated_at) VALUES ('lokal', '/x', 1, 5, ?)").run(NOV.toISOString());
    s.close();
    const r = await checkAudit(auditPorts(homePaths(h)));
    expect(r.ok).toBe(true);
    const s2 = openStore(homePaths(h).database, { readonly: true });
    expect([...s2.auditRows()].at(-1)?.action).toBe('audit.baris');
    s2.close();
  });

  it('a database made before migration 8 gets its rows bound by baseline events at the upgrade', async () => {
    const h = home();
    const path = homePaths(h).database;
    // build a version-7 database by hand, with rows and events as sandi 7 wrote them
    const db = new Database(path);
    db.pragma('journal_mode = WAL');
    for (const m of [...migrations].sort((a, b) => a.version - b.version).filter((m) => m.version <= 7)) {
      db.exec(m.sql);
      db.pragma(`user_version = ${m.version}`);
    }
    db.close();
    // rows as an old sandi wrote them: no `rows` column yet, so write them without binding
    const old = new Database(path);
    old.prepare("INSERT INTO nomor_urut (buku, tahun, terakhir) VALUES ('surat_masuk', 2026, 1)").run();
    old.close();
    const s = openStore(path); // migrates to 8
    const events = [...s.auditRows()];
    s.close();
    expect(events.map((e) => e.action)).toEqual(['audit.dasar']);
    expect(JSON.parse(events[0]!.rows!)).toEqual([['nomor_urut', 1, expect.stringMatching(/^[0-9a-f]{64}$/)]]);
    expect((await checkAudit(auditPorts(homePaths(h)))).ok).toBe(true);
  });
  it('compiles the statements of a write once per connection: the second registration prepares nothing (issue 16)', () => {
    const s = openStore(homePaths(home()).database);
    const prepare = s.db.prepare.bind(s.db);
    const compiled: string[] = [];
    s.db.prepare = (sql: string) => {
      compiled.push(sql);
      return prepare(sql);
    };
    const once = (): reg.SuratMasuk => {
      const m = incoming(s);
      s.write((tx) => recordLetterDate(tx, m.id, '2026-11-09'));
      return m;
    };
    const first = once();
    expect(compiled.length).toBeGreaterThan(0);
    compiled.length = 0;
    const second = once();
    expect(second.id).toBe(first.id + 1);
    // the audit binding (changed rows, their hashes, the chain's head, the event) and the letter's date
    expect(compiled).toEqual([]);
    // and the chain they wrote still checks out, each row bound with its settled hash
    const rows = s.db.prepare<[], { rows: string | null }>('SELECT rows FROM audit_log ORDER BY id DESC LIMIT 1').get()?.rows ?? '';
    expect(rows).toContain('surat_masuk_tanggal');
    expect(verifyChain([...s.auditRows()]).ok).toBe(true);
    s.close();
  });
});
