/**
 * Throwaway v4 keys for tests, made with openpgp.js directly (GnuPG 2.2 reads v4 only).
 * Generated once per test file (cached by name) so a file's tests stay fast.
 */
import * as openpgp from 'openpgp';

export interface TestKey {
  name: string;
  email: string;
  publicArmored: string;
  privateArmored: string;
  passphrase: string;
  fingerprint: string; // upper-case hex
  keyId: string; // upper-case hex, 16 chars (primary)
}

export type KeyKind = 'ecc' | 'rsa3072' | 'rsa2048';

const cache = new Map<string, Promise<TestKey>>();

/**
 * The S2K count of the test keys' passphrase protection (iterated+salted, coded 96 = 65,536 octets hashed).
 * openpgp.js's default (224: 16 MiB hashed) cost ~38 ms of CPU for every unlock, and the kriptogram tests
 * unlock a key for each message they read or write (hundreds a run). The keys stay passphrase-protected the
 * same way (a wrong passphrase is still refused); sandi's own keys keep their slow S2K, and no test is about
 * the count.
 */
const S2K_COUNT_BYTE = 96;

export interface MakeKeyOptions {
  kind?: KeyKind;
  /** key lifetime in seconds (0 = never expires) */
  keyExpirationTime?: number;
  date?: Date;
  /** default: a passphrase derived from the name; GnuPG tests that sign with several keys share one */
  passphrase?: string;
  /** advertise ZLIB first in the key's preferences, as GnuPG-made keys do (openpgp.js advertises uncompressed) */
  prefersCompression?: boolean;
}

async function generate(name: string, o: MakeKeyOptions): Promise<TestKey> {
  const email = `${name.toLowerCase().replace(/[^a-z0-9]+/g, '.')}@kominfo.example.go.id`;
  const passphrase = o.passphrase ?? `frasa sandi ${name}`;
  const kind = o.kind ?? 'ecc';
  const base = {
    userIDs: [{ name, email }],
    passphrase,
    format: 'armored' as const,
    keyExpirationTime: o.keyExpirationTime ?? 0,
    config: {
      v6Keys: false,
      aeadProtect: false,
      s2kIterationCountByte: S2K_COUNT_BYTE,
      ...(o.prefersCompression === true ? { preferredCompressionAlgorithm: openpgp.enums.compression.zlib } : {}),
    },
    ...(o.date === undefined ? {} : { date: o.date }),
  };
  const { privateKey, publicKey } =
    kind === 'ecc'
      ? await openpgp.generateKey({ ...base, type: 'ecc', curve: 'curve25519Legacy' })
      : await openpgp.generateKey({ ...base, type: 'rsa', rsaBits: kind === 'rsa3072' ? 3072 : 2048 });
  const parsed = await openpgp.readKey({ armoredKey: publicKey });
  return {
    name,
    email,
    publicArmored: publicKey,
    privateArmored: privateKey,
    passphrase,
    fingerprint: parsed.getFingerprint().toUpperCase(),
    keyId: parsed.getKeyID().toHex().toUpperCase(),
  };
}

/** A passphrase-protected v4 key (Ed25519/Cv25519 legacy by default), cached by name. */
export function testKey(name: string, o: MakeKeyOptions = {}): Promise<TestKey> {
  let p = cache.get(name);
  if (p === undefined) {
    p = generate(name, o);
    cache.set(name, p);
  }
  return p;
}

/** The same key with a revocation certificate applied (public part). */
export async function revokedPublic(k: TestKey): Promise<string> {
  const privateKey = await openpgp.decryptKey({
    privateKey: await openpgp.readPrivateKey({ armoredKey: k.privateArmored }),
    passphrase: k.passphrase,
  });
  const { publicKey } = await openpgp.revokeKey({ key: privateKey, format: 'armored' });
  return publicKey;
}

export function unlockable(k: TestKey): { armored: string; passphrase: string } {
  return { armored: k.privateArmored, passphrase: k.passphrase };
}

// ------------------------------------------------------------ stream helpers for the kriptogram tests

import { Readable, Writable } from 'node:stream';

/** A Readable that yields `data` in pieces of `size` bytes (exercises chunk boundaries). */
export function chunked(data: Buffer, size = 64 * 1024): Readable {
  const pieces: Buffer[] = [];
  for (let i = 0; i < data.length; i += size) pieces.push(data.subarray(i, i + size));
  return Readable.from(pieces, { objectMode: false });
}

/** A Writable that keeps what it receives; `bytes` counts every byte ever written to it. */
export class MemorySink extends Writable {
  readonly parts: Buffer[] = [];
  bytes = 0;
  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (e?: Error | null) => void): void {
    this.parts.push(Buffer.from(chunk));
    this.bytes += chunk.length;
    cb();
  }
  data(): Buffer {
    return Buffer.concat(this.parts);
  }
}
