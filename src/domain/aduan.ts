/**
 * Complaints (aduan) from SP4N LAPOR! and LaporGub! (SOP seeds 003, 004): the chain
 * upstream (hulu) → office (kantor) → OPD → office → upstream, as a table-driven state machine, and the
 * deadline of each step in working time.
 *
 *   diterima ──disposisi──▶ didisposisi ──tindaklanjut──▶ ditindaklanjuti ──konfirmasi──▶ dikonfirmasi
 *      │                        │                              │                          │
 *      │ kembalikan             │ kembalikan (OPD → office)    │ disposisi (again)       │ verifikasi ▶ terverifikasi ─selesai─▶ selesai
 *      ▼                        ▼                              ▼                          │ kembalikan (upstream → office)
 *   dikembalikan_ke_hulu   dikembalikan_oleh_opd ──disposisi / kembalikan             dikembalikan_oleh_hulu ──disposisi / konfirmasi
 *
 * `tunda` (postpone) pauses any open complaint; `lanjutkan` resumes it in the state it was paused in.
 * `arsipkan` closes a complaint from any state that is not final.
 *
 * Pure: no clock, no I/O. Times are passed in; the calendar comes from working-time.ts.
 */
import { addWorkingDays, workingMinutesBetween, type WorkingCalendar } from './working-time.js';

// --------------------------------------------------------------------------------------------- words

export const ADUAN_STATUSES = [
  'diterima', // upstream dispositioned it to the office; the office verifies its authority
  'didisposisi', // forwarded to an OPD; the OPD verifies its duties and follows up
  'dikembalikan_oleh_opd', // the OPD returned it to the office (not within its duties)
  'ditindaklanjuti', // the OPD followed up; the office confirms
  'dikonfirmasi', // the office confirmed the follow-up to upstream; upstream verifies
  'dikembalikan_oleh_hulu', // upstream returned the follow-up to the office
  'terverifikasi', // upstream verified and passed it to the reporter
  'dikembalikan_ke_hulu', // the office returned it upstream (not within the city's authority)
  'ditunda', // postponed
  'selesai', // the reporter received the follow-up
  'diarsipkan', // archived
] as const;
export type AduanStatus = (typeof ADUAN_STATUSES)[number];

export const ADUAN_ACTIONS = ['disposisi', 'kembalikan', 'tindaklanjut', 'konfirmasi', 'verifikasi', 'selesai', 'tunda', 'lanjutkan', 'arsipkan'] as const;
export type AduanAction = (typeof ADUAN_ACTIONS)[number];

/** Who holds the complaint in a state: the upstream administrator, the office, an OPD, or nobody (closed). */
export type Pemegang = 'hulu' | 'kantor' | 'opd' | 'pelapor' | 'tidak_ada';

export const PEMEGANG: Readonly<Record<AduanStatus, Pemegang>> = {
  diterima: 'kantor',
  didisposisi: 'opd',
  dikembalikan_oleh_opd: 'kantor',
  ditindaklanjuti: 'kantor',
  dikonfirmasi: 'hulu',
  dikembalikan_oleh_hulu: 'kantor',
  terverifikasi: 'pelapor',
  dikembalikan_ke_hulu: 'hulu',
  ditunda: 'kantor',
  selesai: 'tidak_ada',
  diarsipkan: 'tidak_ada',
};

export const JENIS_ADUAN = ['pengaduan', 'aspirasi', 'permintaan_informasi', 'whistleblowing'] as const;
export type JenisAduan = (typeof JENIS_ADUAN)[number];

/** terbuka = identity known to the channel; rahasia = identity hidden from the public; anonim = no identity. */
export const KERAHASIAAN = ['terbuka', 'rahasia', 'anonim'] as const;
export type Kerahasiaan = (typeof KERAHASIAAN)[number];

/** Special target of `lanjutkan`: the state the complaint was postponed in. */
export const PREVIOUS = '<sebelumnya>' as const;
type Target = AduanStatus | typeof PREVIOUS;

