/**
 * The tests' own IMAP client on the test Dovecot (to fill folders and read back what the server holds),
 * connected, trusting the stack's certificate. An error outside a command (the server closing an idle
 * connection) must not fail the run as an uncaught exception: it is ignored here; commands still reject.
 */
import { readFileSync } from 'node:fs';
import { ImapFlow } from 'imapflow';
import type { MailStack, MailUser } from './mailstack.js';

export async function testImapClient(stack: MailStack, user: MailUser): Promise<ImapFlow> {
  const client = new ImapFlow({ host: stack.imap.host, port: stack.imap.port, secure: true, auth: { user: user.user, pass: user.password }, tls: { ca: readFileSync(stack.caFile) }, logger: false });
  client.on('error', () => undefined);
  await client.connect();
  return client;
}
