#!/usr/bin/env node
/**
 * Generate the DEMO keys in keys.example/ (run `npm run build` first: the keys are made by sandi's own key
 * adapter, dist/adapters/openpgp/keys.js, so they are exactly what `sandi kunci buat` makes: v4, Ed25519 legacy
 * primary + Cv25519 encryption subkey, passphrase-protected).
 *
 *   node scripts/make-example-keys.mjs [--out keys.example]
 *
 * DEMO ONLY: the passphrases are published in keys.example/README.md. Every user id carries "(DEMO)" and every
 * e-mail ends in .demo.sandi.invalid, so sandi recognises them (isDemoKey) and `sandi init` refuses them outside
 * demo mode. Regenerating replaces the keys (new fingerprints).
 */
import { mkdirSync, writeFileSync, chmodSync } from 'node:fs';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const outArg = process.argv.indexOf('--out');
const out = resolve(outArg >= 0 ? process.argv[outArg + 1] : join(root, 'keys.example'));
const { generateOfficeKey } = await import(join(root, 'dist/adapters/openpgp/keys.js'));

// A fixed creation date keeps the demo's dates stable; the keys never expire so the demo keeps working.
const created = new Date('2026-01-05T01:00:00Z');

const KEYS = [
  { slug: 'arsip', role: 'arsip', name: 'Arsip Diskominfo Kota Contoh', email: 'arsip@diskominfo.demo.sandi.invalid', passphrase: 'demo-arsip-2026', unit: null, unitCode: null },
  { slug: 'sandiman', role: 'sandiman', name: 'Budi Santoso, Sandiman', email: 'sandiman@diskominfo.demo.sandi.invalid', passphrase: 'demo-sandiman-2026', unit: null, unitCode: null },
  { slug: 'kasi', role: 'kasi', name: 'Siti Rahmawati, Kasi Persandian', email: 'kasi@diskominfo.demo.sandi.invalid', passphrase: 'demo-kasi-2026', unit: null, unitCode: null },
  { slug: 'dinkes', role: 'penerima', name: 'Dinas Kesehatan Kota Contoh', email: 'persandian@dinkes.demo.sandi.invalid', passphrase: 'demo-dinkes-2026', unit: 'Dinas Kesehatan', unitCode: 'DINKES' },
  { slug: 'disdik', role: 'penerima', name: 'Dinas Pendidikan Kota Contoh', email: 'persandian@disdik.demo.sandi.invalid', passphrase: 'demo-disdik-2026', unit: 'Dinas Pendidikan', unitCode: 'DISDIK' },
];

mkdirSync(out, { recursive: true });
const manifest = [];
for (const k of KEYS) {
  const key = await generateOfficeKey(
    { name: k.name, email: k.email, comment: 'DEMO', passphrase: k.passphrase, lifetimeSeconds: 0, date: created },
    new Date(),
  );
  const pub = `${k.slug}.pub.asc`;
  const sec = `${k.slug}.sec.asc`;
  writeFileSync(join(out, pub), key.publicArmored);
  writeFileSync(join(out, sec), key.secretArmored, { mode: 0o600 });
  chmodSync(join(out, sec), 0o600);
  manifest.push({
    slug: k.slug,
    role: k.role,
    fingerprint: key.fingerprint,
    userId: key.userId,
    email: k.email,
    passphrase: k.passphrase,
    public: pub,
    secret: sec,
    unit: k.unit,
    unitCode: k.unitCode,
  });
  process.stderr.write(`${k.slug.padEnd(9)} ${key.fingerprint}  ${key.userId}\n`);
}
writeFileSync(
  join(out, 'manifest.json'),
  `${JSON.stringify({ demo: true, warning: 'DEMO ONLY — KHUSUS DEMO: passphrases are public; never use these keys for real work', created: created.toISOString(), keys: manifest }, null, 2)}\n`,
);

