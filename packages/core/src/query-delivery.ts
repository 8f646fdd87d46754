/**
 * Moving queries along when symbols change state, and failing symbols with their queries. Shared by the
 * responsibility operations, symbol removal and resource-tracker removal.
 * @internal
 */
import type { AsynchronousSymbolQuery } from './asynchronous-symbol-query.js';
import { addToDependenceMap, type SymbolDependenceMap } from './errors.js';
import { SymbolState } from './symbol-state.js';
import type { SymbolTableEntry } from './symbol-table-entry.js';
import { failSymbols } from './waiting-on-graph.js';

/**
 * Notifies every query waiting on `entries` whose required state each entry has now reached, and returns the
 * queries that became complete (the caller delivers them), appended to `completed` if given. Ready entries drop
 * their in-flight bookkeeping.
 */
export function advanceQueries(
  entries: Iterable<SymbolTableEntry>,
  completed: AsynchronousSymbolQuery[] = [],
): AsynchronousSymbolQuery[] {
  for (const e of entries) {
    const mi = e.mi;
    if (!mi) continue;
    const qs = mi.queries;
    if (qs) {
      let keep = 0;
      for (const q of qs) {
        if (q.requiredState <= e.state) {
          q.notifySymbolMetRequiredState(e);
          if (q.isComplete()) completed.push(q);
        } else {
          qs[keep++] = q;
        }
      }
      qs.length = keep;
      if (keep === 0) mi.queries = null;
    }
    if (e.state === SymbolState.Ready && mi.queries === null) e.mi = null;
  }
  return completed;
}

/** The outcome of failing symbols: what failed (by JITDylib) and the queries to fail with it. */
export interface FailureOutcome {
  failed: SymbolDependenceMap;
  queries: Set<AsynchronousSymbolQuery>;
}

/** Fails `entries` and every emitted symbol that depends on them; collects their queries without failing them yet. */
export function failEntries(entries: Iterable<SymbolTableEntry>): FailureOutcome {
  const failed: SymbolDependenceMap = new Map();
  const queries = new Set<AsynchronousSymbolQuery>();
  failSymbols(entries, (e) => {
    addToDependenceMap(failed, e.jd, e.name);
    const qs = e.mi?.queries;
    if (qs) {
      for (const q of qs) queries.add(q);
      e.mi!.queries = null;
    }
  });
  return { failed, queries };
}

/** Fails every query of `outcome` with `error` (each detaches from its other symbols). */
export function failQueries(outcome: FailureOutcome, error: unknown): void {
  for (const q of outcome.queries) q.fail(error);
}

/** Adds `more` to `into`. */
export function mergeFailure(into: FailureOutcome, more: FailureOutcome): void {
  for (const [jd, names] of more.failed) for (const n of names) addToDependenceMap(into.failed, jd, n);
  for (const q of more.queries) into.queries.add(q);
}
