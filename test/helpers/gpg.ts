/**
 * GnuPG in a throwaway home directory: import keys, run gpg with `--batch --status-fd`, read the status
 * lines. Only flags a user would pass anyway (homedir, batch, passphrase for a protected key); no
 * compatibility switches, so what passes here is what a stock `gpg` does.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { haveCommand } from './gate.js';

export const HAVE_GPG = haveCommand('gpg');

/**
 * gpg-agent.conf of every test GNUPGHOME. Without it the agent calibrates its S2K count (the passphrase
 * hashing that protects the secret keys it stores, and the count gpg then uses when it exports a secret key)
 * to a target time at start; on the busy 2-core test machine that came to ~2.5-5 s of agent time for each
 * passphrase-protected key generated or imported (and 0.01 s without a passphrase). 65536, the least the agent
 * accepts, keeps the keys passphrase-protected with iterated+salted S2K, the same code paths in gpg and in
 * sandi; no test is about the iteration count.
 */
export const AGENT_CONF = 's2k-count 65536\n';

export interface GpgResult {
  code: number;
  stdout: Buffer;
  stderr: string;
  status: string[];
}

export class GpgHome {
  readonly dir: string;

  constructor() {
    // short path: gpg-agent's socket path must stay under ~100 characters
    this.dir = mkdtempSync(join(tmpdir(), 'sg-'));
    writeFileSync(join(this.dir, 'gpg-agent.conf'), AGENT_CONF);
  }

  run(args: string[], input?: Buffer, passphrase?: string): Promise<GpgResult> {
    const pass = passphrase === undefined ? [] : ['--pinentry-mode', 'loopback', '--passphrase', passphrase];
    const full = ['--homedir', this.dir, '--batch', '--no-tty', '--status-fd', '2', ...pass, ...args];
    return new Promise((resolve, reject) => {
      const p = spawn('gpg', full, { stdio: ['pipe', 'pipe', 'pipe'] });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      p.stdout.on('data', (c: Buffer) => out.push(c));
      p.stderr.on('data', (c: Buffer) => err.push(c));
      p.on('error', reject);
      p.on('close', (code) => {
        const stderr = Buffer.concat(err).toString('utf8');
        resolve({
          code: code ?? -1,
          stdout: Buffer.concat(out),
          stderr,
          status: stderr
            .split('\n')
            .filter((l) => l.startsWith('[GNUPG:] '))
            .map((l) => l.slice(9)),
        });
      });
      p.stdin.on('error', () => undefined);
      p.stdin.end(input ?? Buffer.alloc(0));
    });
  }

  async importKey(armored: string): Promise<void> {
    const r = await this.run(['--import'], Buffer.from(armored));
    if (r.code !== 0) throw new Error(`gpg --import failed: ${r.stderr}`);
  }

  /** Mark keys fully trusted, so gpg's output has no trust warnings (the crypto checks are the same). */
  trust(fingerprints: string[]): void {
    spawnSync('gpg', ['--homedir', this.dir, '--batch', '--import-ownertrust'], {
      input: fingerprints.map((f) => `${f}:6:\n`).join(''),
    });
  }

  file(name: string, data: Buffer | string): string {
    const p = join(this.dir, name);
    writeFileSync(p, data);
    return p;
  }

  cleanup(): void {
    spawnSync('gpgconf', ['--homedir', this.dir, '--kill', 'all'], { stdio: 'ignore' });
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Key ids (long, upper case) of GOODSIG status lines. */
export function goodSigs(status: string[]): string[] {
  return status.filter((s) => s.startsWith('GOODSIG ')).map((s) => s.split(' ')[1]!.toUpperCase());
}
