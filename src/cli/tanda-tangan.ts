/**
 * A signature's status as a person reads it. The codes of SignatureStatus (src/ports.ts: 'good', 'bad',
 * 'unknown', …) are internal and stay as they are in --json and the registers; every line a person reads
 * names the status through 'kriptogram.status.*' in the operator's language ("sah", "TIDAK SAH", …).
 */
import { t } from './messages/index.js';

/** "sah" for 'good' (Indonesian), "good" with --lang en; a code this version does not know is shown as it is. */
export function statusTandaTangan(status: string): string {
  const key = `kriptogram.status.${status}`;
  const text = t(key);
  return text === key ? status : text;
}

/**
 * The `penanda_tangan` column of a register row (the signers as verified, a JSON list) on one line for
 * `agenda … lihat`: "Nama <surel> (unit): sah; …". Anything else is shown as JSON, as before.
 */
export function penandaTanganRingkas(v: unknown): string {
  let list: unknown = v;
  if (typeof v === 'string') {
    try {
      list = JSON.parse(v);
    } catch {
      return v;
    }
  }
  if (!Array.isArray(list)) return typeof v === 'string' ? v : JSON.stringify(v);
  return list
    .map((s: unknown) => {
      if (typeof s !== 'object' || s === null) return JSON.stringify(s);
      const r = s as { userId?: unknown; keyId?: unknown; unit?: unknown; status?: unknown };
      const who = typeof r.userId === 'string' ? r.userId : typeof r.keyId === 'string' ? r.keyId : '?';
      const unit = typeof r.unit === 'string' && r.unit.length > 0 ? ` (${r.unit})` : '';
      return `${who}${unit}: ${typeof r.status === 'string' ? statusTandaTangan(r.status) : '?'}`;
    })
    .join('; ');
}
