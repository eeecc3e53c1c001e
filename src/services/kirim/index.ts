/**
 * `sandi kirim`: the outgoing classified-mail service of SOP 001, as states of a row in the Buku Agenda
 * Kriptogram Keluar, each move recorded with actor and time in the audit log:
 *
 *   terdaftar → diparaf → ditandatangani → bernomor → (tidak_pasti →) terkirim;  batal with a reason.
 *
 * Drafts and signatures (why it is built this way):
 * - At the initial (paraf) the sandiman's key signs the document inside a *draft kriptogram* encrypted to
 *   the archive key and the Kasi's key(s) only, with a fixed MIME boundary. A second small kriptogram (the
 *   *paraf record*, same recipients, signed by the sandiman) keeps that boundary, the file name, the protected
 *   headers and the sandiman's signature packet. Both live under <home>/arsip/kriptogram-keluar/draf/, named by
 *   the draft's SHA-256, with a clear sidecar JSON (no secrets: fingerprints and hashes). They are written
 *   BEFORE the row exists; then one transaction registers the row and records the initial (two audit events,
 *   terdaftar then diparaf). So a crash leaves either nothing in the register (an unreferenced encrypted draft,
 *   harmless) or a row whose draft is complete: never a registered row that needs the document again.
 *   Plaintext never touches the disk.
 * - Protected headers (inside the encryption, covered by both signatures): the real subject, the
 *   classification, and the request letter's reference (X-Sandi-Extra-Permohonan). The kriptogram number is
 *   NOT among them: the SOP numbers after the Kasi has signed, and the signed content cannot change after the
 *   signatures, so X-Sandi-Nomor is left out and the number travels only in the clear Subject (which is all
 *   the clear Subject reveals). The recipient ties the two together through the request letter reference.
 * - At the signature (tandatangani) the Kasi decrypts both with the Kasi's own key, in memory, checks the
 *   sandiman's signature, may read the document, and builds the final kriptogram: the same content (same
 *   boundary, so the sandiman's earlier signature still fits and is checked again before it is written) with
 *   the sandiman's signature and the Kasi's own, encrypted to every recipient and the archive key. So the two
 *   people never need each other's passphrase, and GnuPG shows two good signatures on one message.
 * - Numbering takes the next gapless number in the office's time zone, and in the same transaction fixes the
 *   Message-ID (the outbox record), before any byte goes to a server. The outer mail is rebuilt
 *   byte-identically from the row and the archived final kriptogram, so a resumed send is the same message.
 * - Just before the first SMTP byte the row goes to tidak_pasti. A failure that certainly sent nothing
 *   returns it to bernomor (a temporary refusal, 4xx, is retried with bounded backoff first: SMTP_RETRY);
 *   anything else leaves it tidak_pasti, and `lanjut` finds out (Sent folder by Message-ID, or the local
 *   Maildirs exactly) or asks the operator before it ever sends again.
 * - Ordinary letters (`--biasa`, register surat_keluar) reuse the sending half: their MIME part (and
 *   detached signature) is archived first, then one transaction registers, signs, numbers and fixes the
 *   Message-ID, then the same send.
 * - One run per row: a run claims a row (a PID lock file under <home>/.kirim-klaim/) in the transaction that
 *   reads its state, or for a new row in the one that registers it, and releases it after its last state is
 *   committed; `lanjut` leaves a claimed row to its run. So an operator's kirim and a timer's lanjut never sign,
 *   number or send one row twice.
 * - A file a register row points to is never rewritten: the final kriptogram goes to a new file
 *   <id>-<sha16>.asc (linked into place, never replacing), which the row points to (kriptogram_sha256) only in
 *   the transaction that records the signature; a refused transaction removes only that new file.
 * - Every secret a send needs (key passphrases, the mailbox password) is resolved before anything is
 *   registered or numbered. Each Sent-folder copy is recorded (<buku>.salinan_sent); `lanjut` adds the copies
 *   that sent rows lack (found missing by Message-ID).
 * - Each secret key is unlocked once per service instance (one CLI run, one batch) and kept decrypted in
 *   memory only; a single-operator run signs from the document still in memory instead of decrypting its
 *   own draft again.
 * - the crash tests' kill points are a port (`io.crashPoint`, wired by src/app/kirim.ts to the test-only
 *   SANDI_TEST_CRASH_AT); see CRASH_POINTS.
 *
 * The steps live in this folder, one file per SOP step, each a module-level function taking the run's shared
 * state (KirimCtx, context.ts) first: daftar.ts (register, and `siap`), paraf.ts (the initial: draft and
 * paraf record), tandatangani.ts (the Kasi's signature), nomori-kirim.ts (number and send), lanjut.ts
 * (resume, uncertain rows), biasa.ts (ordinary letters); shared helpers in keys.ts (keys and the mailbox
 * password), claims.ts, files.ts, message.ts (the outer mail), sent-copy.ts, dokumen.ts; the adapters they
 * use are its ports (src/ports/kirim.ts), built by src/app/kirim.ts and handed in. This file is the facade the CLI, the demo and the tests call.
 */
