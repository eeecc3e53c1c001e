/**
 * The SOP steps of services/terima/ (paraf, antar, tandaterima; ambil's lock, teruskan over SMTP) run against
 * typed fakes of their ports (ports/registers.ts, ports/terima.ts): no SQLite, no openpgp, no server. An in-memory incoming letter, its step events and
 * its status are all the steps see. The same steps against the real store and CLI stay covered by
 * test/e2e/terima*.test.ts and test/integration/terima*.test.ts.
 */
import { createReadStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SandiError } from '../../src/errors.js';
import { DEFAULT_TERIMA_CONFIG } from '../../src/domain/terima.js';
import type { SuratMasukLangkah, SuratMasukStatus } from '../../src/domain/incoming-state.js';
import type { LangkahRow, SuratMasuk } from '../../src/domain/records-masuk.js';
import type { SuratMasukWrites } from '../../src/ports/registers.js';
import type { MessageArchive, TerimaPorts } from '../../src/ports/terima.js';
import { ambil } from '../../src/services/terima/ambil.js';
import { forward } from '../../src/services/terima/teruskan.js';
import { fakeRegisters, fakeTerimaPorts, only } from '../helpers/port-fakes.js';
import type { TerimaCtx } from '../../src/services/terima/konteks.js';
import type { AkunPorts } from '../../src/ports/akun.js';
import { passwordOutsideStore, resolveMailboxPasswordWithSource } from '../../src/config/credentials.js';
import { paraf } from '../../src/services/terima/paraf.js';
import { antar } from '../../src/services/terima/antar.js';
import { tandaterima } from '../../src/services/terima/tandaterima.js';

const NOW = new Date('2026-12-07T02:00:00Z');

/** One incoming letter in memory, behind the parts of the register port the SOP steps use. */
function fakeOffice(status: SuratMasukStatus, steps: { langkah: SuratMasukLangkah; data: unknown }[] = []) {
  const letter = { id: 7, nomor: 'SM/0007/2026', pengirim: 'a@b.go.id', perihal: 'Undangan', status, diterimaAt: NOW.toISOString(), registeredAt: NOW.toISOString(), kepada: ['Kepala Dinas'], tembusan: [], peringatan: [] } as unknown as SuratMasuk;
  const rows: LangkahRow[] = steps.map((s, i) => ({ id: i + 1, suratMasukId: 7, langkah: s.langkah, at: NOW.toISOString(), actor: 'op', data: s.data }));
  let units = 0;
  const suratMasuk: Partial<SuratMasukWrites> = {
    findByRef: (ref: string) => (ref === letter.nomor || ref === '7' ? { ...letter } : null),
    listSteps: () => rows.map((r) => ({ ...r })),
    addStep: (id: number, langkah: SuratMasukLangkah, data: unknown, at: Date, actor: string) => {
      const row = { id: rows.length + 1, suratMasukId: id, langkah, at: at.toISOString(), actor, data };
      rows.push(row);
      return row;
    },
    setStatus: (_id: number, to: SuratMasukStatus) => {
      letter.status = to;
      return { ...letter };
    },
  };
  const registers = fakeRegisters({ suratMasuk, kriptogramMasuk: { findByRef: () => null } }, { onWrite: () => void units++ });
  const ctx = { app: { clock: { now: () => NOW } }, opts: { actor: 'op', env: {} }, terima: DEFAULT_TERIMA_CONFIG, registers: () => registers } as unknown as TerimaCtx;
  return { ctx, letter, rows, units: () => units };
}

const refusal = (f: () => unknown): { code: string; key: string } => {
  try {
    f();
  } catch (e) {
    if (e instanceof SandiError) return { code: e.code, key: e.key };
    throw e;
  }
  throw new Error('no refusal');
};

