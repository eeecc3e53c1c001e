/**
 * Smoke test of the real mail stack (test/helpers/mailstack.ts) and the mail adapters: a PGP/MIME
 * kriptogram goes through Postfix submission (STARTTLS + AUTH), is delivered over LMTP into Dovecot,
 * fetched with imapflow, unpacked, decrypted and verified. Plus the failure paths a real server can
 * produce on demand: wrong password, closed port, untrusted certificate.
 */
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { encryptKriptogram, decryptKriptogram } from '../../src/adapters/openpgp/kriptogram.js';
import { testKey, unlockable, MemorySink, type TestKey } from '../helpers/keys-fixture.js';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { sendRaw, type SmtpSettings } from '../../src/adapters/mail/smtp.js';
import { ImapMailbox, type ImapSettings } from '../../src/adapters/mail/imap.js';
import { buildPgpMime, extractArmored, pgpMimeStream } from '../../src/formats/pgpmime.js';
import { SandiError } from '../../src/errors.js';
import { t } from '../../src/cli/messages/index.js';
import { describeWith } from '../helpers/gate.js';
import { freePort, mailStackMissing, startMailStack, type MailStack, type MailUser } from '../helpers/mailstack.js';

// ------------------------------------------------------------------------------ the kriptogram
// The real kriptogram module (src/adapters/openpgp/kriptogram.ts): v4 keys, SEIPDv1, signed, protected headers.
interface TestKeys {
  sender: TestKey;
  recipient: TestKey;
}

async function makeKriptogram(text: string, k: TestKeys): Promise<string> {
  const out = new MemorySink();
  await encryptKriptogram({
    input: Readable.from([Buffer.from(text, 'utf8')]),
    output: out,
    fileName: 'dokumen.txt',
    headers: { subject: 'Rencana pengamanan', classification: 'Sangat Rahasia', registerNumber: 'RH.15/XI/2025' },
    recipientKeys: [k.recipient.publicArmored],
    signingKeys: [unlockable(k.sender)],
    armor: true,
  });
  return out.data().toString('latin1');
}

async function readKriptogram(armored: string, k: TestKeys): Promise<{ text: string; signers: string[] }> {
  const out = new MemorySink();
  const res = await decryptKriptogram({
    input: Readable.from([Buffer.from(armored, 'latin1')]),
    output: out,
    decryptionKeys: [unlockable(k.recipient)],
    verificationKeys: [k.sender.publicArmored],
  });
  expect(res.headers.subject).toBe('Rencana pengamanan');
  return { text: out.data().toString('utf8'), signers: res.signers.map((s) => (s.status === 'good' ? s.keyId : 'BAD')) };
}
// --------------------------------------------------------------------------------------------------

async function makeKeys(): Promise<TestKeys> {
  return { sender: await testKey('Sandiman Diskominfo'), recipient: await testKey('Dinas Kesehatan') };
}

function smtpFor(stack: MailStack, u: MailUser, over: Partial<SmtpSettings> = {}): SmtpSettings {
  return { host: stack.smtp.host, port: stack.smtp.port, security: 'starttls', user: u.user, password: u.password, caFile: stack.caFile, timeoutMs: 10_000, ...over };
}

function imapFor(stack: MailStack, u: MailUser, over: Partial<ImapSettings> = {}): ImapSettings {
  return { host: stack.imap.host, port: stack.imap.port, security: 'tls', user: u.user, password: u.password, caFile: stack.caFile, timeoutMs: 10_000, ...over };
}

async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(Buffer.isBuffer(c) ? c : Buffer.from(c));
  return Buffer.concat(chunks);
}

