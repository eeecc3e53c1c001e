/**
 * Issue 13 defect 4: `terima baca --tampilkan` showed only the first attachment. A kriptogram made by GnuPG
 * (another office's tool) whose protected entity holds a covering text with the letter's Nomor/Tanggal and a
 * PDF, under a protected Subject, with the sender's register number as its clear Subject: `--keluaran DIR`
 * writes every part (new files, 0600, in a 0700 folder, never over an existing one), `--json --tampilkan` gives
 * them in the JSON, plain `--tampilkan` names what it left out, the Subject is shown, and the register's
 * nomor_pengirim is the clear Subject. Also defect 5: `terima baca N --passphrase-file F` (the parent
 * command took the option) opens it with no passphrase in the environment.
 */
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildPgpMime } from '../../src/formats/pgpmime.js';
import type { FetchReport } from '../../src/services/terima/index.js';
import { sandi, tempHome } from '../helpers/cli.js';
import { describeWith } from '../helpers/gate.js';
import { GpgHome, HAVE_GPG } from '../helpers/gpg.js';
import { smallPdf } from '../helpers/terima-fixture.js';

const PASS = 'frasa sandi dinas tetangga';
const ARSIP_PASS = 'demo-arsip-2026';
const SUBJECT = 'Pengamanan data kependudukan tahap II';
const NOMOR_PENGIRIM = 'KRIP/007/XII/2026';

interface Bagian {
  nama: string;
  jenis: string;
  ukuran: number;
  berkas?: string;
  teks?: string;
  base64?: string;
}

