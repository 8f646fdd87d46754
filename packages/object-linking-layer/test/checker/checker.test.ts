import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  InstructionDecodeError,
  RuleChecker,
  formatCheckResults,
  summarizeCheckResults,
  type DecodedInstruction,
  type InstructionDecoder,
} from '@orc-ts/object-linking-layer';
import { fakeEnvironment, u64, words, type FakeProgram } from './fake-environment.js';

// A linked program in the shape of an llvm-jitlink AArch64 relocation test: addresses as a slab allocator at
// 0x7fff00000000 would give them, instruction words as the fixups would leave them.
const TEXT = 0x7fff00001000n;
const GOT = 0x7fff00001200n;
const STUBS = 0x7fff00001300n;
const DATA = 0x7fff00002000n;

const sym = (offset: bigint, ...ws: number[]): { address: bigint; bytes: Uint8Array } => ({ address: TEXT + offset, bytes: words(...ws) });

const program: FakeProgram = {
  symbols: {
    main: sym(0x00n, 0xd65f03c0),
    local_func: sym(0x04n, 0xd65f03c0),
    local_func_call26: sym(0x08n, 0x97ffffff), // bl local_func
    test_adr_prel: sym(0x0cn, 0xb0000000), // adrp x0, named_data (one page up)
    test_add_abs_lo12: sym(0x10n, 0x91004000), // add x0, x0, #0x10
    test_ldr_64bit: sym(0x14n, 0xf9400820), // ldr x0, [x1, #0x10]
    test_external_call: sym(0x18n, 0x940000ba), // bl <stub for external_func>
    test_adr_gotpage_external: sym(0x1cn, 0x90000000), // adrp x0, <GOT page>
    test_ld64_gotlo12_external: sym(0x20n, 0xf9410000), // ldr x0, [x0, #0x200]
    test_condbr19_cbz: sym(0x24n, 0xb4000400), // cbz x0, +0x80
    test_condbr19_cbz_target: { address: TEXT + 0xa4n, bytes: [] },
    named_data: { address: DATA + 0x10n, bytes: [...u64(0x2222222222222222n), ...u64(0x3333333333333333n)] },
    local_func_addr_quad: { address: DATA + 0x20n, bytes: u64(TEXT + 0x04n) },
    external_func_addr_quad: { address: DATA + 0x28n, bytes: u64(0xcafef00dn) },
    bss_var: { address: DATA + 0x30n, zeroFill: 8 },
    external_data: { address: 0xdeadbeefn },
    external_func: { address: 0xcafef00dn },
  },
  files: {
    'elf_reloc.o': {
      sections: { '.text': TEXT, '.data': DATA + 0x10n, $__GOT: GOT, $__STUBS: STUBS },
      got: { external_data: GOT, external_func: GOT + 8n },
      stubs: { external_func: [STUBS] },
    },
  },
  memory: [
    [GOT, u64(0xdeadbeefn)],
    [GOT + 8n, u64(0xcafef00dn)],
  ],
};

/** A decoder that knows the handful of instruction words above, with LLVM's MCInst operands. */
const tableDecoder: InstructionDecoder = {
  decode(bytes: Uint8Array): DecodedInstruction {
    if (bytes.length < 4) throw new InstructionDecodeError('fewer than 4 bytes');
    const word = new DataView(bytes.buffer, bytes.byteOffset).getUint32(0, true);
    const table: Record<number, [string, DecodedInstruction['operands']]> = {
      0xd65f03c0: ['RET', [{ reg: 'LR' }]],
      0x97ffffff: ['BL', [-1n]],
      0x940000ba: ['BL', [0xban]],
      0xb0000000: ['ADRP', [{ reg: 'X0' }, 1n]],
      0x90000000: ['ADRP', [{ reg: 'X0' }, 0n]],
      0x91004000: ['ADDXri', [{ reg: 'X0' }, { reg: 'X0' }, 0x10n, 0n]],
      0xf9400820: ['LDRXui', [{ reg: 'X0' }, { reg: 'X1' }, 2n]],
      0xf9410000: ['LDRXui', [{ reg: 'X0' }, { reg: 'X0' }, 0x40n]],
      0xb4000400: ['CBZX', [{ reg: 'X0' }, 0x20n]],
    };
    const hit = table[word];
    if (!hit) throw new InstructionDecodeError(`unknown word 0x${word.toString(16)}`);
    return { size: 4, opcode: hit[0], mnemonic: hit[0].toLowerCase(), operands: hit[1] };
  },
};

