/**
 * The command tree. Each group lives in its own file and only declares its commands; the work is
 * imported when an action runs, so `sandi --help` stays light.
 */
import type { Command } from 'commander';
import type { CliContext } from './context.js';
import { registerKunci } from './kunci.js';
import { registerAudit } from './audit.js';
import { registerInit } from './init.js';
import { registerDemo } from './demo.js';
import { registerAgenda } from './agenda.js';
import { registerLaporan } from './laporan.js';
import { registerTerima } from './terima.js';
import { registerAkun } from './akun.js';
import { registerKirim } from './kirim.js';
import { registerAduan } from './aduan.js';

export type GetContext = () => CliContext;

export function registerGroups(program: Command, ctx: GetContext): void {
  registerInit(program, ctx);
  registerDemo(program, ctx);
  registerKunci(program, ctx);
  registerAudit(program, ctx);
  registerAgenda(program, ctx);
  registerLaporan(program, ctx);
  registerTerima(program, ctx);
  registerAkun(program, ctx);
  registerKirim(program, ctx);
  registerAduan(program, ctx);
}
