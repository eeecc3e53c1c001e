/**
 * Pure rules of the incoming-mail service (SOP seeds 000 and 002): the terima section of the configuration,
 * the letter's own number found in its text, the tiered initials (paraf) order, the courier route, and the
 * service level of each letter measured in working time against the step standards.
 */
import { addWorkingDays, addWorkingMinutes, workingMinutesBetween, type WorkingCalendar } from './working-time.js';
import type { SuratMasukLangkah, SuratMasukStatus } from './incoming-state.js';
import { DERAJAT, SIFAT, type Derajat, type Sifat } from './records.js';

// ----------------------------------------------------------------------------------------- configuration

/** The nine SOP steps of Tarakan (seed 002), in order, each with its standard in minutes. */
export const SOP_STEPS = [
  'periksa', // 1 log in, check incoming mail
  'teruskan', // 2 forward to the cc addresses, file in the soft-copy archive
  'cetak', // 3 print and register
  'agenda', // 4 register per recipient (Adum)
  'pengantar', // 5 cover sheet, to the Kasi for legalisation
  'paraf', // 6 initials and signature
  'antar', // 7 assign the courier
  'tandaterima', // 8 deliver, collect the receipt
  'arsip', // 9 hand back the receipts, file the letter
] as const;
export type SopStep = (typeof SOP_STEPS)[number];

export const TARAKAN_STANDARDS: Readonly<Record<SopStep, number>> = {
  periksa: 10,
  teruskan: 10,
  cetak: 5,
  agenda: 10,
  pengantar: 5,
  paraf: 10,
  antar: 5,
  tandaterima: 20,
  arsip: 10,
};

export interface TerimaConfig {
  /** IMAP folder to fetch (default INBOX) */
  folder: string;
  /** move each message there on the server after it is archived and registered; null = leave it */
  pindahKe: string | null;
  /** messages larger than this are archived and registered with a warning (bytes) */
  batasUkuran: number;
  /** the tiers of initials, in order (Pekalongan: Kasi, Kabid, Kadis; Tarakan: Sub Koordinator) */
  paraf: string[];
  /** step standards in working minutes */
  standar: Record<SopStep, number>;
  /** the whole service, in working days */
  layananHariKerja: number;
  /** CUPS printer name for `lp -d`; null = save the print pack as a PDF file only */
  printer: string | null;
  /** forward to the cc addresses at fetch time (only those allowed by forwardAllowed) */
  teruskanOtomatis: boolean;
  /**
   * mail domains automatic forwarding may send to, besides the address book (e.g. "pemkot.go.id" also covers
   * "dinkes.pemkot.go.id"); the cc addresses of an incoming letter are chosen by its sender
   */
  teruskanDomain: string[];
  /**
   * how many distinct good signatures an incoming kriptogram needs before it is read (default 1; an office
   * whose peers sign under a two-person rule, sandiman and Kasi, may ask for 2)
   */
  tandaTanganMinimal: number;
}

export const DEFAULT_TERIMA_CONFIG: TerimaConfig = {
  folder: 'INBOX',
  pindahKe: null,
  batasUkuran: 50 * 1024 * 1024,
  paraf: ['Kasi', 'Kabid', 'Kadis'],
  standar: { ...TARAKAN_STANDARDS },
  layananHariKerja: 1,
  printer: null,
  teruskanOtomatis: false,
  teruskanDomain: [],
  tandaTanganMinimal: 1,
};

/**
 * Read the optional "terima" object of config.json. Returns the settings, or the first problem as
 * { key, expected } for the caller to report as a configuration error.
 */
