/**
 * Shared fixture of the resource-tracker tests: a session under either dispatcher, a `SimpleResourceManager` that
 * records a count per tracker key (as in LLVM's ResourceTrackerTest), and helpers to drain the dispatcher.
 */
import {
  ExecutionSession,
  InPlaceTaskDispatcher,
  JITSymbolFlags,
  MaterializationResponsibility,
  QueueingTaskDispatcher,
  SimpleMaterializationUnit,
  type JITDylib,
  type ResourceKey,
  type ResourceManager,
  type TaskDispatcher,
} from '@orc-ts/core';

export const X = JITSymbolFlags.Exported;

/** The two dispatchers every test runs under. */
export const dispatchers: ReadonlyArray<readonly [string, () => TaskDispatcher]> = [
  ['InPlaceTaskDispatcher', () => new InPlaceTaskDispatcher()],
  ['QueueingTaskDispatcher', () => new QueueingTaskDispatcher()],
];

/** Records resources as a count per tracker key; removal drops the key, transfer merges the counts. */
export class SimpleResourceManager implements ResourceManager {
  readonly resources = new Map<ResourceKey, number>();
  /** Every removal request, in order. */
  readonly removals: Array<{ jd: JITDylib; key: ResourceKey }> = [];
  /** Every transfer request, in order. */
  readonly transfers: Array<{ dst: ResourceKey; src: ResourceKey }> = [];
  /** Optional extra behaviour on removal (e.g. failing). */
  onRemove: ((jd: JITDylib, key: ResourceKey) => void | Promise<void>) | undefined;

  record(key: ResourceKey, n = 1): void {
    this.resources.set(key, (this.resources.get(key) ?? 0) + n);
  }

  handleRemoveResources(jd: JITDylib, key: ResourceKey): void | Promise<void> {
    this.removals.push({ jd, key });
    this.resources.delete(key);
    return this.onRemove?.(jd, key);
  }

  handleTransferResources(_jd: JITDylib, dst: ResourceKey, src: ResourceKey): void {
    this.transfers.push({ dst, src });
    const n = this.resources.get(src);
    if (n === undefined) return;
    this.resources.delete(src);
    this.record(dst, n);
  }
}

/** Lets every queued task, promise continuation and dispatcher batch run. */
export async function drain(es: ExecutionSession): Promise<void> {
  for (let i = 0; i < 3; i++) {
    await new Promise<void>((r) => setImmediate(r));
    const d = es.getDispatcher();
    if (d instanceof QueueingTaskDispatcher) await d.whenIdle();
  }
}

/** Observes a promise without letting its rejection go unhandled. */
export function observe<T>(p: Promise<T>): { readonly settled: boolean; readonly value: T | undefined; readonly error: unknown } {
  const state = { settled: false, value: undefined as T | undefined, error: undefined as unknown };
  p.then(
    (v) => {
      state.settled = true;
      state.value = v;
    },
    (e: unknown) => {
      state.settled = true;
      state.error = e;
    },
  );
  return state;
}

/** A unit for `names` whose materializer records one resource under its tracker's key, then resolves and emits. */
export function recordingUnit(
  srm: SimpleResourceManager,
  names: Record<string, bigint>,
  counters?: { materialized: number },
): SimpleMaterializationUnit {
  const flags = new Map(Object.keys(names).map((n) => [n, X] as const));
  return new SimpleMaterializationUnit(flags, {
    materialize: (mr) => {
      if (counters) counters.materialized++;
      mr.withResourceKeyDo((key) => srm.record(key));
      mr.notifyResolved(new Map(Object.entries(names).map(([n, address]) => [n, { address, flags: X }] as const)));
      mr.notifyEmitted();
    },
  });
}

/** A unit for `names` that hands its responsibility to the test instead of materializing. */
export function capturingUnit(
  names: readonly string[],
  extra: { dispose?: () => void } = {},
): { unit: SimpleMaterializationUnit; readonly mr: MaterializationResponsibility | undefined } {
  const box: { mr: MaterializationResponsibility | undefined } = { mr: undefined };
  const unit = new SimpleMaterializationUnit(new Map(names.map((n) => [n, X] as const)), {
    materialize: (mr) => {
      box.mr = mr;
    },
    dispose: extra.dispose,
  });
  return {
    unit,
    get mr() {
      return box.mr;
    },
  };
}

/** A session with one JITDylib and a registered {@link SimpleResourceManager}; errors reported are collected. */
export function makeFixture(makeDispatcher: () => TaskDispatcher): {
  es: ExecutionSession;
  jd: JITDylib;
  srm: SimpleResourceManager;
  reported: unknown[];
} {
  const reported: unknown[] = [];
  const es = new ExecutionSession({ dispatcher: makeDispatcher(), errorReporter: (e) => reported.push(e) });
  const jd = es.createJITDylib('JD');
  const srm = new SimpleResourceManager();
  es.registerResourceManager(srm);
  return { es, jd, srm, reported };
}
