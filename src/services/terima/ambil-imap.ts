/**
 * Ambil dari IMAP: fetch the configured folder. The listing (UID, size, INTERNALDATE) is collected first; then
 * messages of up to SMALL_MESSAGE bytes are fetched whole, many per UID FETCH (the next batch already on the
 * wire while this one is archived), and larger ones streamed with imapflow's download; no command is ever
 * issued inside a running FETCH. What is staged is archived (every file fsynced, then the folders), then
 * registered with the folder position in one transaction: a crash loses nothing and registers nothing twice.
 * A streamed message, and a batch cut short by one, joins the staged batch while it holds fewer than
 * BATCH_MESSAGES (one transaction and one round of folder fsyncs per up to BATCH_MESSAGES messages, not one
 * per streamed message), and the next batch is requested as soon as a streamed message is in.
 * A dropped connection (or a timeout, or a message that did not download whole) gets a new client and the
 * run goes on from the recorded position; after `reconnect.max` (5) failures in a row without progress it stops
 * with a clear error (TEMPFAIL, or UNAVAILABLE when the server cannot be reached again).
 */
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { SandiError } from '../../errors.js';
import type { MailboxAccount } from '../../config/config.js';
import { mailboxPasswordIn } from '../akun-kredensial.js';
import type { MailboxLogin, MailboxReader, MessageParser } from '../../ports/terima.js';
import { BATCH_MESSAGES, planBatches, samePath, type ListedMessage } from '../../domain/terima.js';
import type { TerimaCtx } from './konteks.js';
import type { Arrival, Duplicate, FetchReport, Meta, Prepared } from './types.js';
import { analyse, commit, prepareMany, record, uidOf } from './daftarkan.js';

/** bytes per partial FETCH when streaming a large message */
const STREAM_CHUNK = 2 * 1024 * 1024;
/** reconnects in a row without a message registered in between, before giving up */
const MAX_RECONNECTS = 5;
const RECONNECT_PAUSE_MS = 250;

/** One IMAP fetch run, across its passes and reconnects. */
export interface ImapRun {
  account: MailboxAccount;
  folder: string;
  report: FetchReport;
  /** every message listed, once (a pass after a reconnect lists the rest again) */
  seen: Set<string>;
  /** failures in a row without a message registered in between */
  failures: number;
  maxReconnects: number;
  pauseMs: number;
  endpoint: { host: string; port: number };
  /** the UID (or UID range of a batch, or the listing "n:*") being fetched: named when the run gives up */
  onUid: string;
  backwardsWarned: boolean;
  parser: MessageParser;
}

type FetchedMany = { uidValidity: bigint; messages: { uid: number; raw: Buffer }[] };

/** One pass over the folder as listed: its numbering, what is fetched ahead and what is staged. */
export interface ImapPass {
  box: MailboxReader;
  uidvalidity: number;
  todo: ListedMessage[];
  byUid: Map<number, ListedMessage>;
  done: number;
  /** the next batch of small messages, already requested (never while a download or a MOVE runs) */
  ahead: { uids: number[]; fetch: Promise<FetchedMany> } | null;
  /** the next message to stream, already downloading into the archive (same conditions as `ahead`) */
  aheadLarge: { uid: number; one: ReturnType<typeof streamOne> } | null;
  /**
   * What is being archived and parsed while the next batch is fetched, in UID order: one or more batches
   * (and streamed messages), `count` messages in all, registered in one transaction before more than
   * BATCH_MESSAGES would wait
   */
  staged: { parts: Promise<Prepared[]>[]; count: number } | null;
}

