import { describe, expect, it } from 'vitest';
import { auditHash, BindingLedger, canonicalJson, checkCheckpoints, checkpointText, GENESIS_HASH, parseCheckpointText, rowHash, verifyChain, type AuditRow } from '../../src/domain/audit.js';

function chain(n: number): AuditRow[] {
  const rows: AuditRow[] = [];
  let prev = GENESIS_HASH;
  for (let i = 1; i <= n; i++) {
    const content = {
      id: i,
      at: new Date(Date.UTC(2026, 10, 1, 8, i)).toISOString(),
      actor: i % 2 ? 'budi' : 'kasi',
      action: `kriptogram_keluar.langkah${i}`,
      entity: 'kriptogram_keluar',
      entityId: String(i),
      data: canonicalJson({ n: i, perihal: `Surat ${i}` }),
    };
    const hash = auditHash(prev, content);
    rows.push({ ...content, prevHash: prev, hash });
    prev = hash;
  }
  return rows;
}

const rehash = (r: AuditRow): AuditRow => ({ ...r, hash: auditHash(r.prevHash, r) });

describe('canonicalJson', () => {
  it('sorts keys at every level and drops undefined', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { z: 1, y: 2 }], c: undefined } })).toBe('{"a":{"d":[2,{"y":2,"z":1}]},"b":1}');
    expect(canonicalJson({ x: 1, y: 2 })).toBe(canonicalJson({ y: 2, x: 1 }));
  });
});

describe('verifyChain', () => {
  it('accepts an intact chain and returns the last hash', () => {
    const rows = chain(10);
    expect(verifyChain(rows)).toEqual({ ok: true, rows: 10, lastId: 10, lastHash: rows[9]?.hash });
  });

  it('accepts an empty chain', () => {
    expect(verifyChain([])).toEqual({ ok: true, rows: 0, lastId: null, lastHash: GENESIS_HASH });
  });

  type Tamper = (rows: AuditRow[]) => AuditRow[];
  const at = (rows: AuditRow[], id: number): AuditRow => {
    const r = rows[id - 1];
    if (!r) throw new Error(`no row ${id}`);
    return r;
  };
  interface Case {
    name: string;
    tamper: Tamper;
    /** the row named as first broken */
    id: number;
    reason: string;
    lastGoodId: number | null;
    opts?: { highestIssuedId?: number };
  }
  const cases: Case[] = [
    { name: 'edited data', tamper: (rows) => rows.map((r) => (r.id === 4 ? { ...r, data: canonicalJson({ n: 4, perihal: 'Diubah' }) } : r)), id: 4, reason: 'hash', lastGoodId: 3 },
    { name: 'edited actor', tamper: (rows) => rows.map((r) => (r.id === 7 ? { ...r, actor: 'eve' } : r)), id: 7, reason: 'hash', lastGoodId: 6 },
    { name: 'edited timestamp of the first row', tamper: (rows) => rows.map((r) => (r.id === 1 ? { ...r, at: '2026-01-01T00:00:00.000Z' } : r)), id: 1, reason: 'hash', lastGoodId: null },
    { name: 'edited hash only', tamper: (rows) => rows.map((r) => (r.id === 5 ? { ...r, hash: 'f'.repeat(64) } : r)), id: 5, reason: 'hash', lastGoodId: 4 },
    // the edited row now hashes correctly; the break shows at the next row, whose link no longer matches
    { name: 'edited data with its hash recomputed', tamper: (rows) => rows.map((r) => (r.id === 5 ? rehash({ ...r, actor: 'eve' }) : r)), id: 6, reason: 'prev_hash', lastGoodId: 5 },
    { name: 'edited prev_hash', tamper: (rows) => rows.map((r) => (r.id === 3 ? { ...r, prevHash: '0'.repeat(64) } : r)), id: 3, reason: 'prev_hash', lastGoodId: 2 },
    { name: 'deleted row', tamper: (rows) => rows.filter((r) => r.id !== 6), id: 7, reason: 'sequence', lastGoodId: 5 },
    { name: 'deleted first row', tamper: (rows) => rows.filter((r) => r.id !== 1), id: 2, reason: 'sequence', lastGoodId: null },
    { name: 'deleted row, later ids renumbered', tamper: (rows) => rows.filter((r) => r.id !== 6).map((r) => (r.id > 6 ? { ...r, id: r.id - 1 } : r)), id: 6, reason: 'prev_hash', lastGoodId: 5 },
    { name: 'swapped rows (contents exchanged under the same ids)', tamper: (rows) => rows.map((r) => (r.id === 4 ? { ...at(rows, 5), id: 4 } : r.id === 5 ? { ...at(rows, 4), id: 5 } : r)), id: 4, reason: 'prev_hash', lastGoodId: 3 },
    // row 5 found where row 4 belongs
    { name: 'swapped rows (order)', tamper: (rows) => rows.map((r) => (r.id === 4 ? at(rows, 5) : r.id === 5 ? at(rows, 4) : r)), id: 5, reason: 'sequence', lastGoodId: 3 },
    { name: 'tail cut off', tamper: (rows) => rows.slice(0, 8), id: 9, reason: 'truncated', lastGoodId: 8, opts: { highestIssuedId: 10 } },
  ];

  it.each(cases)('$name → broken at row $id ($reason)', ({ tamper, id, reason, lastGoodId, opts }) => {
    const result = verifyChain(tamper(chain(10)), opts ?? {});
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.firstBrokenId).toBe(id);
    expect(result.reason).toBe(reason);
    expect(result.lastGoodId).toBe(lastGoodId);
    expect(result.expectedId).toBe((lastGoodId ?? 0) + 1);
    if (reason === 'truncated') expect(result.row).toBeNull();
    else {
      expect(result.row?.id).toBe(id);
      expect(result.row?.action).toMatch(/^kriptogram_keluar\./);
    }
  });

  it('is not fooled when the sequence record matches the rows', () => {
    expect(verifyChain(chain(8), { highestIssuedId: 8 }).ok).toBe(true);
  });

  it('stops reading at the first broken row (streaming)', () => {
    const rows = chain(100);
    const tampered = rows.map((r) => (r.id === 3 ? { ...r, actor: 'eve' } : r));
    let read = 0;
    function* stream(): Generator<AuditRow> {
      for (const r of tampered) {
        read++;
        yield r;
      }
    }
    const result = verifyChain(stream());
    expect(result.ok).toBe(false);
    expect(read).toBe(3);
  });
});

