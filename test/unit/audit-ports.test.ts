/**
 * The audit service against port fakes (src/ports/audit.ts): a chain built in memory with the domain's own
 * hashing, checkpoint files in a Map, and a "signer" whose signature is the checkpoint text itself with the
 * signer's fingerprint. No SQLite, no openpgp: the real adapters are covered by
 * test/integration/audit-binding.test.ts and test/e2e/audit*.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { GENESIS_HASH, auditHash, checkpointText, parseCheckpointText, type AuditRow } from '../../src/domain/audit.js';
import type { AuditPorts, CheckpointFile } from '../../src/ports/audit.js';
import { checkAudit, lastCheckpointBefore, makeCheckpoint } from '../../src/services/audit.js';

const ARSIP = 'A'.repeat(40);
const NOW = new Date('2026-12-01T03:00:00.400Z');

function chain(n: number): AuditRow[] {
  const rows: AuditRow[] = [];
  let prev = GENESIS_HASH;
  for (let id = 1; id <= n; id++) {
    const content = { id, at: `2026-11-0${id}T01:00:00.000Z`, actor: 'tes', action: 'kirim.daftar', entity: 'kriptogram_keluar', entityId: String(id), data: '{}' };
    const hash = auditHash(prev, content);
    rows.push({ ...content, prevHash: prev, hash });
    prev = hash;
  }
  return rows;
}

function fakePorts(rows: AuditRow[], o: { database?: boolean; archive?: boolean } = {}) {
  const files = new Map<number, string>();
  const opened: string[] = [];
  const ports: AuditPorts = {
    database: '/rumah/sandi.db',
    exists: () => o.database !== false,
    open() {
      opened.push('open');
      return {
        hasLog: () => true,
        archiveFingerprints: () => [ARSIP],
        signingArchiveKey: () => (o.archive === false ? undefined : { fingerprint: ARSIP, userId: 'Arsip <arsip@kantor.example>' }),
        head: () => rows.at(-1),
        segmentFrom: (id) => rows.filter((r) => r.id >= id),
        rows: () => rows,
        highestIssuedId: () => rows.at(-1)?.id ?? null,
        boundTables: () => [],
        hashedRows: () => [],
        describeRow: () => '',
        searchIndexMismatches: () => [],
        close: () => opened.push('close'),
      };
    },
    checkpoints: {
      folder: '/rumah/arsip/audit',
      list: (): CheckpointFile[] => [...files.keys()].sort((a, b) => a - b).map((id) => ({ id, path: `/rumah/arsip/audit/titik-${id}.asc` })),
      read: (f) => files.get(f.id)!,
      write(id, armored) {
        if (files.has(id)) return { written: false, path: `/rumah/arsip/audit/titik-${id}.asc` };
        files.set(id, armored);
        return { written: true, path: `/rumah/arsip/audit/titik-${id}.asc` };
      },
    },
    publicKey: (f) => (f === ARSIP ? `PUBLIC ${f}` : null),
    secretKey: (f) => `SECRET ${f}`,
    signer: {
      verify(armored, keys) {
        const [signer, ...text] = armored.split('\n');
        const c = parseCheckpointText(text.join('\n'));
        if (c === null) return Promise.resolve({ ok: false, reason: 'unreadable', signer: null });
        if (!keys.includes(`PUBLIC ${signer}`)) return Promise.resolve({ ok: false, reason: 'unknownSigner', signer: signer ?? null });
        return Promise.resolve({ ok: true, checkpoint: c, signer: signer! });
      },
      sign(c, secret, passphrase, label) {
        if (passphrase !== 'benar') return Promise.reject(new Error('wrong passphrase'));
        expect(secret).toBe(`SECRET ${label.fingerprint}`);
        return Promise.resolve(`${label.fingerprint}\n${checkpointText(c)}`);
      },
    },
  };
  return { ports, files, opened };
}

describe('audit service over port fakes', () => {
  it('signs the chain head, then reports it current; the read-only view is closed each time', async () => {
    const rows = chain(3);
    const { ports, files, opened } = fakePorts(rows);
    const made = await makeCheckpoint(ports, 'benar', NOW);
    expect(made).toEqual({ made: true, checkpoint: { id: 3, hash: rows[2]!.hash, at: '2026-12-01T03:00:00.000Z' }, signer: ARSIP, file: '/rumah/arsip/audit/titik-3.asc' });
    expect([...files.keys()]).toEqual([3]);
    expect(await makeCheckpoint(ports, 'benar', NOW)).toEqual({ made: false, reason: 'current', newestId: 3 });
    expect(opened).toEqual(['open', 'close', 'open', 'close']);
  });

  it('without a database or a usable archive key nothing is signed', async () => {
    expect(await makeCheckpoint(fakePorts(chain(2), { database: false }).ports, 'benar', NOW)).toEqual({ made: false, reason: 'noDatabase' });
    expect(await makeCheckpoint(fakePorts(chain(2), { archive: false }).ports, 'benar', NOW)).toEqual({ made: false, reason: 'noArchiveKey' });
  });

  it('refuses to sign a head that does not link to the newest checkpoint (INTEGRITY)', async () => {
    const rows = chain(3);
    const { ports } = fakePorts(rows);
    await makeCheckpoint(ports, 'benar', NOW);
    rows[2] = { ...rows[2]!, hash: 'f'.repeat(64) };
    rows.push({ ...chain(4)[3]! });
    await expect(makeCheckpoint(ports, 'benar', NOW)).rejects.toMatchObject({ code: 'INTEGRITY', key: 'audit.checkpoint.refused' });
  });

  it('checks the chain and the checkpoints: a good chain is ok, an edited row breaks it at its id', async () => {
    const rows = chain(4);
    const { ports } = fakePorts(rows);
    await makeCheckpoint(ports, 'benar', NOW);
    const good = await checkAudit(ports);
    expect(good).toMatchObject({ ok: true, rows: 4, lastId: 4, broken: null, checkpoints: { count: 1, verified: 1, uncovered: 0, problems: [] } });
    rows[1] = { ...rows[1]!, actor: 'penyusup' };
    const bad = await checkAudit(ports);
    expect(bad.ok).toBe(false);
    expect(bad.broken).toMatchObject({ reason: 'hash', id: 2, lastGoodId: 1 });
  });

  it('a home without a database is NOT_FOUND naming it; the newest checkpoint of a period is found by its time', async () => {
    await expect(checkAudit(fakePorts([], { database: false }).ports)).rejects.toMatchObject({ code: 'NOT_FOUND', key: 'audit.noDatabase', params: { path: '/rumah/sandi.db' } });
    const { ports } = fakePorts(chain(2));
    await makeCheckpoint(ports, 'benar', NOW);
    expect(await lastCheckpointBefore(ports, new Date('2026-11-30T00:00:00Z'))).toBeNull();
    expect(await lastCheckpointBefore(ports, new Date('2026-12-02T00:00:00Z'))).toMatchObject({ id: 2, signer: ARSIP });
  });
});
