/**
 * `sandi audit`: the register that proves itself.
 * - `checkAudit` (audit periksa): the hash chain of the audit log, every row of every register against the
 *   event that last settled it, and every signed checkpoint in <home>/arsip/audit against the chain.
 * - `makeCheckpoint` (audit tandai, and the end of every command when the archive passphrase is at hand): sign
 *   the chain head with the archive key, which sandi.db does not hold, and write it outside the database.
 * Opens the database read-only and never creates one.
 */
import { existsSync } from 'node:fs';
import { SandiError } from '../errors.js';
import { openStore } from '../adapters/sqlite/store.js';
import { boundTablesIn, describeRow, hashedRows, searchIndexMismatches } from '../adapters/sqlite/audit-binding.js';
import { checkpointDir, listCheckpointFiles, readCheckpointFile, writeCheckpointFile } from '../adapters/audit-checkpoints.js';
import { signCheckpoint, verifyCheckpoint } from '../adapters/openpgp/audit-checkpoint.js';
import { unlockPrivateKey } from '../adapters/openpgp/keys.js';
import { keyFiles } from '../adapters/keystore.js';
import { BindingLedger, checkCheckpoints, verifyChain, type AuditRow, type ChainBreakReason, type Checkpoint, type RowFinding } from '../domain/audit.js';
import type { HomePaths } from '../config/home.js';

/** At most this many row findings are listed (all are counted). */
const MAX_FINDINGS = 20;

export interface RowFindingReport {
  /** edited / unrecorded / removed: a register row against the chain; index: a search-index row against its register */
  kind: RowFinding['kind'] | 'index';
  table: string;
  rowid: number;
  /** the row's key or number, when the row is still there */
  row: string | null;
  /** the event that last settled the row (edited, removed) */
  eventId: number | null;
}

export interface CheckpointProblem {
  file: string;
  kind: 'unreadable' | 'badSignature' | 'unknownSigner' | 'missing' | 'differs';
  id: number | null;
  signer: string | null;
}

export interface AuditReport {
  ok: boolean;
  database: string;
  /** audit rows read (up to and including the broken one when broken) */
  rows: number;
  lastId: number | null;
  lastHash: string | null;
  /** the first broken row of the chain, when the chain is broken */
  broken: {
    reason: ChainBreakReason;
    id: number;
    at: string | null;
    actor: string | null;
    action: string | null;
    expectedId: number;
    lastGoodId: number | null;
    /** highest id the database ever issued (for 'truncated') */
    issued: number | null;
  } | null;
  /** every row of every register against the chain (not checked when the chain itself is broken) */
  registers: { checked: boolean; tables: number; rows: number; findings: RowFindingReport[]; findingsTotal: number };
  checkpoints: {
    folder: string;
    count: number;
    verified: number;
    newest: (Checkpoint & { signer: string; file: string }) | null;
    /** chain events after the newest verified checkpoint: not yet covered by a signature */
    uncovered: number;
    problems: CheckpointProblem[];
  };
}

interface VerifiedCheckpoint extends Checkpoint {
  signer: string;
  file: string;
}

/** Public armored keys of every archive key the office has had (revoked or expired ones still vouch for old checkpoints). */
function archivePublicKeys(paths: HomePaths, fingerprints: string[]): string[] {
  const files = keyFiles(paths.keys);
  return fingerprints.filter((f) => files.hasPublic(f)).map((f) => files.readPublic(f));
}

async function readCheckpoints(paths: HomePaths, archiveKeys: string[]): Promise<{ good: VerifiedCheckpoint[]; problems: CheckpointProblem[]; count: number }> {
  const files = listCheckpointFiles(checkpointDir(paths.archive));
  const good: VerifiedCheckpoint[] = [];
  const problems: CheckpointProblem[] = [];
  for (const f of files) {
    let text: string;
    try {
      text = readCheckpointFile(f);
    } catch {
      problems.push({ file: f.path, kind: 'unreadable', id: f.id, signer: null });
      continue;
    }
    const v = await verifyCheckpoint(text, archiveKeys);
    if (!v.ok) problems.push({ file: f.path, kind: v.reason, id: f.id, signer: v.signer });
    // a file renamed to another id is a forgery of the order
    else if (v.checkpoint.id !== f.id) problems.push({ file: f.path, kind: 'badSignature', id: f.id, signer: v.signer });
    else good.push({ ...v.checkpoint, signer: v.signer, file: f.path });
  }
  return { good, problems, count: files.length };
}

