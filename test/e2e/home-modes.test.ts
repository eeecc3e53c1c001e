/**
 * Modes of what holds secrets in a home (issue 12, point 4): the database and its -wal/-shm are 0600 whatever
 * the umask, a loose database this user owns is repaired at open, and a loose folder holding secrets (the home,
 * kunci/, kredensial/, arsip/ and its folders) is refused with exit 77 and the chmod that fixes it, as kunci/ is.
 * Set-up (`init`, `demo`) tightens a home made beforehand by mkdir.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chmodSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import Database, { type Db } from '../../src/adapters/sqlite/driver.js';
import { sandi, tempHome } from '../helpers/cli.js';

const mode = (p: string): string => (statSync(p).mode & 0o777).toString(8);

function folders(dir: string): string[] {
  const out = [dir];
  for (const e of readdirSync(dir, { withFileTypes: true })) if (e.isDirectory()) out.push(...folders(join(dir, e.name)));
  return out;
}

describe('home modes', () => {
  const t = tempHome('sandi-modes-');
  const home = join(t.dir, 'rumah');
  const env = { SANDI_PASSPHRASE: 'uji-rahasia-panjang-123' };
  const run = (args: string[]) => sandi(['--home', home, ...args], { env });
  afterAll(() => t.cleanup());

  beforeAll(() => {
    mkdirSync(home, { mode: 0o755 }); // as an operator's mkdir leaves it (umask 022)
    chmodSync(home, 0o755);
  });

  it('init tightens a home made by mkdir and creates the database 0600', () => {
    const r = run(['init', '--no-input', '--nama-kantor', 'Diskominfo Uji', '--kode-unit', 'DKU', '--buat-kunci-arsip', '--email-arsip', 'arsip@uji.test']);
    expect(r.code, r.stderr).toBe(0);
    expect(mode(home)).toBe('700');
    expect(mode(join(home, 'sandi.db'))).toBe('600');
    expect(mode(join(home, 'kunci'))).toBe('700');
  }, 60_000);

  it('makes -wal and -shm 0600 too (a reader keeps them on disk)', () => {
    let reader: Db | undefined;
    try {
      reader = new Database(join(home, 'sandi.db'), { readonly: true });
      reader.prepare('SELECT count(*) FROM audit_log').get();
      const r = run(['kunci', 'daftar']);
      expect(r.code, r.stderr).toBe(0);
      expect(mode(join(home, 'sandi.db-wal'))).toBe('600');
      expect(mode(join(home, 'sandi.db-shm'))).toBe('600');
    } finally {
      reader?.close();
    }
  });

  it('repairs a database that this user owns and someone made 0644', () => {
    chmodSync(join(home, 'sandi.db'), 0o644);
    const r = run(['agenda', 'keluar', 'daftar']);
    expect(r.code, r.stderr).toBe(0);
    expect(mode(join(home, 'sandi.db'))).toBe('600');
  });

  it('refuses a kredensial/ folder at 0755 (exit 77) naming the folder and the chmod, like kunci/', () => {
    const dir = join(home, 'kredensial');
    mkdirSync(dir, { mode: 0o755 });
    chmodSync(dir, 0o755);
    const r = sandi(['--home', home, '--lang', 'en', 'agenda', 'keluar', 'daftar']);
    expect(r.code).toBe(77);
    expect(r.stderr).toContain(dir);
    expect(r.stderr).toContain(`chmod 700 ${dir}`);
    chmodSync(dir, 0o700);
    expect(run(['agenda', 'keluar', 'daftar']).code).toBe(0);
  });

  it('refuses a loose home, kunci/ or arsip/ folder, naming every loose one', () => {
    const tmp = join(home, 'arsip', 'surat-masuk', 'tmp');
    mkdirSync(tmp, { recursive: true, mode: 0o700 });
    for (const d of [home, join(home, 'kunci'), tmp]) chmodSync(d, 0o750);
    const r = sandi(['--home', home, '--lang', 'en', 'kunci', 'daftar']);
    expect(r.code).toBe(77);
    expect(r.stderr).toContain(`chmod 700 ${home} ${join(home, 'kunci')} ${tmp}`);
    for (const d of [home, join(home, 'kunci'), tmp]) chmodSync(d, 0o700);
    expect(run(['kunci', 'daftar']).code).toBe(0);
    // a folder of arsip/ holding no raw mail or letter contents is not sandi's to judge
    mkdirSync(join(home, 'arsip', 'lain'), { mode: 0o755 });
    chmodSync(join(home, 'arsip', 'lain'), 0o755);
    expect(run(['kunci', 'daftar']).code).toBe(0);
  });
});

describe('demo home modes', () => {
  const t = tempHome('sandi-modes-demo-');
  afterAll(() => t.cleanup());

  it('leaves the database 0600 and every folder 0700', () => {
    const r = sandi(['demo'], { cwd: t.dir });
    expect(r.code, r.stderr).toBe(0);
    const home = join(t.dir, '.sandi-demo');
    expect(mode(join(home, 'sandi.db'))).toBe('600');
    for (const d of folders(home)) expect(mode(d), d).toBe('700');
  }, 60_000);
});
