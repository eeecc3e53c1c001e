/**
 * `sandi aduan` end to end: the built CLI on a temporary home (no TTY, --no-input). A LaporGub! complaint
 * (registered with `catat`) and a SP4N LAPOR! complaint (from a portal CSV with a bad row, imported twice) are
 * each driven through a return and a second disposition to `selesai`; then the register, the events, and the
 * audit chain are checked. Throughout, the reporters' identities are searched for in every file of the home
 * folder (sandi.db and its WAL, kept alive by an open reader), in every output without --tampilkan-pelapor,
 * and in the audit log's rows.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import Database, { type Db } from '../../src/adapters/sqlite/driver.js';
import { sandi, tempHome, type CliResult } from '../helpers/cli.js';

const ARSIP_PASS = 'frasa-arsip-e2e-aduan-1';
const KEYS = resolve(import.meta.dirname, '../../keys.example');
const DINKES = 'persandian@dinkes.demo.sandi.invalid';
const DISDIK = 'persandian@disdik.demo.sandi.invalid';

/** Identity strings that must never appear in clear (except in `lihat --tampilkan-pelapor`). */
const PELAPOR_G = { nama: 'Wulandari Kusumaningtyas', nik: '3375014409880007', email: 'wulan.rahasia@contoh.invalid', telepon: '081299887766' };
const PELAPOR_L = { nama: 'Bambang Sutrisnoadi', nik: '3375021212750003', alamat: 'Jl. Kenari Rahasia No. 17' };
const SECRETS = [...Object.values(PELAPOR_G), ...Object.values(PELAPOR_L)];

let home: { dir: string; cleanup: () => void };
/** input files (the reporter's JSON, the CSV, an attachment) live outside the home folder */
let inputs: { dir: string; cleanup: () => void };
let reader: Db | undefined;
let firstNomor = '';
const outputs: string[] = [];

function cli(args: string[], opts: { env?: NodeJS.ProcessEnv; secretOutput?: boolean } = {}): CliResult {
  const r = sandi(['--home', home.dir, '--no-input', ...args], { env: { SANDI_OPERATOR: 'operator-e2e', ...opts.env } });
  if (opts.secretOutput !== true) outputs.push(r.stdout, r.stderr);
  return r;
}

function ok(args: string[]): CliResult {
  const r = cli(args);
  expect(r.stderr, args.join(' ')).toBe('');
  expect(r.code, args.join(' ')).toBe(0);
  return r;
}

function assertNoIdentityInClear(): void {
  const files = readdirSync(home.dir, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => join(d.parentPath, d.name));
  expect(files.some((f) => f.endsWith('sandi.db-wal'))).toBe(true);
  // read in a child process: closing any descriptor of sandi.db in this process would drop the reader's POSIX
  // locks (SQLite's known caveat), and the next CLI run would then checkpoint and delete the WAL
  const haystacks: [string, Buffer][] = files.map((f) => [f, execFileSync('cat', [f], { maxBuffer: 256 * 1024 * 1024 })]);
  haystacks.push(['stdout/stderr', Buffer.from(outputs.join('\n'))]);
  // control: the same search does find clear text that is stored (the title) in the database or its WAL
  expect(haystacks.some(([name, content]) => name.includes('sandi.db') && content.includes(Buffer.from('Jalan berlubang di Jl. Merdeka')))).toBe(true);
  for (const s of SECRETS) {
    for (const [name, content] of haystacks) {
      // UTF-8 and the UTF-16 that SQLite could use for text
      if (content.includes(Buffer.from(s)) || content.includes(Buffer.from(s, 'utf16le'))) throw new Error(`reporter identity found in clear in ${name}`);
    }
  }
}

interface StatusRow {
  nomor: string;
  kanal: string;
  nomorPelacakan: string;
  status: string;
  pemegang: string;
  opd: string | null;
  terlambat: boolean;
}

