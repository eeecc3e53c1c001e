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
import { helpExtra } from '../../src/cli/bantuan-perintah.js';

/** Every command of the tree (the root included) with the --help text commander writes for it. */
function helpTexts(program: Command): { path: string[]; text: string }[] {
  const out: { path: string[]; text: string }[] = [];
  const walk = (cmd: Command, path: string[]): void => {
    let text = '';
    cmd.configureOutput({ writeOut: (s) => (text += s), writeErr: (s) => (text += s) });
    cmd.outputHelp();
    out.push({ path, text });
    for (const c of cmd.commands) if (c.name() !== 'help') walk(c, [...path, c.name()]);
  };
  walk(program, []);
  return out;
}

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

describe('--help and the man page: examples, exit codes, environment of every command, from one source', () => {
  it('every command\'s --help ends with examples, its exit codes and the environment it reads', async () => {
    const program = await fullTree();
    const helps = helpTexts(program);
    expect(helps.length).toBe(flatten(commandTree(program)).length);
    for (const { path, text } of helps) {
      const where = `sandi ${path.join(' ')} --help`;
      expect(text, where).toContain('\nContoh:\n');
      expect(text, where).toMatch(/\n {2}\$ (\S+=\S+ )?sandi /);
      // the examples are of this command (or, for a group, of its commands)
      for (const line of text.split('\n').filter((l) => l.startsWith('  $ '))) expect(line, where).toContain(`sandi ${path.join(' ')}`.trim());
      expect(text, where).toContain('\nStatus keluar:\n');
      expect(text, where).toMatch(/\n {4}0 {2}berhasil\n/);
      expect(text, where).toMatch(/\n {3}64 {2}penggunaan/);
      expect(text, where).toContain('\nLingkungan:\n');
      expect(text, where).toMatch(/\n {2}SANDI_LANG +bahasa antarmuka/);
    }
    const byPath = new Map(helps.map((h) => [h.path.join(' '), h.text]));
    // what is specific to a command is there: mailbox password for kirim, none for kunci daftar; 69 for terima
    expect(byPath.get('kirim')).toContain('SANDI_MAILBOX_PASSWORD');
    expect(byPath.get('kunci daftar')).not.toContain('SANDI_MAILBOX_PASSWORD');
    expect(byPath.get('terima')).toMatch(/\n {3}69 {2}layanan tidak tersedia/);
    expect(byPath.get('periksa')).toContain('$ sandi periksa --json');
    expect(byPath.get('agenda masuk ekspor')).toContain('$ sandi agenda masuk ekspor --dari 2026-10-01');
  });

  it('the man page gives each command the same examples, exit codes and environment', async () => {
    const program = await fullTree();
    const man = renderMan(program, '0.0.0');
    const sections = man.split('\n.SS ').slice(1);
    const nodes = flatten(commandTree(program)).slice(1);
    expect(sections).toHaveLength(nodes.length);
    nodes.forEach((n, i) => {
      const x = helpExtra(n.path, n.subcommands.map((c) => c.path));
      const sec = sections[i]!;
      expect(sec, n.path.join(' ')).toContain('.PP\nContoh:\n.RS 4\n.nf\n');
      for (const e of x.examples) expect(sec).toContain(`\\fB${e.line.replace(/\\/g, '\\e').replace(/-/g, '\\-')}\\fR`);
      expect(sec).toContain(`Status keluar: ${x.exits.join(', ')}`);
      expect(sec).toContain(`Lingkungan: ${x.env.map((e) => (e === 'SANDI_PASSPHRASE_ROLE' ? 'SANDI_PASSPHRASE_<ROLE>' : e)).join(', ')}`);
    });
    // the --help of the same command shows the same lines
    const helps = new Map(helpTexts(program).map((h) => [h.path.join(' '), h.text]));
    for (const n of nodes) for (const e of helpExtra(n.path, n.subcommands.map((c) => c.path)).examples) expect(helps.get(n.path.join(' '))).toContain(`  $ ${e.line}\n`);
  });

  it('speaks English with --lang en', async () => {
    setLang('en');
    const program = await fullTree();
    const text = helpTexts(program).find((h) => h.path.join(' ') === 'terima cetak')!.text;
    expect(text).toContain('\nExamples:\n');
    expect(text).toContain('# one copy for each recipient');
    expect(text).toContain('\nExit status:\n');
    expect(text).toContain('\nEnvironment:\n');
    expect(renderMan(program, '0.0.0')).toContain('Exit status: 0, 64');
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
