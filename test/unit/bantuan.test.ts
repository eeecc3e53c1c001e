/**
 * The man page is generated from the command tree: every command and every option of the tree is in it,
 * it is valid roff (groff renders it without a warning) and follows the interface language.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import type { Command } from 'commander';
import { setLang } from '../../src/cli/messages/index.js';
import { createProgram } from '../../src/cli/program.js';
import { registerGroups } from '../../src/cli/index.js';
import { commandTree, flatten, renderMan } from '../../src/cli/bantuan.js';
import { EXIT_CODES } from '../../src/errors.js';
import { describeWith, haveCommand } from '../helpers/gate.js';

async function fullTree(): Promise<Command> {
  const program = createProgram();
  await registerGroups(program, () => {
    throw new Error('no context in this test');
  }, []);
  return program;
}

afterEach(() => setLang('id'));

describe('man page from the command tree', () => {
  it('has a subsection for every command of the tree and every option of each', async () => {
    const program = await fullTree();
    const nodes = flatten(commandTree(program));
    const man = renderMan(program, '0.0.0');
    const paths = nodes.slice(1).map((n) => n.path.join(' '));
    // the tree is the real one: the groups and deep commands are there
    expect(paths).toEqual(expect.arrayContaining(['kirim', 'kunci alamat tambah', 'terima baca', 'completion', 'agenda keluar ekspor']));
    const subsections = man.split('\n').filter((l) => l.startsWith('.SS ')).map((l) => /^\.SS "sandi (.*?)(?: \[| <|")/.exec(l)?.[1]);
    expect(subsections).toEqual(paths);
    for (const n of nodes) for (const o of n.options) expect(man).toContain(o.long!.replace(/-/g, '\\-'));
    for (const h of ['.SH NAMA', '.SH SINOPSIS', '.SH DESKRIPSI', '.SH PERINTAH', '.SH LINGKUNGAN', '.SH STATUS KELUAR', '.SH BERKAS']) expect(man).toContain(h);
    for (const env of ['SANDI_HOME', 'SANDI_LANG', 'SANDI_PASSPHRASE', 'SANDI_PASSPHRASE_<ROLE>', 'SANDI_NO_INPUT', 'SANDI_MAILBOX_PASSWORD']) expect(man).toContain(`.B ${env}\n`);
    for (const code of [0, ...Object.values(EXIT_CODES)]) expect(man).toContain(`.B ${code}\n`);
    expect(man).toContain('.I <home>/sandi.db');
    expect(man).toContain('[opsi]');
  });

  it('is in English with --lang en', async () => {
    setLang('en');
    const man = renderMan(await fullTree(), '0.0.0');
    for (const h of ['.SH NAME', '.SH SYNOPSIS', '.SH COMMANDS', '.SH ENVIRONMENT', '.SH EXIT STATUS', '.SH FILES']) expect(man).toContain(h);
    expect(man).toContain('integrity failure');
  });
});

describeWith('groff (groff-base)', haveCommand('groff', ['--version']), 'man page rendered by groff', () => {
  it('renders without a warning and shows every command', async () => {
    const program = await fullTree();
    const r = spawnSync('groff', ['-man', '-Tutf8', '-ww', '-rLL=200n'], { input: renderMan(program, '0.0.0'), encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const text = r.stdout.replace(/.\x08/g, '');
    for (const n of flatten(commandTree(program)).slice(1)) expect(text).toContain(`sandi ${n.path.join(' ')}`);
    expect(text).toContain('--passphrase-file');
    expect(execFileSync('groff', ['--version'], { encoding: 'utf8' })).toMatch(/groff/);
  });
});
