/**
 * A kriptogram signed by a key that has expired since (issue 12 point 3): made by GnuPG with a faked clock
 * (key valid 2026-01-01 … 2026-01-31, signed 2026-01-15), encrypted to the demo office's archive key.
 * `terima`, `terima baca`, `agenda … lihat` and their --json say `kedaluwarsa`, never `good`; baca exits 80.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildPgpMime } from '../../src/formats/pgpmime.js';
import type { FetchReport } from '../../src/services/terima/index.js';
import { sandi, tempHome } from '../helpers/cli.js';
import { describeWith } from '../helpers/gate.js';
import { GpgHome, HAVE_GPG } from '../helpers/gpg.js';

const PASS = 'frasa sandi kunci lama';
const ARSIP = { SANDI_PASSPHRASE_ARSIP: 'demo-arsip-2026' };

describeWith('gpg', HAVE_GPG, 'an expired signer end to end', () => {
  let home: { dir: string; cleanup: () => void };
  let gpg: GpgHome;
  const run = (args: string[], env: NodeJS.ProcessEnv = {}) => sandi(['--home', home.dir, '--no-input', ...args], { env: { SANDI_OPERATOR: 'sandiman-e2e', ...env } });

  beforeAll(() => {
    if (!existsSync(resolve(import.meta.dirname, '../../dist/cli/terima.js'))) throw new Error('dist/ is not built: run `npm run build` first');
    home = tempHome('sandi-e2e-kedaluwarsa-');
    expect(sandi(['--home', home.dir, 'demo', '--json']).code).toBe(0);
    gpg = new GpgHome();
  }, 60_000);
  afterAll(() => {
    gpg?.cleanup();
    home?.cleanup();
  });

  it('terima rejects it with the signer kedaluwarsa (valid at the claimed time), baca exits 80, agenda and --json say the same', async () => {
    const config = JSON.parse(readFileSync(join(home.dir, 'config.json'), 'utf8')) as { archiveKey: string };
    await gpg.importKey(readFileSync(join(home.dir, 'kunci', `${config.archiveKey}.pub.asc`), 'utf8'));
    gpg.trust([config.archiveKey]);
    const made = await gpg.run(['--faked-system-time', '20260101T000000', '--quick-gen-key', 'Dinas Lama <lama@dinas.test>', 'ed25519', 'sign', '2026-01-31'], undefined, PASS);
    expect(made.code, made.stderr).toBe(0);
    const fpr = /^fpr:+([0-9A-F]{40}):/m.exec((await gpg.run(['--with-colons', '--list-keys', 'lama@dinas.test'])).stdout.toString())![1]!;
    const sub = await gpg.run(['--faked-system-time', '20260101T000100', '--quick-add-key', fpr, 'cv25519', 'encr', '2026-01-31'], undefined, PASS);
    expect(sub.code, sub.stderr).toBe(0);
    const doc = gpg.file('nota.txt', 'Content-Type: text/plain; charset=utf-8\r\n\r\nNOTA DINAS kunci lama\r\n');
    const enc = await gpg.run(
      ['--faked-system-time', '20260115T120000', '--armor', '--encrypt', '--sign', '-u', 'lama@dinas.test', '-r', config.archiveKey, '--output', '-', doc],
      undefined,
      PASS,
    );
    expect(enc.code, enc.stderr).toBe(0);
    const pub = gpg.file('lama.asc', (await gpg.run(['--armor', '--export', 'lama@dinas.test'])).stdout);
    const imp = run(['kunci', 'impor', pub, '--email', 'lama@dinas.test', '--unit', 'Dinas Lama']);
    expect(imp.code, imp.stderr).toBe(0);

    const dir = join(home.dir, 'masuk-lama');
    mkdirSync(dir);
    const mail = buildPgpMime(
      { from: { address: 'lama@dinas.test' }, to: [{ address: 'sandi@kominfo.test' }], subject: 'KRIP/7/I/2026', messageId: '<lama-1@dinas.test>', date: new Date('2026-01-15T12:00:00Z') },
      enc.stdout,
    );
    writeFileSync(join(dir, 'lama.eml'), mail);

    const r = run(['terima', '--dari-folder', dir, '--json'], ARSIP);
    expect(r.code, r.stderr).toBe(0);
    const a = r.json<FetchReport>().baru[0]!;
    expect(a).toMatchObject({ buku: 'kriptogram_masuk', status: 'ditolak' });
    expect(a.penandaTangan).toHaveLength(1);
    expect(a.penandaTangan![0]).toMatchObject({ status: 'kedaluwarsa', validAtCreated: true, created: '2026-01-15T12:00:00.000Z', unit: 'Dinas Lama' });
    expect(a.penandaTangan![0]!.keyExpired).toMatch(/^2026-01-3/);

    const baca = run(['terima', 'baca', a.nomor], ARSIP);
    expect(baca.code).toBe(80);
    expect(baca.stderr).toContain('kedaluwarsa');
    // the claimed signing time in office time (WIB: the demo office is in Jakarta); --json keeps UTC ISO
    expect(baca.stderr).toContain('masih berlaku pada 2026-01-15 19:00 WIB');
    expect(baca.stderr).not.toMatch(/\d{4}-\d\d-\d\dT\d\d:\d\d/);
    expect(baca.stdout).not.toContain('NOTA DINAS');
    const bacaJson = run(['--json', 'terima', 'baca', a.nomor], ARSIP);
    expect(bacaJson.code).toBe(80);
    expect(bacaJson.stderr).toContain('"key":"kriptogram.signerExpired"');
    expect(bacaJson.stderr).toContain('2026-01-15T12:00:00.000Z');

    const lihat = run(['--json', 'agenda', 'kriptogram-masuk', 'lihat', a.nomor]);
    expect(lihat.code, lihat.stderr).toBe(0);
    const row = lihat.json<{ baris: { status: string; penanda_tangan: unknown } }>().baris;
    expect(row.status).toBe('ditolak');
    const signers = (typeof row.penanda_tangan === 'string' ? JSON.parse(row.penanda_tangan) : row.penanda_tangan) as { status: string; validAtCreated: boolean }[];
    expect(signers.map((s) => [s.status, s.validAtCreated])).toEqual([['kedaluwarsa', true]]);
    // the same kriptogram in another mail: the text report says when the key expired and that the time is a claim
    const dir2 = join(home.dir, 'masuk-lama-2');
    mkdirSync(dir2);
    const mail2 = buildPgpMime(
      { from: { address: 'lama@dinas.test' }, to: [{ address: 'sandi@kominfo.test' }], subject: 'KRIP/7/I/2026', messageId: '<lama-2@dinas.test>', date: new Date('2026-01-15T12:00:00Z') },
      enc.stdout,
    );
    writeFileSync(join(dir2, 'lama-2.eml'), mail2);
    const plain = run(['terima', '--dari-folder', dir2], ARSIP);
    expect(plain.code, plain.stderr).toBe(0);
    expect(plain.stdout).toMatch(/kedaluwarsa — kunci kedaluwarsa sejak 2026-0[12]-\d\d \d\d:\d\d WIB; masih berlaku pada 2026-01-15 19:00 WIB, waktu yang diklaim penanda tangan sendiri/);
    expect(plain.stdout).not.toMatch(/: good$/m);

    const text = run(['agenda', 'kriptogram-masuk', 'lihat', a.nomor]);
    expect(text.stdout).toContain('kedaluwarsa');
    expect(text.stdout).not.toContain('"good"');
  });
});
