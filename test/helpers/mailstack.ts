/**
 * A real mail stack for integration tests: Dovecot (IMAP, IMAPS, LMTP, SASL auth) and Postfix (submission
 * with STARTTLS + AUTH through Dovecot, delivering into Dovecot over LMTP) on 127.0.0.1, each with its own
 * configuration and state in a temporary folder, started per test file and stopped after.
 *
 * Nothing leaves loopback: Postfix knows only the virtual test domains, every other transport is `error:`,
 * DNS is off. Both servers get a unique instance name, so a system-wide Postfix or Dovecot (if any) is not
 * touched. Needs root (Postfix's master and Dovecot drop privileges to their own users) and the Debian
 * packages in .ci/mail-packages.
 *
 *   const stack = await startMailStack();
 *   try { ... stack.imap.port, stack.smtp.port, stack.caFile, stack.users ... } finally { await stack.stop(); }
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface MailUser {
  /** login name (the full address, as on Sanapati) */
  user: string;
  password: string;
  email: string;
}

export interface MailStack {
  /** IMAPS (implicit TLS) */
  imap: { host: string; port: number; secure: true };
  /** plain IMAP port that offers STARTTLS (Dovecot refuses LOGIN before it: ssl = required) */
  imapStarttls: { host: string; port: number; secure: false };
  /** Postfix submission: STARTTLS required, AUTH PLAIN/LOGIN through Dovecot */
  smtp: { host: string; port: number; secure: false };
  /** the self-signed certificate both servers present (CN=localhost, SAN DNS:localhost, IP:127.0.0.1) */
  caFile: string;
  users: MailUser[];
  /** the stack's temporary folder (configs, state, Maildirs, logs) */
  dir: string;
  /** Dovecot's passwd-file (user:{SCHEME}password:uid:gid::home::), read by Dovecot on every login after a change */
  passwdFile: string;
  /** Set a user's password in the passwd-file ({PLAIN}), as an administrator would; keeps owner and mode. */
  setPassword(user: string, password: string): void;
  /** Look up a user by e-mail address; throws if unknown. */
  user(email: string): MailUser;
  /** Dovecot and Postfix logs so far, for failure messages. */
  logs(): string;
  /** Stop both servers and remove the temporary folder. Safe to call twice, and after a failed start. */
  stop(): Promise<void>;
}

export interface MailStackOptions {
  /** extra users besides the defaults */
  users?: MailUser[];
  /** keep the temporary folder after stop (debugging) — also SANDI_KEEP_MAILSTACK=1 */
  keep?: boolean;
}

export const DOVECOT = '/usr/sbin/dovecot';
export const POSTFIX = '/usr/sbin/postfix';
const POSTFIX_DAEMONS = '/usr/lib/postfix/sbin';

export const DEFAULT_USERS: MailUser[] = [
  { user: 'sandi@kominfo.test', password: 'sandi-rahasia-1', email: 'sandi@kominfo.test' },
  { user: 'opd1@dinkes.test', password: 'opd1-rahasia-1', email: 'opd1@dinkes.test' },
  { user: 'opd2@disdik.test', password: 'opd2-rahasia-1', email: 'opd2@disdik.test' },
];

/**
 * Whether this machine can run the stack: root, and the programs of .ci/mail-packages installed.
 * Returns null when it can, else the reason (for describeWith's skip message).
 */
export function mailStackMissing(): string | null {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return 'root (Postfix and Dovecot drop privileges)';
  const need = [DOVECOT, POSTFIX, `${POSTFIX_DAEMONS}/master`, '/usr/lib/dovecot/imap', '/usr/lib/dovecot/lmtp', '/usr/bin/openssl'];
  const missing = need.filter((p) => !existsSync(p));
  return missing.length === 0 ? null : missing.join(', ');
}

