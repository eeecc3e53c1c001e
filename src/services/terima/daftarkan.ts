/**
 * Daftarkan: steps 1-3 of every arrival, whatever its source. Archive the raw bytes (content-addressed,
 * durable), parse the archived copy (the letter's own number, date and classification from its text or its
 * PDF), then register it (incoming register, or the incoming-kriptogram register for encrypted mail) with
 * the folder position in ONE transaction; a duplicate (same bytes, source position or Message-ID) is
 * recognised, never registered twice.
 */
import { createReadStream, openSync, readSync, closeSync } from 'node:fs';
import { Readable } from 'node:stream';
import { SandiError } from '../../errors.js';
import type { ArchivedMessage, MessageParser, ParsedIncoming, ParseSource } from '../../ports/terima.js';
import type { UnitOfWork } from '../../ports/registers.js';
import type { SuratMasuk } from '../../domain/records-masuk.js';
import { extractArmored } from '../../formats/pgpmime.js';
import { findLetterNumber, findLetterClassification, parseTanggalSurat, summarise } from '../../domain/terima.js';
import type { TerimaCtx } from './konteks.js';
import type { Arrival, Duplicate, FetchReport, LetterNumber, Meta, Prepared } from './types.js';
import { arrivalOfKriptogram, readKriptogramRow } from './kriptogram.js';

/** Steps 1-2 for one message: archive the raw bytes (durable on return), then parse the archived copy. */
export async function prepare(ctx: TerimaCtx, source: Readable | Buffer, meta: Meta): Promise<Prepared> {
  // 1. archive, byte for byte, before anything else
  const archived = await ctx.archive.put(Buffer.isBuffer(source) ? source : (source as AsyncIterable<Uint8Array>));
  // 2. parse the archived copy, read back from disk (a streamed message is never held whole)
  return { meta, archived, ...(await analyse(ctx, { path: archived.path, size: archived.size })) };
}

/**
 * Steps 1-2 for messages fetched whole: each message is hashed and parsed on the parser's thread; its
 * archive write starts as soon as its hash is known — the parser hashes a message as it arrives, before it
 * parses the ones ahead of it, so the batch's writes and fsyncs run while it is parsed (in the thread pool;
 * the folders' fsyncs are left to commit(ctx)) — and the thread that reads IMAP and commits the registers
 * does not hash.
 */
export async function prepareMany(ctx: TerimaCtx, messages: readonly { raw: Buffer; meta: Meta }[], parser: MessageParser): Promise<Prepared[]> {
  const hashes: Promise<string | null>[] = [];
  const parsing = messages.map((m) => {
    let given!: (sha256: string | null) => void;
    hashes.push(new Promise<string | null>((r) => (given = r)));
    const p = parser.parse(m.raw, given);
    // a parser that does not call back: the hash from its result (or none: the archive hashes)
    p.then((x) => given(x.rawSha256 ?? null), () => given(null));
    return p;
  });
  const parses = messages.map((m, i) => analyse(ctx, m.raw, parser, parsing[i]));
  const puts = messages.map((m, i) => ctx.archive.put(m.raw, { deferDirSync: true, sha256: hashes[i] as Promise<string | null> }));
  for (const p of [...parses, ...puts]) p.catch(() => undefined); // each is awaited below
  try {
    const out: Prepared[] = [];
    for (const [i, m] of messages.entries()) out.push({ meta: m.meta, archived: await (puts[i] as Promise<ArchivedMessage>), ...(await (parses[i] as ReturnType<typeof analyse>)) });
    return out;
  } finally {
    await Promise.allSettled([...parses, ...puts]);
  }
}

export async function analyse(ctx: TerimaCtx, raw: Buffer | { path: string; size: number }, parser?: MessageParser, parsing?: Promise<ParsedIncoming>): Promise<Omit<Prepared, 'meta' | 'archived'>> {
  const buffer = Buffer.isBuffer(raw) ? raw : null;
  const size = buffer ? buffer.length : (raw as { size: number }).size;
  const path = buffer ? '' : (raw as { path: string }).path;
  const read = (): Readable => (buffer ? Readable.from([buffer]) : createReadStream(path));
  const source: ParseSource = buffer ?? { path, tail: tailOf(path, size) };
  const parsed = parsing
    ? await parsing
    : parser
    ? await parser.parse(source)
    : Buffer.isBuffer(source)
      ? await ctx.io.parseIncoming(source, { tail: source.subarray(-16 * 1024), keepPdf: true })
      : await ctx.io.parseIncoming(read(), { tail: source.tail, keepPdf: true });
  const peringatan = [...parsed.warnings];
  if (size > ctx.terima.batasUkuran) peringatan.push('terima.w.tooLarge');
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
  const found = kriptogram ? { nomorSurat: null, tanggalSurat: null, klasifikasi: findLetterClassification(null) } : await letterNumberOf(ctx, parsed, peringatan);
  if (found.klasifikasi.sifatTertulis !== null && found.klasifikasi.sifat === null) peringatan.push('terima.w.sifatUnread');
  if (found.klasifikasi.derajatTertulis !== null && found.klasifikasi.derajat === null) peringatan.push('terima.w.derajatUnread');
  for (const a of parsed.attachments) delete a.content;
  return { parsed, peringatan, kriptogram, kriptogramProblem, found };
}

