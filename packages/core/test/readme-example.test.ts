/**
 * The README's example runs as written: the fenced `ts` block after the `<!-- readme-example -->` marker is written to
 * a module beside this test (so `@orc-ts/core` resolves as in every test, to the sources) and imported; what it
 * prints must equal the `text` block that follows it in the README.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';

const packageDir = join(import.meta.dirname, '..');
const readme = readFileSync(join(packageDir, 'README.md'), 'utf8');

/** The body of the first fenced block of `lang` at or after `from`, and where the block ends. */
function fencedBlock(text: string, lang: string, from: number): { code: string; end: number } {
  const open = new RegExp(`^\`\`\`${lang}[ \\t]*\\r?\\n`, 'm');
  const rest = text.slice(from);
  const m = open.exec(rest);
  if (!m) throw new Error(`README.md: no \`\`\`${lang} block after offset ${from}`);
  const start = from + m.index + m[0].length;
  const close = /^```[ \t]*$/m.exec(text.slice(start));
  if (!close) throw new Error(`README.md: unterminated \`\`\`${lang} block`);
  return { code: text.slice(start, start + close.index), end: start + close.index + close[0].length };
}

function example(): { code: string; expected: string[] } {
  const marker = readme.indexOf('<!-- readme-example');
  if (marker < 0) throw new Error('README.md: no <!-- readme-example --> marker');
  const ts = fencedBlock(readme, 'ts', marker);
  const out = fencedBlock(readme, 'text', ts.end);
  return { code: ts.code, expected: out.code.replace(/\r/g, '').trimEnd().split('\n') };
}

describe('README example', () => {
  let file: string | null = null;
  afterEach(() => {
    vi.restoreAllMocks();
    if (file) rmSync(file, { force: true });
    file = null;
  });

  it('is found: a ts block importing @orc-ts/core, followed by its output', () => {
    const { code, expected } = example();
    expect(code).toMatch(/from '@orc-ts\/core'/);
    expect(code.split('\n').filter((l) => l.trim() !== '').length).toBeLessThanOrEqual(22); // the README promises ~20 lines
    expect(expected.length).toBeGreaterThan(0);
  });

  it('runs and prints what the README says', async () => {
    const { code, expected } = example();
    // A unique name per run; not matched by the test glob (`*.test.ts`), removed afterwards.
    file = join(import.meta.dirname, `.readme-example-${process.pid}-${randomBytes(4).toString('hex')}.ts`);
    writeFileSync(file, code);
    const printed: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => {
      printed.push(args.map(String).join(' '));
    });
    await import(/* @vite-ignore */ pathToFileURL(file).href);
    expect(printed).toEqual(expected);
  });
});