export function parseTerimaConfig(raw: unknown): { config: TerimaConfig } | { key: string; value: unknown; expected: string } {
  const d = DEFAULT_TERIMA_CONFIG;
  if (raw === undefined || raw === null) return { config: { ...d, paraf: [...d.paraf], standar: { ...d.standar }, teruskanDomain: [] } };
  if (typeof raw !== 'object' || Array.isArray(raw)) return { key: 'terima', value: raw, expected: 'object {...}' };
  const o = raw as Record<string, unknown>;
  const str = (k: string, v: unknown, def: string): string | { key: string; value: unknown; expected: string } =>
    v === undefined ? def : typeof v === 'string' && v.trim().length > 0 ? v : { key: `terima.${k}`, value: v, expected: 'non-empty text' };
  const folder = str('folder', o['folder'], d.folder);
  if (typeof folder !== 'string') return folder;
  let pindahKe: string | null = null;
  if (o['pindahKe'] !== undefined && o['pindahKe'] !== null) {
    const p = str('pindahKe', o['pindahKe'], '');
    if (typeof p !== 'string') return p;
    pindahKe = p;
  }
  let printer: string | null = null;
  if (o['printer'] !== undefined && o['printer'] !== null) {
    const p = str('printer', o['printer'], '');
    if (typeof p !== 'string' || !/^[\w.@-]+$/.test(p)) return { key: 'terima.printer', value: o['printer'], expected: 'a CUPS printer name (letters, digits, . _ - @)' };
    printer = p;
  }
  const batas = o['batasUkuran'] ?? d.batasUkuran;
  if (typeof batas !== 'number' || !Number.isInteger(batas) || batas <= 0) return { key: 'terima.batasUkuran', value: batas, expected: 'a size in bytes > 0' };
  const paraf = o['paraf'] ?? d.paraf;
  if (!Array.isArray(paraf) || paraf.length === 0 || paraf.some((p) => typeof p !== 'string' || p.trim().length === 0) || new Set(paraf).size !== paraf.length) {
    return { key: 'terima.paraf', value: paraf, expected: 'a list of distinct tiers, e.g. ["Kasi", "Kabid", "Kadis"]' };
  }
  const standar = { ...d.standar };
  const s = o['standar'];
  if (s !== undefined) {
    if (Array.isArray(s)) {
      if (s.length !== SOP_STEPS.length || s.some((x) => typeof x !== 'number' || !(x >= 0))) {
        return { key: 'terima.standar', value: s, expected: `${SOP_STEPS.length} minutes, one per step (${SOP_STEPS.join(', ')})` };
      }
      SOP_STEPS.forEach((k, i) => (standar[k] = s[i] as number));
    } else if (typeof s === 'object' && s !== null) {
      for (const [k, v] of Object.entries(s as Record<string, unknown>)) {
        if (!(SOP_STEPS as readonly string[]).includes(k) || typeof v !== 'number' || !(v >= 0)) {
          return { key: `terima.standar.${k}`, value: v, expected: `minutes >= 0 for one of ${SOP_STEPS.join(', ')}` };
        }
        standar[k as SopStep] = v;
      }
    } else return { key: 'terima.standar', value: s, expected: 'a list of 9 minutes or an object step → minutes' };
  }
  const hari = o['layananHariKerja'] ?? d.layananHariKerja;
  if (typeof hari !== 'number' || !Number.isInteger(hari) || hari < 1) return { key: 'terima.layananHariKerja', value: hari, expected: 'whole working days >= 1' };
  const auto = o['teruskanOtomatis'] ?? d.teruskanOtomatis;
  if (typeof auto !== 'boolean') return { key: 'terima.teruskanOtomatis', value: auto, expected: 'true | false' };
  const minimal = o['tandaTanganMinimal'] ?? d.tandaTanganMinimal;
  if (typeof minimal !== 'number' || !Number.isInteger(minimal) || minimal < 1 || minimal > 16) {
    return { key: 'terima.tandaTanganMinimal', value: minimal, expected: 'a whole number of good signatures, 1 to 16' };
  }
  const domains = o['teruskanDomain'] ?? [];
  if (!Array.isArray(domains) || domains.some((x) => typeof x !== 'string' || !DOMAIN_RE.test(x.trim()))) {
    return { key: 'terima.teruskanDomain', value: domains, expected: 'a list of mail domains, e.g. ["pemkot.go.id"]' };
  }
  return {
    config: {
      folder,
      pindahKe,
      batasUkuran: batas,
      paraf: (paraf as string[]).map((p) => p.trim()),
      standar,
      layananHariKerja: hari,
      printer,
      teruskanOtomatis: auto,
      teruskanDomain: (domains as string[]).map((x) => x.trim().toLowerCase()),
      tandaTanganMinimal: minimal,
    },
  };
}

