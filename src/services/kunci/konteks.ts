/**
 * What every operation of the key service shares: its ports, the clock and the acting officer, and the look-ups
 * each step starts with (a key named by fingerprint, key id or e-mail; its info; whether it may be used).
 */
import { SandiError, type MessageParams } from '../../errors.js';
import type { Clock, KeyInfo, KeyRole } from '../../ports.js';
import type { KunciPorts, KunciRecord, ParsedKey } from '../../ports/kunci.js';
import { algorithmLabel, describeWeakness, isExpired, isFingerprint, normaliseFingerprint, weakKeyReasons } from '../../domain/kunci.js';

/** The key service's ports, clock and actor: the first argument of every operation in services/kunci/. */
export interface KunciContext extends KunciPorts {
  clock: Clock;
  /** who is acting, for the audit log */
  actor: string;
}

export type KeyPurpose = 'encrypt' | 'sign';

/** A key that passed requireUsableKey, with its public armor ready for openpgp. */
export interface UsableKey extends KeyInfo {
  publicArmored: string;
}

/** A warning for the operator: a message key in src/cli/messages/kunci.ts and its parameters. */
export interface KunciWarning {
  key: string;
  params: MessageParams;
}

export const EMAIL_RE = /^[^\s@<>()"]+@[^\s@<>()"]+\.[^\s@<>()"]+$/;

/** A key's info: the register's decisions over the key file's own facts at one moment. */
export function toInfo(row: KunciRecord, parsed: ParsedKey): KeyInfo {
  return {
    fingerprint: row.fingerprint,
    userId: parsed.userId || row.userId,
    role: row.role,
    created: parsed.created,
    expires: parsed.expires,
    revoked: row.revokedAt !== null || parsed.revoked,
    canEncrypt: parsed.canEncrypt,
    canSign: parsed.canSign,
    hasSecret: row.hasSecret,
    algorithm: algorithmLabel(parsed.parts),
  };
}

/** The register row of `fpr`; NOT_FOUND naming it when sandi does not know the key. */
export function requireRow(ctx: KunciContext, fpr: string): KunciRecord {
  const row = ctx.store.key(fpr);
  if (!row) throw new SandiError('NOT_FOUND', 'kunci.unknownKey', { ref: fpr }, { hint: 'kunci.unknownKey.hint' });
  return row;
}

/** The info of a stored key at `now`. */
export async function infoOf(ctx: KunciContext, row: KunciRecord, now: Date): Promise<KeyInfo> {
  return toInfo(row, await ctx.crypto.describeArmored(ctx.files.readPublic(row.fingerprint), now, ctx.files.publicPath(row.fingerprint)));
}

/** Fingerprint of a key named by fingerprint, 16-hex key id, or e-mail (address book first, then user ids). */
export function resolveKeyRef(ctx: KunciContext, ref: string): string {
  const trimmed = ref.trim();
  if (trimmed.includes('@')) {
    const a = ctx.store.address(trimmed);
    if (a) return a.fingerprint;
    const like = ctx.store.fingerprintsForEmail(trimmed);
    if (like.length === 1 && like[0]) return like[0];
    if (like.length > 1) throw new SandiError('USAGE', 'kunci.ambiguousRef', { ref: trimmed, candidates: like.join(', ') });
    throw new SandiError('NOT_FOUND', 'kunci.unknownKey', { ref: trimmed }, { hint: 'kunci.unknownKey.hint' });
  }
  const fpr = normaliseFingerprint(trimmed);
  if (isFingerprint(fpr)) {
    requireRow(ctx, fpr);
    return fpr;
  }
  if (/^[0-9A-F]{16}$/.test(fpr)) {
    const m = ctx.store.keys().filter((r) => r.fingerprint.endsWith(fpr));
    if (m.length === 1 && m[0]) return m[0].fingerprint;
    if (m.length > 1) throw new SandiError('USAGE', 'kunci.ambiguousRef', { ref: trimmed, candidates: m.map((r) => r.fingerprint).join(', ') });
  }
  throw new SandiError('NOT_FOUND', 'kunci.unknownKey', { ref: trimmed }, { hint: 'kunci.unknownKey.hint' });
}

/** KEY_REFUSED naming the key and why (`key` is the message key; its hint is `<key>.hint`). */
export function refuse(key: string, info: { fingerprint: string; userId: string }, extra: MessageParams = {}): SandiError {
  return new SandiError('KEY_REFUSED', key, { fingerprint: info.fingerprint, userId: info.userId, ...extra }, { hint: `${key}.hint` });
}

/** USAGE unless `role` is one of `allowed`. */
export function assertRole(role: string, allowed: readonly KeyRole[]): asserts role is KeyRole {
  if (!(allowed as readonly string[]).includes(role)) {
    throw new SandiError('DATA', 'kunci.badRole', { value: role, expected: allowed.join(', ') });
  }
}

/**
 * The key `fingerprint` may be used for new work of `purpose` at `now`; otherwise KEY_REFUSED naming the key
 * (fingerprint and user id) and why: revoked (in the register or by a revocation signature), expired, too weak,
 * or without the capability. Returns the key's info and public armor.
 */
export async function requireUsableKey(ctx: KunciContext, fingerprint: string, purpose: KeyPurpose, now: Date = ctx.clock.now()): Promise<UsableKey> {
  const fpr = normaliseFingerprint(fingerprint);
  const row = requireRow(ctx, fpr);
  const armored = ctx.files.readPublic(fpr);
  const parsed = await ctx.crypto.describeArmored(armored, now, ctx.files.publicPath(fpr));
  const info = toInfo(row, parsed);
  if (info.revoked) throw refuse('kunci.refused.revoked', info, { date: row.revokedAt ?? '' });
  if (isExpired(info.expires, now)) throw refuse('kunci.refused.expired', info, { expires: info.expires ?? '' });
  const weak = weakKeyReasons(parsed.version, parsed.parts);
  if (weak.length > 0) throw refuse('kunci.refused.weak', info, { reasons: weak.map(describeWeakness).join(', ') });
  if (purpose === 'encrypt') {
    if (!parsed.canEncrypt) throw refuse('kunci.refused.noEncrypt', info);
    if (!parsed.encryptUsableNow) throw refuse('kunci.refused.cannotEncryptNow', info);
  } else {
    if (!parsed.canSign) throw refuse('kunci.refused.noSign', info);
    if (!parsed.signUsableNow) throw refuse('kunci.refused.cannotSignNow', info);
  }
  return { ...info, publicArmored: armored };
}

/** Arsip keys still active (not revoked, not expired) at `now`, other than `except`. */
export async function activeArchiveKeys(ctx: KunciContext, now: Date, except: string | null): Promise<KeyInfo[]> {
  const out: KeyInfo[] = [];
  for (const row of ctx.store.keys()) {
    if (row.role !== 'arsip' || row.fingerprint === except || row.revokedAt !== null) continue;
    const info = await infoOf(ctx, row, now);
    if (!info.revoked && !isExpired(info.expires, now)) out.push(info);
  }
  return out;
}

/** CONFLICT naming the other one when an active arsip key other than `fpr` exists (only one may). */
export async function assertNoOtherArchive(ctx: KunciContext, now: Date, fpr: string | null): Promise<void> {
  const other = (await activeArchiveKeys(ctx, now, fpr))[0];
  if (other) {
    throw new SandiError('CONFLICT', 'kunci.archiveExists', { fingerprint: other.fingerprint, userId: other.userId }, { hint: 'kunci.archiveExists.hint' });
  }
}
