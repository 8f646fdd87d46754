/** Shared fixture of the behaviour tests. */
import {
  ExecutionSession,
  InPlaceTaskDispatcher,
  JITSymbolFlags,
  QueueingTaskDispatcher,
  SimpleMaterializationUnit,
  type ExecutorAddr,
  type JITDylib,
  type MaterializationResponsibility,
  type SymbolDependenceGroup,
  type TaskDispatcher,
} from '@orc-ts/core';

export const X = JITSymbolFlags.Exported;

/** The dispatchers behaviour tests run under. */
export const dispatchers: ReadonlyArray<readonly [string, () => TaskDispatcher]> = [
  ['InPlaceTaskDispatcher', () => new InPlaceTaskDispatcher()],
  ['QueueingTaskDispatcher', () => new QueueingTaskDispatcher()],
];

/** Lets queued tasks, promise continuations and dispatcher batches run (without waiting for async materializers). */
export async function turns(n = 3): Promise<void> {
  for (let i = 0; i < n; i++) await new Promise<void>((r) => setImmediate(r));
}

/** Drains the dispatcher (`whenIdle` for the queueing one) after letting continuations run. */
export async function drain(es: ExecutionSession): Promise<void> {
  for (let i = 0; i < 3; i++) {
    await turns(1);
    const d = es.getDispatcher();
    if (d instanceof QueueingTaskDispatcher) await withinSafetyNet(d.whenIdle(), 'the dispatcher never became idle');
  }
}

/** Rejects with `message` if `p` does not settle within `ms` (a safety net against hangs, not a timing assertion). */
export function withinSafetyNet<T>(p: Promise<T>, message: string, ms = 5_000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const net = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  return Promise.race([p, net]).finally(() => clearTimeout(timer));
}

/** Observes a promise without letting its rejection go unhandled. */
export interface Observed<T> {
  readonly settled: boolean;
  readonly value: T | undefined;
  readonly error: unknown;
}
export function observe<T>(p: Promise<T>): Observed<T> {
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

/** A session with collected error reports. */
export function makeSession(dispatcher: TaskDispatcher = new InPlaceTaskDispatcher()): { es: ExecutionSession; reported: unknown[] } {
  const reported: unknown[] = [];
  const es = new ExecutionSession({ dispatcher, errorReporter: (e) => reported.push(e) });
  return { es, reported };
}

/** A unit that hands its responsibility to the test (the test resolves, emits or fails it). */
export class ManualUnit {
  mr: MaterializationResponsibility | undefined;
  calls = 0;
  readonly unit: SimpleMaterializationUnit;
  constructor(
    readonly names: readonly string[],
    flags: JITSymbolFlags = X,
  ) {
    this.unit = new SimpleMaterializationUnit(new Map(names.map((n) => [n, flags] as const)), {
      name: `manual(${names.join(',')})`,
      materialize: (mr) => {
        this.calls++;
        this.mr = mr;
      },
    });
  }
  /** Defines the unit in `jd`. */
  defineIn(jd: JITDylib): this {
    jd.define(this.unit);
    return this;
  }
  /** The responsibility (fails if the unit was not materialized yet). */
  get r(): MaterializationResponsibility {
    if (!this.mr) throw new Error(`${this.names.join(',')} was not materialized`);
    return this.mr;
  }
  /** Resolves `names` (default: all) at `addr(name)`. */
  resolve(names: readonly string[] = this.names, addr: (n: string) => ExecutorAddr = defaultAddress): void {
    this.r.notifyResolved(new Map(names.map((n) => [n, { address: addr(n), flags: X }] as const)));
  }
  /** Emits with the given groups. */
  emit(groups: readonly SymbolDependenceGroup[] = []): void {
    this.r.notifyEmitted(groups);
  }
}

/** A stable address per name, for tests that do not care. */
export function defaultAddress(name: string): ExecutorAddr {
  let h = 0;
  for (const c of name) h = (h * 31 + c.charCodeAt(0)) >>> 0;
  return 0x10000n + BigInt(h % 0xffff) * 0x10n;
}

/** Shorthand for one dependence group. */
export function group(symbols: readonly string[], deps: ReadonlyArray<readonly [JITDylib, readonly string[]]> = []): SymbolDependenceGroup {
  return { symbols, dependencies: new Map(deps.map(([jd, names]) => [jd, names] as const)) };
}
