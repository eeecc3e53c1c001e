/**
 * The office configuration (<home>/config.json): load, validate, save. Every problem is reported as
 * SandiError CONFIG naming the file, the key and the value expected. Secrets (the mailbox password, key
 * passphrases) are never part of it: a key that looks like one is refused.
 */
import { readFileSync, writeFileSync, renameSync, openSync, fsyncSync, closeSync, mkdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { SandiError } from '../errors.js';
import { DEFAULT_FORMATS, parseNumberFormat } from '../domain/numbering.js';
import { checkServiceHours, DEFAULT_SERVICE_HOURS, type ServiceHours } from '../domain/service-hours.js';
import { parseTerimaConfig, type TerimaConfig } from '../domain/terima.js';
import { parseAduanConfig } from '../domain/aduan.js';
import { JSON_MAX_DEPTH, jsonTooDeep } from '../domain/json-limits.js';

export const CONFIG_VERSION = 1;
export const TIME_ZONES = ['Asia/Jakarta', 'Asia/Makassar', 'Asia/Jayapura'] as const;
export type TimeZone = (typeof TIME_ZONES)[number];
export type TlsMode = 'tls' | 'starttls';

export interface ServerEndpoint {
  host: string;
  port: number;
  tls: TlsMode;
}

export interface MailboxAccount {
  user: string;
  imap: ServerEndpoint;
  smtp: ServerEndpoint;
  /** PEM file of a private CA to trust (certificate checks stay on). */
  caFile?: string;
  /** IMAP folder for sent copies; omitted = find the \Sent special-use folder; false = server saves sent mail itself. */
  sentFolder?: string | false;
  /** A program that prints the password on its first line of output (argv, never through a shell). */
  passwordCommand?: string[];
  /** How `sandi akun rotasi` sets a new password on the server (default: manual). */
  passwordChange?: PasswordChangeConfig;
}

/** `mailbox.passwordChange`: the adapter and its settings (no secret: the passwords go to it at run time). */
export interface PasswordChangeConfig {
  adapter: 'perintah' | 'dovecot-passwd' | 'manual';
  /** perintah: argv of the program that receives user, old and new password on stdin */
  command?: string[];
  /** dovecot-passwd: the passwd-file */
  file?: string;
  /** dovecot-passwd: scheme of the new entry (default SSHA512) */
  scheme?: 'SSHA512' | 'PLAIN';
}

export interface NumberFormats {
  kriptogramKeluar: string;
  suratKeluar: string;
  suratMasuk: string;
  kriptogramMasuk: string;
}

export interface SandiConfig {
  version: number;
  mode: 'produksi' | 'demo';
  office: { name: string; unitCode: string; timeZone: TimeZone };
  serviceHours: ServiceHours;
  /** Holidays file (TSV: date, kind, name); relative paths are from the home folder. */
  holidaysFile: string;
  numberFormats: NumberFormats;
  /** null = no mailbox: mail goes to / comes from the local Maildir in the home folder. */
  mailbox: MailboxAccount | null;
  /** Fingerprint of the office archive key every kriptogram is also encrypted to. */
  archiveKey: string;
  /** One person holds both the sandiman and the Kasi role at this terminal. */
  singleOperator: boolean;
  /** Settings of the incoming-mail service (`sandi terima`); absent = the defaults in src/domain/terima.ts. */
  terima?: TerimaConfig;
  /** Complaint channels and deadlines (`sandi aduan`), as written; validated by src/domain/aduan.ts. */
  aduan?: Record<string, unknown>;
  /** Fonts of the PDFs (print pack, report); absent = DejaVu Sans from fonts-dejavu-core. */
  pdf?: PdfConfig;
}

/**
 * `pdf`: TrueType/OpenType font files embedded (as subsets) in the PDFs sandi writes; relative paths are from
 * the home folder. `fontBold` defaults to `font` when only that is given; `fontMono` (report tables) to DejaVu
 * Sans Mono.
 */
export interface PdfConfig {
  font?: string;
  fontBold?: string;
  fontMono?: string;
}

/**
 * The font files `pdf` names, as absolute paths (relative ones are from the home folder `root`); `fontBold`
 * defaults to `font`. Absent keys are left out, so the PDF writers' defaults (DejaVu) fill them.
 */
export function pdfFontFiles(pdf: PdfConfig | undefined, root: string): { regular?: string; bold?: string; mono?: string } {
  const at = (f: string): string => resolve(root, f);
  return {
    ...(pdf?.font ? { regular: at(pdf.font), bold: at(pdf.font) } : {}),
    ...(pdf?.fontBold ? { bold: at(pdf.fontBold) } : {}),
    ...(pdf?.fontMono ? { mono: at(pdf.fontMono) } : {}),
  };
}

export const DEFAULT_NUMBER_FORMATS: NumberFormats = {
  kriptogramKeluar: DEFAULT_FORMATS.kriptogram_keluar,
  suratKeluar: DEFAULT_FORMATS.surat_keluar,
  suratMasuk: DEFAULT_FORMATS.surat_masuk,
  kriptogramMasuk: DEFAULT_FORMATS.kriptogram_masuk,
};

export function defaultConfig(partial: { officeName: string; unitCode: string; archiveKey: string }): SandiConfig {
  return {
    version: CONFIG_VERSION,
    mode: 'produksi',
    office: { name: partial.officeName, unitCode: partial.unitCode, timeZone: 'Asia/Jakarta' },
    serviceHours: DEFAULT_SERVICE_HOURS,
    holidaysFile: 'hari-libur.tsv',
    numberFormats: { ...DEFAULT_NUMBER_FORMATS },
    mailbox: null,
    archiveKey: partial.archiveKey,
    singleOperator: false,
  };
}

const SECRET_KEY = /pass(word)?|sandi_?akun|secret|rahasia/i;
/** Keys that name how a password is obtained or changed, never a password itself. */
const NOT_SECRET_PATHS = new Set(['mailbox.passwordCommand', 'mailbox.passwordChange']);

class Checker {
  constructor(private readonly file: string) {}

  fail(key: string, value: unknown, expected: string): never {
    const shown = value === undefined ? '(tidak ada / missing)' : JSON.stringify(value);
    throw new SandiError('CONFIG', 'config.invalid', { file: this.file, key, value: shown.length > 80 ? `${shown.slice(0, 77)}...` : shown, expected }, { hint: 'config.invalid.hint' });
  }

  obj(v: unknown, key: string): Record<string, unknown> {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) this.fail(key, v, 'object {...}');
    return v as Record<string, unknown>;
  }

  str(v: unknown, key: string, expected = 'non-empty text'): string {
    if (typeof v !== 'string' || v.trim().length === 0) this.fail(key, v, expected);
    return v;
  }

  oneOf<T extends string>(v: unknown, key: string, options: readonly T[]): T {
    if (typeof v !== 'string' || !options.includes(v as T)) this.fail(key, v, options.map((o) => `"${o}"`).join(' | '));
    return v as T;
  }

  port(v: unknown, key: string): number {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > 65535) this.fail(key, v, 'port number 1–65535');
    return v;
  }

  argv(v: unknown, key: string): string[] {
    if (!Array.isArray(v) || v.length === 0 || !v.every((x) => typeof x === 'string' && x.length > 0)) {
      this.fail(key, v, 'a command as an array of arguments, e.g. ["/usr/local/bin/ambil-sandi", "--akun", "persandian"] (run without a shell)');
    }
    return v as string[];
  }

  bool(v: unknown, key: string): boolean {
    if (typeof v !== 'boolean') this.fail(key, v, 'true | false');
    return v;
  }
}

