/**
 * config.json through its one schema (issue 13, defect 8): a table of bad files → the message an operator reads.
 * Unknown keys are refused at every level naming the closest known key; wrong types name the key path and the
 * expected form; JSON syntax errors give line and column and the line with a caret under the place.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultConfig, loadConfig, validateConfig } from '../../src/config/config.js';
import { closest } from '../../src/config/schema.js';
import { jsonSyntaxErrorAt } from '../../src/domain/json-syntax.js';
import { SandiError } from '../../src/errors.js';
import { t } from '../../src/cli/messages/index.js';

const FPR = 'A'.repeat(40);
type Cfg = Record<string, any>;
const base = (): Cfg => JSON.parse(JSON.stringify(defaultConfig({ officeName: 'Diskominfo Kota Contoh', unitCode: 'KOMINFO', archiveKey: FPR }))) as Cfg;

function errorOf(fn: () => unknown): SandiError {
  try {
    fn();
  } catch (e) {
    if (e instanceof SandiError) return e;
    throw e;
  }
  throw new Error('expected a SandiError');
}
const say = (e: SandiError, lang: 'id' | 'en' = 'en'): string => t(e.key, e.params, lang);

const dir = mkdtempSync(join(tmpdir(), 'sandi-schema-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
function load(text: string): SandiError {
  const file = join(dir, 'config.json');
  writeFileSync(file, text);
  return errorOf(() => loadConfig(file));
}

describe('config schema: unknown keys', () => {
  it.each([
    ['singleOperator at the top', (c: Cfg) => ((c['singelOperator'] = true), delete c['singleOperator']), 'singelOperator', 'singleOperator'],
    ['office.timeZone', (c: Cfg) => (c['office'].timezone = 'Asia/Makassar'), 'office.timezone', 'timeZone'],
    ['a mailbox endpoint', (c: Cfg) => (c['mailbox'] = { user: 'a@b', imap: { host: 'h', prot: 993, port: 993, tls: 'tls' }, smtp: { host: 'h', port: 587, tls: 'starttls' } }), 'mailbox.imap.prot', 'port'],
    ['a number format', (c: Cfg) => (c['numberFormats'] = { kriptogramKeluar: 'K/{urut}/{tahun}', suratMasok: 'SM/{urut}/{tahun}' }), 'numberFormats.suratMasok', 'suratMasuk'],
    ['terima', (c: Cfg) => (c['terima'] = { tandatanganMinimal: 2 }), 'terima.tandatanganMinimal', 'tandaTanganMinimal'],
    ['a terima step standard', (c: Cfg) => (c['terima'] = { standar: { tandaTerima: 30 } }), 'terima.standar.tandaTerima', 'tandaterima'],
    ['an aduan deadline', (c: Cfg) => (c['aduan'] = { kanal: { lapor: { tenggat: { tindaklanjut: 4 } } } }), 'aduan.kanal.lapor.tenggat.tindaklanjut', 'tindakLanjut'],
    ['pdf', (c: Cfg) => (c['pdf'] = { fontbold: '/f/x.ttf' }), 'pdf.fontbold', 'fontBold'],
  ])('%s: refused naming the key and the closest known one', (_what, edit, key, suggestion) => {
    const c = base();
    edit(c);
    const e = errorOf(() => validateConfig(c, '/etc/sandi/config.json'));
    expect(e.key).toBe('config.unknownKey');
    expect(e.exitCode).toBe(78);
    expect(e.params['key']).toBe(key);
    expect(e.params['suggestion']).toBe(suggestion);
    expect(say(e)).toContain(`unknown key "${key}"; did you mean "${suggestion}"?`);
    expect(say(e, 'id')).toContain(`kunci "${key}" tidak dikenal; maksudnya "${suggestion}"?`);
  });

  it('a key like none known is refused listing the keys known there', () => {
    const c = base();
    c['office'].alamat = 'Jl. Merdeka 1';
    const e = errorOf(() => validateConfig(c, 'f'));
    expect(e.key).toBe('config.unknownKeyNoGuess');
    expect(say(e)).toBe('Configuration f: unknown key "office.alamat" (known here: "name", "unitCode", "timeZone", "parent", "address", "phone", "email", "website", "city", "head").');
  });

  it('a misspelt key is reported before the key it left missing', () => {
    const c = base();
    c['archivKey'] = c['archiveKey'];
    delete c['archiveKey'];
    const e = errorOf(() => validateConfig(c, 'f'));
    expect([e.key, e.params['key'], e.params['suggestion']]).toEqual(['config.unknownKey', 'archivKey', 'archiveKey']);
  });

  it('a "password" key is still refused as a secret, not as a misspelt passwordCommand', () => {
    const c = base();
    c['mailbox'] = { user: 'a@b', password: 'x', imap: { host: 'h', port: 993, tls: 'tls' }, smtp: { host: 'h', port: 465, tls: 'tls' } };
    expect(errorOf(() => validateConfig(c, 'f')).key).toBe('config.secretInFile');
  });

  it('closest: transpositions and case count as near; unrelated words do not', () => {
    expect(closest('singelOperator', ['singleOperator', 'mode'])).toBe('singleOperator');
    expect(closest('ARCHIVEKEY', ['archiveKey'])).toBe('archiveKey');
    expect(closest('alamat', ['name', 'unitCode', 'timeZone'])).toBeNull();
  });
});

describe('config schema: wrong types name the key path and the expected form', () => {
  it.each([
    ['singleOperator', (c: Cfg) => (c['singleOperator'] = 'ya'), 'Configuration f: key "singleOperator" has the value "ya"; expected: true | false.'],
    ['office.name', (c: Cfg) => delete c['office'].name, 'Configuration f: key "office.name" has the value (missing); expected: the office name'],
    ['mode', (c: Cfg) => (c['mode'] = 'uji'), 'key "mode" has the value "uji"; expected: "produksi" | "demo".'],
    ['mailbox.smtp.port', (c: Cfg) => (c['mailbox'] = { user: 'a@b', imap: { host: 'h', port: 993, tls: 'tls' }, smtp: { host: 'h', port: '587', tls: 'starttls' } }), 'key "mailbox.smtp.port" has the value "587"; expected: port number 1–65535.'],
    ['mailbox.sentFolder', (c: Cfg) => (c['mailbox'] = { user: 'a@b', imap: { host: 'h', port: 993, tls: 'tls' }, smtp: { host: 'h', port: 587, tls: 'starttls' }, sentFolder: true }), 'key "mailbox.sentFolder" has the value true; expected: an IMAP folder name, or false.'],
    ['terima.batasUkuran', (c: Cfg) => (c['terima'] = { batasUkuran: -1 }), 'key "terima.batasUkuran" has the value -1; expected: a size in bytes > 0.'],
    ['aduan.kanal.lapor.tenggat.verifikasi', (c: Cfg) => (c['aduan'] = { kanal: { lapor: { tenggat: { verifikasi: 0 } } } }), 'key "aduan.kanal.lapor.tenggat.verifikasi" has the value 0; expected: whole working days 1–365, or null.'],
    ['(root)', (c: Cfg) => (c['office'] = 'Diskominfo'), 'key "office" has the value "Diskominfo"; expected: object {...}.'],
  ])('%s', (_key, edit, message) => {
    const c = base();
    edit(c);
    const e = errorOf(() => validateConfig(c, 'f'));
    expect(e.key).toBe('config.invalid');
    expect(say(e)).toContain(message);
  });

  it('a whole file that is not an object', () => {
    expect(say(errorOf(() => validateConfig([1, 2], 'f')))).toContain('key "(root)" has the value [1,2]; expected: object {...}.');
  });
});

/** English that leaked into the Indonesian frame (issue 13): whole words only, so "nama " does not count as "a ". */
const ENGLISH = /(^|[^\p{L}])(a|an|the|of|or|is|expected|missing|allowed|digits|number|unexpected|one of|path of|or false|e\.g\.)(?=[^\p{L}]|$)/iu;

