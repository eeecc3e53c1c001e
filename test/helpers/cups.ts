/**
 * A real CUPS scheduler for print tests: a private `cupsd` on 127.0.0.1 with its own configuration, spool,
 * state and logs in a temporary folder, started per test file and stopped after. Clients reach it through
 * CUPS_SERVER (`env`) or `lp -h` (`server`); the system's own CUPS, if any, is not touched.
 *
 * Printers are PDF queues whose device is a file (`FileDevice Yes`): a job runs through CUPS's real filter
 * chain (pdftopdf, from cups-filters-core-drivers) into that file, which the test reads back. A raw queue
 * would not do: CUPS 2.4 sends a single-document raw job to a file device without any filter, and nothing
 * is written. Needs root (cupsd runs its filters as the lp user) and the Debian packages cups-daemon,
 * cups-client and cups-filters-core-drivers.
 *
 *   const cups = await startCups();
 *   try { const q = await cups.addPdfQueue('kantor'); ...lp with cups.env...; await cups.waitForJob(id); q.read() }
 *   finally { await cups.stop(); }
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { promisify } from 'node:util';
import { freePort, stopProcessGroup } from './mailstack.js';

const run = promisify(execFile);

export const CUPSD = '/usr/sbin/cupsd';
const PDFTOPDF = '/usr/lib/cups/filter/pdftopdf';

export interface CupsQueue {
  name: string;
  /** the file the queue's device writes; each job replaces it */
  output: string;
  /** the last job's output (throws when nothing was printed yet) */
  read(): Buffer;
}

export interface CupsServer {
  /** "127.0.0.1:PORT", for CUPS_SERVER or `lp -h` */
  server: string;
  port: number;
  /** environment for CUPS clients: CUPS_SERVER, the C locale */
  env: NodeJS.ProcessEnv;
  dir: string;
  /** Add an enabled queue that accepts PDF and prints it, through pdftopdf, into a file. */
  addPdfQueue(name: string): Promise<CupsQueue>;
  /** Run a CUPS admin client (lpadmin, cupsreject, cupsaccept, cupsdisable, cupsenable, cancel) against it. */
  admin(cmd: string, args: string[]): Promise<string>;
  /** Wait until the job (e.g. "kantor-3") has left the queue; returns its final state from lpstat. */
  waitForJob(jobId: string, timeoutMs?: number): Promise<'completed'>;
  /** The scheduler's error_log so far, for failure messages. */
  logs(): string;
  /** Stop cupsd and remove the temporary folder. Safe to call twice, and after a failed start. */
  stop(): Promise<void>;
}

/** Null when this machine can run the scheduler, else what is missing (for describeWith's skip message). */
export function cupsMissing(): string | null {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return 'root (cupsd runs its filters as the lp user)';
  const need = [CUPSD, '/usr/bin/lp', '/usr/sbin/lpadmin', '/usr/bin/lpstat', PDFTOPDF];
  const missing = need.filter((p) => !existsSync(p));
  return missing.length === 0 ? null : missing.join(', ');
}

/** A driverless-style PPD: the printer takes PDF, CUPS prepares it with pdftopdf (copies, page ranges, sides). */
const PDF_PPD = `*PPD-Adobe: "4.3"
*FormatVersion: "4.3"
*FileVersion: "1.0"
*LanguageVersion: English
*LanguageEncoding: ISOLatin1
*PCFileName: "SANDIPDF.PPD"
*Manufacturer: "sandi"
*Product: "(sandi test PDF printer)"
*ModelName: "sandi test PDF printer"
*ShortNickName: "sandi test PDF printer"
*NickName: "sandi test PDF printer"
*PSVersion: "(3010.000) 0"
*ColorDevice: False
*cupsVersion: 2.4
*cupsFilter2: "application/vnd.cups-pdf application/pdf 0 -"
*OpenUI *PageSize/Media Size: PickOne
*OrderDependency: 10 AnySetup *PageSize
*DefaultPageSize: A4
*PageSize A4/A4: "<</PageSize[595 842]>>setpagedevice"
*CloseUI: *PageSize
*OpenUI *PageRegion/Media Size: PickOne
*OrderDependency: 10 AnySetup *PageRegion
*DefaultPageRegion: A4
*PageRegion A4/A4: "<</PageSize[595 842]>>setpagedevice"
*CloseUI: *PageRegion
*DefaultImageableArea: A4
*ImageableArea A4/A4: "0 0 595 842"
*DefaultPaperDimension: A4
*PaperDimension A4/A4: "595 842"
*OpenUI *Duplex/2-Sided Printing: PickOne
*OrderDependency: 10 AnySetup *Duplex
*DefaultDuplex: None
*Duplex None/Off: "<</Duplex false>>setpagedevice"
*Duplex DuplexNoTumble/Long Edge: "<</Duplex true/Tumble false>>setpagedevice"
*CloseUI: *Duplex
`;

