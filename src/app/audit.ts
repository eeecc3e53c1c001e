/**
 * Composition of the audit service's ports (src/ports/audit.ts) from the adapters: the home's database opened
 * read-only (SQLite), the checkpoints in the office archive (<home>/arsip/audit; on PostgreSQL the database's
 * archive: ./postgres-office.ts pgAuditPorts), the key files, and openpgp.js (loaded when a checkpoint is
 * verified or signed).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { HomePaths } from '../config/home.js';
import type { AuditPorts, AuditView, CheckpointSigner } from '../ports/audit.js';
import { openStore } from '../adapters/sqlite/store.js';
import { boundTablesIn, describeRow, hashedRows, searchIndexMismatches } from '../adapters/sqlite/audit-binding.js';
import { arsipCheckpoints } from '../adapters/audit-checkpoints.js';
import { folderArsip } from '../adapters/arsip-folder.js';
import { keyFiles } from '../adapters/keystore.js';

const openpgpSigner: CheckpointSigner = {
  async verify(armored, keys) {
    return (await import('../adapters/openpgp/audit-checkpoint.js')).verifyCheckpoint(armored, keys);
  },
  async sign(c, secretArmored, passphrase, label, date) {
    const [{ unlockPrivateKey }, { signCheckpoint }] = await Promise.all([import('../adapters/openpgp/keys.js'), import('../adapters/openpgp/audit-checkpoint.js')]);
    return signCheckpoint(c, await unlockPrivateKey(secretArmored, passphrase, label), date);
  },
};

function readOnlyView(database: string): AuditView {
  const store = openStore(database, { readonly: true });
  const db = store.db;
  return {
    hasLog: () => db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'audit_log'").get() !== undefined,
    archiveFingerprints: () => db.prepare<[], { fingerprint: string }>("SELECT fingerprint FROM kunci WHERE role = 'arsip'").all().map((r) => r.fingerprint),
    signingArchiveKey() {
      const r = db
        .prepare<[], { fingerprint: string; user_id: string }>("SELECT fingerprint, user_id FROM kunci WHERE role = 'arsip' AND revoked_at IS NULL AND has_secret = 1 ORDER BY added_at DESC LIMIT 1")
        .get();
      return r === undefined ? undefined : { fingerprint: r.fingerprint, userId: r.user_id };
    },
    head: () => db.prepare<[], { id: number; hash: string }>('SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1').get(),
    segmentFrom: (id) => db.prepare<[number], { id: number; hash: string; prevHash: string }>('SELECT id, hash, prev_hash AS prevHash FROM audit_log WHERE id >= ? ORDER BY id').all(id),
    rows: () => store.auditRows(),
    highestIssuedId: () => store.auditHighestIssuedId(),
    boundTables: () => boundTablesIn(db),
    hashedRows: (table) => hashedRows(db, table),
    describeRow: (table, rowid) => describeRow(db, table, rowid),
    searchIndexMismatches: () => searchIndexMismatches(db),
    close: () => store.close(),
  };
}

/** The real ports of the audit service for the home at `paths`. */
export function auditPorts(paths: Pick<HomePaths, 'database' | 'archive' | 'keys'>): AuditPorts {
  const keys = keyFiles(paths.keys);
  return {
    database: paths.database,
    exists: () => existsSync(paths.database),
    open: () => readOnlyView(paths.database),
    checkpoints: arsipCheckpoints(folderArsip(paths.archive), (name) => join(paths.archive, ...name.split('/'))),
    publicKey: (f) => (keys.hasPublic(f) ? keys.readPublic(f) : null),
    secretKey: (f) => keys.readSecret(f),
    signer: openpgpSigner,
  };
}
