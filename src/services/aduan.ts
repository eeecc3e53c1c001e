/**
 * `sandi aduan` use cases: register complaints (one, or many from a portal CSV export), record every hand-over
 * along the chain upstream → office → OPD → office → upstream, list open complaints by holder and lateness,
 * and show one (the reporter's identity only with the archive key's passphrase).
 *
 * The reporter's identity is encrypted to the office archive key before it reaches the database; it never goes
 * into the audit log, a list, or an error.
 */
import { createReadStream, readFileSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import type { SandiConfig } from '../config/config.js';
import { SandiError } from '../errors.js';
import type { PassphraseSource } from '../ports.js';
import type { Registers, UnitOfWork } from '../ports/registers.js';
import type { AttachmentArchive, PelaporCipher } from '../ports/aduan.js';
import { StaleAduan, type Aduan, type LampiranAduan, type LangkahAduan } from '../domain/records-aduan.js';
import {
  ADUAN_STATUSES,
  PEMEGANG,
  isOpen,
  laporanAduan,
  lateness,
  parseAduanConfig,
  transition,
  type AduanAction,
  type AduanLaporan,
  type LaporanAduan,
  type AduanStatus,
  type IdentitasPelapor,
  type JenisAduan,
  type Kanal,
  type Kerahasiaan,
  type Keterlambatan,
  type Pemegang,
} from '../domain/aduan.js';
import { readAduanCsv, type MasalahCsv } from '../domain/aduan-csv.js';
import { localDate, type WorkingCalendar } from '../domain/working-time.js';
import { kunciService, type KunciHome } from './kunci.js';

/** What the complaint service needs of a home: its configuration, books, archive and ports (App is one). */
export interface AduanHome extends KunciHome {
  config(): SandiConfig;
  officeCalendar(config: SandiConfig): WorkingCalendar;
  registers(): Registers;
  aduanArchive(): AttachmentArchive;
  pelaporCipher: PelaporCipher;
}

export interface AduanSettings {
  config: SandiConfig;
  kanal: Kanal[];
  calendar: WorkingCalendar;
}

/** config.json (its optional "aduan" object) and the holidays file, as a calendar. */
export function loadAduanSettings(app: Pick<AduanHome, 'config' | 'officeCalendar'>): AduanSettings {
  const config = app.config();
  // loadConfig has already checked the "aduan" object; this only applies the defaults.
  const parsed = parseAduanConfig(config.aduan);
  if (!('kanal' in parsed)) throw new SandiError('INTERNAL', 'common.internal', { detail: 'aduan config passed validation but not parsing' });
  return { config, kanal: parsed.kanal, calendar: app.officeCalendar(config) };
}

export interface CatatInput {
  kanal: string;
  nomorPelacakan: string;
  jenis: JenisAduan;
  kategori?: string | undefined;
  judul: string;
  kronologi?: string | undefined;
  diterimaAt: Date;
  kerahasiaan: Kerahasiaan;
  /** null for an anonymous complaint */
  pelapor: IdentitasPelapor | null;
  /** files to archive with the complaint */
  lampiran?: string[] | undefined;
}

export interface ActInput {
  catatan?: string | undefined;
  /** --alasan: required for kembalikan, tunda, arsipkan */
  alasan?: string | undefined;
  /** disposisi: the OPD (address-book e-mail or unit name) */
  opd?: string | undefined;
  kanal?: string | undefined;
  lampiran?: string[] | undefined;
}

export interface ImporRow {
  baris: number;
  hasil: 'baru' | 'sudah_ada' | 'ditolak';
  nomor?: string;
  kanal?: string;
  nomorPelacakan?: string;
  /** a refused row: every problem, each naming its column (rendered in the operator's language by the CLI) */
  masalah?: MasalahCsv[];
}

export interface ImporResult {
  berkas: string;
  baru: number;
  sudahAda: number;
  ditolak: number;
  kolomTakDikenal: string[];
  baris: ImporRow[];
}

export interface StatusRow {
  nomor: string;
  kanal: string;
  nomorPelacakan: string;
  jenis: JenisAduan;
  judul: string;
  status: AduanStatus;
  pemegang: Pemegang;
  opd: string | null;
  sejak: string;
  tenggat: string | null;
  tenggatJenis: string | null;
  terlambat: boolean;
  menitTerlambat: number;
  menitTersisa: number;
}

export interface AduanDetail {
  aduan: Aduan;
  pemegang: Pemegang;
  keterlambatan: Keterlambatan;
  langkah: LangkahAduan[];
  /** only with tampilkanPelapor and the archive passphrase; undefined otherwise */
  pelapor?: IdentitasPelapor | null;
}

/** The complaint service for an opened app, acting as `actor`. */
export function aduanService(app: AduanHome, actor: string) {
  let settings: AduanSettings | undefined;
  const get = (): AduanSettings => (settings ??= loadAduanSettings(app));
  const books = () => app.registers().aduan;
  const archive = () => app.aduanArchive();
  const cipher = app.pelaporCipher;

  function requireKanal(kode: string): Kanal {
    const k = get().kanal.find((x) => x.kode === kode.toLowerCase());
    if (!k) throw new SandiError('DATA', 'aduan.unknownKanal', { value: kode, expected: get().kanal.map((x) => x.kode).join(', ') });
    return k;
  }

  function resolveOne(ref: string, kanal?: string): Aduan {
    const found = books().find(ref, kanal?.toLowerCase());
    if (found.length === 0) throw new SandiError('NOT_FOUND', 'aduan.notFound', { ref }, { hint: 'aduan.notFound.hint' });
    if (found.length > 1) throw new SandiError('USAGE', 'aduan.ambiguous', { ref, kanal: found.map((a) => a.kanal).join(', ') });
    return found[0] as Aduan;
  }

  async function archiveFiles(paths: string[]): Promise<LampiranAduan[]> {
    const out: LampiranAduan[] = [];
    for (const p of paths) {
      let size: number;
      try {
        const st = statSync(p);
        if (!st.isFile()) throw new SandiError('DATA', 'aduan.lampiranNotFile', { path: p });
        size = st.size;
      } catch (e) {
        if (e instanceof SandiError) throw e;
        throw new SandiError('NOT_FOUND', 'common.fileNotFound', { path: p });
      }
      const a = await archive().put(createReadStream(p));
      out.push({ nama: basename(p), sha256: a.sha256, ukuran: size });
    }
    return out;
  }

  async function archivePublic(): Promise<string> {
    return (await kunciService(app, actor).requireUsableKey(get().config.archiveKey, 'encrypt')).publicArmored;
  }

  /** one unit of work of the register port (a register trigger → CONFLICT) */
  function write<T>(fn: (u: UnitOfWork) => T): T {
    return app.registers().write(fn);
  }

  function yearOf(at: Date): number {
    return Number(localDate(get().calendar, at).slice(0, 4));
  }

  return {
    settings: get,

    /** Register one complaint. The identity is encrypted before anything is written. */
    async catat(input: CatatInput): Promise<Aduan> {
      const k = requireKanal(input.kanal);
      if (books().findByTracking(k.kode, input.nomorPelacakan) !== null) {
        throw new SandiError('CONFLICT', 'aduan.duplicate', { kanal: k.nama, nomorPelacakan: input.nomorPelacakan });
      }
      if ((input.kerahasiaan === 'anonim') !== (input.pelapor === null)) {
        throw new SandiError('USAGE', input.pelapor === null ? 'aduan.pelaporMissing' : 'aduan.anonimWithPelapor');
      }
      const now = app.clock.now();
      const blob = input.pelapor === null ? null : await cipher.encrypt(input.pelapor, { kanal: k.kode, nomorPelacakan: input.nomorPelacakan }, await archivePublic(), now);
      const lampiran = await archiveFiles(input.lampiran ?? []);
      return write((u) =>
        u.aduan.register(
          {
            sumber: 'catat',
            kanal: k.kode,
            nomorPelacakan: input.nomorPelacakan,
            jenis: input.jenis,
            kategori: input.kategori ?? null,
            judul: input.judul,
            kronologi: input.kronologi ?? null,
            diterimaAt: input.diterimaAt,
            kerahasiaan: input.kerahasiaan,
            pelaporTerenkripsi: blob,
            lampiran,
            tahun: yearOf(now),
          },
          now,
          actor,
        ),
      );
    },

    /**
     * Register the complaints of a CSV export: idempotent on (channel, tracking id); a bad row is reported by
     * its line and the good ones are still registered (each in its own transaction). `progress` is told after
     * each row (rows done, rows in the file).
     */
    async impor(path: string, opts: { progress?: (done: number, total: number) => void } = {}): Promise<ImporResult> {
      let text: string;
      try {
        text = readFileSync(path, 'utf8');
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new SandiError('NOT_FOUND', 'common.fileNotFound', { path });
        throw new SandiError('IO', 'common.fileUnreadable', { path, reason: (e as Error).message });
      }
      const s = get();
      const parsed = readAduanCsv(text, { kanal: s.kanal.map((k) => k.kode), timeZone: s.config.office.timeZone });
      if (parsed.header !== null) {
        const kolom = parsed.header.kode === 'kolomHilang' ? parsed.header.kolom.join(', ') : '';
        throw new SandiError('DATA', `aduan.impor.${parsed.header.kode}`, { path, kolom }, { hint: 'aduan.impor.hint' });
      }
      const result: ImporResult = { berkas: path, baru: 0, sudahAda: 0, ditolak: 0, kolomTakDikenal: parsed.unknownColumns, baris: [] };
      let publicKey: string | undefined;
      const seen = new Map<string, number>();
      let done = 0;
      const total = parsed.rows.length;
      opts.progress?.(0, total);
      for (const r of parsed.rows) {
        if (done > 0) opts.progress?.(done, total);
        done++;
        if (r.aduan === undefined) {
          result.ditolak++;
          result.baris.push({ baris: r.line, hasil: 'ditolak', masalah: r.masalah ?? [] });
          continue;
        }
        const a = r.aduan;
        const key = `${a.kanal}\u0000${a.nomorPelacakan}`;
        const earlier = seen.get(key);
        if (earlier !== undefined) {
          result.ditolak++;
          result.baris.push({ baris: r.line, hasil: 'ditolak', kanal: a.kanal, nomorPelacakan: a.nomorPelacakan, masalah: [{ kode: 'duplikat', kolom: 'nomor_pelacakan', nilai: a.nomorPelacakan, baris: earlier }] });
          continue;
        }
        seen.set(key, r.line);
        const existing = books().findByTracking(a.kanal, a.nomorPelacakan);
        if (existing !== null) {
          result.sudahAda++;
          result.baris.push({ baris: r.line, hasil: 'sudah_ada', nomor: existing.nomor, kanal: a.kanal, nomorPelacakan: a.nomorPelacakan });
          continue;
        }
        const now = app.clock.now();
        let blob: Uint8Array | null = null;
        if (a.pelapor !== null) {
          publicKey ??= await archivePublic();
          blob = await cipher.encrypt(a.pelapor, { kanal: a.kanal, nomorPelacakan: a.nomorPelacakan }, publicKey, now);
        }
        const row = write((u) =>
          u.aduan.register(
            { sumber: 'impor', kanal: a.kanal, nomorPelacakan: a.nomorPelacakan, jenis: a.jenis, kategori: a.kategori, judul: a.judul, kronologi: a.kronologi, diterimaAt: a.diterimaAt, kerahasiaan: a.kerahasiaan, pelaporTerenkripsi: blob, lampiran: [], tahun: yearOf(now) },
            now,
            actor,
          ),
        );
        result.baru++;
        result.baris.push({ baris: r.line, hasil: 'baru', nomor: row.nomor, kanal: a.kanal, nomorPelacakan: a.nomorPelacakan });
      }
      opts.progress?.(total, total);
      return result;
    },

    /** One hand-over (disposisi, kembalikan, tindaklanjut, konfirmasi, verifikasi, selesai, tunda, lanjutkan, arsipkan). */
    async act(ref: string, action: AduanAction, input: ActInput = {}): Promise<Aduan & { dariStatus: AduanStatus; aksi: AduanAction; opdLuarBukuAlamat?: boolean }> {
      const a = resolveOne(ref, input.kanal);
      let opd: { unit: string; email: string | null } | null = null;
      let opdLuarBukuAlamat = false;
      if (action === 'disposisi' && input.opd !== undefined && input.opd.trim() !== '') {
        const name = input.opd.trim();
        const units = books().findUnit(name);
        const distinct = [...new Set(units.map((u) => u.unit))];
        if (distinct.length > 1) throw new SandiError('USAGE', 'aduan.opdAmbiguous', { opd: input.opd, units: distinct.join(', ') });
        if (units.length === 0) {
          // The address book holds only units bound to an OpenPGP key (buku_alamat.fingerprint NOT NULL), but a
          // complaint carries no kriptogram: any OPD is a valid target, named as the office names it. An e-mail
          // address that is not in the book is refused rather than taken as a unit's name (a typo, most likely).
          if (name.includes('@')) throw new SandiError('NOT_FOUND', 'aduan.opdNotFound', { opd: input.opd }, { hint: 'aduan.opdNotFound.hint' });
          opd = { unit: name, email: null };
          opdLuarBukuAlamat = true;
        } else {
          const u = units[0] as { unit: string; email: string };
          opd = { unit: u.unit, email: units.length === 1 ? u.email : null };
        }
      }
      const reason = input.alasan ?? null;
      const decision = transition({ status: a.status, action, pausedFrom: a.ditundaDari, reason, opd: opd?.unit ?? input.opd ?? null });
      if (!decision.ok) {
        if (decision.reason === 'not_allowed') {
          throw new SandiError(
            'CONFLICT',
            decision.allowed.length === 0 ? 'aduan.refusedFinal' : 'aduan.refused',
            { nomor: a.nomor, status: a.status, action, allowed: decision.allowed.join(', ') },
            { hint: 'aduan.refused.hint' },
          );
        }
        if (decision.reason === 'needs_reason') throw new SandiError('USAGE', 'aduan.needsReason', { action });
        if (decision.reason === 'needs_opd') throw new SandiError('USAGE', 'aduan.needsOpd', { nomor: a.nomor });
        throw new SandiError('CONFLICT', 'aduan.noPrevious', { nomor: a.nomor });
      }
      const lampiran = await archiveFiles(input.lampiran ?? []);
      const now = app.clock.now();
      const catatan = [reason, input.catatan].filter((x): x is string => x !== null && x !== undefined && x.trim() !== '').join(' — ') || null;
      const data: Record<string, unknown> = {};
      if (reason !== null) data['alasan'] = reason;
      if (lampiran.length > 0) data['lampiran'] = lampiran;
      try {
        const after = write((u) => u.aduan.recordStep(a.id, { aksi: action, from: a.status, to: decision.to, catatan, opd, data }, now, actor));
        return { ...after, dariStatus: a.status, aksi: action, ...(opdLuarBukuAlamat ? { opdLuarBukuAlamat } : {}) };
      } catch (e) {
        if (e instanceof StaleAduan) throw new SandiError('CONFLICT', 'aduan.changed', { nomor: a.nomor }, { hint: 'aduan.changed.hint' });
        throw e;
      }
    },

    /** Open complaints (not final), with who holds them and how late they are; the latest first within a holder. */
    status(opts: { semua?: boolean } = {}): StatusRow[] {
      const s = get();
      const now = app.clock.now();
      const statuses = opts.semua === true ? ADUAN_STATUSES : ADUAN_STATUSES.filter(isOpen);
      const rows: StatusRow[] = [];
      for (const a of books().list({ statuses })) {
        const k = s.kanal.find((x) => x.kode === a.kanal);
        const late = k
          ? lateness(s.calendar, k, { status: a.status, receivedAt: new Date(a.diterimaAt), statusAt: new Date(a.statusAt) }, now)
          : { tenggat: null, terlambat: false, menitTerlambat: 0, menitTersisa: 0 };
        rows.push({
          nomor: a.nomor,
          kanal: a.kanal,
          nomorPelacakan: a.nomorPelacakan,
          jenis: a.jenis,
          judul: a.judul,
          status: a.status,
          pemegang: PEMEGANG[a.status],
          opd: a.opd,
          sejak: a.statusAt,
          tenggat: late.tenggat?.batas.toISOString() ?? null,
          tenggatJenis: late.tenggat?.jenis ?? null,
          terlambat: late.terlambat,
          menitTerlambat: late.menitTerlambat,
          menitTersisa: late.menitTersisa,
        });
      }
      const order: Pemegang[] = ['kantor', 'opd', 'hulu', 'pelapor', 'tidak_ada'];
      rows.sort((x, y) => order.indexOf(x.pemegang) - order.indexOf(y.pemegang) || y.menitTerlambat - x.menitTerlambat || x.nomor.localeCompare(y.nomor));
      return rows;
    },

    /** One complaint with its events; the identity only when asked, with the archive key's passphrase. */
    async lihat(ref: string, opts: { kanal?: string | undefined; tampilkanPelapor?: boolean; passphrases?: PassphraseSource } = {}): Promise<AduanDetail> {
      const a = resolveOne(ref, opts.kanal);
      const s = get();
      const k = s.kanal.find((x) => x.kode === a.kanal);
      const now = app.clock.now();
      const detail: AduanDetail = {
        aduan: a,
        pemegang: PEMEGANG[a.status],
        keterlambatan: k
          ? lateness(s.calendar, k, { status: a.status, receivedAt: new Date(a.diterimaAt), statusAt: new Date(a.statusAt) }, now)
          : { tenggat: null, terlambat: false, menitTerlambat: 0, menitTersisa: 0 },
        langkah: books().listSteps(a.id),
      };
      if (opts.tampilkanPelapor === true) {
        const blob = books().pelaporBlob(a.id);
        if (blob === null) detail.pelapor = null;
        else {
          if (!opts.passphrases) throw new SandiError('INTERNAL', 'common.internal', { detail: 'no passphrase source' });
          const keys = kunciService(app, actor);
          const info = await keys.info(s.config.archiveKey);
          const key = await cipher.unlockArchive(keys.loadSecretArmored(s.config.archiveKey), await opts.passphrases.get(info), info);
          detail.pelapor = await cipher.decrypt(blob, { kanal: a.kanal, nomorPelacakan: a.nomorPelacakan, nomor: a.nomor }, key);
          // showing an identity is itself an event: who looked, when (never what)
          write((u) => u.audit(now, { actor, action: 'aduan.pelapor_dibuka', entity: 'aduan', entityId: a.nomor, data: {} }));
        }
      }
      return detail;
    },

    /**
     * The evaluation report over complaints received from `dari` to `sampai` (office-local dates, inclusive):
     * volumes, returns, share on time and median working time per step. No identity is read.
     */
    laporan(opts: { dari: string; sampai: string }): LaporanAduan & { dari: string; sampai: string } {
      const s = get();
      const items: AduanLaporan[] = [];
      for (const a of books().list()) {
        const day = localDate(s.calendar, new Date(a.diterimaAt));
        if (day < opts.dari || day > opts.sampai) continue;
        const langkah = books().listSteps(a.id).map((l) => ({ aksi: l.aksi, dariStatus: l.dariStatus, keStatus: l.keStatus, at: new Date(l.at) }));
        items.push({ kanal: a.kanal, jenis: a.jenis, opd: a.opd, receivedAt: new Date(a.diterimaAt), langkah });
      }
      return { dari: opts.dari, sampai: opts.sampai, ...laporanAduan(s.calendar, s.kanal, items) };
    },

    get: (id: number) => books().get(id),
  };
}

export type AduanService = ReturnType<typeof aduanService>;
