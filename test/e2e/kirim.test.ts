/**
 * `sandi kirim` from a script (--no-input) on a local home (Maildir delivery): two-person mode end to end
 * (initial, the Kasi's signature, resume to number and send), status --json, batal, and exit codes of bad input.
 */
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
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
    expect(secret.code).toBe(64);
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
});
