import { AsynchronousSymbolQuery, type LookupCallback } from './asynchronous-symbol-query.js';
import { absoluteSymbols } from './absolute-symbols.js';
import {
  FailedToMaterialize,
  JITDylibDefunct,
  joinErrors,
  MaterializationResponsibilityDropped,
  OrcError,
  ResourceTrackerDefunct,
  SymbolsNotFound,
  type SymbolDependenceMap,
} from './errors.js';
import type { SymbolizedAddress } from './executor-fault.js';
import type { ExecutorProcessControl, ExecutorSessionLink } from './executor-process-control.js';
import type { ExecutorAddr, ExecutorSymbolDef, SymbolFlagsMap, SymbolMap } from './executor-symbol-def.js';
import { JITDispatchHandlerRegistry, type JITDispatchHandler } from './jit-dispatch.js';
import { JITDylib, JITDylibState } from './jit-dylib.js';
import { JITDylibLookupFlags, LookupKind, SymbolLookupFlags, type JITDylibSearchOrder } from './lookup-flags.js';
import { GeneratorRecord, InProgressLookupState, LookupState } from './lookup-state.js';
import { MaterializationResponsibility, MaterializationResponsibilityState } from './materialization-responsibility.js';
import type { MaterializationUnit } from './materialization-unit.js';
import type { Platform } from './platform.js';
import { failEntries, failQueries } from './query-delivery.js';
import type { ResourceManager, ResourceTracker } from './resource-tracker.js';
import { JITSymbolFlags } from './symbol-flags.js';
import { SymbolLookupSet } from './symbol-lookup-set.js';
import { SymbolState } from './symbol-state.js';
import type { SymbolTableEntry, UnmaterializedInfo } from './symbol-table-entry.js';
import { GenericNamedTask, InPlaceTaskDispatcher, type Task, type TaskDispatcher } from './task-dispatch.js';

/** Reports errors that have no caller to go to (e.g. a materializer's failure). */
export type ErrorReporter = (error: unknown) => void;

/** Names the symbol an executor address falls in, or returns undefined when it does not know the address. */
export type AddressSymbolizer = (address: ExecutorAddr) => SymbolizedAddress | undefined;

/** Options of {@link ExecutionSession}. */
export interface ExecutionSessionOptions {
  /** The executor (target process). Optional: a session that only links or only tracks symbols needs none. */
  executorProcessControl?: ExecutorProcessControl;
  /** Runs the session's tasks (default: {@link InPlaceTaskDispatcher}). */
  dispatcher?: TaskDispatcher;
  /** Where unroutable errors go (default: `console.error`). */
  errorReporter?: ErrorReporter;
}

/** Options of {@link ExecutionSession.lookup}. */
export interface LookupOptions {
  /** Static (default) or DLSym. */
  kind?: LookupKind;
  /** The state every symbol must reach (default Ready; at least Resolved). */
  requiredState?: SymbolState;
  /** Called, before completion, with the matched symbols that were not yet Ready. */
  registerDependencies?: (deps: SymbolDependenceMap) => void;
}

/** A search order, a list of JITDylibs (searched exported-only), or one JITDylib (exported-only). */
export type SearchOrderLike = JITDylibSearchOrder | readonly JITDylib[] | JITDylib;

function toSearchOrder(order: SearchOrderLike): JITDylibSearchOrder {
  if (order instanceof JITDylib) return [[order, JITDylibLookupFlags.MatchExportedSymbolsOnly]];
  return (order as ReadonlyArray<JITDylib | readonly [JITDylib, JITDylibLookupFlags]>).map((x) =>
    x instanceof JITDylib ? ([x, JITDylibLookupFlags.MatchExportedSymbolsOnly] as const) : x,
  );
}

function toLookupSet(symbols: SymbolLookupSet | Iterable<string>): SymbolLookupSet {
  return symbols instanceof SymbolLookupSet ? symbols : SymbolLookupSet.fromNames(symbols);
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}

