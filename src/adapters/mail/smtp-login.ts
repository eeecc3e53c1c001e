/**
 * An SMTP login check (for `sandi akun uji` and the rotation's test step): connect with the same TLS rules
 * as sendRaw (smtp.ts), authenticate, and quit without sending anything. Failures map exactly as a send's do.
 */
import nodemailer from 'nodemailer';
import { readCaFile, type Endpoint } from './errors.js';
import { mapSmtpError, type SmtpSettings } from './smtp.js';

/** Resolve when the server accepted the login; reject with a SandiError (PERMISSION for a refused password). */
export async function verifySmtpLogin(settings: SmtpSettings): Promise<void> {
  const timeout = settings.timeoutMs ?? 30_000;
  const ep: Endpoint = { protocol: 'SMTP', host: settings.host, port: settings.port, user: settings.user, timeoutMs: timeout };
  const ca = settings.caFile === undefined ? undefined : await readCaFile(settings.caFile);
  const transport = nodemailer.createTransport({
    host: settings.host,
    port: settings.port,
    secure: settings.security === 'tls',
    requireTLS: settings.security === 'starttls',
    ...(settings.clientName === undefined ? {} : { name: settings.clientName }),
    auth: { user: settings.user, pass: settings.password },
    tls: {
      rejectUnauthorized: true,
      minVersion: 'TLSv1.2',
      ...(ca === undefined ? {} : { ca }),
      ...(settings.servername === undefined ? {} : { servername: settings.servername }),
    },
    connectionTimeout: timeout,
    greetingTimeout: timeout,
    socketTimeout: timeout,
    logger: false,
    debug: false,
  });
  try {
    await transport.verify();
  } catch (e) {
    throw mapSmtpError(e, ep, [settings.password]);
  } finally {
    transport.close();
  }
}