/** A free TCP port on 127.0.0.1 (bound to port 0, then released for the server to take). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

async function distinctFreePorts(n: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < n) ports.add(await freePort());
  return [...ports];
}

function canConnect(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host, port });
    const done = (ok: boolean): void => {
      s.destroy();
      resolve(ok);
    };
    s.setTimeout(1000, () => done(false));
    s.once('connect', () => done(true));
    s.once('error', () => done(false));
  });
}

/** Poll until `check` is true; fail with `what` and the logs after `timeoutMs`. */
async function waitFor(what: string, check: () => Promise<boolean> | boolean, timeoutMs: number, logs: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`mailstack: ${what} not ready after ${timeoutMs} ms\n${logs()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function readIfExists(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

/** Alive and not a zombie (in a container without an init, killed daemons may stay zombies). */
function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  const stat = readIfExists(`/proc/${pid}/stat`);
  const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  return state !== 'Z' && state !== 'X';
}

function uidGid(name: string, kind: 'passwd' | 'group'): number {
  const line = readFileSync(kind === 'passwd' ? '/etc/passwd' : '/etc/group', 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${name}:`));
  const id = line?.split(':')[2];
  if (id === undefined) throw new Error(`mailstack: no ${kind} entry for ${name}`);
  return Number(id);
}

/**
 * Start Dovecot and Postfix for one test file (about 0.3-0.6 s); call stop() in afterAll. A free port
 * taken by someone else between probing and binding is retried once with new ports.
 */
export async function startMailStack(options: MailStackOptions = {}): Promise<MailStack> {
  try {
    return await startOnce(options);
  } catch (e) {
    if (!/address already in use|EADDRINUSE/i.test(String(e))) throw e;
    return startOnce(options);
  }
}

