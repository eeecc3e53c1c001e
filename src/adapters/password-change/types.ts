/**
 * Setting a new mailbox password on the server, behind one interface: Sanapati's password-change interface is
 * not public, so each way of doing it is an adapter (a command, a Dovecot passwd-file, or the operator by hand).
 */
export type PasswordChangeAdapter = 'perintah' | 'dovecot-passwd' | 'manual';
export const PASSWORD_CHANGE_ADAPTERS: readonly PasswordChangeAdapter[] = ['perintah', 'dovecot-passwd', 'manual'];

export interface PasswordChangeRequest {
  user: string;
  oldPassword: string;
  newPassword: string;
}

export interface PasswordChanger {
  readonly adapter: PasswordChangeAdapter;
  /**
   * Set `newPassword` for `user`. Resolves when the server accepted it. Rejects with SandiError:
   * DATA 'akun.changeRefused' (the server said no, with its reason), TEMPFAIL (try again later),
   * CONFIG (the adapter is not set up). The passwords never appear in an error.
   */
  change(req: PasswordChangeRequest): Promise<void>;
}