/** Runs a unit's `materialize`; fails the responsibility if it throws, rejects, or settles without finishing. */
class MaterializationTask implements Task {
  readonly isMaterialization = true;
  constructor(
    private readonly es: ExecutionSession,
    private readonly mu: MaterializationUnit,
    private readonly mr: MaterializationResponsibility,
  ) {}
  run(): void | Promise<void> {
    let result: void | Promise<void>;
    try {
      result = this.mu.materialize(this.mr);
    } catch (e) {
      this.es.reportError(e);
      this.mr.failMaterialization();
      return;
    }
    if (!isPromiseLike(result)) return;
    return Promise.resolve(result).then(
      () => {
        if (this.mr.isEmpty()) return;
        const { jd, symbols } = this.mr.state;
        this.es.reportError(new MaterializationResponsibilityDropped(this.mu.getName(), jd, symbols.keys()));
        this.mr.failMaterialization();
      },
      (e: unknown) => {
        this.es.reportError(e);
        this.mr.failMaterialization();
      },
    );
  }
  cancel(): void {
    this.mr.failMaterialization();
  }
  describe(): string {
    return `Materialization task: ${this.mu.getName()} in ${this.mr.getTargetJITDylib().getName()}`;
  }
}

/**
 * The root of a JIT (ORC's `ExecutionSession`): owns the JITDylibs, runs lookups, dispatches materialization,
 * tracks dependencies and removable resources, and connects to the executor.
 *
 * JavaScript has one thread, so ORC's session lock becomes an invariant: no state change is split across an
 * `await`. Lookups are asynchronous (promises, or callbacks with {@link ExecutionSession.lookupAsync}).
 */
export class ExecutionSession implements ExecutorSessionLink {
  private readonly jds: JITDylib[] = [];
  private dispatcher: TaskDispatcher;
  private errorReporter: ErrorReporter;
  private platform: Platform | null = null;
  private readonly resourceManagers: ResourceManager[] = [];
  private readonly jitDispatch = new JITDispatchHandlerRegistry();
  private readonly epc: ExecutorProcessControl | undefined;
  private readonly symbolizers: AddressSymbolizer[] = [];
  private open = true;
  private readonly dropped = new FinalizationRegistry<MaterializationResponsibilityState>((state) => {
    if (state.symbols.size === 0) return;
    this.reportError(new MaterializationResponsibilityDropped(state.unitName, state.jd, state.symbols.keys()));
    new MaterializationResponsibility(this, state).failMaterialization();
  });

  constructor(options: ExecutionSessionOptions = {}) {
    this.epc = options.executorProcessControl;
    this.dispatcher = options.dispatcher ?? new InPlaceTaskDispatcher();
    this.errorReporter = options.errorReporter ?? ((e) => console.error('orc-ts: JIT session error:', e));
    if (this.epc) {
      const bootstrap = this.createBareJITDylib('<bootstrap>');
      const defs: SymbolMap = new Map();
      for (const [name, address] of this.epc.getBootstrapSymbols()) defs.set(name, { address, flags: JITSymbolFlags.Exported });
      if (defs.size) bootstrap.define(absoluteSymbols(defs));
      this.epc.attachSession?.(this);
    }
  }

  /** Returns the canonical form of a symbol name. JavaScript strings compare by value, so this is the name itself. */
  intern(name: string): string {
    return name;
  }

  // ---- executor, platform, dispatch, errors ----

  /** The executor. Fails if the session was created without one. */
  getExecutorProcessControl(): ExecutorProcessControl {
    if (!this.epc) throw new OrcError('this ExecutionSession has no ExecutorProcessControl');
    return this.epc;
  }

  /** True when the session has an executor. */
  hasExecutorProcessControl(): boolean {
    return this.epc !== undefined;
  }

  /** Installs the platform (initializers, per-JITDylib setup). */
  setPlatform(platform: Platform | null): void {
    this.platform = platform;
  }

  /** The platform, if any. */
  getPlatform(): Platform | null {
    return this.platform;
  }

  /** Replaces the task dispatcher. */
  setDispatcher(dispatcher: TaskDispatcher): void {
    this.dispatcher = dispatcher;
  }

  /** The task dispatcher. */
  getDispatcher(): TaskDispatcher {
    return this.dispatcher;
  }

  /** Hands a task to the dispatcher. */
  dispatch(task: Task): void {
    this.dispatcher.dispatch(task);
  }

  /** Reports an error that has no caller to go to. */
  reportError(error: unknown): void {
    this.errorReporter(error);
  }

