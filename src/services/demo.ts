/**
 * `sandi demo`: the outgoing classified-mail flow of SOP 001 on the embedded default (local SQLite + local
 * Maildir, no server), with the DEMO keys of keys.example/. A demo office is set up on first run; each run
 * sends one document through the kirim service (src/services/kirim/index.ts, the same code as `sandi kirim`, one
 * person holding both roles): encrypted to the recipient units and the archive key with the sandiman's
 * initial and the Kasi's signature, registered, numbered, delivered as PGP/MIME into the recipients' local
 * Maildirs. Then it reads the message back as a recipient and verifies both signatures, checks the audit
 * chain, and returns the latest rows of the register. The document plaintext only ever exists in memory.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { SandiError } from '../errors.js';
import type { KirimPorts } from '../ports/kirim.js';
import type { HomePaths } from '../config/home.js';
import type { AuditPorts } from '../ports/audit.js';
import type { KriptogramCrypto } from '../ports/kriptogram.js';
import type { MaildirReader } from '../ports/mail.js';
import type { PassphraseSource, SignerReport } from '../ports.js';
import type { SandiConfig } from '../config/config.js';
import { extractArmored } from '../formats/pgpmime.js';
import { kunciService, importExampleKeys, readExampleManifest, type ExampleKey } from './kunci.js';
import { kirimService, type KirimHome, type RowView } from './kirim/index.js';
import { initHome, PACKAGE_ROOT, type InitHome } from './init.js';
import { checkAudit, makeCheckpoint } from './audit.js';

export const EXAMPLE_KEYS_DIR = join(PACKAGE_ROOT, 'keys.example');
const ACTOR_SANDIMAN = 'sandiman-demo';
const ACTOR_KASI = 'kasi-demo';

export type DemoStep = 'siapkan' | 'terdaftar' | 'diparaf' | 'ditandatangani' | 'bernomor' | 'terkirim' | 'dibaca' | 'audit';

export interface DemoReport {
  home: string;
  createdOffice: boolean;
  nomor: string;
  registerId: number;
  messageId: string;
  kriptogramBytes: number;
  archivedAt: string;
  deliveredTo: { email: string; unit: string; maildir: string; file: string }[];
  readBack: { as: string; signers: SignerReport[]; subject: string; fileName: string; identical: boolean; permohonan: string | null };
  audit: { ok: boolean; rows: number; registerRows: number; checkpoint: number | null };
  /** the latest rows of the outgoing cryptogram register, oldest first */
  register: RowView[];
}

/** How many register rows the demo shows at the end. */
const REGISTER_ROWS = 5;

/** The demo document: a short Nota Dinas, generated in memory, never written to disk in clear. */
export function demoDocument(now: Date): { fileName: string; subject: string; body: Buffer } {
  const date = now.toISOString().slice(0, 10);
  const subject = 'Undangan Rapat Koordinasi Pengamanan Informasi Pilkada';
  const text = [
    'PEMERINTAH KOTA CONTOH (DEMO)',
    'DINAS KOMUNIKASI DAN INFORMATIKA',
    '',
    'NOTA DINAS',
    `Tanggal : ${date}`,
    'Sifat   : Rahasia',
    `Hal     : ${subject}`,
    '',
    'Dengan hormat, bersama ini kami mengundang Saudara dalam rapat koordinasi',
    'pengamanan informasi. Dokumen ini hanya contoh untuk demo sandi.',
    '',
  ].join('\n');
  return { fileName: 'nota-dinas-demo.txt', subject, body: Buffer.from(text, 'utf8') };
}

function bySlugRole(manifest: ExampleKey[], role: ExampleKey['role']): ExampleKey[] {
  return manifest.filter((k) => k.role === role);
}

function one(manifest: ExampleKey[], role: ExampleKey['role']): ExampleKey {
  const k = bySlugRole(manifest, role)[0];
  if (!k) throw new SandiError('DATA', 'demo.manifestIncomplete', { role });
  return k;
}

/** Set up the demo office if needed; refuse to touch a home that holds a real (non-demo) office. */
/**
 * What the demo needs of the home (src/app.ts's App is one): what kirim and init need, the local Maildirs to
 * read back, the kriptogram crypto and the audit ports. No store.
 */
export interface DemoHome extends KirimHome, InitHome {
  paths: Pick<HomePaths, 'root' | 'config' | 'archive' | 'maildir'>;
  maildir: MaildirReader;
  kriptogram: KriptogramCrypto;
  auditPorts(): AuditPorts;
}

async function ensureDemoOffice(app: DemoHome, progress: (s: DemoStep) => void): Promise<{ config: SandiConfig; created: boolean }> {
  if (existsSync(app.paths.config)) {
    const config = app.config();
    if (config.mode !== 'demo') throw new SandiError('CONFLICT', 'demo.notDemoHome', { home: app.paths.root }, { hint: 'demo.notDemoHome.hint' });
    return { config, created: false };
  }
  progress('siapkan');
  const keys = kunciService(app, ACTOR_SANDIMAN);
  const { manifest } = await importExampleKeys(EXAMPLE_KEYS_DIR, keys, { recipientSecrets: true });
  const arsip = one(manifest, 'arsip');
  const result = await initHome(
    app,
    keys,
    {
      officeName: 'Dinas Komunikasi dan Informatika Kota Contoh (DEMO)',
      unitCode: 'DISKOMINFO',
      timeZone: 'Asia/Jakarta',
      mailbox: null,
      archive: { fingerprint: arsip.fingerprint },
      singleOperator: true,
      mode: 'demo',
      allowDemoKeys: true,
      overwrite: false,
    },
    ACTOR_SANDIMAN,
  );
  return { config: result.config, created: true };
}