describe('config problems speak the operator\'s language (issue 13: no English inside the Indonesian message)', () => {
  const mailbox = (imapPort: unknown) => ({ user: 'a@b', imap: { host: 'h', port: imapPort, tls: 'tls' }, smtp: { host: 'h', port: 587, tls: 'starttls' } });
  it.each([
    ['a bad number format', (c: Cfg) => (c['numberFormats'].kriptogramKeluar = 'X/{foo}'), 'kunci "numberFormats.kriptogramKeluar" bernilai "X/{foo}"; yang diharapkan: format dengan {urut[:lebar]} dan {tahun}', '{foo} is not allowed or missing'],
    ['a number format without {urut}', (c: Cfg) => (c['numberFormats'].suratMasuk = 'SM/{tahun}'), '{urut} tidak dikenal atau tidak ada', '{urut} is not allowed or missing'],
    ['a bad port', (c: Cfg) => (c['mailbox'] = mailbox(99999)), 'yang diharapkan: nomor port 1–65535.', 'expected: port number 1–65535.'],
    ['a port as text', (c: Cfg) => (c['mailbox'] = mailbox('993')), 'yang diharapkan: nomor port 1–65535.', 'expected: port number 1–65535.'],
    ['an unknown key with a suggestion', (c: Cfg) => ((c['singelOperator'] = true), delete c['singleOperator']), 'maksudnya "singleOperator"?', 'did you mean "singleOperator"?'],
    ['a bad NIP', (c: Cfg) => (c['office'].head = { nip: '1976-12' }), 'yang diharapkan: NIP 18 angka, mis. "197612312005012003".', 'expected: an NIP of 18 digits, e.g. "197612312005012003".'],
    ['a bad archive key fingerprint', (c: Cfg) => (c['archiveKey'] = 'a'.repeat(40)), 'sidik jari kunci arsip kantor (40 digit heksadesimal huruf besar)', 'fingerprint of the office archive key (40 upper-case hex digits)'],
    ['a missing office name', (c: Cfg) => delete c['office'].name, 'kunci "office.name" bernilai (tidak ada); yang diharapkan: nama kantor, mis.', 'has the value (missing); expected: the office name, e.g.'],
    ['a sent folder that is true', (c: Cfg) => (c['mailbox'] = { ...mailbox(993), sentFolder: true }), 'yang diharapkan: nama folder IMAP, atau false.', 'expected: an IMAP folder name, or false.'],
    ['a font that is not a font', (c: Cfg) => (c['pdf'] = { font: '/x/huruf.png' }), 'lokasi berkas fon TrueType atau OpenType', 'path of a TrueType or OpenType font file'],
    ['a bad password command', (c: Cfg) => (c['mailbox'] = { ...mailbox(993), passwordCommand: 'ambil-sandi --akun x' }), 'perintah sebagai larik argumen, mis.', 'a command as an array of arguments, e.g.'],
    // the domain rules' own texts (service-hours.ts, terima.ts, aduan.ts), translated in schema.ts
    ['service hours out of order', (c: Cfg) => (c['serviceHours'] = { senin: [['16:00', '08:00']] }), 'senin: selang waktu berurutan, masing-masing berakhir setelah mulai', 'senin: intervals in order, each ending after it starts'],
    ['service hours on an unknown day', (c: Cfg) => (c['serviceHours'] = { monday: [] }), 'nama hari (senin, selasa, rabu, kamis, jumat, sabtu, minggu), bukan "monday"', 'a day name (senin, selasa, rabu, kamis, jumat, sabtu, minggu), not "monday"'],
    ['service hours not as pairs', (c: Cfg) => (c['serviceHours'] = { senin: [['08:00']] }), 'senin: selang waktu berbentuk ["JJ:MM","JJ:MM"]', 'senin: intervals as ["HH:MM","HH:MM"]'],
    ['service hours not a list', (c: Cfg) => (c['serviceHours'] = { senin: '08:00-12:00' }), 'senin: daftar selang waktu', 'senin: a list of ["HH:MM","HH:MM"] intervals'],
    ['service hours not an object', (c: Cfg) => (c['serviceHours'] = 'senin-jumat'), 'objek berisi hari', 'an object of days'],
    ['terima.folder empty', (c: Cfg) => (c['terima'] = { folder: ' ' }), 'teks yang tidak kosong', 'non-empty text'],
    ['terima.printer', (c: Cfg) => (c['terima'] = { printer: 'cups/x' }), 'nama printer CUPS', 'a CUPS printer name'],
    ['terima.batasUkuran', (c: Cfg) => (c['terima'] = { batasUkuran: -1 }), 'ukuran dalam bita, lebih dari 0', 'a size in bytes > 0'],
    ['terima.paraf', (c: Cfg) => (c['terima'] = { paraf: ['Kasi', 'Kasi'] }), 'daftar tingkat paraf yang berbeda-beda, mis. ["Kasi", "Kabid", "Kadis"]', 'a list of distinct tiers, e.g.'],
    ['terima.standar as a short list', (c: Cfg) => (c['terima'] = { standar: [1, 2] }), '9 angka menit, satu per langkah (periksa, ', '9 minutes, one per step (periksa, '],
    ['terima.standar minutes', (c: Cfg) => (c['terima'] = { standar: { periksa: -5 } }), 'menit >= 0 untuk salah satu dari periksa, ', 'minutes >= 0 for one of periksa, '],
    ['terima.standar as text', (c: Cfg) => (c['terima'] = { standar: 'cepat' }), 'daftar 9 angka menit, atau objek langkah → menit', 'a list of 9 minutes or an object step → minutes'],
    ['terima.layananHariKerja', (c: Cfg) => (c['terima'] = { layananHariKerja: 0 }), 'jumlah hari kerja bulat, paling sedikit 1', 'whole working days >= 1'],
    ['terima.tandaTanganMinimal', (c: Cfg) => (c['terima'] = { tandaTanganMinimal: 0 }), 'jumlah bulat tanda tangan sah, 1 sampai 16', 'a whole number of good signatures, 1 to 16'],
    ['terima.teruskanDomain', (c: Cfg) => (c['terima'] = { teruskanDomain: 'pemkot.go.id' }), 'daftar domain surel, mis. ["pemkot.go.id"]', 'a list of mail domains, e.g. ["pemkot.go.id"]'],
    ['an aduan channel code', (c: Cfg) => (c['aduan'] = { kanal: { Lapor: {} } }), 'kode kanal dari huruf kecil, angka, - atau _', 'a channel code of lower-case letters, digits, - or _'],
    ['an aduan channel name', (c: Cfg) => (c['aduan'] = { kanal: { lapor: { nama: '' } } }), 'yang diharapkan: nama kanal.', 'expected: the channel name.'],
    ['an aduan deadline', (c: Cfg) => (c['aduan'] = { kanal: { lapor: { tenggat: { verifikasi: 0 } } } }), 'jumlah hari kerja bulat 1–365, atau null', 'whole working days 1–365, or null'],
  ])('%s: Indonesian by default, English with --lang en', (_what, edit, id, en) => {
    const c = base();
    edit(c);
    const e = errorOf(() => validateConfig(c, 'f'));
    expect(e.exitCode).toBe(78);
    const said = say(e, 'id');
    expect(said).toContain(id);
    expect(said).not.toMatch(ENGLISH);
    expect(said).not.toContain('\u0000');
    expect(say(e, 'en')).toContain(en);
  });

  it('a whole file that is not an object: the whole file named in Indonesian, "(root)" in English', () => {
    const e = errorOf(() => validateConfig([1, 2], 'f'));
    expect(say(e, 'id')).toBe('Konfigurasi f: kunci "(seluruh berkas)" bernilai [1,2]; yang diharapkan: objek {...}.');
    expect(say(e, 'en')).toBe('Configuration f: key "(root)" has the value [1,2]; expected: object {...}.');
  });

  it.each([
    ['a value that is no JSON word', (s: string) => s.replace('"mailbox": null', '"mailbox": nul'), 'tanda "," tidak diharapkan di sini', 'unexpected "," here'],
    ['a missing comma', (s: string) => s.replace('"mode": "produksi",', '"mode": "produksi"'), 'seharusnya koma atau penutup }', 'a comma or the closing } was expected here'],
    ['a single-quoted key', (s: string) => s.replace('"mode": "produksi"', "'mode': \"produksi\""), 'seharusnya nama kunci dalam tanda kutip ganda', 'a key name in double quotes was expected here'],
    ['the file cut short', (s: string) => s.slice(0, s.indexOf('"mailbox"')), 'berkas berakhir sebelum JSON selesai', 'the file ends before the JSON does'],
    ['a key without a colon', (s: string) => s.replace('"mode": "produksi"', '"mode" "produksi"'), 'seharusnya titik dua (:)', 'a colon (:) was expected here'],
    ['a number with a leading zero', (s: string) => s.replace('"version": 1', '"version": 01'), 'seharusnya koma atau penutup }', 'a comma or the closing } was expected here'],
    ['text after the end', (s: string) => `${s}x`, 'ada teks lagi setelah akhir JSON', 'more text after the end of the JSON'],
  ])('a JSON syntax error, %s: the reason in Indonesian, English with --lang en', (_what, edit, id, en) => {
    const e = load(edit(`${JSON.stringify(base(), null, 2)}\n`));
    expect(e.key).toBe('config.badJson');
    const said = say(e, 'id').replaceAll(dir, 'DIR');
    expect(said).toContain(id);
    expect(said.split('\n')[0]).not.toMatch(ENGLISH);
    expect(say(e, 'en')).toContain(en);
  });
});

