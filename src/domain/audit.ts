/**
 * The audit chain, as pure rules: each event's hash covers the previous hash and the event's canonical
 * content, so changing, removing or reordering any row breaks every hash after it.
 */
import { createHash } from 'node:crypto';

export const GENESIS_HASH = '0'.repeat(64);

export interface AuditEventContent {
  id: number;
  at: string;
  actor: string;
  action: string;
  entity: string;
  entityId: string | null;
  data: string; // canonical JSON
  /**
   * The register rows this event settled, as canonical JSON of RowBinding[] (table, rowid, hash of the row's
   * content after the change, or null when the row was removed). Null on events from before migration 8 and on
   * events that changed no row; then it is left out of the hash, so older chains still verify.
   */
  rows?: string | null;
}

/** One register row bound into the chain: [table, rowid, SHA-256 of its settled content | null = removed]. */
export type RowBinding = [table: string, rowid: number, hash: string | null];

/**
 * The hash of a register row's content: table, rowid and every column by name (keys sorted), BLOBs as
 * base64. The same row always hashes the same whatever the column order of the query that read it.
 */
export function rowHash(table: string, rowid: number, columns: Record<string, unknown>): string {
  const content: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(columns)) {
    content[k] = v instanceof Uint8Array ? { $b64: Buffer.from(v).toString('base64') } : typeof v === 'bigint' ? { $int: v.toString() } : v;
  }
  return createHash('sha256').update(canonicalJson({ table, rowid, columns: content })).digest('hex');
}

/**
 * Canonical JSON: object keys sorted, no whitespace, so the same data always hashes the same. Keys with an
 * undefined value are left out; an array's undefined element is null and its hole nothing (as Array.join
 * makes it). Built by appending to one string (was Object.entries + filter + sort + map + join per object:
 * 114 ms of the main thread for a 1,000-message terima, issue 16); the output is the same byte for byte
 * (test/unit/audit-canonical.test.ts checks it against the earlier form).
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out += ',';
      if (i in value) out += canonicalJson(value[i]);
    }
    return out + ']';
  }
  const o = value as Record<string, unknown>;
  // default sort: by UTF-16 code units, as the earlier (a < b ? -1 : a > b ? 1 : 0)
  const keys = Object.keys(o).sort();
  let out = '{';
  let first = true;
  for (const k of keys) {
    const v = o[k];
    if (v === undefined) continue;
    if (!first) out += ',';
    first = false;
    out += JSON.stringify(k) + ':' + canonicalJson(v);
  }
  return out + '}';
}

/** Hash of one audit row given the previous row's hash. */
export function auditHash(prevHash: string, e: AuditEventContent): string {
  const content = canonicalJson({
    id: e.id,
    at: e.at,
    actor: e.actor,
    action: e.action,
    entity: e.entity,
    entityId: e.entityId,
    data: e.data,
    ...(e.rows !== undefined && e.rows !== null ? { rows: e.rows } : {}),
  });
  return createHash('sha256').update(prevHash).update('\n').update(content).digest('hex');
}

export interface AuditRow extends AuditEventContent {
  prevHash: string;
  hash: string;
}

/** Why a chain is broken at a row. */
export type ChainBreakReason =
  /** the row's id is not the one after the previous row: rows before it were removed or reordered */
  | 'sequence'
  /** prev_hash is not the previous row's hash: the previous row was changed, or this row moved */
  | 'prev_hash'
  /** the row's hash does not match its content: the row was edited */
  | 'hash'
  /** rows after the last one were removed (the store's record of issued ids goes further) */
  | 'truncated';

export type ChainCheck =
  | { ok: true; rows: number; lastId: number | null; lastHash: string }
  | {
      ok: false;
      /** rows read up to and including the broken one */
      rows: number;
      reason: ChainBreakReason;
      /** id of the first broken row (for 'truncated': the first missing id) */
      firstBrokenId: number;
      /** the broken row as found, when it exists */
      row: { id: number; at: string; actor: string; action: string } | null;
      /** the id the chain expected at this position */
      expectedId: number;
      /** the last row that is still intact, if any */
      lastGoodId: number | null;
    };

export interface VerifyOptions {
  /**
   * The highest id the store has ever issued (SQLite keeps it in sqlite_sequence). When it is above the
   * last row read, rows were cut off the end, which the chain alone cannot show.
   */
  highestIssuedId?: number | null;
}

/**
 * Verify rows in id order, streaming (rows are read once, nothing is kept but the previous hash). Returns
 * the first broken row: an id out of sequence (the chain starts at 1), a prev_hash that does not match the
 * previous row's hash, a hash that does not match the row's content, or rows missing at the end.
 */
export function verifyChain(rows: Iterable<AuditRow>, opts: VerifyOptions = {}): ChainCheck {
  let prev = GENESIS_HASH;
  let expectedId = 1;
  let lastGoodId: number | null = null;
  let n = 0;
  for (const r of rows) {
    n++;
    const fail = (reason: ChainBreakReason): ChainCheck => ({
      ok: false,
      rows: n,
      reason,
      firstBrokenId: r.id,
      row: { id: r.id, at: r.at, actor: r.actor, action: r.action },
      expectedId,
      lastGoodId,
    });
    if (r.id !== expectedId) return fail('sequence');
    if (r.prevHash !== prev) return fail('prev_hash');
    if (auditHash(prev, r) !== r.hash) return fail('hash');
    prev = r.hash;
    lastGoodId = r.id;
    expectedId = r.id + 1;
  }
  const issued = opts.highestIssuedId ?? null;
  if (issued !== null && issued > (lastGoodId ?? 0)) {
    return { ok: false, rows: n, reason: 'truncated', firstBrokenId: expectedId, row: null, expectedId, lastGoodId };
  }
  return { ok: true, rows: n, lastId: lastGoodId, lastHash: prev };
}

