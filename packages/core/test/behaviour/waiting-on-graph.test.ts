/**
 * The behaviours of LLVM's WaitingOnGraphTest (Build_*, Simplification_*, Emit_*, Fail_*), expressed through the
 * public API: units whose responsibilities the test drives, notifyEmitted dependence groups, symbol states
 * (`jd.getSymbolInfo(name).state`) and query completion. Container 0 is JD, container 1 is JD2; element N is `sN`.
 * In orc-ts an emitted symbol still waiting on dependencies is in state Emitted (LLVM 22 leaves it Resolved).
 */
import { describe, expect, it } from 'vitest';
import {
  FailedToMaterialize,
  JITSymbolFlags,
  SymbolState,
  UnsatisfiedSymbolDependencies,
  type ExecutionSession,
  type JITDylib,
} from '@orc-ts/core';
import { ManualUnit, dispatchers, drain, group, makeSession, observe, type Observed } from './helpers.js';

interface Graph {
  es: ExecutionSession;
  jd: JITDylib;
  jd2: JITDylib;
  /** One manual unit per name, in JD or JD2. */
  units: Map<string, ManualUnit>;
  /** A Ready lookup per name. */
  queries: Map<string, Observed<unknown>>;
}

/** Defines every name as its own unit (`x:` prefix puts it in JD2), looks each up (Ready), drains. */
async function graph(makeDispatcher: () => import('@orc-ts/core').TaskDispatcher, names: string[], together: string[][] = []): Promise<Graph> {
  const { es } = makeSession(makeDispatcher());
  const jd = es.createJITDylib('JD');
  const jd2 = es.createJITDylib('JD2');
  const units = new Map<string, ManualUnit>();
  const queries = new Map<string, Observed<unknown>>();
  const grouped = new Set(together.flat());
  for (const set of together) {
    const u = new ManualUnit(set).defineIn(jd);
    for (const n of set) units.set(n, u);
  }
  for (const n of names) {
    if (grouped.has(n)) continue;
    const [target, name] = n.startsWith('x:') ? [jd2, n.slice(2)] : [jd, n];
    units.set(n, new ManualUnit([name]).defineIn(target));
  }
  for (const n of [...grouped, ...names.filter((x) => !grouped.has(x))]) {
    const [target, name] = n.startsWith('x:') ? [jd2, n.slice(2)] : [jd, n];
    queries.set(n, observe(es.lookup(target, name)));
  }
  await drain(es);
  return { es, jd, jd2, units, queries };
}

function stateOf(g: Graph, n: string): SymbolState | undefined {
  return n.startsWith('x:') ? g.jd2.getSymbolInfo(n.slice(2))?.state : g.jd.getSymbolInfo(n)?.state;
}

function hasError(g: Graph, n: string): boolean {
  const info = n.startsWith('x:') ? g.jd2.getSymbolInfo(n.slice(2)) : g.jd.getSymbolInfo(n);
  return ((info?.flags ?? 0) & JITSymbolFlags.HasError) !== 0;
}

/** Resolves and emits `n`'s unit with `deps` (names, `x:` for JD2) as one group for `symbols` (default: just n). */
function emit(g: Graph, n: string, deps: string[] = [], symbols: string[] = [n]): void {
  const u = g.units.get(n)!;
  u.resolve();
  const local = deps.filter((d) => !d.startsWith('x:'));
  const remote = deps.filter((d) => d.startsWith('x:')).map((d) => d.slice(2));
  const depList: Array<[JITDylib, string[]]> = [];
  if (local.length) depList.push([g.jd, local]);
  if (remote.length) depList.push([g.jd2, remote]);
  const plain = symbols.map((s) => (s.startsWith('x:') ? s.slice(2) : s));
  u.emit(deps.length ? [group(plain, depList)] : []);
}

function readySet(g: Graph): string[] {
  return [...g.queries.keys()].filter((n) => stateOf(g, n) === SymbolState.Ready).sort();
}

function settledSet(g: Graph): string[] {
  return [...g.queries.entries()].filter(([, q]) => q.settled).map(([n]) => n).sort();
}

