/**
 * Security fixes around `sandi akun`: the programs sandi runs get no secret variables, the credential store
 * refuses an entry of the wrong shape with a clear error, and the PID lock holds under racing processes
 * (its content is written atomically; an empty lock is busy, not stale; a stale one is taken over once).
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as openpgp from 'openpgp';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runPasswordCommand } from '../../src/config/credentials.js';
import { credentialFiles } from '../../src/adapters/openpgp/kredensial.js';
import { takePidLock } from '../../src/adapters/pid-lock.js';
import { SandiError } from '../../src/errors.js';

const ROOT = resolve(import.meta.dirname, '../..');
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'sandi-akun-sec-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function sandiError(p: Promise<unknown>): Promise<SandiError> {
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(SandiError);
  return e as SandiError;
}

describe('child processes get no secrets', () => {
  it('mailbox.passwordCommand does not see SANDI_PASSPHRASE*, SANDI_MAILBOX_PASSWORD', async () => {
    const printEnv = "console.log(Object.keys(process.env).filter((k) => k.startsWith('SANDI_')).sort().join(','))";
    const seen = await runPasswordCommand([process.execPath, '-e', printEnv], {
      PATH: process.env['PATH'] ?? '/usr/bin:/bin',
      SANDI_PASSPHRASE: 'rahasia-1',
      SANDI_PASSPHRASE_ARSIP: 'rahasia-2',
      SANDI_PASSPHRASE_KASI: 'rahasia-3',
      SANDI_MAILBOX_PASSWORD: 'rahasia-4',
      SANDI_HOME: dir,
    });
    expect(seen).toBe('SANDI_HOME');
  });
});

describe('credential store entries', () => {
  it('an entry whose account is not text is refused with a clear error (not a TypeError)', async () => {
    const { privateKey, publicKey } = await openpgp.generateKey({ type: 'ecc', curve: 'curve25519Legacy', userIDs: [{ email: 'arsip@kominfo.test' }], format: 'object' });
    const store = credentialFiles(join(dir, 'kredensial'));
    await store.write('0'.repeat(32), 'sandi@kominfo.test', 'sandi-lama', publicKey.armor(), new Date());
    expect(await store.read('0'.repeat(32), 'sandi@kominfo.test', privateKey)).toBe('sandi-lama');
    for (const [i, payload] of [{ v: 1, user: 5, password: 'x' }, { v: 1, user: 'sandi@kominfo.test', password: null }, null, ['x'], 'teks'].entries()) {
      const message = await openpgp.createMessage({ text: JSON.stringify(payload) });
      const armored = await openpgp.encrypt({ message, encryptionKeys: publicKey, format: 'armored' });
      const id = String(i + 1).repeat(32);
      writeFileSync(join(store.dir, `${id}.asc`), armored as string, { mode: 0o600 });
      const e = await sandiError(store.read(id, 'sandi@kominfo.test', privateKey));
      expect({ code: e.code, key: e.key }).toEqual({ code: 'DATA', key: 'akun.entryMalformed' });
    }
  });
});

describe('PID lock', () => {
  let lockDir: string;
  let childScript: string;

  beforeAll(() => {
    lockDir = join(dir, 'lock');
    mkdirSync(lockDir);
    // The children run the real module, transpiled as it is (no build needed).
    const out = join(dir, 'js');
    for (const rel of ['src/errors.ts', 'src/adapters/pid-lock.ts']) {
      const js = ts.transpileModule(readFileSync(join(ROOT, rel), 'utf8'), { compilerOptions: { module: ts.ModuleKind.ES2022, target: ts.ScriptTarget.ES2022 } }).outputText;
      const to = join(out, rel.replace(/^src\//, '').replace(/\.ts$/, '.js'));
      mkdirSync(join(to, '..'), { recursive: true });
      writeFileSync(to, js);
    }
    writeFileSync(join(out, 'package.json'), '{"type":"module"}');
    childScript = join(out, 'racer.js');
    writeFileSync(
      childScript,
      `import { appendFileSync } from 'node:fs';
import { takePidLock } from './adapters/pid-lock.js';
const [lock, log, rounds, crash] = process.argv.slice(2);
for (let i = 0; i < Number(rounds); i++) {
  const l = await takePidLock(lock, 'busy', 60000);
  appendFileSync(log, '+' + process.pid + '\\n');
  const until = Date.now() + 2;
  while (Date.now() < until) {}
  if (crash === '1' && i === Number(rounds) - 1) process.exit(0); // die holding it: the others must take it over
  appendFileSync(log, '-' + process.pid + '\\n');
  l.release();
}
`,
    );
  });

  function deadPid(): number {
    const r = spawnSync(process.execPath, ['-e', 'console.log(process.pid)'], { encoding: 'utf8' });
    return Number(r.stdout.trim());
  }

  it('an empty or unreadable lock is busy, not stale (unless it is old); a dead owner\'s lock is taken over', async () => {
    const path = join(lockDir, 'a.lock');
    writeFileSync(path, '');
    const e = await sandiError(takePidLock(path, 'akun.busy', 0));
    expect({ code: e.code, key: e.key }).toEqual({ code: 'TEMPFAIL', key: 'akun.busy' });
    writeFileSync(path, 'sampah');
    expect((await sandiError(takePidLock(path, 'akun.busy', 0))).code).toBe('TEMPFAIL');
    const old = new Date(Date.now() - 120_000);
    utimesSync(path, old, old);
    const taken = await takePidLock(path, 'akun.busy', 0);
    expect(readFileSync(path, 'utf8').trim()).toBe(String(process.pid));
    taken.release();
    expect(existsSync(path)).toBe(false);

    writeFileSync(path, `${deadPid()}\n`);
    const again = await takePidLock(path, 'akun.busy', 0);
    expect(readFileSync(path, 'utf8').trim()).toBe(String(process.pid));
    // held by this process: busy for a second taker here, released once
    expect((await sandiError(takePidLock(path, 'akun.busy', 0))).code).toBe('TEMPFAIL');
    again.release();
    again.release();
    expect(existsSync(path)).toBe(false);

    // left by a dead process whose PID is now ours (PIDs wrap): stale, taken over, not "held by us" forever
    writeFileSync(path, `${process.pid}\n`);
    const reused = await takePidLock(path, 'akun.busy', 0);
    reused.release();
    expect(existsSync(path)).toBe(false);
  });

  it('racing processes never hold it at the same time, also while taking over the lock of one that died', async () => {
    const path = join(lockDir, 'race.lock');
    const log = join(lockDir, 'race.log');
    writeFileSync(path, `${deadPid()}\n`); // start from a stale lock: every racer tries to take it over
    writeFileSync(log, '');
    const run = (rounds: number, crash: boolean) =>
      new Promise<number>((done, fail) => {
        const c = spawn(process.execPath, [childScript, path, log, String(rounds), crash ? '1' : '0'], { stdio: ['ignore', 'ignore', 'pipe'] });
        let err = '';
        c.stderr.on('data', (b: Buffer) => (err += b.toString()));
        c.on('error', fail);
        c.on('close', (code) => (code === 0 ? done(code) : fail(new Error(`racer exited ${code}: ${err}`))));
      });
    await Promise.all([run(25, true), run(25, true), run(25, false), run(25, false)]);
    const lines = readFileSync(log, 'utf8').trim().split('\n');
    // A racer that died holding the lock leaves a last '+' with no '-' after it: the next '+' is a takeover.
    const diedHolding = (i: number): boolean => {
      const pid = lines[i]!.slice(1);
      return !lines.slice(i + 1).some((l) => l.slice(1) === pid);
    };
    let holder: number | null = null;
    const overlaps: string[] = [];
    for (const [i, l] of lines.entries()) {
      if (l.startsWith('+')) {
        if (holder !== null && !diedHolding(holder)) overlaps.push(`line ${i + 1}: ${l.slice(1)} entered while ${lines[holder]!.slice(1)} held it`);
        holder = i;
      } else holder = null;
    }
    expect(overlaps).toEqual([]);
    expect(lines.filter((l) => l.startsWith('+'))).toHaveLength(100);
  }, 60_000);
});
