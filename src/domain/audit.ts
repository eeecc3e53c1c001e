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

export type ChainCheck =
  | { ok: true; rows: number; lastHash: string }
  | { ok: false; rows: number; firstBrokenId: number; reason: 'prev_hash' | 'hash' | 'sequence' };

/**
 * Verify rows in id order. Returns the first broken row: a gap or reordering in ids, a prev_hash that does
 * not match the previous row's hash, or a hash that does not match the row's content.
 */
export function verifyChain(rows: Iterable<AuditRow>): ChainCheck {
  let prev = GENESIS_HASH;
  let expectedId: number | null = null;
  let n = 0;
  for (const r of rows) {
    n++;
    if (expectedId !== null && r.id !== expectedId) return { ok: false, rows: n, firstBrokenId: r.id, reason: 'sequence' };
    if (r.prevHash !== prev) return { ok: false, rows: n, firstBrokenId: r.id, reason: 'prev_hash' };
    if (auditHash(prev, r) !== r.hash) return { ok: false, rows: n, firstBrokenId: r.id, reason: 'hash' };
    prev = r.hash;
    expectedId = r.id + 1;
  }
  return { ok: true, rows: n, lastHash: prev };
}
