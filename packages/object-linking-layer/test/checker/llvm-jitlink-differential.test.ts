/**
 * Differential test: the same check file is run by the real llvm-jitlink (LLVM 14, installed by tools/setup) and
 * by our checker over an environment built from the addresses llvm-jitlink reports (`-show-addrs`) and the bytes
 * we assembled. Every failure message, in order, and the file's verdict must be identical.
 *
 * Rules whose LLVM behaviour is undefined (see evaluator.ts) are left out here and tested in evaluator.test.ts;
 * `decode_operand` on real instructions is compared in target-aarch64, where the AArch64 decoder lives.
 */
import { describe, expect, it } from 'vitest';
import { RuleChecker, formatCheckResults, readUnsignedInteger, CheckerRegistry } from '@orc-ts/object-linking-layer';
import { runLlvmJitlink, type JitlinkRun } from './llvm-jitlink-harness.js';
import { u64, words } from './fake-environment.js';

const SOURCE = `
  .text
  .globl main
  .p2align 2
main:
  .inst 0xd2800020
  .inst 0xd65f03c0
  .size main, 8
  .globl empty_fn
empty_fn:
  .size empty_fn, 0

  .data
  .globl d64, d32, bytes
  .p2align 3
d64:
  .quad 0x1122334455667788
  .quad 0x8877665544332211
  .size d64, 16
d32:
  .word 0xcafef00d
  .size d32, 4
bytes:
  .byte 1,2,3,4,5,6,7,8
  .size bytes, 8

  .bss
  .globl zf
zf:
  .zero 16
  .size zf, 16
`;

/** The bytes of each symbol, as assembled from SOURCE. */
const CONTENT: Record<string, Uint8Array> = {
  main: words(0xd2800020, 0xd65f03c0),
  empty_fn: new Uint8Array(0),
  d64: Uint8Array.from([...u64(0x1122334455667788n), ...u64(0x8877665544332211n)]),
  d32: words(0xcafef00d),
  bytes: Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8]),
};

const ABSOLUTE = { absv: 0x12345678abcdefn };

/** An environment holding what llvm-jitlink linked, at the addresses it chose. */
function environmentFrom(run: JitlinkRun, fileName: string): CheckerRegistry {
  const chunks: Array<{ start: bigint; bytes: Uint8Array }> = [];
  const registry = new CheckerRegistry({
    readMemory(address, size) {
      for (const { start, bytes } of chunks) {
        const off = address - start;
        if (off >= 0n && off + BigInt(size) <= BigInt(bytes.length)) return readUnsignedInteger(bytes, Number(off), size, 'little');
      }
      throw new Error('not mapped');
    },
  });
  for (const [name, sym] of run.symbols) {
    const bytes = sym.zeroFill ? new Uint8Array(sym.size) : (CONTENT[name] ?? new Uint8Array(0));
    expect(bytes.length).toBe(sym.size);
    chunks.push({ start: sym.address, bytes });
    registry.registerSymbol(name, { address: sym.address, content: sym.zeroFill ? new Uint8Array(0) : bytes, isZeroFill: sym.zeroFill });
  }
  registry.registerFile(fileName);
  for (const [section, info] of run.sections.get(fileName) ?? []) registry.registerSection(fileName, section, { address: info.address });
  return registry;
}

const PASSING = [
  'main = main',
  '*{8}d64 = 0x1122334455667788',
  '*{4}d64 = 0x55667788',
  '*{2}(d64+2) = 0x5566',
  '*{1}(d64 + 7) = 0x11',
  '*{8}(d64+8) = 0x8877665544332211',
  '*{8}d64 + 8 = 0x8877665544332211',
  '(*{8}d64) + 8 = 0x1122334455667790',
  '(*{4}d32)[15:0] = 0xf00d',
  '* { 4}d32 = 0xcafef00d',
  '*{8}bytes = 0x0807060504030201',
  '*{8}zf = 0',
  '*{8}(main - main) = 0',
  'absv = 0x12345678abcdef',
  'absv[31:16] = 0x78ab',
  'absv[63:32] = 0x123456',
  'absv[11:0] = 0xdef',
  'absv [64:60] = 0',
  '1+2&2 = 2',
  '6&3+1 = 3',
  '1<<2+1 = 5',
  '8-2-1 = 5',
  '0-1 = 0xffffffffffffffff',
  '0xffffffffffffffff+1 = 0',
  '0x8000000000000000>>63 = 1',
  '010 = 8',
  'd32 - d64 = 16',
  'bytes-d32 = 4',
  'section_addr(obj.o, .data) = d64',
  'section_addr(obj.o, .text) = main',
  'section_addr( obj.o ,  .bss  ) = zf',
  'section_addr(obj.o, .data)[11:0] = 0',
  'main[47:12]=0x7fff00001',
];

