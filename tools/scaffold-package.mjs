// Writes the boilerplate files of one workspace package (package.json, tsconfigs, vitest config).
// Usage: node tools/scaffold-package.mjs <dir> <name> <description> [dep ...]
// Existing files are left alone, so it is safe to re-run.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const [dir, name, description, ...deps] = process.argv.slice(2);
if (!dir || !name || !description) {
  console.error('usage: node tools/scaffold-package.mjs <dir> <name> <description> [dep ...]');
  process.exit(2);
}
const root = process.cwd();
const rel = (p) => relative(join(root, dir), join(root, p)) || '.';
const ours = deps.filter((d) => d.startsWith('@orc-ts/'));
const theirs = deps.filter((d) => !d.startsWith('@orc-ts/'));
const versions = { tsyringe: '^4.10.0', 'reflect-metadata': '^0.2.2', elfy: '^1.0.0', koffi: '^2.12.0' };

function write(file, content) {
  const path = join(root, dir, file);
  if (existsSync(path)) return;
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content, null, 2) + '\n');
}

write('package.json', {
  name,
  version: '0.1.0',
  description,
  license: 'Apache-2.0 WITH LLVM-exception',
  type: 'module',
  main: './dist/index.js',
  types: './dist/index.d.ts',
  exports: { '.': { types: './dist/index.d.ts', default: './dist/index.js' } },
  files: ['dist'],
  scripts: {
    build: 'tsc -b tsconfig.build.json',
    typecheck: 'tsc -p tsconfig.json --noEmit',
    lint: 'eslint src test',
    test: 'vitest run',
  },
  dependencies: Object.fromEntries([
    ...ours.map((d) => [d, '^0.1.0']),
    ...theirs.map((d) => [d, versions[d] ?? '*']),
  ]),
  publishConfig: { access: 'public' },
});
write('tsconfig.build.json', {
  extends: rel('tsconfig.base.json'),
  compilerOptions: { composite: true, rootDir: 'src', outDir: 'dist', tsBuildInfoFile: 'dist/.tsbuildinfo' },
  include: ['src/**/*.ts'],
  references: ours.map((d) => ({ path: rel(`packages/${d.slice('@orc-ts/'.length)}/tsconfig.build.json`) })),
});
write('tsconfig.json', {
  extends: rel('tsconfig.typecheck.json'),
  include: ['src/**/*.ts', 'test/**/*.ts', 'bench/**/*.ts', 'vitest.config.ts'],
});
write('vitest.config.ts', `import { defineOrcProject } from '${rel('vitest.shared.ts').replace(/\.ts$/, '.js')}';\n\nexport default defineOrcProject(import.meta.dirname);\n`);
