/**
 * What `sandi terima` starts before the rest of it is loaded: the parse thread of a fetch from the mailbox
 * (issue 16). A piece of the composition root kept light on purpose: it loads the parse pool, not mailparser,
 * imapflow or the registers, so that the thread boots on the second core while this one loads the rest.
 */
import { readFileSync } from 'node:fs';
import { prestartParser } from '../adapters/mail/parse-pool.js';
import { homePaths } from '../config/home.js';

/**
 * Start the parse thread when this home fetches from a mailbox; the function returned stops it if the fetch
 * never took it. config.json is only glanced at here, a hint and not a decision: the fetch reads and checks
 * it again, and a wrong guess costs a thread started for nothing (stopped at the end) or one started later.
 */
export function prestartFetch(home: string): () => Promise<void> {
  let mailbox: unknown = null;
  try {
    mailbox = (JSON.parse(readFileSync(homePaths(home).config, 'utf8')) as { mailbox?: unknown }).mailbox ?? null;
  } catch {
    // missing or broken: the fetch itself says so
  }
  return mailbox !== null ? prestartParser() : () => Promise.resolve();
}
