/**
 * A lock file holding the owner's process id. A lock left by a process that no longer exists (killed with
 * SIGKILL, power cut) is taken over, so a crash never blocks the next run.
 *
 * The file never exists without its content: the PID is written and fsynced into a private temp file, which
 * is then hard-linked into place (link fails with EEXIST when the lock is held: an atomic
 * create-with-content). So a competitor never reads an empty lock, and content it cannot read as a PID is
 * treated as held, not as stale (only one older than STALE_UNREADABLE_MS — a crash of an older sandi between
 * creating and writing — is taken over).
 *
 * Taking over a stale lock is itself done under a second lock (`<path>.break`, same scheme): the holder
 * re-reads the lock, and removes it only if it still names the same dead process. Without that, two
 * processes that both saw the dead owner could each remove the lock — the second one removing the lock the
 * first had just taken — and both would hold it.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, linkSync, openSync, readFileSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { SandiError } from '../errors.js';

export interface PidLock {
  release(): void;
}

/** An unreadable or empty lock file younger than this is taken as held (see the module comment). */
const STALE_UNREADABLE_MS = 30_000;

/** Whether a process with this PID exists (one of another user's, which we may not signal, counts). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * The lock files this process created and still holds. A lock naming this process's own PID that is not
 * among them was left by a dead process whose PID the system has since given to us: stale, not ours.
 */
const heldHere = new Set<string>();

type Holder = { state: 'gone' } | { state: 'held'; pid: number | null } | { state: 'stale'; content: string };

/** Who holds the lock at `path` now. */
function holder(path: string): Holder {
  let content: string;
  let mtimeMs: number;
  try {
    mtimeMs = statSync(path).mtimeMs;
    content = readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { state: 'gone' };
    return { state: 'held', pid: null }; // unreadable: someone has it
  }
  const text = content.trim();
  const pid = /^\d+$/.test(text) ? Number.parseInt(text, 10) : NaN;
  if (!Number.isSafeInteger(pid) || pid <= 0) {
    return Date.now() - mtimeMs > STALE_UNREADABLE_MS ? { state: 'stale', content } : { state: 'held', pid: null };
  }
  if (pid === process.pid ? !heldHere.has(path) : !processAlive(pid)) return { state: 'stale', content };
  return { state: 'held', pid };
}

/** Create `path` holding our PID, atomically; false when it exists. */
function create(path: string): boolean {
  const tmp = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  const fd = openSync(tmp, 'wx', 0o600);
  try {
    try {
      writeSync(fd, `${process.pid}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    try {
      linkSync(tmp, path);
      heldHere.add(path);
      return true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw e;
    }
  } finally {
    try {
      unlinkSync(tmp);
    } catch {
      /* already gone */
    }
  }
}

function releaser(path: string): PidLock {
  return {
    release() {
      if (!heldHere.delete(path)) return; // released already (or never ours)
      try {
        if (readFileSync(path, 'utf8').trim() === String(process.pid)) unlinkSync(path);
      } catch {
        /* already gone */
      }
    },
  };
}

/**
 * Remove the lock at `path` if it still has `content` (a dead owner's), under the `.break` lock. false when
 * another process is doing that right now (the caller waits a little).
 */
function breakStale(path: string, content: string): boolean {
  const brk = `${path}.break`;
  if (!create(brk)) {
    // Another process is taking it over (for microseconds), unless it died doing so.
    const h = holder(brk);
    if (h.state === 'stale') {
      try {
        if (readFileSync(brk, 'utf8') === h.content) unlinkSync(brk);
      } catch {
        /* gone meanwhile */
      }
      return true;
    }
    return h.state === 'gone';
  }
  try {
    let now: string;
    try {
      now = readFileSync(path, 'utf8');
    } catch {
      return true; // removed meanwhile
    }
    if (now === content) unlinkSync(path);
    return true;
  } finally {
    releaser(brk).release();
  }
}

/** Take the lock at `path`, waiting up to `waitMs`; TEMPFAIL `busyKey` (params: path, pid) when another live process holds it. */
export async function takePidLock(path: string, busyKey: string, waitMs = 0): Promise<PidLock> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    try {
      if (create(path)) return releaser(path);
    } catch (e) {
      throw new SandiError('IO', 'common.writeFailed', { path, reason: (e as Error).message }, { cause: e });
    }
    const h = holder(path);
    if (h.state === 'gone') continue; // released meanwhile: try again
    if (h.state === 'stale') {
      if (breakStale(path, h.content)) continue;
      await new Promise((r) => setTimeout(r, 10));
      continue;
    }
    if (Date.now() >= deadline) throw new SandiError('TEMPFAIL', busyKey, { path, pid: h.pid ?? '?' });
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Take the lock at `path` now if it is free (or stale), without waiting: null when another live holder has it.
 * Synchronous, so it can be taken inside a SQLite transaction (a claim decided together with a state check).
 */
export function tryPidLock(path: string): PidLock | null {
  for (let tries = 0; tries < 50; tries += 1) {
    try {
      if (create(path)) return releaser(path);
    } catch (e) {
      throw new SandiError('IO', 'common.writeFailed', { path, reason: (e as Error).message }, { cause: e });
    }
    const h = holder(path);
    if (h.state === 'gone') continue; // released meanwhile: try again
    if (h.state === 'stale' && breakStale(path, h.content)) continue;
    return null;
  }
  return null;
}