describeWith('gpg', HAVE_GPG, 'terima baca: the subject and every part of a kriptogram (e2e)', () => {
  let home: { dir: string; cleanup: () => void };
  let gpg: GpgHome;
  let nomor: string;
  let pdf: Buffer;
  let passFile: string;
  const run = (args: string[], env: NodeJS.ProcessEnv = {}) => sandi(['--home', home.dir, '--no-input', ...args], { env: { SANDI_OPERATOR: 'sandiman-e2e', ...env } });

  beforeAll(async () => {
    if (!existsSync(resolve(import.meta.dirname, '../../dist/cli/terima.js'))) throw new Error('dist/ is not built: run `npm run build` first');
    home = tempHome('sandi-e2e-bagian-');
    expect(sandi(['--home', home.dir, 'demo', '--json']).code).toBe(0);
    passFile = join(home.dir, 'arsip.pass');
    writeFileSync(passFile, `${ARSIP_PASS}\n`);
    chmodSync(passFile, 0o600);
    gpg = new GpgHome();
    const config = JSON.parse(readFileSync(join(home.dir, 'config.json'), 'utf8')) as { archiveKey: string };
    await gpg.importKey(readFileSync(join(home.dir, 'kunci', `${config.archiveKey}.pub.asc`), 'utf8'));
    gpg.trust([config.archiveKey]);
    const made = await gpg.run(['--quick-gen-key', 'Dinas Tetangga <tetangga@dinas.test>', 'ed25519', 'sign', '1y'], undefined, PASS);
    expect(made.code, made.stderr).toBe(0);
    const fpr = /^fpr:+([0-9A-F]{40}):/m.exec((await gpg.run(['--with-colons', '--list-keys', 'tetangga@dinas.test'])).stdout.toString())![1]!;
    expect((await gpg.run(['--quick-add-key', fpr, 'cv25519', 'encr', '1y'], undefined, PASS)).code).toBe(0);
    const pub = gpg.file('tetangga.asc', (await gpg.run(['--armor', '--export', 'tetangga@dinas.test'])).stdout);
    const imp = run(['kunci', 'impor', pub, '--email', 'tetangga@dinas.test', '--unit', 'Dinas Tetangga']);
    expect(imp.code, imp.stderr).toBe(0);

    pdf = await smallPdf(['NOTA DINAS', 'Lampiran data']);
    const b = 'bagian-uji-1';
    const entity = [
      `Content-Type: multipart/mixed; boundary="${b}"; protected-headers="v1"`,
      `Subject: ${SUBJECT}`,
      '',
      `--${b}`,
      'Content-Type: text/plain; charset=utf-8',
      '',
      'Nomor   : 005/123/DISDUK/2026',
      'Tanggal : 1 Desember 2026',
      'Mohon ditindaklanjuti.',
      `--${b}`,
      'Content-Type: application/pdf; name="nota dinas.pdf"',
      'Content-Disposition: attachment; filename="../nota dinas.pdf"',
      'Content-Transfer-Encoding: base64',
      '',
      ...(pdf.toString('base64').match(/.{1,76}/g) ?? []),
      `--${b}--`,
      '',
    ].join('\r\n');
    const doc = gpg.file('entity.mime', entity);
    const enc = await gpg.run(['--armor', '--encrypt', '--sign', '-u', 'tetangga@dinas.test', '-r', config.archiveKey, '--output', '-', doc], undefined, PASS);
    expect(enc.code, enc.stderr).toBe(0);
    const dir = join(home.dir, 'masuk-tetangga');
    mkdirSync(dir);
    const mail = buildPgpMime(
      { from: { address: 'tetangga@dinas.test' }, to: [{ address: 'sandi@kominfo.test' }], subject: NOMOR_PENGIRIM, messageId: '<tetangga-1@dinas.test>', date: new Date('2026-12-01T03:00:00Z') },
      enc.stdout,
    );
    writeFileSync(join(dir, 'tetangga.eml'), mail);
    const r = run(['terima', '--dari-folder', dir, '--json'], { SANDI_PASSPHRASE_ARSIP: ARSIP_PASS });
    expect(r.code, r.stderr).toBe(0);
    const a = r.json<FetchReport>().baru[0]!;
    expect(a).toMatchObject({ buku: 'kriptogram_masuk', status: 'terbaca' });
    nomor = a.nomor;
  }, 120_000);
  afterAll(() => {
    gpg?.cleanup();
    home?.cleanup();
  });

  it('the clear Subject of another sandi office is its register number: nomor_pengirim', () => {
    const lihat = run(['--json', 'agenda', 'kriptogram-masuk', 'lihat', nomor]);
    expect(lihat.code, lihat.stderr).toBe(0);
    expect(lihat.json<{ baris: { nomor_pengirim: string | null } }>().baris.nomor_pengirim).toBe(NOMOR_PENGIRIM);
  });

  it('--tampilkan --keluaran DIR (with --passphrase-file after the subcommand) writes the text and the PDF, never over a file', () => {
    const out = join(home.dir, 'baca', 'keluar');
    const r = run(['terima', 'baca', nomor, '--tampilkan', '--keluaran', out, '--passphrase-file', passFile]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(SUBJECT);
    expect(statSync(out).mode & 0o777).toBe(0o700);
    expect(readdirSync(out).sort()).toEqual(['isi.txt', 'nota dinas.pdf']);
    expect(readFileSync(join(out, 'isi.txt'), 'utf8')).toContain('Nomor   : 005/123/DISDUK/2026');
    expect(readFileSync(join(out, 'nota dinas.pdf')).equals(pdf)).toBe(true);
    for (const f of readdirSync(out)) expect(statSync(join(out, f)).mode & 0o777).toBe(0o600);
    // an existing file stays as it was; the part gets a new name
    writeFileSync(join(out, 'isi.txt'), 'catatan operator\n');
    const again = run(['--json', 'terima', 'baca', nomor, '--keluaran', out, '--passphrase-file', passFile]);
    expect(again.code, again.stderr).toBe(0);
    expect(readFileSync(join(out, 'isi.txt'), 'utf8')).toBe('catatan operator\n');
    const j = again.json<{ subject: string; bagian: Bagian[] }>();
    expect(j.subject).toBe(SUBJECT);
    expect(j.bagian.map((b) => b.berkas)).toEqual([join(out, 'isi-2.txt'), join(out, 'nota dinas-2.pdf')]);
    expect(readFileSync(join(out, 'isi-2.txt'), 'utf8')).toContain('Tanggal : 1 Desember 2026');
  });

  it('terima baca N --passphrase-file F opens it with no passphrase in the environment (the parent command took the option)', () => {
    expect(run(['terima', 'baca', nomor]).code).toBe(64);
    const r = run(['--json', 'terima', 'baca', nomor, '--passphrase-file', passFile]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.json<{ status: string }>().status).toBe('terbaca');
  });

  it('--json --tampilkan gives the subject and every part in the JSON', () => {
    const r = run(['--json', 'terima', 'baca', nomor, '--tampilkan', '--passphrase-file', passFile]);
    expect(r.code, r.stderr).toBe(0);
    const j = r.json<{ subject: string; bagian: Bagian[] }>();
    expect(j.subject).toBe(SUBJECT);
    expect(j.bagian).toHaveLength(2);
    expect(j.bagian[0]).toMatchObject({ nama: 'isi.txt', jenis: 'text/plain' });
    expect(j.bagian[0]!.teks).toContain('Nomor   : 005/123/DISDUK/2026');
    expect(j.bagian[1]).toMatchObject({ nama: 'nota dinas.pdf', jenis: 'application/pdf', ukuran: pdf.length });
    expect(Buffer.from(j.bagian[1]!.base64!, 'base64').equals(pdf)).toBe(true);
  });

  it('plain --tampilkan: the PDF on stdout, the subject shown, the text part named (not dropped without a word)', () => {
    const r = run(['terima', 'baca', nomor, '--tampilkan'], { SANDI_PASSPHRASE_ARSIP: ARSIP_PASS });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.startsWith('%PDF-')).toBe(true);
    expect(r.stderr).toContain(SUBJECT);
    expect(r.stderr).toContain('isi.txt');
    expect(r.stderr).toContain('--keluaran');
  });
});