/** LMTP delivery is asynchronous after SMTP accepted the message: poll the INBOX for the Message-ID. */
async function waitForMessage(box: ImapMailbox, mailbox: string, messageId: string, stack: MailStack, ms = 15_000): Promise<number> {
  const deadline = Date.now() + ms;
  for (;;) {
    const uids = await box.searchByMessageId(mailbox, messageId);
    if (uids[0] !== undefined) return uids[0];
    if (Date.now() > deadline) throw new Error(`message ${messageId} not delivered to ${mailbox} in ${ms} ms\n${stack.logs()}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function expectSandiError(p: Promise<unknown>, code: SandiError['code'], key: string): Promise<SandiError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e, `expected SandiError ${code} ${key}`).toBeInstanceOf(SandiError);
  const se = e as SandiError;
  expect({ code: se.code, key: se.key }).toEqual({ code, key });
  return se;
}

const missing = mailStackMissing();

describeWith(missing === null ? 'dovecot+postfix' : `dovecot+postfix (needs ${missing})`, missing === null, 'real mail stack: Postfix submission → LMTP → Dovecot IMAP', () => {
  let stack: MailStack;
  let keys: TestKeys;
  let sandi: MailUser;
  let opd1: MailUser;

  beforeAll(async () => {
    [stack, keys] = await Promise.all([startMailStack(), makeKeys()]);
    sandi = stack.user('sandi@kominfo.test');
    opd1 = stack.user('opd1@dinkes.test');
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('sends a PGP/MIME kriptogram through Postfix and reads it back from Dovecot, decrypted and verified', async () => {
    const document = 'Sangat Rahasia: rencana pengamanan informasi 2025.\nBaris kedua — dengan UTF-8.\n';
    const armored = await makeKriptogram(document, keys);
    const messageId = `<${randomBytes(8).toString('hex')}@kominfo.test>`;
    const raw = buildPgpMime(
      {
        from: { address: sandi.email, name: 'Persandian Diskominfo' },
        to: [{ address: opd1.email, name: 'Dinas Kesehatan' }],
        subject: 'RH.15/XI/2025',
        messageId,
        date: new Date('2025-11-25T07:00:00Z'),
        utcOffsetMinutes: 420,
      },
      armored,
    );

    const sent = await sendRaw(smtpFor(stack, sandi), { from: sandi.email, to: [opd1.email], raw, messageId });
    expect(sent.messageId).toBe(messageId);
    expect(sent.accepted).toEqual([opd1.email]);
    expect(sent.rejected).toEqual([]);
    expect(sent.response).toMatch(/^250 /);

    const box = await ImapMailbox.connect(imapFor(stack, opd1));
    try {
      const uid = await waitForMessage(box, 'INBOX', messageId, stack);
      const msg = await box.fetchRaw('INBOX', uid);
      expect(msg.uid).toBe(uid);
      expect(msg.uidValidity).toBeGreaterThan(0n);
      const bytes = await readAll(msg.content);
      expect(bytes.length).toBe(msg.size);
      // What travels in clear: the number, not the subject or the document.
      expect(bytes.toString('latin1')).toContain('Subject: RH.15/XI/2025');
      expect(bytes.toString('latin1')).not.toContain('rencana');

      const payload = await extractArmored(bytes);
      expect(payload?.kind).toBe('pgp-mime');
      expect(payload?.messageId).toBe(messageId);
      expect(payload?.subject).toBe('RH.15/XI/2025');
      expect(payload?.armored.toString('latin1')).toBe(armored.replace(/\r?\n/g, '\r\n'));

      const read = await readKriptogram(payload!.armored.toString('latin1'), keys);
      expect(read.text).toBe(document);
      expect(read.signers).toEqual([keys.sender.keyId]);
    } finally {
      await box.close();
    }
  });

  it('sends a streamed PGP/MIME message, and reads the payload straight from the IMAP stream', async () => {
    const armored = await makeKriptogram('dokumen besar, dikirim sebagai stream', keys);
    const messageId = `<${randomBytes(8).toString('hex')}@kominfo.test>`;
    const headers = { from: { address: sandi.email }, to: [{ address: opd1.email }], subject: 'RH.17/XI/2025', messageId, date: new Date() };
    async function* pieces(): AsyncGenerator<string> {
      for (let i = 0; i < armored.length; i += 100) yield await Promise.resolve(armored.slice(i, i + 100));
    }
    const sent = await sendRaw(smtpFor(stack, sandi), { from: sandi.email, to: [opd1.email], raw: pgpMimeStream(headers, pieces()), messageId });
    expect(sent.accepted).toEqual([opd1.email]);

    const box = await ImapMailbox.connect(imapFor(stack, opd1));
    try {
      const uid = await waitForMessage(box, 'INBOX', messageId, stack);
      const payload = await extractArmored((await box.fetchRaw('INBOX', uid)).content);
      expect(payload?.armored.toString('latin1')).toBe(armored.replace(/\r?\n/g, '\r\n'));
      expect((await readKriptogram(payload!.armored.toString('latin1'), keys)).text).toBe('dokumen besar, dikirim sebagai stream');
    } finally {
      await box.close();
    }
  });

  it('APPENDs into the \\Sent folder and finds the message again by Message-ID', async () => {
    const armored = await makeKriptogram('arsip terkirim', keys);
    const messageId = `<${randomBytes(8).toString('hex')}@kominfo.test>`;
    const raw = buildPgpMime({ from: { address: sandi.email }, to: [{ address: opd1.email }], subject: 'RH.16/XI/2025', messageId, date: new Date() }, armored);
    const box = await ImapMailbox.connect(imapFor(stack, sandi));
    try {
      const folders = await box.listMailboxes();
      expect(folders.map((f) => f.specialUse)).toEqual(expect.arrayContaining(['\\Sent', '\\Drafts', '\\Trash']));
      const sentFolder = await box.findSpecialUse('\\Sent');
      expect(sentFolder).toBe('Sent');

      const appended = await box.append(sentFolder!, raw, { flags: ['\\Seen'] });
      expect(appended.mailbox).toBe('Sent');
      expect(appended.uid).toBeGreaterThan(0);
      expect(appended.uidValidity).toBeGreaterThan(0n);

      expect(await box.searchByMessageId('Sent', messageId)).toEqual([appended.uid]);
      expect(await box.searchByMessageId('Sent', '<nobody@nowhere.test>')).toEqual([]);

      const back = await readAll((await box.fetchRaw('Sent', appended.uid!)).content);
      expect(back.equals(raw)).toBe(true);
    } finally {
      await box.close();
    }
  });

  it('reads over the STARTTLS port too (STARTTLS required)', async () => {
    const box = await ImapMailbox.connect(imapFor(stack, sandi, { port: stack.imapStarttls.port, security: 'starttls' }));
    try {
      expect(await box.findSpecialUse('\\Sent')).toBe('Sent');
    } finally {
      await box.close();
    }
  });

  it('reports a missing folder or UID as NOT_FOUND', async () => {
    const box = await ImapMailbox.connect(imapFor(stack, sandi));
    try {
      await expectSandiError(box.fetchRaw('INBOX', 999_999), 'NOT_FOUND', 'mail.messageNotFound');
      await expectSandiError(box.fetchRaw('Tidak-Ada', 1), 'NOT_FOUND', 'mail.mailboxNotFound');
    } finally {
      await box.close();
    }
  });

  it('maps a wrong password to PERMISSION, without the password in the message', async () => {
    const wrong = 'salah-sandi-XYZ';
    const imapErr = await expectSandiError(ImapMailbox.connect(imapFor(stack, opd1, { password: wrong })), 'PERMISSION', 'mail.authFailed');
    expect(imapErr.exitCode).toBe(77);
    expect(imapErr.params).toMatchObject({ protocol: 'IMAP', user: opd1.user });

    const smtpErr = await expectSandiError(
      sendRaw(smtpFor(stack, sandi, { password: wrong }), { from: sandi.email, to: [opd1.email], raw: Buffer.from('Subject: x\r\n\r\nx\r\n'), messageId: '<x@kominfo.test>' }),
      'PERMISSION',
      'mail.authFailed',
    );
    for (const e of [imapErr, smtpErr]) {
      for (const lang of ['id', 'en'] as const) expect(t(e.key, e.params, lang)).not.toContain(wrong);
      expect(JSON.stringify(e.params)).not.toContain(wrong);
    }
  });

  it('maps a closed port to UNAVAILABLE', async () => {
    const closed = await freePort();
    const imapErr = await expectSandiError(ImapMailbox.connect(imapFor(stack, sandi, { port: closed })), 'UNAVAILABLE', 'mail.unreachable');
    expect(imapErr.exitCode).toBe(69);
    expect(imapErr.params).toMatchObject({ reason: 'ECONNREFUSED', port: closed });
    await expectSandiError(
      sendRaw(smtpFor(stack, sandi, { port: closed }), { from: sandi.email, to: [opd1.email], raw: Buffer.from('x\r\n'), messageId: '<x@kominfo.test>' }),
      'UNAVAILABLE',
      'mail.unreachable',
    );
  });

  it('refuses the self-signed certificate without caFile, with a clear message; accepts it with caFile', async () => {
    const imapErr = await expectSandiError(ImapMailbox.connect(imapFor(stack, sandi, { caFile: undefined })), 'UNAVAILABLE', 'mail.tlsUntrusted');
    expect(imapErr.hint).toBe('mail.tlsUntrusted.hint');
    expect(t(imapErr.key, imapErr.params, 'en')).toMatch(/certificate of the IMAP server 127\.0\.0\.1:\d+ is not trusted/);
    expect(t(imapErr.hint!, {}, 'en')).toContain('caFile');

    const starttlsErr = await expectSandiError(
      ImapMailbox.connect(imapFor(stack, sandi, { caFile: undefined, port: stack.imapStarttls.port, security: 'starttls' })),
      'UNAVAILABLE',
      'mail.tlsUntrusted',
    );
    expect(starttlsErr.params['protocol']).toBe('IMAP');

    const smtpErr = await expectSandiError(
      sendRaw(smtpFor(stack, sandi, { caFile: undefined }), { from: sandi.email, to: [opd1.email], raw: Buffer.from('x\r\n'), messageId: '<x@kominfo.test>' }),
      'UNAVAILABLE',
      'mail.tlsUntrusted',
    );
    expect(t(smtpErr.key, smtpErr.params, 'id')).toMatch(/Sertifikat TLS server SMTP .* tidak dipercaya/);

    const box = await ImapMailbox.connect(imapFor(stack, sandi));
    await box.close();
  });

  it('names a missing CA file as a CONFIG error', async () => {
    await expectSandiError(ImapMailbox.connect(imapFor(stack, sandi, { caFile: '/nonexistent/ca.pem' })), 'CONFIG', 'mail.caFileUnreadable');
  });

  it('maps a recipient the server does not know to DATA (nothing sent)', async () => {
    const e = await expectSandiError(
      sendRaw(smtpFor(stack, sandi), { from: sandi.email, to: ['tidak-ada@dinkes.test'], raw: Buffer.from('Subject: x\r\n\r\nx\r\n'), messageId: '<y@kominfo.test>' }),
      'DATA',
      'mail.smtpRejected',
    );
    expect(String(e.params['response'])).toMatch(/^550 /);
  });

  it('never relays outside the test domains', async () => {
    await expectSandiError(
      sendRaw(smtpFor(stack, sandi), { from: sandi.email, to: ['someone@example.com'], raw: Buffer.from('Subject: x\r\n\r\nx\r\n'), messageId: '<z@kominfo.test>' }),
      'DATA',
      'mail.smtpRejected',
    );
  });
});