/** What `audit periksa` found wrong with one register row, checked against the events that bind it. */
export type RowFinding =
  /** the row's content is not what its last event settled: edited outside sandi */
  | { kind: 'edited'; table: string; rowid: number; eventId: number }
  /** the row is in the register but no event binds it: written outside sandi, or its events were removed */
  | { kind: 'unrecorded'; table: string; rowid: number; eventId: null }
  /** an event binds the row but the register no longer holds it: deleted outside sandi */
  | { kind: 'removed'; table: string; rowid: number; eventId: number };

/**
 * The settled state of every bound row as the chain tells it: fed the audit rows in order, then asked about
 * each register row. Pure; memory is one entry per bound row.
 */
export class BindingLedger {
  private readonly last = new Map<string, { hash: string | null; eventId: number; table: string; rowid: number }>();
  private readonly seen = new Set<string>();
  /** events that carried bindings */
  bindingEvents = 0;

  /** Take the bindings of one audit row (in id order). Unreadable bindings are ignored here: the chain hash covers them. */
  add(row: Pick<AuditRow, 'id' | 'rows'>): void {
    if (row.rows === undefined || row.rows === null) return;
    let list: unknown;
    try {
      list = JSON.parse(row.rows);
    } catch {
      return;
    }
    if (!Array.isArray(list)) return;
    this.bindingEvents++;
    for (const b of list) {
      if (!Array.isArray(b) || typeof b[0] !== 'string' || typeof b[1] !== 'number') continue;
      const hash = typeof b[2] === 'string' ? b[2] : null;
      this.last.set(`${b[0]}\u0000${b[1]}`, { hash, eventId: row.id, table: b[0], rowid: b[1] });
    }
  }

  /** Compare one register row as found with what the chain settled; null when they agree. */
  check(table: string, rowid: number, hash: string): RowFinding | null {
    const key = `${table}\u0000${rowid}`;
    this.seen.add(key);
    const e = this.last.get(key);
    if (e === undefined || e.hash === null) return { kind: 'unrecorded', table, rowid, eventId: null };
    if (e.hash !== hash) return { kind: 'edited', table, rowid, eventId: e.eventId };
    return null;
  }

  /** After every row of `tables` was checked: rows the chain holds that the registers no longer do. */
  removed(tables: readonly string[]): RowFinding[] {
    const out: RowFinding[] = [];
    const wanted = new Set(tables);
    for (const [key, e] of this.last) {
      if (e.hash !== null && wanted.has(e.table) && !this.seen.has(key)) out.push({ kind: 'removed', table: e.table, rowid: e.rowid, eventId: e.eventId });
    }
    return out.sort((a, b) => (a.table === b.table ? a.rowid - b.rowid : a.table < b.table ? -1 : 1));
  }
}

/** A signed checkpoint's content: the chain head at a moment. */
export interface Checkpoint {
  id: number;
  hash: string;
  at: string;
}

const CHECKPOINT_MAGIC = 'sandi-audit-checkpoint v1';

/** The text a checkpoint signs (cleartext-signed, so `gpg --verify` reads it by hand). */
export function checkpointText(c: Checkpoint): string {
  return `${CHECKPOINT_MAGIC}\nid: ${c.id}\nhash: ${c.hash}\nat: ${c.at}\n`;
}

/** Read the signed text of a checkpoint back; null when it is not one. */
export function parseCheckpointText(text: string): Checkpoint | null {
  const m = /^sandi-audit-checkpoint v1\r?\nid: (\d{1,15})\r?\nhash: ([0-9a-f]{64})\r?\nat: (\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z)\r?\n?$/.exec(text);
  if (!m) return null;
  return { id: Number(m[1]), hash: m[2]!, at: m[3]! };
}

/** What a set of verified checkpoints says about the chain as found. */
export type CheckpointFinding =
  /** the checkpoint names a row the chain no longer has: the tail was cut */
  | { kind: 'missing'; checkpoint: Checkpoint }
  /** the chain's row at the checkpoint's id has another hash: the chain was rewritten */
  | { kind: 'differs'; checkpoint: Checkpoint; found: string };

/**
 * Compare checkpoints (already signature-checked) with the chain's hashes: `hashAt(id)` is the hash of the
 * audit row with that id, or null when the chain has no such row.
 */
export function checkCheckpoints(checkpoints: readonly Checkpoint[], hashAt: (id: number) => string | null): CheckpointFinding[] {
  const out: CheckpointFinding[] = [];
  for (const c of checkpoints) {
    if (c.id === 0) continue;
    const found = hashAt(c.id);
    if (found === null) out.push({ kind: 'missing', checkpoint: c });
    else if (found !== c.hash) out.push({ kind: 'differs', checkpoint: c, found });
  }
  return out;
}
