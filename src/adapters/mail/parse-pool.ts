/**
 * Parsing incoming messages (terima-parser.ts: mailparser, attachment hashes) on a worker thread, so that
 * during an IMAP fetch the parse of one batch runs beside the network, archive and register work of the
 * main thread (mailparser is plain JavaScript and the largest single cost of `sandi terima`; this machine
 * class has 2 cores). The worker runs the very same parseIncoming, loaded from the compiled module next to
 * this one; where there is none (the sources run directly, as under the test runner) or the worker cannot
 * start, the parse runs in this thread instead — same function, same result.
 *
 * A message held whole is copied to the worker (exactly its bytes, moved; the bytes parsed are the bytes archived), which also hashes
 * it for the archive (rawSha256: the main thread then does not); a streamed one
 * is read back by the worker from its archived file. PDF attachments come back with their bytes only when
 * the text parts have no letter number (then it may be in a PDF; the caller drops them once read): copying
 * every PDF back to the main thread cost it memory and collection time for bytes it never read.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { Worker } from 'node:worker_threads';
import { SandiError } from '../../errors.js';
import type { ParsedIncoming } from './terima-parser.js';
import type { ParseSource, MessageParser } from '../../ports/terima.js';
export type { ParseSource, MessageParser } from '../../ports/terima.js';

const PARSER_URL = new URL('./terima-parser.js', import.meta.url);

/**
 * The worker's young generation, in MB (V8's default lets it grow to 192 MB: over a long run it grew step by
 * step, 48 -> 82 -> 145 MB of heap at 10,000 messages with 15 MB in use, most of sandi terima's peak growing
 * with the message count, issue 16). A parse's garbage is short-lived, but a scavenge costs by what is alive
 * at that moment, not by the garbage: 48 MB (semi-spaces of 16) halves the scavenges of 24 MB (55 -> 28 at
 * 1,000 messages) and their time (158-214 -> 115-141 ms), the peak RSS within its run-to-run spread.
 */
export const YOUNG_GENERATION_MB = 48;

/**
 * Keep this process's young generation at the size it has now, for the rest of the process (a fetch is the
 * last thing a `sandi terima` process does; the composition root calls this when a fetch asks for its
 * parser). V8 doubles the young generation each time the objects that survived its scavenges since the
 * last doubling add up to its size: cumulative, so during a fetch it grew with the message count, step by
 * step up to V8's maximum (the main thread's new space 16 -> 64 -> 128 MB at 3,000 messages, 15-45 MB of
 * heap in use: the part of `sandi terima`'s peak that grew with the count,
 * issue 16). What survives a fetch's scavenges is held for one batch at most, so a larger young generation
 * buys nothing: measured at 3,000 messages, new space 4 MB instead of 128, peak RSS 314-323 MB instead of
 * 385-416, wall and CPU time the same. V8 reads the growth factor each time it would grow (unlike
 * --max-semi-space-size, which counts only at start-up); the worker threads started after this keep their
 * young generation at its initial size too.
 */
export function holdYoungGeneration(): void {
  setFlagsFromString('--semi-space-growth-factor=1');
  // ... which would hold a parse thread started after this at its initial 1 MB semi-spaces (2 MB of new
  // space): it scavenged 212 times for 1,000 messages, promoting much of a parse's short-lived garbage.
  sizeParseThreadSemiSpaces();
}

/**
 * A parse thread started from now on gets semi-spaces of the most its young generation allows
 * (YOUNG_GENERATION_MB is three of them) from the start, not 1 MB grown step by step (212 scavenges at 1,000
 * messages when held there; 28 at 48 MB, issue 16). Read when an isolate's heap is set up: this process's
 * own is not changed. Not a flag Node's compile cache is keyed on.
 */
function sizeParseThreadSemiSpaces(): void {
  setFlagsFromString(`--min-semi-space-size=${YOUNG_GENERATION_MB / 3}`);
}

/** The compiled parser is there to be imported by URL (not under vitest, which runs src/). */
function parserBuilt(): boolean {
  const parserFile = fileURLToPath(PARSER_URL);
  return parserFile.endsWith('.js') && existsSync(parserFile);
}

