/**
 * reference/orc-core.md §9: where orc-ts deliberately departs from ORC's quirks (or, for Q5, keeps ORC's
 * behaviour), these tests pin down OUR behaviour. Each test names its quirk.
 */
import { describe, expect, it } from 'vitest';
import {
  absoluteSymbols,
  DuplicateDefinition,
  FailedToMaterialize,
  JITDylibLookupFlags,
  JITSymbolFlags,
  OrcError,
  ReexportsGenerator,
  ResourceTrackerDefunct,
  SymbolLookupFlags,
  SymbolLookupSet,
  SymbolsNotFound,
  SymbolState,
  UnsatisfiedSymbolDependencies,
  type DefinitionGenerator,
} from '@orc-ts/core';
import {
  BarAddr,
  barSym,
  bazSym,
  depMap,
  DISPATCHERS,
  exportedOnly,
  flagsMap,
  fooSym,
  makeFixture,
  observe,
  QuxAddr,
  quxSym,
  recordingUnit,
  resolveAndEmit,
  startLookup,
  symbolMap,
  X,
} from './fixture.js';

const MSEO = JITSymbolFlags.MaterializationSideEffectsOnly;

function catchError(fn: () => void): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  return undefined;
}

describe.each(DISPATCHERS)('quirks: orc-ts behaviour ($name dispatcher)', (kind) => {
  it('Q1: a symbol hidden in a JITDylib without generators stays a candidate for a later JITDylib’s generator', async () => {
    // Quirk Q1: ORC drops the hidden bar from the candidates (JD has no generators), so JD2's generator is never
    // asked and the lookup fails with SymbolsNotFound. orc-ts keeps it as a non-candidate and asks JD2's generator.
    const f = makeFixture(kind);
    const { es, jd } = f;
    jd.define(absoluteSymbols(symbolMap({ bar: { address: BarAddr, flags: JITSymbolFlags.None } })));
    const jd2 = es.createBareJITDylib('JD2');
    const asked: string[][] = [];
    const generator: DefinitionGenerator = {
      tryToGenerate(_ls, _kind, target, _flags, set) {
        asked.push(set.getSymbolNames());
        target.define(absoluteSymbols(symbolMap({ bar: quxSym })));
      },
    };
    jd2.addGenerator(generator);

    const result = await es.lookup(exportedOnly(jd, jd2), ['bar']);
    expect(result).toEqual(symbolMap({ bar: { address: QuxAddr, flags: X } }));
    expect(asked).toEqual([['bar']]);
    expect(jd.getSymbolInfo('bar')!.state).toBe(SymbolState.NeverSearched);
  });

  it('Q2: symbols added by defineMaterializing belong to the responsibility’s tracker and go when it is removed', async () => {
    // Quirk Q2: ORC leaves defineMaterializing symbols to the default tracker, so removing the MR's tracker leaves
    // them behind. orc-ts records them under the MR's tracker.
    const f = makeFixture(kind);
    const { es, jd } = f;
    const rt = jd.createResourceTracker();
    jd.define(
      recordingUnit(flagsMap({ foo: X }), (mr) => {
        mr.defineMaterializing(flagsMap({ bar: X }));
        resolveAndEmit(mr, symbolMap({ foo: fooSym, bar: barSym }));
      }).mu,
      rt,
    );
    jd.define(absoluteSymbols(symbolMap({ baz: bazSym })));
    expect(await es.lookup(jd, ['foo', 'baz'])).toEqual(symbolMap({ foo: fooSym, baz: bazSym }));
    expect(jd.getSymbolInfo('bar')!.state).toBe(SymbolState.Ready);

    await rt.remove();
    expect(jd.getSymbolInfo('foo')).toBeUndefined();
    expect(jd.getSymbolInfo('bar')).toBeUndefined();
    expect(jd.getSymbolInfo('baz')!.state).toBe(SymbolState.Ready);

    // Only baz was left to the default tracker.
    await jd.getDefaultResourceTracker().remove();
    expect(jd.getSymbolNames()).toEqual([]);
  });

  it('Q2: defineMaterializing symbols of a live tracker survive removal of the default tracker', async () => {
    const f = makeFixture(kind);
    const { es, jd } = f;
    const rt = jd.createResourceTracker();
    jd.define(
      recordingUnit(flagsMap({ foo: X }), (mr) => {
        mr.defineMaterializing(flagsMap({ bar: X }));
        resolveAndEmit(mr, symbolMap({ foo: fooSym, bar: barSym }));
      }).mu,
      rt,
    );
    jd.define(absoluteSymbols(symbolMap({ baz: bazSym })));
    await es.lookup(jd, ['foo', 'baz']);
    await jd.getDefaultResourceTracker().remove();
    expect(jd.getSymbolNames().sort()).toEqual(['bar', 'foo']);
  });

  it('Q3: ReexportsGenerator skips candidates its source lacks, so later JITDylibs can still supply them', async () => {
    // Quirk Q3: ORC's ReexportsGenerator fails the whole lookup with SymbolsNotFound for a required candidate the
    // source does not define. orc-ts reexports what the source has and leaves the rest to later JITDylibs.
    const f = makeFixture(kind);
    const { es, jd } = f;
    const src = es.createBareJITDylib('Src');
    src.define(absoluteSymbols(symbolMap({ foo: fooSym })));
    jd.addGenerator(new ReexportsGenerator(src));
    const jd3 = es.createBareJITDylib('JD3');
    jd3.define(absoluteSymbols(symbolMap({ baz: bazSym })));

    const result = await es.lookup(exportedOnly(jd, jd3), ['foo', 'baz']);
    expect(result).toEqual(symbolMap({ foo: fooSym, baz: bazSym }));
    expect(jd.getSymbolNames()).toEqual(['foo']);

    // A symbol nobody has is still reported, by name, at the end of the search.
    const missing = observe(es.lookup(exportedOnly(jd, jd3), ['qux']));
    await f.settle();
    expect(missing.error).toBeInstanceOf(SymbolsNotFound);
    expect((missing.error as SymbolsNotFound).symbols).toEqual(['qux']);
  });

  it('Q4: replace and delegate check the tracker before changing anything', async () => {
    // Quirk Q4: in ORC the symbols have already left the MR when replace/delegate report ResourceTrackerDefunct.
    // orc-ts checks first: the MR still holds them and can be failed normally.
    const f = makeFixture(kind);
    const { es, jd } = f;
    const rt = jd.createResourceTracker();
    const u = recordingUnit(flagsMap({ foo: X, bar: X }), undefined, { initSymbol: 'bar' });
    jd.define(u.mu, rt);
    const q = startLookup(es, exportedOnly(jd), ['foo']);
    await f.settle();
    await rt.remove();
    expect(q.error).toBeInstanceOf(FailedToMaterialize);

    const replacement = recordingUnit(flagsMap({ bar: X }));
    expect(catchError(() => u.mr.replace(replacement.mu))).toBeInstanceOf(ResourceTrackerDefunct);
    expect(Array.from(u.mr.getSymbols().keys())).toEqual(['foo', 'bar']);
    expect(u.mr.getInitializerSymbol()).toBe('bar');
    expect(catchError(() => u.mr.delegate(['bar']))).toBeInstanceOf(ResourceTrackerDefunct);
    expect(Array.from(u.mr.getSymbols().keys())).toEqual(['foo', 'bar']);
    expect(u.mr.getInitializerSymbol()).toBe('bar');
    expect(replacement.materialized).toBe(0);

    u.mr.failMaterialization();
    expect(u.mr.isEmpty()).toBe(true);
    expect(q.calls).toBe(1);
  });

  it('Q4: replace and delegate of names the MR does not hold fail without changing the MR', async () => {
    const f = makeFixture(kind);
    const { es, jd } = f;
    const u = recordingUnit(flagsMap({ foo: X, bar: X }));
    jd.define(u.mu);
    const q = startLookup(es, exportedOnly(jd), ['foo', 'bar']);
    await f.settle();

    const stray = recordingUnit(flagsMap({ bar: X, qux: X }));
    expect(catchError(() => u.mr.replace(stray.mu))).toBeInstanceOf(OrcError);
    expect(Array.from(u.mr.getSymbols().keys())).toEqual(['foo', 'bar']);
    expect(jd.getSymbolInfo('bar')!.materializerAttached).toBe(false);
    expect(catchError(() => u.mr.delegate(['bar', 'qux']))).toBeInstanceOf(OrcError);
    expect(Array.from(u.mr.getSymbols().keys())).toEqual(['foo', 'bar']);

    resolveAndEmit(u.mr, symbolMap({ foo: fooSym, bar: barSym }));
    await f.settle();
    expect(q.result).toEqual(symbolMap({ foo: fooSym, bar: barSym }));
  });

  it('Q5 (ORC behaviour kept): a side-effects-only symbol stays in the table once Ready, visible and colliding', async () => {
    // Quirk Q5: ORC's comment says the MSEO entry vanishes once Ready; its code keeps it. orc-ts keeps it too.
    const f = makeFixture(kind);
    const { es, jd } = f;
    const u = recordingUnit(flagsMap({ foo: X | MSEO }), (mr) => mr.notifyEmitted([]));
    jd.define(u.mu);
    const weakFoo = SymbolLookupSet.fromNames(['foo'], SymbolLookupFlags.WeaklyReferencedSymbol);
    expect(await es.lookup(jd, weakFoo)).toEqual(new Map());

    expect(jd.getSymbolInfo('foo')).toEqual({
      flags: X | MSEO,
      state: SymbolState.Ready,
      address: 0n,
      materializerAttached: false,
    });
    expect(await es.lookupFlags(jd, weakFoo)).toEqual(flagsMap({ foo: X | MSEO }));
    const err = catchError(() => jd.define(absoluteSymbols(symbolMap({ foo: fooSym }))));
    expect(err).toBeInstanceOf(DuplicateDefinition);
    expect((err as DuplicateDefinition).symbol).toBe('foo');
    // A weak definition gives way to it silently.
    const weak = recordingUnit(flagsMap({ foo: X | JITSymbolFlags.Weak }));
    jd.define(weak.mu);
    expect(weak.discarded).toEqual(['foo']);
  });

  it('Q7: UnsatisfiedSymbolDependencies names only the symbols that depend on the bad dependency', async () => {
    // Quirk Q7: ORC's [WOG] error lists every symbol of the MR as failed. orc-ts lists only the affected ones,
    // and the unaffected symbols of the same emit are emitted normally.
    const f = makeFixture(kind);
    const { es, jd } = f;
    const bar = recordingUnit(flagsMap({ bar: X }), (mr) => mr.failMaterialization());
    const u = recordingUnit(flagsMap({ foo: X, baz: X, qux: X }));
    jd.define(bar.mu);
    jd.define(u.mu);
    const barQ = startLookup(es, exportedOnly(jd), ['bar']);
    const fooQ = startLookup(es, exportedOnly(jd), ['foo']);
    const bazQ = startLookup(es, exportedOnly(jd), ['baz']);
    await f.settle();
    expect(barQ.error).toBeInstanceOf(FailedToMaterialize);

    u.mr.notifyResolved(symbolMap({ foo: fooSym, baz: bazSym, qux: quxSym }));
    const err = catchError(() =>
      u.mr.notifyEmitted([
        { symbols: ['foo'], dependencies: new Map([[jd, ['bar']]]) },
        { symbols: ['baz'], dependencies: new Map([[jd, ['qux']]]) },
      ]),
    );
    expect(err).toBeInstanceOf(UnsatisfiedSymbolDependencies);
    const usd = err as UnsatisfiedSymbolDependencies;
    expect(usd.failedSymbols).toEqual(new Set(['foo']));
    expect(usd.badDependencies).toEqual(depMap(jd, ['bar']));
    expect(usd.explanation).toBe('dependencies removed or in error state');
    expect(u.mr.isEmpty()).toBe(true);

    await f.settle();
    expect(fooQ.error).toBeInstanceOf(FailedToMaterialize);
    expect((fooQ.error as FailedToMaterialize).symbols).toEqual(depMap(jd, ['foo']));
    expect(bazQ.calls).toBe(1);
    expect(bazQ.result).toEqual(symbolMap({ baz: bazSym }));
    expect(jd.getSymbolInfo('baz')!.state).toBe(SymbolState.Ready);
    expect(jd.getSymbolInfo('qux')!.state).toBe(SymbolState.Ready);
    expect(JITSymbolFlags.hasError(jd.getSymbolInfo('qux')!.flags)).toBe(false);
  });

  describe.each([
    { shape: 'baz waits only on foo (its wait set merges with foo’s)', bazDeps: ['foo'] },
    { shape: 'baz waits on foo and on qux', bazDeps: ['foo', 'qux'] },
  ])('Q8: $shape', ({ bazDeps }) => {
    it('Q8: failing an emitted-but-waiting foo also fails baz, which took over foo’s waits', async () => {
      // Quirk Q8: in ORC, baz (emitted depending on the emitted-but-waiting foo) waits on foo's dependency bar
      // instead of foo, so failing foo leaves baz alone and it later becomes Ready. orc-ts fails baz with foo.
      const f = makeFixture(kind);
      const { es, jd } = f;
      const rt = jd.createResourceTracker();
      const foo = recordingUnit(flagsMap({ foo: X }));
      const bar = recordingUnit(flagsMap({ bar: X }));
      const baz = recordingUnit(flagsMap({ baz: X }));
      const qux = recordingUnit(flagsMap({ qux: X }));
      jd.define(foo.mu, rt);
      jd.define(bar.mu);
      jd.define(baz.mu);
      jd.define(qux.mu);
      const q = Object.fromEntries(['foo', 'bar', 'baz', 'qux'].map((n) => [n, startLookup(es, exportedOnly(jd), [n])]));
      await f.settle();

      foo.mr.notifyResolved(symbolMap({ foo: fooSym }));
      foo.mr.notifyEmitted([{ symbols: ['foo'], dependencies: new Map([[jd, ['bar']]]) }]);
      baz.mr.notifyResolved(symbolMap({ baz: bazSym }));
      baz.mr.notifyEmitted([{ symbols: ['baz'], dependencies: new Map([[jd, bazDeps]]) }]);
      expect(jd.getSymbolInfo('foo')!.state).toBe(SymbolState.Emitted);
      expect(jd.getSymbolInfo('baz')!.state).toBe(SymbolState.Emitted);

      await rt.remove();
      await f.settle();
      for (const n of ['foo', 'baz']) {
        expect(q[n]!.calls).toBe(1);
        expect(q[n]!.error).toBeInstanceOf(FailedToMaterialize);
        expect((q[n]!.error as FailedToMaterialize).symbols).toEqual(depMap(jd, ['foo', 'baz']));
      }
      expect(jd.getSymbolInfo('foo')).toBeUndefined();
      expect(JITSymbolFlags.hasError(jd.getSymbolInfo('baz')!.flags)).toBe(true);

      // bar and qux complete normally; baz does not come back to life.
      resolveAndEmit(bar.mr, symbolMap({ bar: barSym }));
      resolveAndEmit(qux.mr, symbolMap({ qux: quxSym }));
      await f.settle();
      expect(q.bar!.result).toEqual(symbolMap({ bar: barSym }));
      expect(q.qux!.result).toEqual(symbolMap({ qux: quxSym }));
      expect(jd.getSymbolInfo('baz')!.state).not.toBe(SymbolState.Ready);
      expect(q.baz!.calls).toBe(1);
      const again = observe(es.lookup(jd, 'baz'));
      await f.settle();
      expect(again.error).toBeInstanceOf(FailedToMaterialize);
      expect((again.error as FailedToMaterialize).symbols).toEqual(depMap(jd, ['baz']));
    });
  });
});

describe('Q1 complement (in-place): hidden symbols under MatchAllSymbols are found', () => {
  it('Q1: with MatchAllSymbols the first JITDylib’s hidden bar wins and no generator runs', async () => {
    const f = makeFixture();
    const { es, jd } = f;
    jd.define(absoluteSymbols(symbolMap({ bar: { address: BarAddr, flags: JITSymbolFlags.None } })));
    const jd2 = es.createBareJITDylib('JD2');
    let calls = 0;
    jd2.addGenerator({
      tryToGenerate() {
        calls++;
      },
    });
    const def = await es.lookup(
      [
        [jd, JITDylibLookupFlags.MatchAllSymbols],
        [jd2, JITDylibLookupFlags.MatchExportedSymbolsOnly],
      ],
      'bar',
    );
    expect(def).toEqual({ address: BarAddr, flags: JITSymbolFlags.None });
    expect(calls).toBe(0);
  });
});
