import { defineConfig } from 'vitest/config';

// Tests sit beside the code they test (`*.test.ts`) and in test/ for end-to-end flows.
export default defineConfig({
  test: {
    include: ['**/*.test.ts'],
    exclude: ['node_modules/**', '**/.cache/**', '**/obj_dir/**'],
    testTimeout: 120_000,
    hookTimeout: 300_000,
    pool: 'forks',
    maxWorkers: 2,
  },
});
