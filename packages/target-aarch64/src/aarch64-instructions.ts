/**
 * A64 instruction predicates, field accessors and the few encoders the linker needs (stubs, trampolines,
 * veneers, GOT relaxation).
 *
 * Instruction words are plain numbers holding an unsigned 32-bit value (as `DataView.getUint32` returns them).
 * A64 instructions are always stored little-endian. The predicates follow LLVM's JITLink helpers in
 * `aarch64.h` bit for bit; encoders return unsigned 32-bit words and reject operands that do not fit with a
 * `RangeError` (they are not on a hot path).
 * @module
 */

/** `NOP` (`hint #0`). */
export const NOP = 0xd503201f;

/** The register number 31 (XZR/WZR or SP depending on the instruction). */
const REG_31 = 31;

// ---------------------------------------------------------------------------------------------------------------
// Predicates (masks as in LLVM's aarch64.h). Masks with bit 31 set are compared after `>>> 0`.
// ---------------------------------------------------------------------------------------------------------------

/** LD/ST (unsigned immediate, imm12) of any size, GPR or SIMD&FP: `(I & 0x3b000000) == 0x39000000`. */
export function isLoadStoreImm12(word: number): boolean {
  return (word & 0x3b000000) === 0x39000000;
}

/**
 * The scale (log2 of the access size) of an LD/ST unsigned-immediate instruction: `size` (bits 31:30), or 4 for
 * the 128-bit SIMD&FP form (`size == 0` with `opc<1>` and V set, `(I & 0x04800000) == 0x04800000`). Returns 0
 * for any other instruction (e.g. ADD immediate), as LLVM's `getPageOffset12Shift` does.
 */
export function getPageOffset12Shift(word: number): number {
  if ((word & 0x3b000000) !== 0x39000000) return 0;
  const size = word >>> 30;
  if (size === 0 && (word & 0x04800000) === 0x04800000) return 4;
  return size;
}

/** MOVZ/MOVK (32 or 64-bit) whose imm16 field is zero; MOVN is excluded: `(I & 0x5f9fffe0) == 0x52800000`. */
export function isMoveWideImm16(word: number): boolean {
  return (word & 0x5f9fffe0) === 0x52800000;
}

/** The left shift (`16 * hw`) of a MOVZ/MOVK accepted by {@link isMoveWideImm16}; 0 for other instructions. */
export function getMoveWide16Shift(word: number): number {
  if ((word & 0x5f9fffe0) !== 0x52800000) return 0;
  return ((word >>> 21) & 3) << 4;
}

/** ADR: `(I & 0x9f000000) == 0x10000000`. */
export function isADR(word: number): boolean {
  return (word & 0x9f000000) >>> 0 === 0x10000000;
}

/** ADRP: `(I & 0x9f000000) == 0x90000000`. */
export function isADRP(word: number): boolean {
  return (word & 0x9f000000) >>> 0 === 0x90000000;
}

/** LDR (literal), GPR or SIMD&FP, and PRFM (literal): `(I & 0x3b000000) == 0x18000000`. */
export function isLDRLiteral(word: number): boolean {
  return (word & 0x3b000000) === 0x18000000;
}

/** TBZ/TBNZ: `(I & 0x7e000000) == 0x36000000`. */
export function isTestAndBranchImm14(word: number): boolean {
  return (word & 0x7e000000) === 0x36000000;
}

/** B.cond: `(I & 0xfe000000) == 0x54000000`. */
export function isCondBranchImm19(word: number): boolean {
  return (word & 0xfe000000) >>> 0 === 0x54000000;
}

/** CBZ/CBNZ (32 or 64-bit): `(I & 0x7e000000) == 0x34000000`. */
export function isCompAndBranchImm19(word: number): boolean {
  return (word & 0x7e000000) === 0x34000000;
}

/** B or BL (immediate): `(I & 0x7c000000) == 0x14000000`. */
export function isBranchImm26(word: number): boolean {
  return (word & 0x7c000000) === 0x14000000;
}

/** BL (immediate): `(I & 0xfc000000) == 0x94000000`. */
export function isBL(word: number): boolean {
  return (word & 0xfc000000) >>> 0 === 0x94000000;
}

