/**
 * The office configuration (<home>/config.json): load, validate, save. Every problem is reported as
 * SandiError CONFIG naming the file, the key and the value expected. Secrets (the mailbox password, key
 * passphrases) are never part of it: a key that looks like one is refused.
 */
import { readFileSync, writeFileSync, renameSync, openSync, fsyncSync, closeSync, mkdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { SandiError } from '../errors.js';
import { DEFAULT_FORMATS } from '../domain/numbering.js';
import { DEFAULT_SERVICE_HOURS, type ServiceHours } from '../domain/service-hours.js';
import { parseTerimaConfig, type TerimaConfig } from '../domain/terima.js';
import { CONFIG_VERSION, TIME_ZONES, checkConfig } from './schema.js';
import { JSON_MAX_DEPTH, jsonTooDeep } from '../domain/json-limits.js';
import { jsonSyntaxFault } from '../domain/json-syntax.js';
import { pesan } from '../domain/pesan.js';
import { kopSurat, type KopSurat } from '../domain/kop-surat.js';
import type { Bahasa } from '../domain/tanggal-tampil.js';
import type { DbConfig } from './db.js';

export { CONFIG_VERSION, TIME_ZONES };
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
  office: OfficeConfig;
  serviceHours: ServiceHours;
  /** Holidays file (TSV: date, kind, name); relative paths are from the home folder. */
  holidaysFile: string;
  numberFormats: NumberFormats;
  /** null = no mailbox: mail goes to / comes from the local Maildir in the home folder. */
  mailbox: MailboxAccount | null;
  /** The office database on PostgreSQL (src/config/db.ts); absent = the home's SQLite file. --db and SANDI_DB come first. */
  db?: DbConfig;
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
 * The office. `parent`, `address`, `phone`, `email`, `website`: the letterhead (kop surat) of the print pack and
 * the quarterly report (absent ones are left out; `email` defaults to the mailbox login); `city`: the place
 * before a signature's date (default: from the name, "... Kota Pekalongan" → "Pekalongan"); `head`: who signs
 * the quarterly report (src/domain/kop-surat.ts fills the defaults).
 */
export interface OfficeConfig {
  name: string;
  unitCode: string;
  timeZone: TimeZone;
  parent?: string;
  address?: string;
  phone?: string;
  email?: string;
  website?: string;
  city?: string;
  head?: { title?: string; name?: string; nip?: string };
}

/** The letterhead of the office's papers (the mailbox login stands for an e-mail address not configured). */
export function kopSuratKantor(config: SandiConfig, lang: Bahasa = 'id'): KopSurat {
  return kopSurat(config.office, config.mailbox?.user ?? null, lang);
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
const NOT_SECRET_PATHS = new Set(['mailbox.passwordCommand', 'mailbox.passwordChange', 'db.passwordCommand']);

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
  // Before the schema: a "password" key is a secret written down, not a misspelt "passwordCommand".
  const secrets = raw !== null && typeof raw === 'object' ? findSecretKeys(raw) : [];
  if (secrets[0] !== undefined) {
    throw new SandiError('CONFIG', 'config.secretInFile', { file, key: secrets[0] }, { hint: 'config.secretInFile.hint' });
  }
  const problem = checkConfig(raw);
  if ('kind' in problem && problem.kind === 'unknownKey') {
    const known = problem.known.map((k) => `"${k}"`).join(', ');
    const params = { file, key: problem.key, known, expected: pesan('konfig.oneOf', { known }), ...(problem.suggestion !== null ? { suggestion: problem.suggestion } : {}) };
    throw new SandiError('CONFIG', problem.suggestion !== null ? 'config.unknownKey' : 'config.unknownKeyNoGuess', params, { hint: 'config.invalid.hint' });
  }
  if ('kind' in problem) {
    // what is missing and what is expected are messages carried as data (src/domain/pesan.ts), said in the operator's language
    const shown = problem.value === undefined ? null : JSON.stringify(problem.value);
    const value = shown === null ? pesan('konfig.missing') : shown.length > 80 ? `${shown.slice(0, 77)}...` : shown;
    throw new SandiError('CONFIG', 'config.invalid', { file, key: problem.key, value, expected: problem.expected }, { hint: 'config.invalid.hint' });
  }
  // The schema has checked every key; what remains is filling in the defaults.
  const o = problem.data;
  let mailbox: MailboxAccount | null = null;
  if (o.mailbox) {
    const m = o.mailbox;
    mailbox = { user: m.user, imap: { ...m.imap }, smtp: { ...m.smtp } };
    if (m.caFile !== undefined) mailbox.caFile = m.caFile;
    if (m.sentFolder !== undefined) mailbox.sentFolder = m.sentFolder;
    if (m.passwordCommand !== undefined) mailbox.passwordCommand = m.passwordCommand;
    if (m.passwordChange !== undefined) {
      const { adapter, command, file: passwd, scheme } = m.passwordChange;
      mailbox.passwordChange = { adapter, ...(command !== undefined ? { command } : {}), ...(passwd !== undefined ? { file: passwd } : {}), ...(scheme !== undefined ? { scheme } : {}) };
    }
  }
  const terima = o.terima === undefined ? undefined : parseTerimaConfig(o.terima);
  const pdf = o.pdf === undefined ? undefined : Object.fromEntries(Object.entries(o.pdf).map(([k, v]) => [k, v.trim()]));
  return {
    version: CONFIG_VERSION,
    mode: o.mode ?? 'produksi',
    office: {
      ...o.office,
      timeZone: o.office.timeZone ?? 'Asia/Jakarta',
      ...(o.office.head !== undefined ? { head: { ...o.office.head, ...(o.office.head.nip !== undefined ? { nip: o.office.head.nip.replace(/\s/g, '') } : {}) } } : {}),
    },
    serviceHours: (o.serviceHours as ServiceHours | undefined) ?? DEFAULT_SERVICE_HOURS,
    holidaysFile: o.holidaysFile ?? 'hari-libur.tsv',
    numberFormats: { ...DEFAULT_NUMBER_FORMATS, ...o.numberFormats },
    mailbox,
    ...(o.db !== undefined
      ? {
          db: {
            url: o.db.url.trim(),
            ...(o.db.sslmode !== undefined ? { sslmode: o.db.sslmode } : {}),
            ...(o.db.sslrootcert !== undefined ? { sslrootcert: o.db.sslrootcert.trim() } : {}),
            ...(o.db.passwordCommand !== undefined ? { passwordCommand: o.db.passwordCommand } : {}),
          },
        }
      : {}),
    archiveKey: o.archiveKey,
    singleOperator: o.singleOperator ?? false,
    ...(terima !== undefined && 'config' in terima ? { terima: terima.config } : {}),
    ...(o.aduan !== undefined ? { aduan: (raw as Record<string, Record<string, unknown>>)['aduan']! } : {}),
    ...(pdf !== undefined ? { pdf } : {}),
  };
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
  // A byte order mark (Notepad's "UTF-8") is not part of the JSON.
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw jsonSyntaxError(file, text, e as Error);
  }
  return validateConfig(raw, file);
}

