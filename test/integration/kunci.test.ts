/**
 * The key service with real openpgp.js and real SQLite on temporary homes: create → list → export → import into a
 * second home; address book; revoke → refused; expiry; weak keys; loose permissions; the audit chain.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as openpgp from 'openpgp';
import { openApp, type App } from '../../src/app.js';
import { kunciService, importExampleKeys, readExampleManifest, type KunciService } from '../../src/services/kunci.js';
import { passphraseSource } from '../../src/config/passphrase.js';
import { SandiError } from '../../src/errors.js';
import { verifyChain } from '../../src/domain/audit.js';
import { isDemoKey } from '../../src/domain/kunci.js';
import type { KeyInfo } from '../../src/ports.js';

const root = mkdtempSync(join(tmpdir(), 'sandi-kunci-'));
const PASS_ARSIP = 'arsip-kantor-rahasia-1';
const PASS_SANDIMAN = 'sandiman-rahasia-22';
const opened: App[] = [];

function home(name: string): { app: App; svc: KunciService; dir: string } {
  const dir = join(root, name);
  const app = openApp(dir);
  opened.push(app);
  return { app, svc: kunciService(app, 'penguji'), dir };
}

async function refusal(p: Promise<unknown> | (() => unknown)): Promise<SandiError> {
  try {
    if (typeof p === 'function') await p();
    else await p;
  } catch (e) {
    if (e instanceof SandiError) return e;
    throw e;
  }
  throw new Error('expected a SandiError');
}

const mode = (p: string) => statSync(p).mode & 0o777;

let A: ReturnType<typeof home>;
let B: ReturnType<typeof home>;
let arsip: KeyInfo;
let sandiman: KeyInfo;

beforeAll(async () => {
  A = home('kantor');
  B = home('mitra');
  arsip = await A.svc.create({ role: 'arsip', name: 'Arsip Diskominfo', email: 'arsip@kominfo.example.go.id', expiry: '2y', passphrase: PASS_ARSIP });
  sandiman = await A.svc.create({ role: 'sandiman', name: 'Budi Sandiman', email: 'budi@kominfo.example.go.id', expiry: 'never', passphrase: PASS_SANDIMAN });
});

afterAll(() => {
  for (const a of opened) a.close();
  rmSync(root, { recursive: true, force: true });
});

describe('create and list', () => {
  it('makes v4 Ed25519/Cv25519 keys with role, expiry and secret', async () => {
    const keys = await A.svc.list();
    expect(keys.map((k) => k.role)).toEqual(['arsip', 'sandiman']);
    const a = keys[0]!;
    expect(a.fingerprint).toMatch(/^[0-9A-F]{40}$/);
    expect(a.userId).toBe('Arsip Diskominfo <arsip@kominfo.example.go.id>');
    expect(a.algorithm).toBe('ed25519Legacy/curve25519Legacy');
    expect(a.canEncrypt && a.canSign && a.hasSecret && !a.revoked).toBe(true);
    const years = (Date.parse(a.expires!) - Date.parse(a.created)) / (365 * 86400_000);
    expect(years).toBeGreaterThan(1.99);
    expect(years).toBeLessThan(2.01);
    expect(keys[1]!.expires).toBeNull();
    const pub = await openpgp.readKey({ armoredKey: A.svc.loadPublicArmored(a.fingerprint) });
    expect(pub.keyPacket.version).toBe(4);
    expect(pub.isPrivate()).toBe(false);
  });

  it('writes secret files 0600, the folder 0700, and the secret stays passphrase-protected', async () => {
    const kdir = A.app.paths.keys;
    expect(mode(kdir)).toBe(0o700);
    expect(mode(join(kdir, `${arsip.fingerprint}.sec.asc`))).toBe(0o600);
    const sec = await openpgp.readPrivateKey({ armoredKey: A.svc.loadSecretArmored(arsip.fingerprint) });
    expect(sec.isDecrypted()).toBe(false);
    await A.svc.unlockCheck(arsip.fingerprint, PASS_ARSIP);
  });

  it('refuses a second active arsip key, bad input and weak passphrases before generating', async () => {
    const e = await refusal(A.svc.create({ role: 'arsip', name: 'Arsip Dua', email: 'a2@kominfo.example.go.id', expiry: '1y', passphrase: 'cukup-panjang-1' }));
    expect(e.code).toBe('CONFLICT');
    expect(e.params['fingerprint']).toBe(arsip.fingerprint);
    const base = { role: 'kasi' as const, name: 'Kasi', email: 'kasi@kominfo.example.go.id', expiry: '2y', passphrase: 'cukup-panjang-1' };
    expect((await refusal(A.svc.create({ ...base, passphrase: '' }))).key).toBe('kunci.passphraseEmpty');
    expect((await refusal(A.svc.create({ ...base, passphrase: 'pendek' }))).key).toBe('kunci.passphraseTooShort');
    expect((await refusal(A.svc.create({ ...base, expiry: 'kapan-kapan' }))).key).toBe('kunci.badExpiry');
    expect((await refusal(A.svc.create({ ...base, email: 'bukan-surel' }))).key).toBe('kunci.badEmail');
    expect((await refusal(A.svc.create({ ...base, role: 'penerima' }))).key).toBe('kunci.badRole');
    expect((await A.svc.list()).length).toBe(2);
  });

  it('unlockCheck: a wrong passphrase is PERMISSION naming the key, never the passphrase', async () => {
    const e = await refusal(A.svc.unlockCheck(sandiman.fingerprint, 'salah-sekali-tebakan'));
    expect(e.code).toBe('PERMISSION');
    expect(e.exitCode).toBe(77);
    expect(e.params['fingerprint']).toBe(sandiman.fingerprint);
    expect(e.params['userId']).toContain('Budi Sandiman');
    expect(JSON.stringify(e.params) + e.message + (e.cause instanceof Error ? e.cause.message : '')).not.toContain('salah-sekali-tebakan');
  });

  it('findByRole and requireUsableKey for the fresh keys', async () => {
    expect((await A.svc.findByRole('arsip')).map((k) => k.fingerprint)).toEqual([arsip.fingerprint]);
    expect(await A.svc.findByRole('kasi')).toEqual([]);
    const u = await A.svc.requireUsableKey(arsip.fingerprint, 'encrypt', new Date());
    expect(u.publicArmored).toContain('BEGIN PGP PUBLIC KEY BLOCK');
    await A.svc.requireUsableKey(sandiman.fingerprint, 'sign', new Date());
  });
});

describe('export and import into a second home', () => {
  it('public export → import as a recipient with an address-book entry → lookupRecipients', async () => {
    const pub = A.svc.exportKey('arsip@kominfo.example.go.id');
    expect(pub.secret).toBe(false);
    expect(pub.armored).not.toContain('PRIVATE');
    const res = await B.svc.importKeys(pub.armored, 'arsip.asc', { address: { email: 'arsip@kominfo.example.go.id', unit: 'Diskominfo', unitCode: 'KOMINFO' } });
    expect(res.keys.map((k) => [k.fingerprint, k.role, k.status, k.hasSecret])).toEqual([[arsip.fingerprint, 'penerima', 'baru', false]]);
    expect(res.address).toEqual({ email: 'arsip@kominfo.example.go.id', unit: 'Diskominfo', unitCode: 'KOMINFO', fingerprint: arsip.fingerprint });
    const [r] = await B.svc.lookupRecipients(['ARSIP@kominfo.example.go.id']);
    expect(r).toMatchObject({ unit: 'Diskominfo', unitCode: 'KOMINFO', fingerprint: arsip.fingerprint });
    expect(r!.armored).toContain('BEGIN PGP PUBLIC KEY BLOCK');
    // importing the same key again changes nothing and writes no audit event
    const again = await B.svc.importKeys(pub.armored, 'arsip.asc');
    expect(again.keys[0]!.status).toBe('tetap');
  });

  it('an unknown recipient is NOT_FOUND naming the e-mail and the fix', async () => {
    const e = await refusal(B.svc.lookupRecipients(['tidak.ada@dinkes.example.go.id']));
    expect(e.code).toBe('NOT_FOUND');
    expect(e.params['email']).toBe('tidak.ada@dinkes.example.go.id');
    expect(e.hint).toBe('kunci.addressUnknown.hint');
  });

  it('secret export to a file is 0600 and refuses to overwrite; secret import needs a role and is stored 0600', async () => {
    const out = join(root, 'sandiman-export.sec.asc');
    const r = A.svc.exportToFile(sandiman.fingerprint, out, { secret: true });
    expect(r.secret).toBe(true);
    expect(mode(out)).toBe(0o600);
    expect(readFileSync(out, 'utf8')).toContain('BEGIN PGP PRIVATE KEY BLOCK');
    expect((await refusal(() => A.svc.exportToFile(sandiman.fingerprint, out, { secret: true }))).code).toBe('CONFLICT');
    const pubOut = join(root, 'sandiman.pub.asc');
    A.svc.exportToFile(sandiman.fingerprint, pubOut);
    expect(mode(pubOut)).toBe(0o644);

    expect((await refusal(B.svc.importFile(out))).key).toBe('kunci.roleNeededForSecret');
    const res = await B.svc.importFile(out, { role: 'sandiman' });
    expect(res.keys[0]).toMatchObject({ fingerprint: sandiman.fingerprint, role: 'sandiman', hasSecret: true, status: 'baru' });
    expect(mode(join(B.app.paths.keys, `${sandiman.fingerprint}.sec.asc`))).toBe(0o600);
    await B.svc.unlockCheck(sandiman.fingerprint, PASS_SANDIMAN);
  });

  it('a secret export without --rahasia is never the secret; without a secret it is NOT_FOUND', async () => {
    expect(B.svc.exportKey(arsip.fingerprint).armored).not.toContain('PRIVATE');
    expect((await refusal(() => B.svc.exportKey(arsip.fingerprint, { secret: true }))).key).toBe('kunci.noSecret');
  });

  it('refuses a second active arsip key on import', async () => {
    const C = home('kantor-lain');
    await C.svc.create({ role: 'arsip', name: 'Arsip Lain', email: 'arsip@lain.example.go.id', expiry: '1y', passphrase: 'arsip-lain-12345' });
    const e = await refusal(C.svc.importKeys(A.svc.exportKey(arsip.fingerprint).armored, 'x', { role: 'arsip' }));
    expect(e.code).toBe('CONFLICT');
  });
});

describe('permissions', () => {
  it('a secret key file readable by group/others is refused with the exact chmod fix', async () => {
    const C = home('longgar');
    const k = await C.svc.create({ role: 'kasi', name: 'Kasi Longgar', email: 'kasi@longgar.example.go.id', expiry: '1y', passphrase: 'kasi-longgar-123' });
    const path = join(C.app.paths.keys, `${k.fingerprint}.sec.asc`);
    chmodSync(path, 0o644);
    const e = await refusal(() => C.svc.loadSecretArmored(k.fingerprint));
    expect(e.code).toBe('PERMISSION');
    expect(e.exitCode).toBe(77);
    expect(e.params['fix']).toBe(`chmod 600 ${path}`);
    expect(e.params['mode']).toBe('644');
    expect((await refusal(C.svc.unlockCheck(k.fingerprint, 'kasi-longgar-123'))).code).toBe('PERMISSION');
    chmodSync(path, 0o600);
    chmodSync(C.app.paths.keys, 0o755);
    const d = await refusal(() => C.svc.loadSecretArmored(k.fingerprint));
    expect(d.params['fix']).toBe(`chmod 700 ${C.app.paths.keys}`);
    chmodSync(C.app.paths.keys, 0o700);
    expect(C.svc.loadSecretArmored(k.fingerprint)).toContain('PRIVATE KEY');
  });

  it('refuses to import an unprotected secret key', async () => {
    const { privateKey } = await openpgp.generateKey({ type: 'ecc', curve: 'curve25519Legacy', userIDs: [{ name: 'Tanpa Sandi', email: 'tanpa@x.example.go.id' }], format: 'armored' });
    const e = await refusal(B.svc.importKeys(privateKey, 'tanpa.asc', { role: 'sandiman' }));
    expect(e.code).toBe('DATA');
    expect(e.key).toBe('kunci.secretUnprotected');
  });
});

describe('weak, expired and capability-less keys', () => {
  let rsa2048: string;
  beforeAll(async () => {
    rsa2048 = (await openpgp.generateKey({ type: 'rsa', rsaBits: 2048, userIDs: [{ name: 'Dinas Lama', email: 'lama@dinas.example.go.id' }], format: 'armored' })).publicKey;
  });

  it('RSA 2048 is refused on import, naming the key and why', async () => {
    const e = await refusal(B.svc.importKeys(rsa2048, 'lama.asc', { address: { email: 'lama@dinas.example.go.id', unit: 'Dinas Lama' } }));
    expect(e.code).toBe('KEY_REFUSED');
    expect(e.exitCode).toBe(82);
    expect(e.params['userId']).toBe('Dinas Lama <lama@dinas.example.go.id>');
    expect(e.params['reasons']).toBe('RSA 2048 < 3072');
    expect(B.svc.listAddresses().map((a) => a.email)).not.toContain('lama@dinas.example.go.id');
  });

  it('with allowWeak it is stored (warning) but refused for new work', async () => {
    const res = await B.svc.importKeys(rsa2048, 'lama.asc', { allowWeak: true });
    expect(res.warnings.map((w) => w.key)).toEqual(['kunci.import.weakStored']);
    const fpr = res.keys[0]!.fingerprint;
    expect(res.keys[0]!.algorithm).toBe('rsa2048');
    const e = await refusal(B.svc.requireUsableKey(fpr, 'encrypt', new Date()));
    expect(e.key).toBe('kunci.refused.weak');
    // the address book does not bind a refused key either
    expect((await refusal(B.svc.addAddress({ email: 'lama@dinas.example.go.id', unit: 'Dinas Lama', key: fpr }))).code).toBe('KEY_REFUSED');
  });

  it('a sign-only key is refused as a recipient', async () => {
    const { publicKey } = await openpgp.generateKey({ type: 'ecc', curve: 'curve25519Legacy', userIDs: [{ name: 'Tanda Saja', email: 'ts@x.example.go.id' }], subkeys: [], format: 'armored' });
    const e = await refusal(B.svc.importKeys(publicKey, 'ts.asc'));
    expect(e.key).toBe('kunci.import.noEncrypt');
    // as a Kasi's public key (for checking signatures) it is fine, but never for encryption
    const res = await B.svc.importKeys(publicKey, 'ts.asc', { role: 'kasi' });
    const fpr = res.keys[0]!.fingerprint;
    await B.svc.requireUsableKey(fpr, 'sign', new Date());
    expect((await refusal(B.svc.requireUsableKey(fpr, 'encrypt', new Date()))).key).toBe('kunci.refused.noEncrypt');
  });

  it('an expired key is refused with its expiry date', async () => {
    const C = home('kedaluwarsa');
    const k = await C.svc.create({
      role: 'kasi',
      name: 'Kasi Lama',
      email: 'kasi.lama@kominfo.example.go.id',
      expiry: '30d',
      passphrase: 'kasi-lama-12345',
      date: new Date('2024-01-01T00:00:00Z'),
    });
    expect(k.expires).toBe('2024-01-31T00:00:00.000Z');
    const e = await refusal(C.svc.requireUsableKey(k.fingerprint, 'sign', new Date()));
    expect(e.key).toBe('kunci.refused.expired');
    expect(e.params['expires']).toBe('2024-01-31T00:00:00.000Z');
    // before it expired it was fine
    await C.svc.requireUsableKey(k.fingerprint, 'sign', new Date('2024-01-15T00:00:00Z'));
  });

  it('an unknown key is NOT_FOUND', async () => {
    expect((await refusal(B.svc.requireUsableKey('F'.repeat(40), 'encrypt'))).code).toBe('NOT_FOUND');
  });
});

describe('revocation', () => {
  it('an own key is revoked with a signature (passphrase needed) and refused afterwards; the secret stays protected', async () => {
    const C = home('cabut');
    const k = await C.svc.create({ role: 'sandiman', name: 'Sandiman Cabut', email: 'cabut@kominfo.example.go.id', expiry: '2y', passphrase: 'cabut-rahasia-123' });
    const wrong = await refusal(C.svc.revoke(k.fingerprint, { kind: 'pensiun', reason: 'pindah tugas', passphrases: passphraseSource({ env: { SANDI_PASSPHRASE: 'bukan-ini-ya' } }) }));
    expect(wrong.code).toBe('PERMISSION');
    expect((await C.svc.info(k.fingerprint)).revoked).toBe(false);
    const missing = await refusal(C.svc.revoke(k.fingerprint, { passphrases: passphraseSource({ env: {} }) }));
    expect(missing.code).toBe('USAGE');

    // a second home holds a copy of the secret key (the same officer at another terminal)
    const D = home('cabut-mitra');
    await D.svc.importKeys(C.svc.exportKey(k.fingerprint, { secret: true }).armored, 'sec.asc', { role: 'sandiman' });
    expect((await D.svc.importKeys(C.svc.exportKey(k.fingerprint).armored, 'pub.asc')).keys[0]!.status).toBe('tetap');

    const r = await C.svc.revoke(k.fingerprint, {
      kind: 'pensiun',
      reason: 'pindah tugas',
      passphrases: passphraseSource({ env: { SANDI_PASSPHRASE_SANDIMAN: 'cabut-rahasia-123' } }),
    });
    expect(r.signed).toBe(true);
    expect(r.revoked).toBe(true);
    const e = await refusal(C.svc.requireUsableKey(k.fingerprint, 'sign', new Date()));
    expect(e.code).toBe('KEY_REFUSED');
    expect(e.key).toBe('kunci.refused.revoked');
    expect(e.params['fingerprint']).toBe(k.fingerprint);
    expect(e.params['userId']).toContain('Sandiman Cabut');
    const pub = await openpgp.readKey({ armoredKey: C.svc.loadPublicArmored(k.fingerprint) });
    expect(await pub.isRevoked()).toBe(true);
    const sec = await openpgp.readPrivateKey({ armoredKey: C.svc.loadSecretArmored(k.fingerprint) });
    expect(sec.isDecrypted()).toBe(false);
    expect(await sec.isRevoked()).toBe(true);
    expect((await refusal(C.svc.revoke(k.fingerprint, { passphrases: passphraseSource({ env: {} }) }))).key).toBe('kunci.alreadyRevoked');

    // the revoked public key, imported there, updates that copy (secret included): refused there too
    const revokedPublic = C.svc.exportKey(k.fingerprint).armored;
    const res = await D.svc.importKeys(revokedPublic, 'revoked.asc');
    expect(res.keys[0]).toMatchObject({ status: 'diperbarui', hasSecret: true, revoked: true });
    expect(res.warnings.map((w) => w.key)).toContain('kunci.import.revoked');
    expect((await refusal(D.svc.requireUsableKey(k.fingerprint, 'sign', new Date()))).key).toBe('kunci.refused.revoked');
    const dSecret = await openpgp.readPrivateKey({ armoredKey: D.svc.loadSecretArmored(k.fingerprint) });
    expect(await dSecret.isRevoked()).toBe(true);
    expect(dSecret.isDecrypted()).toBe(false);
    // a fresh home that only sees the revoked public key refuses it as well
    const E = home('cabut-baru');
    await E.svc.importKeys(revokedPublic, 'revoked.asc', { role: 'sandiman' });
    expect((await refusal(E.svc.requireUsableKey(k.fingerprint, 'sign', new Date()))).key).toBe('kunci.refused.revoked');
  });

  it('a foreign key is marked revoked in the table (no passphrase asked)', async () => {
    const r = await B.svc.revoke(arsip.fingerprint, { reason: 'kunci diganti', passphrases: { get: () => Promise.reject(new Error('must not ask')) } });
    expect(r.signed).toBe(false);
    expect(r.revoked).toBe(true);
    const e = await refusal(B.svc.lookupRecipients(['arsip@kominfo.example.go.id']));
    expect(e.key).toBe('kunci.refused.revoked');
    expect(await B.svc.findByRole('penerima')).not.toContainEqual(expect.objectContaining({ fingerprint: arsip.fingerprint }));
  });
});

describe('address book', () => {
  it('add, change, list, remove — each audited', async () => {
    const C = home('alamat');
    const k = await C.svc.create({ role: 'kasi', name: 'Kasi Alamat', email: 'kasi@alamat.example.go.id', expiry: '1y', passphrase: 'kasi-alamat-123' });
    await C.svc.addAddress({ email: 'persandian@dinkes.example.go.id', unit: 'Dinas Kesehatan', unitCode: 'DINKES', key: k.fingerprint });
    await C.svc.addAddress({ email: 'persandian@dinkes.example.go.id', unit: 'Dinas Kesehatan Kota', key: k.fingerprint.slice(-16) });
    expect(C.svc.listAddresses()).toEqual([{ email: 'persandian@dinkes.example.go.id', unit: 'Dinas Kesehatan Kota', unitCode: null, fingerprint: k.fingerprint }]);
    expect((await refusal(C.svc.addAddress({ email: 'x@y.example.go.id', unit: 'X', key: 'tidak@dikenal.example' }))).code).toBe('NOT_FOUND');
    expect(C.svc.removeAddress('persandian@dinkes.example.go.id').unit).toBe('Dinas Kesehatan Kota');
    expect(C.svc.listAddresses()).toEqual([]);
    expect((await refusal(() => C.svc.removeAddress('persandian@dinkes.example.go.id'))).code).toBe('NOT_FOUND');
    const actions = [...C.app.store().auditRows()].map((r) => r.action);
    expect(actions).toEqual(['kunci.buat', 'alamat.tambah', 'alamat.ubah', 'alamat.hapus']);
  });
});

describe('audit', () => {
  it('every change in the first home is one event in an intact chain, with no passphrase in it', () => {
    const rows = [...A.app.store().auditRows()];
    expect(rows.map((r) => r.action)).toEqual(['kunci.buat', 'kunci.buat', 'kunci.ekspor.rahasia']);
    expect(rows.every((r) => r.actor === 'penguji')).toBe(true);
    expect(verifyChain(rows).ok).toBe(true);
    const all = JSON.stringify(rows);
    expect(all).not.toContain(PASS_ARSIP);
    expect(all).not.toContain(PASS_SANDIMAN);
  });
});

describe('keys.example', () => {
  const dir = join(import.meta.dirname, '../../keys.example');
  it('holds the five demo keys, all marked as demo, importable with their published passphrases', async () => {
    const manifest = readExampleManifest(dir);
    expect(manifest.map((k) => k.role)).toEqual(['arsip', 'sandiman', 'kasi', 'penerima', 'penerima']);
    const D = home('demo');
    const { results } = await importExampleKeys(dir, D.svc);
    expect(results.flatMap((r) => r.keys).map((k) => k.status)).toEqual(['baru', 'baru', 'baru', 'baru', 'baru']);
    const keys = await D.svc.list();
    expect(keys.every((k) => isDemoKey(k))).toBe(true);
    expect(keys.filter((k) => k.hasSecret).map((k) => k.role).sort()).toEqual(['arsip', 'kasi', 'sandiman']);
    for (const k of manifest) {
      if (k.role === 'penerima') continue;
      expect(mode(join(D.app.paths.keys, `${k.fingerprint}.sec.asc`))).toBe(0o600);
      await D.svc.unlockCheck(k.fingerprint, k.passphrase);
    }
    const recipients = await D.svc.lookupRecipients(['persandian@dinkes.demo.sandi.invalid', 'persandian@disdik.demo.sandi.invalid']);
    expect(recipients.map((r) => r.unitCode)).toEqual(['DINKES', 'DISDIK']);
    // the recipients' secret keys are in keys.example too (a demo may play the recipient)
    for (const k of manifest) expect(existsSync(join(dir, k.secret))).toBe(true);
    const readme = readFileSync(join(dir, 'README.md'), 'utf8');
    for (const k of manifest) {
      expect(readme).toContain(k.passphrase);
      expect(readme).toContain(k.fingerprint);
    }
    expect(readme).toMatch(/DEMO ONLY/);
    expect(readme).toMatch(/KHUSUS DEMO/);
  });

  it('demo keys are sandi keys that never expire (the demo keeps working)', async () => {
    for (const k of readExampleManifest(dir)) {
      const pub = await openpgp.readKey({ armoredKey: readFileSync(join(dir, k.public), 'utf8') });
      expect(pub.getFingerprint().toUpperCase()).toBe(k.fingerprint);
      expect(pub.keyPacket.version).toBe(4);
      expect(await pub.getExpirationTime()).toBe(Infinity);
      expect(pub.getUserIDs()).toEqual([k.userId]);
    }
  });
});