/** 64-bit `LDR Xt, [Xn|SP, #imm]` (unsigned offset): `(I & 0xffc00000) == 0xf9400000`. */
export function isLDR64UnsignedImm(word: number): boolean {
  return (word & 0xffc00000) >>> 0 === 0xf9400000;
}

/** ADD (immediate), 32 or 64-bit, not setting flags: `(I & 0x7f800000) == 0x11000000`. */
export function isADDImm(word: number): boolean {
  return (word & 0x7f800000) === 0x11000000;
}

// ---------------------------------------------------------------------------------------------------------------
// Field accessors
// ---------------------------------------------------------------------------------------------------------------

/** The Rd/Rt field (bits 4:0). */
export function getRd(word: number): number {
  return word & 0x1f;
}

/** The Rt field (bits 4:0); an alias of {@link getRd} for loads and stores. */
export const getRt = getRd;

/** The Rn field (bits 9:5). */
export function getRn(word: number): number {
  return (word >>> 5) & 0x1f;
}

// ---------------------------------------------------------------------------------------------------------------
// Encoders
// ---------------------------------------------------------------------------------------------------------------

function checkReg(reg: number, what: string): void {
  if (!Number.isInteger(reg) || reg < 0 || reg > REG_31) throw new RangeError(`${what} must be a register number 0-31, got ${reg}`);
}

/** Checks that `value` is `scale * n` for a signed `fieldBits`-bit integer n. */
function checkSignedMultiple(value: number, fieldBits: number, scale: number, what: string): void {
  const limit = 2 ** (fieldBits - 1) * scale;
  if (!Number.isInteger(value) || value % scale !== 0 || value < -limit || value >= limit)
    throw new RangeError(`${what} must be a multiple of ${scale} in [${-limit}, ${limit - scale}], got ${value}`);
}

/** `ADR Xd, .+byteDelta` (byteDelta a signed 21-bit byte offset). */
export function encodeADR(rd: number, byteDelta = 0): number {
  checkReg(rd, 'rd');
  checkSignedMultiple(byteDelta, 21, 1, 'ADR offset');
  return (0x10000000 | ((byteDelta & 3) << 29) | (((byteDelta >> 2) & 0x7ffff) << 5) | rd) >>> 0;
}

/** `ADRP Xd, page(.)+pageDelta` (pageDelta a multiple of 4096 within ±4 GiB). */
export function encodeADRP(rd: number, pageDelta = 0): number {
  checkReg(rd, 'rd');
  checkSignedMultiple(pageDelta, 21, 4096, 'ADRP page offset');
  const pages = pageDelta / 4096;
  return (0x90000000 | ((pages & 3) << 29) | (((pages >> 2) & 0x7ffff) << 5) | rd) >>> 0;
}

/** 64-bit `ADD Xd|SP, Xn|SP, #imm12 {, LSL #12}`. */
export function encodeADDImm64(rd: number, rn: number, imm12 = 0, lsl12 = false): number {
  checkReg(rd, 'rd');
  checkReg(rn, 'rn');
  if (!Number.isInteger(imm12) || imm12 < 0 || imm12 > 0xfff) throw new RangeError(`ADD immediate must be in [0, 4095], got ${imm12}`);
  return (0x91000000 | (lsl12 ? 1 << 22 : 0) | (imm12 << 10) | (rn << 5) | rd) >>> 0;
}

/**
 * GPR `LDR` (unsigned offset) of `1 << sizeLog2` bytes: `LDRB`/`LDRH`/`LDR Wt`/`LDR Xt` for sizeLog2 0/1/2/3.
 * `byteOffset` must be a multiple of the access size below `4096 << sizeLog2`.
 */
