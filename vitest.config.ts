import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Two cores: one worker for the heavy sweeps keeps timings sane on shared machines.
    pool: 'forks',
    maxWorkers: 2,
  },
});
