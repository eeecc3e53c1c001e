/**
 * The key service's steps against port fakes (src/ports/kunci.ts): an in-memory key register and address
 * book, key files in a Map, and a key "crypto" that reads a key's facts from JSON. No SQLite, no openpgp: the
 * real adapters are covered by test/integration/kunci*.test.ts and test/e2e/kunci.test.ts.
 */
import { describe, expect, it } from 'vitest';
import type { AddressEntry } from '../../src/ports.js';
import type { AuditNote, KeyCrypto, KeyFiles, KunciRecord, KunciStore, KunciStoreTx, ParsedKey } from '../../src/ports/kunci.js';
import { createKunciService, type KunciContext } from '../../src/services/kunci.js';
import { resolveKeyRef } from '../../src/services/kunci/konteks.js';
import { addAddress, lookupRecipients, removeAddress } from '../../src/services/kunci/buku-alamat.js';

const NOW = new Date('2026-12-01T03:00:00Z');
const FPR_A = 'A'.repeat(24) + '1111222233334444';
const FPR_B = 'B'.repeat(24) + '5555666677778888';
const FPR_C = 'C'.repeat(24) + '5555666677778888';

function parsed(fingerprint: string, userId: string, over: Partial<ParsedKey> = {}): ParsedKey {
  return {
    fingerprint,
    version: 4,
    userId,
    email: null,
    name: null,
    created: '2026-01-01T00:00:00.000Z',
    expires: null,
    revoked: false,
    canEncrypt: true,
    canSign: true,
    encryptUsableNow: true,
    signUsableNow: true,
    parts: [{ algorithm: 'eddsaLegacy', curve: 'ed25519Legacy' }, { algorithm: 'ecdh', curve: 'curve25519Legacy' }],
    isSecret: false,
    secretProtected: false,
    publicArmored: '',
    secretArmored: null,
    ...over,
  };
}

function fakes(keys: [KunciRecord, ParsedKey][], addresses: AddressEntry[] = []) {
  const rows = new Map(keys.map(([r]) => [r.fingerprint, r]));
  const book = new Map(addresses.map((a) => [a.email, a]));
  const audit: AuditNote[] = [];
  const pub = new Map(keys.map(([r, p]) => [r.fingerprint, JSON.stringify(p)]));
  const tx: KunciStoreTx = {
    newerArchiveKey: () => undefined,
    addKey: (r) => void rows.set(r.fingerprint, r),
    updateKey: (f, c) => void rows.set(f, { ...(rows.get(f) as KunciRecord), ...c }),
    markRevoked: (f, at) => void rows.set(f, { ...(rows.get(f) as KunciRecord), revokedAt: at }),
    address: (e) => book.get(e),
    addAddress: (a) => void book.set(a.email, a),
    updateAddress: (a) => void book.set(a.email, a),
    removeAddress: (e) => void book.delete(e),
    audit: (_at, note) => void audit.push(note),
  };
  const store: KunciStore = {
    key: (f) => rows.get(f),
    keys: () => [...rows.values()],
    unrevokedOfRole: (role) => [...rows.values()].filter((r) => r.role === role && r.revokedAt === null),
    fingerprintsForEmail: (email) => [...rows.values()].filter((r) => r.userId.toLowerCase().includes(`<${email.toLowerCase()}>`)).map((r) => r.fingerprint),
    address: (e) => book.get(e),
    addresses: () => [...book.values()],
    write: (fn) => fn(tx),
  };
  const files: KeyFiles = {
    dir: '/nyata-tidak',
    publicPath: (f) => `/kunci/${f}.pub.asc`,
    secretPath: (f) => `/kunci/${f}.sec.asc`,
    hasPublic: (f) => pub.has(f),
    hasSecret: () => false,
    readPublic: (f) => pub.get(f) ?? '',
    readSecret: () => '',
    writePublic: (f, a) => void pub.set(f, a),
    writeSecret: () => undefined,
  };
  const crypto = { describeArmored: (armored: string) => Promise.resolve(JSON.parse(armored) as ParsedKey) } as unknown as KeyCrypto;
  const ctx: KunciContext = { store, files, crypto, writeExport: () => undefined, clock: { now: () => NOW }, actor: 'penguji' };
  return { ctx, rows, book, audit };
}

const record = (fingerprint: string, userId: string, over: Partial<KunciRecord> = {}): KunciRecord => ({
  fingerprint,
  role: 'penerima',
  userId,
  name: null,
  hasSecret: false,
  keyCreated: '2026-01-01T00:00:00.000Z',
  addedAt: '2026-01-02T00:00:00.000Z',
  revokedAt: null,
  ...over,
});

