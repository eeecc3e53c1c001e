/**
 * Composition of `sandi db salin --ke URL` (issue 15 §4): the home's SQLite office copied into an empty
 * PostgreSQL office schema (src/adapters/postgres/salin.ts) and its archive folder into the database's archive
 * (src/adapters/postgres/arsip.ts), verified, then the home pointed at it.
 *
 *  1. the source must be a SQLite office whose `audit periksa` passes (chain, rows against the chain, signed
 *     checkpoints): a broken office is not moved, it is investigated first;
 *  2. the target schema is migrated when it is not yet (only the schema's owner may: ./migrate.ts), and the
 *     connected role must own its tables (the copy disables the guards inside its own transaction); one salin
 *     at a time (a session advisory lock); refused when the target holds any register row;
 *  3. the archive: every file under <home>/arsip/ (surat-masuk, aduan, kriptogram-keluar with its drafts,
 *     surat-keluar, audit — not the temporary files, whose names start with '.') streamed into the database's
 *     archive under the same name, each name committed on its own, then each name's SHA-256 and size in the
 *     database compared with the file's. Several transactions, so a run cut short (or refused later) leaves the
 *     target with archive names and no register row: the next run RESUMES (a name already there with the same
 *     bytes is kept as is; other bytes under a name, or a name this home does not have, are refused);
 *  4. one transaction on the target for the registers: lock, refuse unless empty, copy, guards back on, no
 *     archive file appeared since step 3, compare row counts, row hashes, every audit event and the chain head,
 *     then `audit periksa`'s checks on the target with the checkpoints of ITS archive — only then COMMIT; any
 *     failure rolls back and the target keeps no register row;
 *  5. config.json gets `db` (the URL without any password; `--pengguna` puts the officer's role there instead
 *     of the owner's, which daily work never uses). The secret keys stay in the home (never in the database);
 *     the archive folder is left as it is (a backup): the home no longer reads it.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { userInfo } from 'node:os';
import { SandiError } from '../errors.js';
import { chooseEngine, type Engine } from '../config/db.js';
import { loadConfig, saveConfig } from '../config/config.js';
import { homePaths } from '../config/home.js';
import { openStore } from '../adapters/sqlite/store.js';
import { checkArsipName, folderArsip } from '../adapters/arsip-folder.js';
import type { ArsipStore } from '../ports/arsip.js';
import { migratePg, pgSchemaVersion } from '../adapters/postgres/migrate.js';
import { PG_SCHEMA_VERSION } from '../adapters/postgres/schema.js';
import { openPgStore } from '../adapters/postgres/store.js';
import { compareOffices, copyOffice, lockSalin, pgAuditView, pgOfficeFilled, pgOwnsSchema, type SalinCounts } from '../adapters/postgres/salin.js';
import { openPgArsip } from '../adapters/postgres/arsip.js';
import { arsipCheckpoints } from '../adapters/audit-checkpoints.js';
import { mapPgError } from '../adapters/postgres/sql.js';
import { checkAudit, type AuditReport } from '../services/audit.js';
import { auditPorts } from './audit.js';
import { loadPostgresOffice } from './postgres.js';

/** What the archive copy did. */
export interface ArsipCopy {
  /** names of the home's archive, all in the target after the copy */
  files: number;
  bytes: number;
  /** written by this run; the others were there already with the same bytes (an interrupted run resumed) */
  written: number;
  same: number;
}

/** The source's names in a list for a message: the first few, and how many more. */
const someNames = (names: readonly string[]): string => names.slice(0, 3).join(', ') + (names.length > 3 ? ` (+${names.length - 3})` : '');

/**
 * The names of `from` the target `to` may receive: refused (DATA, db.salin.arsipName) when a file of the home's
 * archive has a name the archive cannot hold (nothing sandi wrote), and (DATA, db.salin.notEmpty) when the
 * target's archive holds a name the home's archive does not — another office's file, not an interrupted copy
 * of this one. Temporary files and leftovers of a killed write (names starting with '.') are not names.
 */
