/**
 * IMAP through imapflow: connect with TLS (implicit or required STARTTLS, certificates checked, a private
 * CA trusted with `caFile`), list folders and find the special-use ones, fetch a message by UID as a raw
 * byte stream, APPEND, and search by Message-ID. Every library failure becomes a SandiError.
 */
import { finished, PassThrough, type Readable } from 'node:stream';
import { ImapFlow, type ListResponse, type Logger } from 'imapflow';
import { SandiError } from '../../errors.js';
import { releaseNow } from '../buffers.js';
import { samePath } from '../../domain/terima.js';
import { mapConnectionError, readCaFile, redact, type Endpoint } from './errors.js';

export interface ImapSettings {
  host: string;
  port: number;
  /** 'tls': TLS from the first byte (993); 'starttls': plain connect, STARTTLS required (143) */
  security: 'tls' | 'starttls';
  user: string;
  /** resolved by the caller at the moment of use; never stored beyond the connection */
  password: string;
  /** PEM file of a CA (or the server's self-signed certificate) to trust in addition to the system store */
  caFile?: string;
  /** name the certificate must carry when `host` is an IP address or an alias */
  servername?: string;
  /** connect + greeting timeout, ms (default 30 000); an idle socket gets 10x this */
  timeoutMs?: number;
}

export type SpecialUse = '\\Sent' | '\\Drafts' | '\\Trash' | '\\Junk' | '\\Archive' | '\\All' | '\\Flagged' | '\\Inbox';

export interface MailboxInfo {
  path: string;
  name: string;
  delimiter: string;
  specialUse: SpecialUse | null;
  flags: string[];
  subscribed: boolean;
}

export interface RawMessage {
  mailbox: string;
  uid: number;
  /** UIDVALIDITY of the folder; together with `uid` it names the message for ever (RFC 3501) */
  uidValidity: bigint;
  /** size reported by the server, in bytes */
  size: number;
  /** the message exactly as stored; read it to the end (or destroy it) to release the folder */
  content: Readable;
}

export interface AppendResult {
  mailbox: string;
  uid: number | null;
  uidValidity: bigint | null;
}

const DEFAULT_TIMEOUT_MS = 30_000;
/** bytes per partial FETCH of a streamed download: few round trips, bounded memory */
const DEFAULT_CHUNK = 2 * 1024 * 1024;

/** An open, logged-in IMAP session. Always `close()` it (in a finally). */
export class ImapMailbox {
  private constructor(
    private readonly client: ImapFlow,
    private readonly ep: Endpoint,
    private readonly secrets: string[],
    /** set when the connection failed in the background; the next call reports it */
    private readonly lastError: { error: unknown },
    /** the last command failure imapflow logged instead of throwing (messageMove answers `false` on NO) */
    private readonly lastRefusal: { error: unknown },
  ) {}

  /** Connect and log in. Rejects with a SandiError (UNAVAILABLE, TEMPFAIL, PERMISSION, CONFIG). */
  static async connect(settings: ImapSettings): Promise<ImapMailbox> {
    const timeout = settings.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const ep: Endpoint = { protocol: 'IMAP', host: settings.host, port: settings.port, user: settings.user, timeoutMs: timeout };
    const ca = settings.caFile === undefined ? undefined : await readCaFile(settings.caFile);
    const lastRefusal: { error: unknown } = { error: undefined };
    // Only warnings are taken, and only for the error they carry: imapflow reports a refused command it
    // answers with `false` (MOVE into a missing folder: NO [TRYCREATE]) nowhere else. Nothing is printed.
    const logger: Logger & { isLevelEnabled(level: string): boolean } = {
      trace: () => undefined,
      debug: () => undefined,
      info: () => undefined,
      warn: (entry: unknown) => {
        const err = entry !== null && typeof entry === 'object' ? (entry as { err?: unknown }).err : undefined;
        if (err !== undefined) lastRefusal.error = err;
      },
      error: () => undefined,
      fatal: () => undefined,
      isLevelEnabled: (level: string) => level === 'warn',
    };
    const client = new ImapFlow({
      host: settings.host,
      port: settings.port,
      secure: settings.security === 'tls',
      doSTARTTLS: settings.security === 'starttls' ? true : undefined,
      ...(settings.servername === undefined ? {} : { servername: settings.servername }),
      auth: { user: settings.user, pass: settings.password },
      tls: {
        rejectUnauthorized: true,
        minVersion: 'TLSv1.2',
        ...(ca === undefined ? {} : { ca }),
      },
      connectionTimeout: timeout,
      greetingTimeout: timeout,
      socketTimeout: timeout * 10,
      disableAutoIdle: true,
      logger,
      emitLogs: false,
    });
    const lastError: { error: unknown } = { error: undefined };
    // imapflow emits 'error' for failures outside a command; without a listener they would crash the process.
    client.on('error', (e: unknown) => {
      lastError.error = e;
    });
    try {
      await client.connect();
    } catch (e) {
      client.close();
      throw mapImapError(e, ep, 'connect', undefined, [settings.password]);
    }
    return new ImapMailbox(client, ep, [settings.password], lastError, lastRefusal);
  }