  /** Replaces the error reporter. */
  setErrorReporter(reporter: ErrorReporter): void {
    this.errorReporter = reporter;
  }

  /** Registers a resource manager; managers hear about removals and transfers in reverse registration order. */
  registerResourceManager(manager: ResourceManager): void {
    this.resourceManagers.push(manager);
  }

  /** Deregisters a resource manager. */
  deregisterResourceManager(manager: ResourceManager): void {
    const i = this.resourceManagers.lastIndexOf(manager);
    if (i >= 0) this.resourceManagers.splice(i, 1);
  }

  // ---- address symbolization ----

  /**
   * Adds a source of address → symbol knowledge (e.g. the object linking layer's map of linked symbols), used to
   * name the symbol a faulting pc falls in. Returns a function that removes it again.
   */
  registerAddressSymbolizer(symbolizer: AddressSymbolizer): () => void {
    this.symbolizers.push(symbolizer);
    return () => {
      const i = this.symbolizers.indexOf(symbolizer);
      if (i >= 0) this.symbolizers.splice(i, 1);
    };
  }

  /** The symbol `address` falls in, asking the registered symbolizers in registration order. */
  symbolizeAddress(address: ExecutorAddr): SymbolizedAddress | undefined {
    for (const symbolizer of this.symbolizers) {
      const found = symbolizer(address);
      if (found) return found;
    }
    return undefined;
  }

  // ---- JIT dispatch ----

  /**
   * Looks up each handler's tag symbol in `jd` (all symbols visible) and registers the handler for the tag's
   * address, so that wrapper calls from the executor with that tag reach it.
   */
  async registerJITDispatchHandlers(jd: JITDylib, handlers: ReadonlyMap<string, JITDispatchHandler> | Record<string, JITDispatchHandler>): Promise<void> {
    const entries = handlers instanceof Map ? Array.from(handlers) : Object.entries(handlers);
    const tags = await this.lookup(
      [[jd, JITDylibLookupFlags.MatchAllSymbols]],
      entries.map(([name]) => name),
    );
    // All or nothing: a registration that fails (a tag already taken) installs none of its handlers, as in ORC.
    this.jitDispatch.registerAll(entries.map(([name, handler]) => [tags.get(name)!.address, name, handler] as const));
  }

  /** Runs the handler registered for `tagAddress` on `argBuffer` (a call from the executor). */
  runJITDispatchHandler(tagAddress: ExecutorAddr, argBuffer: Uint8Array): Promise<Uint8Array> {
    return this.jitDispatch.run(tagAddress, argBuffer);
  }

  // ---- JITDylibs ----

  /** Creates an empty JITDylib without platform setup. Names are unique within the session. */
  createBareJITDylib(name: string): JITDylib {
    if (!this.open) throw new OrcError('the ExecutionSession has ended');
    if (this.getJITDylibByName(name)) throw new OrcError(`JITDylib with name ${name} already exists`);
    const jd = new JITDylib(this, name);
    this.jds.push(jd);
    return jd;
  }

  /** Creates a JITDylib and lets the platform (if any) set it up. */
  createJITDylib(name: string): JITDylib {
    const jd = this.createBareJITDylib(name);
    this.platform?.setupJITDylib(jd);
    return jd;
  }

  /** The JITDylib named `name`, if any. */
  getJITDylibByName(name: string): JITDylib | undefined {
    return this.jds.find((jd) => jd.getName() === name);
  }

  /** The JITDylibs, in creation order. */
  getJITDylibs(): readonly JITDylib[] {
    return this.jds.slice();
  }

  /** Removes one JITDylib (see {@link ExecutionSession.removeJITDylibs}). */
  removeJITDylib(jd: JITDylib): Promise<void> {
    return this.removeJITDylibs([jd]);
  }

