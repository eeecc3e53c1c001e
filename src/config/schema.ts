/**
 * The whole of config.json as one zod schema: every key sandi knows, its type and form, and what is expected
 * there: a message key of src/cli/messages/konfig.ts carried as data (src/domain/pesan.ts), translated into the
 * operator's language where the config.invalid message is shown (this module never imports the CLI). An object accepts only the keys listed, so a
 * misspelt key ("singelOperator") is refused naming the closest known one instead of being ignored. Rules that
 * live in the domain (number formats, service hours, the "terima" and "aduan" sections) are called from here,
 * so this file stays the one description of the file and the domain stays the one owner of its rules.
 *
 * Cost: zod is loaded only with the config module (never for `--help`/`--version`); measured on Node 20 on a
 * loaded 2-core machine, importing it takes ~41 ms, building this schema ~10 ms, checking a file ~2 ms
 * (`agenda keluar daftar` 317 → 367 ms median of 25; `--version` 96 → 97 ms). zod/mini saved ~3 ms: not worth it.
 */
import { z } from 'zod';
import { SandiError } from '../errors.js';
import { parseNumberFormat } from '../domain/numbering.js';
import { checkServiceHours } from '../domain/service-hours.js';
import { parseTerimaConfig } from '../domain/terima.js';
import { parseAduanConfig } from '../domain/aduan.js';
import { pesan } from '../domain/pesan.js';

export const CONFIG_VERSION = 1;
export const TIME_ZONES = ['Asia/Jakarta', 'Asia/Makassar', 'Asia/Jayapura'] as const;

/** Marker in a strict object's message: what follows is the JSON list of its known keys. */
const KNOWN = 'known-keys:';

/** An object that refuses keys it does not list; `expected` is shown when the value is not an object at all. */
function strict<T extends z.ZodRawShape>(shape: T, expected = pesan('konfig.object')) {
  const known = `${KNOWN}${JSON.stringify(Object.keys(shape))}`;
  return z.strictObject(shape, { error: (iss) => (iss.code === 'unrecognized_keys' ? known : expected) });
}

const text = (expected: string) => z.string({ error: expected }).refine((s) => s.trim().length > 0, { error: expected });
const oneOf = <T extends readonly [string, ...string[]]>(options: T) => z.enum(options, { error: options.map((o) => `"${o}"`).join(' | ') });
const PORT = pesan('konfig.port');
const port = z.number({ error: PORT }).int({ error: PORT }).min(1, { error: PORT }).max(65535, { error: PORT });
const ARGV = pesan('konfig.argv');
const argv = z.custom<string[]>((v) => Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'string' && x.length > 0), { error: ARGV });
const bool = z.boolean({ error: 'true | false' });

const endpoint = strict({ host: text(pesan('konfig.host')), port, tls: oneOf(['tls', 'starttls'] as const) });

const DOVECOT_FILE = pesan('konfig.dovecotFile');
const passwordChange = strict({
  adapter: oneOf(['perintah', 'dovecot-passwd', 'manual'] as const),
  command: argv.optional(),
  file: text(DOVECOT_FILE).optional(),
  scheme: oneOf(['SSHA512', 'PLAIN'] as const).optional(),
}).superRefine((o, ctx) => {
  if (o.adapter === 'perintah' && o.command === undefined) ctx.addIssue({ code: 'custom', path: ['command'], message: ARGV, input: undefined });
  if (o.adapter === 'dovecot-passwd' && o.file === undefined) ctx.addIssue({ code: 'custom', path: ['file'], message: DOVECOT_FILE, input: undefined });
});

const mailbox = strict({
  user: text(pesan('konfig.mailboxUser')),
  imap: endpoint,
  smtp: endpoint,
  caFile: text(pesan('konfig.caFile')).optional(),
  sentFolder: z.union([z.literal(false), text(pesan('konfig.sentFolder'))], { error: pesan('konfig.sentFolder') }).optional(),
  passwordCommand: argv.optional(),
  passwordChange: passwordChange.optional(),
});

/** `db`: the office's PostgreSQL database (src/config/db.ts); the URL is checked there, with its own messages. */
const db = strict({
  url: text(pesan('konfig.dbUrl')),
  sslmode: oneOf(['disable', 'require', 'verify-ca', 'verify-full'] as const).optional(),
  sslrootcert: text(pesan('konfig.caFile')).optional(),
  passwordCommand: argv.optional(),
});

const NUMBER_FORMAT = pesan('konfig.numberFormat');
const numberFormat = z.string({ error: NUMBER_FORMAT }).superRefine((s, ctx) => {
  if (s.trim().length === 0) return void ctx.addIssue({ code: 'custom', message: NUMBER_FORMAT });
  try {
    parseNumberFormat(s, 'numberFormats');
  } catch (e) {
    if (!(e instanceof SandiError)) throw e;
    const token = e.params['token'];
    ctx.addIssue({ code: 'custom', message: token ? pesan('konfig.numberFormatToken', { token: String(token) }) : pesan('konfig.numberFormatBare') });
  }
});

const font = text(pesan('konfig.font')).refine((v) => /\.(ttf|otf)$/i.test(v.trim()), { error: pesan('konfig.fontExt') });

