/**
 * SOP: finish what was interrupted (`sandi kirim lanjut`). Each row goes as far as it can without new input:
 * in single-operator mode a draft is signed by the Kasi; signed rows are numbered and sent; an uncertain send
 * (tidak_pasti) is checked (the local Maildirs exactly, or the Sent folder by Message-ID) and only sent again
 * when the operator says nothing went out. A row another run has claimed is left to it.
 */
import { isSandiError } from '../../errors.js';
import type { KriptogramKeluar, SuratKeluar } from '../../domain/records-keluar.js';
import { letterResumeAction, resumeAction, resumeSends } from '../../domain/kirim.js';
import { NOT_FINAL, type KirimCtx } from './context.js';
import { claimRow, row } from './claims.js';
import { draftOnDisk } from './files.js';
import { ownSigningKey, sendSecrets, unlockKey } from './keys.js';
import { markSent, move, numberAndSend, send } from './nomori-kirim.js';
import { catchUpSentCopies, foundInSent } from './sent-copy.js';
import { sign } from './tandatangani.js';
import { bukuOf, type Decide, type OutRow, type ResumeReport, type SendOutcome, type UnlockedKey } from './types.js';

/**
 * A tidak_pasti row: local delivery is checked exactly (each Maildir gets the copy it lacks); with a mailbox,
 * the Sent folder is searched by Message-ID, and only the operator's answer (`decide`) sends it again.
 */
export async function checkUncertain<R extends OutRow>(c: KirimCtx, r: R, decide: Decide | undefined, sentAll: SendOutcome[]): Promise<{ after: R; action: 'perlu-keputusan' | null }> {
  const { config } = c;
  if (!config.mailbox) {
    const res = await send(c, r);
    sentAll.push(res.sent);
    return { after: res.row, action: null };
  }
  const found = await foundInSent(c, r.messageId ?? '').catch((e: unknown) => {
    if (isSandiError(e)) return null;
    throw e;
  });
  if (found === true) return { after: markSent(c, r, 'ditemukan di folder Sent (Message-ID)'), action: null };
  const answer = decide ? await decide({ buku: bukuOf(r), id: r.id, nomor: r.nomor }) : null;
  if (answer === 'sudah') return { after: markSent(c, r, 'dikonfirmasi operator'), action: null };
  if (answer === 'belum') {
    const res = await send(c, move(c, r, 'bernomor', {}));
    sentAll.push(res.sent);
    return { after: res.row, action: null };
  }
  return { after: r, action: 'perlu-keputusan' };
}

/** Move one row as far as it can go without new input; returns the first action taken. */
export async function advance(c: KirimCtx, r0: KriptogramKeluar, decide: Decide | undefined, sentAll: SendOutcome[]): Promise<{ after: KriptogramKeluar; action: ResumeReport['action'] }> {
  const { warn, singleOperator } = c;
  let r = r0;
  let first: ResumeReport['action'] | null = null;
  for (;;) {
    const action = resumeAction(r.status, draftOnDisk(c, r));
    const note = (a: ResumeReport['action']) => (first ??= a);
    switch (action) {
      case 'tunggu-kasi': {
        // one person holds both roles: the Kasi's signature is part of the same run
        if (!singleOperator) return { after: r, action: note(action) };
        note(action);
        const kasi = await ownSigningKey(c, 'kasi');
        let kasiKey: UnlockedKey;
        try {
          kasiKey = await unlockKey(c, kasi, 'kasi');
        } catch (e) {
          // no Kasi passphrase in this (non-interactive) run: the row keeps waiting, the other rows go on
          if (!isSandiError(e) || e.key !== 'kunci.passphraseMissing') throw e;
          warn(e.key, e.params as Record<string, string | number>);
          return { after: r, action: 'tunggu-kasi' };
        }
        try {
          r = await sign(c, r, kasi, kasiKey);
        } catch (e) {
          // a draft that does not match its register row is reported for that row; the other rows go on
          if (!isSandiError(e) || e.key !== 'kirim.draftChanged') throw e;
          warn(e.key, e.params as Record<string, string | number>);
          return { after: r, action: 'tunggu-kasi' };
        }
        continue;
      }
      case 'beri-nomor-kirim':
      case 'kirim': {
        note(action);
        const res = await numberAndSend(c, r);
        sentAll.push(res.sent);
        r = res.row;
        continue;
      }
      case 'periksa': {
        note(action);
        const res = await checkUncertain(c, r, decide, sentAll);
        return { after: res.after, action: res.action ?? action };
      }
      default:
        // paraf-selesai cannot arise any more (register and initial are one transaction); perlu-dokumen
        // (a row registered by an older version without its draft) needs the operator: batal and start again
        return { after: r, action: first ?? action };
    }
  }
}

