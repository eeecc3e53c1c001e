/**
 * A small JSON record sealed to one public key (in sandi: the office archive key), in the house profile
 * (SEIPDv1, AES-256, no compression): the reporter identity of a complaint, a stored mailbox password.
 * Callers put a binding (which row or account the record belongs to) inside the record and check it after
 * opening, so a sealed record cannot be moved to another row.
 */
import * as openpgp from 'openpgp';
import { SECURITY_CONFIG } from './kriptogram.js';
import { JSON_MAX_DEPTH, jsonTooDeep } from '../../domain/json-limits.js';

const CONFIG: openpgp.PartialConfig = SECURITY_CONFIG;

// openpgp.encrypt/decrypt have stream-dependent return types typescript-eslint cannot resolve; the exact shapes used:
const encryptAs = openpgp.encrypt as unknown as (o: {
  message: openpgp.Message<string>;
  encryptionKeys: openpgp.Key;
  format: 'binary' | 'armored';
  date: Date;
  config: openpgp.PartialConfig;
}) => Promise<Uint8Array | string>;
const decryptText = openpgp.decrypt as unknown as (o: {
  message: openpgp.Message<Uint8Array | string>;
  decryptionKeys: openpgp.PrivateKey;
  format: 'utf8';
  config: openpgp.PartialConfig;
}) => Promise<{ data: string }>;

/** Seal `value` to `publicArmored`, as binary bytes or ASCII armor. */
export async function sealJson(value: unknown, publicArmored: string, now: Date, format: 'binary'): Promise<Uint8Array>;
export async function sealJson(value: unknown, publicArmored: string, now: Date, format: 'armored'): Promise<string>;
export async function sealJson(value: unknown, publicArmored: string, now: Date, format: 'binary' | 'armored'): Promise<Uint8Array | string> {
  const encryptionKeys = await openpgp.readKey({ armoredKey: publicArmored, config: CONFIG });
  const message = await openpgp.createMessage({ text: JSON.stringify(value), format: 'utf8' });
  return encryptAs({ message, encryptionKeys, format, date: now, config: CONFIG });
}

/**
 * Open a sealed record (binary or armored) with an unlocked key; throws openpgp's or JSON's error as is, and an
 * Error for JSON nested deeper than JSON_MAX_DEPTH (anyone with the public key can seal one; callers check the
 * shape of what they get, and nothing may overflow the stack walking it).
 */
export async function openJson(sealed: Uint8Array | string, key: openpgp.PrivateKey): Promise<unknown> {
  const message =
    typeof sealed === 'string'
      ? await openpgp.readMessage({ armoredMessage: sealed, config: CONFIG })
      : await openpgp.readMessage({ binaryMessage: sealed, config: CONFIG });
  const { data } = await decryptText({ message, decryptionKeys: key, format: 'utf8', config: CONFIG });
  const value = JSON.parse(data) as unknown;
  if (jsonTooDeep(value) !== null) throw new Error(`sealed record nested deeper than ${JSON_MAX_DEPTH} levels`);
  return value;
}
