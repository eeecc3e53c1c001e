/**
 * `sandi akun` against the real Dovecot (startMailStack, its passwd-file): store, test, rotate; a rotation
 * stopped after each step and run again converges; a refusal by the server leaves the old password current
 * and says why. After every scenario the passwords are searched for in the home folder (config, database,
 * credential store) and in everything sandi said (results, error messages) and the server logs.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describeWith } from '../helpers/gate.js';
import { mailStackMissing, startMailStack, type MailStack } from '../helpers/mailstack.js';
import { openApp, type App } from '../../src/app.js';
import { kunciService } from '../../src/services/kunci.js';
import { initHome } from '../../src/services/init.js';
import { akunService, type AkunService } from '../../src/services/akun.js';
import { realLogin } from '../../src/adapters/mail/login-tester.js';
import { loadConfig, saveConfig, type PasswordChangeConfig } from '../../src/config/config.js';
import { passphraseSource } from '../../src/config/passphrase.js';
import { resolveMailboxPassword, resolveMailboxPasswordWithSource } from '../../src/config/credentials.js';
import { SandiError } from '../../src/errors.js';
import { t } from '../../src/cli/messages/index.js';
import { storeFiles, archiveKeyAccess, storedMailboxPassword } from '../../src/services/akun-kredensial.js';
import { openRotation, akunRow } from '../../src/adapters/sqlite/akun.js';

const USER = 'sandi@kominfo.test';
const ARSIP_PASS = 'frasa-arsip-uji-akun-1';
const ENV = { SANDI_PASSPHRASE_ARSIP: ARSIP_PASS };
const SCRIPT = resolve(import.meta.dirname, '../helpers/akun-change-script.mjs');

let stack: MailStack;
const cleanup: string[] = [];
/** every password any scenario used or made */
const secrets = new Set<string>();
/** everything sandi reported: results, errors (key, params, rendered text) */
const said: string[] = [];

interface Office {
  home: string;
  app: App;
  svc: (settleMs?: number) => AkunService;
}

/**
 * The office's home as `initHome` makes it (archive key, mailbox on this Dovecot), made once per file: each
 * scenario starts from a copy, so it pays for a copy instead of a key generation and an init (~0.3 s each).
 */
let template = '';
async function makeTemplate(): Promise<void> {
  template = mkdtempSync(join(tmpdir(), 'sandi-akun-templat-'));
  cleanup.push(template);
  const app = openApp(template);
  await initHome(
    app,
    kunciService(app, 'tes'),
    {
      officeName: 'Diskominfo Uji',
      unitCode: 'UJI',
      timeZone: 'Asia/Jakarta',
      mailbox: { user: USER, imap: { host: '127.0.0.1', port: stack.imap.port, tls: 'tls' }, smtp: { host: '127.0.0.1', port: stack.smtp.port, tls: 'starttls' }, caFile: stack.caFile },
      archive: { create: { name: 'Arsip Uji', email: 'arsip@kominfo.test', expiry: '2y', passphrase: ARSIP_PASS } },
      singleOperator: false,
      mode: 'produksi',
      allowDemoKeys: false,
      overwrite: false,
    },
    'tes',
  );
  app.close();
}

/**
 * A new office (a copy of the template) whose stored password is `initial`, live on the server. `svc()` waits
 * up to 2 s for a change to take (Dovecot re-reads its passwd-file at most once a second); `svc(0)` tries once,
 * for a change the server refuses: a refused change is never applied, so waiting it out proves nothing more
 * (the settle window itself is proven by "a change the command reported as failed but the server took").
 */
async function office(initial: string, change: PasswordChangeConfig): Promise<Office> {
  stack.setPassword(USER, initial);
  secrets.add(initial);
  const home = mkdtempSync(join(tmpdir(), 'sandi-akun-'));
  cleanup.push(home);
  cpSync(template, home, { recursive: true });
  const app = openApp(home);
  const config = loadConfig(app.paths.config);
  if (config.mailbox) config.mailbox.passwordChange = change;
  saveConfig(app.paths.config, config);
  const svc = (settleMs = 2000) =>
    akunService({ app, config: loadConfig(app.paths.config), actor: 'tes', env: ENV, passphrases: passphraseSource({ env: ENV }), settleMs });
  await svc().simpan(initial);
  await untilLogin(initial);
  return { home, app, svc };
}

