/**
 * The office archive on PostgreSQL (src/adapters/postgres/arsip.ts, issue 15 §2 "the archive in the database"),
 * on a real server: the ArsipStore contract (written / same / kept / refused, reads, lists), a 25 MB stream
 * through bounded memory, a name that commits and rolls back with the unit of work that names it, the server
 * refusing UPDATE/DELETE/TRUNCATE, a writer killed mid-stream leaving nothing visible and a removable
 * leftover, and what the officers' groups may write.
 *
 * One private PostgreSQL for the file (test/helpers/postgres.ts), one office database, officers' roles as
 * `sandi db peran` prints them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { createReadStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { messageArchive } from '../../src/adapters/archive.js';
import { pgAttachmentArchive, pgMessageArchive } from '../../src/adapters/postgres/message-archive.js';
import { openPgSync, type PgSync } from '../../src/adapters/postgres/sync-client.js';
import { migratePg } from '../../src/adapters/postgres/migrate.js';
import { openPgStore, type PgStore } from '../../src/adapters/postgres/store.js';
import { openPgArsip, ARSIP_CHUNK, type PgArsip } from '../../src/adapters/postgres/arsip.js';
import { peranSql } from '../../src/adapters/postgres/roles.js';
import { SandiError } from '../../src/errors.js';
import { startPostgres, type PgServer } from '../helpers/postgres.js';

let server: PgServer | undefined;
const DB = 'kantor_arsip';
const PASSWORD = 'uji-arsip-1';
const cleanups: (() => void)[] = [];

const connect = (user?: string): PgSync => {
  if (!server) throw new Error('no server');
  return openPgSync({
    host: server.host,
    port: server.port,
    user: user ?? server.adminUser,
    password: user === undefined ? server.adminPassword : PASSWORD,
    database: DB,
    sslmode: 'disable',
  });
};

/** An officer's store and archive on its own connection (closed after the file). */
function office(user?: string, pg: PgSync = connect(user)): { store: PgStore; arsip: PgArsip } {
  const store = openPgStore(pg);
  cleanups.push(() => pg.closed || store.close());
  return { store, arsip: openPgArsip(store) };
}

const codeOf = async (fn: () => unknown): Promise<string> => {
  try {
    await fn();
  } catch (e) {
    return e instanceof SandiError ? `${e.code} ${e.key}` : `raw: ${(e as Error).message}`;
  }
  return 'no error';
};

const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

beforeAll(async () => {
  server = await startPostgres();
  const sql = peranSql({
    officers: [
      { role: 'budi', groups: ['sandiman'] },
      { role: 'caca', groups: ['caraka'] },
      { role: 'bima', groups: ['baca'] },
    ],
  })
    .split('\n')
    .filter((l) => !l.startsWith('--') && !l.startsWith('GRANT sandi_pemilik TO CURRENT_USER') && l.trim() !== '')
    .join('\n');
  server.psql(sql);
  server.psql(['budi', 'caca', 'bima', 'sandi_pemilik'].map((r) => `ALTER ROLE ${r} PASSWORD '${PASSWORD}';`).join(' '));
  server.psql(`CREATE DATABASE ${DB} OWNER sandi_pemilik`);
  const owner = connect('sandi_pemilik');
  migratePg(owner);
  owner.close();
}, 120_000);

afterAll(async () => {
  for (const c of cleanups.splice(0)) c();
  await server?.stop();
});

