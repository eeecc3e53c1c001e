/**
 * The two hashes of a kriptogram — SHA-1 for the MDC over the whole inner plaintext, and the signature
 * hash (SHA-256 with our keys) over the document — computed on a worker thread, so they run beside
 * AES-CFB on the main thread (node:crypto's hash.update is synchronous; this machine has 2 cores).
 * Messages are processed in order; the main thread waits for acknowledgements when more than
 * MAX_IN_FLIGHT bytes are queued, so memory stays bounded.
 */
import { Worker } from 'node:worker_threads';

const MAX_IN_FLIGHT = 8 * 1024 * 1024;
/** coalesce small updates: one message per ~1 MiB keeps the per-message cost negligible */
const BATCH = 1024 * 1024;
/** plaintext bytes per spool record (the last byte of each is the 'last record' flag) */
export const SPOOL_RECORD = 1024 * 1024;

/** The spool worker refused a record (damaged, moved, cut off). */
export class SpoolWorkerError extends Error {}

/** Reading or writing the spool file failed in the worker (disk full, I/O error, read-only file system …). */
export class SpoolIoError extends Error {
  constructor(
    message: string,
    /** the errno code, e.g. 'ENOSPC' */
    readonly code: string,
  ) {
    super(message);
    this.name = 'SpoolIoError';
  }
}

/**
 * TEST SEAM, never set in production: lets a test hand the spool worker another file descriptor in place of
 * the spool file's (e.g. one open on /dev/full), so a real write failure can be produced without a full disk.
 */
export const spoolFdForTestsOnly: { replace: ((fd: number) => number) | null } = { replace: null };