/**
 * The letter's own number and date: from the mail text, else from the first pages of its first PDF
 * attachment that has text (pdftotext; a scan has none). Without pdftotext, warned once per run.
 */
export async function letterNumberOf(ctx: TerimaCtx, parsed: ParsedIncoming, peringatan: string[]): Promise<LetterNumber> {
  const textKlas = findLetterClassification(parsed.text);
  const inText = { ...findLetterNumber(parsed.text), klasifikasi: textKlas };
  if (inText.nomorSurat !== null) return inText;
  for (const a of parsed.attachments) {
    const content = a.content;
    if (!content || ctx.pdftotextMissing) continue;
    const r = await ctx.pdfSlots(() => ctx.io.pdfText(content));
    if (r.missing) {
      // checked and set in one step: analyses running side by side warn once between them
      if (!ctx.pdftotextMissing) ctx.warn('terima.w.noPdftotext', {});
      ctx.pdftotextMissing = true;
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
export function register(ctx: TerimaCtx, u: UnitOfWork, p: Prepared, at: Date, moveOn: boolean): Arrival | Duplicate | { kriptogramId: number } {
  const { meta, archived, parsed, peringatan, kriptogram, kriptogramProblem, found } = p;
  const common = {
    operator: ctx.opts.actor,
    diterimaAt: meta.diterimaAt.toISOString(),
    pengirim: parsed.from ?? '(tidak diketahui / unknown)',
    kepada: parsed.to,
    rawSha256: archived.sha256,
    rawSize: archived.size,
    messageId: parsed.messageId,
    source: meta.source,
    peringatan,
  };
  const dup = u.findIncomingDuplicate({ rawSha256: archived.sha256, messageId: parsed.messageId, source: meta.source });
  if (moveOn) advance(u, meta, at);
  if (dup) return { rawSha256: archived.sha256, nomor: dup.nomor, by: dup.by, where: meta.where };
  if (kriptogram) {
    const row = u.kriptogramMasuk.register({ ...common, subjekLuar: kriptogram.subject }, ctx.numbering('kriptogramMasuk'), at);
    if (kriptogramProblem) u.kriptogramMasuk.reject(row.id, { alasan: kriptogramProblem }, at, ctx.opts.actor);
    return { kriptogramId: row.id };
  }
  const row = u.suratMasuk.register(
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
    ctx.numbering('suratMasuk'),
    at,
  );
  const tanggal = parseTanggalSurat(found.tanggalSurat);
  if (tanggal !== null) u.suratMasuk.recordLetterDate(row.id, tanggal);
  return arrivalOfLetter(row);
}

/**
 * Register prepared messages in ONE transaction (each archived durably before: the deferred folder fsyncs
 * are done here first), then read the kriptogram among them (after the commit, outside the transaction).
 */
export async function commit(ctx: TerimaCtx, batch: readonly Prepared[]): Promise<(Arrival | Duplicate)[]> {
  if (batch.length === 0) return [];
  await ctx.archive.flush();
  const at = ctx.app.clock.now();
  // the batch is in UID order: the folder position moves to its last message, in the same transaction
  const results = ctx.registers().write((u) => batch.map((p, i) => register(ctx, u, p, at, i === batch.length - 1)));
  const out: (Arrival | Duplicate)[] = [];
  for (const r of results) {
    if ('kriptogramId' in r) {
      const arrival = arrivalOfKriptogram(ctx, r.kriptogramId);
      out.push(arrival.status === 'terdaftar' ? (await readKriptogramRow(ctx, arrival.id, false)).arrival : arrival);
    } else out.push(r);
  }
  return out;
}

/** One message, start to end: archive, parse, register. */
export async function ingest(ctx: TerimaCtx, source: Readable | Buffer, meta: Meta): Promise<Arrival | Duplicate> {
  const [r] = await commit(ctx, [await prepare(ctx, source, meta)]);
  if (r === undefined) throw new SandiError('INTERNAL', 'common.internal', { detail: 'ingest registered nothing' });
  return r;
}

export function advance(u: UnitOfWork, meta: Meta, at: Date): void {
  if (meta.position) {
    const p = meta.position;
    u.posisiFolder.set(p.akun, p.folder, { uidvalidity: p.uidvalidity, lastUid: p.uid }, at);
  }
}

export function arrivalOfLetter(row: SuratMasuk): Arrival {
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

export function record(report: FetchReport, r: Arrival | Duplicate): void {
  if ('buku' in r) report.baru.push(r);
  else report.duplikat.push(r);
}

export const uidOf = (p: Prepared): number => p.meta.position?.uid ?? 0;

/** The last 16 KB of an archived message (where a multipart's closing boundary should be). */
export function tailOf(path: string, size: number): Buffer {
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
