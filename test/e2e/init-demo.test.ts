import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, readdirSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { sandi, tempHome } from '../helpers/cli.js';
import { expectNextNumber } from '../helpers/numbering.js';

interface DemoJson {
  nomor: string;
  registerId: number;
  deliveredTo: { email: string; maildir: string }[];
  readBack: { signers: { status: string }[]; identical: boolean; subject: string };
  audit: { ok: boolean; rows: number };
  archivedAt: string;
}

function walk(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...walk(p));
    else out.push(p);
  }
  return out;
}

const manifest = JSON.parse(readFileSync(new URL('../../keys.example/manifest.json', import.meta.url), 'utf8')) as {
  keys: { slug: string; fingerprint: string; passphrase: string; role: string }[];
};

describe('sandi demo', () => {
  const t = tempHome('sandi-demo-');
  afterAll(() => t.cleanup());

  it('runs the whole outgoing flow on local storage, twice, with continuing numbers', () => {
    const first = sandi(['--json', 'demo'], { cwd: t.dir });
    expect(first.stderr).not.toContain('Galat');
    expect(first.code).toBe(0);
    const r1 = first.json<DemoJson>();
    expect(r1.nomor).toMatch(/^KRIP\/001\/[IVXLC]+\/20\d\d$/);
    expect(r1.readBack.signers.map((s) => s.status)).toEqual(['good', 'good']);
    expect(r1.readBack.identical).toBe(true);
    expect(r1.audit.ok).toBe(true);
    expect(r1.deliveredTo).toHaveLength(2);

    const before = new Date();
    const second = sandi(['--json', 'demo'], { cwd: t.dir });
    const after = new Date();
    expect(second.code).toBe(0);
    // KRIP/002 in the same year; KRIP/001/I/<next year> when the run crossed midnight of 31 December WIB
    expectNextNumber(r1.nomor, second.json<DemoJson>().nomor, { before, after });

    const audit = sandi(['--home', join(t.dir, '.sandi-demo'), '--json', 'audit', 'periksa']);
    expect(audit.code).toBe(0);
  });

  it('leaves no plaintext of the document or its subject on disk, and secret keys 0600', () => {
    const home = join(t.dir, '.sandi-demo');
    for (const f of walk(home)) {
      const bytes = readFileSync(f);
      expect(bytes.includes(Buffer.from('rapat koordinasi')), f).toBe(false);
      expect(bytes.includes(Buffer.from('Pengamanan Informasi Pilkada')), f).toBe(false);
      if (f.endsWith('.sec.asc')) expect(statSync(f).mode & 0o077, f).toBe(0);
    }
  });

  it('refuses to run in a home that holds a real office', () => {
    const home = join(t.dir, '.sandi-demo');
    const cfgPath = join(home, 'config.json');
    const cfg = JSON.parse(readFileSync(cfgPath, 'utf8')) as Record<string, unknown>;
    writeFileSync(cfgPath, JSON.stringify({ ...cfg, mode: 'produksi' }));
    const r = sandi(['demo'], { cwd: t.dir });
    expect(r.code).toBe(81);
    expect(r.stderr).toContain(home);
    writeFileSync(cfgPath, JSON.stringify(cfg));
  });

  it('names the file, key and expected value of a broken config', () => {
    const home = join(t.dir, '.sandi-demo');
    const cfgPath = join(home, 'config.json');
    const cfg = JSON.parse(readFileSync(cfgPath, 'utf8')) as { office: Record<string, unknown> };
    cfg.office['timeZone'] = 'Asia/Singapore';
    writeFileSync(cfgPath, JSON.stringify(cfg));
    const r = sandi(['--lang', 'en', 'demo'], { cwd: t.dir });
    expect(r.code).toBe(78);
    expect(r.stderr).toContain(cfgPath);
    expect(r.stderr).toContain('office.timeZone');
    expect(r.stderr).toContain('Asia/Makassar');
    writeFileSync(cfgPath, '{ not json');
    const r2 = sandi(['demo'], { cwd: t.dir });
    expect(r2.code).toBe(78);
    expect(r2.stderr).toContain(cfgPath);
  });
});

describe('sandi init', () => {
  const t = tempHome('sandi-init-');
  afterAll(() => t.cleanup());
  const passFile = join(t.dir, 'pass.txt');
  beforeAll(() => {
    writeFileSync(passFile, 'arsip kantor rahasia 2026\n', { mode: 0o600 });
  });

  it('without a terminal names every missing flag (exit 64) and writes nothing', () => {
    const home = join(t.dir, 'a');
    const r = sandi(['--home', home, 'init']);
    expect(r.code).toBe(64);
    for (const f of ['--nama-kantor', '--kode-unit', '--kunci-arsip']) expect(r.stderr).toContain(f);
    expect(() => statSync(join(home, 'config.json'))).toThrow();
  });

  it('creates the office with a new archive key from flags, then refuses to overwrite', () => {
    const home = join(t.dir, 'b');
    const args = ['--home', home, '--no-input', '--json', 'init', '--nama-kantor', 'Diskominfo Kota Uji', '--kode-unit', 'KOMINFO', '--zona-waktu', 'Asia/Makassar',
      '--buat-kunci-arsip', '--email-arsip', 'arsip@kominfo.uji.go.id', '--passphrase-file', passFile, '--akun-user', 'persandian@kota.go.id', '--imap-host', 'imap.kota.go.id', '--smtp-host', 'smtp.kota.go.id'];
    const r = sandi(args);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = r.json<{ config: { office: { timeZone: string }; archiveKey: string; mailbox: { imap: { port: number }; smtp: { port: number; tls: string } } }; createdArchiveKey: boolean }>();
    expect(out.createdArchiveKey).toBe(true);
    expect(out.config.office.timeZone).toBe('Asia/Makassar');
    expect(out.config.mailbox.imap.port).toBe(993);
    expect(out.config.mailbox.smtp).toMatchObject({ port: 587, tls: 'starttls' });
    expect(statSync(join(home, 'config.json')).mode & 0o077).toBe(0);
    expect(readFileSync(join(home, 'config.json'), 'utf8')).not.toContain('arsip kantor rahasia');
    expect(statSync(join(home, 'hari-libur.tsv')).size).toBeGreaterThan(100);

    const again = sandi(args);
    expect(again.code).toBe(81);
    const list = sandi(['--home', home, '--json', 'kunci', 'daftar']);
    expect(list.code).toBe(0);
    expect(list.json<{ role: string; fingerprint: string }[]>().filter((k) => k.role === 'arsip').map((k) => k.fingerprint)).toEqual([out.config.archiveKey]);
  });

  it('refuses a DEMO key as the archive key outside demo mode unless told', () => {
    const home = join(t.dir, 'c');
    mkdirSync(home);
    const arsip = manifest.keys.find((k) => k.role === 'arsip')!;
    const imp = sandi(['--home', home, 'kunci', 'impor', new URL('../../keys.example/arsip.sec.asc', import.meta.url).pathname, '--peran', 'arsip']);
    expect(imp.code, imp.stderr).toBe(0);
    const base = ['--home', home, 'init', '--nama-kantor', 'Kantor Latihan', '--kode-unit', 'LATIH', '--kunci-arsip', arsip.fingerprint];
    const refused = sandi(base);
    expect(refused.code).toBe(82);
    expect(refused.stderr).toContain(arsip.fingerprint);
    expect(refused.stderr).toContain('DEMO');
    const allowed = sandi([...base, '--izinkan-kunci-demo']);
    expect(allowed.code, allowed.stderr).toBe(0);
  });
});