beforeAll(() => {
  if (!existsSync(resolve(import.meta.dirname, '../../dist/cli/aduan.js'))) throw new Error('dist/ is not built: run `npm run build` first');
  home = tempHome('sandi-e2e-aduan-');
  inputs = tempHome('sandi-e2e-aduan-in-');
  const env = { SANDI_PASSPHRASE_ARSIP: ARSIP_PASS };
  const init = cli(['init', '--nama-kantor', 'Diskominfo E2E', '--kode-unit', 'E2E', '--buat-kunci-arsip', '--email-arsip', 'arsip@kominfo.test'], { env });
  expect(init.code).toBe(0);
  for (const [file, email, unit] of [['dinkes.pub.asc', DINKES, 'Dinas Kesehatan'], ['disdik.pub.asc', DISDIK, 'Dinas Pendidikan']] as const) {
    expect(cli(['kunci', 'impor', join(KEYS, file), '--peran', 'penerima', '--email', email, '--unit', unit]).code).toBe(0);
  }
  // a reader holding the database open keeps the WAL file on disk, so it can be searched too
  reader = new Database(join(home.dir, 'sandi.db'), { readonly: true });
  reader.prepare('SELECT count(*) FROM aduan').get();
});

afterAll(() => {
  reader?.close();
  home.cleanup();
  inputs.cleanup();
});

