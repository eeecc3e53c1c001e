/**
 * The office archive (../../ports/arsip.ts ArsipStore) in the office database on PostgreSQL (tables:
 * ./arsip-schema.ts), on the connection of the office store (./store.ts).
 *
 * A write streams its content in chunks of CHUNK bytes under a fresh upload id, each chunk in autocommit,
 * hashing as it goes: staged, invisible to the archive (no content row refers to the upload). Then:
 * - `visible: 'unit'` (default): the content row and the name row are inserted by the NEXT unit of work of this
 *   store, right after its BEGIN and unit lock (a PgUnitHook), so the name commits or rolls back with the
 *   register row that names it; a rolled back unit keeps them pending for the next one. Until then this process
 *   sees the name (exists, stat, read, list) and no other does.
 * - `visible: 'now'`: in a transaction of its own before the promise resolves (a checkpoint).
 * Inside an open unit (a write from within `store.write(fn)`) both go into that unit's transaction at once.
 *
 * The same content written twice (any workstation) is stored once: bytes in memory are hashed first and not
 * uploaded when the content exists; a stream whose content turns out to exist has its staged upload deleted.
 * A name is never replaced: the same bytes give 'same', other bytes INTEGRITY, or 'kept' with keepExisting.
 * `abandon` drops a name still pending here (kirim: a signature whose unit was refused), never a committed one.
 * Memory: a stream holds at most one chunk here; a read fetches one chunk per round trip.
 */
import { createHash, randomUUID } from 'node:crypto';
import { SandiError } from '../../errors.js';
import type { ArsipStore, ArsipWriteOptions, ArsipWritten } from '../../ports/arsip.js';
import type { PgStore } from './store.js';
import { WRITER_ALIVE } from './arsip-schema.js';
import { query } from './sql.js';

/** Bytes per chunk row (1 MiB: a round trip each, small against the server's 1 GB field limit). */
export const ARSIP_CHUNK = 1 << 20;

interface Pending {
  name: string;
  sha256: string;
  size: number;
  chunks: number;
  /** the staged upload holding the chunks; null when the content was already in the archive */
  upload: string | null;
  keepExisting: boolean;
}

/** A staged upload no content refers to, whose writer's session has ended. */
export interface ArsipLeftover {
  upload: string;
  createdAt: string;
  dbUser: string;
  chunks: number;
  bytes: number;
}

/** What `terima arsip-periksa` and its peers learn from re-hashing every content. */
export interface ArsipCheck {
  contents: number;
  names: number;
  /** contents whose chunks do not hash to their SHA-256 (or do not add up to their size) */
  damaged: { sha256: string; names: string[] }[];
}

export interface PgArsip extends ArsipStore {
  /** Staged uploads left by killed writers (their session gone, no content refers to them). */
  leftovers(): ArsipLeftover[];
  /** Remove a leftover (CONFLICT when a content refers to it or its writer still runs). */
  removeLeftover(upload: string): void;
  /** Re-hash every content (chunk by chunk) of the names under `prefix` ('' for all). */
  check(prefix?: string): Promise<ArsipCheck>;
  /** Names written here and not yet part of the office archive (waiting for the next unit of work). */
  pendingNames(): string[];
  /** Stream a content whose name depends on it (content-addressed) into the archive's staging, hashing it. */
  stage(source: AsyncIterable<Uint8Array>): Promise<ArsipStaged>;
  /** Then name it, as write() would have: 'written', 'same', 'kept' or INTEGRITY. */
  nameStaged(name: string, staged: ArsipStaged, opts?: ArsipWriteOptions): ArsipWritten;
}

/** A content streamed into the staging, not yet named. */
export interface ArsipStaged {
  sha256: string;
  size: number;
  chunks: number;
  /** the upload holding its chunks; null when the content was in the archive already */
  upload: string | null;
}

const NAME = /^[A-Za-z0-9_.@+=-]+(\/[A-Za-z0-9_.@+=-]+)*$/;

/** A relative name as under <home>/arsip/: no absolute path, no `.`/`..` segment, no empty segment. */
export function checkArsipName(name: string): string {
  if (name.length > 1024 || !NAME.test(name) || name.split('/').some((p) => p === '.' || p === '..')) {
    throw new SandiError('DATA', 'store.pgArsipBadName', { name });
  }
  return name;
}

