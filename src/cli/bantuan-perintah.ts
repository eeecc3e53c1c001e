/**
 * What every command's --help ends with, and what the man page says of each command, from one source: examples
 * (the command line and what it does, messages/contoh.ts), the exit codes the command can return and the
 * environment variables it reads. `attachHelpExtras` adds it to the commander tree (addHelpText); the man page
 * (src/cli/bantuan.ts) renders the same `helpExtra` for each node.
 */
import type { Command } from 'commander';
import { t } from './messages/index.js';

export interface HelpExtra {
  examples: { line: string; what: string }[];
  exits: number[];
  env: string[];
}

const BOOKS = ['keluar', 'surat-keluar', 'masuk', 'kriptogram-masuk', 'aduan'] as const;
const BOOK_EXAMPLE: Record<string, (buku: string) => string> = {
  daftar: (b) => `sandi agenda ${b} daftar --halaman 2 --batas 50`,
  cari: (b) => `sandi agenda ${b} cari "rapat koordinasi"`,
  lihat: (b) => `sandi agenda ${b} lihat 7`,
  ekspor: (b) => `sandi agenda ${b} ekspor --dari 2026-10-01 --sampai 2026-12-31 --keluaran ${b}.csv`,
  catat: (b) => `sandi agenda ${b} catat 7 --catatan "Nomor permohonan yang benar 005/2/SETDA"`,
};

