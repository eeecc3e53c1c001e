/**
 * `sandi aduan impor`: a small RFC 4180 reader (quoted fields, "" escapes, CR LF or LF line ends, fields
 * spanning lines, a UTF-8 BOM, `,` or `;` as the separator as spreadsheets export it) and the check of each
 * record against the documented columns. Pure: the service passes the file's text.
 *
 * Columns (header row required, names case-insensitive, order free; unknown columns are reported):
 *   kanal, nomor_pelacakan, jenis, kategori, judul, kronologi, diterima (YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS][±HH:MM|Z];
 *   a date alone means 08:00 office time), kerahasiaan (terbuka | rahasia | anonim; default terbuka),
 *   pelapor_nama, pelapor_nik, pelapor_email, pelapor_telepon, pelapor_alamat.
 */
import { KERAHASIAAN, normalisePelapor, pelaporProblem, type IdentitasPelapor, type JenisAduan, type Kerahasiaan } from './aduan.js';
import { ADUAN, pilihan, type Harapan } from './skema.js';

/**
 * One problem of a CSV row, for the operator's language (rendered by the command layer): `kolom` names the
 * column, `nilai` the value found. `nilai` with `harap`: a value the column's schema refuses (the expected form
 * is `validasi.harap.*`). The other codes: `anonimBerpelapor` (an anonymous complaint with a reporter column
 * filled), `pelaporWajib` (no pelapor_nama), `nik` (not 16 digits), `jumlahKolom` (fields vs header),
 * `kutipTerbuka` / `teksSetelahKutip` (quoting), `duplikat` (the same tracking id earlier in the file, at `baris`).
 */
export interface MasalahCsv {
  kode: 'nilai' | 'anonimBerpelapor' | 'pelaporWajib' | 'nik' | 'jumlahKolom' | 'kutipTerbuka' | 'teksSetelahKutip' | 'duplikat';
  kolom?: string;
  nilai?: string;
  harap?: Harapan;
  jumlah?: number;
  harus?: number;
  baris?: number;
}

/** A header that cannot be read: no header row at all, or required columns missing (named in `kolom`). */
export type MasalahJudul = { kode: 'tanpaJudul' } | { kode: 'kolomHilang'; kolom: string[] };

export interface CsvRecord {
  /** physical line (1-based) where the record starts */
  line: number;
  fields: string[];
}

export interface CsvProblem {
  line: number;
  masalah: MasalahCsv;
}

/** Parse CSV text into records; a quote left open is reported at the line where its record began. */
export function parseCsv(text: string): { records: CsvRecord[]; problems: CsvProblem[]; separator: string } {
  const src = text.startsWith('\uFEFF') ? text.slice(1) : text;
  const firstLine = src.split(/\r?\n/, 1)[0] ?? '';
  const separator = (firstLine.match(/;/g)?.length ?? 0) > (firstLine.match(/,/g)?.length ?? 0) ? ';' : ',';
  const records: CsvRecord[] = [];
  const problems: CsvProblem[] = [];
  let line = 1;
  let start = 1;
  let field = '';
  let fields: string[] = [];
  let inQuotes = false;
  let quotedField = false;
  let afterQuote = false;
  const endRecord = () => {
    fields.push(field);
    // a blank line is no record
    if (!(fields.length === 1 && fields[0] === '' && !quotedField)) records.push({ line: start, fields });
    fields = [];
    field = '';
    quotedField = false;
    afterQuote = false;
  };
  for (let i = 0; i < src.length; i++) {
    const ch = src[i] as string;
    if (inQuotes) {
      if (ch === '"') {
        if (src[i + 1] === '"') {
          field += '"';
          i++;
        } else {
          inQuotes = false;
          afterQuote = true;
        }
      } else {
        if (ch === '\n') line++;
        field += ch;
      }
      continue;
    }
    if (ch === '"' && field === '' && !afterQuote) {
      inQuotes = true;
      quotedField = true;
      continue;
    }
    if (ch === separator) {
      fields.push(field);
      field = '';
      afterQuote = false;
      continue;
    }
    if (ch === '\r' && src[i + 1] === '\n') continue;
    if (ch === '\n') {
      endRecord();
      line++;
      start = line;
      continue;
    }
    if (afterQuote) {
      problems.push({ line, masalah: { kode: 'teksSetelahKutip' } });
      afterQuote = false;
    }
    field += ch;
  }
  if (inQuotes) problems.push({ line: start, masalah: { kode: 'kutipTerbuka' } });
  else if (field !== '' || fields.length > 0 || quotedField) endRecord();
  return { records, problems, separator };
}

export const CSV_COLUMNS = [
  'kanal', 'nomor_pelacakan', 'jenis', 'kategori', 'judul', 'kronologi', 'diterima', 'kerahasiaan',
  'pelapor_nama', 'pelapor_nik', 'pelapor_email', 'pelapor_telepon', 'pelapor_alamat',
] as const;
const REQUIRED = ['kanal', 'nomor_pelacakan', 'jenis', 'judul', 'diterima'] as const;

export interface AduanBaru {
  kanal: string;
  nomorPelacakan: string;
  jenis: JenisAduan;
  kategori: string | null;
  judul: string;
  kronologi: string | null;
  diterimaAt: Date;
  kerahasiaan: Kerahasiaan;
  pelapor: IdentitasPelapor | null;
}

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2})?(\.\d+)?(Z|[+-]\d{2}:\d{2})?$/;

/** UTC offset of the office zones (no daylight saving in Indonesia). */
const ZONE_OFFSET: Record<string, string> = { 'Asia/Jakarta': '+07:00', 'Asia/Makassar': '+08:00', 'Asia/Jayapura': '+09:00' };

