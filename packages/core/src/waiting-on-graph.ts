/**
 * Dependency tracking for emitted symbols: LLVM's newer "WaitingOnGraph" behaviour.
 *
 * A symbol emitted while some of its dependencies are not yet emitted joins a {@link WaitNode}: a set of emitted
 * symbols ("defs") that all wait on the same set of not-yet-emitted symbols ("deps"). Nodes only ever wait on
 * symbols that have not been emitted: when a dependency is emitted but is itself still waiting, the dependant takes
 * over its waits instead (transitively). When a dependency becomes Ready it drops out of every wait set, and nodes
 * left with nothing to wait on become Ready, cascading. Nodes that wait on exactly the same single symbol are
 * coalesced, so chains and rings of N symbols cost O(N) rather than O(N^2).
 *
 * Improvement over LLVM (its quirk Q8): when an emitted-but-waiting symbol fails (e.g. its tracker is removed), the
 * symbols emitted depending on it fail as well (transitively), since their code depends on the failed code. These
 * are recorded per dependence group, not per node: a node may since have been coalesced with unrelated symbols.
 * @internal
 */
import { JITSymbolFlags } from './symbol-flags.js';
import { SymbolState } from './symbol-state.js';
import type { SymbolTableEntry } from './symbol-table-entry.js';

/** A set of emitted symbols waiting on the same set of not-yet-emitted symbols. @internal */
export class WaitNode {
  readonly defs = new Set<SymbolTableEntry>();
  readonly deps = new Set<SymbolTableEntry>();
  /** Set when this node was merged into another. */
  mergedInto: WaitNode | null = null;
}

/** What an emit changed: symbols that became Ready, and symbols that were emitted but still wait. @internal */
export interface GraphChanges {
  ready: SymbolTableEntry[];
  emitted: SymbolTableEntry[];
}

function rep(node: WaitNode): WaitNode {
  let n = node;
  while (n.mergedInto) n = n.mergedInto;
  // path compression
  let m = node;
  while (m.mergedInto && m.mergedInto !== n) {
    const next: WaitNode = m.mergedInto;
    m.mergedInto = n;
    m = next;
  }
  return n;
}

function merge(a: WaitNode, b: WaitNode): WaitNode {
  const [big, small] = a.defs.size >= b.defs.size ? [a, b] : [b, a];
  for (const e of small.defs) {
    e.mi!.node = big;
    big.defs.add(e);
  }
  for (const x of small.deps) {
    const mi = x.mi!;
    mi.dependants!.delete(small);
    if (mi.soleWaiter === small) mi.soleWaiter = big;
  }
  small.defs.clear();
  small.deps.clear();
  small.mergedInto = big;
  return big;
}

/** Merges `node` with the node that waits on exactly the same single symbol, if there is one. */
function coalesce(node: WaitNode): WaitNode {
  if (node.deps.size !== 1) return node;
  const x: SymbolTableEntry = node.deps.values().next().value!;
  const mi = x.mi!;
  const other = mi.soleWaiter ? rep(mi.soleWaiter) : null;
  if (other && other !== node && other.deps.size === 1 && other.deps.has(x)) return merge(other, node);
  mi.soleWaiter = node;
  return node;
}

function markReady(initial: Iterable<SymbolTableEntry>, out: GraphChanges): void {
  const work = Array.from(initial);
  while (work.length) {
    const e = work.pop()!;
    if (e.state === SymbolState.Ready) continue;
    e.state = SymbolState.Ready;
    out.ready.push(e);
    const mi = e.mi;
    if (!mi) continue;
    mi.node = null;
    mi.absorbers = null;
    mi.soleWaiter = null;
    const waiters = mi.dependants;
    mi.dependants = null;
    if (!waiters) continue;
    for (const w of waiters) {
      const n = rep(w);
      if (!n.deps.delete(e)) continue;
      if (n.deps.size === 0) {
        for (const d of n.defs) work.push(d);
        n.defs.clear();
      } else {
        coalesce(n);
      }
    }
  }
}

/**
 * Folds `n` into `m` when `n` waits on nothing `m` does not wait on: `n` is about to take over `m`'s waits, after
 * which both would wait on exactly `m`'s deps and become Ready together. Returns false (and changes nothing)
 * otherwise.
 */
function absorbInto(n: WaitNode, m: WaitNode): boolean {
  for (const x of n.deps) if (!m.deps.has(x)) return false;
  for (const e of n.defs) {
    e.mi!.node = m;
    m.defs.add(e);
  }
  for (const x of n.deps) {
    const mi = x.mi!;
    mi.dependants?.delete(n);
    if (mi.soleWaiter === n) mi.soleWaiter = m;
  }
  n.defs.clear();
  n.deps.clear();
  n.mergedInto = m;
  return true;
}