  /**
   * Removes JITDylibs: each is closed, cleared (its code and resources released, in-flight symbols and their
   * dependants failed) and torn down by the platform. Afterwards every operation on them fails.
   */
  async removeJITDylibs(list: readonly JITDylib[]): Promise<void> {
    for (const jd of list) jd.checkOpen();
    for (const jd of list) {
      jd.state = JITDylibState.Closing;
      this.jds.splice(this.jds.indexOf(jd), 1);
    }
    const errors: unknown[] = [];
    for (const jd of list) {
      try {
        await this.clearJITDylib(jd);
      } catch (e) {
        errors.push(e);
      }
      try {
        await this.platform?.teardownJITDylib(jd);
      } catch (e) {
        errors.push(e);
      }
    }
    for (const jd of list) {
      jd.state = JITDylibState.Closed;
      for (const rec of jd.generators) this.retireGenerator(rec);
      jd.generators = [];
      jd.linkOrder = [];
    }
    const err = joinErrors(errors, 'errors removing JITDylibs');
    if (err) throw err;
  }

  /** Ends the session: removes every JITDylib (newest first), disconnects the executor, shuts the dispatcher down. */
  async endSession(): Promise<void> {
    const errors: unknown[] = [];
    this.open = false;
    try {
      await this.removeJITDylibs(this.jds.slice().reverse());
    } catch (e) {
      errors.push(e);
    }
    try {
      await this.epc?.disconnect();
    } catch (e) {
      errors.push(e);
    }
    await this.dispatcher.shutdown();
    const err = joinErrors(errors, 'errors ending the session');
    if (err) throw err;
  }

  // ---- lookup ----

  /**
   * Looks up one symbol and waits for it to be Ready (or `options.requiredState`).
   * With a list or a {@link SymbolLookupSet}, looks up several and returns the map.
   */
  lookup(searchOrder: SearchOrderLike, symbol: string, options?: LookupOptions): Promise<ExecutorSymbolDef>;
  lookup(searchOrder: SearchOrderLike, symbols: SymbolLookupSet | Iterable<string>, options?: LookupOptions): Promise<SymbolMap>;
  lookup(
    searchOrder: SearchOrderLike,
    symbols: string | SymbolLookupSet | Iterable<string>,
    options: LookupOptions = {},
  ): Promise<ExecutorSymbolDef | SymbolMap> {
    const single = typeof symbols === 'string';
    const set = single ? SymbolLookupSet.fromNames([symbols]) : toLookupSet(symbols);
    return new Promise((resolve, reject) => {
      this.lookupAsync(
        options.kind ?? LookupKind.Static,
        toSearchOrder(searchOrder),
        set,
        options.requiredState ?? SymbolState.Ready,
        (err, result) => {
          if (err !== null && err !== undefined) reject(err);
          else if (single) resolve(result!.get(symbols)!);
          else resolve(result!);
        },
        options.registerDependencies,
      );
    });
  }

  /**
   * The callback form of lookup (ORC's asynchronous `lookup`). Success is delivered through the dispatcher;
   * failure is delivered directly. The callback runs exactly once.
   */
  lookupAsync(
    kind: LookupKind,
    searchOrder: JITDylibSearchOrder,
    symbols: SymbolLookupSet,
    requiredState: SymbolState,
    onComplete: LookupCallback,
    registerDependencies?: (deps: SymbolDependenceMap) => void,
  ): void {
    if (requiredState < SymbolState.Resolved || requiredState > SymbolState.Ready) {
      throw new RangeError(`a lookup must require a state from Resolved to Ready, not ${SymbolState[requiredState]}`);
    }
    // A materialization waiting on this lookup may give up its dispatcher slot meanwhile (see TaskDispatcher.beginWait).
    const endWait = this.dispatcher.beginWait?.();
    const callback: LookupCallback = endWait
      ? (err, result) => {
          endWait();
          onComplete(err, result);
        }
      : onComplete;
    const query = new AsynchronousSymbolQuery(requiredState, symbols.size, callback);
    this.runGeneratorPhase(
      new InProgressLookupState(kind, searchOrder, symbols, { kind: 'lookup', query, requiredState, registerDependencies }),
    );
  }

  /**
   * Returns the flags of the symbols found along the search order. Runs definition generators but never triggers
   * materialization. Missing required symbols fail with {@link SymbolsNotFound}.
   */
  lookupFlags(searchOrder: SearchOrderLike, symbols: SymbolLookupSet | Iterable<string>, kind = LookupKind.Static): Promise<SymbolFlagsMap> {
    return new Promise((resolve, reject) => {
      this.lookupFlagsAsync(kind, toSearchOrder(searchOrder), toLookupSet(symbols), (err, flags) => {
        if (err !== null && err !== undefined) reject(err);
        else resolve(flags!);
      });
    });
  }

