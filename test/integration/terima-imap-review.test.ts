/**
 * `sandi terima` against the real Dovecot, the review findings on the IMAP fetch:
 * - the folder's UIDs went back under the same UIDVALIDITY (server restored from a backup: UIDNEXT below the
 *   recorded position): the folder is read again from the start with a warning; what is registered already
 *   is recognised, nothing is skipped, and a rerun finds nothing new (and warns no more);
 * - terima.pindahKe naming a folder that does not exist, or the folder being read: a CONFIG error (78) before
 *   anything is fetched, nothing registered, nothing moved; a MOVE the server refuses carries its reply;
 * - a message that always fails to download: the give-up error names the folder and the UID.
 */
import { randomBytes } from 'node:crypto';
import type { ImapFlow } from 'imapflow';
import { testImapClient } from '../helpers/imap-client.js';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { terimaService } from '../../src/services/terima/index.js';
import { passphraseSource } from '../../src/config/passphrase.js';
import { listIncoming } from '../../src/adapters/sqlite/registers.js';
import { getFolderPosition, setFolderPosition } from '../../src/adapters/sqlite/terima.js';
import { ImapMailbox } from '../../src/adapters/mail/imap.js';
import { t } from '../../src/cli/messages/index.js';
import { SandiError } from '../../src/errors.js';
import { describeWith } from '../helpers/gate.js';
import { cutProxy, type CutProxy } from '../helpers/cut-proxy.js';
import { mailStackMissing, startMailStack, type MailStack, type MailUser } from '../helpers/mailstack.js';
import { ARSIP_PASSPHRASE, compose, demoOffice, type DemoOffice } from '../helpers/terima-fixture.js';
import { terimaPorts } from '../../src/app/terima.js';

const missing = mailStackMissing();

