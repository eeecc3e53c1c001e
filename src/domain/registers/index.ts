/**
 * Every register, described once (src/domain/registers/types.ts): table, columns and the record fields they
 * map to, protection, transitions (the domain's own tables), and the listing/export part. The store engines
 * generate their row mappers and triggers from these; the agenda catalog (register-catalog.ts) is their
 * `agenda` part.
 */
import { ADUAN_REGISTER } from './aduan.js';
import { AKUN_ROTASI_REGISTER } from './akun-rotasi.js';
import { KRIPTOGRAM_KELUAR_REGISTER } from './kriptogram-keluar.js';
import { KRIPTOGRAM_MASUK_REGISTER } from './kriptogram-masuk.js';
import { SURAT_KELUAR_REGISTER } from './surat-keluar.js';
import { SURAT_MASUK_REGISTER } from './surat-masuk.js';
import type { RegisterDefinition } from './types.js';

export { ADUAN_REGISTER, ADUAN_STATUS_TRANSITIONS } from './aduan.js';
export { AKUN_ROTASI_REGISTER } from './akun-rotasi.js';
export { KRIPTOGRAM_KELUAR_REGISTER } from './kriptogram-keluar.js';
export { KRIPTOGRAM_MASUK_REGISTER } from './kriptogram-masuk.js';
export { SURAT_KELUAR_REGISTER } from './surat-keluar.js';
export { SURAT_MASUK_REGISTER } from './surat-masuk.js';
export { filledIn, statusesOf } from './define.js';
export type { ColumnRule, RegisterDefinition, RegisterDescription, RegisterProtection, TableColumn, TableColumnKind } from './types.js';

/** The four books of migration 2 (whose triggers it generated from their protection), in its order. */
export const MIGRATION_2_REGISTERS = [KRIPTOGRAM_KELUAR_REGISTER, SURAT_KELUAR_REGISTER, SURAT_MASUK_REGISTER, KRIPTOGRAM_MASUK_REGISTER] as const;

/** Every described register table. */
export const REGISTER_DEFINITIONS: readonly RegisterDefinition[] = [...MIGRATION_2_REGISTERS, ADUAN_REGISTER, AKUN_ROTASI_REGISTER];
