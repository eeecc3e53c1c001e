/**
 * Issue 16: `sandi terima` starts its parse thread before it loads the rest (src/app/terima-awal.ts), so the
 * thread's boot runs while the second core is otherwise idle. The fetch's parser must take that very thread
 * (not start a second one), and a thread no parser took must be stopped. Counted by Node's 'worker' event
 * (every thread the process makes), in a child Node process of its own running the built module (the thread
 * is only started from dist/, where the parser is).
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

const POOL = resolve(import.meta.dirname, '../../dist/adapters/mail/parse-pool.js');

const SCRIPT = `
// every thread the process makes is announced here (Node's 'worker' event)
const made = [];
process.on('worker', (w) => made.push(w));
// the event comes once the thread runs: wait for it (bounded)
const announced = async (k) => { for (let i = 0; i < 200 && made.length < k; i++) await new Promise((r) => setTimeout(r, 10)); return made.length; };
const ended = (w) => new Promise((r) => (w.threadId === -1 ? r(true) : w.once('exit', () => r(true))));
const pool = await import(process.argv[1]);
const stop = pool.prestartParser();
const prestarted = await announced(1);
const parser = pool.messageParser({ threads: 1 });
const parsed = await parser.parse(Buffer.from('From: setda@pemkot.test\\r\\nSubject: Uji prestart\\r\\n\\r\\nNomor : 005/1/SETDA/2026\\r\\n'));
const parsing = made.length;
await parser.close();
await stop();
const firstEnded = await ended(made[0]);
// started and never taken: stopped by the function prestartParser returned
const stop2 = pool.prestartParser();
const second = await announced(2);
await stop2();
const secondEnded = await Promise.race([ended(made[1]), new Promise((r) => setTimeout(() => r(false), 5000))]);
process.stdout.write(JSON.stringify({ prestarted, parsing, second, firstEnded, secondEnded, subject: parsed.subject }));
`;

describe('terima: the parse thread started ahead of the fetch (issue 16)', () => {
  it('is the thread the fetch parses on (no second one), and one no parser took is stopped', () => {
    if (!existsSync(POOL)) throw new Error('dist/ is not built: run `npm run build` first');
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', SCRIPT, pathToFileURL(POOL).href], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const n = JSON.parse(r.stdout) as Record<string, number | string | boolean>;
    expect(n['subject']).toBe('Uji prestart');
    // one thread started ahead, and the parser parsed on it: no second one
    expect(n['prestarted']).toBe(1);
    expect(n['parsing']).toBe(1);
    expect(n['firstEnded']).toBe(true);
    // one no parser took is stopped
    expect(n['second']).toBe(2);
    expect(n['secondEnded']).toBe(true);
  }, 30_000);
});
