import type { ExecutionSession } from './execution-session.js';
import {
  addToDependenceMap,
  DuplicateDefinition,
  FailedToMaterialize,
  OrcError,
  ResourceTrackerDefunct,
  UnsatisfiedSymbolDependencies,
  type SymbolDependenceMap,
} from './errors.js';
import type { SymbolFlagsMap, SymbolMap } from './executor-symbol-def.js';
import { JITDylibState, type JITDylib } from './jit-dylib.js';
import type { MaterializationUnit } from './materialization-unit.js';
import { advanceQueries, failEntries, failQueries, mergeFailure, type FailureOutcome } from './query-delivery.js';
import type { ResourceKey, ResourceTracker } from './resource-tracker.js';
import { JITSymbolFlags } from './symbol-flags.js';
import { SymbolState } from './symbol-state.js';
import { SymbolTableEntry, UnmaterializedInfo } from './symbol-table-entry.js';
import { emitGroup, type GraphChanges } from './waiting-on-graph.js';

/** A set of symbols emitted together and the symbols (in any JITDylib) they depend on. */
export interface SymbolDependenceGroup {
  /** Symbols of the responsibility. */
  symbols: Iterable<string>;
  /** Their dependencies, by JITDylib. */
  dependencies: ReadonlyMap<JITDylib, Iterable<string>>;
}

/**
 * The mutable part of a responsibility, kept apart from the handle so that a dropped handle can be detected
 * (by garbage collection) without the session keeping it alive.
 * @internal
 */
export class MaterializationResponsibilityState {
  constructor(
    readonly jd: JITDylib,
    public tracker: ResourceTracker,
    readonly symbols: SymbolFlagsMap,
    public initSymbol: string | null,
    readonly unitName: string,
  ) {}
}

/**
 * The obligation to materialize a set of symbols (ORC's `MaterializationResponsibility`), handed to
 * `MaterializationUnit.materialize`. It must end with `notifyEmitted` (after `notifyResolved`) or
 * `failMaterialization`; a dropped responsibility fails its symbols rather than hanging their queries.
 */
export class MaterializationResponsibility {
  /** @internal Created by the session. */
  constructor(
    private readonly es: ExecutionSession,
    /** @internal */ readonly state: MaterializationResponsibilityState,
  ) {}

  /** The JITDylib the symbols are defined in. */
  getTargetJITDylib(): JITDylib {
    return this.state.jd;
  }

  /** The session. */
  getExecutionSession(): ExecutionSession {
    return this.es;
  }

  /** The tracker this responsibility's resources belong to. */
  getResourceTracker(): ResourceTracker {
    return this.state.tracker;
  }

  /** The symbols this responsibility still covers, with their declared flags. */
  getSymbols(): ReadonlyMap<string, JITSymbolFlags> {
    return this.state.symbols;
  }

  /** The initializer symbol (also a member of `getSymbols()`), or null. */
  getInitializerSymbol(): string | null {
    return this.state.initSymbol;
  }

  /** True when nothing is left to materialize. */
  isEmpty(): boolean {
    return this.state.symbols.size === 0;
  }

  /** The symbols of this responsibility that lookups are currently waiting for. */
  getRequestedSymbols(): Set<string> {
    const requested = new Set<string>();
    const table = this.state.jd.symbols;
    for (const name of this.state.symbols.keys()) {
      if (table.get(name)?.mi?.queries) requested.add(name);
    }
    return requested;
  }

  /** Runs `fn` with the tracker's key; fails with {@link ResourceTrackerDefunct} if the tracker is gone. */
  withResourceKeyDo<T>(fn: (key: ResourceKey) => T): T {
    this.checkTracker();
    return fn(this.state.tracker.getKey());
  }

  /**
   * Gives symbols their addresses (moving them to Resolved) and completes queries that only needed that. May be
   * called several times with disjoint subsets. Fails with {@link ResourceTrackerDefunct},
   * {@link JITDylibDefunct}, or {@link FailedToMaterialize} if any of them has already failed (nothing changes then).
   */
  notifyResolved(symbols: SymbolMap): void {
    this.checkTracker();
    const { jd } = this.state;
    jd.checkOpen();
    const entries: SymbolTableEntry[] = [];
    const addresses: bigint[] = [];
    let errored: Set<string> | null = null;
    for (const [name, def] of symbols) {
      const e = this.ownedEntry(name, 'notifyResolved');
      if (e.flags & JITSymbolFlags.MaterializationSideEffectsOnly) {
        throw new OrcError(`notifyResolved: ${name} is a side-effects-only symbol and has no address`);
      }
      if (e.flags & JITSymbolFlags.HasError) (errored ??= new Set()).add(name);
      else if (e.state !== SymbolState.Materializing) throw new OrcError(`notifyResolved: ${name} in ${jd.getName()} is already resolved`);
      entries.push(e);
      addresses.push(def.address);
    }
    if (errored) throw new FailedToMaterialize(new Map([[jd, errored]]));
    for (let i = 0; i < entries.length; i++) {
      const e = entries[i]!;
      e.address = addresses[i]!;
      e.state = SymbolState.Resolved;
    }
    this.es.deliverCompleted(advanceQueries(entries));
  }

