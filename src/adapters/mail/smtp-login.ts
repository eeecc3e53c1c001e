/**
 * An SMTP login check (for `sandi akun uji` and the rotation's test step): connect with the same TLS rules
 * as sendRaw (smtp.ts), authenticate, and quit without sending anything. Failures map exactly as a send's do.
 */
import type { Endpoint } from './errors.js';
import { createSmtpTransport, mapSmtpError, type SmtpSettings } from './smtp.js';

/** Resolve when the server accepted the login; reject with a SandiError (PERMISSION for a refused password). */
export async function verifySmtpLogin(settings: SmtpSettings): Promise<void> {
  const timeout = settings.timeoutMs ?? 30_000;
  const ep: Endpoint = { protocol: 'SMTP', host: settings.host, port: settings.port, user: settings.user, timeoutMs: timeout };
  const transport = await createSmtpTransport(settings, timeout, timeout);
  try {
    await transport.verify();
  } catch (e) {
    throw mapSmtpError(e, ep, [settings.password]);
  } finally {
    transport.close();
  }
}
