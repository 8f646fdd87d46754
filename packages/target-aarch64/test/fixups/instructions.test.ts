import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  NOP,
  encodeADDImm64,
  encodeADR,
  encodeADRP,
  encodeB,
  encodeBL,
  encodeBLR,
  encodeBR,
  encodeLDRLiteral,
  encodeLDRUnsignedImm,
  encodeMOVK,
  encodeMOVZ,
  encodeRET,
  encodeSTPPreIndex64,
  getMoveWide16Shift,
  getPageOffset12Shift,
  getRd,
  getRn,
  getRt,
  isADDImm,
  isADR,
  isADRP,
  isBL,
  isBranchImm26,
  isCompAndBranchImm19,
  isCondBranchImm19,
  isLDR64UnsignedImm,
  isLDRLiteral,
  isLoadStoreImm12,
  isMoveWideImm16,
  isTestAndBranchImm14,
} from '../../src/index.js';
import { assembleWords } from './elf-helpers.js';

// A catalogue of instructions (assembled by llvm-mc) and, per predicate, exactly those that satisfy it.
const catalogue = [
  'ldrb w0, [x1, #1]', // 0
  'ldrh w0, [x1, #2]', // 1
  'ldr w0, [x1, #4]', // 2
  'ldr x0, [x1, #8]', // 3
  'str x5, [sp]', // 4
  'ldr b0, [x1]', // 5
  'ldr h0, [x1]', // 6
  'ldr s0, [x1]', // 7
  'ldr d0, [x1]', // 8
  'ldr q0, [x1, #16]', // 9
  'str q31, [x2]', // 10
  'ldrsw x0, [x1]', // 11
  'ldrsb w0, [x1]', // 12
  'prfm pldl1keep, [x1]', // 13
  'ldur x0, [x1, #1]', // 14
  'ldr x0, [x1, x2]', // 15
  'ldp x0, x1, [x2]', // 16
  'movz x0, #0', // 17
  'movk x1, #0, lsl #16', // 18
  'movk x2, #0, lsl #32', // 19
  'movz x3, #0, lsl #48', // 20
  'movk w4, #0, lsl #16', // 21
  'movn x0, #0', // 22
  'movz x0, #1', // 23
  'adr x0, #0', // 24
  'adrp x16, #0', // 25
  'ldr x0, #0', // 26
  'ldr w0, #0', // 27
  'ldr q0, #0', // 28
  'ldrsw x0, #0', // 29
  'prfm pldl1keep, #0', // 30
  'tbz w0, #0, #0', // 31
  'tbnz x0, #63, #0', // 32
  'b.ne #0', // 33
  'cbz w0, #0', // 34
  'cbnz x0, #0', // 35
  'b #0', // 36
  'bl #0', // 37
  'br x16', // 38
  'nop', // 39
  'add x16, x16, #0', // 40
  'add w0, w1, #1, lsl #12', // 41
  'adds x0, x0, #0', // 42
  'sub x0, x0, #0', // 43
];
const words = assembleWords(catalogue);

function matching(pred: (w: number) => boolean): number[] {
  return words.flatMap((w, i) => (pred(w) ? [i] : []));
}

