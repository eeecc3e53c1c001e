/**
 * The two hashes of a kriptogram — SHA-1 for the MDC over the whole inner plaintext, and the signature
 * hash (SHA-256 with our keys) over the document — computed on a worker thread, so they run beside
 * AES-CFB on the main thread (node:crypto's hash.update is synchronous; this machine has 2 cores).
 * Messages are processed in order; the main thread waits for acknowledgements when more than
 * MAX_IN_FLIGHT bytes are queued, so memory stays bounded.
 */
import { Worker } from 'node:worker_threads';
import { SPOOL_RECORD, WORKER_SOURCE } from './kriptogram-worker-source.js';

const MAX_IN_FLIGHT = 8 * 1024 * 1024;
/** coalesce small updates: one message per ~1 MiB keeps the per-message cost negligible */
const BATCH = 1024 * 1024;
export { SPOOL_RECORD };

/** What send and backpressure return when there is nothing to wait for. */
const SETTLED: Promise<void> = Promise.resolve();

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

  /**
   * Copy `data` into the stream's batch, handing over each full one. Not an async function: the common case
   * (no wait) returns an already settled promise, without the frame and promise an async call makes for
   * every piece (thousands per kriptogram, issue 16).
   */
  private send(k: Stream, data: Uint8Array, document = false): Promise<void> {
    if (this.failure !== null) return Promise.reject(this.failure);
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
      if (p.len === BATCH) {
        this.post(k);
        // the worker is behind: the rest waits until it has caught up
        if (this.inFlight > this.maxInFlight && off < data.length) {
          const rest = data.subarray(off);
          return this.backpressure().then(() => this.send(k, rest, document));
        }
      }
    }
    return this.backpressure();
  }

  private flush(k: Stream): Promise<void> {
    this.post(k);
    return this.backpressure();
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

  /** Wait while more than maxInFlight bytes are queued for the worker (a settled promise when there is no need). */
  private backpressure(): Promise<void> {
    if (this.failure !== null) return Promise.reject(this.failure);
    return this.inFlight > this.maxInFlight ? this.waitForRoom() : SETTLED;
  }

  private async waitForRoom(): Promise<void> {
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
  spoolSettle(): Promise<void> {
    if (this.pending.sp.len === BATCH) this.post('sp');
    return this.backpressure();
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
