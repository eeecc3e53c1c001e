/**
 * `sandi terima` when the IMAP connection drops mid-fetch, against the real Dovecot behind a loopback proxy
 * that cuts the TCP connection after a number of bytes from the server (test/helpers/cut-proxy.ts): mid-
 * download of a large (streamed) message, inside a batch FETCH of small ones, closed (FIN) or reset (RST).
 * Each time a new client takes over and the run goes on from the recorded position: every message is
 * registered exactly once and the archive holds the server's bytes. When every new connection is cut again,
 * or the server cannot be reached again, the run stops after the bounded retries with a clear error
 * (TEMPFAIL 75 / UNAVAILABLE 69), and what was registered before stays registered.
 */
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ImapFlow } from 'imapflow';
import { testImapClient } from '../helpers/imap-client.js';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { terimaService } from '../../src/services/terima/index.js';
import { passphraseSource } from '../../src/config/passphrase.js';
import { getIncoming, listIncoming } from '../../src/adapters/sqlite/registers.js';
import { SandiError } from '../../src/errors.js';
import { describeWith } from '../helpers/gate.js';
import { BIN } from '../helpers/cli.js';
import { cutProxy, type CutProxy } from '../helpers/cut-proxy.js';
import { mailStackMissing, startMailStack, type MailStack, type MailUser } from '../helpers/mailstack.js';
import { ARSIP_PASSPHRASE, compose, demoOffice, type DemoOffice } from '../helpers/terima-fixture.js';
import { terimaPorts } from '../../src/app/terima.js';

const missing = mailStackMissing();

