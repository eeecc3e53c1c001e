/**
 * `sandi demo`: the outgoing classified-mail flow of SOP 001 on the embedded default (local SQLite + local
 * Maildir, no server), with the DEMO keys of keys.example/. A demo office is set up on first run; each run
 * registers one document, encrypts it to the recipient units and the archive key with the sandiman's initial
 * and the Kasi's signature, numbers it, delivers it as PGP/MIME into the recipients' local Maildirs, then reads
 * it back as a recipient and verifies both signatures, and finally checks the audit chain.
 * The document plaintext only ever exists in memory.
 */
import { createHash, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { SandiError } from '../errors.js';
import type { App } from '../app.js';
import type { SignerReport } from '../ports.js';
import { loadConfig, type SandiConfig } from '../config/config.js';
import { encryptKriptogram, decryptKriptogram } from '../adapters/openpgp/kriptogram.js';
import { buildPgpMime, extractArmored } from '../domain/pgpmime.js';
import { deliverToMaildir, listMaildir, readMaildirMessage } from '../adapters/maildir.js';
import { writeFileAtomic } from '../adapters/keystore.js';
import {
  registerOutgoing,
  setOutgoingStatus,
  assignOutgoingNumber,
  setOutgoingMessageId,
  getOutgoing,
  type KriptogramKeluar,
} from '../adapters/sqlite/registers.js';
import { kunciService, importExampleKeys, readExampleManifest, type ExampleKey } from './kunci.js';
import { initHome, PACKAGE_ROOT } from './init.js';
import { checkAuditChain } from './audit.js';

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
  readBack: { as: string; signers: SignerReport[]; subject: string; fileName: string; identical: boolean };
  audit: { ok: boolean; rows: number };
}