// plain JS, evaluated in the worker: it imports the compiled parser module by URL
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { createHash } = require('node:crypto');
// Node's compile cache, as bin/sandi.js enables it for the main thread (a worker does not inherit it): the
// parser's modules (mailparser, libmime, iconv-lite, html-to-text, ...) deserialized instead of parsed
require('node:module').enableCompileCache?.();
const parser = import(workerData.parser);
const buf = (u) => (u ? Buffer.from(u.buffer, u.byteOffset, u.byteLength) : undefined);
// one message at a time, in the order sent: each result goes back as soon as it is ready. A message held
// whole is hashed as it arrives and its hash sent back at once (its archive write starts while the
// messages before it are still parsed)
let queue = Promise.resolve();
parentPort.on('message', (job) => {
  let sha256;
  if (job.raw) {
    sha256 = createHash('sha256').update(buf(job.raw)).digest('hex');
    parentPort.postMessage({ id: job.id, sha256 });
  }
  queue = queue.then(async () => {
    try {
      const { parseIncoming, parseIncomingFile } = await parser;
      const result = job.raw ? { ...(await parseIncoming(buf(job.raw), { tail: buf(job.tail), keepPdf: 'unlessNumbered' })), rawSha256: sha256 } : await parseIncomingFile(job.path, { tail: buf(job.tail), keepPdf: 'unlessNumbered' });
      parentPort.postMessage({ id: job.id, result });
    } catch (e) {
      parentPort.postMessage({ id: job.id, error: String((e && e.stack) || e) });
    }
  });
});
`;

async function inThread(source: ParseSource, onSha256?: (sha256: string | null) => void): Promise<ParsedIncoming> {
  // imported here, not at the top: the fetch's prestart loads this module before anything else of terima, to
  // start the parse thread first (the composition root still loads the parser in this thread at once)
  const { parseIncoming, parseIncomingFile } = await import('./terima-parser.js');
  if (Buffer.isBuffer(source)) {
    const parsing = parseIncoming(source, { tail: source.subarray(Math.max(0, source.length - 16 * 1024)), keepPdf: 'unlessNumbered', hashRaw: true });
    if (onSha256) parsing.then((p) => onSha256(p.rawSha256 ?? null), () => onSha256(null));
    return parsing;
  }
  onSha256?.(null);
  return parseIncomingFile(source.path, { tail: source.tail, keepPdf: 'unlessNumbered' });
}

/** A parse thread; `maxHeapMb` caps its old generation (tests), else Node's default. */
function newWorker(maxHeapMb?: number): Worker {
  const w = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: { parser: PARSER_URL.href },
    resourceLimits: maxHeapMb !== undefined ? { maxOldGenerationSizeMb: maxHeapMb, maxYoungGenerationSizeMb: 1 } : { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB },
  });
  w.unref();
  return w;
}

/** the parse thread prestartParser started, until a parser takes it */
let prestarted: Worker | null = null;

/**
 * Start a fetch's parse thread before the rest of `sandi terima` is loaded. Its boot and the parser's import
 * (~0.25 CPU-s: mailparser with its charset and HTML modules) then run on the second core while this thread
 * loads and opens the rest and logs in, when that core is otherwise idle, instead of inside the fetch, where
 * both cores are busy (1,000 messages, medians of 8 alternating runs: wall 2.31 -> 2.27 s, CPU 3.41 ->
 * 3.34 s, 6 of 8 pairs faster; issue 16). The first `messageParser` takes it; the function returned stops it
 * if none did (the run failed before its fetch).
 */
export function prestartParser(): () => Promise<void> {
  if (prestarted !== null || availableParallelism() < 2 || !parserBuilt()) return () => Promise.resolve();
  sizeParseThreadSemiSpaces();
  const w = newWorker();
  // a failure while it waits to be taken is no uncaught 'error': the fetch then starts a thread of its own
  const lost = (): void => {
    if (prestarted === w) prestarted = null;
  };
  w.on('error', lost);
  w.on('exit', lost);
  prestarted = w;
  return async () => {
    if (prestarted === w) {
      prestarted = null;
      await w.terminate();
    }
  };
}

/**
 * A parser for one fetch run: on `threads` worker threads (the first the prestarted one, or started at once,
 * so that its boot and the parser's import, ~0.25 s, overlap the mailbox's connection and listing instead of
 * holding up the first batch; the others on demand; each message goes to the one with the fewest waiting)
 * when the compiled parser is there, else in this thread.
 */
export function messageParser(o: { threads: number; /** the worker's heap limit (default: Node's) */ maxHeapMb?: number }): MessageParser {
  if (o.threads < 1 || !parserBuilt()) return { parse: inThread, close: () => Promise.resolve() };
  type Pending = { resolve: (r: ParsedIncoming) => void; reject: (e: unknown) => void; slot: { waiting: number }; onSha256: ((sha256: string | null) => void) | undefined };

  const workers: { w: Worker; waiting: number }[] = [];
  let broken: Error | null = null;
  let nextId = 0;
  const pending = new Map<number, Pending>();
  const internal = (detail: string, cause?: unknown) => new SandiError('INTERNAL', 'common.internal', { detail: `message parser thread: ${detail}` }, cause === undefined ? {} : { cause });
  const fail = (e: Error): void => {
    broken ??= e;
    for (const p of pending.values()) {
      p.onSha256?.(null);
      p.reject(internal(e.message, e));
    }
    pending.clear();
  };
  const start = (): { w: Worker; waiting: number } => {
    const taken = o.maxHeapMb === undefined ? prestarted : null;
    if (taken !== null) prestarted = null;
    const w = taken ?? newWorker(o.maxHeapMb);
    w.on('message', (m: { id: number; sha256?: string; result?: ParsedIncoming; error?: string }) => {
      const p = pending.get(m.id);
      if (!p) return;
      if (m.sha256 !== undefined) {
        // the hash, ahead of the parse: once
        p.onSha256?.(m.sha256);
        p.onSha256 = undefined;
        return;
      }
      pending.delete(m.id);
      p.slot.waiting--;
      // no hash ahead of the result: whatever the result says (or null: the caller hashes itself)
      p.onSha256?.(m.result?.rawSha256 ?? null);
      p.onSha256 = undefined;
      if (m.result !== undefined) {
        // structured clone turns a Buffer into a plain Uint8Array: give PDF bytes back their Buffer face
        for (const a of m.result.attachments) if (a.content) a.content = Buffer.from(a.content.buffer, a.content.byteOffset, a.content.byteLength);
        p.resolve(m.result);
      }
      else p.reject(internal(m.error ?? 'no result'));
    });
    w.on('error', (e) => fail(e));
    w.on('exit', (code) => {
      if (pending.size > 0) fail(new Error(`exited with ${code}`));
    });
    return { w, waiting: 0 };
  };

  workers.push(start());
  let closed = false;
  return {
    parse(source, onSha256) {
      if (closed) {
        onSha256?.(null);
        return Promise.reject(internal('closed'));
      }
      // the worker died (out of memory on a monster message, say): parse here, as without a worker
      if (broken) return inThread(source, onSha256);
      if (workers.length < o.threads && workers.every((x) => x.waiting > 0)) workers.push(start());
      const slot = workers.reduce((a, b) => (b.waiting < a.waiting ? b : a));
      const id = nextId++;
      slot.waiting++;
      const viaWorker = new Promise<ParsedIncoming>((resolve, reject) => {
        pending.set(id, { resolve, reject, slot, onSha256 });
        if (Buffer.isBuffer(source)) {
          // The message's own bytes, copied once and moved (the caller's stay intact): a structured clone
          // copies a view's whole ArrayBuffer, and the IMAP client's messages are slices of its 64 KiB socket
          // chunks (a 2 KB letter cost a 64 KiB copy, twice: 42% more bytes than the messages, issue 16).
          const raw = Buffer.allocUnsafeSlow(source.length);
          source.copy(raw);
          slot.w.postMessage({ id, raw, tail: raw.subarray(Math.max(0, raw.length - 16 * 1024)) }, [raw.buffer]);
        } else slot.w.postMessage({ id, path: source.path, tail: source.tail });
      });
      // a failure of the thread (not of the message: parseIncoming never throws for bad mail) is not the
      // operator's problem: the same function runs here instead; an error here is a real one
      // (the hash was given already, or null by fail(): the caller hashes itself)
      return viaWorker.catch((e: unknown) => (closed ? Promise.reject(e as Error) : inThread(source)));
    },
    async close() {
      closed = true;
      broken ??= new Error('closed');
      const all = workers.splice(0);
      await Promise.all(all.map((x) => x.w.terminate()));
    },
  };
}
