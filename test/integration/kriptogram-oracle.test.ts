/**
 * Issue 17 §1 and §2 (RSA): an attacker who can send the office a kriptogram and read the reason it was
 * refused must learn nothing about any plaintext. These tests build the attacks of the review and assert
 * one answer for every forged message.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import * as openpgp from 'openpgp';
import { decryptKriptogram, encryptKriptogram, type DecryptKriptogramOptions } from '../../src/adapters/openpgp/kriptogram.js';
import { TAG } from '../../src/adapters/openpgp/packets.js';
import { SandiError } from '../../src/errors.js';
import { encodeProtectedEntity } from '../../src/formats/protected-headers.js';
import { chunked, MemorySink, testKey, unlockable, type TestKey } from '../helpers/keys-fixture.js';
import { openWith, splitPackets, joinPackets, withCiphertext, type Opened } from '../helpers/kriptogram-surgery.js';

let sandiman: TestKey;
let kasi: TestKey;
let dinkes: TestKey;

beforeAll(async () => {
  [sandiman, kasi, dinkes] = await Promise.all([testKey('Sandiman'), testKey('Kasi'), testKey('Dinas Kesehatan')]);
});

async function makeKriptogram(doc: Buffer, recipients: TestKey[]): Promise<Buffer> {
  const out = new MemorySink();
  await encryptKriptogram({
    input: chunked(doc),
    output: out,
    fileName: 'Nota.pdf',
    headers: { subject: 'Rahasia: rencana pengamanan', registerNumber: 'RH.15/V/2026', classification: 'Rahasia' },
    recipientKeys: recipients.map((k) => k.publicArmored),
    signingKeys: [unlockable(sandiman), unlockable(kasi)],
  });
  return out.data();
}

/** The refusal (or null on success); asserts nothing was written and the spool is gone either way. */
async function refusal(k: Buffer, extra: Partial<DecryptKriptogramOptions> = {}): Promise<SandiError | null> {
  const spoolParent = mkdtempSync(join(tmpdir(), 'sandi-test-spool-'));
  const out = new MemorySink();
  try {
    await decryptKriptogram({
      input: chunked(k),
      output: out,
      decryptionKeys: [unlockable(dinkes)],
      verificationKeys: [sandiman.publicArmored, kasi.publicArmored],
      tmpDir: spoolParent,
      ...extra,
    });
    return null;
  } catch (e) {
    expect(out.bytes).toBe(0);
    if (!(e instanceof SandiError)) throw e;
    return e;
  } finally {
    expect(readdirSync(spoolParent)).toEqual([]);
    rmSync(spoolParent, { recursive: true, force: true });
  }
}

/** The answer an attacker reads: the error code and message key. */
const answer = (e: SandiError | null): string => (e === null ? 'accepted' : `${e.code} ${e.key}`);