const likePrefix = (prefix: string): string => `${prefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

export function openPgArsip(store: PgStore, opts: { chunkSize?: number } = {}): PgArsip {
  const pg = store.pg;
  const chunkSize = opts.chunkSize ?? ARSIP_CHUNK;
  const pending = new Map<string, Pending>();
  /** the pending entries a unit in progress has inserted (dropped from `pending` when it commits) */
  let inFlight: Pending[] = [];
  /** staged uploads found redundant by a unit in progress (their content was there already) */
  let redundant: string[] = [];

  const visibleName = (name: string): { sha256: string; size: number; upload: string } | undefined =>
    query<{ sha256: string; size: number; upload: string }>(
      pg,
      'SELECT c.sha256, c.size, c.upload FROM arsip_nama n JOIN arsip_isi c ON c.sha256 = n.sha256 WHERE n.name = $1',
      [name],
    ).rows[0];

  const contentExists = (sha256: string): boolean => query(pg, 'SELECT 1 FROM arsip_isi WHERE sha256 = $1', [sha256]).rows.length > 0;

  /** The name as this process sees it: pending here first, then the office archive. */
  const lookup = (name: string): { sha256: string; size: number; upload: string | null } | undefined => {
    const p = pending.get(name);
    if (p !== undefined) return { sha256: p.sha256, size: p.size, upload: p.upload ?? contentUpload(p.sha256) };
    return visibleName(name);
  };
  const contentUpload = (sha256: string): string | null =>
    query<{ upload: string }>(pg, 'SELECT upload FROM arsip_isi WHERE sha256 = $1', [sha256]).rows[0]?.upload ?? null;

  const dropUpload = (upload: string): void => {
    try {
      query(pg, 'DELETE FROM arsip_potongan WHERE upload = $1', [upload]);
      query(pg, 'DELETE FROM arsip_unggah WHERE upload = $1', [upload]);
    } catch {
      /* best effort: it stays a leftover, listed by leftovers() once this session ends */
    }
  };

  /** Insert a pending entry's content and name rows in the current transaction (INTEGRITY: the name holds other bytes). */
  const insertRows = (p: Pending): void => {
    if (p.upload !== null) {
      const ins = query(pg, 'INSERT INTO arsip_isi (sha256, size, potongan, upload) VALUES ($1, $2, $3, $4) ON CONFLICT (sha256) DO NOTHING', [p.sha256, p.size, p.chunks, p.upload]);
      if (ins.rowCount === 0 && contentUpload(p.sha256) !== p.upload) redundant.push(p.upload);
    }
    const named = query(pg, 'INSERT INTO arsip_nama (name, sha256) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING', [p.name, p.sha256]);
    if (named.rowCount > 0) return;
    const held = visibleName(p.name);
    if (held !== undefined && held.sha256 !== p.sha256 && !p.keepExisting) {
      // another workstation named it first with other bytes: this write is refused, once
      pending.delete(p.name);
      throw new SandiError('INTEGRITY', 'store.pgArsipNameTaken', { name: p.name, sha256: held.sha256 });
    }
  };

  const afterCommit = (): void => {
    const extra = redundant;
    redundant = [];
    for (const u of extra) dropUpload(u);
  };

  store.addUnitHook({
    begin() {
      inFlight = [...pending.values()];
      redundant = [];
      for (const p of inFlight) insertRows(p);
    },
    end(committed) {
      if (committed) {
        for (const p of inFlight) if (pending.get(p.name) === p) pending.delete(p.name);
        inFlight = [];
        afterCommit();
      } else {
        inFlight = [];
        redundant = [];
      }
    },
  });

  /** Make a prepared entry part of the archive as the options say (or pending for the next unit). */
  const settle = (p: Pending, visible: 'unit' | 'now'): void => {
    if (store.inUnit()) {
      insertRows(p); // part of the open unit's transaction, whatever `visible` says
      return;
    }
    if (visible === 'unit') {
      pending.set(p.name, p);
      return;
    }
    redundant = [];
    try {
      pg.transaction(() => insertRows(p));
    } catch (e) {
      redundant = [];
      throw e;
    }
    afterCommit();
  };

  /** Before writing: the name's current content decides 'same' / 'kept' / refused; undefined: write it. */
  const existing = (name: string, sha256: string, keepExisting: boolean): ArsipWritten['result'] | undefined => {
    const held = lookup(name);
    if (held === undefined) return undefined;
    if (held.sha256 === sha256) return 'same';
    if (keepExisting) return 'kept';
    throw new SandiError('INTEGRITY', 'store.pgArsipNameTaken', { name, sha256: held.sha256 });
  };

  const startUpload = (): string => {
    const upload = randomUUID();
    query(pg, 'INSERT INTO arsip_unggah (upload) VALUES ($1)', [upload]);
    return upload;
  };
  const putChunk = (upload: string, n: number, data: Uint8Array): void => {
    query(pg, 'INSERT INTO arsip_potongan (upload, n, data) VALUES ($1, $2, $3)', [upload, n, data]);
  };

  const writeBytes = (name: string, data: Uint8Array, o: ArsipWriteOptions): ArsipWritten => {
    checkArsipName(name);
    const sha256 = createHash('sha256').update(data).digest('hex');
    const size = data.byteLength;
    const already = existing(name, sha256, o.keepExisting === true);
    if (already !== undefined) return { result: already, sha256, size };
    let upload: string | null = null;
    let chunks = 0;
    if (!contentExists(sha256) && ![...pending.values()].some((p) => p.sha256 === sha256 && p.upload !== null)) {
      upload = startUpload();
      for (let off = 0; off < size; off += chunkSize) putChunk(upload, chunks++, data.subarray(off, Math.min(size, off + chunkSize)));
    } else {
      chunks = Math.ceil(size / chunkSize);
      const twin = [...pending.values()].find((p) => p.sha256 === sha256 && p.upload !== null);
      if (twin !== undefined) ({ upload, chunks } = twin); // the same bytes staged by this process under another name
    }
    settle({ name, sha256, size, chunks, upload, keepExisting: o.keepExisting === true }, o.visible ?? 'unit');
    return { result: 'written', sha256, size };
  };

  /** Stream `source` into a staged upload, hashing it; a content already in the archive keeps no upload. */
  const stage = async (source: AsyncIterable<Uint8Array>): Promise<ArsipStaged> => {
    const hash = createHash('sha256');
    const upload = startUpload();
    let chunks = 0;
    let size = 0;
    // at most one chunk is held here: the pieces of the source are copied into `buf` until it is full
    const buf = Buffer.allocUnsafe(chunkSize);
    let fill = 0;
    const ship = (): void => {
      putChunk(upload, chunks++, buf.subarray(0, fill));
      fill = 0;
    };
    try {
      for await (const piece of source) {
        hash.update(piece);
        size += piece.byteLength;
        let off = 0;
        while (off < piece.byteLength) {
          const n = Math.min(chunkSize - fill, piece.byteLength - off);
          buf.set(piece.subarray(off, off + n), fill);
          fill += n;
          off += n;
          if (fill === chunkSize) ship();
        }
      }
      if (fill > 0) ship();
    } catch (e) {
      dropUpload(upload);
      throw e;
    }
    const sha256 = hash.digest('hex');
    if (contentExists(sha256)) {
      dropUpload(upload);
      return { sha256, size, chunks, upload: null };
    }
    return { sha256, size, chunks, upload };
  };

  /** Give a staged content its name (or find the name taken: its upload is dropped then). */
  const nameStaged = (name: string, st: ArsipStaged, o: ArsipWriteOptions): ArsipWritten => {
    checkArsipName(name);
    let already: ArsipWritten['result'] | undefined;
    try {
      already = existing(name, st.sha256, o.keepExisting === true);
    } catch (e) {
      if (st.upload !== null) dropUpload(st.upload);
      throw e;
    }
    if (already !== undefined) {
      if (st.upload !== null) dropUpload(st.upload);
      return { result: already, sha256: st.sha256, size: st.size };
    }
    settle({ name, ...st, keepExisting: o.keepExisting === true }, o.visible ?? 'unit');
    return { result: 'written', sha256: st.sha256, size: st.size };
  };

  const chunksOf = (upload: string, count: number): Generator<Buffer> => {
    return (function* () {
      for (let n = 0; n < count; n++) {
        const row = query<{ data: Buffer }>(pg, 'SELECT data FROM arsip_potongan WHERE upload = $1 AND n = $2', [upload, n]).rows[0];
        if (row === undefined) throw new SandiError('INTEGRITY', 'store.pgArsipChunkMissing', { upload, n });
        yield row.data;
      }
    })();
  };

  const located = (name: string): { upload: string; chunks: number } => {
    checkArsipName(name);
    const p = pending.get(name);
    const r =
      p !== undefined && p.upload !== null
        ? { upload: p.upload, chunks: p.chunks }
        : query<{ upload: string; potongan: number }>(
            pg,
            p !== undefined
              ? 'SELECT upload, potongan FROM arsip_isi WHERE sha256 = $1'
              : 'SELECT c.upload, c.potongan FROM arsip_nama n JOIN arsip_isi c ON c.sha256 = n.sha256 WHERE n.name = $1',
            [p !== undefined ? p.sha256 : name],
          ).rows.map((x) => ({ upload: x.upload, chunks: x.potongan }))[0];
    if (r === undefined) throw new SandiError('NOT_FOUND', 'store.pgArsipNotFound', { name });
    return r;
  };

  return {
    where: `postgresql ${store.schema}`,
    write(name, source, o = {}) {
      if (source instanceof Uint8Array) {
        try {
          return Promise.resolve(writeBytes(name, source, o));
        } catch (e) {
          return Promise.reject(e instanceof Error ? e : new Error(String(e)));
        }
      }
      try {
        checkArsipName(name);
      } catch (e) {
        return Promise.reject(e instanceof Error ? e : new Error(String(e)));
      }
      return stage(source).then((st) => nameStaged(name, st, o));
    },
    writeSync(name, data, o = {}) {
      return writeBytes(name, data, o);
    },
    exists(name) {
      checkArsipName(name);
      return lookup(name) !== undefined;
    },
    stat(name) {
      checkArsipName(name);
      const r = lookup(name);
      return r === undefined ? null : { sha256: r.sha256, size: Number(r.size) };
    },
    readSync(name) {
      const { upload, chunks } = located(name);
      return Buffer.concat([...chunksOf(upload, chunks)]);
    },
    open(name) {
      const { upload, chunks } = located(name);
      const it = chunksOf(upload, chunks);
      return (async function* () {
        for (const c of it) {
          yield c;
          await Promise.resolve(); // one chunk a round trip; let the consumer's I/O run between them
        }
      })();
    },
    list(prefix) {
      const names = new Set(
        query<{ name: string }>(pg, "SELECT name FROM arsip_nama WHERE name LIKE $1 ESCAPE '\\'", [likePrefix(prefix)]).rows.map((r) => r.name),
      );
      for (const n of pending.keys()) if (n.startsWith(prefix)) names.add(n);
      return [...names].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    },
    stage,
    nameStaged: (name, st, o = {}) => nameStaged(name, st, o),
    pendingNames() {
      return [...pending.keys()].sort();
    },
    abandon(name, _o = {}) {
      // only a name still pending here (written by this store, named by no committed unit): dropped, so no later
      // unit makes it part of the office archive; its staged upload goes too unless another pending name shares
      // it. A committed name is left alone; a killed run's pending name died with its process (nothing to do).
      checkArsipName(name);
      const p = pending.get(name);
      if (p === undefined || inFlight.includes(p)) return false;
      pending.delete(name);
      if (p.upload !== null && ![...pending.values()].some((q) => q.upload === p.upload)) dropUpload(p.upload);
      return true;
    },
    leftovers() {
      return query<{ upload: string; created_at: string; db_user: string; chunks: number; bytes: number }>(
        pg,
        `SELECT u.upload, u.created_at, u.db_user, count(p.n)::int AS chunks, coalesce(sum(length(p.data)), 0)::bigint AS bytes
           FROM arsip_unggah u LEFT JOIN arsip_potongan p ON p.upload = u.upload
          WHERE NOT EXISTS (SELECT 1 FROM arsip_isi c WHERE c.upload = u.upload)
            AND NOT EXISTS (SELECT 1 FROM pg_stat_activity a WHERE ${WRITER_ALIVE})
          GROUP BY u.upload, u.created_at, u.db_user ORDER BY u.created_at, u.upload`,
      ).rows.map((r) => ({ upload: r.upload, createdAt: r.created_at, dbUser: r.db_user, chunks: r.chunks, bytes: Number(r.bytes) }));
    },
    removeLeftover(upload) {
      pg.transaction(() => {
        query(pg, 'DELETE FROM arsip_potongan WHERE upload = $1', [upload]);
        query(pg, 'DELETE FROM arsip_unggah WHERE upload = $1', [upload]);
      });
    },
    async check(prefix = '') {
      const contents = query<{ sha256: string; size: number; upload: string; potongan: number }>(
        pg,
        `SELECT DISTINCT c.sha256, c.size, c.upload, c.potongan FROM arsip_isi c JOIN arsip_nama n ON n.sha256 = c.sha256
          WHERE n.name LIKE $1 ESCAPE '\\' ORDER BY c.sha256`,
        [likePrefix(prefix)],
      ).rows;
      const damaged: ArsipCheck['damaged'] = [];
      let names = 0;
      for (const c of contents) {
        const h = createHash('sha256');
        let size = 0;
        let ok = true;
        try {
          for (const data of chunksOf(c.upload, c.potongan)) {
            h.update(data);
            size += data.byteLength;
          }
        } catch {
          ok = false;
        }
        const named = query<{ name: string }>(pg, "SELECT name FROM arsip_nama WHERE sha256 = $1 AND name LIKE $2 ESCAPE '\\' ORDER BY name", [c.sha256, likePrefix(prefix)]).rows.map((r) => r.name);
        names += named.length;
        if (!ok || size !== Number(c.size) || h.digest('hex') !== c.sha256) damaged.push({ sha256: c.sha256, names: named });
        await Promise.resolve();
      }
      return { contents: contents.length, names, damaged };
    },
  };
}
