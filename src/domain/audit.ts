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
}

/** Canonical JSON: object keys sorted, no whitespace, so the same data always hashes the same. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
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