/**
 * Check the audit log of the home at `paths`: the chain, the registers against it, the checkpoints against
 * both. A missing database is NOT_FOUND (suggesting `sandi init`); a file without an audit log is DATA. What is
 * found wrong is a report with ok=false, not an exception: the command decides how to present it.
 */
export async function checkAudit(paths: HomePaths): Promise<AuditReport> {
  const databasePath = paths.database;
  if (!existsSync(databasePath)) {
    throw new SandiError('NOT_FOUND', 'audit.noDatabase', { path: databasePath }, { hint: 'audit.noDatabase.hint' });
  }
  const store = openStore(databasePath, { readonly: true });
  try {
    const db = store.db;
    const hasLog = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'audit_log'").get();
    if (!hasLog) throw new SandiError('DATA', 'audit.notSandiDb', { path: databasePath });

    const archiveFprs = db.prepare<[], { fingerprint: string }>("SELECT fingerprint FROM kunci WHERE role = 'arsip'").all().map((r) => r.fingerprint);
    const cps = await readCheckpoints(paths, archivePublicKeys(paths, archiveFprs));
    const wanted = new Set(cps.good.map((c) => c.id));
    const hashes = new Map<number, string>();

    const ledger = new BindingLedger();
    const rowsSeen = function* (it: Iterable<AuditRow>): Generator<AuditRow> {
      for (const r of it) {
        ledger.add(r);
        if (wanted.has(r.id)) hashes.set(r.id, r.hash);
        yield r;
      }
    };
    const issued = store.auditHighestIssuedId();
    const chain = verifyChain(rowsSeen(store.auditRows()), { highestIssuedId: issued });

    const registers: AuditReport['registers'] = { checked: false, tables: 0, rows: 0, findings: [], findingsTotal: 0 };
    if (chain.ok) {
      const tables = boundTablesIn(db);
      registers.checked = true;
      registers.tables = tables.length;
      const note = (f: RowFinding | { kind: 'index'; table: string; rowid: number; eventId: null }, present: boolean): void => {
        registers.findingsTotal++;
        if (registers.findings.length < MAX_FINDINGS) {
          registers.findings.push({ kind: f.kind, table: f.table, rowid: f.rowid, row: present ? describeRow(db, f.table, f.rowid) : null, eventId: f.eventId });
        }
      };
      for (const t of tables) {
        for (const r of hashedRows(db, t)) {
          registers.rows++;
          const f = ledger.check(t, r.rowid, r.hash);
          if (f) note(f, true);
        }
      }
      for (const f of ledger.removed(tables)) note(f, false);
      for (const [table, rowid] of searchIndexMismatches(db)) note({ kind: 'index', table, rowid, eventId: null }, false);
    }

    const problems: CheckpointProblem[] = [...cps.problems];
    for (const f of checkCheckpoints(cps.good, (id) => hashes.get(id) ?? null)) {
      const c = cps.good.find((g) => g.id === f.checkpoint.id);
      problems.push({ file: c?.file ?? '', kind: f.kind, id: f.checkpoint.id, signer: c?.signer ?? null });
    }
    const newest = cps.good.at(-1) ?? null;
    const lastId = chain.ok ? chain.lastId : chain.lastGoodId;
    const checkpoints: AuditReport['checkpoints'] = {
      folder: checkpointDir(paths.archive),
      count: cps.count,
      verified: cps.good.length,
      newest,
      uncovered: Math.max(0, (lastId ?? 0) - (newest?.id ?? 0)),
      problems,
    };
    const ok = chain.ok && registers.findingsTotal === 0 && problems.length === 0;
    const base = { ok, database: databasePath, registers, checkpoints };
    if (chain.ok) {
      return { ...base, rows: chain.rows, lastId: chain.lastId, lastHash: chain.rows > 0 ? chain.lastHash : null, broken: null };
    }
    return {
      ...base,
      rows: chain.rows,
      lastId: chain.lastGoodId,
      lastHash: null,
      broken: {
        reason: chain.reason,
        id: chain.firstBrokenId,
        at: chain.row?.at ?? null,
        actor: chain.row?.actor ?? null,
        action: chain.row?.action ?? null,
        expectedId: chain.expectedId,
        lastGoodId: chain.lastGoodId,
        issued,
      },
    };
  } finally {
    store.close();
  }
}

