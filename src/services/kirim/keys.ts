/**
 * The secrets a kirim run needs, each resolved once per service instance and kept in memory only: the
 * sandiman's and the Kasi's signing keys (unlocked before the first write, so nothing is registered on a
 * wrong passphrase), the Kasi's encryption keys for the draft, and the mailbox password (before anything is
 * numbered).
 */
import { SandiError, isSandiError } from '../../errors.js';
import type { KeyInfo } from '../../ports.js';
import { mailboxPasswordIn } from '../akun-kredensial.js';
import type { KirimCtx } from './context.js';
import type { UnlockedKey } from './types.js';

/** The first key of `role` that has a secret part and may sign now. */
export async function ownSigningKey(c: KirimCtx, role: 'sandiman' | 'kasi'): Promise<KeyInfo> {
  const { keys } = c;
  const candidates = (await keys.findByRole(role)).filter((k) => k.hasSecret);
  const first = candidates[0];
  if (!first) throw new SandiError('NOT_FOUND', 'kirim.noOwnKey', { role }, { hint: 'kirim.noOwnKey.hint' });
  await keys.requireUsableKey(first.fingerprint, 'sign');
  return first;
}

/**
 * Ask the passphrase for `key` from its role's source and unlock the key now (so nothing is registered on
 * a wrong passphrase); later steps of the same run reuse the unlocked key instead of asking again.
 */
export async function unlockKey(c: KirimCtx, key: KeyInfo, role: 'sandiman' | 'kasi'): Promise<UnlockedKey> {
  const { o, keys, warn, unlocked } = c;
  const known = unlocked.get(key.fingerprint);
  if (known) return known;
  const source = o.passphrases[role];
  if (!source) throw new SandiError('USAGE', 'kirim.passphraseSourceMissing', { role });
  const { unlockedArmored } = await c.io.unlocker();
  // a person typing at the prompt gets three tries, like gpg; a file or a variable one
  const tries = Math.max(1, source.tries?.(key) ?? 1);
  for (let attempt = 1; ; attempt++) {
    const pass = await source.get(key);
    try {
      const k: UnlockedKey = { armored: await unlockedArmored(keys.loadSecretArmored(key.fingerprint), pass, { fingerprint: key.fingerprint, userId: key.userId }) };
      unlocked.set(key.fingerprint, k);
      return k;
    } catch (e) {
      if (!isSandiError(e) || e.key !== 'kunci.wrongPassphrase' || attempt >= tries) throw e;
      warn('kirim.passphraseLagi', { attempt: attempt + 1, tries });
    }
  }
}

/** Encryption keys of the Kasi(s): the draft is readable by them and the archive key only. */
export async function kasiEncryptionKeys(c: KirimCtx): Promise<string[]> {
  const { keys } = c;
  const out: string[] = [];
  for (const k of await keys.findByRole('kasi')) {
    try {
      out.push((await keys.requireUsableKey(k.fingerprint, 'encrypt')).publicArmored);
    } catch (e) {
      if (!isSandiError(e) || e.code !== 'KEY_REFUSED') throw e;
    }
  }
  if (out.length === 0) throw new SandiError('NOT_FOUND', 'kirim.noOwnKey', { role: 'kasi' }, { hint: 'kirim.noOwnKey.hint' });
  return out;
}

/** The mailbox password, resolved once per service (one run): before anything is numbered (sendSecrets). */
export function mailboxPassword(c: KirimCtx): Promise<string> {
  const { app, o, config } = c;
  const mb = config.mailbox;
  if (!mb) return Promise.reject(new SandiError('CONFIG', 'kirim.noMailbox'));
  if (!c.password) {
    const p = mailboxPasswordIn(app, config, o.actor, mb, { env: o.env, passphrases: o.passphrases.arsip });
    c.password = p;
    // a failed look-up is not kept: a later call asks again
    p.catch(() => {
      if (c.password === p) c.password = null;
    });
  }
  return c.password;
}

/**
 * Every secret a send needs, resolved and checked before anything is registered or numbered: with a mailbox,
 * its password (USAGE mail.passwordMissing names what is missing). The key passphrases are unlocked by the
 * callers before their first write (unlockKey).
 */
export async function sendSecrets(c: KirimCtx): Promise<void> {
  const { config } = c;
  if (config.mailbox) await mailboxPassword(c);
}

export async function imapSettings(c: KirimCtx) {
  const { config } = c;
  const mb = config.mailbox;
  if (!mb) throw new SandiError('CONFIG', 'kirim.noMailbox');
  const password = await mailboxPassword(c);
  return {
    host: mb.imap.host,
    port: mb.imap.port,
    security: mb.imap.tls,
    user: mb.user,
    password,
    ...(mb.caFile === undefined ? {} : { caFile: mb.caFile }),
  };
}
