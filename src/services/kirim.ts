/**
 * `sandi kirim`: the outgoing classified-mail service of SOP 001, as states of a row in the Buku Agenda
 * Kriptogram Keluar, each move recorded with actor and time in the audit log:
 *
 *   terdaftar → diparaf → ditandatangani → bernomor → (tidak_pasti →) terkirim;  batal with a reason.
 *
 * Drafts and signatures (why it is built this way):
 * - At the initial (paraf) the sandiman's key signs the document inside a *draft kriptogram* encrypted to
 *   the archive key and the Kasi's key(s) only, with a fixed MIME boundary. A second small kriptogram (the
 *   *paraf record*, same recipients, signed by the sandiman) keeps that boundary, the file name, the protected
 *   headers and the sandiman's signature packet. Both live under <home>/arsip/kriptogram-keluar/draf/, named by
 *   the draft's SHA-256, with a clear sidecar JSON (no secrets: fingerprints and hashes). They are written
 *   BEFORE the row exists; then one transaction registers the row and records the initial (two audit events,
 *   terdaftar then diparaf). So a crash leaves either nothing in the register (an unreferenced encrypted draft,
 *   harmless) or a row whose draft is complete: never a registered row that needs the document again.
 *   Plaintext never touches the disk.
 * - Protected headers (inside the encryption, covered by both signatures): the real subject, the
 *   classification, and the request letter's reference (X-Sandi-Extra-Permohonan). The kriptogram number is
 *   NOT among them: the SOP numbers after the Kasi has signed, and the signed content cannot change after the
 *   signatures, so X-Sandi-Nomor is left out and the number travels only in the clear Subject (which is all
 *   the clear Subject reveals). The recipient ties the two together through the request letter reference.
 * - At the signature (tandatangani) the Kasi decrypts both with the Kasi's own key, in memory, checks the
 *   sandiman's signature, may read the document, and builds the final kriptogram: the same content (same
 *   boundary, so the sandiman's earlier signature still fits and is checked again before it is written) with
 *   the sandiman's signature and the Kasi's own, encrypted to every recipient and the archive key. So the two
 *   people never need each other's passphrase, and GnuPG shows two good signatures on one message.
 * - Numbering takes the next gapless number in the office's time zone, and in the same transaction fixes the
 *   Message-ID (the outbox record), before any byte goes to a server. The outer mail is rebuilt
 *   byte-identically from the row and the archived final kriptogram, so a resumed send is the same message.
 * - Just before the first SMTP byte the row goes to tidak_pasti. A failure that certainly sent nothing
 *   returns it to bernomor (a temporary refusal, 4xx, is retried with bounded backoff first: SMTP_RETRY);
 *   anything else leaves it tidak_pasti, and `lanjut` finds out (Sent folder by Message-ID, or the local
 *   Maildirs exactly) or asks the operator before it ever sends again.
 * - Ordinary letters (`--biasa`, register surat_keluar) reuse the sending half: their MIME part (and
 *   detached signature) is archived first, then one transaction registers, signs, numbers and fixes the
 *   Message-ID, then the same send.
 * - One run per row: a run claims a row (a PID lock file under <home>/.kirim-klaim/) in the transaction that
 *   reads its state, or for a new row in the one that registers it, and releases it after its last state is
 *   committed; `lanjut` leaves a claimed row to its run. So an operator's kirim and a timer's lanjut never sign,
 *   number or send one row twice.
 * - A file a register row points to is never rewritten: the final kriptogram goes to a new file
 *   <id>-<sha16>.asc (linked into place, never replacing), which the row points to (kriptogram_sha256) only in
 *   the transaction that records the signature; a refused transaction removes only that new file.
 * - Every secret a send needs (key passphrases, the mailbox password) is resolved before anything is
 *   registered or numbered. Each Sent-folder copy is recorded (<buku>.salinan_sent); `lanjut` adds the copies
 *   that sent rows lack (found missing by Message-ID).
 * - Each secret key is unlocked once per service instance (one CLI run, one batch) and kept decrypted in
 *   memory only; a single-operator run signs from the document still in memory instead of decrypting its
 *   own draft again.
 * - SANDI_TEST_CRASH_AT (testCrashPoint) is a test-only hook for the crash tests; see CRASH_POINTS.
 */
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, linkSync, mkdirSync, openSync, readdirSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { basename, join } from 'node:path';
import { Readable } from 'node:stream';
import { SandiError, isSandiError } from '../errors.js';
import type { App } from '../app.js';
import type { KeyInfo, PassphraseSource, ProtectedHeaders, SignerReport } from '../ports.js';
import { loadConfig, type SandiConfig } from '../config/config.js';
import { mailboxPasswordIn } from './akun-kredensial.js';
import { readPrivateFile } from '../config/passphrase.js';
import { encryptKriptogram, decryptKriptogram } from '../adapters/openpgp/kriptogram.js';
import { buildPgpMime, formatDate } from '../formats/pgpmime.js';
import { deliverToMaildir, listMaildir, maildirIn, readMaildirMessage } from '../adapters/maildir.js';
import { writeFileAtomic } from '../adapters/keystore.js';
import {
  assignOutgoingNumber,
  getOutgoing,
  listOutgoing,
  registerOutgoing,
  setOutgoingMessageId,
  setOutgoingStatus,
  assignOutgoingLetterNumber,
  getOutgoingLetter,
  listOutgoingLetters,
  registerOutgoingLetter,
  setOutgoingLetterStatus,
} from '../adapters/sqlite/registers.js';
import type { KriptogramKeluar, OutgoingStatusFields, RequestLetter, SuratKeluar } from '../domain/records-keluar.js';
import { isDerajat, isSifat, subjectMustBeEncrypted, type Derajat, type Sifat } from '../domain/records.js';
import {
  SMTP_RETRY,
  biasaSifatAllowed,
  hasMessageId,
  isTemporarySendFailure,
  makeMessageId,
  permohonanRef,
  resumeAction,
  retryDelay,
  sendFailureIsCertain,
  utcOffsetMinutes,
  waitingFor,
  type Giliran,
  type ResumeAction,
  type RetryPolicy,
} from '../domain/kirim.js';
import type { OutgoingBuku, OutgoingStatus } from '../domain/outgoing-state.js';
import { buildLetter, documentPart, type DetachedSignature } from '../domain/surat-biasa.js';
import { kunciService, type KunciService } from './kunci.js';
import { MemorySink } from '../adapters/memory-sink.js';
import { tryPidLock, type PidLock } from '../adapters/pid-lock.js';

export type KirimStep = 'diperiksa' | 'terdaftar' | 'surat-terdaftar' | 'diparaf' | 'ditandatangani' | 'bernomor' | 'terkirim';

/** A document already in memory (the demo's, or one a caller never wants on disk). */
export interface DokumenDiMemori {
  fileName: string;
  data: Buffer;
}

export interface KirimInput {
  /** path of the document to send, or the document in memory */
  dokumen: string | DokumenDiMemori;
  /** recipients' e-mail addresses, looked up in the address book */
  kepada: string[];
  perihal: string;
  sifat: Sifat;
  derajat: Derajat;
  permohonan: Partial<RequestLetter>;
  assignedBy?: string | null;
}

export interface KirimOptions {
  /** who acts (audit log) */
  actor: string;
  env: NodeJS.ProcessEnv;
  /** passphrase of the sandiman's key (role sandiman) and of the Kasi's key (role kasi) */
  passphrases: { sandiman?: PassphraseSource; kasi?: PassphraseSource; /** the archive key's (it opens the stored mailbox password) */ arsip?: PassphraseSource };
  progress?: (step: KirimStep, id: number | null) => void;
  warn?: (key: string, params: Record<string, string | number>) => void;
  /** overrides config.singleOperator (the demo: one person holds both roles) */
  singleOperator?: boolean;
  /** audit actor of the Kasi's signature (default: actor) */
  kasiActor?: string;
  /** retries of a temporary SMTP refusal (4xx); default SMTP_RETRY */
  retry?: RetryPolicy;
  sleep?: (ms: number) => Promise<void>;
}

/**
 * Points of the flow where the crash tests kill the process (test/integration/kirim-crash.test.ts):
 * draf-tertulis (encrypted draft written, nothing registered), diparaf (registered and initialled),
 * final-tertulis (final kriptogram written, signature not recorded), ditandatangani, bernomor, tidak_pasti
 * (just before the first byte is delivered), pengiriman (one recipient's copy delivered, not the others),
 * sebelum-dicatat (delivered or accepted by the server, terkirim not recorded).
 */