export function arsipNamesToCopy(from: ArsipStore, to: ArsipStore, schema: string): string[] {
  const names = from.list('');
  const bad: string[] = [];
  for (const n of names) {
    try {
      checkArsipName(n);
    } catch {
      bad.push(n);
    }
  }
  if (bad.length > 0) throw new SandiError('DATA', 'db.salin.arsipName', { folder: from.where, names: someNames(bad) }, { hint: 'db.salin.arsipName.hint' });
  const mine = new Set(names);
  const foreign = to.list('').filter((n) => !mine.has(n));
  if (foreign.length > 0) throw new SandiError('DATA', 'db.salin.notEmpty', { schema, tables: `arsip: ${someNames(foreign)}` }, { hint: 'db.salin.notEmpty.hint' });
  return names;
}

/**
 * Copy the names `names` of the archive `from` into `to`, each streamed (memory bounded by the chunk size) and
 * hashed as it is read, each made visible in a transaction of its own (the archive is written before the
 * registers: a run cut short leaves names and no register row, and the next run resumes — a name already there
 * with the file's bytes is 'same', one with other bytes is refused). Then every name is verified: its SHA-256
 * and size in the target, as the target states them and as its content reads back (streamed), equal the file's
 * as read (INTEGRITY, db.salin.arsipDiffers naming the first ones).
 */
export async function copyArsip(from: ArsipStore, to: ArsipStore, names: readonly string[]): Promise<ArsipCopy> {
  const read = new Map<string, { sha256: string; size: number }>();
  const out: ArsipCopy = { files: 0, bytes: 0, written: 0, same: 0 };
  for (const name of names) {
    // a name an interrupted run already wrote: compared by hash here, not uploaded again
    const there = to.stat(name);
    if (there !== null) {
      const mine = from.stat(name);
      if (mine === null || mine.sha256 !== there.sha256 || mine.size !== there.size) {
        throw new SandiError('INTEGRITY', 'db.salin.arsipDiffers', { list: `${name}: ${there.sha256} ${there.size} ≠ ${mine?.sha256 ?? '-'} ${mine?.size ?? '-'}`, where: to.where }, { hint: 'db.salin.arsipDiffers.hint' });
      }
      read.set(name, mine);
      out.files++;
      out.bytes += mine.size;
      out.same++;
      continue;
    }
    const h = createHash('sha256');
    let size = 0;
    const source = from.open(name);
    const hashed = async function* (): AsyncGenerator<Uint8Array> {
      for await (const chunk of source) {
        h.update(chunk);
        size += chunk.length;
        yield chunk;
      }
    };
    let w;
    try {
      w = await to.write(name, hashed(), { visible: 'now' });
    } catch (e) {
      if (e instanceof SandiError && (e.key === 'kirim.archiveExists' || e.key === 'store.pgArsipNameTaken')) {
        throw new SandiError('INTEGRITY', 'db.salin.arsipDiffers', { list: `${name}: ${to.stat(name)?.sha256 ?? '-'}`, where: to.where }, { hint: 'db.salin.arsipDiffers.hint', cause: e });
      }
      throw e;
    }
    read.set(name, { sha256: h.digest('hex'), size });
    out.files++;
    out.bytes += size;
    if (w.result === 'written') out.written++;
    else out.same++;
  }
  const differs: string[] = [];
  for (const [name, f] of read) {
    const t = to.stat(name);
    if (t === null || t.sha256 !== f.sha256 || t.size !== f.size) {
      differs.push(`${name}: ${t === null ? '-' : `${t.sha256} ${t.size}`} ≠ ${f.sha256} ${f.size}`);
      continue;
    }
    // what the target holds, read back chunk by chunk: not only what it says it holds
    const back = createHash('sha256');
    let size = 0;
    for await (const chunk of to.open(name)) {
      back.update(chunk);
      size += chunk.length;
    }
    const sha = back.digest('hex');
    if (sha !== f.sha256 || size !== f.size) differs.push(`${name}: ${sha} ${size} ≠ ${f.sha256} ${f.size}`);
  }
  if (differs.length > 0) throw new SandiError('INTEGRITY', 'db.salin.arsipDiffers', { list: someNames(differs), where: to.where }, { hint: 'db.salin.arsipDiffers.hint' });
  return out;
}

