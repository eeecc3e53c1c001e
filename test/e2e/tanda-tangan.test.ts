/**
 * Issue 13 ("Indonesian throughout"): a signature's status is shown to people in their language wherever it is
 * printed — the demo's read-back table, `terima` (a kriptogram read at fetch), `terima baca`, `agenda
 * kriptogram-masuk lihat` — while the codes of SignatureStatus ('good', …) stay in --json and the register.
 * And the outgoing register's `signer` is the owner of the Kasi key that signed (its user ID), not the OS user
 * who ran `tandatangani`; the OS user stays the actor of the audit event. The built CLI on a demo home (sandi's own kriptogram to the demo units), no TTY.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sandi, tempHome, type CliResult } from '../helpers/cli.js';
import { ARSIP_PASSPHRASE, DEMO_UNIT_MAILDIR } from '../helpers/terima-fixture.js';

let home: { dir: string; cleanup: () => void };
let demo: CliResult;
let fetch: CliResult;
let km = '';
const run = (args: string[]) => sandi(['--home', home.dir, '--no-input', ...args], { env: { SANDI_OPERATOR: 'sandiman-e2e', SANDI_PASSPHRASE_ARSIP: ARSIP_PASSPHRASE } });

beforeAll(() => {
  if (!existsSync(resolve(import.meta.dirname, '../../dist/cli/tanda-tangan.js'))) throw new Error('dist/ is not built: run `npm run build` first');
  home = tempHome('sandi-e2e-status-ttd-');
  demo = sandi(['--home', home.dir, 'demo']);
  expect(demo.code, demo.stderr).toBe(0);
  fetch = run(['terima', '--dari-folder', join(home.dir, 'maildir', DEMO_UNIT_MAILDIR)]);
  expect(fetch.code, fetch.stderr).toBe(0);
  km = /KM\/\d+\/[IVX]+\/\d{4}/.exec(fetch.stdout)?.[0] ?? '';
  expect(km).not.toBe('');
}, 120_000);
afterAll(() => home?.cleanup());

/** every line that names a signer's status */
const signerLines = (out: string): string[] => out.split('\n').filter((l) => /ditandatangani|signed by|Sandiman \(DEMO\)|Kasi Persandian \(DEMO\)/.test(l));

describe('signature statuses in the operator language (issue 13)', () => {
  it('Indonesian: "sah", never the internal code, in demo, terima, terima baca and agenda lihat', () => {
    const baca = run(['terima', 'baca', km]);
    expect(baca.code, baca.stderr).toBe(0);
    const lihat = run(['agenda', 'kriptogram-masuk', 'lihat', km]);
    expect(lihat.code, lihat.stderr).toBe(0);
    const penandaTangan = lihat.stdout.split('\n').find((l) => l.startsWith('penanda_tangan')) ?? '';
    for (const [name, out] of [['demo', demo.stdout], ['terima', fetch.stdout], ['terima baca', baca.stdout], ['agenda lihat', penandaTangan]] as const) {
      const lines = signerLines(out);
      expect(lines.length, `${name}: ${out}`).toBeGreaterThanOrEqual(1);
      for (const l of lines) {
        expect(l, name).toMatch(/\bsah\b/);
        expect(l, name).not.toMatch(/\bgood\b/);
      }
    }
  });

  it('English with --lang en; --json keeps the code', () => {
    const en = run(['--lang', 'en', 'terima', 'baca', km]);
    expect(en.code, en.stderr).toBe(0);
    const lines = signerLines(en.stdout);
    expect(lines.length).toBe(2);
    for (const l of lines) expect(l).toMatch(/: good$/);
    const json = run(['--json', 'terima', 'baca', km]);
    expect(json.code, json.stderr).toBe(0);
    expect(json.json<{ penandaTangan: { status: string }[] }>().penandaTangan.map((s) => s.status)).toEqual(['good', 'good']);
  });

  it("the outgoing register's signer is the Kasi key's user ID; the audit event keeps who ran it", () => {
    const lihat = run(['--json', 'agenda', 'keluar', 'lihat', '1']);
    expect(lihat.code, lihat.stderr).toBe(0);
    const v = lihat.json<{ baris: { signer: string; signer_fpr?: string }; riwayat: { action: string; actor: string }[] }>();
    const kunci = run(['--json', 'kunci', 'daftar']);
    expect(kunci.code, kunci.stderr).toBe(0);
    const kasiKey = kunci.json<{ role: string; userId: string; hasSecret: boolean }[]>().find((k) => k.role === 'kasi' && k.hasSecret);
    expect(kasiKey).toBeDefined();
    expect(v.baris.signer).toBe(kasiKey!.userId);
    expect(v.riwayat.find((e) => e.action === 'kriptogram_keluar.ditandatangani')?.actor).toBe('kasi-demo');
  });
});
