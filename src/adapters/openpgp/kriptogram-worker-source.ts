/**
 * The hash worker's own source (kriptogram-hasher.ts starts it; moved out of that file, which had reached
 * the house's 600 lines, issue 16): plain JavaScript evaluated in the worker thread, so there is no file to
 * locate (works from src/ under vitest and from dist/). It keeps the MDC's SHA-1 and the signature hashes,
 * encrypts for kriptogram-encrypt, and seals, writes, checks and opens the encrypted spool
 * (kriptogram-spool.ts), whose keys live only here.
 */

/** plaintext bytes per spool record (the last byte of each is the 'last record' flag) */
export const SPOOL_RECORD = 1024 * 1024;

export const WORKER_SOURCE = `
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
