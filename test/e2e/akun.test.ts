/**
 * `sandi akun` end to end: the built CLI against the real Dovecot (startMailStack). A rotation whose
 * password-change command is running is killed with SIGKILL (the server already has the new password, sandi
 * has not recorded it); the rerun converges and the login works. After every command, the passwords are
 * searched for in the home folder (config.json, sandi.db and its WAL, the credential store), in stdout and
 * stderr, and in the server logs.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describeWith } from '../helpers/gate.js';
import { BIN, sandi, tempHome, type CliResult } from '../helpers/cli.js';
import { mailStackMissing, startMailStack, type MailStack } from '../helpers/mailstack.js';

const USER = 'sandi@kominfo.test';
const INITIAL = 'awal-rahasia-e2e-1';
const ARSIP_PASS = 'frasa-arsip-e2e-akun-1';
const ENV = { SANDI_PASSPHRASE_ARSIP: ARSIP_PASS };
const SCRIPT = resolve(import.meta.dirname, '../helpers/akun-change-script.mjs');

let stack: MailStack;
let home: { dir: string; cleanup: () => void };
const outputs: string[] = [];

function cli(args: string[], opts: { input?: string } = {}): CliResult {
  const r = sandi(['--home', home.dir, '--no-input', ...args], { env: ENV, ...opts });
  outputs.push(r.stdout, r.stderr);
  return r;
}

/** The passwords sandi holds, read back through the store (they are then searched for everywhere else). */
function storedPasswords(): string[] {
  const script = `
    const { openApp } = await import(${JSON.stringify(resolve(import.meta.dirname, '../../dist/app.js'))});
    const k = await import(${JSON.stringify(resolve(import.meta.dirname, '../../dist/services/akun-kredensial.js'))});
    const { loadConfig } = await import(${JSON.stringify(resolve(import.meta.dirname, '../../dist/config/config.js'))});
    const { passphraseSource } = await import(${JSON.stringify(resolve(import.meta.dirname, '../../dist/config/passphrase.js'))});
    const app = openApp(${JSON.stringify(home.dir)});
    const key = await k.archiveKeyAccess(app, loadConfig(app.paths.config), 't', passphraseSource({ env: process.env })).unlock();
    const files = k.storeFiles(app);
    const out = [];
    for (const id of files.list()) out.push(await files.read(id, ${JSON.stringify(USER)}, key));
    process.stdout.write(JSON.stringify(out));
    app.close();`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', env: { ...process.env, ...ENV } });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout) as string[];
}

function assertNoPasswordLeaked(extra: string[] = []): void {
  const secrets = [INITIAL, ...storedPasswords(), ...extra];
  const files = readdirSync(home.dir, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => join(d.parentPath, d.name));
  const haystacks: [string, Buffer][] = files.map((f) => [f, readFileSync(f)]);
  haystacks.push(['stdout/stderr', Buffer.from(outputs.join('\n'))], ['server logs', Buffer.from(stack.logs())]);
  for (const s of secrets) for (const [name, content] of haystacks) if (content.includes(Buffer.from(s))) throw new Error(`a password was found in ${name}`);
}

function setAdapter(change: Record<string, unknown>): void {
  const file = join(home.dir, 'config.json');
  const config = JSON.parse(readFileSync(file, 'utf8')) as { mailbox: Record<string, unknown> };
  config.mailbox['passwordChange'] = change;
  writeFileSync(file, JSON.stringify(config, null, 2));
}

