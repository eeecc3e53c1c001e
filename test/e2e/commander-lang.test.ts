/**
 * commander's own words in Indonesian (issue 13, "Indonesian throughout"): every command's --help, walked
 * through the whole command tree, has no "Usage:", "Options:", "Commands:", "display help for command",
 * "[options]" or "(choices:"; commander's usage errors are Indonesian; --lang en keeps commander's English.
 */
import { describe, expect, it } from 'vitest';
import { sandi } from '../helpers/cli.js';
import { commanderErrorId } from '../../src/cli/commander-lang.js';

const ENGLISH = [/\bUsage:/, /\bOptions:/, /\bCommands:/, /\bArguments:/, /display help for command/, /\[options\]/, /\(choices:/, /\bdefault:/, /output the version number/];

/** Subcommand names listed under "Perintah:" in a help text. */
function subcommands(help: string): string[] {
  const at = help.indexOf('\nPerintah:\n');
  if (at < 0) return [];
  return help
    .slice(at + 11)
    .split('\n')
    .map((l) => /^ {2}([a-z][a-z-]*)\b/.exec(l)?.[1])
    .filter((n): n is string => n !== undefined && n !== 'help');
}

describe('commander speaks Indonesian', () => {
  it('every --help in the command tree has none of commander\'s English', () => {
    const queue: string[][] = [[]];
    const seen: string[] = [];
    while (queue.length > 0 && seen.length < 150) {
      const path = queue.shift()!;
      const r = sandi([...path, '--help']);
      expect(r.code, `${path.join(' ')} --help: ${r.stderr}`).toBe(0);
      for (const re of ENGLISH) expect(r.stdout, `sandi ${path.join(' ')} --help`).not.toMatch(re);
      expect(r.stdout).toMatch(/^Penggunaan: sandi/);
      seen.push(path.join(' '));
      for (const sub of subcommands(r.stdout)) queue.push([...path, sub]);
    }
    expect(seen.length).toBeGreaterThan(40); // the whole tree was walked, not just the root
  }, 180_000);

  it('usage errors are Indonesian (exit 64); --lang en keeps English', () => {
    const bad = sandi(['kirim', '--bogus']);
    expect(bad.code).toBe(64);
    expect(bad.stderr).toContain("galat: opsi tidak dikenal '--bogus'");
    expect(bad.stderr).not.toMatch(/error: unknown option/);
    const choice = sandi(['--lang', 'xx', 'demo']);
    expect(choice.code).toBe(64);
    const en = sandi(['--lang', 'en', 'kirim', '--bogus']);
    expect(en.code).toBe(64);
    expect(en.stderr).toContain("error: unknown option '--bogus'");
    expect(sandi(['--lang', 'en', '--help']).stdout).toMatch(/^Usage: sandi \[options\] \[command\]/);
  });

  it('each of commander\'s error forms is translated', () => {
    const cases: [string, string][] = [
      ["error: unknown option '--x'\n(Did you mean --y?)", "galat: opsi tidak dikenal '--x'\n(Maksud Anda --y?)"],
      ["error: unknown command 'krim'\n(Did you mean one of kirim, kunci?)", "galat: perintah tidak dikenal 'krim'\n(Maksud Anda salah satu dari kirim, kunci?)"],
      ["error: too many arguments for 'daftar'. Expected 0 arguments but got 2.", "galat: terlalu banyak argumen untuk 'daftar': seharusnya 0, diberikan 2."],
      ["error: missing required argument 'id'", "galat: argumen wajib 'id' tidak diberikan"],
      ["error: option '--home <dir>' argument missing", "galat: opsi '--home <dir>' memerlukan nilai"],
      ["error: required option '--x <y>' not specified", "galat: opsi wajib '--x <y>' tidak diberikan"],
      ["error: option '--lang <lang>' argument 'xx' is invalid. Allowed choices are id, en.", "galat: nilai 'xx' untuk opsi '--lang <lang>' tidak sah. Pilihan yang sah: id, en."],
      ["error: option '--a' cannot be used with option '--b'", "galat: opsi '--a' tidak dapat dipakai bersama opsi '--b'"],
      ['something else', 'something else'],
    ];
    for (const [en, id] of cases) expect(commanderErrorId(en)).toBe(id);
  });
});
