/**
 * The kriptogram's AES-CFB runs on the hash worker (issue 16, round 2): the ciphertext it hands back, in
 * batches of the mdc stream, and the MDC it encrypts at the end must be byte for byte what OpenSSL's
 * aes-256-cfb (zero IV, SEIPDv1) makes of the same plaintext followed by D3 14 ‖ SHA-1(plaintext ‖ D3 14).
 */
import { createCipheriv, createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { OffThreadHasher } from '../../src/adapters/openpgp/kriptogram-hasher.js';

describe('OffThreadHasher encrypt mode', () => {
  it('returns the SEIPDv1 ciphertext of everything sent to the mdc stream, MDC last, in order', async () => {
    const key = randomBytes(32);
    // pieces of odd sizes across several 1 MiB batches, document and non-document bytes mixed
    const pieces = [randomBytes(18), randomBytes(1000), randomBytes(1024 * 1024 + 7), randomBytes(3), randomBytes(2 * 1024 * 1024 - 5)];
    const hasher = new OffThreadHasher();
    const got: Buffer[] = [];
    try {
      hasher.addAlgorithm('sha256');
      hasher.encryptStart('aes-256-cfb', key);
      for (const [i, p] of pieces.entries()) {
        if (i % 2 === 0) await hasher.mdc(p);
        else await hasher.mdcAndLiteral(p);
        got.push(...hasher.takeCiphertext());
      }
      got.push(...(await hasher.encryptFinish(Buffer.from([0xd3, 0x14]))));
    } finally {
      await hasher.close();
    }
    const plain = Buffer.concat([...pieces, Buffer.from([0xd3, 0x14])]);
    const mdc = createHash('sha1').update(plain).digest();
    const c = createCipheriv('aes-256-cfb', key, Buffer.alloc(16));
    const want = Buffer.concat([c.update(Buffer.concat([plain, mdc])), c.final()]);
    expect(Buffer.concat(got).equals(want)).toBe(true);
  });
});