/** Every open state that may be postponed or archived. */
const OPEN: readonly AduanStatus[] = ['diterima', 'didisposisi', 'dikembalikan_oleh_opd', 'ditindaklanjuti', 'dikonfirmasi', 'dikembalikan_oleh_hulu', 'terverifikasi'];

/** The transition table: state → action → next state. Anything missing is refused. */
export const ADUAN_TRANSITIONS: Readonly<Record<AduanStatus, Partial<Record<AduanAction, Target>>>> = {
  diterima: { disposisi: 'didisposisi', kembalikan: 'dikembalikan_ke_hulu', tunda: 'ditunda', arsipkan: 'diarsipkan' },
  didisposisi: { tindaklanjut: 'ditindaklanjuti', kembalikan: 'dikembalikan_oleh_opd', tunda: 'ditunda', arsipkan: 'diarsipkan' },
  dikembalikan_oleh_opd: { disposisi: 'didisposisi', kembalikan: 'dikembalikan_ke_hulu', tunda: 'ditunda', arsipkan: 'diarsipkan' },
  ditindaklanjuti: { konfirmasi: 'dikonfirmasi', disposisi: 'didisposisi', tunda: 'ditunda', arsipkan: 'diarsipkan' },
  dikonfirmasi: { verifikasi: 'terverifikasi', kembalikan: 'dikembalikan_oleh_hulu', tunda: 'ditunda', arsipkan: 'diarsipkan' },
  dikembalikan_oleh_hulu: { disposisi: 'didisposisi', konfirmasi: 'dikonfirmasi', tunda: 'ditunda', arsipkan: 'diarsipkan' },
  terverifikasi: { selesai: 'selesai', tunda: 'ditunda', arsipkan: 'diarsipkan' },
  dikembalikan_ke_hulu: { arsipkan: 'diarsipkan' },
  ditunda: { lanjutkan: PREVIOUS, arsipkan: 'diarsipkan' },
  selesai: {},
  diarsipkan: {},
};

/** Actions that need a reason (--alasan): a return, a postponement, archiving. */
export const NEEDS_REASON: ReadonlySet<AduanAction> = new Set<AduanAction>(['kembalikan', 'tunda', 'arsipkan']);

/** Which way a return goes from each state (for the register and the messages). */
export const RETURN_DIRECTION: Partial<Record<AduanStatus, 'kantor_ke_hulu' | 'opd_ke_kantor' | 'hulu_ke_kantor'>> = {
  diterima: 'kantor_ke_hulu',
  dikembalikan_oleh_opd: 'kantor_ke_hulu',
  didisposisi: 'opd_ke_kantor',
  dikonfirmasi: 'hulu_ke_kantor',
};

export function isFinal(s: AduanStatus): boolean {
  return Object.keys(ADUAN_TRANSITIONS[s]).length === 0;
}

export function isOpen(s: AduanStatus): boolean {
  return OPEN.includes(s) || s === 'ditunda';
}

/** The actions allowed now, in the table's order. */
export function allowedActions(s: AduanStatus): AduanAction[] {
  const row = ADUAN_TRANSITIONS[s];
  return ADUAN_ACTIONS.filter((a) => row[a] !== undefined);
}

export type TransitionResult =
  | { ok: true; to: AduanStatus }
  | { ok: false; reason: 'not_allowed'; allowed: AduanAction[] }
  | { ok: false; reason: 'needs_reason' }
  | { ok: false; reason: 'needs_opd' }
  | { ok: false; reason: 'no_previous' };

export interface TransitionInput {
  status: AduanStatus;
  action: AduanAction;
  /** the state a postponed complaint was paused in (ditunda_dari) */
  pausedFrom?: AduanStatus | null;
  reason?: string | null;
  /** the OPD of a disposition */
  opd?: string | null;
}

