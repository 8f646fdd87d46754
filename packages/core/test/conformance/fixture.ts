/**
 * Shared fixture of the conformance tests (reference/orc-core.md §10): a session with one JITDylib "JD", the symbols
 * foo/bar/baz/qux at addresses 1/2/3/4 (all Exported), and helpers to observe lookups, units and responsibilities
 * under either task dispatcher.
 */
import {
  ExecutionSession,
  InPlaceTaskDispatcher,
  JITDylibLookupFlags,
  JITSymbolFlags,
  LookupKind,
  QueueingTaskDispatcher,
  SimpleMaterializationUnit,
  SymbolLookupSet,
  SymbolState,
  type DefinitionGenerator,
  type ExecutorSymbolDef,
  type JITDylib,
  type JITDylibSearchOrder,
  type LookupState,
  type MaterializationResponsibility,
  type SymbolDependenceMap,
  type SymbolFlagsMap,
  type SymbolMap,
  type Task,
  type TaskDispatcher,
} from '@orc-ts/core';

export const X = JITSymbolFlags.Exported;
export const WeakX = JITSymbolFlags.Exported | JITSymbolFlags.Weak;

export const FooAddr = 1n;
export const BarAddr = 2n;
export const BazAddr = 3n;
export const QuxAddr = 4n;

export const fooSym: ExecutorSymbolDef = { address: FooAddr, flags: X };
export const barSym: ExecutorSymbolDef = { address: BarAddr, flags: X };
export const bazSym: ExecutorSymbolDef = { address: BazAddr, flags: X };
export const quxSym: ExecutorSymbolDef = { address: QuxAddr, flags: X };

/** A name→flags map. */
export function flagsMap(entries: Record<string, JITSymbolFlags>): SymbolFlagsMap {
  return new Map(Object.entries(entries));
}

/** A name→def map. */
export function symbolMap(entries: Record<string, ExecutorSymbolDef>): SymbolMap {
  return new Map(Object.entries(entries));
}

/** A dependence map over one JITDylib, as the errors carry it. */
export function depMap(jd: JITDylib, names: readonly string[]): SymbolDependenceMap {
  return new Map([[jd, new Set(names)]]);
}

/** Search order with one JITDylib, exported symbols only (what `makeJITDylibSearchOrder(&JD)` gives in ORC). */
export function exportedOnly(...jds: JITDylib[]): JITDylibSearchOrder {
  return jds.map((jd) => [jd, JITDylibLookupFlags.MatchExportedSymbolsOnly] as const);
}

/** Wraps a dispatcher to count the tasks (and materialization tasks) it is handed. */
export class CountingDispatcher implements TaskDispatcher {
  tasks = 0;
  materializations = 0;
  constructor(readonly inner: TaskDispatcher) {}
  dispatch(task: Task): void {
    this.tasks++;
    if (task.isMaterialization) this.materializations++;
    this.inner.dispatch(task);
  }
  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }
}

export type DispatcherName = 'InPlace' | 'Queueing';

export interface DispatcherKind {
  readonly name: DispatcherName;
  create(): TaskDispatcher;
}

/** The two dispatchers every order-sensitive test runs under. */
export const DISPATCHERS: readonly DispatcherKind[] = [
  { name: 'InPlace', create: () => new InPlaceTaskDispatcher() },
  { name: 'Queueing', create: () => new QueueingTaskDispatcher() },
];

export const IN_PLACE: DispatcherKind = DISPATCHERS[0]!;

