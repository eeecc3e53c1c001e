/**
 * Signatures and peers: an expired signer, Intended Recipient fingerprints (what sandi writes, read by
 * GnuPG 2.2, Sequoia's sqop and RNP; a surreptitious forward caught), the clock skew, and messages made at
 * test time by gpg, sqop and rnp with the options peers use (ciphers, compression, text-mode signatures).
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import * as openpgp from 'openpgp';
import { decryptKriptogram, encryptKriptogram } from '../../src/adapters/openpgp/kriptogram.js';
import { encodeProtectedEntity, ProtectedEntityReader } from '../../src/formats/protected-headers.js';
import type { SignerReport } from '../../src/ports.js';
import { describeWith, haveCommand } from '../helpers/gate.js';
import { GpgHome, goodSigs, HAVE_GPG } from '../helpers/gpg.js';
import { chunked, MemorySink, testKey, unlockable, type TestKey } from '../helpers/keys-fixture.js';

const CLOCK_SKEW_MS = 600_000; class SignatureRefusal extends Error { signers: any[] = []; key = ""; exitCode = 0; params = {}; }
const PASS = 'frasa sandi uji interop';
const HAVE_SQOP = haveCommand('sqop', ['version']);
const HAVE_RNP = haveCommand('rnp', ['--version']);
/** keys made before the faked gpg times below, so gpg accepts them at those times */
const KEY_DATE = new Date('2025-12-01T00:00:00Z');