/** path (words after `sandi`) → example lines with the catalog key (messages/contoh.ts) saying what each does */
export const EXAMPLES: Record<string, readonly (readonly [string, string])[]> = {
  'init': [
    ['sandi init', 'contoh.init.1'],
    ['sandi init --no-input --nama-kantor "Diskominfo Kota Contoh" --kode-unit KOMINFO --buat-kunci-arsip --email-arsip arsip@kominfo.contoh.go.id --passphrase-file arsip.pass', 'contoh.init.2'],
  ],
  'demo': [
    ['sandi demo', 'contoh.demo.1'],
  ],
  'kunci': [
    ['sandi kunci daftar', 'contoh.kunci.1'],
  ],
  'kunci buat': [
    ['sandi kunci buat --peran sandiman --nama "Budi" --email budi@kominfo.contoh.go.id --kedaluwarsa 2y', 'contoh.kunci.buat.1'],
  ],
  'kunci impor': [
    ['sandi kunci impor dinkes.asc --peran penerima --email persandian@dinkes.contoh.go.id --unit "Dinas Kesehatan"', 'contoh.kunci.impor.1'],
  ],
  'kunci ekspor': [
    ['sandi kunci ekspor arsip@kominfo.contoh.go.id --keluaran arsip.pub.asc', 'contoh.kunci.ekspor.1'],
  ],
  'kunci daftar': [
    ['sandi kunci daftar --json', 'contoh.kunci.daftar.1'],
  ],
  'kunci cabut': [
    ['sandi kunci cabut budi@kominfo.contoh.go.id --jenis pensiun --alasan "pindah tugas"', 'contoh.kunci.cabut.1'],
  ],
  'kunci alamat': [
    ['sandi kunci alamat daftar', 'contoh.kunci.alamat.1'],
  ],
  'kunci alamat tambah': [
    ['sandi kunci alamat tambah --email persandian@dinkes.contoh.go.id --unit "Dinas Kesehatan" --kunci 0123ABCD...', 'contoh.kunci.alamat.tambah.1'],
  ],
  'kunci alamat daftar': [
    ['sandi kunci alamat daftar --json', 'contoh.kunci.alamat.daftar.1'],
  ],
  'kunci alamat hapus': [
    ['sandi kunci alamat hapus persandian@dinkes.contoh.go.id', 'contoh.kunci.alamat.hapus.1'],
  ],
  'audit': [
    ['sandi audit periksa', 'contoh.audit.1'],
  ],
  'audit periksa': [
    ['sandi audit periksa --json', 'contoh.audit.periksa.1'],
  ],
  'audit tandai': [
    ['sandi audit tandai --passphrase-file arsip.pass', 'contoh.audit.tandai.1'],
  ],
  'agenda': [
    ['sandi agenda masuk daftar --halaman 2', 'contoh.agenda.1'],
  ],
  'agenda kolom': [
    ['sandi agenda kolom masuk', 'contoh.agenda.kolom.1'],
  ],
  'laporan': [
    ['sandi laporan kinerja --triwulan 2026-IV --pdf laporan.pdf', 'contoh.laporan.1'],
  ],
  'laporan kinerja': [
    ['sandi laporan kinerja --triwulan 2026-IV --pdf laporan.pdf', 'contoh.laporan.kinerja.1'],
    ['sandi laporan kinerja --dari 2026-10-01 --sampai 2026-12-31 --json', 'contoh.laporan.kinerja.2'],
  ],
  'terima': [
    ['sandi terima', 'contoh.terima.1'],
    ['sandi terima --dari-folder ./unduhan', 'contoh.terima.2'],
  ],
  'terima status': [
    ['sandi terima status --semua', 'contoh.terima.status.1'],
  ],
  'terima teruskan': [
    ['sandi terima teruskan SM/001/XII/2026', 'contoh.terima.teruskan.1'],
  ],
  'terima cetak': [
    ['sandi terima cetak SM/001/XII/2026 --penerima "Wali Kota" --penerima "Sekretaris Daerah"', 'contoh.terima.cetak.1'],
  ],
  'terima paraf': [
    ['sandi terima paraf SM/001/XII/2026 --sebagai Kasi --nama "Siti"', 'contoh.terima.paraf.1'],
  ],
  'terima klasifikasi': [
    ['sandi terima klasifikasi SM/001/XII/2026 --sifat Rahasia --alasan "Kop surat bercap RAHASIA"', 'contoh.terima.klasifikasi.1'],
  ],
  'terima antar': [
    ['sandi terima antar SM/001/XII/2026 --caraka "Joko"', 'contoh.terima.antar.1'],
  ],
  'terima tandaterima': [
    ['sandi terima tandaterima SM/001/XII/2026 --tujuan "Wali Kota" --diterima-oleh "Ajudan"', 'contoh.terima.tandaterima.1'],
  ],
  'terima baca': [
    ['sandi terima baca KM/001/XII/2026 --tampilkan --keluaran ./dibaca', 'contoh.terima.baca.1'],
  ],
  'terima arsip-periksa': [
    ['sandi terima arsip-periksa', 'contoh.terima.arsip-periksa.1'],
  ],
  'akun': [
    ['sandi akun status', 'contoh.akun.1'],
  ],
  'akun simpan': [
    ['sandi akun simpan', 'contoh.akun.simpan.1'],
    ['printf \'%s\\n\' "$KATA_SANDI" | sandi akun simpan --diubah 2026-11-01', 'contoh.akun.simpan.2'],
  ],
  'akun uji': [
    ['sandi akun uji --passphrase-file arsip.pass', 'contoh.akun.uji.1'],
  ],
  'akun status': [
    ['sandi akun status --json', 'contoh.akun.status.1'],
  ],
  'akun rotasi': [
    ['sandi akun rotasi --jika-jatuh-tempo', 'contoh.akun.rotasi.1'],
  ],
  'kirim': [
    ['SANDI_PASSPHRASE_SANDIMAN=... sandi kirim nota.pdf --no-input --permohonan-nomor 005/12/SETDA --permohonan-tanggal 2026-11-20 --permohonan-unit "Sekretariat Daerah" --kepada persandian@dinkes.contoh.go.id --perihal-file perihal.txt --sifat Rahasia --derajat Segera', 'contoh.kirim.1'],
    ['sandi kirim surat.pdf --biasa --tandatangani --kepada persandian@dinkes.contoh.go.id --perihal "Undangan rapat"', 'contoh.kirim.2'],
  ],
  'kirim tandatangani': [
    ['SANDI_PASSPHRASE_KASI=... sandi kirim tandatangani 7', 'contoh.kirim.tandatangani.1'],
  ],
  'kirim status': [
    ['sandi kirim status --biasa --semua', 'contoh.kirim.status.1'],
  ],
  'kirim batal': [
    ['sandi kirim batal 7 --alasan "salah tujuan"', 'contoh.kirim.batal.1'],
  ],
  'kirim lanjut': [
    ['sandi kirim lanjut', 'contoh.kirim.lanjut.1'],
    ['sandi kirim lanjut 7 --belum-terkirim', 'contoh.kirim.lanjut.2'],
  ],
  'aduan': [
    ['sandi aduan status', 'contoh.aduan.1'],
  ],
  'aduan catat': [
    ['sandi aduan catat --kanal laporgub --nomor-pelacakan LG-77 --jenis pengaduan --judul "Jalan berlubang" --kronologi-berkas kronologi.txt', 'contoh.aduan.catat.1'],
  ],
  'aduan impor': [
    ['sandi aduan impor ekspor-lapor.csv', 'contoh.aduan.impor.1'],
  ],
  'aduan disposisi': [
    ['sandi aduan disposisi LG-77 --opd "Dinas Pekerjaan Umum"', 'contoh.aduan.disposisi.1'],
  ],
  'aduan kembalikan': [
    ['sandi aduan kembalikan LG-77 --alasan "bukan tupoksi"', 'contoh.aduan.kembalikan.1'],
  ],
  'aduan tindaklanjut': [
    ['sandi aduan tindaklanjut LG-77 --catatan "Perbaikan dijadwalkan" --lampiran foto.jpg', 'contoh.aduan.tindaklanjut.1'],
  ],
  'aduan konfirmasi': [
    ['sandi aduan konfirmasi LG-77', 'contoh.aduan.konfirmasi.1'],
  ],
  'aduan verifikasi': [
    ['sandi aduan verifikasi LG-77', 'contoh.aduan.verifikasi.1'],
  ],
  'aduan selesai': [
    ['sandi aduan selesai LG-77', 'contoh.aduan.selesai.1'],
  ],
  'aduan tunda': [
    ['sandi aduan tunda LG-77 --alasan "menunggu anggaran"', 'contoh.aduan.tunda.1'],
  ],
  'aduan lanjutkan': [
    ['sandi aduan lanjutkan LG-77', 'contoh.aduan.lanjutkan.1'],
  ],
  'aduan arsipkan': [
    ['sandi aduan arsipkan LG-77 --alasan "ganda"', 'contoh.aduan.arsipkan.1'],
  ],
  'aduan status': [
    ['sandi aduan status --semua --json', 'contoh.aduan.status.1'],
  ],
  'aduan laporan': [
    ['sandi aduan laporan --dari 2026-10-01 --sampai 2026-12-31', 'contoh.aduan.laporan.1'],
  ],
  'aduan lihat': [
    ['sandi aduan lihat LG-77', 'contoh.aduan.lihat.1'],
  ],
  'periksa': [
    ['sandi periksa', 'contoh.periksa.1'],
    ['sandi periksa --json --passphrase-file arsip.pass', 'contoh.periksa.2'],
  ],
  'completion': [
    ['sandi completion bash > ~/.local/share/bash-completion/completions/sandi', 'contoh.completion.1'],
    ['sandi completion fish > ~/.config/fish/completions/sandi.fish', 'contoh.completion.2'],
  ],
  'db siapkan': [
    ['SANDI_DB=postgresql://sandi_pemilik@db.kominfo.go.id/kantor sandi db siapkan', 'contoh.db.siapkan.1'],
  ],
  'db peran': [
    ['sandi db peran --basis-data kantor --petugas budi=sandiman --petugas siti=kasi --petugas ujang=caraka > peran.sql', 'contoh.db.peran.1'],
  ],
  'db salin': [
    ["sandi db salin --ke 'postgresql://sandi_pemilik@db.kantor.go.id/kantor' --pengguna budi", 'contoh.db.salin.1'],
  ],
};