  /** The callback form of {@link ExecutionSession.lookupFlags}. */
  lookupFlagsAsync(
    kind: LookupKind,
    searchOrder: JITDylibSearchOrder,
    symbols: SymbolLookupSet,
    onComplete: (error: unknown, flags?: SymbolFlagsMap) => void,
  ): void {
    this.runGeneratorPhase(new InProgressLookupState(kind, searchOrder, symbols, { kind: 'flags', onComplete }));
  }

  /** Phase 1: walk the search order, asking generators for candidates not found; may suspend and resume. */
  private runGeneratorPhase(ipls: InProgressLookupState): void {
    if (ipls.failed) return;
    const order = ipls.searchOrder;
    try {
      while (ipls.jdIndex < order.length) {
        const [jd, jdFlags] = order[ipls.jdIndex]!;
        if (!ipls.enteredJD) {
          jd.checkOpen();
          ipls.candidates.append(ipls.nonCandidates);
          ipls.nonCandidates = new SymbolLookupSet();
          ipls.generators = jd.generators.slice();
          ipls.generatorIndex = 0;
          ipls.enteredJD = true;
        } else {
          jd.checkOpen();
        }
        this.filterCandidates(ipls, jd, jdFlags);
        for (;;) {
          if (ipls.generatorIndex >= ipls.generators.length || ipls.candidates.isEmpty()) {
            this.releaseGenerator(ipls);
            break;
          }
          const rec = ipls.generators[ipls.generatorIndex]!;
          if (rec.removed) {
            this.releaseGenerator(ipls);
            throw new OrcError('DefinitionGenerator removed while lookup in progress');
          }
          if (rec.owner !== null && rec.owner !== ipls) {
            rec.queue.push(ipls); // auto-suspension: resumed in order when the generator is released
            return;
          }
          rec.owner = ipls;
          ipls.held = rec;
          const ls = new LookupState((err) => this.resumeAfterGenerator(ipls, err));
          let result: void | Promise<void>;
          try {
            result = rec.generator.tryToGenerate(ls, ipls.kind, jd, jdFlags, ipls.candidates);
          } catch (e) {
            this.releaseGenerator(ipls);
            throw e;
          }
          if (isPromiseLike(result)) {
            ls.suspend();
            Promise.resolve(result).then(
              () => ls.continueLookup(),
              (e: unknown) => ls.continueLookup(e ?? new OrcError('definition generator failed')),
            );
            return;
          }
          if (ls.isSuspended()) return;
          this.releaseGenerator(ipls);
          ipls.generatorIndex++;
          this.filterCandidates(ipls, jd, jdFlags);
        }
        if (ipls.candidates.isEmpty() && ipls.nonCandidates.isEmpty()) break;
        ipls.jdIndex++;
        ipls.enteredJD = false;
      }
      ipls.candidates.removeWeaklyReferenced();
      if (!ipls.candidates.isEmpty()) throw new SymbolsNotFound(ipls.candidates.getSymbolNames());
    } catch (e) {
      this.failLookup(ipls, e);
      return;
    }
    if (ipls.completion.kind === 'lookup') this.lodgeQuery(ipls);
    else this.collectFlags(ipls);
  }

  private resumeAfterGenerator(ipls: InProgressLookupState, error: unknown): void {
    this.releaseGenerator(ipls);
    if (error !== undefined) {
      this.failLookup(ipls, error);
      return;
    }
    ipls.generatorIndex++;
    this.runGeneratorPhase(ipls);
  }

  /**
   * Removes from the candidates what `jd` defines. Hidden symbols under exported-only matching become
   * non-candidates, searched again in later JITDylibs (ORC drops them when `jd` has no generators: quirk Q1).
   */
  private filterCandidates(ipls: InProgressLookupState, jd: JITDylib, jdFlags: JITDylibLookupFlags): void {
    const c = ipls.candidates;
    const exportedOnly = jdFlags === JITDylibLookupFlags.MatchExportedSymbolsOnly;
    for (let i = 0; i < c.size; ) {
      const name = c.nameAt(i);
      const e = jd.symbols.get(name);
      if (!e) {
        i++;
        continue;
      }
      if (exportedOnly && !(e.flags & JITSymbolFlags.Exported)) {
        ipls.nonCandidates.add(name, c.flagsAt(i));
        c.removeAt(i);
        continue;
      }
      if (e.flags & JITSymbolFlags.MaterializationSideEffectsOnly && c.flagsAt(i) === SymbolLookupFlags.RequiredSymbol) {
        throw new SymbolsNotFound([name]);
      }
      if (e.flags & JITSymbolFlags.HasError) throw new FailedToMaterialize(new Map([[jd, new Set([name])]]));
      c.removeAt(i);
    }
  }

