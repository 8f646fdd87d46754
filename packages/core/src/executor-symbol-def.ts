import type { JITSymbolFlags } from './symbol-flags.js';

/** An address in the executor. Address 0 means "not resolved". */
export type ExecutorAddr = bigint;

/** A resolved symbol: its executor address and flags. */
export interface ExecutorSymbolDef {
  /** The symbol's address in the executor. */
  readonly address: ExecutorAddr;
  /** The symbol's flags. */
  readonly flags: JITSymbolFlags;
}

/** Creates an {@link ExecutorSymbolDef}. */
export function executorSymbolDef(address: ExecutorAddr, flags: JITSymbolFlags): ExecutorSymbolDef {
  return { address, flags };
}

/** True when both definitions have the same address and the same flags (target flags included). */
export function executorSymbolDefEquals(a: ExecutorSymbolDef, b: ExecutorSymbolDef): boolean {
  return a.address === b.address && a.flags === b.flags;
}

/** Symbol name to definition. */
export type SymbolMap = Map<string, ExecutorSymbolDef>;

/** Symbol name to flags. */
export type SymbolFlagsMap = Map<string, JITSymbolFlags>;

/** Formats an address as ORC prints it: `0x` followed by 16 hex digits. */
export function formatAddress(address: ExecutorAddr): string {
  return `0x${address.toString(16).padStart(16, '0')}`;
}
