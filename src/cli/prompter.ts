/**
 * The only module that imports @inquirer/prompts. Commands ask through the Prompter interface, so tests
 * can answer it, and so that a non-interactive run (stdin not a TTY, or --no-input) never blocks: it
 * fails naming the flags that were missing.
 */
import { SandiError } from '../errors.js';
import { t } from './messages/index.js';

export interface Choice<T> {
  name: string;
  value: T;
  description?: string;
}

export interface Prompter {
  readonly interactive: boolean;
  input(message: string, opts?: { default?: string; validate?: (v: string) => true | string }): Promise<string>;
  password(message: string): Promise<string>;
  confirm(message: string, def?: boolean): Promise<boolean>;
  select<T>(message: string, choices: Choice<T>[]): Promise<T>;
}

function cancelled(e: unknown): never {
  if (e instanceof Error && (e.name === 'ExitPromptError' || e.name === 'AbortPromptError')) {
    throw new SandiError('CANCELLED', 'common.cancelled');
  }
  throw e;
}

/**
 * A yes/no answer in the operator's language: y/ya/yes → true, t/tidak/n/no → false (any case), empty → the
 * default; anything else is asked again. null = not an answer.
 */
export function jawabanYaTidak(v: string, def: boolean): boolean | null {
  const a = v.trim().toLowerCase();
  if (a === '') return def;
  if (['y', 'ya', 'yes'].includes(a)) return true;
  if (['t', 'tidak', 'n', 'no'].includes(a)) return false;
  return null;
}

const bold = (s: string): string => `\x1b[1m${s}\x1b[22m`;
const dim = (s: string): string => `\x1b[2m${s}\x1b[22m`;

/**
 * The prompts' own words in the operator's language (@inquirer/prompts 7 has no locale option): select's key
 * help line through its theme (`style.keysHelpTip`), input's fallback validation message by always giving one,
 * and confirm — whose "(y/N)", Yes/No and y/n parsing are fixed in English — as an input with our parser,
 * "(y/T)" hint and Ya/Tidak answer.
 */
export function createPrompter(interactive: boolean): Prompter {
  const refuse = (): never => {
    throw new SandiError('INTERNAL', 'common.internal', { detail: 'prompt attempted in non-interactive mode' });
  };
  if (!interactive) {
    return { interactive, input: refuse, password: refuse, confirm: refuse, select: refuse };
  }
  const load = () => import('@inquirer/prompts');
  return {
    interactive,
    async input(message, opts = {}) {
      const p = await load();
      const check = opts.validate;
      // a check that returns no reason would show the library's English "You must provide a valid value"
      const validate = check === undefined ? undefined : (v: string): true | string => {
        const r = check(v);
        return r === true ? true : r.length > 0 ? r : t('common.prompt.invalid');
      };
      return p.input({ message, default: opts.default, validate }).catch(cancelled);
    },
    async password(message) {
      const p = await load();
      return p.password({ message, mask: '*' }).catch(cancelled);
    },
    async confirm(message, def = false) {
      const p = await load();
      const hint = t(def ? 'common.prompt.yaTidak.ya' : 'common.prompt.yaTidak.tidak');
      const answer = await p
        .input({
          message,
          validate: (v) => jawabanYaTidak(v, def) !== null || t('common.prompt.yaTidak.ulang'),
          transformer: (v, { isFinal }) => (isFinal ? t(jawabanYaTidak(v, def) === true ? 'common.prompt.ya' : 'common.prompt.tidak') : v),
          theme: { style: { message: (text: string, status: string) => (status === 'done' ? bold(text) : `${bold(text)} ${dim(hint)}`) } },
        })
        .catch(cancelled);
      return jawabanYaTidak(answer, def) ?? def;
    },
    async select<T>(message: string, choices: Choice<T>[]) {
      const p = await load();
      const word = (action: string): string => {
        const text = t(`common.prompt.key.${action}`);
        return text === `common.prompt.key.${action}` ? action : text;
      };
      const keysHelpTip = (keys: [string, string][]): string => keys.map(([key, action]) => `${bold(key)} ${dim(word(action))}`).join(dim(' • '));
      return p.select<T>({ message, choices, theme: { style: { keysHelpTip } } }).catch(cancelled);
    },
  };
}

/**
 * Before asking anything: with no TTY / --no-input, list every required flag that is missing and fail once
 * (exit 64), so a script learns all of them in one run.
 */
export function requireFlags(prompter: Prompter, missing: string[]): void {
  if (prompter.interactive || missing.length === 0) return;
  const flags = missing.join(', ');
  throw new SandiError('USAGE', 'common.missingFlags', { flags }, { hint: 'common.missingFlags.hint' });
}