/**
 * `defs` were just emitted and wait in `node`: nodes that waited on any of them take over `node`'s waits, once per
 * node (not once per def). A node whose waits were all folded into `node`'s frontier (`frontierNodes`) and so
 * would end up with exactly `node`'s waits is merged into `node` instead of copying them.
 */
function propagateEmitted(defs: readonly SymbolTableEntry[], node: WaitNode, frontierNodes: ReadonlySet<WaitNode>): void {
  const waiters = new Set<WaitNode>();
  for (const def of defs) {
    const mi = def.mi!;
    const ws = mi.dependants;
    mi.dependants = null;
    mi.soleWaiter = null;
    if (!ws) continue;
    for (const w of ws) {
      const n = rep(w);
      n.deps.delete(def);
      waiters.add(n);
    }
  }
  for (const w of waiters) {
    const n = rep(w);
    const m = rep(node);
    if (n === m) continue;
    if (frontierNodes.has(n) && absorbInto(n, m)) continue;
    for (const x of m.deps) {
      if (!n.deps.has(x)) {
        n.deps.add(x);
        (x.mi!.dependants ??= new Set()).add(n);
      }
    }
    coalesce(n);
  }
}

/**
 * Emits `defs` (one dependence group) whose dependencies are `deps`. Every dependency must be valid: present, not
 * failed, in an open JITDylib (the caller checks). Dependencies on `defs` themselves are ignored.
 */
export function emitGroup(defs: readonly SymbolTableEntry[], deps: Iterable<SymbolTableEntry>, out: GraphChanges): void {
  // The set of defs is built on first use: a group without dependencies (the common case) never needs it.
  let defSet: Set<SymbolTableEntry> | null = null;
  const single = defs[0];
  const isDef = (e: SymbolTableEntry): boolean =>
    defs.length > 1 ? (defSet ??= new Set(defs)).has(e) : e === single;
  const frontier = new Set<SymbolTableEntry>();
  // Nodes whose waits are in the frontier: each is folded in once, however many of its defs are dependencies.
  const frontierNodes = new Set<WaitNode>();
  let direct: SymbolTableEntry[] | null = null;
  for (const d of deps) {
    if (d.state === SymbolState.Ready || isDef(d)) continue;
    (direct ??= []).push(d);
    const waitingIn = d.mi?.node;
    if (waitingIn) {
      const n = rep(waitingIn);
      if (frontierNodes.has(n)) continue;
      frontierNodes.add(n);
      for (const x of n.deps) if (!isDef(x)) frontier.add(x);
    } else {
      frontier.add(d);
    }
  }
  if (frontier.size === 0) {
    markReady(defs, out);
    return;
  }
  let node = new WaitNode();
  for (const def of defs) {
    node.defs.add(def);
    def.materializingInfo().node = node;
    def.state = SymbolState.Emitted;
    out.emitted.push(def);
  }
  for (const x of frontier) {
    node.deps.add(x);
    (x.materializingInfo().dependants ??= new Set()).add(node);
  }
  // The group depends on each direct dependency: if one fails, even after being emitted, the group fails.
  if (direct) for (const d of direct) (d.materializingInfo().absorbers ??= []).push(defs);
  node = coalesce(node);
  propagateEmitted(defs, node, frontierNodes);
}

function detachNode(node: WaitNode): void {
  for (const x of node.deps) {
    const mi = x.mi;
    if (!mi) continue;
    mi.dependants?.delete(node);
    if (mi.soleWaiter === node) mi.soleWaiter = null;
  }
  node.deps.clear();
}

/**
 * Fails `initial` symbols and everything emitted that depends on them, transitively: each gets `HasError`, leaves
 * the graph, and is passed to `onFailed` (which takes its queries). Symbols not yet emitted are unaffected until
 * they try to emit.
 */
export function failSymbols(initial: Iterable<SymbolTableEntry>, onFailed: (e: SymbolTableEntry) => void): void {
  const work = Array.from(initial);
  while (work.length) {
    const e = work.pop()!;
    if (e.flags & JITSymbolFlags.HasError) continue;
    e.flags |= JITSymbolFlags.HasError;
    onFailed(e);
    const mi = e.mi;
    if (!mi) continue;
    if (mi.node) {
      const n = rep(mi.node);
      n.defs.delete(e);
      if (n.defs.size === 0) detachNode(n);
      mi.node = null;
    }
    if (mi.absorbers) {
      for (const group of mi.absorbers) for (const x of group) if (x.state !== SymbolState.Ready) work.push(x);
      mi.absorbers = null;
    }
    if (mi.dependants) {
      for (const w of mi.dependants) work.push(...rep(w).defs);
      mi.dependants = null;
    }
    mi.soleWaiter = null;
  }
}
