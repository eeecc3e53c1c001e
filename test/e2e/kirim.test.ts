/**
 * `sandi kirim` from a script (--no-input) on a local home (Maildir delivery): two-person mode end to end
 * (initial, the Kasi's signature, resume to number and send), status --json, batal, and exit codes of bad input.
 */
import { chmodSync, existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sandi, tempHome } from '../helpers/cli.js';

const manifest = JSON.parse(readFileSync(resolve(import.meta.dirname, '../../keys.example/manifest.json'), 'utf8')) as {
  keys: { role: string; email: string; passphrase: string }[];
};
const pass = (role: string) => manifest.keys.find((k) => k.role === role)!.passphrase;
const dinkes = manifest.keys.find((k) => k.role === 'penerima')!.email;

describe('sandi kirim --no-input (two-person mode, local Maildir)', () => {
  const tmp = tempHome('sandi-kirim-');
  const home = join(tmp.dir, 'home');
  const env = { SANDI_HOME: home, SANDI_OPERATOR: 'budi' };
  const doc = join(tmp.dir, 'nota.txt');
  const start = (extra: string[] = [], e: NodeJS.ProcessEnv = {}) =>
    sandi(
      ['kirim', doc, '--no-input', '--json', '--permohonan-nomor', '005/1', '--permohonan-tanggal', '2026-11-20', '--permohonan-unit', 'Setda', '--kepada', dinkes, '--perihal', 'Rapat', '--sifat', 'Terbatas', '--derajat', 'Segera', ...extra],
      { env: { ...env, SANDI_PASSPHRASE_SANDIMAN: pass('sandiman'), ...e } },
    );

  beforeAll(() => {
    expect(sandi(['demo'], { env }).code).toBe(0);
    const cfgPath = join(home, 'config.json');
    const cfg = JSON.parse(readFileSync(cfgPath, 'utf8')) as { singleOperator: boolean };
    cfg.singleOperator = false;
    writeFileSync(cfgPath, JSON.stringify(cfg, null, 2));
    writeFileSync(doc, 'Nota dinas untuk uji.\n');
  }, 60_000);
  afterAll(() => tmp.cleanup());

  it('initial → waits for the Kasi → tandatangani → lanjut numbers and sends', () => {
    const r1 = start();
    expect(r1.code, r1.stderr).toBe(0);
    const rep = r1.json<{ row: { id: number; status: string }; waiting: string }>();
    expect(rep.row.status).toBe('diparaf');
    expect(rep.waiting).toBe('kasi');
    const st = sandi(['kirim', 'status', '--json'], { env });
    expect(st.json<{ id: number; menunggu: string }[]>().find((r) => r.id === rep.row.id)?.menunggu).toBe('kasi');
    const bad = sandi(['kirim', 'tandatangani', String(rep.row.id), '--no-input'], { env: { ...env, SANDI_PASSPHRASE_KASI: 'salah' } });
    expect(bad.code).toBe(77);
    const signed = sandi(['kirim', 'tandatangani', String(rep.row.id), '--no-input', '--json'], { env: { ...env, SANDI_PASSPHRASE_KASI: pass('kasi') } });
    expect(signed.code, signed.stderr).toBe(0);
    expect(signed.json<{ row: { status: string } }>().row.status).toBe('ditandatangani');
    const res = sandi(['kirim', 'lanjut', '--json'], { env });
    expect(res.code, res.stderr).toBe(0);
    expect(res.json<{ rows: { id: number; to: string; nomor: string }[] }>().rows).toEqual([expect.objectContaining({ id: rep.row.id, to: 'terkirim', nomor: expect.stringMatching(/^KRIP\//) as unknown })]);
  }, 60_000);

  it('batal keeps the row with its reason; a cancelled row cannot be signed', () => {
    const id = start().json<{ row: { id: number } }>().row.id;
    expect(sandi(['kirim', 'batal', String(id), '--no-input'], { env }).code).toBe(64);
    const b = sandi(['kirim', 'batal', String(id), '--alasan', 'permohonan ditarik', '--json'], { env });
    expect(b.code, b.stderr).toBe(0);
    expect(b.json<{ status: string; batalAlasan: string }>()).toMatchObject({ status: 'batal', batalAlasan: 'permohonan ditarik' });
    const s = sandi(['kirim', 'tandatangani', String(id), '--no-input'], { env: { ...env, SANDI_PASSPHRASE_KASI: pass('kasi') } });
    expect(s.code).toBe(81);
  }, 60_000);

  it('bad input: missing flags (64), unknown recipient (66), empty document (65), wrong passphrase (77); nothing registered', () => {
    const before = sandi(['kirim', 'status', '--semua', '--json'], { env }).json<unknown[]>().length;
    const missing = sandi(['kirim', doc, '--no-input'], { env });
    expect(missing.code).toBe(64);
    expect(missing.stderr).toContain('--perihal');
    expect(start(['--kepada', 'tidak.ada@contoh.test']).code).toBe(66);
    writeFileSync(join(tmp.dir, 'kosong.txt'), '');
    const empty = sandi(['kirim', join(tmp.dir, 'kosong.txt'), '--no-input', '--permohonan-nomor', '1', '--permohonan-tanggal', '2026-11-20', '--permohonan-unit', 'X', '--kepada', dinkes, '--perihal', 'P', '--sifat', 'Biasa', '--derajat', 'Biasa'], {
      env: { ...env, SANDI_PASSPHRASE_SANDIMAN: pass('sandiman') },
    });
    expect(empty.code).toBe(65);
    expect(start([], { SANDI_PASSPHRASE_SANDIMAN: 'salah' }).code).toBe(77);
    expect(sandi(['kirim', 'status', '--semua', '--json'], { env }).json<unknown[]>().length).toBe(before);
  }, 60_000);

  it('--biasa: an ordinary letter in its own register, sent in clear with the time sent; Rahasia refused; missing flags named', () => {
    const missing = sandi(['kirim', doc, '--biasa', '--no-input'], { env });
    expect(missing.code).toBe(64);
    expect(missing.stderr).toContain('--kepada');
    expect(missing.stderr).toContain('--perihal');
    const base = ['kirim', doc, '--biasa', '--no-input', '--json', '--kepada', `${dinkes},kepala@contoh.go.id`, '--perihal', 'Undangan rapat'];
    const secret = sandi([...base, '--sifat', 'Rahasia'], { env });
    expect(secret.code).toBe(65); // --sifat Rahasia is a bad value for --biasa: data, not usage (issue 13)
    const r = sandi(base, { env });
    expect(r.code, r.stderr).toBe(0);
    const rep = r.json<{ row: { id: number; status: string; nomor: string; sentAt: string; kepada: { email: string; unit: string }[] } }>();
    expect(rep.row).toMatchObject({ status: 'terkirim', nomor: expect.stringMatching(/^SK\/001\//) as unknown });
    expect(rep.row.sentAt).toMatch(/^20\d\d-/);
    expect(rep.row.kepada.map((k) => k.email)).toEqual([dinkes, 'kepala@contoh.go.id']);
    const inbox = readdirSync(join(home, 'maildir', 'kepala@contoh.go.id', 'new'));
    expect(inbox).toHaveLength(1);
    expect(readFileSync(join(home, 'maildir', 'kepala@contoh.go.id', 'new', inbox[0]!), 'latin1')).toContain(`Subject: ${rep.row.nomor} Undangan rapat`);
    const st = sandi(['kirim', 'status', '--biasa', '--semua', '--json'], { env });
    expect(st.json<{ id: number }[]>().map((x) => x.id)).toEqual([rep.row.id]);
  }, 60_000);

  it('a Rahasia subject never in argv: --perihal refused (64), --perihal-file must be 0600 (77), "-" reads stdin', () => {
    const before = sandi(['kirim', 'status', '--semua', '--json'], { env }).json<unknown[]>().length;
    const inArgv = start(['--sifat', 'Rahasia']);
    expect(inArgv.code).toBe(64);
    expect(inArgv.stderr).toContain('--perihal-file');
    expect(inArgv.stderr).not.toContain('Rapat');
    const noSubject = sandi(['kirim', doc, '--no-input', '--permohonan-nomor', '1', '--permohonan-tanggal', '2026-11-20', '--permohonan-unit', 'X', '--kepada', dinkes, '--sifat', 'Sangat Rahasia', '--derajat', 'Biasa'], { env });
    expect(noSubject.code).toBe(64);
    expect(noSubject.stderr).toContain('--perihal-file');
    const withFile = (file: string, input?: string) =>
      sandi(
        ['kirim', doc, '--no-input', '--json', '--permohonan-nomor', '005/2', '--permohonan-tanggal', '2026-11-20', '--permohonan-unit', 'Setda', '--kepada', dinkes, '--perihal-file', file, '--sifat', 'Rahasia', '--derajat', 'Segera'],
        { env: { ...env, SANDI_PASSPHRASE_SANDIMAN: pass('sandiman') }, ...(input === undefined ? {} : { input }) },
      );
    const f = join(tmp.dir, 'perihal.txt');
    writeFileSync(f, 'Pengamanan kunjungan\nbaris kedua\n');
    chmodSync(f, 0o644);
    const open = withFile(f);
    expect(open.code).toBe(77);
    expect(open.stderr).toContain('chmod 600');
    expect(open.stderr).not.toContain('Pengamanan');
    expect(sandi(['kirim', 'status', '--semua', '--json'], { env }).json<unknown[]>().length).toBe(before);
    chmodSync(f, 0o600);
    const ok = withFile(f);
    expect(ok.code, ok.stderr).toBe(0);
    const row = ok.json<{ row: { status: string; sifat: string; perihal: string | null } }>().row;
    expect(row).toMatchObject({ status: 'diparaf', sifat: 'Rahasia', perihal: null });
    const stdin = withFile('-', 'Dari masukan standar\n');
    expect(stdin.code, stdin.stderr).toBe(0);
    expect(sandi(['kirim', doc, '--perihal', 'a', '--perihal-file', f, '--no-input'], { env }).code).toBe(64);
  }, 60_000);

  it('lanjut --sudah-terkirim/--belum-terkirim need one row ID and not both (64); --biasa is for sifat Biasa only; an address cannot leave the Maildir folder', () => {
    for (const args of [['--belum-terkirim'], ['--sudah-terkirim'], ['1', '--sudah-terkirim', '--belum-terkirim']]) {
      const r = sandi(['kirim', 'lanjut', '--no-input', ...args], { env });
      expect(r.code, args.join(' ')).toBe(64);
    }
    const before = sandi(['kirim', 'status', '--biasa', '--semua', '--json'], { env }).json<unknown[]>().length;
    const base = ['kirim', doc, '--biasa', '--no-input', '--json', '--perihal', 'Undangan'];
    const terbatas = sandi([...base, '--kepada', dinkes, '--sifat', 'Terbatas'], { env });
    expect(terbatas.code).toBe(65); // a bad value of --sifat for --biasa: data, not usage (issue 13)
    expect(terbatas.stderr).toContain('Terbatas');
    const escape = sandi([...base, '--kepada', '..@contoh.go.id'], { env });
    expect(escape.code).toBe(65);
    expect(existsSync(join(home, 'contoh.go.id'))).toBe(false);
    expect(sandi(['kirim', 'status', '--biasa', '--semua', '--json'], { env }).json<unknown[]>().length).toBe(before);
  }, 60_000);

  it('the sandiman key comes from the register row: a changed or corrupt draft sidecar is INTEGRITY (79) for that row', () => {
    const draf = join(home, 'arsip', 'kriptogram-keluar', 'draf');
    const sidecars = () => new Set(readdirSync(draf).filter((f) => f.endsWith('.json')));
    const kasiEnv = { ...env, SANDI_PASSPHRASE_KASI: pass('kasi') };
    const newRow = (): { id: number; sidecar: string } => {
      const seen = sidecars();
      const r = start();
      expect(r.code, r.stderr).toBe(0);
      const fresh = [...sidecars()].filter((f) => !seen.has(f));
      expect(fresh).toHaveLength(1);
      return { id: r.json<{ row: { id: number } }>().row.id, sidecar: join(draf, fresh[0]!) };
    };
    const changed = newRow();
    const sc = JSON.parse(readFileSync(changed.sidecar, 'utf8')) as { parafFpr: string };
    writeFileSync(changed.sidecar, JSON.stringify({ ...sc, parafFpr: 'F'.repeat(40) }));
    const s1 = sandi(['kirim', 'tandatangani', String(changed.id), '--no-input'], { env: kasiEnv });
    expect(s1.code, s1.stderr).toBe(79);
    const corrupt = newRow();
    writeFileSync(corrupt.sidecar, '{not json');
    const s2 = sandi(['kirim', 'tandatangani', String(corrupt.id), '--no-input'], { env: kasiEnv });
    expect(s2.code, s2.stderr).toBe(79);
    const st = sandi(['kirim', 'status', '--json'], { env });
    expect(st.code, st.stderr).toBe(0);
    expect(st.json<{ id: number; status: string }[]>().filter((r) => r.id === changed.id || r.id === corrupt.id).map((r) => r.status)).toEqual(['diparaf', 'diparaf']);
  }, 60_000);
  it('no mailbox password: lanjut and --biasa exit 64 naming what is missing, before any number is taken', () => {
    const signed = start();
    expect(signed.code, signed.stderr).toBe(0);
    const id = signed.json<{ row: { id: number } }>().row.id;
    const s = sandi(['kirim', 'tandatangani', String(id), '--no-input'], { env: { ...env, SANDI_PASSPHRASE_KASI: pass('kasi') } });
    expect(s.code, s.stderr).toBe(0);
    const cfgPath = join(home, 'config.json');
    const original = readFileSync(cfgPath, 'utf8');
    const cfg = JSON.parse(original) as Record<string, unknown>;
    cfg['mailbox'] = { user: 'sandi@kominfo.test', imap: { host: '127.0.0.1', port: 1, tls: 'tls' }, smtp: { host: '127.0.0.1', port: 1, tls: 'starttls' } };
    writeFileSync(cfgPath, JSON.stringify(cfg, null, 2), { mode: 0o600 });
    try {
      const letters = () => sandi(['kirim', 'status', '--biasa', '--semua', '--json'], { env }).json<unknown[]>().length;
      const lettersBefore = letters();
      const lanjut = sandi(['kirim', 'lanjut', '--no-input'], { env });
      expect(lanjut.code, lanjut.stderr).toBe(64);
      expect(lanjut.stderr).toContain('sandi@kominfo.test');
      expect(lanjut.stderr).toContain('SANDI_MAILBOX_PASSWORD');
      const row = sandi(['kirim', 'status', '--semua', '--json'], { env }).json<{ id: number; status: string; nomor: string | null }[]>().find((r) => r.id === id);
      expect(row).toMatchObject({ status: 'ditandatangani', nomor: null });
      const biasa = sandi(['kirim', doc, '--biasa', '--no-input', '--kepada', dinkes, '--perihal', 'Undangan tanpa sandi'], { env });
      expect(biasa.code, biasa.stderr).toBe(64);
      expect(biasa.stderr).toContain('SANDI_MAILBOX_PASSWORD');
      expect(letters()).toBe(lettersBefore);
    } finally {
      writeFileSync(cfgPath, original, { mode: 0o600 });
    }
  }, 60_000);
});