/** Decide a transition: the next state, or why it is refused (and what is allowed now). */
export function transition(i: TransitionInput): TransitionResult {
  const target = ADUAN_TRANSITIONS[i.status][i.action];
  if (target === undefined) return { ok: false, reason: 'not_allowed', allowed: allowedActions(i.status) };
  if (NEEDS_REASON.has(i.action) && (i.reason ?? '').trim().length === 0) return { ok: false, reason: 'needs_reason' };
  if (i.action === 'disposisi' && (i.opd ?? '').trim().length === 0) return { ok: false, reason: 'needs_opd' };
  if (target === PREVIOUS) {
    const p = i.pausedFrom ?? null;
    if (p === null || p === 'ditunda' || !OPEN.includes(p)) return { ok: false, reason: 'no_previous' };
    return { ok: true, to: p };
  }
  return { ok: true, to: target };
}

/** Every (from, to) status pair the table allows, `lanjutkan` expanded to each open state (for the DB trigger). */
export function legalStatusPairs(): [AduanStatus, AduanStatus][] {
  const pairs: [AduanStatus, AduanStatus][] = [];
  for (const from of ADUAN_STATUSES) {
    for (const a of allowedActions(from)) {
      const to = ADUAN_TRANSITIONS[from][a];
      if (to === PREVIOUS) for (const o of OPEN) pairs.push([from, o]);
      else if (to !== undefined) pairs.push([from, to]);
    }
  }
  const seen = new Set<string>();
  return pairs.filter(([a, b]) => {
    const k = `${a}>${b}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

// ------------------------------------------------------------------------------------------- channels

/**
 * Deadlines of one channel in working days; null = no deadline for that step.
 * - verifikasi: the office verifies authority (diterima, dikembalikan_oleh_opd, dikembalikan_oleh_hulu)
 * - tindakLanjut: the OPD follows up (didisposisi)
 * - konfirmasi: the office confirms the follow-up (ditindaklanjuti)
 * - layanan: the whole service at the office, from receipt until the office confirms (dikonfirmasi)
 */
export interface TenggatKanal {
  verifikasi: number | null;
  tindakLanjut: number | null;
  konfirmasi: number | null;
  layanan: number | null;
}

export interface Kanal {
  kode: string;
  nama: string;
  tenggat: TenggatKanal;
}

export const DEFAULT_KANAL: readonly Kanal[] = [
  { kode: 'laporgub', nama: 'LaporGub!', tenggat: { verifikasi: null, tindakLanjut: null, konfirmasi: null, layanan: 2 } },
  { kode: 'lapor', nama: 'SP4N LAPOR!', tenggat: { verifikasi: 3, tindakLanjut: 5, konfirmasi: null, layanan: null } },
];

export type TahapTenggat = 'verifikasi' | 'tindakLanjut' | 'konfirmasi';

/** The step whose deadline runs in a state (none in states held upstream, postponed or closed). */
export const TAHAP: Partial<Record<AduanStatus, TahapTenggat>> = {
  diterima: 'verifikasi',
  dikembalikan_oleh_opd: 'verifikasi',
  dikembalikan_oleh_hulu: 'verifikasi',
  didisposisi: 'tindakLanjut',
  ditindaklanjuti: 'konfirmasi',
};

/** States in which the whole-service deadline (layanan) still runs: the complaint is at the office or an OPD. */
const LAYANAN_RUNS: ReadonlySet<AduanStatus> = new Set<AduanStatus>(['diterima', 'didisposisi', 'dikembalikan_oleh_opd', 'ditindaklanjuti', 'dikembalikan_oleh_hulu']);

export type AduanConfigProblem = { key: string; value: unknown; expected: string };

/**
 * Parse the optional `aduan` object of config.json: `{"kanal": {"lapor": {"nama": "...", "tenggat": {...}}, ...}}`.
 * Built-in channels keep their defaults for any deadline not given; a new channel needs a name.
 */
export function parseAduanConfig(raw: unknown): { kanal: Kanal[] } | AduanConfigProblem {
  const kanal = DEFAULT_KANAL.map((k) => ({ ...k, tenggat: { ...k.tenggat } }));
  if (raw === undefined || raw === null) return { kanal };
  if (typeof raw !== 'object' || Array.isArray(raw)) return { key: 'aduan', value: raw, expected: 'object {"kanal": {...}}' };
  const k = (raw as Record<string, unknown>)['kanal'];
  if (k === undefined) return { kanal };
  if (k === null || typeof k !== 'object' || Array.isArray(k)) return { key: 'aduan.kanal', value: k, expected: 'object of channels, e.g. {"lapor": {"tenggat": {"verifikasi": 3}}}' };
  for (const [kode, v] of Object.entries(k as Record<string, unknown>)) {
    const key = `aduan.kanal.${kode}`;
    if (!/^[a-z][a-z0-9_-]{0,31}$/.test(kode)) return { key, value: kode, expected: 'a channel code of lower-case letters, digits, - or _' };
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return { key, value: v, expected: 'object {"nama": "...", "tenggat": {...}}' };
    const o = v as Record<string, unknown>;
    let entry = kanal.find((x) => x.kode === kode);
    if (!entry) {
      if (typeof o['nama'] !== 'string' || o['nama'].trim() === '') return { key: `${key}.nama`, value: o['nama'], expected: 'the channel name' };
      entry = { kode, nama: o['nama'], tenggat: { verifikasi: null, tindakLanjut: null, konfirmasi: null, layanan: null } };
      kanal.push(entry);
    } else if (o['nama'] !== undefined) {
      if (typeof o['nama'] !== 'string' || o['nama'].trim() === '') return { key: `${key}.nama`, value: o['nama'], expected: 'the channel name' };
      entry.nama = o['nama'];
    }
    const t = o['tenggat'];
    if (t === undefined) continue;
    if (t === null || typeof t !== 'object' || Array.isArray(t)) return { key: `${key}.tenggat`, value: t, expected: 'object of working days per step' };
    for (const [step, days] of Object.entries(t as Record<string, unknown>)) {
      if (!['verifikasi', 'tindakLanjut', 'konfirmasi', 'layanan'].includes(step)) {
        return { key: `${key}.tenggat.${step}`, value: step, expected: 'one of verifikasi, tindakLanjut, konfirmasi, layanan' };
      }
      if (days !== null && (typeof days !== 'number' || !Number.isInteger(days) || days < 1 || days > 365)) {
        return { key: `${key}.tenggat.${step}`, value: days, expected: 'whole working days 1–365, or null' };
      }
      entry.tenggat[step as keyof TenggatKanal] = days;
    }
  }
  return { kanal };
}

// ------------------------------------------------------------------------------------------ deadlines

export interface Tenggat {
  /** which deadline: a step's, or the whole service's */
  jenis: TahapTenggat | 'layanan';
  hariKerja: number;
  batas: Date;
}

export interface AduanClock {
  status: AduanStatus;
  /** when the complaint was received at the office (diterima_at) */
  receivedAt: Date;
  /** when it entered its current state */
  statusAt: Date;
}

/** The deadlines running for a complaint in its current state (step deadline first, then the whole service). */
export function runningDeadlines(cal: WorkingCalendar, kanal: Kanal, c: AduanClock): Tenggat[] {
  const out: Tenggat[] = [];
  const tahap = TAHAP[c.status];
  if (tahap !== undefined) {
    const days = kanal.tenggat[tahap];
    if (days !== null) out.push({ jenis: tahap, hariKerja: days, batas: addWorkingDays(cal, c.statusAt, days) });
  }
  if (kanal.tenggat.layanan !== null && LAYANAN_RUNS.has(c.status)) {
    out.push({ jenis: 'layanan', hariKerja: kanal.tenggat.layanan, batas: addWorkingDays(cal, c.receivedAt, kanal.tenggat.layanan) });
  }
  return out;
}

export interface Keterlambatan {
  /** the most pressing deadline, or null when none runs */
  tenggat: Tenggat | null;
  terlambat: boolean;
  /** working minutes past the deadline (0 when not late) */
  menitTerlambat: number;
  /** working minutes left until the deadline (0 when late) */
  menitTersisa: number;
}

/** How late a complaint is at `now`, against the earliest of its running deadlines. */
export function lateness(cal: WorkingCalendar, kanal: Kanal, c: AduanClock, now: Date): Keterlambatan {
  const all = runningDeadlines(cal, kanal, c);
  const first = all.reduce<Tenggat | null>((m, t) => (m === null || t.batas.getTime() < m.batas.getTime() ? t : m), null);
  if (first === null) return { tenggat: null, terlambat: false, menitTerlambat: 0, menitTersisa: 0 };
  // late only once working time has passed since the deadline (a deadline at 12:00 still holds in the lunch break)
  const past = workingMinutesBetween(cal, first.batas, now);
  const late = past > 0;
  return {
    tenggat: first,
    terlambat: late,
    menitTerlambat: late ? Math.max(1, Math.round(past)) : 0,
    menitTersisa: late ? 0 : Math.round(workingMinutesBetween(cal, now, first.batas)),
  };
}

/** Whether a step that started at `from` and ended at `done` met its deadline of `days` working days (no working time past it). */
export function stepOnTime(cal: WorkingCalendar, from: Date, done: Date, days: number): boolean {
  return workingMinutesBetween(cal, addWorkingDays(cal, from, days), done) === 0;
}

// ------------------------------------------------------------------------------------------- register

/** Register number of a complaint: ADU/<urut:3>/<tahun>. */
export function nomorAduan(urut: number, tahun: number): string {
  return `ADU/${String(urut).padStart(3, '0')}/${tahun}`;
}

/** The reporter's identity: every field confidential; stored only encrypted to the office archive key. */
export interface IdentitasPelapor {
  nama: string;
  nik?: string;
  email?: string;
  telepon?: string;
  alamat?: string;
}

export const PELAPOR_FIELDS = ['nama', 'nik', 'email', 'telepon', 'alamat'] as const;

/** What is wrong with a reporter's identity: the field it concerns, named by the caller (a JSON key, a CSV column). */
export interface MasalahPelapor {
  kode: 'tidakDikenal' | 'bukanTeks' | 'wajib' | 'nik';
  field: string;
}

/** Check an identity; returns its first problem (rendered in the operator's language by the caller) or null. */
export function pelaporProblem(p: Partial<Record<string, unknown>>): MasalahPelapor | null {
  for (const k of Object.keys(p)) if (!(PELAPOR_FIELDS as readonly string[]).includes(k)) return { kode: 'tidakDikenal', field: k };
  for (const k of PELAPOR_FIELDS) {
    const v = p[k];
    if (v !== undefined && typeof v !== 'string') return { kode: 'bukanTeks', field: k };
  }
  if (typeof p['nama'] !== 'string' || p['nama'].trim() === '') return { kode: 'wajib', field: 'nama' };
  const nik = p['nik'];
  if (typeof nik === 'string' && nik !== '' && !/^\d{16}$/.test(nik)) return { kode: 'nik', field: 'nik' };
  return null;
}

/** Drop empty fields and trim: the form that is encrypted. */
export function normalisePelapor(p: Partial<Record<(typeof PELAPOR_FIELDS)[number], string>>): IdentitasPelapor {
  const out: IdentitasPelapor = { nama: (p.nama ?? '').trim() };
  for (const k of ['nik', 'email', 'telepon', 'alamat'] as const) {
    const v = p[k]?.trim();
    if (v) out[k] = v;
  }
  return out;
}

// -------------------------------------------------------------------------------------------- report

/** One recorded hand-over, as the report needs it. */
export interface LangkahLaporan {
  aksi: AduanAction | 'catat';
  dariStatus: AduanStatus | null;
  keStatus: AduanStatus;
  at: Date;
}

export interface AduanLaporan {
  kanal: string;
  jenis: JenisAduan;
  opd: string | null;
  receivedAt: Date;
  langkah: readonly LangkahLaporan[];
}

export interface StatistikTahap {
  selesai: number;
  /** steps with a deadline configured, and how many of them met it */
  bertenggat: number;
  tepatWaktu: number;
  /** median working minutes per step, null when none */
  medianMenit: number | null;
}

export interface LaporanAduan {
  jumlah: number;
  perKanal: Record<string, number>;
  perJenis: Record<string, number>;
  perOpd: Record<string, number>;
  pengembalian: { kantor_ke_hulu: number; opd_ke_kantor: number; hulu_ke_kantor: number };
  tahap: Record<TahapTenggat | 'layanan', StatistikTahap>;
  selesai: number;
}

function median(xs: number[]): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return Math.round(s.length % 2 === 1 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2);
}

/**
 * The quarterly evaluation (SOP: every three months): volume per channel, kind and OPD; returns by direction;
 * per step the share on time and the median working time; the whole service (receipt → office confirmation).
 * A step is the time a complaint spent in a state with a deadline (from entering it to the next hand-over).
 */
export function laporanAduan(cal: WorkingCalendar, kanal: readonly Kanal[], items: readonly AduanLaporan[]): LaporanAduan {
  const count = (r: Record<string, number>, k: string) => (r[k] = (r[k] ?? 0) + 1);
  const out: LaporanAduan = {
    jumlah: items.length,
    perKanal: {},
    perJenis: {},
    perOpd: {},
    pengembalian: { kantor_ke_hulu: 0, opd_ke_kantor: 0, hulu_ke_kantor: 0 },
    tahap: {
      verifikasi: { selesai: 0, bertenggat: 0, tepatWaktu: 0, medianMenit: null },
      tindakLanjut: { selesai: 0, bertenggat: 0, tepatWaktu: 0, medianMenit: null },
      konfirmasi: { selesai: 0, bertenggat: 0, tepatWaktu: 0, medianMenit: null },
      layanan: { selesai: 0, bertenggat: 0, tepatWaktu: 0, medianMenit: null },
    },
    selesai: 0,
  };
  const minutes: Record<TahapTenggat | 'layanan', number[]> = { verifikasi: [], tindakLanjut: [], konfirmasi: [], layanan: [] };
  for (const a of items) {
    count(out.perKanal, a.kanal);
    count(out.perJenis, a.jenis);
    if (a.opd !== null) count(out.perOpd, a.opd);
    const k = kanal.find((x) => x.kode === a.kanal);
    const steps = a.langkah;
    for (let i = 1; i < steps.length; i++) {
      const prev = steps[i - 1] as LangkahLaporan;
      const cur = steps[i] as LangkahLaporan;
      if (cur.aksi === 'kembalikan' && cur.dariStatus !== null) {
        const dir = RETURN_DIRECTION[cur.dariStatus];
        if (dir !== undefined) out.pengembalian[dir]++;
      }
      const tahap = TAHAP[prev.keStatus];
      if (tahap === undefined || cur.aksi === 'tunda') continue;
      const st = out.tahap[tahap];
      st.selesai++;
      minutes[tahap].push(workingMinutesBetween(cal, prev.at, cur.at));
      const days = k?.tenggat[tahap] ?? null;
      if (days !== null) {
        st.bertenggat++;
        if (stepOnTime(cal, prev.at, cur.at, days)) st.tepatWaktu++;
      }
    }
    const confirmed = steps.find((s) => s.keStatus === 'dikonfirmasi');
    if (confirmed) {
      const st = out.tahap.layanan;
      st.selesai++;
      minutes.layanan.push(workingMinutesBetween(cal, a.receivedAt, confirmed.at));
      const days = k?.tenggat.layanan ?? null;
      if (days !== null) {
        st.bertenggat++;
        if (stepOnTime(cal, a.receivedAt, confirmed.at, days)) st.tepatWaktu++;
      }
    }
    if (steps.some((s) => s.keStatus === 'selesai')) out.selesai++;
  }
  for (const t of ['verifikasi', 'tindakLanjut', 'konfirmasi', 'layanan'] as const) out.tahap[t].medianMenit = median(minutes[t]);
  return out;
}
