/**
 * The only module that imports @inquirer/prompts. Commands ask through the Prompter interface, so tests
 * can answer it, and so that a non-interactive run (stdin not a TTY, or --no-input) never blocks: it
 * fails naming the flags that were missing.
 */
import { SandiError } from '../errors.js';

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
      return p.input({ message, default: opts.default, validate: opts.validate }).catch(cancelled);
    },
    async password(message) {
      const p = await load();
      return p.password({ message, mask: '*' }).catch(cancelled);
    },
    async confirm(message, def = false) {
      const p = await load();
      return p.confirm({ message, default: def }).catch(cancelled);
    },
    async select<T>(message: string, choices: Choice<T>[]) {
      const p = await load();
      return p.select<T>({ message, choices }).catch(cancelled);
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
