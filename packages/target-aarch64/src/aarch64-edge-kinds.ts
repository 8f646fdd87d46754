/**
 * AArch64 link-graph edge kinds, numbered as JITLink numbers them.
 *
 * A link-graph edge carries a numeric kind. Kinds 0 and 1 are generic (`Invalid` and `KeepAlive`); every
 * architecture numbers its own relocation kinds from 2 (JITLink's `Edge::FirstRelocation`). The generic graph
 * lives in `@orc-ts/object-linking-layer`; this module only names the AArch64 kinds and their display names,
 * which are the enumerator names of LLVM's `aarch64::EdgeKind_aarch64` (they appear in error messages).
 *
 * The MachO-only kinds of LLVM (`RequestTLVPAndTransformTo*`, `Pointer64Authenticated`) are not part of this
 * ELF-only target.
 * @module
 */

/** JITLink's generic `Edge::Invalid` kind. */
export const EDGE_KIND_INVALID = 0;
/** JITLink's generic `Edge::KeepAlive` kind: keeps its target alive, never fixed up. */
export const EDGE_KIND_KEEP_ALIVE = 1;
/** JITLink's `Edge::FirstRelocation`: the first architecture-specific edge kind. */
export const FIRST_RELOCATION_EDGE_KIND = 2;

/**
 * The AArch64 edge kinds (values start at {@link FIRST_RELOCATION_EDGE_KIND}). Use as `AArch64EdgeKind.Page21`;
 * the companion type {@link AArch64EdgeKind} is the union of the values.
 *
 * Fixup semantics (S = target address, A = addend, P = fixup address) are documented on `applyFixup`.
 */
export const AArch64EdgeKind = {
  /** 64-bit pointer: `S + A`. */
  Pointer64: 2,
  /** 32-bit pointer: `S + A`, must fit in 32 unsigned bits. */
  Pointer32: 3,
  /** 64-bit delta: `S + A - P`. */
  Delta64: 4,
  /** 32-bit delta: `S + A - P`, must fit in int32. */
  Delta32: 5,
  /** 64-bit negative delta: `P - S + A`. */
  NegDelta64: 6,
  /** 32-bit negative delta: `P - S + A`, must fit in int32. */
  NegDelta32: 7,
  /** B/BL 26-bit word offset (±128 MiB). */
  Branch26PCRel: 8,
  /** TBZ/TBNZ 14-bit word offset (±32 KiB). */
  TestAndBranch14PCRel: 9,
  /** B.cond/CBZ/CBNZ 19-bit word offset (±1 MiB). */
  CondBranch19PCRel: 10,
  /** MOVZ/MOVK 16-bit slice of `S + A` selected by the instruction's `hw` field. */
  MoveWide16: 11,
  /** LDR (literal) 19-bit word offset (±1 MiB). */
  LDRLiteral19: 12,
  /** ADR 21-bit byte offset (±1 MiB). */
  ADRLiteral21: 13,
  /** ADRP 21-bit page offset (±4 GiB). */
  Page21: 14,
  /** ADD/LDR/STR low 12 bits of `S + A`, scaled by the access size of a load/store. */
  PageOffset12: 15,
  /** LDR (64-bit) offset of `S + A` from the page of `_GLOBAL_OFFSET_TABLE_`, 15 bits, 8-byte scaled. */
  GotPageOffset15: 16,
  /** Request a GOT entry for the target; becomes {@link AArch64EdgeKind.Page21} to the entry. */
  RequestGOTAndTransformToPage21: 17,
  /** Request a GOT entry for the target; becomes {@link AArch64EdgeKind.PageOffset12} to the entry. */
  RequestGOTAndTransformToPageOffset12: 18,
  /** Request a GOT entry for the target; becomes {@link AArch64EdgeKind.GotPageOffset15} to the entry. */
  RequestGOTAndTransformToPageOffset15: 19,
  /** Request a GOT entry for the target; becomes {@link AArch64EdgeKind.Delta32} to the entry. */
  RequestGOTAndTransformToDelta32: 20,
  /** Request a TLS descriptor entry; becomes Page21 to the entry (not supported by orc-ts, see relocations). */
  RequestTLSDescEntryAndTransformToPage21: 21,
  /** Request a TLS descriptor entry; becomes PageOffset12 to the entry (not supported by orc-ts). */
  RequestTLSDescEntryAndTransformToPageOffset12: 22,
} as const;

/** A numeric AArch64 edge kind (one of the values of the {@link AArch64EdgeKind} object). */
export type AArch64EdgeKind = (typeof AArch64EdgeKind)[keyof typeof AArch64EdgeKind];

/** Display names indexed by `kind - FIRST_RELOCATION_EDGE_KIND`, in enumeration order. */
const EDGE_KIND_NAMES: readonly string[] = Object.keys(AArch64EdgeKind);

/** The last (highest) AArch64 edge kind. */
export const LAST_AARCH64_EDGE_KIND: AArch64EdgeKind = AArch64EdgeKind.RequestTLSDescEntryAndTransformToPageOffset12;

/** True when `kind` is one of the AArch64 edge kinds. */
export function isAArch64EdgeKind(kind: number): kind is AArch64EdgeKind {
  return Number.isInteger(kind) && kind >= FIRST_RELOCATION_EDGE_KIND && kind <= LAST_AARCH64_EDGE_KIND;
}

/**
 * The display name of an edge kind, as LLVM's `aarch64::getEdgeKindName` prints it: the enumerator name for
 * AArch64 kinds, `INVALID RELOCATION` for 0, `Keep-Alive` for 1 and `<Unrecognized edge kind>` otherwise.
 */
export function getEdgeKindName(kind: number): string {
  if (isAArch64EdgeKind(kind)) return EDGE_KIND_NAMES[kind - FIRST_RELOCATION_EDGE_KIND]!;
  if (kind === EDGE_KIND_INVALID) return 'INVALID RELOCATION';
  if (kind === EDGE_KIND_KEEP_ALIVE) return 'Keep-Alive';
  return '<Unrecognized edge kind>';
}
