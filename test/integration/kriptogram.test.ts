/**
 * The kriptogram module end to end with real openpgp.js keys: round trips, every refusal class with zero
 * output bytes and no spool left behind, compressed input with its bound.
 */
import { describe, expect, it, beforeAll } from 'vitest';
import { closeSync, existsSync, mkdtempSync, openSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import * as openpgp from 'openpgp';
import { decryptKriptogram, encryptKriptogram, type DecryptKriptogramOptions } from '../../src/adapters/openpgp/kriptogram.js';
import { spoolFdForTestsOnly } from '../../src/adapters/openpgp/kriptogram-hasher.js';
import { packet, TAG } from '../../src/adapters/openpgp/packets.js';
import { encodeProtectedEntity } from '../../src/formats/protected-headers.js';
import { SandiError } from '../../src/errors.js';
import { chunked, MemorySink, revokedPublic, testKey, unlockable, type TestKey } from '../helpers/keys-fixture.js';

let sandiman: TestKey;
let kasi: TestKey;
let dinkes: TestKey;
let arsip: TestKey;
let stranger: TestKey;

beforeAll(async () => {
  [sandiman, kasi, dinkes, arsip, stranger] = await Promise.all([
    testKey('Sandiman'),
    testKey('Kasi'),
    testKey('Dinas Kesehatan'),
    testKey('Arsip Kantor'),
    testKey('Orang Asing'),
  ]);
});

async function makeKriptogram(doc: Buffer, o: { armor?: boolean; signers?: TestKey[]; recipients?: TestKey[]; chunk?: number } = {}): Promise<Buffer> {
  const out = new MemorySink();
  const res = await encryptKriptogram({
    input: chunked(doc, o.chunk ?? 64 * 1024),
    output: out,
    fileName: 'Nota Dinas Rahasia — Mei.pdf',
    headers: { subject: 'Rapat koordinasi pengamanan', registerNumber: 'RH.15/V/2026', classification: 'Rahasia' },
    recipientKeys: (o.recipients ?? [dinkes, arsip]).map((k) => k.publicArmored),
    signingKeys: (o.signers ?? [sandiman, kasi]).map(unlockable),
    ...(o.armor === undefined ? {} : { armor: o.armor }),
  });
  expect(res.bytesIn).toBe(doc.length);
  expect(res.bytesOut).toBe(out.bytes);
  return out.data();
}

/** Decrypt in a fresh spool folder; on refusal check that nothing was written and the spool is gone. */
async function open(k: Buffer, extra: Partial<DecryptKriptogramOptions> = {}, chunk = 64 * 1024) {
  const spoolParent = mkdtempSync(join(tmpdir(), 'sandi-test-spool-'));
  const out = new MemorySink();
  try {
    const result = await decryptKriptogram({
      input: chunked(k, chunk),
      output: out,
      decryptionKeys: [unlockable(dinkes)],
      verificationKeys: [sandiman.publicArmored, kasi.publicArmored],
      tmpDir: spoolParent,
      ...extra,
    });
    expect(readdirSync(spoolParent)).toEqual([]);
    return { result, data: out.data(), error: null as SandiError | null, outBytes: out.bytes };
  } catch (e) {
    expect(out.bytes).toBe(0);
    expect(readdirSync(spoolParent)).toEqual([]);
    if (!(e instanceof SandiError)) throw e;
    return { result: null, data: Buffer.alloc(0), error: e, outBytes: out.bytes };
  } finally {
    rmSync(spoolParent, { recursive: true, force: true });
  }
}

function flip(b: Buffer, at: number): Buffer {
  const c = Buffer.from(b);
  c[at] = c[at]! ^ 0x01;
  return c;
}

async function entityOf(doc: Buffer): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const p of encodeProtectedEntity(chunked(doc) as AsyncIterable<Uint8Array>, {
    headers: { subject: 'dari gpg', registerNumber: 'B.1/2026' },
    fileName: 'x.bin',
    boundary: '=_test_boundary',
  }))
    parts.push(p);
  return Buffer.concat(parts);
}

