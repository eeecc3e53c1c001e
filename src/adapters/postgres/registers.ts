/**
 * The register port (src/ports/registers.ts) on PostgreSQL: the register functions of ../sqlite/registers
 * (plain SQL, see ./sql.ts) bound to the PostgreSQL store (./store.ts) — one implementation of the books'
 * rules, two engines, held to the same behaviour by test/integration/registers-conformance.test.ts.
 */
import type { Registers } from '../../ports/registers.js';
import { sqliteRegisters } from '../sqlite/registers/port.js';
import type { PgStore } from './store.js';

export function pgRegisters(store: PgStore): Registers {
  return sqliteRegisters(store);
}
