/**
 * Pins the openpgp.js security settings sandi relies on. If an upgrade of openpgp.js changes a default
 * or a behaviour below, this file fails loudly: read the library's changelog before adjusting it.
 */
import { describe, expect, it } from 'vitest';
import * as openpgp from 'openpgp';
import { MAX_DECOMPRESSED_BYTES, MIN_RSA_BITS_NEW_WORK, SECURITY_CONFIG } from '../../src/adapters/openpgp/kriptogram.js';
import { packet } from '../../src/adapters/openpgp/packets.js';
import { catalogKeys, t } from '../../src/cli/messages/index.js';

const { enums } = openpgp;

describe('openpgp.js security configuration', () => {
  it('is the pinned library version (the digest hooks in kriptogram-signatures.ts are checked against it)', () => {
    expect(openpgp.config.versionString).toBe('OpenPGP.js 6.3.2');
  });

  it('pins every setting sandi relies on', () => {
    expect(SECURITY_CONFIG).toMatchObject({
      allowUnauthenticatedMessages: false,
      allowUnauthenticatedStream: false,
      ignoreMalformedPackets: false,
      ignoreUnsupportedPackets: false,
      enforceGrammar: true,
      minRSABits: 2047,
      maxDecompressedMessageSize: 2 * 1024 ** 3,
      aeadProtect: false,
      v6Keys: false,
      preferredSymmetricAlgorithm: enums.symmetric.aes256,
      preferredHashAlgorithm: enums.hash.sha256,
      preferredCompressionAlgorithm: enums.compression.uncompressed,
      allowInsecureDecryptionWithSigningKeys: false,
      allowInsecureVerificationWithReformattedKeys: false,
      allowMissingKeyFlags: false,
      constantTimePKCS1Decryption: true,
    });
    expect([...SECURITY_CONFIG.rejectHashAlgorithms].sort()).toEqual([enums.hash.md5, enums.hash.ripemd].sort());
    expect([...SECURITY_CONFIG.rejectMessageHashAlgorithms].sort()).toEqual([enums.hash.md5, enums.hash.ripemd, enums.hash.sha1].sort());
    expect([...SECURITY_CONFIG.rejectPublicKeyAlgorithms].sort()).toEqual([enums.publicKey.elgamal, enums.publicKey.dsa].sort());
    expect([...SECURITY_CONFIG.rejectCurves]).toEqual([enums.curve.secp256k1]);
    expect(MIN_RSA_BITS_NEW_WORK).toBe(3072);
    expect(MAX_DECOMPRESSED_BYTES).toBe(2 * 1024 ** 3);
    expect(Object.isFrozen(SECURITY_CONFIG)).toBe(true);
  });

  it('names only settings openpgp.js knows (a renamed setting would silently do nothing)', () => {
    for (const k of Object.keys(SECURITY_CONFIG)) expect(Object.keys(openpgp.config), k).toContain(k);
  });

  it('library defaults that matter have not moved', () => {
    expect(openpgp.config.allowUnauthenticatedMessages).toBe(false);
    expect(openpgp.config.allowUnauthenticatedStream).toBe(false);
    expect(openpgp.config.ignoreMalformedPackets).toBe(false);
  });

  it('refuses malformed packets', async () => {
    const bad = Buffer.from([0xc1, 0x05, 0x03, 0x00, 0x00]); // PKESK cut short
    await expect(openpgp.readMessage({ binaryMessage: bad, config: SECURITY_CONFIG })).rejects.toThrow();
  });

  it('refuses unknown critical packets (tags below 40; RFC 9580 says 40-63 are skipped)', async () => {
    const lit = packet(11, Buffer.from([0x62, 0, 0, 0, 0, 0, 0x41]));
    const critical = packet(22, Buffer.from('unknown'));
    await expect(openpgp.readMessage({ binaryMessage: Buffer.concat([critical, lit]), config: SECURITY_CONFIG })).rejects.toThrow();
    const nonCritical = packet(60, Buffer.from('experimental'));
    const m = await openpgp.readMessage({ binaryMessage: Buffer.concat([nonCritical, lit]), config: SECURITY_CONFIG });
    expect(m.packets.filterByTag(enums.packet.literalData).length).toBe(1);
  });

  it('refuses to decrypt a message without integrity protection (SED)', async () => {
    const { privateKey, publicKey } = await openpgp.generateKey({
      userIDs: [{ name: 'x' }],
      type: 'ecc',
      curve: 'curve25519Legacy',
      format: 'object',
    });
    const enc = await openpgp.encrypt({
      message: await openpgp.createMessage({ binary: new Uint8Array([1, 2, 3]) }),
      encryptionKeys: publicKey,
      format: 'object',
      config: { aeadProtect: false },
    });
    // rebuild the message with an SED packet (tag 9) holding the same kind of CFB data, no MDC
    const sk = (await openpgp.decryptSessionKeys({ message: enc, decryptionKeys: privateKey }))[0]!;
    const sed = new openpgp.SymmetricallyEncryptedDataPacket();
    (sed as unknown as { packets: openpgp.PacketList<openpgp.AnyPacket> }).packets = (
      await openpgp.readMessage({ binaryMessage: (await openpgp.createMessage({ binary: new Uint8Array([1, 2, 3]) })).write() as Uint8Array })
    ).packets;
    await (sed as unknown as { encrypt(a: number, k: Uint8Array, c: unknown): Promise<void> }).encrypt(
      enums.symmetric[sk.algorithm!],
      sk.data,
      { ...openpgp.config, allowUnauthenticatedMessages: true },
    );
    const list = new openpgp.PacketList<openpgp.AnyPacket>();
    list.push(sed);
    const unprotected = new openpgp.Message(list);
    const sessionKeys = { data: sk.data, algorithm: sk.algorithm! };
    // the same message is readable when unauthenticated messages are allowed: the refusal is the setting's doing
    const allowed = await openpgp.decrypt({ message: unprotected, sessionKeys, format: 'binary', config: { allowUnauthenticatedMessages: true } });
    expect([...(allowed.data as Uint8Array)]).toEqual([1, 2, 3]);
    const again = new openpgp.Message(list);
    await expect(openpgp.decrypt({ message: again, sessionKeys, config: SECURITY_CONFIG })).rejects.toThrow(
      /not authenticated|unauthenticated|integrity/i,
    );
  });

  it('bounds decompression', async () => {
    const { privateKey, publicKey } = await openpgp.generateKey({ userIDs: [{ name: 'x' }], type: 'ecc', curve: 'curve25519Legacy', format: 'object' });
    const zeros = new Uint8Array(2_000_000);
    const enc = await openpgp.encrypt({
      message: await openpgp.createMessage({ binary: zeros }),
      encryptionKeys: publicKey,
      format: 'binary',
      config: { aeadProtect: false, preferredCompressionAlgorithm: enums.compression.zlib },
    });
    await expect(
      openpgp.decrypt({
        message: await openpgp.readMessage({ binaryMessage: enc }),
        decryptionKeys: privateKey,
        format: 'binary',
        config: { ...SECURITY_CONFIG, maxDecompressedMessageSize: 1_000_000 },
      }),
    ).rejects.toThrow(/size|exceed|limit/i);
  });
});

describe('kriptogram messages', () => {
  it('every kriptogram message exists in Indonesian and English', () => {
    const { id, en } = catalogKeys();
    const ours = id.filter((k) => k.startsWith('kriptogram.'));
    expect(ours.length).toBeGreaterThan(20);
    for (const k of ours) expect(en, k).toContain(k);
    for (const k of en.filter((x) => x.startsWith('kriptogram.'))) expect(id, k).toContain(k);
    expect(t('kriptogram.tampered', {}, 'en')).toMatch(/Nothing was released/);
  });
});
