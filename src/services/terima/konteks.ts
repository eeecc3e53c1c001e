/**
 * What every terima step shares: the settings (config.json, its "terima" object, the office calendar), the
 * archive of raw mail, the register port, the operator's options, and the once-per-run state of the letter-number
 * reader. `terimaCtx` builds it once for an opened app; each step takes it as its first parameter.
 */
import { join } from 'node:path';
import { SandiError } from '../../errors.js';
import type { PassphraseSource } from '../../ports.js';
import type { SandiConfig } from '../../config/config.js';
import type { HomePaths } from '../../config/home.js';
import type { AkunHome } from '../akun-kredensial.js';
import type { Registers } from '../../ports/registers.js';
import type { MessageArchive, TerimaPorts } from '../../ports/terima.js';
import type { Numbering } from '../../domain/records.js';
import type { WorkingCalendar } from '../../domain/working-time.js';
import { parseTerimaConfig, type TerimaConfig } from '../../domain/terima.js';

export interface TerimaSettings {
  config: SandiConfig;
  terima: TerimaConfig;
  calendar: WorkingCalendar;
}

/**
 * What a terima run needs of the home (src/app.ts's App is one): its folders, config.json, the office calendar
 * and the PDF fonts it names, clock, and the key and account ports. No store: every read and unit of work goes
 * through the register port (`io.registers`).
 */
export interface TerimaHome extends AkunHome {
  paths: Pick<HomePaths, 'root' | 'archive' | 'maildir'>;
  config(): SandiConfig;
  officeCalendar(config: SandiConfig): WorkingCalendar;
  pdfFonts(config: SandiConfig): { regular?: string; bold?: string; mono?: string };
}

/** Load config.json (with its optional "terima" object) and the holidays file into a calendar. */
export function loadTerimaSettings(app: Pick<TerimaHome, 'config' | 'officeCalendar'>): TerimaSettings {
  const config = app.config();
  // loadConfig has already checked the "terima" object; this only applies the defaults when it is absent.
  const parsed = parseTerimaConfig(config.terima);
  if (!('config' in parsed)) throw new SandiError('INTERNAL', 'common.internal', { detail: 'terima config passed validation but not parsing' });
  return { config, terima: parsed.config, calendar: app.officeCalendar(config) };
}

export interface TerimaOptions {
  /** who acts, for the registers and the audit log */
  actor: string;
  env: NodeJS.ProcessEnv;
  /** passphrase of the archive key (decrypting incoming kriptogram); absent = leave them unread */
  passphrases?: PassphraseSource;
  progress?: (done: number, total: number) => void;
  warn?: (key: string, params: Record<string, string | number>) => void;
  /** after a dropped IMAP connection: reconnects in a row without progress (default 5), first pause in ms (default 250, doubling) */
  reconnect?: { max?: number; pauseMs?: number };
}

/** The shared state of one terima service: built once by `terimaCtx`, passed to every step. */
export interface TerimaCtx {
  app: TerimaHome;
  opts: TerimaOptions;
  settings: TerimaSettings;
  /** the outside world, built by the composition root (src/app/terima.ts) or a test's fakes */
  io: TerimaPorts;
  config: SandiConfig;
  terima: TerimaConfig;
  calendar: WorkingCalendar;
  archive: MessageArchive;
  numbering(buku: 'suratMasuk' | 'kriptogramMasuk'): Numbering;
  /** the register port over the open store: every read and unit of work of the steps */
  registers(): Registers;
  warn(key: string, params: Record<string, string | number>): void;
  /** pdftotext is not installed (warned once per run; the letter number is then read from the mail text only) */
  pdftotextMissing: boolean;
  /** pdftotext processes at most at once (a batch analyses its messages together; this machine class has 2 cores) */
  pdfSlots: <T>(task: () => Promise<T>) => Promise<T>;
}

/** pdftotext processes run at once by one fetch */
const PDFTOTEXT_AT_ONCE = 2;

/** Run at most `n` of the given tasks at once; the others wait their turn, in order. */
export function limiter(n: number): <T>(task: () => Promise<T>) => Promise<T> {
  let running = 0;
  const waiting: (() => void)[] = [];
  return async <T>(task: () => Promise<T>): Promise<T> => {
    if (running >= n) await new Promise<void>((resolve) => waiting.push(resolve));
    running++;
    try {
      return await task();
    } finally {
      running--;
      waiting.shift()?.();
    }
  };
}


/** The context of the terima service for an opened app: settings loaded once, the archive opened. */
export function terimaCtx(app: TerimaHome, opts: TerimaOptions, io: TerimaPorts): TerimaCtx {
  const settings = loadTerimaSettings(app);
  const { config, terima, calendar } = settings;
  return {
    app,
    opts,
    settings,
    io,
    config,
    terima,
    calendar,
    archive: io.archive(join(app.paths.archive, 'surat-masuk')),
    numbering: (buku) => ({
      format: config.numberFormats[buku],
      timeZone: config.office.timeZone,
      unitCode: config.office.unitCode,
      configKey: `numberFormats.${buku}`,
    }),
    registers: () => io.registers(),
    warn: opts.warn ?? (() => undefined),
    pdftotextMissing: false,
    pdfSlots: limiter(PDFTOTEXT_AT_ONCE),
  };
}

/** An error as a warning's reason: its message key as `reason`, its parameters as `reason_NAME` (the CLI says it in words). */
export function reasonParams(e: SandiError): Record<string, string | number> {
  const out: Record<string, string | number> = { reason: e.key };
  for (const [k, v] of Object.entries(e.params)) if (v !== undefined) out[`reason_${k}`] = v;
  return out;
}
