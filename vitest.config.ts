import { defineConfig } from 'vitest/config';

/** End-to-end files that start the real mail stack: they run with the integration tests, one file at a time. */
const E2E_WITH_SERVERS = ['test/e2e/akun.test.ts', 'test/e2e/akun-sumber-frasa.test.ts'];

/**
 * Integration files that start no server (OpenPGP in-process and gpg on a temporary GNUPGHOME, nothing that
 * listens or times a server): pure CPU work. One at a time in `servers` they left the second core idle for
 * ~80 s a run; with the `cli` files they keep both cores busy (measured: see the commit that moved them).
 */
const INTEGRATION_CPU_ONLY = [
  'test/integration/kriptogram.test.ts',
  'test/integration/kriptogram-fuzz.test.ts',
  'test/integration/kriptogram-interop.test.ts',
  'test/integration/kriptogram-bzip2.test.ts',
  'test/integration/kriptogram-oracle.test.ts',
  'test/integration/gpg-interop.test.ts',
  'test/integration/kunci-gpg.test.ts',
];

/**
 * Unit files that need a module graph of their own: vi.mock of node:fs / node:crypto must be in place before the
 * archive adapter is first imported, so this file cannot share a worker's module cache with the other unit files.
 */
const UNIT_ISOLATED = ['test/unit/archive-fsync.test.ts'];

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 120_000,
    reporters: ['default'],
    projects: [
      {
        // Unit tests: pure, no process-wide state left behind (the UI language and process.stdout are put back
        // in afterEach), so they share their worker's module cache (isolate: false) instead of importing the
        // sources afresh for every file — most of a unit file's time was that import (see the commit that
        // did this). Same group and worker count as `cli`: both run two files at a time on the 2 CI cores.
        extends: true,
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          exclude: UNIT_ISOLATED,
          isolate: false,
          maxWorkers: 2,
          sequence: { groupOrder: 0 },
        },
      },
      {
        // The end-to-end tests that only spawn the CLI on a temporary home, the integration files that start no
        // server, and the unit files that need isolation: two files at a time
        // (the CI machine has 2 cores; a CLI spawn is one busy core), all before the first server test starts.
        extends: true,
        test: {
          name: 'cli',
          include: ['test/e2e/**/*.test.ts', ...INTEGRATION_CPU_ONLY, ...UNIT_ISOLATED],
          exclude: E2E_WITH_SERVERS,
          maxWorkers: 2,
          sequence: { groupOrder: 0 },
        },
      },
      {
        // Integration tests (and the end-to-end files above) start real servers — Dovecot, Postfix, cupsd,
        // PostgreSQL — each file its own private instances (temporary folder, unique instance name, ports from
        // freePort() with a retry when one is taken before the server binds it: test/helpers/mailstack.ts,
        // cups.ts, postgres.ts), so two files at a time never share a server, a port or a path. Most of their
        // time is waiting on those servers (a passwd-file re-read, a restart, a cut connection), not CPU: one
        // file at a time left a core idle for ~3 minutes a run. Their longest test took 9 s of a 60 s timeout in
        // the CI run these two workers were measured against (see the commit).
        extends: true,
        test: {
          name: 'servers',
          include: ['test/integration/**/*.test.ts', ...E2E_WITH_SERVERS],
          exclude: INTEGRATION_CPU_ONLY,
          maxWorkers: 2,
          // a worker keeps its module cache from file to file (each file still starts and stops its own servers
          // in beforeAll/afterAll): ~1 s of import less per file. Nothing in these files changes process-wide
          // state for good (terima-nomor-pdf puts PATH back in a finally; no vi.mock).
          isolate: false,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
