/**
 * The password rotation log (table akun_rotasi, migration 5), described once: a rotation is stored
 * (tersimpan), set on the server (diset), tested (teruji), made current (selesai), or refused (ditolak) with the
 * reason; each step fills its own column once. Not a register `sandi agenda` lists. Record fields are the
 * column names (RotasiRow in src/domain/akun.ts).
 */
import { ROTASI_TRANSITIONS } from '../akun.js';
import { col, defineRegister, fill } from './define.js';

export const AKUN_ROTASI_REGISTER = defineRegister({
  table: 'akun_rotasi',
  initial: 'tersimpan',
  transitions: ROTASI_TRANSITIONS,
  fields: 'column',
  columns: [
    col('id', 'integer', 'fixed'),
    col('user', 'text', 'fixed'),
    col('adapter', 'text', 'fixed'),
    col('status', 'text', 'status'),
    col('baru_id', 'text', 'fixed'),
    col('lama_id', 'text', 'fixed'),
    col('dimulai_at', 'time', 'fixed'),
    col('diset_at', 'time?', fill('diset')),
    col('teruji_at', 'time?', fill('teruji')),
    col('selesai_at', 'time?', fill('selesai')),
    col('ditolak_at', 'time?', fill('ditolak')),
    col('alasan', 'text?', fill('ditolak')),
  ],
  agenda: null,
});
