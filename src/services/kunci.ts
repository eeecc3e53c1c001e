/**
 * Keys of the office (`sandi kunci`): make, import, export, list and revoke keys, keep the address book of
 * recipient units, and decide whether a key may be used for new work. Other commands use `requireUsableKey`,
 * `loadPublicArmored`, `loadSecretArmored`, `findByRole`, `lookupRecipients` and `unlockCheck`.
 *
 * Key material lives in files (adapters/keystore); what the office decided about a key (role, revocation) lives
 * in the `kunci` table; the address book in `buku_alamat`. Every change writes one audit event in the same
 * transaction as the table change.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { App } from '../app.js';
import type { Store } from '../adapters/sqlite/store.js';
import { keyFiles, writeFileAtomic, type KeyFiles } from '../adapters/keystore.js';
import {
  describeArmored,
  generateOfficeKey,
  mergeKeys,
  readKeyFile,
  revokeOwnKey,
  unlockPrivateKey,
  type ParsedKey,
  type RevocationKind,
} from '../adapters/openpgp/keys.js';
import { SandiError, type MessageParams } from '../errors.js';
import type { AddressEntry, Clock, KeyInfo, KeyRole, PassphraseSource } from '../ports.js';
import {
  KEY_ROLES,
  OWN_KEY_ROLES,
  algorithmLabel,
  describeWeakness,
  expirySeconds,
  isExpired,
  isFingerprint,
  normaliseFingerprint,
  parseExpiry,
  passphraseProblem,
  weakKeyReasons,
  MIN_PASSPHRASE_LENGTH,
  DEMO_MARK,
} from '../domain/kunci.js';

export { isDemoKey } from '../domain/kunci.js';
export type { RevocationKind } from '../adapters/openpgp/keys.js';

export type KeyPurpose = 'encrypt' | 'sign';

/** A key that passed requireUsableKey, with its public armor ready for openpgp. */
export interface UsableKey extends KeyInfo {
  publicArmored: string;
}

/** A recipient resolved from the address book, its key checked for encryption. */
export interface Recipient {
  email: string;
  unit: string;
  unitCode: string | null;
  fingerprint: string;
  userId: string;
  armored: string;
}

/** A warning for the operator: a message key in src/cli/messages/kunci.ts and its parameters. */
export interface KunciWarning {
  key: string;
  params: MessageParams;
}

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

export interface KunciDeps {
  store: () => Store;
  keysDir: string;
  clock: Clock;
  /** who is acting, for the audit log */
  actor: string;
}

interface KunciRow {
  fingerprint: string;
  role: KeyRole;
  user_id: string;
  name: string | null;
  has_secret: number;
  key_created: string;
  added_at: string;
  revoked_at: string | null;
}

interface AlamatRow {
  email: string;
  unit: string;
  unit_code: string | null;
  fingerprint: string;
  added_at: string;
}