function readIfExists(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

/**
 * Run `cupsd -t` on the two configuration files; on a refusal throw an error that quotes cupsd's words and, for each
 * "line N" it names, the directive written on that line of the file it names (or of both when it names none).
 */
async function checkCupsConfig(conf: string, filesConf: string, env: NodeJS.ProcessEnv): Promise<void> {
  const r = await run(CUPSD, ['-t', '-c', conf, '-s', filesConf], { env, timeout: 15_000 }).then(
    (x) => ({ ok: true, out: x.stdout + x.stderr }),
    (e: { stdout?: string; stderr?: string; message: string }) => ({ ok: false, out: `${e.stdout ?? ''}${e.stderr ?? e.message}` }),
  );
  // exit 0 also prints harmless notes (filters and banners this test does not install), so only the exit code counts
  if (r.ok) return;
  throw new Error(`cups: ${CUPSD} -t refused the test configuration:\n${describeConfigErrors(r.out, { [conf]: readIfExists(conf), [filesConf]: readIfExists(filesConf) })}`);
}

/** cupsd's config complaints, each followed by the offending line of the file it names. Exported for a unit test. */
export function describeConfigErrors(out: string, files: Record<string, string>): string {
  const lines: string[] = [];
  for (const msg of out.split('\n').map((l) => l.trim()).filter(Boolean)) {
    lines.push(`  ${msg}`);
    const m = /line (\d+)(?: of (?:configuration file )?"?([^"\s]+)"?)?/i.exec(msg);
    if (!m) continue;
    const n = Number(m[1]);
    const where = m[2]?.replace(/\.$/, '');
    const named = where !== undefined ? Object.keys(files).filter((f) => f === where || f.endsWith(`/${basename(where)}`)) : [];
    for (const f of named.length > 0 ? named : Object.keys(files)) {
      const text = files[f]!.split('\n')[n - 1];
      if (text !== undefined) lines.push(`    ${basename(f)}:${n}: ${text.trim() === '' ? '(empty line)' : text.trim()}`);
    }
  }
  return lines.join('\n');
}

/** cupsd's words (in its error_log, quoted by startOnce's error) when the port was taken before it could bind. */
const ADDRESS_IN_USE = /address already in use|EADDRINUSE/i;

/**
 * Start a private cupsd (about 0.2 s); call stop() in afterAll. The port comes from freePort(), which releases
 * it before cupsd binds it: when another process took it in between, the start is retried once on a new port
 * (as startMailStack does). `port` forces the first attempt's port (for the test of that retry).
 */
export async function startCups(options: { keep?: boolean; port?: number } = {}): Promise<CupsServer> {
  try {
    return await startCupsOnce(options, options.port ?? (await freePort()));
  } catch (e) {
    if (!ADDRESS_IN_USE.test(String(e))) throw e;
    return startCupsOnce(options, await freePort());
  }
}

