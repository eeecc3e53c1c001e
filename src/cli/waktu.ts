/**
 * Instants as an operator reads them: in the office's time zone, to the minute, with the zone's Indonesian
 * name (WIB, WITA, WIT) — registers store UTC ISO strings, and `--json` keeps them so. An ISO string shown
 * raw reads as the day before for anything registered between 00:00 and 07:00 WIB. The formatting itself
 * is pure (src/domain/tanggal-tampil.ts); paper uses its long dates ("6 Desember 2026").
 */
import { homePaths } from '../config/home.js';
import { tanggalLayar, tanggalPanjang, tanggalWaktuPanjang, waktuLayar, type Bahasa } from '../domain/tanggal-tampil.js';
import { getLang } from './messages/index.js';
import { SandiError } from '../errors.js';

/** "2026-11-26 04:04 WIB"; '' for none; text that is not an instant is shown as it is. */
export function waktuLokal(v: string | Date | null | undefined, timeZone: string): string {
  return waktuLayar(v, timeZone);
}

/** "2026-11-26": the office's calendar date of an instant. */
export function tanggalLokal(v: string | Date | null | undefined, timeZone: string): string {
  return tanggalLayar(v, timeZone);
}

/** The operator's language for long dates on paper. */
export const bahasa = (): Bahasa => getLang();

/** "6 Desember 2026" (or "6 December 2026" with --lang en) in the office zone. */
export function tanggalKertas(v: string | Date | null | undefined, timeZone: string): string {
  return tanggalPanjang(v, timeZone, bahasa());
}

/** "6 Desember 2026 pukul 22.34 WIB" (or "6 December 2026 at 22:34 WIB"). */
export function waktuKertas(v: string | Date | null | undefined, timeZone: string): string {
  return tanggalWaktuPanjang(v, timeZone, bahasa());
}

/**
 * The office time zone of the home at `home` (config.json), for display. A config.json that is there but
 * broken or wrong is refused (exit 78) as every other command refuses it: a listing in the wrong time zone
 * reads as the wrong day. Asia/Jakarta only when there is no config.json yet (a home being set up).
 * Read once per command, in its action: the config module is loaded only then, not with the command group.
 */
export async function officeTimeZone(home: string): Promise<string> {
  const { loadConfig } = await import('../config/config.js');
  try {
    return loadConfig(homePaths(home).config).office.timeZone;
  } catch (e) {
    if ((e as { key?: unknown }).key === 'config.missing') return 'Asia/Jakarta';
    throw e;
  }
}

const ISO_INSTANT = /^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:\d\d)$/;

/**
 * An error as a person reads it: every parameter that is a UTC ISO instant (a key's expiry, a claimed signing
 * time, a receipt time) in office time. `--json` does not come here: scripts keep the UTC ISO.
 */
export function galatWaktuKantor<E>(e: E, timeZone: string): E {
  if (!(e instanceof SandiError) || !Object.values(e.params).some((v) => typeof v === 'string' && ISO_INSTANT.test(v))) return e;
  const params = Object.fromEntries(Object.entries(e.params).map(([k, v]) => [k, typeof v === 'string' && ISO_INSTANT.test(v) ? waktuLokal(v, timeZone) : v]));
  return new SandiError(e.code, e.key, params, { hint: e.hint, cause: e.cause }) as E;
}