  /** Releases the generator `ipls` holds, handing it to the next queued lookup. */
  private releaseGenerator(ipls: InProgressLookupState): void {
    const rec = ipls.held;
    if (!rec) return;
    ipls.held = null;
    if (rec.owner !== ipls) return;
    const next = rec.queue.shift();
    if (!next) {
      rec.owner = null;
      return;
    }
    rec.owner = next;
    next.held = rec;
    this.dispatch(new GenericNamedTask(() => this.runGeneratorPhase(next), 'resume lookup'));
  }

  /** @internal A generator left its JITDylib: lookups queued on it fail. */
  retireGenerator(rec: GeneratorRecord): void {
    rec.removed = true;
    const queued = rec.queue.splice(0);
    for (const ipls of queued) this.failLookup(ipls, new OrcError('Query waiting on DefinitionGenerator that was destroyed'));
  }

  private failLookup(ipls: InProgressLookupState, error: unknown): void {
    if (ipls.failed) return;
    ipls.failed = true;
    this.releaseGenerator(ipls);
    if (ipls.completion.kind === 'lookup') ipls.completion.query.fail(error);
    else ipls.completion.onComplete(error);
  }

  private collectFlags(ipls: InProgressLookupState): void {
    if (ipls.completion.kind !== 'flags') return;
    const result: SymbolFlagsMap = new Map();
    const set = ipls.lookupSet.clone();
    try {
      for (const [jd, jdFlags] of ipls.searchOrder) {
        jd.checkOpen();
        const exportedOnly = jdFlags === JITDylibLookupFlags.MatchExportedSymbolsOnly;
        for (let i = 0; i < set.size; ) {
          const e = jd.symbols.get(set.nameAt(i));
          if (!e || (exportedOnly && !(e.flags & JITSymbolFlags.Exported))) {
            i++;
            continue;
          }
          result.set(e.name, e.flags);
          set.removeAt(i);
        }
      }
      set.removeWeaklyReferenced();
      if (!set.isEmpty()) throw new SymbolsNotFound(set.getSymbolNames());
    } catch (e) {
      ipls.completion.onComplete(e);
      return;
    }
    ipls.completion.onComplete(null, result);
  }

