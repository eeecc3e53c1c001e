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
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import type { App } from '../app.js';
import type { MailboxAccount, SandiConfig } from '../config/config.js';
import { passwordOutsideStore, resolveMailboxPasswordWithSource, type MailboxPasswordSource } from '../config/credentials.js';
import { SandiError, isSandiError, type MessageParams } from '../errors.js';
import type { PassphraseSource } from '../ports.js';
import { generatePassword, passwordAge, stepsDone, storedPasswordProblem, type PasswordAge, type RotasiStatus } from '../domain/akun.js';
import { takePidLock, type PidLock } from '../adapters/pid-lock.js';
import type { PasswordChangeAdapter, PasswordChanger } from '../adapters/password-change/types.js';
import type { ManualUi } from '../adapters/password-change/manual.js';
import {
  akunRow,
  archiveKeyAccess,
  credentialDir,
  lastRotation,
  openRotation,
  referencedIds,
  storeFiles,
  type RotasiRow,
} from './akun-kredensial.js';

/** How a login is tried; the real one uses adapters/mail (imap.ts, smtp-login.ts). */
export interface LoginTester {
  imap(account: MailboxAccount, password: string): Promise<void>;
  smtp(account: MailboxAccount, password: string): Promise<void>;
}

export const realLogin: LoginTester = {
  async imap(account, password) {
    const { ImapMailbox } = await import('../adapters/mail/imap.js');
    const box = await ImapMailbox.connect({
      host: account.imap.host,
      port: account.imap.port,
      security: account.imap.tls,
      user: account.user,
      password,
      ...(account.caFile === undefined ? {} : { caFile: account.caFile }),
      timeoutMs: 20_000,
    });
    await box.close();
  },
  async smtp(account, password) {
    const { verifySmtpLogin } = await import('../adapters/mail/smtp-login.js');
    await verifySmtpLogin({
      host: account.smtp.host,
      port: account.smtp.port,
      security: account.smtp.tls,
      user: account.user,
      password,
      ...(account.caFile === undefined ? {} : { caFile: account.caFile }),
      timeoutMs: 20_000,
    });
  },
};

export interface AkunDeps {
  app: Pick<App, 'paths' | 'clock' | 'store'>;
  config: SandiConfig;
  actor: string;
  env: NodeJS.ProcessEnv;
  /** the archive key's passphrase (needed to read a stored password, not to store one) */
  passphrases: PassphraseSource;
  login?: LoginTester;
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
  const login = deps.login ?? realLogin;
  const random = deps.random ?? ((n: number) => new Uint8Array(randomBytes(n)));
  const files = storeFiles(deps.app);
  const db = () => deps.app.store().db;
  const archive = archiveKeyAccess(deps.app, deps.config, deps.actor, deps.passphrases);

  async function lock(): Promise<PidLock> {
    mkdirSync(credentialDir(deps.app), { recursive: true, mode: 0o700 });
    return takePidLock(resolve(credentialDir(deps.app), '.akun.lock'), 'akun.busy');
  }

  /** Remove store entries nothing refers to (left by a crash between writing an entry and recording it). */
  function removeOrphans(): void {
    const keep = referencedIds(db());
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
    return changerFor(name, account, deps.app.paths.root, deps.env, ui);
  }

  function record(now: Date, r: RotasiRow, to: RotasiStatus, column: string, extra: { alasan?: string } = {}, data: Record<string, unknown> = {}): void {
    deps.app.store().write((tx) => {
      const sets = [`status = ?`, `${column} = ?`];
      const args: (string | number)[] = [to, now.toISOString()];
      if (extra.alasan !== undefined) {
        sets.push('alasan = ?');
        args.push(extra.alasan);
      }
      tx.db.prepare(`UPDATE akun_rotasi SET ${sets.join(', ')} WHERE id = ? AND status = ?`).run(...args, r.id, r.status);
      tx.audit(now, { actor: deps.actor, action: `akun.rotasi.${to}`, entity: 'akun_rotasi', entityId: String(r.id), data: { user, ...data, ...extra } });
    });
    r.status = to;
  }

  function refuse(now: Date, r: RotasiRow, reason: string): never {
    record(now, r, 'ditolak', 'ditolak_at', { alasan: reason });
    throw new SandiError('DATA', 'akun.rotationRefused', { user, reason }, { hint: 'akun.rotationRefused.hint' });
  }

