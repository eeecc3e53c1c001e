/**
 * What every kirim step shares, built once per service instance (one CLI run, or one batch) by
 * `kirimContext`: the config, the key service, the register port, the clock, the claims folder, the numbering
 * formats, the options of the run, the ports (`io`, src/ports/kirim.ts), and the two things a run keeps in memory only (the
 * secret keys it unlocked, the mailbox password it resolved). The steps are module-level functions taking it
 * as their first parameter.
 */
import { createHash } from 'node:crypto';
import { SandiError } from '../../errors.js';
import type { ArsipWritten } from '../../ports/arsip.js';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { SandiConfig } from '../../config/config.js';
import type { HomePaths } from '../../config/home.js';
import { SMTP_RETRY, type RetryPolicy } from '../../domain/kirim.js';
import type { OutgoingStatus } from '../../domain/outgoing-state.js';
import type { Numbering } from '../../domain/records.js';
import { kunciService, type KunciService } from '../kunci.js';
import type { AkunHome } from '../akun-kredensial.js';
import type { CrashPoint, KirimPorts } from '../../ports/kirim.js';
import type { EncryptKriptogramOptions, EncryptKriptogramResult } from '../../ports/kriptogram.js';
import type { Registers } from '../../ports/registers.js';
import type { KirimOptions, KirimStep, UnlockedKey } from './types.js';

/**
 * What a kirim run needs of the home (src/app.ts's App is one): its folders, config.json, clock, and the key
 * and account ports. No store: every read and unit of work goes through the register port (`io.registers`),
 * and every archive file through the archive port (`io.arsip`).
 */
export interface KirimHome extends AkunHome {
  paths: Pick<HomePaths, 'root' | 'maildir'>;
  config(): SandiConfig;
}

export interface KirimCtx {
  app: KirimHome;
  o: KirimOptions;
  config: SandiConfig;
  keys: KunciService;
  /** the register port (every read and unit of work of the steps) */
  registers: () => Registers;
  /** the outside world, built by the composition root (src/app/kirim.ts) or a test's fakes */
  io: KirimPorts;
  now: () => Date;
  progress: (step: KirimStep, id: number | null) => void;
  warn: (key: string, params: Record<string, string | number>) => void;
  /** <home>/.kirim-klaim: one PID lock file per claimed row */
  claimDir: string;
  numbering: Numbering;
  letterNumbering: Numbering;
  singleOperator: boolean;
  kasiActor: string;
  retry: RetryPolicy;
  sleep: (ms: number) => Promise<void>;
  fromEmail: string;
  /** secret keys unlocked once per service (one CLI run, or one batch): decrypted armor in memory only */
  unlocked: Map<string, UnlockedKey>;
  /** the mailbox password, resolved once per service (one run): before anything is numbered (sendSecrets) */
  password: Promise<string> | null;
}

/** The shared state of one kirim service instance, for an opened home folder. */
export function kirimContext(app: KirimHome, o: KirimOptions, io: KirimPorts): KirimCtx {
  const config: SandiConfig = app.config();
  return {
    app,
    o,
    config,
    keys: kunciService(app, o.actor),
    registers: () => io.registers(),
    io,
    now: () => app.clock.now(),
    progress: o.progress ?? (() => undefined),
    warn: o.warn ?? (() => undefined),
    // claims: one lock file per row (holding the PID of the run working on it), taken in the transaction that
    // reads the row's state, so two runs (an operator's kirim and a timer's lanjut) never work on one row at once
    claimDir: join(app.paths.root, '.kirim-klaim'),
    letterNumbering: {
      format: config.numberFormats.suratKeluar,
      timeZone: config.office.timeZone,
      unitCode: config.office.unitCode,
      configKey: 'numberFormats.suratKeluar',
    },
    numbering: {
      format: config.numberFormats.kriptogramKeluar,
      timeZone: config.office.timeZone,
      unitCode: config.office.unitCode,
      configKey: 'numberFormats.kriptogramKeluar',
    },
    singleOperator: o.singleOperator ?? config.singleOperator,
    kasiActor: o.kasiActor ?? o.actor,
    retry: o.retry ?? SMTP_RETRY,
    sleep: o.sleep ?? ((ms: number) => new Promise<void>((res) => setTimeout(res, ms))),
    fromEmail: config.mailbox?.user.includes('@') ? config.mailbox.user : `persandian@${config.office.unitCode.toLowerCase()}.sandi.invalid`,
    unlocked: new Map<string, UnlockedKey>(),
    password: null,
  };
}

