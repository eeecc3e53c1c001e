import { describe, expect, it } from 'vitest';
import {
  algorithmLabel,
  describeWeakness,
  expirySeconds,
  isDemoKey,
  isExpired,
  modeTooOpen,
  normaliseFingerprint,
  parseExpiry,
  passphraseEnvName,
  passphraseProblem,
  shellQuote,
  weakKeyReasons,
  type KeyAlgorithm,
} from '../../src/domain/kunci.js';
import { catalogKeys } from '../../src/cli/messages/index.js';

describe('weakKeyReasons', () => {
  const ed: KeyAlgorithm[] = [
    { algorithm: 'eddsaLegacy', curve: 'ed25519Legacy' },
    { algorithm: 'ecdh', curve: 'curve25519Legacy' },
  ];
  it.each<[string, number, KeyAlgorithm[], string[]]>([
    ['sandi default (Ed25519/Cv25519)', 4, ed, []],
    ['RSA 3072', 4, [{ algorithm: 'rsaEncryptSign', bits: 3072 }, { algorithm: 'rsaEncryptSign', bits: 3072 }], []],
    ['RSA 4096 + sign-only', 4, [{ algorithm: 'rsaSign', bits: 4096 }, { algorithm: 'rsaEncrypt', bits: 4096 }], []],
    ['RSA 2048', 4, [{ algorithm: 'rsaEncryptSign', bits: 2048 }, { algorithm: 'rsaEncryptSign', bits: 2048 }], ['RSA 2048 < 3072']],
    ['RSA 1024 primary, 3072 subkey', 4, [{ algorithm: 'rsaEncryptSign', bits: 1024 }, { algorithm: 'rsaEncryptSign', bits: 3072 }], ['RSA 1024 < 3072']],
    ['DSA + ElGamal', 4, [{ algorithm: 'dsa', bits: 2048 }, { algorithm: 'elgamal', bits: 2048 }], ['DSA', 'ElGamal']],
    ['NIST P-256', 4, [{ algorithm: 'ecdsa', curve: 'nistP256' }, { algorithm: 'ecdh', curve: 'nistP256' }], []],
    ['secp256k1', 4, [{ algorithm: 'ecdsa', curve: 'secp256k1' }], ['curve secp256k1']],
    ['v6 Ed25519', 6, [{ algorithm: 'ed25519' }, { algorithm: 'x25519' }], ['v6 (GnuPG 2.2)']],
  ])('%s', (_name, version, parts, expected) => {
    expect(weakKeyReasons(version, parts).map(describeWeakness)).toEqual(expected);
  });

  it('labels algorithms the way `sandi kunci daftar` shows them', () => {
    expect(algorithmLabel(ed)).toBe('ed25519Legacy/curve25519Legacy');
    expect(algorithmLabel([{ algorithm: 'rsaEncryptSign', bits: 3072 }, { algorithm: 'rsaEncryptSign', bits: 3072 }])).toBe('rsa3072');
  });
});

