/**
 * The Dovecot passwd-file adapter, for an office that runs its own Dovecot (and for the integration tests):
 * replaces the user's password field with a salted hash ({SSHA512} by default; Dovecot reloads a passwd-file
 * whose mtime changed). The old password is checked against the file first when its scheme is one sandi can
 * verify. The file keeps its owner and mode; it is replaced atomically (temp file, fsync, rename), under a
 * lock so two sandi runs never interleave.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { closeSync, fchmodSync, fchownSync, fsyncSync, futimesSync, openSync, readFileSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { SandiError } from '../../errors.js';
import { takePidLock } from '../pid-lock.js';
import type { PasswordChanger, PasswordChangeRequest } from '../../ports/akun.js';

export type DovecotScheme = 'SSHA512' | 'PLAIN';

export interface DovecotPasswdOptions {
  file: string;
  /** scheme for the new password (default SSHA512) */
  scheme?: DovecotScheme;
  random?: (n: number) => Buffer;
}

/** `{SCHEME}encoded` for a password. */
export function dovecotHash(password: string, scheme: DovecotScheme, salt: Buffer): string {
  if (scheme === 'PLAIN') return `{PLAIN}${password}`;
  const digest = createHash('sha512').update(password, 'utf8').update(salt).digest();
  return `{SSHA512}${Buffer.concat([digest, salt]).toString('base64')}`;
}

/** true/false when the stored field's scheme can be checked, null when it cannot (e.g. SHA512-CRYPT). */
export function dovecotVerify(field: string, password: string): boolean | null {
  const m = /^\{([A-Z0-9.-]+)\}(.*)$/.exec(field);
  if (!m) return null;
  const [, scheme, value = ''] = m;
  const eq = (a: Buffer, b: Buffer): boolean => a.length === b.length && timingSafeEqual(a, b);
  switch (scheme) {
    case 'PLAIN':
    case 'CLEARTEXT':
      return eq(Buffer.from(value, 'utf8'), Buffer.from(password, 'utf8'));
    case 'SSHA512':
    case 'SSHA256': {
      const algo = scheme === 'SSHA512' ? 'sha512' : 'sha256';
      const len = scheme === 'SSHA512' ? 64 : 32;
      const raw = Buffer.from(value, 'base64');
      if (raw.length <= len) return false;
      const digest = createHash(algo).update(password, 'utf8').update(raw.subarray(len)).digest();
      return eq(digest, raw.subarray(0, len));
    }
    default:
      return null;
  }
}

function refused(user: string, reason: string): SandiError {
  return new SandiError('DATA', 'akun.changeRefused', { adapter: 'dovecot-passwd', user, reason }, { hint: 'akun.changeRefused.hint' });
}

export function dovecotPasswdChanger(opts: DovecotPasswdOptions): PasswordChanger {
  const scheme = opts.scheme ?? 'SSHA512';
  const random = opts.random ?? randomBytes;
  return {
    adapter: 'dovecot-passwd',
    async change(req: PasswordChangeRequest): Promise<void> {
      const file = opts.file;
      if (/[:\r\n]/.test(req.newPassword) && scheme === 'PLAIN') throw refused(req.user, 'the new password contains ":" or a line break');
      const lock = await takePidLock(join(dirname(file), `.${basename(file)}.sandi-lock`), 'akun.passwdFileBusy', 10_000);
      try {
        let text: string;
        let st: ReturnType<typeof statSync>;
        try {
          st = statSync(file);
          text = readFileSync(file, 'utf8');
        } catch (e) {
          const code = (e as NodeJS.ErrnoException).code;
          if (code === 'ENOENT') throw new SandiError('CONFIG', 'akun.passwdFileMissing', { path: file }, { hint: 'akun.passwdFileMissing.hint' });
          throw new SandiError('PERMISSION', 'akun.passwdFileUnreadable', { path: file, reason: code ?? (e as Error).message });
        }
        const lines = text.split('\n');
        const want = req.user.toLowerCase();
        const idx = lines.findIndex((l) => !l.startsWith('#') && l.split(':', 1)[0]?.toLowerCase() === want);
        if (idx < 0) throw refused(req.user, `user not in ${file}`);
        const fields = (lines[idx] ?? '').split(':');
        const ok = dovecotVerify(fields[1] ?? '', req.oldPassword);
        if (ok === false) throw refused(req.user, `the old password does not match ${file}`);
        fields[1] = dovecotHash(req.newPassword, scheme, random(16));
        lines[idx] = fields.join(':');

        const tmp = join(dirname(file), `.${basename(file)}.${process.pid}.${random(6).toString('hex')}.tmp`);
        let fd: number | undefined;
        try {
          fd = openSync(tmp, 'wx', 0o600);
          fchownSync(fd, st.uid, st.gid);
          fchmodSync(fd, st.mode & 0o7777);
          const buf = Buffer.from(lines.join('\n'), 'utf8');
          let off = 0;
          while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off);
          // Dovecot notices a changed passwd-file by its mtime in whole seconds (and its size): a file replaced
          // within the same second as the last change, with a hash of the same length, would go unnoticed.
          const mtime = Math.max(Date.now() / 1000, Math.floor(st.mtimeMs / 1000) + 1);
          futimesSync(fd, mtime, mtime);
          fsyncSync(fd);
          closeSync(fd);
          fd = undefined;
          renameSync(tmp, file);
        } catch (e) {
          if (fd !== undefined) closeSync(fd);
          try {
            unlinkSync(tmp);
          } catch {
            /* nothing to clean */
          }
          throw new SandiError('PERMISSION', 'akun.passwdFileUnwritable', { path: file, reason: (e as NodeJS.ErrnoException).code ?? (e as Error).message });
        }
      } finally {
        lock.release();
      }
    },
  };
}
