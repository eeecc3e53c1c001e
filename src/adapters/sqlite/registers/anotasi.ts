/**
 * Annotations (anotasi) of the four register books: a note, or a correction of one column. Registers are never
 * edited; readers show the latest correction of a column next to the original value. Each annotation appends
 * its audit event in the caller's write transaction.
 */
import { SandiError } from '../../../errors.js';
import type { WriteTx } from '../store.js';
import { BUKU, type Buku } from '../../../domain/records.js';
import type { Anotasi, NewAnotasi } from '../../../domain/records-anotasi.js';
import { blob, dbOf, iso, nonEmpty, num, rowOf, run, sha256, stmt, str, text, type DbLike } from './shared.js';

function toAnotasi(r: Record<string, unknown>): Anotasi {
  return {
    id: Number(r['id']),
    buku: r['buku'] as Buku,
    baris: Number(r['baris']),
    at: String(r['at']),
    actor: String(r['actor']),
    jenis: r['jenis'] as Anotasi['jenis'],
    kolom: str(r['kolom']),
    nilai: r['nilai'] === null ? null : (JSON.parse(text(r['nilai'])) as unknown),
    nilaiTerenkripsi: blob(r['nilai_terenkripsi']),
    catatan: String(r['catatan']),
    mengoreksi: num(r['mengoreksi']),
  };
}

/**
 * Annotate a register row: a note, or a correction of one column. Registers are never edited; readers
 * show the latest correction of a column next to the original value.
 */
export function annotate(tx: WriteTx, a: NewAnotasi, at: Date): Anotasi {
  if (!(BUKU as readonly string[]).includes(a.buku)) throw new SandiError('DATA', 'store.badBuku', { value: String(a.buku) });
  nonEmpty('actor', a.actor);
  const catatan = nonEmpty('catatan', a.catatan);
  const k = a.koreksi;
  if (k && k.nilai === undefined && !k.nilaiTerenkripsi) throw new SandiError('DATA', 'store.fieldRequired', { field: 'koreksi.nilai' });
  const enc = k?.nilaiTerenkripsi ? Buffer.from(k.nilaiTerenkripsi) : null;
  rowOf(tx.db, a.buku, a.baris);
  const info = run(a.buku, a.baris, () =>
    stmt(tx.db, 'INSERT INTO anotasi (buku, baris, at, actor, jenis, kolom, nilai, nilai_terenkripsi, catatan, mengoreksi) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)').run(
      a.buku, a.baris, iso(at), a.actor, k ? 'koreksi' : 'catatan', k?.kolom ?? null,
      k && k.nilai !== undefined ? JSON.stringify(k.nilai) : null, enc, catatan, a.mengoreksi ?? null,
    ),
  );
  const id = Number(info.lastInsertRowid);
  tx.audit(at, {
    actor: a.actor,
    action: `anotasi.${k ? 'koreksi' : 'catatan'}`,
    entity: a.buku,
    entityId: String(a.baris),
    data: { anotasi: id, catatan, kolom: k?.kolom ?? null, nilai: k?.nilai ?? null, nilaiTerenkripsiSha256: enc ? sha256(enc) : null, mengoreksi: a.mengoreksi ?? null },
  });
  return toAnotasi(stmt(tx.db, 'SELECT * FROM anotasi WHERE id = ?').get(id) as Record<string, unknown>);
}

/** The annotations of one register row, oldest first. */
export function listAnnotations(db: DbLike, buku: Buku, baris: number): Anotasi[] {
  if (!(BUKU as readonly string[]).includes(buku)) throw new SandiError('DATA', 'store.badBuku', { value: String(buku) });
  return (stmt(dbOf(db), 'SELECT * FROM anotasi WHERE buku = ? AND baris = ? ORDER BY id').all(buku, baris) as Record<string, unknown>[]).map(toAnotasi);
}