function tick(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

export interface Fixture {
  readonly es: ExecutionSession;
  readonly jd: JITDylib;
  readonly kind: DispatcherName;
  /** The dispatcher the session uses (counts tasks). */
  readonly dispatcher: CountingDispatcher;
  /** Errors handed to the session's error reporter. */
  readonly reported: unknown[];
  /** Runs every queued task and flushes promise callbacks; with the in-place dispatcher it only flushes. */
  settle(): Promise<void>;
}

/** Creates the standard fixture under the given dispatcher. */
export function makeFixture(kind: DispatcherKind = IN_PLACE): Fixture {
  const inner = kind.create();
  const dispatcher = new CountingDispatcher(inner);
  const reported: unknown[] = [];
  const es = new ExecutionSession({ dispatcher, errorReporter: (e) => reported.push(e) });
  const jd = es.createBareJITDylib('JD');
  const queue = inner instanceof QueueingTaskDispatcher ? inner : null;
  return {
    es,
    jd,
    kind: kind.name,
    dispatcher,
    reported,
    async settle() {
      for (let i = 0; i < 100; i++) {
        if (queue) await queue.whenIdle();
        await tick();
        if (!queue || queue.pending === 0) return;
      }
      throw new Error('the dispatcher did not settle');
    },
  };
}

/** What a lookup's callback has seen so far. */
export interface LookupRecord {
  /** How many times the callback ran (must end up exactly 1). */
  calls: number;
  result: SymbolMap | undefined;
  error: unknown;
}

/** Starts a callback-form lookup and records what its callback receives. */
export function startLookup(
  es: ExecutionSession,
  order: JITDylibSearchOrder,
  symbols: SymbolLookupSet | readonly string[],
  requiredState: SymbolState = SymbolState.Ready,
  registerDependencies?: (deps: SymbolDependenceMap) => void,
): LookupRecord {
  const rec: LookupRecord = { calls: 0, result: undefined, error: undefined };
  const set = symbols instanceof SymbolLookupSet ? symbols : SymbolLookupSet.fromNames(symbols);
  es.lookupAsync(
    LookupKind.Static,
    order,
    set,
    requiredState,
    (err, result) => {
      rec.calls++;
      if (err !== null && err !== undefined) rec.error = err;
      else rec.result = result;
    },
    registerDependencies,
  );
  return rec;
}

/** The settled outcome of a promise, observed without leaving a rejection unhandled. */
export interface Outcome<T> {
  settled: boolean;
  value: T | undefined;
  error: unknown;
}

/** Attaches handlers to `promise` at once and records how it settles. */
export function observe<T>(promise: Promise<T>): Outcome<T> {
  const out: Outcome<T> = { settled: false, value: undefined, error: undefined };
  promise.then(
    (v) => {
      out.settled = true;
      out.value = v;
    },
    (e: unknown) => {
      out.settled = true;
      out.error = e;
    },
  );
  return out;
}

/** A {@link SimpleMaterializationUnit} that records every call made on it. */
export interface RecordingUnit {
  readonly mu: SimpleMaterializationUnit;
  /** Responsibilities handed to `materialize`, in order. */
  readonly mrs: MaterializationResponsibility[];
  /** Names passed to `discard`, in order. */
  readonly discarded: string[];
  /** The JITDylibs passed to `discard`, in the same order. */
  readonly discardedFrom: JITDylib[];
  /** Number of `dispose` calls. */
  readonly disposed: number;
  /** Number of `materialize` calls. */
  readonly materialized: number;
  /** The one responsibility handed over (throws unless exactly one). */
  readonly mr: MaterializationResponsibility;
}

/**
 * Builds a recording unit. `onMaterialize` runs after the responsibility is recorded; without it the
 * responsibility is just kept (as ORC's tests move it into a local).
 */
export function recordingUnit(
  symbols: SymbolFlagsMap,
  onMaterialize?: (mr: MaterializationResponsibility) => void | Promise<void>,
  options: { initSymbol?: string; name?: string } = {},
): RecordingUnit {
  const mrs: MaterializationResponsibility[] = [];
  const discarded: string[] = [];
  const discardedFrom: JITDylib[] = [];
  let disposed = 0;
  const mu = new SimpleMaterializationUnit(symbols, {
    name: options.name,
    initSymbol: options.initSymbol ?? null,
    materialize: (mr) => {
      mrs.push(mr);
      return onMaterialize?.(mr);
    },
    discard: (jd, name) => {
      discarded.push(name);
      discardedFrom.push(jd);
    },
    dispose: () => {
      disposed++;
    },
  });
  return {
    mu,
    mrs,
    discarded,
    discardedFrom,
    get disposed() {
      return disposed;
    },
    get materialized() {
      return mrs.length;
    },
    get mr() {
      if (mrs.length !== 1) throw new Error(`expected exactly one responsibility, got ${mrs.length}`);
      return mrs[0]!;
    },
  };
}

/** Resolves `defs` and emits everything with no dependencies. */
export function resolveAndEmit(mr: MaterializationResponsibility, defs: SymbolMap): void {
  mr.notifyResolved(defs);
  mr.notifyEmitted([]);
}

/** How an asynchronous generator hands the lookup back. */
export type GeneratorStyle = 'suspend' | 'promise';

export const GENERATOR_STYLES: readonly GeneratorStyle[] = ['suspend', 'promise'];

/** One call of {@link ControllableGenerator.tryToGenerate} that has not been finished yet. */
export interface CapturedGeneration {
  readonly jd: JITDylib;
  readonly names: string[];
  /** Lets the lookup go on (or fails it with `error`). */
  finish(error?: unknown): void;
}

/**
 * An asynchronous generator whose every call is captured until the test finishes it: with `suspend` it keeps the
 * lookup state (`ls.suspend()` then `ls.continueLookup`), with `promise` it returns a promise the test settles.
 * A one-shot `override` runs instead, synchronously, for the next call.
 */
export class ControllableGenerator implements DefinitionGenerator {
  readonly captured: CapturedGeneration[] = [];
  calls = 0;
  override: ((jd: JITDylib, names: string[]) => void) | null = null;

  constructor(readonly style: GeneratorStyle) {}

  tryToGenerate(
    ls: LookupState,
    _kind: LookupKind,
    jd: JITDylib,
    _flags: JITDylibLookupFlags,
    set: SymbolLookupSet,
  ): void | Promise<void> {
    this.calls++;
    const names = set.getSymbolNames();
    const override = this.override;
    if (override) {
      this.override = null;
      override(jd, names);
      return this.style === 'promise' ? Promise.resolve() : undefined;
    }
    if (this.style === 'suspend') {
      ls.suspend();
      this.captured.push({ jd, names, finish: (error) => ls.continueLookup(error) });
      return;
    }
    return new Promise<void>((resolve, reject) => {
      this.captured.push({ jd, names, finish: (error) => (error === undefined ? resolve() : reject(error)) });
    });
  }

  /** Takes the oldest captured call (throws if there is none). */
  take(): CapturedGeneration {
    const c = this.captured.shift();
    if (!c) throw new Error('no lookup is captured by the generator');
    return c;
  }
}
