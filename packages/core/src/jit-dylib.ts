import { DuplicateDefinition, JITDylibDefunct, OrcError, ResourceTrackerDefunct, SymbolsCouldNotBeRemoved, SymbolsNotFound } from './errors.js';
import type { DefinitionGenerator } from './definition-generator.js';
import type { ExecutionSession } from './execution-session.js';
import type { ExecutorAddr } from './executor-symbol-def.js';
import { JITDylibLookupFlags, type JITDylibSearchOrder } from './lookup-flags.js';
import { GeneratorRecord } from './lookup-state.js';
import type { MaterializationResponsibilityState } from './materialization-responsibility.js';
import type { MaterializationUnit } from './materialization-unit.js';
import { ResourceTracker } from './resource-tracker.js';
import { JITSymbolFlags } from './symbol-flags.js';
import { SymbolState } from './symbol-state.js';
import { SymbolTableEntry, UnmaterializedInfo } from './symbol-table-entry.js';

/** Life-cycle of a JITDylib: open for use, being removed, removed. */
export enum JITDylibState {
  /** In use. */
  Open = 0,
  /** Being removed from its session. */
  Closing = 1,
  /** Removed; every operation on it fails. */
  Closed = 2,
}

/** A read-only view of one symbol table row, for inspection and tests. */
export interface SymbolInfo {
  /** The symbol's flags (HasError included). */
  readonly flags: JITSymbolFlags;
  /** The symbol's state. */
  readonly state: SymbolState;
  /** Its address, 0 until resolved. */
  readonly address: ExecutorAddr;
  /** True while an untriggered materialization unit is attached. */
  readonly materializerAttached: boolean;
}

/**
 * A JIT'd dynamic library (ORC's `JITDylib`): a symbol table plus a link order. Symbols are defined by adding
 * materialization units; lookups trigger them. One namespace per JITDylib: different JITDylibs may define the same
 * name.
 */
export class JITDylib {
  /** @internal The symbol table. */
  readonly symbols = new Map<string, SymbolTableEntry>();
  /** @internal Definition generators, in the order added. */
  generators: GeneratorRecord[] = [];
  /** @internal */
  linkOrder: Array<[JITDylib, JITDylibLookupFlags]>;
  /** @internal */
  state = JITDylibState.Open;
  /** @internal The default tracker, created on demand. */
  defaultTracker: ResourceTracker | null = null;
  /** @internal Names owned by each non-default tracker. */
  readonly trackerSymbols = new Map<ResourceTracker, Set<string>>();
  /** @internal Live responsibilities, by tracker. */
  readonly trackerMRs = new Map<ResourceTracker, Set<MaterializationResponsibilityState>>();

  /** @internal JITDylibs are created by `ExecutionSession.createJITDylib`. */
  constructor(
    private readonly es: ExecutionSession,
    private readonly name: string,
  ) {
    this.linkOrder = [[this, JITDylibLookupFlags.MatchAllSymbols]];
  }

  /** The JITDylib's name, unique in its session. */
  getName(): string {
    return this.name;
  }

  /** The session that owns this JITDylib. */
  getExecutionSession(): ExecutionSession {
    return this.es;
  }

  /** The life-cycle state. */
  getState(): JITDylibState {
    return this.state;
  }

  /** @internal Throws {@link JITDylibDefunct} unless open. */
  checkOpen(): void {
    if (this.state !== JITDylibState.Open) throw new JITDylibDefunct(this);
  }

  // ---- definitions ----