export const CRASH_POINTS = ['draf-tertulis', 'diparaf', 'final-tertulis', 'ditandatangani', 'bernomor', 'tidak_pasti', 'pengiriman', 'sebelum-dicatat'] as const;
export type CrashPoint = (typeof CRASH_POINTS)[number];

/**
 * TEST-ONLY hook, read here and nowhere else: with SANDI_TEST_CRASH_AT=<point> the process SIGKILLs itself
 * at that point (no cleanup, no finally blocks: like a power cut), so the crash tests reach every window of
 * the flow deterministically. Never set it outside tests.
 */
function testCrashPoint(env: NodeJS.ProcessEnv, point: CrashPoint): void {
  if (env['SANDI_TEST_CRASH_AT'] === point) process.kill(process.pid, 'SIGKILL');
}

export interface SendOutcome {
  via: 'maildir' | 'smtp';
  /** `file`: the Maildir file name (local delivery), null for SMTP */
  delivered: { email: string; where: string; file: string | null }[];
  serverReply: string;
  sentCopy: string | null;
}

export interface KirimReport {
  row: RowView;
  /** set when the flow stopped early and why (two-person mode: waiting for the Kasi) */
  waiting: Giliran;
  sent: SendOutcome | null;
}

/** A register row as shown by status/--json (the encrypted subject is never shown). */
export interface RowView {
  id: number;
  status: OutgoingStatus;
  menunggu: Giliran;
  nomor: string | null;
  registeredAt: string;
  sifat: Sifat;
  derajat: Derajat;
  perihal: string | null;
  kepada: { email: string; unit: string }[];
  permohonan: RequestLetter;
  sandiman: string;
  signer: string | null;
  messageId: string | null;
  sentAt: string | null;
  batalAlasan: string | null;
}

export interface DraftView {
  row: RowView;
  fileName: string;
  subject: string;
  bytes: number;
  paraf: SignerReport;
  /** the document, in memory only, for the Kasi to read before signing */
  document: Buffer;
}

/** An ordinary letter to send in clear (`sandi kirim --biasa`). */
export interface BiasaInput {
  dokumen: string | DokumenDiMemori;
  /** e-mail addresses; the unit's name comes from the address book when the address is there */
  kepada: string[];
  perihal: string;
  /** Biasa only (the default): Terbatas and above are exempted documents and go as a kriptogram */
  sifat?: Sifat;
  derajat?: Derajat;
  permohonan: Partial<RequestLetter>;
  assignedBy?: string | null;
  /** sign with the sandiman's key (RFC 3156 multipart/signed) */
  tandatangani?: boolean;
}

/** A row of the outgoing mail register (surat keluar) as shown by status/--json. */
export interface LetterView {
  id: number;
  status: OutgoingStatus;
  nomor: string | null;
  registeredAt: string;
  sifat: 'Biasa' | 'Terbatas';
  derajat: Derajat;
  perihal: string;
  kepada: { email: string; unit: string }[];
  permohonan: RequestLetter;
  operator: string;
  signer: string | null;
  messageId: string | null;
  sentAt: string | null;
  serverReply: string | null;
  batalAlasan: string | null;
}

export interface BiasaReport {
  row: LetterView;
  sent: SendOutcome;
}

export function letterView(r: SuratKeluar): LetterView {
  return {
    id: r.id,
    status: r.status,
    nomor: r.nomor,
    registeredAt: r.registeredAt,
    sifat: r.sifat,
    derajat: r.derajat,
    perihal: r.perihal,
    kepada: r.recipients.map((x) => ({ email: x.email, unit: x.unit })),
    permohonan: r.permohonan,
    operator: r.operator,
    signer: r.signer,
    messageId: r.messageId,
    sentAt: r.sentAt,
    serverReply: r.serverReply,
    batalAlasan: r.batalAlasan,
  };
}

export interface ResumeReport {
  buku: OutgoingBuku;
  id: number;
  nomor: string | null;
  from: OutgoingStatus;
  to: OutgoingStatus;
  /** sedang-diproses: another run is working on the row now (left to it); salinan-sent: its Sent copy was added */
  action: ResumeAction | 'perlu-keputusan' | 'sedang-diproses' | 'salinan-sent';
}

/** The operator's answer about a tidak_pasti row that could not be checked: sent already, or not. */
export type Keputusan = 'sudah' | 'belum' | null;

/** Asks the operator about a tidak_pasti row of either register. */
export type Decide = (r: { buku: OutgoingBuku; id: number; nomor: string | null }) => Promise<Keputusan>;

type OutRow = KriptogramKeluar | SuratKeluar;
const isKriptogram = (r: OutRow): r is KriptogramKeluar => 'sandiman' in r;
const bukuOf = (r: OutRow): OutgoingBuku => (isKriptogram(r) ? 'kriptogram_keluar' : 'surat_keluar');

/** A secret key already unlocked (decrypted armor, memory only): what encrypt/decrypt take as a key. */
interface UnlockedKey {
  armored: string;
}

interface DraftSidecar {
  v: 2;
  parafFpr: string;
  drafSha256: string;
  parafSha256: string;
}

interface ParafRecord {
  v: 1;
  boundary: string;
  fileName: string;
  headers: ProtectedHeaders;
  /** base64 of the sandiman's signature packet body over the draft content */
  paraf: string;
}

const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');
const NOT_FINAL: OutgoingStatus[] = ['terdaftar', 'diparaf', 'ditandatangani', 'bernomor', 'tidak_pasti'];
/** How many sent rows one `lanjut` looks up in the Sent folder (a first run on an old register goes on in the next). */
const SENT_CATCH_UP = 200;

/** Read the document to send, in memory; missing, unreadable and empty files are refused with their own message. */
export function readDocument(path: string): Buffer {
  let data: Buffer;
  try {
    data = readFileSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new SandiError('NOT_FOUND', 'common.fileNotFound', { path });
    if (code === 'EACCES' || code === 'EPERM') throw new SandiError('PERMISSION', 'kirim.documentUnreadable', { path, reason: code });
    throw new SandiError('DATA', 'kirim.documentUnreadable', { path, reason: code ?? (e as Error).message });
  }
  if (data.length === 0) throw new SandiError('DATA', 'kirim.documentEmpty', { path });
  return data;
}

/**
 * The subject from `--perihal-file`: the first line of FILE (refused when group/others can read it, like a
 * passphrase file), or of standard input for "-" (`readStdin`). Never in argv, so never in shell history.
 */
export function readPerihalFile(path: string, readStdin: () => Buffer = () => readFileSync(0)): string {
  let text: string;
  if (path === '-') text = readStdin().toString('utf8');
  else text = readPrivateFile(path, 'kirim.perihalFileMode');
  const first = (text.split('\n', 1)[0] ?? '').replace(/\r$/, '').trim();
  if (first.length === 0) throw new SandiError('DATA', 'kirim.perihalFileEmpty', { path });
  return first;
}

export function rowView(r: KriptogramKeluar): RowView {
  return {
    id: r.id,
    status: r.status,
    menunggu: waitingFor(r.status),
    nomor: r.nomor,
    registeredAt: r.registeredAt,
    sifat: r.sifat,
    derajat: r.derajat,
    perihal: r.perihal,
    kepada: r.recipients.map((x) => ({ email: x.email, unit: x.unit })),
    permohonan: r.permohonan,
    sandiman: r.sandiman,
    signer: r.signer,
    messageId: r.messageId,
    sentAt: r.sentAt,
    batalAlasan: r.batalAlasan,
  };
}

export type KirimService = ReturnType<typeof kirimService>;

