import type { Catalog } from './index.js';

/** Values refused at the edge (src/domain/skema.ts): one line per field, naming the expected form. */
export const validasi: Catalog = {
  id: {
    'validasi.ditolak': 'Nilai tidak sah; tidak ada yang dicatat:\n{daftar}',
    'validasi.baris': '  {field} "{value}": {harap}',
    'validasi.harap.tanggal': 'harus tanggal kalender YYYY-MM-DD, mis. 2026-11-20',
    'validasi.harap.waktu': 'harus tanggal YYYY-MM-DD atau waktu YYYY-MM-DDTHH:MM, mis. 2026-11-19T10:00',
    'validasi.harap.email': 'harus satu alamat surel, mis. persandian@pekalongankab.go.id',
    'validasi.harap.pilihan': 'harus salah satu dari: {pilihan} (huruf besar/kecil bebas)',
    'validasi.harap.teks': 'wajib diisi (satu baris teks)',
    'validasi.harap.kedaluwarsa': 'harus masa berlaku, mis. 2y, 18m, 90d, never',
    'validasi.harap.bilangan': 'harus bilangan bulat {min}–{max}',
    'validasi.harap.urutan': 'tidak boleh sebelum --dari ({dari})',
  },
  en: {
    'validasi.ditolak': 'Invalid value; nothing was recorded:\n{daftar}',
    'validasi.baris': '  {field} "{value}": {harap}',
    'validasi.harap.tanggal': 'must be a calendar date YYYY-MM-DD, e.g. 2026-11-20',
    'validasi.harap.waktu': 'must be a date YYYY-MM-DD or a time YYYY-MM-DDTHH:MM, e.g. 2026-11-19T10:00',
    'validasi.harap.email': 'must be one e-mail address, e.g. persandian@pekalongankab.go.id',
    'validasi.harap.pilihan': 'must be one of: {pilihan} (any letter case)',
    'validasi.harap.teks': 'is required (one line of text)',
    'validasi.harap.kedaluwarsa': 'must be a key lifetime, e.g. 2y, 18m, 90d, never',
    'validasi.harap.bilangan': 'must be a whole number {min}–{max}',
    'validasi.harap.urutan': 'must not be before --dari ({dari})',
  },
};