  /**
   * Adds the symbols of `mu` to this JITDylib under `tracker` (default: the default tracker), lazily.
   *
   * Weak/duplicate rules: a strong new definition overrides an existing weak or common one that has never been
   * looked up (the old unit discards it) and is a {@link DuplicateDefinition} otherwise; a weak or common new
   * definition gives way to any existing one (the new unit discards it). Duplicates are checked before anything
   * changes.
   */
  define(mu: MaterializationUnit, tracker?: ResourceTracker): void {
    this.checkOpen();
    if (tracker) {
      if (tracker.getJITDylib() !== this) throw new OrcError(`resource tracker belongs to ${tracker.getJITDylib().getName()}, not ${this.name}`);
      if (tracker.isDefunct()) throw new ResourceTrackerDefunct(tracker);
    }
    const newSymbols = mu.getSymbols();
    if (newSymbols.size === 0) return;
    const overridden: SymbolTableEntry[] = [];
    const givenWay: string[] = [];
    for (const [name, flags] of newSymbols) {
      const existing = this.symbols.get(name);
      if (!existing) continue;
      if (JITSymbolFlags.isStrong(flags)) {
        if (JITSymbolFlags.isStrong(existing.flags) || existing.state !== SymbolState.NeverSearched) {
          throw new DuplicateDefinition(name, mu.getName());
        }
        overridden.push(existing);
      } else {
        givenWay.push(name);
      }
    }
    for (const e of overridden) {
      this.discardFromUnit(e);
      if (e.tracker) this.trackerSymbols.get(e.tracker)?.delete(e.name);
    }
    for (const name of givenWay) mu.doDiscard(this, name);
    const rt = tracker ?? this.getDefaultResourceTracker();
    this.es.getPlatform()?.notifyAdding(rt, mu);
    if (mu.getSymbols().size === 0) {
      // Every symbol gave way to an existing definition: nothing references the unit, so it is dropped.
      mu.dispose();
      return;
    }
    const umi = new UnmaterializedInfo(mu, rt);
    const owner = rt === this.defaultTracker ? null : rt;
    const owned = owner ? this.trackedNames(owner) : null;
    for (const [name, flags] of mu.getSymbols()) {
      // An overridden entry is reused, not replaced: emitted symbols may already wait on it.
      let e = this.symbols.get(name);
      if (e) e.flags = flags;
      else this.symbols.set(name, (e = new SymbolTableEntry(this, name, flags, SymbolState.NeverSearched)));
      e.umi = umi;
      e.tracker = owner;
      owned?.add(name);
    }
  }

  /**
   * Removes symbols. Fails with {@link SymbolsNotFound} if any is missing, or {@link SymbolsCouldNotBeRemoved} if
   * any is being materialized; nothing changes on failure. Untriggered units get `discard` for their removed names.
   */
  remove(names: Iterable<string>): void {
    const list = Array.from(names);
    const missing = list.filter((n) => !this.symbols.has(n));
    if (missing.length) throw new SymbolsNotFound(missing);
    const busy = list.filter((n) => {
      const s = this.symbols.get(n)!.state;
      return s !== SymbolState.NeverSearched && s !== SymbolState.Ready;
    });
    if (busy.length) throw new SymbolsCouldNotBeRemoved(busy);
    const entries = list.map((n) => this.symbols.get(n)!);
    // Emitted symbols waiting on a removed (never materialized) symbol can never become ready: fail them.
    this.es.failInFlight(entries.filter((e) => e.mi?.dependants));
    for (const e of entries) {
      this.discardFromUnit(e);
      this.forgetSymbol(e);
    }
  }

  /** @internal Discards `e` from its untriggered unit (disposing the unit when it has nothing left). */
  discardFromUnit(e: SymbolTableEntry): void {
    const umi = e.umi;
    if (!umi) return;
    e.umi = null;
    umi.mu.doDiscard(this, e.name);
    if (umi.mu.getSymbols().size === 0) umi.mu.dispose();
  }

  /** @internal Erases `e` from the table and from its tracker's records. */
  forgetSymbol(e: SymbolTableEntry): void {
    if (this.symbols.get(e.name) === e) this.symbols.delete(e.name);
    if (e.tracker) this.trackerSymbols.get(e.tracker)?.delete(e.name);
  }

  /** @internal The set of names owned by a non-default tracker. */
  trackedNames(tracker: ResourceTracker): Set<string> {
    let set = this.trackerSymbols.get(tracker);
    if (!set) this.trackerSymbols.set(tracker, (set = new Set()));
    return set;
  }

  /** Inspects one symbol, or returns undefined if it is not defined here. */
  getSymbolInfo(name: string): SymbolInfo | undefined {
    const e = this.symbols.get(name);
    if (!e) return undefined;
    return { flags: e.flags, state: e.state, address: e.address, materializerAttached: e.umi !== null };
  }

  /** The names defined here. */
  getSymbolNames(): string[] {
    return Array.from(this.symbols.keys());
  }

  // ---- generators ----

  /** Appends a definition generator; generators run in the order added. Returns it. */
  addGenerator<G extends DefinitionGenerator>(generator: G): G {
    this.checkOpen();
    this.generators.push(new GeneratorRecord(generator));
    return generator;
  }

