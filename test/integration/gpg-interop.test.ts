/**
 * Interop with GnuPG 2.2 (Debian), stock settings: gpg decrypts and verifies what sandi writes, and sandi
 * reads what gpg writes — including gpg's default compressed output.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { decryptKriptogram, encryptKriptogram } from '../../src/adapters/openpgp/kriptogram.js';
import { encodeProtectedEntity, ProtectedEntityReader } from '../../src/formats/protected-headers.js';
import { describeWith } from '../helpers/gate.js';
import { GpgHome, goodSigs, HAVE_GPG } from '../helpers/gpg.js';
import { chunked, MemorySink, testKey, unlockable, type TestKey } from '../helpers/keys-fixture.js';

const PASS = 'frasa sandi uji interop';

describeWith('gpg', HAVE_GPG, 'GnuPG interop', () => {
  let gpg: GpgHome;
  let sandiman: TestKey;
  let kasi: TestKey;
  let penerima: TestKey;
  let arsip: TestKey;
  let rsa: TestKey;

  beforeAll(async () => {
    // one passphrase for all: gpg signing with two keys in --batch takes one loopback passphrase
    const passphrase = PASS;
    [sandiman, kasi, penerima, arsip, rsa] = await Promise.all([
      testKey('Sandiman', { passphrase }),
      testKey('Kasi', { passphrase }),
      testKey('Penerima', { passphrase, prefersCompression: true }),
      testKey('Arsip', { passphrase }),
      testKey('Unit RSA', { kind: 'rsa3072', passphrase }),
    ]);
    gpg = new GpgHome();
    for (const k of [sandiman, kasi, penerima, arsip, rsa]) await gpg.importKey(k.privateArmored);
    gpg.trust([sandiman, kasi, penerima, arsip, rsa].map((k) => k.fingerprint));
  });

  afterAll(() => gpg?.cleanup());

  async function sandiEncrypt(doc: Buffer, signers: TestKey[], recipients: TestKey[], armor: boolean): Promise<Buffer> {
    const out = new MemorySink();
    await encryptKriptogram({
      input: chunked(doc),
      output: out,
      fileName: 'laporan-ü.pdf',
      headers: { subject: 'Laporan pengamanan — triwulan II', registerNumber: 'RH.7/VI/2026', classification: 'Sangat Rahasia' },
      recipientKeys: recipients.map((k) => k.publicArmored),
      signingKeys: signers.map(unlockable),
      armor,
    });
    return out.data();
  }

  /** What gpg printed is the protected-headers entity; decode it back to the document. */
  function documentFromEntity(entity: Buffer): { doc: Buffer; subject: string; fileName: string } {
    const r = new ProtectedEntityReader('x');
    const parts = r.push(entity);
    const end = r.end();
    return { doc: Buffer.concat([...parts, ...end.tail]), subject: end.result.headers.subject, fileName: end.result.fileName };
  }

  for (const armor of [false, true]) {
    it(`gpg decrypts a sandi kriptogram (${armor ? 'armored' : 'binary'}) and shows both signatures as good`, async () => {
      const doc = randomBytes(300_000);
      const k = await sandiEncrypt(doc, [sandiman, kasi], [penerima, arsip], armor);
      for (const reader of [penerima, arsip]) {
        // a home holding only this reader's secret key proves the message is encrypted to it
        const home = new GpgHome();
        try {
          await home.importKey(reader.privateArmored);
          await home.importKey(sandiman.publicArmored);
          await home.importKey(kasi.publicArmored);
          const r = await home.run(['--decrypt'], k, reader.passphrase);
          expect(r.code, r.stderr).toBe(0);
          expect(r.status).toContain('DECRYPTION_OKAY');
          expect(r.status.some((s) => s.startsWith('GOODMDC') || s === 'DECRYPTION_OKAY')).toBe(true);
          expect(goodSigs(r.status).sort()).toEqual([sandiman.keyId, kasi.keyId].sort());
          expect(r.status.some((s) => /^(BADSIG|ERRSIG|DECRYPTION_FAILED)/.test(s))).toBe(false);
          const got = documentFromEntity(r.stdout);
          expect(got.doc.equals(doc)).toBe(true);
          expect(got.subject).toBe('Laporan pengamanan — triwulan II');
          expect(got.fileName).toBe('laporan-ü.pdf');
        } finally {
          home.cleanup();
        }
      }
    });
  }

  it('gpg reads a kriptogram to and from RSA 3072 keys', async () => {
    const doc = randomBytes(10_000);
    const k = await sandiEncrypt(doc, [rsa, kasi], [rsa], false);
    const r = await gpg.run(['--decrypt'], k, rsa.passphrase);
    expect(r.code, r.stderr).toBe(0);
    expect(goodSigs(r.status).sort()).toEqual([rsa.keyId, kasi.keyId].sort());
    expect(documentFromEntity(r.stdout).doc.equals(doc)).toBe(true);
  });

  async function entity(doc: Buffer): Promise<Buffer> {
    const parts: Buffer[] = [];
    for await (const p of encodeProtectedEntity(chunked(doc) as AsyncIterable<Uint8Array>, {
      headers: { subject: 'Dari GnuPG', registerNumber: 'RH.9/2026', classification: 'Rahasia' },
      fileName: 'dari-gpg.pdf',
      boundary: '=_gpg_test',
    }))
      parts.push(p);
    return Buffer.concat(parts);
  }

  async function sandiDecrypt(k: Buffer, verificationKeys: TestKey[] = [sandiman, kasi]) {
    const spoolParent = mkdtempSync(join(tmpdir(), 'sandi-test-spool-'));
    const out = new MemorySink();
    try {
      const result = await decryptKriptogram({
        input: chunked(k),
        output: out,
        decryptionKeys: [unlockable(penerima)],
        verificationKeys: verificationKeys.map((v) => v.publicArmored),
        tmpDir: spoolParent,
      });
      return { result, data: out.data() };
    } finally {
      expect(readdirSync(spoolParent)).toEqual([]);
      rmSync(spoolParent, { recursive: true, force: true });
    }
  }

  for (const variant of ['default (compressed)', 'uncompressed -z 0', 'armored'] as const) {
    it(`sandi decrypts and verifies what gpg made: ${variant}`, async () => {
      // compressible content, so gpg's default really compresses
      const doc = Buffer.concat([Buffer.from('Nota dinas. '.repeat(30_000)), randomBytes(50_000)]);
      const plain = gpg.file(`in-${variant.length}.eml`, await entity(doc));
      const extra = variant === 'uncompressed -z 0' ? ['-z', '0'] : variant === 'armored' ? ['--armor'] : [];
      const made = await gpg.run(
        [...extra, '--encrypt', '--sign', '-r', penerima.fingerprint, '-u', sandiman.fingerprint, '-u', kasi.fingerprint, '--output', '-', plain],
        undefined,
        PASS,
      );
      expect(made.code, made.stderr).toBe(0);
      const listed = await gpg.run(['--list-packets'], made.stdout, penerima.passphrase);
      if (variant === 'default (compressed)') expect(listed.stdout.toString()).toMatch(/compressed packet/);
      const r = await sandiDecrypt(made.stdout);
      expect(r.data.equals(doc)).toBe(true);
      expect(r.result.headers.subject).toBe('Dari GnuPG');
      expect(r.result.fileName).toBe('dari-gpg.pdf');
      expect(r.result.signers.map((s) => [s.keyId, s.status]).sort()).toEqual(
        [
          [sandiman.keyId, 'good'],
          [kasi.keyId, 'good'],
        ].sort(),
      );
    });
  }

  it('sandi reads a plain file gpg encrypted (no protected headers) as the document itself', async () => {
    const doc = randomBytes(70_000);
    const plain = gpg.file('scan.pdf', doc);
    const made = await gpg.run(['--encrypt', '--sign', '-r', penerima.fingerprint, '-u', sandiman.fingerprint, '--output', '-', plain], undefined, PASS);
    expect(made.code, made.stderr).toBe(0);
    const r = await sandiDecrypt(made.stdout);
    expect(r.data.equals(doc)).toBe(true);
    expect(r.result.fileName).toBe('scan.pdf');
    expect(r.result.signers.map((s) => s.status)).toEqual(['good']);
  });

  it('a gpg message signed by a key not in the book is refused', async () => {
    const plain = gpg.file('x.eml', await entity(Buffer.from('rahasia')));
    const made = await gpg.run(['--encrypt', '--sign', '-r', penerima.fingerprint, '-u', arsip.fingerprint, '--output', '-', plain], undefined, PASS);
    expect(made.code, made.stderr).toBe(0);
    await expect(sandiDecrypt(made.stdout)).rejects.toMatchObject({ code: 'SIGNATURE', key: 'kriptogram.unknownSigner' });
  });
});