describe('ArsipStore on PostgreSQL', () => {
  it('writes a name once: written, then same, kept or refused; reads, stats and lists it', async () => {
    const { arsip } = office('budi');
    const a = Buffer.from('surat satu\r\n');
    const b = Buffer.from('surat dua\r\n');
    expect(arsip.writeSync('surat-masuk/aa/satu.eml', a, { visible: 'now' })).toEqual({ result: 'written', sha256: sha(a), size: a.length });
    expect(await arsip.write('surat-masuk/aa/satu.eml', a, { visible: 'now' })).toMatchObject({ result: 'same' });
    expect(await arsip.write('surat-masuk/aa/satu.eml', b, { visible: 'now', keepExisting: true })).toEqual({ result: 'kept', sha256: sha(b), size: b.length });
    expect(await codeOf(() => arsip.write('surat-masuk/aa/satu.eml', b, { visible: 'now' }))).toBe('INTEGRITY store.pgArsipNameTaken');
    expect(await codeOf(() => arsip.write('../luar.eml', b))).toBe('DATA store.pgArsipBadName');
    // the same content under a second name is stored once
    await arsip.write('aduan/aa/satu.eml', (async function* () { yield a.subarray(0, 3); await Promise.resolve(); yield a.subarray(3); })(), { visible: 'now' });
    const other = connect('bima');
    cleanups.push(() => other.close());
    expect(other.query('SELECT count(*)::int AS n FROM sandi.arsip_isi WHERE sha256 = $1', [sha(a)]).rows).toEqual([{ n: 1 }]);
    expect(other.query('SELECT count(*)::int AS n FROM sandi.arsip_unggah').rows).toEqual([{ n: 1 }]); // the stream's twin upload was dropped
    // another workstation (a reader) sees and reads them
    const { arsip: seen } = office('bima', other);
    expect(seen.readSync('surat-masuk/aa/satu.eml').equals(a)).toBe(true);
    expect(seen.stat('aduan/aa/satu.eml')).toEqual({ sha256: sha(a), size: a.length });
    expect(seen.stat('aduan/aa/dua.eml')).toBeNull();
    expect(seen.list('surat-masuk/')).toEqual(['surat-masuk/aa/satu.eml']);
    expect(seen.list('')).toEqual(['aduan/aa/satu.eml', 'surat-masuk/aa/satu.eml']);
    expect(await codeOf(() => seen.readSync('aduan/aa/dua.eml'))).toBe('NOT_FOUND store.pgArsipNotFound');
    const empty = Buffer.alloc(0);
    expect(arsip.writeSync('audit/kosong.asc', empty, { visible: 'now' })).toMatchObject({ result: 'written', size: 0 });
    expect(seen.readSync('audit/kosong.asc').length).toBe(0);
  });

  it('streams 25 MB through one chunk at a time: never more than a chunk held or sent at once, read back chunk by chunk', async () => {
    const pg = connect('budi');
    // the server sees every query: the largest parameter and result a query carries, and the bytes sent so far
    let sent = 0;
    let largestSent = 0;
    let largestRow = 0;
    const watched: PgSync = {
      query<R>(sql: string, params: readonly unknown[] = []) {
        for (const p of params) if (p instanceof Uint8Array) {
          sent += p.byteLength;
          largestSent = Math.max(largestSent, p.byteLength);
        }
        const r = pg.query<R>(sql, params);
        for (const row of r.rows as Record<string, unknown>[]) for (const v of Object.values(row)) if (v instanceof Uint8Array) largestRow = Math.max(largestRow, v.byteLength);
        return r;
      },
      transaction: (fn) => pg.transaction(fn),
      close: () => pg.close(),
      another: () => pg.another(),
      get closed() {
        return pg.closed;
      },
    };
    const { arsip } = office('budi', watched);
    const PIECE = 64 * 1024;
    const TOTAL = 25 * 1024 * 1024 + 12345;
    const hash = createHash('sha256');
    let produced = 0;
    let mostHeld = 0;
    async function* source(): AsyncGenerator<Uint8Array> {
      while (produced < TOTAL) {
        const n = Math.min(PIECE, TOTAL - produced);
        const piece = Buffer.alloc(n, produced / PIECE);
        piece.writeUInt32BE(produced, 0);
        hash.update(piece);
        produced += n;
        await Promise.resolve();
        yield piece;
        // after the adapter took this piece: what it holds unsent is what it read minus what it sent
        mostHeld = Math.max(mostHeld, produced - sent);
      }
    }
    const w = await arsip.write('kriptogram-keluar/draf/besar.pgp', source(), { visible: 'now' });
    const digest = hash.digest('hex');
    expect(w).toEqual({ result: 'written', sha256: digest, size: TOTAL });
    expect(largestSent).toBe(ARSIP_CHUNK);
    expect(mostHeld).toBeLessThanOrEqual(ARSIP_CHUNK);
    expect(sent).toBe(TOTAL);
    // read back: chunk by chunk, the same bytes; re-hashed by check()
    const back = createHash('sha256');
    let chunks = 0;
    for await (const c of arsip.open('kriptogram-keluar/draf/besar.pgp')) {
      expect(c.byteLength).toBeLessThanOrEqual(ARSIP_CHUNK);
      back.update(c);
      chunks++;
    }
    expect(back.digest('hex')).toBe(digest);
    expect(chunks).toBe(Math.ceil(TOTAL / ARSIP_CHUNK));
    expect(largestRow).toBeLessThanOrEqual(ARSIP_CHUNK);
    const checked = await arsip.check('kriptogram-keluar/');
    expect(checked).toMatchObject({ contents: 1, names: 1, damaged: [] });
  }, 30_000);

  it('a name joins the archive with the unit of work that names it: invisible elsewhere until it commits, kept pending when it rolls back', async () => {
    const { store, arsip } = office('budi');
    const other = office('bima');
    const raw = Buffer.from('From: a@example.go.id\r\n\r\nisi\r\n');
    expect(await arsip.write('surat-masuk/bb/unit.eml', raw)).toMatchObject({ result: 'written' });
    // this process sees it, no other does
    expect(arsip.exists('surat-masuk/bb/unit.eml')).toBe(true);
    expect(arsip.readSync('surat-masuk/bb/unit.eml').equals(raw)).toBe(true);
    expect(arsip.list('surat-masuk/bb/')).toEqual(['surat-masuk/bb/unit.eml']);
    expect(other.arsip.exists('surat-masuk/bb/unit.eml')).toBe(false);
    // a unit rolled back: still invisible to the other connection, still pending here
    expect(() =>
      store.write(() => {
        expect(other.arsip.exists('surat-masuk/bb/unit.eml')).toBe(false);
        throw new Error('register row refused');
      }),
    ).toThrow('register row refused');
    expect(other.arsip.exists('surat-masuk/bb/unit.eml')).toBe(false);
    expect(arsip.pendingNames()).toEqual(['surat-masuk/bb/unit.eml']);
    // the next unit commits it: inside the unit the other connection still does not see it, after it does
    store.write(() => {
      expect(other.arsip.exists('surat-masuk/bb/unit.eml')).toBe(false);
    });
    expect(other.arsip.exists('surat-masuk/bb/unit.eml')).toBe(true);
    expect(other.arsip.readSync('surat-masuk/bb/unit.eml').equals(raw)).toBe(true);
    expect(arsip.pendingNames()).toEqual([]);
    // a write from inside a unit is part of that unit
    expect(() =>
      store.write(() => {
        arsip.writeSync('surat-masuk/bb/dalam.eml', Buffer.from('dalam'));
        throw new Error('batal');
      }),
    ).toThrow('batal');
    expect(arsip.exists('surat-masuk/bb/dalam.eml')).toBe(false);
    expect(other.arsip.exists('surat-masuk/bb/dalam.eml')).toBe(false);
    // another workstation named it first with other bytes: the unit meant for it is refused once, the next goes on
    await arsip.write('surat-masuk/bb/balapan.eml', Buffer.from('punya saya'));
    const rival = office('budi');
    await rival.arsip.write('surat-masuk/bb/balapan.eml', Buffer.from('punya rekan'), { visible: 'now' });
    expect(await codeOf(() => store.write(() => 1))).toBe('INTEGRITY store.pgArsipNameTaken');
    expect(store.write(() => 2)).toBe(2);
    expect(other.arsip.readSync('surat-masuk/bb/balapan.eml').toString()).toBe('punya rekan');
  });

  it('abandon: a pending name whose unit was refused is dropped with its upload, never committed; a committed one stays', () => {
    // kirim's signature: the final kriptogram written, the unit recording the signature refused (row cancelled)
    const { store, arsip } = office('budi');
    const other = office('caca');
    const admin = connect();
    cleanups.push(() => admin.close());
    const uploads = () => admin.query<{ n: number }>("SELECT count(*)::int AS n FROM sandi.arsip_unggah WHERE db_user = 'budi'").rows[0]?.n;
    const before = uploads();
    arsip.writeSync('kriptogram-keluar/9-aaaaaaaaaaaaaaaa.asc', Buffer.from('kriptogram yang ditolak'));
    expect(uploads()).toBe((before ?? 0) + 1);
    expect(() =>
      store.write(() => {
        throw new Error('store.illegalTransition');
      }),
    ).toThrow('store.illegalTransition');
    expect(arsip.pendingNames()).toEqual(['kriptogram-keluar/9-aaaaaaaaaaaaaaaa.asc']);
    expect(arsip.abandon('kriptogram-keluar/9-aaaaaaaaaaaaaaaa.asc')).toBe(true);
    expect(arsip.pendingNames()).toEqual([]);
    expect(arsip.exists('kriptogram-keluar/9-aaaaaaaaaaaaaaaa.asc')).toBe(false);
    expect(uploads()).toBe(before);
    // the next unit of this store does not commit it
    store.write(() => undefined);
    expect(other.arsip.exists('kriptogram-keluar/9-aaaaaaaaaaaaaaaa.asc')).toBe(false);
    // a committed name is not this store's to take back; another store's pending name neither
    arsip.writeSync('kriptogram-keluar/9-bbbbbbbbbbbbbbbb.asc', Buffer.from('kriptogram yang dicatat'));
    store.write(() => undefined);
    expect(arsip.abandon('kriptogram-keluar/9-bbbbbbbbbbbbbbbb.asc')).toBe(false);
    expect(arsip.abandon('kriptogram-keluar/9-bbbbbbbbbbbbbbbb.asc', { leftByKilledRun: true })).toBe(false);
    expect(other.arsip.readSync('kriptogram-keluar/9-bbbbbbbbbbbbbbbb.asc').toString()).toBe('kriptogram yang dicatat');
    other.arsip.writeSync('kriptogram-keluar/10-cccccccccccccccc.asc', Buffer.from('milik caca'));
    expect(arsip.abandon('kriptogram-keluar/10-cccccccccccccccc.asc')).toBe(false);
    expect(other.arsip.pendingNames()).toEqual(['kriptogram-keluar/10-cccccccccccccccc.asc']);
  });

  it('the server refuses UPDATE, DELETE and TRUNCATE of the archive, to every role (the owner and a superuser too)', async () => {
    const { arsip } = office('budi');
    await arsip.write('audit/titik-000000000001.asc', Buffer.from('titik'), { visible: 'now' });
    const admin = connect();
    const owner = connect('sandi_pemilik');
    cleanups.push(() => admin.close(), () => owner.close());
    for (const pg of [admin, owner]) {
      for (const sql of [
        "UPDATE sandi.arsip_nama SET sha256 = sha256 WHERE name = 'audit/titik-000000000001.asc'",
        "DELETE FROM sandi.arsip_nama WHERE name = 'audit/titik-000000000001.asc'",
        'UPDATE sandi.arsip_isi SET size = size + 1',
        'DELETE FROM sandi.arsip_isi',
        'UPDATE sandi.arsip_potongan SET data = data',
        'DELETE FROM sandi.arsip_potongan',
        'DELETE FROM sandi.arsip_unggah',
        'UPDATE sandi.arsip_unggah SET db_user = db_user',
        'TRUNCATE sandi.arsip_nama CASCADE',
        'TRUNCATE sandi.arsip_isi CASCADE',
        'TRUNCATE sandi.arsip_potongan',
        'TRUNCATE sandi.arsip_unggah CASCADE',
      ]) {
        expect(() => pg.query(sql), sql).toThrow(/sandi:append_only:arsip_/);
      }
    }
    expect(arsip.readSync('audit/titik-000000000001.asc').toString()).toBe('titik');
    // a content row whose chunks do not add up is refused by the server
    const budi = connect('budi');
    cleanups.push(() => budi.close());
    budi.query("INSERT INTO sandi.arsip_unggah (upload) VALUES ('00000000-0000-4000-8000-000000000001')");
    budi.query("INSERT INTO sandi.arsip_potongan (upload, n, data) VALUES ('00000000-0000-4000-8000-000000000001', 0, '\\x0102')");
    expect(() => budi.query(`INSERT INTO sandi.arsip_isi (sha256, size, potongan, upload) VALUES ('${'0'.repeat(64)}', 3, 1, '00000000-0000-4000-8000-000000000001')`)).toThrow(/sandi:chunks:arsip_isi/);
  });

  it('a writer killed mid-stream leaves nothing visible; its leftover is listed and removable, not while it runs', async () => {
    const killedPg = connect('budi');
    const killed = office('budi', killedPg);
    const { arsip } = office('caca');
    let upload = '';
    let listedWhileRunning: string[] = [];
    let removedWhileRunning = '';
    async function* source(): AsyncGenerator<Uint8Array> {
      for (let i = 0; i < 3; i++) yield Buffer.alloc(ARSIP_CHUNK, i);
      upload = killedPg.query<{ upload: string }>("SELECT upload FROM sandi.arsip_unggah WHERE db_user = 'budi' ORDER BY created_at DESC LIMIT 1").rows[0]?.upload ?? '';
      // while the writer runs its upload is no leftover, and nobody else may remove it
      listedWhileRunning = arsip.leftovers().map((l) => l.upload);
      removedWhileRunning = await codeOf(() => arsip.removeLeftover(upload));
      // the process dies: its session ends with the chunks it wrote (no catch runs in a killed process; closing is the same for the server)
      killedPg.close();
      yield Buffer.alloc(10);
    }
    await expect(killed.arsip.write('kriptogram-keluar/draf/mati.pgp', source(), { visible: 'now' })).rejects.toThrow();
    expect(upload).not.toBe('');
    expect(listedWhileRunning).not.toContain(upload);
    expect(removedWhileRunning).toBe('CONFLICT store.conflict.in_use');
    expect(arsip.exists('kriptogram-keluar/draf/mati.pgp')).toBe(false);
    // the server ends the session a moment after the client hung up
    let left = arsip.leftovers().find((l) => l.upload === upload);
    for (let i = 0; i < 50 && left === undefined; i++) {
      await new Promise((r) => setTimeout(r, 20));
      left = arsip.leftovers().find((l) => l.upload === upload);
    }
    expect(left).toMatchObject({ dbUser: 'budi', chunks: 3, bytes: 3 * ARSIP_CHUNK });
    arsip.removeLeftover(upload);
    expect(arsip.leftovers().map((l) => l.upload)).not.toContain(upload);
    const admin = connect();
    cleanups.push(() => admin.close());
    expect(admin.query('SELECT count(*)::int AS n FROM sandi.arsip_potongan WHERE upload = $1', [upload]).rows).toEqual([{ n: 0 }]);
    // a committed content's chunks are never removable as a leftover
    const kept = admin.query<{ upload: string }>('SELECT upload FROM sandi.arsip_isi LIMIT 1').rows[0]?.upload ?? '';
    expect(await codeOf(() => arsip.removeLeftover(kept))).toBe('CONFLICT store.conflict.append_only');
  });

  it("groups: a caraka writes (a checkpoint, a receipt), baca only reads; no group deletes a content or a name", async () => {
    const caraka = office('caca');
    expect(await caraka.arsip.write('audit/titik-000000000002.asc', Buffer.from('titik caraka'), { visible: 'now' })).toMatchObject({ result: 'written' });
    const baca = office('bima');
    expect(baca.arsip.readSync('audit/titik-000000000002.asc').toString()).toBe('titik caraka');
    expect(await codeOf(() => baca.arsip.write('audit/titik-000000000003.asc', Buffer.from('tidak boleh'), { visible: 'now' }))).toBe('PERMISSION store.pgNotAllowed');
    expect(baca.arsip.exists('audit/titik-000000000003.asc')).toBe(false);
    expect(() => caraka.store.pg.query('DELETE FROM arsip_nama')).toThrow(/permission denied/);
    expect(() => caraka.store.pg.query('DELETE FROM arsip_isi')).toThrow(/permission denied/);
    expect(() => caraka.store.pg.query('TRUNCATE arsip_potongan')).toThrow(/permission denied/);
    const who = caraka.store.pg.query<{ db_user: string }>("SELECT db_user FROM arsip_nama WHERE name = 'audit/titik-000000000002.asc'").rows;
    expect(who).toEqual([{ db_user: 'caca' }]);
  });

  it('raw mail and complaint attachments: named by their hash in the unit that registers them, read and re-hashed from the database by any home', async () => {
    const homeA = mkdtempSync(join(tmpdir(), 'sandi-arsip-a-'));
    const homeB = mkdtempSync(join(tmpdir(), 'sandi-arsip-b-'));
    cleanups.push(() => rmSync(homeA, { recursive: true, force: true }), () => rmSync(homeB, { recursive: true, force: true }));
    const a = office('budi');
    const b = office('bima');
    const atA = pgMessageArchive(join(homeA, 'arsip', 'surat-masuk'), () => a.arsip);
    const atB = pgMessageArchive(join(homeB, 'arsip', 'surat-masuk'), () => b.arsip);
    const raw = Buffer.from('From: tu@dinkes.contoh.go.id\r\nSubject: Undangan\r\n\r\nMohon hadir.\r\n');
    const big = Buffer.alloc(3 * ARSIP_CHUNK + 5, 'x');
    const put1 = await atA.put(raw, { deferDirSync: true });
    const put2 = await atA.put(Readable.from([big.subarray(0, 1000), big.subarray(1000)]));
    expect(put1).toMatchObject({ sha256: sha(raw), size: raw.length, stored: true });
    expect(put2).toMatchObject({ sha256: sha(big), size: big.length, stored: true });
    expect(await atA.put(raw)).toMatchObject({ stored: false });
    await atA.flush();
    // not yet registered: home B does not see them; the unit that registers them names them
    expect(atB.has(put1.sha256)).toBe(false);
    a.store.write(() => undefined);
    expect(atB.has(put1.sha256)).toBe(true);
    expect(Buffer.concat((await atB.open(put2.sha256).toArray()) as Buffer[]).equals(big)).toBe(true);
    expect(await atB.verify(put1.sha256)).toMatchObject({ ok: true });
    const all = [];
    for await (const c of atB.verifyAll()) all.push(c);
    expect(all.map((c) => c.sha256).sort()).toEqual([sha(raw), sha(big)].sort());
    expect(all.every((c) => c.ok)).toBe(true);
    expect(atB.has('0'.repeat(64))).toBe(false);
    expect(await atB.verify('0'.repeat(64))).toMatchObject({ ok: false, found: 'missing' });
    // mail this home archived in its folder before the office moved onto PostgreSQL: still readable here
    const before = Buffer.from('From: lama@contoh.go.id\r\n\r\nsebelum pindah\r\n');
    const old = await messageArchive(join(homeB, 'arsip', 'surat-masuk')).put(before);
    expect(atB.has(old.sha256)).toBe(false);
    expect(Buffer.concat((await atB.open(old.sha256).toArray()) as Buffer[]).equals(before)).toBe(true);
    // complaint attachments, streamed
    const file = join(homeA, 'lampiran.pdf');
    writeFileSync(file, '%PDF-1.4 lampiran');
    const att = await pgAttachmentArchive(() => a.arsip).put(createReadStream(file));
    a.store.write(() => undefined);
    expect(b.arsip.readSync(`aduan/${att.sha256.slice(0, 2)}/${att.sha256}.eml`).toString()).toBe('%PDF-1.4 lampiran');
  });
});