export async function fetchImap(ctx: TerimaCtx): Promise<FetchReport> {
  const account = ctx.config.mailbox;
  if (!account) throw new SandiError('INTERNAL', 'common.internal', { detail: 'fetchImap without mailbox' });
  const folder = ctx.terima.folder;
  // Connected before the parser is made: making it holds the young generation by changing a V8 flag at run
  // time, and Node's compile cache refuses every module compiled after such a change when another command
  // cached it (imapflow's 101 modules, and openpgp.js when the password comes from the credential store, were
  // compiled from source on every run, issue 16). The parse thread itself is booting already (prestartParser).
  let box: MailboxReader | null = await connectImap(ctx, account);
  let parser: MessageParser;
  try {
    // parse beside the fetch, on a thread of its own when there is a second core (a second parse thread
    // measured 9% faster on 2 cores for 90 MB more peak memory: not worth it)
    parser = ctx.io.messageParser({ threads: availableParallelism() > 1 ? 1 : 0 });
  } catch (e) {
    await box.close();
    throw e;
  }
  const run: ImapRun = {
    account,
    folder,
    report: { sumber: 'imap', akun: account.user, folder, uidvalidity: null, uidvalidityBerubah: false, diperiksa: 0, baru: [], duplikat: [], diteruskan: [], ditahan: [], ditolak: [], dilanjutkan: [], dilewati: [], sementaraDihapus: 0 },
    seen: new Set<string>(),
    failures: 0,
    maxReconnects: ctx.opts.reconnect?.max ?? MAX_RECONNECTS,
    pauseMs: ctx.opts.reconnect?.pauseMs ?? RECONNECT_PAUSE_MS,
    endpoint: { host: account.imap.host, port: account.imap.port },
    onUid: '',
    backwardsWarned: false,
    parser,
  };
  try {
    if (ctx.terima.pindahKe !== null) await checkMoveTarget(box, ctx.terima.pindahKe, folder, account.user);
    for (;;) {
      try {
        if (await pass(ctx, run, box)) break;
        if (++run.failures > run.maxReconnects) throw new SandiError('TEMPFAIL', 'terima.folderUnstable', { folder, attempts: run.failures - 1 });
      } catch (e) {
        if (!isDropped(e)) throw e;
        box = await reconnect(ctx, run, box, e as SandiError);
      }
    }
  } finally {
    await box?.close();
    await run.parser.close();
  }
  return run.report;
}

/** A client for the configured mailbox (the password resolved each time: a reconnect may need it again). */
export async function connectImap(ctx: TerimaCtx, account: MailboxAccount): Promise<MailboxReader> {
  const password = await mailboxPasswordIn(ctx.app, ctx.config, ctx.opts.actor, account, { env: ctx.opts.env, passphrases: ctx.opts.passphrases });
  const settings: MailboxLogin = {
    host: account.imap.host,
    port: account.imap.port,
    security: account.imap.tls,
    user: account.user,
    password,
    ...(account.caFile === undefined ? {} : { caFile: resolve(ctx.app.paths.root, account.caFile) }),
  };
  return (await ctx.io.mailbox()).connect(settings);
}

