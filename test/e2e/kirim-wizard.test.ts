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

  it('asks every field, picks recipients and lists, asks both passphrases hidden, and sends', async () => {
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
        { expect: asked('Perihal:'), send: `Rapat koordinasi pengamanan${KEY.enter}` },
        { expect: '❯ Biasa', send: `${KEY.down}${KEY.down}` },
        { expect: '❯ Rahasia', send: KEY.enter },
        { expect: asked('Derajat:'), send: KEY.down },
        { expect: '❯ Segera', send: KEY.enter },
        { expect: '\\? Frasa sandi kunci [0-9A-F]{40} \\(Budi Santoso', send: `${pass('sandiman')}${KEY.enter}` },
        { expect: '\\? Frasa sandi kunci [0-9A-F]{40} \\(Siti Rahmawati', send: `${pass('kasi')}${KEY.enter}` },
        { expect: 'terkirim lewat maildir' },
      ],
      { env: { SANDI_HOME: home, SANDI_OPERATOR: 'budi' }, timeout: 20, limit: 60 },
    );
    const after = new Date();
    expect(r.error, r.transcript).toBeNull();
    expect(r.exitCode, r.transcript).toBe(0);
    expect(r.raw).not.toContain(pass('sandiman'));
    expect(r.raw).not.toContain(pass('kasi'));
    for (const step of ['terdaftar di Buku Agenda Kriptogram Keluar', 'diparaf sandiman', 'ditandatangani Kasi', 'diberi nomor']) expect(r.transcript).toContain(step);
    const rows = sandi(['kirim', 'status', '--semua', '--json'], { env: { SANDI_HOME: home } }).json<{ nomor: string; sifat: string; derajat: string; permohonan: { nomor: string }; kepada: unknown[] }[]>();
    expect(rows.at(-1)).toMatchObject({ sifat: 'Rahasia', derajat: 'Segera', permohonan: { nomor: '005/9/SETDA' } });
    // after the demo's KRIP/001: KRIP/002 in the same year, KRIP/001/I/<next year> across midnight of 31 December WIB
    expectNextNumber(rows.at(-2)!.nomor, rows.at(-1)!.nomor, { before, after });
    expect(rows.at(-1)?.kepada).toHaveLength(2);
  }, 90_000);
});