  /** Every folder, with its special use (\Sent, \Drafts, ...) as the server reports it (RFC 6154). */
  async listMailboxes(): Promise<MailboxInfo[]> {
    const list = await this.run('LIST', undefined, () => this.client.list());
    return list.map((m: ListResponse) => ({
      path: m.path,
      name: m.name,
      delimiter: m.delimiter,
      specialUse: (m.specialUse as SpecialUse | undefined) ?? null,
      flags: [...m.flags],
      subscribed: m.subscribed,
    }));
  }

  /**
   * The folder `path` as the server lists it (one LIST, nothing selected), or null when there is none or it
   * cannot hold messages (\Noselect, \NonExistent). INBOX is matched in any case (RFC 3501).
   */
  async findMailbox(path: string): Promise<MailboxInfo | null> {
    const found = (await this.listMailboxes()).find((m) => samePath(m.path, path)) ?? null;
    if (found === null || found.flags.some((f) => /^\\(noselect|nonexistent)$/i.test(f))) return null;
    return found;
  }

  /** Path of the folder with the given special use, or null when the server names none. */
  async findSpecialUse(use: SpecialUse): Promise<string | null> {
    return (await this.listMailboxes()).find((m) => m.specialUse === use)?.path ?? null;
  }

  /**
   * Fetch one message by UID as a stream of its raw bytes (imapflow's download: partial FETCHes of
   * `chunkSize` bytes, so a large message is never held whole). The folder stays locked until the stream
   * ends or is destroyed. Rejects with NOT_FOUND when the folder or the UID does not exist. A failure while
   * the stream is read (the connection dropped, a timeout, the message gone mid-download) destroys the
   * stream with a SandiError (mail.connectionLost, mail.timeout, mail.downloadIncomplete).
   */
  async fetchRaw(mailbox: string, uid: number, options: { chunkSize?: number } = {}): Promise<RawMessage> {
    const lock = await this.lock(mailbox);
    try {
      const mb = this.client.mailbox;
      const uidValidity = mb === false ? 0n : mb.uidValidity;
      const chunkSize = options.chunkSize ?? DEFAULT_CHUNK;
      const dl = await this.run('FETCH', mailbox, () => this.client.download(String(uid), undefined, { uid: true, chunkSize }));
      if (dl.content === undefined) {
        throw new SandiError('NOT_FOUND', 'mail.messageNotFound', { uid, mailbox });
      }
      const source = dl.content;
      // The library's stream fails with the library's errors; the reader gets them classified.
      const content = new PassThrough({ highWaterMark: chunkSize });
      source.on('error', (e: unknown) => content.destroy(mapImapError(this.lastError.error ?? e, this.ep, 'FETCH', mailbox, this.secrets)));
      content.on('close', () => {
        if (!source.readableEnded) source.destroy();
      });
      // torn down without an error and without its end (the connection went with it): never a silent short read
      source.on('close', () => {
        if (!source.readableEnded && !content.destroyed) {
          const premature = Object.assign(new Error('download stream closed before its end'), { code: 'ERR_STREAM_PREMATURE_CLOSE' });
          content.destroy(mapImapError(this.lastError.error ?? premature, this.ep, 'FETCH', mailbox, this.secrets));
        }
      });
      source.pipe(content);
      finished(content, () => lock.release());
      return { mailbox, uid, uidValidity, size: dl.meta.expectedSize ?? 0, content };
    } catch (e) {
      lock.release();
      throw e;
    }
  }

