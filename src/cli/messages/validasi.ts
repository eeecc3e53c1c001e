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
    'validasi.harap.kodeUnit': 'harus kode unit tanpa spasi atau garis miring (huruf, angka, "." dan "-", paling banyak 32), mis. DISKOMINFO',
    'validasi.harap.host': 'harus nama server atau alamat IP, mis. imap.kominfo.contoh.go.id',
    'validasi.harap.formatNomor': 'harus format nomor dengan {urut} atau {urut:3} dan {tahun}, boleh {bulan} {unit} {sifat}, mis. KRIP/{urut:3}/{bulan}/{tahun}',
    'validasi.harap.jamLayanan': 'harus jadwal jam layanan, mis. "senin-kamis=08:00-12:00,13:00-16:00;jumat=08:00-11:00"',
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
    'validasi.harap.kodeUnit': 'must be a unit code without spaces or slashes (letters, digits, "." and "-", at most 32), e.g. DISKOMINFO',
    'validasi.harap.host': 'must be a server name or IP address, e.g. imap.kominfo.example.go.id',
    'validasi.harap.formatNomor': 'must be a number format with {urut} or {urut:3} and {tahun}, optionally {bulan} {unit} {sifat}, e.g. KRIP/{urut:3}/{bulan}/{tahun}',
    'validasi.harap.jamLayanan': 'must be a service-hours schedule, e.g. "senin-kamis=08:00-12:00,13:00-16:00;jumat=08:00-11:00"',
  },
};
