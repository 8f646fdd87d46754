import { describe, expect, it } from 'vitest';
import { DEFAULT_CHECK_NAME, extractRules, rulePrefixFor } from '@orc-ts/object-linking-layer';

const texts = (input: string | Uint8Array, prefix?: string): string[] => extractRules(input, prefix).map((r) => r.text);

describe('rulePrefixFor', () => {
  it("is llvm-jitlink's \"# \" + check name + \":\"", () => {
    expect(DEFAULT_CHECK_NAME).toBe('jitlink-check');
    expect(rulePrefixFor()).toBe('# jitlink-check:');
    expect(rulePrefixFor('rtdyld-check')).toBe('# rtdyld-check:');
  });
});

describe('extractRules', () => {
  it('takes the rest of each prefixed line, untrimmed, with its line number', () => {
    const rules = extractRules('# RUN: llvm-jitlink -check %s\n\n# jitlink-check: a = b  \n  main:\n  # jitlink-check: c = d\n');
    expect(rules).toEqual([
      { text: ' a = b  ', line: 3, endLine: 3 },
      { text: ' c = d', line: 5, endLine: 5 },
    ]);
  });

  it('needs the prefix exactly, after indentation', () => {
    expect(texts('#jitlink-check: a\n# jitlink-check : b\n## jitlink-check: c\n# jitlink-check:d\n\t # jitlink-check: e')).toEqual(['d', ' e']);
    expect(texts('// jitlink-check: a = a\n; jitlink-check: b = b')).toEqual([]);
  });

  it('honours a custom check name', () => {
    const input = '# jitlink-check: a\n# my-check: b\n';
    expect(texts(input, rulePrefixFor('my-check'))).toEqual([' b']);
  });

  it('joins continuation lines, dropping the final backslash', () => {
    const input = [
      '# jitlink-check: decode_operand(f, 1) = \\',
      '# jitlink-check:     (g[32:12] - \\',
      '# jitlink-check:        f[32:12])',
      '# jitlink-check: x = y',
    ].join('\n');
    expect(extractRules(input)).toEqual([
      { text: ' decode_operand(f, 1) =      (g[32:12] -         f[32:12])', line: 1, endLine: 3 },
      { text: ' x = y', line: 4, endLine: 4 },
    ]);
  });

  it('continues over blank lines, but a non-rule line ends the rule', () => {
    expect(extractRules('# jitlink-check: 3 = \\\n\n\n# jitlink-check: 3\n')).toEqual([{ text: ' 3 =  3', line: 1, endLine: 4 }]);
    expect(extractRules('# jitlink-check: main = \\\nfoo\n# jitlink-check: x\n')).toEqual([
      { text: ' main = ', line: 1, endLine: 1 },
      { text: ' x', line: 3, endLine: 3 },
    ]);
  });

  it('only continues when the backslash is the very last character', () => {
    expect(texts('# jitlink-check: 5 = 6 \\ \n# jitlink-check: 7 = 7\n')).toEqual([' 5 = 6 \\ ', ' 7 = 7']);
  });

  it('lets continuation lines be empty', () => {
    expect(texts('# jitlink-check: 7 = 7\\\n# jitlink-check: \\\n# jitlink-check: \n# jitlink-check: 8 = 8')).toEqual([' 7 = 7  ', ' 8 = 8']);
  });

  it('skips rule lines with nothing after the prefix, but keeps whitespace-only rules', () => {
    expect(texts('# jitlink-check:\n# jitlink-check:   \n')).toEqual(['   ']);
  });

  it('accepts \\r, \\r\\n and \\n line breaks and counts lines for each', () => {
    const rules = extractRules('# jitlink-check: a\r# jitlink-check: b\r\n# jitlink-check: c\n\r\n# jitlink-check: d');
    expect(rules.map((r) => [r.text, r.line])).toEqual([
      [' a', 1],
      [' b', 2],
      [' c', 3],
      [' d', 5],
    ]);
  });

  it('stops at a NUL at the start of a line, but not in the middle of one', () => {
    expect(texts('# jitlink-check: a = a\0\n# jitlink-check: b = b\n\0# jitlink-check: c = c\n')).toEqual([' a = a\0', ' b = b']);
  });

  it('reports a continuation that runs off the end of the file (LLVM drops it silently)', () => {
    expect(extractRules('# jitlink-check: a = b\n# jitlink-check: c = \\\n\n')).toEqual([
      { text: ' a = b', line: 1, endLine: 1 },
      { text: ' c = ', line: 2, endLine: 2, unterminated: true },
    ]);
  });

  it('reads bytes as UTF-8', () => {
    expect(texts(new TextEncoder().encode('# jitlink-check: \u00e9 = 1\n'))).toEqual([' \u00e9 = 1']);
  });

  it('is fast on large files', () => {
    const lines: string[] = [];
    for (let i = 0; i < 20000; i++) lines.push(`        ldr x0, [x1, #${i}]`, `# jitlink-check: decode_operand(sym${i}, 2) = \\`, `# jitlink-check:   ${i}`);
    const start = performance.now();
    const rules = extractRules(lines.join('\n'));
    expect(rules).toHaveLength(20000);
    expect(rules[19999]).toEqual({ text: ' decode_operand(sym19999, 2) =    19999', line: 59999, endLine: 60000 });
    expect(performance.now() - start).toBeLessThan(4000);
  });
});
