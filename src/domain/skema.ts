/**
 * One schema per record an operator types (flags, prompts, CSV): every field is checked before anything is
 * written, and every problem is returned at once, each naming its field and the expected form. Pure: no I/O,
 * no clock. A field's check is also what a prompt uses to re-ask, so a flag and a prompt accept the same values.
 *
 * Hand-written rather than a schema library: the record kinds are flat (strings, lists of strings), the
 * checks are five, and what matters — the operator's field name and an id+en expected form per problem, a
 * canonical spelling for an enum typed in any case — is exactly what this file is.
 */
import { SIFAT, DERAJAT } from './records.js';
import { parseExpiry } from './kunci.js';
import { JENIS_ADUAN, KERAHASIAAN } from './aduan.js';
import { parseNumberFormat } from './numbering.js';
import { parseServiceHours } from './service-hours.js';

/** What a field expects: the key under `validasi.harap.*` in the message catalog, with its parameters. */
export interface Harapan {
  harap: 'tanggal' | 'waktu' | 'email' | 'pilihan' | 'teks' | 'kedaluwarsa' | 'bilangan' | 'urutan' | 'kodeUnit' | 'host' | 'formatNomor' | 'jamLayanan';
  params?: Record<string, string | number>;
}

export type Cek<T> = (raw: string) => { ok: true; value: T } | ({ ok: false } & Harapan);

/** One problem: the field (as the operator named it: a flag, a CSV column), the value given, what it must be. */
export interface Masalah extends Harapan {
  field: string;
  value: string;
}

const ok = <T>(value: T) => ({ ok: true as const, value });
const no = (harap: Harapan['harap'], params?: Harapan['params']) => ({ ok: false as const, harap, ...(params ? { params } : {}) });

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** A real calendar date YYYY-MM-DD (2026-02-30 and 20-11-2026 are not). */
export const tanggal: Cek<string> = (raw) => {
  const v = raw.trim();
  const m = DATE_RE.exec(v);
  if (!m) return no('tanggal');
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const dt = new Date(Date.UTC(y, mo - 1, d));
  if (y < 1900 || dt.getUTCFullYear() !== y || dt.getUTCMonth() !== mo - 1 || dt.getUTCDate() !== d) return no('tanggal');
  return ok(v);
};

const TIME_RE = /^(\d{4}-\d{2}-\d{2})(?:[T ]([01]\d|2[0-3]):[0-5]\d(?::[0-5]\d)?(?:\.\d+)?(?:Z|[+-](?:[01]\d|2[0-3]):[0-5]\d)?)?$/;

/** A calendar date, or a date and time (YYYY-MM-DD, YYYY-MM-DDTHH:MM[:SS][Z|±HH:MM]); stored as typed, trimmed. */
export const waktu: Cek<string> = (raw) => {
  const v = raw.trim();
  const m = TIME_RE.exec(v);
  return m && tanggal(m[1] ?? '').ok ? ok(v) : no('waktu');
};