export interface SalinResult {
  /** postgresql://user@host:port/db of the copy (never a password) */
  target: string;
  schema: string;
  /** the schema was created or upgraded by this run */
  migrated: boolean;
  tables: SalinCounts['tables'];
  head: SalinCounts['head'];
  source: { rows: number; registerRows: number; checkpoints: number };
  copy: { rows: number; registerRows: number; checkpoints: number };
  /** the `db` written into config.json */
  config: { file: string; url: string };
  /** the home's archive folder copied into the database's archive (the home no longer reads the folder) */
  arsip: ArsipCopy & { folder: string };
  /** what stays in the home: the secret keys (never in the database) */
  staysInHome: string[];
}

const osUser = (): string => {
  try {
    return userInfo().username;
  } catch {
    return 'sandi';
  }
};

function notOk(key: string, r: AuditReport, where: string): SandiError {
  const why = r.broken !== null
    ? `chain ${r.broken.reason} at ${r.broken.id}`
    : r.checkpoints.problems[0] !== undefined
      ? `checkpoint ${r.checkpoints.problems[0].kind} ${r.checkpoints.problems[0].file}`
      : r.registers.findings[0] !== undefined
        ? `${r.registers.findings[0].kind} ${r.registers.findings[0].table} rowid ${r.registers.findings[0].rowid}`
        : 'not ok';
  return new SandiError('INTEGRITY', key, { where, reason: why }, { hint: `${key}.hint` });
}

const summary = (r: AuditReport): SalinResult['source'] => ({ rows: r.rows, registerRows: r.registers.rows, checkpoints: r.checkpoints.verified });

