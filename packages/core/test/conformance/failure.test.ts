/** Conformance §10 items 7, 21–24 and 35–38: failed materializations and how they reach queries. */
import { describe, expect, it } from 'vitest';
import {
  absoluteSymbols,
  FailedToMaterialize,
  JITSymbolFlags,
  LookupKind,
  ResourceTrackerDefunct,
  SymbolLookupFlags,
  SymbolLookupSet,
  SymbolState,
  UnsatisfiedSymbolDependencies,
} from '@orc-ts/core';
import {
  barSym,
  bazSym,
  depMap,
  DISPATCHERS,
  exportedOnly,
  flagsMap,
  FooAddr,
  fooSym,
  IN_PLACE,
  makeFixture,
  observe,
  recordingUnit,
  startLookup,
  symbolMap,
  WeakX,
  X,
  type Fixture,
} from './fixture.js';

const MSEO = JITSymbolFlags.MaterializationSideEffectsOnly;

/** Looks `name` up again and expects FailedToMaterialize({JD: [name]}). */
async function expectLookupFails(f: Fixture, name: string): Promise<void> {
  const out = observe(f.es.lookup(f.jd, name));
  await f.settle();
  expect(out.settled).toBe(true);
  expect(out.error).toBeInstanceOf(FailedToMaterialize);
  expect((out.error as FailedToMaterialize).symbols).toEqual(depMap(f.jd, [name]));
}

function hasError(f: Fixture, name: string): boolean {
  return JITSymbolFlags.hasError(f.jd.getSymbolInfo(name)!.flags);
}

