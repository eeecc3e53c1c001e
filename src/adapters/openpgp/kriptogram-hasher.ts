/**
 * The two hashes of a kriptogram — SHA-1 for the MDC over the whole inner plaintext, and the signature
 * hash (SHA-512 with our keys) over the document — computed on a worker thread, so they run beside
 * AES-CFB on the main thread (node:crypto's hash.update is synchronous; this machine has 2 cores).
 * Messages are processed in order; the main thread waits for acknowledgements when more than
 * MAX_IN_FLIGHT bytes are queued, so memory stays bounded.
 */
import { Worker } from 'node:worker_threads';

const MAX_IN_FLIGHT = 8 * 1024 * 1024;
/** coalesce small updates: one message per ~1 MiB keeps the per-message cost negligible */
const BATCH = 1024 * 1024;

// plain JS, evaluated in the worker (no file to locate: works from src/ under vitest and from dist/)
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const mdc = createHash('sha1');
const lit = new Map();
parentPort.on('message', (m) => {
  try {
    switch (m.k) {
      case 'algo': if (!lit.has(m.algo)) lit.set(m.algo, createHash(m.algo)); break;
      // the buffer goes back to the main thread for reuse (no new allocation per megabyte)
      case 'mdc': mdc.update(m.b.subarray(0, m.n)); parentPort.postMessage({ k: 'ack', n: m.n, b: m.b }, [m.b.buffer]); break;
      case 'lit': for (const h of lit.values()) h.update(m.b.subarray(0, m.n)); parentPort.postMessage({ k: 'ack', n: m.n, b: m.b }, [m.b.buffer]); break;
      case 'mdcDigest': { if (m.suffix) mdc.update(m.suffix); parentPort.postMessage({ k: 'reply', id: m.id, d: mdc.digest() }); break; }
      case 'litDigest': {
        const h = lit.get(m.algo);
        if (h === undefined) { parentPort.postMessage({ k: 'reply', id: m.id, err: 'no hash ' + m.algo }); break; }
        const c = h.copy(); c.update(m.suffix);
        parentPort.postMessage({ k: 'reply', id: m.id, d: c.digest() });
        break;
      }
    }
  } catch (e) { parentPort.postMessage({ k: 'reply', id: m.id ?? -1, err: String(e && e.message || e) }); }
});
`;

type Reply = { k: 'ack'; n: number; b: Uint8Array<ArrayBuffer> } | { k: 'reply'; id: number; d?: Uint8Array; err?: string };

export class OffThreadHasher {
  private readonly worker: Worker;
  private inFlight = 0;
  private waiters: (() => void)[] = [];
  private readonly replies = new Map<number, { resolve: (d: Buffer) => void; reject: (e: Error) => void }>();
  private nextId = 1;
  private failure: Error | null = null;
  private readonly algos = new Set<string>();
  private readonly free: Uint8Array<ArrayBuffer>[] = [];

  constructor() {
    this.worker = new Worker(WORKER_SOURCE, { eval: true });
    this.worker.on('message', (m: Reply) => {
      if (m.k === 'ack') {
        this.inFlight -= m.n;
        if (this.free.length < 16) this.free.push(m.b);
        if (this.inFlight <= MAX_IN_FLIGHT) this.wake();
        return;
      }
      const r = this.replies.get(m.id);
      if (r === undefined) return;
      this.replies.delete(m.id);
      if (m.err !== undefined || m.d === undefined) r.reject(new Error(m.err ?? 'no digest'));
      else r.resolve(Buffer.from(m.d));
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

  /** Start a document hash with this node:crypto algorithm name (before any document bytes). */
  addAlgorithm(algo: string): void {
    if (this.algos.has(algo)) return;
    this.algos.add(algo);
    this.worker.postMessage({ k: 'algo', algo });
  }

  hasAlgorithm(algo: string): boolean {
    return this.algos.has(algo);
  }

  // one batch buffer per stream; data is copied into it once, and the full buffer is transferred
  private readonly pending: Record<'mdc' | 'lit', { buf: Uint8Array<ArrayBuffer> | null; len: number }> = {
    mdc: { buf: null, len: 0 },
    lit: { buf: null, len: 0 },
  };

  private async send(k: 'mdc' | 'lit', data: Uint8Array): Promise<void> {
    if (this.failure !== null) throw this.failure;
    let off = 0;
    while (off < data.length) {
      const p = this.pending[k];
      p.buf ??= this.free.pop() ?? new Uint8Array(BATCH);
      const n = Math.min(BATCH - p.len, data.length - off);
      p.buf.set(data.subarray(off, off + n), p.len);
      p.len += n;
      off += n;
      if (p.len === BATCH) await this.flush(k);
    }
  }

  private async flush(k: 'mdc' | 'lit'): Promise<void> {
    const p = this.pending[k];
    if (p.buf === null || p.len === 0) return;
    const buf = p.buf;
    const n = p.len;
    p.buf = null;
    p.len = 0;
    this.inFlight += n;
    this.worker.postMessage({ k, b: buf, n }, [buf.buffer]);
    while (this.inFlight > MAX_IN_FLIGHT && this.failure === null) {
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
    if (this.failure !== null) throw this.failure;
  }

  /** Bytes covered by the MDC only. */
  mdc(data: Uint8Array): Promise<void> {
    return this.send('mdc', data);
  }

  /** Document bytes (literal data body) only. */
  literal(data: Uint8Array): Promise<void> {
    return this.send('lit', data);
  }

  private request(msg: Record<string, unknown>): Promise<Buffer> {
    if (this.failure !== null) return Promise.reject(this.failure);
    const id = this.nextId++;
    return new Promise<Buffer>((resolve, reject) => {
      this.replies.set(id, { resolve, reject });
      this.worker.postMessage({ ...msg, id });
    });
  }

  /** Final SHA-1 of the MDC stream, after `suffix`. */
  async mdcDigest(suffix?: Uint8Array): Promise<Buffer> {
    await this.flush('mdc');
    return this.request({ k: 'mdcDigest', suffix });
  }

  /** Digest of (document bytes ‖ suffix) with `algo`; the running document hash is not consumed. */
  async literalDigest(algo: string, suffix: Uint8Array): Promise<Buffer> {
    await this.flush('lit');
    return this.request({ k: 'litDigest', algo, suffix });
  }

  async close(): Promise<void> {
    this.worker.removeAllListeners('exit');
    this.failure ??= new Error('hash worker closed');
    await this.worker.terminate();
  }
}
