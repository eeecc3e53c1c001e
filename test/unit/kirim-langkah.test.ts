/**
 * The kirim SOP steps as named functions, run against typed fakes of their ports (src/ports/kirim.ts and the
 * register port; wired for real in src/app/kirim.ts): no SQLite, no openpgp, no mail server. Next to, never instead of, the
 * real-server tests in test/integration/kirim*.test.ts. What is checked here is the decision each step
 * makes for an uncertain (tidak_pasti) row, a row another run has claimed, and a send the server refuses.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { KirimCtx } from '../../src/services/kirim/context.js';
import { fakeKirimPorts as fakePorts, fakeRegisters } from '../helpers/port-fakes.js';
import { folderArsip } from '../../src/adapters/arsip-folder.js';
import { checkUncertain, lanjut } from '../../src/services/kirim/lanjut.js';
import { deliverLocal, send } from '../../src/services/kirim/nomori-kirim.js';
import { SandiError, isSandiError } from '../../src/errors.js';
import type { SuratKeluar } from '../../src/domain/records-keluar.js';
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
  const registers = fakeRegisters({
    kriptogramKeluar: {
      setStatus: (id, to, fields) => {
        moves.push({ id, to, fields });
        return { ...uncertain, id, status: to };
      },
      list: (q) => (q?.status === 'terkirim' ? [] : (opts.rows ?? [])).values(),
      get: (id) => ({ ...uncertain, id }),
    },
    suratKeluar: { list: () => [].values() },
  });
  const io = fakePorts({
    registers: () => registers,
    auditEntries: () => [],
    sentFolder: () => Promise.resolve({ connect: () => Promise.resolve(box) }),
    mailSender: () => Promise.reject(new Error('no SMTP expected')),
    tryClaim: () => (opts.claimed ? null : { release: () => undefined }),
  });
  const c = {
    o: { actor: 'andi', env: {}, passphrases: {} },
    config: { mailbox: { user: 'persandian@dinas.go.id', imap: { host: 'imap.invalid', port: 993, tls: 'tls' }, smtp: { host: 'smtp.invalid', port: 465, tls: 'tls' }, sentFolder: 'Sent' } },
    registers: () => registers,
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

const letter = {
  id: 3,
  status: 'bernomor',
  nomor: 'SK/003/XII/2026',
  perihal: 'Undangan rapat',
  messageId: '<sandi.def@dinas.go.id>',
  bernomorAt: '2026-12-06T03:00:00.000Z',
  dokumenSha256: 'ab'.repeat(32),
  signerFpr: null,
  recipients: [{ email: 'opd@kab.go.id', unit: 'Dinas OPD', unitCode: null }],
  operator: 'andi',
} as unknown as SuratKeluar;

/** A context whose SMTP server answers each attempt from `answers` (a message key thrown, or 'ok'); moves recorded. */
function sendCtx(answers: string[]) {
  const lettersDir = join(claimDir, 'surat-keluar');
  mkdirSync(lettersDir, { recursive: true });
  writeFileSync(join(lettersDir, `${letter.dokumenSha256 ?? ''}.part`), 'Content-Type: text/plain\r\n\r\nisi\r\n');
  const moves: OutgoingStatus[] = [];
  const attempts: string[] = [];
  const slept: number[] = [];
  let current: OutgoingStatus = 'bernomor';
  const registers = fakeRegisters({
    suratKeluar: {
      setStatus: (id, to) => {
        moves.push(to);
        current = to;
        return { ...letter, id, status: to };
      },
    },
  });
  const io = fakePorts({
    registers: () => registers,
    // the letter's part is read from the archive (the home-folder adapter over the temp folder)
    arsip: folderArsip(claimDir),
    mailSender: () =>
      Promise.resolve({
        sendRaw: (_settings, m) => {
          const a = answers[attempts.length] ?? 'ok';
          attempts.push(`${m.messageId} while ${current}`);
          if (a === 'ok') return Promise.resolve({ messageId: m.messageId, accepted: ['opd@kab.go.id'], rejected: [], rejectedReplies: [], response: '250 2.0.0 Ok: queued' });
          return Promise.reject(new SandiError('TEMPFAIL', a, { response: `451 ${a}` }));
        },
      }),
  });
  const c = {
    o: { actor: 'andi', env: {}, passphrases: {} },
    config: {
      office: { name: 'Diskominfo', timeZone: 'Asia/Jakarta', unitCode: 'KOMINFO' },
      mailbox: { user: 'persandian@dinas.go.id', smtp: { host: 'smtp.invalid', port: 465, tls: 'tls' }, imap: { host: 'imap.invalid', port: 993, tls: 'tls' }, sentFolder: false },
    },
    registers: () => registers,
    io,
    now: () => new Date('2026-12-06T03:00:00Z'),
    progress: () => undefined,
    warn: () => undefined,
    lettersDir,
    fromEmail: 'persandian@dinas.go.id',
    retry: { attempts: 3, firstDelayMs: 2_000, maxDelayMs: 30_000, maxTotalMs: 60_000 },
    sleep: (ms: number) => {
      slept.push(ms);
      return Promise.resolve();
    },
    password: Promise.resolve('rahasia'),
  } as unknown as KirimCtx;
  return { c, moves, attempts, slept };
}

