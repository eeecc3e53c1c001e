/**
 * `sandi completion bash|zsh|fish`: a completion script on stdout, generated at run time from the full
 * command tree (built afresh here, since only this group was registered for this argv).
 */
import { Argument, type Command } from 'commander';
import { t } from './messages/index.js';
import type { GetContext } from './index.js';

export function registerCompletion(program: Command, _ctx: GetContext): void {
  program
    .command('completion')
    .description(t('bantuan.completion.description'))
    .addArgument(new Argument('<shell>', t('bantuan.completion.shell')).choices(['bash', 'zsh', 'fish']))
    .action(async (shell: 'bash' | 'zsh' | 'fish') => {
      const [{ createProgram }, { registerGroups }, { renderCompletion }] = await Promise.all([
        import('./program.js'),
        import('./index.js'),
        import('./bantuan.js'),
      ]);
      const full = createProgram();
      await registerGroups(full, () => {
        throw new Error('completion needs no context');
      }, []);
      process.stdout.write(renderCompletion(full, shell));
    });
}
