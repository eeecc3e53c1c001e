/**
 * Ports of the mailbox-account services (`sandi akun`, services/akun.ts, services/akun-kredensial.ts): the
 * credential slots and rotation log (SQLite: adapters/sqlite/akun.ts), the encrypted credential files
 * (adapters/openpgp/kredensial.ts), the login test (adapters/mail/login-tester.ts) and the password change
 * (adapters/password-change/). src/app/akun.ts wires them. Nothing here imports a library.
 */
import type { MailboxAccount } from '../config/config.js';
import type { AkunRow, PasswordChangeAdapter, RotasiRow, RotasiStatus } from '../domain/akun.js';
import type { AuditNote } from './kunci.js';
import type { PassphraseSource } from '../ports.js';

export type { PasswordChangeAdapter } from '../domain/akun.js';

// ------------------------------------------------------------------------------------------ login, change

/** How a login is tried; the real one uses adapters/mail (imap.ts, smtp-login.ts). */
export interface LoginTester {
  imap(account: MailboxAccount, password: string): Promise<void>;
  smtp(account: MailboxAccount, password: string): Promise<void>;
}

export interface PasswordChangeRequest {
  user: string;
  oldPassword: string;
  newPassword: string;
}

/**
 * Setting a new mailbox password on the server, behind one interface: Sanapati's password-change interface is
 * not public, so each way of doing it is an adapter (a command, a Dovecot passwd-file, or the operator by hand).
 */
export interface PasswordChanger {
  readonly adapter: PasswordChangeAdapter;
  /**
   * Set `newPassword` for `user`. Resolves when the server accepted it. Rejects with SandiError:
   * DATA 'akun.changeRefused' (the server said no, with its reason), TEMPFAIL (try again later),
   * CONFIG (the adapter is not set up). The passwords never appear in an error.
   */
  change(req: PasswordChangeRequest): Promise<void>;
}

/** The operator's side of the manual adapter (a terminal). */
export interface ManualUi {
  /** Show the user and the new password to the operator (a terminal, never a log or a pipe). */
  show(user: string, newPassword: string): Promise<void>;
  /** Has the operator set it on the server? */
  confirmChanged(user: string): Promise<boolean>;
}

/** The password-change adapter `name`, from mailbox.passwordChange; CONFIG naming the missing setting. */
export type PasswordChangerFactory = (
  name: PasswordChangeAdapter,
  account: MailboxAccount,
  home: string,
  env: NodeJS.ProcessEnv,
  ui: ManualUi | null,
) => Promise<PasswordChanger>;

// ------------------------------------------------------------------------------------------ store

/** Reads of the credential slots and the rotation log; every change goes through `write` (one unit of work). */
export interface AkunStore {
  account(user: string): AkunRow | undefined;
  /** The rotation of `user` still open (OPEN_ROTASI_STATUSES), if any. */
  openRotation(user: string): RotasiRow | undefined;
  /** The latest rotation of `user`, open or not. */
  lastRotation(user: string): RotasiRow | undefined;
  rotation(id: number): RotasiRow | undefined;
  /** Every credential entry id the slots and the open rotations still refer to. */
  referencedIds(): Set<string>;
  write<T>(fn: (tx: AkunStoreTx) => T): T;
}

/** What a unit of work on the credential slots and the rotation log can do. */
export interface AkunStoreTx {
  account(user: string): AkunRow | undefined;
  addAccount(row: AkunRow): void;
  /** Replace the slots of `user` if its current entry is still `currentId`; false when it is not. */
  replaceAccount(user: string, currentId: string, row: Omit<AkunRow, 'user'>): boolean;
  /** Record step 1 of a rotation (status tersimpan); its id. */
  startRotation(r: { user: string; adapter: PasswordChangeAdapter; baruId: string; lamaId: string; at: string }): number;
  /**
   * Record a rotation's move `from` → `to` at `at` (filling the step's own column, and `alasan` for ditolak);
   * false when the row is no longer in `from`. Whether the move is allowed is the caller's rule (domain/akun.ts).
   */
  moveRotation(id: number, from: RotasiStatus, to: RotasiStatus, at: string, alasan?: string): boolean;
  audit(at: Date, note: AuditNote): void;
}

