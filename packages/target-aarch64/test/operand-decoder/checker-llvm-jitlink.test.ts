/**
 * End-to-end differential test of `decode_operand` / `next_pc`: llvm-jitlink (LLVM 14) links an AArch64 object
 * and checks rules against it; our RuleChecker with the AArch64OperandDecoder checks the same rules against the
 * bytes llvm-jitlink linked (`-show-relocated-section-contents`) at the addresses it chose (`-show-addrs`).
 * The failure messages must be the same, in order. LLVM prints instructions with its internal opcode and register
 * numbers (`<MCInst #1013 ADDXri <MCOperand Reg:218> ...>`); those are translated to names before comparing.
 *
 * LLVM 14's ELF/AArch64 JITLink only handles CALL26 and ABS64 relocations, so all other instructions carry literal
 * immediates; the checker and decoder do not care where the bits came from.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CheckerRegistry, RuleChecker, formatCheckResults, readUnsignedInteger } from '@orc-ts/object-linking-layer';
import { AArch64OperandDecoder } from '@orc-ts/target-aarch64';
import { assembleAArch64, findLlvmTool } from '@orc-ts/test-support';
import { llvmRegisterNames } from './llvm-mc.js';

const INSTRUCTIONS: Array<[name: string, asm: string]> = [
  ['main', 'ret'],
  ['f', 'ret'],
  ['call_f', 'bl f'],
  ['call_back', 'bl main'],
  ['i_adr', 'adr x3, #-4'],
  ['i_adrp', 'adrp x1, #8192'],
  ['i_add', 'add x0, sp, #16, lsl #12'],
  ['i_subs', 'subs w1, w2, #5'],
  ['i_movz', 'movz x0, #0x1234, lsl #48'],
  ['i_movk', 'movk x6, #0xbeef, lsl #32'],
  ['i_movn', 'movn w2, #7'],
  ['i_b', 'b #-4'],
  ['i_bcc', 'b.ne #8'],
  ['i_cbz', 'cbz x0, #-1048576'],
  ['i_tbnz', 'tbnz x4, #33, #-32768'],
  ['i_ldrlit', 'ldr x0, #1048572'],
  ['i_prfm', 'prfm pldl1strm, #12'],
  ['i_ldrq', 'ldr q0, [x0, #65520]'],
  ['i_ldrb', 'ldrb w0, [x1, #4095]'],
  ['i_strh', 'strh w3, [x2, #6]'],
  ['i_ldrsw', 'ldrsw x0, [x1, #8]'],
  ['i_br', 'br x16'],
  ['i_blr', 'blr x30'],
  ['i_nop', 'nop'],
];

const SOURCE = [
  '  .text',
  '  .p2align 2',
  ...INSTRUCTIONS.flatMap(([name, asm]) => [`  .globl ${name}`, `${name}:`, `  ${asm}`, `  .size ${name}, 4`]),
  '  .globl i_two',
  'i_two:',
  '  movz w1, #1',
  '  add x2, x3, #4',
  '  .size i_two, 8',
].join('\n');

const RULES = [
  'decode_operand(call_f, 0)[25:0] = (f - call_f)[27:2]',
  'decode_operand(call_back, 0) = (main - call_back)[27:2]',
  'decode_operand(call_back, 0)[25:0] = (main - call_back)[27:2]',
  'decode_operand(call_f, 0) = 1',
  'decode_operand(i_adr, 1) = 0xfffffffffffffffc',
  'decode_operand(i_adr, 1) = 4',
  'decode_operand(i_adr, 0) = 3',
  'decode_operand(i_adrp, 1) = 2',
  'decode_operand(i_add, 2) = 16',
  'decode_operand(i_add, 3) = 12',
  'decode_operand(i_add, 1) = 0',
  'decode_operand(i_subs, 0) = 0',
  'decode_operand(i_subs, 2) = 5',
  'decode_operand(i_movz, 1) = 0x1234',
  'decode_operand(i_movz, 2) = 48',
  'decode_operand(i_movk, 1) = 6',
  'decode_operand(i_movk, 2) = 0xbeef',
  'decode_operand(i_movk, 3) = 32',
  'decode_operand(i_movk, 4) = 0',
  'decode_operand(i_movn, 1) = 7',
  'decode_operand(i_movn, 2) = 16',
  'decode_operand(i_b, 0) = 0xffffffffffffffff',
  'decode_operand(i_b, 0)[25:0] = 0x3ffffff',
  'decode_operand(i_bcc, 0) = 1',
  'decode_operand(i_bcc, 1) = 2',
  'decode_operand(i_cbz, 1) = 0xfffffffffffc0000',
  'decode_operand(i_cbz, 1)[18:0] = 0x40000',
  'decode_operand(i_cbz, 0) = 0',
  'decode_operand(i_tbnz, 1) = 33',
  'decode_operand(i_tbnz, 2)[13:0] = 0x2000',
  'decode_operand(i_tbnz, 2) = 0x2000',
  'decode_operand(i_ldrlit, 1) = 262143',
  'decode_operand(i_prfm, 0) = 1',
  'decode_operand(i_prfm, 1) = 3',
  'decode_operand(i_ldrq, 2) = 4095',
  'decode_operand(i_ldrq, 0) = 0',
  'decode_operand(i_ldrb, 2) = 4095',
  'decode_operand(i_strh, 2) = 3',
  'decode_operand(i_ldrsw, 2) = 2',
  'decode_operand(i_ldrsw, 2) = 8',
  'decode_operand(i_br, 0) = 16',
  'decode_operand(i_blr, 0) = 30',
  'decode_operand(i_nop, 0) = 0',
  'decode_operand(i_nop, 1) = 0',
  'decode_operand(main, 0) = 0',
  'decode_operand(i_two, 1) = 1',
  'decode_operand(i_two + 4, 2) = 4',
  'decode_operand(i_two + 4, 3) = 4',
  'decode_operand(i_two + 8, 0) = 0',
  'next_pc(i_add) = i_add + 4',
  'next_pc(i_two) = i_two + 4',
  'next_pc(call_f) = call_back',
  'next_pc(i_nop) = i_nop',
];

interface LinkedSymbol {
  address: bigint;
  size: number;
}

/** Runs llvm-jitlink and collects its diagnostics, symbol addresses and the linked bytes. */
function runLlvmJitlink(checks: string): { messages: string[]; status: number | null; symbols: Map<string, LinkedSymbol>; memory: Map<bigint, number> } {
  const dir = mkdtempSync(join(tmpdir(), 'orc-ts-jitlink-'));
  try {
    writeFileSync(join(dir, 'decode.o'), assembleAArch64(SOURCE));
    writeFileSync(join(dir, 'checks.txt'), checks);
    const result = spawnSync(
      findLlvmTool('llvm-jitlink'),
      ['-noexec', '-show-addrs', '-show-relocated-section-contents', '-slab-allocate', '64Kb', '-slab-address', '0x7fff00000000', '-slab-page-size', '4096', '-check', 'checks.txt', 'decode.o'],
      { cwd: dir, encoding: 'utf8' },
    );
    const symbols = new Map<string, LinkedSymbol>();
    const memory = new Map<bigint, number>();
    for (const line of result.stdout.split('\n')) {
      const sym = /^\s*"(.*)" target addr = 0x([0-9a-f]+), content: .* \((\d+) bytes\)/.exec(line);
      if (sym) symbols.set(sym[1]!, { address: BigInt(`0x${sym[2]}`), size: Number(sym[3]) });
      const bytes = /^0x([0-9a-f]+): ((?:[0-9a-f]{2} ?)+)$/.exec(line.trim());
      if (bytes) bytes[2]!.trim().split(' ').forEach((b, i) => memory.set(BigInt(`0x${bytes[1]}`) + BigInt(i), parseInt(b, 16)));
    }
    const messages: string[] = [];
    for (const line of result.stderr.split('\n')) {
      if (line === '' || / Some checks in .* failed$/.test(line)) continue;
      if (line.startsWith('Error evaluating expression') || line.startsWith('Expression ')) messages.push(line);
      else messages[messages.length - 1] += `\n${line}`;
    }
    return { messages, status: result.status, symbols, memory };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `<MCInst #1013 ADDXri <MCOperand Reg:218> ...>` -> `<MCInst ADDXri <MCOperand Reg:X0> ...>`. */
function withRegisterNames(message: string): string {
  const names = llvmRegisterNames();
  return message.replace(/<MCInst #\d+ /g, '<MCInst ').replace(/Reg:(\d+)>/g, (_, n: string) => `Reg:${names.get(Number(n)) ?? n}>`);
}

describe('decode_operand and next_pc agree with llvm-jitlink', () => {
  it('on every supported instruction class, after linking', () => {
    const checks = RULES.map((rule) => `# jitlink-check: ${rule}`).join('\n') + '\n';
    const run = runLlvmJitlink(checks);
    expect(run.status).toBe(1);
    expect(run.symbols.size).toBe(INSTRUCTIONS.length + 1);

    const registry = new CheckerRegistry({
      readMemory(address, size) {
        const bytes = Uint8Array.from({ length: size }, (_, i) => run.memory.get(address + BigInt(i)) ?? 0);
        return readUnsignedInteger(bytes, 0, size, 'little');
      },
    });
    for (const [name, sym] of run.symbols) {
      const content = Uint8Array.from({ length: sym.size }, (_, i) => {
        const byte = run.memory.get(sym.address + BigInt(i));
        if (byte === undefined) throw new Error(`no linked byte for ${name}+${i}`);
        return byte;
      });
      registry.registerSymbol(name, { address: sym.address, content });
    }
    const checker = new RuleChecker({ environment: registry, decoder: new AArch64OperandDecoder() });
    const result = checker.checkBuffer('checks.txt', checks);
    const ours = formatCheckResults([result]);

    // sanity: a fair share of rules pass and a fair share fail, with several instruction dumps among them
    expect(run.messages.length).toBeGreaterThan(12);
    expect(run.messages.length).toBeLessThan(RULES.length - 20);
    expect(run.messages.filter((m) => m.includes('Instruction is:')).length).toBeGreaterThanOrEqual(6);
    expect(ours).toEqual([...run.messages.map(withRegisterNames), 'Some checks in checks.txt failed']);
  });
});
