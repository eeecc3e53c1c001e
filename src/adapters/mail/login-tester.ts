/**
 * The LoginTester port (src/ports/akun.ts) on the real mail adapters: an IMAP login (imap.ts) and an SMTP
 * AUTH (smtp-login.ts), each loaded only when a login is tried.
 */
import type { LoginTester } from '../../ports/akun.js';

export const realLogin: LoginTester = {
  async imap(account, password) {
    const { ImapMailbox } = await import('./imap.js');
    const box = await ImapMailbox.connect({
      host: account.imap.host,
      port: account.imap.port,
      security: account.imap.tls,
      user: account.user,
      password,
      ...(account.caFile === undefined ? {} : { caFile: account.caFile }),
      timeoutMs: 20_000,
    });
    await box.close();
  },
  async smtp(account, password) {
    const { verifySmtpLogin } = await import('./smtp-login.js');
    await verifySmtpLogin({
      host: account.smtp.host,
      port: account.smtp.port,
      security: account.smtp.tls,
      user: account.user,
      password,
      ...(account.caFile === undefined ? {} : { caFile: account.caFile }),
      timeoutMs: 20_000,
    });
  },
};
