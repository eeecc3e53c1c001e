/**
 * The key lifecycle (`sandi kunci buat / impor / ekspor / cabut / daftar`) and what other commands ask of a
 * stored key (its info, its armor, the keys of a role, a passphrase check). Key material lives in the key files;
 * what the office decided about a key (role, revocation) in the key register. Every change writes one audit
 * event in the same unit of work as the register change.
 */
import { existsSync, readFileSync } from 'node:fs';
import { SandiError } from '../../errors.js';
import type { AddressEntry, KeyInfo, KeyRole, PassphraseSource } from '../../ports.js';
import type { KunciRecord, ParsedKey, RevocationKind } from '../../ports/kunci.js';
import {
  KEY_ROLES,
  OWN_KEY_ROLES,
  algorithmLabel,
  describeWeakness,
  expirySeconds,
  isExpired,
  normaliseFingerprint,
  parseExpiry,
  passphraseProblem,
  weakKeyReasons,
  MIN_PASSPHRASE_LENGTH,
  DEMO_MARK,
} from '../../domain/kunci.js';
import { EMAIL_RE, assertNoOtherArchive, assertRole, infoOf, refuse, requireRow, resolveKeyRef, toInfo, type KunciContext, type KunciWarning } from './konteks.js';
import { upsertAddress } from './buku-alamat.js';

export type ImportStatus = 'baru' | 'diperbarui' | 'tetap';

export interface ImportResult {
  keys: (KeyInfo & { status: ImportStatus })[];
  address: AddressEntry | null;
  warnings: KunciWarning[];
}

export interface CreateKeyInput {
  role: KeyRole;
  name: string;
  email: string;
  comment?: string | undefined;
  /** "2y", "18m", "never" ... (see domain/kunci parseExpiry) */
  expiry: string;
  passphrase: string;
  /** mark as a demo key: user id gets "(DEMO)" */
  demo?: boolean;
  /** creation time; default the clock */
  date?: Date;
}

export interface ImportOptions {
  role?: KeyRole | undefined;
  /** store a key that is too weak for new work anyway (it stays refused by requireUsableKey) */
  allowWeak?: boolean | undefined;
  address?: { email?: string | undefined; unit?: string | undefined; unitCode?: string | undefined } | undefined;
}

export interface ExportedKey {
  fingerprint: string;
  userId: string;
  secret: boolean;
  armored: string;
}

/** One key's info (at `now`). */
export async function keyInfo(ctx: KunciContext, ref: string, now: Date = ctx.clock.now()): Promise<KeyInfo> {
  return infoOf(ctx, requireRow(ctx, resolveKeyRef(ctx, ref)), now);
}

/** Every key in the store, oldest first. */
export async function listKeys(ctx: KunciContext, now: Date = ctx.clock.now()): Promise<KeyInfo[]> {
  const out: KeyInfo[] = [];
  for (const row of ctx.store.keys()) out.push(await infoOf(ctx, row, now));
  return out;
}

/**
 * Make an own key (arsip, sandiman or kasi): v4 Ed25519/Cv25519, passphrase-protected, stored 0600, recorded
 * with its role. Only one active arsip key may exist. Refuses an empty or short passphrase.
 */
