/**
 * Who did it, vouched by the server: the roles of an office on PostgreSQL (issue 15 §2).
 *
 * - The schema is owned by `<prefix>_pemilik`, a role daily work never uses (it migrates the schema, nothing
 *   else). Triggers apply to it too: even the owner cannot edit or delete a register row.
 * - Each officer connects as their own login role, a member of one or more group roles per office function:
 *   `<prefix>_sandiman`, `_kasi`, `_adum`, `_caraka`, `_pimpinan` (Kabid, Kadis) and `_baca` (read-only).
 * - The grants say who may record what: no group has UPDATE, DELETE or TRUNCATE on a table beyond the columns
 *   its own SOP steps fill (column-level UPDATE grants), and row-level policies on the step tables say which
 *   steps each group records (only the kasi and pimpinan groups record a paraf; the caraka records delivery and
 *   receipts). Every audit event records session_user (audit_log.db_user), set by the server.
 *
 * `peranSql` is what `sandi db peran` prints for the administrator (sandi itself never needs a superuser);
 * `grantsSql` is its second half, run by the owner after the schema exists (./migrate.ts runs it when the
 * group roles exist).
 */
import { SandiError } from '../../errors.js';
import { checkSchemaName } from './schema.js';
import { ARSIP_TABLES } from './arsip-schema.js';
import type { PgSync } from './sync-client.js';

export const OFFICE_GROUPS = ['sandiman', 'kasi', 'adum', 'caraka', 'pimpinan', 'baca'] as const;
export type OfficeGroup = (typeof OFFICE_GROUPS)[number];

export interface PeranOptions {
  /** role name prefix, so that two offices can share one cluster (default 'sandi') */
  prefix?: string;
  /** the office schema (default 'sandi') */
  schema?: string;
  /** the office database, created owned by the owner role when given */
  database?: string;
  /** officers' login roles and their groups */
  officers?: readonly { role: string; groups: readonly OfficeGroup[] }[];
  /** the comment lines, in the operator's language (the command passes them from its message catalog) */
  notes?: Partial<Record<'header' | 'owner' | 'password' | 'schema', string>>;
}

const NOTES = {
  header: 'sandi: the roles of one office. Run as a PostgreSQL administrator (CREATEROLE, and CREATEDB when the database is created here), e.g. psql -v ON_ERROR_STOP=1 -f peran.sql; sandi never needs a superuser.',
  owner: 'The owner holds the schema; log in as it only to create or upgrade the schema (sandi db siapkan).',
  password: 'The administrator gives the owner and each login role a first password with \\password NAME in psql (typed, never in a file, a URL or argv); each officer changes theirs with \\password after logging in.',
  schema: 'The owner then creates the schema {schema} (sandi --db URL db siapkan, connected as {owner}); sandi grants, as the owner:',
};

const ident = (kind: string, s: string): string => {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(s)) throw new SandiError('USAGE', 'store.pgBadRoleName', { kind, name: s });
  return s;
};

export const ownerRole = (prefix = 'sandi'): string => `${ident('prefix', prefix)}_pemilik`;
export const groupRole = (g: OfficeGroup, prefix = 'sandi'): string => `${ident('prefix', prefix)}_${g}`;

type Grants = Record<string, { insert?: boolean; update?: readonly string[]; delete?: boolean }>;

const OUT_NUMBERING = ['status', 'tahun', 'urut', 'nomor', 'bernomor_at', 'message_id', 'sent_at', 'server_reply'];
const BATAL = ['batal_at', 'batal_oleh', 'batal_alasan'];
const KEYS: Grants = {
  kunci: { insert: true, update: ['role', 'user_id', 'has_secret', 'revoked_at'] },
  buku_alamat: { insert: true, update: ['unit', 'unit_code', 'fingerprint'] },
};

/**
 * The office archive (./arsip-schema.ts): every officer group but baca writes it (the sandiman raw mail and
 * drafts, the Kasi the signed kriptogram, anyone an audit checkpoint); deleting staged chunks is guarded by
 * the server (only an upload no content refers to, and not under a living writer).
 */
