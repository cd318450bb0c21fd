import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  // The dashboard's component tests (web/src/**/*.test.tsx) render Preact, as web/vite.config.ts builds it.
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts', 'web/src/**/*.test.tsx'],
    // One PGlite per worker process is reused across that worker's test files (a fresh
    // PGlite takes seconds to initialise); each file gets its own schema.
    pool: 'forks',
    isolate: false,
    // Vitest's default leaves one core to itself: one worker on a 2-core machine. Most files wait on
    // a database, a child process or a socket, so a second worker there shortens the run.
    maxWorkers: Math.max(2, availableParallelism() - 1),
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
