/**
 * Help generated from the command tree itself: the man page (roff, section 1; written at build time by
 * scripts/man.mjs into man/sandi.1) and the shell completion scripts of `sandi completion bash|zsh|fish`.
 * Both walk the same commander tree the parser uses, so a new command or option appears in them by itself.
 */
import type { Command, Help, Option } from 'commander';
import { EXIT_CODES } from '../errors.js';
import { t } from './messages/index.js';
import { envName, helpExtra } from './bantuan-perintah.js';

export interface OptionNode {
  flags: string;
  long: string | undefined;
  short: string | undefined;
  takesValue: boolean;
  choices: readonly string[] | undefined;
  description: string;
}

export interface CommandNode {
  /** words after `sandi`, e.g. ['kunci', 'alamat', 'tambah']; [] for the root */
  path: string[];
  usage: string;
  description: string;
  args: { term: string; description: string }[];
  options: OptionNode[];
  subcommands: CommandNode[];
}

function optionNode(help: Help, o: Option): OptionNode {
  return {
    flags: o.flags,
    long: o.long,
    short: o.short,
    takesValue: o.required || o.optional,
    choices: o.argChoices,
    description: help.optionDescription(o),
  };
}

/** The visible tree under `cmd` (commander's implicit `help` command left out). */
export function commandTree(cmd: Command, path: string[] = []): CommandNode {
  const help = cmd.createHelp();
  return {
    path,
    usage: help.styleUsage(help.commandUsage(cmd)),
    description: help.commandDescription(cmd),
    args: help.visibleArguments(cmd).map((a) => ({ term: help.argumentTerm(a), description: help.argumentDescription(a) })),
    options: help.visibleOptions(cmd).map((o) => optionNode(help, o)),
    subcommands: help
      .visibleCommands(cmd)
      .filter((c) => c.name() !== 'help')
      .map((c) => commandTree(c, [...path, c.name()])),
  };
}

/** Every node of the tree, depth first, the root included. */
export function flatten(node: CommandNode): CommandNode[] {
  return [node, ...node.subcommands.flatMap(flatten)];
}

// ---------------------------------------------------------------------------------------------------------
// man page