describe('no decryption oracle in the inner packets (issue 17 §1)', () => {
  let o: Opened;
  beforeAll(async () => {
    o = await openWith(await makeKriptogram(randomBytes(3000), [dinkes]), dinkes);
  });

  /**
   * The review's attack. Plaintext bytes 18–31 are the first one-pass signature (public fields and a known
   * key id): flipping ciphertext block 1 turns bytes 18–23 into a compressed packet (algorithm 0) of the
   * attacker's length L holding a padding packet with a 512-byte partial length. Ciphertext blocks t-1, t
   * of the original are spliced at blocks 32, 33, so the octet read as the padding's next length is byte 8
   * of plaintext block t: "truncated" meant that byte > L - 516, anything else that it was not.
   */
  function forged(t: number, L: number, innerTag: number = TAG.PADDING): Buffer {
    const c = o.ciphertext;
    const p = o.plaintext;
    const chosen = Buffer.from([0xc8, ((L - 192) >> 8) + 192, (L - 192) & 0xff, 0x00, 0xc0 | innerTag, 0xe9]);
    const block1 = Buffer.from(c.subarray(0, 32));
    for (let j = 0; j < chosen.length; j++) block1[18 + j] = block1[18 + j]! ^ p[18 + j]! ^ chosen[j]!;
    return withCiphertext(o, Buffer.concat([block1, c.subarray(32, 512), c.subarray(16 * (t - 1))]));
  }

  it('the bytes the attack flips are public: a one-pass signature header, version, type and algorithms', () => {
    expect([...o.plaintext.subarray(18, 24)]).toEqual([0xc4, 0x0d, 3, 0, openpgp.enums.hash.sha256, openpgp.enums.publicKey.eddsaLegacy]);
  });

  it('every forged kriptogram gets one answer, whatever the spliced plaintext byte is', async () => {
    const answers = new Map<string, string[]>();
    for (const t of [60, 90, 120]) {
      const x = o.plaintext[16 * t + 8]!;
      expect(x).toBeLessThan(192); // base64 text of the document: a one-octet length
      for (const L of [300, 516 + x - 20, 516 + x - 1, 516 + x, 516 + x + 1, 516 + x + 40]) {
        for (const tag of [TAG.PADDING, TAG.LITERAL, TAG.MARKER]) {
          const a = answer(await refusal(forged(t, L, tag)));
          answers.set(a, [...(answers.get(a) ?? []), `t=${t} L=${L} tag=${tag}`]);
        }
      }
    }
    expect(Object.fromEntries(answers)).toEqual({ 'INTEGRITY kriptogram.tampered': expect.any(Array) as unknown });
  });

  it('an inner packet longer than the plaintext, a bad inner packet, a refused signature type: all "tampered" without a valid MDC', async () => {
    const c = o.ciphertext;
    const p = o.plaintext;
    const variants: Buffer[][] = [
      [0xc4, 0xff, 0x10, 0x00, 0x00, 0x00], // one-pass signature with a 1 MiB definite length
      [0xc4, 0x0d, 3, 1, 8, 22], // one-pass signature of type 0x01 (text): refused by type when authentic
      [0xc4, 0x0d, 9, 0, 8, 22], // one-pass signature version 9: "unsupported" when authentic
      [0xc8, 0x05, 7, 0, 0, 0], // compressed, algorithm 7: "unsupported" when authentic
      [0xc8, 0x05, 1, 0xff, 0xff, 0xff], // ZIP with broken deflate data (zlib never called back: this hung)
      [0x3f, 0, 0, 0, 0, 0], // not a packet header
    ].map((v) => [Buffer.from(v)]);
    const answers = new Set<string>();
    for (const [chosen] of variants) {
      const block1 = Buffer.from(c.subarray(0, 32));
      for (let j = 0; j < chosen!.length; j++) block1[18 + j] = block1[18 + j]! ^ p[18 + j]! ^ chosen![j]!;
      answers.add(answer(await refusal(withCiphertext(o, Buffer.concat([block1, c.subarray(32)])))));
    }
    expect([...answers]).toEqual(['INTEGRITY kriptogram.tampered']);
  });
});

