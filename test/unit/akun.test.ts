/**
 * `sandi akun` pure rules: password age and deadline, the rotation steps, generated passwords, the Dovecot
 * hash schemes, the command adapter's redaction, and the config fields passwordCommand / passwordChange.
 */
import { describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import {
  canMove,
  generatePassword,
  nextRotationStep,
  OPEN_ROTASI_STATUSES,
  passwordAge,
  pendingIsLive,
  PASSWORD_ALPHABET,
  ROTASI_TRANSITIONS,
  stepsDone,
  storedPasswordProblem,
  type RotasiStatus,
} from '../../src/domain/akun.js';
import { AKUN_ROTASI_PROTECTION, migration005 } from '../../src/adapters/sqlite/migration-005-akun.js';
import { dovecotHash, dovecotVerify } from '../../src/adapters/password-change/dovecot-passwd.js';
import { reasonFrom } from '../../src/adapters/password-change/command.js';
import { withoutSecrets } from '../../src/config/child-env.js';
import { validateConfig } from '../../src/config/config.js';

const D = (s: string) => new Date(s);

describe('passwordAge', () => {
  const changed = D('2026-01-01T08:00:00Z');
  it.each([
    ['same instant', '2026-01-01T08:00:00Z', 90, 'aman', false],
    ['76 days later: 14 left, warning', '2026-03-18T08:00:00Z', 14, 'peringatan', true],
    ['75 days later: 15 left', '2026-03-17T08:00:00Z', 15, 'aman', false],
    ['half a day before the deadline rounds up to 1', '2026-03-31T20:00:00Z', 1, 'peringatan', true],
    ['at the deadline', '2026-04-01T08:00:00Z', 0, 'lewat', true],
    ['10 days late', '2026-04-11T08:00:00Z', -10, 'lewat', true],
  ])('%s', (_name, now, daysLeft, state, due) => {
    const a = passwordAge(changed, D(now));
    expect(a.deadline).toBe('2026-04-01T08:00:00.000Z');
    expect(a.daysLeft).toBe(daysLeft);
    expect(a.state).toBe(state);
    expect(a.due).toBe(due);
    expect(a.warning).toBe(due);
  });
  it('unknown date is due', () => {
    expect(passwordAge(null, D('2026-01-01T00:00:00Z'))).toEqual({ lastChanged: null, deadline: null, daysLeft: null, state: 'tidak-diketahui', warning: true, due: true });
  });
});

describe('rotation steps', () => {
  it.each([
    ['tersimpan', 'set-server', 1, false],
    ['diset', 'uji-login', 2, true],
    ['teruji', 'jadikan-kini', 3, true],
    ['selesai', null, 4, false],
    ['ditolak', null, 0, false],
  ] as [RotasiStatus, string | null, number, boolean][])('%s → %s', (status, next, done, live) => {
    expect(nextRotationStep(status)).toBe(next);
    expect(stepsDone(status)).toBe(done);
    expect(pendingIsLive(status)).toBe(live);
  });
  it('moves only forward, refusal only before the password is tested', () => {
    expect(canMove('tersimpan', 'diset')).toBe(true);
    expect(canMove('diset', 'ditolak')).toBe(true);
    expect(canMove('teruji', 'ditolak')).toBe(false);
    expect(canMove('selesai', 'tersimpan')).toBe(false);
    expect(canMove('tersimpan', 'selesai')).toBe(false);
  });
  it('the migration enforces the same transitions as ROTASI_TRANSITIONS, and indexes the same open statuses', () => {
    const nonEmpty = (t: Readonly<Record<string, readonly string[]>>) => Object.fromEntries(Object.entries(t).filter(([, v]) => v.length > 0));
    expect(AKUN_ROTASI_PROTECTION.transitions).toEqual(nonEmpty(ROTASI_TRANSITIONS));
    expect(OPEN_ROTASI_STATUSES).toEqual(['tersimpan', 'diset', 'teruji']);
    expect(migration005.sql).toContain(`ON akun_rotasi(user) WHERE status IN (${OPEN_ROTASI_STATUSES.map((x) => `'${x}'`).join(', ')})`);
  });
});

describe('generatePassword', () => {
  it('24 characters of the alphabet, all four classes, different each time', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const pw = generatePassword((n) => new Uint8Array(randomBytes(n)));
      expect(pw).toHaveLength(24);
      expect([...pw].every((c) => PASSWORD_ALPHABET.includes(c))).toBe(true);
      expect(pw).toMatch(/[a-z]/);
      expect(pw).toMatch(/[A-Z]/);
      expect(pw).toMatch(/[2-9]/);
      expect(pw).toMatch(/[-_.+=@%#!*]/);
      expect(pw).not.toMatch(/[:'"\\\s]/);
      seen.add(pw);
    }
    expect(seen.size).toBe(200);
  });
  it('is a pure function of the random bytes', () => {
    const bytes = (n: number) => new Uint8Array(n).map((_, i) => (i * 37 + 11) % 256);
    expect(generatePassword(bytes)).toBe(generatePassword(bytes));
  });
  it('refuses empty and multi-line stored passwords', () => {
    expect(storedPasswordProblem('')).toBe('empty');
    expect(storedPasswordProblem('a\nb')).toBe('newline');
    expect(storedPasswordProblem('baik')).toBeNull();
  });
});

describe('Dovecot passwd-file schemes', () => {
  it('SSHA512 round trip, salted', () => {
    const h = dovecotHash('kata-sandi', 'SSHA512', Buffer.from('0123456789abcdef'));
    expect(h).toMatch(/^\{SSHA512\}[A-Za-z0-9+/=]+$/);
    expect(h).not.toContain('kata-sandi');
    expect(dovecotVerify(h, 'kata-sandi')).toBe(true);
    expect(dovecotVerify(h, 'salah')).toBe(false);
  });
  it.each([
    ['{PLAIN}abc', 'abc', true],
    ['{PLAIN}abc', 'abd', false],
    ['{SHA512-CRYPT}$6$x$y', 'abc', null],
    ['abc', 'abc', null],
  ])('%s', (field, pw, want) => {
    expect(dovecotVerify(field, pw)).toBe(want);
  });
});

describe('command adapter hygiene', () => {
  it('reason: last lines, passwords redacted, bounded', () => {
    expect(reasonFrom('noise\npassword lama-1 ditolak\nkebijakan: baru-2 terlalu pendek\n', ['lama-1', 'baru-2'])).toBe(
      'noise / password *** ditolak / kebijakan: *** terlalu pendek',
    );
    expect(reasonFrom('x'.repeat(1000), []).length).toBeLessThanOrEqual(300);
  });
  it('the child gets no secret variables', () => {
    expect(withoutSecrets({ PATH: '/bin', SANDI_MAILBOX_PASSWORD: 'x', SANDI_PASSPHRASE_ARSIP: 'y', SANDI_PASSPHRASE: 'z', SANDI_HOME: '/h' })).toEqual({ PATH: '/bin', SANDI_HOME: '/h' });
  });
});

describe('config: mailbox.passwordCommand and passwordChange', () => {
  const base = (mailbox: Record<string, unknown>) => ({
    version: 1,
    office: { name: 'Diskominfo', unitCode: 'DKI' },
    archiveKey: 'A'.repeat(40),
    mailbox: { user: 'u@x.test', imap: { host: 'h', port: 993, tls: 'tls' }, smtp: { host: 'h', port: 587, tls: 'starttls' }, ...mailbox },
  });
  it('accepts an argv array and the adapters', () => {
    const c = validateConfig(base({ passwordCommand: ['pass', 'show', 'sanapati'], passwordChange: { adapter: 'dovecot-passwd', file: '/etc/dovecot/users' } }), 'c.json');
    expect(c.mailbox?.passwordCommand).toEqual(['pass', 'show', 'sanapati']);
    expect(c.mailbox?.passwordChange).toEqual({ adapter: 'dovecot-passwd', file: '/etc/dovecot/users' });
  });
  it.each([
    [{ passwordCommand: 'pass show sanapati' }, 'mailbox.passwordCommand'],
    [{ passwordCommand: [] }, 'mailbox.passwordCommand'],
    [{ passwordChange: { adapter: 'perintah' } }, 'mailbox.passwordChange.command'],
    [{ passwordChange: { adapter: 'dovecot-passwd' } }, 'mailbox.passwordChange.file'],
    [{ passwordChange: { adapter: 'webmail' } }, 'mailbox.passwordChange.adapter'],
  ])('refuses %j naming %s', (mailbox, key) => {
    expect(() => validateConfig(base(mailbox), 'c.json')).toThrow(expect.objectContaining({ key: 'config.invalid', params: expect.objectContaining({ key }) }));
  });
  it('still refuses a password in the file', () => {
    expect(() => validateConfig(base({ password: 'x' }), 'c.json')).toThrow(expect.objectContaining({ key: 'config.secretInFile' }));
    expect(() => validateConfig(base({ passwordChange: { adapter: 'manual', password: 'x' } }), 'c.json')).toThrow(
      expect.objectContaining({ key: 'config.secretInFile' }),
    );
  });
});