/** One pass: list from the recorded position and fetch it all. False: the folder was renumbered, list again. */
export async function pass(ctx: TerimaCtx, run: ImapRun, box: MailboxReader): Promise<boolean> {
  const { account, folder, report } = run;
  const pos = ctx.registers().posisiFolder.get(account.user, folder);
  run.onUid = `${(pos?.lastUid ?? 0) + 1}:*`;
  let listing = await box.listSince(folder, pos?.lastUid ?? 0);
  // Same UIDVALIDITY but UIDNEXT at or below the recorded position: the server's UIDs went back (restored
  // from a backup, index rebuilt). New mail would sit below the position for ever: the position starts
  // again at 0 and the folder is read from the start; the content hash and Message-ID recognise what is
  // registered already.
  let backwards = false;
  if (pos !== null && Number(listing.uidValidity) !== pos.uidvalidity) listing = await box.listSince(folder, 0);
  else if (pos !== null && listing.uidNext !== null && listing.uidNext <= pos.lastUid) {
    backwards = true;
    if (!run.backwardsWarned) {
      run.backwardsWarned = true;
      ctx.warn('terima.uidNextBackwards', { folder, uidNext: listing.uidNext, lastUid: pos.lastUid });
    }
    run.onUid = '1:*';
    const restart = { uidvalidity: pos.uidvalidity, lastUid: 0 };
    ctx.registers().write((u) => u.posisiFolder.restart(account.user, folder, restart, ctx.app.clock.now()));
    listing = await box.listSince(folder, 0);
  }
  const uidvalidity = Number(listing.uidValidity);
  report.uidvalidity = uidvalidity;
  const changed = pos !== null && pos.uidvalidity !== uidvalidity;
  if (changed && !report.uidvalidityBerubah) {
    report.uidvalidityBerubah = true;
    ctx.warn('terima.uidvalidityChanged', { folder, old: pos.uidvalidity, new: uidvalidity });
  }
  const after = pos && !changed && !backwards ? pos.lastUid : 0;
  const todo = listing.messages.filter((m) => m.uid > after);
  for (const m of todo) run.seen.add(`${uidvalidity}:${m.uid}`);
  report.diperiksa = run.seen.size;
  const batches = planBatches(todo);
  const ps: ImapPass = { box, uidvalidity, todo, byUid: new Map(todo.map((m) => [m.uid, m])), done: 0, ahead: null, aheadLarge: null, staged: null };
  try {
    ctx.opts.progress?.(0, todo.length);
    for (const [i, batch] of batches.entries()) {
      if (batch.kind === 'small') {
        run.onUid = batch.uids.length === 1 ? String(batch.uids[0]) : `${batch.uids[0]}-${batch.uids[batch.uids.length - 1]}`;
        const got = await (ps.ahead?.uids === batch.uids ? ps.ahead.fetch : request(run, ps, batch.uids).fetch);
        ps.ahead = null;
        const next = batches[i + 1];
        if (next?.kind === 'small' && !ctx.terima.pindahKe) ps.ahead = request(run, ps, next.uids);
        else if (next?.kind === 'large' && !ctx.terima.pindahKe) ps.aheadLarge = downloadAhead(ctx, run, ps, next.message);
        // Renumbered under our feet (here and below): register what is staged, but commitStaged(false), never
        // move it: its UIDs are of the old numbering and would name other messages (or none) in the new one.
        if (Number(got.uidValidity) !== uidvalidity) {
          await commitStaged(ctx, run, ps, false);
          return false; // list again
        }
        // A UID the batch FETCH did not answer is asked for on its own (a download): gone for good
        // (expunged meanwhile) it is skipped; there, it is taken in its place. Never skipped silently.
        const answered = new Set(got.messages.map((m) => m.uid));
        const alone: Promise<Prepared[]>[] = [];
        for (const uid of batch.uids) {
          if (answered.has(uid)) continue;
          const one = await streamOne(ctx, run, ps, ps.byUid.get(uid) ?? { uid, internalDate: null });
          if (one === 'renumbered') {
            await commitStaged(ctx, run, ps, false); // renumbered: no MOVE with old UIDs
            return false;
          }
          if (one !== null) alone.push(one.prepared);
        }
        const many = prepareMany(
          ctx,
          got.messages.map((m) => ({ raw: m.raw, meta: metaOf(ctx, run, uidvalidity, ps.byUid.get(m.uid) ?? { uid: m.uid, internalDate: null }) })),
          run.parser,
        );
        // once the batch is archived and parsed (prepareMany settles only then), its bytes are spent
        const raws = got.messages.map((m) => m.raw);
        const spent = (): void => box.release(raws);
        many.then(spent, spent);
        const prepared = alone.length === 0 ? many : Promise.all([many, ...alone]).then((xs) => xs.flat().sort((a, b) => uidOf(a) - uidOf(b)));
        prepared.catch(() => undefined); // awaited in commitStaged
        await stage(ctx, run, ps, prepared, batch.uids.length);
      } else {
        const one = await (ps.aheadLarge?.uid === batch.message.uid ? ps.aheadLarge.one : streamOne(ctx, run, ps, batch.message));
        ps.aheadLarge = null;
        if (one === 'renumbered') {
          await commitStaged(ctx, run, ps, false); // renumbered: no MOVE with old UIDs
          return false;
        }
        // downloaded whole: the next batch (or message) goes on the wire now, while this one is parsed and
        // what is staged is registered (not after, with the network idle meanwhile)
        const next = batches[i + 1];
        if (next?.kind === 'small' && !ctx.terima.pindahKe) ps.ahead = request(run, ps, next.uids);
        else if (next?.kind === 'large' && !ctx.terima.pindahKe) ps.aheadLarge = downloadAhead(ctx, run, ps, next.message);
        if (one !== null) await stage(ctx, run, ps, one.prepared, 1);
      }
    }
    await commitStaged(ctx, run, ps);
  } catch (e) {
    // what is archived and parsed already does not depend on the lost connection: register it (it
    // cannot be moved on the server now; the next run's position starts after it)
    if (ps.staged !== null && isDropped(e)) await commitStaged(ctx, run, ps, false);
    throw e;
  } finally {
    await ps.ahead?.fetch.catch(() => undefined);
    const early = await ps.aheadLarge?.one.catch(() => null);
    if (early !== undefined && early !== null && early !== 'renumbered') await early.prepared.catch(() => undefined);
    await Promise.allSettled(ps.staged?.parts ?? []);
  }
  return true;
}