const CHECK_FILE = String.raw`# RUN: rm -rf %t && mkdir -p %t
# RUN: llvm-mc -triple=aarch64-unknown-linux-gnu -position-independent \
# RUN:     -filetype=obj -o %t/elf_reloc.o %s
# RUN: llvm-jitlink -noexec -abs external_data=0xdeadbeef \
# RUN:     -abs external_func=0xcafef00d -check %s %t/elf_reloc.o

        .text
        .globl  main
        .p2align  2
main:
        ret
        .size   main, .-main

# Branches to a local function are fixed up in place, without a stub.
#
# jitlink-check: decode_operand(local_func_call26, 0)[25:0] = \
# jitlink-check:     (local_func - local_func_call26)[27:2]
        .globl  local_func_call26
local_func_call26:
        bl      local_func

# ADRP + ADD to a local symbol: the page delta and the low 12 bits.
#
# jitlink-check: decode_operand(test_adr_prel, 1) = (named_data - test_adr_prel)[32:12]
# jitlink-check: decode_operand(test_add_abs_lo12, 2) = (named_data + 0)[11:0]
# jitlink-check: decode_operand(test_ldr_64bit, 2) = (named_data + 0)[11:3]

# External calls go through a stub, which loads the GOT entry.
#
# jitlink-check: decode_operand(test_external_call, 0) = (stub_addr(elf_reloc.o, external_func) - test_external_call)[27:2]
# jitlink-check: *{8}(got_addr(elf_reloc.o, external_func)) = external_func
# jitlink-check: *{8}(got_addr(elf_reloc.o, external_data)) = external_data
# jitlink-check: decode_operand(test_adr_gotpage_external, 1) = \
# jitlink-check:     (got_addr(elf_reloc.o, external_data)[32:12] - \
# jitlink-check:        test_adr_gotpage_external[32:12])
# jitlink-check: decode_operand(test_ld64_gotlo12_external, 2) = \
# jitlink-check:     got_addr(elf_reloc.o, external_data)[11:3]
# jitlink-check: section_addr(elf_reloc.o, $__GOT) & 0xfffffffffffff000 = got_addr(elf_reloc.o, external_data)[63:12] << 12

# Pointers in data.
#
# jitlink-check: *{8}local_func_addr_quad = local_func
# jitlink-check: *{8}external_func_addr_quad = external_func
# jitlink-check: *{8}bss_var = 0
# jitlink-check: next_pc(local_func_call26) = test_adr_prel

# Conditional branch over a gap.
#
# jitlink-check: decode_operand(test_condbr19_cbz, 1) = \
# jitlink-check:     (test_condbr19_cbz_target - test_condbr19_cbz)[21:2]
`;

/** 1-based line of the first line of CHECK_FILE containing `text`. */
function lineOf(text: string): number {
  return CHECK_FILE.split('\n').findIndex((l) => l.includes(text)) + 1;
}

const checker = new RuleChecker({ environment: fakeEnvironment(program), decoder: tableDecoder });

