/**
 * Rules of the mailbox password (seed 002: "changed at least every 3 months"): how old it is, when it is due,
 * the four steps of a rotation and which step comes next, and what a strong new password looks like.
 * Pure: the time (`now`) and the random bytes are passed in.
 */

/** The SOP's "at least every 3 months", in days. */
export const ROTATION_DAYS = 90;
/** Warn this many days before the deadline; a scheduled `rotasi --jika-jatuh-tempo` rotates from here on. */
export const WARNING_DAYS = 14;
const DAY_MS = 86_400_000;

export type PasswordAgeState = 'aman' | 'peringatan' | 'lewat' | 'tidak-diketahui';

export interface PasswordAge {
  /** when the current password was set (ISO), null when sandi does not know */
  lastChanged: string | null;
  /** lastChanged + 90 days (ISO), null when unknown */
  deadline: string | null;
  /** whole days until the deadline (rounded up; 0 or less when it has passed), null when unknown */
  daysLeft: number | null;
  state: PasswordAgeState;
  /** true from WARNING_DAYS before the deadline on, and when the age is unknown */
  warning: boolean;
  /** a scheduled rotation should run now (same as `warning`) */
  due: boolean;
}

/** The age of the password last changed at `lastChanged`, seen at `now`. An unknown date counts as due. */
export function passwordAge(lastChanged: Date | null, now: Date, policy = { days: ROTATION_DAYS, warnDays: WARNING_DAYS }): PasswordAge {
  if (lastChanged === null) return { lastChanged: null, deadline: null, daysLeft: null, state: 'tidak-diketahui', warning: true, due: true };
  const deadline = new Date(lastChanged.getTime() + policy.days * DAY_MS);
  const daysLeft = Math.ceil((deadline.getTime() - now.getTime()) / DAY_MS);
  const state: PasswordAgeState = deadline.getTime() <= now.getTime() ? 'lewat' : daysLeft <= policy.warnDays ? 'peringatan' : 'aman';
  const warning = state !== 'aman';
  return { lastChanged: lastChanged.toISOString(), deadline: deadline.toISOString(), daysLeft, state, warning, due: warning };
}

// ------------------------------------------------------------------------------------------ rotation

/**
 * Status of a rotation record, one per step done:
 *   tersimpan  step 1: the new password is stored (encrypted) as pending; the current one is untouched
 *   diset      step 2: the new password is set on the server
 *   teruji     step 3: a login with the new password succeeded
 *   selesai    step 4: the new password is current, the old one kept as previous
 *   ditolak    the server refused the change (or it did not take effect); the old password stays current
 */
export type RotasiStatus = 'tersimpan' | 'diset' | 'teruji' | 'selesai' | 'ditolak';

/** The rotation log's transitions: its description (src/domain/registers/akun-rotasi.ts) holds this object, migration 5's trigger comes from it. */
export const ROTASI_TRANSITIONS: Readonly<Record<RotasiStatus, readonly RotasiStatus[]>> = {
  tersimpan: ['diset', 'ditolak'],
  diset: ['teruji', 'ditolak'],
  teruji: ['selesai'],
  selesai: [],
  ditolak: [],
};

/** The statuses of a rotation still open (a step can still be recorded): those with a move out of them. */
export const OPEN_ROTASI_STATUSES: readonly RotasiStatus[] = (Object.keys(ROTASI_TRANSITIONS) as RotasiStatus[]).filter((s) => ROTASI_TRANSITIONS[s].length > 0);

/** How a password is set on the server (mailbox.passwordChange.adapter). */
export type PasswordChangeAdapter = 'perintah' | 'dovecot-passwd' | 'manual';

/** The mailbox account's credential slots (akun_sandi): which store entries hold its current and previous password. */
export interface AkunRow {
  user: string;
  kini_id: string;
  sebelumnya_id: string | null;
  /** when the current password was set on the server (ISO); null = unknown */
  diubah_at: string | null;
  disimpan_at: string;
  sumber: 'simpan' | 'rotasi' | 'adopsi';
}

/** One rotation (akun_rotasi): a log row, each step filling its own column once. */
export interface RotasiRow {
  id: number;
  user: string;
  adapter: PasswordChangeAdapter;
  status: RotasiStatus;
  baru_id: string;
  lama_id: string;
  dimulai_at: string;
  diset_at: string | null;
  teruji_at: string | null;
  selesai_at: string | null;
  ditolak_at: string | null;
  alasan: string | null;
}

export type RotasiStep = 'set-server' | 'uji-login' | 'jadikan-kini';

/** The step a rotation in `status` does next; null when it is finished (selesai or ditolak). */
export function nextRotationStep(status: RotasiStatus): RotasiStep | null {
  switch (status) {
    case 'tersimpan':
      return 'set-server';
    case 'diset':
      return 'uji-login';
    case 'teruji':
      return 'jadikan-kini';
    default:
      return null;
  }
}

/** Step number (1–4) reached by a rotation in `status` (ditolak: 0). */
export function stepsDone(status: RotasiStatus): number {
  return { tersimpan: 1, diset: 2, teruji: 3, selesai: 4, ditolak: 0 }[status];
}

export function canMove(from: RotasiStatus, to: RotasiStatus): boolean {
  return ROTASI_TRANSITIONS[from].includes(to);
}

/** Whether an open rotation's new password is (probably) the one on the server: only once step 2 is recorded. */
export function pendingIsLive(status: RotasiStatus): boolean {
  return status === 'diset' || status === 'teruji';
}

// ------------------------------------------------------------------------------------------ passwords

/**
 * Characters of a generated password: letters and digits without look-alikes (0/O, 1/l/I) and symbols that
 * survive web forms, shells and passwd-files (no quote, backslash, colon, space).
 */
const LOWER = 'abcdefghijkmnopqrstuvwxyz';
const UPPER = 'ABCDEFGHJKLMNPQRSTUVWXYZ';
const DIGIT = '23456789';
const SYMBOL = '-_.+=@%#!*';
export const PASSWORD_ALPHABET = LOWER + UPPER + DIGIT + SYMBOL;
export const GENERATED_LENGTH = 24;

/**
 * A new strong password: GENERATED_LENGTH characters drawn uniformly (rejection sampling) from
 * PASSWORD_ALPHABET with bytes from `random`, redrawn until it has a lower-case letter, an upper-case letter, a
 * digit and a symbol (server policies often demand all four). ~150 bits.
 */
export function generatePassword(random: (n: number) => Uint8Array, length = GENERATED_LENGTH): string {
  const n = PASSWORD_ALPHABET.length;
  const limit = 256 - (256 % n);
  for (;;) {
    let out = '';
    while (out.length < length) {
      for (const b of random(length * 2)) {
        if (b >= limit) continue;
        out += PASSWORD_ALPHABET[b % n] ?? '';
        if (out.length === length) break;
      }
    }
    if ([LOWER, UPPER, DIGIT, SYMBOL].every((set) => [...out].some((c) => set.includes(c)))) return out;
  }
}

/** Why a password typed by the operator cannot be stored, or null: empty, or with a line break. */
export function storedPasswordProblem(pw: string): 'empty' | 'newline' | null {
  if (pw.length === 0) return 'empty';
  if (/[\r\n]/.test(pw)) return 'newline';
  return null;
}
