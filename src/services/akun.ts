/**
 * The mailbox account (`sandi akun`, seed 002: the password is changed at least every 3 months): store the
 * password encrypted, test a login, show its age, and rotate it in four recorded, resumable steps:
 *   1. a strong new password is stored (encrypted) as pending — the current one is untouched;
 *   2. it is set on the server through an adapter (command, Dovecot passwd-file, or the operator by hand);
 *   3. a login with it is tested (IMAP and SMTP);
 *   4. it becomes current, and the old one is kept as previous until the next rotation.
 * Each step is one transaction with its audit event. Killed anywhere and run again, a rotation continues where
 * it stopped: before setting, it first tries a login with the pending password (the server may already have
 * it); a refusal by the server leaves the old password current and records why. At every instant the server's
 * password is the current or the pending one, and both are in the store.
 */
import { randomBytes } from 'node:crypto';
import type { MailboxAccount, SandiConfig } from '../config/config.js';
import { SandiError, isSandiError, type MessageParams } from '../errors.js';
import type { PassphraseSource } from '../ports.js';
import type { AkunPorts, AkunStore, AkunStoreTx, CredentialFiles, LoginTester, MailboxPasswordSource, ManualUi, PasswordChangeAdapter, PasswordChanger } from '../ports/akun.js';
import { canMove, generatePassword, passwordAge, stepsDone, storedPasswordProblem, type AkunRow, type PasswordAge, type RotasiRow, type RotasiStatus } from '../domain/akun.js';
import { archiveKeyOf, storedPasswordOf, type AkunHome, type ArchiveKeyAccess } from './akun-kredensial.js';
import { kunciService, type KunciService } from './kunci.js';

export type { LoginTester, ManualUi } from '../ports/akun.js';

export interface AkunDeps {
  /** the home: its root, clock and ports (src/app.ts's App) */
  app: AkunHome;
  config: SandiConfig;
  actor: string;
  env: NodeJS.ProcessEnv;
  /** the archive key's passphrase (needed to read a stored password, not to store one) */
  passphrases: PassphraseSource;
  /** the login test (default: the real IMAP/SMTP login of the ports) */
  login?: LoginTester;
  /** the ports (default: `app.akunPorts()`); a test may pass fakes */
  ports?: AkunPorts;
  /** the key service (default: kunciService over `app`) */
  keys?: KunciService;
  random?: (n: number) => Uint8Array;
  /**
   * How long a server may take to apply a change before a refused login counts (default 4 s): Dovecot, for
   * one, re-reads its passwd-file at most once a second.
   */
  settleMs?: number;
}

export interface AkunStatus extends PasswordAge {
  user: string;
  /** where the password comes from now; null when no source gives one */
  source: MailboxPasswordSource | null;
  previousKept: boolean;
  rotation: { id: number; status: RotasiStatus; stepsDone: number; adapter: string; started: string } | null;
  lastRotation: { id: number; status: RotasiStatus; at: string; reason: string | null } | null;
}

export interface LoginReport {
  ok: boolean;
  error?: { code: string; exitCode: number; key: string; params: MessageParams };
}

export interface UjiResult {
  user: string;
  source: MailboxPasswordSource;
  slot: 'kini' | 'tertunda' | null;
  imap: LoginReport;
  smtp: LoginReport;
}

export type StepOutcome = 'dikerjakan' | 'sudah-berlaku';

export interface RotasiResult {
  user: string;
  rotated: boolean;
  /** set when nothing was done: the password is not due yet (--jika-jatuh-tempo) */
  skipped: 'belum-jatuh-tempo' | null;
  rotationId: number | null;
  adapter: PasswordChangeAdapter | null;
  resumed: boolean;
  steps: { step: number; name: 'simpan-baru' | 'set-server' | 'uji-login' | 'jadikan-kini'; outcome: StepOutcome }[];
  age: PasswordAge;
}

export interface RotasiOptions {
  /** only rotate when due (warning window or past the deadline), or finish one already started */
  onlyIfDue?: boolean;
  /** default: mailbox.passwordChange.adapter, else manual */
  adapter?: PasswordChangeAdapter | undefined;
  manualUi?: ManualUi | null;
  /** called after each step is recorded (1–4); tests throw here to stop a rotation as a crash would */
  afterStep?: (step: number) => void | Promise<void>;
}