function endpoint(c: Checker, v: unknown, key: string): ServerEndpoint {
  const o = c.obj(v, key);
  return { host: c.str(o['host'], `${key}.host`, 'host name'), port: c.port(o['port'], `${key}.port`), tls: c.oneOf(o['tls'], `${key}.tls`, ['tls', 'starttls'] as const) };
}

function passwordChange(c: Checker, v: unknown): PasswordChangeConfig {
  const key = 'mailbox.passwordChange';
  const o = c.obj(v, key);
  const out: PasswordChangeConfig = { adapter: c.oneOf(o['adapter'], `${key}.adapter`, ['perintah', 'dovecot-passwd', 'manual'] as const) };
  if (o['command'] !== undefined || out.adapter === 'perintah') out.command = c.argv(o['command'], `${key}.command`);
  if (o['file'] !== undefined || out.adapter === 'dovecot-passwd') out.file = c.str(o['file'], `${key}.file`, 'path of the Dovecot passwd-file');
  if (o['scheme'] !== undefined) out.scheme = c.oneOf(o['scheme'], `${key}.scheme`, ['SSHA512', 'PLAIN'] as const);
  return out;
}

function numberFormat(c: Checker, v: unknown, key: string): string {
  const s = c.str(v, key, 'a number format containing {urut} and {tahun}, e.g. "KRIP/{urut:3}/{bulan}/{tahun}"');
  try {
    parseNumberFormat(s, key);
  } catch (e) {
    if (!(e instanceof SandiError)) throw e;
    const token = e.params['token'];
    c.fail(key, v, `a format using {urut[:width]} and {tahun}, optionally {bulan} {unit} {sifat}${token ? `; ${String(token)} is not allowed or missing` : ''}`);
  }
  return s;
}