describe.each(dispatchers)('WaitingOnGraph behaviours through the public API (%s)', (_name, makeDispatcher) => {
  // ---- Build_* ----
  it('Build_TrivialSingleSuperNode: one symbol, no dependencies, is Ready at once', async () => {
    const g = await graph(makeDispatcher, ['s0']);
    emit(g, 's0');
    await drain(g.es);
    expect(readySet(g)).toEqual(['s0']);
    expect(settledSet(g)).toEqual(['s0']);
  });

  it('Build_EmptyDefs: a dependence group without symbols creates no waits', async () => {
    const g = await graph(makeDispatcher, ['s0', 's1']);
    g.units.get('s0')!.resolve();
    g.units.get('s0')!.emit([group([], [[g.jd, ['s1']]])]);
    await drain(g.es);
    expect(stateOf(g, 's0')).toBe(SymbolState.Ready);
    expect(stateOf(g, 's1')).toBe(SymbolState.Materializing);
    expect(settledSet(g)).toEqual(['s0']);
  });

  it('Build_NonTrivialSingleSuperNode: three symbols wait on three others in another JITDylib', async () => {
    const g = await graph(makeDispatcher, ['s0', 's1', 's2', 'x:s3', 'x:s4', 'x:s5'], [['s0', 's1', 's2']]);
    emit(g, 's0', ['x:s3', 'x:s4', 'x:s5'], ['s0', 's1', 's2']);
    emit(g, 'x:s3');
    emit(g, 'x:s4');
    await drain(g.es);
    for (const n of ['s0', 's1', 's2']) expect(stateOf(g, n)).toBe(SymbolState.Emitted);
    expect(settledSet(g)).toEqual(['x:s3', 'x:s4']);
    emit(g, 'x:s5');
    await drain(g.es);
    expect(readySet(g)).toEqual(['s0', 's1', 's2', 'x:s3', 'x:s4', 'x:s5']);
    expect(settledSet(g)).toEqual(readySet(g));
  });

  it('Build_CoalesceEmptyDeps: two groups without dependencies are both Ready', async () => {
    const g = await graph(makeDispatcher, ['s0', 's1'], [['s0', 's1']]);
    const u = g.units.get('s0')!;
    u.resolve();
    u.emit([group(['s0']), group(['s1'])]);
    await drain(g.es);
    expect(readySet(g)).toEqual(['s0', 's1']);
  });

  it('Build_CoalesceNonEmptyDeps: two groups with the same dependency become Ready together', async () => {
    const g = await graph(makeDispatcher, ['s0', 's1', 'x:s1'], [['s0', 's1']]);
    const u = g.units.get('s0')!;
    u.resolve();
    u.emit([group(['s0'], [[g.jd2, ['s1']]]), group(['s1'], [[g.jd2, ['s1']]])]);
    await drain(g.es);
    expect(stateOf(g, 's0')).toBe(SymbolState.Emitted);
    expect(stateOf(g, 's1')).toBe(SymbolState.Emitted);
    emit(g, 'x:s1');
    await drain(g.es);
    expect(readySet(g)).toEqual(['s0', 's1', 'x:s1']);
    expect(settledSet(g)).toEqual(['s0', 's1', 'x:s1']);
  });

  it('Build_CoalesceInterleaved: groups sharing dependency sets become Ready per set', async () => {
    const g = await graph(makeDispatcher, ['a1', 'a2', 'b1', 'b2', 'x:p', 'x:q', 'x:r', 'x:s'], [['a1', 'a2', 'b1', 'b2']]);
    const u = g.units.get('a1')!;
    u.resolve();
    u.emit([
      group(['a1'], [[g.jd2, ['p', 'q']]]),
      group(['b1'], [[g.jd2, ['r', 's']]]),
      group(['a2'], [[g.jd2, ['p', 'q']]]),
      group(['b2'], [[g.jd2, ['r', 's']]]),
    ]);
    emit(g, 'x:p');
    emit(g, 'x:q');
    await drain(g.es);
    expect(readySet(g)).toEqual(['a1', 'a2', 'x:p', 'x:q']);
    expect(stateOf(g, 'b1')).toBe(SymbolState.Emitted);
    expect(stateOf(g, 'b2')).toBe(SymbolState.Emitted);
    emit(g, 'x:r');
    emit(g, 'x:s');
    await drain(g.es);
    expect(readySet(g)).toEqual(['a1', 'a2', 'b1', 'b2', 'x:p', 'x:q', 'x:r', 'x:s']);
  });

  it('Build_SelfDepRemoval: a group depending on its own symbols is Ready at once', async () => {
    const g = await graph(makeDispatcher, ['s0', 's1'], [['s0', 's1']]);
    const u = g.units.get('s0')!;
    u.resolve();
    u.emit([group(['s0', 's1'], [[g.jd, ['s1']]])]);
    await drain(g.es);
    expect(readySet(g)).toEqual(['s0', 's1']);
  });

  // ---- Simplification_* ----
  it('Simplification_TrivialSingleSuperNode: a symbol depending on itself is Ready at once', async () => {
    const g = await graph(makeDispatcher, ['s0']);
    emit(g, 's0', ['s0']);
    await drain(g.es);
    expect(readySet(g)).toEqual(['s0']);
  });

  it('Simplification_SimplifySingleContainerSimpleCycle: a two-symbol cycle inside one emit collapses', async () => {
    const g = await graph(makeDispatcher, ['s0', 's1'], [['s0', 's1']]);
    const u = g.units.get('s0')!;
    u.resolve();
    u.emit([group(['s0'], [[g.jd, ['s1']]]), group(['s1'], [[g.jd, ['s0']]])]);
    await drain(g.es);
    expect(readySet(g)).toEqual(['s0', 's1']);
    expect(settledSet(g)).toEqual(['s0', 's1']);
  });

  it('Simplification_SimplifySingleContainerNElementCycle: a ten-symbol cycle inside one emit collapses', async () => {
    const names = Array.from({ length: 10 }, (_, i) => `s${i}`);
    const g = await graph(makeDispatcher, names, [names]);
    const u = g.units.get('s0')!;
    u.resolve();
    u.emit(names.map((n, i) => group([n], [[g.jd, [names[(i + 1) % 10]!]]])));
    await drain(g.es);
    expect(readySet(g)).toEqual([...names].sort());
  });

  it('Simplification_SimplifyIntraSimplifyPropagateDeps: intra-emit dependencies are replaced by theirs', async () => {
    // s0 -> {s1, s2}, s1 -> {s3}: s0 ends up waiting on {s2, s3}, s1 on {s3}.
    const g = await graph(makeDispatcher, ['s0', 's1', 's2', 's3'], [['s0', 's1']]);
    const u = g.units.get('s0')!;
    u.resolve();
    u.emit([group(['s0'], [[g.jd, ['s1', 's2']]]), group(['s1'], [[g.jd, ['s3']]])]);
    await drain(g.es);
    expect(stateOf(g, 's0')).toBe(SymbolState.Emitted);
    expect(stateOf(g, 's1')).toBe(SymbolState.Emitted);
    emit(g, 's3');
    await drain(g.es);
    expect(readySet(g)).toEqual(['s1', 's3']);
    expect(stateOf(g, 's0')).toBe(SymbolState.Emitted);
    emit(g, 's2');
    await drain(g.es);
    expect(readySet(g)).toEqual(['s0', 's1', 's2', 's3']);
  });

  it('Simplification, other order: emitting s2 first leaves s0 waiting through s1 on s3', async () => {
    const g = await graph(makeDispatcher, ['s0', 's1', 's2', 's3'], [['s0', 's1']]);
    const u = g.units.get('s0')!;
    u.resolve();
    u.emit([group(['s0'], [[g.jd, ['s1', 's2']]]), group(['s1'], [[g.jd, ['s3']]])]);
    emit(g, 's2');
    await drain(g.es);
    expect(readySet(g)).toEqual(['s2']);
    emit(g, 's3');
    await drain(g.es);
    expect(readySet(g)).toEqual(['s0', 's1', 's2', 's3']);
  });

  // ---- Emit_* ----
  it('Emit_EmptyEmit: emitting a responsibility with nothing left changes nothing', async () => {
    const g = await graph(makeDispatcher, ['s0', 's1'], [['s0', 's1']]);
    const u = g.units.get('s0')!;
    const mr2 = u.r.delegate(['s0', 's1']);
    expect(u.r.isEmpty()).toBe(true);
    u.r.notifyEmitted([]);
    await drain(g.es);
    expect(settledSet(g)).toEqual([]);
    expect(stateOf(g, 's0')).toBe(SymbolState.Materializing);
    mr2.notifyResolved(new Map([
      ['s0', { address: 1n, flags: JITSymbolFlags.Exported }],
      ['s1', { address: 2n, flags: JITSymbolFlags.Exported }],
    ]));
    mr2.notifyEmitted();
    await drain(g.es);
    expect(readySet(g)).toEqual(['s0', 's1']);
  });

  it('Emit_TrivialSingleNode: one emit without dependencies', async () => {
    const g = await graph(makeDispatcher, ['s0']);
    emit(g, 's0', []);
    await drain(g.es);
    expect(readySet(g)).toEqual(['s0']);
  });

  it('Emit_TrivialSequence: the second emit depends on the first; each is Ready after its emit', async () => {
    const g = await graph(makeDispatcher, ['s0', 's1']);
    emit(g, 's0');
    await drain(g.es);
    expect(readySet(g)).toEqual(['s0']);
    emit(g, 's1', ['s0']);
    await drain(g.es);
    expect(readySet(g)).toEqual(['s0', 's1']);
  });

  it('Emit_TrivialReverseSequence: the first emit depends on the second; both are Ready after the second', async () => {
    const g = await graph(makeDispatcher, ['s0', 's1']);
    emit(g, 's0', ['s1']);
    await drain(g.es);
    expect(readySet(g)).toEqual([]);
    expect(stateOf(g, 's0')).toBe(SymbolState.Emitted);
    expect(settledSet(g)).toEqual([]);
    emit(g, 's1');
    await drain(g.es);
    expect(readySet(g)).toEqual(['s0', 's1']);
    expect(settledSet(g)).toEqual(['s0', 's1']);
  });

  it('Emit_Coalescing: two emits waiting on the same symbol become Ready together with it', async () => {
    const g = await graph(makeDispatcher, ['s0', 's1', 'x:s0']);
    emit(g, 's0', ['x:s0']);
    emit(g, 's1', ['x:s0']);
    await drain(g.es);
    expect(readySet(g)).toEqual([]);
    emit(g, 'x:s0');
    await drain(g.es);
    expect(readySet(g)).toEqual(['s0', 's1', 'x:s0']);
    expect(settledSet(g)).toEqual(['s0', 's1', 'x:s0']);
  });

  it('Emit_ZigZag: 0->1, 2->3, 1->2 all wait; emitting 3 makes all four Ready', async () => {
    const g = await graph(makeDispatcher, ['s0', 's1', 's2', 's3']);
    emit(g, 's0', ['s1']);
    emit(g, 's2', ['s3']);
    await drain(g.es);
    expect(readySet(g)).toEqual([]);
    emit(g, 's1', ['s2']);
    await drain(g.es);
    expect(readySet(g)).toEqual([]);
    for (const n of ['s0', 's1', 's2']) expect(stateOf(g, n)).toBe(SymbolState.Emitted);
    expect(settledSet(g)).toEqual([]);
    emit(g, 's3');
    await drain(g.es);
    expect(readySet(g)).toEqual(['s0', 's1', 's2', 's3']);
    expect(settledSet(g)).toEqual(['s0', 's1', 's2', 's3']);
  });

  // ---- Fail_* ----
  it('Fail_Empty: failing an empty responsibility is a no-op', async () => {
    const g = await graph(makeDispatcher, ['s0']);
    const u = g.units.get('s0')!;
    const rest = u.r.delegate(['s0']);
    u.r.failMaterialization();
    await drain(g.es);
    expect(settledSet(g)).toEqual([]);
    expect(hasError(g, 's0')).toBe(false);
    rest.notifyResolved(new Map([['s0', { address: 1n, flags: JITSymbolFlags.Exported }]]));
    rest.notifyEmitted();
    await drain(g.es);
    expect(readySet(g)).toEqual(['s0']);
  });

  it('Fail_Single: failing a symbol nothing depends on fails only its own query', async () => {
    const g = await graph(makeDispatcher, ['s0', 's1']);
    g.units.get('s0')!.r.failMaterialization();
    await drain(g.es);
    expect(settledSet(g)).toEqual(['s0']);
    expect(g.queries.get('s0')!.error).toBeInstanceOf(FailedToMaterialize);
    expect(hasError(g, 's0')).toBe(true);
    expect(hasError(g, 's1')).toBe(false);
    emit(g, 's1');
    await drain(g.es);
    expect(readySet(g)).toEqual(['s1']);
  });

  it('Fail_EmitDependenceOnFailure: an emit depending on a failed symbol fails', async () => {
    const g = await graph(makeDispatcher, ['s0', 's1']);
    g.units.get('s0')!.r.failMaterialization();
    expect(() => emit(g, 's1', ['s0'])).toThrow(UnsatisfiedSymbolDependencies);
    await drain(g.es);
    expect(hasError(g, 's1')).toBe(true);
    expect(g.queries.get('s1')!.error).toBeInstanceOf(FailedToMaterialize);
    expect(readySet(g)).toEqual([]);
    expect(g.units.get('s1')!.r.isEmpty()).toBe(true);
  });

  it('Fail_ZigZag: an emit that fails also fails the symbols already waiting on it', async () => {
    const g = await graph(makeDispatcher, ['s0', 's1', 's2']);
    emit(g, 's0', ['s1']);
    g.units.get('s2')!.r.failMaterialization();
    await drain(g.es);
    expect(settledSet(g)).toEqual(['s2']);
    let err: unknown;
    try {
      emit(g, 's1', ['s2']);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(UnsatisfiedSymbolDependencies);
    expect((err as UnsatisfiedSymbolDependencies).failedSymbols).toEqual(new Set(['s1']));
    await drain(g.es);
    expect(settledSet(g)).toEqual(['s0', 's1', 's2']);
    for (const n of ['s0', 's1', 's2']) {
      expect(g.queries.get(n)!.error).toBeInstanceOf(FailedToMaterialize);
      expect(hasError(g, n)).toBe(true);
    }
    const failed = (g.queries.get('s1')!.error as FailedToMaterialize).symbols.get(g.jd);
    expect(failed).toEqual(new Set(['s0', 's1']));
  });

  // ---- orc-ts's improvement over LLVM's quirk Q8 ----
  it('failing an emitted-but-waiting symbol fails the symbols that took over its waits, and only those', async () => {
    // x is materializing; f waits on x; S depends on f (so it takes over f's wait on x); T waits on x on its own.
    const { es } = makeSession(makeDispatcher());
    const jd = es.createJITDylib('JD');
    const rtF = jd.createResourceTracker();
    const x = new ManualUnit(['x']).defineIn(jd);
    const f = new ManualUnit(['f']);
    jd.define(f.unit, rtF);
    const s = new ManualUnit(['S']).defineIn(jd);
    const t = new ManualUnit(['T']).defineIn(jd);
    const q = new Map(['x', 'f', 'S', 'T'].map((n) => [n, observe(es.lookup(jd, n))] as const));
    await drain(es);
    f.resolve();
    f.emit([group(['f'], [[jd, ['x']]])]);
    s.resolve();
    s.emit([group(['S'], [[jd, ['f']]])]);
    t.resolve();
    t.emit([group(['T'], [[jd, ['x']]])]);
    for (const n of ['f', 'S', 'T']) expect(jd.getSymbolInfo(n)?.state).toBe(SymbolState.Emitted);

    await rtF.remove();
    await drain(es);
    expect(q.get('f')!.error).toBeInstanceOf(FailedToMaterialize);
    expect(q.get('S')!.error).toBeInstanceOf(FailedToMaterialize);
    expect(jd.getSymbolInfo('S')!.flags & JITSymbolFlags.HasError).toBeTruthy();
    // T never depended on f: it keeps waiting on x, and becomes Ready with it.
    expect(jd.getSymbolInfo('T')!.flags & JITSymbolFlags.HasError).toBe(0);
    expect(q.get('T')!.settled).toBe(false);
    x.resolve();
    x.emit();
    await drain(es);
    expect(q.get('T')!.error).toBeUndefined();
    expect(q.get('T')!.settled).toBe(true);
    expect(jd.getSymbolInfo('T')?.state).toBe(SymbolState.Ready);
  });
});