describe('kirim step nomori-kirim: send marks tidak_pasti before the first byte and tells certain failures from unknown ones', () => {
  it('deferred (4xx) once, then accepted: back to bernomor between attempts, one backoff, terkirim with the reply', async () => {
    const { c, moves, attempts, slept } = sendCtx(['mail.smtpDeferred', 'ok']);
    const res = await send(c, letter);
    expect(attempts).toEqual([`${letter.messageId ?? ''} while tidak_pasti`, `${letter.messageId ?? ''} while tidak_pasti`]);
    expect(moves).toEqual(['tidak_pasti', 'bernomor', 'tidak_pasti', 'terkirim']);
    expect(slept).toEqual([2_000]);
    expect(res.row.status).toBe('terkirim');
    expect(res.sent).toMatchObject({ via: 'smtp', serverReply: '250 2.0.0 Ok: queued', sentCopy: null });
  });

  it('a refused login certainly sent nothing: the row is back to bernomor, the error is the server refusal, no retry', async () => {
    const { c, moves, slept } = sendCtx(['mail.authFailed']);
    const err = await send(c, letter).catch((e: unknown) => e);
    expect(isSandiError(err) && err.key).toBe('mail.authFailed');
    expect(moves).toEqual(['tidak_pasti', 'bernomor']);
    expect(slept).toEqual([]);
  });

  it('a connection lost mid-send may have delivered: the row stays tidak_pasti, kirim.outcomeUnknown names it', async () => {
    const { c, moves } = sendCtx(['mail.connectionLost']);
    const err = await send(c, letter).catch((e: unknown) => e);
    expect(isSandiError(err) && err.key).toBe('kirim.outcomeUnknown');
    expect(isSandiError(err) && err.params).toMatchObject({ id: 3, nomor: letter.nomor });
    expect(moves).toEqual(['tidak_pasti']);
  });
});

describe('kirim step nomori-kirim: local delivery (no mailbox configured), against fake Maildirs', () => {
  /** Maildirs in memory: folder → messages; every delivery is recorded. */
  function maildirCtx(holding: Record<string, Buffer[]>) {
    const folders = new Map<string, { id: string; path: string; size: number; mtime: Date; raw: Buffer }[]>();
    for (const [name, msgs] of Object.entries(holding)) folders.set(`/md/${name}`, msgs.map((raw, i) => ({ id: `new/${i}`, path: `/md/${name}/new/${i}`, size: raw.length, mtime: new Date(0), raw })));
    const deliveries: string[] = [];
    const io = fakePorts({
      maildirs: {
        maildirIn: (base, name) => `${base}/${name}`,
        list: (dir) => folders.get(dir) ?? [],
        read: (m) => folders.get(m.path.slice(0, m.path.indexOf('/new/')))?.find((x) => x.path === m.path)?.raw ?? Buffer.alloc(0),
        deliver: (dir, raw) => {
          const name = `baru-${deliveries.length}`;
          deliveries.push(dir);
          folders.set(dir, [...(folders.get(dir) ?? []), { id: `new/${name}`, path: `${dir}/new/${name}`, size: raw.length, mtime: new Date(0), raw }]);
          return name;
        },
      },
    });
    const c = { app: { paths: { maildir: '/md' } }, o: { actor: 'andi', env: {} }, io, now: () => new Date('2026-12-06T03:00:00Z') } as unknown as KirimCtx;
    return { c, deliveries };
  }
  const row = { ...uncertain, recipients: [{ email: 'opd-a@kab.go.id' }, { email: 'opd-b@kab.go.id' }] } as unknown as KriptogramKeluar;
  const raw = Buffer.from(`Message-ID: ${uncertain.messageId ?? ''}\r\nSubject: KRIP/007\r\n\r\n-----BEGIN PGP MESSAGE-----\r\n`);

  it('resuming an uncertain send: a Maildir that already holds the Message-ID gets no second copy; the others get theirs', () => {
    const { c, deliveries } = maildirCtx({ 'opd-a@kab.go.id': [Buffer.from('Message-ID: <lain@x>\r\n\r\n'), raw] });
    const out = deliverLocal(c, row, raw, true);
    expect(deliveries).toEqual(['/md/opd-b@kab.go.id', '/md/Sent']);
    expect(out.delivered).toEqual([
      { email: 'opd-a@kab.go.id', where: '/md/opd-a@kab.go.id', file: '1' },
      { email: 'opd-b@kab.go.id', where: '/md/opd-b@kab.go.id', file: 'baru-0' },
    ]);
  });

  it('a first send does not look: every recipient and the Sent Maildir get one copy', () => {
    const { c, deliveries } = maildirCtx({});
    const out = deliverLocal(c, row, raw, false);
    expect(deliveries).toEqual(['/md/opd-a@kab.go.id', '/md/opd-b@kab.go.id', '/md/Sent']);
    expect(out.delivered.map((d) => d.file)).toEqual(['baru-0', 'baru-1']);
  });
});
