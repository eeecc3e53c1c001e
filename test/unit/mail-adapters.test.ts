/**
 * The fast tier of the mail adapters: scripted in-process servers for the failures a real Dovecot or
 * Postfix cannot be made to produce on demand (silence, no STARTTLS, a 4xx reply), and the pure error
 * mapping. The real-server tests are in test/integration/mailstack.test.ts.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ImapMailbox } from '../../src/adapters/mail/imap.js';
import { mapSmtpError, sendRaw } from '../../src/adapters/mail/smtp.js';
import { mapConnectionError, redact } from '../../src/adapters/mail/errors.js';
import { SandiError } from '../../src/errors.js';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compareMaildirNames, deliverToMaildir, listMaildir } from '../../src/adapters/maildir.js';

/** A loopback server that runs `script` for each connection; close() also drops open connections. */
async function scripted(script: (s: Socket) => void): Promise<{ port: number; close: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => undefined);
    script(s);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address();
  const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
  const close = (): Promise<void> => {
    for (const s of sockets) s.destroy();
    return new Promise((r) => server.close(() => r()));
  };
  closers.push(close);
  return { port, close };
}

/** Reply to SMTP commands line by line from a table (first matching prefix wins). */
function smtpScript(replies: [RegExp, string][]): (s: Socket) => void {
  return (s) => {
    s.write('220 fake.test ESMTP\r\n');
    let buf = '';
    s.on('data', (d: Buffer) => {
      buf += d.toString('latin1');
      let i: number;
      while ((i = buf.indexOf('\r\n')) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 2);
        const hit = replies.find(([re]) => re.test(line));
        s.write(hit ? hit[1] : '500 5.5.2 what?\r\n');
      }
    });
  };
}

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((c) => c()));
});

async function errorOf(p: Promise<unknown>): Promise<SandiError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(SandiError);
  return e as SandiError;
}

const smtp = (port: number, security: 'starttls' | 'tls' = 'starttls') => ({ host: '127.0.0.1', port, security, user: 'u@x.test', password: 'pw-Rahasia-9', timeoutMs: 400 });
const imap = (port: number, security: 'starttls' | 'tls' = 'starttls') => ({ host: '127.0.0.1', port, security, user: 'u@x.test', password: 'pw-Rahasia-9', timeoutMs: 400 });
const mail = { from: 'u@x.test', to: ['v@y.test'], raw: Buffer.from('Subject: x\r\n\r\nx\r\n'), messageId: '<m@x.test>' };

describe('scripted servers', () => {
  it('a silent SMTP server → TEMPFAIL mail.timeout', async () => {
    const { port } = await scripted(() => undefined);
    const e = await errorOf(sendRaw(smtp(port), mail));
    expect([e.code, e.key]).toEqual(['TEMPFAIL', 'mail.timeout']);
    expect(e.exitCode).toBe(75);
  });

  it('a silent IMAP server → TEMPFAIL mail.timeout', async () => {
    const { port } = await scripted(() => undefined);
    const e = await errorOf(ImapMailbox.connect(imap(port, 'tls')));
    expect([e.code, e.key]).toEqual(['TEMPFAIL', 'mail.timeout']);
  });

  it('an SMTP server without STARTTLS → the password is never sent (mail.tlsNotOffered)', async () => {
    const seen: string[] = [];
    const { port } = await scripted((s) => {
      s.on('data', (d: Buffer) => seen.push(d.toString('latin1')));
      smtpScript([
        [/^EHLO/, '250-fake.test\r\n250 AUTH PLAIN LOGIN\r\n'],
        [/^QUIT/, '221 bye\r\n'],
      ])(s);
    });
    const e = await errorOf(sendRaw({ ...smtp(port), timeoutMs: 5000 }, mail)); // not a timeout case: room for a loaded machine
    expect([e.code, e.key]).toEqual(['UNAVAILABLE', 'mail.tlsNotOffered']);
    expect(seen.join('')).not.toMatch(/AUTH/);
  });

  it('an IMAP server without STARTTLS → mail.tlsNotOffered, no LOGIN sent', async () => {
    const seen: string[] = [];
    const { port } = await scripted((s) => {
      s.write('* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] fake\r\n');
      s.on('data', (d: Buffer) => {
        const text = d.toString('latin1');
        seen.push(text);
        const tag = text.split(' ')[0];
        if (/CAPABILITY/i.test(text)) s.write(`* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\n${tag} OK done\r\n`);
        else s.write(`${tag} BAD no\r\n`);
      });
    });
    const e = await errorOf(ImapMailbox.connect({ ...imap(port), timeoutMs: 5000 })); // not a timeout case
    expect([e.code, e.key]).toEqual(['UNAVAILABLE', 'mail.tlsNotOffered']);
    expect(seen.join('')).not.toMatch(/LOGIN|AUTHENTICATE/i);
  });

  it('a TLS port spoken to in plain text (or the reverse) → mail.tlsFailed or timeout, never a hang', async () => {
    const { port } = await scripted(smtpScript([[/^EHLO/, '250-fake.test\r\n250 STARTTLS\r\n']]));
    const e = await errorOf(sendRaw(smtp(port, 'tls'), mail));
    expect(e.code === 'UNAVAILABLE' || e.code === 'TEMPFAIL').toBe(true);
    expect(['mail.tlsFailed', 'mail.timeout', 'mail.connectionLost']).toContain(e.key);
  });
});