/** Exit codes a command of each group can return (0 and 64 for all); a path's own entry wins. */
const EXITS: Record<string, number[]> = {
  init: [65, 66, 74, 77, 78, 81, 82, 130],
  demo: [65, 74, 77, 78, 79, 80, 81],
  kunci: [65, 66, 74, 77, 78, 82, 130],
  audit: [66, 74, 77, 78, 79],
  agenda: [65, 66, 74, 77, 78],
  laporan: [65, 66, 74, 77, 78, 79],
  terima: [65, 66, 69, 74, 75, 77, 78, 79, 80, 81, 82, 130],
  akun: [65, 66, 69, 74, 75, 77, 78, 81, 130],
  kirim: [65, 66, 69, 74, 75, 77, 78, 79, 80, 81, 82, 130],
  aduan: [65, 66, 69, 74, 75, 77, 78, 81, 130],
  periksa: [69, 77, 78, 79, 82],
  completion: [],
  db: [],
  'db siapkan': [69, 77, 78],
  'db salin': [65, 66, 69, 74, 77, 78, 79, 81],
};

/** Commands that connect to the mailbox (and so may read SANDI_MAILBOX_PASSWORD). */
const MAILBOX = /^(kirim|terima( teruskan)?|akun( uji| rotasi)?|periksa|aduan (disposisi|kembalikan|tindaklanjut|konfirmasi))$/;
/** Commands that only read: no actor is recorded. */
const READ_ONLY = /^(completion|db( peran)?|laporan( kinerja)?|audit( periksa)?|kunci( daftar| ekspor| alamat( daftar)?)?|agenda( kolom)?|agenda [\w-]+( daftar| cari| lihat| ekspor)?|kirim status|terima (status|arsip-periksa)|akun( status)?|aduan( status| laporan| lihat)?|periksa)$/;

