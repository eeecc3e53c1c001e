import { describe, expect, it } from 'vitest';
import { validateConfig, defaultConfig } from '../../src/config/config.js';
import { SandiError } from '../../src/errors.js';
import { parseServiceHours, DEFAULT_SERVICE_HOURS } from '../../src/domain/service-hours.js';
import { resolveHome } from '../../src/config/home.js';
import { param } from '../../src/cli/messages/index.js';

const FPR = 'A'.repeat(40);
 
type Cfg = Record<string, any>;
const base = () => JSON.parse(JSON.stringify(defaultConfig({ officeName: 'Diskominfo Kota Contoh', unitCode: 'KOMINFO', archiveKey: FPR }))) as Record<string, unknown>;

function errorOf(fn: () => unknown): SandiError {
  try {
    fn();
  } catch (e) {
    if (e instanceof SandiError) return e;
    throw e;
  }
  throw new Error('expected a SandiError');
}

describe('config validation', () => {
  it('accepts the default configuration', () => {
    const c = validateConfig(base(), '/x/config.json');
    expect(c.office.timeZone).toBe('Asia/Jakarta');
    expect(c.numberFormats.kriptogramKeluar).toBe('KRIP/{urut:3}/{bulan}/{tahun}');
    expect(c.mailbox).toBeNull();
  });

  it.each([
    ['office.timeZone', (c: Cfg) => (c['office'].timeZone = 'Asia/Singapore'), '"Asia/Jakarta" | "Asia/Makassar" | "Asia/Jayapura"'],
    ['archiveKey', (c: Cfg) => (c['archiveKey'] = 'abc'), '40 upper-case hex'],
    ['numberFormats.kriptogramKeluar', (c: Cfg) => (c['numberFormats'].kriptogramKeluar = 'KRIP/{nomor}'), '{nomor} is not allowed'],
    ['numberFormats.suratMasuk', (c: Cfg) => (c['numberFormats'].suratMasuk = 'SM/{tahun}'), '{urut} is not allowed or missing'],
    ['serviceHours', (c: Cfg) => (c['serviceHours'] = { senin: [['16:00', '08:00']] }), 'ending after it starts'],
    ['mailbox.imap.port', (c: Cfg) => (c['mailbox'] = { user: 'a@b', imap: { host: 'h', port: 99999, tls: 'tls' }, smtp: { host: 'h', port: 587, tls: 'starttls' } }), 'port number'],
    ['mailbox.smtp.tls', (c: Cfg) => (c['mailbox'] = { user: 'a@b', imap: { host: 'h', port: 993, tls: 'tls' }, smtp: { host: 'h', port: 587, tls: 'ssl' } }), '"tls" | "starttls"'],
    ['version', (c: Cfg) => (c['version'] = 7), '1'],
  ])('names the key %s and the expected value', (key, edit, expected) => {
    const c = base();
    edit(c);
    const e = errorOf(() => validateConfig(c, '/etc/sandi/config.json'));
    expect(e.code).toBe('CONFIG');
    expect(e.exitCode).toBe(78);
    expect(e.params['file']).toBe('/etc/sandi/config.json');
    expect(e.params['key']).toBe(key);
    // the expected form is a message carried as data (issue 13): said in English with --lang en
    expect(param(e.params['expected']!, 'en')).toContain(expected);
  });

  it('refuses a password written into the file, naming the key but not the value', () => {
    const c = base();
    c['mailbox'] = { user: 'a@b', password: 'hunter2', imap: { host: 'h', port: 993, tls: 'tls' }, smtp: { host: 'h', port: 465, tls: 'tls' } };
    const e = errorOf(() => validateConfig(c, 'f'));
    expect(e.key).toBe('config.secretInFile');
    expect(e.params['key']).toBe('mailbox.password');
    expect(JSON.stringify(e.params)).not.toContain('hunter2');
  });
});

describe('service hours text form', () => {
  it('parses the standard office hours', () => {
    expect(parseServiceHours('senin-kamis=08:00-12:00,13:00-16:00;jumat=08:00-11:00')).toEqual(DEFAULT_SERVICE_HOURS);
  });
  it.each(['', 'senin=8-16', 'kamis-senin=08:00-16:00', 'libur=08:00-16:00', 'senin=16:00-08:00'])('rejects %j', (s) => {
    expect(parseServiceHours(s)).toBeNull();
  });
});