/** Text for a roff line: backslashes escaped, a leading control character neutralised. */
function roff(s: string): string {
  const e = s.replace(/\\/g, '\\e');
  return /^[.']/.test(e) ? `\\&${e}` : e;
}

/** An option's flags in bold with its value in italics: `\fB\-\-home\fR \fI<dir>\fR`. */
function roffFlags(flags: string): string {
  return flags
    .split(/(\s+|,)/)
    .map((w) => (w.startsWith('-') ? `\\fB${w.replace(/-/g, '\\-')}\\fR` : /^[<[]/.test(w) ? `\\fI${roff(w)}\\fR` : roff(w)))
    .join('');
}

function roffOptions(options: OptionNode[]): string[] {
  return options.flatMap((o) => ['.TP', roffFlags(o.flags), roff(o.description)]);
}

const ENV = ['SANDI_HOME', 'SANDI_DB', 'SANDI_LANG', 'SANDI_PASSPHRASE_ROLE', 'SANDI_PASSPHRASE', 'SANDI_MAILBOX_PASSWORD', 'PGPASSWORD', 'PGPASSFILE', 'SANDI_NO_INPUT', 'SANDI_OPERATOR', 'XDG_CONFIG_HOME'];
const FILES: [string, string][] = [
  ['<home>/config.json', 'config'],
  ['<home>/sandi.db', 'db'],
  ['<home>/kunci/', 'kunci'],
  ['<home>/arsip/', 'arsip'],
  ['<home>/arsip/audit/', 'audit'],
  ['<home>/maildir/', 'maildir'],
  ['<home>/kredensial/', 'kredensial'],
];

/** The whole man page, in the current language. */
export function renderMan(program: Command, version: string): string {
  const root = commandTree(program);
  const out: string[] = [
    `.\\" Generated from the command tree by scripts/man.mjs (src/cli/bantuan.ts); do not edit.`,
    `.TH SANDI 1 "" "sandi ${version}" "${t('bantuan.man.manual')}"`,
    `.SH ${t('bantuan.man.name')}`,
    `sandi \\- ${roff(root.description.replace(/^sandi\s+—\s*/, ''))}`,
    `.SH ${t('bantuan.man.synopsis')}`,
    `.B sandi`,
    `[\\fI${t('bantuan.man.optionsWord')}\\fR] \\fI${t('bantuan.man.commandWord')}\\fR ...`,
    `.SH ${t('bantuan.man.description')}`,
    roff(root.description),
    '.PP',
    roff(t('bantuan.man.body')),
    `.SH ${t('bantuan.man.globalOptions')}`,
    ...roffOptions(root.options),
    `.SH ${t('bantuan.man.commands')}`,
  ];
  for (const node of flatten(root).slice(1)) {
    out.push(`.SS "${node.usage.replace(/\\/g, '\\e').replace(/"/g, '\\(dq')}"`);
    if (node.description !== '') out.push(roff(node.description));
    if (node.args.length > 0) {
      out.push('.PP', roff(t('bantuan.man.arguments')));
      for (const a of node.args) out.push('.TP', `\\fI${roff(a.term)}\\fR`, roff(a.description));
    }
    if (node.options.length > 0) out.push('.PP', ...roffOptions(node.options));
    const x = helpExtra(node.path, node.subcommands.map((c) => c.path));
    out.push('.PP', roff(t('bantuan.man.examples')), '.RS 4', '.nf');
    for (const e of x.examples) out.push(roff(`# ${e.what}`), `\\fB${roff(e.line).replace(/-/g, '\\-')}\\fR`);
    out.push('.fi', '.RE');
    out.push('.PP', roff(`${t('bantuan.man.exitCodes')} ${x.exits.join(', ')}`));
    out.push('.PP', roff(`${t('bantuan.man.envUsed')} ${x.env.map(envName).join(', ')}`));
  }
  out.push(`.SH ${t('bantuan.man.environment')}`);
  for (const name of ENV) out.push('.TP', `.B ${name === 'SANDI_PASSPHRASE_ROLE' ? 'SANDI_PASSPHRASE_<ROLE>' : name}`, roff(t(`bantuan.env.${name}`)));
  out.push(`.SH ${t('bantuan.man.exitStatus')}`);
  for (const code of [0, ...new Set(Object.values(EXIT_CODES))]) out.push('.TP', `.B ${code}`, roff(t(`bantuan.exit.${code}`)));
  out.push(`.SH ${t('bantuan.man.files')}`);
  for (const [path, key] of FILES) out.push('.TP', `.I ${path}`, roff(t(`bantuan.file.${key}`)));
  out.push(`.SH ${t('bantuan.man.seeAlso')}`, '.BR gpg (1),', '.BR sqlite3 (1)', '');
  // ASCII only: troff reads Latin-1 unless run through preconv, so "—" or "ü" become \[u2014] escapes
  return out.join('\n').replace(/[^\x00-\x7f]/gu, (c) => `\\[u${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}]`);
}

// ---------------------------------------------------------------------------------------------------------
// shell completion

interface Tables {
  /** command path ("sandi" for the root, "sandi kunci alamat"; bash refuses an empty key) → its subcommand names */
  subs: Map<string, string[]>;
  /** command path → its option words (long and short), the root's global options included */
  opts: Map<string, string[]>;
  /** "path option" → the option's choices ([] for a free value) for every option that takes a value */
  vals: Map<string, readonly string[]>;
}

function tables(program: Command): Tables {
  const root = commandTree(program);
  const subs = new Map<string, string[]>();
  const opts = new Map<string, string[]>();
  const vals = new Map<string, readonly string[]>();
  const words = (o: OptionNode): string[] => [o.long, o.short].filter((w): w is string => w !== undefined);
  for (const node of flatten(root)) {
    const key = ['sandi', ...node.path].join(' ');
    const own = node.path.length === 0 ? node.options : [...node.options, ...root.options.filter((o) => o.long !== '--version')];
    subs.set(key, [...node.subcommands.map((c) => c.path.at(-1)!), ...(node.subcommands.length > 0 ? ['help'] : [])]);
    opts.set(key, [...new Set(own.flatMap(words))]);
    for (const o of own) if (o.takesValue) for (const w of words(o)) vals.set(`${key} ${w}`, o.choices ?? []);
  }
  return { subs, opts, vals };
}

/** Single-quoted for bash, zsh and fish (none of the words holds a quote, but be safe). */
const q = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;
const qf = (s: string): string => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

/** An associative array: `[k]=v` for bash; key value pairs for zsh (whose `zsh -n` does not know the type). */
function assoc(name: string, m: Map<string, readonly string[]>, zsh: boolean): string[] {
  const entry = ([k, v]: [string, readonly string[]]): string => (zsh ? `  ${q(k)} ${q(v.join(' '))}` : `  [${q(k)}]=${q(v.join(' '))}`);
  return [`typeset -gA ${name}`, `${name}=(`, ...[...m].map(entry), ')'];
}

export type Shell = 'bash' | 'zsh' | 'fish';
export const SHELLS: readonly Shell[] = ['bash', 'zsh', 'fish'];

export function renderCompletion(program: Command, shell: Shell): string {
  const tb = tables(program);
  if (shell === 'fish') return fishCompletion(tb);
  // bash and zsh share the tables (associative arrays) and the walk over the words already typed
  const zsh = shell === 'zsh';
  const valsWithChoices = new Map([...tb.vals].map(([k, v]) => [k, v.length > 0 ? v : ['__FILE__']]));
  const lines = [
    zsh ? '#compdef sandi' : '# bash completion for sandi',
    '# generated by `sandi completion ' + shell + '` from the command tree',
    ...assoc('_sandi_subs', tb.subs, zsh),
    ...assoc('_sandi_opts', tb.opts, zsh),
    ...assoc('_sandi_vals', valsWithChoices, zsh),
    '_sandi_cmdpath() {',
    '  # $1.. = the words typed before the current one, the program name excluded',
    "  local p=sandi w skip=0",
    '  for w in "$@"; do',
    '    if [[ $skip == 1 ]]; then skip=0; continue; fi',
    '    if [[ $w == -* ]]; then',
    '      [[ -n ${_sandi_vals[$p $w]+x} && $w != *=* ]] && skip=1',
    '      continue',
    '    fi',
    '    local next="$p $w"',
    '    [[ -n ${_sandi_opts[$next]+x} ]] && p=$next',
    '  done',
    '  printf %s "$p"',
    '}',
  ];
  if (zsh) {
    lines.push(
      '_sandi() {',
      '  local p prev v',
      '  p=$(_sandi_cmdpath "${(@)words[2,CURRENT-1]}")',
      '  prev=${words[CURRENT-1]}',
      '  if (( CURRENT > 2 )) && [[ -n ${_sandi_vals[$p $prev]+x} ]]; then',
      '    v=${_sandi_vals[$p $prev]}',
      '    if [[ $v == __FILE__ ]]; then _files; else compadd -- ${=v}; fi',
      '    return',
      '  fi',
      '  if [[ ${words[CURRENT]} == -* ]]; then compadd -- ${=_sandi_opts[$p]}',
      '  else compadd -- ${=_sandi_subs[$p]}; _files; fi',
      '}',
      'if [[ $zsh_eval_context[-1] == loadautofunc ]]; then _sandi "$@"; else compdef _sandi sandi; fi',
      '',
    );
  } else {
    lines.push(
      '_sandi() {',
      '  local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]} p v',
      '  p=$(_sandi_cmdpath "${COMP_WORDS[@]:1:COMP_CWORD-1}")',
      '  if (( COMP_CWORD > 1 )) && [[ -n ${_sandi_vals[$p $prev]+x} ]]; then',
      '    v=${_sandi_vals[$p $prev]}',
      '    if [[ $v == __FILE__ ]]; then COMPREPLY=($(compgen -f -- "$cur")); else COMPREPLY=($(compgen -W "$v" -- "$cur")); fi',
      '    return',
      '  fi',
      '  if [[ $cur == -* ]]; then COMPREPLY=($(compgen -W "${_sandi_opts[$p]}" -- "$cur"))',
      '  else COMPREPLY=($(compgen -W "${_sandi_subs[$p]}" -- "$cur")); [[ -z ${_sandi_subs[$p]} ]] && COMPREPLY+=($(compgen -f -- "$cur")); fi',
      '}',
      'complete -o filenames -F _sandi sandi',
      '',
    );
  }
  return lines.join('\n');
}

function fishCompletion(tb: Tables): string {
  const paths = [...tb.subs.keys()];
  const valopts = [...tb.vals.keys()];
  const lines = [
    '# fish completion for sandi, generated by `sandi completion fish` from the command tree',
    `set -g __sandi_paths ${paths.map(qf).join(' ')}`,
    `set -g __sandi_valopts ${valopts.map(qf).join(' ')}`,
    'function __sandi_cmdpath',
    '    set -l words (commandline -opc)',
    '    set -e words[1]',
    "    set -l p sandi",
    '    set -l skip 0',
    '    for w in $words',
    '        if test $skip = 1',
    '            set skip 0',
    '            continue',
    '        end',
    '        if string match -q -- "-*" $w',
    '            if contains -- "$p $w" $__sandi_valopts',
    '                set skip 1',
    '            end',
    '            continue',
    '        end',
    '        set -l next "$p $w"',
    '        if contains -- $next $__sandi_paths',
    '            set p $next',
    '        end',
    '    end',
    '    echo $p',
    'end',
    'function __sandi_at',
    '    set -l p (__sandi_cmdpath)',
    '    test "$p" = "$argv[1]"',
    'end',
    'complete -c sandi -e',
  ];
  for (const [path, subs] of tb.subs) {
    const cond = qf(`__sandi_at ${qf(path)}`);
    if (subs.length > 0) lines.push(`complete -c sandi -f -n ${cond} -a ${qf(subs.join(' '))}`);
    for (const w of tb.opts.get(path) ?? []) {
      const flag = w.startsWith('--') ? `-l ${qf(w.slice(2))}` : `-s ${qf(w.slice(1))}`;
      const v = tb.vals.get(`${path} ${w}`);
      const value = v === undefined ? '' : v.length > 0 ? ` -x -a ${qf(v.join(' '))}` : ' -r -F';
      lines.push(`complete -c sandi -n ${cond} ${flag}${value}`);
    }
  }
  lines.push('');
  return lines.join('\n');
}
