import { defineConfig } from 'vitest/config';

/** Root configuration: `npm test` runs every package's vitest project in one run with one summary. */
export default defineConfig({
  test: {
    projects: ['packages/*/vitest.config.ts', 'tools/*/vitest.config.ts'],
  },
});