describe('config schema: JSON syntax errors give line and column', () => {
  const good = `${JSON.stringify(base(), null, 2)}\n`;

  it('a trailing comma: points at the comma itself, quoting its line with a caret', () => {
    const text = good.replace('"singleOperator": false', '"singleOperator": false,');
    const e = load(text);
    expect(e.key).toBe('config.badJsonComma');
    expect(e.exitCode).toBe(78);
    const line = text.split('\n').findIndex((l) => l.includes('"singleOperator": false,')) + 1;
    expect(e.params['line']).toBe(line);
    expect(e.params['column']).toBe(26);
    expect(say(e)).toContain(`at line ${line} column 26: a comma before } or ]`);
    expect(say(e)).toContain('\n      "singleOperator": false,\n    ' + ' '.repeat(25) + '^');
    expect(say(e)).not.toMatch(/position/);
  });

  it.each([
    // where the parser notices: the next key, as an editor shows it
    ['a missing comma', (s: string) => s.replace('"mode": "produksi",', '"mode": "produksi"'), 4, 3],
    ['a single-quoted string', (s: string) => s.replace('"mode": "produksi"', "'mode': \"produksi\""), 3, 3],
    ['the file cut short', (s: string) => s.slice(0, s.indexOf('"mailbox"')), 0, 0],
  ])('%s', (_what, edit, line, column) => {
    const text = edit(good);
    const e = load(text);
    expect(e.key).toBe('config.badJson');
    const lines = text.split('\n');
    const expectLine = line || lines.length;
    const expectColumn = column || lines[lines.length - 1]!.length + 1;
    expect([e.params['line'], e.params['column']]).toEqual([expectLine, expectColumn]);
    expect(say(e)).toMatch(new RegExp(`at line ${expectLine} column ${expectColumn}: \\S`));
    expect(say(e, 'id')).toContain(`di baris ${expectLine} kolom ${expectColumn}:`);
  });

  it('a file on one long line is quoted around the place only', () => {
    const text = JSON.stringify({ ...base(), holidaysFile: 'x'.repeat(500) }).replace('"singleOperator":false', '"singleOperator":false,');
    const e = load(text);
    expect(e.params['line']).toBe(1);
    const quoted = say(e).split('\n')[1]!;
    expect(quoted.length).toBeLessThan(130);
    expect(quoted).toContain('"singleOperator":false,');
  });

  it('a line that holds a secret is not quoted', () => {
    const e = load(good.replace('"mailbox": null,', '"mailbox": {"user": "a@b", "password": "hunter2",},'));
    expect(e.params['line']).toBeGreaterThan(1);
    expect(say(e)).not.toContain('hunter2');
  });

  it('a byte order mark before the JSON is accepted', () => {
    const file = join(dir, 'bom.json');
    writeFileSync(file, `\uFEFF${good}`);
    expect(loadConfig(file).office.unitCode).toBe('KOMINFO');
  });
});

