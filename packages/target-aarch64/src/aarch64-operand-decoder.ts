/**
 * AArch64 instruction decoding for the `jitlink-check` checker's `decode_operand` and `next_pc`.
 *
 * Each instruction decodes to LLVM's MCInst form: the LLVM opcode name and the operands in the order, with the
 * values, that LLVM's AArch64 disassembler (`AArch64Disassembler.cpp` and its generated tables) puts in the
 * MCInst. In particular immediates are the raw encoded fields, *not* scaled to bytes, and PC-relative ones are
 * sign-extended:
 *
 * | instructions | opcodes | operands |
 * |---|---|---|
 * | ADR, ADRP | ADR, ADRP | Xd, imm21 (ADR: bytes, ADRP: 4 KiB pages) |
 * | ADD/ADDS/SUB/SUBS (immediate) | ADDXri, SUBSWri, ... | Rd, Rn, imm12, shift (0 or 12) |
 * | MOVZ, MOVN | MOVZXi, MOVNWi, ... | Rd, imm16, shift (0/16/32/48) |
 * | MOVK | MOVKXi, MOVKWi | Rd, Rd (tied source), imm16, shift |
 * | B, BL | B, BL | imm26 (words) |
 * | B.cond | Bcc | cond, imm19 (words) |
 * | CBZ, CBNZ | CBZW, CBNZX, ... | Rt, imm19 (words) |
 * | TBZ, TBNZ | TBZW, TBNZX, ... | Rt (W when bit < 32), bit number, imm14 (words) |
 * | LDR (literal) | LDRWl, LDRXl, LDRSWl, PRFMl, LDRSl, LDRDl, LDRQl | Rt (PRFM: prfop imm), imm19 (words) |
 * | LDR/STR (unsigned offset), all sizes | LDRXui, STRBBui, LDRSHWui, LDRQui, PRFMui, ... | Rt (PRFM: prfop imm), Rn, imm12 (offset / size) |
 * | BR, BLR, RET | BR, BLR, RET | Rn |
 * | NOP and other plain hints | HINT | imm7 |
 *
 * Registers are named as LLVM's register enum names them: `X0`..`X28`, `FP` (x29), `LR` (x30), `XZR`, `SP`,
 * `W0`..`W30`, `WZR`, `WSP`, and `B`/`H`/`S`/`D`/`Q` 0..31. Which register class a field uses (e.g. SP versus XZR
 * for register 31) follows the disassembler. Encodings LLVM rejects (unallocated or needing an extension LLVM does
 * not enable by default, such as MTE's ADDG) are rejected here too, and so is everything outside the classes above.
 * A64 instruction words are little-endian in memory even on big-endian targets.
 */
import {
  InstructionDecodeError,
  type DecodedInstruction,
  type DecodedOperand,
  type InstructionDecoder,
} from '@orc-ts/object-linking-layer';

/** Size of every A64 instruction in bytes. */
const INSTRUCTION_SIZE = 4;

type RegisterClass = (n: number) => string;

const gpr64: RegisterClass = (n) => (n === 31 ? 'XZR' : n === 30 ? 'LR' : n === 29 ? 'FP' : `X${n}`);
const gpr64sp: RegisterClass = (n) => (n === 31 ? 'SP' : gpr64(n));
const gpr32: RegisterClass = (n) => (n === 31 ? 'WZR' : `W${n}`);
const gpr32sp: RegisterClass = (n) => (n === 31 ? 'WSP' : `W${n}`);
const fpr =
  (prefix: 'B' | 'H' | 'S' | 'D' | 'Q'): RegisterClass =>
  (n) =>
    `${prefix}${n}`;

/** Marks a register-or-immediate "Rt" field that is a prefetch operation (PRFM) rather than a register. */
const PREFETCH_OPERATION = 'prfop';

type TransferOperand = RegisterClass | typeof PREFETCH_OPERATION;