// ------------------------------------------------------------------------------------------ credential files

/** The office archive key, unlocked: opaque to services, only the credential files can use it. */
export type UnlockedArchiveKey = object;

/** The encrypted credential store: one immutable entry per stored password, encrypted to the archive key. */
export interface CredentialFiles {
  readonly dir: string;
  /** Encrypt `password` for `user` to the archive key and store it as entry `id` (0600, atomic, never replaced). */
  write(id: string, user: string, password: string, archivePublicArmored: string, now: Date): Promise<void>;
  /** Decrypt entry `id` with the unlocked archive key; DATA when it is not `user`'s or is damaged, NOT_FOUND when gone. */
  read(id: string, user: string, archiveKey: UnlockedArchiveKey): Promise<string>;
  has(id: string): boolean;
  /** Ids of every entry present. */
  list(): string[];
  remove(id: string): void;
}

/** Unlock a secret key with its passphrase; PERMISSION naming the key (never the passphrase) when wrong. */
export type ArchiveKeyUnlocker = (secretArmored: string, passphrase: string, label: { fingerprint: string; userId: string }) => Promise<UnlockedArchiveKey>;

/** A held lock (one `sandi akun` run at a time per home). */
export interface AkunLock {
  release(): void;
}

/** Everything the account services are built from (src/app/akun.ts makes the real ones). */
export interface AkunPorts {
  store: AkunStore;
  files: CredentialFiles;
  unlockArchiveKey: ArchiveKeyUnlocker;
  login: LoginTester;
  changer: PasswordChangerFactory;
  /** Take the account lock of the home (CONFLICT akun.busy while another run holds it). */
  lock(): Promise<AkunLock>;
  /** The mailbox password's sources (config/credentials.ts over the home), wired by the composition root. */
  passwords: MailboxPasswordResolver;
}

// ------------------------------------------------------------------------------------------ password resolution

/**
 * The mailbox password held in the credential store, as the password resolution (config/credentials.ts) asks
 * for it: built by the command over its own store, so resolving a password opens no second connection.
 */
export interface StoredMailboxPassword {
  /**
   * The password to log in with now: the pending one while a rotation has set it on the server (step 2
   * recorded) but not finished, else the current one; null when the store has nothing for `user`.
   */
  live(user: string, passphrases: PassphraseSource): Promise<{ password: string; slot: 'kini' | 'tertunda' } | null>;
}

/** Where a mailbox password came from: the credential store, mailbox.passwordCommand, SANDI_MAILBOX_PASSWORD. */
export type MailboxPasswordSource = 'penyimpanan' | 'perintah' | 'lingkungan';

export interface ResolvedMailboxPassword {
  password: string;
  source: MailboxPasswordSource;
  /** for the store: which slot it came from (kini = current, tertunda = a rotation's new password already on the server) */
  slot?: 'kini' | 'tertunda';
}

/**
 * The mailbox password's sources in their order of preference (config/credentials.ts: the credential store,
 * read through `stored` when the home has a sandi.db; passwordCommand; the environment), bound to the home by
 * the composition root (src/app/akun.ts), so no service reads config or the credential code itself.
 */
export interface MailboxPasswordResolver {
  /** The password to log in with now, and its source; USAGE mail.passwordMissing naming the sources when none gives one. */
  resolve(
    account: MailboxAccount,
    ctx: { stored: StoredMailboxPassword; env: NodeJS.ProcessEnv; passphrases?: PassphraseSource | undefined },
  ): Promise<ResolvedMailboxPassword>;
  /** Sources 2 and 3 only (passwordCommand, then the environment): what a first rotation adopts into the store. */
  outsideStore(account: MailboxAccount, env: NodeJS.ProcessEnv): Promise<ResolvedMailboxPassword | null>;
}
