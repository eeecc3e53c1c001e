/**
 * `sandi terima` against the real Dovecot (and Postfix for one delivery): plain, HTML, PDF and other
 * attachments, Indonesian non-ASCII headers and file names, malformed messages, a PGP/MIME kriptogram; a
 * second run registers nothing; the folder deleted and recreated on the server (new UIDVALIDITY) duplicates
 * nothing and loses nothing; a refused password and a closed port register nothing; the CLI killed
 * (SIGKILL) twice in the middle of fetching many messages, then rerun, registers each exactly once.
 */
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import module from 'node:module';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ImapFlow } from 'imapflow';
import { testImapClient } from '../helpers/imap-client.js';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { terimaService } from '../../src/services/terima/index.js';
import { passphraseSource } from '../../src/config/passphrase.js';
import { listMaildir } from '../../src/adapters/maildir.js';
import { sendRaw } from '../../src/adapters/mail/smtp.js';
import { getIncoming, listIncoming, listIncomingSteps } from '../../src/adapters/sqlite/registers.js';
import { SandiError } from '../../src/errors.js';
import { describeWith } from '../helpers/gate.js';
import { BIN, sandi } from '../helpers/cli.js';
import { freePort, mailStackMissing, startMailStack, type MailStack, type MailUser } from '../helpers/mailstack.js';
import { ARSIP_PASSPHRASE, DEMO_UNIT_MAILDIR, compose, demoOffice, testMessages, type DemoOffice } from '../helpers/terima-fixture.js';
import { terimaPorts } from '../../src/app/terima.js';

const missing = mailStackMissing();