describe('where JSON goes wrong (V8 gives no position for "Unexpected token")', () => {
  it.each([
    ['{"a": x}', 6],
    ['{"a": tru}', 9],
    ['[1,]', 3],
    ['{"a": 1 "b": 2}', 8],
    ["{'a': 1}", 1],
    ['{"a": "x\ny"}', 8],
    ['{"a": 01}', 7],
    ['{"a": 1}}', 8],
    ['{"a": "\\q"}', 8],
    ['{"a": -}', 7],
    ['', 0],
    ['{"a": [1, 2', 11],
  ])('%j fails at %i', (text, at) => {
    expect((): unknown => JSON.parse(text)).toThrow(SyntaxError);
    expect(jsonSyntaxErrorAt(text)).toBe(at);
    const m = /at position (\d+)/.exec(errorOf2(() => JSON.parse(text)));
    if (m) expect(Number(m[1])).toBe(at);
  });

  it('valid JSON has no fault, however deep', () => {
    expect(jsonSyntaxErrorAt(JSON.stringify(base(), null, 2))).toBeNull();
    expect(jsonSyntaxErrorAt(`${'['.repeat(100_000)}${']'.repeat(100_000)}`)).toBeNull();
    expect(jsonSyntaxErrorAt(`${'['.repeat(100_000)}x`)).toBe(100_000);
  });

  it('an unexpected token in config.json: line and column, and the message does not quote the text', () => {
    const text = `${JSON.stringify(base(), null, 2)}\n`.replace('"mailbox": null', '"mailbox": nul');
    const e = load(text);
    const line = text.split('\n').findIndex((l) => l.includes('"mailbox": nul')) + 1;
    expect([e.key, e.params['line'], e.params['column']]).toEqual(['config.badJson', line, 17]);
    expect(say(e)).toContain(`at line ${line} column 17: unexpected "," here\n      "mailbox": nul,\n    ${' '.repeat(16)}^`);
  });
});

function errorOf2(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    return (e as Error).message;
  }
  return '';
}