describe('home folder', () => {
  it('prefers --home, then SANDI_HOME, then XDG_CONFIG_HOME', () => {
    expect(resolveHome('/a', { SANDI_HOME: '/b', XDG_CONFIG_HOME: '/c' })).toBe('/a');
    expect(resolveHome(undefined, { SANDI_HOME: '/b', XDG_CONFIG_HOME: '/c' })).toBe('/b');
    expect(resolveHome(undefined, { XDG_CONFIG_HOME: '/c' })).toBe('/c/sandi');
  });
});

describe('hostile config.json (issue 12, point 5)', () => {
  const deep = (n: number): unknown => JSON.parse(`${'['.repeat(n)}${']'.repeat(n)}`);

  it('refuses 5,000 nested arrays as the whole file or under a key: CONFIG naming the file and where, no stack overflow', () => {
    const whole = errorOf(() => validateConfig(deep(5000), '/etc/sandi/config.json'));
    expect(whole.key).toBe('config.tooDeep');
    expect(whole.exitCode).toBe(78);
    expect(whole.params['file']).toBe('/etc/sandi/config.json');
    expect(String(whole.params['key'])).toMatch(/^\[0\]\[0\]/);
    expect(String(whole.params['key']).length).toBeLessThan(140);

    for (const k of ['terima', 'aduan', 'mailbox', 'rahasia']) {
      const c = base();
      c[k] = deep(5000);
      const e = errorOf(() => validateConfig(c, 'f'));
      expect(e.key, k).toBe('config.tooDeep');
      expect(String(e.params['key']).startsWith(`${k}[0]`), String(e.params['key'])).toBe(true);
    }
  });

  it('accepts nesting up to the limit and finds secret keys deep inside, in document order', () => {
    const c = base();
    c['terima'] = undefined;
    let nested: Record<string, unknown> = { password: 'x' };
    for (let i = 0; i < 20; i++) nested = { a: nested };
    c['pdf'] = nested;
    c['mailbox'] = { user: 'a@b', secret: 'y', imap: { host: 'h', port: 993, tls: 'tls' }, smtp: { host: 'h', port: 465, tls: 'tls' } };
    const e = errorOf(() => validateConfig(JSON.parse(JSON.stringify(c)), 'f'));
    expect(e.key).toBe('config.secretInFile');
    expect(e.params['key']).toBe('mailbox.secret');
  });

  it('refuses a file over 1 MiB without parsing it', async () => {
    const fs = await import('node:fs');
    const os = await import('node:os');
    const path = await import('node:path');
    const cfg = await import('../../src/config/config.js');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sandi-cfg-'));
    try {
      const file = path.join(dir, 'config.json');
      fs.writeFileSync(file, JSON.stringify({ ...base(), filler: 'x'.repeat(2 * 1024 * 1024) }));
      const e = errorOf(() => cfg.loadConfig(file));
      expect(e.key).toBe('config.tooLarge');
      expect(e.exitCode).toBe(78);
      expect(e.params['file']).toBe(file);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('jsonTooDeep', () => {
  it('walks a million levels without recursion and names where the limit is passed', async () => {
    const { jsonTooDeep, JSON_MAX_DEPTH } = await import('../../src/domain/json-limits.js');
    const n = 1_000_000;
    expect(jsonTooDeep(JSON.parse(`${'['.repeat(n)}${']'.repeat(n)}`))).toMatch(/^\[0\]/);
    expect(jsonTooDeep({ a: [{ b: 1 }] })).toBeNull();
    expect(jsonTooDeep('text')).toBeNull();
    let ok: unknown = 1;
    for (let i = 0; i < JSON_MAX_DEPTH; i++) ok = [ok];
    expect(jsonTooDeep(ok)).toBeNull();
    expect(jsonTooDeep({ x: ok })).toBe(`x${'[0]'.repeat(JSON_MAX_DEPTH - 1)}`);
  });
});
