import { defineConfig } from 'vitest/config';

/** The native production stack (PostgreSQL, a Temporal server, two workers) takes both cores on its own. */
const stackTest = 'test/production-stack.test.ts';

export default defineConfig({
  test: {
    globalSetup: ['test/support/global-setup.ts'],
    setupFiles: ['test/support/quiet-runtime.ts'],
    // Real servers start in these tests; give them room, but never wait by sleeping.
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Two cores: more parallel files only fight each other for the CPU.
    maxWorkers: 2,
    reporters: ['default'],
    // Two groups in one run: every other file first, then the production stack alone, so its servers never starve
    // the timing-sensitive tests (time-skipping runs, the chaos run) of CPU.
    projects: [
      {
        extends: true,
        test: { name: 'suite', include: ['test/**/*.test.ts'], exclude: [stackTest], sequence: { groupOrder: 0 } },
      },
      {
        extends: true,
        test: { name: 'production-stack', include: [stackTest], sequence: { groupOrder: 1 } },
      },
    ],
  },
});
