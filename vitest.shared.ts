/**
 * The one vitest configuration every package merges (see each package's `vitest.config.ts`).
 *
 * Tests import sibling packages by their public names (`@orc-ts/core`); the aliases below point those names at
 * the packages' TypeScript sources, so a test run needs no prior build and always sees the current code.
 */
import { readdirSync, existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import { defineConfig, mergeConfig, type ViteUserConfig } from 'vitest/config';

const workspaceRoot = import.meta.dirname;

function sourceAliases(): Record<string, string> {
  const aliases: Record<string, string> = {};
  const dir = join(workspaceRoot, 'packages');
  for (const name of readdirSync(dir)) {
    const entry = join(dir, name, 'src', 'index.ts');
    if (existsSync(entry)) aliases[`@orc-ts/${name}`] = entry;
  }
  return aliases;
}

/** Builds the vitest project configuration of the package in `packageDir`, with optional overrides. */
export function defineOrcProject(packageDir: string, overrides: ViteUserConfig = {}): ViteUserConfig {
  const base = defineConfig({
    resolve: { alias: sourceAliases() },
    test: {
      name: basename(packageDir),
      root: packageDir,
      include: ['test/**/*.test.ts'],
      environment: 'node',
      testTimeout: 30_000,
      hookTimeout: 30_000,
      passWithNoTests: false,
    },
  });
  return mergeConfig(base, overrides);
}
