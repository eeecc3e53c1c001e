/**
 * The password-change adapter named in mailbox.passwordChange (the PasswordChangerFactory port of
 * src/ports/akun.ts): each adapter is loaded only when a rotation needs it.
 */
import { resolve } from 'node:path';
import { SandiError } from '../../errors.js';
import type { PasswordChangerFactory } from '../../ports/akun.js';

/** The password-change adapter `name`, from mailbox.passwordChange; CONFIG naming the missing setting. */
export const changerFor: PasswordChangerFactory = async (name, account, home, env, ui) => {
  const pc = account.passwordChange;
  switch (name) {
    case 'perintah': {
      if (pc?.command === undefined) throw new SandiError('CONFIG', 'akun.adapterNotConfigured', { adapter: name, key: 'mailbox.passwordChange.command' }, { hint: 'akun.adapterNotConfigured.hint' });
      const { commandChanger } = await import('./command.js');
      return commandChanger({ argv: pc.command, env });
    }
    case 'dovecot-passwd': {
      if (pc?.file === undefined) throw new SandiError('CONFIG', 'akun.adapterNotConfigured', { adapter: name, key: 'mailbox.passwordChange.file' }, { hint: 'akun.adapterNotConfigured.hint' });
      const { dovecotPasswdChanger } = await import('./dovecot-passwd.js');
      return dovecotPasswdChanger({ file: resolve(home, pc.file), ...(pc.scheme === undefined ? {} : { scheme: pc.scheme }) });
    }
    case 'manual': {
      const { manualChanger } = await import('./manual.js');
      return manualChanger(ui);
    }
  }
};