describe('expiry', () => {
  it.each([
    ['2y', { unit: 'y', count: 2 }],
    ['18m', { unit: 'm', count: 18 }],
    ['90d', { unit: 'd', count: 90 }],
    ['3w', { unit: 'w', count: 3 }],
    ['2 tahun', { unit: 'y', count: 2 }],
    ['6 bulan', { unit: 'm', count: 6 }],
    ['never', 'never'],
    ['tidak', 'never'],
    ['0', 'never'],
    ['', null],
    ['2x', null],
    ['-1y', null],
    ['0y', null],
  ])('parseExpiry(%j)', (spec, expected) => {
    expect(parseExpiry(spec)).toEqual(expected);
  });

  it.each<[string, string, number]>([
    ['2y', '2026-01-05T01:00:00Z', 730 * 86400], // 2026 and 2027 are not leap years
    ['1y', '2028-01-01T00:00:00Z', 366 * 86400], // 2028 is
    ['1m', '2026-02-01T00:00:00Z', 28 * 86400],
    ['90d', '2026-03-01T00:00:00Z', 90 * 86400],
    ['2w', '2026-03-01T00:00:00Z', 14 * 86400],
    ['never', '2026-03-01T00:00:00Z', 0],
  ])('expirySeconds(%s from %s)', (spec, created, seconds) => {
    const parsed = parseExpiry(spec);
    expect(parsed).not.toBeNull();
    expect(expirySeconds(parsed!, new Date(created))).toBe(seconds);
  });

  it('2y from 29 February ends on 1 March (calendar years, UTC)', () => {
    const created = new Date('2028-02-29T00:00:00Z');
    const s = expirySeconds({ unit: 'y', count: 2 }, created);
    expect(new Date(created.getTime() + s * 1000).toISOString()).toBe('2030-03-01T00:00:00.000Z');
  });

  it.each<[string | null, string, boolean]>([
    [null, '2100-01-01T00:00:00Z', false],
    ['2026-01-01T00:00:00Z', '2025-12-31T23:59:59Z', false],
    ['2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z', true],
    ['2026-01-01T00:00:00Z', '2027-01-01T00:00:00Z', true],
  ])('isExpired(%s at %s) = %s', (expires, now, expected) => {
    expect(isExpired(expires, new Date(now))).toBe(expected);
  });
});

describe('secret file permissions', () => {
  it.each<[number, boolean]>([
    [0o100600, false],
    [0o100400, false],
    [0o040700, false],
    [0o100640, true],
    [0o100644, true],
    [0o100604, true],
    [0o100660, true],
    [0o040755, true],
    [0o100606, true],
  ])('mode %o too open: %s', (mode, expected) => {
    expect(modeTooOpen(mode)).toBe(expected);
  });

  it('quotes paths for the chmod hint only when needed', () => {
    expect(shellQuote('/home/sandi/kunci/ABC.sec.asc')).toBe('/home/sandi/kunci/ABC.sec.asc');
    expect(shellQuote("/tmp/my keys/it's.asc")).toBe(`'/tmp/my keys/it'\\''s.asc'`);
  });
});

describe('passphrases', () => {
  it.each<[string, ReturnType<typeof passphraseProblem>]>([
    ['', 'empty'],
    ['          ', 'empty'],
    ['pendek', 'tooShort'],
    ['123456789', 'tooShort'],
    ['1234567890', null],
    ['kuda-laut-biru-2026', null],
  ])('passphraseProblem(%j)', (p, expected) => {
    expect(passphraseProblem(p)).toBe(expected);
  });

  it('names the role variables', () => {
    expect(passphraseEnvName('kasi')).toBe('SANDI_PASSPHRASE_KASI');
    expect(passphraseEnvName('arsip')).toBe('SANDI_PASSPHRASE_ARSIP');
    expect(passphraseEnvName('sandiman')).toBe('SANDI_PASSPHRASE_SANDIMAN');
  });
});

describe('demo keys and fingerprints', () => {
  it.each<[string, boolean]>([
    ['Arsip Diskominfo Kota Contoh (DEMO) <arsip@diskominfo.demo.sandi.invalid>', true],
    ['Arsip <arsip@diskominfo.demo.sandi.invalid>', true],
    ['Dinas <persandian@dinkes.contoh>', true],
    ['Arsip Diskominfo <arsip@kominfo.tarakankota.go.id>', false],
    ['Demo Wibowo <demo@kominfo.go.id>', false],
  ])('isDemoKey(%j) = %s', (userId, expected) => {
    expect(isDemoKey({ userId })).toBe(expected);
  });

  it('normalises typed fingerprints', () => {
    expect(normaliseFingerprint('b2d9 2190 2ef0:71ed')).toBe('B2D921902EF071ED');
    expect(normaliseFingerprint('0xabcdef')).toBe('ABCDEF');
  });
});

describe('kunci messages', () => {
  it('every kunci.* message exists in Indonesian and English', () => {
    const { id, en } = catalogKeys();
    const idK = id.filter((k) => k.startsWith('kunci.')).sort();
    const enK = en.filter((k) => k.startsWith('kunci.')).sort();
    expect(enK).toEqual(idK);
    expect(idK.length).toBeGreaterThan(50);
  });
});
