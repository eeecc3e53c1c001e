/**
 * Teruskan: forward the archived message, unchanged, to the letter's cc addresses (or addresses the operator
 * names), by SMTP or into the local Maildirs; one step event that records only the addresses the server
 * accepted. Automatic forwarding after a fetch sends only to known partners (address book, teruskanDomain).
 */
import { resolve } from 'node:path';
import { SandiError } from '../../errors.js';
import { mailboxPasswordIn } from '../akun-kredensial.js';
import type { SuratMasuk } from '../../domain/records-masuk.js';
import { bareAddress, forwardAddressProblem, forwardAllowed, forwardedTo } from '../../domain/terima.js';
import { kunciService } from '../kunci.js';
import type { TerimaCtx } from './konteks.js';
import type { FetchReport, Forwarded, Refused } from './types.js';
import { requireLetter } from './sop.js';

/**
 * Forward the archived message, unchanged, to the cc addresses (or `ke`); recorded as a step. An operator
 * may forward anywhere, with a warning for addresses outside the address book and teruskanDomain; a cc
 * address that is not a plain address is skipped (and an explicit `ke` one refused).
 */
export async function teruskan(ctx: TerimaCtx, ref: string, o: { ke?: string[] }) {
  const row = requireLetter(ctx, ref);
  const explicit = o.ke !== undefined && o.ke.length > 0;
  if (explicit) {
    const bad = (o.ke ?? []).map(bareAddress).find((a) => forwardAddressProblem(a) !== null);
    if (bad !== undefined) throw new SandiError('DATA', 'terima.badAddress', { address: JSON.stringify(bad) });
  }
  let ke = candidates(ctx, explicit ? (o.ke ?? []) : row.tembusan, row.nomor);
  if (ke.length === 0) throw new SandiError('USAGE', 'terima.noCc', { nomor: row.nomor }, { hint: 'terima.noCc.hint' });
  if (!explicit) {
    // the cc addresses the server accepted before are done: a rerun (after a refusal) sends only the rest
    const done = forwardedTo(ctx.registers().suratMasuk.listSteps(row.id)).map((a) => a.toLowerCase());
    ke = ke.filter((a) => !done.includes(a.toLowerCase()));
    if (ke.length === 0) throw new SandiError('CONFLICT', 'terima.forwardedAll', { nomor: row.nomor }, { hint: 'terima.forwardedAll.hint' });
  }
  const allowed = { addressBook: kunciService(ctx.app, ctx.opts.actor).listAddresses().map((x) => x.email), domains: ctx.terima.teruskanDomain };
  const outside = ke.filter((x) => !forwardAllowed(x, allowed));
  if (outside.length > 0) ctx.warn('terima.forwardOutside', { nomor: row.nomor, ke: outside.join(', ') });
  return forward(ctx, row, ke);
}

/**
 * Forward the letters `ids` to their cc addresses in the address book or teruskanDomain; the rest is held
 * (warned, and listed in `report` when there is one).
 */
export async function autoForward(ctx: TerimaCtx, ids: readonly number[], report?: FetchReport): Promise<void> {
  const allowed = { addressBook: kunciService(ctx.app, ctx.opts.actor).listAddresses().map((x) => x.email), domains: ctx.terima.teruskanDomain };
  for (const id of ids) {
    const row = ctx.registers().suratMasuk.findByRef(String(id));
    if (!row || row.tembusan.length === 0) continue;
    // forwarded already (by another run that registered it meanwhile): never twice
    if (ctx.registers().suratMasuk.listSteps(row.id).some((st) => st.langkah === 'teruskan')) continue;
    // The cc addresses are the sender's choice: forward automatically only to known partners.
    const cc = candidates(ctx, row.tembusan, row.nomor);
    const ke = cc.filter((x) => forwardAllowed(x, allowed));
    const held = cc.filter((x) => !ke.includes(x));
    if (held.length > 0) {
      ctx.warn('terima.forwardHeld', { nomor: row.nomor, ke: held.join(', ') });
      report?.ditahan.push({ nomor: row.nomor, ke: held });
    }
    if (ke.length > 0) {
      let f: Forwarded;
      try {
        f = await forward(ctx, row, ke);
      } catch (e) {
        // every address refused: nothing recorded; said, and the other letters are still forwarded
        if (!(e instanceof SandiError) || (e.key !== 'mail.smtpRejected' && e.key !== 'mail.smtpDeferred')) throw e;
        const balasan = String(e.params['response'] ?? '');
        const kode = /^([2-5]\d\d)\b/.exec(balasan)?.[1];
        ctx.warn('terima.forwardRefusedAuto', { nomor: row.nomor, ke: ke.join(', '), balasan });
        report?.ditolak.push({ nomor: row.nomor, ke: ke.map((a) => ({ alamat: a, balasan, kode: kode === undefined ? null : Number(kode) })) });
        continue;
      }
      if (f.ke.length > 0) report?.diteruskan.push({ nomor: row.nomor, ke: f.ke });
      if (f.ditolak.length > 0) {
        ctx.warn('terima.forwardRefusedAuto', { nomor: row.nomor, ke: f.ditolak.map((d) => d.alamat).join(', '), balasan: f.ditolak.map((d) => d.balasan).join('; ') });
        report?.ditolak.push({ nomor: row.nomor, ke: f.ditolak });
      }
    }
  }
}

