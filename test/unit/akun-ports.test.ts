/**
 * The account service's rotation against port fakes (src/ports/akun.ts): an in-memory AkunStore, credential
 * files in a Map, a "server" that knows one password, a password changer that sets it. No SQLite, no openpgp,
 * no mail server: the real ones are covered by test/integration/akun*.test.ts and test/e2e/akun*.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SandiError } from '../../src/errors.js';
import type { AkunPorts, AkunStore, AkunStoreTx } from '../../src/ports/akun.js';
import type { AuditNote } from '../../src/ports/kunci.js';
import type { AkunRow, RotasiRow } from '../../src/domain/akun.js';
import type { SandiConfig } from '../../src/config/config.js';
import type { App } from '../../src/app.js';
import type { KunciService } from '../../src/services/kunci.js';
import { akunContext, akunService, jadikanKini, setServer, simpanBaru, ujiLogin, type AkunDeps } from '../../src/services/akun.js';
import { passwordOutsideStore, resolveMailboxPasswordWithSource } from '../../src/config/credentials.js';

const USER = 'sandi@kominfo.test';
const NOW = new Date('2026-12-01T03:00:00Z');

function fakes(serverPassword: string, root = '/tidak-dipakai') {
  const server = { password: serverPassword };
  const accounts = new Map<string, AkunRow>();
  const rotations: RotasiRow[] = [];
  const audit: AuditNote[] = [];
  const entries = new Map<string, string>();
  const open = (user: string) => rotations.find((r) => r.user === user && ['tersimpan', 'diset', 'teruji'].includes(r.status));
  const tx: AkunStoreTx = {
    account: (user) => accounts.get(user),
    addAccount: (row) => void accounts.set(row.user, { ...row }),
    replaceAccount(user, currentId, row) {
      if (accounts.get(user)?.kini_id !== currentId) return false;
      accounts.set(user, { user, ...row });
      return true;
    },
    startRotation(r) {
      const id = rotations.length + 1;
      rotations.push({ id, user: r.user, adapter: r.adapter, status: 'tersimpan', baru_id: r.baruId, lama_id: r.lamaId, dimulai_at: r.at, diset_at: null, teruji_at: null, selesai_at: null, ditolak_at: null, alasan: null });
      return id;
    },
    moveRotation(id, from, to, at, alasan) {
      const r = rotations.find((x) => x.id === id);
      if (!r || r.status !== from) return false;
      Object.assign(r, { status: to, [`${to}_at`]: at }, alasan === undefined ? {} : { alasan });
      return true;
    },
    audit: (_at, note) => void audit.push(note),
  };
  const store: AkunStore = {
    account: (user) => accounts.get(user),
    openRotation: (user) => (open(user) ? { ...open(user)! } : undefined),
    lastRotation: (user) => rotations.filter((r) => r.user === user).at(-1),
    rotation: (id) => rotations.find((r) => r.id === id),
    referencedIds() {
      const ids = new Set<string>();
      for (const a of accounts.values()) for (const id of [a.kini_id, a.sebelumnya_id]) if (id) ids.add(id);
      for (const r of rotations) if (['tersimpan', 'diset', 'teruji'].includes(r.status)) ids.add(r.baru_id).add(r.lama_id);
      return ids;
    },
    write: (fn) => fn(tx),
  };
  const refused = () => new SandiError('PERMISSION', 'mail.authFailed', {});
  const ports: AkunPorts = {
    store,
    files: {
      dir: '/kredensial',
      write: (id, _user, password) => Promise.resolve(void entries.set(id, password)),
      read: (id) => Promise.resolve(entries.get(id) ?? ''),
      has: (id) => entries.has(id),
      list: () => [...entries.keys()],
      remove: (id) => void entries.delete(id),
    },
    unlockArchiveKey: () => Promise.resolve({}),
    login: {
      imap: (_a, pw) => (pw === server.password ? Promise.resolve() : Promise.reject(refused())),
      smtp: (_a, pw) => (pw === server.password ? Promise.resolve() : Promise.reject(refused())),
    },
    changer: () =>
      Promise.resolve({
        adapter: 'perintah' as const,
        change(req) {
          if (req.oldPassword !== server.password) return Promise.reject(new SandiError('DATA', 'akun.changeRefused', { reason: 'old password wrong' }));
          server.password = req.newPassword;
          return Promise.resolve();
        },
      }),
    lock: () => Promise.resolve({ release: () => undefined }),
    // the password's sources are config code, bound to the home as the composition root binds them
    passwords: { resolve: (a, c) => resolveMailboxPasswordWithSource(a, { ...c, home: root }), outsideStore: passwordOutsideStore },
  };
  const keys = {
    requireUsableKey: () => Promise.resolve({ publicArmored: 'ARSIP' }),
    info: () => Promise.resolve({ fingerprint: 'F'.repeat(40), userId: 'Arsip' }),
    loadSecretArmored: () => 'RAHASIA',
  } as unknown as KunciService;
  const config = {
    archiveKey: 'F'.repeat(40),
    mailbox: { user: USER, imap: { host: 'x', port: 993, tls: 'tls' }, smtp: { host: 'x', port: 587, tls: 'starttls' }, passwordChange: { adapter: 'perintah', command: ['x'] } },
  } as unknown as SandiConfig;
  const app = { paths: { root }, clock: { now: () => NOW }, store: () => { throw new Error('no store in a port test'); } } as unknown as App;
  let n = 0;
  const deps = (): AkunDeps => ({ app, config, actor: 'penguji', env: {}, passphrases: { get: () => Promise.resolve('frasa') }, ports, keys, settleMs: 0, random: (k) => new Uint8Array(k).map(() => n++ % 251) });
  const svc = () => akunService(deps());
  /** the context the steps share, for calling one step on its own */
  const ctx = () => akunContext(deps());
  return { svc, ctx, server, accounts, rotations, audit, entries };
}

