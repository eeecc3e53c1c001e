import type { Catalog } from './index.js';

/**
 * Messages of the kriptogram area. Keys are 'kriptogram.*'. Exit codes (src/errors.ts):
 *  INTEGRITY 79  tampered / truncated / malformed / unprotected / damaged session key / damaged spool
 *  SIGNATURE 80  unsigned, bad signature, signer unknown / revoked / expired, not enough signers
 *  PERMISSION 77 not addressed to us (no key of ours among the recipients), wrong or missing passphrase
 *  KEY_REFUSED 82 a key refused for new work (expired, revoked, too weak, cannot sign / encrypt)
 *  DATA 65       unreadable key, unsupported format (AEAD, v6), not encrypted, decompression bound,
 *                invalid protected header value
 *  USAGE 64      no recipients / no signers / no decryption keys given
 *  IO 74         the encrypted temporary file (spool) cannot be written or read: disk full, I/O error …
 * In every refusal while reading, nothing of the plaintext was released.
 */
export const kriptogram: Catalog = {
  id: {
    'kriptogram.tampered':
      'Kriptogram ditolak: isinya telah diubah atau rusak (pemeriksaan integritas gagal). Tidak ada isi yang dibuka.',
    'kriptogram.tampered.hint': 'Minta pengirim mengirim ulang; jangan gunakan salinan ini.',
    'kriptogram.truncated': 'Kriptogram ditolak: berkasnya terpotong (tidak lengkap). Tidak ada isi yang dibuka.',
    'kriptogram.truncated.hint': 'Unduh atau salin ulang pesan secara utuh, lalu coba lagi.',
    'kriptogram.malformed': 'Kriptogram ditolak: susunannya rusak atau bukan pesan OpenPGP yang sah ({detail}). Tidak ada isi yang dibuka.',
    'kriptogram.unprotected':
      'Kriptogram ditolak: pesan terenkripsi tanpa perlindungan integritas (paket SED lama). Tidak ada isi yang dibuka.',
    'kriptogram.sessionKeyDamaged':
      'Kriptogram ditolak: kunci sesi untuk kunci kita tidak dapat dibuka (bagian penerima rusak atau diubah).',
    'kriptogram.spoolDamaged': 'Berkas sementara terenkripsi rusak selama pemeriksaan ({detail}). Tidak ada isi yang dibuka.',
    'kriptogram.spoolIo':
      'Berkas sementara terenkripsi di folder {dir} tidak dapat ditulis atau dibaca ({code}: {reason}). Tidak ada isi yang dibuka.',
    'kriptogram.spoolIo.hint':
      'Periksa ruang kosong dan izin tulis folder sementara {dir} (disk penuh, kuota, atau sistem berkas hanya-baca), lalu coba lagi.',
    'kriptogram.signatureType':
      'Kriptogram ditolak: tanda tangan {keyId} bukan tanda tangan dokumen biner (jenis 0x{type}); jenis lain tidak diterima. Tidak ada isi yang dibuka.',
    'kriptogram.notAddressedToUs':
      'Kriptogram ini tidak ditujukan kepada kunci mana pun yang kita miliki (penerima: {recipients}).',
    'kriptogram.notAddressedToUs.hint': 'Periksa apakah kunci privat kantor/arsip sudah diimpor dengan `sandi kunci impor`.',
    'kriptogram.notEncrypted': 'Berkas ini bukan kriptogram terenkripsi (hanya ditandatangani atau teks biasa).',
    'kriptogram.unsupported': 'Format kriptogram tidak didukung: {detail}.',
    'kriptogram.decompressionLimit': 'Kriptogram ditolak: isi yang didekompresi melebihi batas {limit} bita.',
    'kriptogram.unsigned': 'Kriptogram ditolak: tidak bertanda tangan, padahal tanda tangan wajib.',
    'kriptogram.badSignature': 'Kriptogram ditolak: tanda tangan {keyId} ({userId}) TIDAK SAH — isi atau tanda tangan telah diubah.',
    'kriptogram.unknownSigner': 'Kriptogram ditolak: ditandatangani kunci {keyId} yang tidak ada di buku alamat.',
    'kriptogram.unknownSigner.hint': 'Jika pengirimnya sah, impor kunci publiknya setelah memeriksa sidik jarinya.',
    'kriptogram.signerRevoked': 'Kriptogram ditolak: kunci penanda tangan {keyId} ({userId}) telah dicabut.',
    'kriptogram.signerExpired':
      'Kriptogram ditolak: kunci penanda tangan {keyId} ({userId}) kedaluwarsa sejak {expired}. Kunci itu masih berlaku pada {created}, waktu tanda tangan menurut klaim penanda tangan sendiri (jam pengirim, tidak dapat dibuktikan).',
    'kriptogram.signerExpired.hint':
      'Jika pengirim telah memperpanjang masa berlaku kuncinya, impor kunci publik yang diperbarui setelah memeriksa sidik jarinya, lalu minta kriptogram dikirim ulang.',
    'kriptogram.signerExpiredAtSigning':
      'Kriptogram ditolak: kunci penanda tangan {keyId} ({userId}) kedaluwarsa sejak {expired} dan sudah tidak berlaku pada {created}, waktu tanda tangan menurut klaim penanda tangan sendiri.',
    'kriptogram.forwarded':
      'Kriptogram ditolak: tanda tangan {keyId} ({userId}) ditujukan kepada kunci lain ({recipients}), bukan kunci kita — kriptogram ini diteruskan/dienkripsi ulang oleh pihak lain, bukan dikirim kepada kita oleh penanda tangan.',
    'kriptogram.presetRecipientsDiffer':
      'Paraf {keyId} ({userId}) dibuat untuk penerima lain daripada kriptogram ini; paraf ulang diperlukan.',
    'kriptogram.hashRefused':
      'Kriptogram ditolak: tanda tangan {keyId} ({userId}) memakai hash {hash}, yang ditolak kebijakan (MD5, RIPEMD-160, SHA-1) atau terlalu lemah untuk jenis kuncinya (EdDSA Ed25519 memerlukan minimal 256 bit). Minta pengirim menandatangani dengan SHA-256 atau lebih kuat.',
    'kriptogram.onePassMismatch':
      'Kriptogram ditolak: tanda tangan ke-{position} ({keyId}) tidak cocok dengan paket one-pass yang mengumumkannya (jenis, algoritma atau kunci berbeda) — paket telah ditukar atau diubah.',
    'kriptogram.signedNotEncrypted':
      'Ditolak: pesan ini hanya ditandatangani, tidak dienkripsi. Kriptogram wajib terenkripsi (kebijakan); minta pengirim mengenkripsinya ke kunci kantor.',
    'kriptogram.cipherUnsupported':
      'Kriptogram tidak dapat dibuka: dienkripsi dengan sandi simetris {algorithm}, yang tidak didukung sandi (hanya AES-128/192/256). Minta pengirim memakai AES.',
    'kriptogram.cipherUnknown':
      'Kriptogram tidak dapat dibuka: kunci sesinya terbuka, tetapi sandi simetrisnya tidak dikenal openpgp.js (misalnya Camellia atau IDEA). Minta pengirim memakai AES.',
    'kriptogram.notEnoughSigners': 'Kriptogram ditolak: hanya {good} tanda tangan sah, diperlukan {required}.',
    'kriptogram.wrongPassphrase': 'Frasa sandi salah untuk kunci {userId} ({fingerprint}).',
    'kriptogram.passphraseNeeded': 'Kunci {userId} ({fingerprint}) terlindung frasa sandi, tetapi frasa sandi tidak diberikan.',
    'kriptogram.keyUnreadable': 'Kunci ke-{index} tidak dapat dibaca: {reason}.',
    'kriptogram.keyTooWeak': 'Kunci {userId} ({fingerprint}) terlalu lemah: RSA {bits} bit, minimal {min} bit.',
    'kriptogram.recipientKeyRefused': 'Kunci penerima {userId} ({fingerprint}) tidak dapat dipakai untuk enkripsi: {reason}.',
    'kriptogram.recipientKeyRefused.hint': 'Kunci mungkin kedaluwarsa atau dicabut; minta kunci baru dari unit penerima.',
    'kriptogram.signingKeyRefused': 'Kunci {userId} ({fingerprint}) tidak dapat dipakai untuk menandatangani: {reason}.',
    'kriptogram.noRecipients': 'Tidak ada kunci penerima untuk kriptogram ini.',
    'kriptogram.noSigners': 'Tidak ada kunci penanda tangan; kriptogram wajib bertanda tangan.',
    'kriptogram.noDecryptionKeys': 'Tidak ada kunci privat untuk membuka kriptogram.',
    'kriptogram.headerInvalid': 'Nilai kepala terlindung "{name}" tidak sah (baris baru atau nama tidak sah).',
    'kriptogram.internal': 'Galat internal kriptogram: {detail}.',
    'kriptogram.status.good': 'sah',
    'kriptogram.status.bad': 'TIDAK SAH',
    'kriptogram.status.unknown': 'kunci tidak dikenal',
    'kriptogram.status.kedaluwarsa': 'kunci kedaluwarsa',
    'kriptogram.status.future': 'sah, bertanggal di depan jam kita',
    'kriptogram.status.forwarded': 'diteruskan (ditujukan kepada kunci lain)',
    'kriptogram.status.hashRefused': 'hash ditolak',
    'kriptogram.status.revoked': 'kunci dicabut',
  },
  en: {
    'kriptogram.tampered': 'Kriptogram refused: it was modified or damaged (the integrity check failed). Nothing was released.',
    'kriptogram.tampered.hint': 'Ask the sender to send it again; do not use this copy.',
    'kriptogram.truncated': 'Kriptogram refused: the file is truncated (incomplete). Nothing was released.',
    'kriptogram.truncated.hint': 'Download or copy the message again in full, then retry.',
    'kriptogram.malformed': 'Kriptogram refused: its structure is damaged or it is not a valid OpenPGP message ({detail}). Nothing was released.',
    'kriptogram.unprotected': 'Kriptogram refused: encrypted without integrity protection (legacy SED packet). Nothing was released.',
    'kriptogram.sessionKeyDamaged': 'Kriptogram refused: the session key for our key cannot be opened (recipient block damaged or modified).',
    'kriptogram.spoolDamaged': 'The encrypted temporary file was damaged during the checks ({detail}). Nothing was released.',
    'kriptogram.spoolIo':
      'The encrypted temporary file in folder {dir} cannot be written or read ({code}: {reason}). Nothing was released.',
    'kriptogram.spoolIo.hint':
      'Check the free space and write permission of the temporary folder {dir} (disk full, quota, or read-only file system), then try again.',
    'kriptogram.signatureType':
      'Kriptogram refused: signature {keyId} is not a binary document signature (type 0x{type}); other types are not accepted. Nothing was released.',
    'kriptogram.notAddressedToUs': 'This kriptogram is not addressed to any key we hold (recipients: {recipients}).',
    'kriptogram.notAddressedToUs.hint': 'Check that the office/archive private key was imported with `sandi kunci impor`.',
    'kriptogram.notEncrypted': 'This file is not an encrypted kriptogram (only signed, or plain).',
    'kriptogram.unsupported': 'Unsupported kriptogram format: {detail}.',
    'kriptogram.decompressionLimit': 'Kriptogram refused: decompressed content exceeds the bound of {limit} bytes.',
    'kriptogram.unsigned': 'Kriptogram refused: it is not signed, and a signature is required.',
    'kriptogram.badSignature': 'Kriptogram refused: signature {keyId} ({userId}) is BAD — the content or the signature was modified.',
    'kriptogram.unknownSigner': 'Kriptogram refused: signed by key {keyId}, which is not in the address book.',
    'kriptogram.unknownSigner.hint': 'If the sender is genuine, import their public key after checking its fingerprint.',
    'kriptogram.signerRevoked': 'Kriptogram refused: the signer\'s key {keyId} ({userId}) has been revoked.',
    'kriptogram.signerExpired':
      'Kriptogram refused: the signer\'s key {keyId} ({userId}) has expired (since {expired}). It was still valid at {created}, the signing time the signer itself claims (the sender\'s clock, not provable).',
    'kriptogram.signerExpired.hint':
      'If the sender has extended the key\'s validity, import the renewed public key after checking its fingerprint, then ask for the kriptogram to be sent again.',
    'kriptogram.signerExpiredAtSigning':
      'Kriptogram refused: the signer\'s key {keyId} ({userId}) has expired (since {expired}) and was no longer valid at {created}, the signing time the signer itself claims.',
    'kriptogram.forwarded':
      'Kriptogram refused: signature {keyId} ({userId}) is addressed to other keys ({recipients}), not ours — this kriptogram was forwarded/re-encrypted to us by someone else, not sent to us by the signer.',
    'kriptogram.presetRecipientsDiffer':
      'Initial {keyId} ({userId}) was made for other recipients than this kriptogram; a new initial is needed.',
    'kriptogram.hashRefused':
      'Kriptogram refused: signature {keyId} ({userId}) uses hash {hash}, which is refused by policy (MD5, RIPEMD-160, SHA-1) or too weak for its key type (EdDSA Ed25519 needs at least 256 bits). Ask the sender to sign with SHA-256 or stronger.',
    'kriptogram.onePassMismatch':
      'Kriptogram refused: signature number {position} ({keyId}) does not match the one-pass packet that announced it (type, algorithm or key differ) — packets were swapped or edited.',
    'kriptogram.signedNotEncrypted':
      'Refused: this message is only signed, not encrypted. A kriptogram must be encrypted (policy); ask the sender to encrypt it to the office key.',
    'kriptogram.cipherUnsupported':
      'Kriptogram cannot be opened: it is encrypted with the symmetric cipher {algorithm}, which sandi does not support (AES-128/192/256 only). Ask the sender to use AES.',
    'kriptogram.cipherUnknown':
      'Kriptogram cannot be opened: its session key decrypted, but its symmetric cipher is unknown to openpgp.js (e.g. Camellia or IDEA). Ask the sender to use AES.',
    'kriptogram.notEnoughSigners': 'Kriptogram refused: only {good} good signatures, {required} required.',
    'kriptogram.wrongPassphrase': 'Wrong passphrase for key {userId} ({fingerprint}).',
    'kriptogram.passphraseNeeded': 'Key {userId} ({fingerprint}) is passphrase-protected, but no passphrase was given.',
    'kriptogram.keyUnreadable': 'Key number {index} cannot be read: {reason}.',
    'kriptogram.keyTooWeak': 'Key {userId} ({fingerprint}) is too weak: RSA {bits} bits, at least {min} required.',
    'kriptogram.recipientKeyRefused': 'Recipient key {userId} ({fingerprint}) cannot be used for encryption: {reason}.',
    'kriptogram.recipientKeyRefused.hint': 'The key may be expired or revoked; ask the recipient unit for a new key.',
    'kriptogram.signingKeyRefused': 'Key {userId} ({fingerprint}) cannot be used for signing: {reason}.',
    'kriptogram.noRecipients': 'No recipient keys for this kriptogram.',
    'kriptogram.noSigners': 'No signing keys; a kriptogram must be signed.',
    'kriptogram.noDecryptionKeys': 'No private key to open the kriptogram.',
    'kriptogram.headerInvalid': 'Protected header value "{name}" is invalid (line break or invalid name).',
    'kriptogram.internal': 'Internal kriptogram error: {detail}.',
    'kriptogram.status.good': 'good',
    'kriptogram.status.bad': 'BAD',
    'kriptogram.status.unknown': 'unknown key',
    'kriptogram.status.kedaluwarsa': 'key expired',
    'kriptogram.status.future': 'good, dated ahead of our clock',
    'kriptogram.status.forwarded': 'forwarded (addressed to other keys)',
    'kriptogram.status.hashRefused': 'hash refused',
    'kriptogram.status.revoked': 'key revoked',
  },
};