export const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

/**
 * A kriptogram encrypted into memory, joined once: the sink (and its chunks) is dropped when this returns.
 * For small ones only (the paraf record, an encrypted subject): a document's kriptogram goes through
 * `encryptedSpool`.
 */
export async function encryptedBytes(c: Pick<KirimCtx, 'io'>, o: Omit<EncryptKriptogramOptions, 'output'>): Promise<{ bytes: Buffer; result: EncryptKriptogramResult }> {
  const sink = c.io.memorySink();
  const result = await c.io.crypto.encrypt({ ...o, output: sink });
  return { bytes: sink.bytes(), result };
}

/**
 * The document as the encrypt's input, in 256 KiB views of the buffer (no copies). Given as one chunk, the
 * encrypt base64-encodes, frames and enciphers all of it before it writes a byte: a 256 MiB document was
 * ~1 GB of base64 and ciphertext alive at once, where in chunks it is a few MB.
 */
export function documentInput(doc: Buffer): Readable {
  const CHUNK = 256 * 1024;
  function* views(): Generator<Buffer> {
    for (let at = 0; at < doc.length; at += CHUNK) yield doc.subarray(at, Math.min(at + CHUNK, doc.length));
  }
  return Readable.from(views(), { objectMode: false });
}

/** A kriptogram in a private temporary file (ciphertext only), with its SHA-256: archived by `archiveSpooled`, then removed. */
export interface Spooled {
  sha256: string;
  size: number;
  result: EncryptKriptogramResult;
  /** delete the temporary file (safe more than once; the caller does it in a finally) */
  remove(): void;
  /** the archive name `name` gets these bytes (read back from the file) */
  archive(name: string): Promise<ArsipWritten>;
}

/**
 * A document's kriptogram, encrypted into a private temporary file while it is hashed, never held in memory:
 * a 256 MiB document's final kriptogram is ~470 MB of armor, which in memory (sink chunks, joined copy,
 * archive write) was most of kirim's multi-GB peak. Its archive name needs its hash, so it is archived from
 * the file afterwards (`archive`), and the bytes archived are checked against the hash the name carries.
 */
export async function encryptedSpool(c: Pick<KirimCtx, 'io'>, o: Omit<EncryptKriptogramOptions, 'output'>): Promise<Spooled> {
  const spool = c.io.spool();
  try {
    const result = await c.io.crypto.encrypt({ ...o, output: spool.output });
    const { sha256: sha, size } = spool.written();
    return {
      sha256: sha,
      size,
      result,
      remove: () => spool.remove(),
      async archive(name) {
        const w = await c.io.arsip.write(name, spool.read());
        if (w.sha256 !== sha || w.size !== size) {
          if (w.result === 'written') c.io.arsip.abandon(name);
          throw new SandiError('INTERNAL', 'common.internal', { detail: `temporary kriptogram changed before it was archived as ${name}` });
        }
        return w;
      },
    };
  } catch (e) {
    spool.remove();
    throw e;
  }
}
export const NOT_FINAL: OutgoingStatus[] = ['terdaftar', 'diparaf', 'ditandatangani', 'bernomor', 'tidak_pasti'];

/**
 * Every point of the flow where the crash tests kill the process (the CrashPoint port type says what each one
 * is); each step tells its ports' `crashPoint` when it reaches one (src/app/kirim.ts wires the test hook).
 */
export const CRASH_POINTS = ['draf-tertulis', 'diparaf', 'final-tertulis', 'ditandatangani', 'bernomor', 'tidak_pasti', 'pengiriman', 'sebelum-dicatat'] as const satisfies readonly CrashPoint[];
export type { CrashPoint };
/** CRASH_POINTS names every CrashPoint (a compile error here when one is missing). */
export const everyCrashPointListed: [Exclude<CrashPoint, (typeof CRASH_POINTS)[number]>] extends [never] ? true : never = true;
