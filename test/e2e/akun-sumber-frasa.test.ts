/**
 * Issue 13 defect 5: a mailbox password stored with `akun simpan` (encrypted to the archive key) is opened
 * with the archive key's passphrase the README's way — `--passphrase-file`, the environment, a prompt at a
 * terminal — by every command that connects, not only through SANDI_PASSPHRASE_ARSIP. The built CLI against
 * the real Dovecot + Postfix (startMailStack).
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describeWith } from '../helpers/gate.js';
import { sandi, tempHome, type CliResult } from '../helpers/cli.js';
import { mailStackMissing, startMailStack, type MailStack } from '../helpers/mailstack.js';
import { havePython3Pty, sandiPty } from '../helpers/pty.js';
import { compose } from '../helpers/terima-fixture.js';

const USER = 'sandi@kominfo.test';
const PASSWORD = 'awal-rahasia-e2e-sumber-1';
const ARSIP_PASS = 'frasa-arsip-e2e-sumber-1';

let stack: MailStack;
let home: { dir: string; cleanup: () => void };
let passFile: string;

/** no archive passphrase in the environment unless `env` gives one; never a mailbox password there */
function cli(args: string[], opts: { input?: string; env?: NodeJS.ProcessEnv } = {}): CliResult {
  return sandi(['--home', home.dir, '--no-input', ...args], { env: { SANDI_OPERATOR: 'sandiman-e2e', ...opts.env }, ...(opts.input === undefined ? {} : { input: opts.input }) });
}

describeWith('Dovecot + Postfix (root, .ci/mail-packages)', mailStackMissing() === null, 'the stored mailbox password, opened the README way (e2e)', () => {
  beforeAll(async () => {
    if (!existsSync(resolve(import.meta.dirname, '../../dist/cli/terima.js'))) throw new Error('dist/ is not built: run `npm run build` first');
    stack = await startMailStack();
    stack.setPassword(USER, PASSWORD);
    home = tempHome('sandi-e2e-sumber-');
    const env = { SANDI_PASSPHRASE_ARSIP: ARSIP_PASS };
    const r = cli(
      [
        'init', '--nama-kantor', 'Diskominfo E2E', '--kode-unit', 'E2E', '--buat-kunci-arsip', '--email-arsip', 'arsip@kominfo.test',
        '--akun-user', USER, '--imap-host', '127.0.0.1', '--imap-port', String(stack.imap.port), '--imap-tls', 'tls',
        '--smtp-host', '127.0.0.1', '--smtp-port', String(stack.smtp.port), '--smtp-tls', 'starttls', '--ca-file', stack.caFile,
      ],
      { env },
    );
    expect(r.code, r.stderr).toBe(0);
    const s = cli(['akun', 'simpan'], { input: `${PASSWORD}\n`, env });
    expect(s.code, s.stderr).toBe(0);
    passFile = join(home.dir, 'arsip.pass');
    writeFileSync(passFile, `${ARSIP_PASS}\n`);
    chmodSync(passFile, 0o600);
  }, 120_000);
  afterAll(async () => {
    await stack?.stop();
    home?.cleanup();
  });

  it('terima --passphrase-file F logs in with the stored password; without any source it names the options (64)', () => {
    const none = cli(['terima']);
    expect(none.code).toBe(64);
    expect(none.stderr).toContain('SANDI_PASSPHRASE_ARSIP');
    const r = cli(['terima', '--passphrase-file', passFile, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.json<{ sumber: string; akun: string }>()).toMatchObject({ sumber: 'imap', akun: USER });
    // SANDI_PASSPHRASE (any key) works as well as the role's own variable
    const any = cli(['terima', '--json'], { env: { SANDI_PASSPHRASE: ARSIP_PASS } });
    expect(any.code, any.stderr).toBe(0);
  }, 60_000);

  it('kirim --biasa --passphrase-file-arsip F sends with the stored password (no secret in the environment)', () => {
    const doc = join(home.dir, 'undangan.txt');
    writeFileSync(doc, 'Undangan rapat koordinasi\n');
    const base = ['kirim', doc, '--biasa', '--json', '--kepada', 'opd1@dinkes.test', '--perihal', 'Undangan rapat'];
    const none = cli(base);
    expect(none.code).toBe(64);
    const r = cli([...base, '--passphrase-file-arsip', passFile]);
    expect(r.code, r.stderr).toBe(0);
  }, 60_000);

  it('terima teruskan N --ke X --passphrase-file F forwards over SMTP with the stored password', async () => {
    const dir = join(home.dir, 'eml');
    mkdirSync(dir);
    writeFileSync(join(dir, 'surat.eml'), await compose({ from: 'opd2@disdik.test', to: USER, subject: 'Undangan rapat', text: 'Nomor : 1/2/2026', messageId: '<teruskan-e2e@disdik.test>' }));
    const r = cli(['terima', '--dari-folder', dir, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const nomor = r.json<{ baru: { nomor: string }[] }>().baru[0]!.nomor;
    expect(cli(['terima', 'teruskan', nomor, '--ke', 'opd1@dinkes.test']).code).toBe(64);
    const f = cli(['--json', 'terima', 'teruskan', nomor, '--ke', 'opd1@dinkes.test', '--passphrase-file', passFile]);
    expect(f.code, f.stderr).toBe(0);
    expect(f.json<{ ke: string[] }>().ke).toEqual(['opd1@dinkes.test']);
  }, 60_000);

  it.runIf(havePython3Pty())('at a terminal, terima asks for the archive key passphrase instead of refusing', async () => {
    const r = await sandiPty(
      ['--home', home.dir, 'terima'],
      [{ expect: 'Frasa sandi untuk kunci [0-9A-F]{40}', send: `${ARSIP_PASS}\r` }, { expect: 'pesan baru terdaftar' }],
      { env: { SANDI_OPERATOR: 'sandiman-e2e' }, timeout: 30, limit: 60 },
    );
    expect(r.error, r.transcript).toBeNull();
    expect(r.exitCode, r.transcript).toBe(0);
    expect(r.transcript).not.toContain('stdin bukan terminal');
    expect(r.transcript).not.toContain(ARSIP_PASS);
  }, 90_000);
});
