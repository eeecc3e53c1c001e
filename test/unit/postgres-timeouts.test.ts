/**
 * The bounds of a command's waits on the office database (src/app/postgres-office.ts dbTimeouts): the lock wait
 * from SANDI_DB_LOCK_TIMEOUT (60 s by default), the query bound a bit longer, a bad value refused with 78; and
 * the lock wait's end (55P03) as the 75 that names the server (src/adapters/postgres/connect.ts).
 */
import { describe, expect, it } from 'vitest';
import { dbTimeouts } from '../../src/app/postgres-office.js';
import { pgLockTimeoutError, pgConnectionLost } from '../../src/adapters/postgres/connect.js';
import { SandiError } from '../../src/errors.js';

describe('the office database: bounds of a wait', () => {
  it('60 s for a lock by default, the query bound longer, the server ends a silent session after as long', () => {
    expect(dbTimeouts({})).toEqual({ lockTimeoutMs: 60_000, queryTimeoutMs: 90_000, idleInTransactionTimeoutMs: 90_000, keepAliveDelayMs: 30_000 });
    expect(dbTimeouts({ SANDI_DB_LOCK_TIMEOUT: '2' })).toEqual({ lockTimeoutMs: 2000, queryTimeoutMs: 3000, idleInTransactionTimeoutMs: 3000, keepAliveDelayMs: 3000 });
    expect(dbTimeouts({ SANDI_DB_LOCK_TIMEOUT: ' 0.5 ' }).queryTimeoutMs).toBe(1500);
  });

  it('refuses a value that is not a number of seconds in range: 78 naming the variable', () => {
    for (const v of ['abc', '0', '-5', '7200', 'Infinity']) {
      let e: unknown;
      try {
        dbTimeouts({ SANDI_DB_LOCK_TIMEOUT: v });
      } catch (x) {
        e = x;
      }
      expect(e, v).toBeInstanceOf(SandiError);
      expect(e).toMatchObject({ exitCode: 78, key: 'db.timeoutInvalid', params: { name: 'SANDI_DB_LOCK_TIMEOUT', value: v } });
    }
  });

  it('a silent network (no answer in time) is a lost connection; a lock wait that ran out is 75 naming the server', () => {
    expect(pgConnectionLost({ code: 'SANDI_NO_ANSWER', message: 'no answer from the server within 3 s (the network to it may be down)' })).toBe(true);
    const o = { host: 'db.kantor', port: 5432, user: 'budi', database: 'kantor', sslmode: 'verify-full' as const, lockTimeoutMs: 2000 };
    const e = pgLockTimeoutError({ code: '55P03', message: 'canceling statement due to lock timeout' }, o);
    expect(e).toMatchObject({ exitCode: 75, key: 'db.busy', params: { host: 'db.kantor', port: 5432, database: 'kantor', seconds: '2' } });
  });
});