/** Run and keep what sandi said, errors included (as the CLI would print them). */
async function run<T>(fn: () => Promise<T>): Promise<T> {
  try {
    const r = await fn();
    said.push(JSON.stringify(r));
    return r;
  } catch (e) {
    if (e instanceof SandiError) said.push(e.message, JSON.stringify(e.params), t(e.key, e.params), e.hint ? t(e.hint, e.params) : '');
    else said.push(String(e));
    throw e;
  }
}

async function canLogin(password: string): Promise<boolean> {
  try {
    await realLogin.imap({ user: USER, imap: { host: '127.0.0.1', port: stack.imap.port, tls: 'tls' }, smtp: { host: '127.0.0.1', port: stack.smtp.port, tls: 'starttls' }, caFile: stack.caFile }, password);
    return true;
  } catch (e) {
    if (e instanceof SandiError && e.code === 'PERMISSION') return false;
    throw e;
  }
}

/** Dovecot re-reads its passwd-file at most once a second: wait until an administrator's change is live. */
async function untilLogin(password: string): Promise<void> {
  for (let i = 0; i < 30; i++) {
    if (await canLogin(password)) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('the password set in the passwd-file never became valid');
}

/** Every password sandi holds for the office now (current, previous, pending): they join the secrets searched for. */
async function collectStored(o: Office): Promise<{ current: string; previous: string | null; pending: string | null }> {
  const config = loadConfig(o.app.paths.config);
  const key = await archiveKeyAccess(o.app, config, 'tes', passphraseSource({ env: ENV })).unlock();
  const files = storeFiles(o.app);
  const row = akunRow(o.app.store().db, USER);
  if (!row) throw new Error('no akun_sandi row');
  const open = openRotation(o.app.store().db, USER);
  const current = await files.read(row.kini_id, USER, key);
  const previous = row.sebelumnya_id ? await files.read(row.sebelumnya_id, USER, key) : null;
  const pending = open ? await files.read(open.baru_id, USER, key) : null;
  for (const s of [current, previous, pending]) if (s) secrets.add(s);
  return { current, previous, pending };
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => join(d.parentPath, d.name));
}

/** No password anywhere in the home folder (config, database and WAL, credential store), what sandi said, or the server logs. */
function assertNoPasswordLeaked(o: Office): void {
  const haystacks: [string, Buffer][] = filesUnder(o.home).map((f) => [f, readFileSync(f)]);
  haystacks.push(['sandi output', Buffer.from(said.join('\n'))], ['server logs', Buffer.from(stack.logs())]);
  for (const s of secrets) {
    for (const [name, content] of haystacks) {
      if (content.includes(Buffer.from(s))) throw new Error(`a password was found in ${name}`);
    }
  }
}