/** Every key path that looks like a secret, depth first in document order; iterative (never overflows the stack). */
function findSecretKeys(root: unknown): string[] {
  const found: string[] = [];
  const stack: { v: unknown; path: string; key: string | null }[] = [{ v: root, path: '', key: null }];
  while (stack.length > 0) {
    const { v, path, key } = stack.pop()!;
    if (key !== null && SECRET_KEY.test(key) && !NOT_SECRET_PATHS.has(path)) found.push(path);
    if (v === null || typeof v !== 'object') continue;
    const entries = Object.entries(v as Record<string, unknown>);
    for (let i = entries.length - 1; i >= 0; i--) {
      const [k, child] = entries[i]!;
      stack.push({ v: child, path: path ? `${path}.${k}` : k, key: k });
    }
  }
  return found;
}

/** Validate parsed JSON into a SandiConfig; `file` is only used to name the file in errors. */
export function validateConfig(raw: unknown, file: string): SandiConfig {
  // Before anything walks or prints the value: nesting of a few thousand levels overflows the stack.
  const deep = jsonTooDeep(raw);
  if (deep !== null) throw new SandiError('CONFIG', 'config.tooDeep', { file, key: deep, max: JSON_MAX_DEPTH }, { hint: 'config.invalid.hint' });
  const c = new Checker(file);
  const o = c.obj(raw, '(root)');
  const secrets = findSecretKeys(o);
  if (secrets[0] !== undefined) {
    throw new SandiError('CONFIG', 'config.secretInFile', { file, key: secrets[0] }, { hint: 'config.secretInFile.hint' });
  }
  if (o['version'] !== CONFIG_VERSION) c.fail('version', o['version'], String(CONFIG_VERSION));
  const office = c.obj(o['office'], 'office');
  const hours = o['serviceHours'] ?? DEFAULT_SERVICE_HOURS;
  const hoursProblem = checkServiceHours(hours);
  if (hoursProblem) c.fail('serviceHours', hours, hoursProblem);
  const formats = c.obj(o['numberFormats'] ?? DEFAULT_NUMBER_FORMATS, 'numberFormats');
  const fmt = (k: keyof NumberFormats) => numberFormat(c, formats[k] ?? DEFAULT_NUMBER_FORMATS[k], `numberFormats.${k}`);

  let mailbox: MailboxAccount | null = null;
  if (o['mailbox'] !== null && o['mailbox'] !== undefined) {
    const m = c.obj(o['mailbox'], 'mailbox');
    mailbox = {
      user: c.str(m['user'], 'mailbox.user', 'the mailbox login, e.g. "persandian@kota.go.id"'),
      imap: endpoint(c, m['imap'], 'mailbox.imap'),
      smtp: endpoint(c, m['smtp'], 'mailbox.smtp'),
    };
    if (m['caFile'] !== undefined) mailbox.caFile = c.str(m['caFile'], 'mailbox.caFile', 'path of a PEM CA file');
    if (m['sentFolder'] !== undefined) {
      if (m['sentFolder'] === false) mailbox.sentFolder = false;
      else mailbox.sentFolder = c.str(m['sentFolder'], 'mailbox.sentFolder', 'an IMAP folder name, or false');
    }
    if (m['passwordCommand'] !== undefined) mailbox.passwordCommand = c.argv(m['passwordCommand'], 'mailbox.passwordCommand');
    if (m['passwordChange'] !== undefined) mailbox.passwordChange = passwordChange(c, m['passwordChange']);
  }
  const archiveKey = c.str(o['archiveKey'], 'archiveKey', 'fingerprint of the office archive key (40 hex digits)');
  if (!/^[0-9A-F]{40}$/.test(archiveKey)) c.fail('archiveKey', archiveKey, 'fingerprint of the office archive key (40 upper-case hex digits)');

  return {
    version: CONFIG_VERSION,
    mode: c.oneOf(o['mode'] ?? 'produksi', 'mode', ['produksi', 'demo'] as const),
    office: {
      name: c.str(office['name'], 'office.name', 'the office name, e.g. "Dinas Komunikasi dan Informatika Kota Tarakan"'),
      unitCode: c.str(office['unitCode'], 'office.unitCode', 'a short unit code, e.g. "DISKOMINFO"'),
      timeZone: c.oneOf(office['timeZone'] ?? 'Asia/Jakarta', 'office.timeZone', TIME_ZONES),
    },
    serviceHours: hours,
    holidaysFile: c.str(o['holidaysFile'] ?? 'hari-libur.tsv', 'holidaysFile', 'path of the holidays TSV file'),
    numberFormats: { kriptogramKeluar: fmt('kriptogramKeluar'), suratKeluar: fmt('suratKeluar'), suratMasuk: fmt('suratMasuk'), kriptogramMasuk: fmt('kriptogramMasuk') },
    mailbox,
    archiveKey,
    singleOperator: c.bool(o['singleOperator'] ?? false, 'singleOperator'),
    ...terimaSection(c, o['terima']),
    ...aduanSection(c, o['aduan']),
    ...pdfSection(c, o['pdf']),
  };
}