describeWith('Dovecot + Postfix (root, .ci/mail-packages)', mailStackMissing() === null, 'sandi akun (e2e)', () => {
  beforeAll(async () => {
    if (!existsSync(resolve(import.meta.dirname, '../../dist/cli/akun.js'))) throw new Error('dist/ is not built: run `npm run build` first');
    stack = await startMailStack();
    stack.setPassword(USER, INITIAL);
    home = tempHome('sandi-e2e-akun-');
    const r = cli([
      'init', '--nama-kantor', 'Diskominfo E2E', '--kode-unit', 'E2E', '--buat-kunci-arsip', '--email-arsip', 'arsip@kominfo.test',
      '--akun-user', USER, '--imap-host', '127.0.0.1', '--imap-port', String(stack.imap.port), '--imap-tls', 'tls',
      '--smtp-host', '127.0.0.1', '--smtp-port', String(stack.smtp.port), '--smtp-tls', 'starttls', '--ca-file', stack.caFile,
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });
  afterAll(async () => {
    await stack?.stop();
    home?.cleanup();
  });

  it('simpan reads stdin (never argv), uji logs in to both, status --json', () => {
    expect(cli(['akun', 'simpan']).code).toBe(64); // empty stdin
    const s = cli(['akun', 'simpan', '--json'], { input: `${INITIAL}\n` });
    expect(s.code).toBe(0);
    const u = cli(['akun', 'uji', '--json']);
    expect(u.code).toBe(0);
    expect(u.json()).toMatchObject({ source: 'penyimpanan', imap: { ok: true }, smtp: { ok: true } });
    const st = cli(['akun', 'status', '--json']);
    expect(st.json()).toMatchObject({ user: USER, state: 'aman', daysLeft: 90, warning: false });
    const skip = cli(['akun', 'rotasi', '--jika-jatuh-tempo']);
    expect(skip.code).toBe(0);
    expect(skip.stdout).toContain('Belum jatuh tempo');
    assertNoPasswordLeaked();
  });

  it('killed with SIGKILL while the password is being changed, the rerun converges and the login works', async () => {
    // "unknown" last change: due now
    expect(cli(['akun', 'simpan', '--diubah', 'tidak-diketahui'], { input: `${INITIAL}\n` }).code).toBe(0);
    // in a folder of its own (not the home, which is searched for leaks; not a shared name a stale file could have)
    const markerDir = mkdtempSync(join(tmpdir(), 'sandi-akun-hang-'));
    const marker = join(markerDir, 'hang');
    setAdapter({ adapter: 'perintah', command: [process.execPath, SCRIPT, stack.passwdFile, 'hang', marker] });
    const child = spawn(process.execPath, [BIN, '--home', home.dir, '--no-input', 'akun', 'rotasi', '--jika-jatuh-tempo'], {
      env: { PATH: process.env['PATH'], HOME: process.env['HOME'], ...ENV },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => (out += b.toString()));
    for (let i = 0; i < 200 && !existsSync(marker); i++) await new Promise((r) => setTimeout(r, 50));
    expect(existsSync(marker)).toBe(true);
    const exited = new Promise((r) => child.on('exit', r));
    process.kill(-(child.pid ?? 0), 'SIGKILL'); // sandi and its password-change command
    await exited;
    rmSync(markerDir, { recursive: true, force: true });
    outputs.push(out);

    const mid = cli(['akun', 'status', '--json']).json<{ rotation: { stepsDone: number } | null }>();
    expect(mid.rotation).toMatchObject({ stepsDone: 1 });
    const again = cli(['akun', 'rotasi', '--json']);
    expect(again.code).toBe(0);
    expect(again.json()).toMatchObject({ rotated: true, resumed: true, steps: [{ step: 2, outcome: 'sudah-berlaku' }, { step: 3 }, { step: 4 }] });
    const u = cli(['akun', 'uji', '--json']);
    expect(u.json()).toMatchObject({ slot: 'kini', imap: { ok: true }, smtp: { ok: true } });
    assertNoPasswordLeaked();
  });

  it('a refusal by the server: exit 65, the reason on stderr, the old password stays current', () => {
    setAdapter({ adapter: 'perintah', command: [process.execPath, SCRIPT, stack.passwdFile, 'refuse'] });
    const r = cli(['akun', 'rotasi']);
    expect(r.code).toBe(65);
    expect(r.stderr).toContain('kata sandi baru pernah dipakai sebelumnya');
    expect(r.stderr).toContain('Kata sandi lama tetap berlaku');
    expect(cli(['akun', 'uji', '--json']).json()).toMatchObject({ imap: { ok: true }, smtp: { ok: true } });
    assertNoPasswordLeaked();
  });
});
