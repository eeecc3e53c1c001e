/**
 * `sandi terima`: the incoming-mail service of SOP seeds 000 and 002.
 *
 * Fetch: for each new message, in this order — archive the raw bytes (content-addressed, durable), parse,
 * register (incoming register, or the incoming-kriptogram register for encrypted mail) together with the
 * folder position in ONE transaction. So a second run, a run after a crash, or a run after the server
 * renumbered the folder (new UIDVALIDITY) registers nothing twice and skips nothing: the position says where
 * to start, and the content hash and Message-ID catch what was registered under another position.
 *
 * Sources: the configured IMAP mailbox; `--dari-folder DIR` (a Maildir or a folder of .eml files, the
 * fallback channel); and with no mailbox configured, the local Maildir <home>/maildir/INBOX.
 *
 * After arrival, each SOP step is an event with actor and time: teruskan, cetak, paraf (tiered), antar,
 * tandaterima (then the letter is filed). `status` measures each letter in working time.
 *
 * Each step is a named function of its own file in this folder, taking the shared context (konteks.ts):
 * ambil (ambil-imap, ambil-folder; daftarkan registers each message), kriptogram (baca), teruskan, cetak,
 * klasifikasi, paraf, antar, tandaterima, status, periksa-arsip. `terimaService` binds them to one context.
 */
import type { Writable } from 'node:stream';
import type { TerimaPorts } from '../../ports/terima.js';
import type { Bahasa } from '../../domain/tanggal-tampil.js';
import type { Jalur } from '../../domain/terima.js';
import { terimaCtx, type TerimaHome, type TerimaOptions } from './konteks.js';
import { ambil } from './ambil.js';
import { baca, bacaBagian } from './kriptogram.js';
import { teruskan } from './teruskan.js';
import { cetak } from './cetak.js';
import { klasifikasi } from './klasifikasi.js';
import { paraf } from './paraf.js';
import { antar } from './antar.js';
import { tandaterima } from './tandaterima.js';
import { status } from './status.js';
import { periksaArsip } from './periksa-arsip.js';

export { loadTerimaSettings, type TerimaSettings, type TerimaOptions, type TerimaCtx } from './konteks.js';
export type { Arrival, Duplicate, FetchReport, Forwarded, LetterStatus, Refused, SignerView } from './types.js';

/**
 * The terima service for an opened app: every step bound to one context (settings loaded once), over its
 * ports (`io`: the real ones from src/app/terima.ts, or a test's fakes).
 */
export function terimaService(app: TerimaHome, opts: TerimaOptions, io: TerimaPorts) {
  const ctx = terimaCtx(app, opts, io);
  return {
    settings: ctx.settings,
    archive: ctx.archive,
    /**
     * Fetch what is new and register it. `dariFolder` imports a Maildir or a folder of .eml files; without it
     * the configured mailbox is read, or, with none configured, the local Maildir <home>/maildir/INBOX.
     */
    fetch: (o: { dariFolder?: string } = {}) => ambil(ctx, o),
    /** Decrypt and verify an incoming kriptogram; its plaintext goes to `output` only when given. */
    baca: (ref: string, output?: Writable) => baca(ctx, ref, output),
    /** Like baca, with the protected Subject and every part of the letter; with `keluaran`, written there as new files. */
    bacaBagian: (ref: string, keluaran?: string) => bacaBagian(ctx, ref, keluaran),
    /** Forward the archived message, unchanged, to the cc addresses (or `ke`); recorded as a step. */
    teruskan: (ref: string, o: { ke?: string[] }) => teruskan(ctx, ref, o),
    /** Print the pack (PDF kept under <home>/cetak or `keluaran`, sent to the printer when one is configured). */
    cetak: (ref: string, o: { penerima?: string[]; keluaran?: string; printer?: string | null; label: (k: string, p?: Record<string, string | number>) => string; lang?: Bahasa }) => cetak(ctx, ref, o),
    /** Set or correct an incoming letter's classification and/or urgency, as an event with its reason. */
    klasifikasi: (ref: string, o: { sifat?: string; derajat?: string; alasan: string }) => klasifikasi(ctx, ref, o),
    /** One tier of initials, by name, in the configured order; the last tier moves the letter to "diparaf". */
    paraf: (ref: string, o: { sebagai: string; nama: string }) => paraf(ctx, ref, o),
    /** Assign the courier (caraka) with the route per addressee; the first moves the letter to "diantar". */
    antar: (ref: string, o: { caraka: string; tujuan?: string[]; jalur?: Jalur | null }) => antar(ctx, ref, o),
    /** The receipt for one addressee; when every addressee has one, the letter is filed and done. */
    tandaterima: (ref: string, o: { tujuan: string; diterimaOleh?: string; waktu?: Date; laporan?: string }) => tandaterima(ctx, ref, o),
    /** Where each letter is, what waits for whom, and the SLA in working time (all, or only open ones). */
    status: (o: { semua?: boolean; ref?: string } = {}) => status(ctx, o),
    /** Re-hash every archived message; and check every registered row has its archived bytes. */
    periksaArsip: () => periksaArsip(ctx),
  };
}

export type TerimaService = ReturnType<typeof terimaService>;
