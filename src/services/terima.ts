/**
 * `sandi terima`: the incoming-mail service of SOP seeds 000 and 002.
 *
 * Fetch: for each new message, in this order — archive the raw bytes (content-addressed, durable), parse,
 * register (incoming register, or the incoming-kriptogram register for encrypted mail) together with the
 * folder position in ONE transaction. So a second run, a run after a crash, or a run after the server
 * renumbered the folder (new UIDVALIDITY) registers nothing twice and skips nothing: the position says where
 * to start, and the content hash and Message-ID catch what was registered under another position.
 *
 * Sources: the configured IMAP mailbox; `--dari-folder DIR` (a Maildir or a folder of .eml files, the
 * fallback channel); and with no mailbox configured, the local Maildir <home>/maildir/INBOX.
 *
 * After arrival, each SOP step is an event with actor and time: teruskan, cetak, paraf (tiered), antar,
 * tandaterima (then the letter is filed). `status` measures each letter in working time.
 */
import { readFileSync, readdirSync, rmSync, statSync, existsSync, mkdirSync, createReadStream, openSync, readSync, closeSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join, resolve, basename } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { loadOfficeCalendar } from '../config/calendar.js';
import { SandiError } from '../errors.js';
import type { App } from '../app.js';
import type { PassphraseSource, SignerReport } from '../ports.js';
import { kopSuratKantor, loadConfig, pdfFontFiles, type SandiConfig } from '../config/config.js';
import { mailboxPasswordIn } from './akun-kredensial.js';
import { messageArchive, type ArchivedMessage, type MessageArchive } from '../adapters/archive.js';
import { parseIncoming, bareAddress, type ParsedIncoming } from '../adapters/mail/terima-parser.js';
import { messageParser, type MessageParser, type ParseSource } from '../adapters/mail/parse-pool.js';
import { ImapMailbox, samePath, type ImapSettings } from '../adapters/mail/imap.js';
import { listMaildir, deliverToMaildir, maildirIn } from '../adapters/maildir.js';
import { writeFileAtomic } from '../adapters/keystore.js';
import { pdfText } from '../adapters/pdf-text.js';
import { takePidLock } from '../adapters/pid-lock.js';
import {
  addIncomingStep,
  addIncomingKriptogramStep,
  closeIncomingKriptogram,
  findIncomingDuplicate,
  listIncoming,
  listIncomingSteps,
  listIncomingKriptogramSteps,
  recordIncomingKriptogramRead,
  registerIncoming,
  registerIncomingKriptogram,
  rejectIncomingKriptogram,
  setIncomingStatus,
} from '../adapters/sqlite/registers.js';
import type { IncomingSource, KriptogramMasuk, SuratMasuk } from '../domain/records-masuk.js';
import type { Numbering } from '../domain/records.js';
import {
  findIncomingByRef,
  findIncomingKriptogramByRef,
  getFolderPosition,
  incomingLetterIdsAfter,
  lastIncomingLetterId,
  listIncomingKriptogram,
  recordLetterDate,
  incomingClassification,
  classifyIncoming,
  restartFolderPosition,
  setFolderPosition,
} from '../adapters/sqlite/terima.js';
import type { WriteTx } from '../adapters/sqlite/store.js';
import type { SuratMasukLangkah, SuratMasukStatus } from '../domain/incoming-state.js';
import { extractArmored } from '../formats/pgpmime.js';
import type { WorkingCalendar } from '../domain/working-time.js';
import { tanggalKalenderPanjang, tanggalWaktuPanjang, type Bahasa } from '../domain/tanggal-tampil.js';
import {
  checkParaf,
  findLetterNumber,
  findLetterClassification,
  parseTanggalSurat,
  forwardAddressProblem,
  forwardAllowed,
  forwardedTo,
  jalurElektronik,
  normaliseSifat,
  normaliseDerajat,
  rejectsKriptogram,
  measureLetter,
  parseTerimaConfig,
  ruteAntar,
  summarise,
  type Jalur,
  type LetterSla,
  type TerimaConfig,
} from '../domain/terima.js';
import { kunciService } from './kunci.js';
import { nomorDariSubjekLuar } from '../domain/numbering.js';
import { CountingSink, MemorySink } from '../adapters/memory-sink.js';

/** Account name of the fetch position for folders read from disk. */
const LOCAL_ACCOUNT = 'lokal';

export interface TerimaSettings {
  config: SandiConfig;
  terima: TerimaConfig;
  calendar: WorkingCalendar;
}

/** Load config.json (with its optional "terima" object) and the holidays file into a calendar. */
export function loadTerimaSettings(app: App): TerimaSettings {
  const config = loadConfig(app.paths.config);
  // loadConfig has already checked the "terima" object; this only applies the defaults when it is absent.
  const parsed = parseTerimaConfig(config.terima);
  if (!('config' in parsed)) throw new SandiError('INTERNAL', 'common.internal', { detail: 'terima config passed validation but not parsing' });
  return { config, terima: parsed.config, calendar: loadOfficeCalendar(app.paths.root, config) };
}

// ------------------------------------------------------------------------------------------------ fetch

export interface Arrival {
  buku: 'surat_masuk' | 'kriptogram_masuk';
  id: number;
  nomor: string;
  pengirim: string;
  perihal: string | null;
  lampiran: number;
  peringatan: string[];
  status: string;
  rawSha256: string;
  /** kriptogram: who signed, when it was read */
  penandaTangan?: SignerView[];
}

export interface Duplicate {
  rawSha256: string;
  nomor: string;
  by: 'sha256' | 'source' | 'message_id';
  where: string;
}

export interface FetchReport {
  sumber: 'imap' | 'maildir' | 'eml';
  akun: string;
  folder: string;
  uidvalidity: number | null;
  /** UIDVALIDITY changed since the last run: the folder was read again from the start */
  uidvalidityBerubah: boolean;
  diperiksa: number;
  baru: Arrival[];
  duplikat: Duplicate[];
  diteruskan: { nomor: string; ke: string[] }[];
  /** cc addresses automatic forwarding did not send to (not in the address book or teruskanDomain) */
  ditahan: { nomor: string; ke: string[] }[];
  /** cc addresses the mail server refused when forwarding automatically (not recorded as forwarded) */
  ditolak: { nomor: string; ke: Refused[] }[];
  /** kriptogram registered by an earlier run that was stopped before reading them, read (or tried) in this one */
  dilanjutkan: Arrival[];
  /** entries of a folder import that are not a readable message file (a sub-folder named x.eml, ...): skipped */
  dilewati: { path: string; alasan: string }[];
  /** leftover temporary files of a killed run (raw mail) removed from the archive's tmp folder */
  sementaraDihapus: number;
}

/** A forwarding recipient the server refused, with its reply. */
export interface Refused {
  alamat: string;
  /** the server's reply, e.g. "554 5.7.1 <x@y>: Relay access denied" */
  balasan: string;
  kode: number | null;
}

/** One `teruskan` step: `ke` the addresses the server accepted (the only ones recorded as forwarded). */
export interface Forwarded {
  nomor: string;
  ke: string[];
  via: string;
  at: string;
  ditolak: Refused[];
}

export interface SignerView {
  keyId: string;
  fingerprint: string | null;
  userId: string | null;
  unit: string | null;
  status: string;
  /** the signing time the signer claims (ISO) */
  created?: string | null;
  /** status kedaluwarsa: when the key expired, and whether it was valid at `created` */
  keyExpired?: string | null;
  validAtCreated?: boolean;
}

export interface TerimaOptions {
  /** who acts, for the registers and the audit log */
  actor: string;
  env: NodeJS.ProcessEnv;
  /** passphrase of the archive key (decrypting incoming kriptogram); absent = leave them unread */
  passphrases?: PassphraseSource;
  progress?: (done: number, total: number) => void;
  warn?: (key: string, params: Record<string, string | number>) => void;
  /** after a dropped IMAP connection: reconnects in a row without progress (default 5), first pause in ms (default 250, doubling) */
  reconnect?: { max?: number; pauseMs?: number };
}

/** A message archived and parsed, not yet registered. */
interface Prepared {
  meta: Meta;
  archived: { sha256: string; size: number; path: string };
  parsed: ParsedIncoming;
  peringatan: string[];
  kriptogram: { subject: string | null } | null;
  kriptogramProblem: string | null;
  /** the letter's own number and date, from its text or its PDF */
  found: LetterNumber;
}

type LetterNumber = ReturnType<typeof findLetterNumber> & { klasifikasi: ReturnType<typeof findLetterClassification> };

interface Meta {
  source: IncomingSource;
  diterimaAt: Date;
  where: string;
  /** for IMAP: the position to record with the registration */
  position?: { akun: string; folder: string; uidvalidity: number; uid: number };
}

/** The terima service for an opened app. */
/** pdftotext processes run at once by one fetch */
const PDFTOTEXT_AT_ONCE = 2;

/** Run at most `n` of the given tasks at once; the others wait their turn, in order. */
function limiter(n: number): <T>(task: () => Promise<T>) => Promise<T> {
  let running = 0;
  const waiting: (() => void)[] = [];
  return async <T>(task: () => Promise<T>): Promise<T> => {
    if (running >= n) await new Promise<void>((resolve) => waiting.push(resolve));
    running++;
    try {
      return await task();
    } finally {
      running--;
      waiting.shift()?.();
    }
  };
}