const CONDITION_NAMES = ['eq', 'ne', 'hs', 'lo', 'mi', 'pl', 'vs', 'vc', 'hi', 'ls', 'ge', 'lt', 'gt', 'le', 'al', 'nv'];

/**
 * Hint immediates LLVM decodes as instructions of their own (pointer authentication: XPACLRI, PACIA1716,
 * PACIB1716, AUTIA1716, AUTIB1716, PACIAZ, PACIASP, PACIBZ, PACIBSP, AUTIAZ, AUTIASP, AUTIBZ, AUTIBSP) rather
 * than as HINT; we leave them undecoded.
 */
const NON_HINT_IMMEDIATES = new Set([7, 8, 10, 12, 14, 24, 25, 26, 27, 28, 29, 30, 31]);
const HINT_MNEMONICS = ['nop', 'yield', 'wfe', 'wfi', 'sev', 'sevl'];

/** LDR/STR (unsigned offset): `[opcode, mnemonic, Rt operand]` by `V << 4 | size << 2 | opc`. */
const UNSIGNED_OFFSET_FORMS = new Map<number, readonly [string, string, TransferOperand]>([
  [0b0_00_00, ['STRBBui', 'strb', gpr32]],
  [0b0_00_01, ['LDRBBui', 'ldrb', gpr32]],
  [0b0_00_10, ['LDRSBXui', 'ldrsb', gpr64]],
  [0b0_00_11, ['LDRSBWui', 'ldrsb', gpr32]],
  [0b0_01_00, ['STRHHui', 'strh', gpr32]],
  [0b0_01_01, ['LDRHHui', 'ldrh', gpr32]],
  [0b0_01_10, ['LDRSHXui', 'ldrsh', gpr64]],
  [0b0_01_11, ['LDRSHWui', 'ldrsh', gpr32]],
  [0b0_10_00, ['STRWui', 'str', gpr32]],
  [0b0_10_01, ['LDRWui', 'ldr', gpr32]],
  [0b0_10_10, ['LDRSWui', 'ldrsw', gpr64]],
  [0b0_11_00, ['STRXui', 'str', gpr64]],
  [0b0_11_01, ['LDRXui', 'ldr', gpr64]],
  [0b0_11_10, ['PRFMui', 'prfm', PREFETCH_OPERATION]],
  [0b1_00_00, ['STRBui', 'str', fpr('B')]],
  [0b1_00_01, ['LDRBui', 'ldr', fpr('B')]],
  [0b1_00_10, ['STRQui', 'str', fpr('Q')]],
  [0b1_00_11, ['LDRQui', 'ldr', fpr('Q')]],
  [0b1_01_00, ['STRHui', 'str', fpr('H')]],
  [0b1_01_01, ['LDRHui', 'ldr', fpr('H')]],
  [0b1_10_00, ['STRSui', 'str', fpr('S')]],
  [0b1_10_01, ['LDRSui', 'ldr', fpr('S')]],
  [0b1_11_00, ['STRDui', 'str', fpr('D')]],
  [0b1_11_01, ['LDRDui', 'ldr', fpr('D')]],
]);

/** LDR (literal): `[opcode, mnemonic, Rt operand]` by `V << 2 | opc`. */
const LITERAL_FORMS = new Map<number, readonly [string, string, TransferOperand]>([
  [0b0_00, ['LDRWl', 'ldr', gpr32]],
  [0b0_01, ['LDRXl', 'ldr', gpr64]],
  [0b0_10, ['LDRSWl', 'ldrsw', gpr64]],
  [0b0_11, ['PRFMl', 'prfm', PREFETCH_OPERATION]],
  [0b1_00, ['LDRSl', 'ldr', fpr('S')]],
  [0b1_01, ['LDRDl', 'ldr', fpr('D')]],
  [0b1_10, ['LDRQl', 'ldr', fpr('Q')]],
]);