/**
 * Finish what was interrupted, each row as far as it goes: in single-operator mode a draft is signed by
 * the Kasi; signed rows are numbered and sent; uncertain sends are checked (local Maildirs exactly, or the
 * Sent folder by Message-ID) and only resent when the operator says nothing went out (`decide`).
 */
export async function lanjut(c: KirimCtx, id?: number, decide?: Decide): Promise<{ rows: ResumeReport[]; sent: SendOutcome[] }> {
  const { store, singleOperator } = c;
  const rows = id === undefined ? [...c.io.listOutgoing(store, { status: NOT_FINAL })] : [row(c, id)];
  // ordinary letters are registered, numbered and given their Message-ID in one transaction: what can
  // be left is a numbered letter to send, or an uncertain send to check
  const letters = id === undefined ? [...c.io.listOutgoingLetters(store, { status: ['bernomor', 'tidak_pasti'] })] : [];
  // every secret a send needs, before any row is numbered or sent
  if (letters.length > 0 || rows.some((r) => resumeSends(r.status, singleOperator))) await sendSecrets(c);
  const out: ResumeReport[] = [];
  const sentAll: SendOutcome[] = [];
  const busy = (r: OutRow): ResumeReport => ({ buku: bukuOf(r), id: r.id, nomor: r.nomor, from: r.status, to: r.status, action: 'sedang-diproses' });
  for (const listed of rows) {
    // claimed and read again: a row another run is working on (its kirim, or another lanjut) is left to it
    const claimed = claimRow<KriptogramKeluar>(c, 'kriptogram_keluar', listed.id);
    if (!claimed) {
      out.push(busy(listed));
      continue;
    }
    try {
      const r = claimed.row;
      const { after, action } = await advance(c, r, decide, sentAll);
      out.push({ buku: 'kriptogram_keluar', id: r.id, nomor: after.nomor, from: r.status, to: after.status, action });
    } finally {
      claimed.claim.release();
    }
  }
  for (const listed of letters) {
    const claimed = claimRow<SuratKeluar>(c, 'surat_keluar', listed.id);
    if (!claimed) {
      out.push(busy(listed));
      continue;
    }
    try {
      const l = claimed.row;
      let after: SuratKeluar = l;
      let action: ResumeReport['action'] = letterResumeAction(l.status);
      if (l.status === 'bernomor') {
        const res = await send(c, l);
        sentAll.push(res.sent);
        after = res.row;
      } else if (l.status === 'tidak_pasti') {
        const res = await checkUncertain(c, l, decide, sentAll);
        after = res.after;
        action = res.action ?? action;
      }
      out.push({ buku: 'surat_keluar', id: l.id, nomor: after.nomor, from: l.status, to: after.status, action });
    } finally {
      claimed.claim.release();
    }
  }
  // sent rows whose Sent copy is missing (the operator's --sudah-terkirim, a kill after terkirim)
  await catchUpSentCopies(c, id === undefined ? null : [row(c, id)], out);
  return { rows: out, sent: sentAll };
}