/** Run the demo; `progress` is told when each step is done. */
export async function runDemo(app: DemoHome, kirimIo: KirimPorts, progress: (s: DemoStep) => void = () => {}): Promise<DemoReport> {
  const { created } = await ensureDemoOffice(app, progress);
  const manifest = readExampleManifest(EXAMPLE_KEYS_DIR);
  const keys = kunciService(app, ACTOR_SANDIMAN);
  const sandiman = one(manifest, 'sandiman');
  const kasi = one(manifest, 'kasi');
  const units = bySlugRole(manifest, 'penerima');
  const fixed = (p: string): PassphraseSource => ({ get: () => Promise.resolve(p) });

  const kirim = kirimService(app, {
    actor: ACTOR_SANDIMAN,
    kasiActor: ACTOR_KASI,
    env: {},
    // one person holds both roles in the demo, whatever the config says
    singleOperator: true,
    passphrases: { sandiman: fixed(sandiman.passphrase), kasi: fixed(kasi.passphrase) },
    progress: (step) => {
      if (step !== 'diperiksa' && step !== 'surat-terdaftar') progress(step);
    },
  }, kirimIo);
  const doc = demoDocument(app.clock.now());
  const report = await kirim.mulai({
    dokumen: { fileName: doc.fileName, data: doc.body },
    kepada: units.map((u) => u.email),
    perihal: doc.subject,
    sifat: 'Rahasia',
    derajat: 'Segera',
    permohonan: { nomor: '005/123/SETDA/DEMO', tanggal: app.clock.now().toISOString().slice(0, 10), unit: 'Sekretariat Daerah' },
    assignedBy: 'Kasi Persandian (demo)',
  });
  const row = report.row;
  if (row.status !== 'terkirim' || !report.sent) throw new SandiError('INTERNAL', 'common.internal', { detail: `demo row ${row.id} ended ${row.status}` });
  const deliveredTo: DemoReport['deliveredTo'] = report.sent.delivered.map((d) => ({
    email: d.email,
    unit: row.kepada.find((k) => k.email === d.email)?.unit ?? d.email,
    maildir: d.where,
    file: d.file ?? '',
  }));

  // the first recipient unit reads it from its Maildir and verifies both signatures
  progress('dibaca');
  const first = deliveredTo[0];
  const reader = units.find((u) => u.email === first?.email);
  if (!first || !reader) throw new SandiError('DATA', 'demo.manifestIncomplete', { role: 'penerima' });
  const msg = app.maildir.list(first.maildir).find((m) => m.id.endsWith(first.file));
  if (!msg) throw new SandiError('NOT_FOUND', 'common.fileNotFound', { path: join(first.maildir, 'new', first.file) });
  const payload = await extractArmored(app.maildir.read(msg));
  if (!payload) throw new SandiError('DATA', 'demo.noKriptogram', { path: msg.path });
  const chunks: Buffer[] = [];
  const plain = new Writable({
    write(chunk: Buffer, _enc, done) {
      chunks.push(chunk);
      done();
    },
  });
  const result = await app.kriptogram.decrypt({
    input: Readable.from([Buffer.from(payload.armored)]),
    output: plain,
    decryptionKeys: [{ armored: keys.loadSecretArmored(reader.fingerprint), passphrase: reader.passphrase }],
    verificationKeys: [keys.loadPublicArmored(sandiman.fingerprint), keys.loadPublicArmored(kasi.fingerprint)],
    requiredSigners: 2,
  });

  progress('audit');
  // the demo office holds its archive passphrase: the chain head is signed, then everything is checked
  await makeCheckpoint(app.auditPorts(), one(manifest, 'arsip').passphrase, app.clock.now());
  const audit = await checkAudit(app.auditPorts());
  const all = kirim.status(true);
  const archivedAt = kirim.archivedAt(row.id);
  return {
    home: app.paths.root,
    createdOffice: created,
    nomor: row.nomor ?? '',
    registerId: row.id,
    messageId: row.messageId ?? '',
    kriptogramBytes: kirim.archivedBytes(row.id),
    archivedAt,
    deliveredTo,
    readBack: {
      as: reader.email,
      signers: result.signers,
      subject: result.headers.subject,
      fileName: result.fileName,
      identical: Buffer.concat(chunks).equals(doc.body),
      permohonan: result.headers['Permohonan'] ?? null,
    },
    audit: { ok: audit.ok, rows: audit.rows, registerRows: audit.registers.rows, checkpoint: audit.checkpoints.newest?.id ?? null },
    register: all.slice(-REGISTER_ROWS),
  };
}