  /**
   * Removes a definition generator. Lookups queued on it fail ("Query waiting on DefinitionGenerator that was
   * destroyed"); a lookup about to run it fails ("DefinitionGenerator removed while lookup in progress").
   */
  removeGenerator(generator: DefinitionGenerator): void {
    const i = this.generators.findIndex((r) => r.generator === generator);
    if (i < 0) throw new OrcError(`generator is not attached to ${this.name}`);
    const [rec] = this.generators.splice(i, 1);
    this.es.retireGenerator(rec!);
  }

  // ---- link order ----

  /** The link order: the JITDylibs layers search when resolving this one's references, in order. */
  getLinkOrder(): JITDylibSearchOrder {
    return this.linkOrder.slice();
  }

  /**
   * Sets the link order. Unless `linkAgainstThisJITDylibFirst` is false or the order already starts with this
   * JITDylib, `(this, MatchAllSymbols)` is put first.
   */
  setLinkOrder(order: JITDylibSearchOrder, linkAgainstThisJITDylibFirst = true): void {
    this.checkOpen();
    const next = order.map(([jd, f]) => [jd, f] as [JITDylib, JITDylibLookupFlags]);
    if (linkAgainstThisJITDylibFirst && (next.length === 0 || next[0]![0] !== this)) {
      next.unshift([this, JITDylibLookupFlags.MatchAllSymbols]);
    }
    this.linkOrder = next;
  }

  /**
   * Appends to the link order. With a list, pairs already present (same JITDylib and flags) are skipped; with a
   * single JITDylib it is appended unconditionally.
   */
  addToLinkOrder(jdOrOrder: JITDylib | JITDylibSearchOrder, flags = JITDylibLookupFlags.MatchExportedSymbolsOnly): void {
    this.checkOpen();
    if (jdOrOrder instanceof JITDylib) {
      this.linkOrder.push([jdOrOrder, flags]);
      return;
    }
    for (const [jd, f] of jdOrOrder) {
      if (!this.linkOrder.some(([j, g]) => j === jd && g === f)) this.linkOrder.push([jd, f]);
    }
  }

  /** Replaces the first occurrence of `oldJD` in the link order by `newJD` with `flags`. */
  replaceInLinkOrder(oldJD: JITDylib, newJD: JITDylib, flags = JITDylibLookupFlags.MatchExportedSymbolsOnly): void {
    this.checkOpen();
    const i = this.linkOrder.findIndex(([j]) => j === oldJD);
    if (i >= 0) this.linkOrder[i] = [newJD, flags];
  }

  /** Removes the first occurrence of `jd` from the link order. */
  removeFromLinkOrder(jd: JITDylib): void {
    this.checkOpen();
    const i = this.linkOrder.findIndex(([j]) => j === jd);
    if (i >= 0) this.linkOrder.splice(i, 1);
  }

  /**
   * The JITDylibs reachable from `roots` through link orders, depth-first in pre-order, each once (cycles allowed).
   * Fails with {@link JITDylibDefunct} if a root is not open.
   */
  static getDFSLinkOrder(roots: readonly JITDylib[]): JITDylib[] {
    const result: JITDylib[] = [];
    const visited = new Set<JITDylib>();
    for (const root of roots) {
      root.checkOpen();
      const stack = [root];
      while (stack.length) {
        const jd = stack.pop()!;
        if (visited.has(jd)) continue;
        visited.add(jd);
        result.push(jd);
        for (let i = jd.linkOrder.length - 1; i >= 0; i--) {
          const next = jd.linkOrder[i]![0];
          if (!visited.has(next)) stack.push(next);
        }
      }
    }
    return result;
  }

  /** {@link JITDylib.getDFSLinkOrder} from this JITDylib. */
  getDFSLinkOrder(): JITDylib[] {
    return JITDylib.getDFSLinkOrder([this]);
  }

  /** The reverse of {@link JITDylib.getDFSLinkOrder}: dependencies before dependants. */
  getReverseDFSLinkOrder(): JITDylib[] {
    return this.getDFSLinkOrder().reverse();
  }

  // ---- resource tracking ----

  /** Creates a tracker for resources added to this JITDylib, so they can be removed together. */
  createResourceTracker(): ResourceTracker {
    this.checkOpen();
    return new ResourceTracker(this);
  }

  /** The tracker owning everything added without an explicit tracker (created on demand). */
  getDefaultResourceTracker(): ResourceTracker {
    return (this.defaultTracker ??= new ResourceTracker(this));
  }

  /**
   * Removes every tracker that owns symbols here, plus the default tracker: all definitions go, the JITDylib stays
   * usable. Settles with the joined errors of the removals.
   */
  clear(): Promise<void> {
    return this.es.clearJITDylib(this);
  }
}