describe('sandi aduan (e2e)', () => {
  it('LaporGub!: catat → disposisi → OPD returns → second disposisi → tindaklanjut → konfirmasi → verifikasi → selesai', () => {
    const pelaporFile = join(inputs.dir, 'pelapor.json');
    writeFileSync(pelaporFile, JSON.stringify(PELAPOR_G), { mode: 0o600 });
    const lampiran = join(inputs.dir, 'foto-sesudah.txt');
    writeFileSync(lampiran, 'foto jalan sesudah diperbaiki');
    const catat = ok([
      '--json', 'aduan', 'catat', '--kanal', 'laporgub', '--nomor-pelacakan', 'LG-77', '--jenis', 'pengaduan', '--judul', 'Jalan berlubang di Jl. Merdeka',
      '--kronologi', 'Lubang sejak dua minggu', '--diterima', '2026-11-19T10:00', '--kerahasiaan', 'rahasia', '--pelapor-berkas', pelaporFile,
    ]).json<{ nomor: string; status: string; adaPelapor: boolean }>();
    expect(catat).toMatchObject({ status: 'diterima', adaPelapor: true });
    expect(catat.nomor).toMatch(/^ADU\/001\/\d{4}$/); // numbered in the year of registration
    firstNomor = catat.nomor;
    expect(cli(['aduan', 'catat', '--kanal', 'laporgub', '--nomor-pelacakan', 'LG-77', '--jenis', 'pengaduan', '--judul', 'x', '--kerahasiaan', 'anonim']).code).toBe(81);

    // the OPD cannot follow up what it has not received: refused, naming what is allowed now
    const refused = cli(['aduan', 'tindaklanjut', 'LG-77']);
    expect(refused.code).toBe(81);
    expect(refused.stderr).toContain('disposisi, kembalikan, tunda, arsipkan');

    ok(['aduan', 'disposisi', 'LG-77', '--opd', 'Dinas Kesehatan', '--catatan', 'mohon ditindaklanjuti']);
    expect(cli(['aduan', 'kembalikan', 'LG-77']).code).toBe(64); // --alasan is required
    ok(['aduan', 'kembalikan', 'LG-77', '--alasan', 'bukan tugas dan fungsi Dinkes']);
    ok(['aduan', 'disposisi', 'LG-77', '--opd', DISDIK]);
    ok(['aduan', 'tindaklanjut', 'LG-77', '--catatan', 'sudah diperbaiki', '--lampiran', lampiran]);
    ok(['aduan', 'konfirmasi', 'LG-77']);
    ok(['aduan', 'verifikasi', 'LG-77']);
    const done = ok(['--json', 'aduan', 'selesai', 'LG-77']).json<{ status: string; dariStatus: string; opd: string }>();
    expect(done).toMatchObject({ status: 'selesai', dariStatus: 'terverifikasi', opd: 'Dinas Pendidikan' });
    const final = cli(['aduan', 'arsipkan', 'LG-77', '--alasan', 'x']);
    expect(final.code).toBe(81);
  });

  it('SP4N LAPOR!: impor (bad row by line, idempotent) → OPD returns → second disposisi → upstream returns → selesai', () => {
    const csv = join(inputs.dir, 'lapor.csv');
    writeFileSync(
      csv,
      [
        'kanal,nomor_pelacakan,jenis,kategori,judul,kronologi,diterima,kerahasiaan,pelapor_nama,pelapor_nik,pelapor_alamat',
        `lapor,LAPOR-9001,pengaduan,Pendidikan,"Pungutan di sekolah, ""uang gedung""","Diminta membayar\nsaat daftar ulang",2026-11-20,terbuka,${PELAPOR_L.nama},${PELAPOR_L.nik},${PELAPOR_L.alamat}`,
        'lapor,LAPOR-9002,keluhan,,Salah jenis,,2026-11-20,anonim,,,',
        'lapor,LAPOR-9003,aspirasi,,Taman kota,,2026-01-05T09:15,anonim,,,',
      ].join('\r\n'),
    );
    const first = cli(['--json', 'aduan', 'impor', csv]);
    expect(first.code).toBe(65);
    const r1 = first.json<{ baru: number; sudahAda: number; ditolak: number; baris: { baris: number; hasil: string; masalah?: string }[] }>();
    expect(r1).toMatchObject({ baru: 2, sudahAda: 0, ditolak: 1 });
    expect(r1.baris.find((b) => b.hasil === 'ditolak')).toMatchObject({ baris: 4 });
    expect(r1.baris.find((b) => b.hasil === 'ditolak')?.masalah).toContain('keluhan');
    const again = cli(['--json', 'aduan', 'impor', csv]).json<{ baru: number; sudahAda: number; ditolak: number }>();
    expect(again).toMatchObject({ baru: 0, sudahAda: 2, ditolak: 1 });

    ok(['aduan', 'disposisi', 'LAPOR-9001', '--opd', DINKES]);
    ok(['aduan', 'kembalikan', 'LAPOR-9001', '--alasan', 'kewenangan Dinas Pendidikan']);
    ok(['aduan', 'disposisi', 'LAPOR-9001', '--opd', 'Dinas Pendidikan']);
    ok(['aduan', 'tindaklanjut', 'LAPOR-9001', '--catatan', 'pungutan dihentikan']);
    ok(['aduan', 'konfirmasi', 'LAPOR-9001']);
    ok(['aduan', 'kembalikan', 'LAPOR-9001', '--alasan', 'bukti kurang']); // upstream returns it to the office
    ok(['aduan', 'tunda', 'LAPOR-9001', '--alasan', 'menunggu bukti dari OPD']);
    ok(['aduan', 'lanjutkan', 'LAPOR-9001']);
    ok(['aduan', 'konfirmasi', 'LAPOR-9001', '--catatan', 'bukti surat edaran dilampirkan']);
    ok(['aduan', 'verifikasi', 'LAPOR-9001']);
    ok(['aduan', 'selesai', 'LAPOR-9001']);
  });

  it('the register: status by holder and lateness, and every event of each complaint', () => {
    const open = ok(['--json', 'aduan', 'status']).json<StatusRow[]>();
    // LAPOR-9003 is still at the office, received 2026-01-05: its 3-day verification deadline has long passed
    expect(open.map((r) => [r.nomorPelacakan, r.status, r.pemegang, r.terlambat])).toEqual([['LAPOR-9003', 'diterima', 'kantor', true]]);
    const all = ok(['--json', 'aduan', 'status', '--semua']).json<StatusRow[]>();
    expect(all.filter((r) => r.status === 'selesai').map((r) => [r.kanal, r.nomorPelacakan, r.opd])).toEqual([
      ['laporgub', 'LG-77', 'Dinas Pendidikan'],
      ['lapor', 'LAPOR-9001', 'Dinas Pendidikan'],
    ]);
    const lg = ok(['--json', 'aduan', 'lihat', firstNomor]).json<{ aduan: Record<string, unknown>; langkah: { aksi: string; actor: string; opd: string | null; keStatus: string }[] }>();
    expect(lg.langkah.map((s) => [s.aksi, s.keStatus, s.opd])).toEqual([
      ['catat', 'diterima', null],
      ['disposisi', 'didisposisi', 'Dinas Kesehatan'],
      ['kembalikan', 'dikembalikan_oleh_opd', null],
      ['disposisi', 'didisposisi', 'Dinas Pendidikan'],
      ['tindaklanjut', 'ditindaklanjuti', null],
      ['konfirmasi', 'dikonfirmasi', null],
      ['verifikasi', 'terverifikasi', null],
      ['selesai', 'selesai', null],
    ]);
    expect(new Set(lg.langkah.map((s) => s.actor))).toEqual(new Set(['operator-e2e']));
    const lp = ok(['--json', 'aduan', 'lihat', 'LAPOR-9001']).json<{ langkah: { aksi: string; keStatus: string }[] }>();
    expect(lp.langkah.map((s) => s.keStatus)).toEqual([
      'diterima', 'didisposisi', 'dikembalikan_oleh_opd', 'didisposisi', 'ditindaklanjuti', 'dikonfirmasi', 'dikembalikan_oleh_hulu',
      'ditunda', 'dikembalikan_oleh_hulu', 'dikonfirmasi', 'terverifikasi', 'selesai',
    ]);
    const human = ok(['aduan', 'lihat', 'LG-77']).stdout;
    expect(human).toContain('identitas tersimpan terenkripsi');
    expect(human).toContain('foto-');
  });

  it('the evaluation report counts both channels, the returns, and the completed steps', () => {
    const r = ok(['--json', 'aduan', 'laporan', '--dari', '2026-01-01', '--sampai', '2026-12-31']).json<{
      jumlah: number; selesai: number; perKanal: Record<string, number>; perOpd: Record<string, number>;
      pengembalian: Record<string, number>; tahap: Record<string, { selesai: number; bertenggat: number }>;
    }>();
    expect(r).toMatchObject({ jumlah: 3, selesai: 2, perKanal: { laporgub: 1, lapor: 2 }, perOpd: { 'Dinas Pendidikan': 2 } });
    expect(r.pengembalian).toEqual({ kantor_ke_hulu: 0, opd_ke_kantor: 2, hulu_ke_kantor: 1 });
    // at an OPD twice each (returned once, followed up once); LAPOR!'s two have a deadline, LaporGub!'s none
    expect(r.tahap['tindakLanjut']).toMatchObject({ selesai: 4, bertenggat: 2 });
    expect(r.tahap['konfirmasi']).toMatchObject({ selesai: 2 }); // from ditindaklanjuti; the re-confirmation after upstream's return counts as verifikasi
    expect(r.tahap['layanan']).toMatchObject({ selesai: 2, bertenggat: 1 });
    expect(cli(['aduan', 'laporan', '--dari', '2026-01-01']).code).toBe(64);
  });

  it('the audit chain is intact and records every hand-over, without any identity', () => {
    const r = ok(['--json', 'audit', 'periksa']);
    expect(r.json<{ ok: boolean }>().ok).toBe(true);
    const rows = (reader as Db).prepare<[], { action: string; data: string }>("SELECT action, data FROM audit_log WHERE entity = 'aduan' ORDER BY id").all();
    expect(rows.filter((x) => x.action === 'aduan.disposisi')).toHaveLength(4);
    expect(rows.filter((x) => x.action === 'aduan.impor')).toHaveLength(2);
    for (const row of rows) for (const s of SECRETS) expect(row.data).not.toContain(s);
    assertNoIdentityInClear();
  });

  it('lihat --tampilkan-pelapor needs the archive passphrase: none → 64, wrong → 77, right → shown', () => {
    expect(cli(['aduan', 'lihat', 'LG-77', '--tampilkan-pelapor']).code).toBe(64);
    const wrong = cli(['aduan', 'lihat', 'LG-77', '--tampilkan-pelapor'], { env: { SANDI_PASSPHRASE_ARSIP: 'salah-salah-salah' } });
    expect(wrong.code).toBe(77);
    const shown = cli(['--json', 'aduan', 'lihat', 'LG-77', '--tampilkan-pelapor'], { env: { SANDI_PASSPHRASE_ARSIP: ARSIP_PASS }, secretOutput: true });
    expect(shown.code).toBe(0);
    expect(shown.json<{ pelapor: unknown }>().pelapor).toEqual(PELAPOR_G);
    const fromCsv = cli(['--json', 'aduan', 'lihat', 'LAPOR-9001', '--tampilkan-pelapor'], { env: { SANDI_PASSPHRASE_ARSIP: ARSIP_PASS }, secretOutput: true });
    expect(fromCsv.json<{ pelapor: unknown }>().pelapor).toEqual(PELAPOR_L);
    const anonim = cli(['--json', 'aduan', 'lihat', 'LAPOR-9003', '--tampilkan-pelapor'], { env: { SANDI_PASSPHRASE_ARSIP: ARSIP_PASS } });
    expect(anonim.json<{ pelapor: unknown }>().pelapor).toBeNull();
    // opening an identity is audited (who, when), still without the identity
    const opened = (reader as Db).prepare<[], { data: string }>("SELECT data FROM audit_log WHERE action = 'aduan.pelapor_dibuka'").all();
    expect(opened).toHaveLength(2);
    assertNoIdentityInClear();
  });
});
