/**
 * Cross-check against LLVM itself: thousands of instruction words are disassembled by `llvm-mc --disassemble
 * -show-inst` (LLVM 14) and by our decoder. For every word:
 * - LLVM rejects it                       -> we must reject it;
 * - LLVM decodes it to an opcode we cover -> we must produce the same opcode and the same operands;
 * - LLVM decodes it to anything else      -> we must reject it (never misread another instruction).
 */
import { describe, expect, it } from 'vitest';
import { AARCH64_DECODED_OPCODES, decodeAArch64Instruction } from '@orc-ts/target-aarch64';
import { assembleWords, llvmDisassemble, renderLlvm, renderOurs } from './llvm-mc.js';

/** A small deterministic PRNG (mulberry32), so failures reproduce. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
}

/** Encoding classes (fixed bits) to fill with random bits, wider than what the decoder accepts. */
const CLASSES: Array<[mask: number, value: number]> = [
  [0x1f000000, 0x10000000], // ADR/ADRP
  [0x1f000000, 0x11000000], // add/sub immediate (+ tagged forms)
  [0x1f800000, 0x12800000], // move wide
  [0x1f800000, 0x12000000], // logical immediate (neighbour of move wide)
  [0x7c000000, 0x14000000], // B/BL
  [0xfe000000, 0x54000000], // conditional branch, including bit 4 set
  [0x7e000000, 0x34000000], // CBZ/CBNZ
  [0x7e000000, 0x36000000], // TBZ/TBNZ
  [0x3b000000, 0x18000000], // LDR literal
  [0x3b000000, 0x39000000], // load/store unsigned offset
  [0x3b000000, 0x38000000], // load/store (register, unscaled, pre/post-index): neighbours
  [0xfffff01f, 0xd503201f], // hints
  [0xffffff00, 0xd503f000], // nearby system instructions
  [0xff800000, 0xd6000000], // branch (register) family
  [0xfffffc1f, 0xd61f0000], // BR
  [0xfffffc1f, 0xd63f0000], // BLR
  [0xfffffc1f, 0xd65f0000], // RET
];

function sampleWords(): number[] {
  const rnd = random(0x0c0ffee);
  const words: number[] = [];
  for (const [mask, value] of CLASSES) {
    for (let i = 0; i < 400; i++) words.push((value | (rnd() & ~mask)) >>> 0);
  }
  for (let imm = 0; imm < 128; imm++) words.push((0xd503201f | (imm << 5)) >>> 0);
  for (let i = 0; i < 4000; i++) words.push(rnd());
  return words;
}

function compare(words: number[]): { mismatches: string[]; covered: Set<string> } {
  const llvm = llvmDisassemble(words);
  const supported = new Set(AARCH64_DECODED_OPCODES);
  const mismatches: string[] = [];
  const covered = new Set<string>();
  words.forEach((word, i) => {
    const theirs = llvm[i];
    let ours: string;
    try {
      ours = renderOurs(decodeAArch64Instruction(word));
    } catch (err) {
      ours = `<rejected: ${(err as Error).message}>`;
    }
    const hex = `0x${word.toString(16).padStart(8, '0')}`;
    if (theirs === undefined || !supported.has(theirs.opcode)) {
      if (!ours.startsWith('<rejected')) mismatches.push(`${hex}: LLVM ${theirs ? `decodes ${theirs.opcode}` : 'rejects it'}, we decode ${ours}`);
      return;
    }
    covered.add(theirs.opcode);
    const expected = renderLlvm(theirs);
    if (ours !== expected) mismatches.push(`${hex}: LLVM ${expected}, we ${ours}`);
  });
  return { mismatches, covered };
}

describe('AArch64OperandDecoder agrees with llvm-mc -show-inst', () => {
  it('on assembled instructions of every supported form, and on each of their one-bit neighbours', () => {
    const asm = [
      'adr x3, #-1048576',
      'adrp x4, #4294963200',
      'add w1, w2, #3, lsl #12',
      'adds wzr, wsp, #9',
      'subs x7, x8, #4095',
      'sub sp, x9, #1',
      'movz w0, #1, lsl #16',
      'movn x5, #0xffff, lsl #48',
      'movk x6, #0xbeef, lsl #32',
      'b #134217724',
      'bl #-4',
      'b.hs #-8',
      'b.nv #12',
      'cbz w10, #-1048576',
      'cbnz x11, #4',
      'tbz x12, #33, #-4',
      'tbnz w13, #0, #8',
      'ldr w14, #-4',
      'ldr x15, #8',
      'ldrsw x16, #12',
      'prfm plil3strm, #-4',
      'ldr s17, #4',
      'ldr d18, #8',
      'ldr q19, #12',
      'strb w20, [x21, #4095]',
      'ldrb w22, [sp]',
      'ldrsb x23, [x24, #1]',
      'ldrsb w25, [x26, #2]',
      'strh w27, [x28, #8190]',
      'ldrh w29, [x30, #2]',
      'ldrsh x0, [x1, #4]',
      'ldrsh w2, [x3, #6]',
      'str w4, [x5, #16380]',
      'ldr w6, [x7, #4]',
      'ldrsw x8, [x9, #8]',
      'str x10, [x11, #32760]',
      'ldr x12, [x13, #8]',
      'prfm pstl2keep, [x14, #32760]',
      'str b15, [x16, #1]',
      'ldr b17, [x18, #2]',
      'str h19, [x20, #2]',
      'ldr h21, [x22, #4]',
      'str s23, [x24, #4]',
      'ldr s25, [x26, #8]',
      'str d27, [x28, #8]',
      'ldr d29, [x30, #16]',
      'str q30, [sp, #16]',
      'ldr q31, [x0, #32]',
      'br x17',
      'blr x0',
      'ret x1',
      'nop',
      'wfi',
      'sevl',
    ];
    const base = assembleWords(asm);
    const words = [...base];
    for (const w of base) for (let bit = 0; bit < 32; bit++) words.push((w ^ (1 << bit)) >>> 0);
    const { mismatches, covered } = compare(words);
    expect(mismatches.slice(0, 20)).toEqual([]);
    // every opcode the decoder claims was exercised against LLVM
    expect([...AARCH64_DECODED_OPCODES].filter((op) => !covered.has(op))).toEqual([]);
  });

  it('on random words, inside and around each supported encoding class and anywhere', () => {
    const words = sampleWords();
    const { mismatches, covered } = compare(words);
    expect(mismatches.slice(0, 20)).toEqual([]);
    expect(covered.size).toBeGreaterThan(40);
  });
});