describe.each(DISPATCHERS)('failure ($name dispatcher)', (kind) => {
  it('#7 MaterializationSideEffectsOnlyFailuresPersist: a failed side-effects-only symbol keeps failing later lookups', async () => {
    const f = makeFixture(kind);
    const { es, jd } = f;
    const u = recordingUnit(flagsMap({ foo: X | MSEO }), (mr) => mr.failMaterialization());
    jd.define(u.mu);
    const weakFoo = (): SymbolLookupSet => SymbolLookupSet.fromNames(['foo'], SymbolLookupFlags.WeaklyReferencedSymbol);

    const first = observe(es.lookup(jd, weakFoo()));
    await f.settle();
    expect(first.error).toBeInstanceOf(FailedToMaterialize);
    expect((first.error as FailedToMaterialize).symbols).toEqual(depMap(jd, ['foo']));
    expect(u.materialized).toBe(1);

    for (let i = 0; i < 2; i++) {
      const again = observe(es.lookup(jd, weakFoo()));
      await f.settle();
      expect(again.error).toBeInstanceOf(FailedToMaterialize);
      expect((again.error as FailedToMaterialize).symbols).toEqual(depMap(jd, ['foo']));
    }
    expect(u.materialized).toBe(1);
    expect(jd.getSymbolInfo('foo')!.flags).toBe(X | MSEO | JITSymbolFlags.HasError);
  });

  it('#21 FailureInDependency: failing bar fails only its query; foo still resolves; failing foo fails its query; both stay failed', async () => {
    const f = makeFixture(kind);
    const { es, jd } = f;
    const foo = recordingUnit(flagsMap({ foo: X }));
    const bar = recordingUnit(flagsMap({ bar: X }));
    jd.define(foo.mu);
    jd.define(bar.mu);
    const fooQ = startLookup(es, exportedOnly(jd), ['foo']);
    const barQ = startLookup(es, exportedOnly(jd), ['bar']);
    await f.settle();

    bar.mr.failMaterialization();
    await f.settle();
    expect(barQ.calls).toBe(1);
    expect(barQ.error).toBeInstanceOf(FailedToMaterialize);
    expect((barQ.error as FailedToMaterialize).symbols).toEqual(depMap(jd, ['bar']));
    expect(fooQ.calls).toBe(0);
    expect(hasError(f, 'foo')).toBe(false);

    expect(() => foo.mr.notifyResolved(symbolMap({ foo: fooSym }))).not.toThrow();
    expect(jd.getSymbolInfo('foo')).toMatchObject({ state: SymbolState.Resolved, address: FooAddr });
    foo.mr.failMaterialization();
    await f.settle();
    expect(fooQ.calls).toBe(1);
    expect(fooQ.error).toBeInstanceOf(FailedToMaterialize);
    expect((fooQ.error as FailedToMaterialize).symbols).toEqual(depMap(jd, ['foo']));

    await expectLookupFails(f, 'bar');
    await expectLookupFails(f, 'foo');
    expect(barQ.calls).toBe(1);
    expect(fooQ.calls).toBe(1);
  });

  it('#22 AddDependencyOnFailedSymbol: emitting foo with a dependency on failed bar errors; foo then fails for good', async () => {
    const f = makeFixture(kind);
    const { es, jd } = f;
    const foo = recordingUnit(flagsMap({ foo: X }));
    const bar = recordingUnit(flagsMap({ bar: X }));
    jd.define(foo.mu);
    jd.define(bar.mu);
    const fooQ = startLookup(es, exportedOnly(jd), ['foo']);
    const barQ = startLookup(es, exportedOnly(jd), ['bar']);
    await f.settle();

    bar.mr.failMaterialization();
    await f.settle();
    expect(barQ.calls).toBe(1);
    expect(barQ.error).toBeInstanceOf(FailedToMaterialize);
    expect(fooQ.calls).toBe(0);

    foo.mr.notifyResolved(symbolMap({ foo: fooSym }));
    let err: unknown;
    try {
      foo.mr.notifyEmitted([{ symbols: ['foo'], dependencies: new Map([[jd, ['bar']]]) }]);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(UnsatisfiedSymbolDependencies);
    const usd = err as UnsatisfiedSymbolDependencies;
    expect(usd.jitDylib).toBe(jd);
    expect(usd.failedSymbols).toEqual(new Set(['foo']));
    expect(usd.badDependencies).toEqual(depMap(jd, ['bar']));

    foo.mr.failMaterialization(); // a no-op now: the failed emit already emptied the responsibility
    await f.settle();
    expect(fooQ.calls).toBe(1);
    expect(fooQ.error).toBeInstanceOf(FailedToMaterialize);
    expect((fooQ.error as FailedToMaterialize).symbols).toEqual(depMap(jd, ['foo']));

    await expectLookupFails(f, 'bar');
    await expectLookupFails(f, 'foo');
  });

  it('#23 FailAfterMaterialization: foo emitted depending on bar; failing bar fails both queries', async () => {
    const f = makeFixture(kind);
    const { es, jd } = f;
    const foo = recordingUnit(flagsMap({ foo: X }));
    const bar = recordingUnit(flagsMap({ bar: X }));
    jd.define(foo.mu);
    jd.define(bar.mu);
    const fooQ = startLookup(es, exportedOnly(jd), ['foo']);
    const barQ = startLookup(es, exportedOnly(jd), ['bar']);
    await f.settle();

    foo.mr.notifyResolved(symbolMap({ foo: fooSym }));
    foo.mr.notifyEmitted([{ symbols: ['foo'], dependencies: new Map([[jd, ['bar']]]) }]);
    await f.settle();
    expect(fooQ.calls).toBe(0);

    bar.mr.failMaterialization();
    await f.settle();
    for (const q of [fooQ, barQ]) {
      expect(q.calls).toBe(1);
      expect(q.error).toBeInstanceOf(FailedToMaterialize);
      // One error, naming everything this failure took down.
      expect((q.error as FailedToMaterialize).symbols).toEqual(depMap(jd, ['bar', 'foo']));
    }
    expect(hasError(f, 'foo')).toBe(true);
    expect(hasError(f, 'bar')).toBe(true);
  });

  it('#24 FailMaterializerWithUnqueriedSymbols: a failing unit fails queried foo and unqueried bar', async () => {
    const f = makeFixture(kind);
    const { es, jd } = f;
    const u = recordingUnit(flagsMap({ foo: X, bar: X }), (mr) => mr.failMaterialization());
    jd.define(u.mu);

    const first = observe(es.lookup(jd, 'foo'));
    await f.settle();
    expect(u.materialized).toBe(1);
    expect(first.error).toBeInstanceOf(FailedToMaterialize);
    expect((first.error as FailedToMaterialize).symbols).toEqual(depMap(jd, ['foo', 'bar']));

    await expectLookupFails(f, 'foo');
    await expectLookupFails(f, 'bar');
    expect(u.materialized).toBe(1);
  });

  it('#35 FailResolution: a failing unit gives FailedToMaterialize with exactly {JD: {foo, bar}}', async () => {
    const f = makeFixture(kind);
    const { es, jd } = f;
    jd.define(recordingUnit(flagsMap({ foo: WeakX, bar: WeakX }), (mr) => mr.failMaterialization()).mu);

    const out = observe(es.lookup(jd, ['foo', 'bar']));
    await f.settle();
    expect(out.error).toBeInstanceOf(FailedToMaterialize);
    const symbols = (out.error as FailedToMaterialize).symbols;
    expect(symbols).toEqual(depMap(jd, ['foo', 'bar']));
    expect(Array.from(symbols.keys())).toEqual([jd]);
  });

  it('#36 FailEmissionAfterResolution: failing after resolve, from another query callback, fails the Ready lookup', async () => {
    const f = makeFixture(kind);
    const { es, jd } = f;
    jd.define(absoluteSymbols(symbolMap({ baz: bazSym })));
    let bazCallbackRan = 0;
    const u = recordingUnit(flagsMap({ foo: X, bar: X }), (mr) => {
      mr.notifyResolved(symbolMap({ foo: fooSym, bar: barSym }));
      es.lookupAsync(LookupKind.Static, exportedOnly(jd), SymbolLookupSet.fromNames(['baz']), SymbolState.Resolved, (err) => {
        bazCallbackRan++;
        expect(err).toBeNull();
        mr.failMaterialization();
      });
    });
    jd.define(u.mu);

    const out = observe(es.lookup(jd, ['foo', 'bar']));
    await f.settle();
    expect(bazCallbackRan).toBe(1);
    expect(out.settled).toBe(true);
    expect(out.error).toBeInstanceOf(FailedToMaterialize);
    expect((out.error as FailedToMaterialize).symbols).toEqual(depMap(jd, ['foo', 'bar']));
    expect(hasError(f, 'foo')).toBe(true);
    expect(jd.getSymbolInfo('baz')!.state).toBe(SymbolState.Ready);
  });

  it('#37 FailAfterPartialResolution: a Resolved lookup of {absolute foo, failing bar} fails', async () => {
    const f = makeFixture(kind);
    const { es, jd } = f;
    jd.define(absoluteSymbols(symbolMap({ foo: fooSym })));
    jd.define(recordingUnit(flagsMap({ bar: X }), (mr) => mr.failMaterialization()).mu);

    const q = startLookup(es, exportedOnly(jd), ['foo', 'bar'], SymbolState.Resolved);
    await f.settle();
    expect(q.calls).toBe(1);
    expect(q.result).toBeUndefined();
    expect(q.error).toBeInstanceOf(FailedToMaterialize);
    expect((q.error as FailedToMaterialize).symbols).toEqual(depMap(jd, ['bar']));
    expect(jd.getSymbolInfo('foo')!.state).toBe(SymbolState.Ready);
  });

  it('#38 FailDefineMaterializingDueToDefunctTracker: after the tracker is removed, defineMaterializing fails and the query has failed', async () => {
    const f = makeFixture(kind);
    const { es, jd } = f;
    const foo = recordingUnit(flagsMap({ foo: X }));
    const rt = jd.createResourceTracker();
    jd.define(foo.mu, rt);
    const q = startLookup(es, exportedOnly(jd), ['foo']);
    await f.settle();
    expect(foo.materialized).toBe(1);

    await rt.remove();
    expect(rt.isDefunct()).toBe(true);
    expect(() => foo.mr.defineMaterializing(new Map())).toThrow(ResourceTrackerDefunct);
    expect(() => foo.mr.defineMaterializing(flagsMap({ bar: X }))).toThrow(ResourceTrackerDefunct);
    expect(jd.getSymbolInfo('bar')).toBeUndefined();
    foo.mr.failMaterialization();
    await f.settle();

    expect(q.calls).toBe(1);
    expect(q.error).toBeInstanceOf(FailedToMaterialize);
    expect((q.error as FailedToMaterialize).symbols).toEqual(depMap(jd, ['foo']));
    expect(jd.getSymbolInfo('foo')).toBeUndefined();
  });
});

describe('failure (in-place dispatcher only: failures visible when the triggering call returns)', () => {
  it('#37 FailAfterPartialResolution [in-place only]: the handler has run before lookupAsync returns', () => {
    const f = makeFixture(IN_PLACE);
    f.jd.define(absoluteSymbols(symbolMap({ foo: fooSym })));
    f.jd.define(recordingUnit(flagsMap({ bar: X }), (mr) => mr.failMaterialization()).mu);
    const q = startLookup(f.es, exportedOnly(f.jd), ['foo', 'bar'], SymbolState.Resolved);
    expect(q.calls).toBe(1);
    expect(q.error).toBeInstanceOf(FailedToMaterialize);
  });

  it('#21 FailureInDependency [in-place only]: bar query fails inside failMaterialization, foo query not', () => {
    const f = makeFixture(IN_PLACE);
    const foo = recordingUnit(flagsMap({ foo: X }));
    const bar = recordingUnit(flagsMap({ bar: X }));
    f.jd.define(foo.mu);
    f.jd.define(bar.mu);
    const fooQ = startLookup(f.es, exportedOnly(f.jd), ['foo']);
    const barQ = startLookup(f.es, exportedOnly(f.jd), ['bar']);
    bar.mr.failMaterialization();
    expect(barQ.calls).toBe(1);
    expect(fooQ.calls).toBe(0);
    foo.mr.failMaterialization();
    expect(fooQ.calls).toBe(1);
  });
});