  /**
   * Several whole messages by UID in ONE `UID FETCH set (UID BODY.PEEK[])`, collected in full before
   * returning (no command is issued while it runs). For small messages only: each is held in memory; the
   * caller bounds the batch by the sizes the folder listing reported. UIDs that are gone are simply absent.
   */
  async fetchRawMany(mailbox: string, uids: readonly number[]): Promise<{ uidValidity: bigint; messages: { uid: number; raw: Buffer }[] }> {
    const lock = await this.lock(mailbox);
    try {
      const mb = this.client.mailbox;
      const uidValidity = mb === false ? 0n : mb.uidValidity;
      const wanted = new Set(uids);
      const rows = await this.run('FETCH', mailbox, () => this.client.fetchAll(uids.join(','), { uid: true, source: true }, { uid: true }));
      const messages = rows
        .filter((m) => wanted.has(m.uid) && Buffer.isBuffer(m.source))
        .map((m) => ({ uid: m.uid, raw: m.source as Buffer }))
        .sort((a, b) => a.uid - b.uid);
      return { uidValidity, messages };
    } finally {
      lock.release();
    }
  }

  /**
   * A message of 64 KiB or more comes from imapflow in a buffer of its own: freed at once (a smaller one is a
   * slice of a socket chunk, left to the collector). At 1,000 messages / 212 MiB the dead message buffers had
   * set off 4-11 full collections of the main thread, ~50 ms; freed here: 1 (issue 16).
   */
  release(raws: readonly Buffer[]): void {
    for (const b of raws) releaseNow(b);
  }

  /** APPEND a raw message (e.g. a sent kriptogram into \Sent). UID and UIDVALIDITY come from UIDPLUS. */
  async append(mailbox: string, raw: Buffer, options: { flags?: string[]; date?: Date } = {}): Promise<AppendResult> {
    this.lastRefusal.error = undefined;
    const res = await this.run('APPEND', mailbox, () => this.client.append(mailbox, raw, options.flags ?? ['\\Seen'], options.date));
    if (res === false) throw this.rejected('APPEND', mailbox);
    return { mailbox: res.destination, uid: res.uid ?? null, uidValidity: res.uidValidity ?? null };
  }

  /** UIDs in `mailbox` whose Message-ID header contains `messageId` (IMAP SEARCH HEADER). */
  async searchByMessageId(mailbox: string, messageId: string): Promise<number[]> {
    const lock = await this.lock(mailbox);
    try {
      const found = await this.run('SEARCH', mailbox, () => this.client.search({ header: { 'message-id': messageId } }, { uid: true }));
      return Array.isArray(found) ? found : [];
    } finally {
      lock.release();
    }
  }

  /**
   * The messages of `mailbox` with a UID above `afterUid`, oldest first, with the folder's UIDVALIDITY: one
   * UID FETCH of (UID RFC822.SIZE INTERNALDATE) collected in full before returning, so the caller may then
   * download each message without issuing a command inside a running FETCH (imapflow deadlocks on that).
   */
  async listSince(mailbox: string, afterUid: number): Promise<{ uidValidity: bigint; uidNext: number | null; messages: { uid: number; size: number; internalDate: Date | null }[] }> {
    const lock = await this.lock(mailbox);
    try {
      const mb = this.client.mailbox;
      const uidValidity = mb === false ? 0n : mb.uidValidity;
      const uidNext = mb === false ? null : mb.uidNext;
      const exists = mb === false ? 0 : mb.exists;
      const messages: { uid: number; size: number; internalDate: Date | null }[] = [];
      if (exists > 0 && (uidNext === null || uidNext > afterUid + 1)) {
        await this.run('FETCH', mailbox, async () => {
          for await (const m of this.client.fetch(`${afterUid + 1}:*`, { uid: true, size: true, internalDate: true }, { uid: true })) {
            // "n:*" also names the highest UID when every UID is below n (RFC 3501): filter it out
            if (m.uid > afterUid) {
              const d = m.internalDate;
              messages.push({ uid: m.uid, size: m.size ?? 0, internalDate: d instanceof Date ? d : typeof d === 'string' ? new Date(d) : null });
            }
          }
        });
      }
      messages.sort((a, b) => a.uid - b.uid);
      return { uidValidity, uidNext, messages };
    } finally {
      lock.release();
    }
  }

  /** Move messages (by UID) to another folder, e.g. after they were archived and registered. */
  async moveMessage(mailbox: string, uid: number | readonly number[], destination: string): Promise<void> {
    const set = typeof uid === 'number' ? String(uid) : uid.join(',');
    if (set.length === 0) return;
    const lock = await this.lock(mailbox);
    try {
      this.lastRefusal.error = undefined;
      const res = await this.run('MOVE', mailbox, () => this.client.messageMove(set, destination, { uid: true }));
      if (res === false) throw this.rejected('MOVE', mailbox);
    } finally {
      lock.release();
    }
  }

