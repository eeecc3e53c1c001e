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

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 120_000,
    reporters: ['default'],
    projects: [
      {
        // Unit tests, the end-to-end tests that only spawn the CLI on a temporary home, and the integration files
        // that start no server: two files at a time
        // (the CI machine has 2 cores; a CLI spawn is one busy core), all before the first server test starts.
        extends: true,
        test: {
          name: 'cli',
          include: ['test/unit/**/*.test.ts', 'test/e2e/**/*.test.ts', ...INTEGRATION_CPU_ONLY],
          exclude: E2E_WITH_SERVERS,
          maxWorkers: 2,
          sequence: { groupOrder: 0 },
        },
      },
      {
        // Integration tests (and the end-to-end files above) start real servers — Dovecot, Postfix, cupsd — and
        // measure nothing: one file at a time, so the servers never compete for CPU and their timeouts hold.
        extends: true,
        test: {
          name: 'servers',
          include: ['test/integration/**/*.test.ts', ...E2E_WITH_SERVERS],
          exclude: INTEGRATION_CPU_ONLY,
          fileParallelism: false,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
