/**
 * `sandi terima` end to end: the built CLI on a demo home, no TTY. Import from a folder with --json, the
 * embedded default Maildir, missing flags, a run killed midway and rerun (each message registered once).
 */
import { execFileSync, spawn } from 'node:child_process';
import { constants, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import Database from '../../src/adapters/sqlite/driver.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, sandi, tempHome } from '../helpers/cli.js';
import { compose, testMessages } from '../helpers/terima-fixture.js';
import type { FetchReport } from '../../src/services/terima/index.js';

let home: { dir: string; cleanup: () => void };
const run = (args: string[], env: NodeJS.ProcessEnv = {}) => sandi(['--home', home.dir, '--no-input', ...args], { env: { SANDI_OPERATOR: 'sandiman-e2e', ...env } });

beforeAll(() => {
  if (!existsSync(resolve(import.meta.dirname, '../../dist/cli/terima.js'))) throw new Error('dist/ is not built: run `npm run build` first');
  home = tempHome('sandi-e2e-terima-');
  const r = sandi(['--home', home.dir, 'demo', '--json']);
  expect(r.code).toBe(0);
}, 60_000);
afterAll(() => home?.cleanup());

describe('sandi terima (e2e)', () => {
  it('imports a folder of .eml files with --json, then the embedded default Maildir; status lists them', async () => {
    const dir = join(home.dir, 'eml');
    mkdirSync(dir);
    for (const m of await testMessages('E')) writeFileSync(join(dir, `${m.name}.eml`), m.raw);
    const r = run(['terima', '--dari-folder', dir, '--json']);
    expect(r.code).toBe(0);
    const report = r.json<FetchReport>();
    expect(report.baru).toHaveLength(7);
    expect(report.baru.every((a) => a.buku === 'surat_masuk' && a.status === 'terdaftar')).toBe(true);

    const inbox = join(home.dir, 'maildir', 'INBOX', 'new');
    mkdirSync(inbox, { recursive: true });
    writeFileSync(join(inbox, '1.P1.e2e'), await compose({ from: 'a@b.test', to: 'sandi@kominfo.test', subject: 'Lewat Maildir', text: 'halo', messageId: '<md-e2e@b.test>' }));
    const md = run(['terima']);
    expect(md.code).toBe(0);
    expect(md.stdout).toContain('Lewat Maildir');
    expect(md.stdout).toContain('1 pesan baru terdaftar');

    const st = run(['terima', 'status', '--json']);
    expect(st.code).toBe(0);
    expect(st.json<{ surat: unknown[] }>().surat).toHaveLength(8);
  });

  it('missing flags fail with 64 naming them; an unknown number is 66; --tampilkan with --json is accepted (issue 13: the parts go in the JSON)', () => {
    const p = run(['terima', 'paraf', '1']);
    expect(p.code).toBe(64);
    expect(p.stderr).toContain('--sebagai');
    expect(p.stderr).toContain('--nama');
    const n = run(['terima', 'cetak', 'SM/999/XI/2099']);
    expect(n.code).toBe(66);
    const j = run(['--json', 'terima', 'baca', '1', '--tampilkan']);
    expect(j.code).toBe(66); // no kriptogram 1 in this home: not refused as a usage error
  });

  it('a run killed midway and rerun registers every message exactly once', async () => {
    const dir = join(home.dir, 'banyak');
    mkdirSync(dir);
    for (let i = 0; i < 120; i++) {
      writeFileSync(join(dir, `${String(i).padStart(3, '0')}.eml`), await compose({ from: 'x@y.test', to: 'sandi@kominfo.test', subject: `Massal ${i}`, text: `isi ${i}`, messageId: `<massal-${i}@y.test>` }));
    }
    const db = new Database(join(home.dir, 'sandi.db'), { readonly: true });
    const count = () => (db.prepare("SELECT count(*) AS n FROM surat_masuk WHERE perihal LIKE 'Massal %'").get() as { n: number }).n;
    const child = spawn(process.execPath, [BIN, '--home', home.dir, '--no-input', 'terima', '--dari-folder', dir], { stdio: 'ignore', env: { PATH: process.env['PATH'], HOME: process.env['HOME'] } });
    const exited = new Promise((r) => child.on('exit', r));
    const deadline = Date.now() + 30_000;
    while (count() < 10 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    child.kill('SIGKILL');
    await exited;
    const partial = count();
    expect(partial).toBeGreaterThan(0);
    const r = run(['terima', '--dari-folder', dir, '--json']);
    expect(r.code).toBe(0);
    expect(r.json<FetchReport>().baru.length).toBe(120 - partial);
    expect(count()).toBe(120);
    const dupes = db.prepare("SELECT count(*) AS n FROM (SELECT message_id FROM surat_masuk WHERE perihal LIKE 'Massal %' GROUP BY message_id HAVING count(*) > 1)").get() as { n: number };
    expect(dupes.n).toBe(0);
    db.close();
    const audit = run(['audit', 'periksa']);
    expect(audit.code).toBe(0);
  }, 60_000);

  it('one fetch at a time: a second run while one is fetching is refused with 75 naming the first; after it, runs go on', async () => {
    const dir = join(home.dir, 'bersamaan');
    mkdirSync(dir);
    const N = 20;
    for (let i = 0; i < N; i++) {
      writeFileSync(join(dir, `${String(i).padStart(3, '0')}.eml`), await compose({ from: 'x@y.test', to: 'sandi@kominfo.test', subject: `Bersamaan ${i}`, text: `isi ${i}`, messageId: `<bersamaan-${i}@y.test>` }));
    }
    // The last file (by name) is a FIFO: the first run registers the others, then waits on it, holding the
    // lock for as long as the test wants, however loaded the machine is.
    const fifo = join(dir, 'zzz-tahan.eml');
    execFileSync('mkfifo', [fifo]);
    const db = new Database(join(home.dir, 'sandi.db'), { readonly: true });
    const count = () => (db.prepare("SELECT count(*) AS n FROM surat_masuk WHERE perihal LIKE 'Bersamaan %'").get() as { n: number }).n;
    const first = spawn(process.execPath, [BIN, '--home', home.dir, '--no-input', 'terima', '--dari-folder', dir], { stdio: 'ignore', env: { PATH: process.env['PATH'], HOME: process.env['HOME'] } });
    const exited = new Promise<number | null>((r) => first.on('exit', (code) => r(code)));
    let released = false;
    /** Write the last message into the FIFO once the first run has it open (never blocks: O_NONBLOCK). */
    const release = async (): Promise<void> => {
      const raw = await compose({ from: 'x@y.test', to: 'sandi@kominfo.test', subject: `Bersamaan ${N}`, text: 'isi terakhir', messageId: '<bersamaan-tahan@y.test>' });
      for (const deadline = Date.now() + 30_000; ; ) {
        try {
          const fh = await open(fifo, constants.O_WRONLY | constants.O_NONBLOCK);
          await fh.write(raw);
          await fh.close();
          released = true;
          return;
        } catch (e) {
          // ENXIO: no reader yet (or any more: the first run ended)
          if ((e as NodeJS.ErrnoException).code !== 'ENXIO' || Date.now() > deadline) throw e;
          await new Promise((r) => setTimeout(r, 50));
        }
      }
    };
    try {
      const deadline = Date.now() + 30_000;
      while (count() < N && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(count()).toBe(N); // all but the last: the first run now waits on the FIFO
      const second = run(['terima', '--dari-folder', dir]);
      expect(second.code, second.stderr).toBe(75);
      expect(second.stderr).toContain(`pid ${first.pid}`);
      await release();
    } finally {
      if (!released) first.kill('SIGKILL');
      expect(await exited).toBe(0);
      db.close();
      rmSync(fifo, { force: true }); // a later run would wait on it again
    }
    const db2 = new Database(join(home.dir, 'sandi.db'), { readonly: true });
    expect((db2.prepare("SELECT count(*) AS n FROM surat_masuk WHERE perihal LIKE 'Bersamaan %'").get() as { n: number }).n).toBe(N + 1);
    db2.close();
    const after = run(['terima', '--dari-folder', dir, '--json']);
    expect(after.code, after.stderr).toBe(0);
    expect(after.json<FetchReport>().baru).toHaveLength(0);
  }, 60_000);
});
