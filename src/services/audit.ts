/**
 * `sandi audit`: the register that proves itself.
 * - `checkAudit` (audit periksa): the hash chain of the audit log, every row of every register against the
 *   event that last settled it, and every signed checkpoint in <home>/arsip/audit against the chain.
 * - `makeCheckpoint` (audit tandai, and the end of every command when the archive passphrase is at hand): sign
 *   the chain head with the archive key, which sandi.db does not hold, and write it outside the database.
 * Opens the database read-only and never creates one.
 */
import { SandiError } from '../errors.js';
import type { AuditPorts } from '../ports/audit.js';
import { BindingLedger, checkCheckpoints, verifyChain, type AuditRow, type ChainBreakReason, type Checkpoint, type RowFinding } from '../domain/audit.js';

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
function archivePublicKeys(ports: AuditPorts, fingerprints: string[]): string[] {
  return fingerprints.map((f) => ports.publicKey(f)).filter((k): k is string => k !== null);
}

async function readCheckpoints(ports: AuditPorts, archiveKeys: string[]): Promise<{ good: VerifiedCheckpoint[]; problems: CheckpointProblem[]; count: number }> {
  const files = ports.checkpoints.list();
  const good: VerifiedCheckpoint[] = [];
  const problems: CheckpointProblem[] = [];
  for (const f of files) {
    let text: string;
    try {
      text = ports.checkpoints.read(f);
    } catch {
      problems.push({ file: f.path, kind: 'unreadable', id: f.id, signer: null });
      continue;
    }
    const v = await ports.signer.verify(text, archiveKeys);
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
export async function checkAudit(ports: AuditPorts): Promise<AuditReport> {
  const databasePath = ports.database;
  if (!ports.exists()) {
    throw new SandiError('NOT_FOUND', 'audit.noDatabase', { path: databasePath }, { hint: 'audit.noDatabase.hint' });
  }
  const view = ports.open();
  try {
    if (!view.hasLog()) throw new SandiError('DATA', 'audit.notSandiDb', { path: databasePath });

    const archiveFprs = view.archiveFingerprints();
    const cps = await readCheckpoints(ports, archivePublicKeys(ports, archiveFprs));
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
    const issued = view.highestIssuedId();
    const chain = verifyChain(rowsSeen(view.rows()), { highestIssuedId: issued });

    const registers: AuditReport['registers'] = { checked: false, tables: 0, rows: 0, findings: [], findingsTotal: 0 };
    if (chain.ok) {
      const tables = view.boundTables();
      registers.checked = true;
      registers.tables = tables.length;
      const note = (f: RowFinding | { kind: 'index'; table: string; rowid: number; eventId: null }, present: boolean): void => {
        registers.findingsTotal++;
        if (registers.findings.length < MAX_FINDINGS) {
          registers.findings.push({ kind: f.kind, table: f.table, rowid: f.rowid, row: present ? view.describeRow(f.table, f.rowid) : null, eventId: f.eventId });
        }
      };
      for (const t of tables) {
        for (const r of view.hashedRows(t)) {
          registers.rows++;
          const f = ledger.check(t, r.rowid, r.hash);
          if (f) note(f, true);
        }
      }
      for (const f of ledger.removed(tables)) note(f, false);
      for (const [table, rowid] of view.searchIndexMismatches()) note({ kind: 'index', table, rowid, eventId: null }, false);
    }

    const problems: CheckpointProblem[] = [...cps.problems];
    for (const f of checkCheckpoints(cps.good, (id) => hashes.get(id) ?? null)) {
      const c = cps.good.find((g) => g.id === f.checkpoint.id);
      problems.push({ file: c?.file ?? '', kind: f.kind, id: f.checkpoint.id, signer: c?.signer ?? null });
    }
    const newest = cps.good.at(-1) ?? null;
    const lastId = chain.ok ? chain.lastId : chain.lastGoodId;
    const checkpoints: AuditReport['checkpoints'] = {
      folder: ports.checkpoints.folder,
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
    view.close();
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
export async function makeCheckpoint(ports: AuditPorts, passphrase: string, now: Date): Promise<CheckpointResult> {
  if (!ports.exists()) return { made: false, reason: 'noDatabase' };
  const view = ports.open();
  let head: { id: number; hash: string } | undefined;
  let archive: { fingerprint: string; userId: string } | undefined;
  let newest: VerifiedCheckpoint | undefined;
  try {
    const archiveFprs = view.archiveFingerprints();
    archive = view.signingArchiveKey();
    if (archive === undefined) return { made: false, reason: 'noArchiveKey' };
    head = view.head();
    const cps = await readCheckpoints(ports, archivePublicKeys(ports, archiveFprs));
    newest = cps.good.at(-1);
    if (head === undefined || (newest !== undefined && newest.id >= head.id)) return { made: false, reason: 'current', newestId: newest?.id ?? 0 };
    // the segment since the newest checkpoint must link to it
    if (newest !== undefined) {
      let prev: { id: number; hash: string } | undefined;
      for (const r of view.segmentFrom(newest.id)) {
        const broken = prev === undefined ? r.id !== newest.id || r.hash !== newest.hash : r.id !== prev.id + 1 || r.prevHash !== prev.hash;
        if (broken) throw new SandiError('INTEGRITY', 'audit.checkpoint.refused', { id: r.id, checkpoint: newest.id }, { hint: 'audit.broken.hint' });
        prev = r;
      }
    }
  } finally {
    view.close();
  }
  const checkpoint: Checkpoint = { id: head.id, hash: head.hash, at: new Date(Math.floor(now.getTime() / 1000) * 1000).toISOString() };
  const armored = await ports.signer.sign(checkpoint, ports.secretKey(archive.fingerprint), passphrase, archive, new Date(checkpoint.at));
  const w = ports.checkpoints.write(checkpoint.id, armored);
  if (!w.written) return { made: false, reason: 'current', newestId: checkpoint.id };
  return { made: true, checkpoint, signer: archive.fingerprint, file: w.path };
}

/** The newest verified checkpoint made at or before `until` (the quarterly report anchors its period with it). */
export async function lastCheckpointBefore(ports: AuditPorts, until: Date): Promise<(Checkpoint & { signer: string }) | null> {
  if (!ports.exists()) return null;
  const view = ports.open();
  let fprs: string[];
  try {
    fprs = view.archiveFingerprints();
  } finally {
    view.close();
  }
  const cps = await readCheckpoints(ports, archivePublicKeys(ports, fprs));
  const inPeriod = cps.good.filter((c) => new Date(c.at).getTime() <= until.getTime());
  const last = inPeriod.at(-1);
  return last ? { id: last.id, hash: last.hash, at: last.at, signer: last.signer } : null;
}
