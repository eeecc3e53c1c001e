/**
 * `sandi kirim` and `sandi kirim lanjut` at the same time on one home (an operator and a timer): a row is
 * worked on by one run at a time (a claim taken in the transaction that reads its state), and a file that a
 * register row points to is never rewritten (each signature goes to a new file, recorded in the transaction
 * that records the signature; a refused transaction removes only its own new file).
 * Real SQLite, openpgp and local Maildir delivery on the demo office; the last test spawns the built CLI.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openApp, type App } from '../../src/app.js';
import { runDemo } from '../../src/services/demo.js';
import { kirimService, type KirimInput } from '../../src/services/kirim/index.js';
import { listOutgoing } from '../../src/adapters/sqlite/registers.js';
import { listMaildir } from '../../src/adapters/maildir.js';
import { hasMessageId } from '../../src/domain/kirim.js';
import { SandiError } from '../../src/errors.js';
import { BIN } from '../helpers/cli.js';

const manifest = JSON.parse(readFileSync(join(import.meta.dirname, '../../keys.example/manifest.json'), 'utf8')) as { keys: { role: string; email: string; passphrase: string }[] };
const pass = (role: string) => manifest.keys.find((k) => k.role === role)!.passphrase;
const UNIT = 'persandian@dinkes.demo.sandi.invalid';
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('sandi kirim racing sandi kirim lanjut', () => {
  let dir: string;
  let app: App;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sandi-kirim-race-'));
    app = openApp(join(dir, 'home'));
    await runDemo(app);
  }, 60_000);

  afterAll(() => {
    app.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const svc = (singleOperator: boolean) =>
    kirimService(app, {
      actor: 'budi',
      env: {},
      singleOperator,
      passphrases: { sandiman: { get: () => Promise.resolve(pass('sandiman')) }, kasi: { get: () => Promise.resolve(pass('kasi')) } },
    });
  const input = (perihal: string): KirimInput => ({
    dokumen: { fileName: 'nota.txt', data: Buffer.from(`Nota dinas ${perihal}.\n`) },
    kepada: [UNIT],
    perihal,
    sifat: 'Terbatas',
    derajat: 'Segera',
    permohonan: { nomor: '1', tanggal: '2026-11-20', unit: 'Setda' },
  });

  /** Every signed row's archived final kriptogram still hashes to the register's kriptogram_sha256. */
  function expectArchiveMatchesRegister(): void {
    const s = svc(true);
    for (const r of listOutgoing(app.store())) {
      if (!r.kriptogramSha256) continue;
      expect(sha256(readFileSync(s.archivedAt(r.id))), `row ${r.id}`).toBe(r.kriptogramSha256);
    }
  }

  const filesOf = (id: number) => readdirSync(join(app.paths.archive, 'kriptogram-keluar')).filter((f) => f.startsWith(`${id}-`) || f === `${id}.asc`);

  it('lanjut picking up a row while the Kasi is signing it leaves it to the signer; the archived file keeps its hash', async () => {
    const started = await svc(false).mulai(input('Sela tanda tangan'));
    const id = started.row.id;
    expect(started.row.status).toBe('diparaf');
    let timer: Awaited<ReturnType<ReturnType<typeof svc>['lanjut']>> | null = null;
    // the Kasi's run is mid-way (draft opened, not yet signed) when the timer's lanjut runs
    const signed = await svc(false).tandatangani(id, {
      confirm: async () => {
        timer = await svc(true).lanjut();
        return true;
      },
    });
    expect(timer!.rows.find((r) => r.id === id)).toMatchObject({ from: 'diparaf', to: 'diparaf', action: 'sedang-diproses' });
    expect(signed.row.status).toBe('ditandatangani');
    expectArchiveMatchesRegister();
    expect(filesOf(id)).toHaveLength(1);

    const done = await svc(true).lanjut(id);
    expect(done.rows[0]).toMatchObject({ from: 'ditandatangani', to: 'terkirim' });
    expectArchiveMatchesRegister();
    const row = svc(true).show(id);
    const copies = listMaildir(join(app.paths.maildir, UNIT)).filter((m) => hasMessageId(readFileSync(m.path), row.messageId!));
    expect(copies).toHaveLength(1);
  }, 60_000);

  it('a signature whose transaction is refused (the row was cancelled meanwhile) removes only its own new file', async () => {
    const started = await svc(false).mulai(input('Batal di tengah'));
    const id = started.row.id;
    const other = svc(true);
    const before = readdirSync(join(app.paths.archive, 'kriptogram-keluar'));
    const err = await svc(false)
      .tandatangani(id, {
        confirm: () => {
          other.batal(id, 'dibatalkan Kasi lewat terminal lain');
          return Promise.resolve(true);
        },
      })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SandiError);
    expect((err as SandiError).key).toBe('store.illegalTransition');
    expect(svc(true).show(id).status).toBe('batal');
    // nothing for the row on disk, every other file untouched
    expect(filesOf(id)).toEqual([]);
    expect(readdirSync(join(app.paths.archive, 'kriptogram-keluar')).sort()).toEqual(before.sort());
    expectArchiveMatchesRegister();
  }, 60_000);

  it('a row claimed by another run: tandatangani names it busy and changes nothing', async () => {
    const started = await svc(false).mulai(input('Diklaim'));
    const id = started.row.id;
    let inner: unknown = null;
    await svc(false).tandatangani(id, {
      confirm: async () => {
        inner = await svc(false)
          .tandatangani(id)
          .catch((e: unknown) => e);
        return true;
      },
    });
    expect(inner).toBeInstanceOf(SandiError);
    expect((inner as SandiError).key).toBe('kirim.rowBusy');
    expect((inner as SandiError).exitCode).toBe(75);
    expect(filesOf(id)).toHaveLength(1);
    expectArchiveMatchesRegister();
    await svc(true).lanjut(id);
  }, 60_000);

  it('single operator with a mailbox but no password: kirim stops before anything is registered or numbered', async () => {
    const cfgPath = app.paths.config;
    const original = readFileSync(cfgPath, 'utf8');
    const cfg = JSON.parse(original) as Record<string, unknown>;
    cfg['mailbox'] = { user: 'sandi@kominfo.test', imap: { host: '127.0.0.1', port: 1, tls: 'tls' }, smtp: { host: '127.0.0.1', port: 1, tls: 'starttls' } };
    writeFileSync(cfgPath, JSON.stringify(cfg, null, 2), { mode: 0o600 });
    try {
      const before = [...listOutgoing(app.store())].length;
      const err = await svc(true)
        .mulai(input('Tanpa kata sandi'))
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(SandiError);
      expect((err as SandiError).key).toBe('mail.passwordMissing');
      expect((err as SandiError).exitCode).toBe(64);
      expect([...listOutgoing(app.store())].length).toBe(before);
    } finally {
      writeFileSync(cfgPath, original, { mode: 0o600 });
    }
  }, 60_000);

  it('two kirim loops and a lanjut loop as separate processes: every row sent once, every archived file keeps its hash', async () => {
    const home = join(dir, 'proses');
    const env = { PATH: process.env['PATH'], HOME: process.env['HOME'], SANDI_HOME: home, SANDI_OPERATOR: 'budi', SANDI_PASSPHRASE_SANDIMAN: pass('sandiman'), SANDI_PASSPHRASE_KASI: pass('kasi') };
    const run = (args: string[]) =>
      new Promise<{ code: number | null; stderr: string }>((res, rej) => {
        const p = spawn(process.execPath, [BIN, ...args], { env, stdio: ['ignore', 'ignore', 'pipe'] });
        let stderr = '';
        p.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
        p.on('error', rej);
        p.on('close', (code) => res({ code, stderr }));
      });
    expect((await run(['demo'])).code).toBe(0);
    const doc = join(dir, 'nota.txt');
    writeFileSync(doc, 'Nota dinas terbatas untuk uji balapan.\n');
    const kirim = (perihal: string) =>
      run(['kirim', doc, '--no-input', '--permohonan-nomor', '1', '--permohonan-tanggal', '2026-11-20', '--permohonan-unit', 'Setda', '--kepada', UNIT, '--perihal', perihal, '--sifat', 'Terbatas', '--derajat', 'Segera']);
    const EACH = 3;
    const failures: string[] = [];
    let active = 2;
    const loop = async (name: string) => {
      for (let i = 0; i < EACH; i += 1) {
        const r = await kirim(`${name} ${i}`);
        if (r.code !== 0) failures.push(`kirim ${name} ${i}: ${r.code} ${r.stderr}`);
      }
      active -= 1;
    };
    const timer = async () => {
      // bounded: at most 12 runs each, while the kirim loops are going
      for (let i = 0; i < 12 && active > 0; i += 1) {
        const r = await run(['kirim', 'lanjut']);
        if (r.code !== 0) failures.push(`lanjut ${i}: ${r.code} ${r.stderr}`);
      }
    };
    // two timers, as a timer overlapping an operator's own `lanjut`
    await Promise.all([loop('A'), loop('B'), timer(), timer()]);
    expect(failures).toEqual([]);
    const last = await run(['kirim', 'lanjut']);
    expect(last.code, last.stderr).toBe(0);

    const app2 = openApp(home);
    try {
      const s = kirimService(app2, { actor: 'uji', env: {}, passphrases: {} });
      const rows = [...listOutgoing(app2.store())];
      expect(rows).toHaveLength(2 * EACH + 1);
      for (const r of rows) {
        expect(r.status, `row ${r.id}`).toBe('terkirim');
        expect(sha256(readFileSync(s.archivedAt(r.id))), `row ${r.id}`).toBe(r.kriptogramSha256);
        const copies = listMaildir(join(home, 'maildir', UNIT)).filter((m) => hasMessageId(readFileSync(m.path), r.messageId!));
        expect(copies, `row ${r.id}`).toHaveLength(1);
      }
      const seq = rows.map((r) => Number(/^KRIP\/(\d+)\//.exec(r.nomor ?? '')?.[1])).sort((a, b) => a - b);
      expect(seq).toEqual(rows.map((_, i) => i + 1));
    } finally {
      app2.close();
    }
  }, 240_000);
});
