/**
 * commander's own words in the operator's language: the help titles, the help option and command, the
 * "(choices: …)" and "(default: …)" notes, and the usage errors commander writes itself (unknown option or
 * command, a missing or invalid value, too many arguments). English keeps commander's text as it is.
 * Applied to the root command before the groups are registered: subcommands inherit the help configuration,
 * the help option and the output configuration from their parent.
 */
import { Help, type Argument, type Command, type Option } from 'commander';
import { getLang, t } from './messages/index.js';

const TITLES: Record<string, string> = {
  'Usage:': 'Penggunaan:',
  'Arguments:': 'Argumen:',
  'Options:': 'Opsi:',
  'Commands:': 'Perintah:',
  'Global Options:': 'Opsi global:',
};

const opsi = (s: string): string => s.replace(/^option /, 'opsi ').replace(/^environment variable /, 'variabel lingkungan ');

/** commander's usage errors, pattern → Indonesian (groups in order). */
const ERRORS: [RegExp, (m: RegExpExecArray) => string][] = [
  [/^error: unknown option '(.*)'$/, (m) => `galat: opsi tidak dikenal '${m[1]}'`],
  [/^error: unknown command '(.*)'$/, (m) => `galat: perintah tidak dikenal '${m[1]}'`],
  [/^error: too many arguments(?: for '(.*)')?\. Expected (\d+) arguments? but got (\d+)\.$/, (m) => `galat: terlalu banyak argumen${m[1] ? ` untuk '${m[1]}'` : ''}: seharusnya ${m[2]}, diberikan ${m[3]}.`],
  [/^error: missing required argument '(.*)'$/, (m) => `galat: argumen wajib '${m[1]}' tidak diberikan`],
  [/^error: option '(.*)' argument missing$/, (m) => `galat: opsi '${m[1]}' memerlukan nilai`],
  [/^error: required option '(.*)' not specified$/, (m) => `galat: opsi wajib '${m[1]}' tidak diberikan`],
  [/^error: option '(.*)' argument '(.*)' is invalid\. Allowed choices are (.*)\.$/, (m) => `galat: nilai '${m[2]}' untuk opsi '${m[1]}' tidak sah. Pilihan yang sah: ${m[3]}.`],
  [/^error: option '(.*)' argument '(.*)' is invalid\.(.*)$/, (m) => `galat: nilai '${m[2]}' untuk opsi '${m[1]}' tidak sah.${m[3]}`],
  [/^error: command-argument value '(.*)' is invalid for argument '(.*)'\. Allowed choices are (.*)\.$/, (m) => `galat: nilai '${m[1]}' untuk argumen '${m[2]}' tidak sah. Pilihan yang sah: ${m[3]}.`],
  [/^error: (.*) cannot be used with (.*)$/, (m) => `galat: ${opsi(m[1]!)} tidak dapat dipakai bersama ${opsi(m[2]!)}`],
  [/^\(Did you mean one of (.*)\?\)$/, (m) => `(Maksud Anda salah satu dari ${m[1]}?)`],
  [/^\(Did you mean (.*)\?\)$/, (m) => `(Maksud Anda ${m[1]}?)`],
];

/** One of commander's error texts (possibly several lines) in Indonesian; text it does not know stays as it is. */
export function commanderErrorId(text: string): string {
  return text
    .split('\n')
    .map((line) => {
      for (const [re, f] of ERRORS) {
        const m = re.exec(line);
        if (m) return f(m);
      }
      return line;
    })
    .join('\n');
}

function noteId(text: string): string {
  // "(choices: "a", "b", default: "a")" → "(pilihan: …, bawaan: …)"
  return text.replace(/\((choices|default|preset|env): /g, (_m, k: string) => `(${{ choices: 'pilihan', default: 'bawaan', preset: 'praatur', env: 'env' }[k] ?? k}: `)
    .replace(/, (choices|default|preset|env): /g, (_m, k: string) => `, ${{ choices: 'pilihan', default: 'bawaan', preset: 'praatur', env: 'env' }[k] ?? k}: `);
}

/** Put commander's own words in the current language on `program` (call before adding subcommands). */
export function localizeCommander(program: Command, writeErr: (s: string) => void): void {
  program.helpOption('-h, --help', t('main.opt.help'));
  program.helpCommand('help [perintah]', t('main.help.command'));
  if (getLang() === 'en') {
    program.configureOutput({ writeErr });
    return;
  }
  const base = new Help();
  program.configureHelp({
    styleTitle: (title: string) => TITLES[title] ?? title,
    styleUsage: (usage: string) => usage.replace(/\[options\]/g, '[opsi]').replace(/\[command\]/g, '[perintah]'),
    styleSubcommandTerm: (term: string) => term.replace(/\[options\]/g, '[opsi]'),
    optionDescription: (o: Option) => noteId(base.optionDescription(o)),
    argumentDescription: (a: Argument) => noteId(base.argumentDescription(a)),
  });
  program.configureOutput({ writeErr, outputError: (s, write) => write(commanderErrorId(s)) });
}