interface Inner {
  data: Buffer;
  /** a detached signature packet list (bytes) and the one-pass packet announcing it */
  signed?: { sig: Buffer; ops: Buffer };
}

/**
 * A SEIPDv1 message made by openpgp.js around packets we choose (to build valid-MDC, bad-signature
 * cases): one-pass signature, literal data, signature — assembled as packet objects, encrypted by openpgp.js.
 */
async function craft(inner: Inner, recipients: TestKey[], compression = openpgp.enums.compression.uncompressed): Promise<Buffer> {
  const list = new openpgp.PacketList<openpgp.AnyPacket>();
  let sigPackets: openpgp.AnyPacket[] = [];
  if (inner.signed !== undefined) {
    const ops = new openpgp.OnePassSignaturePacket();
    (ops as unknown as { read(b: Uint8Array): void }).read(inner.signed.ops.subarray(2));
    list.push(ops);
    sigPackets = [...(await openpgp.readSignature({ binarySignature: inner.signed.sig })).packets];
  }
  const lit = new openpgp.LiteralDataPacket();
  (lit as unknown as { setBytes(b: Uint8Array, f: openpgp.enums.literal): void }).setBytes(inner.data, openpgp.enums.literal.binary);
  list.push(lit, ...sigPackets);
  const enc = await openpgp.encrypt({
    message: new openpgp.Message(list),
    encryptionKeys: await Promise.all(recipients.map((r) => openpgp.readKey({ armoredKey: r.publicArmored }))),
    format: 'binary',
    config: { aeadProtect: false, preferredCompressionAlgorithm: compression },
  });
  return Buffer.from(enc);
}

async function detachedSig(signer: TestKey, over: Buffer): Promise<{ sig: Buffer; ops: Buffer }> {
  const key = await openpgp.decryptKey({ privateKey: await openpgp.readPrivateKey({ armoredKey: signer.privateArmored }), passphrase: signer.passphrase });
  const s = await openpgp.sign({ message: await openpgp.createMessage({ binary: over }), signingKeys: key, detached: true, format: 'object' });
  const p = s.packets[0] as openpgp.SignaturePacket;
  const ops = packet(
    TAG.ONE_PASS_SIGNATURE,
    Buffer.concat([Buffer.from([3, 0, p.hashAlgorithm!, p.publicKeyAlgorithm!]), Buffer.from(p.issuerKeyID.toHex(), 'hex'), Buffer.from([1])]),
  );
  return { sig: Buffer.from(s.write() as Uint8Array), ops };
}