const EMAIL_RE = /^[^\s@<>()",;:[\]\\]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$/;

/** One plain e-mail address (local@domain.tld), no display name; the domain is stored lower-case. */
export const email: Cek<string> = (raw) => {
  const v = raw.trim();
  if (v.length > 254 || !EMAIL_RE.test(v)) return no('email');
  const at = v.lastIndexOf('@');
  const local = v.slice(0, at);
  if (local.length > 64 || local.startsWith('.') || local.endsWith('.') || local.includes('..')) return no('email');
  return ok(`${local}@${v.slice(at + 1).toLowerCase()}`);
};

/** Non-empty text on one line (no control characters); stored trimmed. */
export const teks: Cek<string> = (raw) => {
  const v = raw.trim();
  if (v.length === 0 || /[\u0000-\u001f\u007f]/.test(v)) return no('teks');
  return ok(v);
};

/**
 * One of a closed list, case-insensitive and with spaces collapsed ("sangat  rahasia" is "Sangat Rahasia");
 * the canonical spelling is what is stored. A value matching two entries when case is ignored is refused.
 */
export function pilihan<T extends string>(list: readonly T[]): Cek<T> {
  const norm = (s: string) => s.trim().replace(/[\s_-]+/g, ' ').toLowerCase();
  return (raw) => {
    const exact = list.find((x) => x === raw.trim());
    if (exact !== undefined) return ok(exact);
    const hits = list.filter((x) => norm(x) === norm(raw));
    return hits.length === 1 ? ok(hits[0] as T) : no('pilihan', { pilihan: list.join(', ') });
  };
}

/** A whole number in [min, max]. */
export function bilangan(min: number, max: number): Cek<number> {
  return (raw) => {
    const v = raw.trim();
    if (!/^-?\d+$/.test(v)) return no('bilangan', { min, max });
    const n = Number(v);
    return n >= min && n <= max ? ok(n) : no('bilangan', { min, max });
  };
}

/** A key lifetime as `kunci buat --kedaluwarsa` takes it (2y, 18m, 90d, never); stored as typed, trimmed. */
export const kedaluwarsa: Cek<string> = (raw) => (parseExpiry(raw) === null ? no('kedaluwarsa') : ok(raw.trim()));

/** A unit code as it appears inside every number ("DISKOMINFO", "KOMINFO.2"): letters, digits, "." and "-", ≤ 32. */
export const kodeUnit: Cek<string> = (raw) => {
  const v = raw.trim();
  return /^[A-Za-z0-9][A-Za-z0-9.-]{0,31}$/.test(v) ? ok(v) : no('kodeUnit');
};

const LABEL = '[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?';
const HOST_RE = new RegExp(`^${LABEL}(?:\\.${LABEL})*$`);

/** A server name (imap.kominfo.go.id), an IPv4 address, or an IPv6 address without brackets. */
export const host: Cek<string> = (raw) => {
  const v = raw.trim();
  if (v.length <= 253 && HOST_RE.test(v)) return ok(v.toLowerCase());
  if (/^[0-9A-Fa-f:.]+$/.test(v) && v.includes(':')) return ok(v.toLowerCase());
  return no('host');
};

/** A register number format ({urut:3}/{unit}/{bulan}/{tahun}), checked by the same parser numbering uses. */
export const formatNomor: Cek<string> = (raw) => {
  const v = raw.trim();
  try {
    parseNumberFormat(v);
    return ok(v);
  } catch {
    return no('formatNomor');
  }
};

/** Office service hours as `init --jam-layanan` takes them ("senin-kamis=08:00-12:00,13:00-16:00;jumat=08:00-11:00"). */
export const jamLayanan: Cek<string> = (raw) => (parseServiceHours(raw.trim()) === null ? no('jamLayanan') : ok(raw.trim()));

/** A field of a record: how the operator names it, its check, and whether it must be there / may repeat. */
export interface Bidang<T> {
  field: string;
  cek: Cek<T>;
  wajib: boolean;
  banyak?: boolean;
}

function f<T>(field: string, cek: Cek<T>): Bidang<T> & { wajib: true };
function f<T>(field: string, cek: Cek<T>, wajib: false): Bidang<T> & { wajib: false };
function f<T>(field: string, cek: Cek<T>, wajib = true): Bidang<T> {
  return { field, cek, wajib };
}
const many = <T>(field: string, cek: Cek<T>, wajib = true) => ({ field, cek, wajib, banyak: true as const });

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Skema = Record<string, Bidang<any>>;
type Nilai<B> = B extends Bidang<infer T> ? (B extends { banyak: true } ? T[] : B extends { wajib: true } ? T : T | undefined) : never;
export type Hasil<S extends Skema> = { [K in keyof S]: Nilai<S[K]> };
export type Masukan<S extends Skema> = { [K in keyof S]?: string | readonly string[] | undefined };

/**
 * Check every field of `input` against `schema`: the cleaned record, or every problem at once. With
 * `sebagian` only the fields given are checked (flags, before the prompts ask for the rest).
 */
export function periksa<S extends Skema>(schema: S, input: Masukan<S>, o: { sebagian?: boolean } = {}): { ok: true; value: Hasil<S> } | { ok: false; problems: Masalah[] } {
  const problems: Masalah[] = [];
  const out: Record<string, unknown> = {};
  for (const [name, b] of Object.entries(schema)) {
    const raw = input[name];
    const values = raw === undefined ? [] : typeof raw === 'string' ? [raw] : [...raw];
    const given = values.filter((v) => v.trim().length > 0);
    if (given.length === 0) {
      if (b.wajib && !(o.sebagian === true && raw === undefined)) problems.push({ field: b.field, value: values[0] ?? '', harap: 'teks' });
      out[name] = b.banyak ? [] : undefined;
      continue;
    }
    const cleaned: unknown[] = [];
    for (const v of given) {
      const r = b.cek(v);
      if (r.ok) cleaned.push(r.value);
      else problems.push({ field: b.field, value: v, harap: r.harap, ...(r.params ? { params: r.params } : {}) });
    }
    out[name] = b.banyak ? cleaned : cleaned[0];
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, value: out as Hasil<S> };
}

/** `sandi kirim`: a kriptogram asked for by a request letter (SOP seed 001). */
export const PERMOHONAN_KRIPTOGRAM = {
  dokumen: f('DOKUMEN', teks),
  permohonanNomor: f('--permohonan-nomor', teks),
  permohonanTanggal: f('--permohonan-tanggal', tanggal),
  permohonanUnit: f('--permohonan-unit', teks),
  ditugaskan: f('--ditugaskan', teks, false),
  kepada: many('--kepada', email),
  perihal: f('--perihal', teks),
  sifat: f('--sifat', pilihan(SIFAT)),
  derajat: f('--derajat', pilihan(DERAJAT)),
} satisfies Skema;

/** `sandi kirim --biasa`: an ordinary letter sent in clear; the request letter is optional. */
export const SURAT_BIASA = {
  dokumen: f('DOKUMEN', teks),
  kepada: many('--kepada', email),
  perihal: f('--perihal', teks),
  sifat: f('--sifat', pilihan(SIFAT), false),
  derajat: f('--derajat', pilihan(DERAJAT), false),
  permohonanNomor: f('--permohonan-nomor', teks, false),
  permohonanTanggal: f('--permohonan-tanggal', tanggal, false),
  permohonanUnit: f('--permohonan-unit', teks, false),
  ditugaskan: f('--ditugaskan', teks, false),
} satisfies Skema;

/** `sandi aduan catat` and each record of `aduan impor` (CSV column names in `kolom`): a complaint. */
export const ADUAN = {
  kanal: f('--kanal', teks),
  nomorPelacakan: f('--nomor-pelacakan', teks),
  jenis: f('--jenis', pilihan(JENIS_ADUAN)),
  judul: f('--judul', teks),
  kategori: f('--kategori', teks, false),
  diterima: f('--diterima', waktu, false),
  kerahasiaan: f('--kerahasiaan', pilihan(KERAHASIAAN), false),
} satisfies Skema;

/** `sandi kunci alamat tambah`: an address-book entry. */
export const ALAMAT = {
  email: f('--email', email),
  unit: f('--unit', teks),
  kodeUnit: f('--kode-unit', teks, false),
  kunci: f('--kunci', teks),
} satisfies Skema;

/** `sandi kunci buat`: a new own key. */
export const KUNCI_BARU = {
  nama: f('--nama', teks),
  email: f('--email', email),
  komentar: f('--komentar', teks, false),
  kedaluwarsa: f('--kedaluwarsa', kedaluwarsa),
} satisfies Skema;

/** `sandi terima tandaterima`: who received a routed letter, and when (a real date and time, not "kemarin 1"). */
export const TANDA_TERIMA = {
  tujuan: f('--tujuan', teks),
  diterimaOleh: f('--diterima-oleh', teks, false),
  waktu: f('--waktu', waktu, false),
} satisfies Skema;

/** `sandi terima teruskan --ke`: carbon-copy addresses. */
export const TERUSKAN = {
  ke: many('--ke', email, false),
} satisfies Skema;

/** `sandi init`: the office's settings as flags; every value given is checked before anything is asked or written. */
export const INIT_KANTOR = {
  namaKantor: f('--nama-kantor', teks, false),
  kodeUnit: f('--kode-unit', kodeUnit, false),
  jamLayanan: f('--jam-layanan', jamLayanan, false),
  formatKriptogram: f('--format-kriptogram', formatNomor, false),
  formatSuratKeluar: f('--format-surat-keluar', formatNomor, false),
  formatSuratMasuk: f('--format-surat-masuk', formatNomor, false),
  formatKriptogramMasuk: f('--format-kriptogram-masuk', formatNomor, false),
  akunUser: f('--akun-user', email, false),
  imapHost: f('--imap-host', host, false),
  imapPort: f('--imap-port', bilangan(1, 65535), false),
  smtpHost: f('--smtp-host', host, false),
  smtpPort: f('--smtp-port', bilangan(1, 65535), false),
  folderTerkirim: f('--folder-terkirim', teks, false),
  caFile: f('--ca-file', teks, false),
  kunciArsip: f('--kunci-arsip', teks, false),
  emailArsip: f('--email-arsip', email, false),
  kedaluwarsa: f('--kedaluwarsa', kedaluwarsa, false),
} satisfies Skema;

/** A period (`laporan`, `agenda … daftar/ekspor`, `aduan rekap`): real dates, and --sampai not before --dari. */
export const RENTANG = {
  dari: f('--dari', tanggal, false),
  sampai: f('--sampai', tanggal, false),
} satisfies Skema;

/** RENTANG plus the order check: a reversed period names --sampai. */
export function periksaRentang(input: Masukan<typeof RENTANG>): ReturnType<typeof periksa<typeof RENTANG>> {
  const r = periksa(RENTANG, input);
  if (r.ok && r.value.dari !== undefined && r.value.sampai !== undefined && r.value.sampai < r.value.dari) {
    return { ok: false, problems: [{ field: '--sampai', value: r.value.sampai, harap: 'urutan', params: { dari: r.value.dari } }] };
  }
  return r;
}