// ---------------------------------------------------------------------------------------- kriptogram

/**
 * Does this failure to read an incoming kriptogram reject it for good? Only when the message itself is at
 * fault: its integrity, a bad (or missing, or revoked-key) signature, or not being a kriptogram sandi can
 * read at all. Everything else is local and fixable — the signer's key not imported yet (unknownSigner), an
 * expired copy of it, a damaged key file, the archive key or its passphrase, a classification spelled another
 * way — and leaves it registered, to be read later.
 */
export function rejectsKriptogram(code: string, key: string): boolean {
  // the decryption spool is our own temporary file: damage there is a local disk problem
  if (code === 'INTEGRITY') return key !== 'kriptogram.spoolDamaged';
  return REJECTING.has(key);
}

const REJECTING = new Set([
  'kriptogram.badSignature',
  'kriptogram.unsigned',
  'kriptogram.signerRevoked',
  // the key has expired by now: never good; the sender re-sends under a valid (or renewed) key
  'kriptogram.signerExpired',
  'kriptogram.signerExpiredAtSigning',
  // signed for other recipients and re-encrypted to us (surreptitious forwarding)
  'kriptogram.forwarded',
  'kriptogram.onePassMismatch',
  // refused by policy or unreadable here, each named: the sender must send it again otherwise
  'kriptogram.hashRefused',
  'kriptogram.signedNotEncrypted',
  'kriptogram.cipherUnsupported',
  'kriptogram.cipherUnknown',
  'kriptogram.notEncrypted',
  'kriptogram.unsupported',
  'kriptogram.decompressionLimit',
  'terima.notKriptogram',
]);

/** The classification `value` names ("RAHASIA", "sangat_rahasia", "Sangat  Rahasia"), or null. */
export function normaliseSifat(value: string): Sifat | null {
  const want = value.trim().replace(/[\s_-]+/g, ' ').toLowerCase();
  return SIFAT.find((s) => s.toLowerCase() === want) ?? null;
}

// ---------------------------------------------------------------------------------------- forwarding