/** The outgoing kriptogram service for an opened home folder. */
export function kirimService(app: App, o: KirimOptions) {
  const config: SandiConfig = loadConfig(app.paths.config);
  const keys: KunciService = kunciService(app, o.actor);
  const store = app.store();
  const now = () => app.clock.now();
  const progress = o.progress ?? (() => undefined);
  const warn = o.warn ?? (() => undefined);
  const outDir = join(app.paths.archive, 'kriptogram-keluar');
  const draftDir = join(outDir, 'draf');
  // drafts are named by their own hash: they are written before the row (and its id) exists
  const draftPaths = (drafSha: string) => ({ draf: join(draftDir, `${drafSha}.pgp`), paraf: join(draftDir, `${drafSha}.paraf.pgp`), sidecar: join(draftDir, `${drafSha}.json`) });
  // the final kriptogram of a row: a new file per signature, named by the row and the file's own hash, so a
  // file the register points to (through kriptogram_sha256) is never rewritten; rows signed by an older
  // version point to <id>.asc
  const finalName = (id: number, sha: string) => join(outDir, `${id}-${sha.slice(0, 16)}.asc`);
  const finalPath = (r: Pick<KriptogramKeluar, 'id' | 'kriptogramSha256'>): string => {
    const legacy = join(outDir, `${r.id}.asc`);
    if (!r.kriptogramSha256) return legacy;
    const named = finalName(r.id, r.kriptogramSha256);
    return existsSync(named) || !existsSync(legacy) ? named : legacy;
  };
  // claims: one lock file per row (holding the PID of the run working on it), taken in the transaction that
  // reads the row's state, so two runs (an operator's kirim and a timer's lanjut) never work on one row at once
  const claimDir = join(app.paths.root, '.kirim-klaim');
  const claimPath = (buku: OutgoingBuku, id: number) => join(claimDir, `${buku}-${id}.lock`);
  // ordinary letters: the document's MIME part by the document's hash, and a detached signature per signer key
  const lettersDir = join(app.paths.archive, 'surat-keluar');
  const letterPaths = (dokSha: string, signerFpr: string | null) => ({
    part: join(lettersDir, `${dokSha}.part`),
    sig: signerFpr ? join(lettersDir, `${dokSha}.${signerFpr}.sig.json`) : null,
  });
  const letterNumbering = {
    format: config.numberFormats.suratKeluar,
    timeZone: config.office.timeZone,
    unitCode: config.office.unitCode,
    configKey: 'numberFormats.suratKeluar',
  };
  const numbering = {
    format: config.numberFormats.kriptogramKeluar,
    timeZone: config.office.timeZone,
    unitCode: config.office.unitCode,
    configKey: 'numberFormats.kriptogramKeluar',
  };
  const singleOperator = o.singleOperator ?? config.singleOperator;
  const kasiActor = o.kasiActor ?? o.actor;
  const retry = o.retry ?? SMTP_RETRY;
  const sleep = o.sleep ?? ((ms: number) => new Promise<void>((res) => setTimeout(res, ms)));
  const fromEmail = config.mailbox?.user.includes('@') ? config.mailbox.user : `persandian@${config.office.unitCode.toLowerCase()}.sandi.invalid`;

  /** The first key of `role` that has a secret part and may sign now. */
  async function ownSigningKey(role: 'sandiman' | 'kasi'): Promise<KeyInfo> {
    const candidates = (await keys.findByRole(role)).filter((k) => k.hasSecret);
    const first = candidates[0];
    if (!first) throw new SandiError('NOT_FOUND', 'kirim.noOwnKey', { role }, { hint: 'kirim.noOwnKey.hint' });
    await keys.requireUsableKey(first.fingerprint, 'sign');
    return first;
  }

  // secret keys unlocked once per service (one CLI run, or one batch): decrypted armor in memory only
  const unlocked = new Map<string, UnlockedKey>();

  /**
   * Ask the passphrase for `key` from its role's source and unlock the key now (so nothing is registered on
   * a wrong passphrase); later steps of the same run reuse the unlocked key instead of asking again.
   */
  async function unlockKey(key: KeyInfo, role: 'sandiman' | 'kasi'): Promise<UnlockedKey> {
    const known = unlocked.get(key.fingerprint);
    if (known) return known;
    const source = o.passphrases[role];
    if (!source) throw new SandiError('USAGE', 'kirim.passphraseSourceMissing', { role });
    const { unlockedArmored } = await import('../adapters/openpgp/kunci-terbuka.js');
    // a person typing at the prompt gets three tries, like gpg; a file or a variable one
    const tries = Math.max(1, source.tries?.(key) ?? 1);
    for (let attempt = 1; ; attempt++) {
      const pass = await source.get(key);
      try {
        const k: UnlockedKey = { armored: await unlockedArmored(keys.loadSecretArmored(key.fingerprint), pass, { fingerprint: key.fingerprint, userId: key.userId }) };
        unlocked.set(key.fingerprint, k);
        return k;
      } catch (e) {
        if (!isSandiError(e) || e.key !== 'kunci.wrongPassphrase' || attempt >= tries) throw e;
        warn('kirim.passphraseLagi', { attempt: attempt + 1, tries });
      }
    }
  }

  /** Encryption keys of the Kasi(s): the draft is readable by them and the archive key only. */
  async function kasiEncryptionKeys(): Promise<string[]> {
    const out: string[] = [];
    for (const k of await keys.findByRole('kasi')) {
      try {
        out.push((await keys.requireUsableKey(k.fingerprint, 'encrypt')).publicArmored);
      } catch (e) {
        if (!isSandiError(e) || e.code !== 'KEY_REFUSED') throw e;
      }
    }
    if (out.length === 0) throw new SandiError('NOT_FOUND', 'kirim.noOwnKey', { role: 'kasi' }, { hint: 'kirim.noOwnKey.hint' });
    return out;
  }

  function row(id: number): KriptogramKeluar {
    return getOutgoing(store, id);
  }

  /** Claim `buku`'s row `id` inside a transaction (call with the transaction open); null when another run holds it. */
  function claimIn(buku: OutgoingBuku, id: number): PidLock | null {
    mkdirSync(claimDir, { recursive: true, mode: 0o700 });
    return tryPidLock(claimPath(buku, id));
  }

  /**
   * Claim a row and read its state in one transaction: null when another run (or another service in this
   * process) is working on it. Release the claim only after the last state this run records is committed.
   */
  function claimRow<R extends OutRow>(buku: OutgoingBuku, id: number): { row: R; claim: PidLock } | null {
    return store.write((tx) => {
      const claim = claimIn(buku, id);
      if (!claim) return null;
      try {
        return { row: (buku === 'kriptogram_keluar' ? getOutgoing(tx.db, id) : getOutgoingLetter(tx.db, id)) as R, claim };
      } catch (e) {
        claim.release();
        throw e;
      }
    });
  }

  /** Claim a row for a command that names it: CONFLICT kirim.rowBusy when another run is working on it. */
  function claimOrBusy(id: number): { row: KriptogramKeluar; claim: PidLock } {
    const c = claimRow<KriptogramKeluar>('kriptogram_keluar', id);
    if (!c) throw new SandiError('TEMPFAIL', 'kirim.rowBusy', { id }, { hint: 'kirim.rowBusy.hint' });
    return c;
  }

  /**
   * Write a final kriptogram under a name that did not exist: a private temp file, fsynced, then hard-linked
   * into place (link never replaces a file) and the folder fsynced. false when a file with exactly these bytes
   * is there already (it is not ours to remove); a different file under the name is refused, or kept with
   * `keepExisting` (an ordinary letter's part: the first one archived stays).
   */
  function writeNewFile(path: string, data: Uint8Array, keepExisting = false): boolean {
    const dir = join(path, '..');
    const tmp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
    try {
      const fd = openSync(tmp, 'wx', 0o600);
      try {
        let off = 0;
        while (off < data.length) off += writeSync(fd, data, off, data.length - off);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      try {
        linkSync(tmp, path);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
        if (keepExisting || sha256(readFileSync(path)) === sha256(data)) return false;
        throw new SandiError('INTEGRITY', 'kirim.archiveExists', { path });
      }
      const dfd = openSync(dir, 'r');
      try {
        fsyncSync(dfd);
      } finally {
        closeSync(dfd);
      }
      return true;
    } catch (e) {
      if (e instanceof SandiError) throw e;
      throw new SandiError('IO', 'common.writeFailed', { path, reason: (e as Error).message }, { cause: e });
    } finally {
      try {
        unlinkSync(tmp);
      } catch {
        /* not there */
      }
    }
  }

  function requireState(r: OutRow, expected: OutgoingStatus[]): void {
    if (!expected.includes(r.status)) {
      throw new SandiError('CONFLICT', 'kirim.notInState', { id: r.id, status: r.status, expected: expected.join(', ') }, { hint: 'kirim.notInState.hint' });
    }
  }

  /**
   * The clear sidecar of a draft, or null when there is none. It is only a cross-check (the row is the
   * authority): a sidecar that cannot be parsed is INTEGRITY kirim.draftChanged for that row alone.
   */
  function readSidecar(drafSha: string | null, id: number | null = null): DraftSidecar | null {
    if (!drafSha) return null;
    const p = draftPaths(drafSha);
    if (!existsSync(p.sidecar)) return null;
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(p.sidecar, 'utf8'));
    } catch {
      throw new SandiError('INTEGRITY', 'kirim.draftChanged', { id: id ?? '', path: p.sidecar });
    }
    const s = parsed as Partial<DraftSidecar> | null;
    if (!s || typeof s !== 'object' || typeof s.parafFpr !== 'string' || typeof s.parafSha256 !== 'string' || typeof s.drafSha256 !== 'string') {
      throw new SandiError('INTEGRITY', 'kirim.draftChanged', { id: id ?? '', path: p.sidecar });
    }
    return s as DraftSidecar;
  }

  /** Whether a row's draft sidecar is there; a corrupt one counts as absent here (openDraft reports it for that row). */
  function draftOnDisk(r: KriptogramKeluar): boolean {
    try {
      return readSidecar(r.drafSha256, r.id) !== null;
    } catch (e) {
      if (isSandiError(e) && e.key === 'kirim.draftChanged') return false;
      throw e;
    }
  }

  // ------------------------------------------------------------------------------------- the steps

  /** The initial: the draft kriptogram and the paraf record, written encrypted (before the row exists); the sidecar last. */
  async function writeDraft(doc: Buffer, input: { fileName: string; headers: ProtectedHeaders }, sandiman: KeyInfo, sandimanKey: UnlockedKey, archiveArmored: string, finalRecipients: string[]): Promise<{ sidecar: DraftSidecar; record: ParafRecord }> {
    const recipientKeys = [archiveArmored, ...(await kasiEncryptionKeys())];
    const signingKeys = [sandimanKey];
    const boundary = `=_sandi_${randomBytes(12).toString('hex')}`;
    const draft = new MemorySink();
    // the initial is reused in the final kriptogram: it names the final recipients and the archive key
    const enc = await encryptKriptogram({ input: Readable.from([doc]), output: draft, fileName: input.fileName, headers: input.headers, boundary, recipientKeys, signingKeys, date: now(), intendedRecipients: finalRecipients });
    const sig = enc.signatures[0];
    if (!sig) throw new SandiError('INTERNAL', 'common.internal', { detail: 'draft has no signature' });
    const record: ParafRecord = { v: 1, boundary, fileName: input.fileName, headers: input.headers, paraf: sig.toString('base64') };
    const paraf = new MemorySink();
    await encryptKriptogram({
      input: Readable.from([Buffer.from(JSON.stringify(record), 'utf8')]),
      output: paraf,
      fileName: 'paraf.json',
      headers: { subject: 'paraf' },
      recipientKeys,
      signingKeys,
      date: now(),
    });
    mkdirSync(draftDir, { recursive: true, mode: 0o700 });
    const sidecar: DraftSidecar = { v: 2, parafFpr: sandiman.fingerprint, drafSha256: sha256(draft.bytes()), parafSha256: sha256(paraf.bytes()) };
    const p = draftPaths(sidecar.drafSha256);
    writeFileAtomic(p.paraf, paraf.bytes(), 0o600);
    writeFileAtomic(p.draf, draft.bytes(), 0o600);
    writeFileAtomic(p.sidecar, `${JSON.stringify(sidecar)}\n`, 0o600);
    return { sidecar, record };
  }

  /** Decrypt the draft and the paraf record with the Kasi's key, in memory; check hashes and the sandiman's signature. */
  async function openDraft(r: KriptogramKeluar, kasiKey: UnlockedKey): Promise<{ doc: Buffer; record: ParafRecord; paraf: SignerReport; sandimanArmored: string }> {
    const s = readSidecar(r.drafSha256, r.id);
    const p = draftPaths(r.drafSha256 ?? 'tidak-ada');
    if (!s || !existsSync(p.draf) || !existsSync(p.paraf)) throw new SandiError('NOT_FOUND', 'kirim.draftMissing', { id: r.id, path: p.draf });
    // the sandiman's key is the one recorded in the register at the initial; the clear sidecar must agree
    if (!r.parafFpr || s.parafFpr !== r.parafFpr || s.drafSha256 !== r.drafSha256) throw new SandiError('INTEGRITY', 'kirim.draftChanged', { id: r.id, path: p.sidecar });
    const drafBytes = readFileSync(p.draf);
    const parafBytes = readFileSync(p.paraf);
    if (sha256(drafBytes) !== r.drafSha256 || sha256(parafBytes) !== s.parafSha256) throw new SandiError('INTEGRITY', 'kirim.draftChanged', { id: r.id, path: p.draf });
    const sandimanArmored = keys.loadPublicArmored(r.parafFpr);
    const decryptionKeys = [kasiKey];
    const recSink = new MemorySink();
    await decryptKriptogram({ input: Readable.from([parafBytes]), output: recSink, decryptionKeys, verificationKeys: [sandimanArmored], requiredSigners: 1, date: now() });
    const record = JSON.parse(recSink.bytes().toString('utf8')) as ParafRecord;
    const docSink = new MemorySink();
    // the initial names the final recipients, not the Kasi who opens the draft
    const res = await decryptKriptogram({ input: Readable.from([drafBytes]), output: docSink, decryptionKeys, verificationKeys: [sandimanArmored], requiredSigners: 1, date: now(), checkIntendedRecipients: false });
    const paraf = res.signers[0];
    if (!paraf) throw new SandiError('SIGNATURE', 'kriptogram.unsigned');
    return { doc: docSink.bytes(), record, paraf, sandimanArmored };
  }

  /** The Kasi's signature: the final kriptogram (both signatures) archived, the row ditandatangani. */
  async function sign(
    r: KriptogramKeluar,
    kasi: KeyInfo,
    kasiKey: UnlockedKey,
    confirm?: (d: DraftView) => Promise<boolean>,
    // single-operator run: the document and the initial are still in memory, no need to decrypt the draft
    // (the sandiman's signature is checked again by encryptKriptogram before anything is written)
    inMemory?: { doc: Buffer; record: ParafRecord; sandimanArmored: string },
  ): Promise<KriptogramKeluar> {
    requireState(r, ['diparaf']);
    let opened = inMemory;
    if (!opened) {
      const d = await openDraft(r, kasiKey);
      if (confirm) {
        const ok = await confirm({ row: rowView(r), fileName: d.record.fileName, subject: d.record.headers.subject, bytes: d.doc.length, paraf: d.paraf, document: d.doc });
        if (!ok) throw new SandiError('CANCELLED', 'common.cancelled');
      }
      opened = d;
    }
    const { doc, record, sandimanArmored } = opened;
    const recipientKeys: string[] = [];
    for (const x of r.recipients) {
      if (!x.fingerprint) throw new SandiError('DATA', 'kirim.recipientWithoutKey', { email: x.email });
      recipientKeys.push((await keys.requireUsableKey(x.fingerprint, 'encrypt')).publicArmored);
    }
    recipientKeys.push((await keys.requireUsableKey(config.archiveKey, 'encrypt')).publicArmored);
    const out = new MemorySink();
    await encryptKriptogram({
      input: Readable.from([doc]),
      output: out,
      fileName: record.fileName,
      headers: record.headers,
      boundary: record.boundary,
      recipientKeys,
      signingKeys: [kasiKey],
      presetSignatures: [{ body: Buffer.from(record.paraf, 'base64'), publicArmored: sandimanArmored }],
      armor: true,
      date: now(),
    });
    const armored = out.bytes();
    const kriptogramSha256 = sha256(armored);
    mkdirSync(outDir, { recursive: true, mode: 0o700 });
    // a new file: the row points to it only through the transaction below; if that is refused (the row moved
    // meanwhile, e.g. batal), this run removes its own new file and nothing else
    const path = finalName(r.id, kriptogramSha256);
    const created = writeNewFile(path, armored);
    testCrashPoint(o.env, 'final-tertulis');
    let signed: KriptogramKeluar;
    try {
      signed = store.write((tx) => setOutgoingStatus(tx, r.id, 'ditandatangani', { signer: kasi.userId, signerFpr: kasi.fingerprint, kriptogramSha256 }, now(), kasiActor));
    } catch (e) {
      if (created) {
        try {
          unlinkSync(path);
        } catch {
          /* already gone */
        }
      }
      throw e;
    }
    // files of earlier attempts at this row's signature (a run killed after writing its file) are nobody's:
    // the row now points to this one, and this run holds the row's claim
    const attempt = new RegExp(`^${r.id}-[0-9a-f]{16}\\.asc$`);
    for (const f of readdirSync(outDir)) {
      if (!attempt.test(f) || join(outDir, f) === path) continue;
      try {
        unlinkSync(join(outDir, f));
      } catch {
        /* gone meanwhile */
      }
    }
    progress('ditandatangani', r.id);
    testCrashPoint(o.env, 'ditandatangani');
    return signed;
  }

  /** Number the row and fix its Message-ID in one transaction (nothing has been sent yet). */
  function number(r: KriptogramKeluar): KriptogramKeluar {
    requireState(r, ['ditandatangani']);
    const messageId = makeMessageId(randomBytes(16).toString('hex'), fromEmail);
    const numbered = store.write((tx) => {
      assignOutgoingNumber(tx, r.id, numbering, now(), o.actor);
      setOutgoingMessageId(tx, 'kriptogram_keluar', r.id, messageId, now(), o.actor);
      return getOutgoing(tx.db, r.id);
    });
    progress('bernomor', r.id);
    testCrashPoint(o.env, 'bernomor');
    return numbered;
  }

  /** The outer PGP/MIME message, rebuilt byte-identically from the row and the archived final kriptogram. */
  function rawMessage(r: KriptogramKeluar): Buffer {
    if (!r.nomor || !r.messageId || !r.bernomorAt) throw new SandiError('CONFLICT', 'kirim.notInState', { id: r.id, status: r.status, expected: 'bernomor' });
    const path = finalPath(r);
    if (!existsSync(path)) throw new SandiError('NOT_FOUND', 'kirim.draftMissing', { id: r.id, path });
    const armored = readFileSync(path);
    if (sha256(armored) !== r.kriptogramSha256) throw new SandiError('INTEGRITY', 'kirim.draftChanged', { id: r.id, path });
    return buildPgpMime(
      {
        from: { address: fromEmail, name: config.office.name },
        to: r.recipients.map((x) => ({ address: x.email, name: x.unit })),
        subject: r.nomor,
        messageId: r.messageId,
        date: new Date(r.bernomorAt),
        utcOffsetMinutes: utcOffsetMinutes(config.office.timeZone),
      },
      armored,
    );
  }

  /** The ordinary letter's mail, rebuilt from the row and its archived document part (and signature). */
  function letterMessage(r: SuratKeluar): Buffer {
    if (!r.nomor || !r.messageId || !r.bernomorAt || !r.dokumenSha256) throw new SandiError('CONFLICT', 'kirim.notInState', { id: r.id, status: r.status, expected: 'bernomor' });
    const p = letterPaths(r.dokumenSha256, r.signerFpr);
    if (!existsSync(p.part)) throw new SandiError('NOT_FOUND', 'kirim.draftMissing', { id: r.id, path: p.part });
    const part = readFileSync(p.part);
    let signature: DetachedSignature | undefined;
    if (p.sig) {
      if (!existsSync(p.sig)) throw new SandiError('NOT_FOUND', 'kirim.draftMissing', { id: r.id, path: p.sig });
      signature = JSON.parse(readFileSync(p.sig, 'utf8')) as DetachedSignature;
    }
    return buildLetter(
      {
        from: { address: fromEmail, name: config.office.name },
        to: r.recipients.map((x) => ({ address: x.email, ...(x.unit && x.unit !== x.email ? { name: x.unit } : {}) })),
        subject: `${r.nomor} ${r.perihal}`,
        messageId: r.messageId,
        date: formatDate(new Date(r.bernomorAt), utcOffsetMinutes(config.office.timeZone)),
      },
      part,
      signature,
    );
  }

  const rawFor = (r: OutRow): Buffer => (isKriptogram(r) ? rawMessage(r) : letterMessage(r));

  /** Move a row of either outgoing register (the register is told by the row's shape). */
  function move<R extends OutRow>(r: R, to: OutgoingStatus, fields: OutgoingStatusFields): R {
    return store.write((tx) => (isKriptogram(r) ? setOutgoingStatus(tx, r.id, to, fields, now(), o.actor) : setOutgoingLetterStatus(tx, r.id, to, fields, now(), o.actor))) as R;
  }

  function markUncertain<R extends OutRow>(r: R): R {
    if (r.status === 'tidak_pasti') return r;
    const u = move(r, 'tidak_pasti', {});
    testCrashPoint(o.env, 'tidak_pasti');
    return u;
  }

  function markSent<R extends OutRow>(r: R, serverReply: string): R {
    const sent = move(r, 'terkirim', { serverReply });
    progress('terkirim', r.id);
    return sent;
  }

  /**
   * Local delivery: one Maildir per recipient, and a copy in the local Sent Maildir. When resuming an
   * uncertain send (`check`), a Maildir that already holds the Message-ID is skipped, so each gets one copy.
   */
  function deliverLocal(r: OutRow, raw: Buffer, check: boolean): SendOutcome {
    const delivered: SendOutcome['delivered'] = [];
    const targets = [...r.recipients.map((x) => x.email), 'Sent'];
    for (const email of targets) {
      // one plain folder name under <home>/maildir: an address can never point outside it
      const dir = maildirIn(app.paths.maildir, email);
      const already = check ? listMaildir(dir).find((m) => hasMessageId(readMaildirMessage(m), r.messageId ?? '')) : undefined;
      const file = already ? basename(already.path) : deliverToMaildir(dir, raw, now(), { base: app.paths.maildir });
      if (email !== 'Sent') delivered.push({ email, where: dir, file });
      if (delivered.length === 1 && email !== 'Sent') testCrashPoint(o.env, 'pengiriman');
    }
    return { via: 'maildir', delivered, serverReply: `maildir: ${delivered.length}`, sentCopy: join(app.paths.maildir, 'Sent') };
  }

  /** The protected headers of the draft and the final kriptogram (see the header comment: no number). */
  function protectedHeaders(input: KirimInput): ProtectedHeaders {
    const permohonan = permohonanRef(input.permohonan);
    return { subject: input.perihal, classification: input.sifat, ...(permohonan ? { Permohonan: permohonan } : {}) };
  }

  // the mailbox password, resolved once per service (one run): before anything is numbered (sendSecrets)
  let password: Promise<string> | null = null;
  function mailboxPassword(): Promise<string> {
    const mb = config.mailbox;
    if (!mb) return Promise.reject(new SandiError('CONFIG', 'kirim.noMailbox'));
    if (!password) {
      const p = mailboxPasswordIn(app, config, o.actor, mb, { env: o.env, passphrases: o.passphrases.arsip });
      password = p;
      // a failed look-up is not kept: a later call asks again
      p.catch(() => {
        if (password === p) password = null;
      });
    }
    return password;
  }

  /**
   * Every secret a send needs, resolved and checked before anything is registered or numbered: with a mailbox,
   * its password (USAGE mail.passwordMissing names what is missing). The key passphrases are unlocked by the
   * callers before their first write (unlockKey).
   */
  async function sendSecrets(): Promise<void> {
    if (config.mailbox) await mailboxPassword();
  }

  async function imapSettings() {
    const mb = config.mailbox;
    if (!mb) throw new SandiError('CONFIG', 'kirim.noMailbox');
    const password = await mailboxPassword();
    return {
      host: mb.imap.host,
      port: mb.imap.port,
      security: mb.imap.tls,
      user: mb.user,
      password,
      ...(mb.caFile === undefined ? {} : { caFile: mb.caFile }),
    };
  }

  /** Record that a sent row has its copy in the Sent folder (appended now, or found there by Message-ID). */
  function recordSentCopy(r: OutRow, folder: string, cara: 'ditambahkan' | 'ditemukan'): void {
    const buku = bukuOf(r);
    store.write((tx) => tx.audit(now(), { actor: o.actor, action: `${buku}.salinan_sent`, entity: buku, entityId: String(r.id), data: { folder, messageId: r.messageId, cara } }));
  }

  /** Copy to the Sent folder by IMAP APPEND, recorded; any failure (SandiError or not) is a warning, never a failed send. */
  async function copyToSent(r: OutRow, raw: Buffer): Promise<string | null> {
    const mb = config.mailbox;
    if (!mb || mb.sentFolder === false) return null;
    try {
      const { ImapMailbox } = await import('../adapters/mail/imap.js');
      const box = await ImapMailbox.connect(await imapSettings());
      try {
        const folder = typeof mb.sentFolder === 'string' ? mb.sentFolder : await box.findSpecialUse('\\Sent');
        if (!folder) {
          warn('kirim.sentFolderUnknown', { user: mb.user });
          return null;
        }
        await box.append(folder, raw, { flags: ['\\Seen'] });
        recordSentCopy(r, folder, 'ditambahkan');
        return folder;
      } finally {
        await box.close();
      }
    } catch (e) {
      // the send is already recorded (terkirim): a failed copy must not turn it into an error exit
      warn('kirim.sentCopyFailed', { reason: isSandiError(e) ? e.key : e instanceof Error ? e.name : 'unknown' });
      return null;
    }
  }

  /** Sent rows whose copy in the Sent folder is recorded (an event `<buku>.salinan_sent`), as "buku:id". */
  function sentCopiesRecorded(): Set<string> {
    const out = new Set<string>();
    for (const a of store.auditRows()) if (a.action === `${a.entity}.salinan_sent`) out.add(`${a.entity}:${a.entityId ?? ''}`);
    return out;
  }

  /**
   * Sent rows without a recorded Sent copy (marked terkirim by the operator, found out by a check, killed after
   * terkirim was recorded, or the copy failed): each is looked up in the Sent folder by Message-ID, appended
   * when it is not there, and recorded either way. At most SENT_CATCH_UP rows a run; a failure is a warning.
   * `only`: the rows to look at (lanjut ID), otherwise every sent row of both registers.
   */
  async function catchUpSentCopies(only: OutRow[] | null, out: ResumeReport[]): Promise<void> {
    const mb = config.mailbox;
    if (!mb || mb.sentFolder === false) return;
    const done = sentCopiesRecorded();
    const all: OutRow[] = only ?? [...listOutgoing(store, { status: 'terkirim' }), ...listOutgoingLetters(store, { status: 'terkirim' })];
    const todo = all.filter((r) => r.status === 'terkirim' && r.messageId !== null && !done.has(`${bukuOf(r)}:${r.id}`)).slice(0, SENT_CATCH_UP);
    if (todo.length === 0) return;
    const failed = (e: unknown) => {
      if (!isSandiError(e)) throw e;
      warn('kirim.sentCopyFailed', { reason: e.key });
    };
    const { ImapMailbox } = await import('../adapters/mail/imap.js');
    let box: Awaited<ReturnType<typeof ImapMailbox.connect>>;
    try {
      box = await ImapMailbox.connect(await imapSettings());
    } catch (e) {
      failed(e);
      return;
    }
    try {
      const folder = typeof mb.sentFolder === 'string' ? mb.sentFolder : await box.findSpecialUse('\\Sent');
      if (!folder) {
        warn('kirim.sentFolderUnknown', { user: mb.user });
        return;
      }
      for (const listed of todo) {
        // claimed like any other step: a run still sending this row makes its own copy
        const c = claimRow<OutRow>(bukuOf(listed), listed.id);
        if (!c) continue;
        try {
          const r = c.row;
          const found = (await box.searchByMessageId(folder, r.messageId ?? '')).length > 0;
          if (!found) await box.append(folder, rawFor(r), { flags: ['\\Seen'] });
          recordSentCopy(r, folder, found ? 'ditemukan' : 'ditambahkan');
          if (!found) out.push({ buku: bukuOf(r), id: r.id, nomor: r.nomor, from: r.status, to: r.status, action: 'salinan-sent' });
        } catch (e) {
          failed(e);
        } finally {
          c.claim.release();
        }
      }
    } catch (e) {
      failed(e);
    } finally {
      await box.close().catch(() => undefined);
    }
  }

  /** Whether the Sent folder holds the Message-ID; null when it cannot be checked. */
  async function foundInSent(messageId: string): Promise<boolean | null> {
    const mb = config.mailbox;
    if (!mb || mb.sentFolder === false) return null;
    const { ImapMailbox } = await import('../adapters/mail/imap.js');
    const box = await ImapMailbox.connect(await imapSettings());
    try {
      const folder = typeof mb.sentFolder === 'string' ? mb.sentFolder : await box.findSpecialUse('\\Sent');
      if (!folder) return null;
      return (await box.searchByMessageId(folder, messageId)).length > 0;
    } finally {
      await box.close();
    }
  }

  /** Send a numbered row. Definite failures return the row to bernomor; unknown outcomes leave it tidak_pasti. */
  async function send<R extends OutRow>(r0: R): Promise<{ row: R; sent: SendOutcome }> {
    let r = r0;
    requireState(r, ['bernomor', 'tidak_pasti']);
    const resuming = r.status === 'tidak_pasti';
    const raw = rawFor(r);
    const mb = config.mailbox;
    if (!mb) {
      r = markUncertain(r);
      const sent = deliverLocal(r, raw, resuming);
      testCrashPoint(o.env, 'sebelum-dicatat');
      return { row: markSent(r, sent.serverReply), sent };
    }
    const password = await mailboxPassword();
    const { sendRaw } = await import('../adapters/mail/smtp.js');
    const started = Date.now();
    let result;
    for (let failures = 0; ; ) {
      r = markUncertain(r);
      try {
        result = await sendRaw(
          {
            host: mb.smtp.host,
            port: mb.smtp.port,
            security: mb.smtp.tls,
            user: mb.user,
            password,
            ...(mb.caFile === undefined ? {} : { caFile: mb.caFile }),
          },
          { from: fromEmail, to: r.recipients.map((x) => x.email), raw, messageId: r.messageId ?? '', dsn: { envid: r.nomor ?? String(r.id) } },
        );
        break;
      } catch (e) {
        if (!isSandiError(e) || !sendFailureIsCertain(e.key)) {
          throw new SandiError('TEMPFAIL', 'kirim.outcomeUnknown', { id: r.id, nomor: r.nomor ?? '' }, { hint: 'kirim.outcomeUnknown.hint', cause: e });
        }
        // certainly nothing went out: back to bernomor (the row waits), then maybe try again later
        r = move(r, 'bernomor', {});
        failures += 1;
        if (!isTemporarySendFailure(e.key)) throw e;
        const delay = retryDelay(retry, failures, Date.now() - started);
        if (delay === null) {
          throw new SandiError(
            'TEMPFAIL',
            'kirim.deferredGaveUp',
            { id: r.id, nomor: r.nomor ?? '', attempts: failures, response: String(e.params['response'] ?? '') },
            { hint: 'kirim.deferredGaveUp.hint', cause: e },
          );
        }
        warn('kirim.retrying', { id: r.id, attempt: failures, seconds: Math.round(delay / 100) / 10, response: String(e.params['response'] ?? '') });
        await sleep(delay);
      }
    }
    testCrashPoint(o.env, 'sebelum-dicatat');
    if (result.rejected.length > 0) warn('kirim.someRejected', { rejected: result.rejected.join(', ') });
    const sentRow = markSent(r, result.response);
    const sentCopy = await copyToSent(sentRow, raw);
    return {
      row: sentRow,
      sent: { via: 'smtp', delivered: result.accepted.map((email) => ({ email, where: `${mb.smtp.host}:${mb.smtp.port}`, file: null })), serverReply: result.response, sentCopy },
    };
  }

  async function numberAndSend(r: KriptogramKeluar): Promise<{ row: KriptogramKeluar; sent: SendOutcome }> {
    const numbered = r.status === 'ditandatangani' ? number(r) : r;
    return send(numbered);
  }

  /** Read the document (a path, or bytes already in memory) with the file name it travels under. */
  function documentOf(d: KirimInput['dokumen']): { fileName: string; data: Buffer } {
    if (typeof d !== 'string') {
      if (d.data.length === 0) throw new SandiError('DATA', 'kirim.documentEmpty', { path: d.fileName });
      return d;
    }
    return { fileName: basename(d), data: readDocument(d) };
  }

  /**
   * A tidak_pasti row: local delivery is checked exactly (each Maildir gets the copy it lacks); with a mailbox,
   * the Sent folder is searched by Message-ID, and only the operator's answer (`decide`) sends it again.
   */
  async function checkUncertain<R extends OutRow>(r: R, decide: Decide | undefined, sentAll: SendOutcome[]): Promise<{ after: R; action: 'perlu-keputusan' | null }> {
    if (!config.mailbox) {
      const res = await send(r);
      sentAll.push(res.sent);
      return { after: res.row, action: null };
    }
    const found = await foundInSent(r.messageId ?? '').catch((e: unknown) => {
      if (isSandiError(e)) return null;
      throw e;
    });
    if (found === true) return { after: markSent(r, 'ditemukan di folder Sent (Message-ID)'), action: null };
    const answer = decide ? await decide({ buku: bukuOf(r), id: r.id, nomor: r.nomor }) : null;
    if (answer === 'sudah') return { after: markSent(r, 'dikonfirmasi operator'), action: null };
    if (answer === 'belum') {
      const res = await send(move(r, 'bernomor', {}));
      sentAll.push(res.sent);
      return { after: res.row, action: null };
    }
    return { after: r, action: 'perlu-keputusan' };
  }

  /** Move one row as far as it can go without new input; returns the first action taken. */
  async function advance(r0: KriptogramKeluar, decide: Decide | undefined, sentAll: SendOutcome[]): Promise<{ after: KriptogramKeluar; action: ResumeReport['action'] }> {
    let r = r0;
    let first: ResumeReport['action'] | null = null;
    for (;;) {
      const action = resumeAction(r.status, draftOnDisk(r));
      const note = (a: ResumeReport['action']) => (first ??= a);
      switch (action) {
        case 'tunggu-kasi': {
          // one person holds both roles: the Kasi's signature is part of the same run
          if (!singleOperator) return { after: r, action: note(action) };
          note(action);
          const kasi = await ownSigningKey('kasi');
          let kasiKey: UnlockedKey;
          try {
            kasiKey = await unlockKey(kasi, 'kasi');
          } catch (e) {
            // no Kasi passphrase in this (non-interactive) run: the row keeps waiting, the other rows go on
            if (!isSandiError(e) || e.key !== 'kunci.passphraseMissing') throw e;
            warn(e.key, e.params as Record<string, string | number>);
            return { after: r, action: 'tunggu-kasi' };
          }
          try {
            r = await sign(r, kasi, kasiKey);
          } catch (e) {
            // a draft that does not match its register row is reported for that row; the other rows go on
            if (!isSandiError(e) || e.key !== 'kirim.draftChanged') throw e;
            warn(e.key, e.params as Record<string, string | number>);
            return { after: r, action: 'tunggu-kasi' };
          }
          continue;
        }
        case 'beri-nomor-kirim':
        case 'kirim': {
          note(action);
          const res = await numberAndSend(r);
          sentAll.push(res.sent);
          r = res.row;
          continue;
        }
        case 'periksa': {
          note(action);
          const res = await checkUncertain(r, decide, sentAll);
          return { after: res.after, action: res.action ?? action };
        }
        default:
          // paraf-selesai cannot arise any more (register and initial are one transaction); perlu-dokumen
          // (a row registered by an older version without its draft) needs the operator: batal and start again
          return { after: r, action: first ?? action };
      }
    }
  }

  // ------------------------------------------------------------------------------------- use cases

  return {
    config,

    /**
     * Start a kriptogram: check every input and key (and the passphrases) before anything is written, write
     * the encrypted draft with the sandiman's initial, then register and record the initial in one
     * transaction. In single-operator mode the Kasi signs at once, and it is numbered and sent.
     */
    /**
     * What a send needs before anyone is asked anything: the archive key, a Kasi key to encrypt the draft to,
     * the sandiman's own signing key (and the Kasi's in single-operator mode). NOT_FOUND names the one missing.
     */
    async siap(): Promise<void> {
      await keys.requireUsableKey(config.archiveKey, 'encrypt');
      await kasiEncryptionKeys();
      await ownSigningKey('sandiman');
      if (singleOperator) await ownSigningKey('kasi');
    },

    async mulai(input: KirimInput): Promise<KirimReport> {
      if (!isSifat(input.sifat)) throw new SandiError('DATA', 'store.badSifat', { value: String(input.sifat) });
      if (!isDerajat(input.derajat)) throw new SandiError('DATA', 'store.badDerajat', { value: String(input.derajat) });
      if (input.perihal.trim().length === 0) throw new SandiError('USAGE', 'store.fieldRequired', { field: 'perihal' });
      if (input.kepada.length === 0) throw new SandiError('USAGE', 'store.noRecipients');
      const doc = documentOf(input.dokumen);
      const recipients = await keys.lookupRecipients(input.kepada);
      const archive = await keys.requireUsableKey(config.archiveKey, 'encrypt');
      await kasiEncryptionKeys();
      const sandiman = await ownSigningKey('sandiman');
      const sandimanKey = await unlockKey(sandiman, 'sandiman');
      let kasi: { key: KeyInfo; unlocked: UnlockedKey } | null = null;
      if (singleOperator) {
        const key = await ownSigningKey('kasi');
        kasi = { key, unlocked: await unlockKey(key, 'kasi') };
        // it is numbered and sent in this run: the mailbox password too, before anything is written
        await sendSecrets();
      }
      progress('diperiksa', null);

      let perihalTerenkripsi: Buffer | null = null;
      if (subjectMustBeEncrypted(input.sifat)) {
        const sink = new MemorySink();
        await encryptKriptogram({
          input: Readable.from([Buffer.from(input.perihal, 'utf8')]),
          output: sink,
          fileName: 'perihal.txt',
          headers: { subject: 'perihal' },
          recipientKeys: [archive.publicArmored],
          signingKeys: [sandimanKey],
          date: now(),
        });
        perihalTerenkripsi = sink.bytes();
      }
      const headers = protectedHeaders(input);
      const finalRecipients = [...recipients.map((x) => x.fingerprint), archive.fingerprint];
      const { sidecar, record } = await writeDraft(doc.data, { fileName: doc.fileName, headers }, sandiman, sandimanKey, archive.publicArmored, finalRecipients);
      testCrashPoint(o.env, 'draf-tertulis');
      let claim: PidLock | null = null;
      let r = store.write((tx) => {
        const reg = registerOutgoing(
          tx,
          {
            sandiman: o.actor,
            recipients: recipients.map((x) => ({ email: x.email, unit: x.unit, unitCode: x.unitCode, fingerprint: x.fingerprint })),
            sifat: input.sifat,
            derajat: input.derajat,
            perihal: perihalTerenkripsi ? null : input.perihal,
            perihalTerenkripsi,
            permohonan: input.permohonan,
            assignedBy: input.assignedBy ?? null,
          },
          now(),
        );
        const paraf = setOutgoingStatus(tx, reg.id, 'diparaf', { parafFpr: sidecar.parafFpr, drafSha256: sidecar.drafSha256 }, now(), o.actor);
        // single operator: this run goes on with the row, claimed in the transaction that registers it, so a
        // `lanjut` running meanwhile leaves it alone
        if (kasi) {
          claim = claimIn('kriptogram_keluar', reg.id);
          if (!claim) throw new SandiError('TEMPFAIL', 'kirim.rowBusy', { id: reg.id }, { hint: 'kirim.rowBusy.hint' });
        }
        return paraf;
      });
      const held = claim as PidLock | null;
      try {
        progress('terdaftar', r.id);
        progress('diparaf', r.id);
        testCrashPoint(o.env, 'diparaf');
        if (!kasi) return { row: rowView(r), waiting: 'kasi', sent: null };

        r = await sign(r, kasi.key, kasi.unlocked, undefined, { doc: doc.data, record, sandimanArmored: keys.loadPublicArmored(sandiman.fingerprint) });
        const { row: done, sent } = await numberAndSend(r);
        return { row: rowView(done), waiting: null, sent };
      } finally {
        held?.release();
      }
    },

    /** The Kasi reads the draft (in memory) and signs; with `kirim`, the kriptogram is then numbered and sent. */
    async tandatangani(id: number, opts: { kirim?: boolean; confirm?: (d: DraftView) => Promise<boolean> } = {}): Promise<KirimReport> {
      requireState(row(id), ['diparaf']);
      const kasi = await ownSigningKey('kasi');
      const kasiKey = await unlockKey(kasi, 'kasi');
      if (opts.kirim) await sendSecrets();
      // claimed, then the state read again under the claim: another run may have signed it meanwhile
      const { row: r0, claim } = claimOrBusy(id);
      try {
        const r = await sign(r0, kasi, kasiKey, opts.confirm);
        if (!opts.kirim) return { row: rowView(r), waiting: 'sandiman', sent: null };
        const { row: done, sent } = await numberAndSend(r);
        return { row: rowView(done), waiting: null, sent };
      } finally {
        claim.release();
      }
    },

    /**
     * Finish what was interrupted, each row as far as it goes: in single-operator mode a draft is signed by
     * the Kasi; signed rows are numbered and sent; uncertain sends are checked (local Maildirs exactly, or the
     * Sent folder by Message-ID) and only resent when the operator says nothing went out (`decide`).
     */
    async lanjut(id?: number, decide?: Decide): Promise<{ rows: ResumeReport[]; sent: SendOutcome[] }> {
      const rows = id === undefined ? [...listOutgoing(store, { status: NOT_FINAL })] : [row(id)];
      // ordinary letters are registered, numbered and given their Message-ID in one transaction: what can
      // be left is a numbered letter to send, or an uncertain send to check
      const letters = id === undefined ? [...listOutgoingLetters(store, { status: ['bernomor', 'tidak_pasti'] })] : [];
      // every secret a send needs, before any row is numbered or sent
      const sends = (s: OutgoingStatus) => s === 'ditandatangani' || s === 'bernomor' || s === 'tidak_pasti' || (s === 'diparaf' && singleOperator);
      if (letters.length > 0 || rows.some((r) => sends(r.status))) await sendSecrets();
      const out: ResumeReport[] = [];
      const sentAll: SendOutcome[] = [];
      const busy = (r: OutRow): ResumeReport => ({ buku: bukuOf(r), id: r.id, nomor: r.nomor, from: r.status, to: r.status, action: 'sedang-diproses' });
      for (const listed of rows) {
        // claimed and read again: a row another run is working on (its kirim, or another lanjut) is left to it
        const c = claimRow<KriptogramKeluar>('kriptogram_keluar', listed.id);
        if (!c) {
          out.push(busy(listed));
          continue;
        }
        try {
          const r = c.row;
          const { after, action } = await advance(r, decide, sentAll);
          out.push({ buku: 'kriptogram_keluar', id: r.id, nomor: after.nomor, from: r.status, to: after.status, action });
        } finally {
          c.claim.release();
        }
      }
      for (const listed of letters) {
        const c = claimRow<SuratKeluar>('surat_keluar', listed.id);
        if (!c) {
          out.push(busy(listed));
          continue;
        }
        try {
          const l = c.row;
          let after: SuratKeluar = l;
          let action: ResumeReport['action'] = l.status === 'bernomor' ? 'kirim' : l.status === 'tidak_pasti' ? 'periksa' : 'selesai';
          if (l.status === 'bernomor') {
            const res = await send(l);
            sentAll.push(res.sent);
            after = res.row;
          } else if (l.status === 'tidak_pasti') {
            const res = await checkUncertain(l, decide, sentAll);
            after = res.after;
            action = res.action ?? action;
          }
          out.push({ buku: 'surat_keluar', id: l.id, nomor: after.nomor, from: l.status, to: after.status, action });
        } finally {
          c.claim.release();
        }
      }
      // sent rows whose Sent copy is missing (the operator's --sudah-terkirim, a kill after terkirim)
      await catchUpSentCopies(id === undefined ? null : [row(id)], out);
      return { rows: out, sent: sentAll };
    },

    /**
     * Send an ordinary letter in clear (SOP: register in the outgoing mail register, send the scanned letter,
     * note the time sent). The document part (and the optional detached signature) is archived first; then
     * one transaction registers, records the signature, numbers the letter and fixes its Message-ID; then
     * it is sent like a kriptogram (tidak_pasti before the first byte, terkirim with the time sent).
     */
    async kirimBiasa(input: BiasaInput): Promise<BiasaReport> {
      const sifat = input.sifat ?? 'Biasa';
      const derajat = input.derajat ?? 'Biasa';
      if (!biasaSifatAllowed(sifat)) throw new SandiError('DATA', 'kirim.biasaSifat', { value: String(sifat) });
      if (!isDerajat(derajat)) throw new SandiError('DATA', 'store.badDerajat', { value: String(derajat) });
      if (input.perihal.trim().length === 0) throw new SandiError('USAGE', 'store.fieldRequired', { field: 'perihal' });
      if (input.kepada.length === 0) throw new SandiError('USAGE', 'store.noRecipients');
      for (const e of input.kepada) {
        if (!/^[^\s@<>,"]+@[^\s@<>,"]+\.[^\s@<>,"]+$/.test(e)) throw new SandiError('DATA', 'kirim.badEmail', { value: e });
        // local delivery: refuse an address that is not one plain Maildir folder name before anything is written
        if (!config.mailbox) maildirIn(app.paths.maildir, e);
      }
      const doc = documentOf(input.dokumen);
      const book = new Map(keys.listAddresses().map((a) => [a.email.toLowerCase(), a]));
      const recipients = input.kepada.map((email) => {
        const a = book.get(email.toLowerCase());
        return { email, unit: a?.unit ?? email, unitCode: a?.unitCode ?? null };
      });
      let signer: { key: KeyInfo; unlocked: UnlockedKey } | null = null;
      if (input.tandatangani) {
        const key = await ownSigningKey('sandiman');
        signer = { key, unlocked: await unlockKey(key, 'sandiman') };
      }
      // registering numbers it: every secret the send needs first
      await sendSecrets();
      progress('diperiksa', null);

      const dokSha = sha256(doc.data);
      const paths = letterPaths(dokSha, signer?.key.fingerprint ?? null);
      mkdirSync(lettersDir, { recursive: true, mode: 0o700 });
      // the same document bytes keep the part first archived (only the attachment's name could differ)
      // (never replaced: a letter registered meanwhile may point to it, and its signature covers it)
      if (!existsSync(paths.part)) writeNewFile(paths.part, documentPart(doc.fileName, doc.data), true);
      if (signer && paths.sig && !existsSync(paths.sig)) {
        const { signDetached } = await import('../adapters/openpgp/tanda-tangan.js');
        const sig = await signDetached(
          readFileSync(paths.part),
          { unlockedArmored: signer.unlocked.armored, fingerprint: signer.key.fingerprint, userId: signer.key.userId },
          now(),
        );
        writeNewFile(paths.sig, Buffer.from(`${JSON.stringify(sig)}\n`, 'utf8'), true);
      }
      const messageId = makeMessageId(randomBytes(16).toString('hex'), fromEmail);
      let claim: PidLock | null = null;
      const numbered = store.write((tx) => {
        const reg = registerOutgoingLetter(
          tx,
          { operator: o.actor, recipients, perihal: input.perihal, sifat, derajat, dokumenSha256: dokSha, permohonan: input.permohonan, assignedBy: input.assignedBy ?? null },
          now(),
        );
        if (signer) setOutgoingLetterStatus(tx, reg.id, 'ditandatangani', { signer: signer.key.userId, signerFpr: signer.key.fingerprint }, now(), o.actor);
        assignOutgoingLetterNumber(tx, reg.id, letterNumbering, now(), o.actor);
        setOutgoingMessageId(tx, 'surat_keluar', reg.id, messageId, now(), o.actor);
        // claimed with its registration: a `lanjut` running meanwhile does not send it too
        claim = claimIn('surat_keluar', reg.id);
        if (!claim) throw new SandiError('TEMPFAIL', 'kirim.rowBusy', { id: reg.id }, { hint: 'kirim.rowBusy.hint' });
        return getOutgoingLetter(tx.db, reg.id);
      });
      const held = claim as PidLock | null;
      try {
        progress('surat-terdaftar', numbered.id);
        progress('bernomor', numbered.id);
        const { row: done, sent } = await send(numbered);
        return { row: letterView(done), sent };
      } finally {
        held?.release();
      }
    },

    /** Rows of the outgoing mail register (ordinary letters) that are not finished, or all of them. */
    statusBiasa(all = false): LetterView[] {
      return [...listOutgoingLetters(store, all ? {} : { status: NOT_FINAL })].map(letterView);
    },

    /** Cancel an ordinary letter before it is sent, with the reason. */
    batalBiasa(id: number, alasan: string): LetterView {
      if (alasan.trim().length === 0) throw new SandiError('USAGE', 'store.fieldRequired', { field: 'alasan' });
      const r = getOutgoingLetter(store, id);
      requireState(r, ['terdaftar', 'ditandatangani', 'bernomor']);
      return letterView(store.write((tx) => setOutgoingLetterStatus(tx, id, 'batal', { alasan }, now(), o.actor)));
    },

    /** Rows that wait for someone (or every row with `all`), oldest first. */
    status(all = false): RowView[] {
      return [...listOutgoing(store, all ? {} : { status: NOT_FINAL })].map(rowView);
    },

    /** Cancel a row before it is sent, with the reason; a numbered row keeps its number as batal. */
    batal(id: number, alasan: string): RowView {
      if (alasan.trim().length === 0) throw new SandiError('USAGE', 'store.fieldRequired', { field: 'alasan' });
      const r = row(id);
      requireState(r, ['terdaftar', 'diparaf', 'ditandatangani', 'bernomor']);
      return rowView(store.write((tx) => setOutgoingStatus(tx, id, 'batal', { alasan }, now(), o.actor)));
    },

    /** One row. */
    show(id: number): RowView {
      return rowView(row(id));
    },

    /** Where the final (signed) kriptogram of a row is archived. */
    archivedAt(id: number): string {
      return finalPath(row(id));
    },
  };
}
