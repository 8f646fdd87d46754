/**
 * Applying AArch64 fixups to block content: the equivalent of LLVM's `aarch64::applyFixup`.
 *
 * Semantics (S = target address, A = addend, P = fixup address, all 64-bit; arithmetic wraps modulo 2^64 exactly
 * as LLVM's `uint64_t`/`int64_t` arithmetic does):
 *
 * | kind | value | written | errors |
 * |---|---|---|---|
 * | Pointer64 | S+A | 8 data bytes | - |
 * | Pointer32 | S+A (u64) | 4 data bytes | > 0xffffffff: out of range |
 * | Delta64 / Delta32 | S+A-P | 8 / 4 data bytes | (32) not int32: out of range |
 * | NegDelta64 / NegDelta32 | P-S+A | 8 / 4 data bytes | (32) not int32: out of range |
 * | Branch26PCRel | d=S+A-P | imm26 = d[27:2] | d&3: misaligned; not int28: out of range |
 * | TestAndBranch14PCRel | d | imm14 = d[15:2] -> 18:5 | d&3: misaligned; not int16: out of range |
 * | CondBranch19PCRel, LDRLiteral19 | d | imm19 = d[20:2] -> 23:5 | d&3: misaligned; not int21: out of range |
 * | ADRLiteral21 | d | immlo = d[1:0] -> 30:29, immhi = d[20:2] -> 23:5 | not int21: out of range |
 * | Page21 | Page(S+A)-Page(P) | immlo/immhi of the page count | not int33: out of range |
 * | PageOffset12 | (S+A)&0xfff | `>> size shift` -> 21:10 | low bits set: misaligned |
 * | MoveWide16 | S+A | 16 bits at `16*hw` -> 20:5 | - |
 * | GotPageOffset15 | S+A-Page(GOT) (u64) | `>> 3` -> 21:10 | > 0x7fff: out of range; &7: misaligned |
 *
 * Immediates are ORed into the instruction word already in the content (its field is assumed zero, as the
 * assembler leaves it for a relocation). Instruction words and data are little-endian.
 *
 * Performance: `applyFixup` runs once per edge of every linked graph. Converting a large bigint to a number is
 * slower than subtracting two bigints, so PC-relative kinds take one bigint subtraction (S - P, of nearby
 * addresses) and convert the small difference; when |S - P| and |A| are below 2^52 everything after that is exact
 * double and 32-bit integer arithmetic. Otherwise (or for the 64-bit data kinds) a bigint path computes the same
 * wrapped 64-bit values. Nothing is allocated per byte.
 * @module
 */
import { AArch64EdgeKind, getEdgeKindName } from './aarch64-edge-kinds.js';
import { FixupError } from './aarch64-fixup-error.js';
import { getMoveWide16Shift, getPageOffset12Shift } from './aarch64-instructions.js';

/**
 * Everything `applyFixup` needs about one edge, as plain data. `fixupAddress` must equal
 * `blockAddress + offsetInBlock`; the names are used only to build error messages.
 */
export interface FixupSite {
  /** The edge kind (an {@link AArch64EdgeKind}). */
  kind: number;
  /** Offset of the fixup in the block content passed to `applyFixup`. */
  offsetInBlock: number;
  /** P: the address of the fixup location. */
  fixupAddress: bigint;
  /** S: the address of the edge's target symbol. */
  targetAddress: bigint;
  /** A: the edge's addend (a signed 64-bit value). */
  addend: bigint;
  /** The link graph's name (error messages). */
  graphName: string;
  /** The name of the section containing the block (error messages). */
  sectionName: string;
  /** The target symbol's name; absent or empty for an anonymous target (error messages). */
  targetName?: string;
  /** The address of the block containing the fixup (error messages). */
  blockAddress: bigint;
  /** The best named symbol at offset 0 of the block, if any (error messages). */
  blockSymbolName?: string;
}

/** Doubles represent every integer below 2^53; keeping |S - P| and |A| below 2^52 keeps all sums exact. */
const EXACT_LIMIT = 2 ** 52;
const EXACT_LIMIT_N = 1n << 52n;
const MOVE_WIDE_SHIFTS = [0n, 16n, 32n, 48n] as const;

/**
 * Applies the fixup described by `site` to `content` (the block's content; the fixup is at
 * `site.offsetInBlock`).
 *
 * @param site - the edge, its addresses and names
 * @param content - the block content, little-endian
 * @param gotSymbolAddress - the address of `_GLOBAL_OFFSET_TABLE_`; required only by `GotPageOffset15`
 * @throws {@link FixupError} with LLVM's message when the value is out of range or misaligned, when the kind
 *   has no fixup (`In graph G, section S unsupported edge kind K`), or when `GotPageOffset15` has no GOT symbol.
 *   A `RangeError` from `DataView` when the offset lies outside `content`.
 */
