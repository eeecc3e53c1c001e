/**
 * `sandi db peran`: the SQL an administrator runs for an office's roles on PostgreSQL, printed, never run; a
 * malformed officer or an unknown group is a usage error (64) naming the value and what is expected.
 * (The SQL itself on a real server: test/integration/registers-conformance.test.ts.)
 */
import { describe, expect, it } from 'vitest';
import { sandi } from '../helpers/cli.js';

describe('sandi db peran', () => {
  it('prints the owner, the six group roles and each officer with their groups, without a home and without passwords', () => {
    const r = sandi(['db', 'peran', '--basis-data', 'kantor', '--petugas', 'budi=sandiman', '--petugas', 'siti=kasi,baca'], { env: { SANDI_HOME: '/nonexistent/sandi-home' } });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('CREATE ROLE sandi_pemilik LOGIN;');
    for (const g of ['sandiman', 'kasi', 'adum', 'caraka', 'pimpinan', 'baca']) expect(r.stdout).toContain(`CREATE ROLE sandi_${g} NOLOGIN;`);
    expect(r.stdout).toContain('CREATE ROLE siti LOGIN IN ROLE sandi_kasi, sandi_baca;');
    expect(r.stdout).toContain('CREATE DATABASE kantor OWNER sandi_pemilik;');
    expect(r.stdout).toContain('-- GRANT UPDATE (status, ditandatangani_at, signer, signer_fpr, kriptogram_sha256, batal_at, batal_oleh, batal_alasan) ON sandi.kriptogram_keluar TO sandi_kasi;');
    expect(r.stdout).not.toMatch(/PASSWORD '|SUPERUSER/);
    expect(r.stdout).toMatch(/^-- sandi: peran satu kantor/);
  });

  it('refuses an unknown group or a malformed officer with exit 64 and says what is expected', () => {
    const bad = sandi(['db', 'peran', '--petugas', 'budi=koki']);
    expect(bad.code).toBe(64);
    expect(bad.stderr).toContain('Kelompok "koki" tidak dikenal; yang ada: sandiman, kasi, adum, caraka, pimpinan, baca.');
    expect(bad.stdout).toBe('');
    const form = sandi(['--lang', 'en', 'db', 'peran', '--petugas', 'budi']);
    expect(form.code).toBe(64);
    expect(form.stderr).toContain('write role=group or role=group,group');
    const name = sandi(['db', 'peran', '--petugas', 'Budi Santoso=kasi']);
    expect(name.code).toBe(64);
    expect(name.stderr).toContain('"Budi Santoso"');
  });
});