/** The optional "pdf" object: font file paths (checked for shape here; a missing file falls back at print time). */
function pdfSection(c: Checker, raw: unknown): { pdf?: PdfConfig } {
  if (raw === undefined) return {};
  const o = c.obj(raw, 'pdf');
  const out: PdfConfig = {};
  for (const k of Object.keys(o)) {
    if (k !== 'font' && k !== 'fontBold' && k !== 'fontMono') c.fail(`pdf.${k}`, o[k], 'one of "font", "fontBold", "fontMono"');
    const v = c.str(o[k], `pdf.${k}`, 'path of a TrueType or OpenType font file (.ttf, .otf), e.g. "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"');
    if (!/\.(ttf|otf)$/i.test(v.trim())) c.fail(`pdf.${k}`, v, 'path of a TrueType or OpenType font file (.ttf, .otf)');
    out[k] = v.trim();
  }
  return { pdf: out };
}

/** The optional "aduan" object: checked, and kept as written (its defaults live in the domain rules). */
function aduanSection(c: Checker, raw: unknown): { aduan?: Record<string, unknown> } {
  if (raw === undefined) return {};
  const parsed = parseAduanConfig(raw);
  if (!('kanal' in parsed)) c.fail(parsed.key, parsed.value, parsed.expected);
  return { aduan: raw as Record<string, unknown> };
}

/** The optional "terima" object, validated by its own rules and kept, so that saving never drops it. */
function terimaSection(c: Checker, raw: unknown): { terima?: TerimaConfig } {
  if (raw === undefined) return {};
  const parsed = parseTerimaConfig(raw);
  if (!('config' in parsed)) c.fail(parsed.key, parsed.value, parsed.expected);
  return { terima: parsed.config };
}

/** config.json is a few kilobytes; anything near this is not one (and is not read into memory). */
const CONFIG_MAX_BYTES = 1024 * 1024;

export function loadConfig(file: string): SandiConfig {
  let text: string;
  try {
    const size = statSync(file).size;
    if (size > CONFIG_MAX_BYTES) throw new SandiError('CONFIG', 'config.tooLarge', { file, bytes: size, max: CONFIG_MAX_BYTES }, { hint: 'config.invalid.hint' });
    text = readFileSync(file, 'utf8');
  } catch (e) {
    if (e instanceof SandiError) throw e;
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new SandiError('CONFIG', 'config.missing', { file }, { hint: 'config.missing.hint' });
    throw new SandiError('CONFIG', 'config.unreadable', { file, reason: (e as Error).message }, { cause: e });
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new SandiError('CONFIG', 'config.badJson', { file, reason: (e as Error).message }, { hint: 'config.invalid.hint' });
  }
  return validateConfig(raw, file);
}

/** Write atomically (temp file, fsync, rename), 0600: the file names servers and users. */
export function saveConfig(file: string, config: SandiConfig): void {
  validateConfig(config, file);
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
  const fd = openSync(tmp, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, file);
}