  return {
    user,

    /** How old the password is, when it is due, and any rotation in progress. */
    status(): AkunStatus {
      const now = deps.app.clock.now();
      const row = akunRow(db(), user);
      const open = openRotation(db(), user);
      const last = lastRotation(db(), user);
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
        if (openRotation(db(), user)) throw new SandiError('CONFLICT', 'akun.rotationOpen', { user }, { hint: 'akun.rotationOpen.hint' });
        const id = await storeEntry(password);
        const now = deps.app.clock.now();
        let replaced = false;
        deps.app.store().write((tx) => {
          const before = akunRow(tx.db, user);
          replaced = before !== undefined;
          if (before) {
            tx.db
              .prepare("UPDATE akun_sandi SET kini_id = ?, sebelumnya_id = ?, diubah_at = ?, disimpan_at = ?, sumber = 'simpan' WHERE user = ?")
              .run(id, before.kini_id, changedAt?.toISOString() ?? null, now.toISOString(), user);
          } else {
            tx.db
              .prepare("INSERT INTO akun_sandi (user, kini_id, sebelumnya_id, diubah_at, disimpan_at, sumber) VALUES (?, ?, NULL, ?, ?, 'simpan')")
              .run(user, id, changedAt?.toISOString() ?? null, now.toISOString());
          }
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
      const resolved = await resolveMailboxPasswordWithSource(account, { home: deps.app.paths.root, env: deps.env, passphrases: deps.passphrases });
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
        let r = openRotation(db(), user);
        const resumed = r !== undefined;
        if (r === undefined) {
          const row = akunRow(db(), user);
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
            const outside = await passwordOutsideStore(account, deps.env);
            if (outside === null) throw new SandiError('USAGE', 'mail.passwordMissing', { user, env: 'SANDI_MAILBOX_PASSWORD' }, { hint: 'mail.passwordMissing.hint' });
            const adoptedId = await storeEntry(outside.password);
            currentId = adoptedId;
            const now = deps.app.clock.now();
            deps.app.store().write((tx) => {
              tx.db.prepare("INSERT INTO akun_sandi (user, kini_id, sebelumnya_id, diubah_at, disimpan_at, sumber) VALUES (?, ?, NULL, NULL, ?, 'adopsi')").run(user, adoptedId, now.toISOString());
              tx.audit(now, { actor: deps.actor, action: 'akun.adopsi', entity: 'akun_sandi', entityId: user, data: { user, from: outside.source } });
            });
          }
          const pendingId = await storeEntry(generatePassword(random));
          const now = deps.app.clock.now();
          const lamaId = currentId;
          const id = deps.app.store().write((tx) => {
            const res = tx.db
              .prepare("INSERT INTO akun_rotasi (user, adapter, status, baru_id, lama_id, dimulai_at) VALUES (?, ?, 'tersimpan', ?, ?, ?)")
              .run(user, adapter, pendingId, lamaId, now.toISOString());
            tx.audit(now, { actor: deps.actor, action: 'akun.rotasi.tersimpan', entity: 'akun_rotasi', entityId: String(res.lastInsertRowid), data: { user, adapter } });
            return Number(res.lastInsertRowid);
          });
          r = openRotation(db(), user);
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
          record(deps.app.clock.now(), rot, 'diset', 'diset_at', {}, { adapter, outcome });
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
          record(deps.app.clock.now(), rot, 'teruji', 'teruji_at');
          steps.push({ step: 3, name: 'uji-login', outcome: 'dikerjakan' });
          await after(3);
        }

        if (rot.status === 'teruji') {
          const now = deps.app.clock.now();
          const setAt = db().prepare<[number], { diset_at: string }>('SELECT diset_at FROM akun_rotasi WHERE id = ?').get(rot.id)?.diset_at ?? now.toISOString();
          deps.app.store().write((tx) => {
            tx.db
              .prepare("UPDATE akun_sandi SET sebelumnya_id = kini_id, kini_id = ?, diubah_at = ?, disimpan_at = ?, sumber = 'rotasi' WHERE user = ? AND kini_id = ?")
              .run(rot.baru_id, setAt, now.toISOString(), user, rot.lama_id);
            tx.db.prepare("UPDATE akun_rotasi SET status = 'selesai', selesai_at = ? WHERE id = ? AND status = 'teruji'").run(now.toISOString(), rot.id);
            tx.audit(now, { actor: deps.actor, action: 'akun.rotasi.selesai', entity: 'akun_rotasi', entityId: String(rot.id), data: { user, changedAt: setAt } });
          });
          rot.status = 'selesai';
          steps.push({ step: 4, name: 'jadikan-kini', outcome: 'dikerjakan' });
          removeOrphans();
          await after(4);
        }
        const row = akunRow(db(), user);
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

/** The password-change adapter `name`, from mailbox.passwordChange; CONFIG naming the missing setting. */
export async function changerFor(name: PasswordChangeAdapter, account: MailboxAccount, home: string, env: NodeJS.ProcessEnv, ui: ManualUi | null): Promise<PasswordChanger> {
  const pc = account.passwordChange;
  switch (name) {
    case 'perintah': {
      if (pc?.command === undefined) throw new SandiError('CONFIG', 'akun.adapterNotConfigured', { adapter: name, key: 'mailbox.passwordChange.command' }, { hint: 'akun.adapterNotConfigured.hint' });
      const { commandChanger } = await import('../adapters/password-change/command.js');
      return commandChanger({ argv: pc.command, env });
    }
    case 'dovecot-passwd': {
      if (pc?.file === undefined) throw new SandiError('CONFIG', 'akun.adapterNotConfigured', { adapter: name, key: 'mailbox.passwordChange.file' }, { hint: 'akun.adapterNotConfigured.hint' });
      const { dovecotPasswdChanger } = await import('../adapters/password-change/dovecot-passwd.js');
      return dovecotPasswdChanger({ file: resolve(home, pc.file), ...(pc.scheme === undefined ? {} : { scheme: pc.scheme }) });
    }
    case 'manual': {
      const { manualChanger } = await import('../adapters/password-change/manual.js');
      return manualChanger(ui);
    }
  }
}
