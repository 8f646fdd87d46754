/**
 * Code and data blocks the AArch64 target synthesizes, as plain data: content words plus the edges they carry.
 *
 * - pointers (GOT entries and redirectable-symbol pointers; LLVM's `createAnonymousPointer`),
 * - the 12-byte pointer-jump stub (LLVM's `createPointerJumpStubBlock`, also the PLT stub),
 * - the 8-byte lazy-reexports reentry trampoline (LLVM's `createAnonymousReentryTrampoline`),
 * - Branch26 range-extension veneers ("branch islands"), which LLVM's JITLink does not have.
 *
 * A {@link BlockTemplate}'s edges all point at one target symbol, named in each template's documentation; the
 * link-graph code creates the block, copies {@link createBlockContent}'s bytes and adds the edges with that
 * target.
 * @module
 */
import { AArch64EdgeKind } from './aarch64-edge-kinds.js';
import {
  encodeADDImm64,
  encodeADRP,
  encodeBL,
  encodeBR,
  encodeLDRUnsignedImm,
  encodeMOVK,
  encodeMOVZ,
  encodeSTPPreIndex64,
} from './aarch64-instructions.js';

/** An edge of a template block; its target is the template's single target symbol. */
export interface EdgeTemplate {
  /** The edge kind. */
  readonly kind: AArch64EdgeKind;
  /** Offset of the fixup in the block. */
  readonly offset: number;
  /** The addend. */
  readonly addend: bigint;
}

/** A block to synthesize: content (little-endian 32-bit words), alignment and edges. */
export interface BlockTemplate {
  /** The content, as 32-bit words stored little-endian. */
  readonly words: readonly number[];
  /** Size in bytes (`4 * words.length`). */
  readonly size: number;
  /** Required alignment of the block's address, in bytes. */
  readonly alignment: number;
  /** The edges, all to the template's target. */
  readonly edges: readonly EdgeTemplate[];
}

function template(words: readonly number[], alignment: number, edges: readonly EdgeTemplate[]): BlockTemplate {
  return Object.freeze({
    words: Object.freeze([...words]),
    size: words.length * 4,
    alignment,
    edges: Object.freeze(edges.map((e) => Object.freeze({ ...e }))),
  });
}

/** A fresh, mutable copy of a template's content (little-endian). */
export function createBlockContent(block: BlockTemplate): Uint8Array {
  const bytes = new Uint8Array(block.size);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < block.words.length; i++) view.setUint32(i * 4, block.words[i]!, true);
  return bytes;
}

/** The scratch register of stubs and veneers: x16 (IP0), which AAPCS64 lets linker-inserted code clobber. */
export const STUB_SCRATCH_REGISTER = 16;

// ---------------------------------------------------------------------------------------------------------------
// Pointers
// ---------------------------------------------------------------------------------------------------------------

/** Size of an AArch64 pointer. */
export const POINTER_SIZE = 8;

/** The address JITLink gives a pointer block before allocation (`~7`, the highest 8-aligned address). */
export const POINTER_PLACEHOLDER_ADDRESS = 0xfffffffffffffff8n;

/** An 8-byte, 8-aligned null pointer without an initial target. */
export const NULL_POINTER: BlockTemplate = template([0, 0], 8, []);

/**
 * An 8-byte, 8-aligned pointer initialized to its target: one Pointer64 edge at offset 0 (target: the pointee).
 * A GOT entry is `pointerTo()`.
 */
export function pointerTo(addend = 0n): BlockTemplate {
  return template([0, 0], 8, [{ kind: AArch64EdgeKind.Pointer64, offset: 0, addend }]);
}

// ---------------------------------------------------------------------------------------------------------------
// Pointer-jump stub (also the PLT stub)
// ---------------------------------------------------------------------------------------------------------------

/** The address JITLink gives a pointer-jump stub block before allocation (`~11`). */
export const POINTER_JUMP_STUB_PLACEHOLDER_ADDRESS = 0xfffffffffffffff4n;

/**
 * The 12-byte pointer-jump stub, 4-aligned; edges target the pointer (e.g. a GOT entry or `<name>$__stub_ptr`):
 * ```
 * +0  90000010  ADRP x16, ptr@page       Page21       +0
 * +4  f9400210  LDR  x16, [x16, ptr@lo12] PageOffset12 +0  (64-bit load: the offset is scaled by 8)
 * +8  d61f0200  BR   x16
 * ```
 */
export const POINTER_JUMP_STUB: BlockTemplate = template(
  [
    encodeADRP(STUB_SCRATCH_REGISTER),
    encodeLDRUnsignedImm(STUB_SCRATCH_REGISTER, STUB_SCRATCH_REGISTER, 0, 3),
    encodeBR(STUB_SCRATCH_REGISTER),
  ],
  4,
  [
    { kind: AArch64EdgeKind.Page21, offset: 0, addend: 0n },
    { kind: AArch64EdgeKind.PageOffset12, offset: 4, addend: 0n },
  ],
);

// ---------------------------------------------------------------------------------------------------------------
// Reentry trampoline
// ---------------------------------------------------------------------------------------------------------------