const esc = (s) => s.replace(/</g, '&lt;').replace(/>/g, '&gt;');
const rows = manifest
  .map((k) => `| \`${k.slug}\` | ${k.role} | ${esc(k.userId)} | \`${k.fingerprint}\` | \`${k.passphrase}\` | ${k.unit ? `${k.unit} (${k.unitCode})` : '—'} |`)
  .join('\n');
writeFileSync(join(out, 'README.md'), `# keys.example/ — KUNCI DEMO / DEMO KEYS

> ## ⚠ KHUSUS DEMO — JANGAN DIPAKAI UNTUK PEKERJAAN SUNGGUHAN
> Frasa sandi semua kunci di folder ini **diumumkan di berkas ini**. Siapa pun dapat membuka kriptogram yang
> dienkripsi untuk kunci-kunci ini dan memalsukan paraf/tanda tangannya. Kunci ini hanya untuk \`sandi demo\`,
> latihan, dan pengujian.
>
> ## ⚠ DEMO ONLY — NEVER USE FOR REAL WORK
> The passphrases of every key in this folder are **published in this file**. Anyone can read a kriptogram
> encrypted to these keys and forge their initials/signatures. They exist for \`sandi demo\`, training and tests.

Setiap ID pengguna memuat **"(DEMO)"** dan setiap alamat surel berakhiran **\`.demo.sandi.invalid\`**; sandi
mengenalinya (\`isDemoKey\`), memberi peringatan saat mengimpornya, dan \`sandi init\` menolaknya di luar mode demo.

Every user id carries **"(DEMO)"** and every e-mail address ends in **\`.demo.sandi.invalid\`**; sandi recognises
them (\`isDemoKey\`), warns when they are imported, and \`sandi init\` refuses them outside demo mode.

## Kunci / Keys

All keys: OpenPGP v4, Ed25519 (legacy) primary key for signing + Cv25519 encryption subkey, created
${created.toISOString().slice(0, 10)}, never expire, secret parts protected with the passphrase below (iterated+salted S2K,
readable by GnuPG 2.2).

| file | role / peran | user id | fingerprint | passphrase / frasa sandi (DEMO) | unit |
|---|---|---|---|---|---|
${rows}

Files: \`<slug>.pub.asc\` (public key), \`<slug>.sec.asc\` (secret key, passphrase-protected), \`manifest.json\`
(the table above, for \`sandi demo\` and tests).

## Pemakaian / Use

\`sandi demo\` imports these keys for you. By hand, into a home folder:

\`\`\`sh
export SANDI_HOME=/tmp/sandi-demo
sandi kunci impor keys.example/arsip.sec.asc    --peran arsip
sandi kunci impor keys.example/sandiman.sec.asc --peran sandiman
sandi kunci impor keys.example/kasi.sec.asc     --peran kasi
sandi kunci impor keys.example/dinkes.pub.asc --email persandian@dinkes.demo.sandi.invalid --unit "Dinas Kesehatan"  --kode-unit DINKES
sandi kunci impor keys.example/disdik.pub.asc --email persandian@disdik.demo.sandi.invalid --unit "Dinas Pendidikan" --kode-unit DISDIK
# passphrases for scripts (DEMO ONLY):
export SANDI_PASSPHRASE_ARSIP=demo-arsip-2026 SANDI_PASSPHRASE_SANDIMAN=demo-sandiman-2026 SANDI_PASSPHRASE_KASI=demo-kasi-2026
\`\`\`

Git does not keep file modes: sandi writes every imported secret key into its key store with mode 0600
(and refuses to read one that group or others can access).

Git tidak menyimpan mode berkas: sandi menulis setiap kunci rahasia yang diimpor ke penyimpanan kuncinya
dengan mode 0600 (dan menolak membaca kunci rahasia yang dapat diakses grup atau pengguna lain).

## Membuat ulang / Regenerate

\`\`\`sh
npm run build && node scripts/make-example-keys.mjs
\`\`\`

This makes new keys (new fingerprints) with the same names and passphrases, and rewrites \`manifest.json\`;
the table above is rewritten with them.
`);
process.stderr.write(`wrote ${manifest.length} keys, manifest.json and README.md to ${out}\n`);