describeWith('Dovecot + Postfix (root, .ci/mail-packages)', mailStackMissing() === null, 'sandi akun against the real Dovecot', () => {
  beforeAll(async () => {
    stack = await startMailStack();
    await makeTemplate();
  });
  afterAll(async () => {
    await stack?.stop();
    for (const d of cleanup) rmSync(d, { recursive: true, force: true });
  });

  it('simpan + uji: the stored password logs in to IMAP and SMTP; the store is encrypted and 0600', async () => {
    const o = await office('awal-rahasia-uji-1', { adapter: 'dovecot-passwd', file: stack.passwdFile });
    const r = await run(() => o.svc().uji());
    expect(r).toMatchObject({ source: 'penyimpanan', slot: 'kini', imap: { ok: true }, smtp: { ok: true } });
    const dir = join(o.home, 'kredensial');
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    for (const f of readdirSync(dir).filter((x) => x.endsWith('.asc'))) {
      expect(statSync(join(dir, f)).mode & 0o777).toBe(0o600);
      expect(readFileSync(join(dir, f), 'utf8')).toMatch(/^-----BEGIN PGP MESSAGE-----/);
    }
    // resolution: other engineers' entry point, with the archive passphrase from the environment
    expect(await resolveMailboxPassword(loadConfig(o.app.paths.config).mailbox!, { home: o.home, env: ENV, stored: storedMailboxPassword(o.app, loadConfig(o.app.paths.config)) })).toBe('awal-rahasia-uji-1');
    await collectStored(o);
    assertNoPasswordLeaked(o);
  });

  it('rotasi (dovecot-passwd): four steps, the new password works, the old one stops working, previous is kept', async () => {
    const o = await office('awal-rahasia-uji-2', { adapter: 'dovecot-passwd', file: stack.passwdFile });
    const r = await run(() => o.svc().rotasi());
    expect(r.steps.map((s) => s.step)).toEqual([1, 2, 3, 4]);
    expect(r).toMatchObject({ rotated: true, resumed: false, adapter: 'dovecot-passwd' });
    expect(r.age.daysLeft).toBe(90);
    const stored = await collectStored(o);
    expect(stored.previous).toBe('awal-rahasia-uji-2');
    expect(stored.current).toHaveLength(24);
    expect(await canLogin(stored.current)).toBe(true);
    expect(await canLogin('awal-rahasia-uji-2')).toBe(false);
    expect(await run(() => o.svc().uji())).toMatchObject({ imap: { ok: true }, smtp: { ok: true } });
    // the passwd-file holds a salted hash, not the password
    expect(readFileSync(stack.passwdFile, 'utf8')).not.toContain(stored.current);
    // not due again: --jika-jatuh-tempo does nothing
    const again = await run(() => o.svc().rotasi({ onlyIfDue: true }));
    expect(again).toMatchObject({ rotated: false, skipped: 'belum-jatuh-tempo', steps: [] });
    const st = o.svc().status();
    expect(st).toMatchObject({ state: 'aman', warning: false, daysLeft: 90, previousKept: true, rotation: null, lastRotation: { status: 'selesai' } });
    assertNoPasswordLeaked(o);
  });

  it.each([1, 2, 3])('stopped after step %i, a login still works, and a rerun converges', async (n) => {
    const o = await office(`awal-rahasia-uji-henti-${n}`, { adapter: 'dovecot-passwd', file: stack.passwdFile });
    await expect(
      run(() =>
        o.svc().rotasi({
          afterStep: (s) => {
            if (s === n) throw new SandiError('TEMPFAIL', 'akun.changeTempfail', { adapter: 'uji', reason: `stopped after step ${n}` });
          },
        }),
      ),
    ).rejects.toThrow(/stopped after step/);
    const mid = await collectStored(o);
    expect(mid.pending).not.toBeNull();
    // the operator can log in: resolution gives the password the server has now
    const live = await resolveMailboxPasswordWithSource(loadConfig(o.app.paths.config).mailbox!, { home: o.home, env: ENV, stored: storedMailboxPassword(o.app, loadConfig(o.app.paths.config)) });
    expect(live.slot).toBe(n === 1 ? 'kini' : 'tertunda');
    await untilLogin(live.password); // (Dovecot applies a change within a second)
    expect(o.svc().status().rotation).toMatchObject({ stepsDone: n });

    const r = await run(() => o.svc().rotasi({ onlyIfDue: true }));
    expect(r).toMatchObject({ rotated: true, resumed: true });
    expect(r.steps.map((s) => s.step)).toEqual([2, 3, 4].filter((s) => s > n));
    const end = await collectStored(o);
    expect(end.current).toBe(mid.pending);
    expect(end.previous).toBe(`awal-rahasia-uji-henti-${n}`);
    expect(await canLogin(end.current)).toBe(true);
    expect(await canLogin(`awal-rahasia-uji-henti-${n}`)).toBe(false);
    assertNoPasswordLeaked(o);
  });

  it('a change the command reported as failed but the server took is detected and finished', async () => {
    const o = await office('awal-rahasia-uji-3', { adapter: 'perintah', command: [process.execPath, SCRIPT, stack.passwdFile, 'set-then-fail'] });
    const r = await run(() => o.svc().rotasi());
    expect(r.steps.map((s) => [s.step, s.outcome])).toEqual([
      [1, 'dikerjakan'],
      [2, 'sudah-berlaku'],
      [3, 'dikerjakan'],
      [4, 'dikerjakan'],
    ]);
    const end = await collectStored(o);
    expect(await canLogin(end.current)).toBe(true);
    assertNoPasswordLeaked(o);
  });

  it('the server refusing the change leaves the old password current and says why', async () => {
    const o = await office('awal-rahasia-uji-4', { adapter: 'perintah', command: [process.execPath, SCRIPT, stack.passwdFile, 'refuse'] });
    const err = await run(() => o.svc(0).rotasi()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SandiError);
    expect(err).toMatchObject({ code: 'DATA', key: 'akun.rotationRefused' });
    expect(t((err as SandiError).key, (err as SandiError).params)).toContain('kata sandi baru pernah dipakai sebelumnya');
    const st = o.svc().status();
    expect(st.rotation).toBeNull();
    expect(st.lastRotation).toMatchObject({ status: 'ditolak', reason: expect.stringContaining('pernah dipakai') as unknown });
    const stored = await collectStored(o);
    expect(stored.current).toBe('awal-rahasia-uji-4');
    expect(await canLogin('awal-rahasia-uji-4')).toBe(true);
    expect(await run(() => o.svc().uji())).toMatchObject({ slot: 'kini', imap: { ok: true }, smtp: { ok: true } });
    // the refused rotation's password is gone from the store at the next run, which starts afresh
    const cfg = loadConfig(o.app.paths.config);
    cfg.mailbox!.passwordChange = { adapter: 'dovecot-passwd', file: stack.passwdFile };
    saveConfig(o.app.paths.config, cfg);
    const r = await run(() => o.svc().rotasi());
    expect(r.steps.map((s) => s.step)).toEqual([1, 2, 3, 4]);
    expect(readdirSync(join(o.home, 'kredensial')).filter((f) => f.endsWith('.asc'))).toHaveLength(2);
    await collectStored(o);
    assertNoPasswordLeaked(o);
  });

  it('dovecot-passwd refuses when the stored password is not the one in the file (and nothing changes)', async () => {
    const o = await office('awal-rahasia-uji-5', { adapter: 'dovecot-passwd', file: stack.passwdFile });
    stack.setPassword(USER, 'diganti-admin-uji-5');
    secrets.add('diganti-admin-uji-5');
    await untilLogin('diganti-admin-uji-5');
    const err = await run(() => o.svc(0).rotasi()).catch((e: unknown) => e);
    expect(err).toMatchObject({ key: 'akun.rotationRefused', params: { reason: expect.stringContaining('old password does not match') as unknown } });
    expect(await canLogin('diganti-admin-uji-5')).toBe(true);
    await collectStored(o);
    assertNoPasswordLeaked(o);
  });

  it('passwordCommand and the environment are the later sources; a first rotation adopts them into the store', async () => {
    const o = await office('awal-rahasia-uji-6', { adapter: 'dovecot-passwd', file: stack.passwdFile });
    const account = { ...loadConfig(o.app.paths.config).mailbox!, passwordCommand: [process.execPath, '-e', 'process.stdout.write("dari-perintah-uji\\n")'] };
    const fresh = mkdtempSync(join(tmpdir(), 'sandi-akun-kosong-'));
    cleanup.push(fresh);
    const stored = storedMailboxPassword(openApp(fresh), loadConfig(o.app.paths.config));
    expect(await resolveMailboxPasswordWithSource(account, { home: fresh, env: {}, stored })).toEqual({ password: 'dari-perintah-uji', source: 'perintah' });
    const { passwordCommand: _unused, ...noCommand } = account;
    expect(await resolveMailboxPasswordWithSource(noCommand, { home: fresh, env: { SANDI_MAILBOX_PASSWORD: 'dari-env' }, stored })).toEqual({ password: 'dari-env', source: 'lingkungan' });
    await expect(resolveMailboxPassword(noCommand, { home: fresh, env: {}, stored })).rejects.toMatchObject({ key: 'mail.passwordMissing' });
    writeFileSync(join(fresh, 'x'), '');
  });

  it('sandi periksa logs in with the stored password through the same tester; a password the server no longer takes is GAGAL 77', async () => {
    const { periksa } = await import('../../src/services/periksa.js');
    const { periksaPorts } = await import('../../src/app.js');
    const o = await office('awal-rahasia-uji-13', { adapter: 'dovecot-passwd', file: stack.passwdFile });
    const doctor = async () => (await periksa({ app: o.app, env: ENV, actor: 'tes', passphrases: passphraseSource({ env: ENV }), ports: await periksaPorts() })).find((c) => c.check === 'kotak-surat')!;
    expect(await doctor()).toMatchObject({ status: 'ok', findings: [{ key: 'periksa.mail.ok', params: { user: USER, source: 'penyimpanan' } }] });
    stack.setPassword(USER, 'diganti-di-server-13');
    secrets.add('diganti-di-server-13');
    // Dovecot re-reads its passwd-file at most once a second: ask again until both logins see the change
    let refused = await doctor();
    for (let i = 0; i < 20 && refused.findings.length < 2; i++) {
      await new Promise((r) => setTimeout(r, 250));
      refused = await doctor();
    }
    expect(refused).toMatchObject({ status: 'gagal', exitCode: 77 });
    expect(refused.findings.map((f) => f.params['protocol'])).toEqual(['IMAP', 'SMTP']);
    for (const f of refused.findings) expect(f).toMatchObject({ key: 'periksa.mail.fail', params: { user: USER }, hint: { key: expect.stringMatching(/^mail\./) } });
    said.push(JSON.stringify(refused));
    assertNoPasswordLeaked(o);
  });
});

