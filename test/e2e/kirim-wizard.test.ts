/**
 * `sandi kirim` as a wizard at a real terminal (pty): every answer typed, recipients picked from the address
 * book, classification and urgency from lists, both passphrases at hidden prompts (one person holds both roles
 * in the demo office); each step shown as it completes, the kriptogram sent into the local Maildirs.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { sandi, tempHome } from '../helpers/cli.js';
import { expectNextNumber } from '../helpers/numbering.js';
import { describeWith } from '../helpers/gate.js';
import { KEY, havePython3Pty, sandiPty } from '../helpers/pty.js';

const manifest = JSON.parse(readFileSync(resolve(import.meta.dirname, '../../keys.example/manifest.json'), 'utf8')) as {
  keys: { role: string; passphrase: string }[];
};
const pass = (role: string) => manifest.keys.find((k) => k.role === role)!.passphrase;
const SUBJECT = 'Rapat koordinasi pengamanan';
const asked = (message: string): string => `\\? ${message.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`;

describeWith('python3 (pty module)', havePython3Pty(), 'sandi kirim wizard at a terminal (pty)', () => {
  const tmp = tempHome('sandi-kirim-pty-');
  const home = join(tmp.dir, 'home');
  const doc = join(tmp.dir, 'nota.txt');

  beforeAll(() => {
    expect(sandi(['demo'], { env: { SANDI_HOME: home } }).code).toBe(0);
    writeFileSync(doc, 'Nota dinas dari wizard.\n');
  }, 60_000);
  afterAll(() => tmp.cleanup());

  it('asks every field, the classification before a hidden subject, gives a wrong passphrase a second try, and sends', async () => {
    const before = new Date();
    const r = await sandiPty(
      ['kirim'],
      [
        { expect: asked('Berkas dokumen yang dikirim:'), send: `${doc}${KEY.enter}` },
        { expect: asked('Nomor surat permohonan:'), send: `005/9/SETDA${KEY.enter}` },
        { expect: asked('Tanggal surat permohonan (YYYY-MM-DD):'), send: `2026-11-20${KEY.enter}` },
        { expect: asked('Unit yang memohon:'), send: `Sekretariat Daerah${KEY.enter}` },
        { expect: asked('Ditugaskan oleh:'), send: `Kasi Persandian${KEY.enter}` },
        { expect: '❯ Dinas Kesehatan', send: KEY.enter },
        { expect: '❯ Dinas Pendidikan', send: KEY.enter },
        // the classification before the subject: a Rahasia subject is typed at a hidden prompt
        { expect: asked('Sifat:'), send: '' },
        { expect: '❯ Biasa', send: `${KEY.down}${KEY.down}` },
        { expect: '❯ Rahasia', send: KEY.enter },
        { expect: asked('Derajat:'), send: KEY.down },
        { expect: '❯ Segera', send: KEY.enter },
        { expect: asked('Perihal (sifat Rahasia: tidak ditampilkan saat diketik):'), send: `${SUBJECT}${KEY.enter}` },
        // one wrong passphrase: asked again, every answer kept
        { expect: '\\? Frasa sandi kunci [0-9A-F]{40} \\(Budi Santoso', send: `salah-sekali${KEY.enter}` },
        { expect: 'Frasa sandi salah\\. Coba lagi \\(percobaan 2 dari 3\\)' },
        { expect: '\\? Frasa sandi kunci [0-9A-F]{40} \\(Budi Santoso', send: `${pass('sandiman')}${KEY.enter}` },
        { expect: '\\? Frasa sandi kunci [0-9A-F]{40} \\(Siti Rahmawati', send: `${pass('kasi')}${KEY.enter}` },
        { expect: 'terkirim lewat maildir lokal \\(\\d+ penerima\\)' },
      ],
      { env: { SANDI_HOME: home, SANDI_OPERATOR: 'budi' }, timeout: 20, limit: 60 },
    );
    const after = new Date();
    expect(r.error, r.transcript).toBeNull();
    expect(r.exitCode, r.transcript).toBe(0);
    expect(r.raw).not.toContain(pass('sandiman'));
    expect(r.raw).not.toContain(pass('kasi'));
    expect(r.raw).not.toContain(SUBJECT);
    expect(r.transcript.indexOf('Sifat:')).toBeLessThan(r.transcript.indexOf('Perihal'));
    for (const step of ['terdaftar di Buku Agenda Kriptogram Keluar', 'diparaf sandiman', 'ditandatangani Kasi', 'diberi nomor']) expect(r.transcript).toContain(step);
    const rows = sandi(['kirim', 'status', '--semua', '--json'], { env: { SANDI_HOME: home } }).json<{ nomor: string; sifat: string; derajat: string; permohonan: { nomor: string }; kepada: unknown[] }[]>();
    expect(rows.at(-1)).toMatchObject({ sifat: 'Rahasia', derajat: 'Segera', permohonan: { nomor: '005/9/SETDA' } });
    // after the demo's KRIP/001: KRIP/002 in the same year, KRIP/001/I/<next year> across midnight of 31 December WIB
    expectNextNumber(rows.at(-2)!.nomor, rows.at(-1)!.nomor, { before, after });
    expect(rows.at(-1)?.kepada).toHaveLength(2);
  }, 90_000);

  it('a document that does not exist is refused before any question', async () => {
    const r = await sandiPty(['kirim', 'statsu'], [{ expect: 'Berkas tidak ditemukan: statsu' }], { env: { SANDI_HOME: home, SANDI_OPERATOR: 'budi' }, timeout: 15, limit: 30 });
    expect(r.error, r.transcript).toBeNull();
    expect(r.exitCode, r.transcript).toBe(66);
    expect(r.transcript).not.toMatch(/\? /);
  }, 60_000);
});

describeWith('python3 (pty module)', havePython3Pty(), 'sandi kirim wizard on a new office (pty)', () => {
  const tmp = tempHome('sandi-kirim-baru-');
  const home = join(tmp.dir, 'home');

  beforeAll(() => {
    const init = sandi(['init', '--no-input', '--nama-kantor', 'Kantor Baru', '--kode-unit', 'KBR', '--buat-kunci-arsip', '--email-arsip', 'arsip@baru.test'], { env: { SANDI_HOME: home, SANDI_PASSPHRASE: 'uji-rahasia-panjang-123' } });
    expect(init.code, init.stderr).toBe(0);
  }, 60_000);
  afterAll(() => tmp.cleanup());

  it('an empty address book is refused at once, naming `sandi kunci alamat tambah`, before any question', async () => {
    const r = await sandiPty(['kirim'], [{ expect: 'sandi kunci alamat tambah' }], { env: { SANDI_HOME: home, SANDI_OPERATOR: 'budi' }, timeout: 15, limit: 30 });
    expect(r.error, r.transcript).toBeNull();
    expect(r.exitCode, r.transcript).toBe(66);
    expect(r.transcript).toContain('Buku alamat masih kosong');
    expect(r.transcript).not.toMatch(/\? /);
    expect(r.transcript).not.toContain('ValidationError');
  }, 60_000);
});
