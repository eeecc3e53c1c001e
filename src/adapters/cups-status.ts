/**
 * Whether a CUPS queue can take a job, asked of `lpstat` (argv, no shell, the C locale so its reply can be read):
 * for `sandi periksa`. Printing itself is src/adapters/print.ts.
 */
import { spawn } from 'node:child_process';

export type PrinterState =
  | { state: 'siap'; detail: string }
  | { state: 'nonaktif'; detail: string }
  | { state: 'tidak-dikenal'; detail: string }
  | { state: 'tanpa-cups'; detail: string };

function lpstat(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; out: string; missing: boolean }> {
  return new Promise((resolveRun) => {
    let out = '';
    let child;
    try {
      child = spawn('lpstat', args, { env: { ...env, LC_ALL: 'C', LANG: 'C' }, stdio: ['ignore', 'pipe', 'pipe'] });
    } catch {
      resolveRun({ code: null, out: '', missing: true });
      return;
    }
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      resolveRun({ code: null, out: e.message, missing: e.code === 'ENOENT' });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolveRun({ code, out: out.trim(), missing: false });
    });
  });
}

/** `lpstat -p NAME`: ready (idle/printing and enabled), disabled, unknown to the scheduler, or no CUPS at all. */
export async function printerState(name: string, env: NodeJS.ProcessEnv = process.env): Promise<PrinterState> {
  const r = await lpstat(['-p', name], env);
  const firstLine = r.out.split('\n')[0] ?? '';
  if (r.missing) return { state: 'tanpa-cups', detail: 'lpstat' };
  if (r.code !== 0) {
    // "lpstat: Invalid destination name in list "x"." / "...: No destinations added." vs the scheduler being down
    if (/scheduler|connect|server/i.test(r.out) && !/destination/i.test(r.out)) return { state: 'tanpa-cups', detail: firstLine };
    return { state: 'tidak-dikenal', detail: firstLine };
  }
  if (/disabled/i.test(r.out)) return { state: 'nonaktif', detail: firstLine };
  return { state: 'siap', detail: firstLine };
}
