/**
 * What `sandi terima` records must be what happened, against the real Postfix + Dovecot:
 * - `terima teruskan` with a cc address Postfix refuses (554 5.7.1 Relay access denied: the test stack relays
 *   to no domain of its own) records only the address the server accepted, reports the refused one with the
 *   server's reply, exits non-zero, and a rerun sends only the refused one;
 * - the CLI killed (SIGKILL) while it streams a message into the archive leaves a temp file of raw mail, which
 *   `arsip-periksa` reports and the next run removes; killed after a batch of kriptogram was registered and
 *   before they were all read, the next run reads the ones left `terdaftar`.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ImapFlow } from 'imapflow';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { testImapClient } from '../helpers/imap-client.js';
import { listMaildir } from '../../src/adapters/maildir.js';
import { listIncomingSteps } from '../../src/adapters/sqlite/registers.js';
import { describeWith } from '../helpers/gate.js';
import { BIN, sandi } from '../helpers/cli.js';
import { mailStackMissing, startMailStack, type MailStack, type MailUser } from '../helpers/mailstack.js';
import { ARSIP_PASSPHRASE, DEMO_UNIT_MAILDIR, compose, demoOffice, type DemoOffice } from '../helpers/terima-fixture.js';

const missing = mailStackMissing();

describeWith(missing === null ? 'dovecot+postfix' : `dovecot+postfix (needs ${missing})`, missing === null, 'sandi terima: the register records what happened', () => {
  let stack: MailStack;
  let office: DemoOffice;
  let user: MailUser;
  let client: ImapFlow;
  let env: NodeJS.ProcessEnv;

  const mailbox = () => ({
    user: user.user,
    imap: { host: stack.imap.host, port: stack.imap.port, tls: 'tls' },
    smtp: { host: stack.smtp.host, port: stack.smtp.port, tls: 'starttls' },
    caFile: stack.caFile,
  });
  const cli = (args: string[]) => sandi(['--home', office.home, '--no-input', ...args], { env });
  const append = async (folder: string, raw: Buffer) => {
    if ((await client.append(folder, raw, [])) === false) throw new Error(`APPEND to ${folder} failed`);
  };
  const delivered = (email: string): number => {
    const [local, domain] = email.split('@') as [string, string];
    const dir = join(stack.dir, 'mail', domain, local, 'Maildir');
    return existsSync(dir) ? listMaildir(dir).length : 0;
  };
  const waitUntil = async (what: string, check: () => boolean, ms = 20_000): Promise<void> => {
    const deadline = Date.now() + ms;
    while (!check()) {
      if (Date.now() > deadline) throw new Error(`${what}: not within ${ms} ms\n${stack.logs().slice(-3000)}`);
      await new Promise((r) => setTimeout(r, 2));
    }
  };

  beforeAll(async () => {
    [stack, office] = await Promise.all([startMailStack(), demoOffice()]);
    user = stack.user('sandi@kominfo.test');
    office.patchConfig({ mailbox: mailbox() });
    client = await testImapClient(stack, user);
    env = { SANDI_OPERATOR: 'sandiman-uji', SANDI_MAILBOX_PASSWORD: user.password, SANDI_PASSPHRASE_ARSIP: ARSIP_PASSPHRASE };
  }, 120_000);
  afterAll(async () => {
    await client?.logout().catch(() => undefined);
    await stack?.stop();
    office?.cleanup();
  });

  it('teruskan: a cc address Postfix refuses is not recorded as forwarded, is reported with the reply, exits 65; a rerun sends only it', async () => {
    const dir = join(office.home, 'impor-tembusan');
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, 'tembusan.eml'),
      'From: Setda <setda@pemkot.test>\r\nTo: sandi@kominfo.test\r\nCc: opd1@dinkes.test, relay@elsewhere.test\r\nSubject: Tembusan ditolak sebagian\r\nMessage-ID: <tembusan-tolak@pemkot.test>\r\n\r\nUntuk diketahui.\r\n',
    );
    const imp = cli(['--json', 'terima', '--dari-folder', dir]);
    expect(imp.code, imp.stderr).toBe(0);
    const arrival = imp.json<{ baru: { id: number; nomor: string }[] }>().baru[0]!;
    const opd1Before = delivered('opd1@dinkes.test');

    const r = cli(['terima', 'teruskan', arrival.nomor]);
    expect(r.code, r.stdout + r.stderr).toBe(65);
    expect(r.stdout).toContain(`${arrival.nomor} diteruskan ke opd1@dinkes.test.`);
    expect(r.stdout).toMatch(/server menolak relay@elsewhere\.test, TIDAK diteruskan: 554 5\.7\.1 .*Relay access denied/);
    expect(r.stderr).toContain('relay@elsewhere.test');
    const steps = () => listIncomingSteps(office.app.store(), arrival.id).filter((s) => s.langkah === 'teruskan');
    expect(steps()).toHaveLength(1);
    const data = steps()[0]!.data as { ke: string[]; ditolak: { alamat: string; balasan: string; kode: number }[] };
    expect(data.ke).toEqual(['opd1@dinkes.test']);
    expect(data.ditolak).toEqual([{ alamat: 'relay@elsewhere.test', balasan: expect.stringMatching(/^554 5\.7\.1 .*Relay access denied/), kode: 554 }]);
    // the audit event says the same
    const audit = office.app.store().db.prepare<[], { data: string }>("SELECT data FROM audit_log WHERE action = 'surat_masuk.langkah.teruskan' ORDER BY id DESC LIMIT 1").get();
    expect((JSON.parse(audit!.data) as { ke: string[] }).ke).toEqual(['opd1@dinkes.test']);
    await waitUntil('forwarded copy delivered to opd1', () => delivered('opd1@dinkes.test') === opd1Before + 1);

    // a rerun retries only the refused address (refused again: nothing recorded, opd1 not sent a second copy)
    const again = cli(['--json', 'terima', 'teruskan', arrival.nomor]);
    expect(again.code, again.stderr).toBe(65);
    expect(again.stderr).toMatch(/relay@elsewhere\.test.*Relay access denied/);
    expect(again.stderr).not.toContain('opd1@dinkes.test');
    expect(steps()).toHaveLength(1);
    // forwarded to every cc address that can be: nothing left to send
    const opd2Before = delivered('opd2@disdik.test');
    const explicit = cli(['--json', 'terima', 'teruskan', arrival.nomor, '--ke', 'opd2@disdik.test', 'relay@elsewhere.test']);
    expect(explicit.code).toBe(65);
    expect(explicit.json<{ ke: string[]; ditolak: { alamat: string }[] }>()).toMatchObject({ ke: ['opd2@disdik.test'], ditolak: [{ alamat: 'relay@elsewhere.test' }] });
    await waitUntil('explicit forward delivered to opd2', () => delivered('opd2@disdik.test') === opd2Before + 1);
    expect(delivered('opd1@dinkes.test')).toBe(opd1Before + 1);
  }, 60_000);

  it('automatic forwarding: the address Postfix refuses is warned and listed under ditolak, not recorded; the fetch goes on (exit 0)', () => {
    office.patchConfig({ mailbox: mailbox(), terima: { teruskanOtomatis: true, teruskanDomain: ['dinkes.test', 'elsewhere.test'] } });
    try {
      const dir = join(office.home, 'impor-otomatis');
      mkdirSync(dir, { recursive: true });
      writeFileSync(
        join(dir, 'otomatis.eml'),
        'From: Setda <setda@pemkot.test>\r\nTo: sandi@kominfo.test\r\nCc: opd1@dinkes.test, tembusan@elsewhere.test\r\nSubject: Tembusan otomatis ditolak\r\nMessage-ID: <otomatis-tolak@pemkot.test>\r\n\r\nIsi.\r\n',
      );
      const r = cli(['--json', 'terima', '--dari-folder', dir]);
      expect(r.code, r.stderr).toBe(0);
      const report = r.json<{ baru: { id: number; nomor: string }[]; diteruskan: unknown[]; ditolak: unknown[] }>();
      const { id, nomor } = report.baru[0]!;
      expect(report.diteruskan).toEqual([{ nomor, ke: ['opd1@dinkes.test'] }]);
      expect(report.ditolak).toEqual([{ nomor, ke: [{ alamat: 'tembusan@elsewhere.test', balasan: expect.stringMatching(/^554 5\.7\.1 .*Relay access denied/), kode: 554 }] }]);
      expect(r.stderr).toContain('tembusan@elsewhere.test');
      const steps = listIncomingSteps(office.app.store(), id).filter((s) => s.langkah === 'teruskan');
      expect(steps.map((s) => (s.data as { ke: string[] }).ke)).toEqual([['opd1@dinkes.test']]);
    } finally {
      office.patchConfig({ mailbox: mailbox(), terima: {} });
    }
  }, 60_000);

  it('killed mid-run: a temp file of raw mail is reported by arsip-periksa and removed by the next run; kriptogram left `terdaftar` are read by it', async () => {
    const db = office.app.store().db;
    const tmp = join(office.home, 'arsip', 'surat-masuk', 'tmp');
    const temps = () => (existsSync(tmp) ? readdirSync(tmp).filter((f) => f.endsWith('.tmp')) : []);
    const run = () => spawn(process.execPath, [BIN, '--home', office.home, '--no-input', 'terima'], { stdio: 'ignore', env: { PATH: process.env['PATH'], HOME: process.env['HOME'], ...env } });
    const killWhen = async (what: string, cond: () => boolean): Promise<void> => {
      const child = run();
      const exited = new Promise((r) => child.on('exit', r));
      try {
        await waitUntil(what, cond, 60_000);
      } finally {
        child.kill('SIGKILL');
        await exited;
      }
    };

    // 1. killed while a large message streams into the archive
    office.patchConfig({ mailbox: mailbox(), terima: { folder: 'Besar' } });
    await client.mailboxCreate('Besar');
    await append('Besar', await compose({ from: 'opd1@dinkes.test', to: user.email, subject: 'Pindaian besar', messageId: '<besar-kill@dinkes.test>', text: 'Terlampir.\n', attachments: [{ filename: 'pindaian.pdf', content: randomBytes(24 * 1024 * 1024), contentType: 'application/pdf' }] }));
    await killWhen('a temp file in the archive', () => temps().length > 0);
    expect(temps().length).toBeGreaterThan(0);
    const periksa = cli(['--json', 'terima', 'arsip-periksa']);
    expect(periksa.code, periksa.stderr).toBe(0);
    const sementara = periksa.json<{ sementara?: { path: string; hidup: boolean }[] }>().sementara ?? [];
    expect(sementara.filter((f) => !f.hidup).map((f) => f.path.split('/').pop())).toEqual(temps());
    expect(periksa.stderr).toContain('berkas sementara');

    // 2. killed after a batch of 8 kriptogram was registered, while they are being read (one batch: up to
    // BATCH_MESSAGES are fetched at once; reading one takes ~0.25 s, so the kill lands long before the last)
    const kriptogram = readFileSync(listMaildir(join(office.home, 'maildir', DEMO_UNIT_MAILDIR))[0]!.path, 'latin1');
    office.patchConfig({ mailbox: mailbox(), terima: { folder: 'Kripto' } });
    await client.mailboxCreate('Kripto');
    const total = 8;
    for (let i = 0; i < total; i++) await append('Kripto', Buffer.from(kriptogram.replace(/^Message-ID: <[^>]+>/m, `Message-ID: <kripto-kill-${i}@diskominfo.sandi.invalid>`), 'latin1'));
    const unread = () => db.prepare<[], { n: number }>("SELECT count(*) AS n FROM kriptogram_masuk WHERE folder = 'Kripto' AND status = 'terdaftar'").get()!.n;
    await killWhen('the batch registered', () => unread() > 0);
    const left = unread();
    expect(left).toBeGreaterThan(0);

    // 3. the next run reads them, and removes the temp files of the killed runs
    const r = cli(['--json', 'terima']);
    expect(r.code, r.stderr).toBe(0);
    expect(unread()).toBe(0);
    const report = r.json<{ baru: unknown[]; dilanjutkan: { status: string }[]; sementaraDihapus: number }>();
    expect(report.dilanjutkan.map((a) => a.status)).toEqual(Array.from({ length: left }, () => 'terbaca'));
    expect(db.prepare<[], { n: number }>("SELECT count(*) AS n FROM kriptogram_masuk WHERE folder = 'Kripto' AND status = 'terbaca'").get()!.n).toBe(total);
    expect(temps()).toEqual([]);
    const clean = cli(['--json', 'terima', 'arsip-periksa']);
    expect(clean.code).toBe(0);
    expect(clean.json<{ sementara: unknown[] }>().sementara).toEqual([]);
    expect(cli(['audit', 'periksa']).code).toBe(0);
  }, 120_000);
});
