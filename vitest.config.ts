import { defineConfig } from 'vitest/config';

/** End-to-end files that start the real mail stack: they run with the integration tests, one file at a time. */
const E2E_WITH_SERVERS = ['test/e2e/akun.test.ts', 'test/e2e/akun-sumber-frasa.test.ts'];

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 120_000,
    reporters: ['default'],
    projects: [
      {
        // Unit tests and the end-to-end tests that only spawn the CLI on a temporary home: two files at a time
        // (the CI machine has 2 cores; a CLI spawn is one busy core), all before the first server test starts.
        extends: true,
        test: {
          name: 'cli',
          include: ['test/unit/**/*.test.ts', 'test/e2e/**/*.test.ts'],
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
          fileParallelism: false,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
