import type { JITDylib } from './jit-dylib.js';

/** How a lookup resolves: as a static link would (`Static`), or as a runtime `dlsym` would (`DLSym`). */
export enum LookupKind {
  /** Resolve as a static link would; archive generators may pull in members. */
  Static = 0,
  /** Resolve as a runtime lookup; generators should not pull new definitions from archives. */
  DLSym = 1,
}

/** Per-JITDylib visibility rule of a search order entry. */
export enum JITDylibLookupFlags {
  /** Symbols without the `Exported` flag are skipped, as if absent. */
  MatchExportedSymbolsOnly = 0,
  /** Hidden symbols match too. */
  MatchAllSymbols = 1,
}

/** Per-symbol requirement of a lookup. */
export enum SymbolLookupFlags {
  /** Not finding the symbol fails the lookup with `SymbolsNotFound`. */
  RequiredSymbol = 0,
  /** Not finding the symbol silently drops it from the result. */
  WeaklyReferencedSymbol = 1,
}

/** The JITDylibs a lookup searches, in order, each with its visibility rule. The first match wins. */
export type JITDylibSearchOrder = ReadonlyArray<readonly [JITDylib, JITDylibLookupFlags]>;

/** Builds a search order from JITDylibs, all with the same flags (default: exported symbols only). */
export function makeJITDylibSearchOrder(
  jds: Iterable<JITDylib>,
  flags: JITDylibLookupFlags = JITDylibLookupFlags.MatchExportedSymbolsOnly,
): JITDylibSearchOrder {
  return Array.from(jds, (jd) => [jd, flags] as const);
}
