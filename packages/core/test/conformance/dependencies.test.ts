/** Conformance §10 items 18–20: dependency tracking towards Ready, and dependency reporting by queries. */
import { describe, expect, it } from 'vitest';
import { SymbolState, type SymbolDependenceMap } from '@orc-ts/core';
import {
  barSym,
  bazSym,
  depMap,
  DISPATCHERS,
  exportedOnly,
  flagsMap,
  fooSym,
  makeFixture,
  recordingUnit,
  resolveAndEmit,
  startLookup,
  symbolMap,
  X,
} from './fixture.js';

describe.each(DISPATCHERS)('dependency tracking ($name dispatcher)', (kind) => {
  it('#18 TestTrivialCircularDependency: a symbol that depends on itself still becomes Ready', async () => {
    const f = makeFixture(kind);
    const { es, jd } = f;
    const foo = recordingUnit(flagsMap({ foo: X }));
    jd.define(foo.mu);
    const q = startLookup(es, exportedOnly(jd), ['foo']);
    await f.settle();

    foo.mr.notifyResolved(symbolMap({ foo: fooSym }));
    foo.mr.notifyEmitted([{ symbols: ['foo'], dependencies: new Map([[jd, ['foo']]]) }]);
    await f.settle();
    expect(q.calls).toBe(1);
    expect(q.error).toBeUndefined();
    expect(q.result).toEqual(symbolMap({ foo: fooSym }));
    expect(jd.getSymbolInfo('foo')!.state).toBe(SymbolState.Ready);
  });

  it('#19 TestBasicQueryDependenciesReporting: reports {bar, baz} (not Ready when matched), not the Ready foo', async () => {
    const f = makeFixture(kind);
    const { es, jd } = f;
    const foo = recordingUnit(flagsMap({ foo: X }));
    const bar = recordingUnit(flagsMap({ bar: X }));
    const baz = recordingUnit(flagsMap({ baz: X }), (mr) => resolveAndEmit(mr, symbolMap({ baz: bazSym })));
    jd.define(foo.mu);
    jd.define(bar.mu);
    jd.define(baz.mu);

    const setup = startLookup(es, exportedOnly(jd), ['foo', 'bar'], SymbolState.Resolved);
    await f.settle();
    resolveAndEmit(foo.mr, symbolMap({ foo: fooSym }));
    bar.mr.notifyResolved(symbolMap({ bar: barSym }));
    await f.settle();
    expect(setup.calls).toBe(1);
    expect(setup.error).toBeUndefined();
    expect(jd.getSymbolInfo('foo')!.state).toBe(SymbolState.Ready);
    expect(jd.getSymbolInfo('bar')!.state).toBe(SymbolState.Resolved);
    expect(jd.getSymbolInfo('baz')!.state).toBe(SymbolState.NeverSearched);

    const reported: SymbolDependenceMap[] = [];
    const q = startLookup(es, exportedOnly(jd), ['foo', 'bar', 'baz'], SymbolState.Resolved, (deps) => reported.push(deps));
    // The dependencies are registered while the query is lodged, before any result.
    expect(reported).toEqual([depMap(jd, ['bar', 'baz'])]);

    bar.mr.notifyEmitted([]);
    await f.settle();
    expect(reported).toHaveLength(1);
    expect(q.calls).toBe(1);
    expect(q.error).toBeUndefined();
    expect(q.result).toEqual(symbolMap({ foo: fooSym, bar: barSym, baz: bazSym }));
    expect(baz.materialized).toBe(1);
  });

  it('#19 TestBasicQueryDependenciesReporting: nothing is reported when every matched symbol is already Ready', async () => {
    const f = makeFixture(kind);
    const { es, jd } = f;
    jd.define(recordingUnit(flagsMap({ foo: X }), (mr) => resolveAndEmit(mr, symbolMap({ foo: fooSym }))).mu);
    await es.lookup(jd, 'foo');
    const reported: SymbolDependenceMap[] = [];
    const q = startLookup(es, exportedOnly(jd), ['foo'], SymbolState.Resolved, (deps) => reported.push(deps));
    await f.settle();
    expect(q.calls).toBe(1);
    expect(reported).toEqual([]);
  });

  it('#20 TestCircularDependenceInOneJITDylib: foo→bar→baz→foo; Resolved queries fire on resolve, Ready only after the last emit', async () => {
    const f = makeFixture(kind);
    const { es, jd } = f;
    const units = {
      foo: recordingUnit(flagsMap({ foo: X })),
      bar: recordingUnit(flagsMap({ bar: X })),
      baz: recordingUnit(flagsMap({ baz: X })),
    };
    for (const u of Object.values(units)) jd.define(u.mu);
    const names = ['foo', 'bar', 'baz'] as const;
    const resolvedQ = Object.fromEntries(names.map((n) => [n, startLookup(es, exportedOnly(jd), [n], SymbolState.Resolved)]));
    const readyQ = Object.fromEntries(names.map((n) => [n, startLookup(es, exportedOnly(jd), [n], SymbolState.Ready)]));
    await f.settle();
    for (const n of names) {
      expect(resolvedQ[n]!.calls).toBe(0);
      expect(units[n].materialized).toBe(1);
    }

    units.foo.mr.notifyResolved(symbolMap({ foo: fooSym }));
    units.bar.mr.notifyResolved(symbolMap({ bar: barSym }));
    units.baz.mr.notifyResolved(symbolMap({ baz: bazSym }));
    await f.settle();
    for (const n of names) {
      expect(resolvedQ[n]!.calls).toBe(1);
      expect(readyQ[n]!.calls).toBe(0);
    }
    expect(resolvedQ.foo!.result).toEqual(symbolMap({ foo: fooSym }));

    units.foo.mr.notifyEmitted([{ symbols: ['foo'], dependencies: new Map([[jd, ['foo', 'bar']]]) }]);
    units.bar.mr.notifyEmitted([{ symbols: ['bar'], dependencies: new Map([[jd, ['bar', 'baz']]]) }]);
    await f.settle();
    for (const n of names) expect(readyQ[n]!.calls).toBe(0);
    // orc-ts reports emitted-but-waiting symbols as Emitted (see SymbolState.Emitted).
    expect(jd.getSymbolInfo('foo')!.state).toBe(SymbolState.Emitted);
    expect(jd.getSymbolInfo('bar')!.state).toBe(SymbolState.Emitted);
    expect(jd.getSymbolInfo('baz')!.state).toBe(SymbolState.Resolved);

    units.baz.mr.notifyEmitted([{ symbols: ['baz'], dependencies: new Map([[jd, ['baz', 'foo']]]) }]);
    await f.settle();
    for (const n of names) {
      expect(readyQ[n]!.calls).toBe(1);
      expect(readyQ[n]!.error).toBeUndefined();
      expect(jd.getSymbolInfo(n)!.state).toBe(SymbolState.Ready);
    }
    expect(readyQ.baz!.result).toEqual(symbolMap({ baz: bazSym }));
  });
});