const EMAIL_RE = /^[^\s@<>()"]+@[^\s@<>()"]+\.[^\s@<>()"]+$/;

export type KunciService = ReturnType<typeof createKunciService>;

/** The key service for an opened app (home folder), acting as `actor`. */
export function kunciService(app: Pick<App, 'paths' | 'clock' | 'store'>, actor: string): KunciService {
  return createKunciService({ store: () => app.store(), keysDir: app.paths.keys, clock: app.clock, actor });
}

export function createKunciService(deps: KunciDeps) {
  const files: KeyFiles = keyFiles(deps.keysDir);
  const db = () => deps.store().db;

  const getRow = (fpr: string): KunciRow | undefined => db().prepare<[string], KunciRow>('SELECT * FROM kunci WHERE fingerprint = ?').get(fpr);
  const allRows = (): KunciRow[] => db().prepare<[], KunciRow>('SELECT * FROM kunci ORDER BY added_at, rowid').all();
  const addressRow = (email: string): AlamatRow | undefined =>
    db().prepare<[string], AlamatRow>('SELECT * FROM buku_alamat WHERE email = ?').get(email);

  const toAddress = (r: AlamatRow): AddressEntry => ({ email: r.email, unit: r.unit, unitCode: r.unit_code, fingerprint: r.fingerprint });

  function toInfo(row: KunciRow, parsed: ParsedKey): KeyInfo {
    return {
      fingerprint: row.fingerprint,
      userId: parsed.userId || row.user_id,
      role: row.role,
      created: parsed.created,
      expires: parsed.expires,
      revoked: row.revoked_at !== null || parsed.revoked,
      canEncrypt: parsed.canEncrypt,
      canSign: parsed.canSign,
      hasSecret: row.has_secret === 1,
      algorithm: algorithmLabel(parsed.parts),
    };
  }

  function requireRow(fpr: string): KunciRow {
    const row = getRow(fpr);
    if (!row) throw new SandiError('NOT_FOUND', 'kunci.unknownKey', { ref: fpr }, { hint: 'kunci.unknownKey.hint' });
    return row;
  }

  async function parsedStored(fpr: string, now: Date): Promise<ParsedKey> {
    return describeArmored(files.readPublic(fpr), now, files.publicPath(fpr));
  }

  async function infoOf(row: KunciRow, now: Date): Promise<KeyInfo> {
    return toInfo(row, await parsedStored(row.fingerprint, now));
  }

  /** Fingerprint of a key named by fingerprint, 16-hex key id, or e-mail (address book first, then user ids). */
  function resolveRef(ref: string): string {
    const trimmed = ref.trim();
    if (trimmed.includes('@')) {
      const a = addressRow(trimmed);
      if (a) return a.fingerprint;
      const like = db()
        .prepare<[string], { fingerprint: string }>("SELECT fingerprint FROM kunci WHERE lower(user_id) LIKE '%<' || lower(?) || '>%'")
        .all(trimmed);
      if (like.length === 1 && like[0]) return like[0].fingerprint;
      if (like.length > 1) throw new SandiError('USAGE', 'kunci.ambiguousRef', { ref: trimmed, candidates: like.map((r) => r.fingerprint).join(', ') });
      throw new SandiError('NOT_FOUND', 'kunci.unknownKey', { ref: trimmed }, { hint: 'kunci.unknownKey.hint' });
    }
    const fpr = normaliseFingerprint(trimmed);
    if (isFingerprint(fpr)) {
      requireRow(fpr);
      return fpr;
    }
    if (/^[0-9A-F]{16}$/.test(fpr)) {
      const m = allRows().filter((r) => r.fingerprint.endsWith(fpr));
      if (m.length === 1 && m[0]) return m[0].fingerprint;
      if (m.length > 1) throw new SandiError('USAGE', 'kunci.ambiguousRef', { ref: trimmed, candidates: m.map((r) => r.fingerprint).join(', ') });
    }
    throw new SandiError('NOT_FOUND', 'kunci.unknownKey', { ref: trimmed }, { hint: 'kunci.unknownKey.hint' });
  }

  /** Fingerprints of arsip keys that are still active (not revoked, not expired) at `now`, other than `except`. */
  async function activeArchiveKeys(now: Date, except: string | null): Promise<KeyInfo[]> {
    const out: KeyInfo[] = [];
    for (const row of allRows()) {
      if (row.role !== 'arsip' || row.fingerprint === except || row.revoked_at !== null) continue;
      const info = await infoOf(row, now);
      if (!info.revoked && !isExpired(info.expires, now)) out.push(info);
    }
    return out;
  }

  async function assertNoOtherArchive(now: Date, fpr: string | null): Promise<void> {
    const others = await activeArchiveKeys(now, fpr);
    const other = others[0];
    if (other) {
      throw new SandiError('CONFLICT', 'kunci.archiveExists', { fingerprint: other.fingerprint, userId: other.userId }, { hint: 'kunci.archiveExists.hint' });
    }
  }

  function refuse(key: string, info: { fingerprint: string; userId: string }, extra: MessageParams = {}): SandiError {
    return new SandiError('KEY_REFUSED', key, { fingerprint: info.fingerprint, userId: info.userId, ...extra }, { hint: `${key}.hint` });
  }

  /**
   * The key `fingerprint` may be used for new work of `purpose` at `now`; otherwise KEY_REFUSED naming the key
   * (fingerprint and user id) and why: revoked (in the table or by a revocation signature), expired, too weak,
   * or without the capability. Returns the key's info and public armor.
   */
  async function requireUsableKey(fingerprint: string, purpose: KeyPurpose, now: Date = deps.clock.now()): Promise<UsableKey> {
    const fpr = normaliseFingerprint(fingerprint);
    const row = requireRow(fpr);
    const armored = files.readPublic(fpr);
    const parsed = await describeArmored(armored, now, files.publicPath(fpr));
    const info = toInfo(row, parsed);
    if (info.revoked) throw refuse('kunci.refused.revoked', info, { date: row.revoked_at ?? '' });
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

  function assertRole(role: string, allowed: readonly KeyRole[]): asserts role is KeyRole {
    if (!(allowed as readonly string[]).includes(role)) {
      throw new SandiError('DATA', 'kunci.badRole', { value: role, expected: allowed.join(', ') });
    }
  }

  function audit(now: Date, action: string, entity: string, entityId: string, data: unknown) {
    return (tx: Parameters<Parameters<Store['write']>[0]>[0]) => tx.audit(now, { actor: deps.actor, action, entity, entityId, data });
  }

  return {
    /** Fingerprint of a key named by fingerprint, key id or e-mail. */
    resolveKeyRef: resolveRef,

    /** One key's info (at `now`). */
    async info(ref: string, now: Date = deps.clock.now()): Promise<KeyInfo> {
      return infoOf(requireRow(resolveRef(ref)), now);
    },

    /** Every key in the store, oldest first. */
    async list(now: Date = deps.clock.now()): Promise<KeyInfo[]> {
      const out: KeyInfo[] = [];
      for (const row of allRows()) out.push(await infoOf(row, now));
      return out;
    },

    /**
     * Make an own key (arsip, sandiman or kasi): v4 Ed25519/Cv25519, passphrase-protected, stored 0600, recorded
     * with its role. Only one active arsip key may exist. Refuses an empty or short passphrase.
     */
    async create(input: CreateKeyInput): Promise<KeyInfo> {
      const now = deps.clock.now();
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
      if (input.role === 'arsip') await assertNoOtherArchive(now, null);

      const comment = input.demo ? DEMO_MARK.slice(1, -1) : input.comment?.trim() || undefined;
      const key = await generateOfficeKey(
        { name, email, comment, passphrase: input.passphrase, lifetimeSeconds: expirySeconds(expiry, date), date },
        now,
      );
      if (key.secretArmored === null) throw new SandiError('INTERNAL', 'common.internal', { detail: 'generated key has no secret part' });
      files.writeSecret(key.fingerprint, key.secretArmored);
      files.writePublic(key.fingerprint, key.publicArmored);
      const row: KunciRow = {
        fingerprint: key.fingerprint,
        role: input.role,
        user_id: key.userId,
        name,
        has_secret: 1,
        key_created: key.created,
        added_at: now.toISOString(),
        revoked_at: null,
      };
      deps.store().write((tx) => {
        if (input.role === 'arsip') {
          // a second process may have made one meanwhile; re-check inside the write lock
          const other = tx.db
            .prepare<[string, string], { fingerprint: string }>(
              "SELECT fingerprint FROM kunci WHERE role = 'arsip' AND revoked_at IS NULL AND fingerprint != ? AND added_at >= ?",
            )
            .get(key.fingerprint, now.toISOString());
          if (other) throw new SandiError('CONFLICT', 'kunci.archiveExists', { fingerprint: other.fingerprint, userId: '' }, { hint: 'kunci.archiveExists.hint' });
        }
        tx.db
          .prepare('INSERT INTO kunci (fingerprint, role, user_id, name, has_secret, key_created, added_at, revoked_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
          .run(row.fingerprint, row.role, row.user_id, row.name, row.has_secret, row.key_created, row.added_at, row.revoked_at);
        audit(now, 'kunci.buat', 'kunci', key.fingerprint, {
          role: input.role,
          userId: key.userId,
          algorithm: algorithmLabel(key.parts),
          expires: key.expires,
        })(tx);
      });
      return toInfo(row, key);
    },

    /** Import keys from a file (armored or binary; public or secret). See importArmored. */
    async importFile(path: string, opts: ImportOptions = {}): Promise<ImportResult> {
      let content: Buffer;
      try {
        content = readFileSync(path);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new SandiError('NOT_FOUND', 'common.fileNotFound', { path });
        throw new SandiError('IO', 'common.fileUnreadable', { path, reason: (e as Error).message }, { cause: e });
      }
      return this.importKeys(new Uint8Array(content), path, opts);
    },

    /**
     * Import public or secret keys. Refused: unprotected secret keys, keys too weak for new work (RSA < 3072,
     * DSA, ElGamal, v6) unless allowWeak, recipient/archive keys without an encryption subkey, signer keys that
     * cannot sign, a second active arsip key. A key already in the store is merged (revocations, new
     * self-signatures, a secret part). With address.email (and unit) binds an address-book entry.
     */
    async importKeys(content: string | Uint8Array, source: string, opts: ImportOptions = {}): Promise<ImportResult> {
      const now = deps.clock.now();
      if (opts.role !== undefined) assertRole(opts.role, KEY_ROLES);
      const parsed = await readKeyFile(content, source, now);
      const warnings: KunciWarning[] = [];
      const wantsAddress = opts.address !== undefined && (opts.address.email !== undefined || opts.address.unit !== undefined);
      if (wantsAddress && parsed.length !== 1) throw new SandiError('DATA', 'kunci.addressNeedsOneKey', { path: source, count: parsed.length });

      // Check everything before writing anything.
      const plans: { key: ParsedKey; role: KeyRole; existing: KunciRow | undefined }[] = [];
      for (const key of parsed) {
        const label = { fingerprint: key.fingerprint, userId: key.userId };
        const existing = getRow(key.fingerprint);
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
        if (role === 'arsip' && !key.revoked && !isExpired(key.expires, now)) await assertNoOtherArchive(now, key.fingerprint);
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
      const ops: { row: KunciRow; existing: KunciRow | undefined; action: string; data: Record<string, unknown> }[] = [];
      for (const { key, role, existing } of plans) {
        const fpr = key.fingerprint;
        let publicArmored = key.publicArmored;
        let secretArmored = key.secretArmored;
        let status: ImportStatus = 'baru';
        if (existing && files.hasPublic(fpr)) {
          const hadSecret = existing.has_secret === 1 && files.hasSecret(fpr);
          const stored = hadSecret ? files.readSecret(fpr) : files.readPublic(fpr);
          const merged = await mergeKeys(stored, key.secretArmored ?? key.publicArmored, now);
          publicArmored = merged.publicArmored;
          secretArmored = merged.secretArmored;
          status = merged.publicChanged || merged.secretChanged || role !== existing.role ? 'diperbarui' : 'tetap';
          if (status === 'tetap') {
            results.push({ ...(await infoOf(existing, now)), status });
            continue;
          }
        }
        if (secretArmored !== null) files.writeSecret(fpr, secretArmored);
        files.writePublic(fpr, publicArmored);
        const row: KunciRow = {
          fingerprint: fpr,
          role,
          user_id: key.userId,
          name: key.name,
          has_secret: secretArmored !== null ? 1 : 0,
          key_created: key.created,
          added_at: existing?.added_at ?? now.toISOString(),
          revoked_at: existing?.revoked_at ?? null,
        };
        results.push({ ...toInfo(row, await describeArmored(publicArmored, now)), status });
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
        deps.store().write((tx) => {
          for (const { row, existing, action, data } of ops) {
            if (existing) {
              tx.db.prepare('UPDATE kunci SET role = ?, user_id = ?, has_secret = ? WHERE fingerprint = ?').run(row.role, row.user_id, row.has_secret, row.fingerprint);
            } else {
              tx.db
                .prepare('INSERT INTO kunci (fingerprint, role, user_id, name, has_secret, key_created, added_at, revoked_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
                .run(row.fingerprint, row.role, row.user_id, row.name, row.has_secret, row.key_created, row.added_at, row.revoked_at);
            }
            audit(now, action, 'kunci', row.fingerprint, data)(tx);
          }
          if (address) upsertAddress(tx, now, address);
        });
      }
      return { keys: results, address, warnings };
    },

    /** Armored export of a key named by fingerprint or e-mail; the secret form only when `secret` (audited). */
    exportKey(ref: string, opts: { secret?: boolean } = {}): { fingerprint: string; userId: string; secret: boolean; armored: string } {
      const fpr = resolveRef(ref);
      const row = requireRow(fpr);
      if (!opts.secret) return { fingerprint: fpr, userId: row.user_id, secret: false, armored: files.readPublic(fpr) };
      if (row.has_secret !== 1) throw new SandiError('NOT_FOUND', 'kunci.noSecret', { fingerprint: fpr, userId: row.user_id });
      const armored = files.readSecret(fpr);
      const now = deps.clock.now();
      deps.store().write((tx) => audit(now, 'kunci.ekspor.rahasia', 'kunci', fpr, { userId: row.user_id })(tx));
      return { fingerprint: fpr, userId: row.user_id, secret: true, armored };
    },

    /** Export to a file: secret keys 0600, public 0644, written atomically; an existing file is not replaced. */
    exportToFile(ref: string, path: string, opts: { secret?: boolean } = {}): { fingerprint: string; userId: string; secret: boolean; path: string } {
      if (existsSync(path)) throw new SandiError('CONFLICT', 'kunci.outputExists', { path }, { hint: 'kunci.outputExists.hint' });
      const e = this.exportKey(ref, opts);
      writeFileAtomic(path, e.armored, e.secret ? 0o600 : 0o644, { exclusive: true });
      return { fingerprint: e.fingerprint, userId: e.userId, secret: e.secret, path };
    },

    /**
     * Revoke a key. An own key with its secret gets a revocation signature (asks `passphrases` for the key) and
     * the revoked key replaces the stored one; any key is marked revoked in the table. Irreversible.
     */
    async revoke(ref: string, opts: { kind?: RevocationKind; reason?: string; passphrases: PassphraseSource }): Promise<KeyInfo & { signed: boolean }> {
      const now = deps.clock.now();
      const fpr = resolveRef(ref);
      const row = requireRow(fpr);
      const before = await infoOf(row, now);
      if (row.revoked_at !== null) throw new SandiError('CONFLICT', 'kunci.alreadyRevoked', { fingerprint: fpr, userId: before.userId, date: row.revoked_at });
      let signed = false;
      const kind = opts.kind ?? 'lain';
      const reason = opts.reason?.trim() ?? '';
      if (row.has_secret === 1 && files.hasSecret(fpr)) {
        const secret = files.readSecret(fpr);
        const passphrase = await opts.passphrases.get(before);
        const revoked = await revokeOwnKey(secret, passphrase, before, { kind, text: reason }, now);
        files.writeSecret(fpr, revoked.secretArmored);
        files.writePublic(fpr, revoked.publicArmored);
        signed = true;
      }
      deps.store().write((tx) => {
        tx.db.prepare('UPDATE kunci SET revoked_at = ? WHERE fingerprint = ? AND revoked_at IS NULL').run(now.toISOString(), fpr);
        audit(now, 'kunci.cabut', 'kunci', fpr, { userId: before.userId, role: row.role, kind, reason, signed })(tx);
      });
      return { ...(await infoOf(requireRow(fpr), now)), signed };
    },

    /** Bind a recipient mailbox and unit to a key (replacing an earlier binding of that e-mail; audited). */
    async addAddress(entry: { email: string; unit: string; unitCode?: string | null | undefined; key: string }): Promise<AddressEntry> {
      const now = deps.clock.now();
      const email = entry.email.trim();
      const unit = entry.unit.trim();
      if (!EMAIL_RE.test(email)) throw new SandiError('DATA', 'kunci.badEmail', { value: entry.email });
      if (unit.length === 0) throw new SandiError('USAGE', 'common.missingFlags', { flags: '--unit' }, { hint: 'common.missingFlags.hint' });
      const fpr = resolveRef(entry.key);
      await requireUsableKey(fpr, 'encrypt', now);
      const a: AddressEntry = { email, unit, unitCode: entry.unitCode?.trim() || null, fingerprint: fpr };
      deps.store().write((tx) => upsertAddress(tx, now, a));
      return a;
    },

    listAddresses(): AddressEntry[] {
      return db().prepare<[], AlamatRow>('SELECT * FROM buku_alamat ORDER BY unit, email').all().map(toAddress);
    },

    /** Remove an address-book entry (the address book is not a register; the removal is audited). */
    removeAddress(email: string): AddressEntry {
      const now = deps.clock.now();
      const row = addressRow(email.trim());
      if (!row) throw new SandiError('NOT_FOUND', 'kunci.addressUnknown', { email: email.trim() }, { hint: 'kunci.addressUnknown.hint' });
      deps.store().write((tx) => {
        tx.db.prepare('DELETE FROM buku_alamat WHERE email = ?').run(row.email);
        tx.audit(now, { actor: deps.actor, action: 'alamat.hapus', entity: 'buku_alamat', entityId: row.email, data: toAddress(row) });
      });
      return toAddress(row);
    },

    requireUsableKey,

    /** The stored public key (armored). NOT_FOUND when sandi does not know it. */
    loadPublicArmored(fingerprint: string): string {
      const fpr = normaliseFingerprint(fingerprint);
      requireRow(fpr);
      return files.readPublic(fpr);
    },

    /** The stored secret key (armored, still passphrase-protected); PERMISSION when its file mode is too open. */
    loadSecretArmored(fingerprint: string): string {
      const fpr = normaliseFingerprint(fingerprint);
      const row = requireRow(fpr);
      if (row.has_secret !== 1) throw new SandiError('NOT_FOUND', 'kunci.noSecret', { fingerprint: fpr, userId: row.user_id });
      return files.readSecret(fpr);
    },

    /** Keys of a role that are not revoked, newest first (expired ones included: requireUsableKey decides). */
    async findByRole(role: KeyRole, now: Date = deps.clock.now()): Promise<KeyInfo[]> {
      const rows = db()
        .prepare<[string], KunciRow>('SELECT * FROM kunci WHERE role = ? AND revoked_at IS NULL ORDER BY key_created DESC, added_at DESC')
        .all(role);
      const out: KeyInfo[] = [];
      for (const r of rows) {
        const info = await infoOf(r, now);
        if (!info.revoked) out.push(info);
      }
      return out;
    },

    /**
     * Recipients for a kriptogram: each e-mail looked up in the address book (unknown → NOT_FOUND naming the
     * e-mail and `sandi kunci alamat tambah`), its key checked with requireUsableKey(…, 'encrypt').
     */
    async lookupRecipients(emails: string[], now: Date = deps.clock.now()): Promise<Recipient[]> {
      const out: Recipient[] = [];
      for (const raw of emails) {
        const email = raw.trim();
        const a = addressRow(email);
        if (!a) throw new SandiError('NOT_FOUND', 'kunci.addressUnknown', { email }, { hint: 'kunci.addressUnknown.hint' });
        const key = await requireUsableKey(a.fingerprint, 'encrypt', now);
        out.push({ email: a.email, unit: a.unit, unitCode: a.unit_code, fingerprint: a.fingerprint, userId: key.userId, armored: key.publicArmored });
      }
      return out;
    },

    /** Check a passphrase against a stored secret key: wrong → PERMISSION naming the key, never the passphrase. */
    async unlockCheck(fingerprint: string, passphrase: string): Promise<void> {
      const fpr = normaliseFingerprint(fingerprint);
      const row = requireRow(fpr);
      const secret = this.loadSecretArmored(fpr);
      await unlockPrivateKey(secret, passphrase, { fingerprint: fpr, userId: row.user_id });
    },
  };

  function upsertAddress(tx: Parameters<Parameters<Store['write']>[0]>[0], now: Date, a: AddressEntry): void {
    const before = tx.db.prepare<[string], AlamatRow>('SELECT * FROM buku_alamat WHERE email = ?').get(a.email);
    if (before) {
      tx.db.prepare('UPDATE buku_alamat SET unit = ?, unit_code = ?, fingerprint = ? WHERE email = ?').run(a.unit, a.unitCode, a.fingerprint, before.email);
      tx.audit(now, { actor: deps.actor, action: 'alamat.ubah', entity: 'buku_alamat', entityId: before.email, data: { before: toAddress(before), after: a } });
    } else {
      tx.db.prepare('INSERT INTO buku_alamat (email, unit, unit_code, fingerprint, added_at) VALUES (?, ?, ?, ?, ?)').run(a.email, a.unit, a.unitCode, a.fingerprint, now.toISOString());
      tx.audit(now, { actor: deps.actor, action: 'alamat.tambah', entity: 'buku_alamat', entityId: a.email, data: a });
    }
  }
}

/** One key of keys.example/manifest.json (written by scripts/make-example-keys.mjs). */
export interface ExampleKey {
  slug: string;
  role: KeyRole;
  fingerprint: string;
  userId: string;
  email: string;
  /** DEMO ONLY: published in keys.example/README.md */
  passphrase: string;
  public: string;
  secret: string;
  unit: string | null;
  unitCode: string | null;
}

/** Read keys.example/manifest.json. */
export function readExampleManifest(keysExampleDir: string): ExampleKey[] {
  const path = join(keysExampleDir, 'manifest.json');
  let raw: string;
  try {
    raw = readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new SandiError('NOT_FOUND', 'common.fileNotFound', { path });
    throw new SandiError('IO', 'common.fileUnreadable', { path, reason: (e as Error).message }, { cause: e });
  }
  try {
    const parsed = JSON.parse(raw) as { keys?: ExampleKey[] };
    if (!Array.isArray(parsed.keys)) throw new Error('"keys" is not a list');
    return parsed.keys;
  } catch (e) {
    throw new SandiError('DATA', 'common.fileUnreadable', { path, reason: (e as Error).message }, { cause: e });
  }
}

/**
 * Import the demo keys of keys.example/ into a home (for `sandi demo`): the office's own keys (arsip, sandiman,
 * kasi) with their secret parts, written 0600 by the key store (git does not keep file modes); the recipient
 * units' public keys with their address-book entries, or their secret keys too with `recipientSecrets` (so a
 * demo can also play the recipient). Returns the manifest entries imported (passphrases included: demo only).
 */
export async function importExampleKeys(
  keysExampleDir: string,
  svc: KunciService,
  opts: { recipientSecrets?: boolean } = {},
): Promise<{ manifest: ExampleKey[]; results: ImportResult[] }> {
  const manifest = readExampleManifest(keysExampleDir);
  const results: ImportResult[] = [];
  for (const k of manifest) {
    const own = k.role !== 'penerima';
    const file = join(keysExampleDir, own || opts.recipientSecrets ? k.secret : k.public);
    const address = k.unit !== null ? { email: k.email, unit: k.unit, unitCode: k.unitCode ?? undefined } : undefined;
    results.push(await svc.importFile(file, { role: k.role, address }));
  }
  return { manifest, results };
}
