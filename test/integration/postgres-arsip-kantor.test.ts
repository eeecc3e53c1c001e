/**
 * The signed audit checkpoints in the office database (issue 15, "the archive in the database"): on PostgreSQL
 * a checkpoint is a name of the office archive (audit/titik-<id>.asc, ../../src/adapters/audit-checkpoints.ts),
 * committed at once (`visible: 'now'`), so the checkpoint the sandiman signs at workstation A is the one
 * `audit periksa`, `periksa` and `laporan kinerja` check at the Kasi's workstation B — the homes share only the
 * database, not a folder. Another command's checkpoint for the same chain row is kept, never replaced.
 * One private PostgreSQL for the file.
 */
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { peranSql } from '../../src/adapters/postgres/roles.js';
import { openPgSync } from '../../src/adapters/postgres/sync-client.js';
import { openPgStore } from '../../src/adapters/postgres/store.js';
import { openPgArsip } from '../../src/adapters/postgres/arsip.js';
import { arsipCheckpoints } from '../../src/adapters/audit-checkpoints.js';
import { sandi, type CliResult } from '../helpers/cli.js';
import { describeWith } from '../helpers/gate.js';
import { postgresMissing, startPostgres, type PgServer } from '../helpers/postgres.js';

const missing = postgresMissing();
const KEYS = resolve(import.meta.dirname, '../../keys.example');
const manifest = JSON.parse(readFileSync(join(KEYS, 'manifest.json'), 'utf8')) as { keys: { slug: string; fingerprint: string; passphrase: string }[] };
const key = (slug: string) => manifest.keys.find((k) => k.slug === slug)!;
const PASSWORD = 'uji-titik-2026';

