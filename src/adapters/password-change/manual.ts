/**
 * The manual adapter (Sanapati's path: its password-change interface is not public): sandi shows the new
 * password once, at the terminal only, the operator sets it in the webmail and confirms; sandi then tests it.
 */
import { SandiError } from '../../errors.js';
import type { ManualUi, PasswordChanger, PasswordChangeRequest } from '../../ports/akun.js';


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