/**
 * The domain rules (service-hours.ts, terima.ts, aduan.ts) describe what they expect in English text of their own;
 * here each known text becomes its konfig.* message, so the operator reads it in the UI's language. A text not
 * listed passes through as it is (test/unit/config-schema.test.ts covers every one listed here).
 */
const DOMAIN_TEXTS: readonly [RegExp, string, readonly string[]][] = [
  [/^an object of days$/, 'konfig.jam.objek', []],
  [/^a day name \((.*)\), not "(.*)"$/s, 'konfig.jam.hari', ['days', 'day']],
  [/^(\w+): a list of \["HH:MM","HH:MM"\] intervals$/, 'konfig.jam.daftar', ['day']],
  [/^(\w+): intervals as \["HH:MM","HH:MM"\]$/, 'konfig.jam.selang', ['day']],
  [/^(\w+): intervals in order, each ending after it starts$/, 'konfig.jam.urutan', ['day']],
  [/^object \{\.\.\.\}$/, 'konfig.object', []],
  [/^non-empty text$/, 'konfig.teks', []],
  [/^a CUPS printer name \(letters, digits, \. _ - @\)$/, 'konfig.printer', []],
  [/^a size in bytes > 0$/, 'konfig.ukuran', []],
  [/^a list of distinct tiers, e\.g\. (.*)$/, 'konfig.paraf', ['example']],
  [/^(\d+) minutes, one per step \((.*)\)$/, 'konfig.standarDaftar', ['count', 'steps']],
  [/^minutes >= 0 for one of (.*)$/, 'konfig.standarMenit', ['steps']],
  [/^a list of (\d+) minutes or an object step → minutes$/, 'konfig.standar', ['count']],
  [/^whole working days >= 1$/, 'konfig.hariKerja', []],
  [/^a whole number of good signatures, (\d+) to (\d+)$/, 'konfig.tandaTangan', ['min', 'max']],
  [/^a list of mail domains, e\.g\. (.*)$/, 'konfig.domain', ['example']],
  [/^object \{"kanal": \{\.\.\.\}\}$/, 'konfig.aduan', []],
  [/^object of channels, e\.g\. .*$/, 'konfig.aduanKanalList', []],
  [/^a channel code of lower-case letters, digits, - or _$/, 'konfig.kodeKanal', []],
  [/^object \{"nama": "\.\.\.", "tenggat": \{\.\.\.\}\}$/, 'konfig.aduanKanal', []],
  [/^the channel name$/, 'konfig.namaKanal', []],
  [/^object of working days per step$/, 'konfig.aduanTenggat', []],
  [/^one of (.*)$/, 'konfig.oneOf', ['known']],
  [/^whole working days (\d+)–(\d+), or null$/, 'konfig.tenggatHari', ['min', 'max']],
];

/** A domain rule's text as its konfig.* message (src/domain/pesan.ts), or the text itself when not listed. */
export function domainText(text: string): string {
  for (const [re, key, names] of DOMAIN_TEXTS) {
    const m = re.exec(text);
    if (m) return pesan(key, Object.fromEntries(names.map((n, i) => [n, m[i + 1] ?? ''])));
  }
  return text;
}

/** A problem found by a domain parser, reported at its own key path (relative to the config root). */
function domainIssue(ctx: z.RefinementCtx, p: { key: string; value: unknown; expected: string }, root: string): void {
  const rel = p.key === root ? [] : p.key.slice(root.length + 1).split('.');
  ctx.addIssue({ code: 'custom', path: rel, message: domainText(p.expected), input: p.value });
}

const minutes = z.unknown().optional();
const terima = strict({
  folder: z.unknown().optional(),
  pindahKe: z.unknown().optional(),
  batasUkuran: z.unknown().optional(),
  paraf: z.unknown().optional(),
  standar: z.unknown().optional(),
  layananHariKerja: z.unknown().optional(),
  printer: z.unknown().optional(),
  teruskanOtomatis: z.unknown().optional(),
  teruskanDomain: z.unknown().optional(),
  tandaTanganMinimal: z.unknown().optional(),
}).superRefine((o, ctx) => {
  // the step standards may be given as an object step → minutes: its keys are the SOP steps
  const s = o.standar;
  if (s !== null && typeof s === 'object' && !Array.isArray(s)) {
    const steps = strict({ periksa: minutes, teruskan: minutes, cetak: minutes, agenda: minutes, pengantar: minutes, paraf: minutes, antar: minutes, tandaterima: minutes, arsip: minutes });
    const r = steps.safeParse(s);
    if (!r.success) for (const iss of r.error.issues) ctx.addIssue({ ...iss, path: ['standar', ...iss.path] });
    if (!r.success) return;
  }
  const parsed = parseTerimaConfig(o);
  if (!('config' in parsed)) domainIssue(ctx, parsed, 'terima');
});