describe('paraf against a fake register port', () => {
  it('before the letter is printed: refused (CONFLICT), nothing written', () => {
    const o = fakeOffice('terdaftar');
    expect(refusal(() => paraf(o.ctx, 'SM/0007/2026', { sebagai: 'Kasi', nama: 'Budi' }))).toEqual({ code: 'CONFLICT', key: 'terima.parafBeforePrint' });
    expect(o.units()).toBe(0);
    expect(o.rows).toEqual([]);
  });

  it('tiers in the configured order, one unit of work each; the last one moves the letter to diparaf', () => {
    const o = fakeOffice('dicetak', [{ langkah: 'cetak', data: { penerima: ['Kepala Dinas'] } }]);
    expect(refusal(() => paraf(o.ctx, '7', { sebagai: 'Kabid', nama: 'Sari' }))).toEqual({ code: 'CONFLICT', key: 'terima.paraf.outOfOrder' });
    expect(paraf(o.ctx, '7', { sebagai: 'kasi', nama: 'Budi' })).toEqual({ nomor: 'SM/0007/2026', sebagai: 'Kasi', nama: 'Budi', lengkap: false, berikutnya: 'Kabid' });
    expect(o.letter.status).toBe('dicetak');
    expect(refusal(() => paraf(o.ctx, '7', { sebagai: 'Kasi', nama: 'Budi' }))).toEqual({ code: 'CONFLICT', key: 'terima.paraf.alreadyDone' });
    paraf(o.ctx, '7', { sebagai: 'Kabid', nama: 'Sari' });
    expect(paraf(o.ctx, '7', { sebagai: 'Kadis', nama: 'Wati' }).lengkap).toBe(true);
    expect(o.letter.status).toBe('diparaf');
    expect(o.rows.filter((r) => r.langkah === 'paraf').map((r) => (r.data as { sebagai: string }).sebagai)).toEqual(['Kasi', 'Kabid', 'Kadis']);
    expect(o.units()).toBe(3);
  });
});

describe('antar and tandaterima against a fake register port', () => {
  it('antar routes the copies printed last; a receipt per addressee; the last one files the letter (arsip) and closes it', () => {
    const o = fakeOffice('diparaf', [{ langkah: 'cetak', data: { penerima: ['Wali Kota', 'Sekretaris'] } }]);
    const a = antar(o.ctx, '7', { caraka: 'Joko' });
    expect(a.rute).toEqual([
      { tujuan: 'Wali Kota', jalur: 'ajudan' },
      { tujuan: 'Sekretaris', jalur: 'langsung' },
    ]);
    expect(o.letter.status).toBe('diantar');
    expect(refusal(() => tandaterima(o.ctx, '7', { tujuan: 'Bendahara', diterimaOleh: 'X' }))).toEqual({ code: 'DATA', key: 'terima.receiptUnknownTujuan' });
    expect(refusal(() => tandaterima(o.ctx, '7', { tujuan: 'Sekretaris' }))).toEqual({ code: 'USAGE', key: 'common.missingFlags' });
    expect(tandaterima(o.ctx, '7', { tujuan: 'sekretaris', diterimaOleh: 'Rina' })).toMatchObject({ tujuan: 'Sekretaris', selesai: false, sisa: ['Wali Kota'] });
    expect(refusal(() => tandaterima(o.ctx, '7', { tujuan: 'Sekretaris', diterimaOleh: 'Rina' }))).toEqual({ code: 'CONFLICT', key: 'terima.receiptTwice' });
    expect(tandaterima(o.ctx, '7', { tujuan: 'Wali Kota', diterimaOleh: 'Ajudan' })).toMatchObject({ selesai: true, sisa: [] });
    expect(o.letter.status).toBe('selesai');
    expect(o.rows.map((r) => r.langkah)).toEqual(['cetak', 'antar', 'tandaterima', 'tandaterima', 'arsip']);
    expect(o.rows.at(-1)?.data).toEqual({ tandaTerima: 2 });
  });

  it('a receipt time more than a minute ahead of the clock is refused (DATA), nothing written', () => {
    const o = fakeOffice('diantar', [
      { langkah: 'cetak', data: { penerima: ['Sekretaris'] } },
      { langkah: 'antar', data: { caraka: 'Joko', rute: [{ tujuan: 'Sekretaris', jalur: 'langsung' }] } },
    ]);
    const waktu = new Date(NOW.getTime() + 2 * 60_000);
    expect(refusal(() => tandaterima(o.ctx, '7', { tujuan: 'Sekretaris', diterimaOleh: 'Rina', waktu }))).toEqual({ code: 'DATA', key: 'terima.receiptInFuture' });
    expect(o.units()).toBe(0);
    expect(o.rows).toHaveLength(2);
  });
});

