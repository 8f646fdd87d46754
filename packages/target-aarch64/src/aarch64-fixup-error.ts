/**
 * The typed error thrown by `applyFixup`.
 * @module
 */

/**
 * Why a fixup failed:
 * - `out-of-range`: the computed value does not fit the field (LLVM's `makeTargetOutOfRangeError`, or
 *   `PAGEOFF15 target is out of range`);
 * - `misaligned`: the value violates the field's alignment (`... target is not 32-bit aligned`, ...);
 * - `unsupported-edge-kind`: the kind has no fixup (a `Request*` kind left over, or a non-AArch64 kind);
 * - `missing-got-symbol`: a `GotPageOffset15` fixup without the address of `_GLOBAL_OFFSET_TABLE_`.
 */
export type FixupErrorReason = 'out-of-range' | 'misaligned' | 'unsupported-edge-kind' | 'missing-got-symbol';

/** A fixup that cannot be applied. The message is LLVM's text for the same failure. */
export class FixupError extends Error {
  /**
   * @param kind - the edge kind of the failing fixup
   * @param reason - the failure class
   * @param message - the full message
   * @param fixupAddress - the address of the fixup (P)
   */
  constructor(
    readonly kind: number,
    readonly reason: FixupErrorReason,
    message: string,
    readonly fixupAddress: bigint,
  ) {
    super(message);
    this.name = 'FixupError';
  }
}