const ARSIP: Grants = {
  arsip_unggah: { insert: true, delete: true },
  arsip_potongan: { insert: true, delete: true },
  arsip_isi: { insert: true },
  arsip_nama: { insert: true },
};

/** What each group may write, table by table (every group may read every table). */
export const GROUP_GRANTS: Readonly<Record<OfficeGroup, Grants>> = {
  sandiman: {
    ...KEYS,
    ...ARSIP,
    nomor_urut: { insert: true, update: ['terakhir'] },
    // OUT_NUMBERING brings `status`
    kriptogram_keluar: { insert: true, update: [...OUT_NUMBERING, 'diparaf_at', 'diparaf_oleh', 'paraf_fpr', 'draf_sha256', ...BATAL] },
    // the sandiman signs an ordinary letter (README, SOP; as on SQLite); a kriptogram's signature stays the Kasi's
    surat_keluar: { insert: true, update: [...OUT_NUMBERING, 'ditandatangani_at', 'signer', 'signer_fpr', ...BATAL] },
    surat_masuk: { insert: true, update: ['status', 'dicetak_at', 'selesai_at', 'isi_ringkas', 'keterangan'] },
    surat_masuk_tanggal: { insert: true },
    surat_masuk_langkah: { insert: true },
    kriptogram_masuk: {
      insert: true,
      update: ['status', 'terbaca_at', 'sifat', 'perihal_terenkripsi', 'nomor_pengirim', 'penanda_tangan', 'ditolak_at', 'ditolak_alasan', 'selesai_at'],
    },
    kriptogram_masuk_langkah: { insert: true },
    terima_folder: { insert: true, update: ['uidvalidity', 'last_uid', 'updated_at'], delete: true },
    akun_sandi: { insert: true, update: ['kini_id', 'sebelumnya_id', 'diubah_at', 'disimpan_at', 'sumber'] },
    akun_rotasi: { insert: true, update: ['status', 'diset_at', 'teruji_at', 'selesai_at', 'ditolak_at', 'alasan'] },
    aduan: { insert: true, update: ['status', 'status_at', 'ditunda_dari', 'opd', 'opd_email'] },
    aduan_langkah: { insert: true },
    anotasi: { insert: true },
  },
  kasi: {
    ...KEYS,
    ...ARSIP,
    kriptogram_keluar: { update: ['status', 'ditandatangani_at', 'signer', 'signer_fpr', 'kriptogram_sha256', ...BATAL] },
    surat_keluar: { update: ['status', 'ditandatangani_at', 'signer', 'signer_fpr', ...BATAL] },
    surat_masuk: { update: ['status', 'diparaf_at'] },
    surat_masuk_langkah: { insert: true },
    kriptogram_masuk_langkah: { insert: true },
    aduan: { update: ['status', 'status_at', 'ditunda_dari', 'opd', 'opd_email'] },
    aduan_langkah: { insert: true },
    anotasi: { insert: true },
  },
  pimpinan: {
    ...ARSIP,
    surat_masuk: { update: ['status', 'diparaf_at'] },
    surat_masuk_langkah: { insert: true },
    kriptogram_masuk_langkah: { insert: true },
    anotasi: { insert: true },
  },
  adum: {
    ...ARSIP,
    nomor_urut: { insert: true, update: ['terakhir'] },
    surat_masuk: { update: ['status', 'dicetak_at', 'selesai_at', 'isi_ringkas', 'keterangan'] },
    surat_masuk_langkah: { insert: true },
    kriptogram_masuk: { update: ['status', 'selesai_at'] },
    kriptogram_masuk_langkah: { insert: true },
    aduan: { insert: true, update: ['status', 'status_at', 'ditunda_dari', 'opd', 'opd_email'] },
    aduan_langkah: { insert: true },
    anotasi: { insert: true },
  },
  caraka: {
    ...ARSIP,
    // the last receipt files the letter (SOP: arsip step, status selesai), recorded by the caraka who took it
    surat_masuk: { update: ['status', 'diantar_at', 'selesai_at'] },
    kriptogram_masuk: { update: ['status', 'selesai_at'] },
    surat_masuk_langkah: { insert: true },
    kriptogram_masuk_langkah: { insert: true },
  },
  baca: {},
};