describeWith(missing === null ? 'dovecot+postfix' : `dovecot+postfix (needs ${missing})`, missing === null, 'sandi terima against the real Dovecot', () => {
  let stack: MailStack;
  let office: DemoOffice;
  let user: MailUser;
  let client: ImapFlow;

  const mailbox = (port?: number) => ({
    user: user.user,
    imap: { host: stack.imap.host, port: port ?? stack.imap.port, tls: 'tls' },
    smtp: { host: stack.smtp.host, port: stack.smtp.port, tls: 'starttls' },
    caFile: stack.caFile,
  });
  const service = (password = user.password) =>
    terimaService(office.app, {
      actor: 'sandiman-uji',
      env: { SANDI_MAILBOX_PASSWORD: password },
      passphrases: passphraseSource({ env: { SANDI_PASSPHRASE_ARSIP: ARSIP_PASSPHRASE } }),
    }, terimaPorts(office.app));
  const append = async (folder: string, raw: Buffer) => {
    const r = await client.append(folder, raw, []);
    if (r === false) throw new Error(`APPEND to ${folder} failed`);
  };

  beforeAll(async () => {
    [stack, office] = await Promise.all([startMailStack(), demoOffice()]);
    user = stack.user('sandi@kominfo.test');
    office.patchConfig({ mailbox: mailbox() });
    client = await testImapClient(stack, user);
  }, 120_000);
  afterAll(async () => {
    await client?.logout().catch(() => undefined);
    await stack?.stop();
    office?.cleanup();
  });

  it('fetches every kind of message from INBOX once: archived, registered, the kriptogram read; a second run finds nothing new', async () => {
    for (const m of await testMessages('I')) await append('INBOX', m.raw);
    const kriptogram = listMaildir(join(office.home, 'maildir', DEMO_UNIT_MAILDIR))[0]!;
    await append('INBOX', readFileSync(kriptogram.path));
    // one delivered the real way: Postfix submission → LMTP → Dovecot
    const messageId = `<${randomBytes(6).toString('hex')}@disdik.test>`;
    const viaSmtp = await compose({ from: 'opd2@disdik.test', to: user.email, subject: 'Laporan bulanan lewat SMTP', messageId, text: 'Nomor : 400/12/DISDIK/2026\n\nLaporan terlampir.\n' });
    const opd2 = stack.user('opd2@disdik.test');
    await sendRaw({ host: stack.smtp.host, port: stack.smtp.port, security: 'starttls', user: opd2.user, password: opd2.password, caFile: stack.caFile }, { from: opd2.email, to: [user.email], raw: viaSmtp, messageId });
    const deadline = Date.now() + 15_000;
    for (;;) {
      const st = await client.status('INBOX', { messages: true });
      if (st !== false && (st.messages ?? 0) >= 9) break;
      if (Date.now() > deadline) throw new Error(`LMTP delivery did not arrive\n${stack.logs()}`);
      await new Promise((r) => setTimeout(r, 150));
    }

    const first = await service().fetch();
    expect(first).toMatchObject({ sumber: 'imap', akun: user.user, folder: 'INBOX', uidvalidityBerubah: false, diperiksa: 9 });
    expect(first.baru).toHaveLength(9);
    const k = first.baru.find((a) => a.buku === 'kriptogram_masuk')!;
    expect(k.status).toBe('terbaca');
    expect(k.penandaTangan?.map((s) => s.status)).toEqual(['good', 'good']);
    const letters = first.baru.filter((a) => a.buku === 'surat_masuk');
    expect(letters).toHaveLength(8);
    const smtp = getIncoming(office.app.store(), letters.find((l) => l.perihal === 'Laporan bulanan lewat SMTP')!.id);
    expect(smtp).toMatchObject({ sumber: 'imap', folder: 'INBOX', nomorSurat: '400/12/DISDIK/2026', messageId });
    const nonAscii = getIncoming(office.app.store(), letters.find((l) => l.perihal?.startsWith('Perubahan jadwal'))!.id);
    expect(nonAscii.lampiran[0]?.name).toBe('Jadwal Ujian — Kelas Ⅸ I.pdf');
    expect(letters.find((l) => l.perihal?.startsWith('MIME rusak'))?.peringatan).toContain('terima.w.brokenMime');
    expect(letters.find((l) => l.perihal?.startsWith('Tanpa Message-ID'))?.peringatan).toEqual(['terima.w.noMessageId']);

    const second = await service().fetch();
    expect(second.diperiksa).toBe(0);
    expect(second.baru).toHaveLength(0);
  });

  it('a folder deleted and recreated (new UIDVALIDITY) is read again: nothing duplicated, nothing lost', async () => {
    office.patchConfig({ terima: { folder: 'Sanapati' } });
    const [a, b, c] = await testMessages('U');
    await client.mailboxCreate('Sanapati');
    await append('Sanapati', a!.raw);
    await append('Sanapati', b!.raw);
    const before = [...listIncoming(office.app.store())].length;
    const first = await service().fetch();
    expect(first.baru).toHaveLength(2);
    const v1 = first.uidvalidity;

    await client.mailboxDelete('Sanapati');
    await client.mailboxCreate('Sanapati');
    await append('Sanapati', a!.raw);
    await append('Sanapati', b!.raw);
    await append('Sanapati', c!.raw);
    const second = await service().fetch();
    expect(second.uidvalidity).not.toBe(v1);
    expect(second.uidvalidityBerubah).toBe(true);
    expect(second.diperiksa).toBe(3);
    expect(second.duplikat.map((d) => d.by)).toEqual(['sha256', 'sha256']);
    expect(second.baru).toHaveLength(1);
    expect([...listIncoming(office.app.store())].length).toBe(before + 3);
    expect((await service().fetch()).baru).toHaveLength(0);
  });

  it('a 25 MB attachment is streamed into the archive and registered with its size and hash', async () => {
    const big = randomBytes(25 * 1024 * 1024);
    const raw = await compose({ from: 'opd1@dinkes.test', to: user.email, subject: 'Lampiran besar 25 MB', messageId: '<besar@dinkes.test>', text: 'Terlampir pindaian.\n', attachments: [{ filename: 'pindaian.pdf', content: big, contentType: 'application/pdf' }] });
    await append('Sanapati', raw);
    const r = await service().fetch();
    expect(r.baru).toHaveLength(1);
    const row = getIncoming(office.app.store(), r.baru[0]!.id);
    expect(row.lampiran).toEqual([{ name: 'pindaian.pdf', type: 'application/pdf', size: big.length, sha256: createHash('sha256').update(big).digest('hex') }]);
    // the archive holds exactly the bytes the server holds
    const lock = await client.getMailboxLock('Sanapati');
    let onServer: Buffer;
    try {
      const dl = await client.download(String(row.uid), undefined, { uid: true });
      if (!dl.content) throw new Error('message not on the server');
      const chunks: Buffer[] = [];
      for await (const c of dl.content) chunks.push(c as Buffer);
      onServer = Buffer.concat(chunks);
    } finally {
      lock.release();
    }
    expect(row.rawSize).toBe(onServer.length);
    expect(readFileSync(service().archive.pathOf(row.rawSha256)).equals(onServer)).toBe(true);
  }, 60_000);

  it('a refused password or a closed port: a clear error, nothing registered', async () => {
    const count = () => [...listIncoming(office.app.store())].length;
    const before = count();
    await append('Sanapati', (await testMessages('P'))[0]!.raw);
    const wrong = await service('salah-sandi').fetch().catch((e: unknown) => e);
    expect(wrong).toBeInstanceOf(SandiError);
    expect({ code: (wrong as SandiError).code, key: (wrong as SandiError).key }).toEqual({ code: 'PERMISSION', key: 'mail.authFailed' });
    office.patchConfig({ mailbox: mailbox(await freePort()) });
    const closed = await service().fetch().catch((e: unknown) => e);
    expect((closed as SandiError).code).toBe('UNAVAILABLE');
    expect(count()).toBe(before);
    office.patchConfig({ mailbox: mailbox() });
    expect((await service().fetch()).baru).toHaveLength(1);
  });
  it('configured to: forwards to the allowed cc addresses through Postfix at fetch (others held), and moves the message to a folder after it is archived', async () => {
    office.patchConfig({ terima: { folder: 'Sanapati', pindahKe: 'Diproses', teruskanOtomatis: true, teruskanDomain: ['dinkes.test'] } });
    await client.mailboxCreate('Diproses');
    const raw = await compose({ from: 'setda@pemkot.test', to: user.email, cc: ['opd1@dinkes.test', 'relay@elsewhere.test'], subject: 'Dengan tembusan', messageId: '<tembusan@pemkot.test>', text: 'Untuk diketahui.\n' });
    await append('Sanapati', raw);
    const r = await service().fetch();
    expect(r.baru).toHaveLength(1);
    expect(r.diteruskan).toEqual([{ nomor: r.baru[0]!.nomor, ke: ['opd1@dinkes.test'] }]);
    expect(r.ditahan).toEqual([{ nomor: r.baru[0]!.nomor, ke: ['relay@elsewhere.test'] }]);
    const steps = listIncomingSteps(office.app.store(), r.baru[0]!.id);
    expect(steps[0]).toMatchObject({ langkah: 'teruskan', data: { ke: ['opd1@dinkes.test'], via: 'smtp' } });
    const moved = await client.status('Diproses', { messages: true });
    expect(moved !== false && moved.messages).toBe(1);
    expect((await service().fetch()).baru).toHaveLength(0);
  });

  it('a message that vanishes from the server between the listing and its batch FETCH is skipped; the others are registered, none twice', async () => {
    office.patchConfig({ mailbox: mailbox(), terima: { folder: 'Hilang' } });
    await client.mailboxCreate('Hilang');
    for (let i = 0; i < 5; i++) await append('Hilang', await compose({ from: 'a@pemkot.test', to: user.email, subject: `Hilang ${i}`, messageId: `<hilang-${i}@pemkot.test>`, text: `isi ${i}\n` }));
    const cur = join(stack.dir, 'mail', 'kominfo.test', 'sandi', 'Maildir', '.Hilang', 'cur');
    let removed = '';
    const svc = terimaService(office.app, {
      actor: 'sandiman-uji',
      env: { SANDI_MAILBOX_PASSWORD: user.password },
      passphrases: passphraseSource({ env: { SANDI_PASSPHRASE_ARSIP: ARSIP_PASSPHRASE } }),
      // called once the folder is listed, before any message is fetched: the third message's file goes
      // away behind Dovecot's back (as if another client had expunged it)
      progress: (done) => {
        if (done !== 0 || removed !== '') return;
        // by content: Maildir names sort by time and microseconds, the latter without leading zeros
        removed = readdirSync(cur).find((f) => /^Subject: Hilang 2\r?$/m.test(readFileSync(join(cur, f), 'latin1'))) ?? '';
        if (removed !== '') rmSync(join(cur, removed));
      },
    }, terimaPorts(office.app));
    const r = await svc.fetch();
    expect(removed).not.toBe('');
    expect(r.diperiksa).toBe(5);
    expect(r.baru.map((a) => a.perihal)).toEqual(['Hilang 0', 'Hilang 1', 'Hilang 3', 'Hilang 4']);
    expect((await service().fetch()).baru).toHaveLength(0);
  });

  it('a streamed message between small ones is registered in the same transaction as they are (one commit per batch, not one per streamed message, issue 16)', async () => {
    office.patchConfig({ mailbox: mailbox(), terima: { folder: 'Campur' } });
    await client.mailboxCreate('Campur');
    for (let i = 0; i < 7; i++) {
      // the fourth is over SMALL_MESSAGE (8 MiB): streamed on its own, the others fetched whole in batches
      const content = randomBytes(i === 3 ? 9 * 1024 * 1024 : 20_000);
      await append('Campur', await compose({ from: 'setda@pemkot.test', to: user.email, subject: `Campur ${i}`, messageId: `<campur-${i}@pemkot.test>`, text: `Nomor : 005/${i}/SETDA/2026\n`, attachments: [{ filename: `lampiran-${i}.pdf`, content, contentType: 'application/pdf' }] }));
    }
    // progress is said once the folder is listed, then after each transaction with the count registered so far
    const progress: number[] = [];
    const svc = terimaService(office.app, {
      actor: 'sandiman-uji',
      env: { SANDI_MAILBOX_PASSWORD: user.password },
      passphrases: passphraseSource({ env: { SANDI_PASSPHRASE_ARSIP: ARSIP_PASSPHRASE } }),
      progress: (done) => progress.push(done),
    }, terimaPorts(office.app));
    const r = await svc.fetch();
    expect(r.baru.map((a) => a.perihal)).toEqual(Array.from({ length: 7 }, (_, i) => `Campur ${i}`));
    expect(progress).toEqual([0, 7]);
    expect((await service().fetch()).baru).toHaveLength(0);
  }, 60_000);

  it.skipIf(typeof (module as { enableCompileCache?: unknown }).enableCompileCache !== 'function')(
    "`sandi terima` after other commands that log in to the mailbox compiles none of the IMAP client nor openpgp.js from source: both are loaded (connected, the password read from the credential store) before the fetch holds the young generation, a V8 flag change after which Node's compile cache refuses what other commands cached (issue 16; Node 22+)",
    async () => {
      office.patchConfig({ mailbox: mailbox(), terima: { folder: 'Cache' } });
      await client.mailboxCreate('Cache');
      await append('Cache', await compose({ from: 'setda@pemkot.test', to: user.email, subject: 'Cache 0', messageId: '<cache-0@pemkot.test>', text: 'Nomor : 007/1/SETDA/2026\n' }));
      // a home of its own: the password goes into its credential store (the other cases read it from the environment)
      const home = mkdtempSync(join(tmpdir(), 'sandi-terima-cache-'));
      const cacheDir = mkdtempSync(join(tmpdir(), 'sandi-compile-cache-'));
      try {
        cpSync(office.home, home, { recursive: true });
        const env = { SANDI_PASSPHRASE_ARSIP: ARSIP_PASSPHRASE, NODE_COMPILE_CACHE: cacheDir, NODE_DEBUG_NATIVE: 'COMPILE_CACHE' };
        const simpan = sandi(['--home', home, '--no-input', 'akun', 'simpan'], { env, input: `${user.password}\n` });
        expect(simpan.code, simpan.stderr.slice(-2000)).toBe(0);
        // `akun uji` loads the IMAP client and openpgp.js (the stored password) as every command but a fetch
        // did: their compiled code is cached so
        const uji = sandi(['--home', home, '--no-input', '--json', 'akun', 'uji'], { env });
        expect(uji.code, uji.stderr.slice(-2000)).toBe(0);
        expect(uji.stderr).toMatch(/code cache for ESM \S*imapflow/);
        expect(uji.stderr).toMatch(/code cache for ESM \S*openpgp/);
        const fetch = sandi(['--home', home, '--no-input', '--json', 'terima'], { env });
        expect(fetch.code, fetch.stderr.slice(-2000)).toBe(0);
        expect(fetch.json<{ baru: { perihal: string }[] }>().baru.map((a) => a.perihal)).toEqual(['Cache 0']);
        // the fetch took both from that cache: none of node_modules refused
        expect(fetch.stderr).toMatch(/code cache for ESM \S*imapflow\S* was accepted/);
        expect(fetch.stderr).toMatch(/code cache for ESM \S*openpgp\S* was accepted/);
        expect(fetch.stderr.split('\n').filter((l) => l.includes('was rejected') && l.includes('/node_modules/'))).toEqual([]);
      } finally {
        rmSync(home, { recursive: true, force: true });
        rmSync(cacheDir, { recursive: true, force: true });
      }
    },
    60_000,
  );

  it("a batch's message bytes are handed back to the reader once archived and parsed, and the large ones freed then (issue 16: no full collection per 64 MB of dead messages)", async () => {
    office.patchConfig({ mailbox: mailbox(), terima: { folder: 'Lepas' } });
    await client.mailboxCreate('Lepas');
    const sizes = [300_000, 2_000, 150_000, 700_000];
    for (const [i, n] of sizes.entries()) {
      await append('Lepas', await compose({ from: 'setda@pemkot.test', to: user.email, subject: `Lepas ${i}`, messageId: `<lepas-${i}@pemkot.test>`, text: `Nomor : 006/${i}/SETDA/2026\n`, attachments: [{ filename: `lampiran-${i}.pdf`, content: randomBytes(n), contentType: 'application/pdf' }] }));
    }
    const ports = terimaPorts(office.app);
    const open = (): ReturnType<typeof ports.mailbox> => terimaPorts(office.app).mailbox();
    // what each release is given, and the state of those bytes at that moment
    const handedBack: { sha256: string; archived: boolean; size: number; after: number }[] = [];
    const archiveDir = join(office.home, 'arsip', 'surat-masuk');
    ports.mailbox = async () => {
      const m = await open();
      return {
        connect: async (login) => {
          const box = await m.connect(login);
          const release = box.release.bind(box);
          box.release = (raws) => {
            const seen = raws.map((b) => {
              const sha256 = createHash('sha256').update(b).digest('hex');
              let archived = false;
              try {
                archived = readFileSync(join(archiveDir, sha256.slice(0, 2), `${sha256}.eml`)).equals(b);
              } catch {
                archived = false;
              }
              return { sha256, archived, size: b.byteLength };
            });
            release(raws);
            raws.forEach((b, i) => handedBack.push({ ...seen[i]!, after: b.byteLength }));
          };
          return box;
        },
      };
    };
    const svc = terimaService(office.app, {
      actor: 'sandiman-uji',
      env: { SANDI_MAILBOX_PASSWORD: user.password },
      passphrases: passphraseSource({ env: { SANDI_PASSPHRASE_ARSIP: ARSIP_PASSPHRASE } }),
    }, ports);
    const r = await svc.fetch();
    expect(r.baru.map((a) => a.perihal)).toEqual(sizes.map((_, i) => `Lepas ${i}`));
    // every message handed back once, each already in the archive byte for byte
    expect(handedBack).toHaveLength(sizes.length);
    expect(handedBack.every((h) => h.archived)).toBe(true);
    expect(new Set(handedBack.map((h) => h.sha256)).size).toBe(sizes.length);
    expect(new Set(r.baru.map((a) => a.rawSha256))).toEqual(new Set(handedBack.map((h) => h.sha256)));
    // the messages of 64 KiB and more come in buffers of their own: freed (a detached buffer reads 0 bytes);
    // the small one is a slice of a socket chunk and left to the collector
    expect(handedBack.filter((h) => h.size >= 64 * 1024).every((h) => h.after === 0)).toBe(true);
    expect(handedBack.filter((h) => h.size >= 64 * 1024)).toHaveLength(3);
    expect(handedBack.filter((h) => h.size < 64 * 1024).every((h) => h.after === h.size)).toBe(true);
    // and what was registered is what the archive holds
    for (const a of r.baru) expect(createHash('sha256').update(readFileSync(join(archiveDir, a.rawSha256.slice(0, 2), `${a.rawSha256}.eml`))).digest('hex')).toBe(a.rawSha256);
    expect((await service().fetch()).baru).toHaveLength(0);
  }, 60_000);

  it('the CLI killed (SIGKILL) twice midway through a fetch of many messages, then rerun: each message registered exactly once, archive and audit intact', async () => {
    office.patchConfig({ mailbox: mailbox(), terima: { folder: 'Massal' } });
    await client.mailboxCreate('Massal');
    const total = 260;
    for (let i = 0; i < total; i++) {
      // mostly small letters, fetched in batches; every 50th over SMALL_MESSAGE (8 MiB as base64), streamed on its own
      const big = i % 50 === 25;
      const raw = await compose({
        from: 'Sekretariat Daerah <setda@pemkot.test>',
        to: user.email,
        subject: `Massal IMAP ${i}`,
        messageId: `<massal-imap-${i}@pemkot.test>`,
        text: `Nomor : 005/${i}/SETDA/2026\n\n${'Isi surat. '.repeat(100)}\n`,
        attachments: [{ filename: `lampiran-${i}.pdf`, content: randomBytes(big ? 6_300_000 : 30_000), contentType: 'application/pdf' }],
      });
      await append('Massal', raw);
    }
    const db = office.app.store().db;
    const count = () => (db.prepare("SELECT count(*) AS n FROM surat_masuk WHERE folder = 'Massal'").get() as { n: number }).n;
    const env = { PATH: process.env['PATH'], HOME: process.env['HOME'], SANDI_OPERATOR: 'sandiman-uji', SANDI_MAILBOX_PASSWORD: user.password, SANDI_PASSPHRASE_ARSIP: ARSIP_PASSPHRASE };
    const killOnceAbove = async (n: number): Promise<number> => {
      const child = spawn(process.execPath, [BIN, '--home', office.home, '--no-input', 'terima'], { stdio: 'ignore', env });
      const exited = new Promise((r) => child.on('exit', r));
      const deadline = Date.now() + 60_000;
      while (count() <= n && Date.now() < deadline) await new Promise((r) => setTimeout(r, 2));
      child.kill('SIGKILL');
      await exited;
      return count();
    };
    const first = await killOnceAbove(0);
    expect(first).toBeGreaterThan(0);
    expect(first).toBeLessThan(total);
    const second = await killOnceAbove(first);
    expect(second).toBeGreaterThan(first);
    expect(second).toBeLessThan(total);

    const r = sandi(['--home', office.home, '--no-input', '--json', 'terima'], { env });
    expect(r.code).toBe(0);
    const report = r.json<{ baru: unknown[]; duplikat: unknown[] }>();
    expect(report.baru.length).toBe(total - second);
    expect(count()).toBe(total);
    const dupes = (sql: string) => (db.prepare(sql).get() as { n: number }).n;
    expect(dupes("SELECT count(*) AS n FROM (SELECT message_id FROM surat_masuk WHERE folder = 'Massal' GROUP BY message_id HAVING count(*) > 1)")).toBe(0);
    expect(dupes("SELECT count(*) AS n FROM (SELECT uid FROM surat_masuk WHERE folder = 'Massal' GROUP BY uidvalidity, uid HAVING count(*) > 1)")).toBe(0);
    // the numbers stay gapless: one per message, in UID order
    const rows = db.prepare("SELECT id, uid, perihal FROM surat_masuk WHERE folder = 'Massal' ORDER BY id").all() as { id: number; uid: number; perihal: string }[];
    expect(rows.map((x) => x.perihal)).toEqual(Array.from({ length: total }, (_, i) => `Massal IMAP ${i}`));
    const pos = db.prepare("SELECT last_uid FROM terima_folder WHERE folder = 'Massal'").get() as { last_uid: number };
    expect(pos.last_uid).toBe(Math.max(...rows.map((x) => x.uid)));
    expect(sandi(['--home', office.home, '--no-input', 'terima', 'arsip-periksa'], { env }).code).toBe(0);
    expect(sandi(['--home', office.home, '--no-input', 'audit', 'periksa'], { env }).code).toBe(0);
    expect(sandi(['--home', office.home, '--no-input', '--json', 'terima'], { env }).json<{ baru: unknown[] }>().baru).toHaveLength(0);
  }, 120_000);
});
