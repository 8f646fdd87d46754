/**
 * GOT entries, PLT stubs and their relaxation: the target knowledge behind JITLink's AArch64 table managers
 * (post-prune) and the GOT/stub optimization of LLVM PR #188322 (pre-fixup), as pure functions.
 *
 * - GOT (`$__GOT`): each `RequestGOTAndTransformTo*` edge is retargeted to a per-target 8-byte pointer
 *   ({@link GOT_ENTRY}) and its kind becomes {@link getGOTTransformedKind}'s result; the addend is kept.
 * - PLT (`$__STUBS`): a Branch26PCRel edge whose target is not defined in the graph is retargeted to a
 *   per-target {@link PLT_STUB} that jumps through the target's GOT entry.
 * - After allocation: {@link canBypassStub} and {@link relaxGOTLoad} decide the rewrites.
 * @module
 */
import { AArch64EdgeKind } from './aarch64-edge-kinds.js';
import { NOP, encodeADDImm64, encodeADR, getRd, getRn, getRt, isADRP, isLDR64UnsignedImm } from './aarch64-instructions.js';
import { type BlockTemplate, POINTER_JUMP_STUB, isBranch26InRange, pointerTo } from './aarch64-stubs.js';

/** JITLink's section name for GOT entries. */
export const GOT_SECTION_NAME = '$__GOT';
/** JITLink's section name for PLT stubs. */
export const STUBS_SECTION_NAME = '$__STUBS';
/** The symbol whose page `GotPageOffset15` is relative to. */
export const GLOBAL_OFFSET_TABLE_SYMBOL_NAME = '_GLOBAL_OFFSET_TABLE_';

/**
 * A GOT entry: 8 zero bytes, 8-aligned, one Pointer64 edge at offset 0 (addend 0) to the original target.
 * JITLink gives it an anonymous, non-callable symbol of size 8.
 */
export const GOT_ENTRY: BlockTemplate = pointerTo(0n);

/**
 * A PLT stub: the 12-byte pointer-jump stub (`ADRP x16` / `LDR x16, [x16, #lo12]` / `BR x16`, bytes
 * `10 00 00 90 10 02 40 f9 00 02 1f d6`), 4-aligned, with a Page21 edge at 0 and a PageOffset12 edge at 4, both to
 * the target's GOT entry with addend 0. JITLink gives it an anonymous callable symbol of size 12.
 */
export const PLT_STUB: BlockTemplate = POINTER_JUMP_STUB;

/**
 * The kind a GOT-requesting edge becomes once retargeted to the GOT entry, or `undefined` for any other kind:
 * RequestGOTAndTransformToPage21 → Page21, ...PageOffset12 → PageOffset12, ...PageOffset15 → GotPageOffset15,
 * ...Delta32 → Delta32.
 */
export function getGOTTransformedKind(kind: number): AArch64EdgeKind | undefined {
  switch (kind) {
    case AArch64EdgeKind.RequestGOTAndTransformToPage21:
      return AArch64EdgeKind.Page21;
    case AArch64EdgeKind.RequestGOTAndTransformToPageOffset12:
      return AArch64EdgeKind.PageOffset12;
    case AArch64EdgeKind.RequestGOTAndTransformToPageOffset15:
      return AArch64EdgeKind.GotPageOffset15;
    case AArch64EdgeKind.RequestGOTAndTransformToDelta32:
      return AArch64EdgeKind.Delta32;
    default:
      return undefined;
  }
}

/**
 * True when an edge must go through a PLT stub: a Branch26PCRel whose target is not defined in the graph
 * (external or absolute). Branches to defined symbols never get a stub.
 */
export function needsPLTStub(kind: number, targetIsDefined: boolean): boolean {
  return kind === AArch64EdgeKind.Branch26PCRel && !targetIsDefined;
}

/**
 * Stub bypass: true when a Branch26PCRel at `branchFixupAddress` that was routed to a PLT stub can be retargeted
 * to the real target (`realTargetAddress`, the target of the stub's GOT entry) because it is directly reachable.
 * The edge keeps its addend; the stub and GOT entry stay allocated.
 */