export async function createKey(ctx: KunciContext, input: CreateKeyInput): Promise<KeyInfo> {
  const now = ctx.clock.now();
  const date = input.date ?? now;
  assertRole(input.role, OWN_KEY_ROLES);
  const name = input.name.trim();
  const email = input.email.trim();
  if (name.length === 0 || /[<>]/.test(name)) throw new SandiError('DATA', 'kunci.badName', { value: input.name });
  if (!EMAIL_RE.test(email)) throw new SandiError('DATA', 'kunci.badEmail', { value: input.email });
  const expiry = parseExpiry(input.expiry);
  if (expiry === null) throw new SandiError('DATA', 'kunci.badExpiry', { value: input.expiry });
  const problem = passphraseProblem(input.passphrase);
  if (problem === 'empty') throw new SandiError('USAGE', 'kunci.passphraseEmpty', {});
  if (problem === 'tooShort') throw new SandiError('DATA', 'kunci.passphraseTooShort', { min: MIN_PASSPHRASE_LENGTH });
  if (input.role === 'arsip') await assertNoOtherArchive(ctx, now, null);

  const comment = input.demo ? DEMO_MARK.slice(1, -1) : input.comment?.trim() || undefined;
  const key = await ctx.crypto.generateOfficeKey(
    { name, email, comment, passphrase: input.passphrase, lifetimeSeconds: expirySeconds(expiry, date), date },
    now,
  );
  if (key.secretArmored === null) throw new SandiError('INTERNAL', 'common.internal', { detail: 'generated key has no secret part' });
  ctx.files.writeSecret(key.fingerprint, key.secretArmored);
  ctx.files.writePublic(key.fingerprint, key.publicArmored);
  const row: KunciRecord = {
    fingerprint: key.fingerprint,
    role: input.role,
    userId: key.userId,
    name,
    hasSecret: true,
    keyCreated: key.created,
    addedAt: now.toISOString(),
    revokedAt: null,
  };
  ctx.store.write((tx) => {
    if (input.role === 'arsip') {
      // a second process may have made one meanwhile; re-check inside the write lock
      const other = tx.newerArchiveKey(key.fingerprint, now.toISOString());
      if (other !== undefined) throw new SandiError('CONFLICT', 'kunci.archiveExists', { fingerprint: other, userId: '' }, { hint: 'kunci.archiveExists.hint' });
    }
    tx.addKey(row);
    tx.audit(now, {
      actor: ctx.actor,
      action: 'kunci.buat',
      entity: 'kunci',
      entityId: key.fingerprint,
      data: { role: input.role, userId: key.userId, algorithm: algorithmLabel(key.parts), expires: key.expires },
    });
  });
  return toInfo(row, key);
}