/** Read a date received: YYYY-MM-DD (08:00 office time), or a date-time (office time unless it names a zone). */
export function parseReceived(s: string, timeZone: string): Date | null {
  const v = s.trim();
  const off = ZONE_OFFSET[timeZone] ?? '+07:00';
  let iso: string;
  if (DATE_ONLY.test(v)) iso = `${v}T08:00:00${off}`;
  else if (DATE_TIME.test(v)) iso = /(Z|[+-]\d{2}:\d{2})$/.test(v) ? v.replace(' ', 'T') : `${v.replace(' ', 'T')}${off}`;
  else return null;
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return null;
  // reject dates the Date parser would roll over (2026-02-30)
  const [y, m, day] = v.slice(0, 10).split('-').map(Number) as [number, number, number];
  if (new Date(Date.UTC(y, m - 1, day)).toISOString().slice(0, 10) !== v.slice(0, 10)) return null;
  return d;
}

export interface CsvRowResult {
  line: number;
  aduan?: AduanBaru;
  /** every problem of the row, each naming its column */
  masalah?: MasalahCsv[];
}

/**
 * Map the records of a CSV file to complaints. Header problems (missing required columns) are fatal and
 * returned as `header`; each other record yields either a complaint or its problem, with its line.
 */
export function readAduanCsv(
  text: string,
  o: { kanal: readonly string[]; timeZone: string },
): { header: MasalahJudul | null; unknownColumns: string[]; rows: CsvRowResult[] } {
  const { records, problems } = parseCsv(text);
  const head = records[0];
  if (!head) return { header: { kode: 'tanpaJudul' }, unknownColumns: [], rows: [] };
  const names = head.fields.map((f) => f.trim().toLowerCase());
  const missing = REQUIRED.filter((c) => !names.includes(c));
  if (missing.length > 0) return { header: { kode: 'kolomHilang', kolom: missing }, unknownColumns: [], rows: [] };
  const unknownColumns = names.filter((n) => n !== '' && !(CSV_COLUMNS as readonly string[]).includes(n));
  const rows: CsvRowResult[] = problems.map((p) => ({ line: p.line, masalah: [p.masalah] }));
  for (const r of records.slice(1)) {
    if (r.fields.length !== names.length) {
      rows.push({ line: r.line, masalah: [{ kode: 'jumlahKolom', jumlah: r.fields.length, harus: names.length }] });
      continue;
    }
    const get = (c: string): string => {
      const i = names.indexOf(c);
      return i < 0 ? '' : (r.fields[i] ?? '').trim();
    };
    const res = checkRow(get, o);
    rows.push(Array.isArray(res) ? { line: r.line, masalah: res } : { line: r.line, aduan: res });
  }
  rows.sort((a, b) => a.line - b.line);
  return { header: null, unknownColumns, rows };
}

function checkRow(get: (c: string) => string, o: { kanal: readonly string[]; timeZone: string }): AduanBaru | MasalahCsv[] {
  // every problem of the record at once (the same checks as `aduan catat`, src/domain/skema.ts), named by column
  const problems: MasalahCsv[] = REQUIRED.filter((c) => get(c) === '').map((c) => ({ kode: 'nilai', kolom: c, nilai: '', harap: { harap: 'teks' } }));
  const refused = (kolom: string, r: { ok: boolean } & Partial<Harapan>): void => {
    if (!r.ok && r.harap !== undefined) problems.push({ kode: 'nilai', kolom, nilai: get(kolom), harap: { harap: r.harap, ...(r.params ? { params: r.params } : {}) } });
  };
  const kanal = get('kanal').toLowerCase();
  if (kanal !== '') refused('kanal', pilihan(o.kanal)(kanal));
  const jenis = ADUAN.jenis.cek(get('jenis'));
  if (get('jenis') !== '') refused('jenis', jenis);
  const diterimaAt = get('diterima') === '' ? null : parseReceived(get('diterima'), o.timeZone);
  if (get('diterima') !== '' && diterimaAt === null) problems.push({ kode: 'nilai', kolom: 'diterima', nilai: get('diterima'), harap: { harap: 'waktu' } });
  const k = ADUAN.kerahasiaan.cek(get('kerahasiaan') || 'terbuka');
  if (!k.ok) problems.push({ kode: 'nilai', kolom: 'kerahasiaan', nilai: get('kerahasiaan'), harap: { harap: 'pilihan', params: { pilihan: KERAHASIAAN.join(', ') } } });
  if (problems.length > 0 || !jenis.ok || !k.ok || diterimaAt === null) return problems;
  const kerahasiaan: Kerahasiaan = k.value;
  const raw = { nama: get('pelapor_nama'), nik: get('pelapor_nik'), email: get('pelapor_email'), telepon: get('pelapor_telepon'), alamat: get('pelapor_alamat') };
  const filled = Object.entries(raw).filter(([, v]) => v !== '').map(([f]) => `pelapor_${f}`);
  let pelapor: IdentitasPelapor | null = null;
  if (kerahasiaan === 'anonim') {
    if (filled.length > 0) return [{ kode: 'anonimBerpelapor', kolom: filled.join(', ') }];
  } else {
    const problem = pelaporProblem(raw);
    if (problem !== null) {
      const kolom = `pelapor_${problem.field}`;
      return [problem.kode === 'nik' ? { kode: 'nik', kolom, nilai: get(kolom) } : { kode: 'pelaporWajib', kolom }];
    }
    pelapor = normalisePelapor(raw);
  }
  return {
    kanal,
    nomorPelacakan: get('nomor_pelacakan'),
    jenis: jenis.value,
    kategori: get('kategori') || null,
    judul: get('judul'),
    kronologi: get('kronologi') || null,
    diterimaAt,
    kerahasiaan,
    pelapor,
  };
}
