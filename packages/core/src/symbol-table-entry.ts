import type { AsynchronousSymbolQuery } from './asynchronous-symbol-query.js';
import type { JITDylib } from './jit-dylib.js';
import type { MaterializationUnit } from './materialization-unit.js';
import type { ResourceTracker } from './resource-tracker.js';
import type { JITSymbolFlags } from './symbol-flags.js';
import type { SymbolState } from './symbol-state.js';
import type { WaitNode } from './waiting-on-graph.js';

/**
 * A materialization unit that has not been triggered yet, and the tracker it was added under. Every symbol of the
 * unit points at the same record.
 * @internal
 */
export class UnmaterializedInfo {
  constructor(
    public mu: MaterializationUnit,
    public tracker: ResourceTracker,
  ) {}
}

/**
 * The bookkeeping of a symbol that is in flight: the queries waiting on it and its place in the dependency graph.
 * Allocated on first need and dropped when the symbol is Ready, so settled symbols cost nothing extra.
 * @internal
 */
export class MaterializingInfo {
  /** Queries waiting for this symbol to reach their required state. */
  queries: AsynchronousSymbolQuery[] | null = null;
  /** Emitted but waiting: the node holding this symbol and its outstanding (not yet emitted) dependencies. */
  node: WaitNode | null = null;
  /** Not yet emitted: the nodes waiting on this symbol. */
  dependants: Set<WaitNode> | null = null;
  /** Not Ready: the dependence groups emitted depending directly on this symbol (they fail if it fails). */
  absorbers: Array<readonly SymbolTableEntry[]> | null = null;
  /** Not yet emitted: the node, if any, whose only outstanding dependency is this symbol (for coalescing). */
  soleWaiter: WaitNode | null = null;
}

/**
 * One row of a JITDylib's symbol table.
 * @internal
 */
export class SymbolTableEntry {
  /** The resolved address (0 until resolved). */
  address = 0n;
  /** The attached, untriggered materialization unit, if any. */
  umi: UnmaterializedInfo | null = null;
  /** In-flight bookkeeping, if any. */
  mi: MaterializingInfo | null = null;
  /** The tracker that owns the symbol; null means the JITDylib's default tracker. */
  tracker: ResourceTracker | null = null;

  constructor(
    readonly jd: JITDylib,
    readonly name: string,
    public flags: JITSymbolFlags,
    public state: SymbolState,
  ) {}

  /** The in-flight bookkeeping, created on demand. */
  materializingInfo(): MaterializingInfo {
    return (this.mi ??= new MaterializingInfo());
  }
}
