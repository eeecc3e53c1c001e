/**
 * A pager for long human output at a terminal (`sandi agenda BUKU daftar`): `less -FRX` when it is on PATH
 * (quits at once when the text fits one screen, keeps colours, leaves the text on the screen). Spawned
 * directly, never through a shell, with an environment free of secrets. The caller decides when to page
 * (stdout is a TTY, not --json); when there is no `less`, or it cannot start, nothing is written and the
 * caller prints as usual.
 */
import { spawn } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';
import { withoutSecrets } from '../config/child-env.js';

/** The absolute path of `less` on PATH, or null. */
export function findLess(env: NodeJS.ProcessEnv): string | null {
  for (const dir of (env['PATH'] ?? '').split(delimiter)) {
    if (dir.length === 0 || !isAbsolute(dir)) continue; // a relative PATH entry would run whatever is in the cwd
    const p = join(dir, 'less');
    try {
      if (!statSync(p).isFile()) continue;
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      // not here
    }
  }
  return null;
}

/**
 * Show `text` through `less -FRX`; resolves true once the pager has exited, false (nothing written) when
 * there is no pager. While it runs, Ctrl-C belongs to the pager: this process ignores SIGINT until it exits.
 */
export function pageText(text: string, env: NodeJS.ProcessEnv): Promise<boolean> {
  const less = findLess(env);
  if (less === null) return Promise.resolve(false);
  return new Promise((resolve) => {
    const ignoreInt = (): void => undefined;
    let started = false;
    const child = spawn(less, ['-FRX'], { stdio: ['pipe', 'inherit', 'inherit'], env: withoutSecrets(env), shell: false });
    child.once('spawn', () => {
      started = true;
      process.on('SIGINT', ignoreInt);
      // the operator may quit before reading everything: EPIPE on our side is not an error
      child.stdin.on('error', () => undefined);
      child.stdin.end(text.endsWith('\n') ? text : `${text}\n`);
    });
    child.once('error', () => {
      if (!started) resolve(false);
    });
    child.once('close', () => {
      process.off('SIGINT', ignoreInt);
      if (started) resolve(true);
    });
  });
}