// plain JS, evaluated in the worker (no file to locate: works from src/ under vitest and from dist/)
const WORKER_SOURCE = `
const { parentPort, MessageChannel } = require('node:worker_threads');
const { createHash, createCipheriv, createDecipheriv, randomBytes, timingSafeEqual } = require('node:crypto');
const fs = require('node:fs');
// Sealed records are garbage as soon as they are written, but this thread allocates almost no JS objects,
// so V8 would collect them only after ~64 MB had piled up (that much more RSS). Their memory is handed
// back at once instead, by detaching the buffer: ArrayBuffer.prototype.transfer where the runtime has it
// (Node 22+), else by transferring it into a message port whose other end is closed (the message, and
// the memory with it, is dropped). Only buffers that own their whole ArrayBuffer (never Buffer's pool).
const dropChannel = new MessageChannel();
dropChannel.port2.close();
function releaseNow(b) {
  if (b.byteLength < 65536 || b.byteOffset !== 0 || b.byteLength !== b.buffer.byteLength) return;
  if (typeof b.buffer.transfer === 'function') b.buffer.transfer(0);
  else dropChannel.port1.postMessage(null, [b.buffer]);
}
const mdc = createHash('sha1');
// encrypt only: the SEIPDv1 AES-CFB over the same bytes as the MDC (off the main thread, which frames,
// base64-encodes and writes); the session key lives here from encOpen to encFinal
let enc = null;
const lit = new Map();
// text-mode signature hashes ('text:sha256', …): over the document with every LF not after a CR made CRLF
const txt = new Map();
let lastCR = false;
function canonicalText(b) {
  let extra = 0;
  for (let i = 0; i < b.length; i++) if (b[i] === 10 && !(i === 0 ? lastCR : b[i - 1] === 13)) extra++;
  let out = b;
  if (extra > 0) {
    out = Buffer.allocUnsafe(b.length + extra);
    let o = 0;
    for (let i = 0; i < b.length; i++) {
      if (b[i] === 10 && !(i === 0 ? lastCR : b[i - 1] === 13)) out[o++] = 13;
      out[o++] = b[i];
    }
  }
  if (b.length > 0) lastCR = b[b.length - 1] === 13;
  return out;
}
// the encrypted spool (kriptogram-spool.ts): its one-time key lives only here, in this thread's memory
const RECORD = ${SPOOL_RECORD};
const TAG_LEN = 16;
const GCM_PIECE = 64 * 1024;
let sp = null;
function nonce(i) { const n = Buffer.alloc(12); n.writeBigUInt64BE(BigInt(i), 4); return n; }
function writeFully(fd, bufs, pos) {
  let n = fs.writevSync(fd, bufs, pos);
  let total = 0; for (const b of bufs) total += b.length;
  if (n === total) return;
  const all = Buffer.concat(bufs);
  while (n < total) n += fs.writeSync(fd, all, n, total - n, pos + n);
}
function rec() { if (sp.failed !== null) throw sp.failed; if (sp.c === null) { sp.c = createCipheriv('aes-256-gcm', sp.key, nonce(sp.index)); sp.parts = []; sp.len = 0; } return sp; }
// A second tag per record, kept in this thread's memory, not in the file: GMAC (AES-GCM with the record's
// bytes as associated data only, under a key of its own) over the record exactly as written — length,
// ciphertext, tag. spVerify checks the file against these: the same bytes in the same places, without
// decrypting (GHASH alone: 256 MiB in ~15 ms, where opening the records cost ~60-100 ms and a copy of every
// output piece). The replay still opens and checks every record with its own GCM tag as it writes it out.
function recordMac(i, bufs) {
  const m = createCipheriv('aes-256-gcm', sp.macKey, nonce(i));
  for (const b of bufs) m.setAAD(b);
  m.final();
  return m.getAuthTag();
}
function seal() {
  const r = rec();
  r.parts.push(r.c.final());
  const head = Buffer.alloc(4); head.writeUInt32BE(r.len, 0);
  const bufs = [head, ...r.parts, r.c.getAuthTag()];
  sp.macs.push(recordMac(sp.index, bufs));
  try { writeFully(sp.fd, bufs, sp.offset); }
  catch (e) {
    // never seal anything again under this key: a retry would reuse the record's nonce
    sp.c = null; sp.parts = []; sp.failed = e; sp.macs.pop();
    throw e;
  }
  sp.offset += 4 + r.len + TAG_LEN; sp.index++; sp.c = null;
  for (const p of r.parts) releaseNow(p);
  sp.parts = [];
}
function spoolWrite(b) {
  let off = 0;
  while (off < b.length) {
    const r = rec();
    const n = Math.min(RECORD - 1 - r.len, b.length - off);
    // sealed in pieces of GCM_PIECE: faster than one 1 MiB output (see spoolRecord); written with writev
    for (let o = off; o < off + n; o += GCM_PIECE) r.parts.push(r.c.update(b.subarray(o, Math.min(off + n, o + GCM_PIECE))));
    r.len += n; off += n;
    // last plaintext byte of every record: 0 = more follow, 1 = this is the last record
    if (r.len === RECORD - 1) { r.parts.push(r.c.update(Buffer.from([0]))); r.len += 1; seal(); }
  }
}
let readBuf = Buffer.allocUnsafe(0);
function readFully(fd, buf, len, pos) {
  let got = 0;
  while (got < len) { const n = fs.readSync(fd, buf, got, len - got, pos + got); if (n === 0) break; got += n; }
  return got;
}
// records are read back in order: the worker keeps the position, so the main thread can ask for several
// records ahead without waiting for each answer; header, body and tag come in one read
function spoolRecord(i, keep) {
  if (i !== sp.readIndex) throw new Error('SPOOL:record ' + i + ' requested out of order');
  const pos = sp.readPos;
  const max = 4 + RECORD + TAG_LEN;
  if (readBuf.length < max) readBuf = Buffer.allocUnsafe(max);
  const got = readFully(sp.fd, readBuf, Math.min(max, Math.max(0, sp.offset - pos)), pos);
  if (got < 4) throw new Error('SPOOL:record header missing');
  const len = readBuf.readUInt32BE(0);
  if (len > RECORD || len === 0) throw new Error('SPOOL:record length ' + len);
  if (got < 4 + len + TAG_LEN) throw new Error('SPOOL:record cut short');
  const next = pos + 4 + len + TAG_LEN;
  const last = next === sp.offset;
  if (!keep) {
    // only checking: the record must be the very bytes sealed as record i (its in-memory GMAC)
    const mac = sp.macs[i];
    if (mac === undefined || !timingSafeEqual(recordMac(i, [readBuf.subarray(0, 4 + len + TAG_LEN)]), mac)) {
      throw new Error('SPOOL:record ' + i + ' failed authentication (not the record written)');
    }
    sp.readIndex++;
    sp.readPos = next;
    return { plain: [], n: len - 1, last };
  }
  const d = createDecipheriv('aes-256-gcm', sp.key, nonce(i));
  d.setAuthTag(readBuf.subarray(4 + len, 4 + len + TAG_LEN));
  // in pieces of GCM_PIECE (a 1 MiB output per record cost page faults and cache misses: 256 MiB opened
  // in ~75-230 ms that way, ~40-49 ms in 64 KiB pieces)
  const plain = [];
  let flag = -1;
  try {
    for (let o = 4; o < 4 + len; o += GCM_PIECE) {
      const p = d.update(readBuf.subarray(o, Math.min(4 + len, o + GCM_PIECE)));
      if (p.length > 0) flag = p[p.length - 1];
      plain.push(p);
    }
    d.final();
  }
  catch (e) { throw new Error('SPOOL:record ' + i + ' failed authentication (' + e.message + ')'); }
  // the record's last byte says whether it is the last record (authenticated by GCM; the nonce binds the
  // index), so reordering, dropping or cutting off records is detected
  if (flag !== (last ? 1 : 0)) throw new Error('SPOOL:record ' + i + ' out of place');
  sp.readIndex++;
  sp.readPos = next;
  return { plain, n: len - 1, last };
}
parentPort.on('message', (m) => {
  try {
    switch (m.k) {
      case 'algo':
        if (m.algo.startsWith('text:')) { if (!txt.has(m.algo)) txt.set(m.algo, createHash(m.algo.slice(5))); }
        else if (!lit.has(m.algo)) lit.set(m.algo, createHash(m.algo));
        break;
      // the buffer goes back to the main thread for reuse (no new allocation per megabyte)
      case 'mdc': {
        // all of it for the MDC; the ranges [start, end, …] are document bytes for the signature hashes too
        mdc.update(m.b.subarray(0, m.n));
        const r = m.r;
        for (let i = 0; i < r.length; i += 2) {
          const part = m.b.subarray(r[i], r[i + 1]);
          for (const h of lit.values()) h.update(part);
          if (txt.size > 0) { const c = canonicalText(part); for (const h of txt.values()) h.update(c); }
        }
        if (enc === null) { parentPort.postMessage({ k: 'ack', n: m.n, b: m.b }, [m.b.buffer]); break; }
        // encrypting: the same bytes through AES-CFB here too; the ciphertext goes back with the ack
        const c = enc.update(m.b.subarray(0, m.n));
        const ct = c.byteOffset === 0 && c.byteLength === c.buffer.byteLength ? c : new Uint8Array(c);
        parentPort.postMessage({ k: 'ack', n: m.n, b: m.b, ct }, [m.b.buffer, ct.buffer]);
        break;
      }
      case 'encOpen': enc = createCipheriv(m.algo, m.key, Buffer.alloc(16)); m.key.fill(0); break;
      case 'encFinal': {
        // the MDC packet (trailer + SHA-1 of everything before, trailer included) is the last ciphertext
        mdc.update(m.suffix);
        const d = mdc.digest();
        const last = Buffer.concat([enc.update(Buffer.concat([m.suffix, d])), enc.final()]);
        enc = null;
        parentPort.postMessage({ k: 'reply', id: m.id, d: last });
        break;
      }
      case 'lit':
        for (const h of lit.values()) h.update(m.b.subarray(0, m.n));
        if (txt.size > 0) { const c = canonicalText(m.b.subarray(0, m.n)); for (const h of txt.values()) h.update(c); }
        parentPort.postMessage({ k: 'ack', n: m.n, b: m.b }, [m.b.buffer]); break;
      case 'sp': spoolWrite(m.b.subarray(0, m.n)); parentPort.postMessage({ k: 'ack', n: m.n, b: m.b }, [m.b.buffer]); break;
      case 'mdcDigest': { if (m.suffix) mdc.update(m.suffix); parentPort.postMessage({ k: 'reply', id: m.id, d: mdc.digest() }); break; }
      case 'litDigest': {
        const h = lit.get(m.algo) ?? txt.get(m.algo);
        if (h === undefined) { parentPort.postMessage({ k: 'reply', id: m.id, err: 'no hash ' + m.algo }); break; }
        const c = h.copy(); c.update(m.suffix);
        parentPort.postMessage({ k: 'reply', id: m.id, d: c.digest() });
        break;
      }
      case 'spOpen': sp = { fd: m.fd, key: randomBytes(32), macKey: randomBytes(32), macs: [], index: 0, offset: 0, c: null, parts: [], len: 0, finished: false, failed: null, readIndex: 0, readPos: 0 }; parentPort.postMessage({ k: 'reply', id: m.id, d: new Uint8Array(0) }); break;
      case 'spFinish': {
        if (!sp.finished) { const r = rec(); r.parts.push(r.c.update(Buffer.from([1]))); r.len += 1; seal(); sp.finished = true; }
        // the number of records, so the main thread knows how many to ask for
        parentPort.postMessage({ k: 'reply', id: m.id, d: new Uint8Array(0), n: sp.index });
        break;
      }
      case 'spRead': {
        if (sp === null || !sp.finished) throw new Error('SPOOL:not finished');
        const r = spoolRecord(m.i, true);
        // the pieces, transferred; only buffers a piece owns alone (small ones may sit in Buffer's shared pool)
        const parts = r.plain.map((p) => (p.byteOffset === 0 && p.byteLength === p.buffer.byteLength ? p : new Uint8Array(p)));
        parentPort.postMessage({ k: 'reply', id: m.id, d: new Uint8Array(0), parts, n: r.n, last: r.last }, parts.map((p) => p.buffer));
        break;
      }
      case 'spVerify': {
        // every record read and checked against its in-memory GMAC (nothing decrypted); then back to the
        // start for the replay
        if (sp === null || !sp.finished) throw new Error('SPOOL:not finished');
        sp.readIndex = 0; sp.readPos = 0;
        for (let i = 0; i < sp.index; i++) spoolRecord(i, false);
        if (sp.readPos !== sp.offset) throw new Error('SPOOL:records missing');
        sp.readIndex = 0; sp.readPos = 0;
        parentPort.postMessage({ k: 'reply', id: m.id, d: new Uint8Array(0) });
        break;
      }
      case 'spClose': if (sp !== null) { sp.key.fill(0); sp.macKey.fill(0); sp = null; } parentPort.postMessage({ k: 'reply', id: m.id, d: new Uint8Array(0) }); break;
    }
  } catch (e) {
    const err = String(e && e.message || e);
    // errno codes (ENOSPC, EIO, ...) travel along so the main thread can name an I/O failure as such
    const code = e && typeof e.code === 'string' ? e.code : undefined;
    // a request gets its own answer; a failed update (no id: nobody waits for it) fails the whole worker,
    // since no acknowledgement will come for its bytes and later updates would build on lost state
    if (m.id !== undefined) parentPort.postMessage({ k: 'reply', id: m.id, err, code });
    else parentPort.postMessage({ k: 'fail', err, code });
  }
});
`;