describeWith(missing === null ? 'dovecot' : `dovecot (needs ${missing})`, missing === null, 'sandi terima: IMAP review findings', () => {
  let stack: MailStack;
  let office: DemoOffice;
  let user: MailUser;
  let client: ImapFlow;
  let proxy: CutProxy;

  /** read `folder` (through the cut proxy when `viaProxy`), moving to `pindahKe` */
  const useFolder = (folder: string, pindahKe: string | null = null, viaProxy = false) =>
    office.patchConfig({
      mailbox: {
        user: user.user,
        imap: viaProxy ? { host: '127.0.0.1', port: proxy.port, tls: 'tls' } : { host: stack.imap.host, port: stack.imap.port, tls: 'tls' },
        smtp: { host: stack.smtp.host, port: stack.smtp.port, tls: 'starttls' },
        caFile: stack.caFile,
      },
      terima: { folder, pindahKe },
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
      return { report: await svc.fetch(), warnings, error: null as SandiError | null };
    } catch (e) {
      if (!(e instanceof SandiError)) throw e;
      return { report: null, warnings, error: e };
    }
  };
  const letter = (tag: string, i: number, bytes = 0) =>
    compose({
      from: 'Sekretariat Daerah <setda@pemkot.test>',
      to: user.email,
      subject: `Tinjau ${tag} ${i}`,
      messageId: `<tinjau-${tag}-${i}@pemkot.test>`,
      text: `Nomor : 005/${i}/SETDA/2026\n\nIsi surat ${tag} ${i}.\n`,
      attachments: bytes > 0 ? [{ filename: `pindaian-${i}.pdf`, content: randomBytes(bytes), contentType: 'application/pdf' }] : [],
    });
  const append = async (folder: string, raw: Buffer) => {
    const r = await client.append(folder, raw, []);
    if (r === false) throw new Error(`APPEND to ${folder} failed`);
  };
  const registeredIn = (folder: string) => [...listIncoming(office.app.store())].filter((r) => r.folder === folder);
  const messagesIn = async (folder: string) => {
    const st = await client.status(folder, { messages: true });
    if (st === false) throw new Error(`STATUS ${folder} failed`);
    return st.messages ?? 0;
  };
  const uidValidityOf = async (folder: string) => {
    const st = await client.status(folder, { uidValidity: true });
    if (st === false || st.uidValidity === undefined) throw new Error(`STATUS ${folder} failed`);
    return Number(st.uidValidity);
  };
  /** the position a run recorded before the server was restored from an older backup */
  const recordPosition = async (folder: string, lastUid: number) => {
    const uidvalidity = await uidValidityOf(folder);
    office.app.store().write((tx) => setFolderPosition(tx, user.user, folder, { uidvalidity, lastUid }, new Date()));
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

  it('UIDs gone back under the same UIDVALIDITY (restored from a backup): read again from the start with a warning; nothing skipped, nothing twice', async () => {
    await client.mailboxCreate('Pulih');
    await recordPosition('Pulih', 50);
    useFolder('Pulih');
    for (let i = 1; i <= 3; i++) await append('Pulih', await letter('P', i));

    const first = await run();
    expect(first.error).toBeNull();
    expect(first.report?.baru.map((a) => a.perihal)).toEqual(['Tinjau P 1', 'Tinjau P 2', 'Tinjau P 3']);
    expect(first.report?.uidvalidityBerubah).toBe(false);
    const warned = first.warnings.filter((w) => w.key === 'terima.uidNextBackwards');
    expect(warned).toEqual([{ key: 'terima.uidNextBackwards', params: { folder: 'Pulih', uidNext: 4, lastUid: 50 } }]);
    expect(getFolderPosition(office.app.store(), user.user, 'Pulih')?.lastUid).toBe(3);

    const again = await run();
    expect(again.report?.baru).toHaveLength(0);
    expect(again.report?.duplikat).toHaveLength(0);
    expect(again.warnings).toEqual([]);

    // restored once more, with the three already registered still there and one new: only the new one is registered
    await recordPosition('Pulih', 50);
    await append('Pulih', await letter('P', 4));
    const third = await run();
    expect(third.report?.baru.map((a) => a.perihal)).toEqual(['Tinjau P 4']);
    expect(third.report?.duplikat).toHaveLength(3);
    expect(third.warnings.map((w) => w.key)).toEqual(['terima.uidNextBackwards']);
    expect(registeredIn('Pulih')).toHaveLength(4);
    expect((await run()).report?.baru).toHaveLength(0);
  }, 60_000);

  it('UIDs gone back in a folder left empty: warned once, the position restarts at 0, the next message is registered', async () => {
    await client.mailboxCreate('PulihKosong');
    await recordPosition('PulihKosong', 50);
    useFolder('PulihKosong');
    const first = await run();
    expect(first.report?.baru).toHaveLength(0);
    expect(first.warnings.map((w) => w.key)).toEqual(['terima.uidNextBackwards']);
    expect(getFolderPosition(office.app.store(), user.user, 'PulihKosong')?.lastUid).toBe(0);
    const second = await run();
    expect(second.warnings).toEqual([]);
    await append('PulihKosong', await letter('K', 1));
    const third = await run();
    expect(third.report?.baru.map((a) => a.perihal)).toEqual(['Tinjau K 1']);
    expect(third.warnings).toEqual([]);
  }, 60_000);

  it('terima.pindahKe naming a missing folder: CONFIG (78) before anything is fetched; created, the next run fetches and moves', async () => {
    await client.mailboxCreate('Pindah');
    for (let i = 1; i <= 3; i++) await append('Pindah', await letter('M', i));
    useFolder('Pindah', 'TidakAda');
    const r = await run();
    expect({ code: r.error?.code, key: r.error?.key, exit: r.error?.exitCode, params: r.error?.params, hint: r.error?.hint }).toEqual({
      code: 'CONFIG',
      key: 'terima.pindahKeMissing',
      exit: 78,
      params: { folder: 'TidakAda', user: user.user },
      hint: 'terima.pindahKeMissing.hint',
    });
    expect(t('terima.pindahKeMissing.hint', r.error?.params, 'en')).toContain('Create the folder TidakAda on the server');
    expect(registeredIn('Pindah')).toHaveLength(0);
    expect(getFolderPosition(office.app.store(), user.user, 'Pindah')).toBeNull();
    expect(await messagesIn('Pindah')).toBe(3);

    await client.mailboxCreate('TidakAda');
    const again = await run();
    expect(again.error).toBeNull();
    expect(again.report?.baru).toHaveLength(3);
    expect(await messagesIn('Pindah')).toBe(0);
    expect(await messagesIn('TidakAda')).toBe(3);
  }, 60_000);

  it('terima.pindahKe naming the folder being read (INBOX in any case): CONFIG (78), nothing fetched', async () => {
    await client.mailboxCreate('Sama');
    await append('Sama', await letter('S', 1));
    useFolder('Sama', 'Sama');
    const r = await run();
    expect({ code: r.error?.code, key: r.error?.key, exit: r.error?.exitCode, params: r.error?.params }).toEqual({ code: 'CONFIG', key: 'terima.pindahKeSame', exit: 78, params: { folder: 'Sama' } });
    expect(registeredIn('Sama')).toHaveLength(0);

    await append('INBOX', await letter('S', 2));
    useFolder('INBOX', 'inbox');
    const inbox = await run();
    expect({ code: inbox.error?.code, key: inbox.error?.key }).toEqual({ code: 'CONFIG', key: 'terima.pindahKeSame' });
    expect(registeredIn('INBOX')).toHaveLength(0);
  }, 60_000);

  it('a MOVE the server refuses reports the server reply, not "no response"', async () => {
    await client.mailboxCreate('Tolak');
    await append('Tolak', await letter('T', 1));
    const box = await ImapMailbox.connect({ host: stack.imap.host, port: stack.imap.port, security: 'tls', user: user.user, password: user.password, caFile: stack.caFile });
    try {
      const err = await box.moveMessage('Tolak', 1, 'BelumAda').then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(SandiError);
      const e = err as SandiError;
      expect({ code: e.code, key: e.key, operation: e.params['operation'], mailbox: e.params['mailbox'] }).toEqual({ code: 'TEMPFAIL', key: 'mail.imapRejected', operation: 'MOVE', mailbox: 'Tolak' });
      expect(String(e.params['response'])).toMatch(/^NO .*(TRYCREATE|doesn't exist)/i);
      expect(String(e.params['response'])).not.toContain(user.password);
      expect(await box.findMailbox('BelumAda')).toBeNull();
      expect((await box.findMailbox('Tolak'))?.path).toBe('Tolak');
      expect((await box.findMailbox('inbox'))?.path).toBe('INBOX');
    } finally {
      await box.close();
    }
    expect(await messagesIn('Tolak')).toBe(1);
  }, 60_000);

  it('a message that always fails to download: the give-up error names the folder and the UID; the ones before it stay registered', async () => {
    await client.mailboxCreate('Macet');
    await append('Macet', await letter('X', 1));
    await append('Macet', await letter('X', 2, 9 * 1024 * 1024));
    useFolder('Macet', null, true);
    proxy.plan = () => ({ afterBytes: 1_500_000, how: 'close' });
    try {
      const r = await run(2);
      expect({ code: r.error?.code, key: r.error?.key }).toEqual({ code: 'TEMPFAIL', key: 'terima.connectionGaveUp' });
      expect(r.error?.params).toMatchObject({ folder: 'Macet', uid: '2', registered: 1 });
      expect(t('terima.connectionGaveUp', r.error?.params, 'id')).toContain('folder Macet UID 2:');
      expect(t('terima.connectionGaveUp', r.error?.params, 'en')).toContain('folder Macet UID 2:');
      expect(registeredIn('Macet').map((x) => x.perihal)).toEqual(['Tinjau X 1']);
    } finally {
      proxy.plan = () => null;
    }
    expect((await run()).report?.baru.map((a) => a.perihal)).toEqual(['Tinjau X 2']);
  }, 60_000);
});