describe('akun rotation over port fakes', () => {
  it('four recorded steps: the server gets the new password, it becomes current, the old one previous', async () => {
    const f = fakes('awal-rahasia');
    await f.svc().simpan('awal-rahasia');
    const r = await f.svc().rotasi();
    expect(r.steps.map((s) => [s.step, s.outcome])).toEqual([[1, 'dikerjakan'], [2, 'dikerjakan'], [3, 'dikerjakan'], [4, 'dikerjakan']]);
    const row = f.accounts.get(USER)!;
    expect(f.entries.get(row.kini_id)).toBe(f.server.password);
    expect(f.entries.get(row.sebelumnya_id!)).toBe('awal-rahasia');
    expect(f.rotations.map((x) => x.status)).toEqual(['selesai']);
    expect(f.audit.map((a) => a.action)).toEqual(['akun.simpan', 'akun.rotasi.tersimpan', 'akun.rotasi.diset', 'akun.rotasi.teruji', 'akun.rotasi.selesai']);
  });

  it('stopped after step 2, a rerun resumes at step 3 and finishes', async () => {
    const f = fakes('awal-rahasia');
    await f.svc().simpan('awal-rahasia');
    const stop = (step: number) => {
      if (step === 2) throw new Error('stopped after step 2');
    };
    await expect(f.svc().rotasi({ afterStep: stop })).rejects.toThrow('stopped after step 2');
    expect(f.rotations.map((x) => x.status)).toEqual(['diset']);
    const r = await f.svc().rotasi();
    expect(r).toMatchObject({ resumed: true, rotated: true });
    expect(r.steps.map((s) => s.step)).toEqual([3, 4]);
    expect(f.entries.get(f.accounts.get(USER)!.kini_id)).toBe(f.server.password);
  });

  it('the server refusing the change: ditolak with the reason, the old password stays current', async () => {
    const f = fakes('awal-rahasia');
    await f.svc().simpan('awal-rahasia');
    f.server.password = 'diganti-admin';
    await expect(f.svc().rotasi()).rejects.toMatchObject({ key: 'akun.rotationRefused', params: { reason: 'old password wrong' } });
    expect(f.rotations.map((x) => [x.status, x.alasan])).toEqual([['ditolak', 'old password wrong']]);
    expect(f.entries.get(f.accounts.get(USER)!.kini_id)).toBe('awal-rahasia');
  });

  it('each rotation step is a function of its own: simpan-baru, set-server, uji-login, jadikan-kini called one by one', async () => {
    const f = fakes('awal-rahasia');
    await f.svc().simpan('awal-rahasia');
    const c = f.ctx();
    const r = await simpanBaru(c, {}, f.accounts.get(USER));
    expect([r.status, f.entries.has(r.baru_id), f.server.password]).toEqual(['tersimpan', true, 'awal-rahasia']);
    const pw = { pending: f.entries.get(r.baru_id)!, current: 'awal-rahasia' };
    expect(await setServer(c, r, 'perintah', null, pw)).toBe('dikerjakan');
    expect([r.status, f.server.password]).toEqual(['diset', pw.pending]);
    // the row has moved on: the same step again is refused, nothing recorded twice
    await expect(setServer(f.ctx(), { ...r, status: 'tersimpan' }, 'perintah', null, pw)).rejects.toMatchObject({ key: 'store.illegalTransition' });
    await ujiLogin(c, r, pw);
    expect(r.status).toBe('teruji');
    jadikanKini(c, r);
    expect([r.status, f.accounts.get(USER)!.kini_id, f.accounts.get(USER)!.sebelumnya_id]).toEqual(['selesai', r.baru_id, r.lama_id]);
  });

  it('uji reads the stored password through the same ports (once the home has a sandi.db)', async () => {
    const root = mkdtempSync(join(tmpdir(), 'sandi-akun-port-'));
    writeFileSync(join(root, 'sandi.db'), '');
    const f = fakes('awal-rahasia', root);
    await f.svc().simpan('awal-rahasia');
    try {
      expect(await f.svc().uji()).toMatchObject({ source: 'penyimpanan', slot: 'kini', imap: { ok: true }, smtp: { ok: true } });
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