type Stream = 'mdc' | 'lit' | 'sp';

type Reply =
  | { k: 'ack'; n: number; b: Uint8Array<ArrayBuffer>; ct?: Uint8Array<ArrayBuffer> }
  | { k: 'fail'; err: string; code?: string }
  | { k: 'reply'; id: number; d?: Uint8Array; err?: string; code?: string; n?: number; last?: boolean; parts?: Uint8Array<ArrayBuffer>[] };

function workerError(err: string, code: string | undefined): Error {
  if (err.startsWith('SPOOL:')) return new SpoolWorkerError(err.slice(6));
  if (code !== undefined) return new SpoolIoError(err, code);
  return new Error(err);
}

export interface SpoolRecord {
  /** the record's plaintext in pieces (the 'last record' flag byte left out), each owning its ArrayBuffer */
  plain: Buffer[];
  last: boolean;
}

export class OffThreadHasher {
  private readonly worker: Worker;
  private inFlight = 0;
  private waiters: (() => void)[] = [];
  private readonly replies = new Map<number, { resolve: (m: Reply & { k: 'reply' }) => void; reject: (e: Error) => void }>();
  private nextId = 1;
  private failure: Error | null = null;
  private readonly algos = new Set<string>();
  private readonly free: Uint8Array<ArrayBuffer>[] = [];
  /** encrypt: ciphertext of the mdc stream's batches, in order, not yet taken */
  private ciphertext: Buffer[] = [];

