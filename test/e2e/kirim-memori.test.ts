/**
 * `sandi kirim` of a large document keeps its memory bounded (issue 16: an office PC has 4–8 GB): a 64 MiB
 * document, single operator, local Maildir delivery. The CLI's own peak RSS is read at its exit
 * (process.resourceUsage().maxRSS, printed by a preloaded module), not timed. Measured on a 2-core machine:
 * before the kriptogram was spooled and the outer mail streamed, 1.09–1.30 GB; after, ~365 MB. The bound
 * sits between (about 2x the after-value, well under the before-value).
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sandi, tempHome } from '../helpers/cli.js';

const manifest = JSON.parse(readFileSync(resolve(import.meta.dirname, '../../keys.example/manifest.json'), 'utf8')) as {
  keys: { role: string; email: string; passphrase: string }[];
};
const pass = (role: string) => manifest.keys.find((k) => k.role === role)!.passphrase;
const dinkes = manifest.keys.find((k) => k.role === 'penerima')!.email;

const MIB = 1024 * 1024;
const BOUND_KB = 750 * 1024;
/** prints the process's peak RSS (KiB) to stderr at exit; percent-encoded so NODE_OPTIONS keeps it whole */
const PEAK = `--import=data:text/javascript,${encodeURIComponent("process.on('exit',()=>process.stderr.write('SANDI_MAXRSS='+process.resourceUsage().maxRSS+'\\n'))")}`;

describe('sandi kirim: a 64 MiB document within a bounded memory', () => {
  const tmp = tempHome('sandi-kirim-memori-');
  const home = join(tmp.dir, 'home');
  const env = { SANDI_HOME: home, SANDI_OPERATOR: 'budi' };
  const doc = join(tmp.dir, 'lampiran.bin');

  beforeAll(() => {
    expect(sandi(['demo'], { env }).code).toBe(0);
    writeFileSync(doc, randomBytes(64 * MIB));
  }, 60_000);
  afterAll(() => tmp.cleanup());

  it(`encrypts, archives and delivers it with a peak RSS under ${BOUND_KB / 1024} MB, leaving no temporary file`, () => {
    const r = sandi(
      ['kirim', doc, '--no-input', '--json', '--permohonan-nomor', '005/9', '--permohonan-tanggal', '2026-11-20', '--permohonan-unit', 'Setda', '--kepada', dinkes, '--perihal', 'Lampiran besar', '--sifat', 'Terbatas', '--derajat', 'Biasa'],
      { env: { ...env, SANDI_PASSPHRASE_SANDIMAN: pass('sandiman'), SANDI_PASSPHRASE_KASI: pass('kasi'), NODE_OPTIONS: PEAK } },
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.json<{ row: { status: string } }>().row.status).toBe('terkirim');
    const peak = Number(/SANDI_MAXRSS=(\d+)/.exec(r.stderr)?.[1]);
    expect(peak).toBeGreaterThan(0);
    expect(peak, `peak RSS ${Math.round(peak / 1024)} MB`).toBeLessThan(BOUND_KB);
    // the delivered message (the demo's own are small) carries the whole kriptogram (base64 and armor: ~1.8x the document)
    const inbox = join(home, 'maildir', dinkes, 'new');
    const largest = Math.max(...readdirSync(inbox).map((f) => statSync(join(inbox, f)).size));
    expect(largest).toBeGreaterThan(1.7 * 64 * MIB);
    // the spooled kriptograms (ciphertext) are gone once archived
    const spool = join(home, '.kirim-spool');
    expect(existsSync(spool) ? readdirSync(spool) : []).toEqual([]);
  }, 120_000);
});
