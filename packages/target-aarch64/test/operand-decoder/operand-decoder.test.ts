import { describe, expect, it } from 'vitest';
import { InstructionDecodeError, type DecodedOperand } from '@orc-ts/object-linking-layer';
import { AARCH64_DECODED_OPCODES, AArch64OperandDecoder, decodeAArch64Instruction } from '@orc-ts/target-aarch64';
import { assembleWords } from './llvm-mc.js';

const r = (name: string): DecodedOperand => ({ reg: name });

/** Assembly, then the MCInst LLVM's disassembler builds for it (reference §4.3), written out by hand. */
const CASES: Array<[asm: string, opcode: string, operands: DecodedOperand[]]> = [
  // PC-relative addressing: ADR in bytes, ADRP in pages, both sign-extended
  ['adr x0, #-4', 'ADR', [r('X0'), -4n]],
  ['adr x30, #1048575', 'ADR', [r('LR'), 1048575n]],
  ['adrp x1, #8192', 'ADRP', [r('X1'), 2n]],
  ['adrp x2, #-4096', 'ADRP', [r('X2'), -1n]],
  ['adrp x29, #-4294967296', 'ADRP', [r('FP'), -1048576n]],
  // ADD/SUB (immediate): Rd, Rn, imm12 (unscaled), shift 0/12; register 31 is SP except as ADDS/SUBS destination
  ['add x0, sp, #16', 'ADDXri', [r('X0'), r('SP'), 16n, 0n]],
  ['add sp, sp, #1, lsl #12', 'ADDXri', [r('SP'), r('SP'), 1n, 12n]],
  ['add x0, x0, #0xfff', 'ADDXri', [r('X0'), r('X0'), 4095n, 0n]],
  ['adds x0, x1, #4095', 'ADDSXri', [r('X0'), r('X1'), 4095n, 0n]],
  ['cmp w3, #5', 'SUBSWri', [r('WZR'), r('W3'), 5n, 0n]],
  ['cmn x3, #5', 'ADDSXri', [r('XZR'), r('X3'), 5n, 0n]],
  ['mov x0, sp', 'ADDXri', [r('X0'), r('SP'), 0n, 0n]],
  ['sub w0, wsp, #1', 'SUBWri', [r('W0'), r('WSP'), 1n, 0n]],
  ['add wsp, w1, #2', 'ADDWri', [r('WSP'), r('W1'), 2n, 0n]],
  ['subs x5, sp, #7, lsl #12', 'SUBSXri', [r('X5'), r('SP'), 7n, 12n]],
  // LDR/STR (unsigned offset): Rt, Rn, imm12 = byte offset >> size
  ['ldr x0, [x1, #16]', 'LDRXui', [r('X0'), r('X1'), 2n]],
  ['ldr w2, [sp, #4092]', 'LDRWui', [r('W2'), r('SP'), 1023n]],
  ['ldrb w0, [x1, #4095]', 'LDRBBui', [r('W0'), r('X1'), 4095n]],
  ['ldrsb w0, [x1, #1]', 'LDRSBWui', [r('W0'), r('X1'), 1n]],
  ['ldrsb x0, [x1, #1]', 'LDRSBXui', [r('X0'), r('X1'), 1n]],
  ['ldrh w0, [x1, #2]', 'LDRHHui', [r('W0'), r('X1'), 1n]],
  ['ldrsh w0, [x1, #8190]', 'LDRSHWui', [r('W0'), r('X1'), 4095n]],
  ['ldrsh x0, [x1]', 'LDRSHXui', [r('X0'), r('X1'), 0n]],
  ['ldrsw x0, [x1, #8]', 'LDRSWui', [r('X0'), r('X1'), 2n]],
  ['strb wzr, [x2, #3]', 'STRBBui', [r('WZR'), r('X2'), 3n]],
  ['strh w3, [x2, #6]', 'STRHHui', [r('W3'), r('X2'), 3n]],
  ['str w3, [x2, #12]', 'STRWui', [r('W3'), r('X2'), 3n]],
  ['str xzr, [sp, #32760]', 'STRXui', [r('XZR'), r('SP'), 4095n]],
  ['ldr q0, [x0, #65520]', 'LDRQui', [r('Q0'), r('X0'), 4095n]],
  ['str q31, [x30, #16]', 'STRQui', [r('Q31'), r('LR'), 1n]],
  ['ldr b1, [x0, #1]', 'LDRBui', [r('B1'), r('X0'), 1n]],
  ['ldr h2, [x0, #2]', 'LDRHui', [r('H2'), r('X0'), 1n]],
  ['ldr s3, [x0, #4]', 'LDRSui', [r('S3'), r('X0'), 1n]],
  ['str d4, [x0, #8]', 'STRDui', [r('D4'), r('X0'), 1n]],
  ['prfm pldl1keep, [x0, #8]', 'PRFMui', [0n, r('X0'), 1n]],
  // LDR (literal): Rt (prfop for PRFM), imm19 in words, signed
  ['ldr x0, #-8', 'LDRXl', [r('X0'), -2n]],
  ['ldr w1, #1048572', 'LDRWl', [r('W1'), 262143n]],
  ['ldrsw x2, #4', 'LDRSWl', [r('X2'), 1n]],
  ['ldr q0, #16', 'LDRQl', [r('Q0'), 4n]],
  ['ldr d7, #-1048576', 'LDRDl', [r('D7'), -262144n]],
  ['ldr s8, #0', 'LDRSl', [r('S8'), 0n]],
  ['prfm pldl1strm, #12', 'PRFMl', [1n, 3n]],
  // branches: words, signed
  ['b #-4', 'B', [-1n]],
  ['bl #134217724', 'BL', [33554431n]],
  ['bl #-134217728', 'BL', [-33554432n]],
  ['b.eq #8', 'Bcc', [0n, 2n]],
  ['b.ne #-1048576', 'Bcc', [1n, -262144n]],
  ['b.le #4', 'Bcc', [13n, 1n]],
  ['cbz x0, #1048572', 'CBZX', [r('X0'), 262143n]],
  ['cbnz w5, #-4', 'CBNZW', [r('W5'), -1n]],
  ['cbz wzr, #0', 'CBZW', [r('WZR'), 0n]],
  ['cbnz x30, #8', 'CBNZX', [r('LR'), 2n]],
  ['tbz w3, #5, #32764', 'TBZW', [r('W3'), 5n, 8191n]],
  ['tbnz x4, #63, #-32768', 'TBNZX', [r('X4'), 63n, -8192n]],
  ['tbz x0, #31, #4', 'TBZW', [r('W0'), 31n, 1n]], // bit < 32 is the W form
  ['tbnz x1, #32, #16', 'TBNZX', [r('X1'), 32n, 4n]],
  // move wide: Rd, imm16, shift; MOVK repeats Rd as the tied source
  ['movz x0, #0x1234, lsl #48', 'MOVZXi', [r('X0'), 0x1234n, 48n]],
  ['movz w9, #0xffff', 'MOVZWi', [r('W9'), 0xffffn, 0n]],
  ['movk x1, #0xffff, lsl #16', 'MOVKXi', [r('X1'), r('X1'), 0xffffn, 16n]],
  ['movk w3, #1, lsl #16', 'MOVKWi', [r('W3'), r('W3'), 1n, 16n]],
  ['movk x3, #2, lsl #32', 'MOVKXi', [r('X3'), r('X3'), 2n, 32n]],
  ['movn w2, #7', 'MOVNWi', [r('W2'), 7n, 0n]],
  ['movn x2, #7, lsl #16', 'MOVNXi', [r('X2'), 7n, 16n]],
  // register branches and hints
  ['br x16', 'BR', [r('X16')]],
  ['blr x30', 'BLR', [r('LR')]],
  ['ret', 'RET', [r('LR')]],
  ['ret x29', 'RET', [r('FP')]],
  ['nop', 'HINT', [0n]],
  ['yield', 'HINT', [1n]],
  ['hint #32', 'HINT', [32n]],
];