describe('kriptogram round trip', () => {
  it('encrypts to every recipient, signs with every key, and gives back the document and headers', async () => {
    const doc = randomBytes(200_000);
    const k = await makeKriptogram(doc);
    for (const reader of [dinkes, arsip]) {
      const r = await open(k, { decryptionKeys: [unlockable(reader)] });
      expect(r.error).toBeNull();
      expect(r.data.equals(doc)).toBe(true);
      expect(r.result!.bytes).toBe(doc.length);
      expect(r.result!.fileName).toBe('Nota Dinas Rahasia — Mei.pdf');
      expect(r.result!.headers).toEqual({ subject: 'Rapat koordinasi pengamanan', registerNumber: 'RH.15/V/2026', classification: 'Rahasia' });
      expect(r.result!.signers.map((s) => [s.fingerprint, s.status])).toEqual([
        [sandiman.fingerprint, 'good'],
        [kasi.fingerprint, 'good'],
      ]);
    }
  });

  it('works armored, with empty and odd-sized documents, and with tiny input/output chunks', async () => {
    for (const size of [0, 1, 56, 57, 58, 65_535, 65_536, 65_537, 300_001]) {
      const doc = randomBytes(size);
      const armor = size % 2 === 1;
      const k = await makeKriptogram(doc, { armor, chunk: size > 1000 ? 7777 : 3 });
      if (armor) expect(k.subarray(0, 27).toString()).toBe('-----BEGIN PGP MESSAGE-----');
      const r = await open(k, {}, size > 1000 ? 4099 : 5);
      expect(r.error).toBeNull();
      expect(r.data.equals(doc)).toBe(true);
    }
  });

  it('is not readable by a key that is not a recipient', async () => {
    const k = await makeKriptogram(randomBytes(1000));
    const r = await open(k, { decryptionKeys: [unlockable(stranger)] });
    expect(r.error?.code).toBe('PERMISSION');
    expect(r.error?.key).toBe('kriptogram.notAddressedToUs');
  });

  it('refuses a wrong passphrase with PERMISSION', async () => {
    const k = await makeKriptogram(randomBytes(10));
    const r = await open(k, { decryptionKeys: [{ armored: dinkes.privateArmored, passphrase: 'salah' }] });
    expect(r.error?.code).toBe('PERMISSION');
    expect(r.error?.key).toBe('kriptogram.wrongPassphrase');
  });

  it('works with RSA 3072 recipients and signers, and refuses RSA 2048 for new work', async () => {
    const rsa = await testKey('Unit RSA', { kind: 'rsa3072' });
    const weak = await testKey('Unit Lemah', { kind: 'rsa2048' });
    const doc = randomBytes(5000);
    const k = await makeKriptogram(doc, { recipients: [rsa, arsip], signers: [rsa, kasi] });
    const r = await open(k, { decryptionKeys: [unlockable(rsa)], verificationKeys: [rsa.publicArmored, kasi.publicArmored] });
    expect(r.error).toBeNull();
    expect(r.data.equals(doc)).toBe(true);
    expect(r.result!.signers.every((s) => s.status === 'good')).toBe(true);
    await expect(makeKriptogram(doc, { recipients: [weak] })).rejects.toMatchObject({ code: 'KEY_REFUSED', key: 'kriptogram.keyTooWeak' });
    await expect(makeKriptogram(doc, { signers: [weak] })).rejects.toMatchObject({ code: 'KEY_REFUSED', key: 'kriptogram.keyTooWeak' });
  });

  it('signs with SHA-256 for Ed25519 keys (openpgp.js would pick SHA-512), and the one-pass packets say so', async () => {
    const out = new MemorySink();
    const res = await encryptKriptogram({
      input: chunked(randomBytes(1000)),
      output: out,
      fileName: 'a.pdf',
      headers: { subject: 's' },
      recipientKeys: [dinkes.publicArmored],
      signingKeys: [unlockable(sandiman), unlockable(kasi)],
    });
    // v4 signature body: version, type, public-key algorithm, hash algorithm …
    expect(res.signatures.map((b) => [b[0], b[2], b[3]])).toEqual([
      [4, openpgp.enums.publicKey.eddsaLegacy, openpgp.enums.hash.sha256],
      [4, openpgp.enums.publicKey.eddsaLegacy, openpgp.enums.hash.sha256],
    ]);
    const r = await open(out.data());
    expect(r.error).toBeNull();
    expect(r.result!.signers.map((s) => s.status)).toEqual(['good', 'good']);
  });

  it('refuses a revoked recipient key for new work', async () => {
    const revoked = await revokedPublic(dinkes);
    await expect(
      encryptKriptogram({
        input: chunked(Buffer.from('x')),
        output: new MemorySink(),
        fileName: 'a.txt',
        headers: { subject: 's' },
        recipientKeys: [revoked],
        signingKeys: [unlockable(sandiman)],
      }),
    ).rejects.toMatchObject({ code: 'KEY_REFUSED', key: 'kriptogram.recipientKeyRefused' });
  });
});