/**
 * The next message to stream, started now: its download runs while the batch before it is archived, parsed
 * and registered (the connection would idle meanwhile). Its failure is handled where it is awaited.
 */
function downloadAhead(ctx: TerimaCtx, run: ImapRun, ps: ImapPass, m: ListedMessage): NonNullable<ImapPass['aheadLarge']> {
  const one = streamOne(ctx, run, ps, m);
  one.catch(() => undefined); // awaited in its turn (or in pass's finally)
  return { uid: m.uid, one };
}

/** Where a listed message comes from, and the folder position to record with its registration. */
function metaOf(ctx: TerimaCtx, run: ImapRun, uidvalidity: number, m: { uid: number; internalDate: Date | null }): Meta {
  const { folder } = run;
  return {
    source: { sumber: 'imap', folder, uidvalidity, uid: m.uid },
    diterimaAt: m.internalDate ?? ctx.app.clock.now(),
    where: `${folder}:${uidvalidity}:${m.uid}`,
    position: { akun: run.account.user, folder, uidvalidity, uid: m.uid },
  };
}

/** Ask for a batch of small messages whole (one UID FETCH); its failure is handled where it is awaited. */
function request(run: ImapRun, ps: ImapPass, uids: number[]): { uids: number[]; fetch: Promise<FetchedMany> } {
  const fetch = ps.box.fetchRawMany(run.folder, uids);
  fetch.catch(() => undefined); // awaited below; a failure is handled there
  return { uids, fetch };
}

/**
 * One message streamed into the archive (never held whole), then parsed from there while the next is
 * fetched. Returns once the download is complete: the file's fsync and its move into place go on beside the
 * next IMAP command (`prepared` waits for them; what is staged is registered only after its files are in
 * place). Null: the server has no such UID (any more).
 */
export async function streamOne(ctx: TerimaCtx, run: ImapRun, ps: ImapPass, m: { uid: number; internalDate: Date | null }): Promise<{ prepared: Promise<Prepared[]> } | null | 'renumbered'> {
  run.onUid = String(m.uid);
  let raw;
  try {
    raw = await ps.box.fetchRaw(run.folder, m.uid, { chunkSize: STREAM_CHUNK });
  } catch (e) {
    if (e instanceof SandiError && e.key === 'mail.messageNotFound') return null;
    throw e;
  }
  if (Number(raw.uidValidity) !== ps.uidvalidity) {
    raw.content.destroy();
    return 'renumbered';
  }
  const downloaded = endOf(raw.content);
  const put = ctx.archive.put(downloaded.chunks, { deferDirSync: true });
  // awaited below, and through `prepared`; a put that failed before the download's end never read it to
  // the end: destroyed, so that it releases the folder (a no-op after its end)
  put.catch(() => raw.content.destroy());
  // a failed download fails the put with its error; a failed put (before the end) stops the download
  await Promise.race([downloaded.ended, put]);
  const prepared = put.then((archived) => analyse(ctx, { path: archived.path, size: archived.size }, run.parser).then((a) => [{ meta: metaOf(ctx, run, ps.uidvalidity, m), archived, ...a }]));
  prepared.catch(() => undefined); // awaited in commitStaged
  return { prepared }; // not the promise itself: an async function would wait for it
}

/** The chunks of `source`, and a promise that resolves once the last of them has been taken. */
function endOf(source: AsyncIterable<Uint8Array>): { chunks: AsyncIterable<Uint8Array>; ended: Promise<void> } {
  let end!: () => void;
  const ended = new Promise<void>((r) => (end = r));
  async function* chunks(): AsyncGenerator<Uint8Array> {
    for await (const c of source) yield c;
    end();
  }
  return { chunks: chunks(), ended };
}

/**
 * Stage `prepared` (`count` messages, after everything staged in UID order): with what is staged while the
 * two together are at most BATCH_MESSAGES, else after registering what is staged.
 */