const decoder = new AArch64OperandDecoder();
const words = assembleWords(CASES.map(([asm]) => asm));

describe('AArch64OperandDecoder', () => {
  it.each(CASES.map((c, i) => [...c, words[i]!] as const))('%s -> %s', (_asm, opcode, operands, word) => {
    const bytes = new Uint8Array(4);
    new DataView(bytes.buffer).setUint32(0, word, true);
    const inst = decoder.decode(bytes, 0x1000n);
    expect(inst.opcode).toBe(opcode);
    expect(inst.operands).toEqual(operands);
    expect(inst.size).toBe(4);
    expect(AARCH64_DECODED_OPCODES).toContain(opcode);
  });

  it('gives assembly mnemonics', () => {
    const mnemonics = ['b.le #4', 'tbnz x1, #32, #16', 'ldrsw x2, #4', 'cmp w3, #5', 'nop', 'hint #32', 'movk w3, #1, lsl #16'].map(
      (asm) => decodeAArch64Instruction(words[CASES.findIndex(([a]) => a === asm)]!).mnemonic,
    );
    expect(mnemonics).toEqual(['b.le', 'tbnz', 'ldrsw', 'subs', 'nop', 'hint', 'movk']);
  });

  it('reads the word little-endian and ignores bytes after it', () => {
    expect(decoder.decode(Uint8Array.from([0x00, 0x02, 0x1f, 0xd6, 0xff, 0xff]), 0n).operands).toEqual([r('X16')]);
  });

  it('needs four bytes', () => {
    expect(() => decoder.decode(Uint8Array.from([0x1f, 0x20, 0x03]), 0n)).toThrow(
      new InstructionDecodeError('an AArch64 instruction needs 4 bytes, but only 3 are available'),
    );
    expect(() => decoder.decode(new Uint8Array(0), 0n)).toThrow(InstructionDecodeError);
  });

  it('rejects instructions outside the supported classes', () => {
    const unsupported = assembleWords(['add x0, x1, x2', 'ldp x0, x1, [sp]', 'ldur x0, [x1, #-8]', 'svc #0', 'paciasp', 'mov x0, x1', 'ldr x0, [x1], #8']);
    for (const word of unsupported) {
      expect(() => decodeAArch64Instruction(word)).toThrow(/is not an instruction the AArch64 operand decoder supports/);
    }
    expect(() => decodeAArch64Instruction(0x8b020020)).toThrow(
      '0x8b020020 is not an instruction the AArch64 operand decoder supports (it decodes ADR/ADRP, ADD/SUB (immediate), ' +
        'MOVZ/MOVN/MOVK, B/BL, B.cond, CBZ/CBNZ, TBZ/TBNZ, LDR (literal), LDR/STR (unsigned offset), BR/BLR/RET and HINT/NOP)',
    );
  });

  it('rejects encodings LLVM rejects inside the supported classes', () => {
    const cases: Array<[number, string]> = [
      [0x91800000, '0x91800000 is not a valid ADD/SUB (immediate) encoding: bit 23 set (MTE ADDG/SUBG or unallocated)'],
      [0xdc000000, '0xdc000000 is not a valid LDR (literal) encoding: opc = 11 with V = 1 is unallocated'],
      [0xb9c00000, '0xb9c00000 is not a valid load/store (unsigned offset) encoding: size = 2, V = 0, opc = 3 is unallocated'],
      [0xf9c00000, '0xf9c00000 is not a valid load/store (unsigned offset) encoding: size = 3, V = 0, opc = 3 is unallocated'],
      [0x7d800000, '0x7d800000 is not a valid load/store (unsigned offset) encoding: size = 1, V = 1, opc = 2 is unallocated'],
      [0x52c00000, '0x52c00000 is not a valid move wide (immediate) encoding: a 32-bit form cannot shift by 32 or 48'],
      [0x32800000, '0x32800000 is not a valid move wide (immediate) encoding: opc = 01 is unallocated'],
    ];
    for (const [word, message] of cases) expect(() => decodeAArch64Instruction(word)).toThrow(new InstructionDecodeError(message));
    // B.cond with bit 4 set (BC.cond) and the unallocated register-branch opc = 0011
    expect(() => decodeAArch64Instruction(0x54000010)).toThrow(InstructionDecodeError);
    expect(() => decodeAArch64Instruction(0xd67f0000)).toThrow(InstructionDecodeError);
  });
});
