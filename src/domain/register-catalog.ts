/**
 * The registers `sandi agenda` lists, searches, shows and exports: the `agenda` part of each register's one
 * description (src/domain/registers/: the name on the command line, the table, whether it is classified, its
 * documented export columns, the columns a terminal listing shows, its statuses from the domain's transition
 * table, and the confidential columns never shown or exported). How a column is computed (SQL, full-text
 * index, the unit filter) is the store's business: src/adapters/sqlite/agenda-registers.ts adds it.
 *
 * Adding a register is adding a description in src/domain/registers/ and its SQL there.
 */
import { ADUAN_REGISTER, KRIPTOGRAM_KELUAR_REGISTER, KRIPTOGRAM_MASUK_REGISTER, SURAT_KELUAR_REGISTER, SURAT_MASUK_REGISTER } from './registers/index.js';
import type { RegisterDescription } from './registers/types.js';

export type { RegisterDescription } from './registers/types.js';

export const KRIPTOGRAM_KELUAR: RegisterDescription = KRIPTOGRAM_KELUAR_REGISTER.agenda;
export const SURAT_KELUAR: RegisterDescription = SURAT_KELUAR_REGISTER.agenda;
export const SURAT_MASUK: RegisterDescription = SURAT_MASUK_REGISTER.agenda;
export const KRIPTOGRAM_MASUK: RegisterDescription = KRIPTOGRAM_MASUK_REGISTER.agenda;
/**
 * The complaint register (migration 7). Never selected: the reporter's identity (pelapor_terenkripsi, an
 * OpenPGP message to the archive key). Withheld: the chronology of a confidential (rahasia) or anonymous
 * complaint and of any whistle-blowing report (it may name or point at the reporter), and attachment names
 * (only their count is exported). Not annotatable: the anotasi table's CHECK does not know this register
 * (`sandi aduan` records every step).
 */
export const ADUAN: RegisterDescription = ADUAN_REGISTER.agenda;

/** Every register `sandi agenda` knows, in the order they are listed. */
export const REGISTER_CATALOG: readonly RegisterDescription[] = [KRIPTOGRAM_KELUAR, SURAT_KELUAR, SURAT_MASUK, KRIPTOGRAM_MASUK, ADUAN];