describe('predicates classify llvm-mc output like LLVM', () => {
  it('isLoadStoreImm12 and getPageOffset12Shift (incl. the 128-bit vector case)', () => {
    expect(matching(isLoadStoreImm12)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13]);
    expect([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13].map((i) => getPageOffset12Shift(words[i]!))).toEqual([0, 1, 2, 3, 3, 0, 1, 2, 3, 4, 4, 2, 0, 3]);
    expect(getPageOffset12Shift(words[40]!)).toBe(0); // ADD: not a load/store
    expect(getPageOffset12Shift(words[14]!)).toBe(0);
  });
  it('isMoveWideImm16 and getMoveWide16Shift (MOVN and non-zero immediates excluded)', () => {
    expect(matching(isMoveWideImm16)).toEqual([17, 18, 19, 20, 21]);
    expect([17, 18, 19, 20, 21].map((i) => getMoveWide16Shift(words[i]!))).toEqual([0, 16, 32, 48, 16]);
    expect(getMoveWide16Shift(words[22]!)).toBe(0);
  });
  it('ADR, ADRP, LDR (literal)', () => {
    expect(matching(isADR)).toEqual([24]);
    expect(matching(isADRP)).toEqual([25]);
    expect(matching(isLDRLiteral)).toEqual([26, 27, 28, 29, 30]);
  });
  it('branches', () => {
    expect(matching(isTestAndBranchImm14)).toEqual([31, 32]);
    expect(matching(isCondBranchImm19)).toEqual([33]);
    expect(matching(isCompAndBranchImm19)).toEqual([34, 35]);
    expect(matching(isBranchImm26)).toEqual([36, 37]);
    expect(matching(isBL)).toEqual([37]);
  });
  it('64-bit LDR (unsigned offset) and ADD (immediate)', () => {
    expect(matching(isLDR64UnsignedImm)).toEqual([3]);
    expect(matching(isADDImm)).toEqual([40, 41]);
  });
  it('register fields', () => {
    expect([getRd(words[25]!), getRt(words[3]!), getRn(words[3]!), getRn(words[4]!), getRt(words[10]!)]).toEqual([16, 0, 1, 31, 31]);
  });
});