describe('kriptogram refusals (nothing released, spool deleted)', () => {
  let doc: Buffer;
  let k: Buffer;
  beforeAll(async () => {
    doc = randomBytes(150_000);
    // one recipient, so the first packet is our PKESK
    k = await makeKriptogram(doc, { recipients: [dinkes] });
  });

  it('flipped bytes: packet header, our session key, middle of the data, near the MDC, inside a signature', async () => {
    const pkeskLen = 2 + k[1]!; // new-format header with a one-octet length
    const positions: [string, number, string][] = [
      ['first packet header', 0, 'INTEGRITY'],
      ['our encrypted session key', pkeskLen - 1, 'INTEGRITY'],
      ['SEIPD version', pkeskLen + 2, 'INTEGRITY'],
      ['start of ciphertext', pkeskLen + 5, 'INTEGRITY'],
      ['middle of the data', Math.floor(k.length / 2), 'INTEGRITY'],
      ['inside a signature packet', k.length - 22 - 60, 'INTEGRITY'],
      ['near the MDC', k.length - 5, 'INTEGRITY'],
      ['last byte', k.length - 1, 'INTEGRITY'],
    ];
    for (const [what, at, code] of positions) {
      const r = await open(flip(k, at));
      expect(r.error?.code, what).toBe(code);
      expect(r.outBytes, what).toBe(0);
    }
  });

  it('flips at 40 evenly spread positions are all refused', async () => {
    const codes = new Set<string>();
    for (let i = 0; i < 40; i++) {
      const at = Math.floor((i * (k.length - 1)) / 39);
      const r = await open(flip(k, at));
      expect(r.error, `flip at ${at}`).not.toBeNull();
      codes.add(r.error!.code);
    }
    expect([...codes].every((c) => ['INTEGRITY', 'PERMISSION', 'DATA'].includes(c))).toBe(true);
  });

  it('truncation anywhere is refused as INTEGRITY (truncated)', async () => {
    for (const cut of [1, 50, Math.floor(k.length / 2), k.length - 30, k.length - 1]) {
      const r = await open(k.subarray(0, cut));
      expect(r.error?.code, `cut at ${cut}`).toBe('INTEGRITY');
    }
    const r = await open(k.subarray(0, k.length - 1000));
    expect(r.error?.key).toBe('kriptogram.truncated');
  });

  it('a tampered message names tampering', async () => {
    const r = await open(flip(k, Math.floor(k.length / 2)));
    expect(r.error?.key).toBe('kriptogram.tampered');
  });

  it('garbage and trailing data are malformed', async () => {
    const garbage = randomBytes(5000);
    garbage[0] = 0x12; // not a packet header (bit 7 clear); random first bytes could name a real packet type
    expect((await open(garbage)).error?.key).toBe('kriptogram.malformed');
    expect((await open(Buffer.from('bukan pesan OpenPGP'))).error?.code).toBe('INTEGRITY');
    expect((await open(Buffer.concat([k, Buffer.from([0xc2, 0x01, 0x00])]))).error?.key).toBe('kriptogram.malformed');
  });

  it('an unsigned message is refused with SIGNATURE unless signatures are optional', async () => {
    const entity = await entityOf(doc);
    const unsigned = await craft({ data: entity }, [dinkes]);
    const r = await open(unsigned);
    expect(r.error?.code).toBe('SIGNATURE');
    expect(r.error?.key).toBe('kriptogram.unsigned');
    const ok = await open(unsigned, { requireSignature: false });
    expect(ok.error).toBeNull();
    expect(ok.data.equals(doc)).toBe(true);
    expect(ok.result!.signers).toEqual([]);
  });

  it('a signature by a key not in the address book is refused with SIGNATURE', async () => {
    const k2 = await makeKriptogram(doc, { signers: [stranger], recipients: [dinkes] });
    const r = await open(k2);
    expect(r.error?.code).toBe('SIGNATURE');
    expect(r.error?.key).toBe('kriptogram.unknownSigner');
    expect(r.error?.params['keyId']).toBe(stranger.keyId);
  });

  it('a bad signature (intact encryption, signature over other data) is refused with SIGNATURE', async () => {
    const entity = await entityOf(doc);
    const bad = await craft({ data: entity, signed: await detachedSig(sandiman, Buffer.concat([entity, Buffer.from('x')])) }, [dinkes]);
    const r = await open(bad);
    expect(r.error?.code).toBe('SIGNATURE');
    expect(r.error?.key).toBe('kriptogram.badSignature');
    // and the same construction with the right data verifies: the check is real
    const fine = await open(await craft({ data: entity, signed: await detachedSig(sandiman, entity) }, [dinkes]));
    expect(fine.error).toBeNull();
    expect(fine.data.equals(doc)).toBe(true);
  });

  it('a revoked signer is reported and refused', async () => {
    const r = await open(k, { verificationKeys: [await revokedPublic(sandiman), kasi.publicArmored] });
    expect(r.error?.code).toBe('SIGNATURE');
    expect(r.error?.key).toBe('kriptogram.signerRevoked');
  });

  it('requiredSigners counts good signatures', async () => {
    expect((await open(k, { requiredSigners: 2 })).error).toBeNull();
    const r = await open(k, { requiredSigners: 3 });
    expect(r.error?.key).toBe('kriptogram.notEnoughSigners');
  });

  it('compressed input (ZIP, ZLIB) is read, within a bound', async () => {
    const text = Buffer.from('Surat dinas. '.repeat(20_000));
    const entity = await entityOf(text);
    const signed = await detachedSig(sandiman, entity);
    for (const algo of [openpgp.enums.compression.zip, openpgp.enums.compression.zlib]) {
      const c = await craft({ data: entity, signed }, [dinkes], algo);
      expect(c.length).toBeLessThan(entity.length / 5);
      const r = await open(c);
      expect(r.error).toBeNull();
      expect(r.data.equals(text)).toBe(true);
      const limited = await open(c, { maxDecompressedBytes: 100_000 });
      expect(limited.error?.key).toBe('kriptogram.decompressionLimit');
    }
  });
});

