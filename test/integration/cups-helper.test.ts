/**
 * The private-cupsd helper when its port is taken between freePort() releasing it and cupsd binding it: cupsd
 * logs "Address already in use" and gives up, while `lpstat -r` (which only connects) reported the stranger on
 * the port as "scheduler is running", so the helper handed out a scheduler that was not there. It must notice,
 * and retry on another port once, as startMailStack does.
 */
import { execFileSync } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { expect, it } from 'vitest';
import { describeWith } from '../helpers/gate.js';
import { cupsMissing, startCups } from '../helpers/cups.js';

const missing = cupsMissing();

describeWith(`a private CUPS scheduler (${missing ?? ''})`, missing === null, 'cups helper: a port taken before cupsd binds it', () => {
  it('retries on another port and returns a scheduler that really answers', async () => {
    // a stranger on the port: accepts connections and closes them
    const stranger: Server = createServer((s) => s.destroy());
    await new Promise<void>((r) => stranger.listen(0, '127.0.0.1', () => r()));
    const taken = (stranger.address() as { port: number }).port;
    const cups = await startCups({ port: taken });
    try {
      expect(cups.port).not.toBe(taken);
      expect(execFileSync('lpstat', ['-r'], { env: cups.env, encoding: 'utf8' })).toContain('scheduler is running');
      const q = await cups.addPdfQueue('coba');
      expect(execFileSync('lpstat', ['-p', q.name], { env: cups.env, encoding: 'utf8' })).toContain('coba');
    } finally {
      await cups.stop();
      stranger.close();
    }
  }, 60_000);
});