describe('encoders produce llvm-mc encodings', () => {
  it('fixed forms', () => {
    expect([NOP, encodeBR(16), encodeBLR(1), encodeRET(), encodeRET(17), encodeSTPPreIndex64(29, 30, 31, -16), encodeB(), encodeBL()]).toEqual(
      assembleWords(['nop', 'br x16', 'blr x1', 'ret', 'ret x17', 'stp x29, x30, [sp, #-16]!', 'b #0', 'bl #0']),
    );
  });

  it('random operands', () => {
    const samples = fc.sample(
      fc.record({
        r1: fc.integer({ min: 0, max: 30 }),
        r2: fc.integer({ min: 0, max: 31 }),
        imm12: fc.integer({ min: 0, max: 4095 }),
        imm16: fc.integer({ min: 0, max: 0xffff }),
        hw: fc.integer({ min: 0, max: 3 }),
        adr: fc.integer({ min: -(2 ** 20), max: 2 ** 20 - 1 }),
        pages: fc.integer({ min: -(2 ** 20), max: 2 ** 20 - 1 }),
        lit: fc.integer({ min: -(2 ** 18), max: 2 ** 18 - 1 }),
        br: fc.integer({ min: -(2 ** 25), max: 2 ** 25 - 1 }),
        size: fc.integer({ min: 0, max: 3 }),
        stp: fc.integer({ min: -64, max: 63 }),
        lsl: fc.boolean(),
      }),
      { numRuns: 40, seed: 3 },
    );
    const lines: string[] = [];
    const ours: number[] = [];
    const sp = (r: number) => (r === 31 ? 'sp' : `x${r}`);
    for (const s of samples) {
      const ldr = ['ldrb w', 'ldrh w', 'ldr w', 'ldr x'][s.size]!;
      const scale = 1 << s.size;
      lines.push(
        `adr x${s.r1}, #${s.adr}`,
        `adrp x${s.r1}, #${s.pages * 4096}`,
        `add ${sp(s.r2)}, ${sp(s.r2 === 31 ? 31 : s.r1)}, #${s.imm12}${s.lsl ? ', lsl #12' : ''}`,
        `${ldr}${s.r1}, [${sp(s.r2)}, #${s.imm12 * scale}]`,
        `ldr x${s.r1}, #${s.lit * 4}`,
        `ldr w${s.r1}, #${s.lit * 4}`,
        `b #${s.br * 4}`,
        `bl #${s.br * 4}`,
        `movz x${s.r1}, #${s.imm16}, lsl #${16 * s.hw}`,
        `movk x${s.r1}, #${s.imm16}, lsl #${16 * s.hw}`,
        `movz w${s.r1}, #${s.imm16}, lsl #${16 * (s.hw & 1)}`,
        `movk w${s.r1}, #${s.imm16}, lsl #${16 * (s.hw & 1)}`,
        `stp x${s.r1}, x${s.r2 === 31 ? 0 : s.r2}, [sp, #${s.stp * 8}]!`,
      );
      ours.push(
        encodeADR(s.r1, s.adr),
        encodeADRP(s.r1, s.pages * 4096),
        encodeADDImm64(s.r2, s.r2 === 31 ? 31 : s.r1, s.imm12, s.lsl),
        encodeLDRUnsignedImm(s.r1, s.r2, s.imm12 * scale, s.size),
        encodeLDRLiteral(s.r1, s.lit * 4),
        encodeLDRLiteral(s.r1, s.lit * 4, false),
        encodeB(s.br * 4),
        encodeBL(s.br * 4),
        encodeMOVZ(s.r1, s.imm16, s.hw),
        encodeMOVK(s.r1, s.imm16, s.hw),
        encodeMOVZ(s.r1, s.imm16, s.hw & 1, false),
        encodeMOVK(s.r1, s.imm16, s.hw & 1, false),
        encodeSTPPreIndex64(s.r1, s.r2 === 31 ? 0 : s.r2, 31, s.stp * 8),
      );
    }
    expect(ours.map((w) => w.toString(16))).toEqual(assembleWords(lines).map((w) => w.toString(16)));
  });

  it('encoders return unsigned 32-bit values', () => {
    for (const w of [encodeADRP(16, -4096), encodeBL(-4), encodeLDRUnsignedImm(0, 0, 8), encodeMOVK(0, 0xffff, 3), encodeBR(31)]) {
      expect(w).toBeGreaterThanOrEqual(0);
      expect(w).toBeLessThan(2 ** 32);
      expect(Number.isInteger(w)).toBe(true);
    }
  });

  it('reject operands that do not fit', () => {
    expect(() => encodeBR(32)).toThrow(RangeError);
    expect(() => encodeBR(-1)).toThrow('rn must be a register number 0-31, got -1');
    expect(() => encodeADR(0, 2 ** 20)).toThrow('ADR offset must be a multiple of 1 in [-1048576, 1048575], got 1048576');
    expect(encodeADR(0, -(2 ** 20))).toBe(0x10800000);
    expect(() => encodeADRP(0, 2048)).toThrow(RangeError);
    expect(() => encodeADRP(0, 2 ** 32)).toThrow(RangeError);
    expect(() => encodeADRP(0, -(2 ** 32) - 4096)).toThrow(RangeError);
    expect(encodeADRP(0, -(2 ** 32))).toBe(0x90800000);
    expect(() => encodeB(2)).toThrow(RangeError);
    expect(() => encodeBL(2 ** 27)).toThrow(RangeError);
    expect(encodeBL(2 ** 27 - 4)).toBe(0x95ffffff);
    expect(() => encodeLDRLiteral(0, 2 ** 20)).toThrow(RangeError);
    expect(() => encodeLDRUnsignedImm(0, 0, 4, 3)).toThrow('LDR offset must be a multiple of 8 in [0, 32760], got 4');
    expect(() => encodeLDRUnsignedImm(0, 0, 32768, 3)).toThrow(RangeError);
    expect(() => encodeLDRUnsignedImm(0, 0, 0, 4)).toThrow(RangeError);
    expect(() => encodeADDImm64(0, 0, 4096)).toThrow(RangeError);
    expect(() => encodeMOVZ(0, 0x10000)).toThrow(RangeError);
    expect(() => encodeMOVK(0, 0, 2, false)).toThrow('hw must be in [0, 1], got 2');
    expect(() => encodeSTPPreIndex64(29, 30, 31, -520)).toThrow(RangeError);
    expect(() => encodeSTPPreIndex64(29, 30, 31, -12)).toThrow(RangeError);
  });
});
