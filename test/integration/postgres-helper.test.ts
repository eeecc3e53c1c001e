/**
 * The private-PostgreSQL helper itself: a cluster starts on loopback with a password-protected admin, answers a
 * query over TCP, refuses a wrong password (scram-sha-256 really is in force), and after stop() no server runs and
 * its temporary folder is gone.
 */
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { describeWith } from '../helpers/gate.js';
import { postgresMissing, postmasterAlive, startPostgres } from '../helpers/postgres.js';

const missing = postgresMissing();

describeWith(`a private PostgreSQL (${missing ?? ''})`, missing === null, 'postgres helper', () => {
  it('starts on 127.0.0.1 with a password, answers, creates a database, stops and leaves nothing', async () => {
    const pg = await startPostgres();
    let dir = '';
    try {
      dir = pg.dir;
      expect(pg.host).toBe('127.0.0.1');
      expect(pg.url()).toBe(`postgresql://${pg.adminUser}@127.0.0.1:${pg.port}/sandi`);
      expect(pg.url()).not.toContain(pg.adminPassword);
      expect(pg.psql("select current_user || '|' || current_database() || '|' || current_setting('listen_addresses') || '|' || current_setting('fsync')").trim()).toBe(
        `${pg.adminUser}|sandi|127.0.0.1|off`,
      );
      pg.createDatabase('kantor_kedua');
      expect(pg.psql('select 41 + 1', { db: 'kantor_kedua' }).trim()).toBe('42');
      // host connections need the password: a wrong one is refused
      expect(() => pg.psql('select 1', { password: 'salah' })).toThrow(/password authentication failed/);
      // the client environment reaches the server as is
      const r = spawnSync(join(pg.bin, 'psql'), ['-X', '-A', '-t', '-c', 'select current_database()'], { encoding: 'utf8', env: { ...process.env, ...pg.env } });
      expect(r.stdout.trim()).toBe('sandi');
      expect(postmasterAlive(dir)).toBe(true);
    } finally {
      await pg.stop();
    }
    expect(existsSync(dir)).toBe(false);
    await pg.stop(); // twice is fine
  }, 60_000);
});
