/**
 * Local Maildir (the embedded default when no mailbox is configured, and the fallback channel of the SOP):
 * delivery writes into tmp/, fsyncs, renames into new/ and fsyncs new/, so a reader never sees half a message
 * and a delivery reported done survives a power cut.
 */
import { mkdirSync, openSync, writeSync, fsyncSync, closeSync, renameSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, relative, resolve, isAbsolute, sep } from 'node:path';
import { randomBytes } from 'node:crypto';
import { SandiError } from '../errors.js';

export function ensureMaildir(dir: string): void {
  for (const sub of ['tmp', 'new', 'cur']) mkdirSync(join(dir, sub), { recursive: true, mode: 0o700 });
}

/**
 * The Maildir `name` directly under `base` (a folder of per-address Maildirs). DATA 'maildir.unsafeName' when
 * `name` is not one plain path component (a "/" or "\\", a leading ".", a control character): names may come
 * from a message's sender.
 */
export function maildirIn(base: string, name: string): string {
  if (name.length === 0 || name.length > 255 || name.startsWith('.') || /[/\\\x00-\x1f\x7f]/.test(name)) {
    throw new SandiError('DATA', 'maildir.unsafeName', { name: JSON.stringify(name), base });
  }
  const dir = join(base, name);
  assertInside(base, dir);
  return dir;
}

function assertInside(base: string, dir: string): void {
  const rel = relative(resolve(base), resolve(dir));
  if (rel === '' || rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel)) {
    throw new SandiError('DATA', 'maildir.outsideBase', { path: dir, base });
  }
}

/** fsync a directory, so a rename into it is on disk (a no-op where directories cannot be opened). */
function fsyncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'EISDIR' && code !== 'EINVAL' && code !== 'EPERM') throw e;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

let lastStamp = { sec: -1, usec: -1 };

/**
 * `<seconds>.M<microseconds>` of a delivery at `now`, as Dovecot and Postfix write it, strictly increasing
 * within this process (deliveries in the same millisecond, or under a fixed clock, stay in order for
 * compareMaildirNames).
 */
function deliveryStamp(now: Date): string {
  const ms = now.getTime();
  const sec = Math.floor(ms / 1000);
  let usec = (ms - sec * 1000) * 1000;
  if (sec === lastStamp.sec && usec <= lastStamp.usec) usec = Math.min(lastStamp.usec + 1, 999_999);
  lastStamp = { sec, usec };
  return `${sec}.M${usec}`;
}

/**
 * Deliver one raw message; returns the file name under new/. With `opts.base`, DATA 'maildir.outsideBase'
 * when `dir` is not inside that folder (nothing is written).
 */
export function deliverToMaildir(dir: string, raw: Buffer, now: Date, opts: { base?: string } = {}): string {
  if (opts.base !== undefined) assertInside(opts.base, dir);
  ensureMaildir(dir);
  const host = hostname().replace(/[/:]/g, '_');
  const name = `${deliveryStamp(now)}P${process.pid}R${randomBytes(6).toString('hex')}.${host}`;
  const tmp = join(dir, 'tmp', name);
  try {
    const fd = openSync(tmp, 'wx', 0o600);
    try {
      let off = 0;
      while (off < raw.length) off += writeSync(fd, raw, off, raw.length - off);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, join(dir, 'new', name));
    fsyncDir(join(dir, 'new'));
  } catch (e) {
    throw new SandiError('IO', 'common.writeFailed', { path: tmp, reason: (e as Error).message }, { cause: e });
  }
  return name;
}

export interface MaildirMessage {
  /** path relative to the Maildir: new/NAME or cur/NAME:2,FLAGS */
  id: string;
  path: string;
  size: number;
  /** the file's modification time (a Maildir's delivery time) */
  mtime: Date;
}

/**
 * The delivery order a Maildir name tells: its leading seconds, then the microseconds that Dovecot and
 * Postfix write as `M<usec>` (without leading zeros, so a plain string sort puts M99999 after M100000),
 * then the rest of the name.
 */
export function compareMaildirNames(a: string, b: string): number {
  const key = (n: string): [number, number] => [Number(/^(\d+)/.exec(n)?.[1] ?? Infinity), Number(/\.(?:[^.]*?)M(\d+)/.exec(n)?.[1] ?? 0)];
  const [sa, ua] = key(a);
  const [sb, ub] = key(b);
  if (sa !== sb) return sa < sb ? -1 : 1;
  if (ua !== ub) return ua - ub;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Messages in new/ and cur/, oldest first by the delivery time in the file name (compareMaildirNames). */
export function listMaildir(dir: string): MaildirMessage[] {
  const out: MaildirMessage[] = [];
  for (const sub of ['new', 'cur']) {
    let names: string[];
    try {
      names = readdirSync(join(dir, sub));
    } catch {
      continue;
    }
    for (const n of names) {
      if (n.startsWith('.')) continue;
      const path = join(dir, sub, n);
      let st;
      try {
        st = statSync(path);
      } catch (e) {
        // moved from new/ to cur/ by a mail client since the listing (cur/ is read after new/), or deleted
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') continue;
        throw e;
      }
      out.push({ id: `${sub}/${n}`, path, size: st.size, mtime: st.mtime });
    }
  }
  return out.sort((a, b) => compareMaildirNames(a.id.split('/')[1]!, b.id.split('/')[1]!));
}

export function readMaildirMessage(m: MaildirMessage): Buffer {
  return readFileSync(m.path);
}