class MemorySink extends Writable {
  chunks: Buffer[] = [];
  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (e?: Error | null) => void): void {
    this.chunks.push(Buffer.from(chunk));
    cb();
  }
  bytes(): Buffer {
    return Buffer.concat(this.chunks);
  }
}

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
async function ensureDemoOffice(app: App, progress: (s: DemoStep) => void): Promise<{ config: SandiConfig; created: boolean }> {
  if (existsSync(app.paths.config)) {
    const config = loadConfig(app.paths.config);
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

/** Run the demo; `progress` is told when each step starts. */
export async function runDemo(app: App, progress: (s: DemoStep) => void = () => {}): Promise<DemoReport> {
  const { config, created } = await ensureDemoOffice(app, progress);
  const manifest = readExampleManifest(EXAMPLE_KEYS_DIR);
  const keys = kunciService(app, ACTOR_SANDIMAN);
  const sandiman = one(manifest, 'sandiman');
  const kasi = one(manifest, 'kasi');
  const units = bySlugRole(manifest, 'penerima');
  const store = app.store();
  const numbering = { format: config.numberFormats.kriptogramKeluar, timeZone: config.office.timeZone, unitCode: config.office.unitCode, configKey: 'numberFormats.kriptogramKeluar' };

  // The keys must be fit for new work (not expired, revoked or weak), like in the real flow.
  const recipients = await keys.lookupRecipients(units.map((u) => u.email));
  const archive = await keys.requireUsableKey(config.archiveKey, 'encrypt');
  await keys.requireUsableKey(sandiman.fingerprint, 'sign');
  await keys.requireUsableKey(kasi.fingerprint, 'sign');

  const doc = demoDocument(app.clock.now());

  // 1. register (terdaftar). Rahasia: the subject is stored encrypted to the archive key.
  progress('terdaftar');
  const subjectSink = new MemorySink();
  await encryptKriptogram({
    input: Readable.from([Buffer.from(doc.subject, 'utf8')]),
    output: subjectSink,
    fileName: 'perihal.txt',
    headers: { subject: 'perihal' },
    recipientKeys: [archive.publicArmored],
    signingKeys: [{ armored: keys.loadSecretArmored(sandiman.fingerprint), passphrase: sandiman.passphrase }],
  });
  const row = store.write((tx) =>
    registerOutgoing(
      tx,
      {
        sandiman: ACTOR_SANDIMAN,
        recipients: recipients.map((r) => ({ email: r.email, unit: r.unit, unitCode: r.unitCode, fingerprint: r.fingerprint })),
        sifat: 'Rahasia',
        derajat: 'Segera',
        perihalTerenkripsi: subjectSink.bytes(),
        permohonan: { nomor: '005/123/SETDA/DEMO', tanggal: app.clock.now().toISOString().slice(0, 10), unit: 'Sekretariat Daerah' },
        assignedBy: 'Kasi Persandian (demo)',
      },
      app.clock.now(),
    ),
  );

  // 2-3. encrypt with the sandiman's initial and the Kasi's signature (one operator holds both roles here).
  progress('diparaf');
  const kriptogram = new MemorySink();
  const enc = await encryptKriptogram({
    input: Readable.from([doc.body]),
    output: kriptogram,
    fileName: doc.fileName,
    headers: { subject: doc.subject, classification: 'Rahasia', registerNumber: `(belum bernomor, baris ${row.id})` },
    recipientKeys: [...recipients.map((r) => r.armored), archive.publicArmored],
    signingKeys: [
      { armored: keys.loadSecretArmored(sandiman.fingerprint), passphrase: sandiman.passphrase },
      { armored: keys.loadSecretArmored(kasi.fingerprint), passphrase: kasi.passphrase },
    ],
    armor: true,
  });
  const armored = kriptogram.bytes();
  const sha = createHash('sha256').update(armored).digest('hex');
  const archiveDir = join(app.paths.archive, 'kriptogram-keluar');
  mkdirSync(archiveDir, { recursive: true, mode: 0o700 });
  const archivedAt = join(archiveDir, `${sha}.asc`);
  writeFileAtomic(archivedAt, armored, 0o600);
  store.write((tx) => setOutgoingStatus(tx, row.id, 'diparaf', { parafFpr: sandiman.fingerprint, drafSha256: sha }, app.clock.now(), ACTOR_SANDIMAN));
  progress('ditandatangani');
  store.write((tx) =>
    setOutgoingStatus(tx, row.id, 'ditandatangani', { signer: ACTOR_KASI, signerFpr: kasi.fingerprint, kriptogramSha256: sha }, app.clock.now(), ACTOR_KASI),
  );

  // 4. number it, and fix the Message-ID before anything is delivered (outbox).
  progress('bernomor');
  const messageId = `<${randomUUID()}@diskominfo.demo.sandi.invalid>`;
  const numbered: KriptogramKeluar = store.write((tx) => {
    const r = assignOutgoingNumber(tx, row.id, numbering, app.clock.now(), ACTOR_SANDIMAN);
    setOutgoingMessageId(tx, 'kriptogram_keluar', row.id, messageId, app.clock.now(), ACTOR_SANDIMAN);
    return r;
  });
  const nomor = numbered.nomor ?? '';

  // 5. deliver as PGP/MIME into each recipient's local Maildir (the embedded default) and the Sent folder.
  progress('terkirim');
  const raw = buildPgpMime(
    {
      from: { address: 'persandian@diskominfo.demo.sandi.invalid', name: config.office.name },
      to: recipients.map((r) => ({ address: r.email, name: r.unit })),
      subject: nomor,
      messageId,
      date: app.clock.now(),
      utcOffsetMinutes: 420,
    },
    armored,
  );
  const deliveredTo: DemoReport['deliveredTo'] = [];
  for (const r of recipients) {
    const dir = join(app.paths.maildir, r.email);
    const file = deliverToMaildir(dir, raw, app.clock.now());
    deliveredTo.push({ email: r.email, unit: r.unit, maildir: dir, file });
  }
  deliverToMaildir(join(app.paths.maildir, 'Sent'), raw, app.clock.now());
  store.write((tx) =>
    setOutgoingStatus(tx, row.id, 'terkirim', { serverReply: `maildir: ${deliveredTo.length} mailbox(es)` }, app.clock.now(), ACTOR_SANDIMAN),
  );

  // 6. the first recipient unit reads it from its Maildir and verifies both signatures.
  progress('dibaca');
  const reader = units.find((u) => u.email === recipients[0]?.email) ?? units[0];
  if (!reader) throw new SandiError('DATA', 'demo.manifestIncomplete', { role: 'penerima' });
  const inbox = listMaildir(join(app.paths.maildir, reader.email)).filter((m) => m.id.endsWith(deliveredTo[0]?.file ?? ''));
  const msg = inbox[0];
  if (!msg) throw new SandiError('NOT_FOUND', 'common.fileNotFound', { path: join(app.paths.maildir, reader.email) });
  const payload = await extractArmored(readMaildirMessage(msg));
  if (!payload) throw new SandiError('DATA', 'demo.noKriptogram', { path: msg.path });
  const plain = new MemorySink();
  const result = await decryptKriptogram({
    input: Readable.from([Buffer.from(payload.armored)]),
    output: plain,
    decryptionKeys: [{ armored: keys.loadSecretArmored(reader.fingerprint), passphrase: reader.passphrase }],
    verificationKeys: [keys.loadPublicArmored(sandiman.fingerprint), keys.loadPublicArmored(kasi.fingerprint)],
    requiredSigners: 2,
  });

  // 7. the audit chain.
  progress('audit');
  const audit = checkAuditChain(app.paths.database);
  return {
    home: app.paths.root,
    createdOffice: created,
    nomor,
    registerId: row.id,
    messageId,
    kriptogramBytes: enc.bytesOut,
    archivedAt,
    deliveredTo,
    readBack: { as: reader.email, signers: result.signers, subject: result.headers.subject, fileName: result.fileName, identical: plain.bytes().equals(doc.body) },
    audit: { ok: audit.ok, rows: audit.rows },
  };
}

export { getOutgoing };