export function encodeLDRUnsignedImm(rt: number, rn: number, byteOffset = 0, sizeLog2 = 3): number {
  checkReg(rt, 'rt');
  checkReg(rn, 'rn');
  if (!Number.isInteger(sizeLog2) || sizeLog2 < 0 || sizeLog2 > 3) throw new RangeError(`LDR size must be 0-3 (log2 bytes), got ${sizeLog2}`);
  const scale = 1 << sizeLog2;
  if (!Number.isInteger(byteOffset) || byteOffset < 0 || byteOffset % scale !== 0 || byteOffset / scale > 0xfff)
    throw new RangeError(`LDR offset must be a multiple of ${scale} in [0, ${0xfff * scale}], got ${byteOffset}`);
  return ((sizeLog2 << 30) | 0x39400000 | ((byteOffset / scale) << 10) | (rn << 5) | rt) >>> 0;
}

/** `LDR Xt|Wt, .+byteDelta` (literal; byteDelta a multiple of 4 within ±1 MiB). */
export function encodeLDRLiteral(rt: number, byteDelta = 0, is64 = true): number {
  checkReg(rt, 'rt');
  checkSignedMultiple(byteDelta, 19, 4, 'LDR literal offset');
  return ((is64 ? 0x58000000 : 0x18000000) | (((byteDelta >> 2) & 0x7ffff) << 5) | rt) >>> 0;
}

/** `BR Xn`. */
export function encodeBR(rn: number): number {
  checkReg(rn, 'rn');
  return (0xd61f0000 | (rn << 5)) >>> 0;
}

/** `BLR Xn`. */
export function encodeBLR(rn: number): number {
  checkReg(rn, 'rn');
  return (0xd63f0000 | (rn << 5)) >>> 0;
}

/** `RET Xn` (default x30). */
export function encodeRET(rn = 30): number {
  checkReg(rn, 'rn');
  return (0xd65f0000 | (rn << 5)) >>> 0;
}

/** `B .+byteDelta` (a multiple of 4 within ±128 MiB). */
export function encodeB(byteDelta = 0): number {
  checkSignedMultiple(byteDelta, 26, 4, 'B offset');
  return (0x14000000 | ((byteDelta >> 2) & 0x3ffffff)) >>> 0;
}

/** `BL .+byteDelta` (a multiple of 4 within ±128 MiB). */
export function encodeBL(byteDelta = 0): number {
  checkSignedMultiple(byteDelta, 26, 4, 'BL offset');
  return (0x94000000 | ((byteDelta >> 2) & 0x3ffffff)) >>> 0;
}

function encodeMoveWide(base64: number, base32: number, rd: number, imm16: number, hw: number, is64: boolean): number {
  checkReg(rd, 'rd');
  if (!Number.isInteger(imm16) || imm16 < 0 || imm16 > 0xffff) throw new RangeError(`imm16 must be in [0, 65535], got ${imm16}`);
  if (!Number.isInteger(hw) || hw < 0 || hw > (is64 ? 3 : 1)) throw new RangeError(`hw must be in [0, ${is64 ? 3 : 1}], got ${hw}`);
  return ((is64 ? base64 : base32) | (hw << 21) | (imm16 << 5) | rd) >>> 0;
}

/** `MOVZ Xd|Wd, #imm16, LSL #(16*hw)`. */
export function encodeMOVZ(rd: number, imm16 = 0, hw = 0, is64 = true): number {
  return encodeMoveWide(0xd2800000, 0x52800000, rd, imm16, hw, is64);
}

/** `MOVK Xd|Wd, #imm16, LSL #(16*hw)`. */
export function encodeMOVK(rd: number, imm16 = 0, hw = 0, is64 = true): number {
  return encodeMoveWide(0xf2800000, 0x72800000, rd, imm16, hw, is64);
}

/** 64-bit `STP Xt1, Xt2, [Xn|SP, #byteOffset]!` (pre-index; byteOffset a multiple of 8 in [-512, 504]). */
export function encodeSTPPreIndex64(rt1: number, rt2: number, rn: number, byteOffset: number): number {
  checkReg(rt1, 'rt1');
  checkReg(rt2, 'rt2');
  checkReg(rn, 'rn');
  checkSignedMultiple(byteOffset, 7, 8, 'STP offset');
  return (0xa9800000 | (((byteOffset >> 3) & 0x7f) << 15) | (rt2 << 10) | (rn << 5) | rt1) >>> 0;
}
