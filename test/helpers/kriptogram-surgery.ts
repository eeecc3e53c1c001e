/**
 * Taking a kriptogram apart and putting it back together, for the attack and fuzz tests: the outer packets,
 * the SEIPDv1 ciphertext, and (with the recipient's key, standing in for what an attacker knows or guesses)
 * the inner plaintext, which can be changed and sealed again with a valid MDC.
 */
import { createCipheriv, createDecipheriv, createHash } from 'node:crypto';
import * as openpgp from 'openpgp';
import { ByteReader, packet, packetBody, readPacketHeader, TAG } from '../../src/adapters/openpgp/packets.js';
import type { TestKey } from './keys-fixture.js';

export interface RawPacket {
  tag: number;
  body: Buffer;
}

// eslint-disable-next-line @typescript-eslint/require-await -- an async source is what the readers consume
async function* once(b: Buffer): AsyncGenerator<Buffer> {
  yield b;
}

/** The packets of a binary message (partial lengths joined); throws on broken framing. */
export async function splitPackets(b: Buffer): Promise<RawPacket[]> {
  const r = new ByteReader(once(b));
  const out: RawPacket[] = [];
  for (;;) {
    const h = await readPacketHeader(r);
    if (h === null) return out;
    const parts: Buffer[] = [];
    for await (const p of packetBody(r, h)) parts.push(Buffer.from(p));
    out.push({ tag: h.tag, body: Buffer.concat(parts) });
  }
}

/** Packets written back with new-format headers and definite lengths. */
export function joinPackets(ps: RawPacket[]): Buffer {
  return Buffer.concat(ps.map((p) => packet(p.tag, p.body)));
}

export interface Opened {
  packets: RawPacket[];
  /** index of the SEIPD packet in `packets` */
  seipdAt: number;
  /** the SEIPD ciphertext after its version octet */
  ciphertext: Buffer;
  key: Buffer;
  cipher: string;
  /** the whole decrypted SEIPD content: 18-byte prefix, inner packets, 22-byte MDC packet */
  plaintext: Buffer;
}

/** Open a kriptogram with `reader`'s key the way the recipient would (no checks beyond framing). */
export async function openWith(k: Buffer, reader: TestKey): Promise<Opened> {
  const packets = await splitPackets(k);
  const seipdAt = packets.findIndex((p) => p.tag === TAG.SEIPD);
  const pkesks = joinPackets(packets.filter((p) => p.tag === TAG.PKESK));
  const priv = await openpgp.decryptKey({ privateKey: await openpgp.readPrivateKey({ armoredKey: reader.privateArmored }), passphrase: reader.passphrase });
  const [sk] = await openpgp.decryptSessionKeys({ message: await openpgp.readMessage({ binaryMessage: pkesks }), decryptionKeys: priv });
  const key = Buffer.from(sk!.data);
  const cipher = `aes-${key.length * 8}-cfb`;
  const ciphertext = packets[seipdAt]!.body.subarray(1);
  const d = createDecipheriv(cipher, key, Buffer.alloc(16));
  const plaintext = Buffer.concat([d.update(ciphertext), d.final()]);
  return { packets, seipdAt, ciphertext, key, cipher, plaintext };
}

/** The kriptogram with its SEIPD ciphertext replaced (outer framing rewritten with definite lengths). */
export function withCiphertext(o: Opened, ciphertext: Buffer): Buffer {
  const ps = o.packets.map((p, i) => (i === o.seipdAt ? { tag: TAG.SEIPD, body: Buffer.concat([Buffer.from([1]), ciphertext]) } : p));
  return joinPackets(ps);
}

/** Seal `inner` (the packets between the prefix and the MDC) again under the same key, with a valid MDC. */
export function resealed(o: Opened, inner: Buffer): Buffer {
  const prefix = o.plaintext.subarray(0, 18);
  const head = Buffer.concat([prefix, inner, Buffer.from([0xd3, 0x14])]);
  const mdc = createHash('sha1').update(head).digest();
  const c = createCipheriv(o.cipher, o.key, Buffer.alloc(16));
  return withCiphertext(o, Buffer.concat([c.update(Buffer.concat([head, mdc])), c.final()]));
}

/** The inner packets of an opened kriptogram (between the prefix and the MDC packet). */
export function innerOf(o: Opened): Buffer {
  return o.plaintext.subarray(18, o.plaintext.length - 22);
}

/** Whether a SEIPDv1 ciphertext decrypts, under the key of `o`, to content whose MDC holds. */
export function mdcHolds(o: Opened, ciphertext: Buffer): boolean {
  const d = createDecipheriv(o.cipher, o.key, Buffer.alloc(16));
  const p = Buffer.concat([d.update(ciphertext), d.final()]);
  if (p.length < 18 + 22) return false;
  const tail = p.subarray(p.length - 22);
  if (tail[0] !== 0xd3 || tail[1] !== 0x14) return false;
  return createHash('sha1').update(p.subarray(0, p.length - 20)).digest().equals(tail.subarray(2));
}
