/**
 * Freeing a buffer's memory at once. Node allocates a large Buffer outside V8's heap; V8 frees it only at a
 * collection, and starts a full one for every ~64 MB of such memory that piles up dead: a fetch's message
 * buffers or a kriptogram's records would otherwise raise the peak RSS by that much and cost a full
 * collection per 64 MB (issue 16).
 */
import { MessageChannel } from 'node:worker_threads';

// A closed port: a buffer transferred into it is dropped, and its memory with it (Node 20 has no
// ArrayBuffer.prototype.transfer). Unref'd so it never keeps the process alive.
let dropPort: MessageChannel['port1'] | null = null;

/**
 * Free a buffer's memory now instead of at V8's next collection (which waits for ~64 MB of dead external
 * memory: that much more peak RSS), by detaching its ArrayBuffer. Only a buffer that owns its whole
 * ArrayBuffer (never Buffer's shared pool), and only when nothing else can still read it.
 */
export function releaseNow(b: Uint8Array): void {
  if (b.byteLength < 65536 || b.byteOffset !== 0 || b.byteLength !== b.buffer.byteLength || !(b.buffer instanceof ArrayBuffer)) return;
  const ab = b.buffer as ArrayBuffer & { transfer?: (n: number) => ArrayBuffer };
  if (typeof ab.transfer === 'function') {
    ab.transfer(0);
    return;
  }
  if (dropPort === null) {
    const ch = new MessageChannel();
    ch.port2.close();
    ch.port1.unref();
    dropPort = ch.port1;
  }
  dropPort.postMessage(null, [ab]);
}