/** Copy the home's SQLite office to the PostgreSQL database `ke`, verify, point the home at it. */
export async function salinKePostgres(home: string, o: { ke: string; pengguna?: string | undefined; env: NodeJS.ProcessEnv; schema?: string }): Promise<SalinResult> {
  const paths = homePaths(home);
  const schema = o.schema ?? 'sandi';
  if (!existsSync(paths.database)) throw new SandiError('NOT_FOUND', 'db.salin.noSource', { path: paths.database }, { hint: 'db.salin.noSource.hint' });
  if (!existsSync(paths.config)) throw new SandiError('CONFIG', 'db.salin.noConfig', { file: paths.config });
  const config = loadConfig(paths.config);
  if (config.db !== undefined) throw new SandiError('CONFIG', 'db.salin.already', { file: paths.config, url: config.db.url });
  const engine = chooseEngine({ flag: o.ke, env: {}, sqlitePath: paths.database, home: paths.root, osUser: osUser() }) as Extract<Engine, { kind: 'postgresql' }>;

  // 1. the source proves itself first
  const sourceReport = await checkAudit(auditPorts(paths));
  if (!sourceReport.ok) throw notOk('db.salin.sourceAudit', sourceReport, paths.database);

  const { db: pg } = (await loadPostgresOffice()).openOfficeDatabase(engine, o.env);
  const src = openStore(paths.database, { readonly: true });
  try {
    // 2. the schema, by its owner
    const notOwner = (): SandiError => new SandiError('PERMISSION', 'db.salin.notOwner', { user: engine.options.user, schema, db: engine.display }, { hint: 'db.salin.notOwner.hint' });
    // ownership first, from the catalogs: an officer's role may not even read an office schema it has no grant on
    if (pgOwnsSchema(pg, schema) === false) throw notOwner();
    let before: number;
    try {
      before = pgSchemaVersion(pg, schema);
    } catch (e) {
      throw mapPgError(e);
    }
    if (before < PG_SCHEMA_VERSION) migratePg(pg, schema);
    if (pgOwnsSchema(pg, schema) !== true) throw notOwner();
    // one db salin at a time into this database (a second one waits, then finds the office there)
    lockSalin(pg);
    const early = pgOfficeFilled(pg, schema);
    if (early.length > 0) throw new SandiError('DATA', 'db.salin.notEmpty', { schema, tables: early.join(', ') }, { hint: 'db.salin.notEmpty.hint' });
    const store = openPgStore(pg, { schema });

    // 3. the archive first, name by name (resumable: a run cut short leaves names and no register row)
    const from = folderArsip(paths.archive);
    const target = openPgArsip(store);
    const names = arsipNamesToCopy(from, target, schema);
    const arsip = await copyArsip(from, target, names);

    // 4. the registers in one transaction: copy, compare, check; a snapshot of the source for the same span
    src.db.exec('BEGIN');
    pg.query('BEGIN');
    let counts: SalinCounts;
    let copyReport: AuditReport;
    try {
      counts = copyOffice(src.db, pg, schema);
      // the snapshot is taken: every file its rows name was in the archive folder before it; one written since
      // the archive copy (another sandi command at this home) would be missing from the target
      const copied = new Set(names);
      const late = from.list('').filter((n) => !copied.has(n));
      if (late.length > 0) throw new SandiError('INTEGRITY', 'db.salin.differs', { list: `arsip: ${late.slice(0, 3).join(', ')}${late.length > 3 ? ` (+${late.length - 3})` : ''}` }, { hint: 'db.salin.differs.hint' });
      const diffs = compareOffices(src.db, store);
      if (diffs.length > 0) {
        throw new SandiError('INTEGRITY', 'db.salin.differs', { list: diffs.map((d) => `${d.table} ${d.what} ${d.detail}`).join('; ') }, { hint: 'db.salin.differs.hint' });
      }
      // audit periksa on the copy: its chain and rows, and the checkpoints as copied into its archive
      copyReport = await checkAudit({
        ...auditPorts(paths),
        database: engine.display,
        exists: () => true,
        open: () => pgAuditView(store),
        checkpoints: arsipCheckpoints(target, (n) => `${target.where} ${n}`),
      });
      if (!copyReport.ok) throw notOk('db.salin.targetAudit', copyReport, engine.display);
      if (copyReport.lastHash !== sourceReport.lastHash || copyReport.checkpoints.verified !== sourceReport.checkpoints.verified) {
        throw new SandiError(
          'INTEGRITY',
          'db.salin.differs',
          { list: `audit head ${sourceReport.lastHash ?? '-'} ≠ ${copyReport.lastHash ?? '-'}, checkpoints ${sourceReport.checkpoints.verified} ≠ ${copyReport.checkpoints.verified}` },
          { hint: 'db.salin.differs.hint' },
        );
      }
      pg.query('COMMIT');
    } catch (e) {
      try {
        pg.query('ROLLBACK');
      } catch {
        /* the connection is gone: the server rolled back */
      }
      throw e;
    } finally {
      src.db.exec('COMMIT');
    }

    // 5. the home points at the copy (never a password: the URL has none, the password stays where it came from)
    const t = engine.options;
    const user = o.pengguna ?? t.user;
    const url = `postgresql://${encodeURIComponent(user)}@${t.host.includes(':') ? `[${t.host}]` : t.host}:${t.port}/${encodeURIComponent(t.database)}`;
    // the operator's file as written, plus "db" (not the loader's normalised copy with every default spelled out)
    const raw = JSON.parse(readFileSync(paths.config, 'utf8').replace(/^\uFEFF/, '')) as Record<string, unknown>;
    const next = { ...raw, db: { url, sslmode: t.sslmode, ...(t.sslrootcert === undefined ? {} : { sslrootcert: resolve(t.sslrootcert) }) } };
    saveConfig(paths.config, next as unknown as Parameters<typeof saveConfig>[1]);
    return {
      target: engine.display,
      schema,
      migrated: before < PG_SCHEMA_VERSION,
      tables: counts.tables,
      head: counts.head,
      source: summary(sourceReport),
      copy: summary(copyReport),
      config: { file: paths.config, url },
      arsip: { ...arsip, folder: paths.archive },
      staysInHome: [paths.keys],
    };
  } finally {
    src.close();
    pg.close();
  }
}