/**
 * Send the archived bytes of `row` to `ke` (already checked), by SMTP or into the local Maildirs; one step
 * that records only the addresses the server accepted (`ke`) and, apart, those it refused with its reply
 * (`ditolak`). Every address refused: a SandiError (mail.smtpRejected / mail.smtpDeferred), nothing recorded.
 */
export async function forward(ctx: TerimaCtx, row: SuratMasuk, ke: string[]): Promise<Forwarded> {
  // through the archive port: the home's folder, or the office database (any workstation)
  const raw = Buffer.concat((await ctx.archive.open(row.rawSha256).toArray()) as Buffer[]);
  let via: string;
  let reply: string;
  let accepted = ke;
  let ditolak: Refused[] = [];
  if (ctx.config.mailbox) {
    const sender = await ctx.io.mailSender();
    const account = ctx.config.mailbox;
    const password = await mailboxPasswordIn(ctx.app, ctx.config, ctx.opts.actor, account, { env: ctx.opts.env, passphrases: ctx.opts.passphrases });
    const res = await sender.sendRaw(
      {
        host: account.smtp.host,
        port: account.smtp.port,
        security: account.smtp.tls,
        user: account.user,
        password,
        ...(account.caFile === undefined ? {} : { caFile: resolve(ctx.app.paths.root, account.caFile) }),
      },
      { from: account.user, to: ke, raw, messageId: row.messageId ?? `<${row.rawSha256}@sandi.invalid>` },
    );
    via = 'smtp';
    reply = res.response;
    const refusedSet = new Set(res.rejected.map((a) => a.toLowerCase()));
    accepted = ke.filter((a) => !refusedSet.has(a.toLowerCase()));
    ditolak = ke
      .filter((a) => refusedSet.has(a.toLowerCase()))
      .map((a) => {
        const r = res.rejectedReplies.find((x) => x.address.toLowerCase() === a.toLowerCase());
        return { alamat: a, balasan: r?.response ?? res.response, kode: r?.code ?? null };
      });
  } else {
    for (const a of ke) ctx.io.maildirs.deliver(ctx.io.maildirs.maildirIn(ctx.app.paths.maildir, a), raw, ctx.app.clock.now(), { base: ctx.app.paths.maildir });
    via = 'maildir';
    reply = `maildir: ${ke.length}`;
  }
  const data = { ke: accepted, via, reply, ...(ditolak.length > 0 ? { ditolak } : {}) };
  const step = ctx.registers().write((u) => u.suratMasuk.addStep(row.id, 'teruskan', data, ctx.app.clock.now(), ctx.opts.actor));
  return { nomor: row.nomor, ke: accepted, via, at: step.at, ditolak };
}

/** Bare, distinct addresses from `list`; those that are not plain addresses are dropped with a warning. */
export function candidates(ctx: TerimaCtx, list: readonly string[], nomor?: string): string[] {
  const out: string[] = [];
  for (const a of list.map(bareAddress).filter((x) => x.includes('@'))) {
    if (forwardAddressProblem(a) !== null) {
      if (nomor !== undefined) ctx.warn('terima.w.ccUnsafe', { nomor, address: JSON.stringify(a) });
      continue;
    }
    if (!out.some((x) => x.toLowerCase() === a.toLowerCase())) out.push(a);
  }
  return out;
}