export function canBypassStub(branchFixupAddress: bigint, realTargetAddress: bigint, addend = 0n): boolean {
  return isBranch26InRange(branchFixupAddress, realTargetAddress, addend);
}

/** How {@link relaxGOTLoad} rewrites an `ADRP` + `LDR` GOT load. */
export interface GOTLoadRelaxation {
  /** `nop-adr`: `NOP` + `ADR Xt, T` (target within ±1 MiB); `adrp-add`: `ADRP` + `ADD Xt, Xn, :lo12:T` (±4 GiB). */
  readonly form: 'nop-adr' | 'adrp-add';
  /** The new word at the ADRP's offset. */
  readonly adrpWord: number;
  /** The new word at the LDR's offset (ADRP offset + 4), immediate field zero. */
  readonly ldrWord: number;
  /** The new kind of the ADRP's edge, retargeted to the real target; `undefined` when the edge must be removed. */
  readonly adrpEdgeKind: AArch64EdgeKind | undefined;
  /** The new kind of the LDR's edge, retargeted to the real target (addend 0). */
  readonly ldrEdgeKind: AArch64EdgeKind;
}

/**
 * GOT-load relaxation (the ABI's "relocation optimization" of `R_AARCH64_ADR_GOT_PAGE` +
 * `R_AARCH64_LD64_GOT_LO12_NC`) for an `ADRP` at `adrpAddress` immediately followed by a 64-bit `LDR` that loads
 * the GOT entry of a target now known to live at `targetAddress`.
 *
 * The caller checks the edges: a Page21 at the ADRP and a PageOffset12 at `adrpAddress + 4`, both to the same GOT
 * entry, both with addend 0. This function checks the words: an ADRP and a 64-bit unsigned-offset LDR with zero
 * immediates, and one register throughout (`ADRP Xd; LDR Xd, [Xd]`: the ABI allows the rewrite only when both
 * instructions write the same register; LLVM's first version only compared ADRP Rd with LDR Rn, which would leave
 * a different LDR Rt unwritten). Register 31 is refused (it is XZR for ADRP but SP as a base).
 *
 * @returns the rewrite, or `undefined` for "no change" (keep loading through the GOT)
 */
export function relaxGOTLoad(adrpWord: number, ldrWord: number, adrpAddress: bigint, targetAddress: bigint): GOTLoadRelaxation | undefined {
  if (!isADRP(adrpWord) || (adrpWord & 0x60ffffe0) !== 0) return undefined;
  if (!isLDR64UnsignedImm(ldrWord) || (ldrWord & 0x003ffc00) !== 0) return undefined;
  const reg = getRd(adrpWord);
  if (reg === 31 || getRn(ldrWord) !== reg || getRt(ldrWord) !== reg) return undefined;

  const target = BigInt.asUintN(64, targetAddress);
  const adrDelta = BigInt.asIntN(64, target - (adrpAddress + 4n));
  if (adrDelta >= -(1n << 20n) && adrDelta < 1n << 20n)
    return Object.freeze({
      form: 'nop-adr',
      adrpWord: NOP,
      ldrWord: encodeADR(reg),
      adrpEdgeKind: undefined,
      ldrEdgeKind: AArch64EdgeKind.ADRLiteral21,
    });

  const pageDelta = BigInt.asIntN(64, (target & ~0xfffn) - (BigInt.asUintN(64, adrpAddress) & ~0xfffn));
  if (pageDelta >= -(1n << 32n) && pageDelta < 1n << 32n)
    return Object.freeze({
      form: 'adrp-add',
      adrpWord: adrpWord >>> 0,
      ldrWord: encodeADDImm64(reg, reg),
      adrpEdgeKind: AArch64EdgeKind.Page21,
      ldrEdgeKind: AArch64EdgeKind.PageOffset12,
    });

  return undefined;
}
