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
import type { AkunLock, AkunPorts, AkunStoreTx, LoginTester, MailboxPasswordSource, ManualUi, PasswordChangeAdapter, PasswordChanger } from '../ports/akun.js';
import { canMove, generatePassword, passwordAge, stepsDone, storedPasswordProblem, type PasswordAge, type RotasiRow, type RotasiStatus } from '../domain/akun.js';
import { archiveKeyOf, storedPasswordOf, type AkunHome } from './akun-kredensial.js';
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

/** The account service for the configured mailbox, acting as `actor`. */
export function akunService(deps: AkunDeps) {
  const account = requireMailbox(deps.config);
  const user = account.user;
  const ports = deps.ports ?? deps.app.akunPorts();
  const login = deps.login ?? ports.login;
  const random = deps.random ?? ((n: number) => new Uint8Array(randomBytes(n)));
  const files = ports.files;
  const store = ports.store;
  const keys = deps.keys ?? kunciService(deps.app, deps.actor);
  const archive = archiveKeyOf(keys, ports.unlockArchiveKey, deps.config.archiveKey, deps.passphrases);

  function lock(): Promise<AkunLock> {
    return ports.lock();
  }

  /** Remove store entries nothing refers to (left by a crash between writing an entry and recording it). */
  function removeOrphans(): void {
    const keep = store.referencedIds();
    for (const id of files.list()) if (!keep.has(id)) files.remove(id);
  }

  async function storeEntry(password: string): Promise<string> {
    const id = newId();
    await files.write(id, user, password, await archive.publicArmored(), deps.app.clock.now());
    return id;
  }

  /** Does an IMAP login with `password` succeed? false when refused; other failures (server down) throw. */
  async function works(password: string): Promise<boolean> {
    try {
      await login.imap(account, password);
      return true;
    } catch (e) {
      if (isSandiError(e) && e.code === 'PERMISSION') return false;
      throw e;
    }
  }

  /** works(), retried while the server may still be applying a change just made. */
  async function worksSettled(password: string): Promise<boolean> {
    const deadline = Date.now() + (deps.settleMs ?? 4000);
    for (;;) {
      if (await works(password)) return true;
      if (Date.now() >= deadline) return false;
      await new Promise((r) => setTimeout(r, 500));
    }
  }

  function changer(name: PasswordChangeAdapter, ui: ManualUi | null): Promise<PasswordChanger> {
    return ports.changer(name, account, deps.app.paths.root, deps.env, ui);
  }

  /**
   * Move rotation `r` to `to` in a unit of work (inside `tx`), as domain/akun.ts allows: CONFLICT when the
   * move is not a transition of ROTASI_TRANSITIONS or the row is no longer where `r` says.
   */
  function move(tx: AkunStoreTx, now: Date, r: RotasiRow, to: RotasiStatus, alasan?: string): void {
    const illegal = () => new SandiError('CONFLICT', 'store.illegalTransition', { buku: 'akun_rotasi', id: r.id, from: r.status, to });
    if (!canMove(r.status, to)) throw illegal();
    if (!tx.moveRotation(r.id, r.status, to, now.toISOString(), alasan)) throw illegal();
  }

  function record(now: Date, r: RotasiRow, to: RotasiStatus, extra: { alasan?: string } = {}, data: Record<string, unknown> = {}): void {
    store.write((tx) => {
      move(tx, now, r, to, extra.alasan);
      tx.audit(now, { actor: deps.actor, action: `akun.rotasi.${to}`, entity: 'akun_rotasi', entityId: String(r.id), data: { user, ...data, ...extra } });
    });
    r.status = to;
  }

  function refuse(now: Date, r: RotasiRow, reason: string): never {
    record(now, r, 'ditolak', { alasan: reason });
    throw new SandiError('DATA', 'akun.rotationRefused', { user, reason }, { hint: 'akun.rotationRefused.hint' });
  }

  return {
    user,

    /** How old the password is, when it is due, and any rotation in progress. */
    status(): AkunStatus {
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
    },

    /**
     * Store `password` (typed by the operator) as the current one, encrypted to the archive key; the one it
     * replaces is kept as previous. `changedAt`: when it was set on the server (default now; null = unknown).
     */
    async simpan(password: string, changedAt: Date | null = deps.app.clock.now()): Promise<{ user: string; changedAt: string | null; replaced: boolean }> {
      const problem = storedPasswordProblem(password);
      if (problem !== null) throw problem === 'empty' ? new SandiError('USAGE', 'akun.passwordEmpty') : new SandiError('DATA', 'akun.passwordNewline');
      const l = await lock();
      try {
        if (store.openRotation(user)) throw new SandiError('CONFLICT', 'akun.rotationOpen', { user }, { hint: 'akun.rotationOpen.hint' });
        const id = await storeEntry(password);
        const now = deps.app.clock.now();
        let replaced = false;
        store.write((tx) => {
          const before = tx.account(user);
          replaced = before !== undefined;
          const slots = { kini_id: id, sebelumnya_id: before?.kini_id ?? null, diubah_at: changedAt?.toISOString() ?? null, disimpan_at: now.toISOString(), sumber: 'simpan' as const };
          if (before) tx.replaceAccount(user, before.kini_id, slots);
          else tx.addAccount({ user, ...slots });
          tx.audit(now, { actor: deps.actor, action: 'akun.simpan', entity: 'akun_sandi', entityId: user, data: { user, changedAt: changedAt?.toISOString() ?? null, replaced } });
        });
        removeOrphans();
        return { user, changedAt: changedAt?.toISOString() ?? null, replaced };
      } finally {
        l.release();
      }
    },

    /** Log in to IMAP and to SMTP with the password sandi would use now; each result reported separately. */
    async uji(): Promise<UjiResult> {
      const resolved = await ports.passwords.resolve(account, {
        env: deps.env,
        passphrases: deps.passphrases,
        stored: storedPasswordOf(ports, keys, deps.config.archiveKey),
      });
      const imap = await login.imap(account, resolved.password).then(() => ({ ok: true }), report);
      const smtp = await login.smtp(account, resolved.password).then(() => ({ ok: true }), report);
      return { user, source: resolved.source, slot: resolved.slot ?? null, imap, smtp };
    },

    /** Rotate the password (see the module comment), or finish a rotation that was interrupted. */
    async rotasi(opts: RotasiOptions = {}): Promise<RotasiResult> {
      const l = await lock();
      try {
        removeOrphans();
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
          const adapter = opts.adapter ?? account.passwordChange?.adapter ?? 'manual';
          // a misconfigured adapter (or the manual one without a terminal) fails before anything is stored
          await changer(adapter, opts.manualUi ?? null);
          if (adapter === 'manual' && !opts.manualUi) throw new SandiError('USAGE', 'akun.manualNeedsTerminal', {}, { hint: 'akun.manualNeedsTerminal.hint' });
          // The first rotation adopts the password from passwordCommand / the environment into the store.
          let currentId = row?.kini_id;
          if (currentId === undefined) {
            const outside = await ports.passwords.outsideStore(account, deps.env);
            if (outside === null) throw new SandiError('USAGE', 'mail.passwordMissing', { user, env: 'SANDI_MAILBOX_PASSWORD' }, { hint: 'mail.passwordMissing.hint' });
            const adoptedId = await storeEntry(outside.password);
            currentId = adoptedId;
            const now = deps.app.clock.now();
            store.write((tx) => {
              tx.addAccount({ user, kini_id: adoptedId, sebelumnya_id: null, diubah_at: null, disimpan_at: now.toISOString(), sumber: 'adopsi' });
              tx.audit(now, { actor: deps.actor, action: 'akun.adopsi', entity: 'akun_sandi', entityId: user, data: { user, from: outside.source } });
            });
          }
          const pendingId = await storeEntry(generatePassword(random));
          const now = deps.app.clock.now();
          const lamaId = currentId;
          const id = store.write((tx) => {
            const rotationId = tx.startRotation({ user, adapter, baruId: pendingId, lamaId, at: now.toISOString() });
            tx.audit(now, { actor: deps.actor, action: 'akun.rotasi.tersimpan', entity: 'akun_rotasi', entityId: String(rotationId), data: { user, adapter } });
            return rotationId;
          });
          r = store.openRotation(user);
          if (r === undefined || r.id !== id) throw new SandiError('INTERNAL', 'common.internal', { detail: 'rotation row not found after insert' });
          steps.push({ step: 1, name: 'simpan-baru', outcome: 'dikerjakan' });
          await after(1);
        }
        const rot = r;
        const adapter = opts.adapter ?? rot.adapter;
        const key = await archive.unlock();
        const pending = await files.read(rot.baru_id, user, key);
        const current = await files.read(rot.lama_id, user, key);

        if (rot.status === 'tersimpan') {
          let outcome: StepOutcome = 'dikerjakan';
          if (await works(pending)) outcome = 'sudah-berlaku';
          else {
            try {
              await (await changer(adapter, opts.manualUi ?? null)).change({ user, oldPassword: current, newPassword: pending });
            } catch (e) {
              if (!(isSandiError(e) && e.key === 'akun.changeRefused')) throw e;
              // The server said no. Unless it took the password after all, the old one stays current.
              if (!(await worksSettled(pending))) refuse(deps.app.clock.now(), rot, String(e.params['reason'] ?? e.key));
              outcome = 'sudah-berlaku';
            }
          }
          record(deps.app.clock.now(), rot, 'diset', {}, { adapter, outcome });
          steps.push({ step: 2, name: 'set-server', outcome });
          await after(2);
        }

        if (rot.status === 'diset') {
          if (!(await worksSettled(pending))) {
            if (await works(current)) {
              refuse(deps.app.clock.now(), rot, 'the server still accepts the old password and refuses the new one: the change did not take effect');
            }
            await login.imap(account, pending); // neither works: report the server's refusal as it is
          }
          await login.smtp(account, pending);
          record(deps.app.clock.now(), rot, 'teruji');
          steps.push({ step: 3, name: 'uji-login', outcome: 'dikerjakan' });
          await after(3);
        }

        if (rot.status === 'teruji') {
          const now = deps.app.clock.now();
          const setAt = store.rotation(rot.id)?.diset_at ?? now.toISOString();
          store.write((tx) => {
            // the slots move only if the current password is still the one this rotation replaces
            tx.replaceAccount(user, rot.lama_id, { kini_id: rot.baru_id, sebelumnya_id: rot.lama_id, diubah_at: setAt, disimpan_at: now.toISOString(), sumber: 'rotasi' });
            move(tx, now, rot, 'selesai');
            tx.audit(now, { actor: deps.actor, action: 'akun.rotasi.selesai', entity: 'akun_rotasi', entityId: String(rot.id), data: { user, changedAt: setAt } });
          });
          rot.status = 'selesai';
          steps.push({ step: 4, name: 'jadikan-kini', outcome: 'dikerjakan' });
          removeOrphans();
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
    },
  };
}