describe('kriptogram: the spool cannot be written (security review 1)', () => {
  // /dev/full answers every write with a real ENOSPC: the spool worker gets it in place of the spool file's
  // descriptor through the hasher's test seam (the spool file itself is still made, and must be deleted)
  const full = existsSync('/dev/full');

  async function withFullDisk<T>(f: () => Promise<T>): Promise<T> {
    const fd = openSync('/dev/full', 'r+');
    spoolFdForTestsOnly.replace = () => fd;
    try {
      return await f();
    } finally {
      spoolFdForTestsOnly.replace = null;
      closeSync(fd);
    }
  }

  it.skipIf(!full)('a failed spool write mid-stream is refused with IO within seconds (it used to hang once 8 MiB were in flight)', async () => {
    const k = await makeKriptogram(randomBytes(24 * 1024 * 1024), { recipients: [dinkes], chunk: 1024 * 1024 });
    const t0 = Date.now();
    // open() checks: nothing written to the output, the spool folder deleted
    const r = await withFullDisk(() => open(k, {}, 1024 * 1024));
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(r.error?.code).toBe('IO');
    expect(r.error?.key).toBe('kriptogram.spoolIo');
    expect(r.error?.hint).toBe('kriptogram.spoolIo.hint');
    expect(r.error?.params['code']).toBe('ENOSPC');
    expect(String(r.error?.params['dir'])).toContain('sandi-test-spool-');
    // the worker is gone with its failure; the next decryption works normally
    const again = await open(k, {}, 1024 * 1024);
    expect(again.error).toBeNull();
  }, 30_000);

  it.skipIf(!full)('a failed write of the last record (small document) is refused with IO as well', async () => {
    const k = await makeKriptogram(randomBytes(1000), { recipients: [dinkes] });
    const r = await withFullDisk(() => open(k));
    expect(r.error?.code).toBe('IO');
    expect(r.error?.params['code']).toBe('ENOSPC');
  });

  it('a spool folder that does not exist is refused with IO naming it', async () => {
    const k = await makeKriptogram(randomBytes(1000), { recipients: [dinkes] });
    const missing = join(tmpdir(), `sandi-no-such-folder-${randomBytes(6).toString('hex')}`);
    const out = new MemorySink();
    const e = await decryptKriptogram({
      input: chunked(k),
      output: out,
      decryptionKeys: [unlockable(dinkes)],
      verificationKeys: [sandiman.publicArmored, kasi.publicArmored],
      tmpDir: missing,
    }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(SandiError);
    expect((e as SandiError).code).toBe('IO');
    expect((e as SandiError).params['dir']).toBe(missing);
    expect(out.bytes).toBe(0);
  });
});

describe('kriptogram: only binary document signatures count (security review 2, 3)', () => {
  let entity: Buffer;
  const doc = Buffer.from('Isi nota dinas.\r\nBaris kedua.\r\n');
  beforeAll(async () => {
    entity = await entityOf(doc);
  });

  async function privateOf(k: TestKey): Promise<openpgp.PrivateKey> {
    return openpgp.decryptKey({ privateKey: await openpgp.readPrivateKey({ armoredKey: k.privateArmored }), passphrase: k.passphrase });
  }

  /** A text-mode (0x01) signature over `over`, as `gpg --textmode` makes, and its one-pass packet (type 0x01). */
  async function textSig(signer: TestKey, over: Buffer): Promise<{ sig: Buffer; ops: Buffer; body: Buffer }> {
    const s = await openpgp.sign({ message: await openpgp.createMessage({ text: over.toString('latin1') }), signingKeys: await privateOf(signer), detached: true, format: 'object' });
    const p = s.packets[0] as openpgp.SignaturePacket;
    expect(p.signatureType).toBe(openpgp.enums.signature.text);
    const ops = packet(
      TAG.ONE_PASS_SIGNATURE,
      Buffer.concat([Buffer.from([3, 1, p.hashAlgorithm!, p.publicKeyAlgorithm!]), Buffer.from(p.issuerKeyID.toHex(), 'hex'), Buffer.from([1])]),
    );
    return { sig: Buffer.from(s.write() as Uint8Array), ops, body: Buffer.from((p as unknown as { write(): Uint8Array }).write()) };
  }

  it("a key's own certification (0x13) over literal data equal to its key+user ID bytes is refused with SIGNATURE", async () => {
    const key = await openpgp.readKey({ armoredKey: kasi.publicArmored });
    const user = key.users[0]!;
    const cert = user.selfCertifications[0]!;
    expect(cert.signatureType).toBe(openpgp.enums.signature.certPositive);
    const toSign = (cert as unknown as { toSign(t: number, d: unknown): Uint8Array }).toSign(cert.signatureType!, { key: key.keyPacket, userID: user.userID });
    const lit = new openpgp.LiteralDataPacket();
    (lit as unknown as { setBytes(b: Uint8Array, f: openpgp.enums.literal): void }).setBytes(toSign, openpgp.enums.literal.binary);
    const list = new openpgp.PacketList<openpgp.AnyPacket>();
    list.push(cert, lit);
    const enc = await openpgp.encrypt({
      message: new openpgp.Message(list),
      encryptionKeys: await openpgp.readKey({ armoredKey: dinkes.publicArmored }),
      format: 'binary',
      config: { aeadProtect: false, preferredCompressionAlgorithm: openpgp.enums.compression.uncompressed },
    });
    for (const extra of [{}, { requireSignature: false }]) {
      const r = await open(Buffer.from(enc), extra);
      expect(r.error?.code).toBe('SIGNATURE');
      expect(r.error?.key).toBe('kriptogram.signatureType');
      expect(r.error?.params['type']).toBe('13');
    }
  });

  it('a text signature (0x01) is checked over the canonical text and good; a one-pass packet that does not match its signature is refused', async () => {
    const t = await textSig(sandiman, entity);
    // one-pass type 0x01 + text signature (issue 17 section 4: gpg --textmode, sqop --as text)
    const withOps = await open(await craft({ data: entity, signed: { sig: t.sig, ops: t.ops } }, [dinkes]));
    expect(withOps.error).toBeNull();
    expect(withOps.result?.signers.map((s) => [s.keyId, s.status])).toEqual([[sandiman.keyId, 'good']]);
    // a one-pass packet claiming binary, followed by the text signature (issue 17 section 3)
    const binaryOps = Buffer.from(t.ops);
    binaryOps[3] = 0;
    const mixed = await open(await craft({ data: entity, signed: { sig: t.sig, ops: binaryOps } }, [dinkes]));
    expect(mixed.error?.code).toBe('SIGNATURE');
    expect(mixed.error?.key).toBe('kriptogram.onePassMismatch');
    // the same with the key id edited
    const otherKey = Buffer.from(t.ops);
    otherKey[6] = otherKey[6]! ^ 1;
    const swapped = await open(await craft({ data: entity, signed: { sig: t.sig, ops: otherKey } }, [dinkes]));
    expect(swapped.error?.key).toBe('kriptogram.onePassMismatch');
  });

  it('one-pass packets are matched to their signatures (swapped key ids refused); the same signature twice lists its signer once', async () => {
    const a = await detachedSig(sandiman, entity);
    const b = await detachedSig(kasi, entity);
    const build = async (ops: Buffer[], sigs: Buffer[]): Promise<Buffer> => {
      const list = new openpgp.PacketList<openpgp.AnyPacket>();
      for (const o of ops) {
        const p = new openpgp.OnePassSignaturePacket();
        (p as unknown as { read(b: Uint8Array): void }).read(o.subarray(2));
        list.push(p);
      }
      const lit = new openpgp.LiteralDataPacket();
      (lit as unknown as { setBytes(b: Uint8Array, f: openpgp.enums.literal): void }).setBytes(entity, openpgp.enums.literal.binary);
      list.push(lit);
      for (const sg of sigs) list.push(...(await openpgp.readSignature({ binarySignature: sg })).packets);
      const enc = await openpgp.encrypt({
        message: new openpgp.Message(list),
        encryptionKeys: await openpgp.readKey({ armoredKey: dinkes.publicArmored }),
        format: 'binary',
        config: { aeadProtect: false, preferredCompressionAlgorithm: openpgp.enums.compression.uncompressed },
      });
      return Buffer.from(enc);
    };
    // in order: the one-pass nearest the data announces the first signature after it
    const right = await open(await build([b.ops, a.ops], [a.sig, b.sig]));
    expect(right.error).toBeNull();
    expect(right.result?.signers.map((x) => x.keyId)).toEqual([sandiman.keyId, kasi.keyId]);
    const swapped = await open(await build([a.ops, b.ops], [a.sig, b.sig]));
    expect(swapped.error?.key).toBe('kriptogram.onePassMismatch');
    const twice = await open(await build([a.ops, a.ops], [a.sig, a.sig]));
    expect(twice.error).toBeNull();
    expect(twice.result?.signers.map((x) => [x.keyId, x.status])).toEqual([[sandiman.keyId, 'good']]);
    // two good signatures are needed: one signature twice is not two
    expect((await open(await build([a.ops, a.ops], [a.sig, a.sig]), { requiredSigners: 2 })).error?.key).toBe('kriptogram.notEnoughSigners');
  });

  it('a text signature is refused as a preset signature', async () => {
    const headers = { subject: 'dari gpg', registerNumber: 'B.1/2026' };
    const t = await textSig(sandiman, entity); // entityOf: same headers, file name and boundary as below
    const run = (body: Buffer) =>
      encryptKriptogram({
        input: chunked(doc),
        output: new MemorySink(),
        fileName: 'x.bin',
        headers,
        boundary: '=_test_boundary',
        recipientKeys: [dinkes.publicArmored],
        signingKeys: [unlockable(kasi)],
        presetSignatures: [{ body, publicArmored: sandiman.publicArmored }],
      });
    await expect(run(t.body)).rejects.toMatchObject({ code: 'SIGNATURE', key: 'kriptogram.presetSignatureBad' });
    // the same construction with a binary signature is accepted: the check is on the type
    const b = await detachedSig(sandiman, entity);
    const bin = (await openpgp.readSignature({ binarySignature: b.sig })).packets[0] as unknown as { write(): Uint8Array };
    const ok = await run(Buffer.from(bin.write()));
    expect(ok.signatures).toHaveLength(2);
  });

  it('requiredSigners counts distinct signers: one key signing twice is one signer', async () => {
    const twice = await makeKriptogram(Buffer.from('dua kali'), { recipients: [dinkes], signers: [sandiman, sandiman] });
    const one = await open(twice);
    expect(one.error).toBeNull();
    expect(one.result!.signers.map((s) => s.status)).toEqual(['good', 'good']);
    const r = await open(twice, { requiredSigners: 2 });
    expect(r.error?.code).toBe('SIGNATURE');
    expect(r.error?.key).toBe('kriptogram.notEnoughSigners');
    expect(r.error?.params).toMatchObject({ good: 1, required: 2 });
  });
});
