/**
 * The edge between what the operator typed and the schemas of src/domain/skema.ts: a refused record becomes
 * one SandiError (exit 65, DATA) listing every field with its expected form; a prompt re-asks with the reason.
 */
import { SandiError } from '../errors.js';
import { t } from './messages/index.js';
import { periksa, type Cek, type Harapan, type Hasil, type Masalah, type Masukan, type Skema } from '../domain/skema.js';

/** The expected form of a field, in the operator's language. */
export function alasan(h: Harapan): string {
  return t(`validasi.harap.${h.harap}`, h.params ?? {});
}

/** Refuse a record: exit 65 naming each field, its value and the expected form; nothing has been written. */
export function tolak(problems: readonly Masalah[]): never {
  const daftar = problems.map((m) => t('validasi.baris', { field: m.field, value: m.value, harap: alasan(m) })).join('\n');
  throw new SandiError('DATA', 'validasi.ditolak', { daftar, fields: [...new Set(problems.map((m) => m.field))].join(', ') });
}

/** The record cleaned by its schema (canonical spellings), or refused with every problem. */
export function pastikan<S extends Skema>(schema: S, input: Masukan<S>, o: { sebagian?: boolean } = {}): Hasil<S> {
  const r = periksa(schema, input, o);
  if (!r.ok) tolak(r.problems);
  return r.value;
}

/** A prompt's validate function from a field's check: an answer it refuses is asked again with the reason. */
export function validasiJawaban<T>(cek: Cek<T>): (v: string) => true | string {
  return (v) => {
    const r = cek(v);
    return r.ok ? true : alasan(r);
  };
}