  /**
   * Emits every symbol of the responsibility. `groups` name each symbol's dependencies (symbols in no group have
   * none); a symbol becomes Ready once it and everything it transitively depends on is emitted.
   *
   * If some dependencies were removed, failed, or live in a closed JITDylib, the symbols that depend on them fail
   * (with everything waiting on them) and {@link UnsatisfiedSymbolDependencies} is thrown naming only those; the
   * other symbols are emitted normally. The responsibility is empty afterwards either way.
   */
  notifyEmitted(groups: readonly SymbolDependenceGroup[] = []): void {
    this.checkTracker();
    const { jd, symbols } = this.state;
    jd.checkOpen();
    // Groups may hold one-shot iterables (e.g. `map.keys()`): read each exactly once.
    const normalized = groups.map((g) => ({
      symbols: Array.from(g.symbols),
      dependencies: Array.from(g.dependencies, ([depJD, names]) => [depJD, Array.from(names)] as const),
    }));
    const grouped = new Set<string>();
    for (const g of normalized) {
      for (const name of g.symbols) {
        this.ownedEntry(name, 'notifyEmitted');
        if (grouped.has(name)) throw new OrcError(`notifyEmitted: ${name} appears in more than one dependence group`);
        grouped.add(name);
      }
    }
    // The live (not failed) entries in responsibility order; by name only when groups need to find them.
    const liveList: SymbolTableEntry[] = [];
    const live = groups.length ? new Map<string, SymbolTableEntry>() : null;
    for (const name of symbols.keys()) {
      const e = jd.symbols.get(name);
      if (!e) throw new OrcError(`notifyEmitted: ${name} is no longer defined in ${jd.getName()}`);
      if (e.flags & JITSymbolFlags.HasError) continue;
      if (!(e.flags & JITSymbolFlags.MaterializationSideEffectsOnly) && e.state !== SymbolState.Resolved) {
        throw new OrcError(`notifyEmitted: ${name} in ${jd.getName()} has not been resolved`);
      }
      liveList.push(e);
      live?.set(name, e);
    }
    symbols.clear();
    this.state.initSymbol = null;
    this.es.releaseResponsibility(this.state);

    // Failure bookkeeping is allocated only when something fails.
    let bad: SymbolDependenceMap | null = null;
    let closedJD: JITDylib | null = null;
    let failure: FailureOutcome | null = null;
    const fail = (defs: SymbolTableEntry[]): void => mergeFailure((failure ??= { failed: new Map(), queries: new Set() }), failEntries(defs));
    // 1. Groups with bad dependencies (removed, failed, or in a closed JITDylib) fail first.
    const toEmit: Array<[SymbolTableEntry[], SymbolTableEntry[]]> = [];
    for (const g of normalized) {
      const defs: SymbolTableEntry[] = [];
      for (const name of g.symbols) {
        const e = live!.get(name);
        if (e) defs.push(e);
      }
      const deps: SymbolTableEntry[] = [];
      let ok = true;
      for (const [depJD, names] of g.dependencies) {
        const open = depJD.state === JITDylibState.Open;
        if (!open) closedJD = depJD;
        for (const n of names) {
          const d = open ? depJD.symbols.get(n) : undefined;
          if (d && !(d.flags & JITSymbolFlags.HasError)) {
            deps.push(d);
          } else {
            addToDependenceMap((bad ??= new Map()), depJD, n);
            ok = false;
          }
        }
      }
      if (!ok) fail(defs);
      else if (defs.length) toEmit.push([defs, deps]);
    }
    // 2. The others are emitted; one whose dependency failed in step 1 fails too, and so does whatever waits on it.
    const changes: GraphChanges = { ready: [], emitted: [] };
    for (const [defs, deps] of toEmit) {
      const tainted = deps.filter((d) => d.flags & JITSymbolFlags.HasError);
      if (tainted.length) {
        for (const d of tainted) addToDependenceMap((bad ??= new Map()), d.jd, d.name);
        fail(defs);
      } else {
        emitGroup(defs, deps, changes);
      }
    }
    const ungrouped = grouped.size ? liveList.filter((e) => !grouped.has(e.name)) : liveList;
    if (ungrouped.length) emitGroup(ungrouped, [], changes);

    const failed = failure as FailureOutcome | null;
    if (failed && failed.queries.size) failQueries(failed, new FailedToMaterialize(failed.failed));
    this.es.deliverCompleted(advanceQueries(changes.ready, advanceQueries(changes.emitted)));
    if (bad) {
      const failedNames = Array.from(failed?.failed.get(jd) ?? []).filter((n) => live!.has(n));
      const explanation = closedJD ? `${(closedJD as JITDylib).getName()} is closed` : 'dependencies removed or in error state';
      throw new UnsatisfiedSymbolDependencies(jd, failedNames, bad, explanation);
    }
  }

