/**
 * `sandi completion bash|zsh|fish` and the man page built by `npm run build` (man/sandi.1), checked with
 * the real shells and the real `man`.
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { BIN, sandi } from '../helpers/cli.js';
import { describeWith, haveCommand } from '../helpers/gate.js';
import { createProgram } from '../../src/cli/program.js';
import { registerGroups } from '../../src/cli/index.js';
import { commandTree, flatten } from '../../src/cli/bantuan.js';

const MAN = resolve(import.meta.dirname, '../../man/sandi.1');

function sh(shell: string, script: string): { code: number; out: string; err: string } {
  const r = spawnSync(shell, ['-c', script], { encoding: 'utf8', env: { PATH: process.env['PATH'], HOME: process.env['HOME'], SANDI: `${process.execPath} ${BIN}` }, timeout: 60_000 });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}

describe('sandi completion bash', () => {
  it('registers _sandi for sandi and completes commands, subcommands, options and choices', () => {
    const r = sh('bash', [
      'source <($SANDI completion bash) || exit 9',
      'complete -p sandi',
      'q() { COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMPREPLY=(); _sandi; echo "${COMPREPLY[*]}"; }',
      'q sandi kir',
      'q sandi --home /tmp/x kunci ala',
      'q sandi kunci alamat tambah --ko',
      'q sandi --lang ""',
      'q sandi terima baca --passphrase-f',
    ].join('\n'));
    expect(r.err).toBe('');
    expect(r.out.split('\n')).toEqual(['complete -o filenames -F _sandi sandi', 'kirim', 'alamat', '--kode-unit', 'id en', '--passphrase-file', '']);
  });

  it('refuses an unknown shell with exit 64', () => {
    const r = sandi(['completion', 'tcsh']);
    expect(r.code).toBe(64);
    expect(r.stderr).toContain("'tcsh'");
  });
});

describeWith('zsh', haveCommand('zsh', ['--version']), 'sandi completion zsh', () => {
  it('is valid zsh and completes from the tree', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sandi-zsh-'));
    try {
      const file = join(dir, '_sandi');
      writeFileSync(file, sandi(['completion', 'zsh']).stdout);
      expect(sh('zsh', `zsh -n ${file}`).code).toBe(0);
      // compadd/compdef stand in for compsys here: they print what _sandi offers
      const r = sh('zsh', `compdef() { :; }; compadd() { shift; print -r -- "$*"; }; _files() { :; }; source ${file}; words=(sandi kunci ""); CURRENT=3; _sandi; words=(sandi init --zona-waktu ""); CURRENT=4; _sandi`);
      expect(r.err).toBe('');
      expect(r.out.split('\n')).toEqual(['buat impor ekspor daftar cabut alamat help', 'Asia/Jakarta Asia/Makassar Asia/Jayapura', '']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describeWith('fish', haveCommand('fish', ['--version']), 'sandi completion fish', () => {
  it('is valid fish and completes from the tree', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sandi-fish-'));
    try {
      const file = join(dir, 'sandi.fish');
      writeFileSync(file, sandi(['completion', 'fish']).stdout);
      expect(sh('fish', `fish -n ${file}`).code).toBe(0);
      const r = sh('fish', `source ${file}; complete -C "sandi kir"; complete -C "sandi kunci alamat tambah --kode"; complete -C "sandi init --zona-waktu Asia/Mak"`);
      expect(r.err).toBe('');
      expect(r.out.split('\n')).toEqual(['kirim', '--kode-unit', 'Asia/Makassar', '']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describeWith('man (man-db)', haveCommand('man', ['--version']), 'man/sandi.1 built by npm run build', () => {
  it('is read by man and lists every command of the tree', async () => {
    expect(existsSync(MAN)).toBe(true);
    const r = spawnSync('man', ['-l', MAN], { encoding: 'utf8', env: { PATH: process.env['PATH'], MANWIDTH: '250', MAN_KEEP_FORMATTING: '0', LANG: 'C.UTF-8' } });
    expect(r.status).toBe(0);
    const text = r.stdout.replace(/.\x08/g, '');
    const program = createProgram();
    await registerGroups(program, () => {
      throw new Error('no context');
    }, []);
    for (const n of flatten(commandTree(program)).slice(1)) expect(text).toContain(`sandi ${n.path.join(' ')}`);
    expect(text).toContain('STATUS KELUAR');
  });
});