export type CheckpointResult =
  | { made: true; checkpoint: Checkpoint; signer: string; file: string }
  /** nothing new since the newest checkpoint */
  | { made: false; reason: 'current'; newestId: number }
  /** no database yet, or no archive key with a secret part in this home */
  | { made: false; reason: 'noDatabase' | 'noArchiveKey' };

/**
 * Sign the chain head with the office's archive key and write it to <home>/arsip/audit. Before signing, the
 * chain from the newest checkpoint to the head is checked (its hash at that checkpoint, every link after it):
 * sandi never signs a head it cannot tie to what it signed before (INTEGRITY). `passphrase` is the archive
 * key's; `now` the checkpoint's time.
 */
export async function makeCheckpoint(paths: HomePaths, passphrase: string, now: Date): Promise<CheckpointResult> {
  if (!existsSync(paths.database)) return { made: false, reason: 'noDatabase' };
  const store = openStore(paths.database, { readonly: true });
  let head: { id: number; hash: string } | undefined;
  let archive: { fingerprint: string; user_id: string } | undefined;
  let archiveFprs: string[];
  let newest: VerifiedCheckpoint | undefined;
  try {
    const db = store.db;
    archiveFprs = db.prepare<[], { fingerprint: string }>("SELECT fingerprint FROM kunci WHERE role = 'arsip'").all().map((r) => r.fingerprint);
    archive = db
      .prepare<[], { fingerprint: string; user_id: string }>("SELECT fingerprint, user_id FROM kunci WHERE role = 'arsip' AND revoked_at IS NULL AND has_secret = 1 ORDER BY added_at DESC LIMIT 1")
      .get();
    if (archive === undefined) return { made: false, reason: 'noArchiveKey' };
    head = db.prepare<[], { id: number; hash: string }>('SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1').get();
    const cps = await readCheckpoints(paths, archivePublicKeys(paths, archiveFprs));
    newest = cps.good.at(-1);
    if (head === undefined || (newest !== undefined && newest.id >= head.id)) return { made: false, reason: 'current', newestId: newest?.id ?? 0 };
    // the segment since the newest checkpoint must link to it
    if (newest !== undefined) {
      const rows = db
        .prepare<[number], AuditRow & { prev_hash: string }>('SELECT id, hash, prev_hash AS prevHash FROM audit_log WHERE id >= ? ORDER BY id')
        .all(newest.id);
      let prev: { id: number; hash: string } | undefined;
      for (const r of rows) {
        const broken = prev === undefined ? r.id !== newest.id || r.hash !== newest.hash : r.id !== prev.id + 1 || r.prevHash !== prev.hash;
        if (broken) throw new SandiError('INTEGRITY', 'audit.checkpoint.refused', { id: r.id, checkpoint: newest.id }, { hint: 'audit.broken.hint' });
        prev = r;
      }
    }
  } finally {
    store.close();
  }
  const key = await unlockPrivateKey(keyFiles(paths.keys).readSecret(archive.fingerprint), passphrase, { fingerprint: archive.fingerprint, userId: archive.user_id });
  const checkpoint: Checkpoint = { id: head.id, hash: head.hash, at: new Date(Math.floor(now.getTime() / 1000) * 1000).toISOString() };
  const armored = await signCheckpoint(checkpoint, key, new Date(checkpoint.at));
  const w = writeCheckpointFile(checkpointDir(paths.archive), checkpoint.id, armored);
  if (!w.written) return { made: false, reason: 'current', newestId: checkpoint.id };
  return { made: true, checkpoint, signer: archive.fingerprint, file: w.path };
}

/** The newest verified checkpoint made at or before `until` (the quarterly report anchors its period with it). */
export async function lastCheckpointBefore(paths: HomePaths, until: Date): Promise<(Checkpoint & { signer: string }) | null> {
  if (!existsSync(paths.database)) return null;
  const store = openStore(paths.database, { readonly: true });
  let fprs: string[];
  try {
    fprs = store.db.prepare<[], { fingerprint: string }>("SELECT fingerprint FROM kunci WHERE role = 'arsip'").all().map((r) => r.fingerprint);
  } finally {
    store.close();
  }
  const cps = await readCheckpoints(paths, archivePublicKeys(paths, fprs));
  const inPeriod = cps.good.filter((c) => new Date(c.at).getTime() <= until.getTime());
  const last = inPeriod.at(-1);
  return last ? { id: last.id, hash: last.hash, at: last.at, signer: last.signer } : null;
}
