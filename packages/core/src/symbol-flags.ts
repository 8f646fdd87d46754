/**
 * Symbol flags, ORC's `JITSymbolFlags`: a bitmask of generic flags in the low 8 bits and 8 target-specific bits
 * above them, packed into one number so that symbol tables of millions of entries stay small.
 */

/** The flags of a symbol: generic bits (see {@link JITSymbolFlags}) in bits 0-7, target flags in bits 8-15. */
export type JITSymbolFlags = number;

const HasError = 1;
const Weak = 2;
const Common = 4;
const Absolute = 8;
const Exported = 16;
const Callable = 32;
const MaterializationSideEffectsOnly = 64;

/**
 * Flag bits and helpers for {@link JITSymbolFlags} values.
 *
 * A symbol is *strong* when it is neither `Weak` nor `Common`. A symbol without `Exported` is hidden: it matches
 * only when its JITDylib is searched with `MatchAllSymbols`.
 */
export const JITSymbolFlags = Object.freeze({
  /** No flags: a hidden, strong symbol. */
  None: 0,
  /** Internal: set when the symbol's materialization failed; stays until the symbol is removed. */
  HasError,
  /** Gives way to a strong definition; the first weak definition wins among weak ones. */
  Weak,
  /** A common symbol: like weak, and may be resolved as weak or common. */
  Common,
  /** The address is absolute (not relocatable); carried through unchanged. */
  Absolute,
  /** Visible to exported-only searches. */
  Exported,
  /** The symbol is a function. */
  Callable,
  /** The symbol has no address and only orders side effects (such as initializers). */
  MaterializationSideEffectsOnly,
  /** Mask of the generic flag bits. */
  GenericMask: 0xff,

  /** Returns `flags` with its target flags replaced by `targetFlags` (0-255). */
  withTargetFlags(flags: JITSymbolFlags, targetFlags: number): JITSymbolFlags {
    return (flags & 0xff) | ((targetFlags & 0xff) << 8);
  },
  /** The 8 target-specific bits of `flags`. */
  getTargetFlags(flags: JITSymbolFlags): number {
    return (flags >>> 8) & 0xff;
  },
  /** True when the symbol is neither weak nor common. */
  isStrong(flags: JITSymbolFlags): boolean {
    return (flags & (Weak | Common)) === 0;
  },
  /** True when the `Weak` bit is set. */
  isWeak(flags: JITSymbolFlags): boolean {
    return (flags & Weak) !== 0;
  },
  /** True when the `Common` bit is set. */
  isCommon(flags: JITSymbolFlags): boolean {
    return (flags & Common) !== 0;
  },
  /** True when the `Exported` bit is set. */
  isExported(flags: JITSymbolFlags): boolean {
    return (flags & Exported) !== 0;
  },
  /** True when the `Callable` bit is set. */
  isCallable(flags: JITSymbolFlags): boolean {
    return (flags & Callable) !== 0;
  },
  /** True when the `HasError` bit is set. */
  hasError(flags: JITSymbolFlags): boolean {
    return (flags & HasError) !== 0;
  },
  /** True when the `MaterializationSideEffectsOnly` bit is set. */
  hasMaterializationSideEffectsOnly(flags: JITSymbolFlags): boolean {
    return (flags & MaterializationSideEffectsOnly) !== 0;
  },
  /** Renders flags for messages, e.g. `[Exported|Callable]`. */
  toString(flags: JITSymbolFlags): string {
    const names: string[] = [];
    if (flags & HasError) names.push('HasError');
    if (flags & Weak) names.push('Weak');
    if (flags & Common) names.push('Common');
    if (flags & Absolute) names.push('Absolute');
    if (flags & Exported) names.push('Exported');
    if (flags & Callable) names.push('Callable');
    if (flags & MaterializationSideEffectsOnly) names.push('MaterializationSideEffectsOnly');
    const target = (flags >>> 8) & 0xff;
    if (target) names.push(`Target(0x${target.toString(16)})`);
    return `[${names.join('|')}]`;
  },
});