  /** Phase 2: attach the query to every matched symbol, trigger the units it needs, deliver it if complete. */
  private lodgeQuery(ipls: InProgressLookupState): void {
    if (ipls.completion.kind !== 'lookup') return;
    const { query, requiredState, registerDependencies } = ipls.completion;
    const set = ipls.lookupSet.clone();
    const collected: Array<[JITDylib, UnmaterializedInfo]> = [];
    // The not-yet-Ready matches are only collected for the dependency callback: without one, skip the per-symbol map.
    const recordDeps = Boolean(registerDependencies);
    let error: unknown = undefined;
    outer: for (const [jd, jdFlags] of ipls.searchOrder) {
      if (jd.state !== JITDylibState.Open) {
        error = new JITDylibDefunct(jd);
        break;
      }
      const exportedOnly = jdFlags === JITDylibLookupFlags.MatchExportedSymbolsOnly;
      for (let i = 0; i < set.size; ) {
        const e = jd.symbols.get(set.nameAt(i));
        if (!e || (exportedOnly && !(e.flags & JITSymbolFlags.Exported))) {
          i++;
          continue;
        }
        if (e.flags & JITSymbolFlags.MaterializationSideEffectsOnly && set.flagsAt(i) === SymbolLookupFlags.RequiredSymbol) {
          error = new SymbolsNotFound([e.name]);
          break outer;
        }
        if (e.flags & JITSymbolFlags.HasError) {
          error = new FailedToMaterialize(new Map([[jd, new Set([e.name])]]));
          break outer;
        }
        set.removeAt(i);
        if (e.state >= requiredState) {
          query.notifySymbolMetRequiredState(e);
          if (recordDeps && e.state !== SymbolState.Ready) query.recordDependency(e);
          continue;
        }
        const umi = e.umi;
        if (umi) {
          collected.push([jd, umi]);
          for (const name of umi.mu.getSymbols().keys()) {
            const s = jd.symbols.get(name)!;
            s.umi = null;
            if (s.state === SymbolState.NeverSearched) s.state = SymbolState.Materializing;
          }
        }
        query.addQueryDependence(e);
        if (recordDeps) query.recordDependency(e);
      }
    }
    if (error === undefined) {
      set.removeIf((_, flags) => {
        if (flags !== SymbolLookupFlags.WeaklyReferencedSymbol) return false;
        query.dropSymbol();
        return true;
      });
      if (!set.isEmpty()) error = new SymbolsNotFound(set.getSymbolNames());
    }
    if (error !== undefined) {
      for (const [jd, umi] of collected) {
        for (const name of umi.mu.getSymbols().keys()) jd.symbols.get(name)!.umi = umi;
      }
      query.fail(error);
      return;
    }
    const started = collected.map(([jd, umi]) => {
      const mr = this.createResponsibility(jd, umi.tracker, new Map(umi.mu.getSymbols()), umi.mu.getInitializerSymbol(), umi.mu.getName());
      return new MaterializationTask(this, umi.mu, mr);
    });
    if (registerDependencies && query.dependencies) registerDependencies(query.dependencies);
    if (query.isComplete()) this.deliverCompleted([query]);
    for (const task of started) this.dispatch(task);
  }

  // ---- responsibilities (used by MaterializationResponsibility) ----

  /** @internal Creates a responsibility and files it under its tracker. */
  createResponsibility(
    jd: JITDylib,
    tracker: ResourceTracker,
    symbols: SymbolFlagsMap,
    initSymbol: string | null,
    unitName: string,
  ): MaterializationResponsibility {
    const state = new MaterializationResponsibilityState(jd, tracker, symbols, initSymbol, unitName);
    let set = jd.trackerMRs.get(tracker);
    if (!set) jd.trackerMRs.set(tracker, (set = new Set()));
    set.add(state);
    const mr = new MaterializationResponsibility(this, state);
    this.dropped.register(mr, state, state);
    return mr;
  }

  /** @internal An emptied responsibility leaves its tracker's records. */
  releaseResponsibility(state: MaterializationResponsibilityState): void {
    state.jd.trackerMRs.get(state.tracker)?.delete(state);
    this.dropped.unregister(state);
  }

  /** @internal Creates a responsibility for `mu` and dispatches its materialization. */
  startMaterialization(jd: JITDylib, tracker: ResourceTracker, mu: MaterializationUnit): void {
    const mr = this.createResponsibility(jd, tracker, new Map(mu.getSymbols()), mu.getInitializerSymbol(), mu.getName());
    this.dispatch(new MaterializationTask(this, mu, mr));
  }

  /** @internal Delivers completed queries through the dispatcher. */
  deliverCompleted(queries: readonly AsynchronousSymbolQuery[]): void {
    for (const q of queries) {
      if (q.isDone()) continue;
      this.dispatch(new GenericNamedTask(q.takeCompletion(), 'lookup complete'));
    }
  }

  /** @internal Fails in-flight `entries` (and their dependants) at once, failing their queries. */
  failInFlight(entries: readonly SymbolTableEntry[]): void {
    if (entries.length === 0) return;
    const outcome = failEntries(entries);
    failQueries(outcome, new FailedToMaterialize(outcome.failed));
  }

  // ---- resource trackers ----