export function terimaService(app: App, opts: TerimaOptions) {
  const settings = loadTerimaSettings(app);
  const { config, terima, calendar } = settings;
  const archive: MessageArchive = messageArchive(join(app.paths.archive, 'surat-masuk'));
  const numbering = (buku: 'suratMasuk' | 'kriptogramMasuk'): Numbering => ({
    format: config.numberFormats[buku],
    timeZone: config.office.timeZone,
    unitCode: config.office.unitCode,
    configKey: `numberFormats.${buku}`,
  });
  const store = () => app.store();
  const warn = opts.warn ?? (() => undefined);
  /** pdftotext is not installed (warned once per run; the letter number is then read from the mail text only) */
  let pdftotextMissing = false;
  /** pdftotext processes at most at once (a batch analyses its messages together; this machine class has 2 cores) */
  const pdfSlots = limiter(PDFTOTEXT_AT_ONCE);

  // ---------------------------------------------------------------------------- one message

  /** Steps 1-2 for one message: archive the raw bytes (durable on return), then parse the archived copy. */
  async function prepare(source: Readable | Buffer, meta: Meta): Promise<Prepared> {
    // 1. archive, byte for byte, before anything else
    const archived = await archive.put(Buffer.isBuffer(source) ? source : (source as AsyncIterable<Uint8Array>));
    // 2. parse the archived copy, read back from disk (a streamed message is never held whole)
    return { meta, archived, ...(await analyse({ path: archived.path, size: archived.size })) };
  }

  /**
   * Steps 1-2 for messages fetched whole: every archive write starts at once (their fsyncs run in the
   * thread pool, the folders' fsyncs are left to commit()), and each message is parsed (on the parser's
   * thread) from the very bytes that are being hashed and written meanwhile.
   */
  async function prepareMany(messages: readonly { raw: Buffer; meta: Meta }[], parser: MessageParser): Promise<Prepared[]> {
    const parses = messages.map((m) => analyse(m.raw, parser));
    const puts = messages.map((m) => archive.put(m.raw, { deferDirSync: true }));
    for (const p of [...parses, ...puts]) p.catch(() => undefined); // each is awaited below
    try {
      const out: Prepared[] = [];
      for (const [i, m] of messages.entries()) out.push({ meta: m.meta, archived: await (puts[i] as Promise<ArchivedMessage>), ...(await (parses[i] as ReturnType<typeof analyse>)) });
      return out;
    } finally {
      await Promise.allSettled([...parses, ...puts]);
    }
  }

  async function analyse(raw: Buffer | { path: string; size: number }, parser?: MessageParser): Promise<Omit<Prepared, 'meta' | 'archived'>> {
    const buffer = Buffer.isBuffer(raw) ? raw : null;
    const size = buffer ? buffer.length : (raw as { size: number }).size;
    const path = buffer ? '' : (raw as { path: string }).path;
    const read = (): Readable => (buffer ? Readable.from([buffer]) : createReadStream(path));
    const source: ParseSource = buffer ?? { path, tail: tailOf(path, size) };
    const parsed = parser
      ? await parser.parse(source)
      : Buffer.isBuffer(source)
        ? await parseIncoming(source, { tail: source.subarray(-16 * 1024), keepPdf: true })
        : await parseIncoming(read(), { tail: source.tail, keepPdf: true });
    const peringatan = [...parsed.warnings];
    if (size > terima.batasUkuran) peringatan.push('terima.w.tooLarge');
    let kriptogram: { subject: string | null } | null = null;
    let kriptogramProblem: string | null = null;
    try {
      const p = parsed.pgp ? await extractArmored(read()) : null;
      if (p) kriptogram = { subject: p.subject };
    } catch (e) {
      if (e instanceof SandiError && e.key === 'mail.pgpmime.malformed') {
        kriptogram = { subject: parsed.subject };
        kriptogramProblem = `mail.pgpmime.malformed: ${String(e.params['reason'] ?? '')}`;
      } else if (!(e instanceof SandiError)) throw e;
    }
    const found = kriptogram ? { nomorSurat: null, tanggalSurat: null, klasifikasi: findLetterClassification(null) } : await letterNumberOf(parsed, peringatan);
    if (found.klasifikasi.sifatTertulis !== null && found.klasifikasi.sifat === null) peringatan.push('terima.w.sifatUnread');
    if (found.klasifikasi.derajatTertulis !== null && found.klasifikasi.derajat === null) peringatan.push('terima.w.derajatUnread');
    for (const a of parsed.attachments) delete a.content;
    return { parsed, peringatan, kriptogram, kriptogramProblem, found };
  }

  /**
   * The letter's own number and date: from the mail text, else from the first pages of its first PDF
   * attachment that has text (pdftotext; a scan has none). Without pdftotext, warned once per run.
   */
  async function letterNumberOf(parsed: ParsedIncoming, peringatan: string[]): Promise<LetterNumber> {
    const textKlas = findLetterClassification(parsed.text);
    const inText = { ...findLetterNumber(parsed.text), klasifikasi: textKlas };
    if (inText.nomorSurat !== null) return inText;
    for (const a of parsed.attachments) {
      const content = a.content;
      if (!content || pdftotextMissing) continue;
      const r = await pdfSlots(() => pdfText(content));
      if (r.missing) {
        // checked and set in one step: analyses running side by side warn once between them
        if (!pdftotextMissing) warn('terima.w.noPdftotext', {});
        pdftotextMissing = true;
        break;
      }
      if (r.timedOut && !peringatan.includes('terima.w.pdfTextTimeout')) peringatan.push('terima.w.pdfTextTimeout');
      const inPdf = findLetterNumber(r.text);
      if (inPdf.nomorSurat !== null) {
        // the classification the mail text states wins; else the one the letter (PDF) states
        const pdfKlas = findLetterClassification(r.text);
        const klasifikasi = {
          ...(textKlas.sifatTertulis !== null ? { sifatTertulis: textKlas.sifatTertulis, sifat: textKlas.sifat } : { sifatTertulis: pdfKlas.sifatTertulis, sifat: pdfKlas.sifat }),
          ...(textKlas.derajatTertulis !== null ? { derajatTertulis: textKlas.derajatTertulis, derajat: textKlas.derajat } : { derajatTertulis: pdfKlas.derajatTertulis, derajat: pdfKlas.derajat }),
        };
        return { nomorSurat: inPdf.nomorSurat, tanggalSurat: inPdf.tanggalSurat ?? inText.tanggalSurat, klasifikasi };
      }
    }
    return inText;
  }

  /**
   * Step 3, inside the caller's write transaction: register (or recognise a duplicate), and with `moveOn`
   * move the folder position to this message.
   */
  function register(tx: WriteTx, p: Prepared, at: Date, moveOn: boolean): Arrival | Duplicate | { kriptogramId: number } {
    const { meta, archived, parsed, peringatan, kriptogram, kriptogramProblem, found } = p;
    const common = {
      operator: opts.actor,
      diterimaAt: meta.diterimaAt.toISOString(),
      pengirim: parsed.from ?? '(tidak diketahui / unknown)',
      kepada: parsed.to,
      rawSha256: archived.sha256,
      rawSize: archived.size,
      messageId: parsed.messageId,
      source: meta.source,
      peringatan,
    };
    const dup = findIncomingDuplicate(tx, { rawSha256: archived.sha256, messageId: parsed.messageId, source: meta.source });
    if (moveOn) advance(tx, meta, at);
    if (dup) return { rawSha256: archived.sha256, nomor: dup.nomor, by: dup.by, where: meta.where };
    if (kriptogram) {
      const row = registerIncomingKriptogram(tx, { ...common, subjekLuar: kriptogram.subject }, numbering('kriptogramMasuk'), at);
      if (kriptogramProblem) rejectIncomingKriptogram(tx, row.id, { alasan: kriptogramProblem }, at, opts.actor);
      return { kriptogramId: row.id };
    }
    const row = registerIncoming(
      tx,
      {
        ...common,
        tembusan: parsed.cc,
        nomorSurat: found.nomorSurat,
        tanggalSurat: found.tanggalSurat,
        perihal: parsed.subject,
        isiRingkas: summarise(parsed.text),
        // as the letter states it ("Sifat : Rahasia"); unread or absent: Biasa, with a warning when unread
        ...(found.klasifikasi.sifat !== null ? { sifat: found.klasifikasi.sifat } : {}),
        ...(found.klasifikasi.derajat !== null ? { derajat: found.klasifikasi.derajat } : {}),
        lampiran: parsed.attachments.map((a) => ({ name: a.name, type: a.type, size: a.size, sha256: a.sha256 })),
      },
      numbering('suratMasuk'),
      at,
    );
    const tanggal = parseTanggalSurat(found.tanggalSurat);
    if (tanggal !== null) recordLetterDate(tx, row.id, tanggal);
    return arrivalOfLetter(row);
  }

  /**
   * Register prepared messages in ONE transaction (each archived durably before: the deferred folder fsyncs
   * are done here first), then read the kriptogram among them (after the commit, outside the transaction).
   */
  async function commit(batch: readonly Prepared[]): Promise<(Arrival | Duplicate)[]> {
    if (batch.length === 0) return [];
    await archive.flush();
    const at = app.clock.now();
    // the batch is in UID order: the folder position moves to its last message, in the same transaction
    const results = store().write((tx) => batch.map((p, i) => register(tx, p, at, i === batch.length - 1)));
    const out: (Arrival | Duplicate)[] = [];
    for (const r of results) {
      if ('kriptogramId' in r) {
        const arrival = arrivalOfKriptogram(r.kriptogramId);
        out.push(arrival.status === 'terdaftar' ? (await readKriptogramRow(arrival.id, false)).arrival : arrival);
      } else out.push(r);
    }
    return out;
  }

  /** One message, start to end: archive, parse, register. */
  async function ingest(source: Readable | Buffer, meta: Meta): Promise<Arrival | Duplicate> {
    const [r] = await commit([await prepare(source, meta)]);
    if (r === undefined) throw new SandiError('INTERNAL', 'common.internal', { detail: 'ingest registered nothing' });
    return r;
  }

  function advance(tx: WriteTx, meta: Meta, at: Date): void {
    if (meta.position) {
      const p = meta.position;
      setFolderPosition(tx, p.akun, p.folder, { uidvalidity: p.uidvalidity, lastUid: p.uid }, at);
    }
  }

  function arrivalOfLetter(row: SuratMasuk): Arrival {
    return {
      buku: 'surat_masuk',
      id: row.id,
      nomor: row.nomor,
      pengirim: row.pengirim,
      perihal: row.perihal,
      lampiran: row.lampiran.length,
      peringatan: row.peringatan,
      status: row.status,
      rawSha256: row.rawSha256,
    };
  }

  function arrivalOfKriptogram(id: number): Arrival {
    const row = findIncomingKriptogramByRef(store(), String(id));
    if (!row) throw new SandiError('INTERNAL', 'common.internal', { detail: `kriptogram_masuk ${id} vanished` });
    return kriptogramArrival(row);
  }

  function kriptogramArrival(row: KriptogramMasuk, extra: string[] = []): Arrival {
    return {
      buku: 'kriptogram_masuk',
      id: row.id,
      nomor: row.nomor,
      pengirim: row.pengirim,
      perihal: row.subjekLuar,
      lampiran: 0,
      peringatan: [...row.peringatan, ...extra],
      status: row.status,
      rawSha256: row.rawSha256,
      ...(Array.isArray(row.penandaTangan) ? { penandaTangan: row.penandaTangan as SignerView[] } : {}),
    };
  }

  // ---------------------------------------------------------------------------- kriptogram

  /** Fingerprints of every key in the key store (not parsed: a damaged one is skipped by the caller). */
  function storedFingerprints(): string[] {
    return store()
      .db.prepare<[], { fingerprint: string }>('SELECT fingerprint FROM kunci ORDER BY rowid')
      .all()
      .map((r) => r.fingerprint);
  }

  /**
   * Decrypt and verify an incoming kriptogram with the office archive key and the address book. The
   * plaintext goes to `output` only when given (and only after every check passed); otherwise it is counted
   * and dropped. Integrity or signature failures reject the row with the reason; a missing passphrase
   * leaves it unread with a warning.
   */
  async function readKriptogramRow(id: number, strict: boolean, output?: Writable, wholeEntity = false): Promise<{ arrival: Arrival; headers?: { subject: string; classification?: string; registerNumber?: string }; fileName?: string }> {
    const row = findIncomingKriptogramByRef(store(), String(id));
    if (!row) throw new SandiError('NOT_FOUND', 'terima.notFound', { ref: String(id) });
    const keys = kunciService(app, opts.actor);
    let passphrase: string;
    let armoredSecret: string;
    try {
      if (!opts.passphrases) throw new SandiError('USAGE', 'kunci.passphraseMissing', { key: config.archiveKey, envRole: 'SANDI_PASSPHRASE_ARSIP' });
      const info = await keys.info(config.archiveKey);
      armoredSecret = keys.loadSecretArmored(config.archiveKey);
      passphrase = await opts.passphrases.get(info);
    } catch (e) {
      if (strict) throw e;
      return { arrival: kriptogramArrival(row, ['terima.w.notRead']) };
    }
    const payload = await extractArmored(archive.open(row.rawSha256));
    if (!payload) throw new SandiError('DATA', 'terima.notKriptogram', { nomor: row.nomor });
    const verificationKeys: string[] = [];
    const units = new Map<string, string>();
    for (const a of keys.listAddresses()) units.set(a.fingerprint, a.unit);
    // One unreadable key file must not stop every kriptogram from being read: skip it, say so.
    for (const fpr of storedFingerprints()) {
      try {
        await keys.info(fpr);
        verificationKeys.push(keys.loadPublicArmored(fpr));
      } catch (e) {
        if (!(e instanceof SandiError)) throw e;
        warn('terima.w.keySkipped', { fingerprint: fpr, ...reasonParams(e) });
      }
    }
    const { decryptKriptogram, encryptKriptogram } = await import('../adapters/openpgp/kriptogram.js');
    const sink = output ?? new CountingSink();
    const at = () => app.clock.now();
    try {
      const res = await decryptKriptogram({
        input: Readable.from([payload.armored]),
        output: sink,
        decryptionKeys: [{ armored: armoredSecret, passphrase }],
        verificationKeys,
        requiredSigners: terima.tandaTanganMinimal,
        wholeEntity,
      });
      const signers = res.signers.map((s: SignerReport): SignerView => ({ ...s, unit: s.fingerprint ? (units.get(s.fingerprint) ?? null) : null }));
      if (row.status !== 'terdaftar') return { arrival: kriptogramArrival(row), headers: res.headers, fileName: res.fileName };
      // the protected subject is kept, encrypted to the archive key only
      const enc = new MemorySink();
      await encryptKriptogram({
        input: Readable.from([Buffer.from(res.headers.subject, 'utf8')]),
        output: enc,
        fileName: 'perihal.txt',
        headers: { subject: 'perihal' },
        recipientKeys: [keys.loadPublicArmored(config.archiveKey)],
        signingKeys: [{ armored: armoredSecret, passphrase }],
      });
      // the parser already matches the four classifications case-insensitively; also accept "Sangat_Rahasia"
      const spelled = res.headers.classification ?? (typeof res.headers['sifat'] === 'string' ? res.headers['sifat'] : null);
      const sifat = spelled === null ? null : normaliseSifat(spelled);
      // an unknown one is not a reason to leave the letter unread: recorded without it, and said
      if (spelled !== null && sifat === null) warn('terima.w.sifatUnknown', { nomor: row.nomor, value: spelled });
      const updated = store().write((tx) =>
        recordIncomingKriptogramRead(
          tx,
          row.id,
          { sifat: sifat, perihalTerenkripsi: enc.bytes(), nomorPengirim: res.headers.registerNumber ?? nomorDariSubjekLuar(row.subjekLuar), penandaTangan: signers },
          at(),
          opts.actor,
        ),
      );
      return { arrival: kriptogramArrival(updated), headers: res.headers, fileName: res.fileName };
    } catch (e) {
      // Rejected for good only when the message itself is at fault (integrity, a bad signature, not a
      // kriptogram). Anything this office can fix (the signer's key not imported yet, a key file, the archive
      // key, an unknown classification) leaves it registered and unread, so `sandi terima baca` can read it later.
      if (e instanceof SandiError && rejectsKriptogram(e.code, e.key)) {
        if (row.status === 'terdaftar') {
          const alasan = `${e.key} ${JSON.stringify(e.params)}`;
          // a refusal over the signatures records every signer's report (status kedaluwarsa, forwarded, …)
          const refused = (e as { signers?: SignerReport[] }).signers;
          const penandaTangan = refused?.map((s): SignerView => ({ ...s, unit: s.fingerprint ? (units.get(s.fingerprint) ?? null) : null }));
          const updated = store().write((tx) => rejectIncomingKriptogram(tx, row.id, { alasan, ...(penandaTangan === undefined ? {} : { penandaTangan }) }, at(), opts.actor));
          if (strict) throw e;
          return { arrival: kriptogramArrival(updated) };
        }
        throw e;
      }
      if (strict) throw e;
      if (e instanceof SandiError) {
        warn('terima.w.notReadYet', { nomor: row.nomor, ...reasonParams(e) });
        return { arrival: kriptogramArrival(row, ['terima.w.notReadFixable']) };
      }
      return { arrival: kriptogramArrival(row, ['terima.w.notRead']) };
    }
  }

  // ---------------------------------------------------------------------------- sources

  /**
   * Fetch the configured folder. The listing (UID, size, INTERNALDATE) is collected first; then messages of
   * up to SMALL_MESSAGE bytes are fetched whole, many per UID FETCH (the next batch already on the wire
   * while this one is archived), and larger ones streamed with imapflow's download; no command is ever
   * issued inside a running FETCH. Each batch is archived (every file fsynced, then the folders), then
   * registered with the folder position in one transaction: a crash loses nothing and registers nothing twice.
   * A dropped connection (or a timeout, or a message that did not download whole) gets a new client and the
   * run goes on from the recorded position; after `reconnect.max` (5) failures in a row without progress it stops
   * with a clear error (TEMPFAIL, or UNAVAILABLE when the server cannot be reached again).
   */
  async function fetchImap(): Promise<FetchReport> {
    const account = config.mailbox;
    if (!account) throw new SandiError('INTERNAL', 'common.internal', { detail: 'fetchImap without mailbox' });
    const folder = terima.folder;
    const report: FetchReport = { sumber: 'imap', akun: account.user, folder, uidvalidity: null, uidvalidityBerubah: false, diperiksa: 0, baru: [], duplikat: [], diteruskan: [], ditahan: [], ditolak: [], dilanjutkan: [], dilewati: [], sementaraDihapus: 0 };
    const connect = async (): Promise<ImapMailbox> => {
      const password = await mailboxPasswordIn(app, config, opts.actor, account, { env: opts.env, passphrases: opts.passphrases });
      const settings: ImapSettings = {
        host: account.imap.host,
        port: account.imap.port,
        security: account.imap.tls,
        user: account.user,
        password,
        ...(account.caFile === undefined ? {} : { caFile: resolve(app.paths.root, account.caFile) }),
      };
      return ImapMailbox.connect(settings);
    };
    /** every message listed, once (a pass after a reconnect lists the rest again) */
    const seen = new Set<string>();
    /** failures in a row without a message registered in between */
    let failures = 0;
    const maxReconnects = opts.reconnect?.max ?? MAX_RECONNECTS;
    const pauseMs = opts.reconnect?.pauseMs ?? RECONNECT_PAUSE_MS;
    const endpoint = { host: account.imap.host, port: account.imap.port };
    /** the UID (or UID range of a batch, or the listing "n:*") being fetched: named when the run gives up */
    let onUid = '';
    let backwardsWarned = false;

    /** One pass: list from the recorded position and fetch it all. False: the folder was renumbered, list again. */
    const pass = async (box: ImapMailbox): Promise<boolean> => {
      const pos = getFolderPosition(store(), account.user, folder);
      onUid = `${(pos?.lastUid ?? 0) + 1}:*`;
      let listing = await box.listSince(folder, pos?.lastUid ?? 0);
      // Same UIDVALIDITY but UIDNEXT at or below the recorded position: the server's UIDs went back (restored
      // from a backup, index rebuilt). New mail would sit below the position for ever: the position starts
      // again at 0 and the folder is read from the start; the content hash and Message-ID recognise what is
      // registered already.
      let backwards = false;
      if (pos !== null && Number(listing.uidValidity) !== pos.uidvalidity) listing = await box.listSince(folder, 0);
      else if (pos !== null && listing.uidNext !== null && listing.uidNext <= pos.lastUid) {
        backwards = true;
        if (!backwardsWarned) {
          backwardsWarned = true;
          warn('terima.uidNextBackwards', { folder, uidNext: listing.uidNext, lastUid: pos.lastUid });
        }
        onUid = '1:*';
        const restart = { uidvalidity: pos.uidvalidity, lastUid: 0 };
        store().write((tx) => restartFolderPosition(tx, account.user, folder, restart, app.clock.now()));
        listing = await box.listSince(folder, 0);
      }
      const uidvalidity = Number(listing.uidValidity);
      report.uidvalidity = uidvalidity;
      const changed = pos !== null && pos.uidvalidity !== uidvalidity;
      if (changed && !report.uidvalidityBerubah) {
        report.uidvalidityBerubah = true;
        warn('terima.uidvalidityChanged', { folder, old: pos.uidvalidity, new: uidvalidity });
      }
      const after = pos && !changed && !backwards ? pos.lastUid : 0;
      const todo = listing.messages.filter((m) => m.uid > after);
      for (const m of todo) seen.add(`${uidvalidity}:${m.uid}`);
      report.diperiksa = seen.size;
      const meta = (m: { uid: number; internalDate: Date | null }): Meta => ({
        source: { sumber: 'imap', folder, uidvalidity, uid: m.uid },
        diterimaAt: m.internalDate ?? app.clock.now(),
        where: `${folder}:${uidvalidity}:${m.uid}`,
        position: { akun: account.user, folder, uidvalidity, uid: m.uid },
      });
      const batches = planBatches(todo);
      const byUid = new Map(todo.map((m) => [m.uid, m]));
      let done = 0;
      const settle = async (results: (Arrival | Duplicate)[], uids: number[], move = true): Promise<void> => {
        for (const r of results) record(report, r);
        failures = 0;
        done += results.length;
        opts.progress?.(done, todo.length);
        if (move && terima.pindahKe) await box.moveMessage(folder, uids, terima.pindahKe);
      };
      // the next batch of small messages, already requested (never while a download or a MOVE runs)
      let ahead: { uids: number[]; fetch: Promise<{ uidValidity: bigint; messages: { uid: number; raw: Buffer }[] }> } | null = null;
      const request = (uids: number[]) => {
        const fetch = box.fetchRawMany(folder, uids);
        fetch.catch(() => undefined); // awaited below; a failure is handled there
        return { uids, fetch };
      };
      /**
       * One message streamed into the archive (never held whole), then parsed from there while the next is
       * fetched. Null: the server has no such UID (any more).
       */
      const streamOne = async (m: { uid: number; internalDate: Date | null }): Promise<{ prepared: Promise<Prepared[]> } | null | 'renumbered'> => {
        onUid = String(m.uid);
        let raw;
        try {
          raw = await box.fetchRaw(folder, m.uid, { chunkSize: STREAM_CHUNK });
        } catch (e) {
          if (e instanceof SandiError && e.key === 'mail.messageNotFound') return null;
          throw e;
        }
        if (Number(raw.uidValidity) !== uidvalidity) {
          raw.content.destroy();
          return 'renumbered';
        }
        const archived = await archive.put(raw.content, { deferDirSync: true });
        const prepared = analyse({ path: archived.path, size: archived.size }, parser).then((a) => [{ meta: meta(m), archived, ...a }]);
        prepared.catch(() => undefined); // awaited in commitStaged
        return { prepared }; // not the promise itself: an async function would wait for it
      };
      // the batch being archived and parsed while the next one is fetched; registered before the next starts
      let staged: { prepared: Promise<Prepared[]> } | null = null;
      const commitStaged = async (move = true): Promise<void> => {
        if (staged === null) return;
        const st = staged;
        staged = null;
        const prepared = await st.prepared;
        await settle(await commit(prepared), prepared.map(uidOf), move);
      };
      try {
        opts.progress?.(0, todo.length);
        for (const [i, batch] of batches.entries()) {
          if (batch.kind === 'small') {
            onUid = batch.uids.length === 1 ? String(batch.uids[0]) : `${batch.uids[0]}-${batch.uids[batch.uids.length - 1]}`;
            const got = await (ahead?.uids === batch.uids ? ahead.fetch : request(batch.uids).fetch);
            ahead = null;
            const next = batches[i + 1];
            if (next?.kind === 'small' && !terima.pindahKe) ahead = request(next.uids);
            // Renumbered under our feet (here and below): register what is staged, but commitStaged(false), never
            // move it: its UIDs are of the old numbering and would name other messages (or none) in the new one.
            if (Number(got.uidValidity) !== uidvalidity) {
              await commitStaged(false);
              return false; // list again
            }
            // A UID the batch FETCH did not answer is asked for on its own (a download): gone for good
            // (expunged meanwhile) it is skipped; there, it is taken in its place. Never skipped silently.
            const answered = new Set(got.messages.map((m) => m.uid));
            const alone: Promise<Prepared[]>[] = [];
            for (const uid of batch.uids) {
              if (answered.has(uid)) continue;
              const one = await streamOne(byUid.get(uid) ?? { uid, internalDate: null });
              if (one === 'renumbered') {
                await commitStaged(false); // renumbered: no MOVE with old UIDs
                return false;
              }
              if (one !== null) alone.push(one.prepared);
            }
            const many = prepareMany(
              got.messages.map((m) => ({ raw: m.raw, meta: meta(byUid.get(m.uid) ?? { uid: m.uid, internalDate: null }) })),
              parser,
            );
            const prepared = alone.length === 0 ? many : Promise.all([many, ...alone]).then((xs) => xs.flat().sort((a, b) => uidOf(a) - uidOf(b)));
            prepared.catch(() => undefined); // awaited in commitStaged
            await commitStaged();
            staged = { prepared };
          } else {
            const one = await streamOne(batch.message);
            if (one === 'renumbered') {
              await commitStaged(false); // renumbered: no MOVE with old UIDs
              return false;
            }
            await commitStaged();
            if (one !== null) staged = { prepared: one.prepared };
          }
        }
        await commitStaged();
      } catch (e) {
        // what is archived and parsed already does not depend on the lost connection: register it (it
        // cannot be moved on the server now; the next run's position starts after it)
        if (staged !== null && isDropped(e)) await commitStaged(false);
        throw e;
      } finally {
        await ahead?.fetch.catch(() => undefined);
        await staged?.prepared.catch(() => undefined);
      }
      return true;
    };

    // parse beside the fetch, on a thread of its own when there is a second core (a second parse thread
    // measured 9% faster on 2 cores for 90 MB more peak memory: not worth it)
    const parser = messageParser({ threads: availableParallelism() > 1 ? 1 : 0 });
    let box: ImapMailbox | null = null;
    try {
      box = await connect();
      if (terima.pindahKe !== null) await checkMoveTarget(box, terima.pindahKe);
      for (;;) {
        try {
          if (await pass(box)) break;
          if (++failures > maxReconnects) throw new SandiError('TEMPFAIL', 'terima.folderUnstable', { folder, attempts: failures - 1 });
        } catch (e) {
          if (!isDropped(e)) throw e;
          box = await reconnect(box, e as SandiError);
        }
      }
    } finally {
      await box?.close();
      await parser.close();
    }
    return report;

    /**
     * terima.pindahKe must name an existing folder other than the one read (LIST, before anything is
     * fetched): a MOVE refused after the batch is registered would fail every later run the same way.
     */
    async function checkMoveTarget(b: ImapMailbox, target: string): Promise<void> {
      if (samePath(target, folder)) throw new SandiError('CONFIG', 'terima.pindahKeSame', { folder }, { hint: 'terima.pindahKeSame.hint' });
      const found = await b.findMailbox(target);
      if (found === null) throw new SandiError('CONFIG', 'terima.pindahKeMissing', { folder: target, user: account?.user ?? '' }, { hint: 'terima.pindahKeMissing.hint' });
      if (samePath(found.path, folder)) throw new SandiError('CONFIG', 'terima.pindahKeSame', { folder }, { hint: 'terima.pindahKeSame.hint' });
    }

    /** A new client after `cause` dropped the old one: up to `maxReconnects` attempts in a row, with a doubling pause. */
    async function reconnect(old: ImapMailbox, cause: SandiError): Promise<ImapMailbox> {
      await old.close();
      let last = cause;
      for (;;) {
        if (++failures > maxReconnects) {
          throw new SandiError(
            last.code === 'UNAVAILABLE' ? 'UNAVAILABLE' : 'TEMPFAIL',
            'terima.connectionGaveUp',
            { ...endpoint, attempts: maxReconnects, registered: report.baru.length, folder, uid: onUid, reason: reasonOf(last) },
            { hint: 'terima.connectionGaveUp.hint', cause: last },
          );
        }
        warn('terima.reconnecting', { reason: reasonOf(last), attempt: failures, max: maxReconnects });
        await new Promise((r) => setTimeout(r, pauseMs * 2 ** (failures - 1)));
        try {
          return await connect();
        } catch (e) {
          // the server gone for a moment is worth another try; a refused password or a bad certificate is not
          if (!(e instanceof SandiError) || !(isDropped(e) || e.key === 'mail.unreachable')) throw e;
          last = e;
        }
      }
    }
  }

  async function fetchFolder(dir: string): Promise<FetchReport> {
    const abs = resolve(dir);
    if (!existsSync(abs) || !statSync(abs).isDirectory()) throw new SandiError('NOT_FOUND', 'terima.folderMissing', { path: abs });
    const isMaildir = ['new', 'cur'].some((s) => existsSync(join(abs, s)));
    const entries: { path: string; name: string }[] = isMaildir
      ? listMaildir(abs).map((m) => ({ path: m.path, name: m.id }))
      : readdirSync(abs)
          .filter((n) => /\.eml$/i.test(n))
          .sort()
          .map((n) => ({ path: join(abs, n), name: n }));
    const sumber = isMaildir ? 'maildir' : 'eml';
    const report: FetchReport = { sumber, akun: LOCAL_ACCOUNT, folder: abs, uidvalidity: null, uidvalidityBerubah: false, diperiksa: entries.length, baru: [], duplikat: [], diteruskan: [], ditahan: [], ditolak: [], dilanjutkan: [], dilewati: [], sementaraDihapus: 0 };
    // An entry that is no file (a sub-folder named b.eml, a dangling link, a socket or device) is no message:
    // skipped, named by its own path, and the run goes on (it would otherwise stop every run there). A FIFO
    // is read as a file (a message piped in).
    const skip = (path: string, alasan: string): void => {
      warn('terima.w.entrySkipped', { path, reason: alasan });
      report.dilewati.push({ path, alasan });
    };
    const files: { path: string; name: string; mtime: Date }[] = [];
    for (const e of entries) {
      try {
        const st = statSync(e.path);
        if (st.isFile() || st.isFIFO()) files.push({ ...e, mtime: st.mtime });
        else skip(e.path, st.isDirectory() ? 'EISDIR' : 'ENOTFILE');
      } catch (err) {
        skip(e.path, (err as NodeJS.ErrnoException).code ?? (err as Error).message);
      }
    }
    for (const [i, f] of files.entries()) {
      opts.progress?.(i, files.length);
      // opened here, so that a file that cannot be read is named by its own path (not the archive's temp file)
      let source: Readable;
      try {
        const fh = await open(f.path, 'r');
        source = fh.createReadStream();
      } catch (err) {
        skip(f.path, (err as NodeJS.ErrnoException).code ?? (err as Error).message);
        continue;
      }
      const r = await ingest(source, {
        source: { sumber, folder: abs },
        diterimaAt: isMaildir ? f.mtime : app.clock.now(),
        where: f.name,
      });
      record(report, r);
    }
    opts.progress?.(files.length, files.length);
    return report;
  }

  function record(report: FetchReport, r: Arrival | Duplicate): void {
    if ('buku' in r) report.baru.push(r);
    else report.duplikat.push(r);
  }

  /** fetch() under its lock */
  async function fetchLocked(o: { dariFolder?: string }): Promise<FetchReport> {
    const before = lastIncomingLetterId(store());
    // Under the lock no other run writes into the archive: a temporary file whose writer is gone is the
    // leftover of a killed run (raw mail, never registered under it): removed.
    const removed = archive.removeStaleTemp();
    if (removed.length > 0) warn('terima.tempRemoved', { count: removed.length, dir: join(archive.dir, 'tmp') });
    // A run killed after a batch was registered leaves its kriptogram unread: read them first.
    const dilanjutkan = await resumeUnread();
    let report: FetchReport;
    try {
      if (o.dariFolder !== undefined) report = await fetchFolder(o.dariFolder);
      else if (config.mailbox) report = await fetchImap();
      else {
        const inbox = join(app.paths.maildir, 'INBOX');
        mkdirSync(join(inbox, 'new'), { recursive: true, mode: 0o700 });
        report = await fetchFolder(inbox);
      }
    } catch (e) {
      // What this run registered before it failed is forwarded all the same: a later run will not see
      // those letters again. Best effort (the run's own error is what the operator must see); a failure
      // here is warned, and `sandi terima teruskan NOMOR` does it by hand.
      if (terima.teruskanOtomatis) {
        try {
          await autoForward(incomingLetterIdsAfter(store(), before));
        } catch (fe) {
          warn('terima.forwardAfterError', { reason: fe instanceof SandiError ? fe.key : (fe as Error).message });
        }
      }
      throw e;
    }
    report.dilanjutkan = dilanjutkan;
    report.sementaraDihapus = removed.length;
    if (terima.teruskanOtomatis) await autoForward(report.baru.filter((a) => a.buku === 'surat_masuk').map((a) => a.id), report);
    return report;
  }

  /**
   * Read the incoming kriptogram still `terdaftar` (registered by a run that was killed, or stopped, before
   * it read them; or unread for a reason this office has fixed since). Without the archive key's passphrase
   * they stay unread, as at arrival: tried once, not per row.
   */
  async function resumeUnread(): Promise<Arrival[]> {
    if (!opts.passphrases) return [];
    const out: Arrival[] = [];
    for (const k of listIncomingKriptogram(store(), { status: 'terdaftar' })) {
      let arrival: Arrival;
      try {
        ({ arrival } = await readKriptogramRow(k.id, false));
      } catch (e) {
        // one row that cannot be read now (its archived copy missing, say) must not stop every later fetch
        if (!(e instanceof SandiError)) throw e;
        warn('terima.w.notReadYet', { nomor: k.nomor, ...reasonParams(e) });
        continue;
      }
      if (arrival.peringatan.includes('terima.w.notRead')) break; // no passphrase at hand: the rest neither
      out.push(arrival);
    }
    return out;
  }

  /**
   * Forward the letters `ids` to their cc addresses in the address book or teruskanDomain; the rest is held
   * (warned, and listed in `report` when there is one).
   */
  async function autoForward(ids: readonly number[], report?: FetchReport): Promise<void> {
    const allowed = { addressBook: kunciService(app, opts.actor).listAddresses().map((x) => x.email), domains: terima.teruskanDomain };
    for (const id of ids) {
      const row = findIncomingByRef(store(), String(id));
      if (!row || row.tembusan.length === 0) continue;
      // forwarded already (by another run that registered it meanwhile): never twice
      if (listIncomingSteps(store(), row.id).some((st) => st.langkah === 'teruskan')) continue;
      // The cc addresses are the sender's choice: forward automatically only to known partners.
      const cc = candidates(row.tembusan, row.nomor);
      const ke = cc.filter((x) => forwardAllowed(x, allowed));
      const held = cc.filter((x) => !ke.includes(x));
      if (held.length > 0) {
        warn('terima.forwardHeld', { nomor: row.nomor, ke: held.join(', ') });
        report?.ditahan.push({ nomor: row.nomor, ke: held });
      }
      if (ke.length > 0) {
        let f: Forwarded;
        try {
          f = await forward(row, ke);
        } catch (e) {
          // every address refused: nothing recorded; said, and the other letters are still forwarded
          if (!(e instanceof SandiError) || (e.key !== 'mail.smtpRejected' && e.key !== 'mail.smtpDeferred')) throw e;
          const balasan = String(e.params['response'] ?? '');
          const kode = /^([2-5]\d\d)\b/.exec(balasan)?.[1];
          warn('terima.forwardRefusedAuto', { nomor: row.nomor, ke: ke.join(', '), balasan });
          report?.ditolak.push({ nomor: row.nomor, ke: ke.map((a) => ({ alamat: a, balasan, kode: kode === undefined ? null : Number(kode) })) });
          continue;
        }
        if (f.ke.length > 0) report?.diteruskan.push({ nomor: row.nomor, ke: f.ke });
        if (f.ditolak.length > 0) {
          warn('terima.forwardRefusedAuto', { nomor: row.nomor, ke: f.ditolak.map((d) => d.alamat).join(', '), balasan: f.ditolak.map((d) => d.balasan).join('; ') });
          report?.ditolak.push({ nomor: row.nomor, ke: f.ditolak });
        }
      }
    }
  }

  return {
    settings,
    archive,

    /**
     * Fetch what is new and register it. `dariFolder` imports a Maildir or a folder of .eml files; without it
     * the configured mailbox is read, or, with none configured, the local Maildir <home>/maildir/INBOX.
     */
    async fetch(o: { dariFolder?: string } = {}): Promise<FetchReport> {
      // one fetch at a time per office (a timer's run and an operator's): two would race for the same
      // messages and the slower one would fail moving the folder position backwards
      const lock = await takePidLock(join(app.paths.root, '.terima.lock'), 'terima.busy');
      try {
        return await fetchLocked(o);
      } finally {
        lock.release();
      }
    },

    /** Decrypt and verify an incoming kriptogram; its plaintext goes to `output` only when given. */
    async baca(ref: string, output?: Writable) {
      const row = findIncomingKriptogramByRef(store(), ref);
      if (!row) throw new SandiError('NOT_FOUND', 'terima.notFound', { ref });
      return readKriptogramRow(row.id, true, output);
    },

    /**
     * Like baca, with the protected Subject and every part of the letter (its text and each attachment), in
     * memory; with `keluaran`, each part is also written there as a new file (`berkas`), never over one.
     */
    async bacaBagian(ref: string, keluaran?: string) {
      const row = findIncomingKriptogramByRef(store(), ref);
      if (!row) throw new SandiError('NOT_FOUND', 'terima.notFound', { ref });
      const sink = new MemorySink();
      const r = await readKriptogramRow(row.id, true, sink, true);
      const { pisahkanBagian, tulisBagian } = await import('../adapters/bagian-kriptogram.js');
      const p = await pisahkanBagian(sink.bytes(), r.fileName ?? 'dokumen');
      const berkas = keluaran === undefined ? [] : tulisBagian(keluaran, p.bagian);
      return { ...r, subject: r.headers?.subject ?? p.subject, bagian: p.bagian.map((b, i) => ({ ...b, berkas: berkas[i] ?? null })) };
    },

    /**
     * Forward the archived message, unchanged, to the cc addresses (or `ke`); recorded as a step. An operator
     * may forward anywhere, with a warning for addresses outside the address book and teruskanDomain; a cc
     * address that is not a plain address is skipped (and an explicit `ke` one refused).
     */
    async teruskan(ref: string, o: { ke?: string[] }) {
      const row = requireLetter(ref);
      const explicit = o.ke !== undefined && o.ke.length > 0;
      if (explicit) {
        const bad = (o.ke ?? []).map(bareAddress).find((a) => forwardAddressProblem(a) !== null);
        if (bad !== undefined) throw new SandiError('DATA', 'terima.badAddress', { address: JSON.stringify(bad) });
      }
      let ke = candidates(explicit ? (o.ke ?? []) : row.tembusan, row.nomor);
      if (ke.length === 0) throw new SandiError('USAGE', 'terima.noCc', { nomor: row.nomor }, { hint: 'terima.noCc.hint' });
      if (!explicit) {
        // the cc addresses the server accepted before are done: a rerun (after a refusal) sends only the rest
        const done = forwardedTo(listIncomingSteps(store(), row.id)).map((a) => a.toLowerCase());
        ke = ke.filter((a) => !done.includes(a.toLowerCase()));
        if (ke.length === 0) throw new SandiError('CONFLICT', 'terima.forwardedAll', { nomor: row.nomor }, { hint: 'terima.forwardedAll.hint' });
      }
      const allowed = { addressBook: kunciService(app, opts.actor).listAddresses().map((x) => x.email), domains: terima.teruskanDomain };
      const outside = ke.filter((x) => !forwardAllowed(x, allowed));
      if (outside.length > 0) warn('terima.forwardOutside', { nomor: row.nomor, ke: outside.join(', ') });
      return forward(row, ke);
    },

    /**
     * Print: build the pack (a cover sheet + the message + its PDF attachments for each recipient copy),
     * save it as a PDF under <home>/cetak (or `keluaran`), send it to the printer when one is configured
     * (one CUPS job; its id is returned and recorded), and record the step; the first print moves the letter
     * to "dicetak". When the printer fails, nothing is recorded and the error names the kept PDF file.
     */
    async cetak(ref: string, o: { penerima?: string[]; keluaran?: string; printer?: string | null; label: (k: string, p?: Record<string, string | number>) => string; lang?: Bahasa }) {
      const sop = requireSop(ref);
      if (sop.buku === 'kriptogram_masuk') return cetakKriptogram(sop, o);
      const row = requireLetter(ref);
      const penerima = o.penerima && o.penerima.length > 0 ? o.penerima : row.kepada.length > 0 ? row.kepada : [config.office.name];
      const parsed: ParsedIncoming = await parseIncoming(readFileSync(archive.pathOf(row.rawSha256)), { keepPdf: true });
      const { buildPrintPack, printWithLp, lpJobIds } = await import('../adapters/print.js');
      const pack = await buildPrintPack({
        kartu: {
          kop: kopSuratKantor(config, o.lang ?? 'id'),
          nomorAgenda: row.nomor,
          // paper: the office's long date and time ("6 Desember 2026 pukul 22.34 WIB"), not the register's UTC ISO
          diterimaAt: tanggalWaktuPanjang(row.diterimaAt, config.office.timeZone, o.lang ?? 'id'),
          pengirim: row.pengirim,
          nomorSurat: row.nomorSurat,
          tanggalSurat: row.tanggalSurat === null ? null : tanggalKalenderPanjang(row.tanggalSurat, o.lang ?? 'id'),
          perihal: row.perihal,
          isiRingkas: row.isiRingkas,
          kepada: row.kepada,
          tembusan: row.tembusan,
          // as it applies now: a correction by `terima klasifikasi` wins over the registered value
          ...(() => {
            const k = incomingClassification(store(), row.id);
            return { sifat: k.sifat, derajat: k.derajat };
          })(),
          lampiran: row.lampiran.map((l) => l.name),
          paraf: terima.paraf,
        },
        copies: penerima.map((p) => ({ penerima: p, jalur: ruteAntar(p) })),
        isi: parsed.text ?? '',
        pdfLampiran: parsed.attachments.filter((a) => a.content).map((a) => ({ name: a.name, content: a.content as Buffer })),
        label: o.label,
        fonts: pdfFontFiles(config.pdf, app.paths.root),
      });
      const out = o.keluaran ? resolve(o.keluaran) : join(app.paths.root, 'cetak', `${row.nomor.replace(/[^\w.-]+/g, '_')}.pdf`);
      mkdirSync(resolve(out, '..'), { recursive: true, mode: 0o700 });
      writeFileAtomic(out, Buffer.from(pack.pdf), 0o600);
      const printer = o.printer === undefined ? terima.printer : o.printer;
      const lp = printer ? await printWithLp(out, printer, row.nomor, opts.env) : null;
      const jobs = lp === null ? [] : lpJobIds(lp);
      const now = app.clock.now();
      store().write((tx) => {
        addIncomingStep(tx, row.id, 'cetak', { penerima, file: basename(out), pages: pack.pages, printer: printer ?? null, lp, jobs }, now, opts.actor);
        if (row.status === 'terdaftar') setIncomingStatus(tx, row.id, 'dicetak', now, opts.actor);
      });
      return {
        nomor: row.nomor,
        file: out,
        salinan: penerima.length,
        penerima,
        pages: pack.pages,
        pagesPerCopy: pack.pagesPerCopy,
        halamanSalinan: pack.copyPages,
        printer: printer ?? null,
        lp,
        jobs,
        lampiranDilewati: pack.skipped,
        fontPengganti: pack.fontFallback,
      };
    },

    /**
     * Set or correct an incoming letter's classification and/or urgency: an event (an anotasi koreksi of
     * column sifat / derajat, with the reason), never an edit of the register row. From then on its summary is
     * kept out of search and exports when Rahasia or above, and the print pack is marked on every page.
     */
    klasifikasi(ref: string, o: { sifat?: string; derajat?: string; alasan: string }) {
      const row = requireLetter(ref);
      const sifat = o.sifat === undefined ? undefined : normaliseSifat(o.sifat);
      if (sifat === null) throw new SandiError('DATA', 'terima.klasifikasi.badSifat', { value: o.sifat ?? '' });
      const derajat = o.derajat === undefined ? undefined : normaliseDerajat(o.derajat);
      if (derajat === null) throw new SandiError('DATA', 'terima.klasifikasi.badDerajat', { value: o.derajat ?? '' });
      if (sifat === undefined && derajat === undefined) throw new SandiError('USAGE', 'terima.klasifikasi.nothing', {});
      if (o.alasan.trim().length === 0) throw new SandiError('DATA', 'terima.klasifikasi.noReason', {});
      const before = incomingClassification(store(), row.id);
      const now = app.clock.now();
      store().write((tx) => classifyIncoming(tx, row.id, { ...(sifat ? { sifat } : {}), ...(derajat ? { derajat } : {}), alasan: o.alasan.trim(), actor: opts.actor }, now));
      const after = incomingClassification(store(), row.id);
      return { nomor: row.nomor, sebelum: { sifat: before.sifat, derajat: before.derajat }, sifat: after.sifat, derajat: after.derajat, alasan: o.alasan.trim() };
    },

    /** One tier of initials, by name, in the configured order; the last tier moves the letter to "diparaf". */
    paraf(ref: string, o: { sebagai: string; nama: string }) {
      const row = requireSop(ref);
      if (row.status === 'terdaftar' || row.status === 'terbaca') throw new SandiError('CONFLICT', 'terima.parafBeforePrint', { nomor: row.nomor });
      const done = row.steps
        .filter((s) => s.langkah === 'paraf')
        .map((s) => String((s.data as { sebagai?: string }).sebagai ?? ''));
      const problem = checkParaf(terima.paraf, done, o.sebagai);
      if (problem) throw new SandiError('CONFLICT', `terima.paraf.${problem.problem}`, { nomor: row.nomor, tier: o.sebagai, expected: problem.expected ?? '' });
      const tier = terima.paraf.find((t) => t.toLowerCase() === o.sebagai.toLowerCase()) ?? o.sebagai;
      const last = done.length + 1 === terima.paraf.length;
      const now = app.clock.now();
      store().write((tx) => {
        row.addStep(tx, 'paraf', { sebagai: tier, nama: o.nama }, now);
        if (last && row.status === 'dicetak') row.advance(tx, 'diparaf', now);
      });
      return { nomor: row.nomor, sebagai: tier, nama: o.nama, lengkap: last, berikutnya: last ? null : (terima.paraf[done.length + 1] ?? null) };
    },

    /** Assign the courier (caraka) with the route per addressee; the first moves the letter to "diantar". */
    antar(ref: string, o: { caraka: string; tujuan?: string[]; jalur?: Jalur | null }) {
      const row = requireSop(ref);
      if (row.status === 'terdaftar' || row.status === 'terbaca' || row.status === 'dicetak') throw new SandiError('CONFLICT', 'terima.antarBeforeParaf', { nomor: row.nomor });
      const tujuan = o.tujuan && o.tujuan.length > 0 ? o.tujuan : copiesOf(row);
      const rute = tujuan.map((t) => ({ tujuan: t, jalur: ruteAntar(t, o.jalur ?? null) }));
      const now = app.clock.now();
      store().write((tx) => {
        row.addStep(tx, 'antar', { caraka: o.caraka, rute }, now);
        if (row.status === 'diparaf') row.advance(tx, 'diantar', now);
      });
      return { nomor: row.nomor, caraka: o.caraka, rute };
    },

    /**
     * The receipt for one addressee (who received it, when), or for electronic delivery the report. When every
     * addressee of the courier assignment has one, the letter is filed (arsip) and done (selesai).
     */
    tandaterima(ref: string, o: { tujuan: string; diterimaOleh?: string; waktu?: Date; laporan?: string }) {
      const row = requireSop(ref);
      if (row.status !== 'diantar') throw new SandiError('CONFLICT', 'terima.receiptBeforeAntar', { nomor: row.nomor, status: row.status });
      const steps = row.steps;
      const rute = steps.filter((s) => s.langkah === 'antar').flatMap((s) => (s.data as { rute?: { tujuan: string; jalur: Jalur }[] }).rute ?? []);
      const r = rute.find((x) => x.tujuan.toLowerCase() === o.tujuan.toLowerCase());
      if (!r) throw new SandiError('DATA', 'terima.receiptUnknownTujuan', { nomor: row.nomor, tujuan: o.tujuan, known: rute.map((x) => x.tujuan).join(', ') });
      if (!jalurElektronik(r.jalur) && !o.diterimaOleh) throw new SandiError('USAGE', 'common.missingFlags', { flags: '--diterima-oleh' }, { hint: 'common.missingFlags.hint' });
      if (jalurElektronik(r.jalur) && !o.diterimaOleh && !o.laporan) throw new SandiError('USAGE', 'common.missingFlags', { flags: '--laporan | --diterima-oleh' }, { hint: 'common.missingFlags.hint' });
      const now = app.clock.now();
      const waktu = o.waktu ?? now;
      if (waktu.getTime() > now.getTime() + 60_000) throw new SandiError('DATA', 'terima.receiptInFuture', { waktu: waktu.toISOString() });
      const have = new Set(steps.filter((s) => s.langkah === 'tandaterima').map((s) => String((s.data as { tujuan?: string }).tujuan ?? '').toLowerCase()));
      if (have.has(r.tujuan.toLowerCase())) throw new SandiError('CONFLICT', 'terima.receiptTwice', { nomor: row.nomor, tujuan: r.tujuan });
      have.add(r.tujuan.toLowerCase());
      const all = rute.every((x) => have.has(x.tujuan.toLowerCase()));
      store().write((tx) => {
        row.addStep(tx, 'tandaterima', { tujuan: r.tujuan, jalur: r.jalur, diterimaOleh: o.diterimaOleh ?? null, waktu: waktu.toISOString(), laporan: o.laporan ?? null }, now);
        if (all) {
          row.addStep(tx, 'arsip', { tandaTerima: rute.length }, now);
          row.advance(tx, 'selesai', now);
        }
      });
      return { nomor: row.nomor, tujuan: r.tujuan, jalur: r.jalur, selesai: all, sisa: rute.filter((x) => !have.has(x.tujuan.toLowerCase())).map((x) => x.tujuan) };
    },

    /** Where each letter is, what waits for whom, and the SLA in working time (all, or only open ones). */
    status(o: { semua?: boolean; ref?: string } = {}): { now: string; surat: LetterStatus[]; kriptogram: Arrival[] } {
      const now = app.clock.now();
      // incoming letters, and the incoming kriptogram that were read (they follow the same steps), in arrival order
      const rows = o.ref
        ? [requireSop(o.ref)]
        : [
            ...[...listIncoming(store())].map((r) => sopOfLetter(r)),
            ...listIncomingKriptogram(store())
              .filter((k) => k.status === 'terbaca' || k.status === 'selesai')
              .map((k) => sopOfKriptogram(k)),
          ].filter((r) => o.semua || r.status !== 'selesai');
      const surat = rows.map((row) => {
        const steps = row.steps;
        const sla = measureLetter(
          calendar,
          {
            diterimaAt: row.diterimaAt,
            registeredAt: row.registeredAt,
            status: row.status === 'terbaca' ? 'terdaftar' : (row.status as SuratMasukStatus),
            adaTembusan: row.tembusan.length > 0,
            langkah: steps,
            parafTiers: terima.paraf.length,
          },
          terima.standar,
          terima.layananHariKerja,
          now,
        );
        const parafDone = steps.filter((s) => s.langkah === 'paraf').length;
        const menungguSiapa = sla.menunggu === 'paraf' ? (terima.paraf[parafDone] ?? null) : null;
        return { buku: row.buku, id: row.id, nomor: row.nomor, pengirim: row.pengirim, perihal: row.perihal, status: row.status, diterimaAt: row.diterimaAt, peringatan: row.peringatan, menungguSiapa, sla, langkah: steps.map((s) => ({ langkah: s.langkah, at: s.at, actor: s.actor, data: s.data })) };
      });
      const kriptogram = listIncomingKriptogram(store())
        .filter((k) => o.semua || k.status === 'terdaftar')
        .map((k) => kriptogramArrival(k));
      return { now: now.toISOString(), surat, kriptogram: o.ref ? [] : kriptogram };
    },

    /** Re-hash every archived message; and check every registered row has its archived bytes. */
    async periksaArsip(): Promise<{
      diperiksa: number;
      rusak: { sha256: string; path: string; found?: string }[];
      hilang: { nomor: string; sha256: string }[];
      /** temporary files (raw mail) in the archive's tmp folder; `hidup` false: left by a killed run */
      sementara: { path: string; pid: number | null; hidup: boolean; size: number }[];
    }> {
      const rusak: { sha256: string; path: string; found?: string }[] = [];
      let diperiksa = 0;
      for await (const c of archive.verifyAll()) {
        diperiksa++;
        if (!c.ok) rusak.push({ sha256: c.sha256, path: c.path, ...(c.found ? { found: c.found } : {}) });
      }
      const hilang: { nomor: string; sha256: string }[] = [];
      for (const r of listIncoming(store())) if (!archive.has(r.rawSha256)) hilang.push({ nomor: r.nomor, sha256: r.rawSha256 });
      for (const r of listIncomingKriptogram(store())) if (!archive.has(r.rawSha256)) hilang.push({ nomor: r.nomor, sha256: r.rawSha256 });
      const sementara = archive.tempFiles().map((f) => ({ path: f.path, pid: f.pid, hidup: f.alive, size: f.size }));
      return { diperiksa, rusak, hilang, sementara };
    },
  };

  /**
   * Send the archived bytes of `row` to `ke` (already checked), by SMTP or into the local Maildirs; one step
   * that records only the addresses the server accepted (`ke`) and, apart, those it refused with its reply
   * (`ditolak`). Every address refused: a SandiError (mail.smtpRejected / mail.smtpDeferred), nothing recorded.
   */
  async function forward(row: SuratMasuk, ke: string[]): Promise<Forwarded> {
    const raw = readFileSync(archive.pathOf(row.rawSha256));
    let via: string;
    let reply: string;
    let accepted = ke;
    let ditolak: Refused[] = [];
    if (config.mailbox) {
      const { sendRaw } = await import('../adapters/mail/smtp.js');
      const account = config.mailbox;
      const password = await mailboxPasswordIn(app, config, opts.actor, account, { env: opts.env, passphrases: opts.passphrases });
      const res = await sendRaw(
        {
          host: account.smtp.host,
          port: account.smtp.port,
          security: account.smtp.tls,
          user: account.user,
          password,
          ...(account.caFile === undefined ? {} : { caFile: resolve(app.paths.root, account.caFile) }),
        },
        { from: account.user, to: ke, raw, messageId: row.messageId ?? `<${row.rawSha256}@sandi.invalid>` },
      );
      via = 'smtp';
      reply = res.response;
      const refusedSet = new Set(res.rejected.map((a) => a.toLowerCase()));
      accepted = ke.filter((a) => !refusedSet.has(a.toLowerCase()));
      ditolak = ke
        .filter((a) => refusedSet.has(a.toLowerCase()))
        .map((a) => {
          const r = res.rejectedReplies.find((x) => x.address.toLowerCase() === a.toLowerCase());
          return { alamat: a, balasan: r?.response ?? res.response, kode: r?.code ?? null };
        });
    } else {
      for (const a of ke) deliverToMaildir(maildirIn(app.paths.maildir, a), raw, app.clock.now(), { base: app.paths.maildir });
      via = 'maildir';
      reply = `maildir: ${ke.length}`;
    }
    const data = { ke: accepted, via, reply, ...(ditolak.length > 0 ? { ditolak } : {}) };
    const step = store().write((tx) => addIncomingStep(tx, row.id, 'teruskan', data, app.clock.now(), opts.actor));
    return { nomor: row.nomor, ke: accepted, via, at: step.at, ditolak };
  }

  /** Bare, distinct addresses from `list`; those that are not plain addresses are dropped with a warning. */
  function candidates(list: readonly string[], nomor?: string): string[] {
    const out: string[] = [];
    for (const a of list.map(bareAddress).filter((x) => x.includes('@'))) {
      if (forwardAddressProblem(a) !== null) {
        if (nomor !== undefined) warn('terima.w.ccUnsafe', { nomor, address: JSON.stringify(a) });
        continue;
      }
      if (!out.some((x) => x.toLowerCase() === a.toLowerCase())) out.push(a);
    }
    return out;
  }

  function requireLetter(ref: string): SuratMasuk {
    const row = findIncomingByRef(store(), ref);
    if (!row) throw new SandiError('NOT_FOUND', 'terima.notFound', { ref });
    return row;
  }

  /** The recipient copies printed last (the addressees the courier takes it to). */
  function copiesOf(row: SopRow): string[] {
    const prints = row.steps.filter((s) => s.langkah === 'cetak');
    const last = prints.at(-1)?.data as { penerima?: string[] } | undefined;
    return last?.penerima ?? row.kepada;
  }

  /**
   * An incoming letter, or else an incoming kriptogram, by agenda number (or a surat_masuk row id), for the
   * SOP steps. A kriptogram not read yet (terdaftar) or refused (ditolak) has no SOP steps: exit 81, naming its state.
   */
  function requireSop(ref: string): SopRow {
    const letter = findIncomingByRef(store(), ref);
    if (letter) return sopOfLetter(letter);
    const k = findIncomingKriptogramByRef(store(), ref);
    if (!k) throw new SandiError('NOT_FOUND', 'terima.notFound', { ref });
    if (k.status !== 'terbaca' && k.status !== 'selesai') throw new SandiError('CONFLICT', 'terima.kriptogramBelumTerbaca', { nomor: k.nomor, status: k.status }, { hint: `terima.kriptogramBelumTerbaca.hint.${k.status}` });
    return sopOfKriptogram(k);
  }

  function sopOfLetter(row: SuratMasuk): SopRow {
    return {
      buku: 'surat_masuk',
      id: row.id,
      nomor: row.nomor,
      pengirim: row.pengirim,
      perihal: row.perihal,
      status: row.status,
      diterimaAt: row.diterimaAt,
      registeredAt: row.registeredAt,
      kepada: row.kepada,
      tembusan: row.tembusan,
      peringatan: row.peringatan,
      steps: listIncomingSteps(store(), row.id),
      addStep: (tx, langkah, data, at) => void addIncomingStep(tx, row.id, langkah, data, at, opts.actor),
      advance: (tx, to, at) => void setIncomingStatus(tx, row.id, to, at, opts.actor),
    };
  }

  /** A read kriptogram: its SOP stage is read from its step events; only `selesai` is a register status. */
  function sopOfKriptogram(k: KriptogramMasuk): SopRow {
    const steps = listIncomingKriptogramSteps(store(), k.id);
    return {
      buku: 'kriptogram_masuk',
      id: k.id,
      nomor: k.nomor,
      pengirim: k.pengirim,
      // the clear subject only (the protected one is printed, never listed)
      perihal: k.subjekLuar,
      status: kriptogramStage(k.status, steps, terima.paraf.length),
      diterimaAt: k.diterimaAt,
      registeredAt: k.registeredAt,
      kepada: k.kepada,
      tembusan: [],
      peringatan: k.peringatan,
      steps,
      addStep: (tx, langkah, data, at) => {
        if (langkah === 'teruskan') throw new SandiError('INTERNAL', 'common.internal', { detail: 'teruskan of a kriptogram' });
        addIncomingKriptogramStep(tx, k.id, langkah, data, at, opts.actor);
      },
      advance: (tx, to, at) => {
        if (to === 'selesai') closeIncomingKriptogram(tx, k.id, at, opts.actor);
      },
    };
  }

  /**
   * Print a read kriptogram: decrypted again with the archive key now (the plaintext is held in memory only,
   * never stored), the letter's text and PDF attachments in the pack, marked with its classification on every
   * page. The PDF is kept only where `keluaran` says; sent to a printer without it, the file is removed once
   * the print job is queued.
   */
  async function cetakKriptogram(sop: SopRow, o: { penerima?: string[]; keluaran?: string; printer?: string | null; label: (k: string, p?: Record<string, string | number>) => string; lang?: Bahasa }) {
    const k = findIncomingKriptogramByRef(store(), String(sop.id));
    if (!k) throw new SandiError('NOT_FOUND', 'terima.notFound', { ref: sop.nomor });
    const printer = o.printer === undefined ? terima.printer : o.printer;
    if (!printer && !o.keluaran) throw new SandiError('USAGE', 'terima.cetakKriptogramTanpaKeluaran', { nomor: k.nomor });
    const sink = new MemorySink();
    const r = await readKriptogramRow(k.id, true, sink, true);
    const { pisahkanBagian } = await import('../adapters/bagian-kriptogram.js');
    const p = await pisahkanBagian(sink.bytes(), r.fileName ?? 'dokumen');
    const isPdf = (b: Buffer): boolean => b.subarray(0, 5).toString('latin1') === '%PDF-';
    const isText = (b: Buffer): boolean => !b.includes(0) && Buffer.from(b.toString('utf8'), 'utf8').equals(b);
    const teks = p.bagian.find((b) => !b.lampiran && b.jenis === 'text/plain') ?? p.bagian.find((b) => !isPdf(b.isi) && isText(b.isi));
    const lampiran = p.bagian.filter((b) => b.lampiran && b !== teks);
    const penerima = o.penerima && o.penerima.length > 0 ? o.penerima : k.kepada.length > 0 ? k.kepada : [config.office.name];
    const headers = (r.headers ?? {}) as { subject?: string; registerNumber?: string; derajat?: unknown };
    const derajat = typeof headers.derajat === 'string' ? (normaliseDerajat(headers.derajat) ?? 'Biasa') : 'Biasa';
    const { buildPrintPack, printWithLp, lpJobIds } = await import('../adapters/print.js');
    const pack = await buildPrintPack({
      kartu: {
        kop: kopSuratKantor(config, o.lang ?? 'id'),
        nomorAgenda: k.nomor,
        diterimaAt: tanggalWaktuPanjang(k.diterimaAt, config.office.timeZone, o.lang ?? 'id'),
        pengirim: k.pengirim,
        nomorSurat: k.nomorPengirim ?? headers.registerNumber ?? null,
        tanggalSurat: null,
        perihal: headers.subject ?? p.subject ?? k.subjekLuar,
        isiRingkas: null,
        kepada: k.kepada,
        tembusan: [],
        sifat: k.sifat ?? 'Biasa',
        derajat,
        lampiran: lampiran.map((b) => b.nama),
        paraf: terima.paraf,
      },
      copies: penerima.map((x) => ({ penerima: x, jalur: ruteAntar(x) })),
      isi: teks ? teks.isi.toString('utf8') : '',
      pdfLampiran: lampiran.filter((b) => isPdf(b.isi)).map((b) => ({ name: b.nama, content: b.isi })),
      label: o.label,
      fonts: pdfFontFiles(config.pdf, app.paths.root),
    });
    const keep = o.keluaran !== undefined;
    const out = keep ? resolve(o.keluaran as string) : join(app.paths.root, 'cetak', `.${k.nomor.replace(/[^\w.-]+/g, '_')}-${process.pid}.pdf`);
    mkdirSync(resolve(out, '..'), { recursive: true, mode: 0o700 });
    writeFileAtomic(out, Buffer.from(pack.pdf), 0o600);
    let lp: string | null;
    try {
      lp = printer ? await printWithLp(out, printer, k.nomor, opts.env) : null;
    } catch (e) {
      // the temporary pack is removed below: the hint must not send the operator to it
      if (e instanceof SandiError && e.key === 'terima.printFailed' && !keep) throw new SandiError(e.code, e.key, e.params, { hint: 'terima.printFailedKriptogram.hint' });
      throw e;
    } finally {
      if (!keep) rmSync(out, { force: true });
    }
    const jobs = lp === null ? [] : lpJobIds(lp);
    const now = app.clock.now();
    store().write((tx) => {
      sop.addStep(tx, 'cetak', { penerima, file: keep ? basename(out) : null, pages: pack.pages, printer: printer ?? null, lp, jobs }, now);
    });
    return {
      nomor: k.nomor,
      // '' when not kept: sent to the printer, then removed (no decrypted copy is left on disk)
      file: keep ? out : '',
      salinan: penerima.length,
      penerima,
      pages: pack.pages,
      pagesPerCopy: pack.pagesPerCopy,
      halamanSalinan: pack.copyPages,
      printer: printer ?? null,
      lp,
      jobs,
      lampiranDilewati: [...pack.skipped, ...lampiran.filter((b) => !isPdf(b.isi)).map((b) => b.nama)],
      fontPengganti: pack.fontFallback,
    };
  }
}

