/**
 * What every register file of the SQLite store shares: a cached prepared statement per database, SQLite
 * errors mapped to the store's messages, the column readers, the required-field check, the row lookup, and
 * the gapless numbering that runs inside the write transaction storing the number.
 */
import { createHash } from 'node:crypto';
import type Database from 'better-sqlite3';
import { SandiError } from '../../../errors.js';
import { mapSqliteError, type Db, type WriteTx } from '../store.js';
import { formatNumber, monthInZone, parseNumberFormat, yearInZone } from '../../../domain/numbering.js';
import type { Buku, Numbering, Sifat } from '../../../domain/records.js';
import type { Recipient } from '../../../domain/records-keluar.js';

/** Anything that holds a database: the Db itself, a Store, or a WriteTx. */
export type DbLike = Db | { readonly db: Db };

export function dbOf(x: DbLike): Db {
  return 'prepare' in x ? x : x.db;
}

const cache = new WeakMap<Db, Map<string, Database.Statement>>();

export function stmt(db: Db, sql: string): Database.Statement {
  let m = cache.get(db);
  if (!m) {
    m = new Map();
    cache.set(db, m);
  }
  let s = m.get(sql);
  if (!s) {
    s = db.prepare(sql);
    m.set(sql, s);
  }
  return s;
}

export function run<T>(buku: string, id: number | string | undefined, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    throw mapSqliteError(e, { buku, ...(id === undefined ? {} : { id }) });
  }
}

export const iso = (d: Date): string => d.toISOString();
export const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');
/** A SQLite value as text (columns here hold TEXT, INTEGER or NULL). */
export const text = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'bigint' ? v.toString() : JSON.stringify(v));
export const str = (v: unknown): string | null => (v === null || v === undefined ? null : text(v));
export const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
export const blob = (v: unknown): Buffer | null => (v === null || v === undefined ? null : Buffer.from(v as Uint8Array));

export function nonEmpty(field: string, v: string | null | undefined): string {
  if (v === undefined || v === null || v.trim().length === 0) throw new SandiError('DATA', 'store.fieldRequired', { field });
  return v;
}

// ------------------------------------------------------------------------------------------ numbering

export interface Allocated {
  tahun: number;
  urut: number;
  nomor: string;
}

/**
 * Take the next gapless number of `buku` for the year of `at` in the office's time zone. Must run inside
 * the same write transaction that stores the number: if it rolls back, the number was never taken.
 * The format is checked before the sequence moves.
 */
export function allocateNumber(tx: WriteTx, buku: Buku, numbering: Numbering, at: Date, sifat: Sifat | null): Allocated {
  const parsed = parseNumberFormat(numbering.format, numbering.configKey);
  const tahun = yearInZone(at, numbering.timeZone);
  const bulan = monthInZone(at, numbering.timeZone);
  // render once with a dummy sequence so a missing unit code or sifat fails before the sequence moves
  formatNumber(parsed, { urut: 1, bulan, tahun, unit: numbering.unitCode ?? null, sifat, sifatCodes: numbering.sifatCodes ?? {} });
  const urut = run(buku, undefined, () => tx.nextNumber(buku, tahun));
  const nomor = formatNumber(parsed, { urut, bulan, tahun, unit: numbering.unitCode ?? null, sifat, sifatCodes: numbering.sifatCodes ?? {} });
  return { tahun, urut, nomor };
}

export function checkRecipients(recipients: Recipient[]): string {
  if (!Array.isArray(recipients) || recipients.length === 0) throw new SandiError('DATA', 'store.noRecipients');
  for (const r of recipients) nonEmpty('recipients.email', r.email);
  return JSON.stringify(recipients);
}

export function rowOf(db: Db, buku: string, id: number): Record<string, unknown> {
  const r = run(buku, id, () => stmt(db, `SELECT * FROM ${buku} WHERE id = ?`).get(id)) as Record<string, unknown> | undefined;
  if (!r) throw new SandiError('NOT_FOUND', 'store.rowNotFound', { buku, id });
  return r;
}
