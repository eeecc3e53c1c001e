/**
 * The manual adapter (Sanapati's path: its password-change interface is not public): sandi shows the new
 * password once, at the terminal only, the operator sets it in the webmail and confirms; sandi then tests it.
 */
import { SandiError } from '../../errors.js';
import type { PasswordChanger, PasswordChangeRequest } from './types.js';

export interface ManualUi {
  /** Show the user and the new password to the operator (a terminal, never a log or a pipe). */
  show(user: string, newPassword: string): Promise<void>;
  /** Has the operator set it on the server? */
  confirmChanged(user: string): Promise<boolean>;
}

/** `ui` is null when the run is not interactive: the manual adapter then refuses before showing anything. */
export function manualChanger(ui: ManualUi | null): PasswordChanger {
  return {
    adapter: 'manual',
    async change(req: PasswordChangeRequest): Promise<void> {
      if (ui === null) throw new SandiError('USAGE', 'akun.manualNeedsTerminal', {}, { hint: 'akun.manualNeedsTerminal.hint' });
      await ui.show(req.user, req.newPassword);
      if (!(await ui.confirmChanged(req.user))) {
        throw new SandiError('TEMPFAIL', 'akun.manualNotDone', { user: req.user }, { hint: 'akun.manualNotDone.hint' });
      }
    },
  };
}