export type TerimaService = ReturnType<typeof terimaService>;

/** An incoming letter or a read incoming kriptogram, as the SOP steps (cetak … tandaterima) see it. */
interface SopRow {
  buku: 'surat_masuk' | 'kriptogram_masuk';
  id: number;
  nomor: string;
  pengirim: string;
  perihal: string | null;
  /** the SOP stage: terdaftar (a kriptogram: terbaca) until printed, then dicetak, diparaf, diantar, selesai */
  status: string;
  diterimaAt: string;
  registeredAt: string;
  kepada: string[];
  tembusan: string[];
  peringatan: string[];
  steps: { langkah: SuratMasukLangkah; at: string; actor: string; data: unknown }[];
  addStep(tx: WriteTx, langkah: SuratMasukLangkah, data: unknown, at: Date): void;
  /** move to a stage (a kriptogram records only selesai; its other stages follow from the steps) */
  advance(tx: WriteTx, to: SuratMasukStatus, at: Date): void;
}

/** The SOP stage of a read kriptogram from its step events. */
function kriptogramStage(status: string, steps: readonly { langkah: string }[], parafTiers: number): string {
  if (status === 'selesai') return 'selesai';
  if (steps.some((s) => s.langkah === 'antar')) return 'diantar';
  if (!steps.some((s) => s.langkah === 'cetak')) return 'terbaca';
  return steps.filter((s) => s.langkah === 'paraf').length >= parafTiers ? 'diparaf' : 'dicetak';
}

