/**
 * Hostile sealed records (issue 12, point 5): anyone holding the office archive PUBLIC key can seal a record, so
 * what a sealed reporter identity or credential entry decrypts to is untrusted JSON. Nothing may overflow the
 * stack walking it, and a record of the wrong shape is a clear refusal, never a TypeError or a value passed on.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as openpgp from 'openpgp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decryptPelapor, encryptPelapor } from '../../src/adapters/openpgp/aduan-pelapor.js';
import { credentialFiles } from '../../src/adapters/openpgp/kredensial.js';
import { SandiError } from '../../src/errors.js';

/** JSON text nested n arrays deep (JSON.stringify itself overflows the stack on such a value). */
const DEEP = `${'['.repeat(5000)}${']'.repeat(5000)}`;
/** A JSON text: a value, or a string already in JSON form (the deep ones). */
class Raw {
  constructor(readonly text: string) {}
}
const json = (payload: unknown): string => (payload instanceof Raw ? payload.text : JSON.stringify(payload));

async function sandiError(p: Promise<unknown>): Promise<SandiError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof SandiError) return e;
    throw e;
  }
  throw new Error('expected a SandiError');
}

let dir: string;
let privateKey: openpgp.PrivateKey;
let publicKey: openpgp.PublicKey;
const seal = async (payload: unknown): Promise<Uint8Array> => {
  const message = await openpgp.createMessage({ text: json(payload) });
  return (await openpgp.encrypt({ message, encryptionKeys: publicKey, format: 'binary' })) as Uint8Array;
};

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sandi-sealed-'));
  ({ privateKey, publicKey } = await openpgp.generateKey({ type: 'ecc', curve: 'curve25519Legacy', userIDs: [{ email: 'arsip@kominfo.test' }], format: 'object' }));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('sealed reporter identity', () => {
  const binding = { kanal: 'laporgub', nomorPelacakan: 'LG-77', nomor: 'ADU/001/2026' };

  it('opens a well-formed identity', async () => {
    const blob = await encryptPelapor({ nama: 'Budi' }, binding, publicKey.armor(), new Date());
    expect(await decryptPelapor(blob, binding, privateKey)).toEqual({ nama: 'Budi' });
  });

  it.each([
    ['null', null],
    ['an array', ['x']],
    ['a reporter that is a number', { v: 1, kanal: 'laporgub', nomorPelacakan: 'LG-77', pelapor: 5 }],
    ['a reporter without a name', { v: 1, kanal: 'laporgub', nomorPelacakan: 'LG-77', pelapor: {} }],
    ['a name nested 5,000 arrays deep', new Raw(`{"v":1,"kanal":"laporgub","nomorPelacakan":"LG-77","pelapor":{"nama":${DEEP}}}`)],
    ['5,000 nested arrays', new Raw(DEEP)],
  ])('refuses %s as damaged (INTEGRITY), not a TypeError nor a value passed on', async (_what, payload) => {
    const e = await sandiError(decryptPelapor(await seal(payload), binding, privateKey));
    expect({ code: e.code, key: e.key }).toEqual({ code: 'INTEGRITY', key: 'aduan.pelaporUnreadable' });
  });
});

describe('sealed credential entry', () => {
  it('refuses an entry nested 5,000 deep (whole or in an extra field) as DATA, not a RangeError', async () => {
    const store = credentialFiles(join(dir, 'kredensial'));
    await store.write('0'.repeat(32), 'sandi@kominfo.test', 'sandi-lama', publicKey.armor(), new Date());
    for (const [i, text] of [DEEP, `{"v":1,"user":"sandi@kominfo.test","password":"x","extra":${DEEP}}`].entries()) {
      const message = await openpgp.createMessage({ text });
      const armored = await openpgp.encrypt({ message, encryptionKeys: publicKey, format: 'armored' });
      const id = String(i + 1).repeat(32);
      writeFileSync(join(store.dir, `${id}.asc`), armored as string, { mode: 0o600 });
      const e = await sandiError(store.read(id, 'sandi@kominfo.test', privateKey));
      expect(e.code).toBe('DATA');
    }
  });
});