const tenggat = z.unknown().optional();
const aduan = strict(
  {
    kanal: z
      .record(
        z.string(),
        strict({ nama: z.unknown().optional(), tenggat: strict({ verifikasi: tenggat, tindakLanjut: tenggat, konfirmasi: tenggat, layanan: tenggat }, pesan('konfig.aduanTenggat')).optional() }, pesan('konfig.aduanKanal')),
        { error: pesan('konfig.aduanKanalList') },
      )
      .optional(),
  },
  pesan('konfig.aduan'),
).superRefine((o, ctx) => {
  const parsed = parseAduanConfig(o);
  if (!('kanal' in parsed)) domainIssue(ctx, parsed, 'aduan');
});

/** config.json, version 1. Absent optional keys take their defaults in validateConfig. */
export const configSchema = strict({
  version: z.literal(CONFIG_VERSION, { error: String(CONFIG_VERSION) }),
  mode: oneOf(['produksi', 'demo'] as const).optional(),
  office: strict({
    name: text(pesan('konfig.officeName')),
    unitCode: text(pesan('konfig.unitCode')),
    timeZone: oneOf(TIME_ZONES).optional(),
    // the letterhead (kop surat) of the papers sandi prints, and who signs the quarterly report
    parent: text(pesan('konfig.parent')).optional(),
    address: text(pesan('konfig.address')).optional(),
    phone: text(pesan('konfig.phone')).optional(),
    email: text(pesan('konfig.email')).optional(),
    website: text(pesan('konfig.website')).optional(),
    city: text(pesan('konfig.city')).optional(),
    head: strict({
      title: text(pesan('konfig.headTitle')).optional(),
      name: text(pesan('konfig.headName')).optional(),
      nip: z.string({ error: pesan('konfig.nip') }).refine((s) => /^\d{18}$/.test(s.replace(/\s/g, '')), { error: pesan('konfig.nip') }).optional(),
    }).optional(),
  }),
  serviceHours: z
    .unknown()
    .superRefine((v, ctx) => {
      const problem = v === undefined ? null : checkServiceHours(v);
      if (problem) ctx.addIssue({ code: 'custom', message: domainText(problem) });
    })
    .optional(),
  holidaysFile: text(pesan('konfig.holidaysFile')).optional(),
  numberFormats: strict({
    kriptogramKeluar: numberFormat.optional(),
    suratKeluar: numberFormat.optional(),
    suratMasuk: numberFormat.optional(),
    kriptogramMasuk: numberFormat.optional(),
  }).optional(),
  mailbox: mailbox.nullable().optional(),
  db: db.optional(),
  archiveKey: text(pesan('konfig.archiveKey')).refine((s) => /^[0-9A-F]{40}$/.test(s), { error: pesan('konfig.archiveKeyHex') }),
  singleOperator: bool.optional(),
  terima: terima.optional(),
  aduan: aduan.optional(),
  pdf: strict({ font: font.optional(), fontBold: font.optional(), fontMono: font.optional() }).optional(),
});

export type ConfigData = z.output<typeof configSchema>;

/** The first problem of a config, in the terms of the config.* messages; `expected` is a message carried as data (src/domain/pesan.ts) or, from a domain rule, its own text. */
export type ConfigProblem =
  | { kind: 'invalid'; key: string; value: unknown; expected: string }
  | { kind: 'unknownKey'; key: string; known: string[]; suggestion: string | null };

/** "mailbox.imap.port", "terima.paraf[1]". */
export function keyPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out === '' ? String(p) : `.${String(p)}`;
  return out;
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let v = root;
  for (const p of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[p];
  }
  return v;
}

/**
 * Check parsed JSON against the schema: its data as typed by the schema, or the first problem. A misspelt key is reported before anything
 * else (a "missing" key is most often the one spelt wrong).
 */
export function checkConfig(raw: unknown): { data: ConfigData } | ConfigProblem {
  const r = configSchema.safeParse(raw);
  if (r.success) return { data: r.data };
  const issues = r.error.issues;
  const unknown = issues.find((i) => i.code === 'unrecognized_keys');
  if (unknown && unknown.code === 'unrecognized_keys') {
    const known = unknown.message.startsWith(KNOWN) ? (JSON.parse(unknown.message.slice(KNOWN.length)) as string[]) : [];
    const name = unknown.keys[0]!;
    return { kind: 'unknownKey', key: keyPath([...unknown.path, name]), known, suggestion: closest(name, known) };
  }
  const first = issues[0]!;
  const value = first.code === 'custom' && 'input' in first && first.input !== undefined ? first.input : valueAt(raw, first.path);
  return { kind: 'invalid', key: first.path.length === 0 ? pesan('konfig.root') : keyPath(first.path), value, expected: first.message };
}

/** The known key most like `name` (case-insensitive edit distance within a third of its length), or null. */
export function closest(name: string, known: readonly string[]): string | null {
  const a = name.toLowerCase();
  let best: string | null = null;
  let bestD = Math.max(2, Math.floor(a.length / 3)) + 1;
  for (const k of known) {
    const d = distance(a, k.toLowerCase());
    if (d < bestD) [best, bestD] = [k, d];
  }
  return best;
}

/** Optimal string alignment distance (Levenshtein plus swapping two neighbouring letters: "singel" → "single"). */
function distance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[a.length]![b.length]!;
}