/**
 * A JSON syntax error as the operator can find it in a text editor: line and column (1-based), the line itself
 * with a caret under the place, and for the commonest slip, a comma before } or ], the comma itself. A line
 * that looks like it holds a secret is not quoted.
 */
export function jsonSyntaxError(file: string, text: string, e: Error): SandiError {
  const m = /at position (\d+)/.exec(e.message);
  const fault = jsonSyntaxFault(text);
  let pos = fault?.at ?? (m ? Math.min(Number(m[1]), text.length) : text.length);
  // what is wrong, in the operator's language (V8's English message only when the scanner found nothing:
  // without where, and without the bit of the text it may quote, a secret for all it knows)
  const reason = fault
    ? pesan(`konfig.json.${fault.kind}`, { ...(fault.char !== undefined ? { char: JSON.stringify(fault.char) } : {}), ...(fault.close !== undefined ? { close: fault.close } : {}) })
    : e.message
        .replace(/\s*(in JSON )?at position \d+.*$/s, '')
        .replace(/, (\.\.\.)?".*"(\.\.\.)? is not valid JSON$/s, '')
        .replace(/\s*\(line \d+ column \d+\)$/, '');
  let trailingComma = false;
  if (text[pos] === '}' || text[pos] === ']') {
    let i = pos - 1;
    while (i >= 0 && /\s/.test(text[i]!)) i--;
    if (text[i] === ',') [pos, trailingComma] = [i, true];
  }
  const before = text.slice(0, pos);
  const line = before.split('\n').length;
  const lineStart = before.lastIndexOf('\n') + 1;
  const column = pos - lineStart + 1;
  let lineEnd = text.indexOf('\n', lineStart);
  if (lineEnd < 0) lineEnd = text.length;
  // a long line (a config written on one line) is shown around the place; control characters as spaces
  const from = Math.max(lineStart, pos - 60);
  const to = Math.min(lineEnd, pos + 60);
  const shown = text.slice(from, to).replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ');
  const excerpt = SECRET_KEY.test(text.slice(lineStart, lineEnd)) ? '' : `\n    ${from > lineStart ? '…' : ''}${shown}${to < lineEnd ? '…' : ''}\n    ${' '.repeat(pos - from + (from > lineStart ? 1 : 0))}^`;
  const params = { file, line, column, reason, excerpt };
  return new SandiError('CONFIG', trailingComma ? 'config.badJsonComma' : 'config.badJson', params, { hint: 'config.invalid.hint', cause: e });
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
