/**
 * The kirim SOP steps as named functions, run against fakes at the adapter seam (KirimCtx.io, wired for real
 * in src/services/kirim/wiring.ts): no SQLite, no openpgp, no mail server. Next to, never instead of, the
 * real-server tests in test/integration/kirim*.test.ts. What is checked here is the decision each step
 * makes for an uncertain (tidak_pasti) row and a row another run has claimed.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { KirimCtx } from '../../src/services/kirim/context.js';
import type { KirimAdapters } from '../../src/services/kirim/wiring.js';
import { checkUncertain, lanjut } from '../../src/services/kirim/lanjut.js';
import type { Decide, SendOutcome } from '../../src/services/kirim/types.js';
import type { KriptogramKeluar } from '../../src/domain/records-keluar.js';
import type { OutgoingStatus } from '../../src/domain/outgoing-state.js';

const claimDir = mkdtempSync(join(tmpdir(), 'sandi-kirim-langkah-'));
afterAll(() => rmSync(claimDir, { recursive: true, force: true }));

const uncertain = { id: 7, status: 'tidak_pasti', nomor: 'KRIP/007/XII/2026', messageId: '<sandi.abc@dinas.go.id>', sandiman: 'andi', recipients: [] } as unknown as KriptogramKeluar;

/** A context whose mailbox's Sent folder holds the Message-IDs in `sent`; every state move is recorded in `moves`. */
function fakeCtx(sent: string[], opts: { claimed?: boolean; rows?: KriptogramKeluar[] } = {}) {
  const moves: { id: number; to: OutgoingStatus; fields: unknown }[] = [];
  const searched: string[] = [];
  const box = {
    findSpecialUse: () => Promise.resolve('Sent'),
    searchByMessageId: (_folder: string, id: string) => {
      searched.push(id);
      return Promise.resolve(sent.includes(id) ? [1] : []);
    },
    append: () => Promise.reject(new Error('no append expected')),
    close: () => Promise.resolve(),
  };
  const io = {
    imap: () => Promise.resolve({ ImapMailbox: { connect: () => Promise.resolve(box) } }),
    smtp: () => Promise.reject(new Error('no SMTP expected')),
    setOutgoingStatus: (_tx: unknown, id: number, to: OutgoingStatus, fields: unknown) => {
      moves.push({ id, to, fields });
      return { ...uncertain, id, status: to };
    },
    listOutgoing: (_db: unknown, q: { status?: unknown }) => (q.status === 'terkirim' ? [] : (opts.rows ?? [])),
    listOutgoingLetters: () => [],
    getOutgoing: (_db: unknown, id: number) => ({ ...uncertain, id }),
    tryPidLock: () => (opts.claimed ? null : { release: () => undefined }),
  } as unknown as KirimAdapters;
  const c = {
    o: { actor: 'andi', env: {}, passphrases: {} },
    config: { mailbox: { user: 'persandian@dinas.go.id', imap: { host: 'imap.invalid', port: 993, tls: 'tls' }, smtp: { host: 'smtp.invalid', port: 465, tls: 'tls' }, sentFolder: 'Sent' } },
    store: { write: <T>(fn: (tx: { db: unknown }) => T): T => fn({ db: null }), auditRows: () => [] },
    io,
    now: () => new Date('2026-12-06T03:00:00Z'),
    progress: () => undefined,
    warn: () => undefined,
    claimDir,
    singleOperator: false,
    password: Promise.resolve('rahasia'),
  } as unknown as KirimCtx;
  return { c, moves, searched };
}

describe('kirim step lanjut: an uncertain send (tidak_pasti) is never sent again unasked', () => {
  it('found in the Sent folder by Message-ID: terkirim, the operator is not asked', async () => {
    const { c, moves, searched } = fakeCtx([uncertain.messageId ?? '']);
    let asked = 0;
    const decide: Decide = () => {
      asked += 1;
      return Promise.resolve(null);
    };
    const sentAll: SendOutcome[] = [];
    const res = await checkUncertain(c, uncertain, decide, sentAll);
    expect(searched).toEqual([uncertain.messageId]);
    expect(asked).toBe(0);
    expect(res.action).toBeNull();
    expect(moves).toEqual([{ id: 7, to: 'terkirim', fields: { serverReply: 'ditemukan di folder Sent (Message-ID)' } }]);
    expect(sentAll).toEqual([]);
  });

  it('not in Sent and no answer: the row stays tidak_pasti and needs a decision; nothing moves, nothing is sent', async () => {
    const { c, moves } = fakeCtx([]);
    const res = await checkUncertain(c, uncertain, () => Promise.resolve(null), []);
    expect(res).toEqual({ after: uncertain, action: 'perlu-keputusan' });
    expect(moves).toEqual([]);
  });

  it("not in Sent, the operator says it went out ('sudah'): terkirim as confirmed, nothing sent", async () => {
    const { c, moves } = fakeCtx([]);
    const asked: unknown[] = [];
    const res = await checkUncertain(
      c,
      uncertain,
      (r) => {
        asked.push(r);
        return Promise.resolve('sudah');
      },
      [],
    );
    expect(asked).toEqual([{ buku: 'kriptogram_keluar', id: 7, nomor: uncertain.nomor }]);
    expect(res.action).toBeNull();
    expect(moves).toEqual([{ id: 7, to: 'terkirim', fields: { serverReply: 'dikonfirmasi operator' } }]);
  });

  it('a row another run has claimed is reported sedang-diproses and left alone', async () => {
    const { c, moves, searched } = fakeCtx([], { claimed: true, rows: [uncertain] });
    const res = await lanjut(c, undefined, () => Promise.reject(new Error('not to be asked')));
    expect(res.rows).toEqual([{ buku: 'kriptogram_keluar', id: 7, nomor: uncertain.nomor, from: 'tidak_pasti', to: 'tidak_pasti', action: 'sedang-diproses' }]);
    expect(res.sent).toEqual([]);
    expect(moves).toEqual([]);
    expect(searched).toEqual([]);
  });
});
