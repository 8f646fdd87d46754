/** Conformance §10 items 9, 29, 41 and 42: unit discards, and the responsibility's define/replace/delegate. */
import { describe, expect, it } from 'vitest';
import { SymbolState } from '@orc-ts/core';
import {
  BarAddr,
  barSym,
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

describe('#9 DiscardInitSymbol', () => {
  it('#9 DiscardInitSymbol: doDiscard of the init symbol forwards to discard, shrinks the flags and clears the init symbol', () => {
    const { jd } = makeFixture();
    const u = recordingUnit(flagsMap({ foo: X, bar: X }), () => {
      throw new Error('materialize must not be called');
    }, { initSymbol: 'foo' });
    expect(u.mu.getInitializerSymbol()).toBe('foo');
    u.mu.doDiscard(jd, 'foo');
    expect(u.discarded).toEqual(['foo']);
    expect(u.discardedFrom).toHaveLength(1);
    expect(u.discardedFrom[0]).toBe(jd);
    expect(u.mu.getSymbols()).toEqual(flagsMap({ bar: X }));
    expect(u.mu.getInitializerSymbol()).toBeNull();
    expect(u.materialized).toBe(0);
  });

  it('#9 DiscardInitSymbol: discarding another symbol keeps the init symbol', () => {
    const { jd } = makeFixture();
    const u = recordingUnit(flagsMap({ foo: X, bar: X }), undefined, { initSymbol: 'foo' });
    u.mu.doDiscard(jd, 'bar');
    expect(u.discarded).toEqual(['bar']);
    expect(u.mu.getSymbols()).toEqual(flagsMap({ foo: X }));
    expect(u.mu.getInitializerSymbol()).toBe('foo');
  });
});

describe.each(DISPATCHERS)('materialization responsibility ($name dispatcher)', (kind) => {
  it('#29 DefineMaterializingSymbol: bar added by defineMaterializing resolves with no further materialization', async () => {
    const f = makeFixture(kind);
    const { es, jd } = f;
    const u = recordingUnit(flagsMap({ foo: X }), (mr) => {
      mr.defineMaterializing(flagsMap({ bar: X }));
      expect(Array.from(mr.getSymbols().keys())).toEqual(['foo', 'bar']);
      expect(jd.getSymbolInfo('bar')).toMatchObject({ state: SymbolState.Materializing, materializerAttached: false });
      resolveAndEmit(mr, symbolMap({ foo: fooSym, bar: barSym }));
    });
    jd.define(u.mu);
    expect(await es.lookup(exportedOnly(jd), 'foo')).toEqual(fooSym);
    await f.settle();
    const tasksAfterFoo = f.dispatcher.materializations;
    expect(tasksAfterFoo).toBe(1);

    const bar = await es.lookup(exportedOnly(jd), 'bar');
    expect(bar.address).toBe(BarAddr);
    expect(bar).toEqual(barSym);
    await f.settle();
    expect(f.dispatcher.materializations).toBe(tasksAfterFoo);
    expect(u.materialized).toBe(1);
  });

  it('#41 TestGetRequestedSymbolsAndReplace: requested is {foo}; bar, handed back by replace, materializes only when looked up', async () => {
    const f = makeFixture(kind);
    const { es, jd } = f;
    let requested: Set<string> | null = null;
    const barUnit = recordingUnit(flagsMap({ bar: X }), (mr) => resolveAndEmit(mr, symbolMap({ bar: barSym })));
    const u = recordingUnit(flagsMap({ foo: X, bar: X }), (mr) => {
      requested = mr.getRequestedSymbols();
      mr.replace(barUnit.mu);
      expect(Array.from(mr.getSymbols().keys())).toEqual(['foo']);
      resolveAndEmit(mr, symbolMap({ foo: fooSym }));
    });
    jd.define(u.mu);
    await f.settle();
    expect(u.materialized).toBe(0);

    expect(await es.lookup(exportedOnly(jd), 'foo')).toEqual(fooSym);
    await f.settle();
    expect(requested).toEqual(new Set(['foo']));
    expect(u.materialized).toBe(1);
    expect(barUnit.materialized).toBe(0);
    expect(jd.getSymbolInfo('bar')).toMatchObject({ state: SymbolState.Materializing, materializerAttached: true });

    expect(await es.lookup(exportedOnly(jd), 'bar')).toEqual(barSym);
    expect(barUnit.materialized).toBe(1);
    expect(barUnit.mr.getResourceTracker()).toBe(u.mr.getResourceTracker());
    expect(jd.getSymbolInfo('bar')).toMatchObject({ state: SymbolState.Ready, materializerAttached: false });
  });

  it('#41 TestGetRequestedSymbolsAndReplace: a replaced symbol that is already requested materializes at once', async () => {
    const f = makeFixture(kind);
    const { es, jd } = f;
    const barUnit = recordingUnit(flagsMap({ bar: X }), (mr) => resolveAndEmit(mr, symbolMap({ bar: barSym })));
    const u = recordingUnit(flagsMap({ foo: X, bar: X }), (mr) => {
      expect(mr.getRequestedSymbols()).toEqual(new Set(['foo', 'bar']));
      mr.replace(barUnit.mu);
      resolveAndEmit(mr, symbolMap({ foo: fooSym }));
    });
    jd.define(u.mu);
    const q = startLookup(es, exportedOnly(jd), ['foo', 'bar']);
    await f.settle();
    expect(barUnit.materialized).toBe(1);
    expect(q.result).toEqual(symbolMap({ foo: fooSym, bar: barSym }));
  });

  it('#42 TestMaterializationResponsibilityDelegation: bar delegated to R2; both resolve and emit; the lookup sees both', async () => {
    const f = makeFixture(kind);
    const { es, jd } = f;
    const delegated: Array<{ r: string[]; r2: string[]; sameTracker: boolean }> = [];
    const u = recordingUnit(flagsMap({ foo: X, bar: X }), (r) => {
      const r2 = r.delegate(['bar']);
      delegated.push({
        r: Array.from(r.getSymbols().keys()),
        r2: Array.from(r2.getSymbols().keys()),
        sameTracker: r2.getResourceTracker() === r.getResourceTracker(),
      });
      resolveAndEmit(r, symbolMap({ foo: fooSym }));
      resolveAndEmit(r2, symbolMap({ bar: barSym }));
    });
    jd.define(u.mu);
    const result = await es.lookup(exportedOnly(jd), ['foo', 'bar']);
    expect(result).toEqual(symbolMap({ foo: fooSym, bar: barSym }));
    expect(delegated).toEqual([{ r: ['foo'], r2: ['bar'], sameTracker: true }]);
    expect(u.mr.isEmpty()).toBe(true);
  });

  it('#42 TestMaterializationResponsibilityDelegation: the delegated MR can complete later, independently', async () => {
    const f = makeFixture(kind);
    const { es, jd } = f;
    const u = recordingUnit(flagsMap({ foo: X, bar: X }), undefined, { initSymbol: 'bar' });
    jd.define(u.mu);
    const q = startLookup(es, exportedOnly(jd), ['foo', 'bar']);
    await f.settle();
    const r2 = u.mr.delegate(['bar']);
    expect(r2.getInitializerSymbol()).toBe('bar');
    expect(u.mr.getInitializerSymbol()).toBeNull();
    resolveAndEmit(u.mr, symbolMap({ foo: fooSym }));
    await f.settle();
    expect(q.calls).toBe(0);
    resolveAndEmit(r2, symbolMap({ bar: barSym }));
    await f.settle();
    expect(q.calls).toBe(1);
    expect(q.result).toEqual(symbolMap({ foo: fooSym, bar: barSym }));
  });
});
