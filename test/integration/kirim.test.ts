/**
 * `sandi kirim` through the real parts: the kirim service on a real home (SQLite, key store, DEMO keys),
 * Postfix submission (STARTTLS + AUTH) into Dovecot, fetched back with imapflow, and GnuPG as the independent
 * reader that must show both signatures (the sandiman's initial and the Kasi's) good. Then the failures a
 * real server can produce (auth refused, port closed, untrusted certificate) and bad inputs: each leaves the
 * row in a known state and nothing sent.
 */
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openApp, type App } from '../../src/app.js';
import { initHome } from '../../src/services/init.js';
import { importExampleKeys, kunciService, type ExampleKey } from '../../src/services/kunci.js';
import { kirimService, type KirimInput, type KirimOptions } from '../../src/services/kirim/index.js';
import { loadConfig, saveConfig, type MailboxAccount } from '../../src/config/config.js';
import { ImapMailbox } from '../../src/adapters/mail/imap.js';
import { extractArmored } from '../../src/formats/pgpmime.js';
import { listOutgoing, setOutgoingStatus } from '../../src/adapters/sqlite/registers.js';
import { SandiError } from '../../src/errors.js';
import type { KeyInfo, PassphraseSource } from '../../src/ports.js';
import { describeWith } from '../helpers/gate.js';
import { freePort, mailStackMissing, startMailStack, type MailStack } from '../helpers/mailstack.js';
import { GpgHome, goodSigs, HAVE_GPG } from '../helpers/gpg.js';
import { testKey } from '../helpers/keys-fixture.js';

const KEYS_DIR = resolve(import.meta.dirname, '../../keys.example');
const missing = mailStackMissing();

function fixed(p: string): PassphraseSource {
  return { get: (_k: KeyInfo) => Promise.resolve(p) };
}