async function startOnce(options: MailStackOptions): Promise<MailStack> {
  const users = [...DEFAULT_USERS, ...(options.users ?? [])];
  const keep = options.keep === true || process.env['SANDI_KEEP_MAILSTACK'] === '1';
  const tag = randomBytes(4).toString('hex');
  // Short path: unix socket paths are limited to 107 bytes.
  const dir = mkdtempSync(join(tmpdir(), 'sandi-mail-'));
  // The servers' unprivileged users (postfix, dovenull, the mail uid) must be able to traverse it.
  chmodSync(dir, 0o755);

  const paths = {
    cert: join(dir, 'tls', 'cert.pem'),
    key: join(dir, 'tls', 'key.pem'),
    dovecotConf: join(dir, 'dovecot', 'dovecot.conf'),
    dovecotUsers: join(dir, 'dovecot', 'users'),
    dovecotRun: join(dir, 'dovecot', 'run'),
    dovecotState: join(dir, 'dovecot', 'state'),
    dovecotLog: join(dir, 'dovecot.log'),
    mail: join(dir, 'mail'),
    postfixConf: join(dir, 'postfix', 'etc'),
    postfixQueue: join(dir, 'postfix', 'queue'),
    postfixData: join(dir, 'postfix', 'data'),
    postfixLog: join(dir, 'postfix.log'),
    vmailbox: join(dir, 'postfix', 'etc', 'vmailbox'),
  };
  const logs = (): string =>
    `--- dovecot.log (${paths.dovecotLog})\n${readIfExists(paths.dovecotLog)}\n--- postfix.log (${paths.postfixLog})\n${readIfExists(paths.postfixLog)}`;

  let dovecot: ChildProcess | undefined;
  let stopped = false;

  // Last resort when the test process dies without stop() (a crash, SIGKILL, a forgotten afterAll): a
  // detached watchdog waits for this process to go away, then kills both daemon groups and removes the
  // folder. No daemon may outlive the test run.
  let watchdog: ChildProcess | undefined;
  const startWatchdog = (dovecotPid: number): void => {
    watchdog = spawn(
      'sh',
      [
        '-c',
        `while kill -0 ${process.pid} 2>/dev/null; do sleep 1; done
         kill -9 -${dovecotPid} 2>/dev/null
         pf=$(tr -dc 0-9 < "${paths.postfixQueue}/pid/master.pid" 2>/dev/null); [ -n "$pf" ] && kill -9 -"$pf" 2>/dev/null
         ${keep ? 'true' : `rm -rf "${dir}"`}`,
      ],
      { detached: true, stdio: 'ignore' },
    );
    watchdog.unref();
  };

  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    if (watchdog?.pid !== undefined) {
      try {
        process.kill(watchdog.pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
    await Promise.all([stopPostfix(paths.postfixQueue), dovecot ? stopDovecot(dovecot) : undefined]);
    if (!keep) rmSync(dir, { recursive: true, force: true });
  };

  try {
    for (const d of [join(dir, 'tls'), join(dir, 'dovecot'), paths.dovecotState, paths.postfixConf, paths.postfixQueue, paths.postfixData]) {
      mkdirSync(d, { recursive: true });
    }
    const [imapsPort, imapPort, submissionPort] = (await distinctFreePorts(3)) as [number, number, number];

    // 1. A self-signed certificate, made now so no key is ever committed. EC keys are generated instantly.
    await run('openssl', [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
      '-keyout', paths.key, '-out', paths.cert, '-days', '2', '-subj', '/CN=localhost/O=sandi test',
      '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1',
    ]);
    chmodSync(paths.key, 0o600);

    // 2. Dovecot: users, Maildirs owned by the unprivileged mail uid, the config.
    const mailUid = uidGid('nobody', 'passwd');
    const mailGid = uidGid('nogroup', 'group');
    mkdirSync(paths.mail, { recursive: true });
    chownSync(paths.mail, mailUid, mailGid);
    chmodSync(paths.mail, 0o700);
    writeFileSync(
      paths.dovecotUsers,
      users
        .map((u) => {
          const [local, domain] = u.email.split('@') as [string, string];
          return `${u.user}:{PLAIN}${u.password}:${mailUid}:${mailGid}::${join(paths.mail, domain, local)}::\n`;
        })
        .join(''),
      { mode: 0o640 },
    );
    // Dovecot's auth process reads the passwd-file as the internal user.
    chownSync(paths.dovecotUsers, 0, uidGid('dovecot', 'group'));
    writeFileSync(paths.dovecotConf, dovecotConfig({ tag, paths, imapPort, imapsPort, mailUid }));

    // Its own process group, so stop() can take every Dovecot process down at once.
    dovecot = spawn(DOVECOT, ['-F', '-c', paths.dovecotConf], { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let dovecotOut = '';
    dovecot.stdout?.on('data', (b: Buffer) => (dovecotOut += b.toString()));
    dovecot.stderr?.on('data', (b: Buffer) => (dovecotOut += b.toString()));
    const dovecotLogs = (): string => `${logs()}\n--- dovecot stdout/stderr\n${dovecotOut}`;
    const dovecotProc = dovecot;
    if (dovecot.pid !== undefined) startWatchdog(dovecot.pid);

    // 3. Postfix: its own config directory and queue.
    const domains = [...new Set(users.map((u) => u.email.split('@')[1] as string))];
    writeFileSync(
      join(paths.postfixConf, 'main.cf'),
      postfixMainCf({ tag, dir, paths, domains, lmtpSocket: join(paths.dovecotRun, 'lmtp'), authSocket: join(paths.dovecotRun, 'auth-postfix') }),
    );
    writeFileSync(join(paths.postfixConf, 'master.cf'), postfixMasterCf(tag, submissionPort));
    writeFileSync(paths.vmailbox, users.map((u) => `${u.email} ok\n`).join(''));
    // `postfix start` sleeps in 300 ms steps (2.4 s measured) while main.cf's mtime is only seconds old;
    // date the generated files a minute back so it starts at once.
    const aMinuteAgo = new Date(Date.now() - 60_000);
    for (const f of ['main.cf', 'master.cf', 'vmailbox']) utimesSync(join(paths.postfixConf, f), aMinuteAgo, aMinuteAgo);

    // Dovecot's sockets must exist before Postfix uses them, and IMAP must accept connections.
    await waitFor(
      'dovecot',
      async () => {
        if (dovecotProc.exitCode !== null) throw new Error(`mailstack: dovecot exited with ${dovecotProc.exitCode}\n${dovecotLogs()}`);
        return (
          existsSync(join(paths.dovecotRun, 'lmtp')) &&
          existsSync(join(paths.dovecotRun, 'auth-postfix')) &&
          (await canConnect('127.0.0.1', imapsPort)) &&
          (await canConnect('127.0.0.1', imapPort))
        );
      },
      10_000,
      dovecotLogs,
    );

    // data_directory belongs to the mail owner; `postfix start` creates the queue subdirectories itself.
    chownSync(paths.postfixData, uidGid('postfix', 'passwd'), uidGid('postfix', 'group'));
    chmodSync(paths.postfixData, 0o700);
    try {
      await run(POSTFIX, ['-c', paths.postfixConf, 'start'], { timeout: 30_000 });
    } catch (e) {
      const err = e as { stderr?: string; message: string };
      throw new Error(`mailstack: postfix failed to start: ${err.stderr ?? err.message}\n${logs()}`);
    }
    await waitFor('postfix submission', () => canConnect('127.0.0.1', submissionPort), 10_000, logs);

    return {
      imap: { host: '127.0.0.1', port: imapsPort, secure: true },
      imapStarttls: { host: '127.0.0.1', port: imapPort, secure: false },
      smtp: { host: '127.0.0.1', port: submissionPort, secure: false },
      caFile: paths.cert,
      users,
      dir,
      passwdFile: paths.dovecotUsers,
      setPassword(user: string, password: string): void {
        const lines = readFileSync(paths.dovecotUsers, 'utf8').split('\n');
        const i = lines.findIndex((l) => l.split(':', 1)[0]?.toLowerCase() === user.toLowerCase());
        if (i < 0) throw new Error(`mailstack: no user ${user} in the passwd-file`);
        const fields = (lines[i] ?? '').split(':');
        fields[1] = `{PLAIN}${password}`;
        lines[i] = fields.join(':');
        // in place: owner and mode stay. Dovecot re-reads the file when its mtime (whole seconds) or size
        // changes; a same-length password set within the same second would go unnoticed, so move the mtime on.
        const before = Math.floor(statSync(paths.dovecotUsers).mtimeMs / 1000);
        writeFileSync(paths.dovecotUsers, lines.join('\n'));
        const mtime = Math.max(Date.now() / 1000, before + 1);
        utimesSync(paths.dovecotUsers, mtime, mtime);
      },
      user(email: string): MailUser {
        const u = users.find((x) => x.email === email);
        if (!u) throw new Error(`mailstack: no user ${email}`);
        return u;
      },
      logs,
      stop,
    };
  } catch (e) {
    await stop().catch(() => undefined);
    throw e;
  }
}

interface DovecotConfigInput {
  tag: string;
  paths: { dovecotRun: string; dovecotState: string; dovecotLog: string; dovecotUsers: string; cert: string; key: string; mail: string };
  imapPort: number;
  imapsPort: number;
  mailUid: number;
}

function dovecotConfig({ tag, paths, imapPort, imapsPort, mailUid }: DovecotConfigInput): string {
  return `# sandi test stack — generated by test/helpers/mailstack.ts
instance_name = sandi-test-${tag}
base_dir = ${paths.dovecotRun}
state_dir = ${paths.dovecotState}
log_path = ${paths.dovecotLog}
info_log_path = ${paths.dovecotLog}
debug_log_path = ${paths.dovecotLog}
protocols = imap lmtp
listen = 127.0.0.1
shutdown_clients = yes

ssl = required
ssl_cert = <${paths.cert}
ssl_key = <${paths.key}
ssl_min_protocol = TLSv1.2

default_login_user = dovenull
default_internal_user = dovecot
first_valid_uid = ${Math.min(mailUid, 500)}

auth_mechanisms = plain login
# Production servers slow down failed logins; tests of a wrong password should not wait 2 s each.
auth_failure_delay = 0
auth_username_format = %Lu
passdb {
  driver = passwd-file
  args = scheme=PLAIN ${paths.dovecotUsers}
}
userdb {
  driver = passwd-file
  args = ${paths.dovecotUsers}
}

mail_location = maildir:~/Maildir
namespace inbox {
  inbox = yes
  separator = /
  mailbox Sent {
    special_use = \\Sent
    auto = subscribe
  }
  mailbox Drafts {
    special_use = \\Drafts
    auto = subscribe
  }
  mailbox Trash {
    special_use = \\Trash
    auto = subscribe
  }
  mailbox Junk {
    special_use = \\Junk
    auto = create
  }
}

service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = ${imapPort}
  }
  inet_listener imaps {
    address = 127.0.0.1
    port = ${imapsPort}
    ssl = yes
  }
}
service lmtp {
  unix_listener lmtp {
    mode = 0600
    user = postfix
    group = postfix
  }
}
# Every test client is 127.0.0.1: without this, one failed login makes anvil delay the next logins
# from that address by seconds (auth penalty), good passwords included.
service anvil {
  unix_listener anvil-auth-penalty {
    mode = 0
  }
}
service auth {
  unix_listener auth-postfix {
    mode = 0600
    user = postfix
    group = postfix
  }
}
protocol lmtp {
  postmaster_address = postmaster@kominfo.test
}
`;
}

interface PostfixMainCfInput {
  tag: string;
  dir: string;
  paths: { postfixQueue: string; postfixData: string; postfixLog: string; cert: string; key: string; vmailbox: string };
  domains: string[];
  lmtpSocket: string;
  authSocket: string;
}

function postfixMainCf({ tag, dir, paths, domains, lmtpSocket, authSocket }: PostfixMainCfInput): string {
  const nowhere = 'error:5.7.1 sandi test stack delivers to its own test domains only';
  return `# sandi test stack — generated by test/helpers/mailstack.ts
compatibility_level = 3.6
multi_instance_name = postfix-sandi-${tag}
syslog_name = postfix-sandi-${tag}
queue_directory = ${paths.postfixQueue}
data_directory = ${paths.postfixData}
command_directory = /usr/sbin
daemon_directory = ${POSTFIX_DAEMONS}
meta_directory = /etc/postfix
shlib_directory = /usr/lib/postfix
mail_owner = postfix
setgid_group = postdrop
maillog_file = ${paths.postfixLog}
maillog_file_prefixes = ${dir}

myhostname = mail.kominfo.test
mydomain = kominfo.test
myorigin = $mydomain
mydestination =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
relayhost =
relay_domains =
alias_maps =
alias_database =
local_recipient_maps =
local_transport = ${nowhere}
default_transport = ${nowhere}
relay_transport = ${nowhere}
smtp_dns_support_level = disabled
lmtp_host_lookup = native
smtpd_peername_lookup = no
biff = no
notify_classes =
message_size_limit = 104857600

virtual_mailbox_domains = ${domains.join(', ')}
virtual_mailbox_maps = texthash:${paths.vmailbox}
virtual_transport = lmtp:unix:${lmtpSocket}

# Retry fast: a test waits seconds, not Postfix's production minutes.
queue_run_delay = 1s
minimal_backoff_time = 1s
maximal_backoff_time = 2s

# No tarpitting of a test client after rejected commands.
smtpd_error_sleep_time = 0
smtpd_soft_error_limit = 100
smtpd_hard_error_limit = 200

smtpd_tls_cert_file = ${paths.cert}
smtpd_tls_key_file = ${paths.key}
smtpd_tls_security_level = encrypt
smtpd_tls_auth_only = yes
smtpd_tls_loglevel = 1
smtpd_sasl_type = dovecot
smtpd_sasl_path = ${authSocket}
smtpd_sasl_auth_enable = yes
smtpd_client_restrictions = permit_sasl_authenticated, reject
smtpd_relay_restrictions = reject_unauth_destination, permit_sasl_authenticated, reject
smtpd_recipient_restrictions = reject_unlisted_recipient, permit_sasl_authenticated, reject
`;
}

function postfixMasterCf(tag: string, submissionPort: number): string {
  // No chroot anywhere: the sockets and certificate live in the temporary folder.
  return `# sandi test stack — generated by test/helpers/mailstack.ts
# service type  private unpriv  chroot  wakeup  maxproc command
127.0.0.1:${submissionPort} inet n - n - - smtpd
  -o syslog_name=postfix-sandi-${tag}/submission
cleanup    unix  n  -  n  -    0  cleanup
qmgr       unix  n  -  n  300  1  qmgr
tlsmgr     unix  -  -  n  1000? 1 tlsmgr
rewrite    unix  -  -  n  -    -  trivial-rewrite
bounce     unix  -  -  n  -    0  bounce
defer      unix  -  -  n  -    0  bounce
trace      unix  -  -  n  -    0  bounce
verify     unix  -  -  n  -    1  verify
flush      unix  n  -  n  1000? 0 flush
proxymap   unix  -  -  n  -    -  proxymap
proxywrite unix  -  -  n  -    1  proxymap
showq      unix  n  -  n  -    -  showq
error      unix  -  -  n  -    -  error
retry      unix  -  -  n  -    -  error
discard    unix  -  -  n  -    -  discard
lmtp       unix  -  -  n  -    -  lmtp
anvil      unix  -  -  n  -    1  anvil
scache     unix  -  -  n  -    1  scache
postlog    unix-dgram n - n -  1  postlogd
`;
}

/**
 * Postfix's master needs about 2 s to exit after SIGTERM (`postfix abort`). As with Dovecot, nothing in a
 * test queue is worth waiting for: SIGTERM, a short grace period, then SIGKILL to its process group
 * (the master is a session leader; every Postfix daemon is in its group).
 */
async function stopPostfix(queueDir: string): Promise<void> {
  const pid = Number(readIfExists(join(queueDir, 'pid', 'master.pid')).trim());
  if (!(pid > 1) || !processAlive(pid)) return;
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return;
  }
  await waitGone(pid, 300);
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    /* group gone */
  }
  await waitGone(pid, 2000);
}

async function waitGone(pid: number, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (processAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
}

/**
 * Dovecot's master takes 1-3 s to shut down gracefully (it waits for its services). A test stack holds
 * nothing worth a clean shutdown, so: SIGTERM, a short grace period, then SIGKILL to the whole group.
 */
async function stopDovecot(child: ChildProcess): Promise<void> {
  await stopProcessGroup(child, 300);
}

/**
 * Stopping a test server started in its own process group (`spawn(..., { detached: true })`): SIGTERM to the
 * group, a grace period, then SIGKILL to the whole group (a child may linger after its master is gone), and
 * wait for the leader's exit. A test server holds nothing worth a slow clean shutdown.
 */
export async function stopProcessGroup(child: ChildProcess, graceMs: number): Promise<void> {
  const pid = child.pid;
  if (pid === undefined) return;
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
  const killGroup = (signal: NodeJS.Signals): void => {
    try {
      process.kill(-pid, signal);
    } catch {
      /* group gone */
    }
  };
  killGroup('SIGTERM');
  await Promise.race([exited, new Promise((r) => setTimeout(r, graceMs).unref())]);
  killGroup('SIGKILL');
  await exited;
}