  /**
   * Adds new symbols to the JITDylib, already Materializing, owned by this responsibility (and its tracker). A name
   * already defined is a {@link DuplicateDefinition} (everything added by this call is rolled back) unless the new
   * flags are weak, in which case it is silently skipped.
   */
  defineMaterializing(newSymbols: SymbolFlagsMap): void {
    this.checkTracker();
    const { jd, tracker, symbols } = this.state;
    jd.checkOpen();
    const added: SymbolTableEntry[] = [];
    const owner = tracker === jd.defaultTracker ? null : tracker;
    for (const [name, flags] of newSymbols) {
      if (jd.symbols.has(name)) {
        if (flags & JITSymbolFlags.Weak) continue;
        for (const e of added) {
          jd.forgetSymbol(e);
          symbols.delete(e.name);
        }
        throw new DuplicateDefinition(name, this.state.unitName);
      }
      const e = new SymbolTableEntry(jd, name, flags, SymbolState.Materializing);
      e.tracker = owner;
      jd.symbols.set(name, e);
      if (owner) jd.trackedNames(owner).add(name);
      symbols.set(name, flags);
      added.push(e);
    }
  }

  /**
   * Fails every symbol of the responsibility, and everything emitted that depends on them; their queries get
   * {@link FailedToMaterialize}. Does nothing if the responsibility is empty.
   */
  failMaterialization(): void {
    const { jd, symbols, tracker } = this.state;
    if (symbols.size === 0) return;
    const entries: SymbolTableEntry[] = [];
    for (const name of symbols.keys()) {
      const e = jd.symbols.get(name);
      if (e) entries.push(e);
    }
    symbols.clear();
    this.state.initSymbol = null;
    this.es.releaseResponsibility(this.state);
    if (tracker.isDefunct()) return;
    const outcome = failEntries(entries);
    failQueries(outcome, new FailedToMaterialize(outcome.failed));
  }

  /**
   * Hands some symbols back to a new unit `mu` (its symbols must be a subset of this responsibility's): if lookups
   * are waiting on any of them `mu` is materialized right away, otherwise it stays attached until a lookup needs it.
   * Checks happen before any change (unlike ORC, whose symbols are already gone when it reports a defunct tracker).
   */
  replace(mu: MaterializationUnit): void {
    this.checkTracker();
    const { jd, symbols } = this.state;
    const names = Array.from(mu.getSymbols().keys());
    const entries = names.map((n) => this.ownedEntry(n, 'replace'));
    for (const n of names) symbols.delete(n);
    if (this.state.initSymbol !== null && this.state.initSymbol === mu.getInitializerSymbol()) this.state.initSymbol = null;
    if (symbols.size === 0) this.es.releaseResponsibility(this.state);
    if (entries.some((e) => e.mi?.queries)) {
      this.es.startMaterialization(jd, this.state.tracker, mu);
    } else {
      const umi = new UnmaterializedInfo(mu, this.state.tracker);
      for (const e of entries) e.umi = umi;
    }
  }

  /** Moves `names` (and the initializer symbol, if among them) into a new responsibility with the same tracker. */
  delegate(names: Iterable<string>): MaterializationResponsibility {
    this.checkTracker();
    const { jd, symbols } = this.state;
    const moved: SymbolFlagsMap = new Map();
    for (const n of names) {
      this.ownedEntry(n, 'delegate');
      moved.set(n, symbols.get(n)!);
    }
    for (const n of moved.keys()) symbols.delete(n);
    let init: string | null = null;
    if (this.state.initSymbol !== null && moved.has(this.state.initSymbol)) {
      init = this.state.initSymbol;
      this.state.initSymbol = null;
    }
    if (symbols.size === 0) this.es.releaseResponsibility(this.state);
    return this.es.createResponsibility(jd, this.state.tracker, moved, init, this.state.unitName);
  }

  private checkTracker(): void {
    if (this.state.tracker.isDefunct()) throw new ResourceTrackerDefunct(this.state.tracker);
  }

  private ownedEntry(name: string, op: string): SymbolTableEntry {
    const { jd, symbols, unitName } = this.state;
    if (!symbols.has(name)) throw new OrcError(`${op}: ${name} is not in the responsibility of ${unitName} in ${jd.getName()}`);
    const e = jd.symbols.get(name);
    if (!e) throw new OrcError(`${op}: ${name} is no longer defined in ${jd.getName()}`);
    return e;
  }
}
