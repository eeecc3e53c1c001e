/**
 * Large documents: the kriptograms are spooled to a private file and archived from it, the draft and the
 * final kriptogram are read back in chunks (src/services/kirim/context.ts encryptedSpool, message.ts,
 * paraf.ts). Two things are held here: the memory stays bounded, and the chunked reads keep the checks the
 * whole-file reads made (a changed draft or final kriptogram is INTEGRITY, 79, before anything is sent).
 *
 * `sandi kirim` of a large document keeps its memory bounded (issue 16: an office PC has 4–8 GB): a 64 MiB
 * document, single operator, local Maildir delivery. The CLI's own peak RSS is read at its exit
 * (process.resourceUsage().maxRSS, printed by a preloaded module), not timed. Measured on a 2-core machine:
 * before the kriptogram was spooled and the outer mail streamed, 1.09–1.30 GB; after, ~365 MB. The bound
 * sits between (about 2x the after-value, well under the before-value).
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
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
    // what a run killed mid-encrypt leaves: a spool file of a process that is gone (swept by the next run)
    const spool = join(home, '.kirim-spool');
    mkdirSync(spool, { recursive: true, mode: 0o700 });
    const gone = spawnSync(process.execPath, ['-e', '0']).pid;
    writeFileSync(join(spool, `${gone}-00112233aabbccdd.tmp`), 'ciphertext of a killed run');
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
    // the spooled kriptograms (ciphertext) are gone once archived, and the killed run's leftover with them
    expect(readdirSync(spool)).toEqual([]);
  }, 120_000);
});

describe('sandi kirim: the chunked reads of the draft and the final kriptogram keep their hash checks (two-person, local Maildir)', () => {
  const tmp = tempHome('sandi-kirim-utuh-');
  const home = join(tmp.dir, 'home');
  const env = { SANDI_HOME: home, SANDI_OPERATOR: 'budi' };
  const doc = join(tmp.dir, 'nota.txt');
  const out = join(home, 'arsip', 'kriptogram-keluar');
  /** the file under `dir` whose name matches `re`, written last */
  const newest = (dir: string, re: RegExp): string =>
    readdirSync(dir)
      .filter((f) => re.test(f))
      .map((f) => join(dir, f))
      .sort((a, b) => statSync(a).mtimeMs - statSync(b).mtimeMs)
      .at(-1)!;
  /** `path` with one byte changed at `at` (from its end when negative) to `to`; gives back the original */
  const tamper = (path: string, at: number, to: number): Buffer => {
    const orig = readFileSync(path);
    const bad = Buffer.from(orig);
    const i = at < 0 ? bad.length + at : at;
    bad[i] = bad[i] === to ? to ^ 1 : to;
    writeFileSync(path, bad);
    return orig;
  };

  beforeAll(() => {
    expect(sandi(['demo'], { env }).code).toBe(0);
    const cfgPath = join(home, 'config.json');
    const cfg = JSON.parse(readFileSync(cfgPath, 'utf8')) as { singleOperator: boolean };
    cfg.singleOperator = false;
    writeFileSync(cfgPath, JSON.stringify(cfg, null, 2));
    writeFileSync(doc, 'Nota dinas untuk uji keutuhan.\n'.repeat(2000));
  }, 60_000);
  afterAll(() => tmp.cleanup());

  it('a changed draft stops the signature, a changed final kriptogram (armor-shaped or not) stops the send; restored, both go on', () => {
    const r1 = sandi(
      ['kirim', doc, '--no-input', '--json', '--permohonan-nomor', '005/3', '--permohonan-tanggal', '2026-11-20', '--permohonan-unit', 'Setda', '--kepada', dinkes, '--perihal', 'Rapat', '--sifat', 'Terbatas', '--derajat', 'Segera'],
      { env: { ...env, SANDI_PASSPHRASE_SANDIMAN: pass('sandiman') } },
    );
    expect(r1.code, r1.stderr).toBe(0);
    const id = String(r1.json<{ row: { id: number } }>().row.id);
    const kasi = { env: { ...env, SANDI_PASSPHRASE_KASI: pass('kasi') } };

    const draft = newest(join(out, 'draf'), /^[0-9a-f]{64}\.pgp$/);
    const draftBytes = tamper(draft, 200, 0x41);
    const refused = sandi(['kirim', 'tandatangani', id, '--no-input'], kasi);
    expect(refused.code, refused.stderr).toBe(79);
    writeFileSync(draft, draftBytes);
    const signed = sandi(['kirim', 'tandatangani', id, '--no-input', '--json'], kasi);
    expect(signed.code, signed.stderr).toBe(0);

    const inbox = join(home, 'maildir', dinkes, 'new');
    const delivered = readdirSync(inbox).length;
    const final = newest(out, new RegExp(`^${id}-[0-9a-f]{16}\\.asc$`));
    // a base64 letter in the middle changed: still armor, only the hash tells
    const finalBytes = tamper(final, Math.floor(readFileSync(final).length / 2), 0x42);
    expect(sandi(['kirim', 'lanjut', id, '--json'], { env }).code).toBe(79);
    // a byte no armor may hold, near the end: reported as a changed file, not as bad armor
    writeFileSync(final, finalBytes);
    tamper(final, -40, 0x00);
    expect(sandi(['kirim', 'lanjut', id, '--json'], { env }).code).toBe(79);
    expect(readdirSync(inbox)).toHaveLength(delivered);
    writeFileSync(final, finalBytes);
    const sent = sandi(['kirim', 'lanjut', id, '--json'], { env });
    expect(sent.code, sent.stderr).toBe(0);
    expect(sandi(['kirim', 'status', '--semua', '--json'], { env }).json<{ id: number; status: string }[]>().find((x) => String(x.id) === id)?.status).toBe('terkirim');
  }, 60_000);
});
