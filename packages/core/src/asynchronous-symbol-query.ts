import type { SymbolDependenceMap } from './errors.js';
import { addToDependenceMap } from './errors.js';
import type { SymbolMap } from './executor-symbol-def.js';
import { JITSymbolFlags } from './symbol-flags.js';
import type { SymbolState } from './symbol-state.js';
import type { SymbolTableEntry } from './symbol-table-entry.js';

/** Completion callback of an asynchronous lookup: an error, or the symbol map. */
export type LookupCallback = (error: unknown, result?: SymbolMap) => void;

/**
 * The state of one lodged lookup: how many symbols it still waits for, the results so far, and the symbols it
 * is registered with (so a failure can detach it from all of them). Invokes its callback exactly once.
 * @internal
 */
export class AsynchronousSymbolQuery {
  readonly result: SymbolMap = new Map();
  /** Matched symbols that were not Ready when the query was lodged (reported to the dependency callback). */
  dependencies: SymbolDependenceMap | null = null;
  private outstanding: number;
  private readonly registrations: SymbolTableEntry[] = [];
  private done = false;

  constructor(
    readonly requiredState: SymbolState,
    symbolCount: number,
    private readonly onComplete: LookupCallback,
  ) {
    this.outstanding = symbolCount;
  }

  /** The symbol `e` reached the required state. */
  notifySymbolMetRequiredState(e: SymbolTableEntry): void {
    if (!(e.flags & JITSymbolFlags.MaterializationSideEffectsOnly)) {
      this.result.set(e.name, { address: e.address, flags: e.flags });
    }
    this.outstanding--;
  }

  /** A weakly referenced symbol was not found: the query stops waiting for it. */
  dropSymbol(): void {
    this.outstanding--;
  }

  /** True when every symbol has met the required state. */
  isComplete(): boolean {
    return this.outstanding === 0;
  }

  /** True once the callback has been (or is being) delivered. */
  isDone(): boolean {
    return this.done;
  }

  /** Registers the query as waiting on `e`. */
  addQueryDependence(e: SymbolTableEntry): void {
    this.registrations.push(e);
    (e.materializingInfo().queries ??= []).push(this);
  }

  /** Records that the query matched `e` before `e` was Ready. */
  recordDependency(e: SymbolTableEntry): void {
    addToDependenceMap((this.dependencies ??= new Map()), e.jd, e.name);
  }

  /** Removes the query from every symbol it waits on. */
  detach(): void {
    for (const e of this.registrations) {
      const qs = e.mi?.queries;
      if (!qs) continue;
      const i = qs.indexOf(this);
      if (i >= 0) {
        qs.splice(i, 1);
        if (qs.length === 0) e.mi!.queries = null;
      }
    }
    this.registrations.length = 0;
  }

  /** Marks the query complete and returns the callback to deliver (the caller dispatches it). */
  takeCompletion(): () => void {
    this.done = true;
    this.registrations.length = 0;
    const result = this.result;
    const cb = this.onComplete;
    return () => cb(null, result);
  }

  /** Fails the query: detaches it and calls back with `error` (once). */
  fail(error: unknown): void {
    if (this.done) return;
    this.done = true;
    this.detach();
    this.onComplete(error);
  }
}