async function startCupsOnce(options: { keep?: boolean }, port: number): Promise<CupsServer> {
  const keep = options.keep === true || process.env['SANDI_KEEP_CUPS'] === '1';
  const dir = mkdtempSync(join(tmpdir(), 'sandi-cups-'));
  // cupsd and its filters (user lp) must traverse it
  chmodSync(dir, 0o755);
  const paths = {
    filesConf: join(dir, 'cups-files.conf'),
    conf: join(dir, 'cupsd.conf'),
    errorLog: join(dir, 'error_log'),
    out: join(dir, 'out'),
    ppd: join(dir, 'sandi-pdf.ppd'),
  };
  for (const d of ['state', 'cache', 'spool', 'tmp', 'out']) mkdirSync(join(dir, d));
  writeFileSync(paths.ppd, PDF_PPD);
  const server = `127.0.0.1:${port}`;
  const env: NodeJS.ProcessEnv = { PATH: process.env['PATH'] ?? '/usr/bin:/bin:/usr/sbin:/sbin', CUPS_SERVER: server, LC_ALL: 'C' };
  const logs = (): string => `--- cupsd error_log (${paths.errorLog})\n${readIfExists(paths.errorLog)}`;

  writeFileSync(
    paths.filesConf,
    [
      `ServerRoot ${dir}`,
      `StateDir ${join(dir, 'state')}`,
      `CacheDir ${join(dir, 'cache')}`,
      `RequestRoot ${join(dir, 'spool')}`,
      `TempDir ${join(dir, 'tmp')}`,
      `ErrorLog ${paths.errorLog}`,
      `AccessLog ${join(dir, 'access_log')}`,
      `PageLog ${join(dir, 'page_log')}`,
      // the queues print into files (deprecated in CUPS 2.4, still supported): the test's printer
      'FileDevice Yes',
      // the printcap file is written inside the test folder, never the system's /etc/printcap or /run/cups/printcap
      // (a bare `Printcap` line meant "none" until Debian's 2.4.2-3+deb12u11 refused it: "Missing value for Printcap")
      `Printcap ${join(dir, 'printcap')}`,
      'SystemGroup root',
      'CreateSelfSignedCerts no',
      '',
    ].join('\n'),
  );
  // Loopback only, no browsing or sharing, no web interface; every operation allowed without authentication
  // (a private scheduler on 127.0.0.1 for one test file).
  writeFileSync(
    paths.conf,
    [
      `Listen ${server}`,
      'LogLevel info',
      'MaxLogSize 0',
      'WebInterface No',
      'Browsing No',
      'BrowseLocalProtocols none',
      'DefaultShared No',
      'DefaultAuthType None',
      'PreserveJobHistory Yes',
      '<Location />',
      '  Order allow,deny',
      '  Allow 127.0.0.1',
      '</Location>',
      '<Policy default>',
      '  <Limit All>',
      '    Order deny,allow',
      '  </Limit>',
      '</Policy>',
      '',
    ].join('\n'),
  );

  let cupsd: ChildProcess | undefined;
  let watchdog: ChildProcess | undefined;
  let stopped = false;
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
    if (cupsd) await stopProcessGroup(cupsd, 1000);
    if (!keep) rmSync(dir, { recursive: true, force: true });
  };

  try {
    // `cupsd -t` first: when a Debian update changes what the scheduler accepts, the failure names the file, the
    // line and the directive (e.g. "Missing value for Printcap on line 10" -> "cups-files.conf:10: Printcap")
    await checkCupsConfig(paths.conf, paths.filesConf, env);
    // its own process group, so stop() takes cupsd and any filter still running down at once
    cupsd = spawn(CUPSD, ['-f', '-c', paths.conf, '-s', paths.filesConf], { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let out = '';
    cupsd.stdout?.on('data', (b: Buffer) => (out += b.toString()));
    cupsd.stderr?.on('data', (b: Buffer) => (out += b.toString()));
    const proc = cupsd;
    if (proc.pid !== undefined) {
      // last resort when the test process dies without stop(): no scheduler outlives the test run
      watchdog = spawn('sh', ['-c', `while kill -0 ${process.pid} 2>/dev/null; do sleep 1; done; kill -9 -${proc.pid} 2>/dev/null; ${keep ? 'true' : `rm -rf "${dir}"`}`], {
        detached: true,
        stdio: 'ignore',
      });
      watchdog.unref();
    }
    const deadline = Date.now() + 10_000;
    for (;;) {
      // `lpstat -r` only connects: whoever holds the port answers it. Ready is cupsd's own "Listening to" line
      // for this port, then a connection; its "Address already in use" (the port taken since freePort released
      // it) ends the attempt at once, and startCups retries on another port.
      const log = readIfExists(paths.errorLog);
      if (ADDRESS_IN_USE.test(log)) throw new Error(`cups: port ${port} was taken before cupsd could bind it\n${logs()}`);
      if (proc.exitCode !== null) throw new Error(`cups: cupsd exited with ${proc.exitCode}\n${out}\n${logs()}`);
      const listening = log.includes(`Listening to ${server} on fd`);
      const r = listening ? await run('lpstat', ['-r'], { env }).catch(() => ({ stdout: '' })) : { stdout: '' };
      if (r.stdout.includes('scheduler is running')) break;
      if (Date.now() > deadline) throw new Error(`cups: cupsd not ready after 10 s\n${out}\n${logs()}`);
      await new Promise((r2) => setTimeout(r2, 50));
    }
  } catch (e) {
    await stop().catch(() => undefined);
    throw e;
  }

  const admin = async (cmd: string, args: string[]): Promise<string> => {
    try {
      const r = await run(cmd, args, { env, timeout: 30_000 });
      return r.stdout + r.stderr;
    } catch (e) {
      const err = e as { stderr?: string; message: string };
      throw new Error(`cups: ${cmd} ${args.join(' ')} failed: ${err.stderr ?? err.message}\n${logs()}`);
    }
  };

  return {
    server,
    port,
    env,
    dir,
    admin,
    async addPdfQueue(name: string): Promise<CupsQueue> {
      const output = join(paths.out, name);
      await admin('lpadmin', ['-p', name, '-E', '-v', `file://${output}`, '-P', paths.ppd]);
      return {
        name,
        output,
        read(): Buffer {
          return readFileSync(output);
        },
      };
    },
    async waitForJob(jobId: string, timeoutMs = 20_000): Promise<'completed'> {
      const deadline = Date.now() + timeoutMs;
      const queue = jobId.replace(/-\d+$/, '');
      for (;;) {
        const pending = await run('lpstat', ['-W', 'not-completed', '-o', queue], { env });
        if (!pending.stdout.split('\n').some((l) => l.split(/\s+/)[0] === jobId)) break;
        if (Date.now() > deadline) throw new Error(`cups: job ${jobId} still queued after ${timeoutMs} ms\n${logs()}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      const log = readIfExists(paths.errorLog);
      const id = jobId.slice(queue.length + 1);
      if (!new RegExp(`\\[Job ${id}\\] Job completed\\.`).test(log)) throw new Error(`cups: job ${jobId} did not complete\n${logs()}`);
      return 'completed';
    },
    logs,
    stop,
  };
}