  /**
   * `maxInFlight`: bytes queued for the worker before the main thread waits (default MAX_IN_FLIGHT). The
   * encrypt passes 4 MiB: its batches come back as ciphertext, and a shorter queue kept its peak RSS at
   * what it was with the cipher on the main thread (8 MiB: +7 MB) at the same CPU time.
   */
  constructor(private readonly maxInFlight = MAX_IN_FLIGHT) {
    this.worker = new Worker(WORKER_SOURCE, { eval: true });
    this.worker.on('message', (m: Reply) => {
      if (m.k === 'ack') {
        this.inFlight -= m.n;
        if (m.ct !== undefined) this.ciphertext.push(Buffer.from(m.ct.buffer, m.ct.byteOffset, m.ct.byteLength));
        if (this.free.length < 16) this.free.push(m.b);
        if (this.inFlight <= this.maxInFlight) this.wake();
        return;
      }
      if (m.k === 'fail') {
        // an update failed: its bytes are never acknowledged, so everything waiting must fail now
        this.fail(workerError(m.err, m.code));
        return;
      }
      const r = this.replies.get(m.id);
      if (r === undefined) return;
      this.replies.delete(m.id);
      if (m.err !== undefined) r.reject(workerError(m.err, m.code));
      else if (m.d === undefined) r.reject(new Error('no digest'));
      else r.resolve(m);
    });
    this.worker.on('error', (e) => this.fail(e));
    this.worker.on('exit', () => this.fail(new Error('hash worker stopped')));
  }