describe('steps that reach the outside world, against fakes of their ports (ports/terima.ts)', () => {
  it('ambil: the fetch lock is taken first and released when the run fails; a held lock stops the run before anything is touched', async () => {
    const taken: string[] = [];
    let released = 0;
    const archive = only<MessageArchive>('archive', {
      dir: '/arsip',
      removeStaleTemp: () => {
        throw new SandiError('IO', 'common.writeFailed', { path: '/arsip/tmp', reason: 'EIO' });
      },
    });
    const ctx = (lock: TerimaPorts['lock']) =>
      ({
        app: { paths: { root: '/home-kantor' } },
        io: fakeTerimaPorts({ lock }),
        archive,
        registers: () => fakeRegisters({ suratMasuk: { lastId: () => 0 } }),
      }) as unknown as TerimaCtx;
    const failed = await ambil(
      ctx((path) => {
        taken.push(path);
        return Promise.resolve({ release: () => void released++ });
      }),
    ).catch((e: unknown) => e);
    expect(failed instanceof SandiError && failed.key).toBe('common.writeFailed');
    expect(taken).toEqual(['/home-kantor/.terima.lock']);
    expect(released).toBe(1);
    const busy = await ambil(ctx(() => Promise.reject(new SandiError('TEMPFAIL', 'terima.busy', {})))).catch((e: unknown) => e);
    expect(busy instanceof SandiError && busy.key).toBe('terima.busy');
  });

  it('teruskan over SMTP: a refused cc address is recorded with its own reply and left out of the step, so a rerun sends only it', async () => {
    const home = mkdtempSync(join(tmpdir(), 'sandi-teruskan-'));
    try {
      const raw = join(home, 'pesan.eml');
      writeFileSync(raw, 'From: a@b.go.id\r\nSubject: Undangan\r\n\r\nisi\r\n');
      const sent: { to: string[]; password: string; raw: Buffer }[] = [];
      const steps: { langkah: string; data: unknown }[] = [];
      const row = { id: 7, nomor: 'SM/0007/2026', rawSha256: 'ab'.repeat(32), messageId: '<m1@b.go.id>', tembusan: [] } as unknown as SuratMasuk;
      const ctx = {
        app: {
          paths: { root: home, keys: join(home, 'kunci') },
          clock: { now: () => NOW },
          store: () => only('store', {}),
          // no sandi.db in this home: the stored password is never asked for, the environment's is used
          // the password's sources: the real config code, bound to this home as src/app/akun.ts binds it
          akunPorts: () =>
            only<AkunPorts>('akunPorts', { passwords: { resolve: (a, c) => resolveMailboxPasswordWithSource(a, { ...c, home }), outsideStore: passwordOutsideStore } }),
          kunciPorts: () => only('kunciPorts', {}),
        },
        config: { archiveKey: 'F'.repeat(40), mailbox: { user: 'persandian@kab.go.id', smtp: { host: 'smtp.kab.go.id', port: 587, tls: 'starttls' }, imap: { host: 'imap.kab.go.id', port: 993, tls: 'tls' } } },
        opts: { actor: 'op', env: { SANDI_MAILBOX_PASSWORD: 'rahasia-kotak' } },
        archive: only<MessageArchive>('archive', { open: () => createReadStream(raw) }),
        registers: () =>
          fakeRegisters({
            suratMasuk: {
              addStep: (id, langkah, data, at, actor) => {
                steps.push({ langkah, data });
                return { id: 1, suratMasukId: id, langkah, data, at: at.toISOString(), actor };
              },
            },
          }),
        io: fakeTerimaPorts({
          mailSender: () =>
            Promise.resolve({
              sendRaw: (settings, mail) => {
                sent.push({ to: mail.to, password: settings.password, raw: mail.raw });
                return Promise.resolve({
                  messageId: mail.messageId,
                  response: '250 2.0.0 Ok: queued as 4Xyz',
                  accepted: ['sekda@kab.go.id'],
                  rejected: ['lama@kab.go.id'],
                  rejectedReplies: [{ address: 'lama@kab.go.id', response: '550 5.1.1 <lama@kab.go.id>: User unknown', code: 550 }],
                });
              },
            }),
        }),
      } as unknown as TerimaCtx;
      const f = await forward(ctx, row, ['sekda@kab.go.id', 'lama@kab.go.id']);
      expect(sent).toHaveLength(1);
      expect(sent[0]).toMatchObject({ to: ['sekda@kab.go.id', 'lama@kab.go.id'], password: 'rahasia-kotak' });
      expect(sent[0]?.raw.toString()).toContain('Subject: Undangan');
      expect(f).toMatchObject({ ke: ['sekda@kab.go.id'], via: 'smtp', ditolak: [{ alamat: 'lama@kab.go.id', balasan: '550 5.1.1 <lama@kab.go.id>: User unknown', kode: 550 }] });
      expect(steps).toEqual([
        {
          langkah: 'teruskan',
          data: { ke: ['sekda@kab.go.id'], via: 'smtp', reply: '250 2.0.0 Ok: queued as 4Xyz', ditolak: [{ alamat: 'lama@kab.go.id', balasan: '550 5.1.1 <lama@kab.go.id>: User unknown', kode: 550 }] },
        },
      ]);
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });
});
