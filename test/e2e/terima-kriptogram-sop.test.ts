/**
 * Issue 13 defect 3: an incoming kriptogram, once read, follows the same SOP steps as an incoming letter:
 * `terima cetak KM/...` (the pack built from the document decrypted again at print time, the classification on
 * every page, no plaintext stored), `paraf`, `antar`, `tandaterima`, and `terima status` lists it with its
 * deadline. Before it is read it is refused with exit 81 naming its state. The built CLI on a demo home (the
 * demo's own kriptogram, made by sandi's kirim to the demo units), no TTY.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sandi, tempHome } from '../helpers/cli.js';
import { ARSIP_PASSPHRASE, DEMO_UNIT_MAILDIR } from '../helpers/terima-fixture.js';
import { haveCommand } from '../helpers/gate.js';
import type { FetchReport, LetterStatus } from '../../src/services/terima/index.js';

let home: { dir: string; cleanup: () => void };
const run = (args: string[], withKey = false) =>
  sandi(['--home', home.dir, '--no-input', ...args], { env: { SANDI_OPERATOR: 'sandiman-e2e', ...(withKey ? { SANDI_PASSPHRASE_ARSIP: ARSIP_PASSPHRASE } : {}) } });
let km = '';

beforeAll(() => {
  if (!existsSync(resolve(import.meta.dirname, '../../dist/cli/terima.js'))) throw new Error('dist/ is not built: run `npm run build` first');
  home = tempHome('sandi-e2e-km-sop-');
  expect(sandi(['--home', home.dir, 'demo', '--json']).code).toBe(0);
  // registered without the archive key: unread (terdaftar)
  const r = run(['terima', '--dari-folder', join(home.dir, 'maildir', DEMO_UNIT_MAILDIR), '--json']);
  expect(r.code, r.stderr).toBe(0);
  const baru = r.json<FetchReport>().baru;
  expect(baru.map((b) => b.buku)).toEqual(['kriptogram_masuk']);
  km = baru[0]!.nomor;
}, 120_000);
afterAll(() => home?.cleanup());

describe('an incoming kriptogram through the SOP steps (issue 13 defect 3)', () => {
  it('before it is read: cetak, paraf and status are refused with exit 81 naming its state', () => {
    for (const args of [['terima', 'cetak', km, '--tanpa-printer', '--keluaran', join(home.dir, 'x.pdf')], ['terima', 'paraf', km, '--sebagai', 'Kasi', '--nama', 'Budi'], ['terima', 'status', km]]) {
      const r = run(args, true);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(81);
      expect(r.stderr).toContain(km);
      expect(r.stderr).toContain('terdaftar');
    }
    expect(existsSync(join(home.dir, 'x.pdf'))).toBe(false);
  });

  it.runIf(haveCommand('pdftotext', ['-v']))('read, then printed from the decrypted document with RAHASIA on every page, initialled, routed, receipted; status shows it with its deadline; audit periksa stays 0', () => {
    const baca = run(['terima', 'baca', km], true);
    expect(baca.code, baca.stderr).toBe(0);

    // without a printer, the pack (decrypted content) is written only where the operator says
    const noOut = run(['terima', 'cetak', km, '--tanpa-printer'], true);
    expect(noOut.code, noOut.stderr).toBe(64);

    const out = join(home.dir, 'cetak-km.pdf');
    const cetak = run(['terima', 'cetak', km, '--tanpa-printer', '--keluaran', out, '--json'], true);
    expect(cetak.code, cetak.stderr).toBe(0);
    const pages = execFileSync('pdftotext', ['-layout', out, '-'], { encoding: 'utf8' }).split('\f').filter((p) => p.trim().length > 0);
    expect(pages.length).toBeGreaterThanOrEqual(2);
    for (const p of pages) expect(p).toContain('RAHASIA');
    const all = pages.join('\n');
    expect(all).toContain('NOTA DINAS'); // the decrypted letter
    expect(all).toContain(km);
    // nothing decrypted is stored in the register
    expect(readFileSync(join(home.dir, 'sandi.db')).includes(Buffer.from('NOTA DINAS'))).toBe(false);

    for (const [sebagai, nama] of [['Kasi', 'Budi'], ['Kabid', 'Sari'], ['Kadis', 'Hadi']] as const) {
      const p = run(['terima', 'paraf', km, '--sebagai', sebagai, '--nama', nama]);
      expect(p.code, p.stderr).toBe(0);
    }
    const st = run(['--json', 'terima', 'status']);
    expect(st.code, st.stderr).toBe(0);
    const row = st.json<{ surat: LetterStatus[] }>().surat.find((s) => s.nomor === km);
    expect(row).toMatchObject({ buku: 'kriptogram_masuk', status: 'diparaf' });
    expect(row!.sla.menunggu).toBe('antar');
    expect(Number.isNaN(Date.parse(row!.sla.batasLayanan))).toBe(false);
    const text = run(['terima', 'status', km]);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain(km);

    const antar = run(['--json', 'terima', 'antar', km, '--caraka', 'Joko', '--tujuan', 'Kepala Dinas']);
    expect(antar.code, antar.stderr).toBe(0);
    const tt = run(['--json', 'terima', 'tandaterima', km, '--tujuan', 'Kepala Dinas', '--diterima-oleh', 'Rina']);
    expect(tt.code, tt.stderr).toBe(0);
    expect(tt.json<{ selesai: boolean }>().selesai).toBe(true);
    const done = run(['--json', 'terima', 'status', '--semua']);
    expect(done.json<{ surat: LetterStatus[] }>().surat.find((s) => s.nomor === km)?.status).toBe('selesai');

    const audit = run(['audit', 'periksa']);
    expect(audit.code, audit.stderr).toBe(0);
    // no decrypted copy was left in <home>/cetak
    const cetakDir = join(home.dir, 'cetak');
    expect(existsSync(cetakDir) ? readdirSync(cetakDir) : []).toEqual([]);
  });
});
