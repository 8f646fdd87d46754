import { JITSymbolFlags, type SymbolFlagsMap } from '@orc-ts/core';
import { Linkage, Scope, type LinkGraph, type Symbol } from '../graph/link-graph.js';

/** The core flags a graph symbol is published with. */
export function getSymbolFlags(sym: Symbol): number {
  let flags = 0;
  if (sym.scope === Scope.Default) flags |= JITSymbolFlags.Exported;
  if (sym.linkage === Linkage.Weak) flags |= JITSymbolFlags.Weak;
  if (sym.isCallable) flags |= JITSymbolFlags.Callable;
  if (sym.scope === Scope.SideEffectsOnly) flags |= JITSymbolFlags.MaterializationSideEffectsOnly;
  return JITSymbolFlags.withTargetFlags(flags, sym.targetFlags);
}

/** True for symbols a graph publishes to its JITDylib: named, not local. */
export function isPublished(sym: Symbol): boolean {
  return sym.name !== null && sym.scope !== Scope.Local;
}

/** The symbols a graph defines for its JITDylib, with their flags. */
export function getLinkGraphInterface(graph: LinkGraph): SymbolFlagsMap {
  const flags: SymbolFlagsMap = new Map();
  for (const s of graph.definedSymbols()) if (isPublished(s)) flags.set(s.name!, getSymbolFlags(s));
  for (const s of graph.absoluteSymbols) if (isPublished(s)) flags.set(s.name!, getSymbolFlags(s));
  return flags;
}