describeWith('gpg, sqop, rnp', HAVE_GPG && HAVE_SQOP && HAVE_RNP, 'Kriptogram signatures and peers', () => {
  let gpg: GpgHome;
  let work: string;
  let penerima: TestKey;
  let arsip: TestKey;
  let sandiman: TestKey;
  let kasi: TestKey;
  let disdik: TestKey;

  beforeAll(async () => {
    const o = { passphrase: PASS, date: KEY_DATE };
    [penerima, arsip, sandiman, kasi, disdik] = await Promise.all([
      testKey('Interop Penerima', o),
      testKey('Interop Arsip', o),
      testKey('Interop Sandiman', o),
      testKey('Interop Kasi', o),
      testKey('Interop Disdik', o),
    ]);
    gpg = new GpgHome();
    for (const k of [penerima, arsip, sandiman, kasi, disdik]) await gpg.importKey(k.privateArmored);
    gpg.trust([penerima, arsip, sandiman, kasi, disdik].map((k) => k.fingerprint));
    work = mkdtempSync(join(tmpdir(), 'sandi-interop-'));
  });

  afterAll(() => {
    gpg?.cleanup();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  async function entity(doc: Buffer): Promise<Buffer> {
    const parts: Buffer[] = [];
    for await (const p of encodeProtectedEntity(chunked(doc) as AsyncIterable<Uint8Array>, {
      headers: { subject: 'Dari mitra', registerNumber: 'RH.3/2026' },
      fileName: 'mitra.txt',
      boundary: '=_mitra',
    }))
      parts.push(p);
    return Buffer.concat(parts);
  }

  async function sandiEncrypt(doc: Buffer, signers: TestKey[], recipients: TestKey[], date?: Date): Promise<Buffer> {
    const out = new MemorySink();
    await encryptKriptogram({
      input: chunked(doc),
      output: out,
      fileName: 'nota.txt',
      headers: { subject: 'Nota dinas', registerNumber: 'RH.1/XII/2026' },
      recipientKeys: recipients.map((k) => k.publicArmored),
      signingKeys: signers.map(unlockable),
      ...(date === undefined ? {} : { date }),
    });
    return out.data();
  }

  async function sandiDecrypt(k: Buffer, reader: TestKey, verifiers: string[], date?: Date) {
    const out = new MemorySink();
    const result = await decryptKriptogram({
      input: chunked(k),
      output: out,
      decryptionKeys: [unlockable(reader)],
      verificationKeys: verifiers,
      ...(date === undefined ? {} : { date }),
    });
    return { result, data: out.data() };
  }

  /** The refusal sandi gives, or a failure when it read the message. */
  async function refusal(p: Promise<unknown>): Promise<SignatureRefusal> {
    try {
      await p;
    } catch (e) {
      // duck-typed: vitest may load the module twice (a class check across the copies fails)
      if (e instanceof Error && 'signers' in e && 'key' in e) return e as SignatureRefusal;
      throw e;
    }
    throw new Error('read, not refused');
  }

  // ------------------------------------------------------------------------------- expired signer

  it('a signature by a key that has expired since (gpg, faked time) is kedaluwarsa, never good: refused now, good while the key was valid', async () => {
    const made = await gpg.run(['--faked-system-time', '20260101T000000', '--quick-gen-key', 'Dinas Lama <lama@dinas.example.go.id>', 'ed25519', 'sign', '2026-01-31'], undefined, PASS);
    expect(made.code, made.stderr).toBe(0);
    const plain = gpg.file('lama.eml', await entity(Buffer.from('surat dari kunci lama\n')));
    const enc = await gpg.run(
      ['--faked-system-time', '20260115T120000', '--encrypt', '--sign', '-u', 'lama@dinas.example.go.id', '-r', penerima.fingerprint, '--output', '-', plain],
      undefined,
      PASS,
    );
    expect(enc.code, enc.stderr).toBe(0);
    const pub = (await gpg.run(['--armor', '--export', 'lama@dinas.example.go.id'])).stdout.toString();

    const e = await refusal(sandiDecrypt(enc.stdout, penerima, [pub]));
    expect(e.key).toBe('kriptogram.signerExpired');
    expect(e.exitCode).toBe(80);
    expect(e.signers).toHaveLength(1);
    const s = e.signers[0]!;
    expect(s.status).toBe('kedaluwarsa');
    expect(s.validAtCreated).toBe(true);
    expect(s.created).toBe('2026-01-15T12:00:00.000Z');
    expect(s.keyExpired?.startsWith('2026-01-3')).toBe(true);
    expect(e.params).toMatchObject({ created: '2026-01-15T12:00:00.000Z' });

    // read as of a day while the key was valid, the same signature is good
    const then = await sandiDecrypt(enc.stdout, penerima, [pub], new Date('2026-01-20T00:00:00Z'));
    expect(then.result.signers.map((x) => x.status)).toEqual(['good']);
  });

  // ---------------------------------------------------------------------- intended recipients

  it('every signature sandi makes names each recipient and the archive key as Intended Recipient (hashed)', async () => {
    const k = await sandiEncrypt(Buffer.from('isi'), [sandiman, kasi], [penerima, arsip]);
    // GnuPG 2.2 lists subpacket 35 (it does not name it) in the hashed area of both signatures
    const home = new GpgHome();
    try {
      await home.importKey(penerima.privateArmored);
      const r = await home.run(['--list-packets'], k, penerima.passphrase);
      expect(r.stdout.toString().match(/^\s*hashed subpkt 35 len 21 /gm)).toHaveLength(4);
    } finally {
      home.cleanup();
    }
    const read = await sandiDecrypt(k, penerima, [sandiman.publicArmored, kasi.publicArmored]);
    for (const s of read.result.signers) expect(s.intendedRecipients?.sort()).toEqual([penerima.fingerprint, arsip.fingerprint].sort());
  });

  it('GnuPG 2.2 reads a kriptogram with Intended Recipient subpackets: both signatures good', async () => {
    const doc = randomBytes(20_000);
    const k = await sandiEncrypt(doc, [sandiman, kasi], [penerima, arsip]);
    const home = new GpgHome();
    try {
      await home.importKey(penerima.privateArmored);
      await home.importKey(sandiman.publicArmored);
      await home.importKey(kasi.publicArmored);
      const r = await home.run(['--decrypt'], k, penerima.passphrase);
      expect(r.code, r.stderr).toBe(0);
      expect(goodSigs(r.status).sort()).toEqual([sandiman.keyId, kasi.keyId].sort());
    } finally {
      home.cleanup();
    }
  });

  /** An unprotected copy of a key (sqop takes its key password from a file; this keeps it simple). */
  async function unprotected(k: TestKey): Promise<string> {
    const key = await openpgp.decryptKey({ privateKey: await openpgp.readPrivateKey({ armoredKey: k.privateArmored }), passphrase: k.passphrase });
    return key.armor();
  }

  function file(name: string, data: string | Buffer): string {
    const p = join(work, name);
    writeFileSync(p, data);
    return p;
  }

  it('Sequoia (sqop) decrypts a sandi kriptogram and verifies both signatures', async () => {
    const doc = Buffer.from('untuk sequoia\n');
    const k = file('sq.pgp', await sandiEncrypt(doc, [sandiman, kasi], [penerima, arsip]));
    const key = file('sq-key.asc', await unprotected(penerima));
    const certs = [file('sq-s.asc', sandiman.publicArmored), file('sq-k.asc', kasi.publicArmored)];
    const verOut = join(work, 'sq-ver.txt');
    const r = spawnSync('sqop', ['decrypt', '--verifications-out', verOut, ...certs.flatMap((c) => ['--verify-with', c]), key], { input: execFileSync('cat', [k]) });
    expect(r.status, r.stderr.toString()).toBe(0);
    const ent = new ProtectedEntityReader('x');
    const parts = ent.push(r.stdout);
    const end = ent.end();
    expect(Buffer.concat([...parts, ...end.tail]).toString()).toBe('untuk sequoia\n');
    expect(end.result.headers.subject).toBe('Nota dinas');
    const ver = execFileSync('cat', [verOut]).toString();
    for (const s of [sandiman, kasi]) expect(ver).toContain(s.fingerprint);
  });

  let rnpHomes = 0;
  function rnpHome(keys: string[]): string {
    const home = mkdtempSync(join(work, 'rnp-'));
    for (const a of keys) {
      const imp = spawnSync('rnpkeys', ['--homedir', home, '--import', file(`rnp-${rnpHomes++}.asc`, a)]);
      expect(imp.status, imp.stderr.toString()).toBe(0);
    }
    return home;
  }

  it('RNP decrypts a sandi kriptogram and verifies both signatures', async () => {
    const doc = Buffer.from('untuk rnp\n');
    const k = file('rnp.pgp', await sandiEncrypt(doc, [sandiman, kasi], [penerima, arsip]));
    const home = rnpHome([penerima.privateArmored, sandiman.publicArmored, kasi.publicArmored]);
    const r = spawnSync('rnp', ['--homedir', home, '--password', PASS, '--decrypt', k, '--output', '-']);
    expect(r.status, r.stderr.toString()).toBe(0);
    expect(r.stdout.toString()).toContain('MIME-Version: 1.0');
    const err = r.stderr.toString();
    expect(err.match(/Good signature/g)?.length, err).toBe(2);
    expect(err).not.toMatch(/BAD signature|Invalid signature/i);
  });

  it('a kriptogram re-encrypted by one recipient to a third office is reported as forwarded, not read as addressed to it', async () => {
    const doc = Buffer.from('hanya untuk Dinkes\n');
    const k = await sandiEncrypt(doc, [sandiman, kasi], [penerima, arsip]);
    // Dinkes (penerima) strips the encryption (gpg --unwrap) and re-encrypts the signed packets as they are
    // to Disdik (rnp --no-wrap): both signatures stay intact
    const home = new GpgHome();
    let inner: Buffer;
    try {
      await home.importKey(penerima.privateArmored);
      const u = await home.run(['--decrypt', '--unwrap'], k, penerima.passphrase);
      expect(u.code, u.stderr).toBe(0);
      inner = u.stdout;
    } finally {
      home.cleanup();
    }
    const rnp = rnpHome([disdik.publicArmored]);
    const fw = spawnSync('rnp', ['--homedir', rnp, '--encrypt', '--no-wrap', '-z', '0', '-r', disdik.fingerprint, '--output', '-'], { input: inner });
    expect(fw.status, fw.stderr.toString()).toBe(0);
    const forwarded = fw.stdout;
    const verifiers = [sandiman.publicArmored, kasi.publicArmored];
    // the addressee reads it as before
    expect((await sandiDecrypt(k, penerima, verifiers)).result.signers.map((s) => s.status)).toEqual(['good', 'good']);
    const e = await refusal(sandiDecrypt(Buffer.from(forwarded), disdik, verifiers));
    expect(e.key).toBe('kriptogram.forwarded');
    expect(e.signers.map((s: SignerReport) => s.status)).toEqual(['forwarded', 'forwarded']);
    expect(e.signers[0]!.intendedRecipients?.sort()).toEqual([penerima.fingerprint, arsip.fingerprint].sort());
  });

  // ------------------------------------------------------------------------------------ clock skew

  it('a signature dated within the clock skew ahead of us is good; further ahead it is `future`, still read', async () => {
    const doc = Buffer.from('jam pengirim cepat\n');
    const verifiers = [sandiman.publicArmored];
    const soon = await sandiEncrypt(doc, [sandiman], [penerima], new Date(Date.now() + 60_000));
    expect((await sandiDecrypt(soon, penerima, verifiers)).result.signers.map((s) => s.status)).toEqual(['good']);
    const edge = await sandiEncrypt(doc, [sandiman], [penerima], new Date(Date.now() + CLOCK_SKEW_MS - 30_000));
    expect((await sandiDecrypt(edge, penerima, verifiers)).result.signers.map((s) => s.status)).toEqual(['good']);
    const far = await sandiEncrypt(doc, [sandiman], [penerima], new Date(Date.now() + 2 * 3600_000));
    const r = await sandiDecrypt(far, penerima, verifiers);
    expect(r.result.signers.map((s) => s.status)).toEqual(['future']);
    expect(r.data.toString()).toBe('jam pengirim cepat\n');
  });

  // --------------------------------------------------------------------------- the peers' corpus

  /** What sandi makes of a message: the signer statuses and the document, or the refusal's key. */
  async function outcome(k: Buffer): Promise<{ statuses?: string[]; doc?: string; refused?: string; params?: Record<string, unknown> }> {
    try {
      const r = await sandiDecrypt(k, penerima, [sandiman.publicArmored, kasi.publicArmored]);
      return { statuses: r.result.signers.map((x) => x.status), doc: r.data.toString('utf8') };
    } catch (e) {
      const err = e as { key?: string; params?: Record<string, unknown> };
      if (err.key === undefined) throw e;
      return { refused: err.key, params: err.params ?? {} };
    }
  }

  // bare LF line endings: a text-mode signature hashes them as CRLF
  const TEXT = 'Nota dinas dari mitra\nbaris kedua  \n\nakhir\n';

  const gpgCases: [string, string[], (o: Awaited<ReturnType<typeof outcome>>) => void][] = [
    ['AES-192 (not in the key preferences)', ['--cipher-algo', 'AES192', '--encrypt', '--sign'], (o) => expect(o).toMatchObject({ statuses: ['good'], doc: TEXT })],
    ['text-mode signature (--textmode)', ['--textmode', '--encrypt', '--sign'], (o) => expect(o).toMatchObject({ statuses: ['good'] })],
    ['Twofish: named, not called damaged', ['--cipher-algo', 'TWOFISH', '--encrypt', '--sign'], (o) => expect(o).toMatchObject({ refused: 'kriptogram.cipherUnsupported', params: { algorithm: 'Twofish' } })],
    ['Camellia-256: unknown to openpgp.js, said so', ['--cipher-algo', 'CAMELLIA256', '--encrypt', '--sign'], (o) => expect(o).toMatchObject({ refused: 'kriptogram.cipherUnknown' })],
    ['SHA-1 signature: refused by policy, named', ['--digest-algo', 'SHA1', '--encrypt', '--sign'], (o) => expect(o).toMatchObject({ refused: 'kriptogram.hashRefused', params: { hash: 'SHA1' } })],
    ['SHA-224 with Ed25519: too weak for the key (RFC 9580), named', ['--digest-algo', 'SHA224', '--encrypt', '--sign'], (o) => expect(o).toMatchObject({ refused: 'kriptogram.hashRefused', params: { hash: 'SHA224' } })],
    ['sign-only: refused as not encrypted', ['-z', '0', '--sign'], (o) => expect(o).toMatchObject({ refused: 'kriptogram.signedNotEncrypted' })],
    // bounded streaming BZip2 (bunzip2.ts; more in kriptogram-bzip2.test.ts)
    ['BZip2 compression: read', ['--compress-algo', 'BZIP2', '--encrypt', '--sign'], (o) => expect(o).toMatchObject({ statuses: ['good'], doc: TEXT })],
    ['encrypt-only: refused as unsigned', ['--encrypt'], (o) => expect(o).toMatchObject({ refused: 'kriptogram.unsigned' })],
  ];
  for (const [name, opts, check] of gpgCases) {
    it(`gpg: ${name}`, async () => {
      const plain = gpg.file(`corpus-${name.length}.txt`, TEXT);
      const made = await gpg.run([...opts, '-r', penerima.fingerprint, '-u', sandiman.fingerprint, '--output', '-', plain], undefined, PASS);
      expect(made.code, made.stderr).toBe(0);
      check(await outcome(made.stdout));
    });
  }

  it('sqop: binary and text-mode (--as text) signed messages are read, both signatures good', async () => {
    const key = file('sqc-key.asc', await unprotected(sandiman));
    const key2 = file('sqc-key2.asc', await unprotected(kasi));
    const cert = file('sqc-cert.asc', penerima.publicArmored);
    for (const as of ['binary', 'text']) {
      const r = spawnSync('sqop', ['encrypt', '--as', as, '--sign-with', key, '--sign-with', key2, cert], { input: Buffer.from(TEXT) });
      expect(r.status, r.stderr.toString()).toBe(0);
      const o = await outcome(r.stdout);
      expect(o, as).toMatchObject({ statuses: ['good', 'good'], doc: TEXT });
    }
  });

  it('rnp: AES-192 and Camellia-256 messages', async () => {
    const home = rnpHome([sandiman.privateArmored, penerima.publicArmored]);
    const make = (extra: string[]) => {
      const r = spawnSync('rnp', ['--homedir', home, '--password', PASS, '--encrypt', '--sign', '-u', sandiman.fingerprint, '-r', penerima.fingerprint, ...extra, '--output', '-'], { input: Buffer.from(TEXT) });
      expect(r.status, r.stderr.toString()).toBe(0);
      return r.stdout;
    };
    expect(await outcome(make(['--cipher', 'AES192']))).toMatchObject({ statuses: ['good'], doc: TEXT });
    expect(await outcome(make(['--cipher', 'CAMELLIA256']))).toMatchObject({ refused: 'kriptogram.cipherUnknown' });
  });

  it('an unknown non-critical packet (type 40) inside the encrypted data is ignored; an unknown critical one (type 39) is refused', async () => {
    const doc = Buffer.from('dengan paket tak dikenal\n');
    const k = await sandiEncrypt(doc, [sandiman], [penerima]);
    const home = new GpgHome();
    let inner: Buffer;
    try {
      await home.importKey(penerima.privateArmored);
      const u = await home.run(['--decrypt', '--unwrap'], k, penerima.passphrase);
      expect(u.code, u.stderr).toBe(0);
      inner = u.stdout;
    } finally {
      home.cleanup();
    }
    const rnp = rnpHome([penerima.publicArmored]);
    const wrap = (tag: number) => {
      // a new-format packet of this type with a 5-byte body, before the one-pass signature
      const extra = Buffer.concat([Buffer.from([0xc0 | tag, 5]), Buffer.from('halo!')]);
      const r = spawnSync('rnp', ['--homedir', rnp, '--encrypt', '--no-wrap', '-z', '0', '-r', penerima.fingerprint, '--output', '-'], { input: Buffer.concat([extra, inner]) });
      expect(r.status, r.stderr.toString()).toBe(0);
      return r.stdout;
    };
    const ok = await sandiDecrypt(wrap(40), penerima, [sandiman.publicArmored]);
    expect(ok.result.signers.map((x) => x.status)).toEqual(['good']);
    expect(ok.data.equals(doc)).toBe(true);
    await expect(sandiDecrypt(wrap(39), penerima, [sandiman.publicArmored])).rejects.toMatchObject({ key: 'kriptogram.malformed' });
  });
});
