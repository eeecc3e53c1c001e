import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Integration tests start real servers on fixed loopback ports per file; keep files sequential
    // on a 2-core machine so the servers never compete for ports or CPU.
    fileParallelism: false,
    reporters: ['default'],
  },
});
