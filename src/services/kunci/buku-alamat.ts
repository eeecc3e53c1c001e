/**
 * The address book (`sandi kunci alamat`): recipient units (OPD) and their mailboxes, each bound to a public key
 * that can encrypt. Not a register: an entry can be re-bound or removed, and every change is audited. A
 * kriptogram's recipients are looked up here (`lookupRecipients`).
 */
import { SandiError } from '../../errors.js';
import type { AddressEntry } from '../../ports.js';
import type { KunciStoreTx } from '../../ports/kunci.js';
import { EMAIL_RE, requireUsableKey, resolveKeyRef, type KunciContext } from './konteks.js';

/** A recipient resolved from the address book, its key checked for encryption. */
export interface Recipient {
  email: string;
  unit: string;
  unitCode: string | null;
  fingerprint: string;
  userId: string;
  armored: string;
}

/** Bind (or re-bind) an address-book entry inside a unit of work, with its audit event. */
export function upsertAddress(ctx: KunciContext, tx: KunciStoreTx, now: Date, a: AddressEntry): void {
  const before = tx.address(a.email);
  if (before) {
    tx.updateAddress({ ...a, email: before.email });
    tx.audit(now, { actor: ctx.actor, action: 'alamat.ubah', entity: 'buku_alamat', entityId: before.email, data: { before, after: a } });
  } else {
    tx.addAddress(a, now.toISOString());
    tx.audit(now, { actor: ctx.actor, action: 'alamat.tambah', entity: 'buku_alamat', entityId: a.email, data: a });
  }
}

/** Bind a recipient mailbox and unit to a key (replacing an earlier binding of that e-mail; audited). */
export async function addAddress(
  ctx: KunciContext,
  entry: { email: string; unit: string; unitCode?: string | null | undefined; key: string },
): Promise<AddressEntry> {
  const now = ctx.clock.now();
  const email = entry.email.trim();
  const unit = entry.unit.trim();
  if (!EMAIL_RE.test(email)) throw new SandiError('DATA', 'kunci.badEmail', { value: entry.email });
  if (unit.length === 0) throw new SandiError('USAGE', 'common.missingFlags', { flags: '--unit' }, { hint: 'common.missingFlags.hint' });
  const fpr = resolveKeyRef(ctx, entry.key);
  await requireUsableKey(ctx, fpr, 'encrypt', now);
  const a: AddressEntry = { email, unit, unitCode: entry.unitCode?.trim() || null, fingerprint: fpr };
  ctx.store.write((tx) => upsertAddress(ctx, tx, now, a));
  return a;
}

/** The address book, by unit then e-mail. */
export function listAddresses(ctx: KunciContext): AddressEntry[] {
  return ctx.store.addresses();
}

/** Remove an address-book entry (the address book is not a register; the removal is audited). */
export function removeAddress(ctx: KunciContext, email: string): AddressEntry {
  const now = ctx.clock.now();
  const entry = ctx.store.address(email.trim());
  if (!entry) throw new SandiError('NOT_FOUND', 'kunci.addressUnknown', { email: email.trim() }, { hint: 'kunci.addressUnknown.hint' });
  ctx.store.write((tx) => {
    tx.removeAddress(entry.email);
    tx.audit(now, { actor: ctx.actor, action: 'alamat.hapus', entity: 'buku_alamat', entityId: entry.email, data: entry });
  });
  return entry;
}

/**
 * Recipients for a kriptogram: each e-mail looked up in the address book (unknown → NOT_FOUND naming the
 * e-mail and `sandi kunci alamat tambah`), its key checked with requireUsableKey(…, 'encrypt').
 */
export async function lookupRecipients(ctx: KunciContext, emails: string[], now: Date = ctx.clock.now()): Promise<Recipient[]> {
  const out: Recipient[] = [];
  for (const raw of emails) {
    const email = raw.trim();
    const a = ctx.store.address(email);
    if (!a) throw new SandiError('NOT_FOUND', 'kunci.addressUnknown', { email }, { hint: 'kunci.addressUnknown.hint' });
    const key = await requireUsableKey(ctx, a.fingerprint, 'encrypt', now);
    out.push({ email: a.email, unit: a.unit, unitCode: a.unitCode, fingerprint: a.fingerprint, userId: key.userId, armored: key.publicArmored });
  }
  return out;
}
