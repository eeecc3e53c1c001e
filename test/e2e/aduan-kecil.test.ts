/**
 * Issue 13 ("Indonesian throughout"): `aduan impor` names each refused row and its column in the operator's
 * language (English with --lang en); --json gives the same text and the problem codes. And `aduan disposisi
 * --opd` takes any OPD: one of the address book (by e-mail or unit name) or a unit outside it (the book holds only
 * units with an OpenPGP key; complaints carry no kriptogram). Built CLI, demo home.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sandi, tempHome } from '../helpers/cli.js';

let home: { dir: string; cleanup: () => void };
let csv = '';
const run = (args: string[]) => sandi(['--home', home.dir, '--no-input', ...args], { env: { SANDI_OPERATOR: 'sandiman-e2e' } });

beforeAll(() => {
  home = tempHome('sandi-e2e-aduan-impor-');
  expect(sandi(['--home', home.dir, 'demo', '--json']).code).toBe(0);
  csv = join(home.dir, 'portal.csv');
  writeFileSync(
    csv,
    [
      'kanal,nomor_pelacakan,jenis,judul,diterima,kerahasiaan,pelapor_nama,pelapor_nik',
      'twitter,T-1,keluhan,x,kemarin,publik,,',
      'lapor,L-1,pengaduan,Jalan,2026-11-19,terbuka,Ani,123',
      'lapor,L-2,pengaduan,Jalan,2026-11-19,anonim,Budi,',
      'lapor,L-3,pengaduan,Taman,2026-11-19,anonim,,',
      'lapor,L-3,pengaduan,Taman,2026-11-19,anonim,,',
      'lapor,L-4',
    ].join('\n'),
  );
}, 120_000);
afterAll(() => home?.cleanup());

const ENGLISH = /is not one of|is not a date|must have no reporter|fields, the header has|same tracking id|must be 16 digits|is empty/;

describe('aduan impor: row problems in the operator language (issue 13)', () => {
  it('Indonesian: every refused row by its line and column, nothing in English; exit 65', () => {
    const r = run(['aduan', 'impor', csv]);
    expect(r.code, r.stderr).toBe(65);
    const out = r.stdout;
    expect(out).toContain('baris 2: kolom kanal "twitter": harus salah satu dari');
    expect(out).toContain('kolom jenis "keluhan"');
    expect(out).toContain('kolom diterima "kemarin"');
    expect(out).toContain('kolom kerahasiaan "publik"');
    expect(out).toContain('baris 3: kolom pelapor_nik "123"');
    expect(out).toContain('baris 4: kolom kerahasiaan "anonim", tetapi kolom pelapor_nama terisi');
    expect(out).toContain('baris 6: kolom nomor_pelacakan "L-3" sama dengan baris 5');
    expect(out).toContain('baris 7: berisi 2 kolom, padahal baris judul 8 kolom');
    expect(out).not.toMatch(ENGLISH);
  });

  it('English with --lang en; --json: the text and the codes; a header without required columns', () => {
    const en = run(['--lang', 'en', 'aduan', 'impor', csv]);
    expect(en.code).toBe(65);
    expect(en.stdout).toContain('line 2: column kanal "twitter": must be one of');
    expect(en.stdout).toContain('line 7: has 2 columns, the header row has 8');
    const json = run(['--json', 'aduan', 'impor', csv]);
    const row = json.json<{ baris: { baris: number; masalah?: string; rincian?: { kode: string; kolom?: string }[] }[] }>().baris.find((b) => b.baris === 3);
    expect(row?.masalah).toContain('kolom pelapor_nik "123"');
    expect(row?.rincian).toEqual([{ kode: 'nik', kolom: 'pelapor_nik', nilai: '123' }]);
    const bad = join(home.dir, 'judul.csv');
    writeFileSync(bad, 'kanal,judul\nlapor,x\n');
    const h = run(['aduan', 'impor', bad]);
    expect(h.code).toBe(65);
    expect(h.stderr).toContain('kolom wajib tidak ada di baris judul: nomor_pelacakan, jenis, diterima');
  });
});

describe('aduan disposisi --opd: any OPD, with or without an OpenPGP key (issue 13)', () => {
  it('a unit outside the address book is accepted with a warning; an unknown e-mail is refused (66); a value with a line break is 65', () => {
    const catat = run(['--json', 'aduan', 'catat', '--kanal', 'laporgub', '--nomor-pelacakan', 'LG-OPD-1', '--jenis', 'pengaduan', '--judul', 'Lampu jalan padam', '--diterima', '2026-11-19T10:00', '--kerahasiaan', 'anonim']);
    expect(catat.code, catat.stderr).toBe(0);
    const email = run(['aduan', 'disposisi', 'LG-OPD-1', '--opd', 'umum@setda.contoh.go.id']);
    expect(email.code, email.stderr).toBe(66);
    expect(email.stderr).toContain('umum@setda.contoh.go.id');
    const nl = run(['aduan', 'disposisi', 'LG-OPD-1', '--opd', 'Bagian\nUmum']);
    expect(nl.code, nl.stderr).toBe(65);
    expect(nl.stderr).toContain('--opd');
    const r = run(['aduan', 'disposisi', 'LG-OPD-1', '--opd', 'Bagian Umum Setda', '--catatan', 'mohon ditindaklanjuti']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('OPD "Bagian Umum Setda" tidak ada di buku alamat');
    const lihat = run(['--json', 'aduan', 'lihat', 'LG-OPD-1']);
    expect(lihat.json<{ aduan: { status: string; opd: string; opdEmail: string | null } }>().aduan).toMatchObject({ status: 'didisposisi', opd: 'Bagian Umum Setda', opdEmail: null });
    // a unit of the address book, by its name: no warning
    const catat2 = run(['aduan', 'catat', '--kanal', 'laporgub', '--nomor-pelacakan', 'LG-OPD-2', '--jenis', 'pengaduan', '--judul', 'Taman', '--diterima', '2026-11-19T10:00', '--kerahasiaan', 'anonim']);
    expect(catat2.code, catat2.stderr).toBe(0);
    const book = run(['aduan', 'disposisi', 'LG-OPD-2', '--opd', 'dinas kesehatan']);
    expect(book.code, book.stderr).toBe(0);
    expect(book.stderr).not.toContain('tidak ada di buku alamat');
  });
});
