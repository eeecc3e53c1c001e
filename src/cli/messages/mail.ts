import type { Catalog } from './index.js';

/**
 * Messages of the mail area (SMTP, IMAP, PGP/MIME). Keys are 'mail.*'; a key ending in '.hint' is the
 * suggestion line of the key before it. No message ever shows a password: parameters are protocol, host,
 * port, user, mailbox, the server's own reply, or a library's error code.
 */
export const mail: Catalog = {
  id: {
    'mail.passwordMissing': 'Kata sandi kotak surat {user} tidak tersedia.',
    'mail.passwordMissing.hint': 'Simpan dengan `sandi akun`, atur passwordCommand, atau (untuk skrip dan CI) variabel lingkungan {env}.',
    'mail.unreachable': 'Server {protocol} {host}:{port} tidak dapat dihubungi ({reason}).',
    'mail.unreachable.hint':
      'Periksa alamat dan port server di konfigurasi akun serta sambungan jaringan. Tidak ada yang hilang; coba lagi nanti, atau impor dari folder Maildir/.eml sebagai jalur cadangan.',
    'mail.timeout': 'Server {protocol} {host}:{port} tidak menjawab dalam {seconds} detik.',
    'mail.timeout.hint': 'Server atau jaringan sedang lambat. Tidak ada yang hilang; coba lagi nanti.',
    'mail.connectionLost': 'Sambungan ke server {protocol} {host}:{port} terputus ({reason}).',
    'mail.connectionLost.hint': 'Tidak ada yang hilang; jalankan lagi perintah yang sama.',
    'mail.downloadIncomplete': 'Pesan di folder {mailbox} pada server {protocol} {host}:{port} tidak terunduh utuh ({reason}).',
    'mail.tlsUntrusted':
      'Sertifikat TLS server {protocol} {host}:{port} tidak dipercaya ({reason}). Sambungan dihentikan sebelum kata sandi dikirim.',
    'mail.tlsUntrusted.hint':
      'Jika server memakai sertifikat dari CA sendiri, tunjuk berkas sertifikat CA itu di konfigurasi akun (caFile). Jangan mematikan pemeriksaan sertifikat; tanyakan sidik jari sertifikat kepada pengelola server.',
    'mail.tlsFailed': 'Jabat tangan TLS dengan server {protocol} {host}:{port} gagal ({reason}).',
    'mail.tlsFailed.hint': 'Periksa apakah port itu memakai TLS langsung (mis. 465/993) atau STARTTLS (mis. 587/143), sesuai konfigurasi akun.',
    'mail.tlsNotOffered': 'Server {protocol} {host}:{port} tidak menawarkan STARTTLS; sandi tidak mengirim kata sandi tanpa enkripsi.',
    'mail.tlsNotOffered.hint': 'Gunakan port dengan TLS langsung (mis. 465 untuk SMTP, 993 untuk IMAP) atau minta pengelola server mengaktifkan STARTTLS.',
    'mail.authFailed': 'Login ke server {protocol} {host} sebagai {user} ditolak: nama pengguna atau kata sandi salah.',
    'mail.authFailed.hint':
      'Periksa kata sandi kotak surat (sandi akun). Kata sandi yang baru dirotasi harus juga diperbarui di penyimpanan kredensial.',
    'mail.authMissing': 'Tidak ada nama pengguna atau kata sandi untuk server {protocol} {host}.',
    'mail.caFileUnreadable': 'Berkas sertifikat CA {path} tidak dapat dibaca ({reason}).',
    'mail.smtpRejected': 'Server SMTP menolak pesan: {response}',
    'mail.smtpRejected.hint': 'Periksa alamat penerima dan ukuran pesan. Pesan TIDAK terkirim.',
    'mail.smtpDeferred': 'Server SMTP menunda pesan untuk sementara: {response}',
    'mail.smtpDeferred.hint': 'Pesan TIDAK terkirim; coba lagi nanti.',
    'mail.serverError': 'Server {protocol} {host}:{port} gagal pada {operation}: {reason}',
    'mail.mailboxNotFound': 'Folder {mailbox} tidak ada di kotak surat {user}.',
    'mail.messageNotFound': 'Pesan UID {uid} tidak ada di folder {mailbox}.',
    'mail.imapRejected': 'Server IMAP menolak {operation} pada folder {mailbox}: {response}',
    'mail.headerInvalid': 'Nilai kepala surat {header} tidak valid: "{value}".',
    'mail.messageUnreadable': 'Pesan surel tidak dapat diurai: {reason}',
    'mail.pgpmime.malformed': 'Pesan menyatakan diri PGP/MIME (RFC 3156) tetapi strukturnya rusak: {reason}. Pesan tidak dibaca.',
    'mail.pgpmime.notArmored': 'Kriptogram bukan pesan OpenPGP ber-armor ASCII yang dapat dikirim: {reason}.',
  },
  en: {
    'mail.passwordMissing': 'The password of the mailbox {user} is not available.',
    'mail.passwordMissing.hint': 'Store it with `sandi akun`, set passwordCommand, or (for scripts and CI) the environment variable {env}.',
    'mail.unreachable': 'Cannot reach the {protocol} server {host}:{port} ({reason}).',
    'mail.unreachable.hint':
      'Check the server address and port in the account configuration, and the network. Nothing was lost; try again later, or import from a Maildir/.eml folder as the fallback channel.',
    'mail.timeout': 'The {protocol} server {host}:{port} did not answer within {seconds} seconds.',
    'mail.timeout.hint': 'The server or network is slow. Nothing was lost; try again later.',
    'mail.connectionLost': 'The connection to the {protocol} server {host}:{port} was lost ({reason}).',
    'mail.connectionLost.hint': 'Nothing was lost; run the same command again.',
    'mail.downloadIncomplete': 'A message in folder {mailbox} on the {protocol} server {host}:{port} did not download completely ({reason}).',
    'mail.tlsUntrusted':
      'The TLS certificate of the {protocol} server {host}:{port} is not trusted ({reason}). The connection was closed before any password was sent.',
    'mail.tlsUntrusted.hint':
      'If the server uses a certificate from its own CA, point the account configuration at that CA certificate file (caFile). Do not turn certificate checks off; ask the server administrator for the certificate fingerprint.',
    'mail.tlsFailed': 'The TLS handshake with the {protocol} server {host}:{port} failed ({reason}).',
    'mail.tlsFailed.hint': 'Check whether the port speaks TLS directly (e.g. 465/993) or STARTTLS (e.g. 587/143), as set in the account configuration.',
    'mail.tlsNotOffered': 'The {protocol} server {host}:{port} does not offer STARTTLS; sandi never sends a password unencrypted.',
    'mail.tlsNotOffered.hint': 'Use the implicit-TLS port (e.g. 465 for SMTP, 993 for IMAP) or ask the server administrator to enable STARTTLS.',
    'mail.authFailed': 'Login to the {protocol} server {host} as {user} was refused: wrong user name or password.',
    'mail.authFailed.hint': 'Check the mailbox password (sandi akun). A password that was just rotated must also be updated in the credential store.',
    'mail.authMissing': 'No user name or password for the {protocol} server {host}.',
    'mail.caFileUnreadable': 'The CA certificate file {path} cannot be read ({reason}).',
    'mail.smtpRejected': 'The SMTP server refused the message: {response}',
    'mail.smtpRejected.hint': 'Check the recipient addresses and the message size. The message was NOT sent.',
    'mail.smtpDeferred': 'The SMTP server temporarily deferred the message: {response}',
    'mail.smtpDeferred.hint': 'The message was NOT sent; try again later.',
    'mail.serverError': 'The {protocol} server {host}:{port} failed at {operation}: {reason}',
    'mail.mailboxNotFound': 'There is no folder {mailbox} in the mailbox of {user}.',
    'mail.messageNotFound': 'There is no message with UID {uid} in folder {mailbox}.',
    'mail.imapRejected': 'The IMAP server refused {operation} on folder {mailbox}: {response}',
    'mail.headerInvalid': 'Invalid value for mail header {header}: "{value}".',
    'mail.messageUnreadable': 'The e-mail message cannot be parsed: {reason}',
    'mail.pgpmime.malformed': 'The message claims to be PGP/MIME (RFC 3156) but its structure is broken: {reason}. It was not read.',
    'mail.pgpmime.notArmored': 'The kriptogram is not a sendable ASCII-armored OpenPGP message: {reason}.',
  },
};