function requireMailbox(config: SandiConfig): MailboxAccount {
  if (config.mailbox === null) throw new SandiError('CONFIG', 'akun.noMailbox', {}, { hint: 'akun.noMailbox.hint' });
  return config.mailbox;
}

const newId = (): string => randomBytes(16).toString('hex');

function report(e: unknown): LoginReport {
  if (!isSandiError(e)) throw e;
  return { ok: false, error: { code: e.code, exitCode: e.exitCode, key: e.key, params: e.params } };
}

export type AkunService = ReturnType<typeof akunService>;

/**
 * What every step of the account service shares, built once per service by `akunContext`: the configured
 * account, the ports, the login test, the key service and the archive key's access (unlocked once).
 */
export interface AkunCtx {
  deps: AkunDeps;
  account: MailboxAccount;
  user: string;
  ports: AkunPorts;
  login: LoginTester;
  random: (n: number) => Uint8Array;
  files: CredentialFiles;
  store: AkunStore;
  keys: KunciService;
  archive: ArchiveKeyAccess;
}

/** The shared state of the account service for the configured mailbox (CONFIG akun.noMailbox without one). */
export function akunContext(deps: AkunDeps): AkunCtx {
  const account = requireMailbox(deps.config);
  const ports = deps.ports ?? deps.app.akunPorts();
  const keys = deps.keys ?? kunciService(deps.app, deps.actor);
  return {
    deps,
    account,
    user: account.user,
    ports,
    login: deps.login ?? ports.login,
    random: deps.random ?? ((n: number) => new Uint8Array(randomBytes(n))),
    files: ports.files,
    store: ports.store,
    keys,
    archive: archiveKeyOf(keys, ports.unlockArchiveKey, deps.config.archiveKey, deps.passphrases),
  };
}

/** The account service for the configured mailbox, acting as `actor`: its steps bound to one context. */
export function akunService(deps: AkunDeps) {
  const c = akunContext(deps);
  return {
    user: c.user,
    /** How old the password is, when it is due, and any rotation in progress. */
    status: (): AkunStatus => status(c),
    /** Store `password` as the current one (see `simpan`). */
    simpan: (password: string, changedAt?: Date | null) => simpan(c, password, changedAt),
    /** Log in to IMAP and to SMTP with the password sandi would use now. */
    uji: (): Promise<UjiResult> => uji(c),
    /** Rotate the password (see the module comment), or finish a rotation that was interrupted. */
    rotasi: (opts: RotasiOptions = {}): Promise<RotasiResult> => rotasi(c, opts),
  };
}

// ------------------------------------------------------------------------------------------ helpers

/** Remove store entries nothing refers to (left by a crash between writing an entry and recording it). */
export function removeOrphans(c: AkunCtx): void {
  const keep = c.store.referencedIds();
  for (const id of c.files.list()) if (!keep.has(id)) c.files.remove(id);
}

/**
 * Run `fn`, the unit of work that records credential entries just written; when it fails (a group without the
 * grant on PostgreSQL: 77, a conflict), the entries nothing refers to are removed again, so a refused step leaves
 * no file behind. The store decides what is referenced: an entry a commit did record is kept. When the store
 * cannot answer either, the next run's removeOrphans removes them.
 */
export function recording<T>(c: AkunCtx, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    try {
      removeOrphans(c);
    } catch {
      /* the store is unreachable: left for the next run */
    }
    throw e;
  }
}

/** Encrypt `password` to the archive key as a new credential entry; its id. */
export async function storeEntry(c: AkunCtx, password: string): Promise<string> {
  const id = newId();
  await c.files.write(id, c.user, password, await c.archive.publicArmored(), c.deps.app.clock.now());
  return id;
}

/** Does an IMAP login with `password` succeed? false when refused; other failures (server down) throw. */
export async function works(c: AkunCtx, password: string): Promise<boolean> {
  try {
    await c.login.imap(c.account, password);
    return true;
  } catch (e) {
    if (isSandiError(e) && e.code === 'PERMISSION') return false;
    throw e;
  }
}

