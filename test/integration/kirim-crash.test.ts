/**
 * `sandi kirim` under concurrency and crashes, with the built CLI (dist/; `npm test` builds it first) as
 * separate processes on one home (real SQLite, local Maildir delivery):
 * - several processes registering and numbering at once get distinct, consecutive numbers, no gaps;
 * - a process killed (SIGKILL) at each point of the flow, then `sandi kirim lanjut`, ends in the same state
 *   as an uninterrupted run: terkirim, the same audit events, exactly one copy in each Maildir.
 * The kill points are the test-only hook SANDI_TEST_CRASH_AT (src/services/kirim/context.ts, testCrashPoint): the
 * process SIGKILLs itself there, so every window is hit deterministically.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, sandi, tempHome } from '../helpers/cli.js';
import { openApp } from '../../src/app.js';
import { CRASH_POINTS } from '../../src/services/kirim/index.js';
import { hasMessageId } from '../../src/domain/kirim.js';
import { listMaildir } from '../../src/adapters/maildir.js';
import { listOutgoing } from '../../src/adapters/sqlite/registers.js';

const manifest = JSON.parse(readFileSync(resolve(import.meta.dirname, '../../keys.example/manifest.json'), 'utf8')) as {
  keys: { role: string; email: string; passphrase: string }[];
};
const pass = (role: string) => manifest.keys.find((k) => k.role === role)!.passphrase;
const units = manifest.keys.filter((k) => k.role === 'penerima').map((k) => k.email);

/**
 * A child process for the numbering race: registers and numbers COUNT kriptograms in HOME through the built
 * registers (dist/), each number in its own BEGIN IMMEDIATE transaction as `sandi kirim` takes it; prints them.
 */