describeWith(`a private PostgreSQL (${missing ?? ''})`, missing === null, 'audit checkpoints in the office database: two workstations', () => {
  let pg: PgServer;
  let dir: string;
  let homeA: string;
  let homeB: string;
  const url = (user: string) => `postgresql://${user}@127.0.0.1:${pg.port}/kantor`;
  const envOf = (home: string, operator: string): NodeJS.ProcessEnv => ({ SANDI_HOME: home, SANDI_OPERATOR: operator, PGPASSWORD: PASSWORD, PGPASSFILE: join(dir, 'tidak-ada') });
  const ok = (r: CliResult, what: string): CliResult => {
    expect(r.code, `${what}\n${r.stderr}\n${r.stdout}`).toBe(0);
    return r;
  };
  const pgRows = (sql: string): string[] => pg.psql(sql, { db: 'kantor' }).split('\n').filter((l) => l !== '');

  beforeAll(async () => {
    pg = await startPostgres();
    dir = mkdtempSync(join(tmpdir(), 'sandi-titik-'));
    homeA = join(dir, 'rumah-budi');
    homeB = join(dir, 'rumah-siti');
    const sql = peranSql({ officers: [{ role: 'budi', groups: ['sandiman'] }, { role: 'siti', groups: ['kasi'] }] })
      .split('\n')
      .filter((l) => !l.startsWith('--') && !l.startsWith('GRANT sandi_pemilik TO CURRENT_USER') && l.trim() !== '')
      .join('\n');
    pg.psql(sql);
    pg.psql(`ALTER ROLE budi PASSWORD '${PASSWORD}'; ALTER ROLE siti PASSWORD '${PASSWORD}'; ALTER ROLE sandi_pemilik PASSWORD '${PASSWORD}';`);
    pg.psql('CREATE DATABASE kantor OWNER sandi_pemilik');
    ok(sandi(['--db', url('sandi_pemilik'), 'db', 'siapkan'], { env: envOf(join(dir, 'admin'), 'admin') }), 'db siapkan');
    // each workstation: the archive key (it signs checkpoints); nothing shared but the database
    for (const [home, user] of [[homeA, 'budi'], [homeB, 'siti']] as const) {
      const env = envOf(home, user);
      const db = ['--db', url(user)];
      ok(sandi([...db, 'kunci', 'impor', join(KEYS, 'arsip.sec.asc'), '--peran', 'arsip'], { env }), `${user}: arsip`);
      ok(sandi([...db, 'init', '--no-input', '--nama-kantor', 'Diskominfo Contoh', '--kode-unit', 'DKI', '--kunci-arsip', key('arsip').fingerprint, '--izinkan-kunci-demo'], { env }), `${user}: init`);
    }
  }, 60_000);
  afterAll(async () => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    await pg?.stop();
  });

  it('a checkpoint signed at A is in the database and checked by audit periksa, periksa and laporan kinerja at B', () => {
    const envA = envOf(homeA, 'budi');
    const envB = envOf(homeB, 'siti');
    // no checkpoint yet: B's periksa warns
    const before = ok(sandi(['audit', 'periksa', '--json'], { env: envB }), 'audit periksa at B before').json<{ ok: boolean; lastId: number; checkpoints: { count: number } }>();
    expect(before).toMatchObject({ ok: true, checkpoints: { count: 0 } });

    const made = ok(sandi(['audit', 'tandai', '--json'], { env: { ...envA, SANDI_PASSPHRASE_ARSIP: key('arsip').passphrase } }), 'audit tandai at A').json<{
      made: boolean;
      checkpoint: { id: number; hash: string };
      file: string;
    }>();
    expect(made.made).toBe(true);
    expect(made.checkpoint.id).toBe(before.lastId);
    const name = `audit/titik-${String(made.checkpoint.id).padStart(12, '0')}.asc`;
    expect(made.file).toContain(name);
    // in the office database, written by budi's role; not a file in A's home
    expect(pgRows(`SELECT name || '|' || db_user FROM sandi.arsip_nama WHERE name LIKE 'audit/%'`)).toEqual([`${name}|budi`]);
    const folderA = join(homeA, 'arsip', 'audit');
    expect(existsSync(folderA) ? readdirSync(folderA) : []).toEqual([]);

    // B, which shares only the database, sees and verifies it
    const a = ok(sandi(['audit', 'periksa', '--json'], { env: envB }), 'audit periksa at B').json<{ ok: boolean; checkpoints: { verified: number; uncovered: number; newest: { id: number; hash: string } } }>();
    expect(a).toMatchObject({ ok: true, checkpoints: { verified: 1, uncovered: 0, newest: { id: made.checkpoint.id, hash: made.checkpoint.hash } } });
    const checks = sandi(['periksa', '--json'], { env: envB }).json<{ checks: { check: string; status: string }[] }>().checks;
    expect(checks.find((c) => c.check === 'audit')?.status).toBe('ok');
    const lap = ok(sandi(['--json', 'laporan', 'kinerja', '--dari', '2020-01-01', '--sampai', '2099-12-31'], { env: envB }), 'laporan at B').json<{ audit: { checkpoint: { id: number; hash: string } | null } }>();
    expect(lap.audit.checkpoint).toMatchObject({ id: made.checkpoint.id, hash: made.checkpoint.hash });
    // B has nothing new to sign: the newest checkpoint (A's) already covers the head
    const again = ok(sandi(['audit', 'tandai', '--json'], { env: { ...envB, SANDI_PASSPHRASE_ARSIP: key('arsip').passphrase } }), 'audit tandai at B').json<{ made: boolean }>();
    expect(again.made).toBe(false);

    // another command's checkpoint for the same chain row (signed a moment later: other bytes) is kept, never replaced
    const conn = openPgSync({ host: '127.0.0.1', port: pg.port, user: 'siti', password: PASSWORD, database: 'kantor', sslmode: 'disable' });
    try {
      const cps = arsipCheckpoints(openPgArsip(openPgStore(conn)), (n) => n);
      const [cp] = cps.list();
      const text = cps.read(cp!);
      expect(cps.write(made.checkpoint.id, 'tanda tangan lain')).toEqual({ written: false, path: name });
      expect(cps.read(cp!)).toBe(text);
      // README's recipe for taking a checkpoint out of the database by hand (to check it with gpg)
      const byHand = pg.psql(
        `SELECT encode(p.data, 'escape') FROM sandi.arsip_nama n JOIN sandi.arsip_isi c USING (sha256) JOIN sandi.arsip_potongan p ON p.upload = c.upload WHERE n.name = '${name}' ORDER BY p.n`,
        { db: 'kantor' },
      );
      expect(byHand.trimEnd()).toBe(text.trimEnd());
      expect(pgRows(`SELECT count(*) FROM sandi.arsip_nama WHERE name LIKE 'audit/%'`)).toEqual(['1']);
    } finally {
      conn.close();
    }
  }, 60_000);
});