/** Which SOP steps (langkah) each group records on the incoming step tables (row-level policies). */
export const GROUP_STEPS: Readonly<Record<OfficeGroup, readonly string[]>> = {
  sandiman: ['teruskan', 'cetak', 'arsip'],
  kasi: ['paraf'],
  pimpinan: ['paraf'],
  adum: ['cetak', 'arsip'],
  caraka: ['antar', 'tandaterima', 'arsip'],
  baca: [],
};

const TABLES = [
  'kunci', 'buku_alamat', 'audit_log', 'audit_kepala', 'nomor_urut', 'kriptogram_keluar', 'surat_keluar', 'surat_masuk',
  'surat_masuk_langkah', 'surat_masuk_tanggal', 'kriptogram_masuk', 'kriptogram_masuk_langkah', 'anotasi', 'terima_folder',
  'akun_sandi', 'akun_rotasi', 'aduan', 'aduan_langkah', 'schema_version', ...ARSIP_TABLES,
];
const STEP_TABLES = ['surat_masuk_langkah', 'kriptogram_masuk_langkah'];
const quoteCol = (c: string): string => (c === 'user' ? '"user"' : c);

/** The grants and step policies, run by the owner once the schema exists (idempotent: revokes first). */
export function grantsSql(opts: { prefix?: string; schema?: string } = {}): string {
  const prefix = opts.prefix ?? 'sandi';
  const s = checkSchemaName(opts.schema ?? 'sandi');
  const all = OFFICE_GROUPS.map((g) => groupRole(g, prefix));
  const out: string[] = [
    `REVOKE ALL ON ALL TABLES IN SCHEMA ${s} FROM PUBLIC, ${all.join(', ')};`,
    `REVOKE ALL ON SCHEMA ${s} FROM PUBLIC;`,
    `GRANT USAGE ON SCHEMA ${s} TO ${all.join(', ')};`,
    `GRANT SELECT ON ${TABLES.map((t) => `${s}.${t}`).join(', ')} TO ${all.join(', ')};`,
    // every writing group appends audit events (the chain trigger checks and moves the head, as the owner)
    `GRANT INSERT ON ${s}.audit_log TO ${all.filter((r) => r !== groupRole('baca', prefix)).join(', ')};`,
  ];
  for (const g of OFFICE_GROUPS) {
    const role = groupRole(g, prefix);
    for (const [table, w] of Object.entries(GROUP_GRANTS[g])) {
      if (w.insert) out.push(`GRANT INSERT ON ${s}.${table} TO ${role};`);
      if (w.update && w.update.length > 0) out.push(`GRANT UPDATE (${w.update.map(quoteCol).join(', ')}) ON ${s}.${table} TO ${role};`);
      if (w.delete) out.push(`GRANT DELETE ON ${s}.${table} TO ${role};`);
    }
  }
  // kirim's row claims (./claim.ts): only the groups that send or sign an outgoing row take one (a reader holding a
  // claim would only keep a row from being sent)
  const claimFns = `${s}.kirim_klaim_siapkan(text, integer), ${s}.kirim_klaim_ambil(text, integer)`;
  out.push(`REVOKE ALL ON FUNCTION ${claimFns} FROM PUBLIC, ${all.join(', ')};`);
  out.push(`GRANT EXECUTE ON FUNCTION ${claimFns} TO ${groupRole('sandiman', prefix)}, ${groupRole('kasi', prefix)};`);
  for (const t of STEP_TABLES) {
    out.push(`ALTER TABLE ${s}.${t} ENABLE ROW LEVEL SECURITY;`);
    out.push(`DROP POLICY IF EXISTS baca ON ${s}.${t};`);
    out.push(`CREATE POLICY baca ON ${s}.${t} FOR SELECT USING (true);`);
    for (const g of OFFICE_GROUPS) {
      const steps = GROUP_STEPS[g].filter((x) => t === 'surat_masuk_langkah' || x !== 'teruskan');
      out.push(`DROP POLICY IF EXISTS langkah_${g} ON ${s}.${t};`);
      if (steps.length === 0) continue;
      out.push(`CREATE POLICY langkah_${g} ON ${s}.${t} FOR INSERT TO ${groupRole(g, prefix)} WITH CHECK (langkah IN (${steps.map((x) => `'${x}'`).join(', ')}));`);
    }
  }
  return out.join('\n');
}

