/**
 * Local Maildir (the embedded default when no mailbox is configured, and the fallback channel of the SOP):
 * delivery writes into tmp/, fsyncs, then renames into new/, so a reader never sees half a message.
 */
import { mkdirSync, openSync, writeSync, fsyncSync, closeSync, renameSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { SandiError } from '../errors.js';

export function ensureMaildir(dir: string): void {
  for (const sub of ['tmp', 'new', 'cur']) mkdirSync(join(dir, sub), { recursive: true, mode: 0o700 });
}

/** Deliver one raw message; returns the file name under new/. */
export function deliverToMaildir(dir: string, raw: Buffer, now: Date): string {
  ensureMaildir(dir);
  const host = hostname().replace(/[/:]/g, '_');
  const name = `${Math.floor(now.getTime() / 1000)}.P${process.pid}R${randomBytes(6).toString('hex')}.${host}`;
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
}

/** Messages in new/ and cur/, oldest first by file name (which starts with the delivery time). */
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
      out.push({ id: `${sub}/${n}`, path, size: statSync(path).size });
    }
  }
  return out.sort((a, b) => a.id.split('/')[1]!.localeCompare(b.id.split('/')[1]!));
}

export function readMaildirMessage(m: MaildirMessage): Buffer {
  return readFileSync(m.path);
}
