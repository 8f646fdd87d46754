/**
 * The life-cycle state of a symbol in a JITDylib's symbol table, ordered: a query requiring state S is satisfied
 * by any state >= S.
 */
export enum SymbolState {
  /** Not a real state; never stored. */
  Invalid = 0,
  /** Defined by `define()`; its materialization unit is attached and has not been triggered. */
  NeverSearched = 1,
  /** Being materialized (triggered by a lookup, added by `defineMaterializing`, or handed back by `replace`). */
  Materializing = 2,
  /** Has an address; the code or data there may not be usable yet. */
  Resolved = 3,
  /**
   * Emitted, but waiting on dependencies that are not yet emitted. (LLVM's newer tracking leaves such symbols in
   * `Resolved`; orc-ts reports `Emitted`, which is what the symbol is, and lets `Emitted` queries complete.)
   */
  Emitted = 4,
  /** Emitted, and so is everything it transitively depends on: the address is safe to use. */
  Ready = 5,
}