describe('error mapping', () => {
  const ep = { protocol: 'SMTP' as const, host: 'mail.x.test', port: 587, user: 'u@x.test', timeoutMs: 30_000 };

  it.each([
    [{ code: 'ESOCKET', originalCode: 'ECONNREFUSED' }, 'UNAVAILABLE', 'mail.unreachable'],
    [{ code: 'EDNS', message: 'getaddrinfo ENOTFOUND' }, 'UNAVAILABLE', 'mail.unreachable'],
    [{ code: 'ESOCKET', originalCode: 'CERT_HAS_EXPIRED' }, 'UNAVAILABLE', 'mail.tlsUntrusted'],
    [{ code: 'ERR_TLS_CERT_ALTNAME_INVALID' }, 'UNAVAILABLE', 'mail.tlsUntrusted'],
    [{ code: 'ETIMEDOUT' }, 'TEMPFAIL', 'mail.timeout'],
    [{ code: 'ECONNRESET' }, 'TEMPFAIL', 'mail.connectionLost'],
    [{ code: 'EAUTH', responseCode: 535 }, 'PERMISSION', 'mail.authFailed'],
    [{ authenticationFailed: true, serverResponseCode: 'AUTHENTICATIONFAILED' }, 'PERMISSION', 'mail.authFailed'],
    [{ code: 'ESOCKET', originalCode: 'ERR_SSL_WRONG_VERSION_NUMBER' }, 'UNAVAILABLE', 'mail.tlsFailed'],
  ])('%j → %s %s', (err, code, key) => {
    const e = mapConnectionError(Object.assign(new Error('x'), err), ep);
    expect([e?.code, e?.key]).toEqual([code, key]);
  });

  it.each([
    [550, 'DATA', 'mail.smtpRejected'],
    [552, 'DATA', 'mail.smtpRejected'],
    [451, 'TEMPFAIL', 'mail.smtpDeferred'],
  ])('SMTP reply %i → %s', (responseCode, code, key) => {
    const e = mapSmtpError(Object.assign(new Error('x'), { code: 'EENVELOPE', responseCode, response: `${responseCode} no` }), ep);
    expect([e.code, e.key]).toEqual([code, key]);
    expect(e.params['response']).toBe(`${responseCode} no`);
  });

  it('never lets the password through into a message parameter', () => {
    const e = mapSmtpError(Object.assign(new Error('boom pw-Rahasia-9 boom'), { code: 'EWHATEVER' }), ep, ['pw-Rahasia-9']);
    expect(JSON.stringify(e.params)).not.toContain('pw-Rahasia-9');
    expect(redact('a secret b secret', ['secret'])).toBe('a *** b ***');
  });
});

describe('Maildir delivery order', () => {
  it('sorts by the seconds, then the microseconds of Dovecot and Postfix names, not as plain strings', () => {
    const names = [
      '1795635708.M5P10.host',
      '1795635707.M100000P10.host',
      '1795635707.V803I1a2bM7.host',
      '1795635707.M99999P10.host',
      '1795635707.P10R0a1b2c3d4e5f.host',
      'notatime.host',
    ];
    expect([...names].sort(compareMaildirNames)).toEqual([
      '1795635707.P10R0a1b2c3d4e5f.host',
      '1795635707.V803I1a2bM7.host',
      '1795635707.M99999P10.host',
      '1795635707.M100000P10.host',
      '1795635708.M5P10.host',
      'notatime.host',
    ]);
  });
});

describe('Maildir delivery names', () => {
  it('deliveries under one fixed clock keep their order when listed', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sandi-maildir-'));
    try {
      const at = new Date('2026-11-25T03:00:00.500Z');
      for (let i = 0; i < 30; i++) deliverToMaildir(dir, Buffer.from(`Subject: ${i}\r\n\r\nisi\r\n`), at);
      const order = listMaildir(dir).map((m) => /Subject: (\d+)/.exec(readFileSync(m.path, 'latin1'))?.[1]);
      expect(order).toEqual(Array.from({ length: 30 }, (_, i) => String(i)));
      expect(listMaildir(dir)[0]!.id).toMatch(/^new\/1795575600\.M500000P\d+R[0-9a-f]{12}\./);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