  /** @internal See {@link ResourceTracker.remove}. */
  async removeResourceTracker(rt: ResourceTracker): Promise<void> {
    if (rt.isDefunct()) throw new ResourceTrackerDefunct(rt);
    const jd = rt.getJITDylib();
    const managers = this.resourceManagers.slice().reverse();
    const errors: unknown[] = [];
    try {
      await this.platform?.notifyRemoving(rt);
    } catch (e) {
      errors.push(e);
    }
    if (rt.isDefunct()) throw new ResourceTrackerDefunct(rt);
    rt.markDefunct();
    let entries: SymbolTableEntry[];
    if (jd.defaultTracker === rt) {
      entries = [];
      for (const e of jd.symbols.values()) if (e.tracker === null) entries.push(e);
      jd.defaultTracker = null;
    } else {
      const names = jd.trackerSymbols.get(rt) ?? new Set<string>();
      entries = [];
      for (const n of names) {
        const e = jd.symbols.get(n);
        if (e) entries.push(e);
      }
      jd.trackerSymbols.delete(rt);
    }
    jd.trackerMRs.delete(rt);
    const inFlight = entries.filter((e) => e.mi !== null && (e.mi.queries || e.mi.node || e.mi.dependants));
    const outcome = failEntries(inFlight);
    const orphaned = new Set<MaterializationUnit>();
    for (const e of entries) {
      if (e.umi) orphaned.add(e.umi.mu);
      e.umi = null;
      e.mi = null;
      jd.symbols.delete(e.name);
    }
    for (const m of managers) {
      try {
        await m.handleRemoveResources(jd, rt.getKey());
      } catch (e) {
        errors.push(e);
      }
    }
    if (outcome.queries.size) failQueries(outcome, new FailedToMaterialize(outcome.failed));
    for (const mu of orphaned) mu.dispose();
    const err = joinErrors(errors, `errors removing resource tracker ${rt.getKey()}`);
    if (err) throw err;
  }

  /** @internal See {@link ResourceTracker.transferTo}. */
  transferResourceTracker(dst: ResourceTracker, src: ResourceTracker): void {
    if (dst === src) return;
    const jd = src.getJITDylib();
    if (dst.getJITDylib() !== jd) throw new OrcError('resource trackers can only transfer within one JITDylib');
    if (src.isDefunct()) throw new ResourceTrackerDefunct(src);
    if (dst.isDefunct()) throw new ResourceTrackerDefunct(dst);
    src.markDefunct();
    const mrs = jd.trackerMRs.get(src);
    if (mrs) {
      jd.trackerMRs.delete(src);
      let dstMRs = jd.trackerMRs.get(dst);
      if (!dstMRs) jd.trackerMRs.set(dst, (dstMRs = new Set()));
      for (const st of mrs) {
        st.tracker = dst;
        dstMRs.add(st);
      }
    }
    const retarget = (e: SymbolTableEntry, owner: ResourceTracker | null): void => {
      e.tracker = owner;
      if (e.umi) e.umi.tracker = dst;
    };
    if (jd.defaultTracker === dst) {
      for (const n of jd.trackerSymbols.get(src) ?? []) {
        const e = jd.symbols.get(n);
        if (e) retarget(e, null);
      }
      jd.trackerSymbols.delete(src);
    } else if (jd.defaultTracker === src) {
      const owned = jd.trackedNames(dst);
      for (const e of jd.symbols.values()) {
        if (e.tracker !== null) continue;
        retarget(e, dst);
        owned.add(e.name);
      }
      jd.defaultTracker = null;
    } else {
      const owned = jd.trackedNames(dst);
      for (const n of jd.trackerSymbols.get(src) ?? []) {
        const e = jd.symbols.get(n);
        if (!e) continue;
        retarget(e, dst);
        owned.add(n);
      }
      jd.trackerSymbols.delete(src);
    }
    for (const m of this.resourceManagers.slice().reverse()) m.handleTransferResources(jd, dst.getKey(), src.getKey());
  }

  /** @internal See {@link JITDylib.clear}. */
  async clearJITDylib(jd: JITDylib): Promise<void> {
    const trackers = new Set<ResourceTracker>(jd.trackerSymbols.keys());
    if (jd.defaultTracker) trackers.add(jd.defaultTracker);
    else trackers.add(jd.getDefaultResourceTracker());
    const errors: unknown[] = [];
    for (const rt of trackers) {
      if (rt.isDefunct()) continue;
      try {
        await rt.remove();
      } catch (e) {
        errors.push(e);
      }
    }
    const err = joinErrors(errors, `errors clearing ${jd.getName()}`);
    if (err) throw err;
  }
}