export interface LetterStatus {
  buku: 'surat_masuk' | 'kriptogram_masuk';
  id: number;
  nomor: string;
  pengirim: string;
  perihal: string | null;
  status: string;
  diterimaAt: string;
  peringatan: string[];
  menungguSiapa: string | null;
  sla: LetterSla;
  langkah: { langkah: string; at: string; actor: string; data: unknown }[];
}

/** Messages up to this size are fetched whole, several per UID FETCH; larger ones are streamed. */
const SMALL_MESSAGE = 2 * 1024 * 1024;
/** A batch of small messages: at most this many bytes (as listed) and messages, one transaction. */
const BATCH_BYTES = 8 * 1024 * 1024;
const BATCH_MESSAGES = 64;
/** bytes per partial FETCH when streaming a large message */
const STREAM_CHUNK = 2 * 1024 * 1024;
/** reconnects in a row without a message registered in between, before giving up */
const MAX_RECONNECTS = 5;
const RECONNECT_PAUSE_MS = 250;

type Batch = { kind: 'small'; uids: number[] } | { kind: 'large'; message: { uid: number; size: number; internalDate: Date | null } };

/** Group the listing, in UID order, into batches of small messages and single large ones. */
function planBatches(todo: readonly { uid: number; size: number; internalDate: Date | null }[]): Batch[] {
  const out: Batch[] = [];
  let cur: { kind: 'small'; uids: number[] } | null = null;
  let bytes = 0;
  for (const m of todo) {
    // a size the server did not report (0) is treated as large: streamed, never held whole
    if (m.size <= 0 || m.size > SMALL_MESSAGE) {
      cur = null;
      out.push({ kind: 'large', message: m });
      continue;
    }
    if (cur === null || cur.uids.length >= BATCH_MESSAGES || bytes + m.size > BATCH_BYTES) {
      cur = { kind: 'small', uids: [] };
      bytes = 0;
      out.push(cur);
    }
    cur.uids.push(m.uid);
    bytes += m.size;
  }
  return out;
}

const uidOf = (p: Prepared): number => p.meta.position?.uid ?? 0;

/** The connection went away (or timed out, or a message did not arrive whole): a new client may go on. */
function isDropped(e: unknown): boolean {
  return e instanceof SandiError && (e.key === 'mail.connectionLost' || e.key === 'mail.timeout' || e.key === 'mail.downloadIncomplete');
}

/** An error as a warning's reason: its message key as `reason`, its parameters as `reason_NAME` (the CLI says it in words). */
function reasonParams(e: SandiError): Record<string, string | number> {
  const out: Record<string, string | number> = { reason: e.key };
  for (const [k, v] of Object.entries(e.params)) if (v !== undefined) out[`reason_${k}`] = v;
  return out;
}

function reasonOf(e: SandiError): string {
  const r = e.params['reason'];
  return r === undefined ? e.key : `${e.key}: ${String(r)}`;
}

/** The last 16 KB of an archived message (where a multipart's closing boundary should be). */
function tailOf(path: string, size: number): Buffer {
  const n = Math.min(size, 16 * 1024);
  const buf = Buffer.alloc(n);
  const fd = openSync(path, 'r');
  try {
    readSync(fd, buf, 0, n, size - n);
  } finally {
    closeSync(fd);
  }
  return buf;
}