describeWith(missing === null ? 'dovecot+postfix' : `dovecot+postfix (needs ${missing})`, missing === null, 'sandi terima: a dropped IMAP connection', () => {
  let stack: MailStack;
  let office: DemoOffice;
  let user: MailUser;
  let client: ImapFlow;
  let proxy: CutProxy;

  const useFolder = (folder: string) =>
    office.patchConfig({
      mailbox: {
        user: user.user,
        imap: { host: '127.0.0.1', port: proxy.port, tls: 'tls' },
        smtp: { host: stack.smtp.host, port: stack.smtp.port, tls: 'starttls' },
        caFile: stack.caFile,
      },
      terima: { folder },
    });
  const run = async (max = 5) => {
    const warnings: { key: string; params: Record<string, string | number> }[] = [];
    const svc = terimaService(office.app, {
      actor: 'sandiman-uji',
      env: { SANDI_MAILBOX_PASSWORD: user.password },
      passphrases: passphraseSource({ env: { SANDI_PASSPHRASE_ARSIP: ARSIP_PASSPHRASE } }),
      warn: (key, params) => warnings.push({ key, params }),
      reconnect: { max, pauseMs: 10 },
    }, terimaPorts(office.app));
    try {
      return { report: await svc.fetch(), warnings, error: null as SandiError | null, svc };
    } catch (e) {
      if (!(e instanceof SandiError)) throw e;
      return { report: null, warnings, error: e, svc };
    }
  };
  const letter = (tag: string, i: number, bytes = 0) =>
    compose({
      from: 'Sekretariat Daerah <setda@pemkot.test>',
      to: user.email,
      subject: `Putus ${tag} ${i} — “uji”`,
      messageId: `<putus-${tag}-${i}@pemkot.test>`,
      text: `Nomor : 005/${i}/SETDA/2026\n\n${'Isi surat. '.repeat(200)}\n`,
      attachments: bytes > 0 ? [{ filename: `pindaian-${i}.pdf`, content: randomBytes(bytes), contentType: 'application/pdf' }] : [],
    });
  const fill = async (folder: string, raws: Buffer[]) => {
    await client.mailboxCreate(folder);
    for (const raw of raws) {
      const r = await client.append(folder, raw, []);
      if (r === false) throw new Error(`APPEND to ${folder} failed`);
    }
  };
  const registeredIn = (folder: string) => [...listIncoming(office.app.store())].filter((r) => r.folder === folder);
  const archiveTmp = () => {
    try {
      return readdirSync(join(office.home, 'arsip', 'surat-masuk', 'tmp'));
    } catch {
      return [];
    }
  };
  /** the raw bytes Dovecot holds for `uid` in `folder` */
  const onServer = async (folder: string, uid: number) => {
    const lock = await client.getMailboxLock(folder);
    try {
      const dl = await client.download(String(uid), undefined, { uid: true });
      if (!dl.content) throw new Error('message not on the server');
      const chunks: Buffer[] = [];
      for await (const c of dl.content) chunks.push(c as Buffer);
      return Buffer.concat(chunks);
    } finally {
      lock.release();
    }
  };

  beforeAll(async () => {
    [stack, office] = await Promise.all([startMailStack(), demoOffice()]);
    user = stack.user('sandi@kominfo.test');
    client = await testImapClient(stack, user);
    proxy = await cutProxy(stack.imap, () => null);
  }, 120_000);
  afterAll(async () => {
    await proxy?.close();
    await client?.logout().catch(() => undefined);
    await stack?.stop();
    office?.cleanup();
  });

  it('cut mid-download of a large message (closed, then reset on the next connection): a new client goes on; each message once, the archive holds the server bytes', async () => {
    const raws = [await letter('A', 1), await letter('A', 2), await letter('A', 3, 6 * 1024 * 1024), await letter('A', 4)];
    await fill('PutusA', raws);
    useFolder('PutusA');
    const base = proxy.connections;
    const cutsBefore = proxy.cuts;
    // connection 1: cut 3 MB into the 8 MB (base64) message; connection 2: cut 1 MB into it, by RST
    proxy.plan = (n) => (n === base ? { afterBytes: 3_000_000, how: 'close' } : n === base + 1 ? { afterBytes: 1_000_000, how: 'reset' } : null);
    const r = await run();
    expect(r.error).toBeNull();
    expect(proxy.cuts - cutsBefore).toBe(2);
    expect(r.warnings.filter((w) => w.key === 'terima.reconnecting').map((w) => w.params['attempt'])).toEqual([1, 2]);
    expect(r.report?.diperiksa).toBe(4);
    expect(r.report?.baru).toHaveLength(4);
    const rows = registeredIn('PutusA');
    expect(rows.map((x) => x.perihal)).toEqual([1, 2, 3, 4].map((i) => `Putus A ${i} — “uji”`));
    const big = getIncoming(office.app.store(), rows[2]!.id);
    const server = await onServer('PutusA', big.uid!);
    expect(big.rawSize).toBe(server.length);
    expect(big.rawSha256).toBe(createHash('sha256').update(server).digest('hex'));
    expect(readFileSync(r.svc.archive.pathOf(big.rawSha256)).equals(server)).toBe(true);
    expect(archiveTmp()).toEqual([]); // the cut-off partial copies were removed
    proxy.plan = () => null;
    expect((await run()).report?.baru).toHaveLength(0);
  }, 60_000);

  it('cut inside a batch FETCH of small messages: the rest is fetched by a new client, nothing twice, nothing skipped', async () => {
    const raws = await Promise.all(Array.from({ length: 40 }, (_, i) => letter('B', i + 1, 20_000)));
    await fill('PutusB', raws);
    useFolder('PutusB');
    const base = proxy.connections;
    const cutsBefore = proxy.cuts;
    proxy.plan = (n) => (n === base ? { afterBytes: 400_000, how: 'reset' } : n === base + 1 ? { afterBytes: 1_200_000, how: 'close' } : null);
    const r = await run();
    expect(r.error).toBeNull();
    expect(proxy.cuts - cutsBefore).toBe(2);
    expect(r.report?.diperiksa).toBe(40);
    expect(r.report?.baru).toHaveLength(40);
    const rows = registeredIn('PutusB');
    expect(rows).toHaveLength(40);
    expect(new Set(rows.map((x) => x.messageId)).size).toBe(40);
    expect(rows.map((x) => x.uid)).toEqual([...rows.map((x) => x.uid)].sort((a, b) => (a ?? 0) - (b ?? 0)));
    proxy.plan = () => null;
    expect((await run()).report?.baru).toHaveLength(0);
  }, 60_000);

  it('every new connection cut again: stops after the bounded retries with TEMPFAIL terima.connectionGaveUp; what arrived before stays; a later run completes', async () => {
    const raws = [await letter('C', 1), await letter('C', 2, 9 * 1024 * 1024), await letter('C', 3)];
    await fill('PutusC', raws);
    useFolder('PutusC');
    proxy.plan = () => ({ afterBytes: 1_500_000, how: 'close' });
    const r = await run(3);
    expect(r.error).not.toBeNull();
    expect({ code: r.error?.code, key: r.error?.key, exit: r.error?.exitCode }).toEqual({ code: 'TEMPFAIL', key: 'terima.connectionGaveUp', exit: 75 });
    expect(r.error?.params).toMatchObject({ attempts: 3, registered: 1 });
    expect(r.warnings.filter((w) => w.key === 'terima.reconnecting')).toHaveLength(3);
    expect(registeredIn('PutusC').map((x) => x.perihal)).toEqual(['Putus C 1 — “uji”']);
    expect(archiveTmp()).toEqual([]);
    proxy.plan = () => null;
    const again = await run();
    expect(again.report?.baru.map((a) => a.perihal)).toEqual(['Putus C 2 — “uji”', 'Putus C 3 — “uji”']);
    expect(registeredIn('PutusC')).toHaveLength(3);
  }, 60_000);

  it('the server unreachable after the cut: UNAVAILABLE (69) terima.connectionGaveUp; reachable again, the run completes', async () => {
    const raws = [await letter('D', 1, 9 * 1024 * 1024), await letter('D', 2)];
    await fill('PutusD', raws);
    useFolder('PutusD');
    const base = proxy.connections;
    proxy.plan = (n) => (n === base ? { afterBytes: 1_000_000, how: 'reset', thenRefuse: true } : null);
    const r = await run(2);
    expect({ code: r.error?.code, key: r.error?.key, exit: r.error?.exitCode }).toEqual({ code: 'UNAVAILABLE', key: 'terima.connectionGaveUp', exit: 69 });
    expect(String(r.error?.params['reason'])).toContain('mail.unreachable');
    expect(registeredIn('PutusD')).toHaveLength(0);
    await proxy.reopen();
    expect((await run()).report?.baru).toHaveLength(2);
  }, 60_000);

  it('the CLI: reconnect warnings on stderr, then exit 75 with the give-up message naming the server', async () => {
    const raws = [await letter('E', 1, 9 * 1024 * 1024)];
    await fill('PutusE', raws);
    useFolder('PutusE');
    proxy.plan = () => ({ afterBytes: 1_000_000, how: 'reset' });
    // not spawnSync: the proxy lives in this process and must keep forwarding while the CLI runs
    const child = spawn(process.execPath, [BIN, '--home', office.home, '--no-input', 'terima'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { PATH: process.env['PATH'], HOME: process.env['HOME'], SANDI_OPERATOR: 'sandiman-uji', SANDI_MAILBOX_PASSWORD: user.password, SANDI_PASSPHRASE_ARSIP: ARSIP_PASSPHRASE },
    });
    let stderr = '';
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    child.stdout.resume();
    const status = await new Promise<number | null>((resolve) => child.on('close', resolve));
    const r = { status, stderr };
    expect(r.status).toBe(75);
    expect(r.stderr).toContain('menyambung ulang, percobaan 5 dari 5');
    expect(r.stderr).toContain(`Sambungan ke server IMAP 127.0.0.1:${proxy.port} terputus 5 kali berturut-turut`);
    expect(registeredIn('PutusE')).toHaveLength(0);
    proxy.plan = () => null;
    expect((await run()).report?.baru).toHaveLength(1);
  }, 60_000);
});