/** Every LLVM opcode name {@link AArch64OperandDecoder} can produce. */
export const AARCH64_DECODED_OPCODES: readonly string[] = [
  'ADR',
  'ADRP',
  ...['ADD', 'ADDS', 'SUB', 'SUBS'].flatMap((op) => [`${op}Wri`, `${op}Xri`]),
  ...['MOVZ', 'MOVN', 'MOVK'].flatMap((op) => [`${op}Wi`, `${op}Xi`]),
  'B',
  'BL',
  'Bcc',
  'CBZW',
  'CBZX',
  'CBNZW',
  'CBNZX',
  'TBZW',
  'TBZX',
  'TBNZW',
  'TBNZX',
  ...[...LITERAL_FORMS.values()].map(([opcode]) => opcode),
  ...[...UNSIGNED_OFFSET_FORMS.values()].map(([opcode]) => opcode),
  'BR',
  'BLR',
  'RET',
  'HINT',
];

function bits(word: number, low: number, width: number): number {
  return (word >>> low) & ((1 << width) - 1);
}

/** True when the bits of `word` selected by `mask` equal `value` (unsigned comparison). */
function matches(word: number, mask: number, value: number): boolean {
  return (word & mask) >>> 0 === value;
}

function signExtend(value: number, width: number): bigint {
  const v = BigInt(value);
  return v >= 1n << BigInt(width - 1) ? v - (1n << BigInt(width)) : v;
}

function hex(word: number): string {
  return `0x${word.toString(16).padStart(8, '0')}`;
}

function instruction(opcode: string, mnemonic: string, operands: DecodedOperand[]): DecodedInstruction {
  return { size: INSTRUCTION_SIZE, opcode, mnemonic, operands };
}

function reg(cls: RegisterClass, n: number): DecodedOperand {
  return { reg: cls(n) };
}

function transferOperand(kind: TransferOperand, rt: number): DecodedOperand {
  return kind === PREFETCH_OPERATION ? BigInt(rt) : reg(kind, rt);
}

function invalid(word: number, what: string, why: string): never {
  throw new InstructionDecodeError(`${hex(word)} is not a valid ${what} encoding: ${why}`);
}

/** ADR / ADRP: `op immlo 10000 immhi Rd`. */
function decodePcRelAddressing(word: number): DecodedInstruction {
  const isPage = bits(word, 31, 1) === 1;
  const imm = (bits(word, 5, 19) << 2) | bits(word, 29, 2);
  return instruction(isPage ? 'ADRP' : 'ADR', isPage ? 'adrp' : 'adr', [reg(gpr64, bits(word, 0, 5)), signExtend(imm, 21)]);
}

/** ADD/ADDS/SUB/SUBS (immediate): `sf op S 100010 sh imm12 Rn Rd`. */
function decodeAddSubImmediate(word: number): DecodedInstruction {
  if (bits(word, 23, 1) === 1) invalid(word, 'ADD/SUB (immediate)', 'bit 23 set (MTE ADDG/SUBG or unallocated)');
  const is64 = bits(word, 31, 1) === 1;
  const isSub = bits(word, 30, 1) === 1;
  const setsFlags = bits(word, 29, 1) === 1;
  const rd = bits(word, 0, 5);
  const name = `${isSub ? 'SUB' : 'ADD'}${setsFlags ? 'S' : ''}`;
  const [plain, withSp] = is64 ? [gpr64, gpr64sp] : [gpr32, gpr32sp];
  return instruction(`${name}${is64 ? 'X' : 'W'}ri`, name.toLowerCase(), [
    reg(rd === 31 && !setsFlags ? withSp : plain, rd),
    reg(withSp, bits(word, 5, 5)),
    BigInt(bits(word, 10, 12)),
    BigInt(12 * bits(word, 22, 1)),
  ]);
}

