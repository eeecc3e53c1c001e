/**
 * `sandi kirim` against temporary SMTP refusals (4xx), which Postfix cannot be made to give on demand: a
 * scripted SMTP server (implicit TLS with a certificate made now by openssl, AUTH, then 451 to MAIL FROM for
 * as many connections as told) behind the real kirim service on a real home (demo office, SQLite, openpgp).
 * The send is retried with backoff, bounded; after the last attempt the error is reported and the row waits
 * in bernomor, and `lanjut` sends it once the server accepts.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type Server, type TLSSocket } from 'node:tls';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openApp, type App } from '../../src/app.js';
import { runDemo } from '../../src/services/demo.js';
import { kirimService } from '../../src/services/kirim/index.js';
import { loadConfig, saveConfig } from '../../src/config/config.js';
import { SandiError } from '../../src/errors.js';
import { describeWith } from '../helpers/gate.js';

const OPENSSL = '/usr/bin/openssl';
const manifest = JSON.parse(readFileSync(join(import.meta.dirname, '../../keys.example/manifest.json'), 'utf8')) as { keys: { role: string; passphrase: string }[] };
const pass = (role: string) => manifest.keys.find((k) => k.role === role)!.passphrase;

/** An SMTP server that defers (451) MAIL FROM on the first `deferrals` connections, then accepts. */
function scriptedSmtp(tls: { key: Buffer; cert: Buffer }) {
  const state = { deferrals: 0, connections: 0, accepted: [] as string[] };
  const server: Server = createServer(tls, (s: TLSSocket) => {
    state.connections += 1;
    const defer = state.deferrals > 0;
    if (defer) state.deferrals -= 1;
    let buf = '';
    let inData = false;
    const say = (l: string) => s.write(`${l}\r\n`);
    say('220 fake.test ESMTP');
    s.on('data', (d: Buffer) => {
      buf += d.toString('latin1');
      for (;;) {
        if (inData) {
          const end = buf.indexOf('\r\n.\r\n');
          if (end < 0) return;
          state.accepted.push(buf.slice(0, end));
          buf = buf.slice(end + 5);
          inData = false;
          say('250 2.0.0 Ok: queued as FAKE1');
          continue;
        }
        const nl = buf.indexOf('\r\n');
        if (nl < 0) return;
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 2);
        const cmd = line.slice(0, 4).toUpperCase();
        if (cmd === 'EHLO') say('250-fake.test\r\n250 AUTH PLAIN LOGIN');
        else if (cmd === 'AUTH') say('235 2.7.0 Authentication successful');
        else if (cmd === 'MAIL') say(defer ? '451 4.3.0 Coba lagi nanti' : '250 2.1.0 Ok');
        else if (cmd === 'RCPT') say('250 2.1.5 Ok');
        else if (cmd === 'DATA') {
          say('354 End data with <CR><LF>.<CR><LF>');
          inData = true;
        } else if (cmd === 'RSET') say('250 2.0.0 Ok');
        else if (cmd === 'QUIT') {
          say('221 2.0.0 Bye');
          s.end();
        } else say('502 5.5.2 Error: command not recognized');
      }
    });
    s.on('error', () => undefined);
  });
  return { server, state };
}

describeWith('openssl', existsSync(OPENSSL), 'sandi kirim: temporary SMTP refusals are retried with backoff, then the row waits', () => {
  let dir: string;
  let app: App;
  let smtp: ReturnType<typeof scriptedSmtp>;
  let port: number;
  const env = { SANDI_MAILBOX_PASSWORD: 'rahasia-uji' };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sandi-kirim-retry-'));
    execFileSync(OPENSSL, ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'),
      '-days', '2', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1'], { stdio: 'ignore' });
    smtp = scriptedSmtp({ key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) });
    await new Promise<void>((res) => smtp.server.listen(0, '127.0.0.1', res));
    port = (smtp.server.address() as { port: number }).port;
    app = openApp(join(dir, 'home'));
    await runDemo(app);
    const c = loadConfig(app.paths.config);
    c.mailbox = {
      user: 'sandi@kominfo.test',
      imap: { host: '127.0.0.1', port: 1, tls: 'tls' },
      smtp: { host: '127.0.0.1', port, tls: 'tls' },
      caFile: join(dir, 'cert.pem'),
      sentFolder: false,
    };
    saveConfig(app.paths.config, c);
  }, 60_000);

  afterAll(async () => {
    app.close();
    await new Promise<void>((res) => smtp.server.close(() => res()));
    rmSync(dir, { recursive: true, force: true });
  });

  const svc = (warnings: string[] = []) =>
    kirimService(app, {
      actor: 'budi',
      env,
      singleOperator: true,
      passphrases: { sandiman: { get: () => Promise.resolve(pass('sandiman')) }, kasi: { get: () => Promise.resolve(pass('kasi')) } },
      retry: { attempts: 3, firstDelayMs: 20, maxDelayMs: 100, maxTotalMs: 10_000 },
      warn: (key) => warnings.push(key),
    });
  const input = {
    dokumen: { fileName: 'nota.txt', data: Buffer.from('Nota dinas uji penundaan SMTP.\n') },
    kepada: ['persandian@dinkes.demo.sandi.invalid'],
    perihal: 'Uji penundaan',
    sifat: 'Terbatas' as const,
    derajat: 'Segera' as const,
    permohonan: { nomor: '1', tanggal: '2026-11-20', unit: 'Setda' },
  };

  it('deferred twice, accepted on the third attempt: terkirim, each retry announced', async () => {
    smtp.state.deferrals = 2;
    smtp.state.accepted = [];
    const warnings: string[] = [];
    const rep = await svc(warnings).mulai(input);
    expect(rep.row.status).toBe('terkirim');
    expect(rep.sent?.serverReply).toContain('queued as FAKE1');
    expect(warnings.filter((w) => w === 'kirim.retrying')).toHaveLength(2);
    expect(smtp.state.accepted).toHaveLength(1);
    expect(smtp.state.accepted[0]).toContain(`Message-ID: ${rep.row.messageId!}`);
  }, 30_000);

  it('deferred on every attempt: reported after the bounded attempts, nothing sent, the row waits; lanjut sends it once', async () => {
    smtp.state.deferrals = 3;
    smtp.state.accepted = [];
    const connectionsBefore = smtp.state.connections;
    const err = await svc().mulai(input).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SandiError);
    expect((err as SandiError).key).toBe('kirim.deferredGaveUp');
    expect((err as SandiError).exitCode).toBe(75);
    expect(smtp.state.connections - connectionsBefore).toBe(3);
    expect(smtp.state.accepted).toEqual([]);
    const waiting = svc().status();
    expect(waiting.map((r) => r.status)).toEqual(['bernomor']);
    const res = await svc().lanjut();
    expect(res.rows.map((r) => [r.from, r.to])).toEqual([['bernomor', 'terkirim']]);
    expect(smtp.state.accepted).toHaveLength(1);
  }, 30_000);
});
