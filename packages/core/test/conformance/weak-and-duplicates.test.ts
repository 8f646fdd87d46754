/** Conformance §10 items 25–28 and 43: weak symbols, overriding, and duplicate definitions. */
import { describe, expect, it } from 'vitest';
import { absoluteSymbols, DuplicateDefinition, SymbolState } from '@orc-ts/core';
import {
  BarAddr,
  barSym,
  DISPATCHERS,
  exportedOnly,
  flagsMap,
  FooAddr,
  fooSym,
  makeFixture,
  recordingUnit,
  resolveAndEmit,
  startLookup,
  symbolMap,
  WeakX,
  X,
} from './fixture.js';

function catchError(fn: () => void): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  return undefined;
}

describe.each(DISPATCHERS)('weak symbols and duplicates ($name dispatcher)', (kind) => {
  it('#25 DropMaterializerWhenEmpty: strong definitions override both weak symbols; the unit is disposed after the second', async () => {
    const f = makeFixture(kind);
    const { jd } = f;
    const u = recordingUnit(flagsMap({ foo: WeakX, bar: WeakX }));
    jd.define(u.mu);

    jd.define(absoluteSymbols(symbolMap({ foo: fooSym })));
    expect(u.discarded).toEqual(['foo']);
    expect(u.disposed).toBe(0);
    expect(jd.getSymbolInfo('bar')!.materializerAttached).toBe(true);

    jd.define(absoluteSymbols(symbolMap({ bar: barSym })));
    expect(u.discarded).toEqual(['foo', 'bar']);
    expect(u.disposed).toBe(1);
    expect(u.mu.getSymbols().size).toBe(0);

    expect(await f.es.lookup(jd, ['foo', 'bar'])).toEqual(symbolMap({ foo: fooSym, bar: barSym }));
    expect(u.materialized).toBe(0);
    expect(u.disposed).toBe(1);
  });

  it('#26 AddAndMaterializeLazySymbol: a strong bar discards bar from the lazy unit, which then materializes only foo', async () => {
    const f = makeFixture(kind);
    const { es, jd } = f;
    let discardedBeforeMaterialize: string[] | null = null;
    let mrSymbols: string[] | null = null;
    const u = recordingUnit(flagsMap({ foo: X, bar: WeakX }), (mr) => {
      discardedBeforeMaterialize = u.discarded.slice();
      mrSymbols = Array.from(mr.getSymbols().keys());
      resolveAndEmit(mr, symbolMap({ foo: fooSym }));
    });
    jd.define(u.mu);
    jd.define(absoluteSymbols(symbolMap({ bar: barSym })));
    expect(u.discarded).toEqual(['bar']);
    expect(u.disposed).toBe(0);

    const q = startLookup(es, exportedOnly(jd), ['foo']);
    await f.settle();
    expect(u.materialized).toBe(1);
    expect(discardedBeforeMaterialize).toEqual(['bar']);
    expect(mrSymbols).toEqual(['foo']);
    expect(q.calls).toBe(1);
    expect(q.result).toEqual(symbolMap({ foo: fooSym }));
    // bar keeps the strong definition, still lazy.
    expect(jd.getSymbolInfo('bar')).toMatchObject({ state: SymbolState.NeverSearched, flags: X });
    expect(await es.lookup(jd, 'bar')).toEqual(barSym);
  });

  it('#27 TestBasicWeakSymbolMaterialization: of two weak bars the first wins; the second unit discards bar and never materializes', async () => {
    const f = makeFixture(kind);
    const { es, jd } = f;
    const weakBar = { address: BarAddr, flags: WeakX };
    const u1 = recordingUnit(flagsMap({ foo: X, bar: WeakX }), (mr) => resolveAndEmit(mr, symbolMap({ foo: fooSym, bar: weakBar })));
    const u2 = recordingUnit(flagsMap({ bar: WeakX }), (mr) => mr.failMaterialization());
    jd.define(u1.mu);
    jd.define(u2.mu);
    expect(u2.discarded).toEqual(['bar']);
    expect(u1.discarded).toEqual([]);
    // The second unit has nothing left to define: the session drops it.
    expect(u2.disposed).toBe(1);

    const q = startLookup(es, exportedOnly(jd), ['bar']);
    await f.settle();
    expect(q.calls).toBe(1);
    expect(q.error).toBeUndefined();
    expect(q.result).toEqual(symbolMap({ bar: weakBar }));
    expect(u1.materialized).toBe(1);
    expect(u2.materialized).toBe(0);
    expect(u1.disposed).toBe(0);
  });

  it('#28 RedefineBoundWeakSymbol: redefining a weak symbol after it has been looked up is a DuplicateDefinition', async () => {
    const f = makeFixture(kind);
    const { es, jd } = f;
    jd.define(absoluteSymbols(symbolMap({ foo: { address: FooAddr, flags: WeakX } })));
    expect(await es.lookup(jd, 'foo')).toEqual({ address: FooAddr, flags: WeakX });

    const replacement = absoluteSymbols(symbolMap({ foo: { address: 0x99n, flags: X } }));
    const err = catchError(() => jd.define(replacement));
    expect(err).toBeInstanceOf(DuplicateDefinition);
    expect((err as DuplicateDefinition).symbol).toBe('foo');
    expect(jd.getSymbolInfo('foo')).toMatchObject({ state: SymbolState.Ready, address: FooAddr, flags: WeakX });
    expect(await es.lookup(jd, 'foo')).toEqual({ address: FooAddr, flags: WeakX });
  });

  it('#28 RedefineBoundWeakSymbol: before any lookup, the same strong definition overrides the weak one', async () => {
    const f = makeFixture(kind);
    const { es, jd } = f;
    jd.define(absoluteSymbols(symbolMap({ foo: { address: FooAddr, flags: WeakX } })));
    jd.define(absoluteSymbols(symbolMap({ foo: { address: 0x99n, flags: X } })));
    expect(await es.lookup(jd, 'foo')).toEqual({ address: 0x99n, flags: X });
  });

  it('#43 TestMaterializeWeakSymbol: a weak symbol being materialized is bound; a strong definition is a duplicate; the MR completes', async () => {
    const f = makeFixture(kind);
    const { es, jd } = f;
    const foo = recordingUnit(flagsMap({ foo: WeakX }));
    jd.define(foo.mu);
    const q = startLookup(es, exportedOnly(jd), ['foo']);
    await f.settle();
    expect(jd.getSymbolInfo('foo')!.state).toBe(SymbolState.Materializing);

    const strong = recordingUnit(flagsMap({ foo: X }));
    const err = catchError(() => jd.define(strong.mu));
    expect(err).toBeInstanceOf(DuplicateDefinition);
    expect((err as DuplicateDefinition).symbol).toBe('foo');
    expect(strong.discarded).toEqual([]);
    expect(foo.discarded).toEqual([]);

    resolveAndEmit(foo.mr, symbolMap({ foo: { address: FooAddr, flags: WeakX } }));
    await f.settle();
    expect(q.calls).toBe(1);
    expect(q.result).toEqual(symbolMap({ foo: { address: FooAddr, flags: WeakX } }));
    expect(strong.materialized).toBe(0);
  });

  it('#43 TestMaterializeWeakSymbol: a strong definition of a strong symbol being materialized is a duplicate too', async () => {
    const f = makeFixture(kind);
    const { es, jd } = f;
    const foo = recordingUnit(flagsMap({ foo: X }));
    jd.define(foo.mu);
    const q = startLookup(es, exportedOnly(jd), ['foo']);
    await f.settle();
    const err = catchError(() => jd.define(recordingUnit(flagsMap({ foo: X, qux: X })).mu));
    expect(err).toBeInstanceOf(DuplicateDefinition);
    // Duplicates are found before anything changes: qux was not added.
    expect(jd.getSymbolInfo('qux')).toBeUndefined();
    resolveAndEmit(foo.mr, symbolMap({ foo: fooSym }));
    await f.settle();
    expect(q.result).toEqual(symbolMap({ foo: fooSym }));
  });
});