const DOMAIN_RE = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;
const LOCAL_RE = /^[A-Za-z0-9!#$%&'*+=?^_`{|}~-][A-Za-z0-9!#$%&'*+=?^_`{|}~.-]{0,63}$/;

/**
 * Why `address` (a bare address, as bareAddress gives it) cannot be forwarded to or used as a local Maildir
 * folder name, or null when it can. The cc addresses come from the sender, so anything that could name
 * another path ("/", "\\", a leading ".", control characters) or is not a plain address is refused.
 */
export function forwardAddressProblem(address: string): 'bentuk' | null {
  const at = address.lastIndexOf('@');
  if (at <= 0 || at !== address.indexOf('@')) return 'bentuk';
  const local = address.slice(0, at);
  const domain = address.slice(at + 1);
  if (!LOCAL_RE.test(local) || !DOMAIN_RE.test(domain) || address.length > 254) return 'bentuk';
  return null;
}

/**
 * May automatic forwarding send to `address`? Only to the address book (the office's known partners) or to
 * a configured domain or one of its subdomains: otherwise anyone could relay mail through the office by
 * naming a cc. Case-insensitive.
 */
export function forwardAllowed(address: string, allowed: { addressBook: readonly string[]; domains: readonly string[] }): boolean {
  const a = address.toLowerCase();
  if (forwardAddressProblem(a) !== null) return false;
  if (allowed.addressBook.some((b) => b.toLowerCase() === a)) return true;
  const domain = a.slice(a.indexOf('@') + 1);
  return allowed.domains.some((d) => domain === d.toLowerCase() || domain.endsWith(`.${d.toLowerCase()}`));
}

/**
 * The addresses a letter has been forwarded to: those the server accepted in its earlier `teruskan` steps
 * (a refused address is recorded apart, under `ditolak`, and is not among them).
 */
export function forwardedTo(steps: readonly { langkah: string; data: unknown }[]): string[] {
  const out: string[] = [];
  for (const s of steps) {
    if (s.langkah !== 'teruskan') continue;
    const ke = (s.data as { ke?: unknown } | null)?.ke;
    if (!Array.isArray(ke)) continue;
    for (const a of ke) if (typeof a === 'string' && !out.some((x) => x.toLowerCase() === a.toLowerCase())) out.push(a);
  }
  return out;
}

/**
 * The failure class of refused forwarding recipients: TEMPFAIL when every refusal was temporary (4xx: the
 * same send may succeed later), DATA when any was permanent (5xx, or a reply without a code).
 */
export function refusalCode(codes: readonly (number | null)[]): 'TEMPFAIL' | 'DATA' {
  return codes.length > 0 && codes.every((c) => c !== null && c >= 400 && c < 500) ? 'TEMPFAIL' : 'DATA';
}

// ---------------------------------------------------------------------------------------- letter fields

const NOMOR_RE = /^[ \t]*(?:Nomor|No\.?|Nomor Surat)[ \t]*:[ \t]*([^\n\r]{3,80}?)[ \t]*$/im;
const TANGGAL_RE = /^[ \t]*(?:Tanggal|Tgl\.?)[ \t]*:[ \t]*([^\n\r]{6,40}?)[ \t]*$/im;

/** The letter's own number (and date) when its text carries "Nomor : ..." (and "Tanggal : ..."). */
export function findLetterNumber(text: string | null | undefined): { nomorSurat: string | null; tanggalSurat: string | null } {
  if (!text) return { nomorSurat: null, tanggalSurat: null };
  const head = text.slice(0, 4000);
  const n = NOMOR_RE.exec(head)?.[1]?.trim() ?? null;
  const d = TANGGAL_RE.exec(head)?.[1]?.trim() ?? null;
  return { nomorSurat: n && /\d/.test(n) ? n : null, tanggalSurat: d };
}

const SIFAT_LINE_RE = /^[ \t]*Sifat(?:[ \t]+Surat)?[ \t]*:[ \t]*([^\n\r]{1,40}?)[ \t]*$/im;
const DERAJAT_LINE_RE = /^[ \t]*(?:Derajat(?:[ \t]+(?:Surat|Kecepatan))?|Kecepatan)[ \t]*:[ \t]*([^\n\r]{1,40}?)[ \t]*$/im;

/** The urgency `value` names ("SEGERA", "sangat_segera"), or null. */
export function normaliseDerajat(value: string): Derajat | null {
  const want = value.trim().replace(/[\s_.-]+/g, ' ').trim().toLowerCase();
  return DERAJAT.find((d) => d.toLowerCase() === want) ?? null;
}

/**
 * The letter's classification and urgency when its text carries "Sifat : Rahasia" (and "Derajat : Segera"),
 * each as written and as understood (null when not understood: the operator classifies it by hand).
 */
export function findLetterClassification(text: string | null | undefined): {
  sifatTertulis: string | null;
  sifat: Sifat | null;
  derajatTertulis: string | null;
  derajat: Derajat | null;
} {
  const head = (text ?? '').slice(0, 4000);
  const s = SIFAT_LINE_RE.exec(head)?.[1]?.trim() || null;
  const d = DERAJAT_LINE_RE.exec(head)?.[1]?.trim() || null;
  const clean = (v: string): string => v.replace(/[.;,]+$/, '');
  return { sifatTertulis: s, sifat: s === null ? null : normaliseSifat(clean(s)), derajatTertulis: d, derajat: d === null ? null : normaliseDerajat(clean(d)) };
}

/** Indonesian (and English) month names and their usual abbreviations, lower case, to the month 1-12. */
const BULAN: Readonly<Record<string, number>> = {
  januari: 1, jan: 1, january: 1,
  februari: 2, pebruari: 2, feb: 2, peb: 2, february: 2,
  maret: 3, mar: 3, march: 3,
  april: 4, apr: 4,
  mei: 5, may: 5,
  juni: 6, jun: 6, june: 6,
  juli: 7, jul: 7, july: 7,
  agustus: 8, agu: 8, agt: 8, ags: 8, agus: 8, aug: 8, august: 8,
  september: 9, sep: 9, sept: 9,
  oktober: 10, okt: 10, oct: 10, october: 10,
  november: 11, nopember: 11, nov: 11, nop: 11,
  desember: 12, des: 12, dec: 12, december: 12,
};

function isoDate(y: number, m: number, d: number): string | null {
  if (y < 1900 || y > 2999 || m < 1 || m > 12 || d < 1) return null;
  const last = new Date(Date.UTC(y, m, 0)).getUTCDate();
  if (d > last) return null;
  return `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

/**
 * The calendar date (YYYY-MM-DD) a letter's own date line means, or null when it cannot be read for sure.
 * Understands "1 Desember 2026", "01 Des. 2026", "Pekalongan, 1 Desember 2026", "Senin, 1 Desember 2026",
 * "01-12-2026", "01/12/2026", "01.12.2026" (day first, as Indonesian letters write it) and "2026-12-01".
 * A day the month does not have (31 November) is null, never moved to the next month.
 */
export function parseTanggalSurat(written: string | null | undefined): string | null {
  if (!written) return null;
  const s = written.normalize('NFKC').trim();
  const isoM = /(?:^|[^\d])(\d{4})-(\d{1,2})-(\d{1,2})(?![\d])/.exec(s);
  if (isoM) return isoDate(Number(isoM[1]), Number(isoM[2]), Number(isoM[3]));
  const num = /(?:^|[^\d])(\d{1,2})([-/.])(\d{1,2})\2(\d{4})(?![\d])/.exec(s);
  if (num) return isoDate(Number(num[4]), Number(num[3]), Number(num[1]));
  const words = /(?:^|[^\p{L}\d])(\d{1,2})[ \t.-]*(\p{L}+)\.?[ \t.,-]*(\d{4})(?![\d])/u.exec(s);
  if (words) {
    const m = BULAN[(words[2] ?? '').toLowerCase()];
    if (m !== undefined) return isoDate(Number(words[3]), m, Number(words[1]));
  }
  return null;
}

/** A one-paragraph summary (isi ringkas) from the text: the first lines, at most `max` characters. */
export function summarise(text: string | null | undefined, max = 200): string | null {
  if (!text) return null;
  const flat = text.replace(/\s+/g, ' ').trim();
  if (flat.length === 0) return null;
  return flat.length <= max ? flat : `${flat.slice(0, max - 1).trimEnd()}…`;
}

// ---------------------------------------------------------------------------------------------- paraf

/**
 * Whether `tier` may initial now, given the tiers already done (in order). Returns null when it may, else
 * why not: 'unknownTier', 'alreadyDone', or 'outOfOrder' with the tier that must come first.
 */
export function checkParaf(order: readonly string[], done: readonly string[], tier: string): null | { problem: 'unknownTier' | 'alreadyDone' | 'outOfOrder'; expected: string | null } {
  const i = order.findIndex((t) => t.toLowerCase() === tier.toLowerCase());
  if (i < 0) return { problem: 'unknownTier', expected: order.join(', ') };
  const doneSet = new Set(done.map((d) => d.toLowerCase()));
  if (doneSet.has(order[i]!.toLowerCase())) return { problem: 'alreadyDone', expected: null };
  const next = order.find((t) => !doneSet.has(t.toLowerCase())) ?? null;
  if (next !== null && next.toLowerCase() !== tier.toLowerCase()) return { problem: 'outOfOrder', expected: next };
  return null;
}

// ---------------------------------------------------------------------------------------------- antar

/** How a printed letter reaches its addressee (SOP step 7). */
export const JALUR = ['ajudan', 'umum', 'langsung', 'faks', 'email', 'aplikasi'] as const;
export type Jalur = (typeof JALUR)[number];

const PIMPINAN_RE = /\b(wali\s*kota|walikota|wakil\s+wali\s*kota|bupati|wakil\s+bupati|gubernur|wakil\s+gubernur|sekda|sekretaris\s+daerah|asisten)\b/i;

/**
 * The default route for an addressee: the Mayor/Regent/Governor, the Regional Secretary and the Assistants
 * through their adjutant (ajudan); heads of OPD and anyone else directly (langsung). An explicit choice wins.
 */
export function ruteAntar(tujuan: string, pilihan?: Jalur | null): Jalur {
  if (pilihan) return pilihan;
  return PIMPINAN_RE.test(tujuan) ? 'ajudan' : 'langsung';
}

/** Electronic routes need no receipt signed by hand: a delivery report is enough (SOP step 8). */
export function jalurElektronik(j: Jalur): boolean {
  return j === 'email' || j === 'aplikasi' || j === 'faks';
}

// ------------------------------------------------------------------------------------------------ SLA

/**
 * The milestones recorded for a letter, each closing one or more SOP steps. Steps without their own event
 * (4 agenda per recipient, 5 cover sheet to the Kasi) are measured together with the next recorded one.
 */
export const MILESTONES: readonly { name: 'terdaftar' | SuratMasukLangkah; steps: readonly SopStep[] }[] = [
  { name: 'terdaftar', steps: ['periksa'] },
  { name: 'teruskan', steps: ['teruskan'] },
  { name: 'cetak', steps: ['cetak'] },
  { name: 'paraf', steps: ['agenda', 'pengantar', 'paraf'] },
  { name: 'antar', steps: ['antar'] },
  { name: 'tandaterima', steps: ['tandaterima'] },
  { name: 'arsip', steps: ['arsip'] },
];

export interface LetterTimes {
  /** when the message reached the mailbox (server internal date, or import time) */
  diterimaAt: string;
  registeredAt: string;
  status: SuratMasukStatus;
  /** whether it has cc addresses to forward to (else step 2 is only the archive, done at fetch) */
  adaTembusan: boolean;
  /** step events, oldest first */
  langkah: { langkah: SuratMasukLangkah; at: string }[];
  /** the number of paraf tiers configured: the paraf milestone is reached at the last one */
  parafTiers: number;
}

export interface MilestoneReport {
  name: string;
  /** working minutes allowed for this milestone's steps */
  standar: number;
  /** deadline from arrival (cumulative standards), ISO */
  batas: string;
  /** when it was reached, ISO, or null */
  at: string | null;
  /** working minutes this milestone took after the previous one (or so far, when not reached) */
  menit: number;
  terlambat: boolean;
}

export interface LetterSla {
  milestones: MilestoneReport[];
  /** the next milestone to reach, or null when done */
  menunggu: string | null;
  /** deadline of the whole service */
  batasLayanan: string;
  /** working minutes from arrival to done (or to now) */
  menitLayanan: number;
  terlambat: boolean;
  selesai: boolean;
}

/**
 * Measure one letter against the standards in working time. A milestone is late when it was reached (or is
 * still not reached at `now`) after its cumulative deadline; the letter is late when the whole service
 * deadline passed before it was done, or any milestone is late.
 */
export function measureLetter(cal: WorkingCalendar, t: LetterTimes, standar: Readonly<Record<SopStep, number>>, layananHariKerja: number, now: Date): LetterSla {
  const arrived = new Date(t.diterimaAt);
  const when = (name: string): string | null => {
    if (name === 'terdaftar') return t.registeredAt;
    const evs = t.langkah.filter((l) => l.langkah === name);
    if (name === 'paraf') return evs.length >= t.parafTiers ? (evs[t.parafTiers - 1]?.at ?? null) : null;
    // one receipt per addressee: the step is done when the last is back (then the letter is filed)
    if (name === 'tandaterima') return t.langkah.some((l) => l.langkah === 'arsip') ? (evs.at(-1)?.at ?? null) : null;
    return evs[0]?.at ?? null;
  };
  const milestones: MilestoneReport[] = [];
  let cumulative = 0;
  let prevAt = arrived;
  let menunggu: string | null = null;
  let lastDone: Date = arrived;
  for (const m of MILESTONES) {
    const standarM = m.steps.reduce((s, k) => s + (standar[k] ?? 0), 0);
    cumulative += standarM;
    // without cc addresses, step 2 is the archive, written at fetch time: reached with the registration
    const at = m.name === 'teruskan' && !t.adaTembusan ? (when('teruskan') ?? t.registeredAt) : when(m.name);
    const batas = addWorkingMinutes(cal, arrived, cumulative);
    const reached = at === null ? null : new Date(at);
    const end = reached ?? now;
    const menit = Math.max(0, workingMinutesBetween(cal, prevAt, end));
    if (reached === null && menunggu === null) menunggu = m.name;
    milestones.push({ name: m.name, standar: standarM, batas: batas.toISOString(), at, menit: Math.round(menit), terlambat: end.getTime() > batas.getTime() });
    if (reached) {
      prevAt = reached;
      if (reached > lastDone) lastDone = reached;
    }
  }
  const selesai = t.status === 'selesai' || menunggu === null;
  const batasLayanan = addWorkingDays(cal, arrived, layananHariKerja);
  const endService = selesai ? lastDone : now;
  return {
    milestones,
    menunggu: selesai ? null : menunggu,
    batasLayanan: batasLayanan.toISOString(),
    menitLayanan: Math.round(workingMinutesBetween(cal, arrived, endService)),
    terlambat: endService.getTime() > batasLayanan.getTime() || milestones.some((m) => m.terlambat && (m.at !== null || m.name === menunggu)),
    selesai,
  };
}

// ------------------------------------------------------------------------------------------------ fetch plan

/** A message as the IMAP listing names it (size as listed; 0 when the server did not say). */
export interface ListedMessage {
  uid: number;
  size: number;
  internalDate: Date | null;
}

/**
 * Messages up to this size are fetched whole, several per UID FETCH; larger ones are streamed (into the
 * archive, then parsed from there by mailparser, which decodes every attachment itself). 8 MiB, not 2: a
 * scanned letter of a few MB then takes the whole-message path (hashed on the parse thread, attachments
 * decoded natively): the 1,000 bench messages (29 of 2-6.3 MB) took 0.6 CPU-s less at the same peak RSS
 * (issue 16). A batch still holds at most BATCH_BYTES.
 */
export const SMALL_MESSAGE = 8 * 1024 * 1024;
/** A batch of small messages: at most this many bytes (as listed) and messages, one transaction. */
export const BATCH_BYTES = 8 * 1024 * 1024;
export const BATCH_MESSAGES = 64;

export type Batch = { kind: 'small'; uids: number[] } | { kind: 'large'; message: ListedMessage };

/** Group the listing, in UID order, into batches of small messages and single large ones. */
export function planBatches(todo: readonly ListedMessage[]): Batch[] {
  const out: Batch[] = [];
  let cur: { kind: 'small'; uids: number[] } | null = null;
  let bytes = 0;
  for (const m of todo) {
    // a size the server did not report (0) is treated as large: streamed, never held whole
    if (m.size <= 0 || m.size > SMALL_MESSAGE) {
      cur = null;
      out.push({ kind: 'large', message: m });
      continue;
    }
    if (cur === null || cur.uids.length >= BATCH_MESSAGES || bytes + m.size > BATCH_BYTES) {
      cur = { kind: 'small', uids: [] };
      bytes = 0;
      out.push(cur);
    }
    cur.uids.push(m.uid);
    bytes += m.size;
  }
  return out;
}

/** The bare address of "Name <addr>" (or the text itself). */
export function bareAddress(s: string): string {
  const m = /<([^>]+)>\s*$/.exec(s);
  return (m?.[1] ?? s).trim();
}

/** Two folder paths name the same folder: equal, or both INBOX (whose name is case-insensitive). */
export function samePath(a: string, b: string): boolean {
  return a === b || (a.toUpperCase() === 'INBOX' && b.toUpperCase() === 'INBOX');
}