/** MOVN/MOVZ/MOVK: `sf opc 100101 hw imm16 Rd`. */
function decodeMoveWide(word: number): DecodedInstruction {
  const opc = bits(word, 29, 2);
  if (opc === 0b01) invalid(word, 'move wide (immediate)', 'opc = 01 is unallocated');
  const is64 = bits(word, 31, 1) === 1;
  const hw = bits(word, 21, 2);
  if (!is64 && hw >= 2) invalid(word, 'move wide (immediate)', 'a 32-bit form cannot shift by 32 or 48');
  const name = opc === 0b00 ? 'MOVN' : opc === 0b10 ? 'MOVZ' : 'MOVK';
  const rd = reg(is64 ? gpr64 : gpr32, bits(word, 0, 5));
  const rest = [BigInt(bits(word, 5, 16)), BigInt(hw * 16)];
  return instruction(`${name}${is64 ? 'X' : 'W'}i`, name.toLowerCase(), name === 'MOVK' ? [rd, rd, ...rest] : [rd, ...rest]);
}

/** B / BL: `op 00101 imm26`. */
function decodeBranchImmediate(word: number): DecodedInstruction {
  const isLink = bits(word, 31, 1) === 1;
  return instruction(isLink ? 'BL' : 'B', isLink ? 'bl' : 'b', [signExtend(bits(word, 0, 26), 26)]);
}

/** B.cond: `0101010 0 imm19 0 cond`. */
function decodeConditionalBranch(word: number): DecodedInstruction {
  const cond = bits(word, 0, 4);
  return instruction('Bcc', `b.${CONDITION_NAMES[cond]}`, [BigInt(cond), signExtend(bits(word, 5, 19), 19)]);
}

/** CBZ / CBNZ: `sf 011010 op imm19 Rt`. */
function decodeCompareAndBranch(word: number): DecodedInstruction {
  const is64 = bits(word, 31, 1) === 1;
  const isNonZero = bits(word, 24, 1) === 1;
  const name = isNonZero ? 'CBNZ' : 'CBZ';
  return instruction(`${name}${is64 ? 'X' : 'W'}`, name.toLowerCase(), [
    reg(is64 ? gpr64 : gpr32, bits(word, 0, 5)),
    signExtend(bits(word, 5, 19), 19),
  ]);
}

/** TBZ / TBNZ: `b5 011011 op b40 imm14 Rt`. */
function decodeTestAndBranch(word: number): DecodedInstruction {
  const b5 = bits(word, 31, 1);
  const name = bits(word, 24, 1) === 1 ? 'TBNZ' : 'TBZ';
  return instruction(`${name}${b5 === 1 ? 'X' : 'W'}`, name.toLowerCase(), [
    reg(b5 === 1 ? gpr64 : gpr32, bits(word, 0, 5)),
    BigInt((b5 << 5) | bits(word, 19, 5)),
    signExtend(bits(word, 5, 14), 14),
  ]);
}

/** LDR (literal): `opc 011 V 00 imm19 Rt`. */
function decodeLoadLiteral(word: number): DecodedInstruction {
  const form = LITERAL_FORMS.get((bits(word, 26, 1) << 2) | bits(word, 30, 2));
  if (form === undefined) invalid(word, 'LDR (literal)', 'opc = 11 with V = 1 is unallocated');
  const [opcode, mnemonic, rt] = form;
  return instruction(opcode, mnemonic, [transferOperand(rt, bits(word, 0, 5)), signExtend(bits(word, 5, 19), 19)]);
}

/** LDR/STR (unsigned offset): `size 111 V 01 opc imm12 Rn Rt`. */
function decodeLoadStoreUnsignedOffset(word: number): DecodedInstruction {
  const form = UNSIGNED_OFFSET_FORMS.get((bits(word, 26, 1) << 4) | (bits(word, 30, 2) << 2) | bits(word, 22, 2));
  if (form === undefined) {
    invalid(word, 'load/store (unsigned offset)', `size = ${bits(word, 30, 2)}, V = ${bits(word, 26, 1)}, opc = ${bits(word, 22, 2)} is unallocated`);
  }
  const [opcode, mnemonic, rt] = form;
  return instruction(opcode, mnemonic, [transferOperand(rt, bits(word, 0, 5)), reg(gpr64sp, bits(word, 5, 5)), BigInt(bits(word, 10, 12))]);
}