/**
 * The 8-byte lazy-reexports reentry trampoline, 4-aligned; its edge targets the reentry function
 * (`__orc_rt_reenter`):
 * ```
 * +0  a9bf7bfd  STP x29, x30, [sp, #-16]!
 * +4  94000000  BL  <reentry>               Branch26PCRel +0
 * ```
 * The reentry function finds the trampoline as `x30 - 8` and returns with `ret x17` after popping the pair.
 */
export const REENTRY_TRAMPOLINE: BlockTemplate = template([encodeSTPPreIndex64(29, 30, 31, -16), encodeBL()], 4, [
  { kind: AArch64EdgeKind.Branch26PCRel, offset: 4, addend: 0n },
]);

// ---------------------------------------------------------------------------------------------------------------
// Branch26 range-extension veneers
// ---------------------------------------------------------------------------------------------------------------

/** Lowest byte displacement a B/BL can encode. */
export const BRANCH26_MIN_DISPLACEMENT = -(2 ** 27);
/** Highest byte displacement a B/BL can encode. */
export const BRANCH26_MAX_DISPLACEMENT = 2 ** 27 - 4;

/**
 * True when a B/BL at `fixupAddress` can reach `targetAddress + addend` directly: the displacement is a multiple
 * of 4 within [-2^27, 2^27 - 4] (the check `applyFixup` makes for Branch26PCRel).
 */
export function isBranch26InRange(fixupAddress: bigint, targetAddress: bigint, addend = 0n): boolean {
  const d = BigInt.asIntN(64, targetAddress + addend - fixupAddress);
  return (d & 3n) === 0n && d >= -(1n << 27n) && d < 1n << 27n;
}

/**
 * The form of a range-extension veneer:
 * - `adrp`: `ADRP x16; ADD x16, x16, :lo12:; BR x16`, 12 bytes, reaches ±4 GiB from the veneer's page;
 * - `absolute`: `MOVZ/MOVK x16` (four 16-bit slices) + `BR x16`, 20 bytes, reaches any 64-bit address.
 */
export type BranchVeneerForm = 'adrp' | 'absolute';

/**
 * A Branch26 range-extension veneer (branch island), 4-aligned, whose edges target the branch's original
 * target with the branch's original addend. The out-of-range B/BL is retargeted to the veneer with addend 0.
 *
 * The veneer clobbers only x16 (IP0): AAPCS64 reserves x16/x17 for exactly this (linker veneers and PLT code
 * between a call and its callee), so callers cannot hold live values in them across a call. x17 is left
 * untouched, so the lazy-reexports path (which returns through x17 after `__orc_rt_reenter`) stays intact even
 * when a trampoline's BL goes through a veneer. A BL through a veneer keeps x30 = the caller's return address,
 * because the veneer ends in BR, not BLR.
 * ```
 * adrp:      +0 ADRP x16, T@page (Page21)   +4 ADD x16, x16, T@lo12 (PageOffset12)   +8 BR x16
 * absolute:  +0 MOVZ x16, T[15:0]  +4 MOVK x16, T[31:16], LSL #16  +8 MOVK .., LSL #32  +12 MOVK .., LSL #48
 *            (MoveWide16 each)     +16 BR x16
 * ```
 */
export function branchVeneer(form: BranchVeneerForm, addend = 0n): BlockTemplate {
  const r = STUB_SCRATCH_REGISTER;
  if (form === 'adrp')
    return template([encodeADRP(r), encodeADDImm64(r, r), encodeBR(r)], 4, [
      { kind: AArch64EdgeKind.Page21, offset: 0, addend },
      { kind: AArch64EdgeKind.PageOffset12, offset: 4, addend },
    ]);
  return template([encodeMOVZ(r, 0, 0), encodeMOVK(r, 0, 1), encodeMOVK(r, 0, 2), encodeMOVK(r, 0, 3), encodeBR(r)], 4, [
    { kind: AArch64EdgeKind.MoveWide16, offset: 0, addend },
    { kind: AArch64EdgeKind.MoveWide16, offset: 4, addend },
    { kind: AArch64EdgeKind.MoveWide16, offset: 8, addend },
    { kind: AArch64EdgeKind.MoveWide16, offset: 12, addend },
  ]);
}

/** Size in bytes of a veneer of the given form. */
export function branchVeneerSize(form: BranchVeneerForm): number {
  return form === 'adrp' ? 12 : 20;
}

/**
 * The smallest veneer that reaches `targetAddress + addend` from a veneer placed at `veneerAddress`: `adrp` when
 * the page distance fits ADRP's ±4 GiB, else `absolute`. A pass that must size veneers before addresses are
 * known should use `absolute` for targets outside the graph's own (contiguous) allocation.
 */
export function selectBranchVeneer(veneerAddress: bigint, targetAddress: bigint, addend = 0n): BranchVeneerForm {
  const pageDelta = BigInt.asIntN(64, (BigInt.asUintN(64, targetAddress + addend) & ~0xfffn) - (veneerAddress & ~0xfffn));
  return pageDelta >= -(1n << 32n) && pageDelta < 1n << 32n ? 'adrp' : 'absolute';
}