/** The SQL an administrator runs (as a role with CREATEROLE, and CREATEDB when a database is named). */
export function peranSql(opts: PeranOptions = {}): string {
  const prefix = opts.prefix ?? 'sandi';
  const schema = checkSchemaName(opts.schema ?? 'sandi');
  const owner = ownerRole(prefix);
  const note = (k: keyof typeof NOTES): string => `-- ${(opts.notes?.[k] ?? NOTES[k]).replaceAll('{schema}', schema).replaceAll('{owner}', owner)}`;
  const out: string[] = [
    note('header'),
    note('owner'),
    `CREATE ROLE ${owner} LOGIN;`,
    `GRANT ${owner} TO CURRENT_USER;`,
    ...OFFICE_GROUPS.map((g) => `CREATE ROLE ${groupRole(g, prefix)} NOLOGIN;`),
  ];
  for (const o of opts.officers ?? []) {
    if (o.groups.length === 0) throw new SandiError('USAGE', 'store.pgNoGroup', { name: o.role });
    out.push(`CREATE ROLE ${ident('role', o.role)} LOGIN IN ROLE ${o.groups.map((g) => groupRole(g, prefix)).join(', ')};`);
  }
  out.push(note('password'));
  if (opts.database !== undefined) {
    const db = ident('database', opts.database);
    out.push(`CREATE DATABASE ${db} OWNER ${owner};`, `REVOKE ALL ON DATABASE ${db} FROM PUBLIC;`);
    out.push(`GRANT CONNECT, TEMPORARY ON DATABASE ${db} TO ${OFFICE_GROUPS.map((g) => groupRole(g, prefix)).join(', ')};`);
    out.push(`\\connect ${db}`);
  }
  out.push(note('schema'));
  out.push(`-- ${grantsSql({ prefix, schema }).split('\n').join('\n-- ')}`);
  return `${out.join('\n')}\n`;
}

/**
 * The office groups this connection's officer (session_user) is actually a member of, directly or through
 * another role, as the server says (pg_has_role): what `store.pgNotAllowed` names as "your groups". Any prefix:
 * a role counts when its name ends in one of the office groups. Never throws (an error path calls it): an
 * aborted transaction or a dropped connection gives no list.
 */
export function officerGroups(pg: PgSync): { user: string; groups: string[] } | undefined {
  if (pg.closed) return undefined;
  try {
    const suffixes = OFFICE_GROUPS.map((g) => `%\\_${g}`);
    const rows = pg.query<{ user: string; rolname: string | null }>(
      `SELECT session_user::text AS "user", r.rolname::text AS rolname FROM (SELECT 1) AS one
         LEFT JOIN pg_roles r ON r.rolname <> session_user AND r.rolname LIKE ANY ($1::text[]) AND pg_has_role(session_user, r.oid, 'MEMBER')
       ORDER BY r.rolname`,
      [suffixes],
    ).rows;
    const user = rows[0]?.user;
    if (user === undefined) return undefined;
    return { user, groups: rows.flatMap((r) => (r.rolname === null ? [] : [r.rolname])) };
  } catch {
    return undefined;
  }
}

/** A `store.pgNotAllowed` error with the officer's role and actual groups filled in (other errors unchanged). */
export function withOfficerGroups(e: unknown, pg: PgSync): unknown {
  if (!(e instanceof SandiError) || e.key !== 'store.pgNotAllowed') return e;
  const who = officerGroups(pg);
  if (who === undefined) return e;
  return new SandiError(e.code, e.key, { ...e.params, user: who.user, groups: who.groups.length > 0 ? who.groups.join(', ') : '-' }, { cause: e.cause, ...(e.hint === undefined ? {} : { hint: e.hint }) });
}