/** HINT (NOP, YIELD, WFE, ...): `11010101000000110010 CRm op2 11111`. */
function decodeHint(word: number): DecodedInstruction | undefined {
  const imm = bits(word, 5, 7);
  if (NON_HINT_IMMEDIATES.has(imm)) return undefined;
  return instruction('HINT', HINT_MNEMONICS[imm] ?? 'hint', [BigInt(imm)]);
}

/** BR / BLR / RET: `1101011 0 0 opc 11111 000000 Rn 00000`. */
function decodeBranchRegister(word: number): DecodedInstruction | undefined {
  const rn = reg(gpr64, bits(word, 5, 5));
  switch ((word & 0xfffffc1f) >>> 0) {
    case 0xd61f0000:
      return instruction('BR', 'br', [rn]);
    case 0xd63f0000:
      return instruction('BLR', 'blr', [rn]);
    case 0xd65f0000:
      return instruction('RET', 'ret', [rn]);
    default:
      return undefined;
  }
}

/** Decodes one A64 instruction word (see the module documentation for what is covered). */
export function decodeAArch64Instruction(word: number): DecodedInstruction {
  const w = word >>> 0;
  let decoded: DecodedInstruction | undefined;
  if (matches(w, 0x1f000000, 0x10000000)) decoded = decodePcRelAddressing(w);
  else if (matches(w, 0x1f000000, 0x11000000)) decoded = decodeAddSubImmediate(w);
  else if (matches(w, 0x1f800000, 0x12800000)) decoded = decodeMoveWide(w);
  else if (matches(w, 0x7c000000, 0x14000000)) decoded = decodeBranchImmediate(w);
  else if (matches(w, 0xff000010, 0x54000000)) decoded = decodeConditionalBranch(w);
  else if (matches(w, 0x7e000000, 0x34000000)) decoded = decodeCompareAndBranch(w);
  else if (matches(w, 0x7e000000, 0x36000000)) decoded = decodeTestAndBranch(w);
  else if (matches(w, 0x3b000000, 0x18000000)) decoded = decodeLoadLiteral(w);
  else if (matches(w, 0x3b000000, 0x39000000)) decoded = decodeLoadStoreUnsignedOffset(w);
  else if (matches(w, 0xfffff01f, 0xd503201f)) decoded = decodeHint(w);
  else if (matches(w, 0xff9ffc1f, 0xd61f0000)) decoded = decodeBranchRegister(w);
  if (decoded === undefined) {
    throw new InstructionDecodeError(
      `${hex(w)} is not an instruction the AArch64 operand decoder supports (it decodes ADR/ADRP, ADD/SUB (immediate), ` +
        'MOVZ/MOVN/MOVK, B/BL, B.cond, CBZ/CBNZ, TBZ/TBNZ, LDR (literal), LDR/STR (unsigned offset), BR/BLR/RET and HINT/NOP)',
    );
  }
  return decoded;
}

/**
 * The AArch64 {@link InstructionDecoder} for the `jitlink-check` checker: decodes with LLVM's MCInst operand
 * numbering, so that `decode_operand(sym, N)` in llvm-jitlink tests reads the same operand as with LLVM.
 */
export class AArch64OperandDecoder implements InstructionDecoder {
  /**
   * Decodes the instruction word at the start of `bytes` (always little-endian). The address and target flags
   * are not needed: PC-relative operands are the encoded offsets, as in LLVM's MCInst.
   * @throws InstructionDecodeError for fewer than 4 bytes, or a word outside the supported instructions.
   */
  decode(bytes: Uint8Array, _address?: bigint, _targetFlags?: number): DecodedInstruction {
    if (bytes.length < INSTRUCTION_SIZE) {
      throw new InstructionDecodeError(`an AArch64 instruction needs 4 bytes, but only ${bytes.length} are available`);
    }
    return decodeAArch64Instruction((bytes[0]! | (bytes[1]! << 8) | (bytes[2]! << 16) | (bytes[3]! << 24)) >>> 0);
  }
}