describe('BindingLedger and checkpoints (pure)', () => {
  it('keeps the newest binding of each row; edited, unrecorded and removed rows are told apart', () => {
    const l = new BindingLedger();
    l.add({ id: 1, rows: canonicalJson([['t', 1, 'a'.repeat(64)], ['t', 2, 'b'.repeat(64)]]) });
    l.add({ id: 2, rows: null });
    l.add({ id: 3, rows: canonicalJson([['t', 1, 'c'.repeat(64)], ['t', 3, 'd'.repeat(64)]]) });
    expect(l.check('t', 1, 'c'.repeat(64))).toBeNull();
    expect(l.check('t', 2, 'x'.repeat(64))).toEqual({ kind: 'edited', table: 't', rowid: 2, eventId: 1 });
    expect(l.check('t', 9, 'x'.repeat(64))).toEqual({ kind: 'unrecorded', table: 't', rowid: 9, eventId: null });
    expect(l.removed(['t'])).toEqual([{ kind: 'removed', table: 't', rowid: 3, eventId: 3 }]);
    expect(l.removed(['u'])).toEqual([]);
  });

  it('a row bound as removed and absent is fine; present again is unrecorded', () => {
    const l = new BindingLedger();
    l.add({ id: 1, rows: canonicalJson([['t', 1, 'a'.repeat(64)]]) });
    l.add({ id: 2, rows: canonicalJson([['t', 1, null]]) });
    expect(l.removed(['t'])).toEqual([]);
    expect(l.check('t', 1, 'a'.repeat(64))).toMatchObject({ kind: 'unrecorded' });
  });

  it('rowHash: same content same hash whatever the column order; blobs and tables count', () => {
    const a = rowHash('t', 1, { x: 1, y: 'z', b: Buffer.from([1, 2]) });
    expect(rowHash('t', 1, { b: Buffer.from([1, 2]), y: 'z', x: 1 })).toBe(a);
    expect(rowHash('u', 1, { x: 1, y: 'z', b: Buffer.from([1, 2]) })).not.toBe(a);
    expect(rowHash('t', 1, { x: 1, y: 'z', b: Buffer.from([1, 3]) })).not.toBe(a);
    expect(rowHash('t', 2, { x: 1, y: 'z', b: Buffer.from([1, 2]) })).not.toBe(a);
  });

  it('an event hash covers its row bindings, and events without bindings hash as before', () => {
    const e = { id: 1, at: 'x', actor: 'a', action: 'b', entity: 'c', entityId: null, data: '{}' };
    expect(auditHash(GENESIS_HASH, { ...e, rows: null })).toBe(auditHash(GENESIS_HASH, e));
    expect(auditHash(GENESIS_HASH, { ...e, rows: '[]' })).not.toBe(auditHash(GENESIS_HASH, e));
  });

  it('checkpoint text round-trips; checkpoints are compared with the chain', () => {
    const c = { id: 42, hash: 'f'.repeat(64), at: '2026-12-06T10:00:00.000Z' };
    expect(parseCheckpointText(checkpointText(c))).toEqual(c);
    expect(parseCheckpointText(checkpointText(c).replace('\n', '\r\n'))).toEqual(c);
    expect(parseCheckpointText('sandi-audit-checkpoint v1\nid: x\n')).toBeNull();
    const chain = new Map([[42, 'f'.repeat(64)], [43, 'e'.repeat(64)]]);
    const at = (id: number) => chain.get(id) ?? null;
    expect(checkCheckpoints([c], at)).toEqual([]);
    expect(checkCheckpoints([{ ...c, id: 43 }], at)).toEqual([{ kind: 'differs', checkpoint: { ...c, id: 43 }, found: 'e'.repeat(64) }]);
    expect(checkCheckpoints([{ ...c, id: 44 }], at)).toEqual([{ kind: 'missing', checkpoint: { ...c, id: 44 } }]);
  });
});