const FAILING = [
  'main + 4 = main',
  '*{4}d32 = 0',
  'absv = 0',
  '1+2&2 = 3',
  '4 + main = main',
  '(main - 4 ) = main',
  'main - 1 - 1 = main - 2',
  'foo = 1',
  'Lfoo = 1',
  '_foo = 0',
  'a == b',
  '1 ==1',
  '(1',
  '1)=1',
  '*{9}main = 0',
  '*{0}main = 0',
  '*{4 }main = 1',
  '*4main = 0',
  '*{x}main = 0',
  'decode_operand main = 1',
  'decode_operand(main 1) = 1',
  'decode_operand(main, x) = 1',
  'decode_operand(main, 2 = 12',
  'decode_operand(nope, 2) = 12',
  'decode_operand( main , 2 ) = 12',
  'decode_operand(main - 4, 0) = 0',
  'decode_operand(empty_fn, 0) = 0',
  'next_pc(nope) = 0',
  'next_pc(main = 0',
  'next_pc main',
  'next_pc(empty_fn) = 0',
  '#x = 1',
  '1 + = 1',
  'main ^ 1 = 0',
  'main[3 :0] = 0',
  'main[3: 0 ] = 0',
  'main[3:0 = 0',
  'main[x:0] = 0',
  'main[3;0] = 0',
  'stub_addr(obj.o, foo) = 0',
  'got_addr(x.o, foo) = 0',
  'got_addr(obj.o foo) = 0',
  'got_addr(obj.o, foo',
  'got_addr obj.o',
  'section_addr(obj.o, .nope) = 0',
  'section_addr(x.o, .text) = 0',
  'section_addr(obj.o, .text = 0',
  'section_addr obj.o = 0',
  'section_addr(obj.o) = 0',
  '0X10 = 16',
  '= 1',
  '1 =',
];

function checkFile(rules: string[], prefix = '# jitlink-check:'): string {
  return rules.map((r) => `${prefix} ${r}`).join('\n') + '\n';
}

describe('our checker and llvm-jitlink agree', () => {
  it('on passing rules, false rules and every error message, in order', () => {
    // Interleave passing and failing rules, and add continuation lines and layout noise.
    const lines: string[] = ['# A check file in the style of llvm-jitlink tests', ''];
    FAILING.forEach((rule, i) => {
      lines.push(`# jitlink-check: ${rule}`);
      const pass = PASSING[i % PASSING.length]!;
      lines.push(`   # jitlink-check: ${pass}`);
    });
    lines.push('# jitlink-check: *{8}d64 = \\', '', '  # jitlink-check:     0x1122334455667788');
    lines.push('# jitlink-check: (d32 - \\', '# jitlink-check: d64)[31:0] = 0x10');
    lines.push('# jitlink-check: main = \\', 'not a rule line: ends the rule above');
    lines.push('# jitlink-check: 5 = 6 \\ ');
    lines.push('#jitlink-check: 1 = 2', '# other-check: 1 = 2', '\t# jitlink-check:\t1 = 2\r# jitlink-check: 3 = 3\r\n');
    const checks = lines.join('\n');

    const run = runLlvmJitlink({ source: SOURCE, checks, absolute: ABSOLUTE });
    expect(run.symbols.get('main')?.address).toBe(0x7fff00001000n);

    const checker = new RuleChecker({ environment: environmentFrom(run, 'obj.o') });
    const result = checker.checkBuffer('checks.txt', checks);
    const ours = formatCheckResults([result]);

    expect(run.messages.length).toBeGreaterThan(FAILING.length);
    expect(ours).toEqual([...run.messages, 'Some checks in checks.txt failed']);
    expect(run.failedFile).toBe('checks.txt');
    expect(run.status).toBe(1);
    // our outcomes carry the lines the rules start on
    const continued = result.outcomes.find((o) => o.expression === '*{8}d64 =      0x1122334455667788');
    expect(continued).toMatchObject({ passed: true, line: 2 * FAILING.length + 3, endLine: 2 * FAILING.length + 5 });
  });

  it('on a file whose rules all pass', () => {
    const checks = checkFile(PASSING);
    const run = runLlvmJitlink({ source: SOURCE, checks, absolute: ABSOLUTE });
    expect(run.messages).toEqual([]);
    expect(run.status).toBe(0);
    const result = new RuleChecker({ environment: environmentFrom(run, 'obj.o') }).checkBuffer('checks.txt', checks);
    expect(result.passed).toBe(true);
    expect(result.outcomes).toHaveLength(PASSING.length);
  });

  it('on a file without rules (which fails)', () => {
    const checks = '# nothing to check here\n# jitlink-check:\n';
    const run = runLlvmJitlink({ source: SOURCE, checks, absolute: ABSOLUTE });
    expect(run.status).toBe(1);
    expect(run.failedFile).toBe('checks.txt');
    const result = new RuleChecker({ environment: environmentFrom(run, 'obj.o') }).checkBuffer('checks.txt', checks);
    expect(result).toEqual({ file: 'checks.txt', outcomes: [], passed: false, failure: 'Some checks in checks.txt failed' });
  });

  it('on -check-name', () => {
    const checks = checkFile(['absv = 1'], '# my-check:') + checkFile(['absv = 2']);
    const run = runLlvmJitlink({ source: SOURCE, checks, absolute: ABSOLUTE, extraArgs: ['-check-name=my-check'] });
    const result = new RuleChecker({ environment: environmentFrom(run, 'obj.o'), checkName: 'my-check' }).checkBuffer('checks.txt', checks);
    expect(run.messages).toEqual(["Expression 'absv = 1' is false: 0x12345678abcdef != 0x1"]);
    expect(formatCheckResults([result])).toEqual([...run.messages, 'Some checks in checks.txt failed']);
  });
});
