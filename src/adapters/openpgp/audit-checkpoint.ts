/**
 * Signed audit checkpoints: the chain head (id, hash, time) as an OpenPGP cleartext-signed text, so that
 * `gpg --verify titik-000000000042.asc` reads one by hand. Signed by the office's archive key, whose secret
 * part lives in <home>/kunci, never in sandi.db.
 */
import * as openpgp from 'openpgp';
import { SandiError } from '../../errors.js';
import { checkpointText, parseCheckpointText, type Checkpoint } from '../../domain/audit.js';

// openpgp's overloads are too many for type-aware linting to resolve: the forms used here
const signCleartext = openpgp.sign as unknown as (o: { message: openpgp.CleartextMessage; signingKeys: openpgp.PrivateKey; date: Date; format: 'armored' }) => Promise<string>;
const verifyCleartext = openpgp.verify as unknown as (o: {
  message: openpgp.CleartextMessage;
  verificationKeys: openpgp.PublicKey[];
  expectSigned: true;
  date?: Date;
}) => Promise<{ data: string; signatures: { keyID: openpgp.KeyID; verified: Promise<true>; signature: Promise<openpgp.Signature> }[] }>;

/** Sign a checkpoint with an unlocked key; the armored cleartext-signed text. */
export async function signCheckpoint(c: Checkpoint, key: openpgp.PrivateKey, date: Date): Promise<string> {
  try {
    const message = await openpgp.createCleartextMessage({ text: checkpointText(c) });
    // openpgp.js writes the signed text with CRLF; plain LF reads better by hand and verifies the same (the
    // signature is over the text with canonical line endings)
    return (await signCleartext({ message, signingKeys: key, date, format: 'armored' })).replace(/\r\n/g, '\n');
  } catch (e) {
    throw new SandiError('INTERNAL', 'common.internal', { detail: `audit checkpoint signature: ${(e as Error).message}` }, { cause: e });
  }
}

export type CheckpointVerdict =
  | { ok: true; checkpoint: Checkpoint; signer: string }
  /** not a checkpoint, a signature that does not verify, or one made by a key that is not an archive key */
  | { ok: false; reason: 'unreadable' | 'badSignature' | 'unknownSigner'; signer: string | null };

/**
 * Verify one checkpoint file's text against the office's archive keys (public armored keys). The signing time
 * is not checked against key expiry: a checkpoint made while the key was valid stays a checkpoint.
 */
export async function verifyCheckpoint(armored: string, archiveKeys: readonly string[]): Promise<CheckpointVerdict> {
  let message: openpgp.CleartextMessage;
  try {
    message = await openpgp.readCleartextMessage({ cleartextMessage: armored });
  } catch {
    return { ok: false, reason: 'unreadable', signer: null };
  }
  const keys: openpgp.PublicKey[] = [];
  for (const a of archiveKeys) {
    try {
      keys.push(await openpgp.readKey({ armoredKey: a }));
    } catch {
      /* an unreadable key file verifies nothing */
    }
  }
  const text = message.getText();
  const checkpoint = parseCheckpointText(text);
  if (checkpoint === null) return { ok: false, reason: 'unreadable', signer: null };
  const sigKeyId = message.getSigningKeyIDs()[0];
  const signerKey = sigKeyId === undefined ? undefined : keys.find((k) => k.getKeys(sigKeyId).length > 0);
  if (signerKey === undefined) return { ok: false, reason: 'unknownSigner', signer: sigKeyId?.toHex().toUpperCase() ?? null };
  const signer = signerKey.getFingerprint().toUpperCase();
  try {
    // checked at the checkpoint's own time (it is signed with that date): a key that expired later does not
    // void older checkpoints; a signature made at another time than the text says does not verify then
    const r = await verifyCleartext({ message, verificationKeys: [signerKey], expectSigned: true, date: new Date(checkpoint.at) });
    const first = r.signatures[0];
    if (!first) return { ok: false, reason: 'badSignature', signer };
    await first.verified;
    if (r.data.replace(/\r\n/g, '\n') !== checkpointText(checkpoint)) return { ok: false, reason: 'badSignature', signer };
    return { ok: true, checkpoint, signer };
  } catch {
    return { ok: false, reason: 'badSignature', signer };
  }
}