  private fail(e: Error): void {
    this.failure ??= e;
    for (const r of this.replies.values()) r.reject(this.failure);
    this.replies.clear();
    this.wake();
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  /**
   * Start a document hash with this node:crypto algorithm name (before any document bytes); 'text:NAME'
   * hashes the document as canonical text (LF → CRLF), for text-mode signatures (type 0x01).
   */
  addAlgorithm(algo: string): void {
    if (this.algos.has(algo)) return;
    this.algos.add(algo);
    this.worker.postMessage({ k: 'algo', algo });
  }

  hasAlgorithm(algo: string): boolean {
    return this.algos.has(algo);
  }

  // one batch buffer per stream; data is copied into it once, and the full buffer is transferred
  // (the mdc stream also carries `ranges`: where in its batch document bytes lie, as [start, end, …])
  private readonly pending: Record<Stream, { buf: Uint8Array<ArrayBuffer> | null; view: Buffer | null; len: number; ranges: number[] }> = {
    mdc: { buf: null, view: null, len: 0, ranges: [] },
    lit: { buf: null, view: null, len: 0, ranges: [] },
    sp: { buf: null, view: null, len: 0, ranges: [] },
  };

  private async send(k: Stream, data: Uint8Array, document = false): Promise<void> {
    if (this.failure !== null) throw this.failure;
    let off = 0;
    while (off < data.length) {
      const p = this.pending[k];
      p.buf ??= this.free.pop() ?? new Uint8Array(BATCH);
      const n = Math.min(BATCH - p.len, data.length - off);
      if (document) {
        // extend the last range when this one continues it
        const r = p.ranges;
        if (r.length > 0 && r[r.length - 1] === p.len) r[r.length - 1] = p.len + n;
        else r.push(p.len, p.len + n);
      }
      p.buf.set(data.subarray(off, off + n), p.len);
      p.len += n;
      off += n;
      if (p.len === BATCH) await this.flush(k);
    }
  }

  private async flush(k: Stream): Promise<void> {
    this.post(k);
    await this.backpressure();
  }

  /** Hand the stream's batch to the worker (transferred, not copied). */
  private post(k: Stream): void {
    const p = this.pending[k];
    if (p.buf === null || p.len === 0) return;
    const buf = p.buf;
    const n = p.len;
    const r = p.ranges;
    p.buf = null;
    p.view = null;
    p.len = 0;
    p.ranges = [];
    this.inFlight += n;
    this.worker.postMessage(k === 'mdc' ? { k, b: buf, n, r } : { k, b: buf, n }, [buf.buffer]);
  }

  /** Wait while more than maxInFlight bytes are queued for the worker. */
  private async backpressure(): Promise<void> {
    while (this.inFlight > this.maxInFlight && this.failure === null) {
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
    if (this.failure !== null) throw this.failure;
  }

  /** Bytes covered by the MDC only. */
  mdc(data: Uint8Array): Promise<void> {
    return this.send('mdc', data);
  }

  /**
   * Document bytes (literal data body) that the MDC covers too: copied and handed over once for both
   * hashes. Not to be mixed with literal() on the same hasher (the two streams are not ordered together).
   */
  mdcAndLiteral(data: Uint8Array): Promise<void> {
    return this.send('mdc', data, true);
  }

  /** Document bytes (literal data body) only. */
  literal(data: Uint8Array): Promise<void> {
    return this.send('lit', data);
  }

  private async request(msg: Record<string, unknown>): Promise<Buffer> {
    const m = await this.requestRaw(msg);
    return Buffer.from(m.d!.buffer, m.d!.byteOffset, m.d!.byteLength);
  }

  private requestRaw(msg: Record<string, unknown>): Promise<Reply & { k: 'reply' }> {
    if (this.failure !== null) return Promise.reject(this.failure);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.replies.set(id, { resolve, reject });
      this.worker.postMessage({ ...msg, id });
    });
  }