export function applyFixup(site: FixupSite, content: DataView, gotSymbolAddress?: bigint): void {
  const off = site.offsetInBlock;
  const S = site.targetAddress;
  const A = site.addend;

  switch (site.kind) {
    case AArch64EdgeKind.Pointer64:
      // setBigUint64 stores its argument modulo 2^64.
      content.setBigUint64(off, A === 0n ? S : S + A, true);
      return;

    case AArch64EdgeKind.Pointer32: {
      const v = BigInt.asUintN(64, A === 0n ? S : S + A);
      if (v > 0xffffffffn) throw outOfRange(site);
      content.setUint32(off, Number(v), true);
      return;
    }

    case AArch64EdgeKind.Delta64:
      content.setBigInt64(off, S + A - site.fixupAddress, true);
      return;

    case AArch64EdgeKind.NegDelta64:
      content.setBigInt64(off, site.fixupAddress - S + A, true);
      return;

    case AArch64EdgeKind.Delta32:
    case AArch64EdgeKind.NegDelta32: {
      const v = site.kind === AArch64EdgeKind.Delta32 ? delta(S, site.fixupAddress, A) : delta(site.fixupAddress, S, A);
      if (v < -0x80000000 || v > 0x7fffffff) throw outOfRange(site);
      content.setInt32(off, v, true);
      return;
    }

    case AArch64EdgeKind.Branch26PCRel: {
      const d = delta(S, site.fixupAddress, A);
      if ((d & 3) !== 0) throw misaligned(site, 'BranchPCRel26 target is not 32-bit aligned');
      if (d < -0x8000000 || d > 0x7ffffff) throw outOfRange(site);
      orWord(content, off, (d >>> 2) & 0x3ffffff);
      return;
    }

    case AArch64EdgeKind.TestAndBranch14PCRel: {
      const d = delta(S, site.fixupAddress, A);
      if ((d & 3) !== 0) throw misaligned(site, 'Test and branch literal target is not 32-bit aligned');
      if (d < -0x8000 || d > 0x7fff) throw outOfRange(site);
      orWord(content, off, ((d >> 2) & 0x3fff) << 5);
      return;
    }

    case AArch64EdgeKind.CondBranch19PCRel:
    case AArch64EdgeKind.LDRLiteral19: {
      const d = delta(S, site.fixupAddress, A);
      if ((d & 3) !== 0)
        throw misaligned(
          site,
          site.kind === AArch64EdgeKind.LDRLiteral19
            ? 'LDR literal target is not 32-bit aligned'
            : 'Conditional branch literal target is not 32-bit aligned',
        );
      if (d < -0x100000 || d > 0xfffff) throw outOfRange(site);
      orWord(content, off, ((d >> 2) & 0x7ffff) << 5);
      return;
    }

    case AArch64EdgeKind.ADRLiteral21: {
      const d = delta(S, site.fixupAddress, A);
      if (d < -0x100000 || d > 0xfffff) throw outOfRange(site);
      orWord(content, off, ((d & 3) << 29) | (((d >> 2) & 0x7ffff) << 5));
      return;
    }

    case AArch64EdgeKind.Page21: {
      // Page(S+A) - Page(P) = d - ((S+A) mod 4096) + (P mod 4096), and (S+A) mod 4096 = (P mod 4096 + d) mod 4096.
      // `x & 0xfff` is exact for any integer double (ToInt32 is a mathematical modulo 2^32). A stand-in d keeps
      // its magnitude, so the result stays out of range.
      const d = delta(S, site.fixupAddress, A);
      const pLow = Number(BigInt.asUintN(12, site.fixupAddress));
      const pageDelta = d - ((pLow + d) & 0xfff) + pLow;
      if (pageDelta < -0x100000000 || pageDelta > 0xffffffff) throw outOfRange(site);
      const pages = pageDelta / 4096; // exact: an integer in [-2^20, 2^20)
      orWord(content, off, ((pages & 3) << 29) | (((pages >> 2) & 0x7ffff) << 5));
      return;
    }

    case AArch64EdgeKind.PageOffset12: {
      const pageOffset = Number(BigInt.asUintN(12, A === 0n ? S : S + A));
      const word = content.getUint32(off, true);
      const shift = getPageOffset12Shift(word);
      if ((pageOffset & ((1 << shift) - 1)) !== 0) throw misaligned(site, 'PAGEOFF12 target is not aligned');
      content.setUint32(off, word | ((pageOffset >>> shift) << 10), true);
      return;
    }

    case AArch64EdgeKind.MoveWide16: {
      const word = content.getUint32(off, true);
      const hw = getMoveWide16Shift(word) >>> 4;
      // `>>` on a negative bigint is arithmetic, so the low 16 bits are those of the wrapped u64.
      const imm = Number(BigInt.asUintN(16, (A === 0n ? S : S + A) >> MOVE_WIDE_SHIFTS[hw]!));
      content.setUint32(off, word | (imm << 5), true);
      return;
    }

    case AArch64EdgeKind.GotPageOffset15: {
      if (gotSymbolAddress === undefined)
        throw new FixupError(
          site.kind,
          'missing-got-symbol',
          `In graph ${site.graphName}, section ${site.sectionName}: GotPageOffset15 fixup needs the address of _GLOBAL_OFFSET_TABLE_`,
          site.fixupAddress,
        );
      // (S+A) - Page(G) = (S+A-G) + (G mod 4096), as u64: a negative value is a huge u64, out of range.
      const o = delta(S, gotSymbolAddress, A) + Number(BigInt.asUintN(12, gotSymbolAddress));
      if (o < 0 || o > 0x7fff) throw new FixupError(site.kind, 'out-of-range', 'PAGEOFF15 target is out of range', site.fixupAddress);
      if ((o & 7) !== 0) throw misaligned(site, 'PAGEOFF15 target is not aligned');
      orWord(content, off, (o >>> 3) << 10);
      return;
    }

    default:
      throw new FixupError(
        site.kind,
        'unsupported-edge-kind',
        `In graph ${site.graphName}, section ${site.sectionName} unsupported edge kind ${getEdgeKindName(site.kind)}`,
        site.fixupAddress,
      );
  }
}