describe('RuleChecker on an llvm-jitlink-style test file', () => {
  it('finds and passes every rule, with their lines', () => {
    const result = checker.checkBuffer('ELF_relocations.s', CHECK_FILE);
    expect(result.outcomes.filter((o) => !o.passed)).toEqual([]);
    expect(result.passed).toBe(true);
    expect(result.failure).toBeUndefined();
    expect(result.outcomes).toHaveLength(15);
    expect(result.outcomes[0]).toMatchObject({
      file: 'ELF_relocations.s',
      line: 16,
      endLine: 17,
      expression: 'decode_operand(local_func_call26, 0)[25:0] =      (local_func - local_func_call26)[27:2]',
      status: 'passed',
      lhs: 0x3ffffffn,
      rhs: 0x3ffffffn,
    });
    const gotPage = result.outcomes.find((o) => o.expression.startsWith('decode_operand(test_adr_gotpage_external'));
    const gotPageLine = lineOf('decode_operand(test_adr_gotpage_external');
    expect(gotPage).toMatchObject({ line: gotPageLine, endLine: gotPageLine + 2, passed: true });
  });

  it('reports a wrong expectation with the file verdict', () => {
    const broken = CHECK_FILE.replace('(named_data + 0)[11:3]', '(named_data + 8)[11:3]');
    const result = checker.checkBuffer('ELF_relocations.s', broken);
    expect(result.passed).toBe(false);
    expect(result.failure).toBe('Some checks in ELF_relocations.s failed');
    const failed = result.outcomes.filter((o) => !o.passed);
    expect(failed).toEqual([
      {
        file: 'ELF_relocations.s',
        line: lineOf('decode_operand(test_ldr_64bit'),
        endLine: lineOf('decode_operand(test_ldr_64bit'),
        expression: 'decode_operand(test_ldr_64bit, 2) = (named_data + 8)[11:3]',
        passed: false,
        status: 'false',
        lhs: 2n,
        rhs: 3n,
        message: "Expression 'decode_operand(test_ldr_64bit, 2) = (named_data + 8)[11:3]' is false: 0x2 != 0x3",
      },
    ]);
  });

  it('keeps evaluating after a failed rule, as LLVM does', () => {
    const result = checker.checkBuffer('f.s', '# jitlink-check: nope = 1\n# jitlink-check: main = main\n# jitlink-check: main = 0\n');
    expect(result.outcomes.map((o) => o.status)).toEqual(['error', 'passed', 'false']);
    expect(formatCheckResults([result])).toEqual([
      "Error evaluating expression 'nope = 1': No known address for symbol 'nope'",
      "Expression 'main = 0' is false: 0x7fff00001000 != 0x0",
      'Some checks in f.s failed',
    ]);
  });

  it('fails a file without rules', () => {
    expect(checker.checkBuffer('empty.s', '# jitlink-check:\n  ret\n')).toEqual({
      file: 'empty.s',
      outcomes: [],
      passed: false,
      failure: 'Some checks in empty.s failed',
    });
  });

  it('fails a rule that continues past the end of the file', () => {
    const result = checker.checkBuffer('f.s', '# jitlink-check: main = main\n# jitlink-check: main = \\\n');
    expect(result.passed).toBe(false);
    expect(result.outcomes[1]).toMatchObject({
      line: 2,
      status: 'error',
      message:
        "Error evaluating expression 'main =': the rule's last line ends with a '\\' continuation, but no rule line follows before the end of the file",
    });
  });

  it('uses the configured check name', () => {
    const custom = new RuleChecker({ environment: fakeEnvironment(program), decoder: tableDecoder, checkName: 'my-check' });
    const result = custom.checkBuffer('f.s', '# jitlink-check: main = 1\n# my-check: main = 0x7fff00001000\n');
    expect(result.outcomes.map((o) => o.expression)).toEqual(['main = 0x7fff00001000']);
    expect(result.passed).toBe(true);
  });

  it('checks a lone rule', () => {
    expect(checker.check('  *{8}external_func_addr_quad = external_func ')).toEqual({
      file: '',
      line: 0,
      endLine: 0,
      expression: '*{8}external_func_addr_quad = external_func',
      passed: true,
      status: 'passed',
      lhs: 0xcafef00dn,
      rhs: 0xcafef00dn,
    });
    expect(checker.check('decode_operand(main + 4, 0) = 0')).toMatchObject({ status: 'error', detail: 'fewer than 4 bytes' });
    expect(checker.expressionEvaluator.evaluateExpression('got_addr(elf_reloc.o, external_func)')).toEqual({ ok: true, value: GOT + 8n });
  });

  it('reads check files from disk, reporting the path as given', () => {
    const dir = mkdtempSync(join(tmpdir(), 'orc-ts-checker-'));
    try {
      const path = join(dir, 'rules.s');
      writeFileSync(path, '# jitlink-check: main = 0\n');
      const result = checker.checkFile(path);
      expect(result.file).toBe(path);
      expect(result.failure).toBe(`Some checks in ${path} failed`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('evaluates thousands of rules quickly', () => {
    const names = Object.keys(program.symbols).filter((n) => program.symbols[n]!.bytes !== undefined);
    const lines: string[] = [];
    for (let i = 0; i < 6000; i++) {
      const a = names[i % names.length]!;
      const b = names[(i * 7) % names.length]!;
      switch (i % 4) {
        case 0:
          lines.push(`# jitlink-check: (${a} - ${b})[27:2] = (${a} - ${b})[27:2]`);
          break;
        case 1:
          lines.push(`# jitlink-check: decode_operand(test_ldr_64bit, 2) = (named_data + ${i % 8})[11:3]`);
          break;
        case 2:
          lines.push(`# jitlink-check: *{8}(got_addr(elf_reloc.o, external_data)) = \\`, `# jitlink-check:   external_data`);
          break;
        default:
          lines.push(`# jitlink-check: ${a}+${i}&0xffff = ${a}+${i}&0xffff`);
      }
    }
    const start = performance.now();
    const result = checker.checkBuffer('big.s', lines.join('\n'));
    const elapsed = performance.now() - start;
    expect(result.outcomes).toHaveLength(6000);
    expect(result.passed).toBe(true);
    expect(elapsed).toBeLessThan(4000);
  });
});

describe('summaries', () => {
  it('add up files, rules and failures', () => {
    const good = checker.checkBuffer('good.s', '# jitlink-check: main = main\n# jitlink-check: 1 = 1\n');
    const bad = checker.checkBuffer('bad.s', '# jitlink-check: main = 1\n# jitlink-check: 2 = 2\n# jitlink-check: nope = 1\n');
    const empty = checker.checkBuffer('empty.s', 'nothing\n');
    const summary = summarizeCheckResults([good, bad, empty]);
    expect(summary).toMatchObject({ files: 3, rules: 5, passedRules: 3, failedRules: 2, failedFiles: ['bad.s', 'empty.s'], allPassed: false });
    expect(summary.failures.map((o) => [o.file, o.line, o.status])).toEqual([
      ['bad.s', 1, 'false'],
      ['bad.s', 3, 'error'],
    ]);
    expect(formatCheckResults([good, bad, empty])).toEqual([
      "Expression 'main = 1' is false: 0x7fff00001000 != 0x1",
      "Error evaluating expression 'nope = 1': No known address for symbol 'nope'",
      'Some checks in bad.s failed',
      'Some checks in empty.s failed',
    ]);
    expect(summarizeCheckResults([good])).toMatchObject({ allPassed: true, failedRules: 0, failures: [] });
    expect(formatCheckResults([good])).toEqual([]);
  });
});