  /**
   * From now on every byte of the mdc stream is also encrypted in the worker with `cipher` (a node:crypto
   * name, e.g. 'aes-256-cfb', zero IV: SEIPDv1); the ciphertext is collected with takeCiphertext. The
   * caller wipes `key` after this call (a copy travels to the worker, which wipes it once the cipher is made).
   */
  encryptStart(cipher: string, key: Uint8Array): void {
    if (this.failure !== null) throw this.failure;
    this.worker.postMessage({ k: 'encOpen', algo: cipher, key: new Uint8Array(key) });
  }

  /** The ciphertext the worker has returned so far, in order (each chunk handed out once). */
  takeCiphertext(): Buffer[] {
    const c = this.ciphertext;
    this.ciphertext = [];
    return c;
  }

  /**
   * End the encryption: the rest of the mdc stream, then `suffix` (the MDC packet's header) and its SHA-1
   * encrypted as the last bytes. Returns every ciphertext chunk not yet taken, the MDC's last.
   */
  async encryptFinish(suffix: Uint8Array): Promise<Buffer[]> {
    await this.flush('mdc');
    const last = await this.request({ k: 'encFinal', suffix });
    // the worker answers in order: every batch's ciphertext has arrived before this reply
    return [...this.takeCiphertext(), last];
  }

  /** Final SHA-1 of the MDC stream, after `suffix`. */
  async mdcDigest(suffix?: Uint8Array): Promise<Buffer> {
    await this.flush('mdc');
    return this.request({ k: 'mdcDigest', suffix });
  }

  /** Digest of (document bytes ‖ suffix) with `algo`; the running document hash is not consumed. */
  async literalDigest(algo: string, suffix: Uint8Array): Promise<Buffer> {
    await this.flush('lit');
    await this.flush('mdc');
    return this.request({ k: 'litDigest', algo, suffix });
  }

  // ------------------------------------------------------------------ the encrypted spool's worker side