/**
 * `X + A - Y` wrapped to int64 (LLVM's arithmetic), as a number: exact when |X - Y| and |A| are below 2^52 (the
 * common case: one bigint subtraction of nearby addresses, whose small result converts cheaply), otherwise
 * {@link approxSigned}'s stand-in.
 */
function delta(X: bigint, Y: bigint, A: bigint): number {
  const diff = Number(X - Y);
  if (diff > -EXACT_LIMIT && diff < EXACT_LIMIT) {
    if (A === 0n) return diff;
    const a = Number(A);
    if (a > -EXACT_LIMIT && a < EXACT_LIMIT) return diff + a;
  }
  return approxSigned(X + A - Y);
}

/** ORs `bits` into the little-endian instruction word at `off`. */
function orWord(content: DataView, off: number, bits: number): void {
  content.setUint32(off, content.getUint32(off, true) | bits, true);
}

/**
 * `x` wrapped to int64, as a number: exact when |x| < 2^52, otherwise a same-signed stand-in of magnitude
 * >= 2^52 - 4095 (beyond every range check) that keeps the low 12 bits (for the alignment checks).
 */
function approxSigned(x: bigint): number {
  const v = BigInt.asIntN(64, x);
  if (v > -EXACT_LIMIT_N && v < EXACT_LIMIT_N) return Number(v);
  const low = Number(v & 0xfffn);
  return v < 0n ? -EXACT_LIMIT + low : EXACT_LIMIT + low;
}

function hex64(v: bigint): string {
  return `0x${BigInt.asUintN(64, v).toString(16)}`;
}

function misaligned(site: FixupSite, message: string): FixupError {
  return new FixupError(site.kind, 'misaligned', message, site.fixupAddress);
}

/**
 * LLVM's `makeTargetOutOfRangeError` text (newest form):
 * `In graph G, section S: relocation target <S+A> (<name>[:<S> + <A>]) is out of range of <Kind> fixup at
 * address <P> (<block symbol>, <block address> + <offset>)`.
 *
 * Deliberate difference: LLVM prints the *target* address after "fixup at address" (a slip in
 * `makeTargetOutOfRangeError`); we print the fixup address P, which is what the words say.
 */
function outOfRange(site: FixupSite): FixupError {
  const S = site.targetAddress;
  const A = site.addend;
  let message = `In graph ${site.graphName}, section ${site.sectionName}: relocation target ${hex64(S + A)} (`;
  message += site.targetName ? site.targetName : '<anonymous symbol>';
  if (A !== 0n) message += `:${hex64(S)} + ${hex64(A)}`;
  message += `) is out of range of ${getEdgeKindName(site.kind)} fixup at address ${hex64(site.fixupAddress)} (`;
  message += site.blockSymbolName ? `${site.blockSymbolName}, ` : '<anonymous block> @ ';
  message += `${hex64(site.blockAddress)} + 0x${site.offsetInBlock.toString(16)})`;
  return new FixupError(site.kind, 'out-of-range', message, site.fixupAddress);
}