describe('no RSA padding oracle (issue 17 §2)', () => {
  let rsa: TestKey;
  let k: Buffer;
  beforeAll(async () => {
    rsa = await testKey('Arsip RSA', { kind: 'rsa3072' });
    k = await makeKriptogram(randomBytes(2000), [rsa]);
  });

  const big = (b: Uint8Array): bigint => BigInt(`0x${Buffer.from(b).toString('hex') || '0'}`);
  function modPow(b: bigint, e: bigint, m: bigint): bigint {
    let r = 1n;
    let x = b % m;
    for (let y = e; y > 0n; y >>= 1n) {
      if (y & 1n) r = (r * x) % m;
      x = (x * x) % m;
    }
    return r;
  }

  /** A PKESK v3 for the RSA key whose RSA plaintext is `m` (an attacker can encrypt anything to a public key). */
  async function pkeskWith(m: Buffer): Promise<Buffer> {
    const key = await openpgp.readKey({ armoredKey: rsa.publicArmored });
    const enc = await key.getEncryptionKey();
    const { n, e } = enc.keyPacket.publicParams as { n: Uint8Array; e: Uint8Array };
    const c = modPow(big(m), big(e), big(n));
    const hex = c.toString(16);
    const bytes = Buffer.from(hex.length % 2 === 1 ? `0${hex}` : hex, 'hex');
    const bits = Buffer.alloc(2);
    bits.writeUInt16BE(c.toString(2).length);
    const keyId = Buffer.from(enc.getKeyID().toHex(), 'hex');
    return Buffer.concat([Buffer.from([3]), keyId, Buffer.from([openpgp.enums.publicKey.rsaEncryptSign]), bits, bytes]);
  }

  /** EME-PKCS1-v1_5 of `data` for a modulus of `len` bytes. */
  function eme(data: Buffer, len: number): Buffer {
    const ps = Buffer.alloc(len - 3 - data.length);
    for (let i = 0; i < ps.length; i++) ps[i] = 1 + (randomBytes(1)[0]! % 255);
    return Buffer.concat([Buffer.from([0, 2]), ps, Buffer.from([0]), data]);
  }

  function checksum(b: Buffer): Buffer {
    let s = 0;
    for (const x of b) s = (s + x) & 0xffff;
    return Buffer.from([s >> 8, s & 0xff]);
  }

  it('bad PKCS#1 padding and a wrong session key get the same answer (and a real message still opens)', async () => {
    const ok = await refusal(k, { decryptionKeys: [unlockable(rsa)] });
    expect(ok).toBeNull();
    const len = 384;
    const sk = randomBytes(32);
    const badPadding = randomBytes(len);
    badPadding[0] = 0;
    badPadding[1] = 0x7f;
    const cases: Record<string, Buffer> = {
      'bad padding': badPadding,
      'padding without the zero separator': Buffer.concat([Buffer.from([0, 2]), Buffer.alloc(len - 2, 0x55)]),
      'good padding, bad checksum': eme(Buffer.concat([Buffer.from([9]), sk, Buffer.from([0, 0])]), len),
      'good padding, unknown cipher': eme(Buffer.concat([Buffer.from([99]), sk, checksum(sk)]), len),
      'good padding, wrong session key': eme(Buffer.concat([Buffer.from([9]), sk, checksum(sk)]), len),
    };
    const packets = await splitPackets(k);
    const answers: Record<string, string> = {};
    for (const [what, m] of Object.entries(cases)) {
      const body = await pkeskWith(m);
      const msg = joinPackets(packets.map((p) => (p.tag === TAG.PKESK ? { tag: TAG.PKESK, body } : p)));
      answers[what] = answer(await refusal(msg, { decryptionKeys: [unlockable(rsa)] }));
    }
    expect(new Set(Object.values(answers)), JSON.stringify(answers)).toEqual(new Set(['INTEGRITY kriptogram.tampered']));
  }, 120_000);

  it('with constant-time PKCS#1, AES-128, -192 and -256 messages to an RSA key still open (the quick check picks the key)', async () => {
    const parts: Buffer[] = [];
    const doc = randomBytes(5000);
    for await (const p of encodeProtectedEntity(chunked(doc) as AsyncIterable<Uint8Array>, { headers: { subject: 's' }, fileName: 'a.bin', boundary: '=_uji' })) parts.push(p);
    const signer = await openpgp.decryptKey({ privateKey: await openpgp.readPrivateKey({ armoredKey: sandiman.privateArmored }), passphrase: sandiman.passphrase });
    const { aes128, aes192, aes256 } = openpgp.enums.symmetric;
    for (const algo of [aes128, aes192, aes256]) {
      const msg = await openpgp.encrypt({
        message: await openpgp.createMessage({ binary: Buffer.concat(parts) }),
        encryptionKeys: await openpgp.readKey({ armoredKey: rsa.publicArmored }),
        signingKeys: signer,
        format: 'binary',
        config: { aeadProtect: false, preferredSymmetricAlgorithm: algo, preferredCompressionAlgorithm: openpgp.enums.compression.uncompressed },
      });
      // openpgp.js makes three candidate keys in parallel: their order varies, so open each a few times
      for (let i = 0; i < 4; i++) expect(await refusal(Buffer.from(msg), { decryptionKeys: [unlockable(rsa)], verificationKeys: [sandiman.publicArmored] })).toBeNull();
    }
  });
});