  /**
   * Start a spool in the open file `fd` (a fresh one-time key is made in the worker). Not waited for: the
   * worker takes its messages in order, so the spool's batches queue behind this one while the worker thread
   * is still booting (waiting here put its ~30 ms boot on decrypt's critical path, issue 16); a failure comes
   * out at spoolFinish, or fails every later spool message.
   */
  spoolOpen(fd: number): void {
    const opened = this.requestRaw({ k: 'spOpen', fd: spoolFdForTestsOnly.replace?.(fd) ?? fd });
    opened.catch(() => undefined);
    this.spoolOpened = opened;
  }

  private spoolOpened: Promise<unknown> | null = null;

  /** Plaintext for the spool: copied into batches, sealed and written by the worker. */
  spoolWrite(data: Uint8Array): Promise<void> {
    return this.send('sp', data);
  }

  /**
   * Room for `n` (≤ 1 MiB) spool bytes to be written in place, e.g. decoded straight into it: the current
   * batch buffer and the offset to write at. Confirm with spoolCommit before the next call; the buffer
   * belongs to the worker once the batch is handed over, so it must not be kept.
   */
  spoolReserve(n: number): { buf: Buffer; off: number } {
    if (this.failure !== null) throw this.failure;
    if (n > BATCH) throw new RangeError(`spool reservation of ${n} bytes`);
    const p = this.pending.sp;
    if (p.buf !== null && BATCH - p.len < n) this.post('sp');
    p.buf ??= this.free.pop() ?? new Uint8Array(BATCH);
    p.view ??= Buffer.from(p.buf.buffer, p.buf.byteOffset, p.buf.byteLength);
    return { buf: p.view, off: p.len };
  }

  /** `n` bytes were written at the offset spoolReserve gave. */
  spoolCommit(n: number): void {
    const p = this.pending.sp;
    if (p.buf === null || p.len + n > p.buf.length) throw new RangeError('spool commit without a reservation');
    p.len += n;
  }

  /** After in-place writes: hand over a full batch and wait if the worker is behind. */
  async spoolSettle(): Promise<void> {
    if (this.pending.sp.len === BATCH) this.post('sp');
    await this.backpressure();
  }

  /** Seal the last record; resolves with the number of records when everything is on disk. */
  async spoolFinish(): Promise<number> {
    await this.spoolOpened;
    await this.flush('sp');
    return (await this.requestRaw({ k: 'spFinish' })).n!;
  }

  /**
   * The idle batch buffers, handed over (the list is emptied): decrypt frees them once the spool is
   * finished, instead of keeping up to 16 MiB through the replay, where the peak RSS is reached.
   */
  takeIdleBuffers(): Uint8Array<ArrayBuffer>[] {
    return this.free.splice(0);
  }

  /**
   * Record `i`, decrypted and checked (SpoolWorkerError when it is not authentic). Records are read in
   * order, 0, 1, 2 …; several may be asked for before the first answer comes.
   */
  async spoolRead(i: number): Promise<SpoolRecord> {
    const m = await this.requestRaw({ k: 'spRead', i });
    const plain: Buffer[] = [];
    let left = m.n!;
    for (const p of m.parts!) {
      const take = Math.min(left, p.byteLength);
      if (take > 0) plain.push(Buffer.from(p.buffer, p.byteOffset, take));
      left -= take;
    }
    return { plain, last: m.last! };
  }

  /**
   * Read and authenticate every record without handing out any plaintext (SpoolWorkerError when one is
   * not authentic); reading then starts again at record 0.
   */
  async spoolVerify(): Promise<void> {
    await this.requestRaw({ k: 'spVerify' });
  }

  /** Forget the spool key (also gone when the worker ends). */
  async spoolClose(): Promise<void> {
    if (this.failure !== null) return;
    await this.requestRaw({ k: 'spClose' });
  }

  get closed(): boolean {
    return this.failure !== null;
  }

  async close(): Promise<void> {
    this.worker.removeAllListeners('exit');
    this.failure ??= new Error('hash worker closed');
    await this.worker.terminate();
  }
}