import { SandiError } from '../../errors.js';
import type { KirimPorts } from '../../ports/kirim.js';
import { NOT_FINAL, kirimContext, type KirimHome } from './context.js';
import { requireState, row } from './claims.js';
import { finalNameOf, shownAt } from './files.js';
import { siap, mulai } from './daftar.js';
import { tandatangani } from './tandatangani.js';
import { lanjut } from './lanjut.js';
import { batalBiasa, kirimBiasa, statusBiasa } from './biasa.js';
import { rowView, type BiasaInput, type Decide, type DraftView, type KirimInput, type KirimOptions, type RowView } from './types.js';

export { CRASH_POINTS, type CrashPoint, type KirimCtx, type KirimHome } from './context.js';
export { readDocument, readPerihalFile } from './dokumen.js';
export { letterView, rowView } from './types.js';
export type {
  BiasaInput,
  BiasaReport,
  Decide,
  DokumenDiMemori,
  DraftView,
  Keputusan,
  KirimInput,
  KirimOptions,
  KirimReport,
  KirimStep,
  LetterView,
  ResumeReport,
  RowView,
  SendOutcome,
} from './types.js';

export type KirimService = ReturnType<typeof kirimService>;

/**
 * The outgoing kriptogram service for an opened home folder, over its ports (`io`: the real ones from
 * src/app/kirim.ts, or a test's fakes).
 */
export function kirimService(app: KirimHome, o: KirimOptions, io: KirimPorts) {
  const c = kirimContext(app, o, io);
  const { now } = c;

  return {
    config: c.config,

    /**
     * What a send needs before anyone is asked anything: the archive key, a Kasi key to encrypt the draft to,
     * the sandiman's own signing key (and the Kasi's in single-operator mode). NOT_FOUND names the one missing.
     */
    siap: () => siap(c),

    /**
     * Start a kriptogram: check every input and key (and the passphrases) before anything is written, write
     * the encrypted draft with the sandiman's initial, then register and record the initial in one
     * transaction. In single-operator mode the Kasi signs at once, and it is numbered and sent.
     */
    mulai: (input: KirimInput) => mulai(c, input),

    /** The Kasi reads the draft (in memory) and signs; with `kirim`, the kriptogram is then numbered and sent. */
    tandatangani: (id: number, opts: { kirim?: boolean; confirm?: (d: DraftView) => Promise<boolean> } = {}) => tandatangani(c, id, opts),

    /**
     * Finish what was interrupted, each row as far as it goes: in single-operator mode a draft is signed by
     * the Kasi; signed rows are numbered and sent; uncertain sends are checked (local Maildirs exactly, or the
     * Sent folder by Message-ID) and only resent when the operator says nothing went out (`decide`).
     */
    lanjut: (id?: number, decide?: Decide) => lanjut(c, id, decide),

    /** Send an ordinary letter in clear (biasa.ts). */
    kirimBiasa: (input: BiasaInput) => kirimBiasa(c, input),

    /** Rows of the outgoing mail register (ordinary letters) that are not finished, or all of them. */
    statusBiasa: (all = false) => statusBiasa(c, all),

    /** Cancel an ordinary letter before it is sent, with the reason. */
    batalBiasa: (id: number, alasan: string) => batalBiasa(c, id, alasan),

    /** Rows that wait for someone (or every row with `all`), oldest first. */
    status(all = false): RowView[] {
      return [...c.registers().kriptogramKeluar.list(all ? {} : { status: NOT_FINAL })].map(rowView);
    },

    /** Cancel a row before it is sent, with the reason; a numbered row keeps its number as batal. */
    batal(id: number, alasan: string): RowView {
      if (alasan.trim().length === 0) throw new SandiError('USAGE', 'store.fieldRequired', { field: 'alasan' });
      const r = row(c, id);
      requireState(r, ['terdaftar', 'diparaf', 'ditandatangani', 'bernomor']);
      return rowView(c.registers().write((u) => u.kriptogramKeluar.setStatus(id, 'batal', { alasan }, now(), o.actor)));
    },

    /** One row. */
    show(id: number): RowView {
      return rowView(row(c, id));
    },

    /** Where the final (signed) kriptogram of a row is archived (in a folder archive: the file's path). */
    archivedAt(id: number): string {
      return shownAt(c, finalNameOf(c, row(c, id)));
    },

    /** The size of a row's archived final kriptogram (0 when none is archived). */
    archivedBytes(id: number): number {
      return c.io.arsip.stat(finalNameOf(c, row(c, id)))?.size ?? 0;
    },
  };
}