function examplesFor(path: string[], children: string[][]): { line: string; what: string }[] {
  const key = path.join(' ');
  const own = EXAMPLES[key];
  if (own) return own.map(([line, k]) => ({ line, what: t(k) }));
  if (path[0] === 'agenda' && path.length === 3 && BOOKS.includes(path[1] as (typeof BOOKS)[number])) {
    const make = BOOK_EXAMPLE[path[2]!];
    if (make) return [{ line: make(path[1]!), what: t(`contoh.agenda.${path[2]!}`, { buku: path[1] }) }];
  }
  if (path[0] === 'agenda' && path.length === 2 && BOOKS.includes(path[1] as (typeof BOOKS)[number])) {
    return (['daftar', 'cari', 'ekspor'] as const).map((c) => ({ line: BOOK_EXAMPLE[c]!(path[1]!), what: t(`contoh.agenda.${c}`, { buku: path[1] }) }));
  }
  // a group without its own lines: the first example of each of its commands
  return children.flatMap((c) => examplesFor(c, []).slice(0, 1));
}

/** The help extras of the command at `path` (words after `sandi`; [] for the root) with the paths of its subcommands. */
export function helpExtra(path: string[], children: string[][] = []): HelpExtra {
  const key = path.join(' ');
  const group = path[0] ?? '';
  const readOnly = READ_ONLY.test(key) && path.length > 0;
  const exits = [...new Set([0, 64, ...(EXITS[key] ?? EXITS[group] ?? [65, 66, 69, 74, 75, 77, 78, 79, 80, 81, 82, 130])])]
    // a command that only reads asks nothing, so it is not cancelled at a prompt
    .filter((c) => !(readOnly && c === 130))
    .sort((a, b) => a - b);
  const env = group === 'completion' || group === 'db' ? ['SANDI_LANG'] : ['SANDI_HOME', 'XDG_CONFIG_HOME', 'SANDI_LANG', 'SANDI_NO_INPUT'];
  // db salin reads a home and connects to the target database (the password from PGPASSWORD or the password file)
  if (key === 'db salin') {
    env.unshift('SANDI_HOME', 'XDG_CONFIG_HOME');
    env.push('PGPASSWORD', 'PGPASSFILE');
  }
  if (group !== 'completion' && group !== 'db') {
    // every command on a home signs the audit head at its end when the archive passphrase is in the environment
    env.push('SANDI_PASSPHRASE_ROLE', 'SANDI_PASSPHRASE');
    if (MAILBOX.test(key) || path.length === 0) env.push('SANDI_MAILBOX_PASSWORD');
    // the office database: the register groups and periksa (the root lists everything)
    if (path.length === 0 || REGISTER_DB.test(group)) env.push('SANDI_DB', 'SANDI_DB_LOCK_TIMEOUT', 'PGPASSWORD', 'PGPASSFILE');
    if (!readOnly) env.push('SANDI_OPERATOR');
  }
  return { examples: examplesFor(path, children), exits, env };
}

/** The groups that open the office database (src/cli/index.ts NEEDS_REGISTERS, and periksa). */
const REGISTER_DB = /^(init|demo|kunci|audit|agenda|laporan|terima|akun|kirim|aduan|periksa)$/;

export const envName = (name: string): string => (name === 'SANDI_PASSPHRASE_ROLE' ? 'SANDI_PASSPHRASE_<ROLE>' : name);

/** The text after commander's own help: examples, exit status, environment. */
export function renderHelpExtra(x: HelpExtra): string {
  const width = Math.max(...x.env.map((e) => envName(e).length));
  return [
    '',
    t('bantuan.help.examples'),
    ...x.examples.flatMap((e) => [`  # ${e.what}`, `  $ ${e.line}`]),
    '',
    t('bantuan.help.exitStatus'),
    ...x.exits.map((c) => `  ${String(c).padStart(3)}  ${t(`bantuan.exit.${c}`)}`),
    '',
    t('bantuan.help.environment'),
    ...x.env.map((e) => `  ${envName(e).padEnd(width)}  ${t(`bantuan.env.${e}`)}`),
  ].join('\n');
}

const pathOf = (cmd: Command): string[] => {
  const out: string[] = [];
  for (let c: Command | null = cmd; c !== null && c.parent !== null; c = c.parent) out.unshift(c.name());
  return out;
};

/** Add the extras to every command of the tree under `program` (after the groups are registered). */
export function attachHelpExtras(program: Command): void {
  const walk = (cmd: Command): void => {
    const subs = cmd.commands.filter((c) => c.name() !== 'help');
    const path = pathOf(cmd);
    // rendered only when help is shown: a normal run pays nothing for it
    cmd.addHelpText('after', () => `${renderHelpExtra(helpExtra(path, subs.map(pathOf)))}\n`);
    for (const s of subs) walk(s);
  };
  walk(program);
}