describe('key service over port fakes', () => {
  const dinkes = record(FPR_A, 'Dinas Kesehatan <dinkes@kab.test>');
  const disdik = record(FPR_B, 'Dinas Pendidikan <disdik@kab.test>');
  const lama = record(FPR_C, 'Dinas Pendidikan lama <disdik@kab.test>', { revokedAt: '2026-06-01T00:00:00.000Z' });

  it('resolves a key by e-mail (address book first, then user ids), by fingerprint and by key id', () => {
    const { ctx } = fakes([[dinkes, parsed(FPR_A, dinkes.userId)], [disdik, parsed(FPR_B, disdik.userId)]], [{ email: 'tu@kab.test', unit: 'TU', unitCode: null, fingerprint: FPR_B }]);
    expect(resolveKeyRef(ctx, 'tu@kab.test')).toBe(FPR_B);
    expect(resolveKeyRef(ctx, ' DINKES@kab.test ')).toBe(FPR_A);
    expect(resolveKeyRef(ctx, FPR_A.toLowerCase())).toBe(FPR_A);
    expect(resolveKeyRef(ctx, '1111 2222 3333 4444')).toBe(FPR_A);
    expect(() => resolveKeyRef(ctx, 'siapa@kab.test')).toThrow(expect.objectContaining({ code: 'NOT_FOUND', key: 'kunci.unknownKey' }));
  });

  it('an e-mail or key id naming two keys is USAGE listing both', () => {
    const { ctx } = fakes([[disdik, parsed(FPR_B, disdik.userId)], [lama, parsed(FPR_C, lama.userId)]]);
    for (const ref of ['disdik@kab.test', '5555666677778888']) {
      expect(() => resolveKeyRef(ctx, ref)).toThrow(expect.objectContaining({ key: 'kunci.ambiguousRef', params: { ref, candidates: `${FPR_B}, ${FPR_C}` } }));
    }
  });

  it('binds, re-binds and removes an address-book entry, one audit event each', async () => {
    const { ctx, book, audit } = fakes([[dinkes, parsed(FPR_A, dinkes.userId)], [disdik, parsed(FPR_B, disdik.userId)]]);
    await addAddress(ctx, { email: 'dinkes@kab.test', unit: 'Dinas Kesehatan', key: FPR_A });
    await addAddress(ctx, { email: 'dinkes@kab.test', unit: 'Dinas Kesehatan', unitCode: ' DINKES ', key: FPR_B });
    expect(book.get('dinkes@kab.test')).toEqual({ email: 'dinkes@kab.test', unit: 'Dinas Kesehatan', unitCode: 'DINKES', fingerprint: FPR_B });
    expect(removeAddress(ctx, ' dinkes@kab.test ')).toMatchObject({ fingerprint: FPR_B });
    expect(book.size).toBe(0);
    expect(audit.map((a) => [a.action, a.entityId, a.actor])).toEqual([
      ['alamat.tambah', 'dinkes@kab.test', 'penguji'],
      ['alamat.ubah', 'dinkes@kab.test', 'penguji'],
      ['alamat.hapus', 'dinkes@kab.test', 'penguji'],
    ]);
    expect(() => removeAddress(ctx, 'dinkes@kab.test')).toThrow(expect.objectContaining({ code: 'NOT_FOUND', key: 'kunci.addressUnknown' }));
  });

  it('refuses to bind or encrypt to a key revoked in the register, naming it; nothing is written', async () => {
    const { ctx, book, audit } = fakes([[lama, parsed(FPR_C, lama.userId)]]);
    await expect(addAddress(ctx, { email: 'disdik@kab.test', unit: 'Disdik', key: FPR_C })).rejects.toMatchObject({
      code: 'KEY_REFUSED',
      key: 'kunci.refused.revoked',
      params: { fingerprint: FPR_C, userId: lama.userId },
    });
    expect(book.size).toBe(0);
    expect(audit).toEqual([]);
    book.set('disdik@kab.test', { email: 'disdik@kab.test', unit: 'Disdik', unitCode: null, fingerprint: FPR_C });
    await expect(lookupRecipients(ctx, ['disdik@kab.test'])).rejects.toMatchObject({ key: 'kunci.refused.revoked' });
  });

  it('the service object lists keys with the register’s decisions over the key file’s facts', async () => {
    const { ctx } = fakes([[disdik, parsed(FPR_B, '')], [lama, parsed(FPR_C, lama.userId)]]);
    const list = await createKunciService(ctx).list();
    expect(list.map((k) => [k.fingerprint, k.userId, k.revoked])).toEqual([
      [FPR_B, disdik.userId, false],
      [FPR_C, lama.userId, true],
    ]);
    expect((await createKunciService(ctx).findByRole('penerima')).map((k) => k.fingerprint)).toEqual([FPR_B]);
  });
});
