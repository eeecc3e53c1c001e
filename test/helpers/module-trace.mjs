/**
 * Module loader hooks that write each module URL the process loads to the file named by SANDI_TEST_MODULE_TRACE
 * (one a line): which of sandi's modules a command loads, seen from outside. Used through moduleTraceArgs()
 * in test/e2e/start-up-modules.test.ts (`node --import data:… bin/sandi.js …`); the hooks run on Node's loader
 * thread (Node 20 and later), so they append with a synchronous write.
 */
import { appendFileSync } from 'node:fs';

export async function load(url, context, next) {
  const file = process.env.SANDI_TEST_MODULE_TRACE;
  if (file) appendFileSync(file, `${url}\n`);
  return next(url, context);
}
