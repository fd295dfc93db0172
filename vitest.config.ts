import { defineConfig } from 'vitest/config';

// Tests sit beside the code they test (`*.test.ts`) and in test/ for end-to-end flows.
export default defineConfig({
  test: {
    include: ['**/*.test.ts'],
    exclude: ['node_modules/**', '**/.cache/**', '**/obj_dir/**'],
    // Limits for a hang, not speeds: on a loaded 2-core machine (load 15-20) ordinary CLI and
    // engine tests took up to 66 s and 152 s, past the former 120 s. Tests that need longer set it.
    testTimeout: 600_000,
    hookTimeout: 600_000,
    pool: 'forks',
    maxWorkers: 2,
  },
});