export async function stage(ctx: TerimaCtx, run: ImapRun, ps: ImapPass, prepared: Promise<Prepared[]>, count: number): Promise<void> {
  if (ps.staged !== null && ps.staged.count + count <= BATCH_MESSAGES) {
    ps.staged.parts.push(prepared);
    ps.staged.count += count;
    return;
  }
  await commitStaged(ctx, run, ps);
  ps.staged = { parts: [prepared], count };
}

/**
 * Register what is staged (and with `move`, MOVE it to terima.pindahKe); nothing staged: nothing to do. A part
 * that failed: the parts before it are registered, then its error is thrown.
 */
export async function commitStaged(ctx: TerimaCtx, run: ImapRun, ps: ImapPass, move = true): Promise<void> {
  if (ps.staged === null) return;
  const st = ps.staged;
  ps.staged = null;
  const prepared: Prepared[] = [];
  let failed: { error: unknown } | null = null;
  for (const part of st.parts) {
    try {
      prepared.push(...(await part));
    } catch (e) {
      failed = { error: e };
      break;
    }
  }
  if (failed !== null) await Promise.allSettled(st.parts);
  if (prepared.length > 0) await settle(ctx, run, ps, await commit(ctx, prepared), prepared.map(uidOf), move);
  if (failed !== null) throw failed.error;
}

/** A batch registered: into the report, progress said, the failure count reset, moved when configured. */
async function settle(ctx: TerimaCtx, run: ImapRun, ps: ImapPass, results: (Arrival | Duplicate)[], uids: number[], move = true): Promise<void> {
  for (const r of results) record(run.report, r);
  run.failures = 0;
  ps.done += results.length;
  ctx.opts.progress?.(ps.done, ps.todo.length);
  if (move && ctx.terima.pindahKe) await ps.box.moveMessage(run.folder, uids, ctx.terima.pindahKe);
}

/**
 * terima.pindahKe must name an existing folder other than the one read (LIST, before anything is
 * fetched): a MOVE refused after the batch is registered would fail every later run the same way.
 */
export async function checkMoveTarget(b: MailboxReader, target: string, folder: string, user: string): Promise<void> {
  if (samePath(target, folder)) throw new SandiError('CONFIG', 'terima.pindahKeSame', { folder }, { hint: 'terima.pindahKeSame.hint' });
  const found = await b.findMailbox(target);
  if (found === null) throw new SandiError('CONFIG', 'terima.pindahKeMissing', { folder: target, user }, { hint: 'terima.pindahKeMissing.hint' });
  if (samePath(found.path, folder)) throw new SandiError('CONFIG', 'terima.pindahKeSame', { folder }, { hint: 'terima.pindahKeSame.hint' });
}

/** A new client after `cause` dropped the old one: up to `maxReconnects` attempts in a row, with a doubling pause. */
export async function reconnect(ctx: TerimaCtx, run: ImapRun, old: MailboxReader, cause: SandiError): Promise<MailboxReader> {
  await old.close();
  let last = cause;
  for (;;) {
    if (++run.failures > run.maxReconnects) {
      throw new SandiError(
        last.code === 'UNAVAILABLE' ? 'UNAVAILABLE' : 'TEMPFAIL',
        'terima.connectionGaveUp',
        { ...run.endpoint, attempts: run.maxReconnects, registered: run.report.baru.length, folder: run.folder, uid: run.onUid, reason: reasonOf(last) },
        { hint: 'terima.connectionGaveUp.hint', cause: last },
      );
    }
    ctx.warn('terima.reconnecting', { reason: reasonOf(last), attempt: run.failures, max: run.maxReconnects });
    await new Promise((r) => setTimeout(r, run.pauseMs * 2 ** (run.failures - 1)));
    try {
      return await connectImap(ctx, run.account);
    } catch (e) {
      // the server gone for a moment is worth another try; a refused password or a bad certificate is not
      if (!(e instanceof SandiError) || !(isDropped(e) || e.key === 'mail.unreachable')) throw e;
      last = e;
    }
  }
}

/** The connection went away (or timed out, or a message did not arrive whole): a new client may go on. */
export function isDropped(e: unknown): boolean {
  return e instanceof SandiError && (e.key === 'mail.connectionLost' || e.key === 'mail.timeout' || e.key === 'mail.downloadIncomplete');
}

function reasonOf(e: SandiError): string {
  const r = e.params['reason'];
  return r === undefined ? e.key : `${e.key}: ${String(r)}`;
}
