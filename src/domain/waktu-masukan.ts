/**
 * A date or a date and time an operator types (a flag, a prompt) read as the office reads it: a wall-clock time
 * without a zone is the office's (config `office.timeZone`: WIB, WITA, WIT), not the zone of the process that
 * happens to run sandi (a server in UTC read "09:00" as 16:00 WIB); a date alone is the start of that day in
 * the office. An explicit `Z` or `±HH:MM` is honoured as written. Pure: no clock, no I/O.
 */
import { zoneOffsetMinutes } from './working-time.js';

const RE = /^(\d{4})-(\d{2})-(\d{2})(?:[T ]([01]\d|2[0-3]):([0-5]\d)(?::([0-5]\d)(\.\d{1,9})?)?(Z|[+-](?:[01]\d|2[0-3]):[0-5]\d)?)?$/;

/**
 * The instant of `raw` (YYYY-MM-DD, YYYY-MM-DDTHH:MM[:SS[.fff]][Z|±HH:MM]) in `timeZone`; null when it is not
 * one (a form the schemas of src/domain/skema.ts refuse first, naming the field).
 */
export function instanKantor(raw: string, timeZone: string): Date | null {
  const m = RE.exec(raw.trim());
  if (!m) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const day = new Date(Date.UTC(y, mo - 1, d));
  if (day.getUTCFullYear() !== y || day.getUTCMonth() !== mo - 1 || day.getUTCDate() !== d) return null;
  const ms = Math.floor(Number(`0${m[7] ?? ''}`) * 1000);
  const wall = Date.UTC(y, mo - 1, d, Number(m[4] ?? 0), Number(m[5] ?? 0), Number(m[6] ?? 0), ms);
  const zone = m[8];
  if (zone !== undefined) {
    const off = zone === 'Z' ? 0 : (zone.startsWith('-') ? -1 : 1) * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6)));
    return new Date(wall - off * 60_000);
  }
  // the zone's offset at that wall time; checked once more at the instant found (a zone with daylight saving)
  let off = zoneOffsetMinutes(timeZone, new Date(wall));
  const off2 = zoneOffsetMinutes(timeZone, new Date(wall - off * 60_000));
  if (off2 !== off) off = off2;
  return new Date(wall - off * 60_000);
}