describeWith(missing ?? 'gpg', missing === null && HAVE_GPG, 'sandi kirim through Postfix and Dovecot', () => {
  let stack: MailStack;
  let dir: string;
  let app: App;
  let manifest: ExampleKey[];
  let gpg: GpgHome;
  let docPath: string;
  const pass = (role: string) => manifest.find((k) => k.role === role)!.passphrase;

  async function setMailbox(over: Partial<MailboxAccount> = {}): Promise<void> {
    const c = loadConfig(app.paths.config);
    c.mailbox = {
      user: 'sandi@kominfo.test',
      imap: { host: stack.imap.host, port: stack.imap.port, tls: 'tls' },
      smtp: { host: stack.smtp.host, port: stack.smtp.port, tls: 'starttls' },
      caFile: stack.caFile,
      ...over,
    };
    saveConfig(app.paths.config, c);
    return Promise.resolve();
  }

  function svc(env: NodeJS.ProcessEnv = { SANDI_MAILBOX_PASSWORD: stack.user('sandi@kominfo.test').password }, p: KirimOptions['passphrases'] = {}) {
    return kirimService(app, {
      actor: 'budi',
      env,
      passphrases: { sandiman: fixed(pass('sandiman')), kasi: fixed(pass('kasi')), ...p },
    });
  }

  const input = (over: Partial<KirimInput> = {}): KirimInput => ({
    dokumen: docPath,
    kepada: ['opd1@dinkes.test'],
    perihal: 'Rencana pengamanan Pilkada',
    sifat: 'Rahasia',
    derajat: 'Segera',
    permohonan: { nomor: '005/77/SETDA', tanggal: '2026-11-20', unit: 'Sekretariat Daerah' },
    assignedBy: 'Kasi',
    ...over,
  });

  const rowCount = () => [...listOutgoing(app.store())].length;

  beforeAll(async () => {
    stack = await startMailStack();
    dir = mkdtempSync(join(tmpdir(), 'sandi-kirim-'));
    app = openApp(join(dir, 'home'));
    const keys = kunciService(app, 'test');
    const { manifest: m } = await importExampleKeys(KEYS_DIR, keys, { recipientSecrets: true });
    manifest = m;
    await initHome(
      app,
      keys,
      {
        officeName: 'Diskominfo Uji',
        unitCode: 'DISKOMINFO',
        timeZone: 'Asia/Jakarta',
        mailbox: null,
        archive: { fingerprint: manifest.find((k) => k.role === 'arsip')!.fingerprint },
        singleOperator: true,
        mode: 'demo',
        allowDemoKeys: true,
        overwrite: false,
      },
      'test',
    );
    const dinkes = manifest.find((k) => k.role === 'penerima' && k.email.includes('dinkes'))!;
    await keys.addAddress({ email: 'opd1@dinkes.test', unit: 'Dinas Kesehatan', key: dinkes.fingerprint });
    await setMailbox();
    docPath = join(dir, 'nota-dinas.txt');
    writeFileSync(docPath, 'NOTA DINAS\nIsi yang dikecualikan: rencana pengamanan.\n');
    gpg = new GpgHome();
    for (const k of manifest) await gpg.importKey(readFileSync(join(KEYS_DIR, k.role === 'penerima' ? k.secret : k.public), 'utf8'));
  }, 60_000);

  afterAll(async () => {
    app.close();
    gpg.cleanup();
    rmSync(dir, { recursive: true, force: true });
    await stack.stop();
  });

  it('sends through SMTP; the recipient fetches it and GnuPG shows both signatures good; a copy is in Sent', async () => {
    const report = await svc().mulai(input());
    expect(report.row.status).toBe('terkirim');
    expect(report.row.nomor).toMatch(/^KRIP\/\d{3}\/[IVX]+\/\d{4}$/);
    expect(report.sent?.via).toBe('smtp');
    expect(report.sent?.sentCopy).toBe('Sent');
    const messageId = report.row.messageId!;

    const opd = stack.user('opd1@dinkes.test');
    const box = await ImapMailbox.connect({ host: stack.imap.host, port: stack.imap.port, security: 'tls', user: opd.user, password: opd.password, caFile: stack.caFile, timeoutMs: 10_000 });
    let raw: Buffer;
    try {
      const deadline = Date.now() + 15_000;
      let uid: number | undefined;
      while (uid === undefined) {
        uid = (await box.searchByMessageId('INBOX', messageId))[0];
        if (uid === undefined) {
          if (Date.now() > deadline) throw new Error(`not delivered\n${stack.logs()}`);
          await new Promise((r) => setTimeout(r, 200));
        }
      }
      const msg = await box.fetchRaw('INBOX', uid);
      const chunks: Buffer[] = [];
      for await (const c of msg.content) chunks.push(Buffer.from(c as Buffer));
      raw = Buffer.concat(chunks);
    } finally {
      await box.close();
    }
    const head = raw.subarray(0, raw.indexOf('\r\n\r\n')).toString('latin1');
    expect(head).toMatch(new RegExp(`^Subject: ${report.row.nomor!.replace(/\//g, '\\/')}\\r?$`, 'm'));
    expect(head).not.toContain('Rencana pengamanan');
    const payload = await extractArmored(raw);
    expect(payload).not.toBeNull();
    const dinkes = manifest.find((k) => k.role === 'penerima' && k.email.includes('dinkes'))!;
    const r = await gpg.run(['--decrypt'], Buffer.from(payload!.armored), dinkes.passphrase);
    expect(r.code).toBe(0);
    const sandiman = manifest.find((k) => k.role === 'sandiman')!.fingerprint.slice(-16);
    const kasi = manifest.find((k) => k.role === 'kasi')!.fingerprint.slice(-16);
    expect(goodSigs(r.status).sort()).toEqual([sandiman, kasi].sort());
    expect(r.stdout.toString('utf8')).toContain('Subject: Rencana pengamanan Pilkada');

    // the audit log has every step with its actor
    const actions = [...app.store().auditRows()].filter((a) => a.entity === 'kriptogram_keluar' && a.entityId === String(report.row.id)).map((a) => a.action);
    expect(actions).toEqual([
      'kriptogram_keluar.terdaftar',
      'kriptogram_keluar.diparaf',
      'kriptogram_keluar.ditandatangani',
      'kriptogram_keluar.bernomor',
      'kriptogram_keluar.message_id',
      'kriptogram_keluar.tidak_pasti',
      'kriptogram_keluar.terkirim',
      'kriptogram_keluar.salinan_sent',
    ]);
  }, 60_000);

  it('--biasa: an ordinary letter goes in clear through SMTP, signed (GnuPG verifies it), numbered in its own register, time sent recorded', async () => {
    const rep = await svc().kirimBiasa({
      dokumen: docPath,
      kepada: ['opd1@dinkes.test'],
      perihal: 'Undangan rapat koordinasi',
      permohonan: { nomor: null, tanggal: null, unit: null },
      tandatangani: true,
    });
    expect(rep.row).toMatchObject({ status: 'terkirim', sifat: 'Biasa', perihal: 'Undangan rapat koordinasi' });
    // the owner of the key that made the signature, not the OS user who ran the command (issue 13)
    expect(rep.row.signer).toBe(manifest.find((k) => k.role === 'sandiman')!.userId);
    expect(rep.row.nomor).toMatch(/^SK\/\d{3}\/[IVX]+\/\d{4}$/);
    expect(Date.parse(rep.row.sentAt!)).toBeGreaterThan(Date.now() - 60_000);
    expect(rep.sent.serverReply).toMatch(/^250 /);

    const opd = stack.user('opd1@dinkes.test');
    const box = await ImapMailbox.connect({ host: stack.imap.host, port: stack.imap.port, security: 'tls', user: opd.user, password: opd.password, caFile: stack.caFile, timeoutMs: 10_000 });
    let raw: Buffer;
    try {
      const deadline = Date.now() + 15_000;
      let uid: number | undefined;
      while (uid === undefined) {
        uid = (await box.searchByMessageId('INBOX', rep.row.messageId!))[0];
        if (uid === undefined) {
          if (Date.now() > deadline) throw new Error(`not delivered\n${stack.logs()}`);
          await new Promise((r) => setTimeout(r, 200));
        }
      }
      const msg = await box.fetchRaw('INBOX', uid);
      const chunks: Buffer[] = [];
      for await (const c of msg.content) chunks.push(Buffer.from(c as Buffer));
      raw = Buffer.concat(chunks);
    } finally {
      await box.close();
    }
    const text = raw.toString('latin1');
    expect(text).toMatch(new RegExp(`^Subject: ${rep.row.nomor!.replace(/\//g, '\\/')} Undangan rapat koordinasi\\r?$`, 'm'));
    // RFC 3156: the signed part is between the first delimiter and the CRLF before the next; GnuPG checks it
    const boundary = /boundary="([^"]+)"/.exec(text)![1]!;
    const start = text.indexOf(`--${boundary}\r\n`) + boundary.length + 4;
    const end = text.indexOf(`\r\n--${boundary}`, start);
    const part = raw.subarray(start, end);
    expect(part.toString('latin1')).toContain('filename="nota-dinas.txt"');
    const sig = /-----BEGIN PGP SIGNATURE-----[\s\S]*?-----END PGP SIGNATURE-----/.exec(text)![0];
    const r = await gpg.run(['--verify', gpg.file('surat.sig', sig), gpg.file('surat.part', part)]);
    expect(r.code, r.stderr).toBe(0);
    expect(goodSigs(r.status)).toEqual([manifest.find((k) => k.role === 'sandiman')!.fingerprint.slice(-16)]);
  }, 60_000);

  it('auth refused, SMTP down, untrusted TLS: clear error, row back to bernomor (nothing sent), then lanjut sends once', async () => {
    const cases: { name: string; env?: NodeJS.ProcessEnv; over?: Partial<MailboxAccount>; key: string; code: SandiError['code'] }[] = [
      { name: 'auth', env: { SANDI_MAILBOX_PASSWORD: 'salah' }, key: 'mail.authFailed', code: 'PERMISSION' },
      { name: 'down', over: { smtp: { host: '127.0.0.1', port: await freePort(), tls: 'starttls' } }, key: 'mail.unreachable', code: 'UNAVAILABLE' },
      { name: 'tls', over: { caFile: undefined as unknown as string }, key: 'mail.tlsUntrusted', code: 'UNAVAILABLE' },
    ];
    for (const c of cases) {
      await setMailbox(c.over ?? {});
      if (c.name === 'tls') {
        const cfg = loadConfig(app.paths.config);
        delete cfg.mailbox!.caFile;
        saveConfig(app.paths.config, cfg);
      }
      const before = rowCount();
      const err = await svc(c.env).mulai(input()).catch((e: unknown) => e);
      expect(err, c.name).toBeInstanceOf(SandiError);
      expect((err as SandiError).key, c.name).toBe(c.key);
      expect((err as SandiError).code, c.name).toBe(c.code);
      const rows = [...listOutgoing(app.store())];
      expect(rows.length).toBe(before + 1);
      const last = rows[rows.length - 1]!;
      expect(last.status, c.name).toBe('bernomor');
      expect(last.messageId).not.toBeNull();
    }
    await setMailbox();
    const res = await svc().lanjut();
    expect(res.rows.map((r) => r.to)).toEqual(['terkirim', 'terkirim', 'terkirim']);
  }, 60_000);

  it('an uncertain send (not in Sent) is never resent without the operator: lanjut asks, then sends once', async () => {
    await setMailbox({ smtp: { host: '127.0.0.1', port: await freePort(), tls: 'starttls' } });
    await svc().mulai(input()).catch(() => undefined);
    await setMailbox();
    const id = [...listOutgoing(app.store(), { status: 'bernomor' })][0]!.id;
    // as if the process died after the message data, before the server's answer
    app.store().write((tx) => setOutgoingStatus(tx, id, 'tidak_pasti', {}, new Date(), 'test'));
    const undecided = await svc().lanjut(id, () => Promise.resolve(null));
    expect(undecided.rows[0]).toMatchObject({ from: 'tidak_pasti', to: 'tidak_pasti', action: 'perlu-keputusan' });
    expect(undecided.sent).toEqual([]);
    const resent = await svc().lanjut(id, () => Promise.resolve('belum'));
    expect(resent.rows[0]).toMatchObject({ from: 'tidak_pasti', to: 'terkirim' });
    // now it is in Sent: a later check finds it there and sends nothing
    const again = await svc().lanjut(id);
    expect(again.rows[0]?.action).toBe('selesai');
  }, 60_000);

  it('a sent row without its Sent copy (the copy failed, or --sudah-terkirim) gets it from lanjut by Message-ID, once, recorded', async () => {
    const me = stack.user('sandi@kominfo.test');
    const inSent = async (messageId: string): Promise<number> => {
      const box = await ImapMailbox.connect({ host: stack.imap.host, port: stack.imap.port, security: 'tls', user: me.user, password: me.password, caFile: stack.caFile, timeoutMs: 10_000 });
      try {
        return (await box.searchByMessageId('Sent', messageId)).length;
      } finally {
        await box.close();
      }
    };
    const copies = (id: number) =>
      [...app.store().auditRows()].filter((a) => a.entity === 'kriptogram_keluar' && a.entityId === String(id) && a.action === 'kriptogram_keluar.salinan_sent').map((a) => JSON.parse(a.data) as { cara: string });

    // sent, but the IMAP server was unreachable for the copy (as a kill after terkirim was recorded)
    await setMailbox({ imap: { host: '127.0.0.1', port: await freePort(), tls: 'tls' } });
    const warnings: string[] = [];
    const failedCopy = await kirimService(app, { actor: 'budi', env: { SANDI_MAILBOX_PASSWORD: me.password }, passphrases: { sandiman: fixed(pass('sandiman')), kasi: fixed(pass('kasi')) }, warn: (k) => warnings.push(k) }).mulai(input());
    expect(failedCopy.row.status).toBe('terkirim');
    expect(failedCopy.sent?.sentCopy).toBeNull();
    expect(warnings).toContain('kirim.sentCopyFailed');

    // marked sent by the operator (--sudah-terkirim) while the Sent folder could not be reached
    await setMailbox({ smtp: { host: '127.0.0.1', port: await freePort(), tls: 'starttls' } });
    await svc().mulai(input()).catch(() => undefined);
    const id = [...listOutgoing(app.store(), { status: 'bernomor' })][0]!.id;
    app.store().write((tx) => setOutgoingStatus(tx, id, 'tidak_pasti', {}, new Date(), 'test'));
    await setMailbox({ imap: { host: '127.0.0.1', port: await freePort(), tls: 'tls' } });
    const confirmed = await svc().lanjut(id, () => Promise.resolve('sudah'));
    expect(confirmed.rows[0]).toMatchObject({ from: 'tidak_pasti', to: 'terkirim' });
    const marked = svc().show(id);

    for (const r of [failedCopy.row, marked]) {
      expect(await inSent(r.messageId!), `row ${r.id}`).toBe(0);
      expect(copies(r.id)).toEqual([]);
    }
    await setMailbox();
    const res = await svc().lanjut();
    expect(res.rows.filter((r) => r.action === 'salinan-sent').map((r) => r.id).sort()).toEqual([failedCopy.row.id, id].sort());
    for (const r of [failedCopy.row, marked]) {
      expect(await inSent(r.messageId!), `row ${r.id}`).toBe(1);
      expect(copies(r.id)).toEqual([expect.objectContaining({ cara: 'ditambahkan', folder: 'Sent' })]);
    }
    // done once: a later lanjut appends and records nothing more
    const again = await svc().lanjut();
    expect(again.rows.filter((r) => r.action === 'salinan-sent')).toEqual([]);
    for (const r of [failedCopy.row, marked]) {
      expect(await inSent(r.messageId!)).toBe(1);
      expect(copies(r.id)).toHaveLength(1);
    }
  }, 90_000);

  it('bad inputs register nothing: unknown recipient, empty or missing document, wrong passphrase', async () => {
    const before = rowCount();
    const empty = join(dir, 'kosong.txt');
    writeFileSync(empty, '');
    const unreadable = join(dir, 'terkunci.txt');
    writeFileSync(unreadable, 'x');
    chmodSync(unreadable, 0o000);
    const cases: { name: string; run: () => Promise<unknown>; key: string; code: SandiError['code'] }[] = [
      { name: 'unknown recipient', run: () => svc().mulai(input({ kepada: ['tidak.ada@contoh.test'] })), key: 'kunci.addressUnknown', code: 'NOT_FOUND' },
      { name: 'empty document', run: () => svc().mulai(input({ dokumen: empty })), key: 'kirim.documentEmpty', code: 'DATA' },
      { name: 'missing document', run: () => svc().mulai(input({ dokumen: join(dir, 'tidak-ada.pdf') })), key: 'common.fileNotFound', code: 'NOT_FOUND' },
      { name: 'wrong sandiman passphrase', run: () => svc(undefined, { sandiman: fixed('salah') }).mulai(input()), key: 'kunci.wrongPassphrase', code: 'PERMISSION' },
      { name: 'wrong Kasi passphrase', run: () => svc(undefined, { kasi: fixed('salah') }).mulai(input()), key: 'kunci.wrongPassphrase', code: 'PERMISSION' },
      {
        name: 'revoked recipient key',
        run: async () => {
          const disdik = manifest.find((k) => k.role === 'penerima' && k.email.includes('disdik'))!;
          await kunciService(app, 'test').revoke(disdik.fingerprint, { kind: 'pensiun', passphrases: fixed(disdik.passphrase) });
          return svc().mulai(input({ kepada: ['opd1@dinkes.test', disdik.email] }));
        },
        key: 'kunci.refused.revoked',
        code: 'KEY_REFUSED',
      },
      {
        name: 'expired recipient key (it was valid when added to the address book)',
        run: async () => {
          const old = await testKey('OPD Kedaluwarsa', { date: new Date('2024-01-01T00:00:00Z'), keyExpirationTime: 30 * 86_400 });
          const then = kunciService({ ...app, clock: { now: () => new Date('2024-01-10T00:00:00Z') } }, 'test');
          await then.importKeys(old.publicArmored, 'opd-lama.asc', { role: 'penerima' });
          await then.addAddress({ email: 'lama@opd.test', unit: 'OPD Lama', key: old.fingerprint });
          return svc().mulai(input({ kepada: ['opd1@dinkes.test', 'lama@opd.test'] }));
        },
        key: 'kunci.refused.expired',
        code: 'KEY_REFUSED',
      },
    ];
    if (process.getuid?.() !== 0) {
      cases.push({ name: 'unreadable document', run: () => svc().mulai(input({ dokumen: unreadable })), key: 'kirim.documentUnreadable', code: 'PERMISSION' });
    }
    for (const c of cases) {
      const err = await c.run().catch((e: unknown) => e);
      expect(err, c.name).toBeInstanceOf(SandiError);
      expect((err as SandiError).key, c.name).toBe(c.key);
      expect((err as SandiError).code, c.name).toBe(c.code);
    }
    expect(rowCount()).toBe(before);
  }, 30_000);
});
