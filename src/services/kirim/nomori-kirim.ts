/**
 * SOP steps nomori (number) and kirim (send). Numbering takes the next gapless number in the office's time
 * zone and, in the same transaction, fixes the Message-ID, before any byte goes to a server. Just before the
 * first SMTP byte the row goes to tidak_pasti; a failure that certainly sent nothing returns it to bernomor
 * (a temporary refusal, 4xx, is retried with bounded backoff first), anything else leaves it tidak_pasti for
 * `lanjut`. Without a mailbox, delivery is to the local Maildirs.
 */
import { randomBytes } from 'node:crypto';
import { basename, join } from 'node:path';
import { SandiError, isSandiError } from '../../errors.js';
import type { KriptogramKeluar, OutgoingStatusFields } from '../../domain/records-keluar.js';
import { hasMessageId, isTemporarySendFailure, makeMessageId, retryDelay, sendFailureIsCertain } from '../../domain/kirim.js';
import type { OutgoingStatus } from '../../domain/outgoing-state.js';
import { type KirimCtx } from './context.js';
import { requireState } from './claims.js';
import { mailboxPassword } from './keys.js';
import { rawFor } from './message.js';
import { copyToSent } from './sent-copy.js';
import { isKriptogram, type OutRow, type SendOutcome } from './types.js';

/** Number the row and fix its Message-ID in one transaction (nothing has been sent yet). */
export function number(c: KirimCtx, r: KriptogramKeluar): KriptogramKeluar {
  const { o, now, progress, numbering, fromEmail } = c;
  requireState(r, ['ditandatangani']);
  const messageId = makeMessageId(randomBytes(16).toString('hex'), fromEmail);
  const numbered = c.registers().write((u) => {
    u.kriptogramKeluar.assignNumber(r.id, numbering, now(), o.actor);
    u.kriptogramKeluar.setMessageId(r.id, messageId, now(), o.actor);
    return u.kriptogramKeluar.get(r.id);
  });
  progress('bernomor', r.id);
  c.io.crashPoint('bernomor');
  return numbered;
}

/** Move a row of either outgoing register (the register is told by the row's shape). */
export function move<R extends OutRow>(c: KirimCtx, r: R, to: OutgoingStatus, fields: OutgoingStatusFields): R {
  const { o, now } = c;
  return c.registers().write((u) => (isKriptogram(r) ? u.kriptogramKeluar.setStatus(r.id, to, fields, now(), o.actor) : u.suratKeluar.setStatus(r.id, to, fields, now(), o.actor))) as R;
}

export function markUncertain<R extends OutRow>(c: KirimCtx, r: R): R {
  if (r.status === 'tidak_pasti') return r;
  const u = move(c, r, 'tidak_pasti', {});
  c.io.crashPoint('tidak_pasti');
  return u;
}

export function markSent<R extends OutRow>(c: KirimCtx, r: R, serverReply: string): R {
  const { progress } = c;
  const sent = move(c, r, 'terkirim', { serverReply });
  progress('terkirim', r.id);
  return sent;
}

/**
 * Local delivery: one Maildir per recipient, and a copy in the local Sent Maildir. When resuming an
 * uncertain send (`check`), a Maildir that already holds the Message-ID is skipped, so each gets one copy.
 */
export function deliverLocal(c: KirimCtx, r: OutRow, raw: Buffer, check: boolean): SendOutcome {
  const { app, now } = c;
  const delivered: SendOutcome['delivered'] = [];
  const targets = [...r.recipients.map((x) => x.email), 'Sent'];
  for (const email of targets) {
    // one plain folder name under <home>/maildir: an address can never point outside it
    const dir = c.io.maildirs.maildirIn(app.paths.maildir, email);
    const already = check ? c.io.maildirs.list(dir).find((m) => hasMessageId(c.io.maildirs.read(m), r.messageId ?? '')) : undefined;
    const file = already ? basename(already.path) : c.io.maildirs.deliver(dir, raw, now(), { base: app.paths.maildir });
    if (email !== 'Sent') delivered.push({ email, where: dir, file });
    if (delivered.length === 1 && email !== 'Sent') c.io.crashPoint('pengiriman');
  }
  return { via: 'maildir', delivered, serverReply: `maildir: ${delivered.length}`, sentCopy: join(app.paths.maildir, 'Sent') };
}

/** Send a numbered row. Definite failures return the row to bernomor; unknown outcomes leave it tidak_pasti. */
export async function send<R extends OutRow>(c: KirimCtx, r0: R): Promise<{ row: R; sent: SendOutcome }> {
  const { config, warn, retry, sleep, fromEmail } = c;
  let r = r0;
  requireState(r, ['bernomor', 'tidak_pasti']);
  const resuming = r.status === 'tidak_pasti';
  const raw = await rawFor(c, r);
  const mb = config.mailbox;
  if (!mb) {
    r = markUncertain(c, r);
    const sent = deliverLocal(c, r, raw, resuming);
    c.io.crashPoint('sebelum-dicatat');
    return { row: markSent(c, r, sent.serverReply), sent };
  }
  const password = await mailboxPassword(c);
  const sender = await c.io.mailSender();
  const started = Date.now();
  let result;
  for (let failures = 0; ; ) {
    r = markUncertain(c, r);
    try {
      result = await sender.sendRaw(
        {
          host: mb.smtp.host,
          port: mb.smtp.port,
          security: mb.smtp.tls,
          user: mb.user,
          password,
          ...(mb.caFile === undefined ? {} : { caFile: mb.caFile }),
        },
        { from: fromEmail, to: r.recipients.map((x) => x.email), raw, messageId: r.messageId ?? '', dsn: { envid: r.nomor ?? String(r.id) } },
      );
      break;
    } catch (e) {
      if (!isSandiError(e) || !sendFailureIsCertain(e.key)) {
        throw new SandiError('TEMPFAIL', 'kirim.outcomeUnknown', { id: r.id, nomor: r.nomor ?? '' }, { hint: 'kirim.outcomeUnknown.hint', cause: e });
      }
      // certainly nothing went out: back to bernomor (the row waits), then maybe try again later
      r = move(c, r, 'bernomor', {});
      failures += 1;
      if (!isTemporarySendFailure(e.key)) throw e;
      const delay = retryDelay(retry, failures, Date.now() - started);
      if (delay === null) {
        throw new SandiError(
          'TEMPFAIL',
          'kirim.deferredGaveUp',
          { id: r.id, nomor: r.nomor ?? '', attempts: failures, response: String(e.params['response'] ?? '') },
          { hint: 'kirim.deferredGaveUp.hint', cause: e },
        );
      }
      warn('kirim.retrying', { id: r.id, attempt: failures, seconds: Math.round(delay / 100) / 10, response: String(e.params['response'] ?? '') });
      await sleep(delay);
    }
  }
  c.io.crashPoint('sebelum-dicatat');
  if (result.rejected.length > 0) warn('kirim.someRejected', { rejected: result.rejected.join(', ') });
  const sentRow = markSent(c, r, result.response);
  const sentCopy = await copyToSent(c, sentRow, raw);
  return {
    row: sentRow,
    sent: { via: 'smtp', delivered: result.accepted.map((email) => ({ email, where: `${mb.smtp.host}:${mb.smtp.port}`, file: null })), serverReply: result.response, sentCopy },
  };
}

export async function numberAndSend(c: KirimCtx, r: KriptogramKeluar): Promise<{ row: KriptogramKeluar; sent: SendOutcome }> {
  const numbered = r.status === 'ditandatangani' ? number(c, r) : r;
  return send(c, numbered);
}