/** Import keys from a file (armored or binary; public or secret). See importKeys. */
export async function importKeyFile(ctx: KunciContext, path: string, opts: ImportOptions = {}): Promise<ImportResult> {
  let content: Buffer;
  try {
    content = readFileSync(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new SandiError('NOT_FOUND', 'common.fileNotFound', { path });
    throw new SandiError('IO', 'common.fileUnreadable', { path, reason: (e as Error).message }, { cause: e });
  }
  return importKeys(ctx, new Uint8Array(content), path, opts);
}

/**
 * Import public or secret keys. Refused: unprotected secret keys, keys too weak for new work (RSA < 3072,
 * DSA, ElGamal, v6) unless allowWeak, recipient/archive keys without an encryption subkey, signer keys that
 * cannot sign, a second active arsip key. A key already in the store is merged (revocations, new
 * self-signatures, a secret part). With address.email (and unit) binds an address-book entry.
 */
export async function importKeys(ctx: KunciContext, content: string | Uint8Array, source: string, opts: ImportOptions = {}): Promise<ImportResult> {
  const now = ctx.clock.now();
  if (opts.role !== undefined) assertRole(opts.role, KEY_ROLES);
  const parsed = await ctx.crypto.readKeyFile(content, source, now);
  const warnings: KunciWarning[] = [];
  const wantsAddress = opts.address !== undefined && (opts.address.email !== undefined || opts.address.unit !== undefined);
  if (wantsAddress && parsed.length !== 1) throw new SandiError('DATA', 'kunci.addressNeedsOneKey', { path: source, count: parsed.length });

  // Check everything before writing anything.
  const plans: { key: ParsedKey; role: KeyRole; existing: KunciRecord | undefined }[] = [];
  for (const key of parsed) {
    const label = { fingerprint: key.fingerprint, userId: key.userId };
    const existing = ctx.store.key(key.fingerprint);
    if (key.isSecret && !key.secretProtected) throw new SandiError('DATA', 'kunci.secretUnprotected', label, { hint: 'kunci.secretUnprotected.hint' });
    const role: KeyRole = opts.role ?? existing?.role ?? (key.isSecret ? 'sandiman' : 'penerima');
    if (key.isSecret && opts.role === undefined && existing === undefined) {
      throw new SandiError('USAGE', 'kunci.roleNeededForSecret', label);
    }
    const weak = weakKeyReasons(key.version, key.parts);
    if (weak.length > 0) {
      const reasons = weak.map(describeWeakness).join(', ');
      if (!opts.allowWeak) throw refuse('kunci.import.weak', label, { reasons });
      warnings.push({ key: 'kunci.import.weakStored', params: { ...label, reasons } });
    }
    if ((role === 'penerima' || role === 'arsip') && !key.canEncrypt) throw refuse('kunci.import.noEncrypt', label, { role });
    if ((role === 'sandiman' || role === 'kasi') && !key.canSign) throw refuse('kunci.import.noSign', label, { role });
    if (role === 'arsip' && !key.revoked && !isExpired(key.expires, now)) await assertNoOtherArchive(ctx, now, key.fingerprint);
    if (key.revoked) warnings.push({ key: 'kunci.import.revoked', params: label });
    else if (isExpired(key.expires, now)) warnings.push({ key: 'kunci.import.expired', params: { ...label, expires: key.expires ?? '' } });
    plans.push({ key, role, existing });
  }

  let address: AddressEntry | null = null;
  if (wantsAddress) {
    const key = plans[0]?.key;
    const email = (opts.address?.email ?? key?.email ?? '').trim();
    const unit = opts.address?.unit?.trim() ?? '';
    if (!EMAIL_RE.test(email)) throw new SandiError('DATA', 'kunci.badEmail', { value: email });
    if (unit.length === 0) throw new SandiError('USAGE', 'common.missingFlags', { flags: '--unit' }, { hint: 'common.missingFlags.hint' });
    if (key && !key.canEncrypt) throw refuse('kunci.import.noEncrypt', key, { role: 'penerima' });
    address = { email, unit, unitCode: opts.address?.unitCode?.trim() || null, fingerprint: key?.fingerprint ?? '' };
  }

  // Files first (a crash leaves unreferenced files, never a row without its key), then rows + audit.
  const results: ImportResult['keys'] = [];
  const ops: { row: KunciRecord; existing: KunciRecord | undefined; action: string; data: Record<string, unknown> }[] = [];
  for (const { key, role, existing } of plans) {
    const fpr = key.fingerprint;
    let publicArmored = key.publicArmored;
    let secretArmored = key.secretArmored;
    let status: ImportStatus = 'baru';
    if (existing && ctx.files.hasPublic(fpr)) {
      const hadSecret = existing.hasSecret && ctx.files.hasSecret(fpr);
      const stored = hadSecret ? ctx.files.readSecret(fpr) : ctx.files.readPublic(fpr);
      const merged = await ctx.crypto.mergeKeys(stored, key.secretArmored ?? key.publicArmored, now);
      publicArmored = merged.publicArmored;
      secretArmored = merged.secretArmored;
      status = merged.publicChanged || merged.secretChanged || role !== existing.role ? 'diperbarui' : 'tetap';
      if (status === 'tetap') {
        results.push({ ...(await infoOf(ctx, existing, now)), status });
        continue;
      }
    }
    if (secretArmored !== null) ctx.files.writeSecret(fpr, secretArmored);
    ctx.files.writePublic(fpr, publicArmored);
    const row: KunciRecord = {
      fingerprint: fpr,
      role,
      userId: key.userId,
      name: key.name,
      hasSecret: secretArmored !== null,
      keyCreated: key.created,
      addedAt: existing?.addedAt ?? now.toISOString(),
      revokedAt: existing?.revokedAt ?? null,
    };
    results.push({ ...toInfo(row, await ctx.crypto.describeArmored(publicArmored, now)), status });
    ops.push({
      row,
      existing,
      action: status === 'baru' ? 'kunci.impor' : 'kunci.perbarui',
      data: {
        role,
        userId: key.userId,
        algorithm: algorithmLabel(key.parts),
        secret: secretArmored !== null,
        source,
        ...(existing && existing.role !== role ? { previousRole: existing.role } : {}),
        ...(weakKeyReasons(key.version, key.parts).length > 0 ? { weakAllowed: true } : {}),
      },
    });
  }
  if (ops.length > 0 || address) {
    ctx.store.write((tx) => {
      for (const { row, existing, action, data } of ops) {
        if (existing) tx.updateKey(row.fingerprint, row);
        else tx.addKey(row);
        tx.audit(now, { actor: ctx.actor, action, entity: 'kunci', entityId: row.fingerprint, data });
      }
      if (address) upsertAddress(ctx, tx, now, address);
    });
  }
  return { keys: results, address, warnings };
}

/** Armored export of a key named by fingerprint or e-mail; the secret form only when `secret` (audited). */
export function exportKey(ctx: KunciContext, ref: string, opts: { secret?: boolean } = {}): ExportedKey {
  const fpr = resolveKeyRef(ctx, ref);
  const row = requireRow(ctx, fpr);
  if (!opts.secret) return { fingerprint: fpr, userId: row.userId, secret: false, armored: ctx.files.readPublic(fpr) };
  if (!row.hasSecret) throw new SandiError('NOT_FOUND', 'kunci.noSecret', { fingerprint: fpr, userId: row.userId });
  const armored = ctx.files.readSecret(fpr);
  const now = ctx.clock.now();
  ctx.store.write((tx) => tx.audit(now, { actor: ctx.actor, action: 'kunci.ekspor.rahasia', entity: 'kunci', entityId: fpr, data: { userId: row.userId } }));
  return { fingerprint: fpr, userId: row.userId, secret: true, armored };
}

/** Export to a file: secret keys 0600, public 0644, written atomically; an existing file is not replaced. */
export function exportKeyToFile(
  ctx: KunciContext,
  ref: string,
  path: string,
  opts: { secret?: boolean } = {},
): { fingerprint: string; userId: string; secret: boolean; path: string } {
  if (existsSync(path)) throw new SandiError('CONFLICT', 'kunci.outputExists', { path }, { hint: 'kunci.outputExists.hint' });
  const e = exportKey(ctx, ref, opts);
  ctx.writeExport(path, e.armored, e.secret ? 0o600 : 0o644, { exclusive: true });
  return { fingerprint: e.fingerprint, userId: e.userId, secret: e.secret, path };
}

/**
 * Revoke a key. An own key with its secret gets a revocation signature (asks `passphrases` for the key) and
 * the revoked key replaces the stored one; any key is marked revoked in the register. Irreversible.
 */
export async function revokeKey(
  ctx: KunciContext,
  ref: string,
  opts: { kind?: RevocationKind; reason?: string; passphrases: PassphraseSource },
): Promise<KeyInfo & { signed: boolean }> {
  const now = ctx.clock.now();
  const fpr = resolveKeyRef(ctx, ref);
  const row = requireRow(ctx, fpr);
  const before = await infoOf(ctx, row, now);
  if (row.revokedAt !== null) throw new SandiError('CONFLICT', 'kunci.alreadyRevoked', { fingerprint: fpr, userId: before.userId, date: row.revokedAt });
  let signed = false;
  const kind = opts.kind ?? 'lain';
  const reason = opts.reason?.trim() ?? '';
  if (row.hasSecret && ctx.files.hasSecret(fpr)) {
    const secret = ctx.files.readSecret(fpr);
    const passphrase = await opts.passphrases.get(before);
    const revoked = await ctx.crypto.revokeOwnKey(secret, passphrase, before, { kind, text: reason }, now);
    ctx.files.writeSecret(fpr, revoked.secretArmored);
    ctx.files.writePublic(fpr, revoked.publicArmored);
    signed = true;
  }
  ctx.store.write((tx) => {
    tx.markRevoked(fpr, now.toISOString());
    tx.audit(now, { actor: ctx.actor, action: 'kunci.cabut', entity: 'kunci', entityId: fpr, data: { userId: before.userId, role: row.role, kind, reason, signed } });
  });
  return { ...(await infoOf(ctx, requireRow(ctx, fpr), now)), signed };
}

/** The stored public key (armored). NOT_FOUND when sandi does not know it. */
export function loadPublicArmored(ctx: KunciContext, fingerprint: string): string {
  const fpr = normaliseFingerprint(fingerprint);
  requireRow(ctx, fpr);
  return ctx.files.readPublic(fpr);
}

/** The stored secret key (armored, still passphrase-protected); PERMISSION when its file mode is too open. */
export function loadSecretArmored(ctx: KunciContext, fingerprint: string): string {
  const fpr = normaliseFingerprint(fingerprint);
  const row = requireRow(ctx, fpr);
  if (!row.hasSecret) throw new SandiError('NOT_FOUND', 'kunci.noSecret', { fingerprint: fpr, userId: row.userId });
  return ctx.files.readSecret(fpr);
}

/** Keys of a role that are not revoked, newest first (expired ones included: requireUsableKey decides). */
export async function findByRole(ctx: KunciContext, role: KeyRole, now: Date = ctx.clock.now()): Promise<KeyInfo[]> {
  const out: KeyInfo[] = [];
  for (const r of ctx.store.unrevokedOfRole(role)) {
    const info = await infoOf(ctx, r, now);
    if (!info.revoked) out.push(info);
  }
  return out;
}

/** Check a passphrase against a stored secret key: wrong → PERMISSION naming the key, never the passphrase. */
export async function unlockCheck(ctx: KunciContext, fingerprint: string, passphrase: string): Promise<void> {
  const fpr = normaliseFingerprint(fingerprint);
  const row = requireRow(ctx, fpr);
  const secret = loadSecretArmored(ctx, fpr);
  await ctx.crypto.checkPassphrase(secret, passphrase, { fingerprint: fpr, userId: row.userId });
}