  /** Log out politely; never throws (a dead connection is simply closed). */
  async close(): Promise<void> {
    try {
      await this.client.logout();
    } catch {
      this.client.close();
    }
  }

  private async lock(mailbox: string): Promise<{ release(): void }> {
    try {
      return await this.client.getMailboxLock(mailbox);
    } catch (e) {
      if (isNoSuchMailbox(e)) throw new SandiError('NOT_FOUND', 'mail.mailboxNotFound', { mailbox, user: this.ep.user ?? '' }, { cause: e });
      throw mapImapError(e, this.ep, 'SELECT', mailbox, this.secrets);
    }
  }

  private async run<T>(operation: string, mailbox: string | undefined, fn: () => Promise<T>): Promise<T> {
    if (this.lastError.error !== undefined) throw mapImapError(this.lastError.error, this.ep, operation, mailbox, this.secrets);
    try {
      return await fn();
    } catch (e) {
      if (mailbox !== undefined && isNoSuchMailbox(e)) {
        throw new SandiError('NOT_FOUND', 'mail.mailboxNotFound', { mailbox, user: this.ep.user ?? '' }, { cause: e });
      }
      throw mapImapError(e, this.ep, operation, mailbox, this.secrets);
    }
  }

  /** A command imapflow answered with `false`: the server's reply when imapflow logged it, else "no response". */
  private rejected(operation: string, mailbox: string): SandiError {
    const err = (this.lastRefusal.error ?? {}) as { responseStatus?: unknown; responseText?: unknown };
    this.lastRefusal.error = undefined;
    const response =
      typeof err.responseText === 'string' && err.responseText.length > 0
        ? redact(`${typeof err.responseStatus === 'string' ? `${err.responseStatus} ` : ''}${err.responseText}`, this.secrets)
        : 'no response';
    return new SandiError('TEMPFAIL', 'mail.imapRejected', { operation, mailbox, response });
  }
}

// a pure rule, kept in domain/terima.ts; re-exported for the adapter's own callers
export { samePath };

function isNoSuchMailbox(e: unknown): boolean {
  const err = (e ?? {}) as { serverResponseCode?: unknown; responseText?: unknown; mailboxMissing?: unknown };
  return (
    err.mailboxMissing === true ||
    err.serverResponseCode === 'NONEXISTENT' ||
    err.serverResponseCode === 'TRYCREATE' ||
    (typeof err.responseText === 'string' && /mailbox doesn't exist|no such mailbox|unknown mailbox/i.test(err.responseText))
  );
}

/** Map an imapflow failure to a SandiError (exported for the scripted-server tests). */
export function mapImapError(e: unknown, ep: Endpoint, operation: string, mailbox: string | undefined, secrets: (string | undefined)[] = []): SandiError {
  const connection = mapConnectionError(e, ep, secrets);
  if (connection !== undefined) return connection;
  const err = (e ?? {}) as { responseText?: unknown; responseStatus?: unknown; message?: unknown; code?: unknown };
  // download(): the message vanished or the server answered with other data mid-download. Nothing was
  // stored from it; reading the folder again settles it (the message is listed again, or is gone).
  if (err.code === 'DownloadIncomplete' || err.code === 'DownloadOverflow') {
    return new SandiError('TEMPFAIL', 'mail.downloadIncomplete', { protocol: ep.protocol, host: ep.host, port: ep.port, mailbox: mailbox ?? '', reason: `${err.code}: ${redact(typeof err.message === 'string' ? err.message : '', secrets)}` }, { cause: e });
  }
  const text = redact(typeof err.responseText === 'string' ? err.responseText : String(err.message ?? e), secrets);
  if ((err.responseStatus === 'NO' || err.responseStatus === 'BAD') && mailbox !== undefined) {
    return new SandiError('TEMPFAIL', 'mail.imapRejected', { operation, mailbox, response: `${String(err.responseStatus)} ${text}` }, { cause: e });
  }
  return new SandiError(
    'UNAVAILABLE',
    'mail.serverError',
    { protocol: ep.protocol, host: ep.host, port: ep.port, operation, reason: typeof err.code === 'string' ? `${err.code}: ${text}` : text },
    { cause: e },
  );
}
