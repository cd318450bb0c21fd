import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // One PGlite per worker process is reused across that worker's test files (a fresh
    // PGlite takes seconds to initialise); each file gets its own schema.
    pool: 'forks',
    isolate: false,
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