/** works(), retried while the server may still be applying a change just made. */
export async function worksSettled(c: AkunCtx, password: string): Promise<boolean> {
  const deadline = Date.now() + (c.deps.settleMs ?? 4000);
  for (;;) {
    if (await works(c, password)) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** The password-change adapter `name` (CONFIG naming a missing setting). */
export function changer(c: AkunCtx, name: PasswordChangeAdapter, ui: ManualUi | null): Promise<PasswordChanger> {
  return c.ports.changer(name, c.account, c.deps.app.paths.root, c.deps.env, ui);
}

/**
 * Move rotation `r` to `to` in a unit of work (inside `tx`), as domain/akun.ts allows: CONFLICT when the
 * move is not a transition of ROTASI_TRANSITIONS or the row is no longer where `r` says.
 */
export function move(tx: AkunStoreTx, now: Date, r: RotasiRow, to: RotasiStatus, alasan?: string): void {
  const illegal = () => new SandiError('CONFLICT', 'store.illegalTransition', { buku: 'akun_rotasi', id: r.id, from: r.status, to });
  if (!canMove(r.status, to)) throw illegal();
  if (!tx.moveRotation(r.id, r.status, to, now.toISOString(), alasan)) throw illegal();
}

/** Record rotation `r`'s move to `to` with its audit event, in one unit of work. */
export function record(c: AkunCtx, now: Date, r: RotasiRow, to: RotasiStatus, extra: { alasan?: string } = {}, data: Record<string, unknown> = {}): void {
  c.store.write((tx) => {
    move(tx, now, r, to, extra.alasan);
    tx.audit(now, { actor: c.deps.actor, action: `akun.rotasi.${to}`, entity: 'akun_rotasi', entityId: String(r.id), data: { user: c.user, ...data, ...extra } });
  });
  r.status = to;
}

/** The server refused: the rotation ends ditolak with the reason, the old password stays current. */
export function refuse(c: AkunCtx, now: Date, r: RotasiRow, reason: string): never {
  record(c, now, r, 'ditolak', { alasan: reason });
  throw new SandiError('DATA', 'akun.rotationRefused', { user: c.user, reason }, { hint: 'akun.rotationRefused.hint' });
}

// ------------------------------------------------------------------------------------------ status, simpan, uji

/** How old the password is, when it is due, and any rotation in progress. */
export function status(c: AkunCtx): AkunStatus {
  const { store, user, account, deps } = c;
  const now = deps.app.clock.now();
  const row = store.account(user);
  const open = store.openRotation(user);
  const last = store.lastRotation(user);
  const age = passwordAge(row?.diubah_at ? new Date(row.diubah_at) : null, now);
  const source: MailboxPasswordSource | null =
    row !== undefined ? 'penyimpanan' : account.passwordCommand !== undefined ? 'perintah' : deps.env['SANDI_MAILBOX_PASSWORD'] ? 'lingkungan' : null;
  return {
    user,
    source,
    ...age,
    previousKept: row?.sebelumnya_id != null,
    rotation: open ? { id: open.id, status: open.status, stepsDone: stepsDone(open.status), adapter: open.adapter, started: open.dimulai_at } : null,
    lastRotation: last
      ? { id: last.id, status: last.status, at: last.selesai_at ?? last.ditolak_at ?? last.teruji_at ?? last.diset_at ?? last.dimulai_at, reason: last.alasan }
      : null,
  };
}

/**
 * Store `password` (typed by the operator) as the current one, encrypted to the archive key; the one it
 * replaces is kept as previous. `changedAt`: when it was set on the server (default now; null = unknown).
 */
export async function simpan(c: AkunCtx, password: string, changedAt: Date | null = c.deps.app.clock.now()): Promise<{ user: string; changedAt: string | null; replaced: boolean }> {
  const { store, user, deps } = c;
  const problem = storedPasswordProblem(password);
  if (problem !== null) throw problem === 'empty' ? new SandiError('USAGE', 'akun.passwordEmpty') : new SandiError('DATA', 'akun.passwordNewline');
  const l = await c.ports.lock();
  try {
    if (store.openRotation(user)) throw new SandiError('CONFLICT', 'akun.rotationOpen', { user }, { hint: 'akun.rotationOpen.hint' });
    const id = await storeEntry(c, password);
    const now = deps.app.clock.now();
    let replaced = false;
    recording(c, () => store.write((tx) => {
      const before = tx.account(user);
      replaced = before !== undefined;
      const slots = { kini_id: id, sebelumnya_id: before?.kini_id ?? null, diubah_at: changedAt?.toISOString() ?? null, disimpan_at: now.toISOString(), sumber: 'simpan' as const };
      if (before) tx.replaceAccount(user, before.kini_id, slots);
      else tx.addAccount({ user, ...slots });
      tx.audit(now, { actor: deps.actor, action: 'akun.simpan', entity: 'akun_sandi', entityId: user, data: { user, changedAt: changedAt?.toISOString() ?? null, replaced } });
    }));
    removeOrphans(c);
    return { user, changedAt: changedAt?.toISOString() ?? null, replaced };
  } finally {
    l.release();
  }
}

/** Log in to IMAP and to SMTP with the password sandi would use now; each result reported separately. */
export async function uji(c: AkunCtx): Promise<UjiResult> {
  const { account, deps, login } = c;
  const resolved = await c.ports.passwords.resolve(account, {
    env: deps.env,
    passphrases: deps.passphrases,
    stored: storedPasswordOf(c.ports, c.keys, deps.config.archiveKey),
  });
  const imap = await login.imap(account, resolved.password).then(() => ({ ok: true }), report);
  const smtp = await login.smtp(account, resolved.password).then(() => ({ ok: true }), report);
  return { user: c.user, source: resolved.source, slot: resolved.slot ?? null, imap, smtp };
}

// ------------------------------------------------------------------------------------------ rotasi, by step

/** The current and the pending password of a rotation, decrypted once per run (memory only). */
interface RotationPasswords {
  pending: string;
  current: string;
}

/**
 * Step 1 (simpan-baru): check the adapter, adopt the password from passwordCommand / the environment into
 * the store on the first rotation (`row` absent), store a strong new password as pending and record the
 * rotation (tersimpan). The new open rotation.
 */
export async function simpanBaru(c: AkunCtx, opts: RotasiOptions, row: AkunRow | undefined): Promise<RotasiRow> {
  const { store, user, account, deps } = c;
  const adapter = opts.adapter ?? account.passwordChange?.adapter ?? 'manual';
  // a misconfigured adapter (or the manual one without a terminal) fails before anything is stored
  await changer(c, adapter, opts.manualUi ?? null);
  if (adapter === 'manual' && !opts.manualUi) throw new SandiError('USAGE', 'akun.manualNeedsTerminal', {}, { hint: 'akun.manualNeedsTerminal.hint' });
  // The first rotation adopts the password from passwordCommand / the environment into the store.
  let currentId = row?.kini_id;
  if (currentId === undefined) {
    const outside = await c.ports.passwords.outsideStore(account, deps.env);
    if (outside === null) throw new SandiError('USAGE', 'mail.passwordMissing', { user, env: 'SANDI_MAILBOX_PASSWORD' }, { hint: 'mail.passwordMissing.hint' });
    const adoptedId = await storeEntry(c, outside.password);
    currentId = adoptedId;
    const now = deps.app.clock.now();
    recording(c, () => store.write((tx) => {
      tx.addAccount({ user, kini_id: adoptedId, sebelumnya_id: null, diubah_at: null, disimpan_at: now.toISOString(), sumber: 'adopsi' });
      tx.audit(now, { actor: deps.actor, action: 'akun.adopsi', entity: 'akun_sandi', entityId: user, data: { user, from: outside.source } });
    }));
  }
  const pendingId = await storeEntry(c, generatePassword(c.random));
  const now = deps.app.clock.now();
  const lamaId = currentId;
  const id = recording(c, () => store.write((tx) => {
    const rotationId = tx.startRotation({ user, adapter, baruId: pendingId, lamaId, at: now.toISOString() });
    tx.audit(now, { actor: deps.actor, action: 'akun.rotasi.tersimpan', entity: 'akun_rotasi', entityId: String(rotationId), data: { user, adapter } });
    return rotationId;
  }));
  const r = store.openRotation(user);
  if (r === undefined || r.id !== id) throw new SandiError('INTERNAL', 'common.internal', { detail: 'rotation row not found after insert' });
  return r;
}

/**
 * Step 2 (set-server): set the pending password on the server through the adapter, unless a login shows the
 * server already has it; a refusal ends the rotation ditolak (the old password stays current). Records diset.
 */
export async function setServer(c: AkunCtx, rot: RotasiRow, adapter: PasswordChangeAdapter, ui: ManualUi | null, pw: RotationPasswords): Promise<StepOutcome> {
  const now = () => c.deps.app.clock.now();
  let outcome: StepOutcome = 'dikerjakan';
  if (await works(c, pw.pending)) outcome = 'sudah-berlaku';
  else {
    try {
      await (await changer(c, adapter, ui)).change({ user: c.user, oldPassword: pw.current, newPassword: pw.pending });
    } catch (e) {
      if (!(isSandiError(e) && e.key === 'akun.changeRefused')) throw e;
      // The server said no. Unless it took the password after all, the old one stays current.
      if (!(await worksSettled(c, pw.pending))) refuse(c, now(), rot, String(e.params['reason'] ?? e.key));
      outcome = 'sudah-berlaku';
    }
  }
  record(c, now(), rot, 'diset', {}, { adapter, outcome });
  return outcome;
}

/**
 * Step 3 (uji-login): IMAP and SMTP logins with the pending password. When the server still takes the old one
 * and refuses the new one, the change did not take effect: ditolak. Records teruji.
 */
export async function ujiLogin(c: AkunCtx, rot: RotasiRow, pw: RotationPasswords): Promise<void> {
  const now = () => c.deps.app.clock.now();
  if (!(await worksSettled(c, pw.pending))) {
    if (await works(c, pw.current)) {
      refuse(c, now(), rot, 'the server still accepts the old password and refuses the new one: the change did not take effect');
    }
    await c.login.imap(c.account, pw.pending); // neither works: report the server's refusal as it is
  }
  await c.login.smtp(c.account, pw.pending);
  record(c, now(), rot, 'teruji');
}

/**
 * Step 4 (jadikan-kini): the pending password becomes current and the old one previous (only if the current
 * one is still the one this rotation replaces), the rotation selesai, in one unit of work; orphans removed.
 */
export function jadikanKini(c: AkunCtx, rot: RotasiRow): void {
  const { store, user, deps } = c;
  const now = deps.app.clock.now();
  const setAt = store.rotation(rot.id)?.diset_at ?? now.toISOString();
  store.write((tx) => {
    // the slots move only if the current password is still the one this rotation replaces
    tx.replaceAccount(user, rot.lama_id, { kini_id: rot.baru_id, sebelumnya_id: rot.lama_id, diubah_at: setAt, disimpan_at: now.toISOString(), sumber: 'rotasi' });
    move(tx, now, rot, 'selesai');
    tx.audit(now, { actor: deps.actor, action: 'akun.rotasi.selesai', entity: 'akun_rotasi', entityId: String(rot.id), data: { user, changedAt: setAt } });
  });
  rot.status = 'selesai';
}

/** Rotate the password (see the module comment), or finish a rotation that was interrupted: the four steps in order. */
export async function rotasi(c: AkunCtx, opts: RotasiOptions = {}): Promise<RotasiResult> {
  const { store, user, deps } = c;
  const l = await c.ports.lock();
  try {
    removeOrphans(c);
    const steps: RotasiResult['steps'] = [];
    const after = async (step: number): Promise<void> => {
      if (opts.afterStep) await opts.afterStep(step);
    };
    let r = store.openRotation(user);
    const resumed = r !== undefined;
    if (r === undefined) {
      const row = store.account(user);
      const age = passwordAge(row?.diubah_at ? new Date(row.diubah_at) : null, deps.app.clock.now());
      if (opts.onlyIfDue && !age.due) {
        return { user, rotated: false, skipped: 'belum-jatuh-tempo', rotationId: null, adapter: null, resumed: false, steps: [], age };
      }
      r = await simpanBaru(c, opts, row);
      steps.push({ step: 1, name: 'simpan-baru', outcome: 'dikerjakan' });
      await after(1);
    }
    const rot = r;
    const adapter = opts.adapter ?? rot.adapter;
    const key = await c.archive.unlock();
    const pw: RotationPasswords = { pending: await c.files.read(rot.baru_id, user, key), current: await c.files.read(rot.lama_id, user, key) };

    if (rot.status === 'tersimpan') {
      const outcome = await setServer(c, rot, adapter, opts.manualUi ?? null, pw);
      steps.push({ step: 2, name: 'set-server', outcome });
      await after(2);
    }

    if (rot.status === 'diset') {
      await ujiLogin(c, rot, pw);
      steps.push({ step: 3, name: 'uji-login', outcome: 'dikerjakan' });
      await after(3);
    }

    if (rot.status === 'teruji') {
      jadikanKini(c, rot);
      steps.push({ step: 4, name: 'jadikan-kini', outcome: 'dikerjakan' });
      removeOrphans(c);
      await after(4);
    }
    const row = store.account(user);
    return {
      user,
      rotated: true,
      skipped: null,
      rotationId: rot.id,
      adapter,
      resumed,
      steps,
      age: passwordAge(row?.diubah_at ? new Date(row.diubah_at) : null, deps.app.clock.now()),
    };
  } finally {
    l.release();
  }
}
