/**
 * `sandi init`: make a home folder usable. Validates every answer, makes or checks the office archive key,
 * writes config.json atomically, copies the holidays file for the office to maintain, opens the store (which
 * applies migrations) and records the set-up in the audit log.
 */
import { copyFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SandiError } from '../errors.js';
import type { Clock, KeyInfo } from '../ports.js';
import type { Registers } from '../ports/registers.js';
import type { MailboxAccount, NumberFormats, SandiConfig, TimeZone } from '../config/config.js';
import type { ConfigFile } from '../ports/config.js';
import { DEFAULT_SERVICE_HOURS, type ServiceHours } from '../domain/service-hours.js';
import { isDemoKey } from '../domain/kunci.js';
import type { KunciService } from './kunci.js';

/** The package's own folder (dist/services/ or src/services/ → two levels up). */
export const PACKAGE_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const BUNDLED_HOLIDAYS = join(PACKAGE_ROOT, 'data', 'hari-libur-2026.tsv');

export interface InitInput {
  officeName: string;
  unitCode: string;
  timeZone: TimeZone;
  serviceHours?: ServiceHours;
  numberFormats?: Partial<NumberFormats>;
  mailbox: MailboxAccount | null;
  /** An archive key already in the key store, or one to create now. */
  archive: { fingerprint: string } | { create: { name: string; email: string; expiry: string; passphrase: string } };
  singleOperator: boolean;
  mode: 'produksi' | 'demo';
  /** Practice only: accept a DEMO key from keys.example/ outside demo mode. */
  allowDemoKeys: boolean;
  /** Rewrite an existing config.json (database and keys are kept). */
  overwrite: boolean;
}

export interface InitResult {
  file: string;
  config: SandiConfig;
  archiveKey: KeyInfo;
  createdArchiveKey: boolean;
}

/** Refuse to overwrite unless asked: an existing office's configuration is never replaced by accident. */
export function assertCanInit(app: Pick<InitHome, 'paths'>, overwrite: boolean): void {
  if (!overwrite && existsSync(app.paths.config)) {
    throw new SandiError('CONFLICT', 'init.exists', { home: app.paths.root }, { hint: 'init.exists.hint' });
  }
}

/** Set up the home folder; see the module comment. */
/** What `sandi init` needs of the home (src/app.ts's App is one). */
export interface InitHome {
  paths: { root: string; config: string };
  clock: Clock;
  /** make the home folder, or tighten an existing one, to 0700 */
  makePrivateHome(): void;
  /** the books, for the audit event of the set-up */
  registers(): Registers;
  /** config.json: the defaults, the check and the atomic save (src/config/config.ts, wired by src/app.ts) */
  configFile: ConfigFile;
}

export async function initHome(app: InitHome, keys: KunciService, input: InitInput, actor: string): Promise<InitResult> {
  assertCanInit(app, input.overwrite);
  app.makePrivateHome(); // an existing home (made by mkdir) is tightened to 0700
  // Validate everything except the key before a key is generated, so a typo costs no key.
  // the defaults (config version, holidays file, number formats) in their order, the answers over them
  const defaults = app.configFile.defaults({ officeName: input.officeName, unitCode: input.unitCode, archiveKey: '0'.repeat(40) });
  const draft: SandiConfig = {
    ...defaults,
    mode: input.mode,
    office: { name: input.officeName, unitCode: input.unitCode, timeZone: input.timeZone },
    serviceHours: input.serviceHours ?? DEFAULT_SERVICE_HOURS,
    numberFormats: { ...defaults.numberFormats, ...input.numberFormats },
    mailbox: input.mailbox,
    singleOperator: input.singleOperator,
  };
  app.configFile.validate(draft);

  let archiveKey: KeyInfo;
  let created = false;
  if ('create' in input.archive) {
    const c = input.archive.create;
    archiveKey = await keys.create({ role: 'arsip', name: c.name, email: c.email, expiry: c.expiry, passphrase: c.passphrase, demo: input.mode === 'demo' });
    created = true;
  } else {
    const fpr = input.archive.fingerprint.replace(/\s+/g, '').toUpperCase();
    try {
      archiveKey = await keys.info(fpr);
    } catch (e) {
      if (e instanceof SandiError && e.code === 'NOT_FOUND') {
        throw new SandiError('NOT_FOUND', 'init.archiveKeyMissing', { fingerprint: fpr, home: app.paths.root }, { hint: 'init.archiveKeyMissing.hint' });
      }
      throw e;
    }
  }
  if (isDemoKey(archiveKey) && input.mode !== 'demo' && !input.allowDemoKeys) {
    throw new SandiError('KEY_REFUSED', 'init.demoKeyRefused', { fingerprint: archiveKey.fingerprint, userId: archiveKey.userId }, { hint: 'init.demoKeyRefused.hint' });
  }
  if (archiveKey.role !== 'arsip' || archiveKey.revoked || !archiveKey.canEncrypt) {
    throw new SandiError('KEY_REFUSED', 'init.archiveKeyUnfit', { fingerprint: archiveKey.fingerprint, userId: archiveKey.userId, role: archiveKey.role });
  }
  if (!archiveKey.hasSecret) {
    throw new SandiError('KEY_REFUSED', 'init.archiveKeyNoSecret', { fingerprint: archiveKey.fingerprint });
  }

  const config: SandiConfig = { ...draft, archiveKey: archiveKey.fingerprint };
  const holidays = join(app.paths.root, config.holidaysFile);
  if (!existsSync(holidays)) copyFileSync(BUNDLED_HOLIDAYS, holidays);
  app.configFile.save(config);
  app.registers().write((u) =>
    u.audit(app.clock.now(), {
      actor,
      action: input.overwrite ? 'init.ulang' : 'init',
      entity: 'konfigurasi',
      entityId: null,
      data: { office: config.office, mode: config.mode, archiveKey: config.archiveKey, mailbox: config.mailbox ? { user: config.mailbox.user, imap: config.mailbox.imap.host, smtp: config.mailbox.smtp.host } : null },
    }),
  );
  return { file: app.paths.config, config, archiveKey, createdArchiveKey: created };
}
