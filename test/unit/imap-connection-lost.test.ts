/**
 * Every way imapflow 2.10 reports a lost connection, a timeout or a download cut short maps to a SandiError
 * that `sandi terima` recognises as "reconnect and go on" (mail.connectionLost, mail.timeout,
 * mail.downloadIncomplete), never to a generic server error or an internal one. The codes are taken from
 * imapflow's own ImapFlowErrorCode table, so a code renamed in an update fails here. The real drops (a cut
 * TCP connection to Dovecot) are in test/integration/terima-imap-drop.test.ts.
 */
import { ImapFlowErrorCode } from 'imapflow';
import { describe, expect, it } from 'vitest';
import { mapImapError } from '../../src/adapters/mail/imap.js';

const ep = { protocol: 'IMAP' as const, host: 'imap.x.test', port: 993, user: 'u@x.test', timeoutMs: 30_000 };
const imapflowError = (code: string, extra: Record<string, unknown> = {}) => Object.assign(new Error(`imapflow ${code}`), { code, ...extra });

describe('imapflow connection failures during fetch/download', () => {
  it.each([
    ImapFlowErrorCode.NoConnection,
    ImapFlowErrorCode.EConnectionClosed,
    ImapFlowErrorCode.StateLogout,
    ImapFlowErrorCode.ClosedAfterConnectText,
    ImapFlowErrorCode.ClosedAfterConnectTLS,
    'ECONNRESET',
    'EPIPE',
    'ECONNABORTED',
    'ERR_STREAM_PREMATURE_CLOSE',
  ])('%s → TEMPFAIL mail.connectionLost', (code) => {
    const e = mapImapError(imapflowError(code, { rejectedFrom: 'download' }), ep, 'FETCH', 'INBOX');
    expect([e.code, e.key, e.exitCode, e.params['reason']]).toEqual(['TEMPFAIL', 'mail.connectionLost', 75, code]);
  });

  it('a NoConnection carrying the server BYE reason is still a lost connection', () => {
    const e = mapImapError(imapflowError('NoConnection', { reason: 'BYE Server shutting down' }), ep, 'FETCH', 'INBOX');
    expect(e.key).toBe('mail.connectionLost');
  });

  it.each([ImapFlowErrorCode.ETIMEOUT, ImapFlowErrorCode.CONNECT_TIMEOUT, ImapFlowErrorCode.GREETING_TIMEOUT, ImapFlowErrorCode.UPGRADE_TIMEOUT])('%s → TEMPFAIL mail.timeout', (code) => {
    const e = mapImapError(imapflowError(code), ep, 'FETCH', 'INBOX');
    expect([e.code, e.key, e.params['seconds']]).toEqual(['TEMPFAIL', 'mail.timeout', 30]);
  });

  it.each([ImapFlowErrorCode.DownloadIncomplete, ImapFlowErrorCode.DownloadOverflow])('%s → TEMPFAIL mail.downloadIncomplete (the folder is read again)', (code) => {
    const e = mapImapError(imapflowError(code), ep, 'FETCH', 'INBOX');
    expect([e.code, e.key, e.params['mailbox']]).toEqual(['TEMPFAIL', 'mail.downloadIncomplete', 'INBOX']);
    expect(String(e.params['reason'])).toContain(code);
  });

  it('a socket error wrapped as the cause of another error is found', () => {
    const e = mapImapError(Object.assign(new Error('write failed'), { cause: imapflowError('EPIPE') }), ep, 'FETCH', 'INBOX');
    expect(e.key).toBe('mail.connectionLost');
  });

  it('a server NO to the FETCH is not a lost connection', () => {
    const e = mapImapError(Object.assign(new Error('Command failed'), { responseStatus: 'NO', responseText: 'Mailbox is locked' }), ep, 'FETCH', 'INBOX');
    expect([e.code, e.key]).toEqual(['TEMPFAIL', 'mail.imapRejected']);
  });
});
