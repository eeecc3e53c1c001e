/**
 * The named steps of services/terima/ that need no server, no store and no key: the IMAP fetch plan
 * (domain/terima.ts planBatches) and the SOP stage of a read incoming kriptogram (domain/incoming-state.ts).
 * The real-server tests (test/integration/terima*.test.ts) still cover the fetch and the steps end to end.
 */
import { describe, expect, it } from 'vitest';
import { BATCH_BYTES, BATCH_MESSAGES, SMALL_MESSAGE, planBatches, type ListedMessage } from '../../src/domain/terima.js';
import { kriptogramStage } from '../../src/domain/incoming-state.js';

const msg = (uid: number, size: number): ListedMessage => ({ uid, size, internalDate: null });

describe('planBatches: the listing in UID order, small messages batched, large ones streamed alone', () => {
  it('an empty listing plans nothing', () => {
    expect(planBatches([])).toEqual([]);
  });

  it('small messages share a batch; a large one (or one of unknown size 0) stands alone and ends the batch', () => {
    const plan = planBatches([msg(1, 1000), msg(2, 2000), msg(3, SMALL_MESSAGE + 1), msg(4, 10), msg(5, 0), msg(6, 20)]);
    expect(plan).toEqual([
      { kind: 'small', uids: [1, 2] },
      { kind: 'large', message: msg(3, SMALL_MESSAGE + 1) },
      { kind: 'small', uids: [4] },
      { kind: 'large', message: msg(5, 0) },
      { kind: 'small', uids: [6] },
    ]);
  });

  it('a message of exactly SMALL_MESSAGE bytes is still small', () => {
    expect(planBatches([msg(7, SMALL_MESSAGE)])).toEqual([{ kind: 'small', uids: [7] }]);
  });

  it('a batch holds at most BATCH_MESSAGES messages', () => {
    const many = Array.from({ length: BATCH_MESSAGES + 1 }, (_, i) => msg(i + 1, 100));
    const plan = planBatches(many);
    expect(plan.map((b) => (b.kind === 'small' ? b.uids.length : -1))).toEqual([BATCH_MESSAGES, 1]);
    expect(plan.flatMap((b) => (b.kind === 'small' ? b.uids : []))).toEqual(many.map((m) => m.uid));
  });

  it('a batch holds at most BATCH_BYTES bytes as listed', () => {
    const size = BATCH_BYTES / 4; // 4 of them fill BATCH_BYTES exactly
    expect(size).toBeLessThanOrEqual(SMALL_MESSAGE);
    const plan = planBatches([1, 2, 3, 4, 5].map((uid) => msg(uid, size)));
    expect(plan).toEqual([
      { kind: 'small', uids: [1, 2, 3, 4] },
      { kind: 'small', uids: [5] },
    ]);
  });
});

describe('kriptogramStage: the SOP stage of a read incoming kriptogram from its step events', () => {
  const steps = (...names: string[]) => names.map((langkah) => ({ langkah }));

  it('terbaca until printed; dicetak until every paraf tier initialled; then diparaf', () => {
    expect(kriptogramStage('terbaca', [], 3)).toBe('terbaca');
    expect(kriptogramStage('terbaca', steps('cetak'), 3)).toBe('dicetak');
    expect(kriptogramStage('terbaca', steps('cetak', 'paraf', 'paraf'), 3)).toBe('dicetak');
    expect(kriptogramStage('terbaca', steps('cetak', 'paraf', 'paraf', 'paraf'), 3)).toBe('diparaf');
  });

  it('diantar once a courier is assigned; selesai is the register status and wins', () => {
    expect(kriptogramStage('terbaca', steps('cetak', 'paraf', 'antar'), 1)).toBe('diantar');
    expect(kriptogramStage('selesai', steps('cetak'), 1)).toBe('selesai');
    expect(kriptogramStage('selesai', [], 1)).toBe('selesai');
  });

  it('a reprint counts as printed, and paraf without a print is still terbaca', () => {
    expect(kriptogramStage('terbaca', steps('cetak', 'cetak'), 1)).toBe('dicetak');
    expect(kriptogramStage('terbaca', steps('paraf'), 1)).toBe('terbaca');
  });
});