const NOMOR_SCRIPT = (dist: string) => `const dist = ${JSON.stringify(dist)};
const { openApp } = await import(\`\${dist}/app.js\`);
const reg = await import(\`\${dist}/adapters/sqlite/registers.js\`);
const [home, count, tag] = process.argv.slice(1);
const app = openApp(home);
const store = app.store();
const numbering = { format: 'KRIP/{urut:3}/{bulan}/{tahun}', timeZone: 'Asia/Jakarta', configKey: 'numberFormats.kriptogramKeluar' };
const out = [];
for (let i = 0; i < Number(count); i += 1) {
  const at = new Date();
  const r = store.write((tx) =>
    reg.registerOutgoing(tx, { sandiman: tag, recipients: [{ email: 'opd@contoh.go.id', unit: 'OPD' }], sifat: 'Terbatas', derajat: 'Biasa', perihal: \`\${tag} \${i}\` }, at),
  );
  store.write((tx) => reg.setOutgoingStatus(tx, r.id, 'diparaf', { parafFpr: 'X', drafSha256: 'x' }, at, tag));
  store.write((tx) => reg.setOutgoingStatus(tx, r.id, 'ditandatangani', { signerFpr: 'Y', kriptogramSha256: 'y' }, at, tag));
  const n = store.write((tx) => reg.assignOutgoingNumber(tx, r.id, numbering, new Date(), tag));
  out.push(n.urut);
}
app.close();
process.stdout.write(JSON.stringify(out));
`;

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Spawn the CLI without waiting for it (so several run at once). */
function sandiAsync(args: string[], env: NodeJS.ProcessEnv): Promise<Run> {
  return new Promise((res, rej) => {
    const p = spawn(process.execPath, [BIN, ...args], { env: { PATH: process.env['PATH'], HOME: process.env['HOME'], ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    p.on('error', rej);
    p.on('close', (code, signal) => res({ code, signal, stdout, stderr }));
  });
}

interface Row {
  id: number;
  status: string;
  nomor: string | null;
  messageId: string | null;
}

describe('sandi kirim: concurrent numbering and crashes at every step', () => {
  const tmp = tempHome('sandi-kirim-crash-');
  const home = join(tmp.dir, 'home');
  const env = { SANDI_HOME: home, SANDI_OPERATOR: 'budi', SANDI_PASSPHRASE_SANDIMAN: pass('sandiman'), SANDI_PASSPHRASE_KASI: pass('kasi') };
  const doc = join(tmp.dir, 'nota.txt');
  const kirimArgs = (perihal: string) => [
    'kirim', doc, '--no-input', '--json', '--permohonan-nomor', '005/9/SETDA', '--permohonan-tanggal', '2026-11-20', '--permohonan-unit', 'Setda',
    '--kepada', units.join(','), '--perihal', perihal, '--sifat', 'Terbatas', '--derajat', 'Segera',
  ];
  const rows = (): Row[] => sandi(['kirim', 'status', '--semua', '--json'], { env }).json<Row[]>();
  const seq = (nomor: string | null) => Number(/^KRIP\/(\d+)\//.exec(nomor ?? '')?.[1]);

  beforeAll(() => {
    // the demo sets up a single-operator office with DEMO keys, and sends KRIP/001
    const d = sandi(['demo'], { env: { SANDI_HOME: home } });
    expect(d.code, d.stderr).toBe(0);
    writeFileSync(doc, 'Nota dinas terbatas untuk uji ketahanan.\n');
  }, 60_000);
  afterAll(() => tmp.cleanup());

  it('several processes at once get distinct, consecutive numbers with no gaps', async () => {
    const n = 5;
    const runs = await Promise.all(Array.from({ length: n }, (_, i) => sandiAsync(kirimArgs(`Serentak ${i}`), env)));
    for (const r of runs) expect(r.code, r.stderr).toBe(0);
    const all = rows();
    expect(all.every((r) => r.status === 'terkirim')).toBe(true);
    expect(all.map((r) => seq(r.nomor)).sort((a, b) => a - b)).toEqual(Array.from({ length: n + 1 }, (_, i) => i + 1));
  }, 60_000);

  it('several processes numbering as fast as they can (registers of dist/) share one gapless sequence', async () => {
    const h = join(tmp.dir, 'nomor');
    const script = NOMOR_SCRIPT(resolve(import.meta.dirname, '../../dist'));
    const procs = 4;
    const each = 25;
    const runs = await Promise.all(
      Array.from({ length: procs }, (_, p) =>
        new Promise<Run>((res, rej) => {
          const c = spawn(process.execPath, ['--input-type=module', '-e', script, h, String(each), `p${p}`], { stdio: ['ignore', 'pipe', 'pipe'] });
          let stdout = '';
          let stderr = '';
          c.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
          c.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
          c.on('error', rej);
          c.on('close', (code, signal) => res({ code, signal, stdout, stderr }));
        }),
      ),
    );
    for (const r of runs) expect(r.code, r.stderr).toBe(0);
    const perProcess = runs.map((r) => JSON.parse(r.stdout) as number[]);
    // each process saw its own numbers increase; together they are exactly 1..N
    for (const nums of perProcess) expect([...nums].sort((a, b) => a - b)).toEqual(nums);
    expect(perProcess.flat().sort((a, b) => a - b)).toEqual(Array.from({ length: procs * each }, (_, i) => i + 1));
  }, 60_000);

  it('killed at each step, `kirim lanjut` ends as an uninterrupted run: terkirim, same audit events, one copy each', async () => {
    const before = rows().length;
    const runs = await Promise.all(CRASH_POINTS.map((point) => sandiAsync(kirimArgs(`Putus di ${point}`), { ...env, SANDI_TEST_CRASH_AT: point })));
    runs.forEach((r, i) => expect(r.signal, `${CRASH_POINTS[i]}: ${r.stderr}`).toBe('SIGKILL'));
    // killed before the register transaction: nothing registered (only an encrypted draft left); every other
    // point left one row that is not finished
    const mid = rows().slice(before);
    expect(mid).toHaveLength(CRASH_POINTS.length - 1);
    expect(mid.every((r) => r.status !== 'terkirim')).toBe(true);

    // without the Kasi's passphrase, the rows killed before the signature keep waiting; the others are finished
    const { SANDI_PASSPHRASE_KASI: _kasi, ...noKasi } = env;
    const partial = sandi(['kirim', 'lanjut', '--json'], { env: noKasi });
    expect(partial.code, partial.stderr).toBe(0);
    const waiting = partial.json<{ rows: { to: string; action: string }[] }>().rows.filter((r) => r.to !== 'terkirim');
    expect(waiting).toEqual([expect.objectContaining({ to: 'diparaf', action: 'tunggu-kasi' }), expect.objectContaining({ to: 'diparaf', action: 'tunggu-kasi' })]);
    const res = sandi(['kirim', 'lanjut', '--json'], { env });
    expect(res.code, res.stderr).toBe(0);
    expect(res.json<{ rows: { to: string }[] }>().rows.map((r) => r.to)).toEqual(['terkirim', 'terkirim']);
    // the operator's recovery for the run killed before registering: run the same command again
    const again = sandi(kirimArgs('Putus di draf-tertulis'), { env });
    expect(again.code, again.stderr).toBe(0);
    expect(sandi(['kirim', 'lanjut', '--json'], { env }).json<{ rows: unknown[] }>().rows).toEqual([]);

    const all = rows();
    expect(all.every((r) => r.status === 'terkirim')).toBe(true);
    expect(all.map((r) => seq(r.nomor)).sort((a, b) => a - b)).toEqual(Array.from({ length: all.length }, (_, i) => i + 1));

    // exactly one copy per recipient and in Sent, for every row
    for (const box of [...units, 'Sent']) {
      const raws = listMaildir(join(home, 'maildir', box)).map((m) => readFileSync(m.path));
      expect(raws).toHaveLength(all.length);
      for (const r of all) expect(raws.filter((raw) => hasMessageId(raw, r.messageId!)).length, `${box} ${r.nomor}`).toBe(1);
      expect(readdirSync(join(home, 'maildir', box, 'tmp'))).toEqual([]);
    }

    // the same audit events as an uninterrupted run, for every row; the chain is whole
    const app = openApp(home);
    try {
      const audit = [...app.store().auditRows()].filter((a) => a.entity === 'kriptogram_keluar');
      const actions = (id: number) => audit.filter((a) => a.entityId === String(id)).map((a) => a.action.replace('kriptogram_keluar.', ''));
      const reference = actions(all[1]!.id);
      expect(reference).toEqual(['terdaftar', 'diparaf', 'ditandatangani', 'bernomor', 'message_id', 'tidak_pasti', 'terkirim']);
      for (const r of all) expect(actions(r.id), `row ${r.id}`).toEqual(reference);
      // one final kriptogram file per row (a file left by a run killed after writing it is removed when the
      // row is signed), the one its kriptogram_sha256 names
      const finals = readdirSync(join(home, 'arsip', 'kriptogram-keluar')).filter((f) => f.endsWith('.asc'));
      for (const r of listOutgoing(app.store())) {
        const mine = finals.filter((f) => f.startsWith(`${r.id}-`));
        expect(mine, `row ${r.id}`).toEqual([`${r.id}-${r.kriptogramSha256!.slice(0, 16)}.asc`]);
        expect(createHash('sha256').update(readFileSync(join(home, 'arsip', 'kriptogram-keluar', mine[0]!))).digest('hex')).toBe(r.kriptogramSha256);
      }
    } finally {
      app.close();
    }
    expect(sandi(['audit', 'periksa'], { env }).code).toBe(0);

    // nothing in clear on disk: not the document, not the subjects of the Terbatas rows outside the register
    const drafts = join(home, 'arsip', 'kriptogram-keluar', 'draf');
    for (const f of readdirSync(drafts)) expect(readFileSync(join(drafts, f)).includes(Buffer.from('uji ketahanan')), f).toBe(false);
  }, 90_000);
});
